package rules

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/alertbot/alertbot/rules/text"
)

// A node is a compiled Expr: words analysed into folded forms and stems,
// ready to evaluate against a document. The set is closed: *andNode,
// *orNode, *notNode, *wordNode, *phraseNode, *nearNode, *regexNode,
// *metaNode.
type node interface{ node() }

type andNode struct{ kids []node }
type orNode struct{ kids []node }
type notNode struct{ kid node }

// wordNode is one analysed word.
type wordNode struct {
	field  Field
	kind   TermKind
	norm   string               // folded form; for Prefix the prefix
	script text.Lang            // English for Latin script, Russian for Cyrillic, else Unknown
	ids    [text.NumLangs]int32 // id of the stem in each language of its script, or -1
	pid    int32                // for Prefix: id of its first prefixRunes runes
}

// phraseNode is words in order with at most slop other words between them.
type phraseNode struct {
	field Field
	words []*wordNode
	slop  int
}

type nearNode struct {
	x, y     node
	dist     int
	sentence bool
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

func (*andNode) node()    {}
func (*orNode) node()     {}
func (*notNode) node()    {}
func (*wordNode) node()   {}
func (*phraseNode) node() {}
func (*nearNode) node()   {}
func (*regexNode) node()  {}
func (*metaNode) node()   {}

// compiler turns Exprs into nodes. Countries in country: queries are
// checked against the gazetteer. Every stem gets a small integer id, so
// that documents can look words up by index rather than by string.
type compiler struct {
	an    *text.Analyzer
	gaz   *Gazetteer
	vocab map[string]int32 // stem -> id
	stems []string         // id -> stem
	pkeys map[string]int32 // prefix key (first prefixRunes runes of a prefix) -> id
}

// pid returns the id of prefix key k, giving it the next one if it has none.
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

func (c *compiler) compile(e Expr) (node, error) {
	switch e := e.(type) {
	case *And:
		n := &andNode{}
		for _, x := range e.X {
			k, err := c.compile(x)
			if err != nil {
				return nil, err
			}
			n.kids = append(n.kids, k)
		}
		// Cheapest first: a missing word ends the evaluation early.
		slices.SortStableFunc(n.kids, func(a, b node) int { return cost(a) - cost(b) })
		return n, nil
	case *Or:
		n := &orNode{}
		for _, x := range e.X {
			k, err := c.compile(x)
			if err != nil {
				return nil, err
			}
			n.kids = append(n.kids, k)
		}
		return n, nil
	case *Not:
		k, err := c.compile(e.X)
		if err != nil {
			return nil, err
		}
		return &notNode{kid: k}, nil
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
				w.kind = Exact
			}
		}
		return &phraseNode{field: e.Field, words: words}, nil
	case *Phrase:
		var words []*wordNode
		for _, w := range e.Words {
			words = append(words, c.words(w, Stemmed, e.Field)...)
		}
		if len(words) == 0 {
			return nil, fmt.Errorf("phrase %q has no letters or digits", strings.Join(e.Words, " "))
		}
		if len(words) == 1 {
			return words[0], nil
		}
		return &phraseNode{field: e.Field, words: words, slop: e.Slop}, nil
	case *Near:
		x, err := c.compile(e.X)
		if err != nil {
			return nil, err
		}
		y, err := c.compile(e.Y)
		if err != nil {
			return nil, err
		}
		return &nearNode{x: x, y: y, dist: e.Dist, sentence: e.Sentence}, nil
	case *Regex:
		return &regexNode{field: e.Field, re: e.Re}, nil
	case *Meta:
		n := &metaNode{key: e.Key, value: e.Value}
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
		return n, nil
	}
	panic(fmt.Sprintf("rules: unknown Expr %T", e))
}

// cost estimates the work of evaluating n against a document.
func cost(n node) int {
	switch n := n.(type) {
	case *wordNode:
		if n.kind == Prefix {
			return 2
		}
		return 1
	case *phraseNode:
		return 2 + len(n.words)
	case *nearNode:
		return 4 + cost(n.x) + cost(n.y)
	case *regexNode:
		return 100
	case *metaNode:
		if n.key == CountryKey {
			return 50 // runs the gazetteer
		}
		return 1
	case *notNode:
		return cost(n.kid)
	case *andNode, *orNode:
		c := 0
		for _, k := range kids(n) {
			c += cost(k)
		}
		return c
	}
	return 1
}

func kids(n node) []node {
	switch n := n.(type) {
	case *andNode:
		return n.kids
	case *orNode:
		return n.kids
	}
	return nil
}

// words analyses one query word into the words a document would have for
// it: "US-led" is two, "d'affaires" one.
func (c *compiler) words(s string, kind TermKind, f Field) []*wordNode {
	toks := c.an.Analyze(nil, s, text.Unknown)
	words := make([]*wordNode, len(toks))
	for i, t := range toks {
		w := &wordNode{field: f, kind: kind, norm: t.Norm, script: text.TokenLang(t.Norm, text.Unknown), pid: -1}
		if k, ok := prefixKey(t.Norm); ok && kind == Prefix {
			w.pid = c.pid(k)
		}
		for l := range text.NumLangs {
			lang := text.Lang(l)
			w.ids[l] = -1
			if kind != Prefix && text.TokenLang(t.Norm, lang) == lang {
				w.ids[l] = c.id(c.an.StemWord(s[t.Start:t.End], lang))
			}
		}
		words[i] = w
	}
	return words
}
