package app

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/alertbot/alertbot/sources"
	tgsource "github.com/alertbot/alertbot/sources/telegram"
)

// TestChannelPostAndPreviewAlertOnce: a post the bot receives as a
// channel_post update alerts at once; the same post read later from the
// channel's web preview is not new, so it alerts once in all.
func TestChannelPostAndPreviewAlertOnce(t *testing.T) {
	const text = "The Foreign Ministry summoned the Estonian ambassador over the detained ship"
	page := fmt.Sprintf(`<html><body><main class="tgme_main"><section class="tgme_channel_history js-message_history">
<div class="tgme_widget_message_wrap js-widget_message_wrap"><div class="tgme_widget_message js-widget_message" data-post="MID_Russia/1205">
<div class="tgme_widget_message_bubble"><div class="tgme_widget_message_text js-message_text" dir="auto">%s</div>
<div class="tgme_widget_message_footer"><div class="tgme_widget_message_info"><span class="tgme_widget_message_meta">
<a class="tgme_widget_message_date" href="https://t.me/MID_Russia/1205"><time datetime="%s" class="time">01:00</time></a>
</span></div></div></div></div></div></section></main></body></html>`, text, time.Now().UTC().Format(time.RFC3339))
	preview := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, page)
	}))
	defer preview.Close()

	svc := chatService(t, "", env{})
	cfg := *svc.pipe.cfg.Load()
	cfg.sources = map[string]Source{"mid": {ID: "mid", Kind: "telegram", Channel: "MID_Russia", Lang: "ru", MaxAge: DefaultMaxAge, FloodLimit: DefaultFloodLimit}}
	svc.pipe.cfg.Store(&cfg)
	ctx := context.Background()

	// Pushed: the bot is a member of the channel.
	svc.channelPost("MID_Russia", 1205, text, time.Now())
	if alerts, err := svc.st.ListAlerts(ctx, time.Time{}, 10); err != nil || len(alerts) != 1 {
		t.Fatalf("after the channel post: %d alerts (%v), want 1", len(alerts), err)
	}
	// Polled: the same post, read from the preview.
	src := &tgsource.Source{ID: "mid", Channel: "MID_Russia", Lang: "ru", BaseURL: preview.URL, Fetcher: sources.NewFetcher(nil, sources.FetchOptions{})}
	items, next, err := src.Poll(ctx, sources.State{Cursor: "1200"})
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.pipe.Handle(ctx, sources.Result{Source: "mid", Items: items, State: next, Health: sources.Health{LastSuccess: time.Now()}}); err != nil {
		t.Fatal(err)
	}
	alerts, err := svc.st.ListAlerts(ctx, time.Time{}, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(alerts) != 1 || alerts[0].ItemID != "mid_russia/1205" || alerts[0].RuleID != "diplomat-summoned" {
		t.Errorf("alerts %+v, want one for mid_russia/1205", alerts)
	}
	svc.Close()
}
