package slack_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alertbot/alertbot/bot"
	"github.com/alertbot/alertbot/bot/bottest"
	"github.com/alertbot/alertbot/bot/slack"
)

const token = "xoxb-1234-secret-token"

var msk = time.FixedZone("MSK", 3*60*60)

// clock is a slack.Clock whose Sleep moves it on at once, and which
// records the sleeps.
type clock struct {
	mu    sync.Mutex
	t     time.Time
	slept []time.Duration
}

func newClock() *clock { return &clock{t: time.Date(2024, 2, 3, 14, 5, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
	c.slept = append(c.slept, d)
	return nil
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func (c *clock) Slept() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.slept...)
}

func TestSendArrivesOnce(t *testing.T) {
	s := bottest.NewSlackServer(t, bottest.SlackWithToken(token))
	m := slack.New(token, s.APIURL(), slack.WithLocation(msk))
	if err := m.Send(context.Background(), "slack:C0123", bottest.SampleAlert()); err != nil {
		t.Fatal(err)
	}
	posts := s.Posts()
	if len(posts) != 1 {
		t.Fatalf("%d posts, want 1", len(posts))
	}
	p := posts[0]
	if p.Channel != "C0123" || p.Error != "" {
		t.Errorf("posted to %q, error %q; want C0123, accepted", p.Channel, p.Error)
	}
	if want := "HIGH Diplomat summoned · diplomat-summoned: Iraq summons US chargé d'affaires over strikes"; p.Text != want {
		t.Errorf("text = %q, want %q", p.Text, want)
	}
	want := `[{"type":"section","text":{"type":"mrkdwn","text":":red_circle: *HIGH* *Diplomat summoned* · ` + "`diplomat-summoned`" + `","verbatim":true}},` +
		`{"type":"section","text":{"type":"mrkdwn","text":"*\u003chttps://example.org/news/1|Iraq summons US chargé d'affaires over strikes\u003e*","verbatim":true}},` +
		`{"type":"section","text":{"type":"mrkdwn","text":"Iraq's foreign ministry on Saturday *summoned* the US *chargé d'affaires* in Baghdad and handed her a note of protest over the overnight strikes.","verbatim":true}},` +
		`{"type":"context","elements":[{"type":"mrkdwn","text":"IQ, US · TASS · 2024-02-03 14:05 UTC · 17:05 MSK","verbatim":true}]}]`
	if got := string(p.Blocks); got != want {
		t.Errorf("blocks =\n%s\nwant\n%s", got, want)
	}
	for key, want := range map[string]string{"unfurl_links": "false", "unfurl_media": "false", "link_names": "", "parse": ""} {
		if got := p.Form.Get(key); got != want {
			t.Errorf("%s = %q, want %q", key, got, want)
		}
	}
}

func TestSendHostileText(t *testing.T) {
	nasty := "<!channel> <!here|here> <@U123> <#C999|general> <https://evil.example|click> & &amp; *bold* _it_ ~strike~ `code` ```pre``` > quote " +
		"MarkdownV2 _*[]()~`>#+-=|{}.!\\ :rotating_light: @channel "
	long := strings.Repeat(nasty, 5000/len(nasty)+1)
	a := &bot.Alert{
		ID: 9, RuleID: "x-y", RuleTitle: nasty, Severity: "critical",
		Title: nasty + long, URL: "https://evil.example/?q=<!channel>&x=|y",
		Source: "src", SourceTitle: nasty,
		Snippet:   bot.NewSnippet(long, []bot.Span{{Start: 0, End: 10}, {Start: 200, End: 230}}, 0),
		Countries: []string{"IQ"}, Published: time.Now(),
	}
	if n := len(a.Snippet.Text); n < 5000 {
		t.Fatalf("snippet of %d bytes", n)
	}
	s := bottest.NewSlackServer(t)
	m := slack.New(token, s.APIURL())
	if err := m.Send(context.Background(), "slack:C0123", a); err != nil {
		t.Fatal(err)
	}
	posts := s.Accepted()
	if len(posts) != 1 {
		t.Fatalf("%d posts accepted, want 1: %+v", len(posts), s.Posts())
	}
	var blocks []struct {
		Text     struct{ Text string } `json:"text"`
		Elements []struct{ Text string }
	}
	if err := json.Unmarshal(posts[0].Blocks, &blocks); err != nil {
		t.Fatal(err)
	}
	all := []string{posts[0].Text}
	for _, b := range blocks {
		all = append(all, b.Text.Text)
		for _, e := range b.Elements {
			all = append(all, e.Text)
		}
	}
	for i, text := range all {
		// Our markup: the one link, of the title, and the emoji.
		if rest, ok := strings.CutPrefix(text, "*<https://evil.example/?q=&lt;!channel&gt;&amp;x=%7Cy|"); ok {
			text, ok = strings.CutSuffix(rest, ">*…")
			if !ok {
				t.Errorf("title %d not linked and cut: %.300q", i, rest)
			}
		}
		text = strings.ReplaceAll(text, ":rotating_light: *CRITICAL*", "")
		for _, bad := range []string{"<", ">", "_", "~", "```", "&amp;amp;x"} {
			if strings.Contains(text, bad) {
				t.Errorf("text %d holds %q: %.300q", i, bad, text)
			}
		}
		// The only * left are ours: in pairs around bold runs.
		if n := strings.Count(text, "*"); n%2 != 0 {
			t.Errorf("text %d has %d *: %.300q", i, n, text)
		}
		if strings.Contains(text, "*bold*") || strings.Contains(text, "`code`") {
			t.Errorf("text %d keeps the feed's formatting: %.300q", i, text)
		}
	}
}

func TestSendErrors(t *testing.T) {
	tests := []struct {
		name     string
		chat     string
		failure  bottest.SlackFailure
		wantWait time.Duration // > 0: a *bot.RetryAfter of that wait
		wantGone bool
		wantText string // in the error
	}{
		{name: "RateLimited", chat: "slack:CX", failure: bottest.SlackRateLimited(3 * time.Second), wantWait: 3 * time.Second, wantText: "slack: send alert 7 to slack:CX: rate limited: retry after 3s"},
		{name: "ChannelNotFound", chat: "slack:CX", failure: bottest.SlackError("channel_not_found"), wantGone: true, wantText: "slack: send alert 7 to slack:CX: chat gone: channel_not_found"},
		{name: "NotInChannel", chat: "slack:CX", failure: bottest.SlackError("not_in_channel"), wantGone: true, wantText: "chat gone: not_in_channel"},
		{name: "IsArchived", chat: "slack:CX", failure: bottest.SlackError("is_archived"), wantGone: true, wantText: "chat gone: is_archived"},
		{name: "PostedTooMany", chat: "slack:CX", failure: bottest.SlackError("rate_limited"), wantWait: time.Minute},
		{name: "InternalError", chat: "slack:CX", failure: bottest.SlackInternalError(), wantText: "slack: send alert 7 to slack:CX: slack server error: 500 Internal Server Error"},
		{name: "OtherError", chat: "slack:CX", failure: bottest.SlackError("fatal_error"), wantText: "slack: send alert 7 to slack:CX: fatal_error"},
		{name: "NotSlack", chat: "telegram:-100123", wantGone: true, wantText: `slack: send alert 7: chat "telegram:-100123" is not a Slack channel`},
		{name: "BadID", chat: "slack:<!channel>", wantGone: true},
		{name: "NoID", chat: "slack:", wantGone: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := bottest.NewSlackServer(t)
			s.Fail("CX", tt.failure)
			m := slack.New(token, s.APIURL())
			err := m.Send(context.Background(), tt.chat, bottest.SampleAlert())
			bottest.CheckSendError(t, err, tt.wantWait, tt.wantGone)
			if !strings.Contains(err.Error(), tt.wantText) {
				t.Errorf("err = %q, want it to hold %q", err, tt.wantText)
			}
			if strings.Contains(err.Error(), "secret-token") {
				t.Errorf("the token leaks: %v", err)
			}
		})
	}
}

func TestSendHoldsAfter429(t *testing.T) {
	c := newClock()
	s := bottest.NewSlackServer(t, bottest.SlackWithClock(c.Now))
	m := slack.New(token, s.APIURL(), slack.WithClock(c))
	f := bottest.SlackRateLimited(30 * time.Second)
	f.Times = 1
	s.Fail("C1", f)
	ctx := context.Background()

	var wait *bot.RetryAfter
	if err := m.Send(ctx, "slack:C1", bottest.SampleAlert()); !errors.As(err, &wait) || wait.Wait != 30*time.Second {
		t.Fatalf("first send: %v, want RetryAfter 30s", err)
	}
	c.Add(10 * time.Second)
	// Held: not even asked.
	if err := m.Send(ctx, "slack:C1", bottest.SampleAlert()); !errors.As(err, &wait) || wait.Wait != 20*time.Second {
		t.Errorf("held send: %v, want RetryAfter 20s", err)
	}
	if err := m.Send(ctx, "slack:C2", bottest.SampleAlert()); err != nil {
		t.Errorf("another channel: %v", err)
	}
	c.Add(20 * time.Second)
	if err := m.Send(ctx, "slack:C1", bottest.SampleAlert()); err != nil {
		t.Errorf("after the wait: %v", err)
	}
	var got []string
	for _, p := range s.Posts() {
		got = append(got, p.Channel+" "+p.Error)
	}
	if want := "C1 ratelimited,C2 ,C1 "; strings.Join(got, ",") != want {
		t.Errorf("posts %q, want %q", strings.Join(got, ","), want)
	}
}

func TestSendPacesBurst(t *testing.T) {
	c := newClock()
	// The fake limits as Slack does, by the same clock.
	s := bottest.NewSlackServer(t, bottest.SlackWithClock(c.Now))
	m := slack.New(token, s.APIURL(), slack.WithClock(c))
	const n = 10
	for i := range n {
		if err := m.Send(context.Background(), "slack:C1", bottest.SampleAlert()); err != nil {
			t.Fatalf("send %d: %v", i, err)
		}
	}
	if err := m.Send(context.Background(), "slack:C2", bottest.SampleAlert()); err != nil {
		t.Fatalf("another channel: %v", err)
	}
	if got := len(s.Accepted()); got != n+1 {
		t.Errorf("%d accepted of %d posts, want all %d", got, len(s.Posts()), n+1)
	}
	// A burst of PaceBurst at once, then one a second; C2 did not wait.
	var want []time.Duration
	for range n - slack.PaceBurst {
		want = append(want, slack.PaceInterval)
	}
	if got := c.Slept(); !equalDurations(got, want) {
		t.Errorf("slept %v, want %v", got, want)
	}
}

func equalDurations(a, b []time.Duration) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestSendWithoutPacingHits429(t *testing.T) {
	// The control for TestSendPacesBurst: the same burst, unpaced, is refused.
	c := newClock()
	s := bottest.NewSlackServer(t, bottest.SlackWithClock(c.Now))
	m := slack.New(token, s.APIURL(), slack.WithClock(c), slack.WithPace(0, 0))
	var limited int
	for range 10 {
		var wait *bot.RetryAfter
		if err := m.Send(context.Background(), "slack:C1", bottest.SampleAlert()); errors.As(err, &wait) {
			limited++
		}
	}
	if limited == 0 {
		t.Error("no 429 for an unpaced burst: the fake does not limit")
	}
}

func TestSendPacingRealTime(t *testing.T) {
	// A short real run: concurrent sends to one channel, paced at a tenth
	// of Slack's interval, the fake limiting at that interval too, with a
	// burst one larger (as by default) for the jitter of real time.
	const interval = 100 * time.Millisecond
	s := bottest.NewSlackServer(t, bottest.SlackWithRateLimit(interval, 3))
	m := slack.New(token, s.APIURL(), slack.WithPace(interval, 2))
	const n = 6
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	start := time.Now()
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			if err := m.Send(ctx, "slack:C1", bottest.SampleAlert()); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if got := len(s.Accepted()); got != n {
		t.Errorf("%d accepted of %d posts, want %d", got, len(s.Posts()), n)
	}
	if took, least := time.Since(start), (n-2)*interval; took < least {
		t.Errorf("took %v, want at least %v", took, least)
	}
}

func TestSendWaitBeyondDeadline(t *testing.T) {
	c := newClock()
	s := bottest.NewSlackServer(t, bottest.SlackWithClock(c.Now))
	m := slack.New(token, s.APIURL(), slack.WithClock(c), slack.WithPace(time.Minute, 1))
	if err := m.Send(context.Background(), "slack:C1", bottest.SampleAlert()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var wait *bot.RetryAfter
	if err := m.Send(ctx, "slack:C1", bottest.SampleAlert()); !errors.As(err, &wait) || wait.Wait != time.Minute {
		t.Errorf("err = %v, want RetryAfter 1m", err)
	}
	// The refused send did not take a turn: a minute on, one may go.
	c.Add(time.Minute)
	if err := m.Send(ctx, "slack:C1", bottest.SampleAlert()); err != nil {
		t.Errorf("after a minute: %v", err)
	}
	if got := len(s.Posts()); got != 2 {
		t.Errorf("%d posts, want 2", got)
	}
}

func TestSendCancelled(t *testing.T) {
	s := bottest.NewSlackServer(t)
	m := slack.New(token, s.APIURL(), slack.WithPace(time.Hour, 1))
	if err := m.Send(context.Background(), "slack:C1", bottest.SampleAlert()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Send(ctx, "slack:C1", bottest.SampleAlert()) }()
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v, want context.Canceled", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Send did not return after cancel")
	}
	if got := len(s.Posts()); got != 1 {
		t.Errorf("%d posts, want 1", got)
	}
}

func TestNewAddsSlash(t *testing.T) {
	s := bottest.NewSlackServer(t)
	m := slack.New(token, strings.TrimSuffix(s.APIURL(), "/"))
	if err := m.Send(context.Background(), "slack:C1", bottest.SampleAlert()); err != nil {
		t.Fatal(err)
	}
}
