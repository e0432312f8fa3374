package rules

import (
	"bufio"
	"cmp"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/alertbot/alertbot/rules/text"
)

// The benchmarks match realistic items against generated rule sets of
// realistic shape. Items are 1.5 KB of English or Russian news prose,
// assembled from the sentences of testdata/bench and the development set.
// Rules are built from the words of that same prose, leaving out the most
// frequent ones as analysts do: words, OR groups, phrases, NEAR, NOT and
// prefixes, in English and Russian.

const benchItemBytes = 1500

type benchCorpus struct {
	sentences map[string][]string   // by language: "en", "ru"
	words     map[string][]string   // by language: distinct words, most frequent first
	bigrams   map[string][][]string // by language: consecutive word pairs
}

func loadBenchCorpus(tb testing.TB) *benchCorpus {
	tb.Helper()
	c := &benchCorpus{
		sentences: map[string][]string{},
		words:     map[string][]string{},
		bigrams:   map[string][][]string{},
	}
	for _, lang := range []string{"en", "ru"} {
		data, err := os.ReadFile("testdata/bench/news_" + lang + ".txt")
		if err != nil {
			tb.Fatal(err)
		}
		c.addText(lang, string(data))
	}
	if f, err := os.Open("testdata/devset.jsonl"); err == nil {
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
			ws := benchWords(s)
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
	return c
}

func (c *benchCorpus) addText(lang, s string) {
	for _, sent := range strings.SplitAfter(s, ". ") {
		if sent = strings.TrimSpace(sent); len(sent) > 20 {
			c.sentences[lang] = append(c.sentences[lang], sent)
		}
	}
}

// benchWords splits s into lower-case words of letters.
func benchWords(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) })
}

// items returns n items of about benchItemBytes each, alternating English
// and Russian; every third one has no language set.
func (c *benchCorpus) items(n int, rng *rand.Rand) []Document {
	docs := make([]Document, n)
	for i := range docs {
		lang := []string{"en", "ru"}[i%2]
		ss := c.sentences[lang]
		var b strings.Builder
		title := ss[rng.IntN(len(ss))]
		for b.Len() < benchItemBytes-len(title) {
			b.WriteString(ss[rng.IntN(len(ss))])
			b.WriteByte(' ')
		}
		docs[i] = Document{ID: fmt.Sprint(i), Title: title, Text: b.String(), Lang: lang}
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
func (c *benchCorpus) query(rng *rand.Rand) string {
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

func (c *benchCorpus) rulesets(tb testing.TB, n int) []*Ruleset {
	rng := rand.New(rand.NewPCG(1, uint64(n)))
	set := &Ruleset{ID: "bench"}
	for i := range n {
		q := c.query(rng)
		e, err := Parse(q)
		if err != nil {
			tb.Fatalf("generated query %q: %v", q, err)
		}
		set.Rules = append(set.Rules, &Rule{ID: fmt.Sprintf("r%d", i), Ruleset: "bench", Severity: Medium, Query: q, Expr: e})
	}
	return []*Ruleset{set}
}

func BenchmarkMatch(b *testing.B) {
	c := loadBenchCorpus(b)
	docs := c.items(256, rand.New(rand.NewPCG(7, 7)))
	an := text.NewAnalyzer()
	gaz := NewGazetteer(an)
	for _, n := range []int{100, 1000, 10000, 100000} {
		b.Run(fmt.Sprintf("rules=%d", n), func(b *testing.B) {
			m, err := NewMatcher(an, gaz, c.rulesets(b, n))
			if err != nil {
				b.Fatal(err)
			}
			matched := 0
			for i := 0; b.Loop(); i++ {
				matched += len(m.Match(&docs[i%len(docs)]))
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "items/s")
			b.ReportMetric(float64(matched)/float64(b.N), "matches/item")
			b.ReportMetric(candidatesPerItem(m, docs), "candidates/item")
		})
	}
}

// BenchmarkNaive runs the same rules the way typical bots do: each rule as
// one Go regexp, run in turn over the raw text.
func BenchmarkNaive(b *testing.B) {
	c := loadBenchCorpus(b)
	docs := c.items(256, rand.New(rand.NewPCG(7, 7)))
	for _, n := range []int{1000} {
		b.Run(fmt.Sprintf("rules=%d", n), func(b *testing.B) {
			var res []*regexp.Regexp
			for _, set := range c.rulesets(b, n) {
				for _, r := range set.Rules {
					res = append(res, regexp.MustCompile("(?is)"+naiveRegexp(r.Expr)))
				}
			}
			matched := 0
			for i := 0; b.Loop(); i++ {
				d := &docs[i%len(docs)]
				s := d.Title + "\n" + d.Text
				for _, re := range res {
					if re.MatchString(s) {
						matched++
					}
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "items/s")
			b.ReportMetric(float64(matched)/float64(b.N), "matches/item")
		})
	}
}

// naiveRegexp writes e as one regexp the way a bot without an engine
// would: words as stems with any ending, AND as the words in either order,
// NEAR as a bounded run of words between them. NOT cannot be said in RE2,
// so it is left out (which only makes the naive matcher faster).
func naiveRegexp(e Expr) string {
	word := func(w string) string { return regexp.QuoteMeta(strings.ToLower(w)) + `\pL*` }
	switch e := e.(type) {
	case *Term:
		return word(e.Word)
	case *Phrase:
		var ws []string
		for _, w := range e.Words {
			ws = append(ws, word(w))
		}
		return "(?:" + strings.Join(ws, `\s+`) + ")"
	case *Or:
		var xs []string
		for _, x := range e.X {
			xs = append(xs, naiveRegexp(x))
		}
		return "(?:" + strings.Join(xs, "|") + ")"
	case *And:
		var xs []string
		for _, x := range e.X {
			if _, ok := x.(*Not); !ok {
				xs = append(xs, naiveRegexp(x))
			}
		}
		if len(xs) == 1 {
			return xs[0]
		}
		fwd := strings.Join(xs, ".*")
		slices.Reverse(xs)
		return "(?:" + fwd + "|" + strings.Join(xs, ".*") + ")"
	case *Near:
		x, y := naiveRegexp(e.X), naiveRegexp(e.Y)
		gap := fmt.Sprintf(`(?:\PL+\pL+){0,%d}\PL+`, e.Dist)
		if e.Sentence {
			gap = `[^.!?]*`
		}
		return "(?:" + x + gap + y + "|" + y + gap + x + ")"
	}
	return ""
}

// candidatesPerItem is how many rules the index hands to evaluation, on
// average: the work Match does beyond analysing the item.
func candidatesPerItem(m *Matcher, docs []Document) float64 {
	s := m.pool.Get().(*scratch)
	defer m.pool.Put(s)
	n := 0
	for i := range docs {
		s.doc.reset(&docs[i])
		s.cands = append(s.cands[:0], m.always...)
		m.candidates(s)
		for _, i := range s.cands {
			s.seen[i/64] = 0
		}
		n += len(s.cands)
	}
	return float64(n) / float64(len(docs))
}
