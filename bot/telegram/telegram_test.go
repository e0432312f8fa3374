package telegram_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	stdlog "log"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"
	"unicode/utf8"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/alertbot/alertbot/bot"
	"github.com/alertbot/alertbot/bot/bottest"
	"github.com/alertbot/alertbot/bot/telegram"
)

const token = "987654321:AAHsecretTOKEN_xyz-123"

var msk = time.FixedZone("MSK", 3*60*60)

// start returns a fake listening on loopback and a Messenger for it.
func start(t *testing.T, opts ...bottest.TelegramOption) (*bottest.TelegramServer, *telegram.Messenger) {
	t.Helper()
	srv := bottest.StartTelegramServer(t, token, opts...)
	m, err := telegram.New(context.Background(), token, srv.URL, telegram.WithLocation(msk))
	if err != nil {
		t.Fatal(err)
	}
	return srv, m
}

// inMemory returns a fake and a Messenger that calls it in memory, for
// testing/synctest bubbles.
func inMemory(t *testing.T) (*bottest.TelegramServer, *telegram.Messenger) {
	t.Helper()
	srv := bottest.NewTelegramServer(token)
	m, err := telegram.New(context.Background(), token, "http://telegram.test", telegram.WithHTTPClient(srv.Client()), telegram.WithLocation(msk))
	if err != nil {
		t.Fatal(err)
	}
	return srv, m
}

func TestSend(t *testing.T) {
	srv, m := start(t)
	if err := m.Send(context.Background(), "telegram:555000111", bottest.SampleAlert()); err != nil {
		t.Fatal(err)
	}
	sent := srv.Sent()
	if len(sent) != 1 {
		t.Fatalf("%d messages sent, want 1", len(sent))
	}
	got := sent[0]
	want := "🔴 <b>HIGH</b> <b>Diplomat summoned</b> · <code>diplomat-summoned</code>\n" +
		`<a href="https://example.org/news/1">Iraq summons US chargé d&#39;affaires over strikes</a>` + "\n" +
		"Iraq&#39;s foreign ministry on Saturday <b>summoned</b> the US <b>chargé d&#39;affaires</b> in Baghdad and handed her a note of protest over the overnight strikes.\n" +
		"<i>IQ, US · TASS · 2024-02-03 14:05 UTC · 17:05 MSK</i>"
	if got.Text != want {
		t.Errorf("text =\n%s\nwant\n%s", got.Text, want)
	}
	wantParams := map[string]string{
		"chat_id":                  "555000111",
		"parse_mode":               "HTML",
		"disable_web_page_preview": "true",
		"text":                     want,
	}
	for k, v := range wantParams {
		if got.Params[k] != v {
			t.Errorf("param %s = %q, want %q", k, got.Params[k], v)
		}
	}
	if len(got.Params) != len(wantParams) {
		t.Errorf("params = %v, want only %v", got.Params, wantParams)
	}
	var links []string
	for _, e := range got.Entities {
		if e.Type == "text_link" {
			links = append(links, e.URL)
		}
	}
	if fmt.Sprint(links) != "[https://example.org/news/1]" {
		t.Errorf("links = %q, want the item's only", links)
	}
	if !strings.HasPrefix(got.Parsed, "🔴 HIGH Diplomat summoned · diplomat-summoned\nIraq summons US chargé d'affaires over strikes\n") {
		t.Errorf("parsed text = %q", got.Parsed)
	}
}

// hostile is outside text that must arrive as it is.
var hostile = []string{
	`<`, `&`, `"`, `'`, `>`,
	`<b>bold?</b>`, `<!channel>`, `<!here|here>`, `<@U123>`, `</a>`, `<a href="https://evil.example">x</a>`,
	`&amp;`, `&lt;b&gt;`, `&#60;`, `&#x3C;`,
	`*bold* _it_ __u__ ~s~ ||sp|| [t](http://x) ` + "`c` ```p```" + ` > # + - = | { } . ! \ \\`,
	`"><script>alert(1)</script>`, `<tg-spoiler>`, `<span class="tg-spoiler">`,
}

func TestSendHostileText(t *testing.T) {
	srv, m := start(t)
	for i, s := range hostile {
		t.Run(s, func(t *testing.T) {
			a := bottest.SampleAlert()
			a.Title = "Title " + s + " end"
			a.RuleTitle, a.RuleID, a.SourceTitle = s, s, s
			text := "Before " + s + " after"
			a.Snippet = bot.Snippet{Text: text, Bold: []bot.Span{{Start: 7, End: 7 + len(s)}}}
			a.Folded = []bot.Folded{{RuleID: "r", Title: s, URL: "https://example.org/" + s}}
			chat := int64(1000 + i) // a chat each: no pacing waits
			if err := m.Send(context.Background(), fmt.Sprint("telegram:", chat), a); err != nil {
				t.Fatalf("Send: %v", err)
			}
			sent := srv.Sent()
			got := sent[len(sent)-1]
			if got.ChatID != chat {
				t.Fatalf("last message went to %d, want %d", got.ChatID, chat)
			}
			// title, rule title, rule id, source, snippet, folded title
			if n := strings.Count(got.Parsed, s); n < 6 {
				t.Errorf("parsed text has %q %d times, want 6:\n%s", s, n, got.Parsed)
			}
			for _, e := range got.Entities {
				switch {
				case e.Type == "text_mention" || e.Type == "spoiler":
					t.Errorf("entity %+v from outside text", e)
				case e.Type == "text_link" && e.URL != a.URL && e.URL != a.Folded[0].URL:
					t.Errorf("link to %q from outside text", e.URL)
				}
			}
		})
	}
}

func TestRenderLinks(t *testing.T) {
	tests := []struct {
		url, href string // href "" when no link
	}{
		{"https://example.org/a?b=1&c=2", "https://example.org/a?b=1&c=2"},
		{`https://example.org/"><b>x</b>`, `https://example.org/"><b>x</b>`},
		{"HTTP://EXAMPLE.ORG/", "HTTP://EXAMPLE.ORG/"},
		{"tg://user?id=123", ""},
		{"javascript:alert(1)", ""},
		{"example.org/no-scheme", ""},
		{"https://example.org/" + strings.Repeat("x", 3000), ""},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			a := bottest.SampleAlert()
			a.URL = tt.url
			text, entities, err := bottest.TelegramParseHTML(telegram.Render(a, nil))
			if err != nil {
				t.Fatal(err)
			}
			var links []string
			for _, e := range entities {
				if e.Type == "text_link" || e.Type == "text_mention" {
					links = append(links, e.URL)
				}
			}
			switch {
			case tt.href == "" && len(links) != 0:
				t.Errorf("links = %q, want none", links)
			case tt.href != "" && (len(links) != 1 || links[0] != tt.href):
				t.Errorf("links = %q, want [%q]", links, tt.href)
			}
			if !strings.Contains(text, a.Title) {
				t.Errorf("title missing from %q", text)
			}
		})
	}
}

func TestRenderLength(t *testing.T) {
	long := func(n int) string {
		var b strings.Builder
		for b.Len() < n {
			b.WriteString("word <&> \"q\" ")
		}
		return b.String()[:n]
	}
	flood := func(n, titleLen int) []bot.Folded {
		var f []bot.Folded
		for i := range n {
			f = append(f, bot.Folded{RuleID: "protest-note", Title: fmt.Sprintf("%d %s", i+1, long(titleLen)), URL: fmt.Sprintf("https://example.org/%d", i+1)})
		}
		return f
	}
	tests := []struct {
		name     string
		alter    func(a *bot.Alert)
		trimmed  bool   // the text is cut: "…" in it
		contains string // must survive
		more     string // the "and K more" line, when a summary
	}{
		{"short", func(a *bot.Alert) {}, false, "Iraq summons", ""},
		{"5000-character snippet", func(a *bot.Alert) {
			a.Snippet = bot.Snippet{Text: long(5000), Bold: []bot.Span{{Start: 0, End: 4}, {Start: 4990, End: 4995}}}
		}, true, long(3000), ""},
		{"4096 Cyrillic and emoji", func(a *bot.Alert) {
			a.Snippet = bot.Snippet{Text: strings.Repeat("щ😀 ", 2000)}
		}, true, "щ😀 щ😀", ""},
		{"huge title", func(a *bot.Alert) { a.Title = long(9000); a.Snippet = bot.Snippet{Text: long(5000)} }, true, long(2000), ""},
		{"flood of long titles", func(a *bot.Alert) { a.Snippet = bot.Snippet{}; a.Folded = flood(12, 1000) }, false, "1 word", "and "},
		{"flood that fits", func(a *bot.Alert) { a.Snippet = bot.Snippet{}; a.Folded = flood(12, 50) }, false, "10 word", "• and 2 more"},
		{"everything huge", func(a *bot.Alert) {
			a.RuleTitle, a.RuleID, a.SourceTitle, a.Title = long(5000), long(5000), long(5000), long(5000)
			a.Snippet = bot.Snippet{Text: long(5000)}
			a.Folded = flood(20, 5000)
		}, true, "", "and 20 more"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := bottest.SampleAlert()
			tt.alter(a)
			out := telegram.Render(a, msk)
			if len(out) > 32768 {
				t.Errorf("raw text is %d bytes, more than 32768", len(out))
			}
			text, _, err := bottest.TelegramParseHTML(out)
			if err != nil {
				t.Fatalf("the HTML does not parse: %v", err)
			}
			if n := utf8.RuneCountInString(text); n > telegram.MaxTextChars {
				t.Errorf("text is %d characters, more than %d", n, telegram.MaxTextChars)
			}
			if got := strings.Contains(text, "…"); got != tt.trimmed {
				t.Errorf("trimmed = %v, want %v", got, tt.trimmed)
			}
			if !strings.Contains(text, tt.contains) {
				t.Errorf("text lost %.40q…", tt.contains)
			}
			if !strings.Contains(text, tt.more) {
				t.Errorf("text has no %q", tt.more)
			}
			if tt.more != "" {
				// The folded lines shown and the count add up.
				shown := strings.Count(text, "\n• protest-note: ")
				var more int
				if i := strings.LastIndex(text, "• and "); i >= 0 {
					fmt.Sscanf(text[i:], "• and %d more", &more)
				}
				if shown+more != len(a.Folded) {
					t.Errorf("%d folded alerts shown and %d more, want %d in all", shown, more, len(a.Folded))
				}
			}
			if !strings.Contains(text, "2024-02-03 14:05 UTC") && tt.name != "everything huge" {
				t.Errorf("the time is gone: %q", text[max(0, len(text)-200):])
			}
		})
	}
}

// The 5,000-character alert goes through the library to the fake, which
// takes it.
func TestSendLong(t *testing.T) {
	srv, m := start(t)
	a := bottest.SampleAlert()
	a.Snippet = bot.Snippet{Text: strings.Repeat("<b>&amp;\"x\" ", 500)[:5000]}
	if err := m.Send(context.Background(), "telegram:555", a); err != nil {
		t.Fatal(err)
	}
	sent := srv.Sent()
	if len(sent) != 1 {
		t.Fatalf("%d sent, want 1", len(sent))
	}
	if !strings.Contains(sent[0].Parsed, a.Snippet.Text[:3000]) {
		t.Errorf("the snippet's start is not in the message")
	}
	if n := utf8.RuneCountInString(sent[0].Parsed); n > telegram.MaxTextChars || n < telegram.MaxTextChars-100 {
		t.Errorf("message of %d characters, want close to %d", n, telegram.MaxTextChars)
	}
}

func TestSendErrors(t *testing.T) {
	tests := []struct {
		name      string
		fail      bottest.TelegramError
		wait      time.Duration // *bot.RetryAfter's, 0 if none
		gone      bool
		migrateTo int64
		message   string
	}{
		{"flood", bottest.TelegramTooManyRequests(7), 7 * time.Second, false, 0,
			"telegram: send to telegram:-4001: Too Many Requests: retry after 7: rate limited: retry after 7s"},
		{"flood of 0 s", bottest.TelegramTooManyRequests(0), time.Second, false, 0, ""},
		{"blocked", bottest.TelegramForbidden(bottest.TelegramBlocked), 0, true, 0,
			"telegram: send to telegram:-4001: Forbidden: bot was blocked by the user: chat gone"},
		{"kicked from group", bottest.TelegramForbidden(bottest.TelegramKickedGroup), 0, true, 0, ""},
		{"kicked from supergroup", bottest.TelegramForbidden(bottest.TelegramKickedSupergroup), 0, true, 0, ""},
		{"not a member", bottest.TelegramForbidden(bottest.TelegramNotMemberChannel), 0, true, 0, ""},
		{"deactivated", bottest.TelegramForbidden(bottest.TelegramDeactivated), 0, true, 0, ""},
		{"group deleted", bottest.TelegramForbidden(bottest.TelegramGroupDeleted), 0, true, 0, ""},
		{"migrated", bottest.TelegramMigrated(-1001234567890), 0, true, -1001234567890,
			"telegram: send to telegram:-4001: group upgraded to supergroup -1001234567890: chat gone"},
		{"server error", bottest.TelegramInternal("restart"), 0, false, 0,
			"telegram: send to telegram:-4001: Internal Server Error: restart"},
		{"no write access", bottest.TelegramError{Code: 400, Description: "Bad Request: have no write access to the chat"}, 0, false, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, m := start(t)
			srv.FailChat(-4001, tt.fail)
			err := m.Send(context.Background(), "telegram:-4001", bottest.SampleAlert())
			checkSendError(t, err, "telegram:-4001", tt.wait, tt.gone, tt.migrateTo)
			if tt.message != "" && err.Error() != tt.message {
				t.Errorf("error = %q, want %q", err, tt.message)
			}
			if len(srv.Sent()) != 0 {
				t.Errorf("sent %d messages, want 0", len(srv.Sent()))
			}
		})
	}
}

// checkSendError checks the error of a send to chat that failed as
// bottest.CheckSendError does, and for a *telegram.Migrated of chat to
// migrateTo (none when migrateTo is 0).
func checkSendError(t *testing.T, err error, chat string, wait time.Duration, gone bool, migrateTo int64) {
	t.Helper()
	bottest.CheckSendError(t, err, wait, gone)
	var mig *telegram.Migrated
	if got := errors.As(err, &mig); got != (migrateTo != 0) || got && (mig.To != migrateTo || mig.Chat != chat || mig.NewChat() != fmt.Sprint("telegram:", migrateTo)) {
		t.Errorf("%v: Migrated %v %+v, want To %d", err, got, mig, migrateTo)
	}
}

// A 429 storm: each Send says how long to wait, the caller (the Deliverer,
// snoozing) waits, and the alert arrives once.
func TestSendWaitsOutFloods(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv, m := inMemory(t)
		srv.FailNext(3, bottest.TelegramTooManyRequests(2))
		start := time.Now()
		var waits []time.Duration
		for attempt := 0; ; attempt++ {
			if attempt > 10 {
				t.Fatal("no end to the storm")
			}
			err := m.Send(context.Background(), "telegram:-1001000000001", bottest.SampleAlert())
			var ra *bot.RetryAfter
			if errors.As(err, &ra) {
				waits = append(waits, ra.Wait)
				time.Sleep(ra.Wait)
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			break
		}
		if fmt.Sprint(waits) != "[2s 2s 2s]" {
			t.Errorf("waits = %v, want [2s 2s 2s]", waits)
		}
		if got := time.Since(start); got != 6*time.Second {
			t.Errorf("took %v, want 6s", got)
		}
		if n := len(srv.Sent()); n != 1 {
			t.Errorf("sent %d, want 1", n)
		}

		// After a 429, a Send that does not wait is held back by the pacer,
		// not by Telegram.
		srv.FailNext(1, bottest.TelegramTooManyRequests(5))
		time.Sleep(time.Second)
		if err := m.Send(context.Background(), "telegram:-1001000000001", bottest.SampleAlert()); err == nil {
			t.Fatal("no error from the 429")
		}
		start = time.Now()
		if err := m.Send(context.Background(), "telegram:-1001000000001", bottest.SampleAlert()); err != nil {
			t.Fatal(err)
		}
		if got := time.Since(start); got != 5*time.Second {
			t.Errorf("the send after the 429 waited %v, want 5s", got)
		}
		if n := len(srv.Calls()); n != 1+3+1+1+1 { // getMe, storm, sent, 429, sent
			t.Errorf("%d calls, want 7", n)
		}

		// A wait longer than the caller's deadline: *bot.RetryAfter at once.
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		start = time.Now()
		err := m.Send(ctx, "telegram:-1001000000001", bottest.SampleAlert())
		var ra *bot.RetryAfter
		if !errors.As(err, &ra) || ra.Wait != telegram.ChatInterval {
			t.Errorf("Send with a short deadline: %v, want RetryAfter %v", err, telegram.ChatInterval)
		}
		if got := time.Since(start); got != 0 {
			t.Errorf("it waited %v", got)
		}
		// A ctx cancelled while waiting ends the wait.
		ctx2, cancel2 := context.WithCancel(context.Background())
		time.AfterFunc(300*time.Millisecond, cancel2)
		if err := m.Send(ctx2, "telegram:-1001000000001", bottest.SampleAlert()); !errors.Is(err, context.Canceled) {
			t.Errorf("Send with a cancelled ctx: %v, want context.Canceled", err)
		}
		if n := len(srv.Sent()); n != 2 {
			t.Errorf("sent %d, want 2", n)
		}
	})
}

func TestSendTopics(t *testing.T) {
	tests := []struct {
		chat    string
		thread  string // message_thread_id sent, "" for none
		wantErr bool
	}{
		{"telegram:-1001234567890/3", "3", false},
		{"telegram:-1001234567890/1", "", false}, // General: no thread id
		{"telegram:-1001234567890", "", false},
		{"telegram:-1001234567890/9", "9", true}, // no such topic
		{"telegram:-4001/5", "5", false},         // not a forum: Telegram ignores it
	}
	synctest.Test(t, func(t *testing.T) {
		srv, m := inMemory(t)
		srv.AddForumTopic(-1001234567890, 3)
		for _, tt := range tests {
			err := m.Send(context.Background(), tt.chat, bottest.SampleAlert())
			if (err != nil) != tt.wantErr {
				t.Errorf("%s: Send: %v, want error %v", tt.chat, err, tt.wantErr)
			}
			if tt.wantErr && (errors.Is(err, bot.ErrChatGone) || !strings.Contains(err.Error(), "message thread not found")) {
				t.Errorf("%s: Send: %v, want a plain error", tt.chat, err)
			}
			calls := srv.Calls()
			last := calls[len(calls)-1]
			if got := last.Params["message_thread_id"]; got != tt.thread {
				t.Errorf("%s: message_thread_id = %q, want %q", tt.chat, got, tt.thread)
			}
		}
	})
}

func TestBadChat(t *testing.T) {
	_, m := start(t)
	for _, chat := range []string{"slack:C123", "telegram:", "telegram:abc", "telegram:0", "telegram:-100/x", "telegram:-100/0", "telegram:-100/-3"} {
		err := m.Send(context.Background(), chat, bottest.SampleAlert())
		if err == nil || errors.Is(err, bot.ErrChatGone) {
			t.Errorf("Send(%q) = %v, want a plain error", chat, err)
		}
	}
}

// lines is a tgbotapi.BotLogger that keeps what it is given.
type lines struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *lines) Println(v ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	fmt.Fprintln(&l.buf, v...)
}

func (l *lines) Printf(format string, v ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	fmt.Fprintf(&l.buf, format, v...)
}

// chain returns the texts of err and of everything it wraps.
func chain(err error) []string {
	var out []string
	for err != nil {
		out = append(out, err.Error(), fmt.Sprintf("%#v", err))
		switch u := err.(type) {
		case interface{ Unwrap() []error }:
			for _, e := range u.Unwrap() {
				out = append(out, chain(e)...)
			}
			return out
		}
		err = errors.Unwrap(err)
	}
	return out
}

func TestTokenNeverLeaks(t *testing.T) {
	var log lines
	tgbotapi.SetLogger(&log)
	t.Cleanup(func() { tgbotapi.SetLogger(stdlog.New(os.Stderr, "", stdlog.LstdFlags)) })

	live := bottest.StartTelegramServer(t, token)

	tests := []struct {
		name string
		run  func(t *testing.T) error
	}{
		{"getMe, connection refused", func(t *testing.T) error {
			_, err := telegram.New(context.Background(), token, "http://127.0.0.1:1")
			return err
		}},
		{"getMe, wrong token", func(t *testing.T) error {
			srv := bottest.StartTelegramServer(t, "111:other")
			_, err := telegram.New(context.Background(), token, srv.URL)
			return err
		}},
		{"getMe, cancelled", func(t *testing.T) error {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			_, err := telegram.New(ctx, token, live.URL)
			return err
		}},
		{"send, server gone", func(t *testing.T) error {
			srv := bottest.NewTelegramServer(token)
			ts := startClosable(t, srv)
			m, err := telegram.New(context.Background(), token, ts.URL)
			if err != nil {
				t.Fatal(err)
			}
			ts.Close()
			return m.Send(context.Background(), "telegram:555", bottest.SampleAlert())
		}},
		{"send, cancelled", func(t *testing.T) error {
			srv := bottest.StartTelegramServer(t, token)
			m, err := telegram.New(context.Background(), token, srv.URL)
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			return m.Send(ctx, "telegram:555", bottest.SampleAlert())
		}},
		{"send, not JSON", func(t *testing.T) error {
			srv := bottest.NewTelegramServer(token)
			h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if strings.HasSuffix(r.URL.Path, "/getMe") {
					srv.ServeHTTP(w, r)
					return
				}
				http.Error(w, "<html>502 Bad Gateway "+r.URL.Path+"</html>", http.StatusBadGateway)
			})
			ts := startClosable(t, h)
			m, err := telegram.New(context.Background(), token, ts.URL)
			if err != nil {
				t.Fatal(err)
			}
			return m.Send(context.Background(), "telegram:555", bottest.SampleAlert())
		}},
		{"send, 401", func(t *testing.T) error {
			srv := bottest.StartTelegramServer(t, token)
			m, err := telegram.New(context.Background(), token, srv.URL)
			if err != nil {
				t.Fatal(err)
			}
			srv.FailNext(1, bottest.TelegramError{Code: 401, Description: "Unauthorized"})
			return m.Send(context.Background(), "telegram:555", bottest.SampleAlert())
		}},
		{"send, 429", func(t *testing.T) error {
			srv := bottest.StartTelegramServer(t, token)
			m, err := telegram.New(context.Background(), token, srv.URL)
			if err != nil {
				t.Fatal(err)
			}
			srv.FailNext(1, bottest.TelegramTooManyRequests(3))
			return m.Send(context.Background(), "telegram:555", bottest.SampleAlert())
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.run(t)
			if err == nil {
				t.Fatal("no error")
			}
			for _, s := range chain(err) {
				if strings.Contains(s, token) || strings.Contains(s, "AAHsecret") {
					t.Errorf("the token leaks: %s", s)
				}
			}
		})
	}
	if strings.Contains(log.buf.String(), "AAHsecret") {
		t.Errorf("the token leaks into the library's log: %s", log.buf.String())
	}
}

// startClosable starts h on loopback; the test may close it early.
func startClosable(t *testing.T, h http.Handler) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// Pacing keeps the fake, which enforces Telegram's limits, from ever
// answering 429.
func TestSendPacing(t *testing.T) {
	tests := []struct {
		name  string
		chats map[string]int // sends per chat
		took  time.Duration
	}{
		// 20 to a chat: 19 intervals.
		{"60 to 3 chats", map[string]int{"telegram:-1001000000001": 20, "telegram:-4002": 20, "telegram:5003": 20}, 19 * telegram.ChatInterval},
		// 20 in the first window; the 21st a window after the first, then one an interval.
		{"25 to one group", map[string]int{"telegram:-4002": 25}, telegram.GroupWindow + 4*telegram.ChatInterval},
		{"40 chats at once", func() map[string]int {
			m := map[string]int{}
			for i := range 40 {
				m[fmt.Sprint("telegram:", 6000+i)] = 1
			}
			return m
		}(), telegram.AllWindow}, // 30 at once, the other 10 a window later
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				srv, m := inMemory(t)
				start := time.Now()
				var wg sync.WaitGroup
				errs := make(chan error, 100)
				total := 0
				for chat, n := range tt.chats {
					total += n
					for range n {
						wg.Go(func() {
							if err := m.Send(context.Background(), chat, bottest.SampleAlert()); err != nil {
								errs <- err
							}
						})
					}
				}
				wg.Wait()
				close(errs)
				for err := range errs {
					t.Errorf("Send: %v", err)
				}
				if got := time.Since(start); got != tt.took {
					t.Errorf("took %v, want %v", got, tt.took)
				}
				for _, c := range srv.Calls() {
					if c.Status == http.StatusTooManyRequests {
						t.Errorf("the fake answered 429 to chat %d at %v", c.ChatID, c.At.Sub(start))
					}
				}
				if got := len(srv.Sent()); got != total {
					t.Errorf("sent %d, want %d", got, total)
				}
			})
		})
	}
}
