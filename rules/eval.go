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
// of the text and, for each stem and each prefix that some rule uses, the
// chain of positions where it occurs. Docs are reused through a pool;
// reset prepares one for the next document.
type doc struct {
	m      *Matcher
	d      *Document
	lang   string    // primary language subtag, folded
	latin  text.Lang // the language of this document's Latin-script words
	source string    // folded

	toks  []text.Token // title tokens, then text tokens
	split int32        // toks[:split] are the title's
	gz    []gzToken    // gz[i]: what the gazetteer knows of toks[i]
	tid   []int32      // tid[i]: id of the stem of toks[i], or -1 when no rule uses it

	stems    chains // by stem id
	prefixes chains // by prefix id: a word is in the chain of every prefix it starts with

	// has is the set of the stems (by id) and then of the prefixes (by
	// len(m.stems) + id) that the document holds, which prefilters test.
	has []uint64

	occs      []occ                       // scratch for occurs
	norm      [numFields]*text.Normalized // built on first use by a regex
	countries []string
	counted   bool // countries computed
}

// chains link the positions of the words with the same key (a stem id or
// a prefix id), in increasing order. Each link is an entry: the chain of
// key k starts at entry first[k] (or is empty, -1) and goes on with
// next[e], and entry e is position pos[e]. A position can be in several
// chains, as "summoned" is in those of summon* and summo*.
type chains struct {
	first []int32 // by key
	pos   []int32 // by entry
	key   []int32 // by entry
	next  []int32 // by entry
	used  []int32 // the keys whose chains are not empty
}

func newChains(keys int) chains {
	c := chains{first: make([]int32, keys)}
	for k := range c.first {
		c.first[k] = -1
	}
	return c
}

// reset empties c.
func (c *chains) reset() {
	for _, k := range c.used {
		c.first[k] = -1
	}
	c.used, c.pos, c.key = c.used[:0], c.pos[:0], c.key[:0]
}

// add puts position i in the chain of key k, after the positions added
// before it. Positions are added in increasing order; link links them.
func (c *chains) add(i, k int32) {
	c.pos = append(c.pos, i)
	c.key = append(c.key, k)
}

// link links the entries added, walking them backwards so that each chain
// comes out in increasing order, and adds the keys, plus base, to has.
func (c *chains) link(has []uint64, base int32) {
	c.next = resize(c.next, len(c.pos))
	for e := int32(len(c.pos)) - 1; e >= 0; e-- {
		k := c.key[e]
		if c.first[k] < 0 {
			c.used = append(c.used, k)
			has[(base+k)/64] |= 1 << ((base + k) % 64)
		}
		c.next[e] = c.first[k]
		c.first[k] = e
	}
}

func newDoc(m *Matcher) *doc {
	return &doc{
		m:        m,
		stems:    newChains(len(m.stems)),
		prefixes: newChains(len(m.pkeys)),
		has:      make([]uint64, (len(m.stems)+len(m.pkeys)+63)/64),
	}
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

	d.toks = an.Tokenize(d.toks[:0], in.Title, lang)
	d.split = int32(len(d.toks))
	d.toks = an.Tokenize(d.toks, in.Text, lang)
	if d.split > 0 {
		// Keep the text's sentences apart from the title's.
		base := d.toks[d.split-1].Sentence + 1
		for i := d.split; i < int32(len(d.toks)); i++ {
			d.toks[i].Sentence += base
		}
	}

	d.stems.reset()
	d.prefixes.reset()
	d.m.resolve(d)
	clear(d.has)
	d.stems.link(d.has, 0)
	d.prefixes.link(d.has, int32(len(d.m.stems)))
}

// wordID returns the id of w's stem in the language this document's words
// of w's script are stemmed in, or -1.
func (d *doc) wordID(w *node) int32 {
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
		d.countries = d.m.gaz.countries(d.countries, d.d.Title, d.toks[:d.split], d.gz[:d.split])
		d.countries = d.m.gaz.countries(d.countries, d.d.Text, d.toks[d.split:], d.gz[d.split:])
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

// eval reports whether t matches d.
func (d *doc) eval(t tree) bool {
	switch t[0].op {
	case opAnd:
		for k := range t.kids {
			if !d.eval(k) {
				return false
			}
		}
		return true
	case opOr:
		for k := range t.kids {
			if d.eval(k) {
				return true
			}
		}
		return false
	case opNot:
		return !d.eval(t[1:])
	case opWord:
		return d.firstWord(&t[0]) >= 0
	case opPhrase:
		for k := range t.kids {
			if d.firstWord(&k[0]) < 0 {
				return false // cheap: most candidates stop here
			}
		}
		return d.occurs(t)
	case opNear:
		return d.occurs(t) // which looks no further when x does not occur
	case opRegex:
		n := &d.m.regexps[t[0].arg]
		lo, hi := fieldsOf(n.field)
		for f := lo; f < hi; f++ {
			if d.src(uint8(f)) != "" && n.re.MatchString(d.normalized(uint8(f)).Text) {
				return true
			}
		}
		return false
	case opMeta:
		return d.meta(&d.m.metas[t[0].arg])
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

// occurs reports whether the positional tree t occurs, using the doc's
// scratch space for the occurrences.
func (d *doc) occurs(t tree) bool {
	d.occs = d.occurrences(d.occs[:0], t)
	return len(d.occs) > 0
}

// is reports whether the token at position i is the word w.
func (d *doc) is(i int32, w *node) bool {
	switch w.kind {
	case Exact:
		return d.toks[i].Norm == d.m.norms[w.arg]
	case Prefix:
		return strings.HasPrefix(d.toks[i].Norm, d.m.norms[w.arg])
	}
	return d.tid[i] >= 0 && d.tid[i] == w.ids[d.toks[i].Lang]
}

// found reports whether position i, taken from w's chain, is w and lies
// in w's field. The chain of a prefix holds only the words that start with
// it; that of a stem, every word with the stem.
func (d *doc) found(i int32, w *node) bool {
	return (w.kind == Prefix || d.is(i, w)) && d.inField(i, w.field)
}

// chain returns the chain to walk to find w, by its stem or by its
// prefix, and its first entry: -1 when w cannot occur.
func (d *doc) chain(w *node) (*chains, int32) {
	if w.kind == Prefix {
		if w.pid < 0 {
			return nil, -1
		}
		return &d.prefixes, d.prefixes.first[w.pid]
	}
	if id := d.wordID(w); id >= 0 {
		return &d.stems, d.stems.first[id]
	}
	return nil, -1
}

// firstWord returns the first position of w, or -1.
func (d *doc) firstWord(w *node) int32 {
	c, e := d.chain(w)
	for ; e >= 0; e = c.next[e] {
		if i := c.pos[e]; d.found(i, w) {
			return i
		}
	}
	return -1
}

// occ is where a positional tree occurs: the words [s, e), all in one
// field.
type occ struct{ s, e int32 }

// occurrences appends every occurrence of the positional tree t.
func (d *doc) occurrences(dst []occ, t tree) []occ {
	switch t[0].op {
	case opWord:
		w := &t[0]
		c, e := d.chain(w)
		for ; e >= 0; e = c.next[e] {
			if i := c.pos[e]; d.found(i, w) {
				dst = append(dst, occ{i, i + 1})
			}
		}
	case opOr:
		for k := range t.kids {
			dst = d.occurrences(dst, k)
		}
	case opPhrase:
		w := &t[1]
		c, e := d.chain(w)
		for ; e >= 0; e = c.next[e] {
			i := c.pos[e]
			if !d.found(i, w) {
				continue
			}
			if e := d.phraseAt(i, t); e > 0 {
				dst = append(dst, occ{i, e})
			}
		}
	case opNear:
		// The occurrences of x and then of y go after dst for the while;
		// the pairs within reach go after them and then take their place.
		x, y := t.pair()
		start := len(dst)
		dst = d.occurrences(dst, x)
		mid := len(dst)
		if mid == start {
			return dst
		}
		dst = d.occurrences(dst, y)
		end := len(dst)
		for xi := start; xi < mid; xi++ {
			for yi := mid; yi < end; yi++ {
				if x, y := dst[xi], dst[yi]; d.near(t, x, y) {
					dst = append(dst, occ{min(x.s, y.s), max(x.e, y.e)})
				}
			}
		}
		dst = dst[:start+copy(dst[start:], dst[end:])]
	}
	return dst
}

// phraseAt returns the end of phrase t starting at position p, or 0.
// Taking the nearest next word each time is optimal: it leaves the most
// slop for the words after it.
func (d *doc) phraseAt(p int32, t tree) int32 {
	slop := t[0].arg
	at := p
	sentence := d.toks[p].Sentence
	for k := range t[2:] { // the words after the first, each a tree of one node
		w := &t[2+k]
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

// near reports whether occurrences x and y satisfy the NEAR t: in one
// sentence (so in one field, since the title's sentences are its own),
// and for NEAR/N at most N words apart.
func (d *doc) near(t tree, x, y occ) bool {
	s := d.toks[x.s].Sentence
	if d.toks[x.e-1].Sentence != s || d.toks[y.s].Sentence != s || d.toks[y.e-1].Sentence != s {
		return false
	}
	if t[0].sentence {
		return true
	}
	var gap int32
	switch {
	case x.e <= y.s:
		gap = y.s - x.e + 1
	case y.e <= x.s:
		gap = x.s - y.e + 1
	}
	return gap <= t[0].arg
}

// span is a highlighted byte range of field f.
type span struct {
	f          uint8
	start, end int
}

func (d *doc) span(o occ) span {
	return span{d.field(o.s), int(d.toks[o.s].Start), int(d.toks[o.e-1].End)}
}

// highlight appends the spans that make t true, for a tree known to be
// true; nothing under a NOT is shown.
func (d *doc) highlight(dst []span, t tree) []span {
	switch t[0].op {
	case opAnd:
		for k := range t.kids {
			dst = d.highlight(dst, k)
		}
	case opOr:
		for k := range t.kids {
			if d.eval(k) {
				dst = d.highlight(dst, k)
			}
		}
	case opWord, opPhrase:
		for _, o := range d.occurrences(nil, t) {
			dst = append(dst, d.span(o))
		}
	case opNear:
		x, y := t.pair()
		xs := d.occurrences(nil, x)
		ys := d.occurrences(nil, y)
		for _, x := range xs {
			for _, y := range ys {
				if d.near(t, x, y) {
					dst = append(dst, d.span(x), d.span(y))
				}
			}
		}
	case opRegex:
		n := &d.m.regexps[t[0].arg]
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
