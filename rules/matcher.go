package rules

import (
	"fmt"
	"math/bits"
	"slices"
	"sync"
	"unicode/utf8"

	"github.com/alertbot/alertbot/rules/text"
)

// Matcher matches documents against a fixed set of rules. It is safe for
// concurrent use; build a new one when the rules change.
//
// Most rules are never evaluated for a given document: each rule is
// indexed by words one of which must occur for it to match (its anchors),
// and Match evaluates only the rules whose anchors the document contains
// and whose prefilter it meets. Rules without anchors (a bare NOT, a bare
// regex, only lang: or source:) are evaluated for every document; Slow
// lists them.
type Matcher struct {
	an      *text.Analyzer
	gaz     *Gazetteer
	rules   []*Rule
	nodes   []node      // the trees of the rules, one after the other
	roots   []int32     // the tree of rules[i] starts at nodes[roots[i]]
	norms   []string    // the folded forms of the words of the trees (node.arg)
	regexps []regexNode // the regexes of the trees (node.arg)
	metas   []metaNode  // the meta tests of the trees (node.arg)

	vocab    map[string]int32 // every stem a rule uses -> its id
	stems    []string         // id -> stem
	byStem   index            // stem id -> rules anchored on it
	pkeys    map[string]int32 // the prefix of every prefix term -> id
	byPrefix index            // prefix id -> rules anchored on it
	always   []int32          // rules without anchors

	forms wordCache
	pool  sync.Pool // *scratch
}

// prefixRunes is the least number of runes of a prefix the index keeps.
// Parse refuses shorter prefixes (MinPrefixRunes).
const prefixRunes = MinPrefixRunes

// postings are the rules anchored on one word, each as its index in
// Matcher.rules, the length of its prefilter, and the prefilter (see
// appendPrefilter): [rule, len, prefilter..., rule, len, prefilter..., ...].
// Each anchor of a rule has its own copy of the prefilter, so that turning
// away a candidate reads the postings in order and the document's words,
// and nothing of the rule itself: with thousands of rules, the rules are
// cold memory.
type postings []int32

// add appends rule i with prefilter req.
func (p *postings) add(i int32, req []int32) {
	*p = append(append(*p, i, int32(len(req))), req...)
}

// An index holds the postings of every key (stem id or prefix id) in
// one array, one list after the other, so that looking a key up reads
// offsets from a small array instead of slice headers from a large one.
type index struct {
	at  []int32 // the postings of key k are all[at[k]:at[k+1]]
	all []int32
}

func newIndex(lists []postings) index {
	x := index{at: make([]int32, len(lists)+1)}
	for k, p := range lists {
		x.all = append(x.all, p...)
		x.at[k+1] = int32(len(x.all))
	}
	return x
}

func (x *index) postings(k int32) postings { return x.all[x.at[k]:x.at[k+1]] }

type scratch struct {
	doc   *doc
	seen  []uint64 // bit set over rule indices: the candidates
	cands []int32
}

// NewMatcher compiles the rules of sets. An error names the rule.
func NewMatcher(an *text.Analyzer, gaz *Gazetteer, sets []*Ruleset) (*Matcher, error) {
	m := &Matcher{an: an, gaz: gaz}
	c := compiler{an: an, gaz: gaz, vocab: make(map[string]int32), pkeys: make(map[string]int32)}
	var queries []tree     // per rule
	var anchored []anchors // per rule
	nodes := 0
	for _, set := range sets {
		for _, r := range set.Rules {
			q, err := c.compileRule(r)
			if err != nil {
				return nil, fmt.Errorf("rules: rule %s: %w", r.ID, err)
			}
			a, ok := c.anchorsOf(q)
			if !ok {
				m.always = append(m.always, int32(len(m.rules)))
			}
			m.rules = append(m.rules, r)
			queries = append(queries, q)
			anchored = append(anchored, a)
			nodes += len(q)
		}
	}
	m.nodes = make([]node, 0, nodes)
	for _, q := range queries {
		m.roots = append(m.roots, int32(len(m.nodes)))
		m.nodes = append(m.nodes, q...)
	}
	m.vocab, m.stems, m.pkeys = c.vocab, c.stems, c.pkeys
	m.norms, m.regexps, m.metas = c.norms, c.regexps, c.metas
	byStem := make([]postings, len(m.stems))
	byPrefix := make([]postings, len(m.pkeys))
	var req []int32
	for i, a := range anchored {
		clauses := c.clauses(m.query(int32(i)))
		slices.Sort(a.words)
		for _, id := range slices.Compact(a.words) {
			req = appendPrefilter(req[:0], clauses, id)
			byStem[id].add(int32(i), req)
		}
		slices.Sort(a.prefixes)
		for _, id := range slices.Compact(a.prefixes) {
			req = appendPrefilter(req[:0], clauses, int32(len(m.stems))+id)
			byPrefix[id].add(int32(i), req)
		}
	}
	m.byStem, m.byPrefix = newIndex(byStem), newIndex(byPrefix)
	n := len(m.rules)
	m.pool.New = func() any { return &scratch{doc: newDoc(m), seen: make([]uint64, (n+63)/64)} }
	return m, nil
}

// compileRule compiles r's query together with its lang and source
// restrictions.
func (c *compiler) compileRule(r *Rule) (tree, error) {
	q, err := c.compile(r.Expr)
	if err != nil {
		return nil, err
	}
	kids := []tree{q}
	if len(r.Langs) > 0 {
		var or []tree
		for _, l := range r.Langs {
			k, _ := c.compile(&Meta{Key: LangKey, Value: l})
			or = append(or, k)
		}
		kids = append(kids, join(node{op: opOr}, or...))
	}
	if len(r.Sources) > 0 {
		var or []tree
		for _, s := range r.Sources {
			k, _ := c.compile(&Meta{Key: SourceKey, Value: s})
			or = append(or, k)
		}
		kids = append(kids, join(node{op: opOr}, or...))
	}
	if len(kids) == 1 {
		return q, nil
	}
	return join(node{op: opAnd}, kids...), nil
}

// query returns the tree of rule i.
func (m *Matcher) query(i int32) tree {
	r := m.roots[i]
	return m.nodes[r : r+m.nodes[r].size]
}

// Rules returns the number of rules.
func (m *Matcher) Rules() int { return len(m.rules) }

// Slow returns the rules that cannot be indexed and so are evaluated for
// every document.
func (m *Matcher) Slow() []*Rule {
	var out []*Rule
	for _, i := range m.always {
		out = append(out, m.rules[i])
	}
	return out
}

// Match returns the rules that match d, in the order they were given, each
// with its highlights and the countries d mentions.
func (m *Matcher) Match(d *Document) []Match {
	s := m.pool.Get().(*scratch)
	defer m.pool.Put(s)
	s.doc.reset(d)
	for _, i := range m.always {
		s.seen[i/64] |= 1 << (i % 64)
	}
	m.candidates(s)
	// The set bits, in order, are the candidates in the order the rules
	// were given; clear them for the next document on the way.
	s.cands = s.cands[:0]
	for w, bitsSet := range s.seen {
		for ; bitsSet != 0; bitsSet &= bitsSet - 1 {
			s.cands = append(s.cands, int32(w*64+bits.TrailingZeros64(bitsSet)))
		}
		s.seen[w] = 0
	}

	var out []Match
	var spans []span
	for _, i := range s.cands {
		q := m.query(i)
		if !s.doc.eval(q) {
			continue
		}
		spans = s.doc.highlight(spans[:0], q)
		out = append(out, Match{
			Rule:       m.rules[i],
			Highlights: s.doc.highlights(spans),
			Countries:  append([]string(nil), s.doc.countryCodes()...),
		})
	}
	return out
}

// candidates adds to s.seen the rules anchored on the words of the
// document whose prefilters it meets.
func (m *Matcher) candidates(s *scratch) {
	d := s.doc
	for _, id := range d.stems.used {
		d.admit(s.seen, m.byStem.postings(id))
	}
	for _, id := range d.prefixes.used {
		d.admit(s.seen, m.byPrefix.postings(id))
	}
}

// admit adds to seen the rules of p whose prefilters d meets.
func (d *doc) admit(seen []uint64, p postings) {
	for len(p) > 0 {
		i, n := p[0], p[1]
		req := p[2 : 2+n]
		p = p[2+n:]
		if seen[i/64]&(1<<(i%64)) == 0 && d.holds(req) {
			seen[i/64] |= 1 << (i % 64)
		}
	}
}

// anchors are words one of which a document must contain for a node to
// match: stem ids, and prefix ids.
type anchors struct {
	words    []int32
	prefixes []int32
	cost     int // how often a document may hold one of them: fewer and longer words are rarer
}

func wordCost(w string) int {
	switch n := utf8.RuneCountInString(w); {
	case isCommon(w):
		return 50
	case n <= 2:
		return 20
	case n <= 4:
		return 4
	}
	return 1
}

// isCommon reports whether w is a frequent word (or its stem) in English
// or Russian news, a poor anchor.
func isCommon(w string) bool {
	switch w {
	case "the", "a", "an", "of", "to", "in", "on", "at", "for", "by", "with", "from",
		"and", "or", "not", "is", "was", "be", "it", "it's", "as", "that", "this", "are",
		"were", "has", "have", "had", "will", "would", "said", "say", "new",
		"и", "в", "во", "на", "с", "со", "по", "к", "о", "об", "от", "для", "из", "за",
		"что", "как", "это", "не", "но", "а", "же", "бы", "он", "она", "они", "его",
		"ее", "их", "был", "год", "также", "уже", "при", "после", "заяв":
		return true
	}
	return false
}

// anchorsOf returns the anchors of t, or false when t can match a
// document that holds none of a bounded set of words.
func (c *compiler) anchorsOf(t tree) (anchors, bool) {
	switch t[0].op {
	case opWord:
		w := &t[0]
		if w.kind == Prefix {
			if w.pid >= 0 {
				return anchors{prefixes: []int32{w.pid}, cost: 8}, true // a prefix stands for many words
			}
			return anchors{}, false
		}
		// Stemmed and exact words alike: a document holds the stem.
		var a anchors
		for _, id := range w.ids {
			if id >= 0 && !slices.Contains(a.words, id) {
				a.words = append(a.words, id)
				a.cost += wordCost(c.stems[id])
			}
		}
		return a, true
	case opPhrase, opAnd, opNear:
		// Any one kid must match (a phrase's words, a NEAR's two): take
		// the best.
		var best anchors
		found := false
		for k := range t.kids {
			if a, ok := c.anchorsOf(k); ok && (!found || a.cost < best.cost) {
				best, found = a, true
			}
		}
		return best, found
	case opOr:
		var all anchors
		for k := range t.kids {
			a, ok := c.anchorsOf(k)
			if !ok {
				return anchors{}, false
			}
			all.words = append(all.words, a.words...)
			all.prefixes = append(all.prefixes, a.prefixes...)
			all.cost += a.cost
		}
		return all, true
	}
	// NOT, regex and meta nodes match documents whatever their words.
	return anchors{}, false
}

// A prefilter is what a rule requires of a document's words, in
// conjunctive form: for every clause, the document holds one of its words.
// Checking it touches only one flat array, so most candidates are turned
// away before their rule's tree is read. It may admit a document the rule
// does not match (evaluation decides), never turn away one it does.
//
// In postings each clause is its length followed by its entries: a stem
// id, or for a prefix id p, len(Matcher.stems)+p: the bits of doc.has.
// A rule with no required words has an empty prefilter.

// Limits that keep prefilters small: the clauses and words beyond them are
// left to evaluation.
const (
	maxClauses     = 4
	maxClauseWords = 12
)

// appendPrefilter appends the clauses to dst, but those that hold anchor:
// they are met in every document whose anchor brings up the rule.
func appendPrefilter(dst []int32, clauses [][]int32, anchor int32) []int32 {
	for _, cl := range clauses {
		if slices.Contains(cl, anchor) {
			continue
		}
		dst = append(dst, int32(len(cl)))
		dst = append(dst, cl...)
	}
	return dst
}

// clauses returns the required words of t, each clause a set of entries
// one of which must occur.
func (c *compiler) clauses(t tree) [][]int32 {
	switch t[0].op {
	case opWord:
		w := &t[0]
		var cl []int32
		if w.kind == Prefix {
			if w.pid >= 0 {
				cl = append(cl, int32(len(c.stems))+w.pid)
			}
		} else {
			for _, id := range w.ids {
				if id >= 0 && !slices.Contains(cl, id) {
					cl = append(cl, id)
				}
			}
		}
		if len(cl) == 0 {
			return nil
		}
		return [][]int32{cl}
	case opPhrase, opAnd, opNear:
		// Every kid must match.
		var cs [][]int32
		for k := range t.kids {
			cs = append(cs, c.clauses(k)...)
		}
		return capClauses(cs)
	case opOr:
		// One kid must match: the union of one clause from each.
		var cl []int32
		for k := range t.kids {
			kc := c.clauses(k)
			if len(kc) == 0 {
				return nil
			}
			cl = append(cl, kc[0]...)
		}
		if len(cl) > maxClauseWords {
			return nil
		}
		return [][]int32{cl}
	}
	return nil // NOT, regex and meta nodes require no word
}

func capClauses(cs [][]int32) [][]int32 {
	cs = slices.DeleteFunc(cs, func(c []int32) bool { return len(c) > maxClauseWords })
	return cs[:min(len(cs), maxClauses)]
}

// holds reports whether d meets a prefilter.
func (d *doc) holds(req []int32) bool {
	for len(req) > 0 {
		n := req[0]
		clause := req[1 : 1+n]
		req = req[1+n:]
		found := false
		for _, e := range clause {
			if e := uint32(e); d.has[e/64]&(1<<(e%64)) != 0 {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}
