package app

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/riverqueue/river"

	"github.com/alertbot/alertbot/bot"
	"github.com/alertbot/alertbot/rules"
	"github.com/alertbot/alertbot/sources"
	"github.com/alertbot/alertbot/store"
)

// pipeline is the sources.Handler of alertbot run: for each poll it
// stores the items, matches the new ones, and writes their alerts and
// delivery jobs, all in one transaction with the source's new state. A
// crash at any point leaves either all of it or none: items are never
// stored as seen without their alerts.
type pipeline struct {
	st      *store.Store
	jobs    *river.Client[*sql.Tx]
	cfg     atomic.Pointer[running] // swapped on reload
	metrics *metrics
	log     *slog.Logger
	now     func() time.Time

	mu      sync.Mutex
	healthy map[string]time.Time // source -> when its healthy state was last written
}

// healthyWrite is how often the state of a healthy source that answers
// "not modified" is written: in between, nothing of it changes but times,
// and a restart with a next poll that much out of date only polls sooner.
const healthyWrite = 10 * time.Minute

// skipWrite reports whether a poll of r's source needs no write: not
// modified, healthy before and after, and written recently.
func (p *pipeline) skipWrite(r sources.Result) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if r.Err != nil || r.Health.ConsecutiveFailures > 0 {
		delete(p.healthy, r.Source)
		return false
	}
	last, ok := p.healthy[r.Source]
	if r.NotModified && ok && r.Health.LastSuccess.Sub(last) < healthyWrite {
		return true
	}
	if p.healthy == nil {
		p.healthy = make(map[string]time.Time)
	}
	p.healthy[r.Source] = r.Health.LastSuccess
	return false
}

// running is what a config yields for the pipeline: replaced whole on reload.
type running struct {
	lib         *Library
	sources     map[string]Source
	platforms   map[string]bool // chat platforms alertbot can send to; none: every alert goes to the console
	digestGrace time.Duration   // how old a missed digest may be and still be sent
}

var _ sources.Handler = (*pipeline)(nil)

// alert is a match about to be raised.
type alert struct {
	item  sources.Item
	match rules.Match
}

func (p *pipeline) Handle(ctx context.Context, r sources.Result) error {
	run := p.cfg.Load()
	src, ok := run.sources[r.Source]
	if !ok {
		return nil // removed by a reload while it was polled
	}
	p.metrics.polled(r)
	if p.skipWrite(r) {
		return nil
	}
	polled := r.Err == nil && !r.NotModified
	// Match before taking the write transaction (on SQLite one writer
	// serves every source): the items the store does not know yet, of
	// those that may alert. The Poller never hands one source's results
	// over concurrently, so what is read here still holds in the
	// transaction.
	var matched map[string][]rules.Match
	if polled && len(r.Items) > 0 {
		st, err := p.st.GetSourceState(ctx, src.ID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		if matched, err = p.match(ctx, run, src, r.Items, !st.Seen); err != nil {
			return err
		}
	}
	return p.st.WithTx(ctx, func(tx *sql.Tx) error {
		st, err := p.st.GetSourceStateTx(ctx, tx, r.Source)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		st.ID = r.Source
		st.LastSuccess, st.LastAttempt = r.Health.LastSuccess, r.Health.LastAttempt
		st.ConsecutiveFailures, st.LastError = r.Health.ConsecutiveFailures, r.Health.LastError
		st.NextPoll = r.NextPoll
		if polled {
			st.ETag, st.LastModified, st.Cursor = r.State.ETag, r.State.LastModified, r.State.Cursor
			fresh, err := p.st.SaveItemsTx(ctx, tx, r.Items)
			if err != nil {
				return err
			}
			if err := p.raise(ctx, tx, run, src, fresh, matched); err != nil {
				return err
			}
			st.Seen = true
		}
		return p.st.PutSourceStateTx(ctx, tx, st)
	})
}

// Push takes items that reached a source without a poll (a post of a
// channel the Telegram bot is a member of): stored, matched and raised like
// a poll's, in one transaction, but without touching the source's poll
// state. A pushed item is live news, so it may alert even before the
// source's first poll; if a poll brings it too, it is not new again.
func (p *pipeline) Push(ctx context.Context, source string, items []sources.Item) error {
	run := p.cfg.Load()
	src, ok := run.sources[source]
	if !ok {
		return nil
	}
	matched, err := p.match(ctx, run, src, items, false)
	if err != nil {
		return err
	}
	return p.st.WithTx(ctx, func(tx *sql.Tx) error {
		fresh, err := p.st.SaveItemsTx(ctx, tx, items)
		if err != nil {
			return err
		}
		return p.raise(ctx, tx, run, src, fresh, matched)
	})
}

// match runs the rules on the items of a poll that are new and may
// alert: on a source's first fetch only the newest backfill items may;
// items older than max_age never do. It returns the matches by item id.
func (p *pipeline) match(ctx context.Context, run *running, src Source, items []sources.Item, first bool) (map[string][]rules.Match, error) {
	ids := make([]string, len(items))
	for i, it := range items {
		ids[i] = it.ID
	}
	known, err := p.st.KnownItems(ctx, src.ID, ids)
	if err != nil {
		return nil, err
	}
	var unknown []sources.Item
	for _, it := range items {
		if !known[it.ID] {
			unknown = append(unknown, it)
		}
	}
	if first {
		// Newest first, so that backfill keeps the latest.
		slices.SortStableFunc(unknown, func(a, b sources.Item) int { return b.Published.Compare(a.Published) })
		unknown = unknown[:min(src.Backfill, len(unknown))]
	}
	now := p.now()
	matched := make(map[string][]rules.Match)
	for _, it := range unknown {
		if now.Sub(it.Published) > src.MaxAge {
			continue
		}
		start := time.Now()
		ms := run.lib.Matcher.Match(&rules.Document{ID: it.ID, Source: it.Source, Lang: it.Lang, Title: it.Title, Text: it.Text})
		p.metrics.matchSeconds.Observe(time.Since(start).Seconds())
		if len(ms) > 0 {
			matched[it.ID] = ms
		}
	}
	return matched, nil
}

// raise writes in tx the alerts of the new items of one poll and their
// delivery jobs. Past flood_limit alerts, the rest are stored and
// delivered as one summary.
func (p *pipeline) raise(ctx context.Context, tx *sql.Tx, run *running, src Source, fresh []sources.Item, matched map[string][]rules.Match) error {
	var raised []alert
	for _, it := range fresh {
		for _, m := range matched[it.ID] {
			raised = append(raised, alert{item: it, match: m})
		}
	}
	if len(raised) == 0 {
		return nil
	}
	// Most severe first, so that a flood folds the least severe.
	slices.SortStableFunc(raised, func(a, b alert) int { return cmp.Compare(b.match.Rule.Severity, a.match.Rule.Severity) })
	rows := make([]store.Alert, len(raised))
	for i, a := range raised {
		rows[i] = storeAlert(a, p.now())
	}
	ids, err := p.st.InsertAlertsTx(ctx, tx, rows)
	if err != nil {
		return err
	}
	chatsOf, err := p.router(ctx, run)
	if err != nil {
		return err
	}
	var jobs []river.InsertManyParams
	deliver := func(id int64, chats []string) {
		for _, chat := range chats {
			jobs = append(jobs, river.InsertManyParams{Args: bot.DeliverArgs{AlertID: id, Chat: chat}})
		}
	}
	var folded []int64
	var foldedChats []string
	delivered := 0
	for i, id := range ids {
		if id == 0 {
			continue // raised before: an item is alerted once per rule
		}
		p.metrics.alerts.WithLabelValues(raised[i].match.Rule.ID).Inc()
		chats := chatsOf(raised[i].match.Rule)
		if delivered < src.FloodLimit {
			deliver(id, chats)
			delivered++
			continue
		}
		folded = append(folded, id)
		for _, c := range chats {
			if !slices.Contains(foldedChats, c) {
				foldedChats = append(foldedChats, c)
			}
		}
	}
	if len(folded) > 0 {
		first := raised[slices.Index(ids, folded[0])]
		sum := store.Alert{
			Source: src.ID, ItemID: first.item.ID, RuleID: store.FloodSummaryRule,
			Severity: first.match.Rule.Severity.String(), Folded: folded, CreatedAt: p.now(),
		}
		id, err := p.st.InsertAlertTx(ctx, tx, sum)
		if err != nil && !errors.Is(err, store.ErrAlertExists) {
			return err
		}
		if err == nil {
			deliver(id, foldedChats)
		}
		p.log.Warn("flood: alerts folded into a summary", "source", src.ID, "folded", len(folded), "flood_limit", src.FloodLimit)
	}
	if len(jobs) == 0 {
		return nil
	}
	if _, err := p.jobs.InsertManyTx(ctx, tx, jobs); err != nil {
		return fmt.Errorf("app: queue deliveries: %w", err)
	}
	return nil
}

// router returns where the alerts of a rule go: with no chat platform,
// to the console; else to the chats subscribed to them.
func (p *pipeline) router(ctx context.Context, run *running) (func(*rules.Rule) []string, error) {
	if len(run.platforms) == 0 {
		return func(*rules.Rule) []string { return []string{"console"} }, nil
	}
	subs, err := p.st.ListAllSubscriptions(ctx)
	if err != nil {
		return nil, err
	}
	now := p.now()
	return func(r *rules.Rule) []string { return route(subs, run.platforms, r, now) }, nil
}

func storeAlert(a alert, now time.Time) store.Alert {
	hs := make([]store.Highlight, len(a.match.Highlights))
	for i, h := range a.match.Highlights {
		hs[i] = store.Highlight{Field: h.Field, Start: h.Start, End: h.End, Text: h.Text}
	}
	return store.Alert{
		Source: a.item.Source, ItemID: a.item.ID,
		RuleID: a.match.Rule.ID, RulesetID: a.match.Rule.Ruleset, Severity: a.match.Rule.Severity.String(),
		Highlights: hs, Countries: a.match.Countries, CreatedAt: now,
	}
}
