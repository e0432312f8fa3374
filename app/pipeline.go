package app

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"slices"
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
}

// running is what a config yields for the pipeline: replaced whole on reload.
type running struct {
	lib     *Library
	sources map[string]Source
	chats   []string // where every alert is delivered
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
	return p.st.WithTx(ctx, func(tx *sql.Tx) error {
		st, err := p.st.GetSourceStateTx(ctx, tx, r.Source)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		st.ID = r.Source
		st.LastSuccess, st.LastAttempt = r.Health.LastSuccess, r.Health.LastAttempt
		st.ConsecutiveFailures, st.LastError = r.Health.ConsecutiveFailures, r.Health.LastError
		st.NextPoll = r.NextPoll
		if r.Err == nil && !r.NotModified {
			st.ETag, st.LastModified, st.Cursor = r.State.ETag, r.State.LastModified, r.State.Cursor
			fresh, err := p.st.SaveItemsTx(ctx, tx, r.Items)
			if err != nil {
				return err
			}
			if err := p.raise(ctx, tx, run, src, fresh, !st.Seen); err != nil {
				return err
			}
			st.Seen = true
		}
		return p.st.PutSourceStateTx(ctx, tx, st)
	})
}

// raise matches the new items of one poll and writes their alerts and
// delivery jobs in tx. On a source's first fetch only the newest backfill
// items may alert; items older than max_age never do; past flood_limit
// alerts, the rest are stored and delivered as one summary.
func (p *pipeline) raise(ctx context.Context, tx *sql.Tx, run *running, src Source, fresh []sources.Item, first bool) error {
	now := p.now()
	candidates := fresh
	if first {
		// Newest first, so that backfill keeps the latest.
		candidates = slices.Clone(fresh)
		slices.SortStableFunc(candidates, func(a, b sources.Item) int { return b.Published.Compare(a.Published) })
		candidates = candidates[:min(src.Backfill, len(candidates))]
	}
	var raised []alert
	for _, it := range candidates {
		if now.Sub(it.Published) > src.MaxAge {
			continue
		}
		start := time.Now()
		ms := run.lib.Matcher.Match(&rules.Document{ID: it.ID, Source: it.Source, Lang: it.Lang, Title: it.Title, Text: it.Text})
		p.metrics.matchSeconds.Observe(time.Since(start).Seconds())
		for _, m := range ms {
			raised = append(raised, alert{item: it, match: m})
		}
	}
	if len(raised) == 0 {
		return nil
	}
	// Most severe first, so that a flood folds the least severe.
	slices.SortStableFunc(raised, func(a, b alert) int { return cmp.Compare(b.match.Rule.Severity, a.match.Rule.Severity) })

	var deliver, folded []int64
	for i, a := range raised {
		id, err := p.st.InsertAlertTx(ctx, tx, storeAlert(a, p.now()))
		if errors.Is(err, store.ErrAlertExists) {
			continue // raised before: an item is alerted once per rule
		}
		if err != nil {
			return err
		}
		p.metrics.alerts.WithLabelValues(a.match.Rule.ID).Inc()
		if i < src.FloodLimit {
			deliver = append(deliver, id)
		} else {
			folded = append(folded, id)
		}
	}
	if len(folded) > 0 {
		first := raised[src.FloodLimit]
		sum := store.Alert{
			Source: src.ID, ItemID: first.item.ID, RuleID: store.FloodSummaryRule,
			Severity: first.match.Rule.Severity.String(), Folded: folded, CreatedAt: p.now(),
		}
		id, err := p.st.InsertAlertTx(ctx, tx, sum)
		if err != nil && !errors.Is(err, store.ErrAlertExists) {
			return err
		}
		if err == nil {
			deliver = append(deliver, id)
		}
		p.log.Warn("flood: alerts folded into a summary", "source", src.ID, "folded", len(folded), "flood_limit", src.FloodLimit)
	}
	var jobs []river.InsertManyParams
	for _, id := range deliver {
		for _, chat := range run.chats {
			jobs = append(jobs, river.InsertManyParams{Args: bot.DeliverArgs{AlertID: id, Chat: chat}})
		}
	}
	if len(jobs) == 0 {
		return nil
	}
	if _, err := p.jobs.InsertManyTx(ctx, tx, jobs); err != nil {
		return fmt.Errorf("app: queue deliveries: %w", err)
	}
	return nil
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
