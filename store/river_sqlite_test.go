package store_test

// Step 1: can River run durable jobs on SQLite (riversqlite over
// modernc.org/sqlite)? Each subtest proves one property the delivery and
// digest jobs rely on, on a real WAL file in t.TempDir().

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"

	"github.com/alertbot/alertbot/sources"
	"github.com/alertbot/alertbot/store"
)

// riverHelperEnv makes the test binary act as a River worker process that
// the rescue test kills with SIGKILL in the middle of a job.
const riverHelperEnv = "ALERTBOT_RIVER_HELPER_DB"

func TestMain(m *testing.M) {
	if path := os.Getenv(riverHelperEnv); path != "" {
		os.Exit(riverHelper(path))
	}
	os.Exit(m.Run())
}

// openRiverStore opens our store on path and returns it with its writer
// pool, which River's driver and migrator use: River's tables live in the
// same file as ours.
func openRiverStore(t testing.TB, path string) (*store.Store, *sql.DB) {
	t.Helper()
	st, err := store.Open(context.Background(), "sqlite:"+path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st, st.DB()
}

func migrateRiver(t testing.TB, db *sql.DB) {
	t.Helper()
	m, err := rivermigrate.New(riversqlite.New(db), nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := m.Migrate(context.Background(), rivermigrate.DirectionUp, nil)
	if err != nil {
		t.Fatalf("river migrate: %v", err)
	}
	if len(res.Versions) == 0 {
		t.Fatal("river migrate applied no versions")
	}
}

// run is one execution of a job, as a worker saw it.
type run struct {
	name    string
	attempt int
	at      time.Time
}

type recorder struct {
	mu   sync.Mutex
	runs []run
	ch   chan run
}

func newRecorder() *recorder { return &recorder{ch: make(chan run, 100)} }

func (r *recorder) add(name string, attempt int) run {
	x := run{name: name, attempt: attempt, at: time.Now()}
	r.mu.Lock()
	r.runs = append(r.runs, x)
	r.mu.Unlock()
	r.ch <- x
	return x
}

func (r *recorder) count(name string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, x := range r.runs {
		if x.name == name {
			n++
		}
	}
	return n
}

// wait returns the next run of the named job.
func (r *recorder) wait(t *testing.T, name string, timeout time.Duration) run {
	t.Helper()
	deadline := time.After(timeout)
	for {
		select {
		case x := <-r.ch:
			if x.name == name {
				return x
			}
		case <-deadline:
			t.Fatalf("job %q did not run within %v", name, timeout)
		}
	}
}

type stepArgs struct {
	Name      string        `json:"name"`
	FailTimes int           `json:"fail_times,omitempty"` // fail this many attempts first
	Snooze    time.Duration `json:"snooze,omitempty"`     // snooze once for this long
	Block     bool          `json:"block,omitempty"`      // attempt 1 blocks forever (crash test)
}

func (stepArgs) Kind() string { return "step1" }

type stepWorker struct {
	river.WorkerDefaults[stepArgs]
	rec    *recorder
	marker string // crash helper: file to create when blocking

	mu      sync.Mutex
	snoozed map[int64]bool
}

func (w *stepWorker) Work(ctx context.Context, job *river.Job[stepArgs]) error {
	if job.Args.Block && job.Attempt == 1 {
		if w.marker != "" {
			os.WriteFile(w.marker, []byte("running"), 0o600)
		}
		select {} // the process dies here
	}
	if w.rec != nil {
		w.rec.add(job.Args.Name, job.Attempt)
	}
	if job.Attempt <= job.Args.FailTimes {
		return fmt.Errorf("step1: planned failure on attempt %d", job.Attempt)
	}
	if job.Args.Snooze > 0 {
		w.mu.Lock()
		first := !w.snoozed[job.ID]
		if w.snoozed == nil {
			w.snoozed = map[int64]bool{}
		}
		w.snoozed[job.ID] = true
		w.mu.Unlock()
		if first {
			return river.JobSnooze(job.Args.Snooze)
		}
	}
	return nil
}

// fastRetry retries after base, 2*base, 4*base… instead of River's attempt^4
// seconds, so the test runs in seconds.
type fastRetry struct{ base time.Duration }

func (p fastRetry) NextRetry(job *rivertype.JobRow) time.Time {
	return time.Now().Add(p.base << (job.Attempt - 1))
}

const retryBase = 300 * time.Millisecond

func riverConfig(w *stepWorker, logger *slog.Logger) *river.Config {
	workers := river.NewWorkers()
	river.AddWorker(workers, w)
	return &river.Config{
		FetchCooldown:     20 * time.Millisecond,
		FetchPollInterval: 100 * time.Millisecond,
		Queues:            map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 4}},
		RetryPolicy:       fastRetry{base: retryBase},
		Workers:           workers,
		Logger:            logger,
	}
}

func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(tWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

type tWriter struct{ t *testing.T }

func (w tWriter) Write(p []byte) (int, error) { w.t.Log(string(p)); return len(p), nil }

func startClient(t *testing.T, db *sql.DB, cfg *river.Config) *river.Client[*sql.Tx] {
	t.Helper()
	client, err := river.NewClient(riversqlite.New(db), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := client.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := client.Stop(ctx); err != nil {
			t.Errorf("stop river client: %v", err)
		}
	})
	return client
}

func jobState(t *testing.T, client *river.Client[*sql.Tx], id int64) *rivertype.JobRow {
	t.Helper()
	job, err := client.JobGet(context.Background(), id)
	if err != nil {
		t.Fatalf("get job %d: %v", id, err)
	}
	return job
}

// waitState polls until job id reaches want (River marks completion
// asynchronously, a moment after Work returns).
func waitState(t *testing.T, client *river.Client[*sql.Tx], id int64, want rivertype.JobState) *rivertype.JobRow {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		job := jobState(t, client, id)
		if job.State == want {
			return job
		}
		if time.Now().After(deadline) {
			t.Fatalf("job %d state = %s, want %s", id, job.State, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func countRows(t *testing.T, db *sql.DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := db.QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

func TestRiverSQLite(t *testing.T) {
	t.Parallel()
	ctx := context.Background()

	setup := func(t *testing.T) (*store.Store, *sql.DB, *recorder, *river.Client[*sql.Tx]) {
		st, db := openRiverStore(t, filepath.Join(t.TempDir(), "alertbot.db"))
		migrateRiver(t, db)
		rec := newRecorder()
		client := startClient(t, db, riverConfig(&stepWorker{rec: rec}, testLogger(t)))
		return st, db, rec, client
	}

	t.Run("MigrationsShareTheDatabase", func(t *testing.T) {
		t.Parallel()
		st, db, _, _ := setup(t)
		for _, table := range []string{"river_job", "river_migration", "river_leader", "schema_migrations", "items", "alerts"} {
			if got := countRows(t, db, `SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = ?`, table); got != 1 {
				t.Errorf("table %s: %d, want 1", table, got)
			}
		}
		if ok, err := st.MigrationsApplied(ctx); !ok || err != nil {
			t.Errorf("MigrationsApplied = %v, %v", ok, err)
		}
		var mode string
		if err := db.QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil || mode != "wal" {
			t.Errorf("journal_mode = %q, %v; want wal", mode, err)
		}
	})

	t.Run("QueueDepthCountsWaitingJobs", func(t *testing.T) {
		t.Parallel()
		st, db := openRiverStore(t, filepath.Join(t.TempDir(), "alertbot.db"))
		if n, err := st.QueueDepth(ctx); n != 0 || err != nil {
			t.Fatalf("QueueDepth before River's migrations = %d, %v; want 0, nil", n, err)
		}
		migrateRiver(t, db)
		// An insert-only client: nothing works the jobs off.
		client, err := river.NewClient(riversqlite.New(db), &river.Config{})
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
	})

	t.Run("InsertTxCommitsOrRollsBackWithOurRow", func(t *testing.T) {
		t.Parallel()
		st, db, rec, client := setup(t)
		if _, err := st.SaveItems(ctx, []sources.Item{{Source: "tass", ID: "1", Title: "МИД вызвал поверенного"}}); err != nil {
			t.Fatal(err)
		}
		errRollback := errors.New("rollback")
		alertAndJob := func(rule string, commit bool) error {
			return st.WithTx(ctx, func(tx *sql.Tx) error {
				id, err := st.InsertAlertTx(ctx, tx, store.Alert{Source: "tass", ItemID: "1", RuleID: rule})
				if err != nil {
					return err
				}
				if _, err := client.InsertTx(ctx, tx, stepArgs{Name: fmt.Sprint(rule, " alert ", id)}, nil); err != nil {
					return err
				}
				if !commit {
					return errRollback
				}
				return nil
			})
		}
		if err := alertAndJob("rolled-back", false); !errors.Is(err, errRollback) {
			t.Fatal(err)
		}
		if err := alertAndJob("committed", true); err != nil {
			t.Fatal(err)
		}
		var alertID int64
		if err := db.QueryRow(`SELECT id FROM alerts WHERE rule_id = 'committed'`).Scan(&alertID); err != nil {
			t.Fatal(err)
		}
		rec.wait(t, fmt.Sprint("committed alert ", alertID), 10*time.Second)
		if got := countRows(t, db, `SELECT count(*) FROM alerts WHERE rule_id = 'rolled-back'`); got != 0 {
			t.Errorf("rolled-back alerts = %d, want 0", got)
		}
		if got := countRows(t, db, `SELECT count(*) FROM river_job WHERE args LIKE '%rolled-back%'`); got != 0 {
			t.Errorf("rolled-back jobs = %d, want 0", got)
		}
		// The same item and rule again: no alert, so no second job.
		if err := alertAndJob("committed", true); !errors.Is(err, store.ErrAlertExists) {
			t.Errorf("second alert: err = %v, want ErrAlertExists", err)
		}
		if got := countRows(t, db, `SELECT count(*) FROM river_job`); got != 1 {
			t.Errorf("river_job rows = %d, want 1", got)
		}
	})

	t.Run("FailingWorkerIsRetriedWithBackoff", func(t *testing.T) {
		t.Parallel()
		_, _, rec, client := setup(t)
		res, err := client.Insert(ctx, stepArgs{Name: "flaky", FailTimes: 2}, nil)
		if err != nil {
			t.Fatal(err)
		}
		r1 := rec.wait(t, "flaky", 10*time.Second)
		r2 := rec.wait(t, "flaky", 10*time.Second)
		r3 := rec.wait(t, "flaky", 10*time.Second)
		if r1.attempt != 1 || r2.attempt != 2 || r3.attempt != 3 {
			t.Errorf("attempts = %d, %d, %d, want 1, 2, 3", r1.attempt, r2.attempt, r3.attempt)
		}
		if gap := r2.at.Sub(r1.at); gap < retryBase {
			t.Errorf("first retry after %v, want >= %v", gap, retryBase)
		}
		if gap := r3.at.Sub(r2.at); gap < 2*retryBase {
			t.Errorf("second retry after %v, want >= %v", gap, 2*retryBase)
		}
		job := waitState(t, client, res.Job.ID, rivertype.JobStateCompleted)
		if len(job.Errors) != 2 {
			t.Errorf("recorded errors = %d, want 2", len(job.Errors))
		}
		t.Logf("retries ran %v and %v after the failures", r2.at.Sub(r1.at).Round(time.Millisecond), r3.at.Sub(r2.at).Round(time.Millisecond))
	})

	t.Run("SnoozedJobRunsAgainAfterDelay", func(t *testing.T) {
		t.Parallel()
		_, _, rec, client := setup(t)
		const snooze = 1500 * time.Millisecond
		res, err := client.Insert(ctx, stepArgs{Name: "snoozy", Snooze: snooze}, nil)
		if err != nil {
			t.Fatal(err)
		}
		r1 := rec.wait(t, "snoozy", 10*time.Second)
		r2 := rec.wait(t, "snoozy", 10*time.Second)
		if gap := r2.at.Sub(r1.at); gap < snooze {
			t.Errorf("ran again after %v, want >= %v", gap, snooze)
		}
		job := waitState(t, client, res.Job.ID, rivertype.JobStateCompleted)
		if len(job.Errors) != 0 {
			t.Errorf("a snooze recorded errors: %v", job.Errors)
		}
		t.Logf("snoozed %v, ran again after %v (attempt %d then %d)", snooze, r2.at.Sub(r1.at).Round(time.Millisecond), r1.attempt, r2.attempt)
	})

	t.Run("UniqueByArgsInsertsOnce", func(t *testing.T) {
		t.Parallel()
		_, db, _, client := setup(t)
		opts := &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true}, ScheduledAt: time.Now().Add(time.Hour)}
		var ids []int64
		for i := range 3 {
			tx, err := db.BeginTx(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			res, err := client.InsertTx(ctx, tx, stepArgs{Name: "digest chat-1 2024-02-03T08:00"}, opts)
			if err != nil {
				t.Fatal(err)
			}
			if err := tx.Commit(); err != nil {
				t.Fatal(err)
			}
			if want := i > 0; res.UniqueSkippedAsDuplicate != want {
				t.Errorf("insert %d: UniqueSkippedAsDuplicate = %v, want %v", i, res.UniqueSkippedAsDuplicate, want)
			}
			ids = append(ids, res.Job.ID)
		}
		if ids[1] != ids[0] || ids[2] != ids[0] {
			t.Errorf("job ids = %v, want one id", ids)
		}
		other, err := client.Insert(ctx, stepArgs{Name: "digest chat-2 2024-02-03T08:00"}, opts)
		if err != nil {
			t.Fatal(err)
		}
		if other.UniqueSkippedAsDuplicate {
			t.Error("a job with other args was skipped as a duplicate")
		}
		if got := countRows(t, db, `SELECT count(*) FROM river_job`); got != 2 {
			t.Errorf("river_job rows = %d, want 2", got)
		}
	})

	t.Run("JobOfKilledProcessIsRescued", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		path := filepath.Join(dir, "alertbot.db")
		_, db := openRiverStore(t, path)
		migrateRiver(t, db)

		// Another process (this test binary, see TestMain) starts a client,
		// takes the job and blocks in Work; we SIGKILL it there.
		marker := filepath.Join(dir, "running")
		cmd := exec.Command(os.Args[0])
		cmd.Env = append(os.Environ(), riverHelperEnv+"="+path, "ALERTBOT_RIVER_HELPER_MARKER="+marker)
		cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(20 * time.Second)
		for {
			if _, err := os.Stat(marker); err == nil {
				break
			}
			if time.Now().After(deadline) {
				cmd.Process.Kill()
				t.Fatal("helper process did not start the job")
			}
			time.Sleep(20 * time.Millisecond)
		}
		if err := cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		cmd.Wait()
		killed := time.Now()

		var state string
		var attempt int
		if err := db.QueryRow(`SELECT state, attempt FROM river_job WHERE kind = 'step1'`).Scan(&state, &attempt); err != nil {
			t.Fatal(err)
		}
		if state != "running" || attempt != 1 {
			t.Fatalf("after the kill: state %s attempt %d, want running 1", state, attempt)
		}

		// The killed process was River's leader: a new client can lead (and
		// run the rescuer) only once that lease expires.
		var leaseLeft time.Duration
		var expires string
		if err := db.QueryRow(`SELECT expires_at FROM river_leader`).Scan(&expires); err == nil {
			if at, err := time.Parse(time.RFC3339Nano, strings.Replace(expires, " ", "T", 1)); err == nil {
				leaseLeft = time.Until(at)
			} else {
				t.Logf("river_leader.expires_at = %q", expires)
			}
		}

		rec := newRecorder()
		cfg := riverConfig(&stepWorker{rec: rec}, testLogger(t))
		cfg.JobTimeout = time.Second
		cfg.RescueStuckJobsAfter = 2 * time.Second
		startClient(t, db, cfg)
		r := rec.wait(t, "crash", 60*time.Second)
		if r.attempt != 2 {
			t.Errorf("rescued run attempt = %d, want 2", r.attempt)
		}
		t.Logf("job held by the killed process ran again %v after the kill (its leader lease had %v left)",
			r.at.Sub(killed).Round(100*time.Millisecond), leaseLeft.Round(100*time.Millisecond))
	})
}

// riverHelper is the process the rescue test kills: it inserts one job and
// works it until the job blocks.
func riverHelper(path string) int {
	st, err := store.Open(context.Background(), "sqlite:"+path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	db := st.DB()
	w := &stepWorker{marker: os.Getenv("ALERTBOT_RIVER_HELPER_MARKER")}
	workers := river.NewWorkers()
	river.AddWorker(workers, w)
	client, err := river.NewClient(riversqlite.New(db), &river.Config{
		FetchCooldown:     20 * time.Millisecond,
		FetchPollInterval: 100 * time.Millisecond,
		Queues:            map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 1}},
		Workers:           workers,
		Logger:            slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	ctx := context.Background()
	if _, err := client.Insert(ctx, stepArgs{Name: "crash", Block: true}, nil); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if err := client.Start(ctx); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	time.Sleep(time.Minute) // killed long before
	return 1
}
