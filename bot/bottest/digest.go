package bottest

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/alertbot/alertbot/bot"
)

// DigestFrom and DigestTo bound the day the platforms' test digests cover:
// 3 Feb 2024, 08:00 to 08:00 Moscow time. Tests read them and never change
// them.
var (
	DigestFrom = time.Date(2024, 2, 3, 5, 0, 0, 0, time.UTC)
	DigestTo   = DigestFrom.Add(24 * time.Hour)
)

// Hostile holds a platform's own hostile strings, the markup and mentions
// its renderer must make inert, for BigDigest to put among its items.
type Hostile struct {
	// Titles are put at the end of the items' titles, in turn.
	Titles []string
	// RulesetTitle is the title of the second of the four rule sets,
	// "military".
	RulesetTitle string
	// SourceTitle is the display name of the fourth of the five sources,
	// after "TASS", "RIA <Novosti>" and "A & B".
	SourceTitle string
	// AppURL is a link in the platform's own scheme, not http, with one %d
	// for the item's number ("tg://user?id=%d"); some items link to it.
	AppURL string
	// URLSuffix is put at the end of every http link.
	URLSuffix string
}

// BigDigest is a digest of 500 alerts over DigestFrom to DigestTo, shown
// in zone, in four rule sets: mixed severities (one unknown, some none),
// titles that must stay apart, hostile ones from h, some 300 characters
// long, links that are not http (javascript: and h.AppURL), and a few
// events reported by five sources.
func BigDigest(zone *time.Location, h Hostile) *bot.Digest {
	rulesets := []struct{ id, title string }{
		{"diplomacy", "Diplomatic incidents"},
		{"military", h.RulesetTitle},
		{"cyber", "*Cyber* _ops_"},
		{"zz-other", ""},
	}
	severities := []string{"low", "medium", "high", "critical", "high", "", "urgent"}
	sources := []string{"TASS", "RIA <Novosti>", "A & B", h.SourceTitle, "AP"}
	var entries []bot.DigestEntry
	for i := 0; len(entries) < 500; i++ {
		rs := rulesets[i%len(rulesets)]
		title := fmt.Sprintf("q%da q%db q%dc q%dd %s", i, i, i, i, h.Titles[i%len(h.Titles)])
		if i%7 == 3 {
			title += " " + strings.Repeat("x", 300)
		}
		var url string
		switch {
		case i%11 == 0:
			url = ""
		case i%5 == 0:
			url = fmt.Sprintf("javascript:alert(%d)", i)
		case i%13 == 0:
			url = fmt.Sprintf(h.AppURL, i)
		default:
			url = fmt.Sprintf("https://example.org/n/%d?a=1&b=<%d>", i, i) + h.URLSuffix
		}
		e := bot.DigestEntry{
			AlertID: int64(len(entries) + 1),
			RuleID:  fmt.Sprintf("%s-r%d", rs.id, i%3), RuleTitle: fmt.Sprintf("Rule %d of %s", i%3, rs.title),
			Ruleset: rs.id, RulesetTitle: rs.title,
			Severity: severities[i%len(severities)],
			Title:    title, URL: url,
			Source: "s" + fmt.Sprint(i%len(sources)), SourceTitle: sources[i%len(sources)],
			At: DigestFrom.Add(time.Duration(i) * 2 * time.Minute),
		}
		entries = append(entries, e)
		if i%50 == 1 { // the same report from the other sources
			for j := 1; j < len(sources); j++ {
				e.AlertID = int64(len(entries) + 1)
				e.Source, e.SourceTitle = "s"+fmt.Sprint((i+j)%len(sources)), sources[(i+j)%len(sources)]
				e.At = e.At.Add(time.Minute)
				entries = append(entries, e)
			}
		}
	}
	return bot.NewDigest(DigestFrom, DigestTo, zone, entries, []string{"diplomacy", "military", "cyber"})
}

// DigestLines is what the messages of a digest must hold, line by line,
// as bot.LayoutDigest lays it out.
type DigestLines struct {
	Head     string          // the head line
	Counts   string          // the counts line
	Sections map[string]bool // the rule sets' title lines, each also with " (continued)"
	Events   []string        // the event lines, each after its severity's mark and a space
}

// WantDigestLines returns the lines of d, an event's after the mark that
// marks gives its severity (lower case; none when marks has none).
func WantDigestLines(d *bot.Digest, marks map[string]string) DigestLines {
	want := DigestLines{Sections: map[string]bool{}}
	for _, l := range bot.LayoutDigest(d) {
		switch l.Kind {
		case bot.LineDigestHead:
			want.Head = l.String()
		case bot.LineDigestCounts:
			want.Counts = l.String()
		case bot.LineDigestSection:
			want.Sections[l.String()] = true
			want.Sections[l.String()+" (continued)"] = true
		case bot.LineDigestEvent:
			mark := ""
			for _, s := range l.Segs {
				if m := marks[strings.ToLower(s.Text)]; s.Kind == bot.SegSeverity && m != "" {
					mark = m + " "
				}
			}
			want.Events = append(want.Events, mark+l.String())
		}
	}
	return want
}

// CheckDigestEvents checks that the event lines read back from a digest's
// messages, got, are want, each once and in order; where not, it reports
// their numbers and the first line that differs.
func CheckDigestEvents(t testing.TB, got, want []string) {
	t.Helper()
	if slices.Equal(got, want) {
		return
	}
	t.Errorf("the messages hold %d event lines, want %d", len(got), len(want))
	for i := range max(len(got), len(want)) {
		var g, w string
		if i < len(got) {
			g = got[i]
		}
		if i < len(want) {
			w = want[i]
		}
		if g != w {
			t.Fatalf("event line %d:\n got %q\nwant %q", i, g, w)
		}
	}
}
