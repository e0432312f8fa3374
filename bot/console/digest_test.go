package console_test

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/alertbot/alertbot/bot"
	"github.com/alertbot/alertbot/bot/bottest"
	"github.com/alertbot/alertbot/bot/console"
)

func smallDigest() *bot.Digest {
	entries := []bot.DigestEntry{
		{AlertID: 1, RuleID: "summoned", RuleTitle: "Diplomat summoned", Ruleset: "diplomacy", RulesetTitle: "Diplomatic incidents",
			Severity: "high", Title: "Iraq summons US chargé\u202e d'affaires \x1b[31m", URL: "https://example.org/1",
			Source: "tass", SourceTitle: "TASS", At: bottest.DigestFrom.Add(2 * time.Hour)},
		{AlertID: 2, RuleID: "protest", Ruleset: "diplomacy",
			Severity: "urgent", Title: "Note of protest", Source: "ria", At: bottest.DigestFrom.Add(3 * time.Hour)},
		{AlertID: 3, RuleID: "drill", RuleTitle: "Drills", Ruleset: "military",
			Severity: "low", URL: "https://example.org/3", Source: "ap", At: bottest.DigestFrom.Add(4 * time.Hour)},
	}
	return bot.NewDigest(bottest.DigestFrom, bottest.DigestTo, msk, entries, nil)
}

func TestRenderDigest(t *testing.T) {
	tests := []struct {
		name   string
		digest *bot.Digest
		opts   []console.Option
		want   string
	}{
		{
			name:   "Plain",
			digest: smallDigest(),
			want: "Digest · 3 Feb 08:00 – 4 Feb 08:00 MSK\n" +
				"  3 alerts in 3 events · 1 high · 1 low\n" +
				"  Diplomatic incidents (2)\n" +
				"    3 Feb 10:00 HIGH Diplomat summoned · Iraq summons US chargé  d'affaires [31m <https://example.org/1> · TASS\n" +
				"    3 Feb 11:00 URGENT protest · Note of protest · ria\n" +
				"  military (1)\n" +
				"    3 Feb 12:00 LOW Drills · https://example.org/3 · ap\n" +
				"\n",
		},
		{
			name:   "Colour",
			digest: smallDigest(),
			opts:   []console.Option{console.WithColor(true)},
			want: "\x1b[1mDigest · 3 Feb 08:00 – 4 Feb 08:00 MSK\x1b[0m\n" +
				"  3 alerts in 3 events · 1 high · 1 low\n" +
				"  \x1b[1mDiplomatic incidents\x1b[0m (2)\n" +
				"    3 Feb 10:00 \x1b[1;31mHIGH\x1b[0m Diplomat summoned · Iraq summons US chargé  d'affaires [31m <\x1b[4mhttps://example.org/1\x1b[0m> · TASS\n" +
				"    3 Feb 11:00 \x1b[1mURGENT\x1b[0m protest · Note of protest · ria\n" +
				"  \x1b[1mmilitary\x1b[0m (1)\n" +
				"    3 Feb 12:00 \x1b[36mLOW\x1b[0m Drills · https://example.org/3 · ap\n" +
				"\n",
		},
		{
			name:   "Quiet",
			digest: bot.NewDigest(bottest.DigestFrom, bottest.DigestTo, msk, nil, nil),
			want:   "Digest · 3 Feb 08:00 – 4 Feb 08:00 MSK · nothing raised\n\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := console.New(&bytes.Buffer{}, append([]console.Option{console.WithColor(false)}, tt.opts...)...)
			if got := c.RenderDigest(tt.digest); got != tt.want {
				t.Errorf("RenderDigest =\n%q\nwant\n%q", got, tt.want)
			}
		})
	}
}

func TestSendDigest(t *testing.T) {
	var out bytes.Buffer
	c := console.New(&out, console.WithColor(false))
	d := smallDigest()
	var sent []int
	if err := c.SendDigest(context.Background(), "console:", d, 0, func(i int) error {
		sent = append(sent, i)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(sent, []int{0}) {
		t.Errorf("sent(%v), want sent(0)", sent)
	}
	if want := c.RenderDigest(d); out.String() != want {
		t.Errorf("printed\n%q\nwant\n%q", out.String(), want)
	}
	if strings.ContainsAny(out.String(), "\x1b\u202e") {
		t.Errorf("control characters printed: %q", out.String())
	}

	// Resumed after message 0: all printed already.
	out.Reset()
	sent = nil
	if err := c.SendDigest(context.Background(), "console:", d, 1, func(i int) error {
		sent = append(sent, i)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if out.Len() != 0 || sent != nil {
		t.Errorf("from 1: printed %q, sent(%v); want nothing", out.String(), sent)
	}
}

func TestSendDigestErrors(t *testing.T) {
	stop := errors.New("not recorded")
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name        string
		ctx         context.Context
		w           *bytes.Buffer // nil: a writer that fails
		sentErr     error
		want        error // errors.Is
		wantPrinted bool
		wantSent    bool
	}{
		{"sent fails", context.Background(), &bytes.Buffer{}, stop, stop, true, true},
		{"cancelled", cancelled, &bytes.Buffer{}, nil, context.Canceled, false, false},
		{"write fails", context.Background(), nil, nil, nil, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c *console.Console
			if tt.w != nil {
				c = console.New(tt.w)
			} else {
				c = console.New(failingWriter{})
			}
			called := false
			err := c.SendDigest(tt.ctx, "console:", smallDigest(), 0, func(int) error {
				called = true
				return tt.sentErr
			})
			if err == nil || tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("SendDigest: %v, want %v", err, tt.want)
			}
			if tt.w == nil && !strings.HasPrefix(err.Error(), "console: send digest") {
				t.Errorf("error %q, want it prefixed", err)
			}
			if called != tt.wantSent {
				t.Errorf("sent called: %v, want %v", called, tt.wantSent)
			}
			if tt.w != nil && (tt.w.Len() > 0) != tt.wantPrinted {
				t.Errorf("printed %q, want printed %v", tt.w.String(), tt.wantPrinted)
			}
		})
	}
}
