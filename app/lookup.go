package app

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/alertbot/alertbot/rules"
	"github.com/alertbot/alertbot/rules/text"
	"github.com/alertbot/alertbot/store"
)

// lookupCandidates is how many items full-text search hands the rules
// engine for one lookup, newest first.
const lookupCandidates = 500

// ErrNoWords is a lookup query with no word to look for (only NOT, a regex,
// or fields such as lang:): full-text search cannot narrow it down.
var ErrNoWords = errors.New("the query needs at least one word or phrase to look for")

// Found is an item a lookup found, with the spans that made it match.
type Found struct {
	Item       store.StoredItem
	Highlights []rules.Highlight
}

// Lookup runs a query of the rules language over stored items published
// since: full-text search finds candidates by the query's words (their
// stems as prefixes, so that "summoned" also finds "summons"), and the
// rules engine decides. Newest first, at most limit. An invalid query is a
// *rules.SyntaxError.
func (l *Library) Lookup(ctx context.Context, st *store.Store, query string, since time.Time, limit int) ([]Found, error) {
	expr, err := rules.Parse(query)
	if err != nil {
		return nil, err
	}
	words := l.searchWords(expr, nil)
	if len(words) == 0 {
		return nil, ErrNoWords
	}
	set := &rules.Ruleset{ID: "lookup", Rules: []*rules.Rule{{ID: "lookup", Ruleset: "lookup", Severity: rules.Low, Query: query, Expr: expr}}}
	m, err := rules.NewMatcher(l.an, l.gaz, []*rules.Ruleset{set})
	if err != nil {
		return nil, err
	}
	items, err := st.SearchItems(ctx, store.FTSQuery(words), since, lookupCandidates)
	if err != nil {
		return nil, err
	}
	var found []Found
	for _, it := range items {
		ms := m.Match(&rules.Document{ID: it.ID, Source: it.Source, Lang: it.Lang, Title: it.Title, Text: it.Text})
		if len(ms) > 0 {
			found = append(found, Found{Item: it, Highlights: ms[0].Highlights})
			if len(found) == limit {
				break
			}
		}
	}
	return found, nil
}

// searchWords appends the stems of the words e requires or offers (not
// those under NOT), for full-text search.
func (l *Library) searchWords(e rules.Expr, dst []string) []string {
	add := func(w string, exact bool) {
		for _, t := range l.an.Analyze(nil, w, text.Unknown) {
			stem := t.Norm
			if !exact {
				stem = l.an.StemWord(w[t.Start:t.End], t.Lang)
			}
			if !slices.Contains(dst, stem) {
				dst = append(dst, stem)
			}
		}
	}
	switch e := e.(type) {
	case *rules.And:
		for _, x := range e.X {
			dst = l.searchWords(x, dst)
		}
	case *rules.Or:
		for _, x := range e.X {
			dst = l.searchWords(x, dst)
		}
	case *rules.Near:
		dst = l.searchWords(e.Y, l.searchWords(e.X, dst))
	case *rules.Term:
		add(e.Word, e.Kind != rules.Stemmed)
	case *rules.Phrase:
		add(strings.Join(e.Words, " "), false)
	}
	return dst
}

// Explain returns the rules that match a text, and why.
func (l *Library) Explain(s string) []rules.Match {
	return l.Matcher.Match(&rules.Document{ID: "explain", Text: s})
}
