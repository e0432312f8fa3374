package rules

import (
	"fmt"
	"math/bits"
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/alertbot/alertbot/rules/rulestest"
	"github.com/alertbot/alertbot/rules/text"
)

// The benchmarks match realistic items against generated rule sets of
// realistic shape. Items are 1.5 KB of English or Russian news prose,
// assembled from the sentences of testdata/bench and the development set.
// Rules are built from the words of that same prose, leaving out the most
// frequent ones as analysts do: words, OR groups, phrases, NEAR, NOT and
// prefixes, in English and Russian.

const benchItemBytes = 1500

func loadBenchCorpus(tb testing.TB) *rulestest.Corpus {
	tb.Helper()
	c, err := rulestest.Load("testdata")
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// benchTopical is the share of sentences in benchmark items that are
// topical news: diplomacy and security sources carry much else (economy,
// sport, culture) besides the events rules look for.
const benchTopical = 0.5

func benchDocs(c *rulestest.Corpus, n int, topical float64, rng *rand.Rand) []Document {
	var docs []Document
	for _, d := range c.Docs(n, benchItemBytes, topical, rng) {
		docs = append(docs, Document{ID: d.ID, Title: d.Title, Text: d.Text, Lang: d.Lang})
	}
	return docs
}

func benchRulesets(tb testing.TB, c *rulestest.Corpus, n int) []*Ruleset {
	rng := rand.New(rand.NewPCG(1, uint64(n)))
	set := &Ruleset{ID: "bench"}
	for i := range n {
		q := c.Query(rng)
		e, err := Parse(q)
		if err != nil {
			tb.Fatalf("generated query %q: %v", q, err)
		}
		set.Rules = append(set.Rules, &Rule{ID: fmt.Sprintf("r%d", i), Ruleset: "bench", Severity: Medium, Query: q, Expr: e})
	}
	return []*Ruleset{set}
}

func BenchmarkMatch(b *testing.B) {
	benchMatch(b, benchTopical, []int{100, 1000, 10000, 100000})
}

// BenchmarkMatchTopical is BenchmarkMatch on items made of topical news
// only, the worst case: every sentence is the kind the rules are about.
func BenchmarkMatchTopical(b *testing.B) {
	benchMatch(b, 1, []int{100, 10000})
}

func benchMatch(b *testing.B, topical float64, sizes []int) {
	c := loadBenchCorpus(b)
	docs := benchDocs(c, 256, topical, rand.New(rand.NewPCG(7, 7)))
	an := text.NewAnalyzer()
	gaz := NewGazetteer(an)
	for _, n := range sizes {
		b.Run(fmt.Sprintf("rules=%d", n), func(b *testing.B) {
			m, err := NewMatcher(an, gaz, benchRulesets(b, c, n))
			if err != nil {
				b.Fatal(err)
			}
			matched := 0
			for i := 0; b.Loop(); i++ {
				matched += len(m.Match(&docs[i%len(docs)]))
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "items/s")
			b.ReportMetric(float64(matched)/float64(b.N), "matches/item")
			cands, evaluated := candidatesPerItem(m, docs)
			b.ReportMetric(cands, "candidates/item")
			b.ReportMetric(evaluated, "evaluated/item")
		})
	}
}

// BenchmarkNaive runs the same rules the way typical bots do: each rule as
// one Go regexp, run in turn over the raw text.
func BenchmarkNaive(b *testing.B) {
	c := loadBenchCorpus(b)
	docs := benchDocs(c, 256, benchTopical, rand.New(rand.NewPCG(7, 7)))
	for _, n := range []int{1000} {
		b.Run(fmt.Sprintf("rules=%d", n), func(b *testing.B) {
			var res []*regexp.Regexp
			for _, set := range benchRulesets(b, c, n) {
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
// average: the work Match does beyond analysing the item. candidates are
// the rules anchored on the item's words, evaluated those of them whose
// prefilters the item meets.
func candidatesPerItem(m *Matcher, docs []Document) (candidates, evaluated float64) {
	s := m.pool.Get().(*scratch)
	defer m.pool.Put(s)
	n, e := 0, 0
	found := make([]uint64, len(s.seen))
	count := func(p postings) {
		for len(p) > 0 {
			i := p[0]
			p = p[2+p[1]:]
			found[i/64] |= 1 << (i % 64)
		}
	}
	for i := range docs {
		s.doc.reset(&docs[i])
		for _, i := range m.always {
			s.seen[i/64] |= 1 << (i % 64)
			found[i/64] |= 1 << (i % 64)
		}
		m.candidates(s)
		for _, id := range s.doc.stems.used {
			count(m.byStem.postings(id))
		}
		for _, id := range s.doc.prefixes.used {
			count(m.byPrefix.postings(id))
		}
		for w := range s.seen {
			n += bits.OnesCount64(found[w])
			e += bits.OnesCount64(s.seen[w])
			s.seen[w], found[w] = 0, 0
		}
	}
	return float64(n) / float64(len(docs)), float64(e) / float64(len(docs))
}
