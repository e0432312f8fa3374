package rules

import (
	"strings"
	"sync"

	"github.com/alertbot/alertbot/rules/text"
)

// wordCache keeps, for each word form that documents have had, what
// matching needs of it: its stem, the ids by which the rules know the stem
// and the prefixes it starts with, and what the gazetteer knows of it.
// News repeats its words, so a token costs one map lookup here instead of
// one in the Analyzer's stem cache, one for the stem's id, one for each
// prefix and more in the gazetteer. Like the Analyzer's, the cache is
// emptied when it reaches a bound and fills again with the words in use.
type wordCache struct {
	mu     sync.RWMutex
	byLang [text.NumLangs]map[string]wordInfo // by the token's Lang, then its Norm
	n      int                                // entries in byLang
}

// maxWordForms bounds a wordCache.
const maxWordForms = 1 << 16

// wordInfo is what a wordCache knows of one word form.
type wordInfo struct {
	stem     string  // the Stem that Analyze gives the token
	id       int32   // id of the stem in Matcher.vocab, or -1 when no rule uses it
	prefixes []int32 // ids in Matcher.pkeys of the prefixes the word starts with
	gz       gzToken
}

// resolve sets the Stem of d's tokens, which Tokenize left empty, their
// stem ids in d.tid and what the gazetteer knows of them in d.gz, and
// adds them to the chains of their stems and prefixes, in order. It takes
// the read lock once for all the words the cache has; from the first one
// it has not, it goes word by word and adds the missing ones.
func (m *Matcher) resolve(d *doc) {
	n := len(d.toks)
	d.tid = resize(d.tid, n)
	d.gz = resize(d.gz, n)
	c := &m.forms
	i := 0
	c.mu.RLock()
	for ; i < n; i++ {
		w, ok := c.byLang[d.toks[i].Lang][d.toks[i].Norm]
		if !ok {
			break
		}
		d.add(int32(i), &w)
	}
	c.mu.RUnlock()
	for ; i < n; i++ {
		t := &d.toks[i]
		c.mu.RLock()
		w, ok := c.byLang[t.Lang][t.Norm]
		c.mu.RUnlock()
		if !ok {
			w = m.wordInfo(d.src(d.field(int32(i))), t)
			c.put(t, w)
		}
		d.add(int32(i), &w)
	}
}

// put adds w as what the cache knows of t's word form.
func (c *wordCache) put(t *text.Token, w wordInfo) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n >= maxWordForms {
		for l := range c.byLang {
			clear(c.byLang[l])
		}
		c.n = 0
	}
	if c.byLang[t.Lang] == nil {
		c.byLang[t.Lang] = make(map[string]wordInfo)
	}
	// t.Norm is part of a whole text: the cache keeps a copy.
	if _, ok := c.byLang[t.Lang][t.Norm]; !ok {
		c.byLang[t.Lang][strings.Clone(t.Norm)] = w
		c.n++
	}
}

// add records w as what token i is.
func (d *doc) add(i int32, w *wordInfo) {
	d.toks[i].Stem, d.tid[i], d.gz[i] = w.stem, w.id, w.gz
	if w.id >= 0 {
		d.stems.add(i, w.id)
	}
	for _, p := range w.prefixes {
		d.prefixes.add(i, p)
	}
}

// wordInfo works out what the cache keeps of token t of src.
func (m *Matcher) wordInfo(src string, t *text.Token) wordInfo {
	w := wordInfo{stem: m.an.StemToken(src, t), id: -1}
	if id, ok := m.vocab[w.stem]; ok {
		w.id = id
	}
	if len(m.pkeys) > 0 {
		n := 0
		for i := range t.Norm {
			if n >= prefixRunes {
				if id, ok := m.pkeys[t.Norm[:i]]; ok {
					w.prefixes = append(w.prefixes, id)
				}
			}
			n++
		}
		if id, ok := m.pkeys[t.Norm]; ok && n >= prefixRunes {
			w.prefixes = append(w.prefixes, id)
		}
	}
	withStem := *t
	withStem.Stem = w.stem
	w.gz = m.gaz.token(&withStem)
	return w
}

// resize returns s with length n, reusing its array when it is big enough.
func resize[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}
