// Package rulestest generates news items and rules of realistic shape for
// benchmarks: items of English and Russian news prose, and queries of two
// or three concepts (words, phrases, prefixes, OR groups) mostly required
// to stand near each other, with NOT for look-alikes, as in the example
// rule library. Words come from the prose itself, leaving out the 300
// commonest, as analysts do.
package rulestest

import (
	"bufio"
	"cmp"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Corpus is news prose in English and Russian, and its vocabulary.
type Corpus struct {
	sentences map[string][]string   // topical news, by language: "en", "ru"
	general   map[string][]string   // general news, by language
	words     map[string][]string   // by language: distinct words, most frequent first
	bigrams   map[string][][]string // by language: consecutive word pairs
}

// Load reads the corpus from dir (rules/testdata): topical news from
// bench/news_{en,ru}.txt and, when present, the development set
// devset.jsonl; general news from bench/general_{en,ru}.txt. Rules are
// made from the topical words only.
func Load(dir string) (*Corpus, error) {
	c := &Corpus{
		sentences: map[string][]string{},
		general:   map[string][]string{},
		words:     map[string][]string{},
		bigrams:   map[string][][]string{},
	}
	for _, lang := range []string{"en", "ru"} {
		general, err := os.ReadFile(filepath.Join(dir, "bench", "general_"+lang+".txt"))
		if err != nil {
			return nil, fmt.Errorf("rulestest: %w", err)
		}
		for _, s := range strings.SplitAfter(string(general), ". ") {
			if s = strings.TrimSpace(s); len(s) > 20 {
				c.general[lang] = append(c.general[lang], s)
			}
		}
		data, err := os.ReadFile(filepath.Join(dir, "bench", "news_"+lang+".txt"))
		if err != nil {
			return nil, fmt.Errorf("rulestest: %w", err)
		}
		c.addText(lang, string(data))
	}
	if f, err := os.Open(filepath.Join(dir, "devset.jsonl")); err == nil {
		defer f.Close()
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			var it struct{ Lang, Title, Text string }
			if json.Unmarshal(sc.Bytes(), &it) == nil && (it.Lang == "en" || it.Lang == "ru") {
				c.addText(it.Lang, it.Title+". "+it.Text)
			}
		}
	}
	counts := map[string]map[string]int{"en": {}, "ru": {}}
	for lang, ss := range c.sentences {
		for _, s := range ss {
			ws := words(s)
			for i, w := range ws {
				counts[lang][w]++
				if i > 0 {
					c.bigrams[lang] = append(c.bigrams[lang], []string{ws[i-1], w})
				}
			}
		}
	}
	for lang, m := range counts {
		for w := range m {
			c.words[lang] = append(c.words[lang], w)
		}
		slices.SortFunc(c.words[lang], func(a, b string) int {
			return cmp.Or(cmp.Compare(m[b], m[a]), cmp.Compare(a, b))
		})
	}
	return c, nil
}

func (c *Corpus) addText(lang, s string) {
	for _, sent := range strings.SplitAfter(s, ". ") {
		if sent = strings.TrimSpace(sent); len(sent) > 20 {
			c.sentences[lang] = append(c.sentences[lang], sent)
		}
	}
}

// words splits s into lower-case words of letters.
func words(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) })
}

// Doc is a generated news item.
type Doc struct{ ID, Title, Text, Lang string }

// Docs returns n items of about size bytes each, alternating English and
// Russian; every third one has no language set. A share topical of their
// sentences comes from the topical corpus (diplomacy and security news,
// the kind the rules look for), the rest from general news (economy,
// sport, weather, science, culture).
func (c *Corpus) Docs(n, size int, topical float64, rng *rand.Rand) []Doc {
	docs := make([]Doc, n)
	sentence := func(lang string) string {
		ss := c.general[lang]
		if rng.Float64() < topical {
			ss = c.sentences[lang]
		}
		return ss[rng.IntN(len(ss))]
	}
	for i := range docs {
		lang := []string{"en", "ru"}[i%2]
		var b strings.Builder
		title := sentence(lang)
		for b.Len() < size-len(title) {
			b.WriteString(sentence(lang))
			b.WriteByte(' ')
		}
		docs[i] = Doc{ID: fmt.Sprint(i), Title: title, Text: b.String(), Lang: lang}
		if i%3 == 0 {
			docs[i].Lang = ""
		}
	}
	return docs
}

// query writes one rule of a realistic shape from the corpus vocabulary.
// Like an analyst, it leaves out the 300 commonest words, cuts prefixes of
// at least 5 letters from longer words (summon*, вызва*), and takes
// phrases of two uncommon words that stand together in the corpus.
func (c *Corpus) Query(rng *rand.Rand) string {
	lang := []string{"en", "ru"}[rng.IntN(2)]
	common := make(map[string]bool)
	for _, w := range c.words[lang][:min(300, len(c.words[lang])/4)] {
		common[w] = true
	}
	vocab := c.words[lang][len(common):]
	word := func() string {
		for {
			w := vocab[rng.IntN(len(vocab))]
			if utf8.RuneCountInString(w) >= 4 {
				return w
			}
		}
	}
	phrase := func() string {
		for {
			bg := c.bigrams[lang][rng.IntN(len(c.bigrams[lang]))]
			if !common[bg[0]] && !common[bg[1]] {
				return `"` + bg[0] + " " + bg[1] + `"`
			}
		}
	}
	prefix := func() string {
		for {
			w := []rune(word())
			if len(w) >= 7 {
				return string(w[:5+rng.IntN(len(w)-6)]) + "*"
			}
		}
	}
	// Like the rules of the example library: two or three concepts, each a
	// word, a phrase, a prefix or a group of them, mostly required to stand
	// near each other (a long article mentions much), with NOT for the
	// look-alikes.
	switch rng.IntN(7) {
	case 0:
		return fmt.Sprintf("%s NEAR/5 %s", word(), word())
	case 1:
		return fmt.Sprintf("(%s OR %s) NEAR/s (%s OR %s)", word(), word(), word(), prefix())
	case 2:
		return fmt.Sprintf("%s AND %s -%s", phrase(), word(), word())
	case 3:
		return fmt.Sprintf("%s NEAR/5 (%s OR %s)", word(), word(), phrase())
	case 4:
		return fmt.Sprintf("%s NEAR/8 %s NOT %s", prefix(), word(), word())
	case 5:
		return fmt.Sprintf(`(%s OR %s) NEAR/s %s -%s`, word(), phrase(), word(), word())
	default:
		return fmt.Sprintf("%s %s %s", word(), word(), word())
	}
}
