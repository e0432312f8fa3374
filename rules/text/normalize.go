package text

import (
	"sort"
	"unicode"
	"unicode/utf8"
)

// Normalized is a text folded for regular expressions, with the map back to
// the original.
type Normalized struct {
	Text string // the normalised text

	// spans map Text back to the original. Each covers Text from its norm
	// offset up to the next span; see Orig.
	spans   []span
	origLen int
}

// A span is a part of Text that starts at byte norm and came from the
// original starting at byte orig. In an exact span every byte maps to its
// own original byte (the text was copied, or runes were replaced by runes
// of the same length); in any other every byte maps to orig.
type span struct {
	norm, orig int
	exact      bool
}

// Normalize folds a whole text for regular expressions. Each rune is folded
// as in Fold, and besides
//
//   - double quotation marks and guillemets (“ ” „ ‟ « » ‹ › 〝 〞 〟 ＂)
//     become ", and single ones (‘ ’ ‚ ‛), like all apostrophes, become ';
//   - dashes and hyphens (unicode.Pd and the minus sign U+2212) become -;
//   - every run of white space (unicode.IsSpace: spaces, tabs, newlines,
//     NBSP and the other Unicode spaces) becomes one space, kept at the
//     start and end of the text too.
//
// Words are not joined or split and acronyms keep their dots: "U.S." stays
// "u.s.". Invalid UTF-8 becomes U+FFFD.
func Normalize(s string) *Normalized {
	b := normBuilder{out: make([]byte, 0, len(s))}
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf && (i+1 == len(s) || s[i+1] < utf8.RuneSelf) {
			// ASCII, and not followed by a rune that may combine with it.
			if asciiSpace(c) {
				i = b.space(s, i)
				continue
			}
			b.out = append(b.out, runeTable[c].fold[0])
			b.mapped(i, len(b.out)-1, true)
			i++
			continue
		}
		if e, n := entryAt(s, i); e != nil && e.flags&flagFast != 0 && (e.class == classLetter || e.class == classDigit) && boundaryAt(s, i+n) {
			// A letter or digit of the table that needs no NFKC.
			start := len(b.out)
			b.out = append(b.out, e.fold[:e.n]...)
			b.mapped(i, start, int(e.n) == n && utf8.RuneCount(e.fold[:e.n]) == 1)
			i += n
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case unicode.IsSpace(r):
			i = b.space(s, i)
			continue
		case isApostrophe(r) || r == '‚' || r == '‛':
			b.replace(i, n, '\'')
		case isDoubleQuote(r):
			b.replace(i, n, '"')
		case r == '\u2212' || unicode.Is(unicode.Pd, r):
			b.replace(i, n, '-')
		default:
			j := segmentEnd(s, i)
			start := len(b.out)
			b.out = appendFoldSegment(b.out, s[i:j])
			out := b.out[start:]
			exact := len(out) == j-i && (s[i:j] == string(out) || j-i == n && utf8.RuneCount(out) == 1)
			b.mapped(i, start, exact)
			n = j - i
		}
		i += n
	}
	return &Normalized{Text: string(b.out), spans: b.spans, origLen: len(s)}
}

// Orig returns the byte offset in the original text that Text[i] came
// from, and Orig(len(Text)) is the length of the original, so that a match
// Text[i:j] came from original[Orig(i):Orig(j)]. Orig is non-decreasing;
// i is clamped to [0, len(Text)].
func (n *Normalized) Orig(i int) int {
	if i >= len(n.Text) {
		return n.origLen
	}
	i = max(i, 0)
	k := sort.Search(len(n.spans), func(k int) bool { return n.spans[k].norm > i }) - 1
	sp := n.spans[k]
	if sp.exact {
		return sp.orig + i - sp.norm
	}
	return sp.orig
}

// normBuilder collects the normalised text and its spans.
type normBuilder struct {
	out   []byte
	spans []span
	exact bool // the last span is exact and may grow
	delta int  // orig - norm in the last span, when exact
}

// mapped records that out[start:] came from the original at orig. An exact
// piece that continues the last exact span needs no new span. A piece that
// folded to nothing needs none either, but ends the last span.
func (b *normBuilder) mapped(orig, start int, exact bool) {
	switch {
	case exact && b.exact && orig-start == b.delta:
	case exact:
		b.spans = append(b.spans, span{norm: start, orig: orig, exact: true})
		b.exact, b.delta = true, orig-start
	case len(b.out) > start:
		b.spans = append(b.spans, span{norm: start, orig: orig})
		b.exact = false
	default:
		b.exact = false
	}
}

// replace appends c in place of the n-byte rune at s[orig].
func (b *normBuilder) replace(orig, n int, c byte) {
	b.out = append(b.out, c)
	b.mapped(orig, len(b.out)-1, n == 1)
}

// space appends one space for the run of white space at s[i:] and returns
// the end of the run.
func (b *normBuilder) space(s string, i int) int {
	j := skip(s, i, unicode.IsSpace)
	b.out = append(b.out, ' ')
	b.mapped(i, len(b.out)-1, j-i == 1 && s[i] == ' ')
	return j
}

func asciiSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

func isDoubleQuote(r rune) bool {
	switch r {
	case '"', '“', '”', '„', '‟', '«', '»', '‹', '›', '〝', '〞', '〟', '＂':
		return true
	}
	return false
}

// boundaryAt reports whether s[i:] is empty or starts with a rune of the
// table that cannot combine with the rune before it under NFKC. It answers
// false for runes outside the table, which may or may not combine.
func boundaryAt(s string, i int) bool {
	if i >= len(s) {
		return true
	}
	e, _ := entryAt(s, i)
	return e != nil && e.flags&flagBoundary != 0
}
