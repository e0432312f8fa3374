package store

import (
	"database/sql"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/alertbot/alertbot/sources"
)

// Databases made by a binary that carried only 0001 exist: Open must bring
// them up to date and read their alerts.
func TestMigrateFromFirstVersion(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		testMigrateFromFirstVersion(t, "sqlite:"+filepath.Join(t.TempDir(), "alertbot.db"))
	})
	t.Run("postgres", func(t *testing.T) {
		dsn := os.Getenv("ALERTBOT_TEST_POSTGRES")
		if dsn == "" {
			t.Skip("set ALERTBOT_TEST_POSTGRES to a PostgreSQL URL to run on PostgreSQL")
		}
		admin, err := sql.Open("pgx", dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer admin.Close()
		schema := fmt.Sprintf("alertbot_test_migrate_%d", os.Getpid())
		if _, err := admin.Exec(`CREATE SCHEMA ` + schema); err != nil {
			t.Fatal(err)
		}
		defer admin.Exec(`DROP SCHEMA ` + schema + ` CASCADE`)
		sep := "?"
		if strings.Contains(dsn, "?") {
			sep = "&"
		}
		testMigrateFromFirstVersion(t, dsn+sep+"search_path="+schema)
	})
}

func testMigrateFromFirstVersion(t *testing.T, dsn string) {
	ctx := t.Context()
	// The Store of that binary: Open with only 0001.
	old := &Store{dsn: dsn}
	now := time.Now
	old.now.Store(&now)
	var err error
	if strings.HasPrefix(dsn, "sqlite:") {
		err = old.openSQLite(ctx, strings.TrimPrefix(dsn, "sqlite:"))
	} else {
		err = old.openPostgres(ctx, dsn)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	first, err := fs.ReadFile(old.d.migrations, "0001_init.sql")
	if err != nil {
		t.Fatal(err)
	}
	old.d.migrations = fstest.MapFS{"0001_init.sql": {Data: first}}
	if err := old.migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := old.SaveItems(ctx, []sources.Item{{Source: "tass", ID: "1", Title: "МИД вызвал поверенного"}}); err != nil {
		t.Fatal(err)
	}
	var id int64
	err = old.w.QueryRowContext(ctx, old.d.rebind(`INSERT INTO alerts (source, item_id, rule_id, created_at)
		VALUES (?, ?, ?, ?) RETURNING id`), "tass", "1", "diplomat-summoned", old.d.timeArg(time.Now())).Scan(&id)
	if err != nil {
		t.Fatal(err)
	}
	if err := old.Close(); err != nil {
		t.Fatal(err)
	}

	st, err := Open(ctx, dsn)
	if err != nil {
		t.Fatalf("Open of a database at 0001: %v", err)
	}
	defer st.Close()
	if ok, err := st.MigrationsApplied(ctx); !ok || err != nil {
		t.Errorf("MigrationsApplied = %v, %v", ok, err)
	}
	a, err := st.GetAlert(ctx, id)
	if err != nil || a.RuleID != "diplomat-summoned" || len(a.Folded) != 0 {
		t.Errorf("GetAlert of an alert stored at 0001 = %+v, %v", a, err)
	}
	if err := st.MarkDelivered(ctx, id, "console"); err != nil {
		t.Fatal(err)
	}
	if done, err := st.Delivered(ctx, id, "console"); !done || err != nil {
		t.Errorf("Delivered = %v, %v", done, err)
	}
}
