package app

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/alertbot/alertbot"
)

// TestDemo runs alertbot demo on the example rules: the first poll alerts
// nothing; the new items raise their alerts, the channel's post included,
// and the look-alikes none.
func TestDemo(t *testing.T) {
	cfg, err := ParseConfig("rules.example.yaml", alertbot.ExampleConfig)
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	if err := Demo(context.Background(), cfg, &out, slog.New(slog.NewTextHandler(io.Discard, nil))); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	for _, want := range []string{
		"first poll: 25 items stored, no alerts",
		"second poll: 15 new items, 9 alerts",
		"Russian MFA (Telegram)",               // the channel's post alerted
		"временную поверенную в делах Эстонии", // a feminine form
		"Russian chargé d’affaires summoned",   // a typographic apostrophe
	} {
		if !strings.Contains(got, want) {
			t.Errorf("demo output lacks %q:\n%s", want, got)
		}
	}
	for _, lookAlike := range []string{"Presents Credentials", "сборную", "вернул", "Совбеза", "Demonstration outside"} {
		if strings.Contains(got, lookAlike) {
			t.Errorf("a look-alike alerted (%q):\n%s", lookAlike, got)
		}
	}
}
