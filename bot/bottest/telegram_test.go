package bottest_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/alertbot/alertbot/bot/bottest"
)

const token = "123456:ABC-def_ghi"

func TestTelegramParseHTML(t *testing.T) {
	type ent = bottest.TelegramEntity
	tests := []struct {
		name     string
		in       string
		text     string
		entities []ent
	}{
		{"plain", "hello", "hello", nil},
		{"escapes", "&lt;b&gt; &amp; &quot;x&quot; &#39;y&#39; &#x41;&#66", `<b> & "x" 'y' AB`, nil},
		{"without semicolons", "&lt&gt&amp", "<>&", nil},
		{"unknown entities stay", "&nbsp; &copy; &apos; &#0; Tom & Jerry", "&nbsp; &copy; &apos; &#0; Tom & Jerry", nil},
		{"bare greater-than", "a > b", "a > b", nil},
		{"bold", "<b>bold</b> <strong>too</strong>", "bold too", []ent{{Type: "bold", Offset: 0, Length: 4}, {Type: "bold", Offset: 5, Length: 3}}},
		{"tags in any case", "<B>x</B><I>y</i>", "xy", []ent{{Type: "bold", Offset: 0, Length: 1}, {Type: "italic", Offset: 1, Length: 1}}},
		{"nested", "<b>a<i>b</i></b>", "ab", []ent{{Type: "bold", Offset: 0, Length: 2}, {Type: "italic", Offset: 1, Length: 1}}},
		{"link", `<a href="https://example.org/?a=1&amp;b=&quot;2&quot;">site</a>`, "site", []ent{{Type: "text_link", Offset: 0, Length: 4, URL: `https://example.org/?a=1&b="2"`}}},
		{"link in single quotes", `<a href='https://example.org/x'>x</a>`, "x", []ent{{Type: "text_link", Offset: 0, Length: 1, URL: "https://example.org/x"}}},
		{"mention link", `<a href="tg://user?id=42">you</a>`, "you", []ent{{Type: "text_mention", Offset: 0, Length: 3, User: &bottest.TelegramUser{ID: 42}}}},
		{"code and pre", `<code>id</code> <pre><code class="language-go">x := 1</code></pre>`, "id x := 1", []ent{{Type: "code", Offset: 0, Length: 2}, {Type: "pre", Offset: 3, Length: 6, Language: "go"}}},
		{"spoilers and quotes", `<tg-spoiler>s</tg-spoiler><span class="tg-spoiler">t</span><blockquote>q</blockquote><blockquote expandable>e</blockquote>`, "stqe",
			[]ent{{Type: "spoiler", Offset: 0, Length: 1}, {Type: "spoiler", Offset: 1, Length: 1}, {Type: "blockquote", Offset: 2, Length: 1}, {Type: "expandable_blockquote", Offset: 3, Length: 1}}},
		{"empty entity dropped", "<b></b>x", "x", nil},
		{"utf-16 offsets", "😀<b>é😀</b>", "😀é😀", []ent{{Type: "bold", Offset: 2, Length: 3}}},
		{"end tag without name", "<b>x</>", "x", []ent{{Type: "bold", Offset: 0, Length: 1}}},
		{"other attributes ignored", `<b class="x" id=y>z</b>`, "z", []ent{{Type: "bold", Offset: 0, Length: 1}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text, entities, err := bottest.TelegramParseHTML(tt.in)
			if err != nil {
				t.Fatalf("TelegramParseHTML(%q): %v", tt.in, err)
			}
			if text != tt.text {
				t.Errorf("text = %q, want %q", text, tt.text)
			}
			if !reflect.DeepEqual(entities, tt.entities) {
				t.Errorf("entities = %+v, want %+v", entities, tt.entities)
			}
		})
	}
}

func TestTelegramParseHTMLErrors(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{`Hello <foo>world</foo>`, `Unsupported start tag "foo" at byte offset 6`},
		{"<br>", `Unsupported start tag "br" at byte offset 0`},
		{"a < b", `Unsupported start tag "" at byte offset 2`},
		{"<!channel>", `Unsupported start tag "!channel" at byte offset 0`},
		{"привет <p>", `Unsupported start tag "p" at byte offset 13`},
		{"x <b", "Unclosed start tag at byte offset 2"},
		{"<a href", `Unclosed start tag "a" at byte offset 0`},
		{`<a href="x"`, "Unclosed start tag at byte offset 0"},
		{`<a ="x">y</a>`, `Empty attribute name in the tag "a" at byte offset 0`},
		{`<a href=x/>y</a>`, "Unexpected end of name token at byte offset 8"},
		{"<span>x</span>", `Tag "span" must have class "tg-spoiler" at byte offset 0`},
		{`<span class="tg-x">x</span>`, `Tag "span" must have class "tg-spoiler" at byte offset 0`},
		{"x</b>", "Unexpected end tag at byte offset 1"},
		{"<b>x</b", "Unclosed end tag at byte offset 4"},
		{"<b>x</i>", `Unmatched end tag at byte offset 4, expected "</b>", found "</i>"`},
		{"<b><i>x</b></i>", `Unmatched end tag at byte offset 7, expected "</i>", found "</b>"`},
		{"<b>x", `Can't find end tag corresponding to start tag "b"`},
		{"<b>a<i>b</i>", `Can't find end tag corresponding to start tag "b"`},
		{`<tg-emoji emoji-id="x">y</tg-emoji>`, "Invalid custom emoji identifier specified"},
		{"&#xD83D;", "Text contains invalid Unicode characters after decoding HTML entities, check for unmatched surrogate code units"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			_, _, err := bottest.TelegramParseHTML(tt.in)
			if err == nil {
				t.Fatalf("TelegramParseHTML(%q): no error, want %q", tt.in, tt.want)
			}
			if got := err.Error(); got != tt.want {
				t.Errorf("TelegramParseHTML(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// answer is a raw answer of the fake.
type answer struct {
	status     int
	body       string
	retryAfter string
}

func do(t *testing.T, req *http.Request) answer {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q, want application/json", ct)
	}
	return answer{resp.StatusCode, string(body), resp.Header.Get("Retry-After")}
}

func postForm(t *testing.T, srv *bottest.TelegramServer, method string, form url.Values) answer {
	t.Helper()
	req, err := http.NewRequest("POST", srv.URL+"/bot"+token+"/"+method, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return do(t, req)
}

func errorBody(code int, desc string) string {
	return fmt.Sprintf(`{"ok":false,"error_code":%d,"description":%q}`, code, desc)
}

func TestTelegramServerSendMessage(t *testing.T) {
	long := strings.Repeat("я", 4096)
	tests := []struct {
		name   string
		form   url.Values
		status int
		body   string // the whole body for errors; a part of it for success
		parsed string
	}{
		{"plain", url.Values{"chat_id": {"555"}, "text": {"hi"}}, 200, `"text":"hi"`, "hi"},
		{"entities null, as the library sends", url.Values{"chat_id": {"555"}, "text": {"<b>hi</b> & bye"}, "entities": {"null"}}, 200, `"text":"<b>hi</b> & bye"`, "<b>hi</b> & bye"},
		{"html", url.Values{"chat_id": {"555"}, "text": {"<b>hi</b> &amp; bye"}, "parse_mode": {"HTML"}}, 200, `"entities":[{"type":"bold","offset":0,"length":2}]`, "hi & bye"},
		{"preview off", url.Values{"chat_id": {"555"}, "text": {"x"}, "disable_web_page_preview": {"true"}}, 200, `"link_preview_options":{"is_disabled":true}`, "x"},
		{"bad html", url.Values{"chat_id": {"555"}, "text": {"Hello, <secret_key>"}, "parse_mode": {"html"}}, 400,
			errorBody(400, `Bad Request: can't parse entities: Unsupported start tag "secret_key" at byte offset 7`), ""},
		{"unmatched end tag", url.Values{"chat_id": {"555"}, "text": {"<b>x</i>"}, "parse_mode": {"HTML"}}, 400,
			`{"ok":false,"error_code":400,"description":"Bad Request: can't parse entities: Unmatched end tag at byte offset 4, expected \"</b>\", found \"</i>\""}`, ""},
		{"4096 after parsing", url.Values{"chat_id": {"555"}, "text": {"<b>" + long + "</b>"}, "parse_mode": {"HTML"}}, 200, `"ok":true`, long},
		{"4097 after parsing", url.Values{"chat_id": {"555"}, "text": {long + "&amp;"}, "parse_mode": {"HTML"}}, 400, errorBody(400, "Bad Request: message is too long"), ""},
		{"raw too big", url.Values{"chat_id": {"555"}, "text": {strings.Repeat("<b></b>", 4700)}, "parse_mode": {"HTML"}}, 400, errorBody(400, "Bad Request: text is too long"), ""},
		{"no text", url.Values{"chat_id": {"555"}}, 400, errorBody(400, "Bad Request: message text is empty"), ""},
		{"only tags", url.Values{"chat_id": {"555"}, "text": {"<b> </b>"}, "parse_mode": {"HTML"}}, 400, errorBody(400, "Bad Request: message text is empty"), ""},
		{"no chat", url.Values{"text": {"x"}}, 400, errorBody(400, "Bad Request: chat_id is empty"), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := bottest.StartTelegramServer(t, token)
			got := postForm(t, srv, "sendMessage", tt.form)
			if got.status != tt.status {
				t.Errorf("status = %d, want %d (%s)", got.status, tt.status, got.body)
			}
			if tt.status == 200 && !strings.Contains(got.body, tt.body) || tt.status != 200 && got.body != tt.body {
				t.Errorf("body = %s, want %s", got.body, tt.body)
			}
			calls := srv.Calls()
			if len(calls) != 1 {
				t.Fatalf("%d calls recorded, want 1", len(calls))
			}
			c := calls[0]
			if c.Method != "sendMessage" || c.Text != tt.form.Get("text") || c.ParseMode != tt.form.Get("parse_mode") || c.Status != tt.status {
				t.Errorf("call = %+v", c)
			}
			if tt.status == 200 && c.Parsed != tt.parsed {
				t.Errorf("parsed = %q, want %q", c.Parsed, tt.parsed)
			}
		})
	}
}

func TestTelegramServerRouting(t *testing.T) {
	srv := bottest.StartTelegramServer(t, token)
	jsonReq := func(path, body string) *http.Request {
		req, _ := http.NewRequest("POST", srv.URL+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		return req
	}
	get := func(path string) *http.Request {
		req, _ := http.NewRequest("GET", srv.URL+path, nil)
		return req
	}
	tests := []struct {
		name   string
		req    *http.Request
		status int
		body   string
	}{
		{"getMe", get("/bot" + token + "/getMe"), 200, `{"ok":true,"result":{"id":123456,"is_bot":true,"first_name":"Alert","username":"AlertBot"}}`},
		{"method in any case", get("/bot" + token + "/GETME"), 200, `{"ok":true,"result":{"id":123456,"is_bot":true,"first_name":"Alert","username":"AlertBot"}}`},
		{"json body, entities null", jsonReq("/bot"+token+"/sendmessage", `{"chat_id":555,"text":"a &amp; b","parse_mode":"HTML","entities":null}`), 200, ""},
		{"query string", get("/bot" + token + "/sendMessage?chat_id=555&text=q"), 200, ""},
		{"bad token", get("/bot123456:nope/getMe"), 401, errorBody(401, "Unauthorized")},
		{"unknown method", get("/bot" + token + "/sendTelepathy"), 404, errorBody(404, "Not Found: method not found")},
		{"bad path", get("/nothing"), 404, errorBody(404, "Not Found")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := do(t, tt.req)
			if got.status != tt.status {
				t.Errorf("status = %d, want %d (%s)", got.status, tt.status, got.body)
			}
			if tt.body != "" && got.body != tt.body {
				t.Errorf("body = %s, want %s", got.body, tt.body)
			}
		})
	}
	sent := srv.Sent()
	if len(sent) != 2 || sent[0].Parsed != "a & b" || sent[0].ChatID != 555 || sent[1].Text != "q" {
		t.Errorf("sent = %+v", sent)
	}
}

func TestTelegramServerFailures(t *testing.T) {
	tests := []struct {
		name       string
		fail       bottest.TelegramError
		status     int
		body       string
		retryAfter string
	}{
		{"flood", bottest.TelegramTooManyRequests(7), 429, `{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 7","parameters":{"retry_after":7}}`, "7"},
		{"blocked", bottest.TelegramForbidden(bottest.TelegramBlocked), 403, errorBody(403, "Forbidden: bot was blocked by the user"), ""},
		{"kicked", bottest.TelegramForbidden(bottest.TelegramKickedSupergroup), 403, errorBody(403, "Forbidden: bot was kicked from the supergroup chat"), ""},
		{"migrated", bottest.TelegramMigrated(-1001234567890), 400, `{"ok":false,"error_code":400,"description":"Bad Request: group chat was upgraded to a supergroup chat","parameters":{"migrate_to_chat_id":-1001234567890}}`, ""},
		{"server error", bottest.TelegramInternal("restart"), 500, errorBody(500, "Internal Server Error: restart"), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := bottest.StartTelegramServer(t, token)
			srv.FailChat(-4001, tt.fail)
			srv.FailNext(2, tt.fail)
			send := func(chat string) answer {
				return postForm(t, srv, "sendMessage", url.Values{"chat_id": {chat}, "text": {"x"}})
			}
			for i, chat := range []string{"-4001", "555", "556", "-4001", "557"} {
				got := send(chat)
				wantFail := chat == "-4001" || i < 3 // the chat always; the next two calls of the others
				if !wantFail {
					if got.status != 200 {
						t.Errorf("send %d to %s: status %d, want 200", i, chat, got.status)
					}
					continue
				}
				if got.status != tt.status || got.body != tt.body || got.retryAfter != tt.retryAfter {
					t.Errorf("send %d to %s = %d %s (Retry-After %q), want %d %s (%q)", i, chat, got.status, got.body, got.retryAfter, tt.status, tt.body, tt.retryAfter)
				}
			}
			srv.HealChat(-4001)
			if got := send("-4001"); got.status != 200 {
				t.Errorf("after HealChat: status %d, want 200", got.status)
			}
		})
	}
}

func TestTelegramServerTopics(t *testing.T) {
	srv := bottest.StartTelegramServer(t, token)
	srv.AddForumTopic(-1001234567890, 3)
	tests := []struct {
		chat, thread string
		status       int
		threadEcho   string
	}{
		{"-1001234567890", "3", 200, `"message_thread_id":3,`},
		{"-1001234567890", "", 200, ""}, // the General topic
		{"-1001234567890", "1", 400, ""},
		{"-1001234567890", "9", 400, ""},
		{"-4001", "5", 200, ""}, // not a forum: ignored
	}
	for _, tt := range tests {
		form := url.Values{"chat_id": {tt.chat}, "text": {"x"}}
		if tt.thread != "" {
			form.Set("message_thread_id", tt.thread)
		}
		got := postForm(t, srv, "sendMessage", form)
		if got.status != tt.status {
			t.Errorf("chat %s thread %q: status %d, want %d", tt.chat, tt.thread, got.status, tt.status)
		}
		if tt.status == 400 && got.body != errorBody(400, "Bad Request: message thread not found") {
			t.Errorf("chat %s thread %q: body %s", tt.chat, tt.thread, got.body)
		}
		if tt.threadEcho != "" && !strings.Contains(got.body, tt.threadEcho) {
			t.Errorf("chat %s thread %q: body %s, want %s", tt.chat, tt.thread, got.body, tt.threadEcho)
		}
	}
	calls := srv.Calls()
	if calls[0].ThreadID != 3 || calls[4].ThreadID != 5 {
		t.Errorf("threads recorded: %d, %d; want 3, 5", calls[0].ThreadID, calls[4].ThreadID)
	}
}

// clock is a clock that moves only when told.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func TestTelegramServerLimits(t *testing.T) {
	type step struct {
		after      time.Duration // clock advance before the send
		chat       string
		retryAfter int // 0: accepted
	}
	tests := []struct {
		name  string
		steps []step
	}{
		{"a burst of three in a chat, then one a second", []step{
			{0, "555", 0}, {0, "555", 0}, {0, "555", 0}, {0, "555", 1},
			{time.Second, "555", 0}, {0, "555", 1}, {500 * time.Millisecond, "555", 1}, {500 * time.Millisecond, "555", 0},
		}},
		{"other chats are not held back", []step{
			{0, "555", 0}, {0, "555", 0}, {0, "555", 0}, {0, "555", 1}, {0, "556", 0},
		}},
	}
	// 20 a minute in a group, at one message every 2 s.
	group := []step{}
	for range 20 {
		group = append(group, step{2 * time.Second, "-4001", 0})
	}
	group = append(group, step{2 * time.Second, "-4001", 20}, step{0, "-4002", 0}, step{20 * time.Second, "-4001", 0})
	tests = append(tests, struct {
		name  string
		steps []step
	}{"20 a minute in a group", group})
	// 30 a second in all.
	all := []step{}
	for i := range 30 {
		all = append(all, step{0, fmt.Sprint(1000 + i), 0})
	}
	all = append(all, step{0, "2000", 1}, step{time.Second, "2000", 0})
	tests = append(tests, struct {
		name  string
		steps []step
	}{"30 a second in all", all})

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &clock{time.Date(2024, 2, 3, 14, 5, 0, 0, time.UTC)}
			srv := bottest.StartTelegramServer(t, token, bottest.TelegramClock(c.now))
			for i, s := range tt.steps {
				c.t = c.t.Add(s.after)
				got := postForm(t, srv, "sendMessage", url.Values{"chat_id": {s.chat}, "text": {"x"}})
				switch {
				case s.retryAfter == 0 && got.status != 200:
					t.Errorf("step %d (chat %s): %d %s, want 200", i, s.chat, got.status, got.body)
				case s.retryAfter != 0:
					want := fmt.Sprintf(`{"ok":false,"error_code":429,"description":"Too Many Requests: retry after %d","parameters":{"retry_after":%d}}`, s.retryAfter, s.retryAfter)
					if got.status != 429 || got.body != want || got.retryAfter != fmt.Sprint(s.retryAfter) {
						t.Errorf("step %d (chat %s): %d %s (Retry-After %q), want 429 %s", i, s.chat, got.status, got.body, got.retryAfter, want)
					}
				}
			}
		})
	}
}

// TestTelegramServerWithLibrary checks the fake against what the real
// library sends and expects (PROTOCOLS.md §1.3).
func TestTelegramServerWithLibrary(t *testing.T) {
	srv := bottest.StartTelegramServer(t, token)
	api, err := tgbotapi.NewBotAPIWithAPIEndpoint(token, srv.URL+"/bot%s/%s")
	if err != nil {
		t.Fatal(err)
	}
	if api.Self.UserName != "AlertBot" {
		t.Errorf("Self.UserName = %q, want AlertBot", api.Self.UserName)
	}
	msg := tgbotapi.NewMessage(555, "<b>hi</b> &amp; bye")
	msg.ParseMode = tgbotapi.ModeHTML
	got, err := api.Send(msg)
	if err != nil {
		t.Fatal(err)
	}
	if got.Text != "hi & bye" || len(got.Entities) != 1 || got.Entities[0].Type != "bold" || got.Chat.ID != 555 {
		b, _ := json.Marshal(got)
		t.Errorf("message = %s", b)
	}

	srv.FailNext(1, bottest.TelegramTooManyRequests(7))
	_, err = api.Send(msg)
	var te *tgbotapi.Error
	if !errors.As(err, &te) || te.Code != 429 || te.RetryAfter != 7 || te.Message != "Too Many Requests: retry after 7" {
		t.Errorf("flood: err = %#v, want *tgbotapi.Error 429 retry after 7", err)
	}
}
