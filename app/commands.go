package app

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/alertbot/alertbot/bot"
	"github.com/alertbot/alertbot/rules"
	"github.com/alertbot/alertbot/store"
)

// The chat commands' view of the service: bot.Commander's interfaces,
// implemented from the store and the running rule library.

// commandLibrary is the running rule library, as the commands see it.
type commandLibrary struct{ s *Service }

var _ bot.RuleLibrary = commandLibrary{}

func (c commandLibrary) lib() *Library { return c.s.pipe.cfg.Load().lib }

func (c commandLibrary) Rulesets() []*rules.Ruleset { return c.lib().Sets }

func (c commandLibrary) Kind(id string) bot.TargetKind {
	lib := c.lib()
	if lib.Set(id) != nil {
		return bot.RulesetTarget
	}
	if lib.Rule(id) != nil {
		return bot.RuleTarget
	}
	return bot.NoTarget
}

func (c commandLibrary) Explain(text string) []bot.Explanation {
	var out []bot.Explanation
	for _, m := range c.lib().Explain(text) {
		e := bot.Explanation{RuleID: m.Rule.ID, Title: m.Rule.Title, Severity: m.Rule.Severity, Countries: m.Countries}
		for _, h := range m.Highlights {
			e.Words = append(e.Words, h.Text)
		}
		out = append(out, e)
	}
	return out
}

// commandLookups runs lookups on the store with the running library.
type commandLookups struct{ s *Service }

var _ bot.Lookups = commandLookups{}

func (c commandLookups) Lookup(ctx context.Context, query string, since time.Time, limit int) ([]bot.Found, error) {
	found, err := c.s.pipe.cfg.Load().lib.Lookup(ctx, c.s.st, query, since, limit)
	if errors.Is(err, ErrNoWords) {
		return nil, fmt.Errorf("%w: %w", bot.ErrBadQuery, err)
	}
	if err != nil {
		return nil, err
	}
	out := make([]bot.Found, len(found))
	for i, f := range found {
		out[i] = bot.Found{Title: f.Item.Title, URL: f.Item.URL, Source: f.Item.Source, Published: f.Item.Published}
		for _, h := range f.Highlights {
			out[i].Words = append(out[i].Words, h.Text)
		}
	}
	return out, nil
}

// commandSubscriptions keeps subscriptions made by command in the store.
// A chat address is "platform:chat" or "platform:chat/topic".
type commandSubscriptions struct{ st *store.Store }

var (
	_ bot.Subscriptions = commandSubscriptions{}
	_ bot.Mutes         = commandSubscriptions{}
)

func chatParts(chat string) (platform, id, topic string) {
	platform, id, _ = strings.Cut(chat, ":")
	id, topic, _ = strings.Cut(id, "/")
	return platform, id, topic
}

func (c commandSubscriptions) Subscribe(ctx context.Context, chat, target string, min rules.Severity, digestOnly bool) error {
	platform, id, topic := chatParts(chat)
	return c.st.AddSubscription(ctx, store.Subscription{Platform: platform, Chat: id, Topic: topic, Target: target,
		MinSeverity: min.String(), DigestOnly: digestOnly})
}

func (c commandSubscriptions) Unsubscribe(ctx context.Context, chat, target string) (bool, error) {
	platform, id, topic := chatParts(chat)
	return c.st.RemoveSubscription(ctx, platform, id, topic, target)
}

func (c commandSubscriptions) List(ctx context.Context, chat string) ([]bot.Subscription, error) {
	subs, err := c.topic(ctx, chat)
	if err != nil {
		return nil, err
	}
	out := make([]bot.Subscription, 0, len(subs))
	for _, s := range subs {
		min, _ := rules.ParseSeverity(s.MinSeverity)
		out = append(out, bot.Subscription{Target: s.Target, MinSeverity: min, DigestOnly: s.DigestOnly})
	}
	return out, nil
}

// topic returns the subscriptions of the chat's topic (or of the chat).
func (c commandSubscriptions) topic(ctx context.Context, chat string) ([]store.Subscription, error) {
	platform, id, topic := chatParts(chat)
	all, err := c.st.ListSubscriptions(ctx, platform, id)
	if err != nil {
		return nil, err
	}
	var out []store.Subscription
	for _, s := range all {
		if s.Topic == topic {
			out = append(out, s)
		}
	}
	return out, nil
}

func (c commandSubscriptions) Mute(ctx context.Context, chat string, until time.Time) error {
	platform, id, topic := chatParts(chat)
	_, err := c.st.MuteSubscriptions(ctx, platform, id, topic, until)
	return err
}

func (c commandSubscriptions) Unmute(ctx context.Context, chat string) (bool, error) {
	until, err := c.MutedUntil(ctx, chat)
	if err != nil {
		return false, err
	}
	if err := c.Mute(ctx, chat, time.Time{}); err != nil {
		return false, err
	}
	return until.After(time.Now()), nil
}

func (c commandSubscriptions) MutedUntil(ctx context.Context, chat string) (time.Time, error) {
	subs, err := c.topic(ctx, chat)
	if err != nil {
		return time.Time{}, err
	}
	var until time.Time
	for _, s := range subs {
		if s.MutedUntil.After(until) {
			until = s.MutedUntil
		}
	}
	return until, nil
}

// commandStatus reports the service's state.
type commandStatus struct{ s *Service }

var _ bot.StatusReporter = commandStatus{}

func (c commandStatus) Status(ctx context.Context) ([]string, error) { return c.s.statusReport(ctx) }

// commander returns the chat commands of the service.
func (s *Service) commander() *bot.Commander {
	subs := commandSubscriptions{s.st}
	return bot.NewCommander(commandLibrary{s}, commandLookups{s}, subs, subs, s.digests, commandStatus{s}, time.Now, s.log)
}
