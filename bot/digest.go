package bot

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/alertbot/alertbot/rules"
)

// DigestMessenger sends digests. The Messengers of the chat platforms
// implement it beside Messenger.
type DigestMessenger interface {
	// SendDigest sends d to chat as the messages SplitDigest makes of it
	// with the platform's limits, in order, skipping the first from of
	// them (an earlier attempt sent those). After the platform accepts
	// message i it calls sent(i); an error from sent stops SendDigest,
	// which returns it. The split must be the same every time for the same
	// d, so that a retry resumes where the last attempt stopped. Its
	// errors are those of Messenger.Send: *RetryAfter, ErrChatGone, a
	// moved chat, or transient.
	SendDigest(ctx context.Context, chat string, d *Digest, from int, sent func(i int) error) error
}

// Limits of one line of a digest, so that any line fits in any message.
const (
	digestTitleRunes  = 200 // an item's title
	digestSourceRunes = 40  // a source's name
	digestSourcesShow = 3   // sources named on an event's line; the rest are counted
	digestRuleRunes   = 80  // a rule's or rule set's title
)

// DigestEntry is one alert, as a digest lists it.
type DigestEntry struct {
	AlertID               int64
	RuleID, RuleTitle     string
	Ruleset, RulesetTitle string
	Severity              string   // low, medium, high, critical
	Title, URL            string   // of the item
	Source, SourceTitle   string   // source id, and its display name when known
	Countries             []string // ISO 3166-1 alpha-2 codes the item mentions, sorted
	At                    time.Time
}

// Digest is what a chat's subscriptions raised over a period: the alerts
// gathered into events, and the events into one section per rule set.
type Digest struct {
	From, To time.Time      // the period, [From, To)
	Zone     *time.Location // the chat's time zone; nil: UTC
	Alerts   int            // the alerts in it
	Sections []DigestSection
}

// DigestSection holds the events of one rule set, ranked: by severity,
// highest first, then by how many sources reported them, then newest
// first.
type DigestSection struct {
	Ruleset, Title string
	Events         []DigestEvent
}

// DigestEvent is one story: the alerts of one rule whose items are the
// same report (the same link, or much the same title about the same
// countries), from one source or several.
type DigestEvent struct {
	RuleID, RuleTitle string
	Severity          string
	Title, URL        string    // of the first report
	At                time.Time // of the first report
	Sources           []string  // display names, in the order they reported, each once
	Alerts            int
}

// Events returns the number of events in d.
func (d *Digest) Events() int {
	n := 0
	for _, s := range d.Sections {
		n += len(s.Events)
	}
	return n
}

// Empty reports whether nothing was raised in d's period.
func (d *Digest) Empty() bool { return len(d.Sections) == 0 }

// NewDigest gathers entries, the alerts raised for a chat in [from, to),
// into a Digest. Entries of one rule are one event when they share a link,
// or when they name the same countries and their titles are much the same
// (see similar); else they stay apart, as two summonses of two ambassadors
// must. Sections follow
// order (rule set ids, as in the config); rule sets not in it come after,
// by id. Entries may come in any order; the result depends only on their
// contents.
func NewDigest(from, to time.Time, zone *time.Location, entries []DigestEntry, order []string) *Digest {
	entries = slices.Clone(entries)
	slices.SortFunc(entries, func(a, b DigestEntry) int {
		return cmp.Or(a.At.Compare(b.At), cmp.Compare(a.AlertID, b.AlertID))
	})
	d := &Digest{From: from, To: to, Zone: zone, Alerts: len(entries)}

	type cluster struct {
		event     DigestEvent
		words     map[string]bool
		countries []string
	}
	byRuleset := map[string][]*cluster{}
	titles := map[string]string{}
	for _, e := range entries {
		if titles[e.Ruleset] == "" {
			titles[e.Ruleset] = cmp.Or(e.RulesetTitle, e.Ruleset)
		}
		source := cmp.Or(oneLine(e.SourceTitle), oneLine(e.Source))
		words := titleWords(e.Title)
		var into *cluster
		for _, c := range byRuleset[e.Ruleset] {
			if c.event.RuleID == e.RuleID && (sameURL(c.event.URL, e.URL) ||
				slices.Equal(c.countries, e.Countries) && similar(c.words, words)) {
				into = c
				break
			}
		}
		if into == nil {
			into = &cluster{words: words, countries: e.Countries, event: DigestEvent{
				RuleID: e.RuleID, RuleTitle: e.RuleTitle, Severity: e.Severity,
				Title: e.Title, URL: e.URL, At: e.At,
			}}
			byRuleset[e.Ruleset] = append(byRuleset[e.Ruleset], into)
		}
		into.event.Alerts++
		if source != "" && !slices.Contains(into.event.Sources, source) {
			into.event.Sources = append(into.event.Sources, source)
		}
	}

	ids := make([]string, 0, len(byRuleset))
	for id := range byRuleset {
		ids = append(ids, id)
	}
	slices.SortFunc(ids, func(a, b string) int {
		ia, ib := slices.Index(order, a), slices.Index(order, b)
		switch {
		case ia >= 0 && ib >= 0:
			return cmp.Compare(ia, ib)
		case ia >= 0:
			return -1
		case ib >= 0:
			return 1
		}
		return cmp.Compare(a, b)
	})
	for _, id := range ids {
		sec := DigestSection{Ruleset: id, Title: titles[id]}
		for _, c := range byRuleset[id] {
			sec.Events = append(sec.Events, c.event)
		}
		slices.SortStableFunc(sec.Events, func(a, b DigestEvent) int {
			return cmp.Or(
				cmp.Compare(severityRank(b.Severity), severityRank(a.Severity)),
				cmp.Compare(len(b.Sources), len(a.Sources)),
				b.At.Compare(a.At),
			)
		})
		d.Sections = append(d.Sections, sec)
	}
	return d
}

// severityRank orders severities; an unknown one ranks lowest.
func severityRank(s string) int {
	sev, err := rules.ParseSeverity(strings.ToLower(strings.TrimSpace(s)))
	if err != nil {
		return -1
	}
	return int(sev)
}

// titleWords are the words of a title that tell it apart: runs of letters
// and digits folded to lower case, of three runes or more, and numbers.
func titleWords(title string) map[string]bool {
	words := map[string]bool{}
	for _, w := range strings.FieldsFunc(strings.ToLower(title), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}) {
		if utf8.RuneCountInString(w) >= 3 || unicode.IsDigit([]rune(w)[0]) {
			words[w] = true
		}
	}
	return words
}

// similar reports whether two titles are much the same: at least four in
// five of the words of both together are in each (Jaccard similarity ≥
// 0.8), as in copies of one report. Titles that share a pattern but not
// the particulars ("… over the drone incident", "… over the airspace
// incident") stay apart.
func similar(a, b map[string]bool) bool {
	if len(a) == 0 || len(b) == 0 {
		return false
	}
	common := 0
	for w := range a {
		if b[w] {
			common++
		}
	}
	return 5*common >= 4*(len(a)+len(b)-common)
}

func sameURL(a, b string) bool {
	a, b = strings.TrimSpace(a), strings.TrimSpace(b)
	return a != "" && a == b
}

// Kinds of the lines of a digest (LayoutDigest).
const (
	LineDigestHead    LineKind = iota + 100 // "Digest · period", with the counts; a quiet period says so here
	LineDigestCounts                        // how many alerts and events, by severity
	LineDigestSection                       // a rule set's title and its number of events
	LineDigestEvent                         // one event: time, severity, rule, title linked, sources
)

// LayoutDigest arranges d for chats, the same way on every platform:
//
//	Digest · 3 Feb 08:00 – 4 Feb 08:00 MSK
//	12 alerts in 9 events · 2 critical · 3 high · 4 medium
//	Diplomatic incidents (5)
//	3 Feb 14:05 HIGH Diplomat summoned · Iraq summons US chargé d'affaires · TASS, RIA Novosti +2
//	…
//
// A quiet period is one line: "Digest · period · nothing raised". Times
// are in d.Zone (UTC when nil); an event's time shows its date unless the
// whole period falls within one day there. Titles and names are cut to a
// bounded length, so that every line fits in any message of any platform.
func LayoutDigest(d *Digest) []Line {
	zone := d.Zone
	if zone == nil {
		zone = time.UTC
	}
	head := Line{Kind: LineDigestHead, Segs: []Seg{{Text: "Digest", Bold: true}, {Text: " · " + formatPeriod(d.From, d.To, zone)}}}
	if d.Empty() {
		head.Segs = append(head.Segs, Seg{Text: " · nothing raised"})
		return []Line{head}
	}
	bySeverity := map[string]int{}
	for _, s := range d.Sections {
		for _, e := range s.Events {
			bySeverity[strings.ToLower(e.Severity)]++
		}
	}
	counts := fmt.Sprintf("%s in %s", plural(d.Alerts, "alert"), plural(d.Events(), "event"))
	for _, sev := range []string{"critical", "high", "medium", "low"} {
		if n := bySeverity[sev]; n > 0 {
			counts += fmt.Sprintf(" · %d %s", n, sev)
		}
	}
	lines := []Line{head, {Kind: LineDigestCounts, Segs: []Seg{{Text: counts}}}}

	withDate := d.To.Sub(d.From) > 24*time.Hour || d.From.In(zone).YearDay() != d.To.Add(-time.Nanosecond).In(zone).YearDay()
	for _, s := range d.Sections {
		lines = append(lines, Line{Kind: LineDigestSection, Segs: []Seg{
			{Text: cutRunes(oneLine(s.Title), digestRuleRunes), Bold: true},
			{Text: fmt.Sprintf(" (%d)", len(s.Events))},
		}})
		for _, e := range s.Events {
			lines = append(lines, eventLine(e, zone, withDate))
		}
	}
	return lines
}

func eventLine(e DigestEvent, zone *time.Location, withDate bool) Line {
	layout := "15:04"
	if withDate {
		layout = "2 Jan 15:04"
	}
	segs := []Seg{{Text: e.At.In(zone).Format(layout)}}
	if sev := oneLine(e.Severity); sev != "" {
		segs = append(segs, Seg{Text: " "}, Seg{Text: strings.ToUpper(sev), Kind: SegSeverity})
	}
	rule := cutRunes(cmp.Or(oneLine(e.RuleTitle), oneLine(e.RuleID)), digestRuleRunes)
	if rule != "" {
		segs = append(segs, Seg{Text: " " + rule})
	}
	if title := link(cutRunes(oneLine(e.Title), digestTitleRunes), e.URL); title.Text != "" {
		title.Text = cutRunes(title.Text, digestTitleRunes) // a URL standing in for the title
		segs = append(segs, Seg{Text: " · "}, title)
	}
	if len(e.Sources) > 0 {
		var names []string
		for _, s := range e.Sources[:min(len(e.Sources), digestSourcesShow)] {
			names = append(names, cutRunes(s, digestSourceRunes))
		}
		src := strings.Join(names, ", ")
		if more := len(e.Sources) - digestSourcesShow; more > 0 {
			src += fmt.Sprintf(" +%d", more)
		}
		segs = append(segs, Seg{Text: " · " + src})
	}
	return Line{Kind: LineDigestEvent, Segs: segs}
}

// formatPeriod formats [from, to) in zone: "3 Feb 08:00 – 4 Feb 08:00 MSK".
func formatPeriod(from, to time.Time, zone *time.Location) string {
	f, t := from.In(zone), to.In(zone)
	if f.Year() != t.Year() {
		return f.Format("2 Jan 2006 15:04") + " – " + t.Format("2 Jan 2006 15:04 MST")
	}
	return f.Format("2 Jan 15:04") + " – " + t.Format("2 Jan 15:04 MST")
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// cutRunes cuts s to at most n runes, the last of them "…" when cut.
func cutRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	runes := []rune(s)
	return strings.TrimRight(string(runes[:n-1]), " ") + ellipsis
}

// SplitDigest packs the lines of LayoutDigest(d) into messages, in order,
// each as large as fits allows; lines are never cut. A message after the
// first starts with a head line marked "(continued)" and, when it starts
// within a rule set, the set's title line again, so each reads on its own;
// a rule set's title never ends a message. fits reports whether a message
// of those lines is within the platform's limits. A line that does not fit
// even in a message of its own (LayoutDigest makes none on any platform)
// is sent alone.
func SplitDigest(d *Digest, fits func(msg []Line) bool) [][]Line {
	lines := LayoutDigest(d)
	cont := lines[0]
	cont.Segs = append(slices.Clone(cont.Segs), Seg{Text: " (continued)"})

	var msgs [][]Line
	var cur []Line
	var section *Line // the title line of the rule set being packed
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		add := []Line{l}
		if l.Kind == LineDigestSection && i+1 < len(lines) {
			section = &lines[i]
			add = append(add, lines[i+1]) // never leave a title last
			i++
		}
		if len(cur) > 0 && fits(append(slices.Clone(cur), add...)) {
			cur = append(cur, add...)
			continue
		}
		if len(cur) > 0 {
			msgs = append(msgs, cur)
			cur = []Line{cont}
			if section != nil && l.Kind != LineDigestSection {
				title := *section
				title.Segs = append(slices.Clone(title.Segs), Seg{Text: " (continued)"})
				cur = append(cur, title)
			}
		}
		cur = append(cur, add...)
	}
	if len(cur) > 0 {
		msgs = append(msgs, cur)
	}
	return msgs
}
