package bot_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"
	_ "modernc.org/sqlite"

	"github.com/alertbot/alertbot/bot"
)

// fakeMessenger records what it sends. Its next Sends fail with fails, in
// order; then they succeed.
type fakeMessenger struct {
	mu       sync.Mutex
	fails    []error
	accepted func() // called when a Send succeeds, before it returns
	calls    []time.Time
	sent     []bot.DeliverArgs
	ch       chan bot.DeliverArgs
}

func newMessenger(fails ...error) *fakeMessenger {
	return &fakeMessenger{fails: fails, ch: make(chan bot.DeliverArgs, 100)}
}

func (m *fakeMessenger) Send(ctx context.Context, chat string, a *bot.Alert) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.calls = append(m.calls, time.Now())
	if len(m.fails) > 0 {
		err := m.fails[0]
		m.fails = m.fails[1:]
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	d := bot.DeliverArgs{AlertID: a.ID, Chat: chat}
	m.sent = append(m.sent, d)
	m.ch <- d
	if m.accepted != nil {
		m.accepted()
	}
	return nil
}

func (m *fakeMessenger) sends() []bot.DeliverArgs {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]bot.DeliverArgs(nil), m.sent...)
}

func (m *fakeMessenger) callTimes() []time.Time {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]time.Time(nil), m.calls...)
}

// wait returns the next alert sent.
func (m *fakeMessenger) wait(t *testing.T) bot.DeliverArgs {
	t.Helper()
	select {
	case d := <-m.ch:
		return d
	case <-time.After(10 * time.Second):
		t.Fatal("nothing sent within 10s")
		return bot.DeliverArgs{}
	}
}

// fakeAlerts serves alerts 1 to 100.
type fakeAlerts struct{}

func (fakeAlerts) Alert(ctx context.Context, id int64) (*bot.Alert, error) {
	if id < 1 || id > 100 {
		return nil, fmt.Errorf("fake: alert %d: %w", id, bot.ErrAlertNotFound)
	}
	return &bot.Alert{ID: id, RuleID: "diplomat-summoned", Severity: "high", Title: fmt.Sprint("alert ", id)}, nil
}

// fakeDeliveries keeps Deliveries in memory. Its next MarkDelivered calls
// fail with markFails; all its methods fail with err when it is set.
type fakeDeliveries struct {
	mu        sync.Mutex
	marked    map[bot.DeliverArgs]int
	paused    map[string]string
	markFails []error
	err       error
}

func newDeliveries() *fakeDeliveries {
	return &fakeDeliveries{marked: map[bot.DeliverArgs]int{}, paused: map[string]string{}}
}

func (f *fakeDeliveries) Delivered(ctx context.Context, alertID int64, chat string) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.marked[bot.DeliverArgs{AlertID: alertID, Chat: chat}] > 0, f.err
}

func (f *fakeDeliveries) MarkDelivered(ctx context.Context, alertID int64, chat string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return err
	}
	if len(f.markFails) > 0 {
		err := f.markFails[0]
		f.markFails = f.markFails[1:]
		return err
	}
	f.marked[bot.DeliverArgs{AlertID: alertID, Chat: chat}]++
	return f.err
}

func (f *fakeDeliveries) PauseChat(ctx context.Context, chat, reason string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return f.err
	}
	f.paused[chat] = reason
	return nil
}

func (f *fakeDeliveries) MoveChat(ctx context.Context, from, to string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.err
}

func (f *fakeDeliveries) ChatPaused(ctx context.Context, chat string) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	_, ok := f.paused[chat]
	return ok, f.err
}

func (f *fakeDeliveries) timesMarked(id int64, chat string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.marked[bot.DeliverArgs{AlertID: id, Chat: chat}]
}

func (f *fakeDeliveries) pauseReason(chat string) (string, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	r, ok := f.paused[chat]
	return r, ok
}

func job(alertID int64, chat string, attempt int) *river.Job[bot.DeliverArgs] {
	return &river.Job[bot.DeliverArgs]{
		JobRow: &rivertype.JobRow{ID: 1, Attempt: attempt, MaxAttempts: bot.DeliverMaxAttempts},
		Args:   bot.DeliverArgs{AlertID: alertID, Chat: chat},
	}
}

func TestPlatform(t *testing.T) {
	tests := []struct{ chat, want string }{
		{"console", "console"},
		{"telegram:-1001234567890", "telegram"},
		{"telegram:-1001234567890/3", "telegram"},
		{"slack:C0123ABC", "slack"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := bot.Platform(tt.chat); got != tt.want {
			t.Errorf("Platform(%q) = %q, want %q", tt.chat, got, tt.want)
		}
	}
}

func TestDeliverArgs(t *testing.T) {
	args := bot.DeliverArgs{AlertID: 1, Chat: "console"}
	if args.Kind() != "deliver" {
		t.Errorf("Kind = %q", args.Kind())
	}
	opts := args.InsertOpts()
	if opts.Queue != bot.DeliverQueue || opts.MaxAttempts != 25 || !opts.UniqueOpts.ByArgs {
		t.Errorf("InsertOpts = %+v, want queue %q, 25 attempts, unique by args", opts, bot.DeliverQueue)
	}
	if d := bot.NewDeliverer(fakeAlerts{}, newDeliveries(), nil, nil); d.Timeout(job(1, "console", 1)) != 30*time.Second {
		t.Errorf("Timeout = %v, want 30s", d.Timeout(job(1, "console", 1)))
	}
}

// TestWork calls Work directly, as River would, and checks what it returns.
func TestWork(t *testing.T) {
	ctx := context.Background()
	errBoom := errors.New("boom")
	const chat = "telegram:-100123/3"

	tests := []struct {
		name       string
		alertID    int64
		chat       string
		attempt    int
		fails      []error // the messenger's
		setup      func(*fakeDeliveries)
		wantErr    string // "" nil, "cancel", "snooze DURATION", or a substring of a plain error
		wantSent   int
		wantMarked int
		wantPaused string // pause reason; "" not paused
		wantLog    string // a substring of the log
	}{
		{name: "Delivered", wantSent: 1, wantMarked: 1},
		{name: "AlreadyDelivered", setup: func(f *fakeDeliveries) { f.marked[bot.DeliverArgs{AlertID: 1, Chat: chat}] = 1 },
			wantMarked: 1, wantLog: "already delivered"},
		{name: "ChatPaused", setup: func(f *fakeDeliveries) { f.paused[chat] = "blocked" },
			wantErr: "cancel", wantPaused: "blocked", wantLog: "chat paused"},
		{name: "PlainError", fails: []error{errBoom}, wantErr: "bot: deliver alert 1 to " + chat + ": boom"},
		{name: "LastAttemptFails", attempt: 25, fails: []error{errBoom}, wantErr: "boom", wantLog: "level=ERROR msg=\"bot: delivery failed for good"},
		{name: "RetryAfter", fails: []error{fmt.Errorf("fake: %w", &bot.RetryAfter{Wait: 7 * time.Second})}, wantErr: "snooze 7s", wantLog: "rate limited"},
		{name: "RetryAfterZero", fails: []error{&bot.RetryAfter{}}, wantErr: "snooze 1s"},
		{name: "RetryAfterOnLastAttempt", attempt: 25, fails: []error{&bot.RetryAfter{Wait: time.Minute}}, wantErr: "snooze 1m0s"},
		{name: "ChatGone", fails: []error{fmt.Errorf("fake: Forbidden: bot was blocked by the user: %w", bot.ErrChatGone)},
			wantErr: "cancel", wantPaused: "fake: Forbidden: bot was blocked by the user: chat gone", wantLog: "chat gone"},
		{name: "ChatGonePauseFails", fails: []error{bot.ErrChatGone}, setup: func(f *fakeDeliveries) { f.err = errBoom },
			wantErr: "boom"},
		{name: "AlertNotFound", alertID: 404, wantErr: "cancel", wantLog: "alert not found"},
		{name: "NoMessenger", chat: "slack:C0123", wantErr: `no messenger for platform "slack"`},
		{name: "StoreDown", setup: func(f *fakeDeliveries) { f.err = errBoom }, wantErr: "boom"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			alertID, chat, attempt := cmpOr(tt.alertID, 1), cmpOr(tt.chat, chat), cmpOr(tt.attempt, 1)
			var logs bytes.Buffer
			logger := slog.New(slog.NewTextHandler(&logs, nil))
			m := newMessenger(tt.fails...)
			f := newDeliveries()
			if tt.setup != nil {
				tt.setup(f)
			}
			d := bot.NewDeliverer(fakeAlerts{}, f, map[string]bot.Messenger{"telegram": m, "console": newMessenger()}, logger)
			err := d.Work(ctx, job(alertID, chat, attempt))

			var cancel *river.JobCancelError
			var snooze *river.JobSnoozeError
			switch {
			case tt.wantErr == "":
				if err != nil {
					t.Errorf("Work = %v, want nil", err)
				}
			case tt.wantErr == "cancel":
				if !errors.As(err, &cancel) {
					t.Errorf("Work = %v, want JobCancel", err)
				}
			case strings.HasPrefix(tt.wantErr, "snooze "):
				if !errors.As(err, &snooze) || "snooze "+snooze.Duration.String() != tt.wantErr {
					t.Errorf("Work = %#v, want %s", err, tt.wantErr)
				}
			default:
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || errors.As(err, &cancel) || errors.As(err, &snooze) {
					t.Errorf("Work = %v, want a plain error with %q", err, tt.wantErr)
				}
			}
			if got := len(m.sends()); got != tt.wantSent {
				t.Errorf("sent %d, want %d", got, tt.wantSent)
			}
			if got := f.timesMarked(alertID, chat); got != tt.wantMarked {
				t.Errorf("marked %d times, want %d", got, tt.wantMarked)
			}
			if reason, _ := f.pauseReason(chat); reason != tt.wantPaused {
				t.Errorf("pause reason = %q, want %q", reason, tt.wantPaused)
			}
			if !strings.Contains(logs.String(), tt.wantLog) {
				t.Errorf("log lacks %q:\n%s", tt.wantLog, logs.String())
			}
			if tt.wantLog == "" && strings.Contains(logs.String(), "level=ERROR") {
				t.Errorf("unexpected error logged:\n%s", logs.String())
			}
		})
	}
}

func cmpOr[T comparable](v, fallback T) T {
	var zero T
	if v == zero {
		return fallback
	}
	return v
}

func TestWorkTwiceSendsOnce(t *testing.T) {
	ctx := context.Background()
	m := newMessenger()
	f := newDeliveries()
	d := bot.NewDeliverer(fakeAlerts{}, f, map[string]bot.Messenger{"console": m}, nil)
	for attempt := 1; attempt <= 2; attempt++ {
		if err := d.Work(ctx, job(5, "console", attempt)); err != nil {
			t.Fatalf("run %d: %v", attempt, err)
		}
	}
	// A second Deliverer, as after a restart or on another replica.
	d2 := bot.NewDeliverer(fakeAlerts{}, f, map[string]bot.Messenger{"console": m}, nil)
	if err := d2.Work(ctx, job(5, "console", 1)); err != nil {
		t.Fatal(err)
	}
	if got := m.sends(); len(got) != 1 {
		t.Errorf("sent %v, want once", got)
	}
	if got := f.timesMarked(5, "console"); got != 1 {
		t.Errorf("marked %d times, want 1", got)
	}
}

func TestWorkMarkFailsThenRecordsWithoutSending(t *testing.T) {
	ctx := context.Background()
	m := newMessenger()
	f := newDeliveries()
	f.markFails = []error{errors.New("database is locked"), errors.New("database is locked")}
	d := bot.NewDeliverer(fakeAlerts{}, f, map[string]bot.Messenger{"console": m}, nil)
	for attempt := 1; attempt <= 2; attempt++ {
		err := d.Work(ctx, job(5, "console", attempt))
		if err == nil || !strings.Contains(err.Error(), "sent, but not recorded: database is locked") {
			t.Fatalf("attempt %d: err = %v, want the MarkDelivered error", attempt, err)
		}
	}
	if err := d.Work(ctx, job(5, "console", 3)); err != nil {
		t.Fatalf("attempt 3: %v", err)
	}
	if got := m.sends(); len(got) != 1 {
		t.Errorf("sent %v, want once", got)
	}
	if got := f.timesMarked(5, "console"); got != 1 {
		t.Errorf("marked %d times, want 1", got)
	}
}

func TestWorkMarkFailsOnLastAttempt(t *testing.T) {
	var logs bytes.Buffer
	m := newMessenger()
	f := newDeliveries()
	f.markFails = []error{errors.New("disk I/O error")}
	d := bot.NewDeliverer(fakeAlerts{}, f, map[string]bot.Messenger{"console": m}, slog.New(slog.NewTextHandler(&logs, nil)))
	if err := d.Work(context.Background(), job(5, "console", bot.DeliverMaxAttempts)); err != nil {
		t.Errorf("Work = %v, want nil: the alert was sent", err)
	}
	if !strings.Contains(logs.String(), `level=ERROR msg="bot: alert sent, but its delivery not recorded`) {
		t.Errorf("log lacks the error:\n%s", logs.String())
	}
	if got := len(m.sends()); got != 1 {
		t.Errorf("sent %d times, want 1", got)
	}
}

func TestWorkRecordsSendEvenWhenJobDeadlinePassed(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	m := newMessenger()
	f := newDeliveries()
	d := bot.NewDeliverer(fakeAlerts{}, f, map[string]bot.Messenger{"console": m}, nil)
	// The platform accepts the message, and then the job's time is up.
	m.accepted = cancel
	if err := d.Work(ctx, job(5, "console", 1)); err != nil {
		t.Fatal(err)
	}
	if got := f.timesMarked(5, "console"); got != 1 {
		t.Errorf("marked %d times, want 1", got)
	}
}

// River on a real SQLite file, as the app runs it.

func openRiverDB(t *testing.T) *sql.DB {
	t.Helper()
	path := filepath.Join(t.TempDir(), "alertbot.db")
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_txlock=immediate")
	if err != nil {
		t.Fatal(err)
	}
	// One connection for River, as the store gives it (store.DB).
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	m, err := rivermigrate.New(riversqlite.New(db), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Migrate(context.Background(), rivermigrate.DirectionUp, nil); err != nil {
		t.Fatalf("river migrate: %v", err)
	}
	return db
}

// fastRetry retries after base, 2·base, 4·base… instead of River's attempt⁴
// seconds, so the tests run in seconds.
type fastRetry struct{ base time.Duration }

func (p fastRetry) NextRetry(job *rivertype.JobRow) time.Time {
	return time.Now().Add(p.base << (job.Attempt - 1))
}

const retryBase = 200 * time.Millisecond

type tWriter struct{ t *testing.T }

func (w tWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

func startRiver(t *testing.T, db *sql.DB, d *bot.Deliverer) *river.Client[*sql.Tx] {
	t.Helper()
	workers := river.NewWorkers()
	river.AddWorker(workers, d)
	client, err := river.NewClient(riversqlite.New(db), &river.Config{
		FetchCooldown:     20 * time.Millisecond,
		FetchPollInterval: 50 * time.Millisecond,
		Queues:            map[string]river.QueueConfig{bot.DeliverQueue: {MaxWorkers: 4}},
		RetryPolicy:       fastRetry{base: retryBase},
		Workers:           workers,
		Logger:            slog.New(slog.NewTextHandler(tWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn})),
	})
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
			t.Errorf("stop river: %v", err)
		}
	})
	return client
}

// waitState polls until the job reaches want (River records the outcome a
// moment after Work returns).
func waitState(t *testing.T, client *river.Client[*sql.Tx], id int64, want rivertype.JobState) *rivertype.JobRow {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		job, err := client.JobGet(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if job.State == want {
			return job
		}
		if time.Now().After(deadline) {
			t.Fatalf("job %d is %s, want %s (errors %v)", id, job.State, want, job.Errors)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// insert inserts a delivery job in a transaction, as the app does next to
// the alert's row.
func insert(t *testing.T, db *sql.DB, client *river.Client[*sql.Tx], args bot.DeliverArgs) *rivertype.JobInsertResult {
	t.Helper()
	ctx := context.Background()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := client.InsertTx(ctx, tx, args, nil)
	if err != nil {
		tx.Rollback()
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	return res
}

func TestDeliverWithRiver(t *testing.T) {
	t.Parallel()
	type env struct {
		db     *sql.DB
		client *river.Client[*sql.Tx]
		m      *fakeMessenger
		f      *fakeDeliveries
	}
	setup := func(t *testing.T, fails ...error) env {
		db := openRiverDB(t)
		m, f := newMessenger(fails...), newDeliveries()
		d := bot.NewDeliverer(fakeAlerts{}, f, map[string]bot.Messenger{"console": m, "telegram": m}, slog.New(slog.NewTextHandler(tWriter{t}, nil)))
		return env{db: db, client: startRiver(t, db, d), m: m, f: f}
	}

	t.Run("DeliveredOnce", func(t *testing.T) {
		t.Parallel()
		e := setup(t)
		args := bot.DeliverArgs{AlertID: 1, Chat: "console"}
		res := insert(t, e.db, e.client, args)
		if got := e.m.wait(t); got != args {
			t.Errorf("sent %v, want %v", got, args)
		}
		job := waitState(t, e.client, res.Job.ID, rivertype.JobStateCompleted)
		if job.Queue != bot.DeliverQueue || job.MaxAttempts != bot.DeliverMaxAttempts {
			t.Errorf("job queue %q, max attempts %d", job.Queue, job.MaxAttempts)
		}
		if got := e.f.timesMarked(1, "console"); got != 1 {
			t.Errorf("marked %d times, want 1", got)
		}
		// The same alert for the same chat again: River refuses the duplicate.
		again := insert(t, e.db, e.client, args)
		if !again.UniqueSkippedAsDuplicate || again.Job.ID != res.Job.ID {
			t.Errorf("second insert: skipped %v, id %d (first %d)", again.UniqueSkippedAsDuplicate, again.Job.ID, res.Job.ID)
		}
		// Another chat is another job.
		other := insert(t, e.db, e.client, bot.DeliverArgs{AlertID: 1, Chat: "telegram:-100123"})
		if other.UniqueSkippedAsDuplicate {
			t.Error("the alert for another chat was skipped as a duplicate")
		}
		e.m.wait(t)
		waitState(t, e.client, other.Job.ID, rivertype.JobStateCompleted)
		if got := e.m.sends(); len(got) != 2 {
			t.Errorf("sent %v, want the alert once to each chat", got)
		}
	})

	t.Run("RetriedAfterError", func(t *testing.T) {
		t.Parallel()
		e := setup(t, errors.New("connection reset"), errors.New("502 Bad Gateway"))
		res := insert(t, e.db, e.client, bot.DeliverArgs{AlertID: 2, Chat: "console"})
		e.m.wait(t)
		job := waitState(t, e.client, res.Job.ID, rivertype.JobStateCompleted)
		if job.Attempt != 3 || len(job.Errors) != 2 {
			t.Errorf("attempt %d with %d errors, want 3 and 2", job.Attempt, len(job.Errors))
		}
		if len(job.Errors) > 0 && !strings.Contains(job.Errors[0].Error, "bot: deliver alert 2 to console: connection reset") {
			t.Errorf("first error = %q", job.Errors[0].Error)
		}
		calls := e.m.callTimes()
		if len(calls) != 3 {
			t.Fatalf("Send called %d times, want 3", len(calls))
		}
		if gap := calls[1].Sub(calls[0]); gap < retryBase {
			t.Errorf("first retry after %v, want >= %v", gap, retryBase)
		}
		if got := len(e.m.sends()); got != 1 {
			t.Errorf("sent %d times, want 1", got)
		}
	})

	t.Run("SnoozedOnRetryAfter", func(t *testing.T) {
		t.Parallel()
		const wait = time.Second
		e := setup(t, &bot.RetryAfter{Wait: wait})
		res := insert(t, e.db, e.client, bot.DeliverArgs{AlertID: 3, Chat: "telegram:-100123/3"})
		e.m.wait(t)
		job := waitState(t, e.client, res.Job.ID, rivertype.JobStateCompleted)
		calls := e.m.callTimes()
		if len(calls) != 2 {
			t.Fatalf("Send called %d times, want 2", len(calls))
		}
		if gap := calls[1].Sub(calls[0]); gap < wait {
			t.Errorf("sent again after %v, want >= %v", gap, wait)
		}
		if len(job.Errors) != 0 || job.Attempt != 1 {
			t.Errorf("snooze used an attempt: attempt %d, errors %v", job.Attempt, job.Errors)
		}
	})

	t.Run("PausedChatCancelled", func(t *testing.T) {
		t.Parallel()
		e := setup(t)
		e.f.paused["telegram:-100999"] = "Forbidden: bot was kicked from the supergroup chat"
		res := insert(t, e.db, e.client, bot.DeliverArgs{AlertID: 4, Chat: "telegram:-100999"})
		waitState(t, e.client, res.Job.ID, rivertype.JobStateCancelled)
		if calls := e.m.callTimes(); len(calls) != 0 {
			t.Errorf("Send called %d times for a paused chat", len(calls))
		}
	})

	t.Run("ChatGonePausesAndCancels", func(t *testing.T) {
		t.Parallel()
		e := setup(t, fmt.Errorf("telegram: send to telegram:-100777: Forbidden: bot was blocked by the user: %w", bot.ErrChatGone))
		gone := insert(t, e.db, e.client, bot.DeliverArgs{AlertID: 5, Chat: "telegram:-100777"})
		waitState(t, e.client, gone.Job.ID, rivertype.JobStateCancelled)
		if reason, ok := e.f.pauseReason("telegram:-100777"); !ok || !strings.Contains(reason, "bot was blocked by the user") {
			t.Errorf("pause reason = %q, %v", reason, ok)
		}
		// The next alert for that chat is not sent; another chat still gets it.
		next := insert(t, e.db, e.client, bot.DeliverArgs{AlertID: 6, Chat: "telegram:-100777"})
		waitState(t, e.client, next.Job.ID, rivertype.JobStateCancelled)
		other := insert(t, e.db, e.client, bot.DeliverArgs{AlertID: 6, Chat: "console"})
		waitState(t, e.client, other.Job.ID, rivertype.JobStateCompleted)
		if got := e.m.sends(); len(got) != 1 || got[0].Chat != "console" {
			t.Errorf("sent %v, want only to the console", got)
		}
		if calls := e.m.callTimes(); len(calls) != 2 {
			t.Errorf("Send called %d times, want 2 (the gone chat once, the console once)", len(calls))
		}
	})

	t.Run("RolledBackAlertHasNoJob", func(t *testing.T) {
		t.Parallel()
		e := setup(t)
		ctx := context.Background()
		tx, err := e.db.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.client.InsertTx(ctx, tx, bot.DeliverArgs{AlertID: 7, Chat: "console"}, nil); err != nil {
			t.Fatal(err)
		}
		if err := tx.Rollback(); err != nil {
			t.Fatal(err)
		}
		res := insert(t, e.db, e.client, bot.DeliverArgs{AlertID: 8, Chat: "console"})
		waitState(t, e.client, res.Job.ID, rivertype.JobStateCompleted)
		if got := e.m.sends(); len(got) != 1 || got[0].AlertID != 8 {
			t.Errorf("sent %v, want alert 8 only", got)
		}
	})
}
