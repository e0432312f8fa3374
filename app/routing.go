package app

import (
	"slices"
	"strings"
	"time"

	"github.com/alertbot/alertbot/rules"
	"github.com/alertbot/alertbot/store"
)

// staticSubscriptions are the config's subscriptions as the store keeps
// them: one row per chat and rule set or rule.
func staticSubscriptions(cfg *Config) []store.Subscription {
	var out []store.Subscription
	for _, s := range cfg.Subscriptions {
		platform, chat, _ := strings.Cut(s.Chat, ":")
		chat, topic, _ := strings.Cut(chat, "/")
		for _, target := range append(slices.Clone(s.Rulesets), s.Rules...) {
			out = append(out, store.Subscription{
				Platform: platform, Chat: chat, Topic: topic, Target: target,
				MinSeverity: s.MinSeverity, Static: true,
			})
		}
	}
	return out
}

// route returns the chats an alert of rule goes to: every chat subscribed
// to the rule or its rule set, at or above the subscription's minimum
// severity and not muted, on a platform alertbot can send to. A chat is
// "platform:chat" or "platform:chat/topic".
func route(subs []store.Subscription, platforms map[string]bool, rule *rules.Rule, now time.Time) []string {
	var chats []string
	for _, s := range subs {
		if !platforms[s.Platform] || (s.Target != rule.ID && s.Target != rule.Ruleset) || now.Before(s.MutedUntil) {
			continue
		}
		if s.MinSeverity != "" {
			if min, err := rules.ParseSeverity(s.MinSeverity); err == nil && rule.Severity < min {
				continue
			}
		}
		chat := s.Platform + ":" + s.Chat
		if s.Topic != "" {
			chat += "/" + s.Topic
		}
		if !slices.Contains(chats, chat) {
			chats = append(chats, chat)
		}
	}
	return chats
}
