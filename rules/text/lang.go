package text

import (
	"strings"
	"unicode/utf8"
)

// Lang is a language that the analyzer can stem.
type Lang uint8

// The languages known to the analyzer. Unknown is the zero value.
const (
	Unknown Lang = iota
	English
	Russian
	French
	Spanish
	German // no Snowball stemmer in kljensen/snowball: stem == norm
)

// NumLangs is the number of Lang values, Unknown included, so that
// [NumLangs]T is a table indexed by Lang.
const NumLangs = 6

// ParseLang returns the language of a BCP 47 or POSIX locale code such as
// "en", "EN", "en-US" or "ru_RU": only the primary subtag counts, in any case.
// Anything it does not know is Unknown.
func ParseLang(code string) Lang {
	for i := 0; i < len(code); i++ {
		if code[i] == '-' || code[i] == '_' {
			code = code[:i]
			break
		}
	}
	switch strings.ToLower(code) {
	case "en":
		return English
	case "ru":
		return Russian
	case "fr":
		return French
	case "es":
		return Spanish
	case "de":
		return German
	}
	return Unknown
}

// String returns the ISO 639-1 code of l: "en", "ru", "fr", "es", "de",
// and "" for Unknown or a value out of range.
func (l Lang) String() string {
	switch l {
	case English:
		return "en"
	case Russian:
		return "ru"
	case French:
		return "fr"
	case Spanish:
		return "es"
	case German:
		return "de"
	}
	return ""
}

// latinScript reports whether documents in l are written in Latin script.
func (l Lang) latinScript() bool {
	return l == English || l == French || l == Spanish || l == German
}

// TokenLang returns the language used to stem word (already folded) in a
// document of language doc. The script of the first letter of word decides:
// Cyrillic words are Russian; Latin-script words are doc when doc is a
// Latin-script language and English otherwise; words in other scripts, and
// words without letters (digits only), are Unknown.
func TokenLang(word string, doc Lang) Lang {
	for i := 0; i < len(word); {
		r, n := rune(word[i]), 1
		if r >= utf8.RuneSelf {
			r, n = utf8.DecodeRuneInString(word[i:])
		}
		i += n
		switch scriptOf(r) {
		case scriptLatin:
			if doc.latinScript() {
				return doc
			}
			return English
		case scriptCyrillic:
			return Russian
		case scriptOther:
			return Unknown
		}
		// scriptNone: not a letter, look further.
	}
	return Unknown
}
