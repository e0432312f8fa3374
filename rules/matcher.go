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
// and Match evaluates only the rules whose anchors the document contains.
// Rules without anchors (a bare NOT, a bare regex, only lang: or source:)
// are evaluated for every document; Slow lists them.
type Matcher struct {
	an    *text.Analyzer
	gaz   *Gazetteer
	rules []compiled
	req   []int32 // every rule's prefilter, one after the other (see prefilter)

	vocab    map[string]int32 // every stem a rule uses -> its id
	stems    []string         // id -> stem
	byStem   [][]int32        // stem id -> rules anchored on it
	pkeys    map[string]int32 // first prefixRunes runes of every prefix term -> id
	byPrefix [][]int32        // prefix key id -> rules anchored on it
	always   []int32          // rules without anchors

	pool sync.Pool // *scratch
}

// prefixRunes is how many runes of a prefix term key the index. Parse
// refuses shorter prefixes (MinPrefixRunes).
const prefixRunes = MinPrefixRunes

type compiled struct {
	rule     *Rule
	n        node
	req, end int32 // the rule's prefilter: Matcher.req[req:end]
}

type scratch struct {
	doc   *doc
	seen  []uint64 // bit set over rule indices: the candidates
	cands []int32
}

// NewMatcher compiles the rules of sets. An error names the rule.
func NewMatcher(an *text.Analyzer, gaz *Gazetteer, sets []*Ruleset) (*Matcher, error) {
	m := &Matcher{an: an, gaz: gaz}
	c := compiler{an: an, gaz: gaz, vocab: make(map[string]int32), pkeys: make(map[string]int32)}
	var anchored []anchors // per rule
	for _, set := range sets {
		for _, r := range set.Rules {
			n, err := c.compileRule(r)
			if err != nil {
				return nil, fmt.Errorf("rules: rule %s: %w", r.ID, err)
			}
			i := int32(len(m.rules))
			start := int32(len(m.req))
			m.req = appendPrefilter(m.req, n)
			m.rules = append(m.rules, compiled{rule: r, n: n, req: start, end: int32(len(m.req))})
			a, ok := anchorsOf(n, c.stems)
			if !ok {
				m.always = append(m.always, i)
			}
			anchored = append(anchored, a)
		}
	}
	m.vocab, m.stems, m.pkeys = c.vocab, c.stems, c.pkeys
	m.byStem = make([][]int32, len(m.stems))
	m.byPrefix = make([][]int32, len(m.pkeys))
	for i, a := range anchored {
		for _, id := range a.words {
			m.byStem[id] = appendOnce(m.byStem[id], int32(i))
		}
		for _, id := range a.prefixes {
			m.byPrefix[id] = appendOnce(m.byPrefix[id], int32(i))
		}
	}
	n := len(m.rules)
	m.pool.New = func() any { return &scratch{doc: newDoc(m), seen: make([]uint64, (n+63)/64)} }
	return m, nil
}

func appendOnce(s []int32, i int32) []int32 {
	if len(s) > 0 && s[len(s)-1] == i {
		return s
	}
	return append(s, i)
}

// compileRule compiles r's query together with its lang and source
// restrictions.
func (c *compiler) compileRule(r *Rule) (node, error) {
	n, err := c.compile(r.Expr)
	if err != nil {
		return nil, err
	}
	and := &andNode{kids: []node{n}}
	if len(r.Langs) > 0 {
		or := &orNode{}
		for _, l := range r.Langs {
			k, _ := c.compile(&Meta{Key: LangKey, Value: l})
			or.kids = append(or.kids, k)
		}
		and.kids = append(and.kids, or)
	}
	if len(r.Sources) > 0 {
		or := &orNode{}
		for _, s := range r.Sources {
			k, _ := c.compile(&Meta{Key: SourceKey, Value: s})
			or.kids = append(or.kids, k)
		}
		and.kids = append(and.kids, or)
	}
	if len(and.kids) == 1 {
		return n, nil
	}
	return and, nil
}

// Rules returns the number of rules.
func (m *Matcher) Rules() int { return len(m.rules) }

// Slow returns the rules that cannot be indexed and so are evaluated for
// every document.
func (m *Matcher) Slow() []*Rule {
	var out []*Rule
	for _, i := range m.always {
		out = append(out, m.rules[i].rule)
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
		c := &m.rules[i]
		if !s.doc.holds(m.req[c.req:c.end]) || !s.doc.eval(c.n) {
			continue
		}
		spans = s.doc.highlight(spans[:0], c.n)
		out = append(out, Match{
			Rule:       c.rule,
			Highlights: s.doc.highlights(spans),
			Countries:  append([]string(nil), s.doc.countryCodes()...),
		})
	}
	return out
}

// candidates adds the rules anchored on the words of the document.
func (m *Matcher) candidates(s *scratch) {
	add := func(rules []int32) {
		for _, i := range rules {
			s.seen[i/64] |= 1 << (i % 64)
		}
	}
	d := s.doc
	for i, id := range d.tid {
		if d.lead[i] {
			add(m.byStem[id])
		}
	}
	for i, id := range d.pid {
		if d.plead[i] {
			add(m.byPrefix[id])
		}
	}
}

// prefixKey returns the first prefixRunes runes of s.
func prefixKey(s string) (string, bool) {
	n := 0
	for i := range s {
		if n == prefixRunes {
			return s[:i], true
		}
		n++
	}
	return s, n == prefixRunes
}

// anchors are words one of which a document must contain for a node to
// match: stem ids, and prefix key ids.
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

// anchorsOf returns the anchors of n, or false when n can match a
// document that holds none of a bounded set of words. stems names the ids.
func anchorsOf(n node, stems []string) (anchors, bool) {
	switch n := n.(type) {
	case *wordNode:
		if n.kind == Prefix {
			if n.pid >= 0 {
				return anchors{prefixes: []int32{n.pid}, cost: 8}, true // a prefix stands for many words
			}
			return anchors{}, false
		}
		// Stemmed and exact words alike: a document holds the stem.
		var a anchors
		for _, id := range n.ids {
			if id >= 0 && !slices.Contains(a.words, id) {
				a.words = append(a.words, id)
				a.cost += wordCost(stems[id])
			}
		}
		return a, true
	case *phraseNode:
		// Any one word must occur; take the best.
		var best anchors
		found := false
		for _, w := range n.words {
			if a, ok := anchorsOf(w, stems); ok && (!found || a.cost < best.cost) {
				best, found = a, true
			}
		}
		return best, found
	case *andNode:
		var best anchors
		found := false
		for _, k := range n.kids {
			if a, ok := anchorsOf(k, stems); ok && (!found || a.cost < best.cost) {
				best, found = a, true
			}
		}
		return best, found
	case *nearNode:
		return anchorsOf(&andNode{kids: []node{n.x, n.y}}, stems)
	case *orNode:
		var all anchors
		for _, k := range n.kids {
			a, ok := anchorsOf(k, stems)
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
// In Matcher.req each clause is its length followed by its entries: a
// stem id (>= 0), or a prefix key id p written as -1-p. A rule with no
// required words has an empty prefilter.

// Limits that keep prefilters small: the clauses and words beyond them are
// left to evaluation.
const (
	maxClauses     = 4
	maxClauseWords = 12
)

func appendPrefilter(dst []int32, n node) []int32 {
	for _, c := range clauses(n) {
		dst = append(dst, int32(len(c)))
		dst = append(dst, c...)
	}
	return dst
}

// clauses returns the required words of n, each clause a set of entries
// one of which must occur.
func clauses(n node) [][]int32 {
	switch n := n.(type) {
	case *wordNode:
		var c []int32
		if n.kind == Prefix {
			if n.pid >= 0 {
				c = append(c, -1-n.pid)
			}
		} else {
			for _, id := range n.ids {
				if id >= 0 && !slices.Contains(c, id) {
					c = append(c, id)
				}
			}
		}
		if len(c) == 0 {
			return nil
		}
		return [][]int32{c}
	case *phraseNode:
		var cs [][]int32
		for _, w := range n.words {
			cs = append(cs, clauses(w)...)
		}
		return capClauses(cs)
	case *andNode:
		var cs [][]int32
		for _, k := range n.kids {
			cs = append(cs, clauses(k)...)
		}
		return capClauses(cs)
	case *nearNode:
		return capClauses(append(clauses(n.x), clauses(n.y)...))
	case *orNode:
		// One kid must hold: the union of one clause from each.
		var c []int32
		for _, k := range n.kids {
			kc := clauses(k)
			if len(kc) == 0 {
				return nil
			}
			c = append(c, kc[0]...)
		}
		if len(c) > maxClauseWords {
			return nil
		}
		return [][]int32{c}
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
			if e >= 0 && d.first[e] >= 0 || e < 0 && d.pfirst[-1-e] >= 0 {
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
