package bot_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/alertbot/alertbot/bot"
	"github.com/alertbot/alertbot/rules"
)

// chatWorld holds the fakes of the Commander's dependencies. Each records
// the calls that change something, or that take arguments, in calls.
type chatWorld struct {
	calls []string

	sets     []*rules.Ruleset
	explains map[string][]bot.Explanation

	found     []bot.Found
	lookupErr error

	subs    map[string][]bot.Subscription
	subsErr error

	muted    map[string]time.Time
	mutesErr error

	digests   map[string]fakeDigest
	digestErr error

	status    []string
	statusErr error
}

type fakeDigest struct {
	s         *bot.Schedule
	skipQuiet bool
}

func (w *chatWorld) record(format string, args ...any) {
	w.calls = append(w.calls, fmt.Sprintf(format, args...))
}

type fakeLibrary struct{ w *chatWorld }

func (f fakeLibrary) Rulesets() []*rules.Ruleset { return f.w.sets }

func (f fakeLibrary) Kind(id string) bot.TargetKind {
	for _, set := range f.w.sets {
		if set.ID == id {
			return bot.RulesetTarget
		}
		for _, r := range set.Rules {
			if r.ID == id {
				return bot.RuleTarget
			}
		}
	}
	return bot.NoTarget
}

func (f fakeLibrary) Explain(text string) []bot.Explanation {
	f.w.record("explain %q", text)
	return f.w.explains[text]
}

type fakeLookups struct{ w *chatWorld }

func (f fakeLookups) Lookup(ctx context.Context, query string, since time.Time, limit int) ([]bot.Found, error) {
	f.w.record("lookup %q since %s limit %d", query, since.Format(time.RFC3339), limit)
	if f.w.lookupErr != nil {
		return nil, f.w.lookupErr
	}
	if len(f.w.found) > limit {
		return f.w.found[:limit], nil
	}
	return f.w.found, nil
}

type fakeSubs struct{ w *chatWorld }

func (f fakeSubs) Subscribe(ctx context.Context, chat, target string, min rules.Severity, digestOnly bool) error {
	if digestOnly {
		f.w.record("subscribe %s %s %s digest-only", chat, target, min)
		return f.w.subsErr
	}
	f.w.record("subscribe %s %s %s", chat, target, min)
	return f.w.subsErr
}

func (f fakeSubs) Unsubscribe(ctx context.Context, chat, target string) (bool, error) {
	f.w.record("unsubscribe %s %q", chat, target)
	if f.w.subsErr != nil {
		return false, f.w.subsErr
	}
	for _, s := range f.w.subs[chat] {
		if target == "" || s.Target == target {
			return true, nil
		}
	}
	return false, nil
}

func (f fakeSubs) List(ctx context.Context, chat string) ([]bot.Subscription, error) {
	return f.w.subs[chat], f.w.subsErr
}

type fakeMutes struct{ w *chatWorld }

func (f fakeMutes) Mute(ctx context.Context, chat string, until time.Time) error {
	f.w.record("mute %s until %s", chat, until.Format(time.RFC3339))
	return f.w.mutesErr
}

func (f fakeMutes) Unmute(ctx context.Context, chat string) (bool, error) {
	f.w.record("unmute %s", chat)
	return f.w.muted[chat].After(chatNow), f.w.mutesErr
}

func (f fakeMutes) MutedUntil(ctx context.Context, chat string) (time.Time, error) {
	return f.w.muted[chat], f.w.mutesErr
}

type fakeDigests struct{ w *chatWorld }

func (f fakeDigests) DigestSchedule(ctx context.Context, chat string) (*bot.Schedule, bool, error) {
	d := f.w.digests[chat]
	return d.s, d.skipQuiet, f.w.digestErr
}

func (f fakeDigests) SetDigestSchedule(ctx context.Context, chat string, s *bot.Schedule, skipQuiet bool) error {
	if s == nil {
		f.w.record("digest %s off", chat)
	} else {
		f.w.record("digest %s %s skipQuiet=%v", chat, s, skipQuiet)
	}
	return f.w.digestErr
}

func (f fakeDigests) DigestNow(ctx context.Context, chat string) error {
	f.w.record("digest now %s", chat)
	return f.w.digestErr
}

type fakeStatus struct{ w *chatWorld }

func (f fakeStatus) Status(ctx context.Context) ([]string, error) { return f.w.status, f.w.statusErr }

var chatNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

const digestUsage = `Usage: digest, digest at HH:MM TZ, digest cron "MIN HOUR DOM MON DOW" TZ, digest off or digest now. ` +
	`Add quiet=skip to send nothing when nothing was raised. TZ is an IANA time zone such as Europe/Moscow.`

func mustSchedule(line, zone string) *bot.Schedule {
	tz, err := bot.LoadZone(zone)
	if err != nil {
		panic(err)
	}
	s, err := bot.ParseSchedule(line, tz)
	if err != nil {
		panic(err)
	}
	return s
}

const testChat = "telegram:-1001234567890"

var testSets = []*rules.Ruleset{
	{ID: "diplomacy", Title: "Diplomatic incidents", Rules: []*rules.Rule{
		{ID: "diplomat-summoned", Title: "Diplomat summoned", Severity: rules.High},
		{ID: "protest-note", Title: "Note of protest", Severity: rules.Medium},
	}},
	{ID: "unsc", Rules: []*rules.Rule{
		{ID: "unsc-meeting-requested", Title: "UN Security Council meeting requested", Severity: rules.Critical},
	}},
}

// found returns n items a lookup found, one an hour back from chatNow,
// newest first, as Lookups returns them.
func found(n int) []bot.Found {
	var out []bot.Found
	for i := 1; i <= n; i++ {
		out = append(out, bot.Found{
			Title:     fmt.Sprintf("Story %d", i),
			URL:       fmt.Sprintf("https://example.com/%d", i),
			Source:    "tass",
			Published: chatNow.Add(-time.Duration(i) * time.Hour),
			Words:     []string{"summoned"},
		})
	}
	return out
}

func TestCommander(t *testing.T) {
	errBoom := errors.New("database is locked")
	help := strings.Join([]string{
		"Commands:",
		"help: this list",
		"rules: the rule sets and their rules",
		"subscriptions: what this chat is subscribed to",
		"lookup QUERY [since=7d]: search recent news with a query of the rules language",
		"explain TEXT: which rules match a text, and why",
		"subscribe RULESET|RULE [min=low|medium|high|critical] [digest-only]: send this chat the alerts of a rule set or rule, as they come or only in the digest (admins)",
		"unsubscribe RULESET|RULE|all: stop sending them (admins)",
		"mute DURATION: hold back alerts for a while, such as mute 2h or mute 1d (admins)",
		"unmute: send alerts again (admins)",
		"digest: this chat's digest schedule",
		"digest at HH:MM TZ [quiet=skip]: a digest every day, such as digest at 08:00 Europe/Moscow (admins)",
		`digest cron "MIN HOUR DOM MON DOW" TZ [quiet=skip]: a digest on a cron schedule, such as digest cron "0 8 * * 1-5" America/New_York (admins)`,
		"digest off: no more digests (admins)",
		"digest now: the digest at once, of everything since the last one (admins)",
		"status: sources, deliveries waiting and paused chats (admins)",
	}, "\n")
	tenNewest := []string{"More than 10 items found in the last 7d; the 10 newest:"}
	for i := 1; i <= 10; i++ {
		tenNewest = append(tenNewest, "",
			fmt.Sprintf("%s · tass · Story %d", bot.FormatTime(chatNow.Add(-time.Duration(i)*time.Hour), nil), i),
			fmt.Sprintf("https://example.com/%d", i),
			"  matched: summoned")
	}

	tests := []struct {
		name          string
		text          string
		admin         bool
		setup         func(w *chatWorld)
		want          string
		wantEphemeral bool
		wantCalls     string // the fakes' calls, one a line
		wantLog       string // a substring of the log; "" none
	}{
		// help and unknown commands
		{name: "Help", text: "help", want: help, wantEphemeral: true},
		{name: "HelpUpperCase", text: "HELP", want: help, wantEphemeral: true},
		{name: "Empty", text: "  ", want: help, wantEphemeral: true},
		{name: "Unknown", text: "frobnicate now", admin: true,
			want: `Unknown command "frobnicate". Send help for the list of commands.`, wantEphemeral: true},

		// rules
		{name: "Rules", text: "rules", want: "diplomacy: Diplomatic incidents:\n" +
			"  diplomat-summoned: Diplomat summoned (high)\n" +
			"  protest-note: Note of protest (medium)\n" +
			"unsc:\n" +
			"  unsc-meeting-requested: UN Security Council meeting requested (critical)\n" +
			"Subscribe with: subscribe RULESET|RULE [min=SEVERITY]"},
		{name: "RulesNone", text: "Rules", setup: func(w *chatWorld) { w.sets = nil }, want: "No rules are loaded."},

		// subscriptions
		{name: "SubscriptionsNone", text: "subscriptions",
			want: "This chat has no subscriptions. Subscribe with: subscribe RULESET|RULE [min=SEVERITY]\nNot muted.\nNo digest for this chat. Set one with: digest at 08:00 Europe/Moscow"},
		{name: "Subscriptions", text: "subscriptions", setup: func(w *chatWorld) {
			w.subs[testChat] = []bot.Subscription{
				{Target: "diplomacy", MinSeverity: rules.Medium},
				{Target: "unsc-meeting-requested", MinSeverity: rules.Low, DigestOnly: true},
				{Target: "old-rule", MinSeverity: rules.Critical},
			}
			w.muted[testChat] = chatNow.Add(90 * time.Minute)
			w.digests = map[string]fakeDigest{testChat: {s: mustSchedule("0 8 * * 1-5", "America/New_York")}}
		}, want: "This chat is subscribed to:\n" +
			"  diplomacy (rule set): medium and above\n" +
			"  unsc-meeting-requested (rule): all severities, digest only\n" +
			"  old-rule (no longer in the rules): critical only\n" +
			"Muted until 2026-03-01 13:30 UTC.\n" +
			"Digest: 0 8 * * 1-5 America/New_York; the next on 2026-03-02 13:00 UTC · 08:00 EST."},
		{name: "SubscriptionsMuteOver", text: "subscriptions", setup: func(w *chatWorld) {
			w.subs[testChat] = []bot.Subscription{{Target: "diplomacy", MinSeverity: rules.High}}
			w.muted[testChat] = chatNow.Add(-time.Minute)
		}, want: "This chat is subscribed to:\n  diplomacy (rule set): high and above\nNot muted.\nNo digest for this chat. Set one with: digest at 08:00 Europe/Moscow"},
		{name: "SubscriptionsFail", text: "subscriptions", setup: func(w *chatWorld) { w.subsErr = errBoom },
			want: "Sorry, that failed. Please try again later.", wantEphemeral: true, wantLog: "database is locked"},
		{name: "SubscriptionsMutesFail", text: "subscriptions", setup: func(w *chatWorld) { w.mutesErr = errBoom },
			want: "Sorry, that failed. Please try again later.", wantEphemeral: true, wantLog: "database is locked"},

		// subscribe
		{name: "SubscribeNotAdmin", text: "subscribe diplomacy",
			want: "Only chat administrators may use subscribe.", wantEphemeral: true},
		{name: "SubscribeRuleset", text: "subscribe diplomacy", admin: true,
			want: "Subscribed to rule set diplomacy: all severities.", wantCalls: "subscribe " + testChat + " diplomacy low"},
		{name: "SubscribeRuleMin", text: "Subscribe protest-note min=high", admin: true,
			want: "Subscribed to rule protest-note: high and above.", wantCalls: "subscribe " + testChat + " protest-note high"},
		{name: "SubscribeMinFirst", text: "subscribe MIN=Critical unsc", admin: true,
			want: "Subscribed to rule set unsc: critical only.", wantCalls: "subscribe " + testChat + " unsc critical"},
		{name: "SubscribeBadSeverity", text: "subscribe diplomacy min=urgent", admin: true,
			want: `Unknown severity "urgent": use low, medium, high or critical.`, wantEphemeral: true},
		{name: "SubscribeUnknownOption", text: "subscribe diplomacy max=high", admin: true,
			want: `Unknown option "max=high": subscribe takes min=SEVERITY.`, wantEphemeral: true},
		{name: "SubscribeDigestOnly", text: "subscribe diplomacy digest-only min=high", admin: true,
			setup: func(w *chatWorld) {
				w.digests = map[string]fakeDigest{testChat: {s: mustSchedule("0 8 * * *", "Europe/Moscow")}}
			},
			want: "Subscribed to rule set diplomacy: high and above, in the digest only.", wantCalls: "subscribe " + testChat + " diplomacy high digest-only"},
		{name: "SubscribeDigestOnlyNoDigest", text: "subscribe Digest-Only unsc", admin: true,
			want:      "Subscribed to rule set unsc: all severities, in the digest only.\nThis chat has no digest yet: set one with digest at HH:MM TZ.",
			wantCalls: "subscribe " + testChat + " unsc low digest-only"},
		{name: "SubscribeNoTarget", text: "subscribe min=high", admin: true,
			want: "Usage: subscribe RULESET|RULE [min=SEVERITY] [digest-only]. Send rules for the ids.", wantEphemeral: true},
		{name: "SubscribeTwoTargets", text: "subscribe diplomacy unsc", admin: true,
			want: "Usage: subscribe RULESET|RULE [min=SEVERITY] [digest-only]. Send rules for the ids.", wantEphemeral: true},
		{name: "SubscribeUnknownTarget", text: "subscribe diplomaci", admin: true,
			want: `No rule set or rule is called "diplomaci". Send rules for the list.`, wantEphemeral: true},
		{name: "SubscribeFail", text: "subscribe diplomacy", admin: true, setup: func(w *chatWorld) { w.subsErr = errBoom },
			want: "Sorry, that failed. Please try again later.", wantEphemeral: true,
			wantCalls: "subscribe " + testChat + " diplomacy low", wantLog: "database is locked"},

		// unsubscribe
		{name: "UnsubscribeNotAdmin", text: "unsubscribe all",
			want: "Only chat administrators may use unsubscribe.", wantEphemeral: true},
		{name: "Unsubscribe", text: "unsubscribe diplomacy", admin: true,
			setup: func(w *chatWorld) { w.subs[testChat] = []bot.Subscription{{Target: "diplomacy"}} },
			want:  "Unsubscribed from diplomacy.", wantCalls: "unsubscribe " + testChat + ` "diplomacy"`},
		{name: "UnsubscribeNotSubscribed", text: "unsubscribe unsc", admin: true,
			setup: func(w *chatWorld) { w.subs[testChat] = []bot.Subscription{{Target: "diplomacy"}} },
			want:  `This chat is not subscribed to "unsc". Send subscriptions for its subscriptions.`, wantEphemeral: true,
			wantCalls: "unsubscribe " + testChat + ` "unsc"`},
		{name: "UnsubscribeAll", text: "unsubscribe ALL", admin: true,
			setup: func(w *chatWorld) { w.subs[testChat] = []bot.Subscription{{Target: "diplomacy"}} },
			want:  "Unsubscribed from everything.", wantCalls: "unsubscribe " + testChat + ` ""`},
		{name: "UnsubscribeAllNone", text: "unsubscribe all", admin: true,
			want: "This chat has no subscriptions.", wantCalls: "unsubscribe " + testChat + ` ""`},
		{name: "UnsubscribeNoArg", text: "unsubscribe", admin: true,
			want: "Usage: unsubscribe RULESET|RULE|all. Send subscriptions for this chat's.", wantEphemeral: true},
		{name: "UnsubscribeTwoArgs", text: "unsubscribe diplomacy unsc", admin: true,
			want: "Usage: unsubscribe RULESET|RULE|all. Send subscriptions for this chat's.", wantEphemeral: true},
		{name: "UnsubscribeFail", text: "unsubscribe diplomacy", admin: true, setup: func(w *chatWorld) { w.subsErr = errBoom },
			want: "Sorry, that failed. Please try again later.", wantEphemeral: true,
			wantCalls: "unsubscribe " + testChat + ` "diplomacy"`, wantLog: "database is locked"},

		// mute and unmute
		{name: "MuteNotAdmin", text: "mute 2h",
			want: "Only chat administrators may use mute.", wantEphemeral: true},
		{name: "MuteHours", text: "mute 2h", admin: true,
			want:      "Muted until 2026-03-01 14:00 UTC. Send unmute to receive alerts again.",
			wantCalls: "mute " + testChat + " until 2026-03-01T14:00:00Z"},
		{name: "MuteMinutes", text: "mute 30m", admin: true,
			want:      "Muted until 2026-03-01 12:30 UTC. Send unmute to receive alerts again.",
			wantCalls: "mute " + testChat + " until 2026-03-01T12:30:00Z"},
		{name: "MuteDays", text: "MUTE 1D12h", admin: true,
			want:      "Muted until 2026-03-03 00:00 UTC. Send unmute to receive alerts again.",
			wantCalls: "mute " + testChat + " until 2026-03-03T00:00:00Z"},
		{name: "MuteNoArg", text: "mute", admin: true,
			want: "Usage: mute DURATION, such as mute 2h or mute 1d.", wantEphemeral: true},
		{name: "MuteBadUnit", text: "mute 2x", admin: true,
			want: `Bad duration "2x": use minutes, hours or days, such as 30m, 24h or 7d.`, wantEphemeral: true},
		{name: "MuteBadDays", text: "mute 1.5d", admin: true,
			want: `Bad duration "1.5d": use minutes, hours or days, such as 30m, 24h or 7d.`, wantEphemeral: true},
		{name: "MuteZero", text: "mute 0d", admin: true,
			want: `Bad duration "0d": use minutes, hours or days, such as 30m, 24h or 7d.`, wantEphemeral: true},
		{name: "MuteNegative", text: "mute -1h", admin: true,
			want: `Bad duration "-1h": use minutes, hours or days, such as 30m, 24h or 7d.`, wantEphemeral: true},
		{name: "MuteTooLong", text: "mute 400d", admin: true,
			want: `Duration "400d" is too long: at most 365d.`, wantEphemeral: true},
		{name: "MuteTooLongHours", text: "mute 9000h", admin: true,
			want: `Duration "9000h" is too long: at most 365d.`, wantEphemeral: true},
		{name: "MuteFail", text: "mute 1h", admin: true, setup: func(w *chatWorld) { w.mutesErr = errBoom },
			want: "Sorry, that failed. Please try again later.", wantEphemeral: true,
			wantCalls: "mute " + testChat + " until 2026-03-01T13:00:00Z", wantLog: "database is locked"},
		{name: "UnmuteNotAdmin", text: "unmute",
			want: "Only chat administrators may use unmute.", wantEphemeral: true},
		{name: "Unmute", text: "unmute", admin: true, setup: func(w *chatWorld) { w.muted[testChat] = chatNow.Add(time.Hour) },
			want: "Unmuted: alerts are sent again.", wantCalls: "unmute " + testChat},
		{name: "UnmuteNotMuted", text: "unmute", admin: true,
			want: "This chat was not muted.", wantCalls: "unmute " + testChat},
		{name: "UnmuteFail", text: "unmute", admin: true, setup: func(w *chatWorld) { w.mutesErr = errBoom },
			want: "Sorry, that failed. Please try again later.", wantEphemeral: true,
			wantCalls: "unmute " + testChat, wantLog: "database is locked"},

		// digest
		{name: "DigestShowNone", text: "digest", want: "No digest for this chat. Set one with: digest at 08:00 Europe/Moscow"},
		{name: "DigestShow", text: "Digest", setup: func(w *chatWorld) {
			w.digests = map[string]fakeDigest{testChat: {s: mustSchedule("30 7 * * *", "Europe/London"), skipQuiet: true}}
		}, want: "Digest: 30 7 * * * Europe/London; the next on 2026-03-02 07:30 UTC · 07:30 GMT.\nWhen nothing was raised, nothing is sent."},
		{name: "DigestShowFail", text: "digest", setup: func(w *chatWorld) { w.digestErr = errBoom },
			want: "Sorry, that failed. Please try again later.", wantEphemeral: true, wantLog: "database is locked"},
		{name: "DigestNotAdmin", text: "digest now",
			want: "Only chat administrators may change the digest.", wantEphemeral: true},
		{name: "DigestAtNotAdmin", text: "digest at 08:00 Europe/Moscow",
			want: "Only chat administrators may change the digest.", wantEphemeral: true},
		{name: "DigestAt", text: "digest at 08:00 Europe/Moscow", admin: true,
			want:      "Digest: 0 8 * * * Europe/Moscow; the next on 2026-03-02 05:00 UTC · 08:00 MSK.\nWhen nothing was raised, the digest says so in one line.",
			wantCalls: "digest " + testChat + " 0 8 * * * Europe/Moscow skipQuiet=false"},
		{name: "DigestAtQuietSkip", text: "digest at 7:05 Asia/Tokyo quiet=skip", admin: true,
			want:      "Digest: 5 7 * * * Asia/Tokyo; the next on 2026-03-01 22:05 UTC · 2026-03-02 07:05 JST.\nWhen nothing was raised, nothing is sent.",
			wantCalls: "digest " + testChat + " 5 7 * * * Asia/Tokyo skipQuiet=true"},
		{name: "DigestCron", text: `digest cron "0 8 * * 1-5" America/New_York`, admin: true,
			want:      "Digest: 0 8 * * 1-5 America/New_York; the next on 2026-03-02 13:00 UTC · 08:00 EST.\nWhen nothing was raised, the digest says so in one line.",
			wantCalls: "digest " + testChat + " 0 8 * * 1-5 America/New_York skipQuiet=false"},
		{name: "DigestCronSmartQuotes", text: "digest cron “0 18 * * 5” Europe/London quiet=say", admin: true,
			want:      "Digest: 0 18 * * 5 Europe/London; the next on 2026-03-06 18:00 UTC · 18:00 GMT.\nWhen nothing was raised, the digest says so in one line.",
			wantCalls: "digest " + testChat + " 0 18 * * 5 Europe/London skipQuiet=false"},
		{name: "DigestCronUnquoted", text: "digest cron 0 8 * * 1-5 America/New_York", admin: true,
			want:      "Digest: 0 8 * * 1-5 America/New_York; the next on 2026-03-02 13:00 UTC · 08:00 EST.\nWhen nothing was raised, the digest says so in one line.",
			wantCalls: "digest " + testChat + " 0 8 * * 1-5 America/New_York skipQuiet=false"},
		{name: "DigestCronUnclosed", text: `digest cron "0 8 * * 1-5 America/New_York`, admin: true,
			want: "The cron line has no closing quote. " + digestUsage, wantEphemeral: true},
		{name: "DigestCronBad", text: `digest cron "0 25 * * *" Europe/Moscow`, admin: true,
			want: `Schedule "0 25 * * *": end of range (25) above maximum (23): 25.`, wantEphemeral: true},
		{name: "DigestCronNever", text: `digest cron "0 0 30 2 *" Europe/Moscow`, admin: true,
			want: `Schedule "0 0 30 2 *": never runs.`, wantEphemeral: true},
		{name: "DigestBadZone", text: "digest at 08:00 Mars/Olympus", admin: true,
			want: `Unknown time zone "Mars/Olympus": use an IANA name such as Europe/Moscow or America/New_York.`, wantEphemeral: true},
		{name: "DigestLocalZone", text: "digest at 08:00 Local", admin: true,
			want: `Unknown time zone "Local": use an IANA name such as Europe/Moscow or America/New_York.`, wantEphemeral: true},
		{name: "DigestBadTime", text: "digest at 8am Europe/Moscow", admin: true,
			want: `Digest time "8am": want HH:MM.`, wantEphemeral: true},
		{name: "DigestNoZone", text: "digest at 08:00", admin: true, want: digestUsage, wantEphemeral: true},
		{name: "DigestBadOption", text: "digest at 08:00 Europe/Moscow quiet=never", admin: true,
			want: `Unknown option "quiet=never": digest takes quiet=skip or quiet=say.`, wantEphemeral: true},
		{name: "DigestUnknown", text: "digest weekly", admin: true, want: digestUsage, wantEphemeral: true},
		{name: "DigestOff", text: "digest off", admin: true,
			want: "Digests are off for this chat.", wantCalls: "digest " + testChat + " off"},
		{name: "DigestNow", text: "digest NOW", admin: true,
			want: "The digest is on its way: everything raised since the last one.", wantCalls: "digest now " + testChat},
		{name: "DigestNowFail", text: "digest now", admin: true, setup: func(w *chatWorld) { w.digestErr = errBoom },
			want: "Sorry, that failed. Please try again later.", wantEphemeral: true,
			wantCalls: "digest now " + testChat, wantLog: "database is locked"},

		// status
		{name: "StatusNotAdmin", text: "status",
			want: "Only chat administrators may use status.", wantEphemeral: true},
		{name: "Status", text: "status", admin: true, setup: func(w *chatWorld) {
			w.status = []string{"sources: 2 polled, 1 healthy, 1 failing", "  tass: 3 failures since never: 503", "deliveries waiting: 4"}
		}, want: "sources: 2 polled, 1 healthy, 1 failing\n  tass: 3 failures since never: 503\ndeliveries waiting: 4", wantEphemeral: true},
		{name: "StatusEmpty", text: "status", admin: true, want: "Nothing to report.", wantEphemeral: true},
		{name: "StatusFail", text: "status", admin: true, setup: func(w *chatWorld) { w.statusErr = errBoom },
			want: "Sorry, that failed. Please try again later.", wantEphemeral: true, wantLog: "database is locked"},

		// lookup
		{name: "Lookup", text: "lookup summon* ambassador", setup: func(w *chatWorld) {
			w.found = []bot.Found{
				{Title: "Ambassador\nsummoned", URL: "https://example.com/old", Source: "tass",
					Published: time.Date(2026, 2, 28, 9, 15, 0, 0, time.UTC), Words: []string{"summoned", "Ambassador", "ambassador"}},
				{Title: "", URL: "https://example.com/new", Source: "mid-russia",
					Published: time.Date(2026, 3, 1, 11, 0, 0, 0, time.UTC), Words: []string{"summons"}},
				{Title: "Undated", Source: "ria"},
			}
		}, want: "3 items found in the last 7d, newest first:\n" +
			"\n2026-03-01 11:00 UTC · mid-russia · (no title)\nhttps://example.com/new\n  matched: summons\n" +
			"\n2026-02-28 09:15 UTC · tass · Ambassador summoned\nhttps://example.com/old\n  matched: summoned, Ambassador\n" +
			"\ntime unknown · ria · Undated",
			wantCalls: `lookup "summon* ambassador" since 2026-02-22T12:00:00Z limit 11`},
		{name: "LookupOne", text: "Lookup  \"note of  protest\"   since=24H", setup: func(w *chatWorld) { w.found = found(1) },
			want:      "1 item found in the last 24H:\n\n2026-03-01 11:00 UTC · tass · Story 1\nhttps://example.com/1\n  matched: summoned",
			wantCalls: `lookup "\"note of  protest\"" since 2026-02-28T12:00:00Z limit 11`},
		{name: "LookupMore", text: "lookup summoned", admin: true, setup: func(w *chatWorld) { w.found = found(25) },
			want: strings.Join(tenNewest, "\n"), wantCalls: `lookup "summoned" since 2026-02-22T12:00:00Z limit 11`},
		{name: "LookupNone", text: "lookup summoned since=30m",
			want: "Nothing found in the last 30m.", wantCalls: `lookup "summoned" since 2026-03-01T11:30:00Z limit 11`},
		{name: "LookupEmpty", text: "lookup",
			want: "Usage: lookup QUERY [since=7d], such as lookup summon* ambassador since=1d", wantEphemeral: true},
		{name: "LookupOnlySince", text: "lookup since=1d",
			want: "Usage: lookup QUERY [since=7d], such as lookup summon* ambassador since=1d", wantEphemeral: true},
		{name: "LookupBadSince", text: "lookup summoned since=week",
			want: `Bad duration "week": use minutes, hours or days, such as 30m, 24h or 7d.`, wantEphemeral: true},
		{name: "LookupSyntaxError", text: "lookup (summoned", setup: func(w *chatWorld) {
			w.lookupErr = fmt.Errorf("app: %w", &rules.SyntaxError{Offset: 9, Col: 10, Msg: `missing ")"`})
		}, want: `Invalid query: column 10: missing ")".`, wantEphemeral: true,
			wantCalls: `lookup "(summoned" since 2026-02-22T12:00:00Z limit 11`},
		{name: "LookupBadQuery", text: "lookup -summoned", setup: func(w *chatWorld) {
			w.lookupErr = fmt.Errorf("%w: the query needs at least one word or phrase to look for", bot.ErrBadQuery)
		}, want: "Invalid query: the query needs at least one word or phrase to look for.", wantEphemeral: true,
			wantCalls: `lookup "-summoned" since 2026-02-22T12:00:00Z limit 11`},
		{name: "LookupFail", text: "lookup summoned", setup: func(w *chatWorld) { w.lookupErr = errBoom },
			want: "Sorry, that failed. Please try again later.", wantEphemeral: true,
			wantCalls: `lookup "summoned" since 2026-02-22T12:00:00Z limit 11`, wantLog: "database is locked"},

		// explain
		{name: "Explain", text: "explain Iraq summoned the US chargé d'affaires", setup: func(w *chatWorld) {
			w.explains = map[string][]bot.Explanation{"Iraq summoned the US chargé d'affaires": {
				{RuleID: "diplomat-summoned", Title: "Diplomat summoned", Severity: rules.High,
					Words: []string{"summoned", "chargé d'affaires"}, Countries: []string{"IQ", "US"}},
				{RuleID: "any-summons", Severity: rules.Low, Words: []string{"summoned"}},
			}}
		}, want: "2 rules match:\n" +
			"diplomat-summoned: Diplomat summoned (high)\n  matched: summoned, chargé d'affaires\n  countries: IQ, US\n" +
			"any-summons (low)\n  matched: summoned",
			wantCalls: `explain "Iraq summoned the US chargé d'affaires"`},
		{name: "ExplainOne", text: "explain UN Security Council meeting requested", setup: func(w *chatWorld) {
			w.explains = map[string][]bot.Explanation{"UN Security Council meeting requested": {
				{RuleID: "unsc-meeting-requested", Title: "UN Security Council meeting requested", Severity: rules.Critical,
					Words: []string{"Security Council", "requested"}},
			}}
		}, want: "1 rule matches:\nunsc-meeting-requested: UN Security Council meeting requested (critical)\n  matched: Security Council, requested",
			wantCalls: `explain "UN Security Council meeting requested"`},
		{name: "ExplainNone", text: "explain the weather is fine",
			want: "No rule matches this text.", wantCalls: `explain "the weather is fine"`},
		{name: "ExplainEmpty", text: "explain   ",
			want: "Usage: explain TEXT, such as explain Iraq summoned the US chargé d'affaires", wantEphemeral: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := &chatWorld{sets: testSets, subs: map[string][]bot.Subscription{}, muted: map[string]time.Time{}}
			if tt.setup != nil {
				tt.setup(w)
			}
			var logs bytes.Buffer
			logger := slog.New(slog.NewTextHandler(&logs, nil))
			c := bot.NewCommander(fakeLibrary{w}, fakeLookups{w}, fakeSubs{w}, fakeMutes{w}, fakeDigests{w}, fakeStatus{w},
				func() time.Time { return chatNow }, logger)

			got := c.Run(context.Background(), bot.Command{Chat: testChat, User: "42", Admin: tt.admin, Text: tt.text})

			if got.Text != tt.want {
				t.Errorf("Run(%q).Text =\n%s\nwant\n%s", tt.text, got.Text, tt.want)
			}
			if got.Ephemeral != tt.wantEphemeral {
				t.Errorf("Run(%q).Ephemeral = %v, want %v", tt.text, got.Ephemeral, tt.wantEphemeral)
			}
			if calls := strings.Join(w.calls, "\n"); calls != tt.wantCalls {
				t.Errorf("calls =\n%s\nwant\n%s", calls, tt.wantCalls)
			}
			if tt.wantLog == "" && logs.Len() > 0 {
				t.Errorf("unexpected log:\n%s", logs.String())
			}
			if !strings.Contains(logs.String(), tt.wantLog) {
				t.Errorf("log lacks %q:\n%s", tt.wantLog, logs.String())
			}
		})
	}
}

// TestCommanderLogsChat checks that a failure is logged with the chat and
// the command, in the project's keys.
func TestCommanderLogsChat(t *testing.T) {
	w := &chatWorld{sets: testSets, subsErr: errors.New("boom")}
	var logs bytes.Buffer
	c := bot.NewCommander(fakeLibrary{w}, fakeLookups{w}, fakeSubs{w}, fakeMutes{w}, fakeDigests{w}, fakeStatus{w}, nil, slog.New(slog.NewTextHandler(&logs, nil)))
	c.Run(context.Background(), bot.Command{Chat: "slack:C0123", Admin: true, Text: "subscribe unsc"})
	want := `level=ERROR msg="bot: command failed" chat=slack:C0123 command=subscribe error=boom`
	if !strings.Contains(logs.String(), want) {
		t.Errorf("log =\n%s\nwant it to contain\n%s", logs.String(), want)
	}
}
