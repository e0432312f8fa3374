package store_test

import (
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"
)

// QueueDepth on River's own schema on PostgreSQL, where river_job.state is
// an enum type.
func TestQueueDepthRiverPostgres(t *testing.T) {
	dsn := os.Getenv(postgresEnv)
	if dsn == "" {
		t.Skip("set " + postgresEnv + " to a PostgreSQL URL to run on PostgreSQL")
	}
	ctx := t.Context()
	st := openPostgres(t, dsn)
	if n, err := st.QueueDepth(ctx); n != 0 || err != nil {
		t.Fatalf("QueueDepth before River's migrations = %d, %v; want 0, nil", n, err)
	}
	// River's pool, in the Store's schema.
	var schema string
	if err := st.DB().QueryRowContext(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
		t.Fatal(err)
	}
	pool, err := pgxpool.New(ctx, st.DSN())
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	migrator, err := rivermigrate.New(riverpgxv5.New(pool), &rivermigrate.Config{Schema: schema})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := migrator.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		t.Fatalf("river migrate: %v", err)
	}
	client, err := river.NewClient(riverpgxv5.New(pool), &river.Config{Schema: schema}) // insert-only
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.Insert(ctx, stepArgs{Name: "now"}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := client.Insert(ctx, stepArgs{Name: "later"}, &river.InsertOpts{ScheduledAt: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	res, err := client.Insert(ctx, stepArgs{Name: "cancelled"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.JobCancel(ctx, res.Job.ID); err != nil {
		t.Fatal(err)
	}
	if n, err := st.QueueDepth(ctx); n != 2 || err != nil {
		t.Errorf("QueueDepth = %d, %v; want 2 (one available, one scheduled)", n, err)
	}
}
