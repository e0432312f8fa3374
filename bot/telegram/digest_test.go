package telegram_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"
	"unicode/utf8"

	"github.com/alertbot/alertbot/bot"
	"github.com/alertbot/alertbot/bot/bottest"
	"github.com/alertbot/alertbot/bot/telegram"
)

// bigDigest is bottest's big digest, with Telegram's HTML for hostile
// strings.
func bigDigest() *bot.Digest {
	return bottest.BigDigest(msk, bottest.Hostile{
		Titles: []string{
			`<b>bold?</b>`, `a & b &amp; c`, `<!channel> <@U123>`, `*bold* _x_ ~s~ ` + "`c`",
			`<a href="https://evil.example">x</a>`, `"><script>alert(1)</script>`, `<tg-spoiler>`, `plain`,
		},
		RulesetTitle: "Military <b>moves</b> & drills",
		SourceTitle:  "Reuters",
		AppURL:       "tg://user?id=%d",
	})
}

var marks = map[string]string{"low": "🔵", "medium": "🟡", "high": "🔴", "critical": "🚨"}

// checkDigestMessages checks that the messages of d, as sent (raw) and as
// parsed by Telegram, hold its lines, each once, in order, whole, and are
// full but for the last.
func checkDigestMessages(t *testing.T, d *bot.Digest, raw, parsed []string) {
	t.Helper()
	want := bottest.WantDigestLines(d, marks)
	var got []string
	for i, text := range parsed {
		lines := strings.Split(text, "\n")
		wantHead := want.Head
		if i == 0 {
			if len(lines) < 2 || lines[1] != want.Counts {
				t.Errorf("message 0 does not go on with the counts %q: %q", want.Counts, lines[:min(2, len(lines))])
			}
			lines = slices.Delete(lines, 1, min(2, len(lines)))
		} else {
			wantHead += " (continued)"
			if len(lines) < 2 || !want.Sections[lines[1]] {
				t.Errorf("message %d does not go on with a rule set's title: %q", i, lines[:min(2, len(lines))])
			}
		}
		if lines[0] != wantHead {
			t.Errorf("message %d starts %q, want %q", i, lines[0], wantHead)
		}
		for _, l := range lines[1:] {
			if !want.Sections[l] {
				got = append(got, l)
			}
		}
		if i < len(parsed)-1 {
			// Full: a rule set's title and an event line, at most about 540
			// characters, or 6,100 bytes of HTML with a long link, did not
			// fit after it.
			if n, size := utf8.RuneCountInString(text), len(raw[i]); n < telegram.MaxTextChars-600 && size < bottest.TelegramMaxTextBytes-7000 {
				t.Errorf("message %d of %d has %d characters, %d bytes: not full", i, len(parsed), n, size)
			}
		}
	}
	bottest.CheckDigestEvents(t, got, want.Events)
}

func TestSendDigest(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv, m := inMemory(t)
		d := bigDigest()
		if d.Alerts != 500 || d.Events() < 400 {
			t.Fatalf("digest of %d alerts in %d events", d.Alerts, d.Events())
		}
		msgs := telegram.RenderDigest(d)
		if len(msgs) < 5 {
			t.Fatalf("%d messages, want several", len(msgs))
		}
		var sent []int
		start := time.Now()
		err := m.SendDigest(context.Background(), "telegram:555", d, 0, func(i int) error {
			sent = append(sent, i)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if want := seq(0, len(msgs)); !slices.Equal(sent, want) {
			t.Errorf("sent(%v), want %v", sent, want)
		}
		// Paced as alerts are: one a second to a chat.
		if took, want := time.Since(start), time.Duration(len(msgs)-1)*telegram.ChatInterval; took != want {
			t.Errorf("took %v, want %v", took, want)
		}

		var parsed []string
		var links int
		for i, c := range srv.Calls()[1:] { // after getMe
			if c.Status != http.StatusOK {
				t.Fatalf("message %d refused: %d %s", i, c.Status, c.Description)
			}
			if c.Text != msgs[i] {
				t.Errorf("message %d is not RenderDigest's", i)
			}
			for k, v := range map[string]string{"chat_id": "555", "parse_mode": "HTML", "disable_web_page_preview": "true"} {
				if c.Params[k] != v {
					t.Errorf("message %d: %s = %q, want %q", i, k, c.Params[k], v)
				}
			}
			if _, ok := c.Params["message_thread_id"]; ok {
				t.Errorf("message %d has a message_thread_id", i)
			}
			parsed = append(parsed, c.Parsed)
			for _, e := range c.Entities {
				switch {
				case e.Type == "text_link" && strings.HasPrefix(e.URL, "https://example.org/n/"):
					links++
				case e.Type != "bold":
					t.Errorf("message %d: entity %+v from outside text", i, e)
				}
			}
		}
		if len(parsed) != len(msgs) {
			t.Fatalf("%d messages arrived, want %d", len(parsed), len(msgs))
		}
		checkDigestMessages(t, d, msgs, parsed)

		wantLinks := 0
		for _, s := range d.Sections {
			for _, e := range s.Events {
				if strings.HasPrefix(e.URL, "https://") {
					wantLinks++
				}
			}
		}
		if links != wantLinks {
			t.Errorf("%d links, want %d: one for each event with an http link", links, wantLinks)
		}
	})
}

// Links count towards the size of the HTML, not towards the text's length:
// with long links a message is full by its size.
func TestSendDigestLongLinks(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv, m := inMemory(t)
		var entries []bot.DigestEntry
		for i := range 100 {
			entries = append(entries, bot.DigestEntry{
				AlertID: int64(i), RuleID: "r", Ruleset: "rs", Severity: "low",
				Title: fmt.Sprintf("t%da t%db", i, i), URL: fmt.Sprintf("https://example.org/%s/%d", strings.Repeat("a&", 1000), i),
				At: bottest.DigestFrom.Add(time.Duration(i) * time.Minute),
			})
		}
		d := bot.NewDigest(bottest.DigestFrom, bottest.DigestTo, msk, entries, nil)
		msgs := telegram.RenderDigest(d)
		if err := m.SendDigest(context.Background(), "telegram:555", d, 0, func(int) error { return nil }); err != nil {
			t.Fatal(err)
		}
		var parsed []string
		links := 0
		for _, c := range srv.Sent() {
			parsed = append(parsed, c.Parsed)
			for _, e := range c.Entities {
				if e.Type == "text_link" {
					links++
				}
			}
		}
		if len(parsed) != len(msgs) || len(msgs) < 4 {
			t.Fatalf("%d of %d messages arrived, want all of several", len(parsed), len(msgs))
		}
		checkDigestMessages(t, d, msgs, parsed)
		if links != 100 {
			t.Errorf("%d links, want 100", links)
		}
	})
}

func seq(from, to int) []int {
	var out []int
	for i := from; i < to; i++ {
		out = append(out, i)
	}
	return out
}

func TestRenderDigest(t *testing.T) {
	entries := []bot.DigestEntry{
		{AlertID: 1, RuleID: "summoned", RuleTitle: "Diplomat summoned", Ruleset: "diplomacy", RulesetTitle: "Diplomatic <incidents>",
			Severity: "high", Title: `Iraq summons <b>US</b> chargé & "co"`, URL: "https://example.org/1?a=1&b=2",
			Source: "tass", SourceTitle: "TASS", At: bottest.DigestFrom.Add(2 * time.Hour)},
		{AlertID: 2, RuleID: "protest", Ruleset: "diplomacy",
			Severity: "urgent", Title: "Note of protest", URL: "javascript:alert(1)",
			Source: "ria", At: bottest.DigestFrom.Add(3 * time.Hour)},
	}
	d := bot.NewDigest(bottest.DigestFrom, bottest.DigestTo, msk, entries, nil)
	got := telegram.RenderDigest(d)
	want := []string{"<b>Digest · 3 Feb 08:00 – 4 Feb 08:00 MSK</b>\n" +
		"2 alerts in 2 events · 1 high\n" +
		"<b>Diplomatic &lt;incidents&gt;</b> (2)\n" +
		`🔴 3 Feb 10:00 <b>HIGH</b> Diplomat summoned · <a href="https://example.org/1?a=1&amp;b=2">Iraq summons &lt;b&gt;US&lt;/b&gt; chargé &amp; &#34;co&#34;</a> · TASS` + "\n" +
		"3 Feb 11:00 <b>URGENT</b> protest · Note of protest · ria"}
	if !slices.Equal(got, want) {
		t.Errorf("RenderDigest =\n%q\nwant\n%q", got, want)
	}
	for _, msg := range got {
		if _, _, err := bottest.TelegramParseHTML(msg); err != nil {
			t.Errorf("bad HTML: %v", err)
		}
	}
}

func TestSendDigestQuiet(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv, m := inMemory(t)
		d := bot.NewDigest(bottest.DigestFrom, bottest.DigestTo, msk, nil, nil)
		var sent []int
		if err := m.SendDigest(context.Background(), "telegram:555", d, 0, func(i int) error {
			sent = append(sent, i)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		got := srv.Sent()
		if len(got) != 1 || !slices.Equal(sent, []int{0}) {
			t.Fatalf("%d messages, sent(%v); want 1, sent(0)", len(got), sent)
		}
		if want := "<b>Digest · 3 Feb 08:00 – 4 Feb 08:00 MSK · nothing raised</b>"; got[0].Text != want {
			t.Errorf("text = %q, want %q", got[0].Text, want)
		}
	})
}

func TestSendDigestResumes(t *testing.T) {
	d := bigDigest()
	msgs := telegram.RenderDigest(d)
	stop := errors.New("not recorded")
	tests := []struct {
		name     string
		from     int
		failAt   int // sent(failAt) fails; -1: never
		wantSent []int
		wantErr  error
	}{
		{"from 3", 3, -1, seq(3, len(msgs)), nil},
		{"from the last", len(msgs) - 1, -1, []int{len(msgs) - 1}, nil},
		{"all sent", len(msgs), -1, nil, nil},
		{"sent fails", 2, 3, []int{2, 3}, stop},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				srv, m := inMemory(t)
				var sent []int
				err := m.SendDigest(context.Background(), "telegram:-1001000000001", d, tt.from, func(i int) error {
					sent = append(sent, i)
					if i == tt.failAt {
						return stop
					}
					return nil
				})
				if !errors.Is(err, tt.wantErr) || (err == nil) != (tt.wantErr == nil) {
					t.Errorf("SendDigest: %v, want %v", err, tt.wantErr)
				}
				if !slices.Equal(sent, tt.wantSent) {
					t.Errorf("sent(%v), want %v", sent, tt.wantSent)
				}
				var texts []string
				for _, c := range srv.Sent() {
					texts = append(texts, c.Text)
				}
				var want []string
				for _, i := range tt.wantSent {
					want = append(want, msgs[i])
				}
				if !slices.Equal(texts, want) {
					t.Errorf("%d messages arrived, want messages %v", len(texts), tt.wantSent)
				}
			})
		})
	}
}

func TestSendDigestErrors(t *testing.T) {
	tests := []struct {
		name      string
		fail      bottest.TelegramError
		wait      time.Duration // *bot.RetryAfter's, 0 if none
		gone      bool
		migrateTo int64
	}{
		{"flood", bottest.TelegramTooManyRequests(7), 7 * time.Second, false, 0},
		{"blocked", bottest.TelegramForbidden(bottest.TelegramBlocked), 0, true, 0},
		{"kicked", bottest.TelegramForbidden(bottest.TelegramKickedGroup), 0, true, 0},
		{"migrated", bottest.TelegramMigrated(-1001234567890), 0, true, -1001234567890},
		{"server error", bottest.TelegramInternal("restart"), 0, false, 0},
	}
	for _, tt := range tests {
		for _, failAt := range []int{0, 2} {
			t.Run(fmt.Sprintf("%s at %d", tt.name, failAt), func(t *testing.T) {
				synctest.Test(t, func(t *testing.T) {
					srv, m := inMemory(t)
					if failAt == 0 {
						srv.FailChat(-4001, tt.fail)
					}
					var sent []int
					err := m.SendDigest(context.Background(), "telegram:-4001", bigDigest(), 0, func(i int) error {
						sent = append(sent, i)
						if i == failAt-1 {
							srv.FailChat(-4001, tt.fail)
						}
						return nil
					})
					checkSendError(t, err, "telegram:-4001", tt.wait, tt.gone, tt.migrateTo)
					if want := fmt.Sprintf("telegram: send digest part %d/", failAt+1); !strings.HasPrefix(err.Error(), want) {
						t.Errorf("error %q, want it to start %q", err, want)
					}
					if want := seq(0, failAt); !slices.Equal(sent, want) {
						t.Errorf("sent(%v), want %v", sent, want)
					}
					if n := len(srv.Sent()); n != failAt {
						t.Errorf("%d messages arrived, want %d", n, failAt)
					}
				})
			})
		}
	}
}

func TestSendDigestTopic(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv, m := inMemory(t)
		srv.AddForumTopic(-100123, 5)
		d := bigDigest()
		if err := m.SendDigest(context.Background(), "telegram:-100123/5", d, 0, func(int) error { return nil }); err != nil {
			t.Fatal(err)
		}
		sent := srv.Sent()
		if len(sent) != len(telegram.RenderDigest(d)) {
			t.Fatalf("%d messages arrived, want %d", len(sent), len(telegram.RenderDigest(d)))
		}
		for i, c := range sent {
			if c.ChatID != -100123 || c.ThreadID != 5 || c.Params["message_thread_id"] != "5" {
				t.Errorf("message %d went to chat %d, thread %q; want -100123, 5", i, c.ChatID, c.Params["message_thread_id"])
			}
		}
	})
}
