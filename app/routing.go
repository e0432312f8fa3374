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
				MinSeverity: s.MinSeverity, DigestOnly: s.DigestOnly, Static: true,
			})
		}
	}
	return out
}

// route returns the chats an alert of rule goes to as it comes: every
// chat with a subscription that covers it, is not muted and not digest
// only, on a platform alertbot can send to. A chat is "platform:chat" or
// "platform:chat/topic".
func route(subs []store.Subscription, platforms map[string]bool, rule *rules.Rule, now time.Time) []string {
	var chats []string
	for _, s := range subs {
		if !platforms[s.Platform] || s.DigestOnly || now.Before(s.MutedUntil) || !covers(s, rule.ID, rule.Ruleset, rule.Severity) {
			continue
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

// covers reports whether subscription s takes alerts of the rule ruleID,
// of rule set ruleset, at severity sev.
func covers(s store.Subscription, ruleID, ruleset string, sev rules.Severity) bool {
	if s.Target != ruleID && s.Target != ruleset {
		return false
	}
	if s.MinSeverity != "" {
		if min, err := rules.ParseSeverity(s.MinSeverity); err == nil && sev < min {
			return false
		}
	}
	return true
}
