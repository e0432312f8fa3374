package slack

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alertbot/alertbot/bot"
	"github.com/alertbot/alertbot/bot/bottest"
)

const testSecret = "8f742231b10e8888abcd99yyyzzz85a5"

// fakeCommands records the commands it runs and answers reply; when
// release is not nil, Run waits for it first.
type fakeCommands struct {
	reply   bot.Reply
	release chan struct{}

	mu  sync.Mutex
	got []bot.Command
}

func (f *fakeCommands) Run(ctx context.Context, c bot.Command) bot.Reply {
	f.mu.Lock()
	f.got = append(f.got, c)
	f.mu.Unlock()
	if f.release != nil {
		select {
		case <-f.release:
		case <-ctx.Done():
			return bot.Reply{Text: "cancelled"}
		}
	}
	return f.reply
}

func (f *fakeCommands) commands() []bot.Command {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]bot.Command(nil), f.got...)
}

// waitFor waits until cond holds, for at most 5 s: for what the handlers
// do in the background, over the network.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// post sends body to u as Slack does: signed with secret at time at.
func post(t *testing.T, u, contentType, body, secret string, at time.Time) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, u, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	if secret != "" {
		if err := bottest.SlackSign(req, secret, at); err != nil {
			t.Fatal(err)
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

func slashForm(text, user, responseURL string) string {
	return url.Values{
		"token": {"xyzz0WbapA4vBCDEFasx0q6G"}, "team_id": {"T1DC2JH3J"}, "team_domain": {"acme"},
		"channel_id": {"C0123"}, "channel_name": {"alerts"}, "user_id": {user}, "user_name": {"ann"},
		"command": {"/alertbot"}, "text": {text}, "response_url": {responseURL}, "trigger_id": {"1.2.3"},
		"api_app_id": {"A01"}, "is_enterprise_install": {"false"},
	}.Encode()
}

const formType = "application/x-www-form-urlencoded"

func TestCommandHandlerAnswers(t *testing.T) {
	tests := []struct {
		name      string
		user      string
		text      string
		reply     bot.Reply
		wantCmd   bot.Command
		wantReply response
	}{
		{
			name:      "admin, in channel",
			user:      "UADMIN",
			text:      "subscribe diplomacy min=high",
			reply:     bot.Reply{Text: "subscribed"},
			wantCmd:   bot.Command{Chat: "slack:C0123", User: "UADMIN", Admin: true, Text: "subscribe diplomacy min=high"},
			wantReply: response{ResponseType: "in_channel", Text: "subscribed"},
		},
		{
			name:      "anyone, ephemeral",
			user:      "U0ANN",
			text:      "  lookup  unsc ",
			reply:     bot.Reply{Text: "1 match", Ephemeral: true},
			wantCmd:   bot.Command{Chat: "slack:C0123", User: "U0ANN", Text: "lookup  unsc"},
			wantReply: response{ResponseType: "ephemeral", Text: "1 match"},
		},
		{
			name:      "look-alikes and entities come back as typed",
			user:      "U0ANN",
			text:      "subscribe diplomat\uff3fsummoned &amp; x&lt;y",
			reply:     bot.Reply{Text: "ok", Ephemeral: true},
			wantCmd:   bot.Command{Chat: "slack:C0123", User: "U0ANN", Text: "subscribe diplomat_summoned & x<y"},
			wantReply: response{ResponseType: "ephemeral", Text: "ok"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmds := &fakeCommands{reply: tt.reply}
			srv := httptest.NewServer(CommandHandler(testSecret, "/alertbot", cmds, CommandOptions{Admins: []string{"UADMIN"}}))
			defer srv.Close()

			status, body := post(t, srv.URL, formType, slashForm(tt.text, tt.user, "https://hooks.example/x"), testSecret, time.Now())
			if status != http.StatusOK {
				t.Fatalf("status = %d, want 200 (%s)", status, body)
			}
			var got response
			if err := json.Unmarshal([]byte(body), &got); err != nil {
				t.Fatalf("body %q: %v", body, err)
			}
			if got != tt.wantReply {
				t.Errorf("reply = %+v, want %+v", got, tt.wantReply)
			}
			cmd := cmds.commands()
			if len(cmd) != 1 {
				t.Fatalf("ran %d commands, want 1", len(cmd))
			}
			if cmd[0] != tt.wantCmd {
				t.Errorf("command = %+v, want %+v", cmd[0], tt.wantCmd)
			}
		})
	}
}

func TestCommandHandlerRejectsUnsigned(t *testing.T) {
	now := time.Now()
	form := slashForm("unsubscribe all", "U0ANN", "https://hooks.example/x")
	tests := []struct {
		name   string
		secret string
		at     time.Time
		tamper func(*http.Request)
	}{
		{name: "wrong secret", secret: "not-the-secret", at: now},
		{name: "stale timestamp", secret: testSecret, at: now.Add(-6 * time.Minute)},
		{name: "timestamp from the future", secret: testSecret, at: now.Add(6 * time.Minute)},
		{name: "no signature", secret: "", at: now},
		{name: "body changed after signing", secret: testSecret, at: now, tamper: func(r *http.Request) {
			r.Body = io.NopCloser(strings.NewReader(form + "&user_id=UADMIN"))
			r.ContentLength = int64(len(form + "&user_id=UADMIN"))
		}},
		{name: "signature not v0", secret: testSecret, at: now, tamper: func(r *http.Request) {
			r.Header.Set("X-Slack-Signature", "v1="+strings.TrimPrefix(r.Header.Get("X-Slack-Signature"), "v0="))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmds := &fakeCommands{reply: bot.Reply{Text: "done"}}
			srv := httptest.NewServer(CommandHandler(testSecret, "/alertbot", cmds, CommandOptions{Admins: []string{"UADMIN"}}))
			defer srv.Close()

			req, _ := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader(form))
			req.Header.Set("Content-Type", formType)
			if tt.secret != "" {
				if err := bottest.SlackSign(req, tt.secret, tt.at); err != nil {
					t.Fatal(err)
				}
			}
			if tt.tamper != nil {
				tt.tamper(req)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusUnauthorized {
				t.Errorf("status = %d, want 401", resp.StatusCode)
			}
			if got := len(cmds.commands()); got != 0 {
				t.Errorf("ran %d commands, want 0", got)
			}
		})
	}
}

func TestCommandHandlerSlowAnswersLater(t *testing.T) {
	fake := bottest.NewSlackServer(t)
	cmds := &fakeCommands{reply: bot.Reply{Text: "3 matches:\nfirst\nsecond"}, release: make(chan struct{})}
	srv := httptest.NewServer(CommandHandler(testSecret, "/alertbot", cmds, CommandOptions{})) // FastAnswer: the real budget
	defer srv.Close()

	start := time.Now()
	status, body := post(t, srv.URL, formType, slashForm("lookup sanctions", "U0ANN", fake.ResponseURL("slow")), testSecret, time.Now())
	if took := time.Since(start); took >= 3*time.Second {
		t.Errorf("answered after %v, want < 3s", took)
	}
	if status != http.StatusOK {
		t.Fatalf("status = %d, want 200", status)
	}
	if got, want := body, `{"response_type":"ephemeral","text":"working on it…"}`+"\n"; got != want {
		t.Errorf("ack = %q, want %q", got, want)
	}
	if got := len(fake.Responses()); got != 0 {
		t.Errorf("%d posts to response_url before the answer, want 0", got)
	}

	close(cmds.release)
	waitFor(t, "the answer at response_url", func() bool { return len(fake.Responses()) > 0 })
	resp := fake.Responses()
	if len(resp) != 1 {
		t.Fatalf("%d posts to response_url, want 1", len(resp))
	}
	if got, want := resp[0].Path, "/commands/T0FAKE/slow"; got != want {
		t.Errorf("path = %q, want %q", got, want)
	}
	if got, want := resp[0].ContentType, "application/json"; got != want {
		t.Errorf("content type = %q, want %q", got, want)
	}
	if got, want := resp[0].ResponseType, "in_channel"; got != want {
		t.Errorf("response_type = %q, want %q", got, want)
	}
	if got, want := resp[0].Text, "3 matches:\nfirst\nsecond"; got != want {
		t.Errorf("text = %q, want %q", got, want)
	}
}

func TestCommandHandlerLateAnswerStopsWithContext(t *testing.T) {
	fake := bottest.NewSlackServer(t)
	ctx, cancel := context.WithCancel(context.Background())
	cmds := &fakeCommands{reply: bot.Reply{Text: "never"}, release: make(chan struct{})}
	srv := httptest.NewServer(CommandHandler(testSecret, "", cmds, CommandOptions{Context: ctx, Fast: 10 * time.Millisecond}))
	defer srv.Close()

	status, body := post(t, srv.URL, formType, slashForm("lookup x", "U0ANN", fake.ResponseURL("gone")), testSecret, time.Now())
	if status != http.StatusOK || !strings.Contains(body, "working on it") {
		t.Fatalf("answer = %d %q, want 200 working on it", status, body)
	}
	cancel()
	waitFor(t, "the command to see the cancel", func() bool { return len(cmds.commands()) == 1 })
	// The command answers "cancelled" to a done ctx; its post must not go out.
	time.Sleep(50 * time.Millisecond)
	if got := fake.Responses(); len(got) != 0 {
		t.Errorf("posted %+v after the context ended, want nothing", got)
	}
}

func TestCommandHandlerBusy(t *testing.T) {
	cmds := &fakeCommands{reply: bot.Reply{Text: "ok"}, release: make(chan struct{})}
	defer close(cmds.release)
	srv := httptest.NewServer(CommandHandler(testSecret, "", cmds, CommandOptions{MaxRunning: 1, Fast: 10 * time.Millisecond}))
	defer srv.Close()

	post(t, srv.URL, formType, slashForm("lookup a", "U0ANN", ""), testSecret, time.Now())
	status, body := post(t, srv.URL, formType, slashForm("lookup b", "U0ANN", ""), testSecret, time.Now())
	if status != http.StatusOK || !strings.Contains(body, "busy") {
		t.Errorf("second command = %d %q, want 200 busy", status, body)
	}
	if got := len(cmds.commands()); got != 1 {
		t.Errorf("ran %d commands, want 1", got)
	}
}

func TestCommandHandlerOtherCommand(t *testing.T) {
	cmds := &fakeCommands{reply: bot.Reply{Text: "ok"}}
	srv := httptest.NewServer(CommandHandler(testSecret, "/other", cmds, CommandOptions{}))
	defer srv.Close()
	status, body := post(t, srv.URL, formType, slashForm("help", "U0ANN", ""), testSecret, time.Now())
	if status != http.StatusOK || !strings.Contains(body, "answers /other, not /alertbot") {
		t.Errorf("answer = %d %q", status, body)
	}
	if got := len(cmds.commands()); got != 0 {
		t.Errorf("ran %d commands, want 0", got)
	}
}

// A reply that quotes feed text cannot ping, link or format.
func TestReplyIsEscaped(t *testing.T) {
	feed := "Breaking <!channel> *URGENT* & <https://evil.example|click> <@U123>\n> quoted"
	want := "Breaking &lt;!channel&gt; \u2217URGENT\u2217 &amp; &lt;https://evil.example|click&gt; &lt;@U123&gt;\n› quoted"

	cmds := &fakeCommands{reply: bot.Reply{Text: feed}}
	srv := httptest.NewServer(CommandHandler(testSecret, "", cmds, CommandOptions{}))
	defer srv.Close()
	_, body := post(t, srv.URL, formType, slashForm("explain x", "U0ANN", ""), testSecret, time.Now())
	var got response
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatalf("body %q: %v", body, err)
	}
	if got.Text != want {
		t.Errorf("text = %q, want %q", got.Text, want)
	}
	if strings.Contains(got.Text, "<") {
		t.Errorf("text %q holds a <", got.Text)
	}
}

func TestReplyTextIsCut(t *testing.T) {
	got := replyText(strings.Repeat("a<", MaxText))
	if w := width(got); w > MaxText {
		t.Errorf("width = %d, want <= %d", w, MaxText)
	}
	if !strings.HasSuffix(got, "…") || strings.HasSuffix(got, "&…") || strings.HasSuffix(got, "&l…") {
		t.Errorf("text ends %q, want a whole escape and …", got[len(got)-10:])
	}
}

func TestStripMention(t *testing.T) {
	tests := []struct {
		name, text, bot, want string
	}{
		{"leading", "<@UBOT> subscribe diplomacy", "UBOT", "subscribe diplomacy"},
		{"with name", "<@UBOT|alertbot>  status ", "UBOT", "status"},
		{"in the middle", "hey <@UBOT> status please", "UBOT", "hey status please"},
		{"other user kept", "<@UBOT> explain <@U0ANN> said", "UBOT", "explain <@U0ANN> said"},
		{"bot unknown: leading one", "<@UX> help", "", "help"},
		{"bot unknown: not leading", "help <@UX>", "", "help <@UX>"},
		{"only the mention", "<@UBOT>", "UBOT", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := stripMention(tt.text, tt.bot); got != tt.want {
				t.Errorf("stripMention(%q, %q) = %q, want %q", tt.text, tt.bot, got, tt.want)
			}
		})
	}
}

func TestSeenSet(t *testing.T) {
	s := newSeenSet(time.Hour)
	if !s.first("event", "Ev1") {
		t.Errorf("first Ev1 = false, want true")
	}
	if s.first("event", "Ev1") {
		t.Errorf("second Ev1 = true, want false")
	}
	if !s.first("envelope", "Ev1") {
		t.Errorf("Ev1 of another kind = false, want true")
	}
	if !s.first("event", "") || !s.first("event", "") {
		t.Errorf("an empty id is not always new")
	}
}

func mentionEvent(eventID, text string) string {
	return `{"token":"XXYYZZ","team_id":"T0001","api_app_id":"A0001","type":"event_callback","event_id":"` + eventID + `","event_time":1610927831,` +
		`"authorizations":[{"enterprise_id":null,"team_id":"T0001","user_id":"UBOT","is_bot":true,"is_enterprise_install":false}],` +
		`"event":{"type":"app_mention","user":"U0ANN","text":` + quote(text) + `,"ts":"1610927831.000200","channel":"C0123","event_ts":"1610927831.000200"}}`
}

func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func TestEventsHandlerURLVerification(t *testing.T) {
	fake := bottest.NewSlackServer(t)
	m := New("xoxb-test", fake.APIURL(), WithPace(0, 0))
	srv := httptest.NewServer(EventsHandler(testSecret, &fakeCommands{}, m, CommandOptions{}))
	defer srv.Close()

	challenge := `{"token":"Jhj5dZrVaK7ZwHHjRyZWjbDl","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}`
	status, body := post(t, srv.URL, "application/json", challenge, testSecret, time.Now())
	if status != http.StatusOK || body != "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" {
		t.Errorf("answer = %d %q, want 200 and the challenge", status, body)
	}
	status, _ = post(t, srv.URL, "application/json", challenge, "wrong", time.Now())
	if status != http.StatusUnauthorized {
		t.Errorf("unsigned challenge: status = %d, want 401", status)
	}
}

func TestEventsHandlerMention(t *testing.T) {
	fake := bottest.NewSlackServer(t)
	m := New("xoxb-test", fake.APIURL(), WithPace(0, 0))
	cmds := &fakeCommands{reply: bot.Reply{Text: "muted for 2h <!channel>", Ephemeral: true}}
	srv := httptest.NewServer(EventsHandler(testSecret, cmds, m, CommandOptions{Admins: []string{"U0ANN"}}))
	defer srv.Close()

	ev := mentionEvent("Ev01JZ2T7S3U", "<@UBOT> mute 2h")
	status, _ := post(t, srv.URL, "application/json", ev, testSecret, time.Now())
	if status != http.StatusOK {
		t.Fatalf("status = %d, want 200", status)
	}
	waitFor(t, "the reply in the channel", func() bool { return len(fake.Posts()) > 0 })

	// Slack resends it: acknowledged, not run again.
	status, _ = post(t, srv.URL, "application/json", ev, testSecret, time.Now())
	if status != http.StatusOK {
		t.Errorf("retry: status = %d, want 200", status)
	}
	// An unsigned mention runs nothing.
	if status, _ = post(t, srv.URL, "application/json", mentionEvent("Ev2", "<@UBOT> unmute"), "", time.Now()); status != http.StatusUnauthorized {
		t.Errorf("unsigned: status = %d, want 401", status)
	}
	time.Sleep(50 * time.Millisecond) // room for a wrong second run

	cmd := cmds.commands()
	if len(cmd) != 1 {
		t.Fatalf("ran %d commands, want 1", len(cmd))
	}
	if want := (bot.Command{Chat: "slack:C0123", User: "U0ANN", Admin: true, Text: "mute 2h"}); cmd[0] != want {
		t.Errorf("command = %+v, want %+v", cmd[0], want)
	}
	posts := fake.Accepted()
	if len(posts) != 1 {
		t.Fatalf("%d posts, want 1", len(posts))
	}
	if got, want := posts[0].Channel, "C0123"; got != want {
		t.Errorf("channel = %q, want %q", got, want)
	}
	if got, want := posts[0].Text, "muted for 2h &lt;!channel&gt;"; got != want {
		t.Errorf("text = %q, want %q", got, want)
	}
	if got := posts[0].Form.Get("thread_ts"); got != "" {
		t.Errorf("thread_ts = %q, want none", got)
	}
}

func TestEventsHandlerIgnoresOtherEvents(t *testing.T) {
	fake := bottest.NewSlackServer(t)
	m := New("xoxb-test", fake.APIURL(), WithPace(0, 0))
	cmds := &fakeCommands{reply: bot.Reply{Text: "x"}}
	srv := httptest.NewServer(EventsHandler(testSecret, cmds, m, CommandOptions{}))
	defer srv.Close()

	for name, ev := range map[string]string{
		"message":       strings.Replace(mentionEvent("Ev3", "hello"), `"type":"app_mention"`, `"type":"message"`, 1),
		"unknown event": strings.Replace(mentionEvent("Ev4", "hello"), `"type":"app_mention"`, `"type":"no_such_event"`, 1),
		"from a bot":    strings.Replace(mentionEvent("Ev5", "<@UBOT> help"), `"user":"U0ANN"`, `"user":"U0ANN","bot_id":"B1"`, 1),
	} {
		if status, body := post(t, srv.URL, "application/json", ev, testSecret, time.Now()); status != http.StatusOK {
			t.Errorf("%s: status = %d %q, want 200", name, status, body)
		}
	}
	time.Sleep(50 * time.Millisecond)
	if got := len(cmds.commands()); got != 0 {
		t.Errorf("ran %d commands, want 0", got)
	}
}
