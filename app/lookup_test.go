package app

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/alertbot/alertbot/rules"
	"github.com/alertbot/alertbot/sources"
	"github.com/alertbot/alertbot/store"
)

func TestLookup(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "a.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := time.Now()
	_, err = st.SaveItems(ctx, []sources.Item{
		{Source: "tass", ID: "1", Title: "МИД России вызвал временную поверенную в делах Эстонии", Published: now.Add(-time.Hour)},
		{Source: "reuters", ID: "2", Title: "Iraq summons US envoy over strikes", Published: now.Add(-2 * time.Hour)},
		{Source: "reuters", ID: "3", Title: "Court summons former minister to testify", Published: now.Add(-3 * time.Hour)},
		{Source: "bbc", ID: "4", Title: "Japan summoned the Chinese ambassador", Published: now.Add(-10 * 24 * time.Hour)},
	})
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := ParseConfig("c.yaml", []byte("rulesets: []\n"))
	if err != nil {
		t.Fatal(err)
	}
	lib, err := NewLibrary(cfg)
	if err != nil {
		t.Fatal(err)
	}
	week := now.Add(-7 * 24 * time.Hour)
	for _, tt := range []struct {
		query string
		since time.Time
		want  []string // item ids, newest first
	}{
		{"summoned", week, []string{"2", "3"}}, // the stem finds summons too
		{"summon* NEAR/3 (envoy OR ambassador)", week, []string{"2"}},
		{"summon* -court", week, []string{"2"}},
		{"summon*", time.Time{}, []string{"2", "3", "4"}},
		{"поверенный", week, []string{"1"}},
		{`"charge d'affaires"`, week, nil},
	} {
		found, err := lib.Lookup(ctx, st, tt.query, tt.since, 10)
		if err != nil {
			t.Errorf("%s: %v", tt.query, err)
			continue
		}
		var got []string
		for _, f := range found {
			got = append(got, f.Item.ID)
			if len(f.Highlights) == 0 {
				t.Errorf("%s: item %s found without highlights", tt.query, f.Item.ID)
			}
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: found %v, want %v", tt.query, got, tt.want)
		}
	}
	if _, err := lib.Lookup(ctx, st, "NOT court", week, 10); !errors.Is(err, ErrNoWords) {
		t.Errorf("a query without words: %v, want ErrNoWords", err)
	}
	var se *rules.SyntaxError
	if _, err := lib.Lookup(ctx, st, "summon AND", week, 10); !errors.As(err, &se) || se.Col != 8 {
		t.Errorf("an invalid query: %v, want a syntax error at column 8", err)
	}
}
