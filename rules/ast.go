package rules

import "regexp"

// Expr is a parsed query. The set of node types is closed: *And, *Or, *Not,
// *Term, *Phrase, *Regex, *Near and *Meta. Parse builds them; Format prints
// them back in canonical form.
type Expr interface {
	expr()
}

// Field names the part of a document a text node looks at.
type Field uint8

const (
	AnyField   Field = iota // title or text
	TitleField              // title:
	TextField               // text:
)

func (f Field) String() string {
	switch f {
	case TitleField:
		return "title"
	case TextField:
		return "text"
	}
	return ""
}

// TermKind says how a Term compares with the words of a document.
type TermKind uint8

const (
	Stemmed TermKind = iota // word: same stem in the document's language
	Exact                   // =word: same folded form, no stemming
	Prefix                  // word*: folded form starts with Word
)

// And matches when all of X match.
type And struct{ X []Expr }

// Or matches when any of X matches.
type Or struct{ X []Expr }

// Not matches when X does not.
type Not struct{ X Expr }

// Term is one word. Word is the word as written in the query, without
// its operators (no "=", no trailing "*").
type Term struct {
	Field Field
	Kind  TermKind
	Word  string
}

// Phrase is a sequence of words, in order. With Slop > 0 the words may have
// up to Slop other words between them in total ("a b"~3).
type Phrase struct {
	Field Field
	Words []string // as written, split on spaces
	Slop  int
}

// Regex is an RE2 expression run over the normalised (folded) text of the
// field. Source is the expression as written between the slashes.
type Regex struct {
	Field  Field
	Source string
	Re     *regexp.Regexp
}

// Near matches when X and Y occur within Dist words of each other, in
// either order, or in the same sentence when Sentence is set. X and Y are
// positional: a *Term, *Phrase, *Near, or an *Or of positional nodes.
type Near struct {
	X, Y     Expr
	Dist     int
	Sentence bool
}

// MetaKey names a document attribute that is not text.
type MetaKey uint8

const (
	SourceKey  MetaKey = iota + 1 // source:ID (Value may end in * for a prefix)
	LangKey                       // lang:CODE
	CountryKey                    // country:ISO (alpha-2, upper case)
)

func (k MetaKey) String() string {
	switch k {
	case SourceKey:
		return "source"
	case LangKey:
		return "lang"
	case CountryKey:
		return "country"
	}
	return ""
}

// Meta compares a document attribute with Value.
type Meta struct {
	Key   MetaKey
	Value string
}

func (*And) expr()    {}
func (*Or) expr()     {}
func (*Not) expr()    {}
func (*Term) expr()   {}
func (*Phrase) expr() {}
func (*Regex) expr()  {}
func (*Near) expr()   {}
func (*Meta) expr()   {}
