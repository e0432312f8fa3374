package rules

import (
	"errors"
	"fmt"
	"regexp"
	"regexp/syntax"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// SyntaxError reports why a query is invalid and where.
type SyntaxError struct {
	Offset int    // byte offset in the query where the problem is
	Col    int    // 1-based column in runes (what a user sees)
	Msg    string // lower case, without the column, e.g. `unexpected ")"`
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("column %d: %s", e.Col, e.Msg)
}

// Parse parses a query written in the language described in the package
// documentation. The tree it returns is flattened (no And directly inside
// an And, no Or directly inside an Or, no group of one) and every text leaf
// carries its field. Errors are *SyntaxError; Parse never returns a partial
// tree.
func Parse(query string) (Expr, error) {
	if len(query) > MaxQueryBytes {
		off := MaxQueryBytes
		for off > 0 && !utf8.RuneStart(query[off]) {
			off--
		}
		return nil, syntaxError(query, off, fmt.Sprintf("query too long: %d bytes (limit %d)", len(query), MaxQueryBytes))
	}
	for i, r := range query {
		if r == utf8.RuneError {
			if _, n := utf8.DecodeRuneInString(query[i:]); n == 1 {
				return nil, syntaxError(query, i, "invalid UTF-8")
			}
		}
		if unicode.IsControl(r) && !unicode.IsSpace(r) {
			return nil, syntaxError(query, i, fmt.Sprintf("invalid character %U", r))
		}
	}
	p := &parser{q: query, leafPos: -1}
	if err := p.next(); err != nil {
		return nil, err
	}
	if p.tok.kind == tEOF {
		return nil, p.errorf(0, "empty query")
	}
	e, err := p.parseOr(scope{})
	if err != nil {
		return nil, err
	}
	if p.tok.kind != tEOF {
		return nil, p.unexpected() // ")" or ":"
	}
	if p.leaves > MaxLeaves {
		return nil, p.errorf(p.leafPos, "query has %d terms (limit %d)", p.leaves, MaxLeaves)
	}
	return e, nil
}

func syntaxError(q string, off int, msg string) error {
	return &SyntaxError{Offset: off, Col: utf8.RuneCountInString(q[:off]) + 1, Msg: msg}
}

const msgNearOperand = "NEAR operand must be a word, phrase or OR of them"

type tokenKind uint8

const (
	tEOF    tokenKind = iota
	tLParen           // (
	tRParen           // )
	tColon            // : not after a word
	tAnd              // AND
	tOr               // OR
	tNot              // NOT
	tMinus            // - at the start of a term
	tNear             // NEAR/5, NEAR/s
	tField            // name: (val is the name as written)
	tWord             // val is the word without escapes, "=" and "*"
	tPhrase           // words, num is the slop
	tRegex            // val is the source, re the compiled regex
)

type token struct {
	kind     tokenKind
	pos      int    // byte offset of the token in the query
	text     string // the token as written, for messages
	val      string
	words    []string
	exact    bool // =word
	prefix   bool // word*
	num      int  // NEAR distance or phrase slop
	sentence bool // NEAR/s
	re       *regexp.Regexp
}

// scope is what the enclosing parts of the query impose on a part.
type scope struct {
	field Field // title: or text: around it
	depth int   // parentheses, NOTs and fields around it
}

type parser struct {
	q       string
	off     int   // where the next token starts
	tok     token // the current token
	leaves  int
	leafPos int // offset of the leaf that went over MaxLeaves
}

func (p *parser) errorf(off int, format string, args ...any) error {
	return syntaxError(p.q, off, fmt.Sprintf(format, args...))
}

func (p *parser) next() error {
	t, err := p.lex()
	if err != nil {
		return err
	}
	p.tok = t
	return nil
}

func (p *parser) unexpected() error {
	if p.tok.kind == tEOF {
		return p.errorf(p.tok.pos, "unexpected end of query")
	}
	if p.tok.kind == tRParen {
		// Wherever a group is open, ")" is expected or caught earlier.
		return p.errorf(p.tok.pos, `unmatched ")"`)
	}
	return p.errorf(p.tok.pos, "unexpected %q", p.tok.text)
}

// expectOperand checks, after op, that the current token can start an
// operand.
func (p *parser) expectOperand(op token) error {
	switch p.tok.kind {
	case tEOF, tRParen:
		name := op.text
		if op.kind == tField {
			name += ":"
		}
		return p.errorf(op.pos, "missing term after %q", name)
	case tAnd, tOr, tNear, tColon:
		return p.unexpected()
	}
	return nil
}

func (p *parser) deeper(s scope, pos int) (scope, error) {
	if s.depth >= MaxDepth {
		return s, p.errorf(pos, "nesting deeper than %d", MaxDepth)
	}
	s.depth++
	return s, nil
}

func (p *parser) leaf(pos int) {
	p.leaves++
	if p.leaves == MaxLeaves+1 {
		p.leafPos = pos
	}
}

// or = and { "OR" and } .
func (p *parser) parseOr(s scope) (Expr, error) {
	x, err := p.parseAnd(s)
	if err != nil || p.tok.kind != tOr {
		return x, err
	}
	xs := appendOr(nil, x)
	for p.tok.kind == tOr {
		op := p.tok
		if err := p.next(); err != nil {
			return nil, err
		}
		if err := p.expectOperand(op); err != nil {
			return nil, err
		}
		y, err := p.parseAnd(s)
		if err != nil {
			return nil, err
		}
		xs = appendOr(xs, y)
	}
	return &Or{X: xs}, nil
}

// and = unary { [ "AND" ] unary } .
func (p *parser) parseAnd(s scope) (Expr, error) {
	x, err := p.parseUnary(s)
	if err != nil {
		return nil, err
	}
	var xs []Expr
	for {
		switch p.tok.kind {
		case tAnd:
			op := p.tok
			if err := p.next(); err != nil {
				return nil, err
			}
			if err := p.expectOperand(op); err != nil {
				return nil, err
			}
		case tWord, tField, tPhrase, tRegex, tLParen, tNot, tMinus:
			// juxtaposition
		default:
			if xs == nil {
				return x, nil
			}
			return &And{X: xs}, nil
		}
		y, err := p.parseUnary(s)
		if err != nil {
			return nil, err
		}
		if xs == nil {
			xs = appendAnd(nil, x)
		}
		xs = appendAnd(xs, y)
	}
}

func appendAnd(xs []Expr, x Expr) []Expr {
	if a, ok := x.(*And); ok {
		return append(xs, a.X...)
	}
	return append(xs, x)
}

func appendOr(xs []Expr, x Expr) []Expr {
	if o, ok := x.(*Or); ok {
		return append(xs, o.X...)
	}
	return append(xs, x)
}

// unary = "NOT" unary | "-" primary | near .
func (p *parser) parseUnary(s scope) (Expr, error) {
	switch op := p.tok; op.kind {
	case tNot:
		s, err := p.deeper(s, op.pos)
		if err != nil {
			return nil, err
		}
		if err := p.next(); err != nil {
			return nil, err
		}
		if err := p.expectOperand(op); err != nil {
			return nil, err
		}
		x, err := p.parseUnary(s)
		if err != nil {
			return nil, err
		}
		return &Not{X: x}, nil
	case tMinus:
		s, err := p.deeper(s, op.pos)
		if err != nil {
			return nil, err
		}
		if err := p.next(); err != nil {
			return nil, err
		}
		if err := p.expectOperand(op); err != nil {
			return nil, err
		}
		x, _, err := p.parsePrimary(s)
		if err != nil {
			return nil, err
		}
		if p.tok.kind == tNear {
			// -x applies to one primary: (-x) NEAR/5 y.
			return nil, p.errorf(op.pos, msgNearOperand)
		}
		return &Not{X: x}, nil
	}
	x, _, err := p.parseNear(s)
	return x, err
}

// near = primary { "NEAR/" ( number | "s" ) primary } .
// It returns the offset where the expression starts.
func (p *parser) parseNear(s scope) (Expr, int, error) {
	x, xpos, err := p.parsePrimary(s)
	if err != nil {
		return nil, 0, err
	}
	for p.tok.kind == tNear {
		op := p.tok
		fx, msg := nearField(x)
		if msg != "" {
			return nil, 0, p.errorf(xpos, "%s", msg)
		}
		if err := p.next(); err != nil {
			return nil, 0, err
		}
		if err := p.expectOperand(op); err != nil {
			return nil, 0, err
		}
		if p.tok.kind == tNot || p.tok.kind == tMinus {
			return nil, 0, p.errorf(p.tok.pos, msgNearOperand)
		}
		y, ypos, err := p.parsePrimary(s)
		if err != nil {
			return nil, 0, err
		}
		fy, msg := nearField(y)
		if msg != "" {
			return nil, 0, p.errorf(ypos, "%s", msg)
		}
		if fx != fy {
			return nil, 0, p.errorf(op.pos, "NEAR operands must be in the same field (%s and %s)", fieldName(fx), fieldName(fy))
		}
		x = &Near{X: x, Y: y, Dist: op.num, Sentence: op.sentence}
	}
	return x, xpos, nil
}

// nearField returns the field of a NEAR operand, or a message saying why e
// cannot be one.
func nearField(e Expr) (Field, string) {
	switch e := e.(type) {
	case *Term:
		return e.Field, ""
	case *Phrase:
		return e.Field, ""
	case *Near:
		return nearField(e.X)
	case *Or:
		var f Field
		for i, x := range e.X {
			fx, msg := nearField(x)
			if msg != "" {
				return 0, msg
			}
			if i > 0 && fx != f {
				return 0, fmt.Sprintf("NEAR operand mixes fields (%s and %s)", fieldName(f), fieldName(fx))
			}
			f = fx
		}
		return f, ""
	}
	return 0, msgNearOperand
}

func fieldName(f Field) string {
	if f == AnyField {
		return "no field"
	}
	return f.String() + ":"
}

// primary = "(" or ")" | field ":" primary | phrase [ "~" number ]
//
//	| "/" regex "/" | "=" word | word [ "*" ] .
//
// It returns the offset where the expression starts.
func (p *parser) parsePrimary(s scope) (Expr, int, error) {
	t := p.tok
	switch t.kind {
	case tLParen:
		s, err := p.deeper(s, t.pos)
		if err != nil {
			return nil, 0, err
		}
		if err := p.next(); err != nil {
			return nil, 0, err
		}
		switch p.tok.kind {
		case tRParen:
			return nil, 0, p.errorf(t.pos, "empty parentheses")
		case tEOF:
			return nil, 0, p.errorf(t.pos, `unmatched "("`)
		}
		x, err := p.parseOr(s)
		if err != nil {
			return nil, 0, err
		}
		if p.tok.kind != tRParen {
			if p.tok.kind == tEOF {
				return nil, 0, p.errorf(t.pos, `unmatched "("`)
			}
			return nil, 0, p.unexpected()
		}
		if err := p.next(); err != nil {
			return nil, 0, err
		}
		return x, t.pos, nil

	case tField:
		x, err := p.parseField(s)
		return x, t.pos, err

	case tWord:
		if t.prefix && prefixLetters(t.val) < MinPrefixRunes {
			return nil, 0, p.errorf(t.pos, "prefix %q too short (at least %d letters)", t.text, MinPrefixRunes)
		}
		kind := Stemmed
		switch {
		case t.exact:
			kind = Exact
		case t.prefix:
			kind = Prefix
		}
		p.leaf(t.pos)
		if err := p.next(); err != nil {
			return nil, 0, err
		}
		return &Term{Field: s.field, Kind: kind, Word: t.val}, t.pos, nil

	case tPhrase:
		p.leaf(t.pos)
		if err := p.next(); err != nil {
			return nil, 0, err
		}
		if len(t.words) == 1 {
			// "word" is the word: a phrase of one has no order to keep.
			return &Term{Field: s.field, Kind: Stemmed, Word: t.words[0]}, t.pos, nil
		}
		return &Phrase{Field: s.field, Words: t.words, Slop: t.num}, t.pos, nil

	case tRegex:
		p.leaf(t.pos)
		if err := p.next(); err != nil {
			return nil, 0, err
		}
		return &Regex{Field: s.field, Source: t.val, Re: t.re}, t.pos, nil
	}
	return nil, 0, p.unexpected()
}

// parseField parses field ":" primary; the current token is the field.
func (p *parser) parseField(s scope) (Expr, error) {
	t := p.tok
	var f Field
	var key MetaKey
	switch strings.ToLower(t.val) {
	case "title":
		f = TitleField
	case "text":
		f = TextField
	case "source":
		key = SourceKey
	case "lang":
		key = LangKey
	case "country":
		key = CountryKey
	default:
		return nil, p.errorf(t.pos, "unknown field %q", t.val)
	}
	if f != AnyField && s.field != AnyField && s.field != f {
		return nil, p.errorf(t.pos, "conflicting fields: %s inside %s", fieldName(f), fieldName(s.field))
	}
	s, err := p.deeper(s, t.pos)
	if err != nil {
		return nil, err
	}
	if err := p.next(); err != nil {
		return nil, err
	}
	if err := p.expectOperand(t); err != nil {
		return nil, err
	}
	if key != 0 {
		return p.parseMeta(key, s)
	}
	s.field = f
	x, _, err := p.parsePrimary(s)
	return x, err
}

// parseMeta parses the value of source:, lang: or country: — a word or a
// parenthesised group of words joined by OR.
func (p *parser) parseMeta(key MetaKey, s scope) (Expr, error) {
	switch t := p.tok; t.kind {
	case tWord:
		m, err := p.metaValue(key, t)
		if err != nil {
			return nil, err
		}
		return m, p.next()
	case tLParen:
		return p.parseMetaGroup(key, s)
	}
	return nil, p.metaUsage(key)
}

func (p *parser) metaUsage(key MetaKey) error {
	what := map[MetaKey]string{
		SourceKey:  "a source id",
		LangKey:    "a language code",
		CountryKey: "a country code",
	}[key]
	return p.errorf(p.tok.pos, "%s: takes %s, or several joined by OR in parentheses", key, what)
}

func (p *parser) parseMetaGroup(key MetaKey, s scope) (Expr, error) {
	open := p.tok
	s, err := p.deeper(s, open.pos)
	if err != nil {
		return nil, err
	}
	if err := p.next(); err != nil {
		return nil, err
	}
	if p.tok.kind == tRParen {
		return nil, p.errorf(open.pos, "empty parentheses")
	}
	var xs []Expr
	for {
		switch t := p.tok; t.kind {
		case tWord:
			m, err := p.metaValue(key, t)
			if err != nil {
				return nil, err
			}
			if err := p.next(); err != nil {
				return nil, err
			}
			xs = append(xs, m)
		case tLParen:
			x, err := p.parseMetaGroup(key, s)
			if err != nil {
				return nil, err
			}
			xs = appendOr(xs, x)
		case tEOF:
			return nil, p.errorf(open.pos, `unmatched "("`)
		default:
			return nil, p.metaUsage(key)
		}
		switch op := p.tok; op.kind {
		case tOr:
			if err := p.next(); err != nil {
				return nil, err
			}
			if err := p.expectOperand(op); err != nil {
				return nil, err
			}
			continue
		case tRParen:
			if err := p.next(); err != nil {
				return nil, err
			}
			if len(xs) == 1 {
				return xs[0], nil
			}
			return &Or{X: xs}, nil
		case tEOF:
			return nil, p.errorf(open.pos, `unmatched "("`)
		case tColon:
			return nil, p.unexpected()
		}
		return nil, p.errorf(p.tok.pos, "values in %s:(…) must be joined by OR", key)
	}
}

var langCode = regexp.MustCompile(`^[a-z]{2,3}(-[a-z0-9]{1,8})*$`)

func (p *parser) metaValue(key MetaKey, t token) (*Meta, error) {
	if t.exact {
		return nil, p.metaUsage(key)
	}
	v := t.val
	switch key {
	case SourceKey:
		v = strings.ToLower(v)
		for _, r := range v {
			if !unicode.IsLetter(r) && !unicode.IsDigit(r) && !strings.ContainsRune("-_.", r) {
				return nil, p.errorf(t.pos, "invalid source id %q", t.text)
			}
		}
		if t.prefix {
			v += "*"
		}
	case LangKey:
		v = strings.ToLower(v)
		if t.prefix || !langCode.MatchString(v) {
			return nil, p.errorf(t.pos, "invalid language code %q (like en or pt-BR)", t.text)
		}
	case CountryKey:
		if t.prefix || len(v) != 2 || !isASCIILetter(v[0]) || !isASCIILetter(v[1]) {
			return nil, p.errorf(t.pos, "invalid country code %q (two letters, like US)", t.text)
		}
		v = strings.ToUpper(v)
	}
	p.leaf(t.pos)
	return &Meta{Key: key, Value: v}, nil
}

func isASCIILetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

func countLetters(s string) int {
	n := 0
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			n++
		}
	}
	return n
}

// prefixLetters counts the letters and digits of the last word of a
// prefix, the part that matches as a prefix: 3 in "US-led", 2 in "US-le".
// Apostrophes and combining marks do not split words.
func prefixLetters(s string) int {
	n, last := 0, 0
	for _, r := range s {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			n++
			last = n
		case unicode.IsMark(r) || r == '\'' || r == '’':
		default:
			n = 0
		}
	}
	return last
}

// isDelim reports whether r ends a phrase or a regex (and whatever follows
// them must start with one).
func isDelim(r rune) bool { return unicode.IsSpace(r) || r == '(' || r == ')' }

// isWordEnd reports whether r ends a word.
func isWordEnd(r rune) bool { return isDelim(r) || r == '"' || r == ':' }

// phraseClosers maps the quotes that open a phrase to those that close it.
// Typographic quotes are accepted because phones and word processors put
// them in place of '"'.
var phraseClosers = map[rune]string{
	'"': `"`,
	'“': "”“", // English “…”, German „…“
	'„': "“”",
	'«': "»",
}

func (p *parser) lex() (token, error) {
	q := p.q
	i := p.off
	for i < len(q) {
		r, n := utf8.DecodeRuneInString(q[i:])
		if !unicode.IsSpace(r) {
			break
		}
		i += n
	}
	p.off = i
	if i == len(q) {
		return token{kind: tEOF, pos: i}, nil
	}
	r, n := utf8.DecodeRuneInString(q[i:])
	switch r {
	case '(':
		p.off++
		return token{kind: tLParen, pos: i, text: "("}, nil
	case ')':
		p.off++
		return token{kind: tRParen, pos: i, text: ")"}, nil
	case ':':
		p.off++
		return token{kind: tColon, pos: i, text: ":"}, nil
	case '/':
		return p.lexRegex(i)
	case '-':
		if i+1 == len(q) {
			return token{}, p.errorf(i, `missing term after "-"`)
		}
		if r, _ := utf8.DecodeRuneInString(q[i+1:]); unicode.IsSpace(r) {
			return token{}, p.errorf(i, `no space allowed after "-"`)
		}
		p.off++
		return token{kind: tMinus, pos: i, text: "-"}, nil
	}
	if closers, ok := phraseClosers[r]; ok {
		return p.lexPhrase(i, n, closers)
	}
	return p.lexWord(i)
}

func (p *parser) lexWord(start int) (token, error) {
	q := p.q
	i := start
	exact := q[i] == '='
	if exact {
		i++
		if r, _ := utf8.DecodeRuneInString(q[i:]); i == len(q) || isWordEnd(r) {
			return token{}, p.errorf(start, `missing word after "="`)
		}
	}
	bang := q[i] == '!'
	var b strings.Builder
	escaped := false
	star, tilde, question := -1, -1, -1 // offsets of the first unescaped ones
	for i < len(q) {
		r, n := utf8.DecodeRuneInString(q[i:])
		if isWordEnd(r) {
			break
		}
		if r == '\\' {
			if i+n == len(q) {
				return token{}, p.errorf(i, `"\" at the end of the query escapes nothing`)
			}
			r2, n2 := utf8.DecodeRuneInString(q[i+n:])
			b.WriteRune(r2)
			escaped = true
			i += n + n2
			continue
		}
		switch {
		case r == '*' && star < 0:
			star = i
		case r == '~' && tilde < 0:
			tilde = i
		case r == '?' && question < 0:
			question = i
		}
		b.WriteRune(r)
		i += n
	}
	raw := q[start:i]
	if i < len(q) && q[i] == ':' {
		p.off = i + 1
		return token{kind: tField, pos: start, text: raw, val: raw}, nil
	}
	p.off = i

	if !exact && !escaped {
		switch raw {
		case "AND":
			return token{kind: tAnd, pos: start, text: raw}, nil
		case "OR":
			return token{kind: tOr, pos: start, text: raw}, nil
		case "NOT":
			return token{kind: tNot, pos: start, text: raw}, nil
		case "NEAR", "NEAR/":
			return token{}, p.errorf(start, "NEAR needs a distance: NEAR/5 or NEAR/s")
		case "&&":
			return token{}, p.errorf(start, `use AND instead of "&&"`)
		case "||":
			return token{}, p.errorf(start, `use OR instead of "||"`)
		}
		if arg, ok := strings.CutPrefix(raw, "NEAR/"); ok {
			return p.nearToken(start, raw, arg)
		}
		if len(raw) > 5 && strings.EqualFold(raw[:5], "near/") && isNearArg(raw[5:]) {
			return token{}, p.errorf(start, "NEAR must be written in upper case")
		}
	}
	val := b.String()
	switch {
	case bang:
		return token{}, p.errorf(start, `use NOT or - instead of "!"`)
	case tilde >= 0:
		return token{}, p.errorf(tilde, `"~" only follows a phrase, as in "a b"~3`)
	case question >= 0:
		return token{}, p.errorf(question, `"?" wildcard is not supported`)
	}
	prefix := false
	if star >= 0 {
		if star != i-1 {
			return token{}, p.errorf(star, "wildcard only at the end of a word")
		}
		prefix = true
		val = val[:len(val)-1]
	}
	if countLetters(val) == 0 {
		if prefix && val == "" {
			return token{}, p.errorf(start, `missing word before "*"`)
		}
		return token{}, p.errorf(start, "%q is not a word (no letter or digit)", raw)
	}
	if exact && prefix {
		return token{}, p.errorf(start, `"=" and "*" cannot be combined`)
	}
	return token{kind: tWord, pos: start, text: raw, val: val, exact: exact, prefix: prefix}, nil
}

func isNearArg(s string) bool { return s == "s" || s == "S" || isDigits(s) }

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// smallNumber parses a string of digits no greater than MaxDistance.
func smallNumber(s string) (int, bool) {
	t := strings.TrimLeft(s, "0")
	if len(t) > 4 {
		return 0, false
	}
	n, err := strconv.Atoi("0" + t)
	return n, err == nil && n <= MaxDistance
}

func (p *parser) nearToken(start int, raw, arg string) (token, error) {
	t := token{kind: tNear, pos: start, text: raw}
	switch {
	case arg == "s" || arg == "S":
		t.sentence = true
	case isDigits(arg):
		n, ok := smallNumber(arg)
		if !ok {
			return token{}, p.errorf(start+len("NEAR/"), "distance %s too large (limit %d)", arg, MaxDistance)
		}
		if n == 0 {
			// NEAR/1 is next to each other; NEAR/0 could only match a word near itself.
			return token{}, p.errorf(start+len("NEAR/"), "distance 0 too small (at least 1)")
		}
		t.num = n
	default:
		return token{}, p.errorf(start, "bad NEAR argument %q (want NEAR/5 or NEAR/s)", arg)
	}
	return t, nil
}

func (p *parser) lexPhrase(start, openLen int, closers string) (token, error) {
	q := p.q
	var b strings.Builder
	i := start + openLen
	for {
		if i == len(q) {
			return token{}, p.errorf(start, "unterminated phrase")
		}
		r, n := utf8.DecodeRuneInString(q[i:])
		i += n
		if r == '\\' {
			if i == len(q) {
				return token{}, p.errorf(start, "unterminated phrase")
			}
			r2, n2 := utf8.DecodeRuneInString(q[i:])
			b.WriteRune(r2)
			i += n2
			continue
		}
		if strings.ContainsRune(closers, r) {
			break
		}
		if r == '*' {
			return token{}, p.errorf(i-n, "wildcard not allowed in a phrase")
		}
		b.WriteRune(r)
	}
	t := token{kind: tPhrase, pos: start}
	if i < len(q) && q[i] == '~' {
		j := i + 1
		for j < len(q) {
			r, n := utf8.DecodeRuneInString(q[j:])
			if isDelim(r) {
				break
			}
			j += n
		}
		arg := q[i+1 : j]
		if !isDigits(arg) {
			return token{}, p.errorf(i, `expected a number after "~"`)
		}
		n, ok := smallNumber(arg)
		if !ok {
			return token{}, p.errorf(i+1, "slop %s too large (limit %d)", arg, MaxDistance)
		}
		t.num = n
		i = j
	}
	if i < len(q) {
		if r, _ := utf8.DecodeRuneInString(q[i:]); !isDelim(r) {
			return token{}, p.errorf(i, "unexpected %q after phrase", string(r))
		}
	}
	t.text = q[start:i]
	t.words = strings.Fields(b.String())
	switch {
	case len(t.words) == 0:
		return token{}, p.errorf(start, "empty phrase")
	case countLetters(b.String()) == 0:
		return token{}, p.errorf(start, "phrase has no letter or digit")
	case len(t.words) > MaxPhraseWords:
		return token{}, p.errorf(start, "phrase has %d words (limit %d)", len(t.words), MaxPhraseWords)
	}
	p.off = i
	return t, nil
}

func (p *parser) lexRegex(start int) (token, error) {
	q := p.q
	i := start + 1
	for {
		if i == len(q) {
			return token{}, p.errorf(start, "unterminated regex")
		}
		c := q[i]
		if c == '/' {
			break
		}
		if c == '\\' {
			if i+1 == len(q) {
				return token{}, p.errorf(start, "unterminated regex")
			}
			_, n := utf8.DecodeRuneInString(q[i+1:])
			i += 1 + n
			continue
		}
		i++ // '/' and '\\' never occur inside a multi-byte rune
	}
	src := q[start+1 : i]
	i++
	if i < len(q) {
		if r, _ := utf8.DecodeRuneInString(q[i:]); !isDelim(r) {
			return token{}, p.errorf(i, "unexpected %q after regex", string(r))
		}
	}
	p.off = i
	if src == "" {
		return token{}, p.errorf(start, "empty regex")
	}
	re, err := compileRegex(src)
	if err != nil {
		return token{}, p.errorf(start, "%s", err.Error())
	}
	return token{kind: tRegex, pos: start, text: q[start:i], val: src, re: re}, nil
}

// compileRegex checks src against the limits and compiles it to match
// regardless of case.
func compileRegex(src string) (*regexp.Regexp, error) {
	if len(src) > MaxRegexBytes {
		return nil, fmt.Errorf("regex too long: %d bytes (limit %d)", len(src), MaxRegexBytes)
	}
	re, err := syntax.Parse(src, syntax.Perl)
	if err != nil {
		return nil, regexError(err)
	}
	prog, err := syntax.Compile(re.Simplify())
	if err != nil {
		return nil, regexError(err)
	}
	if len(prog.Inst) > MaxRegexInsts {
		return nil, fmt.Errorf("regex too large: %d instructions (limit %d)", len(prog.Inst), MaxRegexInsts)
	}
	rx, err := regexp.Compile("(?i)" + src)
	if err != nil {
		return nil, regexError(err)
	}
	if rx.MatchString("") {
		// It would match every document.
		return nil, errors.New("regex matches empty text")
	}
	return rx, nil
}

func regexError(err error) error {
	msg := strings.TrimPrefix(err.Error(), "error parsing regexp: ")
	return errors.New("invalid regex: " + msg)
}
