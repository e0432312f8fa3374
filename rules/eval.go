package rules

import (
	"cmp"
	"slices"
	"strings"

	"github.com/alertbot/alertbot/rules/text"
)

// Fields of a document, in the order the analysed document keeps them.
const (
	title = iota
	body
	numFields
)

var fieldNames = [numFields]string{"title", "text"}

// doc is an analysed Document: the tokens of the title followed by those
// of the text, and for each distinct stem the chain of positions where it
// occurs. Docs are reused through a pool; reset prepares one for the next
// document.
type doc struct {
	d      *Document
	lang   string // primary language subtag, folded
	source string // folded

	toks  []text.Token     // title tokens, then text tokens
	split int32            // toks[:split] are the title's
	next  []int32          // next[i]: next position with the same stem as i, or -1
	first map[string]int32 // stem -> first position
	lead  []bool           // lead[i]: i is the first position of its stem

	// The same for the first prefixRunes runes of each word, built on
	// first use by a prefix term.
	pfirst map[string]int32
	pnext  []int32
	pready bool

	norm      [numFields]*text.Normalized // built on first use by a regex
	countries []string
	counted   bool // countries computed
	gaz       *Gazetteer
}

func (d *doc) reset(an *text.Analyzer, gaz *Gazetteer, in *Document) {
	d.d = in
	d.gaz = gaz
	lang := text.ParseLang(in.Lang)
	d.lang = lang.String()
	if d.lang == "" {
		d.lang, _, _ = strings.Cut(strings.ToLower(in.Lang), "-")
	}
	d.source = text.Fold(in.Source)
	d.countries = d.countries[:0]
	d.counted = false
	d.norm = [numFields]*text.Normalized{}
	d.pready = false

	d.toks = an.Analyze(d.toks[:0], in.Title, lang)
	d.split = int32(len(d.toks))
	d.toks = an.Analyze(d.toks, in.Text, lang)
	if d.split > 0 {
		// Keep the text's sentences apart from the title's.
		base := d.toks[d.split-1].Sentence + 1
		for i := d.split; i < int32(len(d.toks)); i++ {
			d.toks[i].Sentence += base
		}
	}

	if d.first == nil {
		d.first = make(map[string]int32, 256)
	} else {
		clear(d.first)
	}
	// Chain positions of equal stems, walking backwards so that each chain
	// comes out in increasing order.
	d.next = slices.Grow(d.next[:0], len(d.toks))[:len(d.toks)]
	d.lead = slices.Grow(d.lead[:0], len(d.toks))[:len(d.toks)]
	for i := len(d.toks) - 1; i >= 0; i-- {
		stem := d.toks[i].Stem
		d.next[i] = -1
		if j, ok := d.first[stem]; ok {
			d.next[i] = j
			d.lead[j] = false
		}
		d.lead[i] = true
		d.first[stem] = int32(i)
	}
}

// prefixChains builds the chains of positions by prefix key.
func (d *doc) prefixChains() {
	d.pready = true
	if d.pfirst == nil {
		d.pfirst = make(map[string]int32, 256)
	} else {
		clear(d.pfirst)
	}
	d.pnext = slices.Grow(d.pnext[:0], len(d.toks))[:len(d.toks)]
	for i := len(d.toks) - 1; i >= 0; i-- {
		d.pnext[i] = -1
		k, ok := prefixKey(d.toks[i].Norm)
		if !ok {
			continue
		}
		if j, ok := d.pfirst[k]; ok {
			d.pnext[i] = j
		}
		d.pfirst[k] = int32(i)
	}
}

// prefixed returns the first position whose word starts with w's prefix
// key, to walk on with pnext.
func (d *doc) prefixed(w *wordNode) int32 {
	if !d.pready {
		d.prefixChains()
	}
	k, _ := prefixKey(w.norm)
	if i, ok := d.pfirst[k]; ok {
		return i
	}
	return -1
}

// field returns the field of position i.
func (d *doc) field(i int32) uint8 {
	if i < d.split {
		return title
	}
	return body
}

// src returns the text of field f.
func (d *doc) src(f uint8) string {
	if f == title {
		return d.d.Title
	}
	return d.d.Text
}

func (d *doc) normalized(f uint8) *text.Normalized {
	if d.norm[f] == nil {
		d.norm[f] = text.Normalize(d.src(f))
	}
	return d.norm[f]
}

// countryCodes returns the countries the document mentions, computing
// them on first use.
func (d *doc) countryCodes() []string {
	if !d.counted {
		d.counted = true
		d.countries = d.gaz.Countries(d.countries, d.d.Title, d.toks[:d.split])
		d.countries = d.gaz.Countries(d.countries, d.d.Text, d.toks[d.split:])
		d.countries = dedup(d.countries)
	}
	return d.countries
}

func dedup(s []string) []string {
	out := s[:0]
	for i, v := range s {
		if !slices.Contains(s[:i], v) {
			out = append(out, v)
		}
	}
	return out
}

// inField reports whether position i lies in a field that f looks at.
func (d *doc) inField(i int32, f Field) bool {
	switch f {
	case TitleField:
		return i < d.split
	case TextField:
		return i >= d.split
	}
	return true
}

// fieldsOf lists the fields a node with field f looks at.
func fieldsOf(f Field) (lo, hi int) {
	switch f {
	case TitleField:
		return title, title + 1
	case TextField:
		return body, body + 1
	}
	return title, numFields
}

// eval reports whether n matches d.
func (d *doc) eval(n node) bool {
	switch n := n.(type) {
	case *andNode:
		for _, k := range n.kids {
			if !d.eval(k) {
				return false
			}
		}
		return true
	case *orNode:
		for _, k := range n.kids {
			if d.eval(k) {
				return true
			}
		}
		return false
	case *notNode:
		return !d.eval(n.kid)
	case *wordNode:
		return d.firstWord(n) >= 0
	case *phraseNode:
		for _, w := range n.words {
			if d.firstWord(w) < 0 {
				return false // cheap: most candidates stop here
			}
		}
		return len(d.occurrences(nil, n)) > 0
	case *nearNode:
		if !d.eval(n.x) || !d.eval(n.y) {
			return false
		}
		return len(d.occurrences(nil, n)) > 0
	case *regexNode:
		lo, hi := fieldsOf(n.field)
		for f := lo; f < hi; f++ {
			if d.src(uint8(f)) != "" && n.re.MatchString(d.normalized(uint8(f)).Text) {
				return true
			}
		}
		return false
	case *metaNode:
		return d.meta(n)
	}
	panic("rules: unknown node")
}

func (d *doc) meta(n *metaNode) bool {
	switch n.key {
	case SourceKey:
		if n.prefix {
			return strings.HasPrefix(d.source, n.value)
		}
		return d.source == n.value
	case LangKey:
		return d.lang == n.value
	case CountryKey:
		for _, c := range d.countryCodes() {
			if c == n.value {
				return true
			}
		}
	}
	return false
}

// is reports whether the token at position i is the word w.
func (d *doc) is(i int32, w *wordNode) bool {
	t := &d.toks[i]
	switch w.kind {
	case Exact:
		return t.Norm == w.norm
	case Prefix:
		return strings.HasPrefix(t.Norm, w.norm)
	}
	return t.Stem == w.stems[t.Lang]
}

// firstWord returns the first position of w, or -1.
func (d *doc) firstWord(w *wordNode) int32 {
	if w.kind == Prefix {
		for i := d.prefixed(w); i >= 0; i = d.pnext[i] {
			if d.is(i, w) && d.inField(i, w.field) {
				return i
			}
		}
		return -1
	}
	for l, stem := range w.stems {
		if stem == "" || (l > 0 && stem == w.stems[l-1]) {
			continue
		}
		for i, ok := d.first[stem]; ok && i >= 0; i = d.next[i] {
			if d.is(i, w) && d.inField(i, w.field) {
				return i
			}
		}
	}
	return -1
}

// appendWord appends every position of w, in order.
func (d *doc) appendWord(dst []int32, w *wordNode) []int32 {
	if w.kind == Prefix {
		for i := d.prefixed(w); i >= 0; i = d.pnext[i] {
			if d.is(i, w) && d.inField(i, w.field) {
				dst = append(dst, i)
			}
		}
		return dst
	}
	start := len(dst)
	chains := 0
	for l, stem := range w.stems {
		if stem == "" || (l > 0 && stem == w.stems[l-1]) {
			continue
		}
		if i, ok := d.first[stem]; ok {
			chains++
			for ; i >= 0; i = d.next[i] {
				if d.is(i, w) && d.inField(i, w.field) {
					dst = append(dst, i)
				}
			}
		}
	}
	if chains > 1 {
		slices.Sort(dst[start:])
	}
	return dst
}

// occ is where a positional node occurs: the words [s, e), all in one
// field.
type occ struct{ s, e int32 }

// occurrences appends every occurrence of the positional node n.
func (d *doc) occurrences(dst []occ, n node) []occ {
	switch n := n.(type) {
	case *wordNode:
		var buf [32]int32
		for _, p := range d.appendWord(buf[:0], n) {
			dst = append(dst, occ{p, p + 1})
		}
	case *orNode:
		for _, k := range n.kids {
			dst = d.occurrences(dst, k)
		}
	case *phraseNode:
		var buf [32]int32
		for _, p := range d.appendWord(buf[:0], n.words[0]) {
			if e := d.phraseAt(p, n); e > 0 {
				dst = append(dst, occ{p, e})
			}
		}
	case *nearNode:
		xs := d.occurrences(nil, n.x)
		if len(xs) == 0 {
			return dst
		}
		ys := d.occurrences(nil, n.y)
		for _, x := range xs {
			for _, y := range ys {
				if d.near(n, x, y) {
					dst = append(dst, occ{min(x.s, y.s), max(x.e, y.e)})
				}
			}
		}
	}
	return dst
}

// phraseAt returns the end of phrase n starting at position p, or 0.
// Taking the nearest next word each time is optimal: it leaves the most
// slop for the words after it.
func (d *doc) phraseAt(p int32, n *phraseNode) int32 {
	slop := int32(n.slop)
	at := p
	sentence := d.toks[p].Sentence
	for _, w := range n.words[1:] {
		found := false
		for q := at + 1; q < int32(len(d.toks)) && q <= at+1+slop && d.toks[q].Sentence == sentence; q++ {
			if d.is(q, w) {
				slop -= q - at - 1
				at = q
				found = true
				break
			}
		}
		if !found {
			return 0
		}
	}
	return at + 1
}

// near reports whether occurrences x and y satisfy n: in one sentence
// (so in one field, since the title's sentences are its own), and for
// NEAR/N at most N words apart.
func (d *doc) near(n *nearNode, x, y occ) bool {
	s := d.toks[x.s].Sentence
	if d.toks[x.e-1].Sentence != s || d.toks[y.s].Sentence != s || d.toks[y.e-1].Sentence != s {
		return false
	}
	if n.sentence {
		return true
	}
	var gap int32
	switch {
	case x.e <= y.s:
		gap = y.s - x.e + 1
	case y.e <= x.s:
		gap = x.s - y.e + 1
	}
	return int(gap) <= n.dist
}

// span is a highlighted byte range of field f.
type span struct {
	f          uint8
	start, end int
}

func (d *doc) span(o occ) span {
	return span{d.field(o.s), int(d.toks[o.s].Start), int(d.toks[o.e-1].End)}
}

// highlight appends the spans that make n true, for a node known to be
// true; nothing under a NOT is shown.
func (d *doc) highlight(dst []span, n node) []span {
	switch n := n.(type) {
	case *andNode:
		for _, k := range n.kids {
			dst = d.highlight(dst, k)
		}
	case *orNode:
		for _, k := range n.kids {
			if d.eval(k) {
				dst = d.highlight(dst, k)
			}
		}
	case *wordNode, *phraseNode:
		for _, o := range d.occurrences(nil, n) {
			dst = append(dst, d.span(o))
		}
	case *nearNode:
		xs := d.occurrences(nil, n.x)
		ys := d.occurrences(nil, n.y)
		for _, x := range xs {
			for _, y := range ys {
				if d.near(n, x, y) {
					dst = append(dst, d.span(x), d.span(y))
				}
			}
		}
	case *regexNode:
		lo, hi := fieldsOf(n.field)
		for f := lo; f < hi; f++ {
			if d.src(uint8(f)) == "" {
				continue
			}
			norm := d.normalized(uint8(f))
			for _, m := range n.re.FindAllStringIndex(norm.Text, -1) {
				dst = append(dst, span{uint8(f), norm.Orig(m[0]), norm.Orig(m[1])})
			}
		}
	}
	return dst
}

// highlights turns spans into sorted, merged Highlights.
func (d *doc) highlights(spans []span) []Highlight {
	slices.SortFunc(spans, func(a, b span) int {
		return cmp.Or(cmp.Compare(a.f, b.f), cmp.Compare(a.start, b.start))
	})
	merged := spans[:0]
	for _, s := range spans {
		if n := len(merged); n > 0 && merged[n-1].f == s.f && s.start <= merged[n-1].end {
			merged[n-1].end = max(merged[n-1].end, s.end)
			continue
		}
		merged = append(merged, s)
	}
	out := make([]Highlight, len(merged))
	for i, s := range merged {
		out[i] = Highlight{Field: fieldNames[s.f], Start: s.start, End: s.end, Text: d.src(s.f)[s.start:s.end]}
	}
	return out
}
