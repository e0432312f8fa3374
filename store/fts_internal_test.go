package store

import (
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"github.com/alertbot/alertbot/sources"
)

// The Store never updates or deletes items yet (retention will): the
// triggers that keep the SQLite FTS index in sync must work when it does.
func TestSQLiteFTSTriggers(t *testing.T) {
	ctx := t.Context()
	st, err := Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "alertbot.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	items := []sources.Item{
		{Source: "s", ID: "1", Title: "Посол вызван", Text: "ещё одна нота"},
		{Source: "s", ID: "2", Title: "Ambassador summoned", Text: "another note"},
	}
	if _, err := st.SaveItems(ctx, items); err != nil {
		t.Fatal(err)
	}
	search := func(word string) int {
		t.Helper()
		got, err := st.SearchItems(ctx, FTSQuery([]string{word}), time.Time{}, 10)
		if err != nil {
			t.Fatal(err)
		}
		return len(got)
	}
	if _, err := st.DB().ExecContext(ctx, `UPDATE items SET text = 'ёлка' WHERE id = '1'`); err != nil {
		t.Fatal(err)
	}
	if _, err := st.DB().ExecContext(ctx, `DELETE FROM items WHERE id = '2'`); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		word string
		want int
	}{{"нота", 0}, {"елка", 1}, {"посол", 1}, {"summoned", 0}, {"note", 0}} {
		if got := search(tt.word); got != tt.want {
			t.Errorf("search %q: %d items, want %d", tt.word, got, tt.want)
		}
	}
	if _, err := st.DB().ExecContext(ctx, `INSERT INTO items_fts (items_fts) VALUES ('integrity-check')`); err != nil {
		t.Errorf("FTS integrity-check: %v", err)
	}
}

func TestSQLitePragmas(t *testing.T) {
	ctx := t.Context()
	st, err := Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "alertbot.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for _, pool := range []struct {
		name string
		db   *sql.DB
		want map[string]string
	}{
		{"writer", st.w, map[string]string{"journal_mode": "wal", "busy_timeout": "10000", "foreign_keys": "1", "synchronous": "1", "query_only": "0"}},
		{"reader", st.r, map[string]string{"journal_mode": "wal", "busy_timeout": "10000", "foreign_keys": "1", "synchronous": "1", "query_only": "1"}},
	} {
		for pragma, want := range pool.want {
			var got string
			if err := pool.db.QueryRowContext(ctx, "PRAGMA "+pragma).Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Errorf("%s: PRAGMA %s = %s, want %s", pool.name, pragma, got, want)
			}
		}
	}
	if got := st.w.Stats().MaxOpenConnections; got != 1 {
		t.Errorf("writer MaxOpenConnections = %d, want 1", got)
	}
	if _, err := st.r.ExecContext(ctx, `DELETE FROM items`); err == nil {
		t.Error("the reader pool can write")
	}
}
