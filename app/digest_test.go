package app

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/alertbot/alertbot/bot"
	"github.com/alertbot/alertbot/bot/bottest"
	"github.com/alertbot/alertbot/sources"
	"github.com/alertbot/alertbot/store"
)

// clock is a settable clock for the service.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// digestDue is 08:00 in Moscow on a day of the tests.
var digestDue = time.Date(2026, 11, 25, 5, 0, 0, 0, time.UTC)

const digestConfig = `
subscriptions:
  - chat: telegram:42
    rulesets: [diplomacy]
    digest: {cron: "0 8 * * *", tz: Europe/Moscow}
`

// digestService opens a service on db with chatRules and extra, its clock
// c and its logs in logs, with the platforms e enables (none: the console,
// into out).
func digestService(t *testing.T, db, extra string, e env, c *clock, logs, out io.Writer) *Service {
	t.Helper()
	cfg, err := ParseConfig("digest.yaml", []byte(chatRules+extra))
	if err != nil {
		t.Fatal(err)
	}
	cfg.HTTP.Listen = "127.0.0.1:0"
	svc, err := Open(context.Background(), cfg, Options{
		Logger: slog.New(slog.NewTextHandler(logs, nil)), Stdout: out,
		Storage: "sqlite:" + db, Getenv: e.get, Now: c.now,
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.st.PutSourceState(context.Background(), store.SourceState{ID: "a", Seen: true}); err != nil {
		t.Fatal(err)
	}
	return svc
}

// digestJobs returns the digest jobs queued in svc's database.
func digestJobs(t *testing.T, svc *Service) []bot.DigestArgs {
	t.Helper()
	res, err := svc.jobs.JobList(context.Background(), river.NewJobListParams().Kinds("digest").
		States(rivertype.JobStateAvailable, rivertype.JobStateScheduled, rivertype.JobStateRunning, rivertype.JobStateCompleted, rivertype.JobStateRetryable))
	if err != nil {
		t.Fatal(err)
	}
	var out []bot.DigestArgs
	for _, j := range res.Jobs {
		var args bot.DigestArgs
		if err := json.Unmarshal(j.EncodedArgs, &args); err != nil {
			t.Fatal(err)
		}
		out = append(out, args)
	}
	return out
}

// TestDigestDueAcrossRestarts: a chat's digest is queued once for its
// scheduled time, whether alertbot runs through it, was stopped just
// before it, or was down over it (sent if less than digest_grace late,
// skipped and logged if more), and however many replicas look.
func TestDigestDueAcrossRestarts(t *testing.T) {
	type step struct {
		at   time.Time // a service is opened at this time and ticks once
		jobs int       // digest jobs queued in all after the tick
	}
	tests := []struct {
		name    string
		steps   []step
		wantLog string
	}{
		{"RunsThrough", []step{{digestDue.Add(-time.Hour), 0}, {digestDue, 1}, {digestDue.Add(time.Minute), 1}}, ""},
		{"StoppedJustBefore", []step{{digestDue.Add(-time.Minute), 0}, {digestDue.Add(10 * time.Second), 1}}, ""},
		{"DownOverItWithinGrace", []step{{digestDue.Add(-2 * time.Hour), 0}, {digestDue.Add(6*time.Hour - time.Minute), 1}, {digestDue.Add(7 * time.Hour), 1}}, ""},
		{"DownOverItPastGrace", []step{{digestDue.Add(-2 * time.Hour), 0}, {digestDue.Add(6 * time.Hour), 0}, {digestDue.Add(7 * time.Hour), 0}},
			"digests: skipped: fell due while alertbot was not running, longer ago than digest_grace"},
		{"NextDayAfterSkipping", []step{{digestDue.Add(-2 * time.Hour), 0}, {digestDue.Add(7 * time.Hour), 0}, {digestDue.Add(24 * time.Hour), 1}},
			"digests: skipped: fell due while alertbot was not running, longer ago than digest_grace"},
		{"TwoReplicas", []step{{digestDue.Add(-time.Hour), 0}, {digestDue.Add(time.Second), 1}, {digestDue.Add(time.Second), 1}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := filepath.Join(t.TempDir(), "a.db")
			var logs syncBuffer
			c := &clock{}
			var open []*Service
			for i, st := range tt.steps {
				c.set(st.at)
				svc := digestService(t, db, digestConfig, env{}, c, &logs, io.Discard)
				open = append(open, svc)
				svc.digests.tick(context.Background())
				if got := digestJobs(t, svc); len(got) != st.jobs {
					t.Fatalf("step %d at %v: %d digest jobs %v, want %d", i, st.at, len(got), got, st.jobs)
				}
				if tt.name != "TwoReplicas" { // replicas run side by side
					svc.Close()
				}
			}
			for _, svc := range open {
				svc.Close()
			}
			jobs := digestJobs(t, digestService(t, db, digestConfig, env{}, c, io.Discard, io.Discard))
			for _, j := range jobs {
				if j.Chat != "telegram:42" || !(j.Due.Equal(digestDue) || j.Due.Equal(digestDue.Add(24*time.Hour))) {
					t.Errorf("job %+v, want telegram:42 at a scheduled time", j)
				}
			}
			if n := strings.Count(logs.String(), "digests: skipped"); tt.wantLog != "" && (n != 1 || !strings.Contains(logs.String(), tt.wantLog)) {
				t.Errorf("log says %d times that the digest was skipped, want once %q:\n%s", n, tt.wantLog, logs.String())
			}
			if tt.wantLog == "" && strings.Contains(logs.String(), "skipped") {
				t.Errorf("unexpected log:\n%s", logs.String())
			}
		})
	}
}

// raise stores items whose alerts the digest tests gather.
func raise(t *testing.T, svc *Service, at time.Time, titles ...string) {
	t.Helper()
	var items []sources.Item
	for i, title := range titles {
		items = append(items, sources.Item{Source: "a", ID: fmt.Sprintf("%d-%d", at.Unix(), i), URL: fmt.Sprintf("https://a.example/%d/%d", at.Unix(), i),
			Title: title, Text: "The foreign ministry summoned the ambassador.", Published: at})
	}
	if err := svc.pipe.Handle(context.Background(), sources.Result{Source: "a", Health: sources.Health{LastSuccess: at}, Items: items}); err != nil {
		t.Fatal(err)
	}
}

// TestDigestOnBothPlatforms: at its time, each chat gets its digest once,
// through the real libraries and the fakes: what its subscriptions raised
// since the last digest, feed text escaped; live alerts of a digest-only
// subscription are not sent; a quiet day is one line, or nothing.
func TestDigestOnBothPlatforms(t *testing.T) {
	const token = "123:ABC"
	tg := bottest.StartTelegramServer(t, token, bottest.TelegramNoLimits())
	sl := bottest.NewSlackServer(t, bottest.SlackWithToken("xoxb-test"))
	const config = `
slack: {mode: http}
subscriptions:
  - chat: telegram:42
    rulesets: [diplomacy]
    digest_only: true
    digest: {cron: "0 8 * * *", tz: Europe/Moscow}
  - chat: slack:C1
    rules: [diplomat-summoned]
    digest_only: true
    digest: {cron: "0 5 * * *", tz: Europe/London, quiet: skip}
`
	e := env{"TELEGRAM_BOT_TOKEN": token, "TELEGRAM_API_URL": tg.URL,
		"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_API_URL": sl.APIURL(), "SLACK_SIGNING_SECRET": "s"}
	db := filepath.Join(t.TempDir(), "a.db")
	c := &clock{t: digestDue.Add(-23 * time.Hour)}
	svc := digestService(t, db, config, e, c, io.Discard, io.Discard)

	raise(t, svc, digestDue.Add(-20*time.Hour),
		"Moscow summoned the Latvian ambassador <b>& co</b> <!channel>",
		"Riga summons Russian envoy over *drones*")
	raise(t, svc, digestDue.Add(-2*time.Hour), "Vilnius summons the Belarusian ambassador")
	c.set(digestDue.Add(time.Second))
	stop := run(t, svc)
	eventually(t, "both digests arrive", func() bool { return len(tg.Sent()) == 1 && len(sl.Accepted()) == 1 })
	time.Sleep(300 * time.Millisecond) // room for a duplicate or a live alert to show
	stop()

	if n := len(tg.Sent()); n != 1 {
		t.Fatalf("Telegram got %d messages, want the digest alone (the subscription is digest only)", n)
	}
	msg := tg.Sent()[0].Parsed
	for _, want := range []string{"Digest", "24 Nov 08:00 – 25 Nov 08:00 MSK", "3 alerts in 3 events",
		"Moscow summoned the Latvian ambassador <b>& co</b> <!channel>", "Riga summons Russian envoy over *drones*", "Vilnius summons the Belarusian ambassador"} {
		if !strings.Contains(msg, want) {
			t.Errorf("Telegram digest lacks %q:\n%s", want, msg)
		}
	}
	if len(sl.Accepted()) != 1 {
		t.Fatalf("Slack got %d messages, want 1", len(sl.Accepted()))
	}
	post := sl.Accepted()[0]
	if !strings.Contains(string(post.Blocks), "Vilnius summons the Belarusian ambassador") || !strings.Contains(string(post.Blocks), "GMT") {
		t.Errorf("Slack digest lacks the alert or the chat's zone:\n%s", post.Blocks)
	}
	if strings.Contains(string(post.Blocks), "<!channel>") || strings.Contains(post.Text, "<!channel>") {
		t.Errorf("feed text pinged the Slack channel:\n%s", post.Blocks)
	}

	// The next day is quiet: Telegram says so in one line; Slack chose
	// to hear nothing then. Restarted, alertbot sends nothing twice.
	c.set(digestDue.Add(24*time.Hour + time.Second))
	svc = digestService(t, db, config, e, c, io.Discard, io.Discard)
	stop = run(t, svc)
	eventually(t, "the quiet digest arrives", func() bool { return len(tg.Sent()) == 2 })
	time.Sleep(300 * time.Millisecond)
	stop()
	if n := len(tg.Sent()); n != 2 || !strings.Contains(tg.Sent()[1].Parsed, "nothing raised") {
		t.Errorf("Telegram messages %d, the last %q; want a second one saying nothing was raised", n, tg.Sent()[n-1].Parsed)
	}
	if n := len(sl.Accepted()); n != 1 {
		t.Errorf("Slack got %d messages, want no second one on a quiet day", n)
	}
}

// TestDigestResumesAfterRestart: a digest of many alerts takes several
// messages; when alertbot stops after the platform failed one of them,
// the next run sends the rest, and no message twice.
func TestDigestResumesAfterRestart(t *testing.T) {
	const token = "123:ABC"
	tg := bottest.StartTelegramServer(t, token, bottest.TelegramNoLimits())
	e := env{"TELEGRAM_BOT_TOKEN": token, "TELEGRAM_API_URL": tg.URL}
	const config = `
subscriptions:
  - chat: telegram:42
    rulesets: [diplomacy]
    digest_only: true
    digest: {cron: "0 8 * * *", tz: Europe/Moscow}
`
	db := filepath.Join(t.TempDir(), "a.db")
	c := &clock{t: digestDue.Add(-23 * time.Hour)}
	svc := digestService(t, db, config, e, c, tWriter{t}, io.Discard)
	var titles []string
	for i := range 150 {
		titles = append(titles, fmt.Sprintf("Capital %d summons the ambassador of country %d over the incident", i, i))
	}
	raise(t, svc, digestDue.Add(-12*time.Hour), titles...)

	c.set(digestDue.Add(time.Second))
	stop := run(t, svc)
	eventually(t, "the digest's first message is sent", func() bool { return len(tg.Sent()) == 1 })
	tg.FailChat(42, bottest.TelegramInternal("try later")) // the next one fails
	eventually(t, "the digest fails", func() bool {
		for _, call := range tg.Calls() {
			if call.Method == "sendMessage" && call.Status != 200 {
				return true
			}
		}
		return false
	})
	stop()
	tg.HealChat(42)

	svc = digestService(t, db, config, e, c, io.Discard, io.Discard)
	seen := func() map[string]int {
		seen := map[string]int{}
		for _, p := range tg.Sent() {
			for _, title := range titles {
				if strings.Contains(p.Parsed, title+" ·") {
					seen[title]++
				}
			}
		}
		return seen
	}
	stop = run(t, svc)
	eventually(t, "the rest of the digest is sent", func() bool { return len(seen()) == len(titles) })
	time.Sleep(300 * time.Millisecond) // room for a duplicate to show
	stop()
	sent := tg.Sent()
	for i, p := range sent {
		if i > 0 && !strings.Contains(p.Parsed, "(continued)") {
			t.Errorf("message %d does not say it continues the digest:\n%.200s", i, p.Parsed)
		}
	}
	for title, n := range seen() {
		if n != 1 {
			t.Errorf("%q is in %d messages of the digest, want 1", title, n)
		}
	}
	if len(sent) < 3 {
		t.Errorf("%d alerts in %d messages: want them split", len(titles), len(sent))
	}
}

// TestDigestCommands: the digest command sets a chat's schedule, which
// wins over the config's and survives a restart; digest now sends at
// once; digest off stops the config's digest.
func TestDigestCommands(t *testing.T) {
	db := filepath.Join(t.TempDir(), "a.db")
	c := &clock{t: digestDue.Add(-time.Hour)}
	var out syncBuffer
	svc := digestService(t, db, digestConfig, env{}, c, tWriter{t}, &out)
	ctx := context.Background()
	cmd := func(svc *Service, text string) string {
		return svc.commander().Run(ctx, bot.Command{Chat: "telegram:42", Admin: true, Text: text}).Text
	}
	if got := cmd(svc, "digest"); !strings.Contains(got, "0 8 * * * Europe/Moscow") {
		t.Errorf("digest = %q, want the config's schedule", got)
	}
	if got := cmd(svc, `digest cron "30 9 * * 1-5" America/New_York quiet=skip`); !strings.Contains(got, "30 9 * * 1-5 America/New_York") {
		t.Errorf("digest cron = %q", got)
	}
	svc.Close()
	svc = digestService(t, db, digestConfig, env{}, c, tWriter{t}, &out)
	if got := cmd(svc, "digest"); !strings.Contains(got, "30 9 * * 1-5 America/New_York") || !strings.Contains(got, "nothing is sent") {
		t.Errorf("after a restart, digest = %q, want the chat's own schedule", got)
	}
	if got := cmd(svc, "subscriptions"); !strings.Contains(got, "Digest: 30 9 * * 1-5 America/New_York") {
		t.Errorf("subscriptions = %q, want the digest named", got)
	}

	// No platform token: the digest goes to the console, as alerts do.
	raise(t, svc, c.now().Add(-time.Minute), "Moscow summons the Latvian ambassador")
	c.set(c.now().Add(time.Second))
	stop := run(t, svc)
	if got := cmd(svc, "digest now"); !strings.Contains(got, "on its way") {
		t.Errorf("digest now = %q", got)
	}
	eventually(t, "the digest is printed", func() bool { return strings.Contains(out.String(), "Digest ·") })
	if _, digest, _ := strings.Cut(out.String(), "Digest ·"); !strings.Contains(digest, "Moscow summons the Latvian ambassador") {
		t.Errorf("the digest lacks the alert:\n%s", out.String())
	}
	eventually(t, "the digest is counted", func() bool {
		var m dto.Metric
		return svc.metrics.digests.Write(&m) == nil && m.GetCounter().GetValue() == 1
	})
	status, err := svc.statusReport(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(status, "\n"); !strings.Contains(got, "telegram:42: 30 9 * * 1-5 America/New_York, next 2026-11-25 14:30 UTC, last sent 2026-11-25 04:00 UTC") {
		t.Errorf("status:\n%s\nwant the chat's digest, next and last", got)
	}
	if got := cmd(svc, "digest off"); got != "Digests are off for this chat." {
		t.Errorf("digest off = %q", got)
	}
	stop()
	svc = digestService(t, db, digestConfig, env{}, c, tWriter{t}, &out)
	defer svc.Close()
	if got := cmd(svc, "digest"); !strings.Contains(got, "No digest") {
		t.Errorf("after digest off and a restart, digest = %q, want none: the chat's choice wins over the config", got)
	}
	c.set(digestDue.Add(time.Minute))
	svc.digests.tick(ctx)
	for _, j := range digestJobs(t, svc) {
		if j.Due.Equal(digestDue) {
			t.Errorf("a digest was queued at the config's time after digest off: %+v", j)
		}
	}
}

// TestManualDigest: alertbot digest renders a chat's digest of the last
// -since, or of everything since its previous digest.
func TestManualDigest(t *testing.T) {
	db := filepath.Join(t.TempDir(), "a.db")
	c := &clock{t: time.Now().Add(-2 * time.Hour)}
	svc := digestService(t, db, digestConfig, env{}, c, io.Discard, io.Discard)
	raise(t, svc, c.now(), "Moscow summons the Latvian ambassador")
	svc.Close()
	cfg, err := ParseConfig("digest.yaml", []byte(chatRules+digestConfig))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	opt := Options{Stdout: &out, Storage: "sqlite:" + db, Logger: slog.New(slog.DiscardHandler), Getenv: env{}.get}
	if err := ManualDigest(context.Background(), cfg, opt, "telegram:42", 3*time.Hour, false); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "Moscow summons the Latvian ambassador") || !strings.Contains(out.String(), "MSK") {
		t.Errorf("digest:\n%s\nwant the alert, times in the chat's zone", out.String())
	}
	out.Reset()
	if err := ManualDigest(context.Background(), cfg, opt, "telegram:42", time.Hour, false); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "nothing raised") {
		t.Errorf("digest of the last hour:\n%s\nwant a quiet one", out.String())
	}
	if err := ManualDigest(context.Background(), cfg, opt, "telegram:42", 0, true); err == nil || !strings.Contains(err.Error(), "no telegram token") {
		t.Errorf("send without a token: %v", err)
	}
	if err := ManualDigest(context.Background(), cfg, opt, "whatsapp:1", 0, false); err == nil {
		t.Error("a bad chat was accepted")
	}
}

// tWriter writes to the test's log.
type tWriter struct{ t *testing.T }

func (w tWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSuffix(string(p), "\n"))
	return len(p), nil
}

// TestDigestOnceAcrossReplicasPostgres: two replicas on one PostgreSQL
// database, both running through a chat's due time, send its digest once.
func TestDigestOnceAcrossReplicasPostgres(t *testing.T) {
	dsn := os.Getenv("ALERTBOT_TEST_POSTGRES")
	if dsn == "" {
		t.Skip("set ALERTBOT_TEST_POSTGRES to a PostgreSQL URL to run on PostgreSQL")
	}
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	schema := fmt.Sprintf("alertbot_app_test_%d", os.Getpid())
	if _, err := admin.Exec(`CREATE SCHEMA ` + schema); err != nil {
		t.Fatal(err)
	}
	defer admin.Exec(`DROP SCHEMA ` + schema + ` CASCADE`)
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	storage := dsn + sep + "search_path=" + schema

	sl := bottest.NewSlackServer(t, bottest.SlackWithToken("xoxb-test"))
	e := env{"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_API_URL": sl.APIURL(), "SLACK_SIGNING_SECRET": "s"}
	cfg, err := ParseConfig("digest.yaml", []byte(chatRules+`
slack: {mode: http}
subscriptions:
  - chat: slack:C1
    rulesets: [diplomacy]
    digest_only: true
    digest: {cron: "0 8 * * *", tz: Europe/Moscow}
`))
	if err != nil {
		t.Fatal(err)
	}
	cfg.HTTP.Listen = "127.0.0.1:0"
	c := &clock{t: digestDue.Add(-time.Hour)}
	var replicas []*Service
	for range 2 {
		svc, err := Open(context.Background(), cfg, Options{
			Logger: slog.New(slog.DiscardHandler), Stdout: io.Discard, Storage: storage, Getenv: e.get, Now: c.now,
		})
		if err != nil {
			t.Fatal(err)
		}
		replicas = append(replicas, svc)
	}
	if err := replicas[0].st.PutSourceState(context.Background(), store.SourceState{ID: "a", Seen: true}); err != nil {
		t.Fatal(err)
	}
	raise(t, replicas[0], c.now(), "Moscow summons the Latvian ambassador")
	c.set(digestDue.Add(time.Second))
	var stops []func()
	for _, svc := range replicas {
		stops = append(stops, run(t, svc))
	}
	eventually(t, "the digest arrives", func() bool { return len(sl.Accepted()) >= 1 })
	time.Sleep(time.Second) // room for a second one to show
	for _, stop := range stops {
		stop()
	}
	posts := sl.Accepted()
	if len(posts) != 1 || !strings.Contains(string(posts[0].Blocks), "Moscow summons the Latvian ambassador") {
		t.Errorf("Slack got %d posts, want the digest once: %+v", len(posts), posts)
	}
}
