package rules

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
)

// newTestMatcher builds a matcher over one rule per query, ids q0, q1, ...
func newTestMatcher(t testing.TB, queries ...string) *Matcher {
	t.Helper()
	set := &Ruleset{ID: "test"}
	for i, q := range queries {
		e, err := Parse(q)
		if err != nil {
			t.Fatalf("Parse(%q): %v", q, err)
		}
		set.Rules = append(set.Rules, &Rule{ID: fmt.Sprintf("q%d", i), Ruleset: "test", Severity: High, Query: q, Expr: e})
	}
	an, gaz := testGazetteer(t)
	m, err := NewMatcher(an, gaz, []*Ruleset{set})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestMatch(t *testing.T) {
	tests := []struct {
		name  string
		query string
		doc   Document
		want  bool
	}{
		{"stem", "summon", Document{Text: "Iraq summoned the US envoy"}, true},
		{"stem plural", "ambassador", Document{Text: "ambassadors were summoned"}, true},
		{"russian stem", "поверенный", Document{Text: "вызвали временную поверенную в делах"}, true},
		{"words not substrings", "pagan", Document{Text: "state propaganda"}, false},
		{"diacritics", "chargé", Document{Text: "the US Charge d'Affaires"}, true},
		{"diacritics other way", "charge", Document{Text: "le chargé d’affaires"}, true},
		{"apostrophes", `"charge d'affaires"`, Document{Text: "chargé dʼaffaires a.i."}, true},
		{"yo", "ещё", Document{Text: "еще один посол"}, true},
		{"exact", "=summons", Document{Text: "Iraq summoned the envoy"}, false},
		{"exact hit", "=summons", Document{Text: "Iraq summons the envoy"}, true},
		{"prefix", "вызв*", Document{Text: "МИД вызвал посла"}, true},
		{"prefix miss", "вызв*", Document{Text: "МИД пригласил посла"}, false},
		{"phrase", `"security council"`, Document{Text: "the UN Security Council met"}, true},
		{"phrase order", `"council security"`, Document{Text: "the UN Security Council met"}, false},
		{"phrase slop", `"meeting council"~4`, Document{Text: "an urgent meeting of the UN Security Council"}, true},
		{"phrase slop short", `"meeting council"~2`, Document{Text: "an urgent meeting of the UN Security Council"}, false},
		{"near", "summon* NEAR/3 ambassador", Document{Text: "summoned the Russian ambassador"}, true},
		{"near either order", "summon* NEAR/3 ambassador", Document{Text: "the ambassador was summoned"}, true},
		{"near too far", "summon* NEAR/2 ambassador", Document{Text: "summoned the new Russian ambassador"}, false},
		{"near sentence", "summon* NEAR/s ambassador", Document{Text: "The ambassador arrived. He was summoned."}, false},
		{"near sentence same", "summon* NEAR/s ambassador", Document{Text: "The ambassador, who arrived on Monday with his staff and family, was summoned."}, true},
		{"near stays in a sentence", "summon* NEAR/3 ambassador", Document{Text: "He was summoned. The ambassador left."}, false},
		{"phrase stays in a sentence", `"summoned ambassador"~2`, Document{Text: "He was summoned. The ambassador left."}, false},
		{"near group", `(summon* OR "called in") NEAR/4 (ambassador OR envoy)`, Document{Text: "Tokyo called in China's envoy"}, true},
		{"not", "summon* -court", Document{Text: "summoned to court"}, false},
		{"not keeps", "summon* -court", Document{Text: "summoned the envoy"}, true},
		{"pure not", "NOT court", Document{Text: "summoned the envoy"}, true},
		{"title field", "title:summon*", Document{Title: "Envoy summoned", Text: "nothing here"}, true},
		{"title field miss", "title:summon*", Document{Title: "News", Text: "envoy summoned"}, false},
		{"text field", "text:summon*", Document{Title: "Envoy summoned", Text: "nothing here"}, false},
		{"no phrase across fields", `"summoned envoy"`, Document{Title: "Russia summoned", Text: "envoy of Japan"}, false},
		{"regex", `/\bsc\/\d+/`, Document{Text: "document SC/15552 was issued"}, true},
		{"regex folded", `/charge d'affaires/`, Document{Text: "Chargé d’Affaires"}, true},
		{"lang", "lang:ru", Document{Text: "x", Lang: "ru-RU"}, true},
		{"lang miss", "lang:ru", Document{Text: "x", Lang: "en"}, false},
		{"source", "source:tass*", Document{Text: "x", Source: "tass-ru"}, true},
		{"source exact", "source:tass", Document{Text: "x", Source: "tass-ru"}, false},
		{"country", "country:IQ summon*", Document{Text: "the Iraqi foreign ministry summoned"}, true},
		{"country russian", "country:US", Document{Text: "посол США"}, true},
		{"acronym", `"UN Security Council"`, Document{Text: "the U.N. Security Council"}, true},
		{"hyphen", "US-led", Document{Text: "the US led coalition"}, true},
		{"mixed script unknown lang", "вызван AND summoned", Document{Text: "Посол вызван. Envoy summoned."}, true},
		{"french stems", "convoqué", Document{Text: "l'ambassadeur a été convoquée", Lang: "fr"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newTestMatcher(t, tt.query)
			got := len(m.Match(&tt.doc)) > 0
			if got != tt.want {
				t.Errorf("%s on %q %q: matched %v, want %v", tt.query, tt.doc.Title, tt.doc.Text, got, tt.want)
			}
		})
	}
}

func TestHighlights(t *testing.T) {
	tests := []struct {
		name  string
		query string
		doc   Document
		want  []string // field:start-end:text
	}{
		{"words", "summon* AND ambassador", Document{Text: "Iraq summoned the ambassador"},
			[]string{"text:5-13:summoned", "text:18-28:ambassador"}},
		{"russian bytes", "вызвал* посла", Document{Text: "МИД вызвал посла"},
			[]string{"text:7-19:вызвал", "text:20-30:посла"}},
		{"phrase", `"security council"`, Document{Title: "UN Security Council"},
			[]string{"title:3-19:Security Council"}},
		{"nothing under not", "envoy -court", Document{Text: "envoy"},
			[]string{"text:0-5:envoy"}},
		{"only the true branch", "envoy OR court", Document{Text: "an envoy"},
			[]string{"text:3-8:envoy"}},
		{"near parts", "summon* NEAR/3 envoy", Document{Text: "summoned the envoy, and later in the day the minister summoned nobody"},
			[]string{"text:0-8:summoned", "text:13-18:envoy"}},
		{"regex maps to original bytes", `/d'affaires/`, Document{Text: "Chargé d’Affaires"},
			[]string{"text:8-20:d’Affaires"}},
		{"merged overlap", `"security council" council`, Document{Text: "Security Council"},
			[]string{"text:0-16:Security Council"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ms := newTestMatcher(t, tt.query).Match(&tt.doc)
			if len(ms) != 1 {
				t.Fatalf("%d matches, want 1", len(ms))
			}
			var got []string
			for _, h := range ms[0].Highlights {
				got = append(got, fmt.Sprintf("%s:%d-%d:%s", h.Field, h.Start, h.End, h.Text))
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("highlights\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestSlow(t *testing.T) {
	m := newTestMatcher(t, "summon*", "NOT court", "/sc\\/\\d+/", "lang:ru", "envoy OR /x/", "lang:ru envoy")
	var got []string
	for _, r := range m.Slow() {
		got = append(got, r.ID)
	}
	if want := []string{"q1", "q2", "q3", "q4"}; !slices.Equal(got, want) {
		t.Errorf("slow rules %v, want %v", got, want)
	}
}

func TestCountries(t *testing.T) {
	m := newTestMatcher(t, "summon*")
	ms := m.Match(&Document{Text: "The Iraqi Foreign Ministry summoned the US Charge d'Affaires in Baghdad"})
	if len(ms) != 1 {
		t.Fatalf("%d matches, want 1", len(ms))
	}
	if got, want := ms[0].Countries, []string{"IQ", "US"}; !slices.Equal(got, want) {
		t.Errorf("countries %v, want %v", got, want)
	}
}

func TestRuleRestrictions(t *testing.T) {
	e, _ := Parse("summon*")
	an, gaz := testGazetteer(t)
	set := &Ruleset{ID: "s", Rules: []*Rule{{ID: "r", Expr: e, Langs: []string{"ru"}, Sources: []string{"mid-*"}}}}
	m, err := NewMatcher(an, gaz, []*Ruleset{set})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		doc  Document
		want bool
	}{
		{Document{Text: "summoned", Lang: "ru", Source: "mid-russia"}, true},
		{Document{Text: "summoned", Lang: "en", Source: "mid-russia"}, false},
		{Document{Text: "summoned", Lang: "ru", Source: "tass"}, false},
	} {
		if got := len(m.Match(&tt.doc)) > 0; got != tt.want {
			t.Errorf("%+v: matched %v, want %v", tt.doc, got, tt.want)
		}
	}
}

func TestCompileErrors(t *testing.T) {
	for _, q := range []string{"country:XX", `"..."`} {
		e, err := Parse(q)
		if err != nil {
			continue // refused earlier: fine
		}
		an, gaz := testGazetteer(t)
		_, err = NewMatcher(an, gaz, []*Ruleset{{ID: "s", Rules: []*Rule{{ID: "bad", Expr: e}}}})
		if err == nil || !strings.Contains(err.Error(), "rule bad") {
			t.Errorf("%s: error %v, want one naming rule bad", q, err)
		}
	}
}

// TestIndexAgreesWithFullScan checks that the presearch index never loses
// a match: on generated rules and items, Match returns exactly the rules
// that evaluating every rule would.
func TestIndexAgreesWithFullScan(t *testing.T) {
	c := loadBenchCorpus(t)
	docs := benchDocs(c, 200, 1, rand.New(rand.NewPCG(3, 3)))
	an, gaz := testGazetteer(t)
	m, err := NewMatcher(an, gaz, benchRulesets(t, c, 3000))
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for i := range docs {
		var got []string
		for _, x := range m.Match(&docs[i]) {
			got = append(got, x.Rule.ID)
		}
		var want []string
		d := newDoc(m)
		d.reset(&docs[i])
		for i, r := range m.rules {
			if d.eval(m.query(int32(i))) {
				want = append(want, r.ID)
			}
		}
		if !slices.Equal(got, want) {
			t.Fatalf("item %d: index found %v, full scan %v", i, got, want)
		}
		total += len(want)
	}
	if total == 0 {
		t.Fatal("no rule matched any item: the test proves nothing")
	}
	t.Logf("%d matches over %d items", total, len(docs))
}

// TestChainsInOrder checks that a document's chains list positions in
// increasing order, whether its words are new to the matcher or not.
func TestChainsInOrder(t *testing.T) {
	m := newTestMatcher(t, "summon* NEAR/3 envoy", "court")
	docs := []Document{
		{Title: "Envoy summoned", Text: "The court summoned the envoy. The envoy was summoned to court."},
		// "summons" is new, "summoned" is not: a new word before a known one.
		{Text: "Summons for the envoys, who were summoned to the summit."},
	}
	for round := range 2 { // words new to the matcher, then known ones
		for _, doc := range docs {
			d := newDoc(m)
			d.reset(&doc)
			for _, c := range []*chains{&d.stems, &d.prefixes} {
				for _, k := range c.used {
					last := int32(-1)
					for e := c.first[k]; e >= 0; e = c.next[e] {
						if c.pos[e] <= last {
							t.Fatalf("round %d, %q: chain of key %d goes from %d to %d", round, doc.Text, k, last, c.pos[e])
						}
						last = c.pos[e]
					}
				}
			}
		}
	}
}

// TestMatchConcurrent runs one Matcher from many goroutines, its cache of
// word forms empty at first; run it with -race.
func TestMatchConcurrent(t *testing.T) {
	c := loadBenchCorpus(t)
	docs := benchDocs(c, 40, 1, rand.New(rand.NewPCG(5, 5)))
	an, gaz := testGazetteer(t)
	sets := benchRulesets(t, c, 300)
	serial, err := NewMatcher(an, gaz, sets)
	if err != nil {
		t.Fatal(err)
	}
	want := make([]string, len(docs))
	for i := range docs {
		want[i] = fmt.Sprint(serial.Match(&docs[i]))
	}
	m, err := NewMatcher(an, gaz, sets)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for k := range docs {
				i := (k + g*len(docs)/4) % len(docs)
				if got := fmt.Sprint(m.Match(&docs[i])); got != want[i] {
					t.Errorf("item %d: got %s, want %s", i, got, want[i])
				}
			}
		})
	}
	wg.Wait()
}
