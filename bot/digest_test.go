package bot_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/alertbot/alertbot/bot"
)

var (
	digestFrom = time.Date(2024, 2, 2, 5, 0, 0, 0, time.UTC) // 08:00 in Moscow
	digestTo   = digestFrom.Add(24 * time.Hour)
)

func moscow(t *testing.T) *time.Location {
	t.Helper()
	tz, err := bot.LoadZone("Europe/Moscow")
	if err != nil {
		t.Fatal(err)
	}
	return tz
}

// sampleEntries are a day's alerts: the same summons reported by three
// sources (one of them twice), a critical UNSC request, a protest note,
// and a low alert of a rule set the config no longer orders.
func sampleEntries() []bot.DigestEntry {
	at := func(h, m int) time.Time {
		return digestFrom.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute)
	}
	summoned := func(id int64, source, title, url string, when time.Time) bot.DigestEntry {
		return bot.DigestEntry{AlertID: id, RuleID: "diplomat-summoned", RuleTitle: "Diplomat summoned",
			Ruleset: "diplomacy", RulesetTitle: "Diplomatic incidents", Severity: "high",
			Title: title, URL: url, Source: source, Countries: []string{"IQ", "US"}, At: when}
	}
	return []bot.DigestEntry{
		summoned(3, "ria", "Iraq summons the US chargé d'affaires over the strikes", "https://ria.ru/1", at(2, 10)),
		summoned(1, "tass", "Iraq summons US chargé d'affaires over strikes", "https://tass.com/1", at(2, 0)),
		summoned(4, "tass", "Iraq summons US chargé d'affaires over strikes (updated)", "https://tass.com/1", at(2, 30)),
		{AlertID: 2, RuleID: "protest-note", RuleTitle: "Note of protest", Ruleset: "diplomacy", RulesetTitle: "Diplomatic incidents",
			Severity: "medium", Title: "Moscow hands a protest note to Riga", URL: "https://mid.ru/2", Source: "mid", SourceTitle: "MID Russia", At: at(1, 0)},
		{AlertID: 5, RuleID: "unsc-meeting-requested", RuleTitle: "UNSC meeting requested", Ruleset: "unsc", RulesetTitle: "UN Security Council",
			Severity: "critical", Title: "Russia requests a UN Security Council meeting", URL: "https://un.org/5", Source: "un", At: at(6, 45)},
		summoned(6, "bbc", "Iraq summons US chargé d'affaires over the strikes", "https://bbc.com/6", at(3, 0)),
		{AlertID: 7, RuleID: "strike", RuleTitle: "Strike", Ruleset: "military", Severity: "low",
			Title: "Drills near the border", URL: "https://x.org/7", Source: "x", At: at(7, 0)},
		{AlertID: 8, RuleID: "protest-note", RuleTitle: "Note of protest", Ruleset: "diplomacy", RulesetTitle: "Diplomatic incidents",
			Severity: "medium", Title: "Vilnius protests to Minsk", URL: "https://lrt.lt/8", Source: "lrt", At: at(9, 0)},
	}
}

func TestNewDigest(t *testing.T) {
	entries := sampleEntries()
	d := bot.NewDigest(digestFrom, digestTo, nil, entries, []string{"unsc", "diplomacy"})

	if d.Alerts != 8 || d.Events() != 5 {
		t.Errorf("alerts, events = %d, %d; want 8, 5", d.Alerts, d.Events())
	}
	var got []string
	for _, s := range d.Sections {
		got = append(got, "## "+s.Title)
		for _, e := range s.Events {
			got = append(got, fmt.Sprintf("%s %s %q %s %v ×%d", e.At.Format("15:04"), e.RuleID, e.Title, e.Severity, e.Sources, e.Alerts))
		}
	}
	want := []string{
		"## UN Security Council",
		`11:45 unsc-meeting-requested "Russia requests a UN Security Council meeting" critical [un] ×1`,
		"## Diplomatic incidents",
		// one event: the same link, or most of the same words
		`07:00 diplomat-summoned "Iraq summons US chargé d'affaires over strikes" high [tass ria bbc] ×4`,
		// same severity and sources: the newest first
		`14:00 protest-note "Vilnius protests to Minsk" medium [lrt] ×1`,
		`06:00 protest-note "Moscow hands a protest note to Riga" medium [MID Russia] ×1`,
		"## military", // not in the order: after, its id for a title
		`12:00 strike "Drills near the border" low [x] ×1`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("digest:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	// The order of the entries does not matter.
	slices.Reverse(entries)
	if again := bot.NewDigest(digestFrom, digestTo, nil, entries, []string{"unsc", "diplomacy"}); fmt.Sprint(again) != fmt.Sprint(d) {
		t.Errorf("digest depends on the order of its entries:\n%v\n%v", again, d)
	}
}

func TestNewDigestKeepsRulesApart(t *testing.T) {
	// The same item raising two rules is two events; titles that share few
	// words are two events.
	e := bot.DigestEntry{RuleID: "a", Ruleset: "s", Severity: "high", Title: "Iraq summons US envoy", URL: "https://x/1", Source: "x", At: digestFrom}
	f := e
	f.RuleID = "b"
	g := e
	g.Title, g.URL = "Iraq summons Turkish envoy over water dispute", "https://x/2"
	// Much the same title, other countries: another summons.
	h := e
	h.Title, h.URL, h.Countries = "Latvia summons Russian envoy", "https://x/3", []string{"LV", "RU"}
	i := h
	i.Title, i.URL, i.Countries = "Latvia summons Belarusian envoy", "https://x/4", []string{"BY", "LV"}
	// Numbers tell stories apart.
	j := e
	j.Title, j.URL = "Resolution 2720", "https://x/5"
	k := e
	k.Title, k.URL = "Resolution 2721", "https://x/6"
	d := bot.NewDigest(digestFrom, digestTo, nil, []bot.DigestEntry{e, f, g, h, i, j, k}, nil)
	if n := d.Events(); n != 7 {
		t.Errorf("events = %d, want 7: %+v", n, d.Sections)
	}
	// The same words and countries from another source: one event.
	l := h
	l.URL, l.Source = "https://y/3", "y"
	if n := bot.NewDigest(digestFrom, digestTo, nil, []bot.DigestEntry{h, l}, nil).Events(); n != 1 {
		t.Errorf("events = %d, want 1", n)
	}
}

func TestLayoutDigest(t *testing.T) {
	d := bot.NewDigest(digestFrom, digestTo, moscow(t), sampleEntries(), []string{"unsc", "diplomacy"})
	var got []string
	for _, l := range bot.LayoutDigest(d) {
		got = append(got, l.String())
	}
	want := []string{
		"Digest · 2 Feb 08:00 – 3 Feb 08:00 MSK",
		"8 alerts in 5 events · 1 critical · 1 high · 2 medium · 1 low",
		"UN Security Council (1)",
		"2 Feb 14:45 CRITICAL UNSC meeting requested · Russia requests a UN Security Council meeting · un",
		"Diplomatic incidents (3)",
		"2 Feb 10:00 HIGH Diplomat summoned · Iraq summons US chargé d'affaires over strikes · tass, ria, bbc",
		"2 Feb 17:00 MEDIUM Note of protest · Vilnius protests to Minsk · lrt",
		"2 Feb 09:00 MEDIUM Note of protest · Moscow hands a protest note to Riga · MID Russia",
		"military (1)",
		"2 Feb 15:00 LOW Strike · Drills near the border · x",
	}
	if !slices.Equal(got, want) {
		t.Errorf("layout:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	// Within one day of the chat's zone, times need no date.
	short := bot.NewDigest(digestFrom, digestFrom.Add(6*time.Hour), moscow(t), sampleEntries()[:1], nil)
	if l := bot.LayoutDigest(short)[3].String(); !strings.HasPrefix(l, "10:10 HIGH") {
		t.Errorf("event line %q, want it to start with the time alone", l)
	}

	quiet := bot.LayoutDigest(bot.NewDigest(digestFrom, digestTo, nil, nil, nil))
	if len(quiet) != 1 || quiet[0].String() != "Digest · 2 Feb 05:00 – 3 Feb 05:00 UTC · nothing raised" {
		t.Errorf("quiet digest = %v, want one line saying nothing was raised", quiet)
	}
}

func TestLayoutDigestBoundsLines(t *testing.T) {
	long := strings.Repeat("Very long title ", 100)
	var entries []bot.DigestEntry
	for i := range 7 {
		entries = append(entries, bot.DigestEntry{AlertID: int64(i), RuleID: "r", RuleTitle: strings.Repeat("R", 300), Ruleset: "s",
			Severity: "high", Title: long, URL: "https://x/1", Source: fmt.Sprintf("source-%d-%s", i, strings.Repeat("s", 100)), At: digestFrom})
	}
	lines := bot.LayoutDigest(bot.NewDigest(digestFrom, digestTo, nil, entries, nil))
	ev := lines[len(lines)-1]
	if n := len([]rune(ev.String())); n > 600 {
		t.Errorf("event line has %d runes, want at most 600: %q", n, ev.String())
	}
	if !strings.HasSuffix(ev.String(), " +4") {
		t.Errorf("event line %q: want the sources past three counted", ev.String())
	}
}

// eventNames returns the event lines of msgs, in order.
func eventLines(msgs [][]bot.Line) []string {
	var out []string
	for _, m := range msgs {
		for _, l := range m {
			if l.Kind == bot.LineDigestEvent {
				out = append(out, l.String())
			}
		}
	}
	return out
}

func TestSplitDigest(t *testing.T) {
	var entries []bot.DigestEntry
	for i := range 500 {
		set := []string{"diplomacy", "unsc", "military"}[i%3]
		entries = append(entries, bot.DigestEntry{AlertID: int64(i), RuleID: set + "-rule", Ruleset: set,
			Severity: []string{"low", "medium", "high", "critical"}[i%4], Title: fmt.Sprintf("Story number %d", i),
			URL: fmt.Sprintf("https://x/%d", i), Source: "s", At: digestFrom.Add(time.Duration(i) * time.Minute)})
	}
	d := bot.NewDigest(digestFrom, digestTo, nil, entries, []string{"diplomacy", "unsc", "military"})
	const maxLines = 40
	msgs := bot.SplitDigest(d, func(msg []bot.Line) bool { return len(msg) <= maxLines })

	if len(msgs) < 500/maxLines {
		t.Fatalf("%d messages, want at least %d", len(msgs), 500/maxLines)
	}
	var all []bot.Line
	for i, m := range msgs {
		if len(m) > maxLines {
			t.Errorf("message %d has %d lines, more than fit", i, len(m))
		}
		head := m[0].String()
		if i == 0 && (strings.Contains(head, "continued") || m[1].Kind != bot.LineDigestCounts) {
			t.Errorf("first message starts %q, %v; want the head and the counts", head, m[1])
		}
		if i > 0 && (m[0].Kind != bot.LineDigestHead || !strings.HasSuffix(head, "(continued)")) {
			t.Errorf("message %d starts %q, want the head marked continued", i, head)
		}
		if last := m[len(m)-1]; last.Kind == bot.LineDigestSection {
			t.Errorf("message %d ends with the rule set title %q", i, last.String())
		}
		if i > 0 && m[1].Kind != bot.LineDigestSection {
			t.Errorf("message %d does not say which rule set it continues: %q", i, m[1].String())
		}
		all = append(all, m...)
	}
	want := eventLines([][]bot.Line{bot.LayoutDigest(d)})
	if got := eventLines(msgs); !slices.Equal(got, want) {
		t.Errorf("events across messages differ from the layout's: %d vs %d lines", len(got), len(want))
	}
	if len(want) != 500 {
		t.Errorf("%d events, want 500", len(want))
	}
	// Deterministic, for retries that resume.
	if again := bot.SplitDigest(d, func(msg []bot.Line) bool { return len(msg) <= maxLines }); fmt.Sprint(again) != fmt.Sprint(msgs) {
		t.Error("SplitDigest differs on the same digest")
	}
}

func TestSplitDigestOversizedLineGoesAlone(t *testing.T) {
	entries := sampleEntries()
	d := bot.NewDigest(digestFrom, digestTo, nil, entries, nil)
	// Nothing fits beyond one line: every line goes, each in a message of
	// its own with the heads it needs.
	msgs := bot.SplitDigest(d, func(msg []bot.Line) bool { return len(msg) <= 1 })
	if got, want := len(eventLines(msgs)), d.Events(); got != want {
		t.Errorf("%d events sent, want %d", got, want)
	}
}

func TestScheduleOwed(t *testing.T) {
	daily := mustSchedule("0 8 * * *", "Europe/Moscow") // 05:00 UTC
	at := func(day, h, m int) time.Time { return time.Date(2024, 2, day, h, m, 0, 0, time.UTC) }
	const grace = 6 * time.Hour
	tests := []struct {
		name             string
		last, now        time.Time
		due              time.Time
		superseded, late int
		watermark        time.Time
		hourly           bool
	}{
		{name: "NothingDue", last: at(3, 5, 0), now: at(3, 12, 0), watermark: at(3, 5, 0)},
		{name: "JustDue", last: at(2, 5, 0), now: at(3, 5, 0), due: at(3, 5, 0), watermark: at(3, 5, 0)},
		{name: "DownOverDueWithinGrace", last: at(2, 5, 0), now: at(3, 10, 59), due: at(3, 5, 0), watermark: at(3, 5, 0)},
		{name: "DownOverDuePastGrace", last: at(2, 5, 0), now: at(3, 11, 0), late: 1, watermark: at(3, 5, 0)},
		{name: "DownForDays", last: at(1, 5, 0), now: at(5, 6, 0), due: at(5, 5, 0), late: 3, watermark: at(5, 5, 0)},
		{name: "HourlySupersedes", hourly: true, last: at(3, 5, 0), now: at(3, 8, 30), due: at(3, 8, 0), superseded: 2, watermark: at(3, 8, 0)},
		{name: "HourlyLateAndSuperseded", hourly: true, last: at(3, 0, 0), now: at(3, 10, 30), due: at(3, 10, 0), superseded: 5, late: 4, watermark: at(3, 10, 0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := daily
			if tt.hourly {
				s = mustSchedule("0 * * * *", "Europe/Moscow")
			}
			m := s.Owed(tt.last, tt.now, grace)
			if !m.Due.Equal(tt.due) || len(m.Superseded) != tt.superseded || len(m.Late) != tt.late || !m.Watermark.Equal(tt.watermark) {
				t.Errorf("Owed(%v, %v) = due %v, %d superseded, %d late, watermark %v; want %v, %d, %d, %v",
					tt.last, tt.now, m.Due, len(m.Superseded), len(m.Late), m.Watermark, tt.due, tt.superseded, tt.late, tt.watermark)
			}
		})
	}
}

// fakeDigests keeps digest runs in memory, as the store does.
type fakeDigestStore struct {
	runs      map[string]*bot.DigestRun
	digest    *bot.Digest
	skipQuiet bool
	partErr   error
	calls     []string
}

func (f *fakeDigestStore) StartDigest(ctx context.Context, chat string, due time.Time) (bot.DigestRun, error) {
	key := chat + " " + due.Format(time.RFC3339)
	if f.runs[key] == nil {
		f.runs[key] = &bot.DigestRun{From: due.Add(-24 * time.Hour), To: due}
	}
	return *f.runs[key], nil
}

func (f *fakeDigestStore) BuildDigest(ctx context.Context, chat string, from, to time.Time) (*bot.Digest, bool, error) {
	f.calls = append(f.calls, "build "+chat)
	return f.digest, f.skipQuiet, nil
}

func (f *fakeDigestStore) DigestPartSent(ctx context.Context, chat string, due time.Time, parts int) error {
	if f.partErr != nil {
		return f.partErr
	}
	f.runs[chat+" "+due.Format(time.RFC3339)].Parts = parts
	f.calls = append(f.calls, fmt.Sprintf("part %d", parts))
	return nil
}

func (f *fakeDigestStore) FinishDigest(ctx context.Context, chat string, due time.Time, alerts int) error {
	f.runs[chat+" "+due.Format(time.RFC3339)].Done = true
	f.calls = append(f.calls, fmt.Sprintf("finish %d", alerts))
	return nil
}

// fakeDigestMessenger "sends" parts messages, failing with fails[i] at
// the message i when set.
type fakeDigestMessenger struct {
	parts int
	fails map[int]error
	sent  []string
}

func (m *fakeDigestMessenger) SendDigest(ctx context.Context, chat string, d *bot.Digest, from int, sent func(int) error) error {
	for i := from; i < m.parts; i++ {
		if err := m.fails[i]; err != nil {
			delete(m.fails, i)
			return err
		}
		m.sent = append(m.sent, fmt.Sprintf("%s %d", chat, i))
		if err := sent(i); err != nil {
			return err
		}
	}
	return nil
}

type movedErr struct{}

func (movedErr) Error() string   { return "moved" }
func (movedErr) NewChat() string { return "telegram:-1009" }

func digestJob(attempt int) *river.Job[bot.DigestArgs] {
	return &river.Job[bot.DigestArgs]{
		JobRow: &rivertype.JobRow{ID: 1, Attempt: attempt, MaxAttempts: bot.DigestMaxAttempts},
		Args:   bot.DigestArgs{Chat: "telegram:-100", Due: digestTo},
	}
}

func TestDigestWork(t *testing.T) {
	full := bot.NewDigest(digestFrom, digestTo, nil, sampleEntries(), nil)
	quiet := bot.NewDigest(digestFrom, digestTo, nil, nil, nil)
	tests := []struct {
		name      string
		digest    *bot.Digest
		skipQuiet bool
		paused    bool
		fails     map[int]error
		wantErr   func(error) bool
		wantSent  []string
		wantCalls []string
		// then, a second attempt of the same job
		wantSent2  []string
		wantCalls2 []string
	}{
		{name: "Sent", digest: full,
			wantSent: []string{"telegram:-100 0", "telegram:-100 1", "telegram:-100 2"}, wantCalls: []string{"build telegram:-100", "part 1", "part 2", "part 3", "finish 8"}},
		{name: "QuietSaysSo", digest: quiet,
			wantSent: []string{"telegram:-100 0", "telegram:-100 1", "telegram:-100 2"}, wantCalls: []string{"build telegram:-100", "part 1", "part 2", "part 3", "finish 0"}},
		{name: "QuietSkipped", digest: quiet, skipQuiet: true,
			wantCalls: []string{"build telegram:-100", "finish 0"}},
		{name: "QuietSkipNotForAFullOne", digest: full, skipQuiet: true,
			wantSent: []string{"telegram:-100 0", "telegram:-100 1", "telegram:-100 2"}, wantCalls: []string{"build telegram:-100", "part 1", "part 2", "part 3", "finish 8"}},
		{name: "Paused", digest: full, paused: true,
			wantErr: func(err error) bool { var c *river.JobCancelError; return errors.As(err, &c) }},
		{name: "RetryAfterResumes", digest: full, fails: map[int]error{1: &bot.RetryAfter{Wait: 3 * time.Second}},
			wantErr: func(err error) bool {
				var s *river.JobSnoozeError
				return errors.As(err, &s) && s.Duration == 3*time.Second
			},
			wantSent: []string{"telegram:-100 0"}, wantCalls: []string{"build telegram:-100", "part 1"},
			wantSent2: []string{"telegram:-100 1", "telegram:-100 2"}, wantCalls2: []string{"build telegram:-100", "part 2", "part 3", "finish 8"}},
		{name: "TransientResumes", digest: full, fails: map[int]error{2: errors.New("connection reset")},
			wantErr:  func(err error) bool { return err != nil && strings.Contains(err.Error(), "connection reset") },
			wantSent: []string{"telegram:-100 0", "telegram:-100 1"}, wantCalls: []string{"build telegram:-100", "part 1", "part 2"},
			wantSent2: []string{"telegram:-100 2"}, wantCalls2: []string{"build telegram:-100", "part 3", "finish 8"}},
		{name: "ChatGone", digest: full, fails: map[int]error{0: fmt.Errorf("blocked: %w", bot.ErrChatGone)},
			wantErr:   func(err error) bool { var c *river.JobCancelError; return errors.As(err, &c) },
			wantCalls: []string{"build telegram:-100"}},
		{name: "Moved", digest: full, fails: map[int]error{0: movedErr{}},
			wantSent: []string{"telegram:-1009 0", "telegram:-1009 1", "telegram:-1009 2"}, wantCalls: []string{"build telegram:-100", "part 1", "part 2", "part 3", "finish 8"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := &fakeDigestStore{runs: map[string]*bot.DigestRun{}, digest: tt.digest, skipQuiet: tt.skipQuiet}
			chats := newDeliveries()
			if tt.paused {
				chats.paused["telegram:-100"] = "blocked"
			}
			m := &fakeDigestMessenger{parts: 3, fails: tt.fails}
			w := bot.NewDigestWorker(st, chats, map[string]bot.DigestMessenger{"telegram": m}, nil)

			err := w.Work(context.Background(), digestJob(1))
			if tt.wantErr == nil && err != nil || tt.wantErr != nil && !tt.wantErr(err) {
				t.Fatalf("Work = %v", err)
			}
			if !slices.Equal(m.sent, tt.wantSent) || !slices.Equal(st.calls, tt.wantCalls) {
				t.Errorf("sent %q, calls %q; want %q, %q", m.sent, st.calls, tt.wantSent, tt.wantCalls)
			}
			if tt.name == "ChatGone" {
				if _, ok := chats.pauseReason("telegram:-100"); !ok {
					t.Error("chat not paused")
				}
			}

			// The job runs again (a retry, or a replica's duplicate): it
			// resumes, or does nothing when the digest is done.
			m.sent, st.calls = nil, nil
			if err := w.Work(context.Background(), digestJob(2)); err != nil && tt.wantSent2 != nil {
				t.Fatalf("second Work = %v", err)
			}
			if !slices.Equal(m.sent, tt.wantSent2) || !slices.Equal(st.calls, tt.wantCalls2) {
				t.Errorf("second attempt: sent %q, calls %q; want %q, %q", m.sent, st.calls, tt.wantSent2, tt.wantCalls2)
			}
		})
	}
}

func TestDigestWorkPartNotRecorded(t *testing.T) {
	// A part sent but not recorded stops the attempt; the error says so.
	st := &fakeDigestStore{runs: map[string]*bot.DigestRun{}, digest: bot.NewDigest(digestFrom, digestTo, nil, sampleEntries(), nil), partErr: errors.New("disk I/O error")}
	m := &fakeDigestMessenger{parts: 3}
	w := bot.NewDigestWorker(st, newDeliveries(), map[string]bot.DigestMessenger{"telegram": m}, nil)
	err := w.Work(context.Background(), digestJob(1))
	if err == nil || !strings.Contains(err.Error(), "disk I/O error") || len(m.sent) != 1 {
		t.Errorf("Work = %v after sending %q; want the store's error after one message", err, m.sent)
	}
}

// TestScheduleOwedAcrossDST: the scheduler, ticking through the DST days
// of New York and London, queues a time skipped by spring-forward once at
// the end of the gap, and a time repeated by fall-back once.
func TestScheduleOwedAcrossDST(t *testing.T) {
	tests := []struct {
		name, line, zone string
		from, to         time.Time
		want             []time.Time
	}{
		{"NewYorkSpring", "30 2 * * *", "America/New_York",
			time.Date(2026, 3, 7, 12, 0, 0, 0, time.UTC), time.Date(2026, 3, 9, 12, 0, 0, 0, time.UTC),
			[]time.Time{time.Date(2026, 3, 8, 7, 0, 0, 0, time.UTC), time.Date(2026, 3, 9, 6, 30, 0, 0, time.UTC)}},
		{"NewYorkFall", "30 1 * * *", "America/New_York",
			time.Date(2026, 10, 31, 12, 0, 0, 0, time.UTC), time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC),
			[]time.Time{time.Date(2026, 11, 1, 5, 30, 0, 0, time.UTC), time.Date(2026, 11, 2, 6, 30, 0, 0, time.UTC)}},
		{"LondonSpring", "30 1 * * *", "Europe/London",
			time.Date(2026, 3, 28, 12, 0, 0, 0, time.UTC), time.Date(2026, 3, 30, 12, 0, 0, 0, time.UTC),
			[]time.Time{time.Date(2026, 3, 29, 1, 0, 0, 0, time.UTC), time.Date(2026, 3, 30, 0, 30, 0, 0, time.UTC)}},
		{"LondonFall", "30 1 * * *", "Europe/London",
			time.Date(2026, 10, 24, 12, 0, 0, 0, time.UTC), time.Date(2026, 10, 26, 12, 0, 0, 0, time.UTC),
			[]time.Time{time.Date(2026, 10, 25, 0, 30, 0, 0, time.UTC), time.Date(2026, 10, 26, 1, 30, 0, 0, time.UTC)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := mustSchedule(tt.line, tt.zone)
			// Tick every five minutes, as a running service would at least.
			var got []time.Time
			last := tt.from
			for now := tt.from; !now.After(tt.to); now = now.Add(5 * time.Minute) {
				m := s.Owed(last, now, 6*time.Hour)
				if !m.Due.IsZero() {
					got = append(got, m.Due)
				}
				if len(m.Late)+len(m.Superseded) > 0 {
					t.Errorf("at %v: late %v, superseded %v; want none while running", now, m.Late, m.Superseded)
				}
				last = m.Watermark
			}
			if !slices.EqualFunc(got, tt.want, time.Time.Equal) {
				t.Errorf("queued %v, want %v", got, tt.want)
			}
		})
	}
}
