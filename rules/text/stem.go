package text

import (
	"strings"

	norm_ "golang.org/x/text/unicode/norm"
	"sync"
	"unicode/utf8"

	"github.com/kljensen/snowball/english"
	"github.com/kljensen/snowball/french"
	"github.com/kljensen/snowball/russian"
	"github.com/kljensen/snowball/spanish"
)

// maxStems bounds each language's stem cache. A cache that reaches it is
// emptied and fills again with the words in use, so a long-running process
// keeps a bounded cache that follows its vocabulary (new names, new topics)
// instead of one frozen with the words it saw first.
const maxStems = 1 << 17

// stemCache maps folded words of one language to their stems.
type stemCache struct {
	mu sync.RWMutex
	m  map[string]string
}

// stemFunc returns the Snowball stemmer of l, or nil when l has none.
func stemFunc(l Lang) func(word string, stemStopWords bool) string {
	switch l {
	case English:
		return english.Stem
	case Russian:
		return russian.Stem
	case French:
		return french.Stem
	case Spanish:
		return spanish.Stem
	}
	return nil
}

// tooShort reports whether the Snowball stemmer of l returns norm as it is
// for its length: two bytes or less in English, French and Spanish, two
// letters or less in Russian. Such words skip the cache.
func tooShort(norm string, l Lang) bool {
	if l == Russian {
		return len(norm) <= 4 && utf8.RuneCountInString(norm) <= 2
	}
	return len(norm) <= 2
}

// Stem returns the stem of norm, a word already folded (by Fold or
// Analyze), in language l, using the cache. Stop words are not stemmed.
// For Unknown, German and any language without a stemmer it returns norm.
// French and Spanish stems depend on accents that folding removed: prefer
// StemWord for words as written.
func (a *Analyzer) Stem(norm string, l Lang) string {
	return a.stem(norm, norm, l)
}

// StemWord returns the stem in language l of one word as written, folded
// like Analyze folds the stems of a text's words. Query words are stemmed
// with it so that they meet the words of documents.
func (a *Analyzer) StemWord(word string, l Lang) string {
	return a.stem(Fold(word), word, l)
}

// stem returns the stem of norm, the folded form of word. Snowball's
// French and Spanish stemmers read accents (convoquée and convoqué share
// a stem, convoquee does not), so those are stemmed from the word as
// written, lower-cased, and the stem is folded after.
func (a *Analyzer) stem(norm, word string, l Lang) string {
	stem := stemFunc(l)
	if stem == nil || tooShort(norm, l) {
		return norm
	}
	c := &a.stems[l]
	c.mu.RLock()
	s, ok := c.m[norm]
	c.mu.RUnlock()
	if ok {
		return s
	}
	// norm may be a substring of a whole text: the cache keeps a copy.
	key := strings.Clone(norm)
	switch l {
	case French, Spanish:
		s = Fold(stem(strings.ToLower(norm_.NFC.String(word)), false))
	default:
		s = stem(key, false)
	}
	if s == "" || s == key {
		s = key
	}
	c.mu.Lock()
	if c.m == nil {
		c.m = make(map[string]string)
	} else if len(c.m) >= maxStems {
		clear(c.m)
	}
	c.m[key] = s
	c.mu.Unlock()
	return s
}
