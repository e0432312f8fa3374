package app

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/riverqueue/river"

	"github.com/alertbot/alertbot/bot"
	"github.com/alertbot/alertbot/bot/console"
	"github.com/alertbot/alertbot/rules"
	"github.com/alertbot/alertbot/store"
)

const (
	// digestScan is how often the schedules are read again even when no
	// command changed them here: another replica's commands, a reload.
	digestScan = time.Minute
	// firstDigestSpan is what a chat's first digest covers, at least,
	// when the schedule is newer than that; firstDigestMax at most.
	firstDigestSpan = 24 * time.Hour
	firstDigestMax  = 7 * 24 * time.Hour
	// digestWorkers is how many digests are sent at once.
	digestWorkers = 4
)

// digests keeps the chats' digests: it queues each chat's digest job when
// its schedule falls due (run), gives the DigestWorker the runs and their
// contents (bot.Digests), and shows and changes schedules for the digest
// command (bot.DigestSettings).
type digests struct {
	st   *store.Store
	cfg  *atomic.Pointer[running]
	jobs *river.Client[*sql.Tx]
	now  func() time.Time
	log  *slog.Logger
	wake chan struct{}      // a schedule changed: scan now
	done prometheus.Counter // digests done, for /metrics; nil: not counted

	mu    sync.Mutex
	zones map[string]*time.Location // chat -> the zone of its digest, as last scanned
}

var (
	_ bot.Digests        = (*digests)(nil)
	_ bot.DigestSettings = (*digests)(nil)
)

func newDigests(st *store.Store, cfg *atomic.Pointer[running], now func() time.Time, log *slog.Logger, done prometheus.Counter) *digests {
	return &digests{st: st, cfg: cfg, now: now, log: log, done: done, wake: make(chan struct{}, 1), zones: map[string]*time.Location{}}
}

// digestSchedules are the config's digest schedules, as the store keeps
// them.
func digestSchedules(cfg *Config) []store.DigestSchedule {
	var out []store.DigestSchedule
	for _, s := range cfg.Subscriptions {
		if s.Digest != nil {
			quiet := s.Digest.Quiet
			if quiet == "say" {
				quiet = ""
			}
			out = append(out, store.DigestSchedule{Chat: s.Chat, Cron: s.Digest.Cron, TZ: s.Digest.TZ, Quiet: quiet, Static: true})
		}
	}
	return out
}

// schedule parses a stored schedule; nil when digests are off.
func schedule(sc store.DigestSchedule) (*bot.Schedule, error) {
	if sc.Cron == "" {
		return nil, nil
	}
	tz, err := bot.LoadZone(sc.TZ)
	if err != nil {
		return nil, err
	}
	return bot.ParseSchedule(sc.Cron, tz)
}

// zone returns the time zone of chat's digest, in which its alerts show
// their times besides UTC; nil when it has none.
func (d *digests) zone(chat string) *time.Location {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.zones[chat]
}

// activeSchedule is a chat's digest schedule that is on, parsed.
type activeSchedule struct {
	store.DigestSchedule
	s *bot.Schedule
}

// load reads the schedules of the chats whose digests are on, and keeps
// their zones for zone. A schedule that does not parse (a zone the system
// no longer knows) is logged and left out.
func (d *digests) load(ctx context.Context) ([]activeSchedule, error) {
	scheds, err := d.st.DigestSchedules(ctx)
	if err != nil {
		return nil, err
	}
	zones := make(map[string]*time.Location)
	var out []activeSchedule
	for _, sc := range scheds {
		s, err := schedule(sc)
		if err != nil {
			d.log.Error("digests: bad schedule: no digests for the chat", "chat", sc.Chat, "cron", sc.Cron, "tz", sc.TZ, "error", err)
			continue
		}
		if s != nil {
			zones[sc.Chat] = s.Location()
			out = append(out, activeSchedule{sc, s})
		}
	}
	d.mu.Lock()
	d.zones = zones
	d.mu.Unlock()
	return out, nil
}

// run queues the chats' digests as they fall due, until ctx is done.
func (d *digests) run(ctx context.Context) {
	for {
		next := d.tick(ctx)
		wait := digestScan
		if !next.IsZero() {
			wait = min(max(next.Sub(d.now()), 0), digestScan)
		}
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return
		case <-timer.C:
		case <-d.wake:
			timer.Stop()
		}
	}
}

// changed makes run scan the schedules now.
func (d *digests) changed() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// tick queues every digest owed now and returns when the next one falls
// due (zero: none is scheduled). A digest that fell due while alertbot was
// down is sent if it is less than digest_grace old, else skipped and
// logged; of several owed, the latest is sent, and covers the others'
// periods.
func (d *digests) tick(ctx context.Context) time.Time {
	now := d.now()
	grace := cmp.Or(d.cfg.Load().digestGrace, DefaultDigestGrace)
	scheds, err := d.load(ctx)
	if err != nil {
		d.log.Error("digests: read schedules", "error", err)
		return now.Add(digestScan)
	}
	var next time.Time
	for _, sc := range scheds {
		s := sc.s
		last := sc.Since
		if sc.LastDue.After(last) {
			last = sc.LastDue
		}
		owed := s.Owed(last, now, grace)
		if owed.Watermark.After(last) {
			if err := d.queue(ctx, sc.Chat, owed, grace); err != nil {
				d.log.Error("digests: queue", "chat", sc.Chat, "due", owed.Due, "error", err)
			}
		}
		if n := s.Next(now); next.IsZero() || n.Before(next) {
			next = n
		}
	}
	return next
}

// queue records that chat's digests up to owed.Watermark are dealt with
// and inserts the job of owed.Due, in one transaction: a time is queued
// once, by one replica, across restarts.
//
// On SQLite the transaction waits for the one writer, so an alert raised
// before the due time, in a poll's transaction still open then, is
// committed before the job exists, and the digest sees it. (PostgreSQL
// has no such order: there a poll that straddles the due time can commit
// an alert the digest missed, by the time of one transaction.)
func (d *digests) queue(ctx context.Context, chat string, owed bot.Missed, grace time.Duration) error {
	tx, err := d.st.BeginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	ok, err := d.st.QueueDigestTx(ctx, tx, chat, owed.Watermark)
	if err != nil || !ok {
		return err
	}
	if !owed.Due.IsZero() {
		if _, err := d.jobs.InsertTx(ctx, tx, bot.DigestArgs{Chat: chat, Due: owed.Due.UTC()}, nil); err != nil {
			return fmt.Errorf("insert job: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	if n := len(owed.Late); n > 0 {
		d.log.Warn("digests: skipped: fell due while alertbot was not running, longer ago than digest_grace",
			"chat", chat, "skipped", n, "first", owed.Late[0], "last", owed.Late[n-1], "digest_grace", grace)
	}
	if n := len(owed.Superseded); n > 0 {
		d.log.Info("digests: not sent on their own: fell due while alertbot was not running; the next digest covers them",
			"chat", chat, "skipped", n, "due", owed.Due)
	}
	if !owed.Due.IsZero() {
		d.log.Info("digests: queued", "chat", chat, "due", owed.Due)
	}
	return nil
}

// StartDigest returns the run of chat due at due. A new run covers from
// the end of the chat's previous digest; a chat's first covers the day
// before due, or since its schedule began if that was earlier, but never
// more than a week.
func (d *digests) StartDigest(ctx context.Context, chat string, due time.Time) (bot.DigestRun, error) {
	from, err := d.periodStart(ctx, chat, due)
	if err != nil {
		return bot.DigestRun{}, err
	}
	run, err := d.st.StartDigest(ctx, store.DigestRun{Chat: chat, Due: due, From: from, To: due})
	if err != nil {
		return bot.DigestRun{}, err
	}
	return bot.DigestRun{From: run.From, To: run.To, Parts: run.Parts, Done: !run.Sent.IsZero()}, nil
}

func (d *digests) periodStart(ctx context.Context, chat string, due time.Time) (time.Time, error) {
	last, err := d.st.LastDigest(ctx, chat)
	switch {
	case err == nil && !last.To.After(due):
		return last.To, nil
	case err != nil && !errors.Is(err, store.ErrNotFound):
		return time.Time{}, err
	}
	from := due.Add(-firstDigestSpan)
	sc, err := d.st.DigestScheduleOf(ctx, chat)
	switch {
	case err == nil && sc.Since.Before(from):
		from = sc.Since
	case err != nil && !errors.Is(err, store.ErrNotFound):
		return time.Time{}, err
	}
	if limit := due.Add(-firstDigestMax); from.Before(limit) {
		from = limit
	}
	return from, nil
}

// BuildDigest gathers the alerts raised in [from, to) that chat's
// subscriptions cover, whatever their mutes and whether they are digest
// only, at or above their minimum severity.
func (d *digests) BuildDigest(ctx context.Context, chat string, from, to time.Time) (*bot.Digest, bool, error) {
	platform, id, topic := chatParts(chat)
	all, err := d.st.ListSubscriptions(ctx, platform, id)
	if err != nil {
		return nil, false, err
	}
	var subs []store.Subscription
	for _, s := range all {
		if s.Topic == topic {
			subs = append(subs, s)
		}
	}
	var zone *time.Location
	skipQuiet := false
	sc, err := d.st.DigestScheduleOf(ctx, chat)
	switch {
	case err == nil:
		skipQuiet = sc.Quiet == "skip"
		zone, _ = bot.LoadZone(sc.TZ) // nil (UTC) when off
	case !errors.Is(err, store.ErrNotFound):
		return nil, false, err
	}

	alerts, err := d.st.ListAlertItems(ctx, from, to, 0)
	if err != nil {
		return nil, false, err
	}
	run := d.cfg.Load()
	var entries []bot.DigestEntry
	for _, a := range alerts {
		sev, _ := rules.ParseSeverity(a.Severity)
		if !slices.ContainsFunc(subs, func(s store.Subscription) bool { return covers(s, a.RuleID, a.RulesetID, sev) }) {
			continue
		}
		e := bot.DigestEntry{
			AlertID: a.ID, RuleID: a.RuleID, Ruleset: a.RulesetID, Severity: a.Severity,
			Title: a.Title, URL: a.URL, Source: a.Source, SourceTitle: run.sources[a.Source].Title,
			Countries: a.Countries, At: cmp.Or(a.Published, a.CreatedAt),
		}
		if r := run.lib.Rule(a.RuleID); r != nil {
			e.RuleTitle = r.Title
		}
		if set := run.lib.Set(a.RulesetID); set != nil {
			e.RulesetTitle = set.Title
		}
		entries = append(entries, e)
	}
	var order []string
	for _, set := range run.lib.Sets {
		order = append(order, set.ID)
	}
	return bot.NewDigest(from, to, zone, entries, order), skipQuiet, nil
}

func (d *digests) DigestPartSent(ctx context.Context, chat string, due time.Time, parts int) error {
	return d.st.DigestPartSent(ctx, chat, due, parts)
}

func (d *digests) FinishDigest(ctx context.Context, chat string, due time.Time, alerts int) error {
	if err := d.st.FinishDigest(ctx, chat, due, alerts); err != nil {
		return err
	}
	if d.done != nil {
		d.done.Inc()
	}
	return nil
}

// DigestSchedule is the digest command's view of chat's schedule.
func (d *digests) DigestSchedule(ctx context.Context, chat string) (*bot.Schedule, bool, error) {
	sc, err := d.st.DigestScheduleOf(ctx, chat)
	if errors.Is(err, store.ErrNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	s, err := schedule(sc)
	if err != nil {
		return nil, false, err
	}
	return s, sc.Quiet == "skip", nil
}

func (d *digests) SetDigestSchedule(ctx context.Context, chat string, s *bot.Schedule, skipQuiet bool) error {
	sc := store.DigestSchedule{Chat: chat}
	if s != nil {
		sc.Cron, sc.TZ = s.Cron(), s.Location().String()
	}
	if skipQuiet {
		sc.Quiet = "skip"
	}
	if err := d.st.SetDigestSchedule(ctx, sc); err != nil {
		return err
	}
	d.changed()
	return nil
}

func (d *digests) DigestNow(ctx context.Context, chat string) error {
	due := d.now().UTC().Truncate(time.Second)
	if _, err := d.jobs.Insert(ctx, bot.DigestArgs{Chat: chat, Due: due}, nil); err != nil {
		return fmt.Errorf("app: digest now for %s: %w", chat, err)
	}
	return nil
}

// ManualDigest is alertbot digest: it prints chat's digest to opt.Stdout
// and, with send, sends it to the chat. With since 0 the digest covers
// everything since the chat's previous digest, and a sent one counts as
// the chat's latest, as "digest now" does; with since > 0 it covers the
// last since, and sending it changes nothing of the chat's digests.
func ManualDigest(ctx context.Context, cfg *Config, opt Options, chat string, since time.Duration, send bool) error {
	if err := checkChat(chat); err != nil {
		return fmt.Errorf("app: digest: %w", err)
	}
	if opt.Stdout == nil {
		opt.Stdout = os.Stdout
	}
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	if opt.Getenv == nil {
		opt.Getenv = os.Getenv
	}
	lib, err := NewLibrary(cfg)
	if err != nil {
		return err
	}
	st, err := store.Open(ctx, cmp.Or(opt.Storage, opt.Getenv("ALERTBOT_STORAGE"), cfg.Storage))
	if err != nil {
		return err
	}
	defer st.Close()
	if err := syncStatic(ctx, st, cfg); err != nil { // as alertbot run does: the config's chats and schedules
		return err
	}
	var cur atomic.Pointer[running]
	cur.Store(newRunning(cfg, lib, nil))
	d := newDigests(st, &cur, time.Now, opt.Logger, nil) // no /metrics here

	now := d.now().UTC().Truncate(time.Second)
	from := now.Add(-since)
	if since <= 0 {
		if from, err = d.periodStart(ctx, chat, now); err != nil {
			return err
		}
	}
	digest, _, err := d.BuildDigest(ctx, chat, from, now)
	if err != nil {
		return err
	}
	if _, err := io.WriteString(opt.Stdout, console.New(opt.Stdout).RenderDigest(digest)); err != nil {
		return fmt.Errorf("app: digest: %w", err)
	}
	if !send {
		return nil
	}

	if opt.Messengers == nil {
		platforms, err := chatsFromEnv(ctx, cfg, opt.Getenv)
		if err != nil {
			return err
		}
		opt.Messengers = platforms.messengers()
	}
	m, ok := opt.Messengers[bot.Platform(chat)].(bot.DigestMessenger)
	if !ok {
		return fmt.Errorf("app: digest: cannot send to %s: no %s token in the environment", chat, bot.Platform(chat))
	}
	if since > 0 {
		return m.SendDigest(ctx, chat, digest, 0, func(int) error { return nil })
	}
	w := bot.NewDigestWorker(d, deliveries{st}, map[string]bot.DigestMessenger{bot.Platform(chat): m}, opt.Logger)
	return w.Send(ctx, chat, now)
}
