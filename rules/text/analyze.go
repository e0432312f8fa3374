package text

import (
	"math"
	"sync"
)

// A Token is one word of a text.
type Token struct {
	Start, End int32  // byte offsets of the word in the original text (s[Start:End] is the word as written)
	Norm       string // folded form: Fold(s[Start:End])
	Stem       string // stem of Norm in Lang (== Norm when Lang has no stemmer)
	Lang       Lang   // TokenLang(Norm, doc language)
	Sentence   int32  // sentence index in the text, from 0
}

// An Analyzer splits texts into tokens and stems them, keeping a cache of
// stems per language. It is safe for concurrent use by many goroutines; a
// process needs one. The zero Analyzer is ready to use.
type Analyzer struct {
	stems [NumLangs]stemCache
	pool  sync.Pool // of *scratch
}

// scratch is the working memory of one Analyze call.
type scratch struct {
	buf  []byte  // folded forms of the words, one after the other
	ends []int32 // ends[k] is the end in buf of the folded form of word k
}

// maxScratch is the largest buffer an Analyzer keeps for reuse.
const maxScratch = 1 << 20

// NewAnalyzer returns an Analyzer with empty caches.
func NewAnalyzer() *Analyzer {
	a := new(Analyzer)
	for l := range a.stems {
		if stemFunc(Lang(l)) != nil {
			a.stems[l].m = make(map[string]string)
		}
	}
	return a
}

// Analyze appends the tokens of s, a text in language lang, to dst and
// returns the extended slice. The position of a word is its index in the
// result less len(dst) on entry; sentences are numbered from 0 in each call.
//
// The Norm strings of one call share one allocation. A text longer than
// math.MaxInt32 bytes is analysed up to that length only.
func (a *Analyzer) Analyze(dst []Token, s string, lang Lang) []Token {
	base := len(dst)
	dst = a.Tokenize(dst, s, lang)
	a.fill(dst[base:], s)
	return dst
}

// Tokenize is Analyze without stemming: it leaves the Stem of the tokens
// empty, for a caller that keeps what it needs of each word form in a
// cache of its own and stems only the forms it has not seen, with
// StemToken.
func (a *Analyzer) Tokenize(dst []Token, s string, lang Lang) []Token {
	if len(s) > math.MaxInt32 {
		s = s[:math.MaxInt32]
	}
	sc, _ := a.pool.Get().(*scratch)
	if sc == nil {
		sc = new(scratch)
	}
	buf, ends := sc.buf[:0], sc.ends[:0]
	base := len(dst)

	var sentence int32
	prevStart, prevEnd, prevNorm := 0, -1, 0 // the last word kept
	for i := 0; ; {
		start := wordStart(s, i)
		if start == len(s) {
			break
		}
		normStart := len(buf)
		buf, i = appendWord(buf, s, start)
		end := i
		if len(buf) == normStart {
			continue // nothing left after folding
		}
		if prevEnd >= 0 {
			brk, period := sentenceEnd(s[prevEnd:start], s[start:])
			if brk && !(period && noBreakAfter(s[prevStart:prevEnd], buf[prevNorm:normStart])) {
				sentence++
			}
		}
		dst = append(dst, Token{Start: int32(start), End: int32(end), Sentence: sentence})
		ends = append(ends, int32(len(buf)))
		prevStart, prevEnd, prevNorm = start, end, normStart
	}

	folded := string(buf)
	off := int32(0)
	for k := range dst[base:] {
		t := &dst[base+k]
		t.Norm = folded[off:ends[k]]
		off = ends[k]
		t.Lang = TokenLang(t.Norm, lang)
	}

	if cap(buf) <= maxScratch {
		sc.buf, sc.ends = buf, ends
		a.pool.Put(sc)
	}
	return dst
}

// StemToken returns the stem of t, a token of s that Tokenize produced: the
// Stem that Analyze gives it.
func (a *Analyzer) StemToken(s string, t *Token) string {
	return a.stem(t.Norm, s[t.Start:t.End], t.Lang)
}

// fill sets the Stem of toks, tokens of s. It takes each cache's read lock
// once for all the hits, and stems the misses after.
func (a *Analyzer) fill(toks []Token, s string) {
	var locked [NumLangs]bool
	missed := false
	for k := range toks {
		t := &toks[k]
		if stemFunc(t.Lang) == nil || tooShort(t.Norm, t.Lang) {
			t.Stem = t.Norm
			continue
		}
		c := &a.stems[t.Lang]
		if !locked[t.Lang] {
			c.mu.RLock()
			locked[t.Lang] = true
		}
		t.Stem = c.m[t.Norm] // "" if missing: no stem is empty
		missed = missed || t.Stem == ""
	}
	for l, ok := range locked {
		if ok {
			a.stems[l].mu.RUnlock()
		}
	}
	if !missed {
		return
	}
	for k := range toks {
		if t := &toks[k]; t.Stem == "" {
			t.Stem = a.stem(t.Norm, s[t.Start:t.End], t.Lang)
		}
	}
}
