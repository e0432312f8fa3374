package app

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/alertbot/alertbot/bot/bottest"
	"github.com/alertbot/alertbot/sources"
	"github.com/alertbot/alertbot/store"
)

// BenchmarkDelivery delivers a backlog of 600 alerts (20 alerts to each of
// 30 Telegram chats, 10 of them groups) through the fake Bot API, which
// enforces Telegram's limits (1 message/s per chat after a short burst,
// 20/min per group, 30/s overall), and reports the rate reached as a share
// of the 30 messages a second permitted, the sends answered 429, and the
// messages lost or sent twice. Meanwhile Slack slash commands are sent to
// the same service over signed HTTP and the time to their answer measured.
//
//	go test -run '^$' -bench Delivery -benchtime 1x ./app/
func BenchmarkDelivery(b *testing.B) {
	const (
		token     = "123:ABC"
		secret    = "8f742231b10e8888abcd99yyyzzz85a5"
		private   = 20
		groups    = 10
		alerts    = 20
		permitted = 30.0 // messages a second, Telegram's overall limit
		commands  = 40
	)
	for b.Loop() {
		tg := bottest.StartTelegramServer(b, token)
		slackFake := bottest.NewSlackServer(b, bottest.SlackWithToken("xoxb-test"))
		var cfg strings.Builder
		cfg.WriteString(`
rulesets:
  - id: diplomacy
    title: Diplomacy
    rules:
      - {id: diplomat-summoned, title: Diplomat summoned, severity: high, query: 'summon* NEAR/5 (ambassador OR envoy)'}
sources:
  - {id: a, kind: rss, url: "http://127.0.0.1:1/a.xml"}
subscriptions:
`)
		var chats []int64
		for i := range private + groups {
			id := int64(1000 + i)
			if i >= private {
				id = -id // a group
			}
			chats = append(chats, id)
			fmt.Fprintf(&cfg, "  - {chat: \"telegram:%d\", rulesets: [diplomacy]}\n", id)
		}
		c, err := ParseConfig("delivery.yaml", []byte(cfg.String()))
		if err != nil {
			b.Fatal(err)
		}
		c.Slack.Mode = "http"
		c.HTTP.Listen = "127.0.0.1:0"
		svc, err := Open(context.Background(), c, Options{
			Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Stdout: io.Discard,
			Storage: "sqlite:" + filepath.Join(b.TempDir(), "a.db"),
			Getenv: env{"TELEGRAM_BOT_TOKEN": token, "TELEGRAM_API_URL": tg.URL,
				"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_API_URL": slackFake.APIURL(), "SLACK_SIGNING_SECRET": secret}.get,
		})
		if err != nil {
			b.Fatal(err)
		}
		ctx := context.Background()
		if err := svc.st.PutSourceState(ctx, store.SourceState{ID: "a", Seen: true}); err != nil {
			b.Fatal(err)
		}
		var items []sources.Item
		for i := range alerts {
			items = append(items, sources.Item{Source: "a", ID: fmt.Sprint(i), Published: time.Now(),
				Title: fmt.Sprintf("Country %d summoned the ambassador (%d)", i, i)})
		}
		if err := svc.pipe.Handle(ctx, sources.Result{Source: "a", Items: items, Health: sources.Health{LastSuccess: time.Now()}}); err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		stop := run(b, svc)
		var acks []time.Duration
		for range commands {
			acks = append(acks, slashCommand(b, svc.Addr(), secret))
			time.Sleep(300 * time.Millisecond)
		}
		sent := func() []bottest.TelegramCall {
			var out []bottest.TelegramCall
			for _, call := range tg.Calls() {
				if strings.EqualFold(call.Method, "sendMessage") && call.Status == 200 {
					out = append(out, call)
				}
			}
			return out
		}
		deadline := time.Now().Add(3 * time.Minute)
		for len(sent()) < alerts*len(chats) && time.Now().Before(deadline) {
			time.Sleep(50 * time.Millisecond)
		}
		var last time.Time
		for _, call := range sent() {
			if call.At.After(last) {
				last = call.At
			}
		}
		elapsed := last.Sub(start)
		time.Sleep(time.Second) // room for a duplicate to show, if there were one
		stop()

		seen := map[string]int{}
		tooMany, sends := 0, 0
		for _, call := range tg.Calls() {
			if !strings.EqualFold(call.Method, "sendMessage") {
				continue
			}
			sends++
			if call.Status == 429 {
				tooMany++
			}
			if call.Status == 200 {
				seen[fmt.Sprint(call.ChatID)+"|"+call.Parsed]++
			}
		}
		delivered, twice := 0, 0
		for _, n := range seen {
			delivered++
			if n > 1 {
				twice++
			}
		}
		slices.Sort(acks)
		b.ReportMetric(100*float64(delivered)/elapsed.Seconds()/permitted, "%of-permitted-rate")
		b.ReportMetric(elapsed.Seconds(), "s-to-deliver")
		b.ReportMetric(float64(alerts*len(chats)-delivered), "lost")
		b.ReportMetric(float64(twice), "sent-twice")
		b.ReportMetric(100*float64(tooMany)/float64(max(sends, 1)), "%429")
		b.ReportMetric(float64(acks[len(acks)*99/100].Milliseconds()), "slash-p99-ms")
	}
}

// slashCommand sends a signed /alertbot rules and returns how long the
// answer took.
func slashCommand(tb testing.TB, addr, secret string) time.Duration {
	form := url.Values{"command": {"/alertbot"}, "text": {"rules"}, "channel_id": {"C1"}, "user_id": {"U1"}}
	req, _ := http.NewRequest("POST", "http://"+addr+"/slack/commands", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if err := bottest.SlackSign(req, secret, time.Now()); err != nil {
		tb.Fatal(err)
	}
	start := time.Now()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		tb.Fatalf("slash command: %d", resp.StatusCode)
	}
	return time.Since(start)
}
