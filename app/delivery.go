package app

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"

	"github.com/alertbot/alertbot/bot"
	"github.com/alertbot/alertbot/store"
)

// snippetRunes is the length of an alert's snippet.
const snippetRunes = 280

// alertLoader gives the Deliverer alerts as chats see them, from the
// store and the running config.
type alertLoader struct {
	st  *store.Store
	cfg *atomic.Pointer[running]
}

var _ bot.Alerts = alertLoader{}

func (l alertLoader) Alert(ctx context.Context, id int64) (*bot.Alert, error) {
	a, it, err := l.load(ctx, id)
	if err != nil {
		return nil, err
	}
	run := l.cfg.Load()
	b := &bot.Alert{
		ID: a.ID, RuleID: a.RuleID, Ruleset: a.RulesetID, Severity: a.Severity,
		Title: it.Title, URL: it.URL, Source: a.Source, SourceTitle: run.sources[a.Source].Title,
		Countries: a.Countries, Published: it.Published, Raised: a.CreatedAt,
	}
	if r := run.lib.Rule(a.RuleID); r != nil {
		b.RuleTitle = r.Title
	}
	var spans []bot.Span
	for _, h := range a.Highlights {
		if h.Field == "text" {
			spans = append(spans, bot.Span{Start: h.Start, End: h.End})
		}
	}
	b.Snippet = bot.NewSnippet(it.Text, spans, snippetRunes)
	if len(a.Folded) > 0 {
		b.RuleTitle = "Flood of alerts"
		b.Title = fmt.Sprintf("%d more alerts from %s in one poll", len(a.Folded), a.Source)
		b.URL, b.Snippet = "", bot.Snippet{}
		for _, fid := range a.Folded {
			f, fit, err := l.load(ctx, fid)
			if err != nil {
				return nil, err
			}
			b.Folded = append(b.Folded, bot.Folded{RuleID: f.RuleID, Title: fit.Title, URL: fit.URL})
		}
	}
	return b, nil
}

func (l alertLoader) load(ctx context.Context, id int64) (store.Alert, store.StoredItem, error) {
	a, err := l.st.GetAlert(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return a, store.StoredItem{}, fmt.Errorf("app: alert %d: %w", id, bot.ErrAlertNotFound)
	}
	if err != nil {
		return a, store.StoredItem{}, err
	}
	it, err := l.st.GetItem(ctx, a.Source, a.ItemID)
	return a, it, err
}

// deliveries keeps the Deliverer's records in the store. A chat address
// is "platform:chat[/topic]"; a chat that is gone is gone for all topics.
type deliveries struct{ st *store.Store }

var _ bot.Deliveries = deliveries{}

func (d deliveries) Delivered(ctx context.Context, alertID int64, chat string) (bool, error) {
	return d.st.Delivered(ctx, alertID, chat)
}

func (d deliveries) MarkDelivered(ctx context.Context, alertID int64, chat string) error {
	return d.st.MarkDelivered(ctx, alertID, chat)
}

func (d deliveries) PauseChat(ctx context.Context, chat, reason string) error {
	platform, id := splitChat(chat)
	return d.st.PauseChat(ctx, platform, id, reason)
}

func (d deliveries) ChatPaused(ctx context.Context, chat string) (bool, error) {
	platform, id := splitChat(chat)
	return d.st.ChatPaused(ctx, platform, id)
}

func (d deliveries) MoveChat(ctx context.Context, from, to string) error {
	platform, fromID := splitChat(from)
	_, toID := splitChat(to)
	return d.st.MoveChat(ctx, platform, fromID, toID)
}

func splitChat(chat string) (platform, id string) {
	platform, id, _ = strings.Cut(chat, ":")
	id, _, _ = strings.Cut(id, "/")
	return platform, id
}

// counted counts each delivery attempt by outcome for /metrics.
type counted struct {
	bot.Messenger
	m *metrics
}

func (c counted) Send(ctx context.Context, chat string, a *bot.Alert) error {
	err := c.Messenger.Send(ctx, chat, a)
	var ra *bot.RetryAfter
	switch {
	case err == nil:
		c.m.deliveries.WithLabelValues("sent").Inc()
	case errors.As(err, &ra):
		c.m.deliveries.WithLabelValues("retry_after").Inc()
	case errors.Is(err, bot.ErrChatGone):
		c.m.deliveries.WithLabelValues("chat_gone").Inc()
	default:
		c.m.deliveries.WithLabelValues("error").Inc()
	}
	return err
}
