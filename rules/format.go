package rules

import (
	"strconv"
	"strings"
	"unicode"
)

// Format prints e in canonical form: explicit AND, OR and NOT, NEAR/N or
// NEAR/s, parentheses only where precedence needs them, the field on every
// leaf (title:a OR title:"b c"), and words escaped where needed.
//
// For a tree that Parse returned, Parse(Format(e)) returns an equal tree
// (the same Regex.Source, a new Regex.Re), as long as the canonical form
// fits in MaxQueryBytes: spelling out AND and the fields can make it longer
// than the query it came from. Format does not check e; a tree Parse would
// not build is printed as well as it can be.
func Format(e Expr) string {
	var b strings.Builder
	writeExpr(&b, e, precOr)
	return b.String()
}

// Binding strength, loosest first.
const (
	precOr = iota + 1
	precAnd
	precNot
	precNear
	precLeaf
)

func precedence(e Expr) int {
	switch e.(type) {
	case *Or:
		return precOr
	case *And:
		return precAnd
	case *Not:
		return precNot
	case *Near:
		return precNear
	}
	return precLeaf
}

// writeExpr writes e, in parentheses if it binds more loosely than min.
func writeExpr(b *strings.Builder, e Expr, min int) {
	if precedence(e) < min {
		b.WriteByte('(')
		writeExpr(b, e, precOr)
		b.WriteByte(')')
		return
	}
	switch e := e.(type) {
	case *Or:
		if e != nil {
			writeList(b, e.X, " OR ", precAnd)
		}
	case *And:
		if e != nil {
			writeList(b, e.X, " AND ", precNot)
		}
	case *Not:
		b.WriteString("NOT ")
		if e != nil {
			writeExpr(b, e.X, precNot)
		}
	case *Near:
		if e == nil {
			return
		}
		writeExpr(b, e.X, precNear) // NEAR groups to the left
		b.WriteString(" NEAR/")
		if e.Sentence {
			b.WriteByte('s')
		} else {
			b.WriteString(strconv.Itoa(e.Dist))
		}
		b.WriteByte(' ')
		writeExpr(b, e.Y, precLeaf)
	case *Term:
		if e == nil {
			return
		}
		writeField(b, e.Field)
		if e.Kind == Exact {
			b.WriteByte('=')
		}
		writeWord(b, e.Word)
		if e.Kind == Prefix {
			b.WriteByte('*')
		}
	case *Phrase:
		if e == nil {
			return
		}
		writeField(b, e.Field)
		b.WriteByte('"')
		for i, w := range e.Words {
			if i > 0 {
				b.WriteByte(' ')
			}
			for _, r := range w {
				if r == '"' || r == '\\' || r == '*' {
					b.WriteByte('\\')
				}
				b.WriteRune(r)
			}
		}
		b.WriteByte('"')
		if e.Slop > 0 {
			b.WriteByte('~')
			b.WriteString(strconv.Itoa(e.Slop))
		}
	case *Regex:
		if e == nil {
			return
		}
		writeField(b, e.Field)
		b.WriteByte('/')
		writeRegexSource(b, e.Source)
		b.WriteByte('/')
	case *Meta:
		if e == nil {
			return
		}
		b.WriteString(e.Key.String())
		b.WriteByte(':')
		v, prefix := e.Value, false
		if e.Key == SourceKey {
			v, prefix = strings.CutSuffix(v, "*")
		}
		writeWord(b, v)
		if prefix {
			b.WriteByte('*')
		}
	}
}

func writeList(b *strings.Builder, xs []Expr, sep string, min int) {
	for i, x := range xs {
		if i > 0 {
			b.WriteString(sep)
		}
		writeExpr(b, x, min)
	}
}

func writeField(b *strings.Builder, f Field) {
	if name := f.String(); name != "" {
		b.WriteString(name)
		b.WriteByte(':')
	}
}

// writeWord writes w so that the lexer reads it back as one word equal to
// w: it escapes what would end the word or act as an operator.
func writeWord(b *strings.Builder, w string) {
	keyword := false
	switch w {
	case "AND", "OR", "NOT", "NEAR":
		keyword = true
	default:
		keyword = len(w) >= 5 && strings.EqualFold(w[:5], "near/")
	}
	for i, r := range w {
		switch {
		case i == 0 && (keyword || strings.ContainsRune("-=/!“„«", r)),
			unicode.IsSpace(r) || strings.ContainsRune(`()":\*~?`, r):
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
}

// writeRegexSource writes src with every '/' that is not already escaped
// escaped, so that the regex ends at the closing slash.
func writeRegexSource(b *strings.Builder, src string) {
	for i := 0; i < len(src); i++ {
		c := src[i]
		switch {
		case c == '\\' && i+1 < len(src):
			b.WriteByte(c)
			i++
			c = src[i]
		case c == '/', c == '\\': // a lone '\\' at the end would escape the closing slash
			b.WriteByte('\\')
		}
		b.WriteByte(c)
	}
}
