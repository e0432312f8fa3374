package rules

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/alertbot/alertbot/rules/text"
)

// A tree is a compiled Expr, or a part of one: its nodes in prefix order,
// each node followed by the subtrees of its kids, one after the other.
// t[0] is the root, and t[0].size the length of the tree, so that the
// first kid of t is t[1:] and the kid after kid k is k[k[0].size:] (see
// kids). The words are nodes too. A rule's tree thus lies in a few
// consecutive cache lines: with thousands of rules, the ones a document
// brings up are cold memory, and reading one block of it costs far less
// than chasing pointers to nodes strewn over the heap.
type tree []node

type node struct {
	op       op
	sentence bool // opNear: NEAR/s

	// An opWord is one analysed word.
	field  Field
	kind   TermKind
	script text.Lang            // English for Latin script, Russian for Cyrillic, else Unknown
	ids    [text.NumLangs]int32 // id of the stem in each language of its script, or -1
	pid    int32                // for Prefix: id of the prefix, or -1 when it is too short to index

	size int32 // nodes in the subtree, this one included
	arg  int32 // see op
}

// op is what a node does, and what its arg is.
type op uint8

const (
	opAnd    op = iota // all kids
	opOr               // any kid
	opNot              // its one kid does not match
	opWord             // arg: its folded form (for Prefix the prefix), in Matcher.norms
	opPhrase           // its kids, all opWord, in order; arg: the slop
	opNear             // its two kids within arg words, or in one sentence
	opRegex            // arg: the regex, in Matcher.regexps
	opMeta             // arg: the test, in Matcher.metas
)

// kids calls yield with each kid of t's root, in order.
func (t tree) kids(yield func(tree) bool) {
	for k := t[1:t[0].size]; len(k) > 0; k = k[k[0].size:] {
		if !yield(k[:k[0].size]) {
			return
		}
	}
}

// pair returns the two kids of a NEAR.
func (t tree) pair() (x, y tree) {
	x = t[1 : 1+t[1].size]
	y = t[1+len(x) : t[0].size]
	return x, y
}

// join returns the tree of root over kids.
func join(root node, kids ...tree) tree {
	t := tree{root}
	for _, k := range kids {
		t = append(t, k...)
	}
	t[0].size = int32(len(t))
	return t
}

type regexNode struct {
	field Field
	re    *regexp.Regexp
}

type metaNode struct {
	key    MetaKey
	value  string
	prefix bool // source:tass*
}

// compiler turns Exprs into trees, and keeps the folded forms of the
// words, the regexes and the meta tests of all the trees it made. Countries in country: queries are
// checked against the gazetteer. Every stem gets a small integer id, so
// that documents can look words up by index rather than by string.
type compiler struct {
	an      *text.Analyzer
	gaz     *Gazetteer
	vocab   map[string]int32 // stem -> id
	stems   []string         // id -> stem
	pkeys   map[string]int32 // prefix (of prefixRunes runes or more) -> id
	norms   []string
	regexps []regexNode
	metas   []metaNode
}

// pid returns the id of prefix k, giving it the next one if it has none.
func (c *compiler) pid(k string) int32 {
	if id, ok := c.pkeys[k]; ok {
		return id
	}
	id := int32(len(c.pkeys))
	c.pkeys[k] = id
	return id
}

// id returns the id of stem, giving it the next one if it has none.
func (c *compiler) id(stem string) int32 {
	if id, ok := c.vocab[stem]; ok {
		return id
	}
	id := int32(len(c.stems))
	c.vocab[stem] = id
	c.stems = append(c.stems, stem)
	return id
}

func (c *compiler) compile(e Expr) (tree, error) {
	switch e := e.(type) {
	case *And:
		kids, err := c.compileAll(e.X)
		if err != nil {
			return nil, err
		}
		// Cheapest first: a missing word ends the evaluation early.
		slices.SortStableFunc(kids, func(a, b tree) int { return c.cost(a) - c.cost(b) })
		return join(node{op: opAnd}, kids...), nil
	case *Or:
		kids, err := c.compileAll(e.X)
		if err != nil {
			return nil, err
		}
		return join(node{op: opOr}, kids...), nil
	case *Not:
		k, err := c.compile(e.X)
		if err != nil {
			return nil, err
		}
		return join(node{op: opNot}, k), nil
	case *Term:
		words := c.words(e.Word, e.Kind, e.Field)
		switch len(words) {
		case 0:
			return nil, fmt.Errorf("%q has no letters or digits", e.Word)
		case 1:
			return words[0], nil
		}
		if e.Kind == Prefix {
			// "US-le*": a phrase whose last word is the prefix.
			for _, w := range words[:len(words)-1] {
				w[0].kind = Exact
			}
		}
		return join(node{op: opPhrase}, words...), nil
	case *Phrase:
		var words []tree
		for _, w := range e.Words {
			words = append(words, c.words(w, Stemmed, e.Field)...)
		}
		if len(words) == 0 {
			return nil, fmt.Errorf("phrase %q has no letters or digits", strings.Join(e.Words, " "))
		}
		if len(words) == 1 {
			return words[0], nil
		}
		return join(node{op: opPhrase, arg: int32(e.Slop)}, words...), nil
	case *Near:
		x, err := c.compile(e.X)
		if err != nil {
			return nil, err
		}
		y, err := c.compile(e.Y)
		if err != nil {
			return nil, err
		}
		return join(node{op: opNear, arg: int32(e.Dist), sentence: e.Sentence}, x, y), nil
	case *Regex:
		c.regexps = append(c.regexps, regexNode{field: e.Field, re: e.Re})
		return tree{{op: opRegex, size: 1, arg: int32(len(c.regexps) - 1)}}, nil
	case *Meta:
		n := metaNode{key: e.Key, value: e.Value}
		switch e.Key {
		case SourceKey:
			n.value, n.prefix = strings.CutSuffix(text.Fold(e.Value), "*")
		case LangKey:
			n.value = text.ParseLang(e.Value).String()
			if n.value == "" {
				n.value = strings.ToLower(e.Value)
			}
		case CountryKey:
			code, ok := c.gaz.Code(e.Value)
			if !ok {
				return nil, fmt.Errorf("unknown country %q (want an ISO 3166-1 alpha-2 code)", e.Value)
			}
			n.value = code
		}
		c.metas = append(c.metas, n)
		return tree{{op: opMeta, size: 1, arg: int32(len(c.metas) - 1)}}, nil
	}
	panic(fmt.Sprintf("rules: unknown Expr %T", e))
}

// compileAll compiles each of xs.
func (c *compiler) compileAll(xs []Expr) ([]tree, error) {
	kids := make([]tree, len(xs))
	for i, x := range xs {
		k, err := c.compile(x)
		if err != nil {
			return nil, err
		}
		kids[i] = k
	}
	return kids, nil
}

// cost estimates the work of evaluating t against a document.
func (c *compiler) cost(t tree) int {
	switch t[0].op {
	case opWord:
		if t[0].kind == Prefix {
			return 2
		}
		return 1
	case opPhrase:
		return 2 + len(t) - 1 // its words
	case opNear:
		x, y := t.pair()
		return 4 + c.cost(x) + c.cost(y)
	case opRegex:
		return 100
	case opMeta:
		if c.metas[t[0].arg].key == CountryKey {
			return 50 // runs the gazetteer
		}
		return 1
	}
	n := 0 // AND, OR, NOT: their kids'
	for k := range t.kids {
		n += c.cost(k)
	}
	return n
}

// words analyses one query word into the words a document would have for
// it ("US-led" is two, "d'affaires" one), and returns their trees.
func (c *compiler) words(s string, kind TermKind, f Field) []tree {
	toks := c.an.Analyze(nil, s, text.Unknown)
	words := make([]tree, len(toks))
	for i, t := range toks {
		c.norms = append(c.norms, t.Norm)
		w := node{op: opWord, size: 1, arg: int32(len(c.norms) - 1), field: f, kind: kind, script: text.TokenLang(t.Norm, text.Unknown), pid: -1}
		if kind == Prefix && utf8.RuneCountInString(t.Norm) >= prefixRunes {
			w.pid = c.pid(t.Norm)
		}
		for l := range text.NumLangs {
			lang := text.Lang(l)
			w.ids[l] = -1
			if kind != Prefix && text.TokenLang(t.Norm, lang) == lang {
				w.ids[l] = c.id(c.an.StemWord(s[t.Start:t.End], lang))
			}
		}
		words[i] = tree{w}
	}
	return words
}
