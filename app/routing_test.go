package app

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/alertbot/alertbot/bot"
	"github.com/alertbot/alertbot/sources"
	"github.com/alertbot/alertbot/store"
)

// recorder is a chat platform that records what it was sent.
type recorder struct {
	mu    sync.Mutex
	sent  []string          // chat: title
	zones map[string]string // chat -> the zone its alerts came with
}

func (r *recorder) Send(ctx context.Context, chat string, a *bot.Alert) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sent = append(r.sent, chat+": "+a.Title)
	if r.zones == nil {
		r.zones = map[string]string{}
	}
	if a.Zone != nil {
		r.zones[chat] = a.Zone.String()
	}
	return nil
}

func (r *recorder) got() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := slices.Clone(r.sent)
	slices.Sort(out)
	return out
}

const routingConfig = `
rulesets:
  - id: diplomacy
    title: Diplomacy
    rules:
      - {id: diplomat-summoned, title: Diplomat summoned, severity: high, query: 'summon* NEAR/5 (ambassador OR envoy)'}
      - {id: protest-note, title: Protest note, severity: medium, query: '"note of protest"'}
sources:
  - {id: a, kind: rss, url: "http://127.0.0.1:1/a.xml"}
subscriptions:
  - {chat: "telegram:-100123", rulesets: [diplomacy], min_severity: high, digest: {cron: "0 8 * * *", tz: Europe/Moscow}}
  - {chat: "telegram:-100456/7", rules: [protest-note]}
  - {chat: "telegram:-100789", rulesets: [diplomacy]}
  - {chat: "slack:C1", rulesets: [diplomacy], min_severity: critical}
  - {chat: "slack:C2", rules: [diplomat-summoned]}
`

// TestRouting: an alert goes to every chat subscribed to its rule or rule
// set at or above the chat's minimum severity, not muted, topics kept.
func TestRouting(t *testing.T) {
	cfg, err := ParseConfig("routing.yaml", []byte(routingConfig))
	if err != nil {
		t.Fatal(err)
	}
	tg, slack := &recorder{}, &recorder{}
	svc, err := Open(context.Background(), cfg, Options{
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Stdout: io.Discard,
		Storage:    "sqlite:" + filepath.Join(t.TempDir(), "a.db"),
		Messengers: map[string]bot.Messenger{"telegram": tg, "slack": slack},
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := svc.st.MuteSubscriptions(ctx, "telegram", "-100789", "", time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	// Not a first fetch: its items may alert.
	if err := svc.st.PutSourceState(ctx, store.SourceState{ID: "a", Seen: true}); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	err = svc.pipe.Handle(ctx, sources.Result{Source: "a", Health: sources.Health{LastSuccess: now}, Items: []sources.Item{
		{Source: "a", ID: "1", Title: "Poland summoned the Russian ambassador", Published: now},
		{Source: "a", ID: "2", Title: "Lithuania handed a note of protest to Minsk", Published: now},
	}})
	if err != nil {
		t.Fatal(err)
	}
	stop := run(t, svc)
	eventually(t, "three deliveries", func() bool { return len(tg.got())+len(slack.got()) == 3 })
	time.Sleep(200 * time.Millisecond) // room for a wrong one to show, if there were one
	stop()
	wantTG := []string{
		"telegram:-100123: Poland summoned the Russian ambassador",
		"telegram:-100456/7: Lithuania handed a note of protest to Minsk",
	}
	wantSlack := []string{"slack:C2: Poland summoned the Russian ambassador"}
	if got := tg.got(); !slices.Equal(got, wantTG) {
		t.Errorf("telegram got\n%q\nwant\n%q", got, wantTG)
	}
	if got := slack.got(); len(got) != 1 || got[0] != wantSlack[0] {
		t.Errorf("slack got %q, want %q", got, wantSlack)
	}
	// A chat's alerts show their times in its zone: its digest's.
	if got := tg.zones["telegram:-100123"]; got != "Europe/Moscow" {
		t.Errorf("telegram:-100123 got its alert in zone %q, want Europe/Moscow", got)
	}
	if got, ok := tg.zones["telegram:-100456/7"]; ok {
		t.Errorf("telegram:-100456/7 has no zone but got %q", got)
	}
}
