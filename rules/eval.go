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
// of the text and, for each stem that some rule uses, the chain of
// positions where it occurs, by the stem's id. Docs are reused through a
// pool; reset prepares one for the next document.
type doc struct {
	m      *Matcher
	d      *Document
	lang   string    // primary language subtag, folded
	latin  text.Lang // the language of this document's Latin-script words
	source string    // folded

	toks  []text.Token // title tokens, then text tokens
	split int32        // toks[:split] are the title's
	tid   []int32      // tid[i]: id of the stem of toks[i], or -1 when no rule uses it
	first []int32      // first[id]: first position of the stem id, or -1; len(m.stems)
	next  []int32      // next[i]: next position with the same stem as i, or -1
	lead  []bool       // lead[i]: i is the first position of its stem
	used  []int32      // ids whose first is set, to clear them for the next document

	// The same for the first prefixRunes runes of the words, when some
	// rule has a prefix term: by the prefix key's id.
	pid    []int32
	pfirst []int32
	pnext  []int32
	plead  []bool
	pused  []int32

	occs      []occ                       // scratch for occurs
	norm      [numFields]*text.Normalized // built on first use by a regex
	countries []string
	counted   bool // countries computed
}

func newDoc(m *Matcher) *doc {
	d := &doc{m: m, first: make([]int32, len(m.stems)), pfirst: make([]int32, len(m.pkeys))}
	for i := range d.first {
		d.first[i] = -1
	}
	for i := range d.pfirst {
		d.pfirst[i] = -1
	}
	return d
}

func (d *doc) reset(in *Document) {
	an := d.m.an
	d.d = in
	lang := text.ParseLang(in.Lang)
	d.latin = text.TokenLang("a", lang)
	d.lang = lang.String()
	if d.lang == "" {
		d.lang, _, _ = strings.Cut(strings.ToLower(in.Lang), "-")
	}
	d.source = text.Fold(in.Source)
	d.countries = d.countries[:0]
	d.counted = false
	d.norm = [numFields]*text.Normalized{}

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

	d.used = d.chains(&d.tid, &d.next, &d.lead, d.first, d.used, func(t *text.Token) (int32, bool) {
		id, ok := d.m.vocab[t.Stem]
		return id, ok
	})
	if len(d.m.pkeys) > 0 {
		d.pused = d.chains(&d.pid, &d.pnext, &d.plead, d.pfirst, d.pused, func(t *text.Token) (int32, bool) {
			k, ok := prefixKey(t.Norm)
			if !ok {
				return 0, false
			}
			id, ok := d.m.pkeys[k]
			return id, ok
		})
	}
}

// chains links the positions of tokens with the same key id, walking
// backwards so that each chain comes out in increasing order: (*ids)[i] is
// the id of token i (or -1), first[id] its first position, (*next)[i] the
// next one, (*lead)[i] whether i is the first. used lists the ids the
// previous document set in first, to clear; chains returns this one's. key
// finds a token's id.
func (d *doc) chains(ids, next *[]int32, lead *[]bool, first, used []int32, key func(*text.Token) (int32, bool)) []int32 {
	for _, id := range used {
		first[id] = -1
	}
	used = used[:0]
	n := len(d.toks)
	*ids = slices.Grow((*ids)[:0], n)[:n]
	*next = slices.Grow((*next)[:0], n)[:n]
	*lead = slices.Grow((*lead)[:0], n)[:n]
	id, nx, ld := *ids, *next, *lead
	for i := n - 1; i >= 0; i-- {
		nx[i], ld[i] = -1, false
		k, ok := key(&d.toks[i])
		if !ok {
			id[i] = -1
			continue
		}
		id[i], ld[i] = k, true
		if j := first[k]; j >= 0 {
			nx[i] = j
			ld[j] = false
		} else {
			used = append(used, k)
		}
		first[k] = int32(i)
	}
	return used
}

// wordID returns the id of w's stem in the language this document's words
// of w's script are stemmed in, or -1.
func (d *doc) wordID(w *wordNode) int32 {
	if w.script == text.English {
		return w.ids[d.latin]
	}
	return w.ids[w.script]
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
		d.countries = d.m.gaz.Countries(d.countries, d.d.Title, d.toks[:d.split])
		d.countries = d.m.gaz.Countries(d.countries, d.d.Text, d.toks[d.split:])
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
		return d.occurs(n)
	case *nearNode:
		if !d.eval(n.x) || !d.eval(n.y) {
			return false
		}
		return d.occurs(n)
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

// occurs reports whether the positional node n occurs, using the doc's
// scratch space for the occurrences.
func (d *doc) occurs(n node) bool {
	d.occs = d.occurrences(d.occs[:0], n)
	return len(d.occs) > 0
}

// is reports whether the token at position i is the word w.
func (d *doc) is(i int32, w *wordNode) bool {
	switch w.kind {
	case Exact:
		return d.toks[i].Norm == w.norm
	case Prefix:
		return strings.HasPrefix(d.toks[i].Norm, w.norm)
	}
	return d.tid[i] >= 0 && d.tid[i] == w.ids[d.toks[i].Lang]
}

// chain returns the first position to walk from to find w: by its stem,
// or by its prefix key; -1 when w cannot occur.
func (d *doc) chain(w *wordNode) (first int32, next []int32) {
	if w.kind == Prefix {
		return d.pfirst[w.pid], d.pnext
	}
	if id := d.wordID(w); id >= 0 {
		return d.first[id], d.next
	}
	return -1, nil
}

// firstWord returns the first position of w, or -1.
func (d *doc) firstWord(w *wordNode) int32 {
	i, next := d.chain(w)
	for ; i >= 0; i = next[i] {
		if d.is(i, w) && d.inField(i, w.field) {
			return i
		}
	}
	return -1
}

// appendWord appends every position of w, in order.
func (d *doc) appendWord(dst []int32, w *wordNode) []int32 {
	i, next := d.chain(w)
	for ; i >= 0; i = next[i] {
		if d.is(i, w) && d.inField(i, w.field) {
			dst = append(dst, i)
		}
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
		i, next := d.chain(n)
		for ; i >= 0; i = next[i] {
			if d.is(i, n) && d.inField(i, n.field) {
				dst = append(dst, occ{i, i + 1})
			}
		}
	case *orNode:
		for _, k := range n.kids {
			dst = d.occurrences(dst, k)
		}
	case *phraseNode:
		w := n.words[0]
		i, next := d.chain(w)
		for ; i >= 0; i = next[i] {
			if !d.is(i, w) || !d.inField(i, w.field) {
				continue
			}
			if e := d.phraseAt(i, n); e > 0 {
				dst = append(dst, occ{i, e})
			}
		}
	case *nearNode:
		// The occurrences of x and then of y go after dst for the while;
		// the pairs within reach go after them and then take their place.
		start := len(dst)
		dst = d.occurrences(dst, n.x)
		mid := len(dst)
		if mid == start {
			return dst
		}
		dst = d.occurrences(dst, n.y)
		end := len(dst)
		for xi := start; xi < mid; xi++ {
			for yi := mid; yi < end; yi++ {
				if x, y := dst[xi], dst[yi]; d.near(n, x, y) {
					dst = append(dst, occ{min(x.s, y.s), max(x.e, y.e)})
				}
			}
		}
		dst = dst[:start+copy(dst[start:], dst[end:])]
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
