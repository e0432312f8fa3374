package text

import (
	"fmt"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// tableLen bounds the runes whose class, script and folded form are looked
// up in runeTable: Basic Latin up to the end of Cyrillic Supplement, which
// covers nearly every rune of English, Russian and Western European text.
// Runes above it take the slow path through golang.org/x/text.
const tableLen = 0x530

// A class says what part a rune plays in a word.
type class uint8

const (
	classOther  class = iota // separates words
	classLetter              // unicode.L
	classDigit               // unicode.Nd
	classMark                // unicode.M: continues a word
	classApos                // an apostrophe: joins two letters
	classDot                 // '.': joins two letters or two digits
	classComma               // ',': joins two digits
	classIgnore              // soft hyphen, ZWNJ, ZWJ, word joiner: joins two word characters, folds to nothing
)

// A script is the writing system of a letter, as far as stemming cares.
type script uint8

const (
	scriptNone script = iota // not a letter, or a letter common to all scripts
	scriptLatin
	scriptGreek
	scriptCyrillic
	scriptOther
)

// runeInfo is what the analyzer needs to know about one rune below tableLen.
type runeInfo struct {
	fold   [4]byte // folded form, fold[:n]
	n      uint8
	class  class
	script script
	flags  uint8
}

const (
	// flagBoundary: under NFKC the rune cannot combine with a rune before it
	// (norm.Properties.BoundaryBefore).
	flagBoundary = 1 << iota
	// flagFast: the rune is NFKC-normal by itself and a boundary, so a run
	// of such runes is NFKC-normal and each folds to fold[:n] on its own.
	flagFast
)

// runeTable is built once at package initialisation and never written again.
var runeTable = newRuneTable()

func newRuneTable() [tableLen]runeInfo {
	var t [tableLen]runeInfo
	for r := rune(0); r < tableLen; r++ {
		e := &t[r]
		e.class = classifyRune(r)
		e.script = scriptOfRune(r)
		f := appendFoldSlow(nil, r)
		if len(f) > len(e.fold) {
			panic(fmt.Sprintf("text: folded form of %U is %d bytes long", r, len(f)))
		}
		e.n = uint8(copy(e.fold[:], f))
		s := string(r)
		if norm.NFKC.PropertiesString(s).BoundaryBefore() {
			e.flags |= flagBoundary
			if norm.NFKC.IsNormalString(s) {
				e.flags |= flagFast
			}
		}
	}
	return t
}

// isApostrophe reports whether r is one of the apostrophes that join two
// letters into one word and fold to ASCII '.
func isApostrophe(r rune) bool {
	switch r {
	case '\'', '’', '‘', 'ʼ', '`', '´', '′', '＇':
		return true
	}
	return false
}

// isIgnorable reports whether r is an invisible format character that may
// sit inside a word (soft hyphen, zero width non-joiner and joiner, word
// joiner). It folds to nothing.
func isIgnorable(r rune) bool {
	return r == '\u00ad' || r == '\u200c' || r == '\u200d' || r == '\u2060'
}

// isAccent reports whether r is a combining mark that belongs to no script
// (the accents of U+0300–U+036F and their extensions, variation selectors).
// Folding drops it.
func isAccent(r rune) bool {
	return unicode.Is(unicode.Mn, r) && unicode.Is(unicode.Inherited, r)
}

func classifyRune(r rune) class {
	switch {
	case r == '.':
		return classDot
	case r == ',':
		return classComma
	case isApostrophe(r):
		return classApos
	case isIgnorable(r):
		return classIgnore
	case unicode.IsLetter(r):
		return classLetter
	case unicode.IsDigit(r):
		return classDigit
	case unicode.In(r, unicode.Mn, unicode.Mc, unicode.Me):
		return classMark
	}
	return classOther
}

func classOf(r rune) class {
	if r < tableLen {
		return runeTable[r].class
	}
	return classifyRune(r)
}

// entryAt returns the table entry of the rune at s[i] and its width, or
// nil when the rune is not below tableLen. It decodes the one- and
// two-byte UTF-8 sequences of the table by hand, small enough to inline.
func entryAt(s string, i int) (*runeInfo, int) {
	c := s[i]
	if c < utf8.RuneSelf {
		return &runeTable[c], 1
	}
	if c >= 0xc2 && c <= 0xd4 && i+1 < len(s) && s[i+1]&0xc0 == 0x80 {
		if r := rune(c&0x1f)<<6 | rune(s[i+1]&0x3f); r < tableLen {
			return &runeTable[r], 2
		}
	}
	return nil, 0
}

// infoAt returns what is known of the rune at s[i:], and its width: the
// table entry below tableLen, the class and script (but no folded form)
// above, and classOther and width 0 at the end of s.
func infoAt(s string, i int) (runeInfo, int) {
	if i >= len(s) {
		return runeInfo{}, 0
	}
	if c := s[i]; c < utf8.RuneSelf {
		return runeTable[c], 1
	}
	r, n := utf8.DecodeRuneInString(s[i:])
	if r < tableLen {
		return runeTable[r], n
	}
	return runeInfo{class: classifyRune(r), script: scriptOfRune(r)}, n
}

func scriptOfRune(r rune) script {
	switch {
	case !unicode.IsLetter(r) || isApostrophe(r):
		return scriptNone
	case unicode.Is(unicode.Latin, r):
		return scriptLatin
	case unicode.Is(unicode.Greek, r):
		return scriptGreek
	case unicode.Is(unicode.Cyrillic, r):
		return scriptCyrillic
	case unicode.In(r, unicode.Common, unicode.Inherited):
		return scriptNone
	}
	return scriptOther
}

func scriptOf(r rune) script {
	if r < tableLen {
		return runeTable[r].script
	}
	return scriptOfRune(r)
}

// appendFoldSlow appends the folded form of the rune r, assumed to be
// NFKC-normal already, computing it from the Unicode tables. It defines the
// folding; runeTable caches it.
func appendFoldSlow(dst []byte, r rune) []byte {
	switch {
	case isApostrophe(r):
		return append(dst, '\'')
	case isIgnorable(r), isAccent(r):
		return dst
	}
	if !unicode.In(r, unicode.Latin, unicode.Greek) {
		// Lower case is enough: the letters that full case folding turns
		// into several (Armenian ligatures) lose them to NFKC first, and
		// cases.Fold swaps the cases of Cherokee.
		if r == 'ё' || r == 'Ё' {
			return append(dst, "е"...)
		}
		return utf8.AppendRune(dst, unicode.ToLower(r))
	}
	// Full case folding (ß -> ss, İ -> i̇) then no diacritics. A cases.Caser
	// is not safe for concurrent use, so each call takes its own.
	for _, c := range cases.Fold().String(string(r)) {
		switch {
		case isApostrophe(c):
			dst = append(dst, '\'')
		case isAccent(c):
		case unicode.In(c, unicode.Latin, unicode.Greek):
			for _, d := range norm.NFD.String(string(c)) {
				switch {
				case unicode.Is(unicode.Mn, d):
				case latinLigature(d) != "":
					dst = append(dst, latinLigature(d)...)
				default:
					dst = utf8.AppendRune(dst, d)
				}
			}
		default:
			dst = utf8.AppendRune(dst, c)
		}
	}
	return dst
}

// latinLigature returns the ASCII spelling of a lower-case Latin letter that
// does not decompose under NFD, or "" for any other rune.
func latinLigature(r rune) string {
	switch r {
	case 'æ':
		return "ae"
	case 'œ':
		return "oe"
	case 'ø':
		return "o"
	case 'đ', 'ð':
		return "d"
	case 'ł':
		return "l"
	case 'ı':
		return "i"
	case 'þ':
		return "th"
	case 'ħ':
		return "h"
	case 'ŧ':
		return "t"
	}
	return ""
}

// appendFoldRune appends the folded form of the NFKC-normal rune r.
func appendFoldRune(dst []byte, r rune) []byte {
	if r < tableLen {
		e := &runeTable[r]
		return append(dst, e.fold[:e.n]...)
	}
	return appendFoldSlow(dst, r)
}

// segmentEnd returns the end of the NFKC segment that starts at s[i]: the
// rune there and the runes after it that may combine with it.
func segmentEnd(s string, i int) int {
	_, n := utf8.DecodeRuneInString(s[i:])
	j := i + n
	for j < len(s) && s[j] >= utf8.RuneSelf {
		r, n := utf8.DecodeRuneInString(s[j:])
		if r < tableLen {
			if runeTable[r].flags&flagBoundary != 0 {
				break
			}
		} else if r == utf8.RuneError || norm.NFKC.PropertiesString(s[j:j+n]).BoundaryBefore() {
			break
		}
		j += n
	}
	return j
}

// appendFoldSegment appends the folded form of one NFKC segment.
func appendFoldSegment(dst []byte, seg string) []byte {
	r, n := utf8.DecodeRuneInString(seg)
	switch {
	case n == len(seg) && r < tableLen && runeTable[r].flags&flagFast != 0:
		e := &runeTable[r]
		return append(dst, e.fold[:e.n]...)
	case r == utf8.RuneError && n == 1:
		return append(dst, "\uFFFD"...)
	case isApostrophe(r):
		// Before NFKC, which turns ´ into a space and an accent.
		dst = append(dst, '\'')
		seg = seg[n:]
	}
	var buf [64]byte
	for _, c := range string(norm.NFKC.AppendString(buf[:0], seg)) {
		dst = appendFoldRune(dst, c)
	}
	return dst
}

// appendFoldText appends the folded form of s, rune by rune, with no regard
// for words.
func appendFoldText(dst []byte, s string) []byte {
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf && (i+1 == len(s) || s[i+1] < utf8.RuneSelf) {
			dst = append(dst, runeTable[c].fold[0])
			i++
			continue
		}
		j := segmentEnd(s, i)
		dst = appendFoldSegment(dst, s[i:j])
		i = j
	}
	return dst
}

// isAcronym reports whether the word w is two or more single letters
// separated by dots: "U.S", "e.g", "т.е".
func isAcronym(w string) bool {
	letters, afterLetter := 0, false
	for _, r := range w {
		switch c := classOf(r); {
		case c == classLetter && !afterLetter:
			letters++
			afterLetter = true
		case c == classMark && afterLetter:
		case r == '.' && afterLetter:
			afterLetter = false
		default:
			return false
		}
	}
	return letters >= 2 && afterLetter
}

// Fold returns the folded form of s exactly as Analyze folds each word, for
// query words and source ids: Fold(s[t.Start:t.End]) == t.Norm for every
// token t, and Fold(Fold(s)) == Fold(s). In a text of several words the
// text between words is folded rune by rune the same way (NFKC, lower case,
// apostrophes to ') and keeps its white space, quotes and dashes, which
// Normalize unifies.
func Fold(s string) string {
	buf := make([]byte, 0, len(s))
	for i := 0; i < len(s); {
		start := wordStart(s, i)
		buf = appendFoldText(buf, s[i:start])
		if start == len(s) {
			break
		}
		buf, i = appendWord(buf, s, start)
	}
	return string(buf)
}
