package app

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/alertbot/alertbot/bot"
	"github.com/alertbot/alertbot/sources"
)

// TestCommands runs chat commands through the service's commander, on a
// real store and the configured rules.
func TestCommands(t *testing.T) {
	cfg, err := ParseConfig("c.yaml", []byte(routingConfig))
	if err != nil {
		t.Fatal(err)
	}
	svc, err := Open(context.Background(), cfg, Options{
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Stdout: io.Discard,
		Storage:    "sqlite:" + filepath.Join(t.TempDir(), "a.db"),
		Messengers: map[string]bot.Messenger{"telegram": &recorder{}},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	ctx := context.Background()
	if _, err := svc.st.SaveItems(ctx, []sources.Item{
		{Source: "a", ID: "1", Title: "Iraq summons US envoy over strikes", URL: "https://news.example/1", Published: time.Now()},
	}); err != nil {
		t.Fatal(err)
	}
	cmds := svc.commander()
	const chat = "telegram:-1009/3"
	for _, tt := range []struct {
		text  string
		admin bool
		want  string // a part of the reply
	}{
		{"subscribe diplomacy min=high", false, "Only chat administrators"},
		{"subscribe diplomacy min=high", true, "diplomacy"},
		{"subscriptions", false, "diplomacy"},
		{"explain Poland summoned the Russian ambassador", false, "diplomat-summoned"},
		{"lookup summon* NEAR/3 envoy", false, "Iraq summons US envoy over strikes"},
		{"lookup summon AND", false, "column"},
		{"status", true, "sources:"},
		{"mute 2h", true, ""},
		{"unsubscribe all", true, ""},
	} {
		r := cmds.Run(ctx, bot.Command{Chat: chat, User: "1", Admin: tt.admin, Text: tt.text})
		if !strings.Contains(r.Text, tt.want) {
			t.Errorf("%s (admin %v): %q lacks %q", tt.text, tt.admin, r.Text, tt.want)
		}
		if tt.text == "subscribe diplomacy min=high" && tt.admin {
			subs, err := svc.st.ListSubscriptions(ctx, "telegram", "-1009")
			if err != nil || len(subs) != 1 || subs[0].Topic != "3" || subs[0].MinSeverity != "high" {
				t.Errorf("after subscribe the store holds %+v, %v", subs, err)
			}
		}
	}
	if subs, _ := svc.st.ListSubscriptions(ctx, "telegram", "-1009"); len(subs) != 0 {
		t.Errorf("after unsubscribe all the store holds %+v", subs)
	}
}
