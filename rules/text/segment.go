package text

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// wordStart returns the start of the first word of s at or after byte i,
// or len(s) when there is none: words start with a letter or a digit.
func wordStart(s string, i int) int {
	for i < len(s) {
		e, n := entryAt(s, i)
		if e == nil {
			var info runeInfo
			info, n = infoAt(s, i)
			e = &info
		}
		if e.class == classLetter || e.class == classDigit {
			return i
		}
		i += n
	}
	return len(s)
}

// appendWord appends to dst the Norm of the word that starts at s[i], and
// returns the extended buffer and the end of the word.
//
// A word is a run of letters, digits and combining marks. Apostrophes join
// two letters ("d'affaires"), '.' two letters or two digits ("U.S", "3.5"),
// ',' two digits ("1,000"), and the ignorable format characters any two
// letters or digits. Anything else ends the word.
//
// The word is folded as it is scanned while it needs no NFKC, and again
// with appendFoldText once a rune shows that it may.
func appendWord(dst []byte, s string, i int) ([]byte, int) {
	start, normStart := i, len(dst)
	last := classOther // class of the last letter or digit
	fast, dotted := true, false
scan:
	for i < len(s) {
		// Most words are ASCII letters: take them in a tight loop.
		for i < len(s) && s[i] < utf8.RuneSelf {
			e := &runeTable[s[i]]
			if e.class != classLetter && e.class != classDigit {
				break
			}
			last = e.class
			dst = append(dst, e.fold[0])
			i++
		}
		if i == len(s) {
			break
		}
		e, n := entryAt(s, i)
		if e == nil {
			var info runeInfo
			info, n = infoAt(s, i)
			e = &info
		}
		switch e.class {
		case classLetter, classDigit:
			last = e.class
		case classMark:
		case classApos, classDot, classComma, classIgnore:
			next, _ := infoAt(s, i+n)
			if !joins(e.class, last, next.class) {
				break scan
			}
			dotted = dotted || e.class == classDot
		default:
			break scan
		}
		switch {
		case e.class == classApos:
			// Folded before NFKC, which turns ´ into a space and an accent.
			dst = append(dst, '\'')
		case e.flags&flagFast != 0 && e.n == 1:
			dst = append(dst, e.fold[0]) // an append of a slice would call memmove
		case e.flags&flagFast != 0 && e.n == 2:
			dst = append(dst, e.fold[0], e.fold[1])
		case e.flags&flagFast != 0:
			dst = append(dst, e.fold[:e.n]...)
		default:
			fast = false
		}
		i += n
	}
	word := s[start:i]
	if !fast {
		dst = appendFoldText(dst[:normStart], word)
	}
	if dotted && isAcronym(word) {
		// "U.S" -> "us". No letter folds to anything with a '.'.
		j := normStart
		for _, c := range dst[normStart:] {
			if c != '.' {
				dst[j] = c
				j++
			}
		}
		dst = dst[:j]
	}
	return dst, i
}

// joins reports whether the joiner j makes one word of the letter or digit
// before it, of class before, and the rune after it, of class after.
func joins(j, before, after class) bool {
	switch j {
	case classApos:
		return before == classLetter && after == classLetter
	case classDot:
		return before == after && (after == classLetter || after == classDigit)
	case classComma:
		return before == classDigit && after == classDigit
	case classIgnore:
		return after == classLetter || after == classDigit
	}
	return false
}

// sentenceEnd reports whether a sentence ends in gap, the text between two
// words, next being the text from the second word on. It does when gap has
// a line break, or is: closing quotes or brackets, terminators (. ! ? …),
// closing quotes or brackets, white space, and then either opening quotes or
// brackets or a word that does not start with a lower-case letter.
//
// period reports that the terminator is a lone '.', which does not end a
// sentence after an abbreviation (see noBreakAfter).
func sentenceEnd(gap, next string) (end, period bool) {
	if gap == " " || gap == ", " {
		return false, false // most gaps
	}
	if hasNewline(gap) {
		return true, false
	}
	i := skip(gap, 0, isCloser)
	t := i
	i = skip(gap, i, isTerminator)
	if i == t {
		return false, false
	}
	period = gap[t:i] == "."
	i = skip(gap, i, isCloser)
	w := i
	i = skip(gap, i, unicode.IsSpace)
	if i == w {
		return false, false
	}
	if i < len(gap) {
		o := i
		i = skip(gap, i, isOpener)
		return i > o && i == len(gap), period
	}
	r, _ := utf8.DecodeRuneInString(next)
	return !unicode.IsLower(r), period
}

// skip returns the index of the first rune of s at or after i for which f
// is false, or len(s).
func skip(s string, i int, f func(rune) bool) int {
	for i < len(s) {
		r, n := rune(s[i]), 1
		if r >= utf8.RuneSelf {
			r, n = utf8.DecodeRuneInString(s[i:])
		}
		if !f(r) {
			break
		}
		i += n
	}
	return i
}

func hasNewline(s string) bool {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\n', '\v', '\f', '\r':
			return true
		case 0xc2: // U+0085 NEXT LINE is C2 85
			if i+1 < len(s) && s[i+1] == 0x85 {
				return true
			}
		case 0xe2: // U+2028 LINE SEPARATOR and U+2029 PARAGRAPH SEPARATOR are E2 80 A8 and E2 80 A9
			if i+2 < len(s) && s[i+1] == 0x80 && (s[i+2] == 0xa8 || s[i+2] == 0xa9) {
				return true
			}
		}
	}
	return false
}

func isTerminator(r rune) bool {
	switch r {
	case '.', '!', '?', '…', '‼', '⁇', '⁈', '⁉', '。', '．', '！', '？', '؟':
		return true
	}
	return false
}

// isOpener and isCloser treat every quotation mark as both, since which
// side a quote opens differs between languages (»Zitat« in German).
func isOpener(r rune) bool {
	if r < utf8.RuneSelf {
		return r == '"' || r == '\'' || r == '(' || r == '[' || r == '{'
	}
	return unicode.In(r, unicode.Ps, unicode.Pi, unicode.Pf)
}

func isCloser(r rune) bool {
	if r < utf8.RuneSelf {
		return r == '"' || r == '\'' || r == ')' || r == ']' || r == '}'
	}
	return unicode.In(r, unicode.Pe, unicode.Pi, unicode.Pf)
}

// noBreakAfter reports whether a lone '.' after word, with folded form
// norm, leaves the sentence open: word is a dotted acronym ("U.S"), an
// initial (a single upper-case letter, as in "J. K. Rowling" or "В. Путин")
// or an abbreviation.
func noBreakAfter(word string, norm []byte) bool {
	if r, n := utf8.DecodeRuneInString(word); n == len(word) && unicode.IsUpper(r) {
		return true
	}
	if strings.IndexByte(word, '.') >= 0 && isAcronym(word) {
		return true
	}
	return isAbbreviation(norm)
}

// isAbbreviation reports whether the folded word w is an abbreviation that
// is usually followed by '.' in English or Russian news.
func isAbbreviation(w []byte) bool {
	switch string(w) {
	case "mr", "mrs", "ms", "dr", "st", "gen", "col", "lt", "sgt", "sen", "rep", "gov",
		"jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
		"no", "vs", "etc", "approx",
		"г", "гг", "т", "е", "д", "им", "ул", "стр", "млн", "млрд", "тыс", "руб", "ст", "см", "н", "э":
		return true
	}
	return false
}
