// Package sourcestest holds what the tests of the source kinds share.
package sourcestest

import (
	"testing"
	"time"

	"github.com/alertbot/alertbot/sources"
)

// CheckItems reports each field of got that differs from want, item by
// item, and whether each Published is in UTC, as package sources promises.
func CheckItems(t testing.TB, got, want []sources.Item) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("got %d items, want %d", len(got), len(want))
	}
	for i := range min(len(got), len(want)) {
		g, w := got[i], want[i]
		if g.Source != w.Source {
			t.Errorf("item %d: Source = %q, want %q", i, g.Source, w.Source)
		}
		if g.ID != w.ID {
			t.Errorf("item %d: ID = %q, want %q", i, g.ID, w.ID)
		}
		if g.URL != w.URL {
			t.Errorf("item %d: URL = %q, want %q", i, g.URL, w.URL)
		}
		if g.Title != w.Title {
			t.Errorf("item %d: Title = %q, want %q", i, g.Title, w.Title)
		}
		if g.Text != w.Text {
			t.Errorf("item %d: Text = %q, want %q", i, g.Text, w.Text)
		}
		if g.Lang != w.Lang {
			t.Errorf("item %d: Lang = %q, want %q", i, g.Lang, w.Lang)
		}
		if !g.Published.Equal(w.Published) {
			t.Errorf("item %d: Published = %v, want %v", i, g.Published, w.Published)
		}
		if g.Published.Location() != time.UTC {
			t.Errorf("item %d: Published in %v, want UTC", i, g.Published.Location())
		}
	}
}
