package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/alertbot/alertbot/sources"
	"github.com/alertbot/alertbot/store"
	"github.com/alertbot/alertbot/store/storetest"
)

func openSQLite(t testing.TB) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), "sqlite:"+filepath.Join(t.TempDir(), "alertbot.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func TestSQLite(t *testing.T) {
	storetest.Run(t, func(t *testing.T) *store.Store { return openSQLite(t) })
}

// postgresEnv names a PostgreSQL URL to run the suite on, e.g.
// postgres://postgres@127.0.0.1:5432/test?sslmode=disable. Each test gets a
// schema of its own, dropped at the end.
const postgresEnv = "ALERTBOT_TEST_POSTGRES"

var schemaSeq atomic.Int64

func TestPostgres(t *testing.T) {
	dsn := os.Getenv(postgresEnv)
	if dsn == "" {
		t.Skip("set " + postgresEnv + " to a PostgreSQL URL to run the store suite on PostgreSQL")
	}
	storetest.Run(t, func(t *testing.T) *store.Store { return openPostgres(t, dsn) })
}

// openPostgres opens a Store in a new schema of the database dsn names,
// dropped when t ends.
func openPostgres(t testing.TB, dsn string) *store.Store {
	t.Helper()
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() })
	schema := fmt.Sprintf("alertbot_test_%d_%d", os.Getpid(), schemaSeq.Add(1))
	if _, err := admin.Exec(`CREATE SCHEMA ` + schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Exec(`DROP SCHEMA ` + schema + ` CASCADE`) })
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	st, err := store.Open(context.Background(), dsn+sep+"search_path="+schema)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func TestOpenErrors(t *testing.T) {
	for _, dsn := range []string{"", "mysql://x", "sqlite:", "sqlite::memory:", "sqlite:" + filepath.Join(t.TempDir(), "no", "such", "dir", "x.db")} {
		st, err := store.Open(t.Context(), dsn)
		if err == nil {
			st.Close()
			t.Errorf("Open(%q): no error", dsn)
			continue
		}
		if !strings.HasPrefix(err.Error(), "store: open: ") {
			t.Errorf("Open(%q) error %q lacks the store: open: prefix", dsn, err)
		}
	}
}

// benchItems returns n items of realistic size: a news title and about
// 1.5 kB of text in English and Russian.
func benchItems(start, n int) []sources.Item {
	const para = "Iraq's foreign ministry summoned the U.S. chargé d'affaires and handed him a note of protest. " +
		"МИД Ирака вызвал временного поверенного в делах США и вручил ему ноту протеста. "
	items := make([]sources.Item, n)
	for i := range items {
		k := start + i
		items[i] = sources.Item{Source: fmt.Sprint("source-", k%20), ID: fmt.Sprint("https://example.org/news/", k),
			URL: fmt.Sprint("https://example.org/news/", k), Lang: "en",
			Title:     fmt.Sprintf("Story %d: Russia requests urgent UN Security Council meeting", k),
			Text:      fmt.Sprint(k, " ", strings.Repeat(para, 6)),
			Published: time.Date(2024, 2, 3, 0, 0, 0, 0, time.UTC).Add(time.Duration(k) * time.Second)}
	}
	return items
}

// BenchmarkSaveItems saves batches of 50 items, as a poll does: new items,
// and items already stored (the common case: a feed repeats its entries).
// Run with -benchtime=1000x for 50,000 items. On PostgreSQL too when
// ALERTBOT_TEST_POSTGRES is set.
func BenchmarkSaveItems(b *testing.B) {
	openers := []struct {
		name string
		open func(b *testing.B) *store.Store
	}{{"sqlite", func(b *testing.B) *store.Store { return openSQLite(b) }}}
	if dsn := os.Getenv(postgresEnv); dsn != "" {
		openers = append(openers, struct {
			name string
			open func(b *testing.B) *store.Store
		}{"postgres", func(b *testing.B) *store.Store { return openPostgres(b, dsn) }})
	}
	const batch = 50
	for _, o := range openers {
		b.Run(o.name+"/new", func(b *testing.B) {
			st := o.open(b)
			n := 0
			for b.Loop() {
				fresh, err := st.SaveItems(b.Context(), benchItems(n, batch))
				if err != nil {
					b.Fatal(err)
				}
				if len(fresh) != batch {
					b.Fatalf("%d new, want %d", len(fresh), batch)
				}
				n += batch
			}
			b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "items/s")
		})
		b.Run(o.name+"/known", func(b *testing.B) {
			st := o.open(b)
			known := benchItems(0, 5000)
			for i := 0; i < len(known); i += 500 {
				if _, err := st.SaveItems(b.Context(), known[i:i+500]); err != nil {
					b.Fatal(err)
				}
			}
			n := 0
			for b.Loop() {
				k := n % len(known)
				fresh, err := st.SaveItems(b.Context(), known[k:k+batch])
				if err != nil {
					b.Fatal(err)
				}
				if len(fresh) != 0 {
					b.Fatalf("%d new, want 0", len(fresh))
				}
				n += batch
			}
			b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "items/s")
		})
	}
}

// Two Stores on one file are two processes' worth of connections (alertbot
// run, and alertbot digest -send beside it): their write transactions begin
// IMMEDIATE and wait on busy_timeout instead of failing with SQLITE_BUSY.
func TestSQLiteTwoStoresOneFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "alertbot.db")
	var stores [2]*store.Store
	for i := range stores {
		st, err := store.Open(t.Context(), "sqlite:"+path)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		stores[i] = st
	}
	const batches = 40
	errs := make(chan error, 2*batches)
	total := make(chan int, 2*batches)
	var wg sync.WaitGroup
	for i, st := range stores {
		wg.Go(func() {
			for b := range batches {
				// Both save the same items, in the other's order.
				k := b
				if i == 1 {
					k = batches - 1 - b
				}
				fresh, err := st.SaveItems(t.Context(), benchItems(k*10, 10))
				if err != nil {
					errs <- err
					return
				}
				total <- len(fresh)
			}
		})
	}
	wg.Wait()
	close(errs)
	close(total)
	for err := range errs {
		t.Errorf("SaveItems: %v", err)
	}
	n := 0
	for k := range total {
		n += k
	}
	if n != batches*10 {
		t.Errorf("%d items came back as new, want %d", n, batches*10)
	}
}
