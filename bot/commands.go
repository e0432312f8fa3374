package bot

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/alertbot/alertbot/rules"
)

// The Commander's dependencies. The app implements them from the store and
// the rule library. Run calls them for the chat commands it receives, from
// the platform adapters' goroutines, concurrently, so each implementation
// must be safe for concurrent use. chat is always a whole chat address, as
// in Command.Chat ("telegram:-100…/3", "slack:C0123"). An error from any
// of them (but a Lookups query error, see there) is logged and answered
// with a generic apology: its text never reaches the chat.

// RuleLibrary is the rules as loaded from the config, read for the rules,
// subscribe, subscriptions and explain commands. Its methods take no ctx:
// they read memory. After a reload they answer from the new rules.
type RuleLibrary interface {
	// Rulesets returns every rule set with its rules, in the config's
	// order; none is an empty result. The caller does not modify them.
	Rulesets() []*rules.Ruleset
	// Kind tells whether id (exactly as typed by the user) is the id of a
	// rule set, of a rule, or of neither.
	Kind(id string) TargetKind
	// Explain runs every rule on text (as the text of an item in an unknown
	// language) and returns the rules that match, and why; none is an
	// empty result.
	Explain(text string) []Explanation
}

// TargetKind is what a subscription target names.
type TargetKind int

const (
	NoTarget      TargetKind = iota // neither a rule set nor a rule
	RulesetTarget                   // a rule set: all of its rules
	RuleTarget                      // one rule
)

// Explanation is a rule that matched a text, and why.
type Explanation struct {
	RuleID    string
	Title     string
	Severity  rules.Severity
	Words     []string // the matched spans' text, in order; repeats are shown once
	Countries []string // ISO 3166-1 alpha-2 codes the text mentions
}

// Lookups searches stored items with a query of the rules language.
type Lookups interface {
	// Lookup returns the items published at or after since that match
	// query, newest first, at most limit of them (the Commander asks for
	// one more than it shows, to tell whether there were more); none is an
	// empty result. A query the user must fix is an error that is, or
	// wraps, a *rules.SyntaxError (shown as "column N: …", N counted in
	// query), or that wraps ErrBadQuery (its whole message is shown). Any
	// other error is a failure, logged and not shown. On a cancelled ctx
	// it returns ctx's error.
	Lookup(ctx context.Context, query string, since time.Time, limit int) ([]Found, error)
}

// ErrBadQuery marks a lookup query that the user must fix, for reasons
// other than its syntax (such as a query with no word to search for). A
// Lookups implementation wraps it so that its message reads well on its
// own: fmt.Errorf("%w: the query needs at least one word", bot.ErrBadQuery).
var ErrBadQuery = errors.New("invalid query")

// Found is an item a lookup found.
type Found struct {
	Title, URL string
	Source     string    // the source's id, or its display name
	Published  time.Time // zero when unknown
	Words      []string  // the matched spans' text, in order; repeats are shown once
}

// Subscriptions are the chats' own subscriptions, which the subscribe and
// unsubscribe commands change.
type Subscriptions interface {
	// Subscribe subscribes chat to target (a rule set or rule id that
	// RuleLibrary.Kind knows) for alerts of severity min and above, sent as
	// they come or, digestOnly, only in the chat's digest. If chat is
	// subscribed to target already, this replaces the old subscription.
	Subscribe(ctx context.Context, chat, target string, min rules.Severity, digestOnly bool) error
	// Unsubscribe removes chat's subscription to target, or all of chat's
	// subscriptions when target is "", and reports whether there was
	// anything to remove. target need not be known to RuleLibrary (a rule
	// may have left the config).
	Unsubscribe(ctx context.Context, chat, target string) (removed bool, err error)
	// List returns chat's subscriptions, in a stable order; none is an
	// empty result.
	List(ctx context.Context, chat string) ([]Subscription, error)
}

// Subscription is a chat's subscription to a rule set or a rule.
type Subscription struct {
	Target      string         // a rule set or rule id
	MinSeverity rules.Severity // alerts of this severity and above
	DigestOnly  bool           // only in the digest, not as they come
}

// Mutes pause alerts to a chat for a while (the mute and unmute commands).
type Mutes interface {
	// Mute holds back alerts to chat until the time given, replacing any
	// earlier mute.
	Mute(ctx context.Context, chat string, until time.Time) error
	// Unmute lifts chat's mute, and reports whether chat was muted (a
	// mute that has run out counts as none).
	Unmute(ctx context.Context, chat string) (wasMuted bool, err error)
	// MutedUntil returns when chat's mute ends; the zero time, or a time
	// already past, means that chat is not muted.
	MutedUntil(ctx context.Context, chat string) (time.Time, error)
}

// DigestSettings are the chats' digest schedules, which the digest command
// shows and changes.
type DigestSettings interface {
	// DigestSchedule returns chat's digest schedule, nil when it has none
	// (or turned digests off), and whether a quiet period sends nothing.
	DigestSchedule(ctx context.Context, chat string) (s *Schedule, skipQuiet bool, err error)
	// SetDigestSchedule sets chat's schedule, replacing the config's; nil
	// turns the chat's digests off.
	SetDigestSchedule(ctx context.Context, chat string, s *Schedule, skipQuiet bool) error
	// DigestNow queues chat's digest at once: everything raised since its
	// previous digest. The next scheduled digest starts from here.
	DigestNow(ctx context.Context, chat string) error
}

// StatusReporter describes the service for the status command, which only
// admins may use.
type StatusReporter interface {
	// Status returns a short report as lines of plain text: the sources'
	// health (the failing ones with their last error), the deliveries
	// waiting, the paused chats.
	Status(ctx context.Context) ([]string, error)
}

const (
	// LookupShown is how many items a lookup shows at most.
	LookupShown = 10
	// lookupDefaultSince is how far back a lookup goes without since=.
	lookupDefaultSince = "7d"
	// maxDuration bounds since= and mute: a year is plenty for both, and
	// keeps day counts far from overflowing a time.Duration.
	maxDuration = 365 * 24 * time.Hour
)

// Answers that several commands give.
const (
	msgFailed     = "Sorry, that failed. Please try again later."
	usageDuration = "use minutes, hours or days, such as 30m, 24h or 7d"
)

// Commander runs the chat commands of DESIGN.md §7 (help, rules,
// subscribe, unsubscribe, subscriptions, lookup, explain, digest, mute,
// unmute, status) on the interfaces above. It holds no state of its own:
// Run may be called concurrently.
type Commander struct {
	lib     RuleLibrary
	lookups Lookups
	subs    Subscriptions
	mutes   Mutes
	digests DigestSettings
	status  StatusReporter
	now     func() time.Time
	logger  *slog.Logger
}

var _ Commands = (*Commander)(nil)

// NewCommander returns a Commander. now is the clock for since= and mute
// (nil is time.Now); a nil logger discards.
func NewCommander(lib RuleLibrary, lookups Lookups, subs Subscriptions, mutes Mutes, digests DigestSettings, status StatusReporter, now func() time.Time, logger *slog.Logger) *Commander {
	if now == nil {
		now = time.Now
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Commander{lib: lib, lookups: lookups, subs: subs, mutes: mutes, digests: digests, status: status, now: now, logger: logger}
}

// command is a command word with the handler that runs it.
type command struct {
	admin bool // only admins may run it
	run   func(x *Commander, ctx context.Context, c Command, rest string) Reply
}

var commands = map[string]command{
	"help":          {run: (*Commander).help},
	"rules":         {run: (*Commander).rules},
	"subscriptions": {run: (*Commander).subscriptions},
	"lookup":        {run: (*Commander).lookup},
	"explain":       {run: (*Commander).explain},
	"subscribe":     {admin: true, run: (*Commander).subscribe},
	"unsubscribe":   {admin: true, run: (*Commander).unsubscribe},
	"mute":          {admin: true, run: (*Commander).mute},
	"unmute":        {admin: true, run: (*Commander).unmute},
	"digest":        {run: (*Commander).digest}, // changes are for admins: see there
	"status":        {admin: true, run: (*Commander).statusReport},
}

// Run answers one command. The command word is case-insensitive; an empty
// command is answered with help. Errors, refusals, help and status are
// Ephemeral: on Slack only the user who asked sees them.
func (x *Commander) Run(ctx context.Context, c Command) Reply {
	word, rest := splitWord(strings.TrimSpace(c.Text))
	word = strings.ToLower(word)
	if word == "" {
		word = "help"
	}
	cmd, ok := commands[word]
	if !ok {
		return fail(fmt.Sprintf("Unknown command %q. Send help for the list of commands.", word))
	}
	if cmd.admin && !c.Admin {
		return fail(fmt.Sprintf("Only chat administrators may use %s.", word))
	}
	return cmd.run(x, ctx, c, rest)
}

// splitWord splits s at its first run of white space.
func splitWord(s string) (word, rest string) {
	i := strings.IndexFunc(s, unicode.IsSpace)
	if i < 0 {
		return s, ""
	}
	return s[:i], strings.TrimSpace(s[i:])
}

// answer is a reply for everyone in the chat; fail and private are for
// the user who asked.
func answer(lines ...string) Reply  { return Reply{Text: strings.Join(lines, "\n")} }
func private(lines ...string) Reply { return Reply{Text: strings.Join(lines, "\n"), Ephemeral: true} }
func fail(msg string) Reply         { return Reply{Text: msg, Ephemeral: true} }

// failed logs err and answers that the command failed.
func (x *Commander) failed(c Command, what string, err error) Reply {
	x.logger.Error("bot: command failed", "chat", c.Chat, "command", what, "error", err)
	return fail(msgFailed)
}

var helpLines = []string{
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
}

func (x *Commander) help(ctx context.Context, c Command, rest string) Reply {
	return private(helpLines...)
}

func (x *Commander) rules(ctx context.Context, c Command, rest string) Reply {
	sets := x.lib.Rulesets()
	if len(sets) == 0 {
		return answer("No rules are loaded.")
	}
	var lines []string
	for _, set := range sets {
		lines = append(lines, titled(set.ID, set.Title)+":")
		for _, r := range set.Rules {
			lines = append(lines, fmt.Sprintf("  %s (%s)", titled(r.ID, r.Title), r.Severity))
		}
	}
	lines = append(lines, "Subscribe with: subscribe RULESET|RULE [min=SEVERITY]")
	return answer(lines...)
}

// titled is "id: title", or the id alone.
func titled(id, title string) string {
	if title = oneLine(title); title != "" {
		return id + ": " + title
	}
	return id
}

func (x *Commander) subscriptions(ctx context.Context, c Command, rest string) Reply {
	subs, err := x.subs.List(ctx, c.Chat)
	if err != nil {
		return x.failed(c, "subscriptions", err)
	}
	until, err := x.mutes.MutedUntil(ctx, c.Chat)
	if err != nil {
		return x.failed(c, "subscriptions", err)
	}
	var lines []string
	if len(subs) == 0 {
		lines = append(lines, "This chat has no subscriptions. Subscribe with: subscribe RULESET|RULE [min=SEVERITY]")
	} else {
		lines = append(lines, "This chat is subscribed to:")
		for _, s := range subs {
			line := fmt.Sprintf("  %s (%s): %s", s.Target, x.kindName(s.Target), severities(s.MinSeverity))
			if s.DigestOnly {
				line += ", digest only"
			}
			lines = append(lines, line)
		}
	}
	if until.After(x.now()) {
		lines = append(lines, "Muted until "+FormatTime(until, nil)+".")
	} else {
		lines = append(lines, "Not muted.")
	}
	sched, _, err := x.digests.DigestSchedule(ctx, c.Chat)
	if err != nil {
		return x.failed(c, "subscriptions", err)
	}
	lines = append(lines, x.digestLine(sched))
	return answer(lines...)
}

func (x *Commander) kindName(target string) string {
	switch x.lib.Kind(target) {
	case RulesetTarget:
		return "rule set"
	case RuleTarget:
		return "rule"
	}
	return "no longer in the rules"
}

// severities says which severities min lets through.
func severities(min rules.Severity) string {
	switch {
	case min <= rules.Low:
		return "all severities"
	case min >= rules.Critical:
		return "critical only"
	}
	return min.String() + " and above"
}

func (x *Commander) subscribe(ctx context.Context, c Command, rest string) Reply {
	const usage = "Usage: subscribe RULESET|RULE [min=SEVERITY] [digest-only]. Send rules for the ids."
	var target string
	min := rules.Low
	digestOnly := false
	for _, arg := range strings.Fields(rest) {
		key, value, isOption := strings.Cut(arg, "=")
		switch {
		case strings.EqualFold(arg, "digest-only"):
			digestOnly = true
		case !isOption && target == "":
			target = arg
		case !isOption:
			return fail(usage)
		case strings.EqualFold(key, "min"):
			sev, err := rules.ParseSeverity(value)
			if err != nil {
				return fail(fmt.Sprintf("Unknown severity %q: use low, medium, high or critical.", value))
			}
			min = sev
		default:
			return fail(fmt.Sprintf("Unknown option %q: subscribe takes min=SEVERITY.", arg))
		}
	}
	if target == "" {
		return fail(usage)
	}
	var kind string
	switch x.lib.Kind(target) {
	case RulesetTarget:
		kind = "rule set"
	case RuleTarget:
		kind = "rule"
	default:
		return fail(fmt.Sprintf("No rule set or rule is called %q. Send rules for the list.", target))
	}
	if err := x.subs.Subscribe(ctx, c.Chat, target, min, digestOnly); err != nil {
		return x.failed(c, "subscribe", err)
	}
	if !digestOnly {
		return answer(fmt.Sprintf("Subscribed to %s %s: %s.", kind, target, severities(min)))
	}
	msg := fmt.Sprintf("Subscribed to %s %s: %s, in the digest only.", kind, target, severities(min))
	s, _, err := x.digests.DigestSchedule(ctx, c.Chat)
	if err != nil {
		return x.failed(c, "subscribe", err)
	}
	if s == nil {
		return answer(msg, "This chat has no digest yet: set one with digest at HH:MM TZ.")
	}
	return answer(msg)
}

func (x *Commander) unsubscribe(ctx context.Context, c Command, rest string) Reply {
	args := strings.Fields(rest)
	if len(args) != 1 {
		return fail("Usage: unsubscribe RULESET|RULE|all. Send subscriptions for this chat's.")
	}
	target := args[0]
	if strings.EqualFold(target, "all") {
		target = ""
	}
	removed, err := x.subs.Unsubscribe(ctx, c.Chat, target)
	switch {
	case err != nil:
		return x.failed(c, "unsubscribe", err)
	case target == "" && removed:
		return answer("Unsubscribed from everything.")
	case target == "":
		return answer("This chat has no subscriptions.")
	case removed:
		return answer(fmt.Sprintf("Unsubscribed from %s.", target))
	}
	return fail(fmt.Sprintf("This chat is not subscribed to %q. Send subscriptions for its subscriptions.", target))
}

func (x *Commander) mute(ctx context.Context, c Command, rest string) Reply {
	args := strings.Fields(rest)
	if len(args) != 1 {
		return fail("Usage: mute DURATION, such as mute 2h or mute 1d.")
	}
	d, msg := parseDuration(args[0])
	if msg != "" {
		return fail(msg)
	}
	until := x.now().Add(d)
	if err := x.mutes.Mute(ctx, c.Chat, until); err != nil {
		return x.failed(c, "mute", err)
	}
	return answer("Muted until " + FormatTime(until, nil) + ". Send unmute to receive alerts again.")
}

func (x *Commander) unmute(ctx context.Context, c Command, rest string) Reply {
	was, err := x.mutes.Unmute(ctx, c.Chat)
	if err != nil {
		return x.failed(c, "unmute", err)
	}
	if !was {
		return answer("This chat was not muted.")
	}
	return answer("Unmuted: alerts are sent again.")
}

const digestUsage = `Usage: digest, digest at HH:MM TZ, digest cron "MIN HOUR DOM MON DOW" TZ, digest off or digest now. ` +
	`Add quiet=skip to send nothing when nothing was raised. TZ is an IANA time zone such as Europe/Moscow.`

// digest shows the chat's digest schedule to anyone, and changes it or
// sends the digest at once for admins.
func (x *Commander) digest(ctx context.Context, c Command, rest string) Reply {
	word, args := splitWord(rest)
	word = strings.ToLower(word)
	if word == "" {
		s, skipQuiet, err := x.digests.DigestSchedule(ctx, c.Chat)
		if err != nil {
			return x.failed(c, "digest", err)
		}
		if s == nil {
			return answer(x.digestLine(s))
		}
		return answer(x.digestLine(s), quietLine(skipQuiet))
	}
	if !c.Admin {
		return fail("Only chat administrators may change the digest.")
	}
	switch word {
	case "now":
		if args != "" {
			return fail(digestUsage)
		}
		if err := x.digests.DigestNow(ctx, c.Chat); err != nil {
			return x.failed(c, "digest now", err)
		}
		return answer("The digest is on its way: everything raised since the last one.")
	case "off":
		if args != "" {
			return fail(digestUsage)
		}
		if err := x.digests.SetDigestSchedule(ctx, c.Chat, nil, false); err != nil {
			return x.failed(c, "digest off", err)
		}
		return answer("Digests are off for this chat.")
	case "at", "cron":
		s, skipQuiet, msg := parseDigestSchedule(word, args)
		if msg != "" {
			return fail(msg)
		}
		if err := x.digests.SetDigestSchedule(ctx, c.Chat, s, skipQuiet); err != nil {
			return x.failed(c, "digest", err)
		}
		return answer(x.digestLine(s), quietLine(skipQuiet))
	}
	return fail(digestUsage)
}

// parseDigestSchedule reads the arguments of digest at (HH:MM TZ) and
// digest cron ("MIN HOUR DOM MON DOW" TZ; the quotes may be typographic,
// or left out), each with an optional quiet=skip or quiet=say at the end.
// It returns the message for the user when they are wrong.
func parseDigestSchedule(form, args string) (s *Schedule, skipQuiet bool, msg string) {
	var line string
	if form == "cron" {
		open, size := utf8.DecodeRuneInString(args)
		if open == '"' || open == '“' || open == '”' {
			end := strings.IndexAny(args[size:], `"“”`)
			if end < 0 {
				return nil, false, "The cron line has no closing quote. " + digestUsage
			}
			line, args = args[size:size+end], args[size+end:]
			_, n := utf8.DecodeRuneInString(args)
			args = args[n:]
		} else {
			fields := strings.Fields(args)
			if len(fields) < 5 {
				return nil, false, digestUsage
			}
			line, args = strings.Join(fields[:5], " "), strings.Join(fields[5:], " ")
		}
	}
	fields := strings.Fields(args)
	if n := len(fields); n > 0 {
		if key, value, ok := strings.Cut(fields[n-1], "="); ok {
			if !strings.EqualFold(key, "quiet") || (!strings.EqualFold(value, "skip") && !strings.EqualFold(value, "say")) {
				return nil, false, fmt.Sprintf("Unknown option %q: digest takes quiet=skip or quiet=say.", fields[n-1])
			}
			skipQuiet = strings.EqualFold(value, "skip")
			fields = fields[:n-1]
		}
	}
	want := 1 // the zone
	if form == "at" {
		want = 2 // HH:MM and the zone
	}
	if len(fields) != want {
		return nil, false, digestUsage
	}
	tz, err := LoadZone(fields[want-1])
	if err != nil {
		return nil, false, fmt.Sprintf("Unknown time zone %q: use an IANA name such as Europe/Moscow or America/New_York.", fields[want-1])
	}
	if form == "at" {
		s, err = ScheduleAt(fields[0], tz)
	} else {
		s, err = ParseSchedule(line, tz)
	}
	if err != nil {
		return nil, false, upperFirst(strings.TrimPrefix(err.Error(), "bot: ")) + "."
	}
	return s, skipQuiet, ""
}

// digestLine says when the chat's digest comes.
func (x *Commander) digestLine(s *Schedule) string {
	if s == nil {
		return "No digest for this chat. Set one with: digest at 08:00 Europe/Moscow"
	}
	return fmt.Sprintf("Digest: %s; the next on %s.", s, FormatTime(s.Next(x.now()), s.Location()))
}

func quietLine(skipQuiet bool) string {
	if skipQuiet {
		return "When nothing was raised, nothing is sent."
	}
	return "When nothing was raised, the digest says so in one line."
}

func (x *Commander) statusReport(ctx context.Context, c Command, rest string) Reply {
	lines, err := x.status.Status(ctx)
	if err != nil {
		return x.failed(c, "status", err)
	}
	if len(lines) == 0 {
		return private("Nothing to report.")
	}
	return private(lines...)
}

func (x *Commander) lookup(ctx context.Context, c Command, rest string) Reply {
	const usage = "Usage: lookup QUERY [since=7d], such as lookup summon* ambassador since=1d"
	query, window := rest, lookupDefaultSince
	i := strings.LastIndexFunc(query, unicode.IsSpace) // -1 for one word
	if key, value, ok := strings.Cut(query[i+1:], "="); ok && strings.EqualFold(key, "since") {
		query, window = strings.TrimSpace(query[:i+1]), value
	}
	if query == "" {
		return fail(usage)
	}
	d, msg := parseDuration(window)
	if msg != "" {
		return fail(msg)
	}
	found, err := x.lookups.Lookup(ctx, query, x.now().Add(-d), LookupShown+1)
	var syntax *rules.SyntaxError
	switch {
	case errors.As(err, &syntax):
		return fail(fmt.Sprintf("Invalid query: column %d: %s.", syntax.Col, syntax.Msg))
	case errors.Is(err, ErrBadQuery):
		return fail(upperFirst(err.Error()) + ".")
	case err != nil:
		return x.failed(c, "lookup", err)
	}
	found = slices.Clone(found)
	slices.SortStableFunc(found, func(a, b Found) int { return b.Published.Compare(a.Published) })
	var lines []string
	switch n := len(found); {
	case n == 0:
		return answer("Nothing found in the last " + window + ".")
	case n == 1:
		lines = append(lines, "1 item found in the last "+window+":")
	case n <= LookupShown:
		lines = append(lines, fmt.Sprintf("%d items found in the last %s, newest first:", n, window))
	default:
		lines = append(lines, fmt.Sprintf("More than %d items found in the last %s; the %d newest:", LookupShown, window, LookupShown))
		found = found[:LookupShown]
	}
	for _, f := range found {
		when := "time unknown"
		if !f.Published.IsZero() {
			when = FormatTime(f.Published, nil)
		}
		title := cmp.Or(oneLine(f.Title), "(no title)")
		lines = append(lines, "", when+" · "+oneLine(f.Source)+" · "+title)
		if url := oneLine(f.URL); url != "" {
			lines = append(lines, url)
		}
		if words := uniqueWords(f.Words); words != "" {
			lines = append(lines, "  matched: "+words)
		}
	}
	return answer(lines...)
}

func (x *Commander) explain(ctx context.Context, c Command, rest string) Reply {
	if rest == "" {
		return fail("Usage: explain TEXT, such as explain Iraq summoned the US chargé d'affaires")
	}
	exps := x.lib.Explain(rest)
	if len(exps) == 0 {
		return answer("No rule matches this text.")
	}
	lines := []string{"1 rule matches:"}
	if len(exps) > 1 {
		lines = []string{fmt.Sprintf("%d rules match:", len(exps))}
	}
	for _, e := range exps {
		lines = append(lines, fmt.Sprintf("%s (%s)", titled(e.RuleID, e.Title), e.Severity))
		if words := uniqueWords(e.Words); words != "" {
			lines = append(lines, "  matched: "+words)
		}
		if len(e.Countries) > 0 {
			lines = append(lines, "  countries: "+strings.Join(e.Countries, ", "))
		}
	}
	return answer(lines...)
}

// parseDuration reads a positive duration of at most maxDuration: Go's
// (30m, 24h, 1h30m) with days in front (7d, 1d12h). It returns the
// message for the user when s is not one.
func parseDuration(s string) (time.Duration, string) {
	bad := fmt.Sprintf("Bad duration %q: %s.", s, usageDuration)
	tooLong := fmt.Sprintf("Duration %q is too long: at most %dd.", s, maxDuration/(24*time.Hour))
	rest := strings.ToLower(s)
	var d time.Duration
	if days, after, ok := strings.Cut(rest, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n < 0 || days[0] == '+' {
			return 0, bad
		}
		if n > int(maxDuration/(24*time.Hour)) {
			return 0, tooLong
		}
		d, rest = time.Duration(n)*24*time.Hour, after
	}
	if rest != "" {
		more, err := time.ParseDuration(rest)
		if err != nil || more < 0 {
			return 0, bad
		}
		if more > maxDuration {
			return 0, tooLong
		}
		d += more
	}
	switch {
	case d <= 0:
		return 0, bad
	case d > maxDuration:
		return 0, tooLong
	}
	return d, ""
}

// uniqueWords joins words on one line, each once (whatever its case).
func uniqueWords(words []string) string {
	var out []string
	for _, w := range words {
		w = oneLine(w)
		if w != "" && !slices.ContainsFunc(out, func(o string) bool { return strings.EqualFold(o, w) }) {
			out = append(out, w)
		}
	}
	return strings.Join(out, ", ")
}

func upperFirst(s string) string {
	for i, r := range s {
		return string(unicode.ToUpper(r)) + s[i+len(string(r)):]
	}
	return s
}
