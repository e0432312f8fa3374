package app

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/alertbot/alertbot/bot/bottest"
	"github.com/alertbot/alertbot/sources"
	"github.com/alertbot/alertbot/store"
)

// chatRules is one rule and one source, for the chat tests; each adds
// what it needs (subscriptions, slack:, http:).
const chatRules = `
rulesets:
  - id: diplomacy
    title: Diplomacy
    rules:
      - {id: diplomat-summoned, title: Diplomat summoned, severity: high, query: 'summon* NEAR/5 (ambassador OR envoy)'}
sources:
  - {id: a, kind: rss, url: "http://127.0.0.1:1/a.xml"}
`

// chatService opens a service on chatRules and extra, with the chat
// platforms e enables, its source already seen so that new items alert.
func chatService(t testing.TB, extra string, e env) *Service {
	t.Helper()
	cfg, err := ParseConfig("chats.yaml", []byte(chatRules+extra))
	if err != nil {
		t.Fatal(err)
	}
	svc, err := Open(context.Background(), cfg, Options{
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Stdout: io.Discard,
		Storage: "sqlite:" + filepath.Join(t.TempDir(), "a.db"),
		Getenv:  e.get,
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.st.PutSourceState(context.Background(), store.SourceState{ID: "a", Seen: true}); err != nil {
		t.Fatal(err)
	}
	return svc
}

// env is an environment for tests.
type env map[string]string

func (e env) get(k string) string { return e[k] }

// TestSlackDelivery: with SLACK_BOT_TOKEN set, a feed item's alert reaches
// the Slack channel subscribed to it, once, through the real slack-go
// talking to the fake Slack; feed text cannot ping the channel.
func TestSlackDelivery(t *testing.T) {
	fake := bottest.NewSlackServer(t, bottest.SlackWithToken("xoxb-test"))
	svc := chatService(t, "subscriptions: [{chat: \"slack:C1\", rulesets: [diplomacy]}]\nslack: {mode: http}\n",
		env{"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_API_URL": fake.APIURL(), "SLACK_SIGNING_SECRET": "s"})
	ctx := context.Background()
	const title = "Poland summoned the Russian ambassador <!channel> & <@U123>"
	err := svc.pipe.Handle(ctx, sources.Result{Source: "a", Health: sources.Health{LastSuccess: time.Now()}, Items: []sources.Item{
		{Source: "a", ID: "1", Title: title, Text: "Warsaw summoned the envoy after a drone crossed into Polish airspace.", Published: time.Now()},
	}})
	if err != nil {
		t.Fatal(err)
	}
	stop := run(t, svc)
	eventually(t, "the alert reaches Slack", func() bool { return len(fake.Accepted()) == 1 })
	time.Sleep(200 * time.Millisecond) // room for a duplicate to show, if there were one
	stop()
	posts := fake.Accepted()
	if len(posts) != 1 || posts[0].Channel != "C1" {
		t.Fatalf("posts %+v, want one to C1", posts)
	}
	for _, raw := range []string{"<!channel>", "<@U123>"} {
		if strings.Contains(posts[0].Text, raw) || strings.Contains(string(posts[0].Blocks), raw) {
			t.Errorf("feed text reached Slack unescaped (%s):\n%s\n%s", raw, posts[0].Text, posts[0].Blocks)
		}
	}
	if !strings.Contains(string(posts[0].Blocks), "Poland summoned the Russian ambassador") {
		t.Errorf("the alert's title is missing from the blocks:\n%s", posts[0].Blocks)
	}
}

// TestTelegramDelivery: with TELEGRAM_BOT_TOKEN set, an alert reaches the
// forum topic subscribed to it, once, in HTML the fake (tdlib's parser)
// accepts, with feed text escaped; a bad token is refused at start.
func TestTelegramDelivery(t *testing.T) {
	const token = "123:ABC"
	fake := bottest.StartTelegramServer(t, token)
	cfg, err := ParseConfig("chats.yaml", []byte(chatRules))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := chatsFromEnv(ctx, cfg, env{"TELEGRAM_BOT_TOKEN": "999:WRONG", "TELEGRAM_API_URL": fake.URL}.get); err == nil {
		t.Error("a wrong token was accepted")
	}
	svc := chatService(t, "subscriptions: [{chat: \"telegram:-1001234567890/3\", rulesets: [diplomacy]}]\n",
		env{"TELEGRAM_BOT_TOKEN": token, "TELEGRAM_API_URL": fake.URL})
	const title = "Poland summoned the Russian ambassador <b>& co</b>"
	err = svc.pipe.Handle(ctx, sources.Result{Source: "a", Health: sources.Health{LastSuccess: time.Now()}, Items: []sources.Item{
		{Source: "a", ID: "1", Title: title, Text: "Warsaw summoned the envoy.", Published: time.Now()},
	}})
	if err != nil {
		t.Fatal(err)
	}
	stop := run(t, svc)
	eventually(t, "the alert reaches Telegram", func() bool { return len(fake.Sent()) == 1 })
	time.Sleep(200 * time.Millisecond) // room for a duplicate to show, if there were one
	stop()
	sent := fake.Sent()
	if len(sent) != 1 || sent[0].ChatID != -1001234567890 || sent[0].ThreadID != 3 {
		t.Fatalf("sent %+v, want one message to -1001234567890 topic 3", sent)
	}
	if !strings.Contains(sent[0].Parsed, title) {
		t.Errorf("the chat shows %q, which lacks the title as written", sent[0].Parsed)
	}
}

// TestTelegramMigration: a group that became a supergroup is followed: the
// alert reaches the supergroup once, and the subscription moves with it.
func TestTelegramMigration(t *testing.T) {
	const token = "123:ABC"
	fake := bottest.StartTelegramServer(t, token)
	fake.FailChat(-4012345678, bottest.TelegramMigrated(-1001234567890))
	svc := chatService(t, "subscriptions: [{chat: \"telegram:-4012345678\", rulesets: [diplomacy]}]\n",
		env{"TELEGRAM_BOT_TOKEN": token, "TELEGRAM_API_URL": fake.URL})
	ctx := context.Background()
	st := svc.st
	err := svc.pipe.Handle(ctx, sources.Result{Source: "a", Health: sources.Health{LastSuccess: time.Now()}, Items: []sources.Item{
		{Source: "a", ID: "1", Title: "Poland summoned the Russian ambassador", Published: time.Now()},
	}})
	if err != nil {
		t.Fatal(err)
	}
	stop := run(t, svc)
	eventually(t, "the alert reaches the supergroup", func() bool { return len(fake.Sent()) == 1 })
	subs, err := st.ListSubscriptions(ctx, "telegram", "-1001234567890")
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond) // room for a duplicate to show, if there were one
	stop()
	if sent := fake.Sent(); len(sent) != 1 || sent[0].ChatID != -1001234567890 {
		t.Errorf("sent %+v, want one message to the supergroup", sent)
	}
	if len(subs) != 1 || subs[0].Target != "diplomacy" {
		t.Errorf("the supergroup's subscriptions %+v, want the group's", subs)
	}
}

// TestSlackCommandsHTTP: a slash command signed with the signing secret
// runs and answers in the response; a bad signature is refused.
func TestSlackCommandsHTTP(t *testing.T) {
	fake := bottest.NewSlackServer(t, bottest.SlackWithToken("xoxb-test"))
	const secret = "8f742231b10e8888abcd99yyyzzz85a5"
	svc := chatService(t, "slack: {mode: http}\nhttp: {listen: \"127.0.0.1:0\"}\n",
		env{"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_API_URL": fake.APIURL(), "SLACK_SIGNING_SECRET": secret})
	stop := run(t, svc)
	defer stop()
	post := func(secret string) (int, string) {
		form := url.Values{"command": {"/alertbot"}, "text": {"rules"}, "channel_id": {"C1"}, "user_id": {"U1"},
			"response_url": {fake.ResponseURL("r1")}}
		req, _ := http.NewRequest("POST", "http://"+svc.Addr()+"/slack/commands", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if err := bottest.SlackSign(req, secret, time.Now()); err != nil {
			t.Fatal(err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	if code, body := post(secret); code != 200 || !strings.Contains(body, "diplomacy") {
		t.Errorf("signed /alertbot rules: %d %s", code, body)
	}
	if code, _ := post("wrong-secret"); code != http.StatusUnauthorized {
		t.Errorf("a bad signature: %d, want 401", code)
	}
}

// TestSlackModeNeedsSecret: Slack commands need their secret; without it
// alertbot does not start, and says why.
func TestSlackModeNeedsSecret(t *testing.T) {
	fake := bottest.NewSlackServer(t, bottest.SlackWithToken("xoxb-test"))
	cfg, err := ParseConfig("chats.yaml", []byte(chatRules))
	if err != nil {
		t.Fatal(err)
	}
	for mode, want := range map[string]string{"socket": "SLACK_APP_TOKEN", "http": "SLACK_SIGNING_SECRET"} {
		cfg.Slack.Mode = mode
		_, err := Open(context.Background(), cfg, Options{
			Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Stdout: io.Discard,
			Storage: "sqlite:" + filepath.Join(t.TempDir(), "a.db"),
			Getenv:  env{"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_API_URL": fake.APIURL()}.get,
		})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("mode %s without its secret: %v, want an error naming %s", mode, err, want)
		}
	}
}

// TestTelegramCommands: a command sent to the bot in a private chat is
// answered there, through long polling against the fake Bot API.
func TestTelegramCommands(t *testing.T) {
	const token = "123:ABC"
	fake := bottest.StartTelegramServer(t, token)
	svc := chatService(t, "", env{"TELEGRAM_BOT_TOKEN": token, "TELEGRAM_API_URL": fake.URL})
	stop := run(t, svc)
	defer stop()
	fake.QueueUpdate(`{"message":{"message_id":17,"from":{"id":555,"is_bot":false,"first_name":"Ann"},
		"chat":{"id":555,"first_name":"Ann","type":"private"},"date":1716200000,
		"text":"/subscribe diplomacy","entities":[{"offset":0,"length":10,"type":"bot_command"}]}}`)
	eventually(t, "the answer arrives", func() bool { return len(fake.Sent()) == 1 })
	if sent := fake.Sent(); sent[0].ChatID != 555 || !strings.Contains(sent[0].Text, "diplomacy") {
		t.Errorf("answer %+v", sent[0])
	}
	subs, err := svc.st.ListSubscriptions(context.Background(), "telegram", "555")
	if err != nil || len(subs) != 1 || subs[0].Target != "diplomacy" {
		t.Errorf("subscriptions after /subscribe: %+v, %v", subs, err)
	}
}

func privateCommand(chat int64, text string) string {
	return fmt.Sprintf(`{"message":{"message_id":1,"from":{"id":%d,"is_bot":false,"first_name":"Ann"},
		"chat":{"id":%d,"first_name":"Ann","type":"private"},"date":1716200000,
		"text":%q,"entities":[{"offset":0,"length":%d,"type":"bot_command"}]}}`,
		chat, chat, text, len(strings.Fields(text)[0]))
}

func poll(t *testing.T, svc *Service, items ...string) {
	t.Helper()
	var its []sources.Item
	for _, title := range items {
		its = append(its, sources.Item{Source: "a", ID: title, Title: title, Published: time.Now()})
	}
	if err := svc.pipe.Handle(context.Background(), sources.Result{Source: "a", Items: its, Health: sources.Health{LastSuccess: time.Now()}}); err != nil {
		t.Fatal(err)
	}
}

// TestTelegramSubscribeThenAlert: a chat subscribes by command; a feed
// item appears and its alert arrives once; a chat that blocked the bot
// stops receiving and status reports it; a 429 storm delays but loses and
// duplicates nothing.
func TestTelegramSubscribeThenAlert(t *testing.T) {
	const token = "123:ABC"
	fake := bottest.StartTelegramServer(t, token)
	svc := chatService(t, "", env{"TELEGRAM_BOT_TOKEN": token, "TELEGRAM_API_URL": fake.URL})
	stop := run(t, svc)
	defer stop()
	alertsTo := func(chat int64) []string {
		var out []string
		for _, c := range fake.Sent() {
			if c.ChatID == chat && strings.Contains(c.Parsed, "Diplomat summoned") {
				out = append(out, c.Parsed)
			}
		}
		return out
	}

	fake.QueueUpdate(privateCommand(555, "/subscribe diplomacy"))
	fake.QueueUpdate(privateCommand(777, "/subscribe diplomacy"))
	eventually(t, "both are subscribed", func() bool {
		n := 0
		for _, chat := range []string{"555", "777"} {
			subs, _ := svc.st.ListSubscriptions(context.Background(), "telegram", chat)
			n += len(subs)
		}
		return n == 2
	})

	fake.FailChat(777, bottest.TelegramForbidden(bottest.TelegramBlocked))
	fake.FailNext(5, bottest.TelegramTooManyRequests(1)) // a storm
	poll(t, svc, "Poland summoned the Russian ambassador")
	eventually(t, "the alert reaches 555", func() bool { return len(alertsTo(555)) == 1 })
	eventually(t, "777 is paused", func() bool {
		paused, _ := svc.st.ChatPaused(context.Background(), "telegram", "777")
		return paused
	})
	poll(t, svc, "Lithuania summoned the Belarusian envoy")
	eventually(t, "the second alert reaches 555", func() bool { return len(alertsTo(555)) == 2 })
	time.Sleep(300 * time.Millisecond) // room for a duplicate to show, if there were one
	if got := alertsTo(555); len(got) != 2 || got[0] == got[1] {
		t.Errorf("555 got %d alerts, want the two once each", len(got))
	}
	if got := alertsTo(777); len(got) != 0 {
		t.Errorf("the blocked chat got %d alerts", len(got))
	}
	lines, err := svc.statusReport(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(lines, "\n"), "telegram:777") {
		t.Errorf("status does not report the blocked chat:\n%s", strings.Join(lines, "\n"))
	}
}

// TestSlackSubscribeThenAlert: a channel subscribes with the slash command
// over signed HTTP; a feed item appears and its alert arrives once.
func TestSlackSubscribeThenAlert(t *testing.T) {
	fake := bottest.NewSlackServer(t, bottest.SlackWithToken("xoxb-test"))
	const secret = "s3cret"
	svc := chatService(t, "slack: {mode: http, admins: [U1]}\nhttp: {listen: \"127.0.0.1:0\"}\n",
		env{"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_API_URL": fake.APIURL(), "SLACK_SIGNING_SECRET": secret})
	stop := run(t, svc)
	defer stop()
	slash := func(user, text string) string {
		form := url.Values{"command": {"/alertbot"}, "text": {text}, "channel_id": {"C1"}, "user_id": {user}}
		req, _ := http.NewRequest("POST", "http://"+svc.Addr()+"/slack/commands", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if err := bottest.SlackSign(req, secret, time.Now()); err != nil {
			t.Fatal(err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return string(body)
	}
	// Only the configured admins may change a channel's subscriptions.
	if body := slash("U2", "subscribe diplomacy"); !strings.Contains(body, "Only chat administrators") {
		t.Errorf("subscribe by a user who is not an admin: %s", body)
	}
	slash("U1", "subscribe diplomacy")
	if subs, err := svc.st.ListSubscriptions(context.Background(), "slack", "C1"); err != nil || len(subs) != 1 {
		t.Fatalf("after subscribe: %+v, %v", subs, err)
	}
	poll(t, svc, "Poland summoned the Russian ambassador")
	eventually(t, "the alert reaches C1", func() bool { return len(fake.Accepted()) == 1 })
	time.Sleep(300 * time.Millisecond)
	if n := len(fake.Accepted()); n != 1 {
		t.Errorf("%d posts, want 1", n)
	}
}

// TestSlackSocketSubscribeThenAlert: a channel subscribes with the slash
// command over Socket Mode; a feed item appears and its alert arrives once.
func TestSlackSocketSubscribeThenAlert(t *testing.T) {
	fake := bottest.NewSlackServer(t, bottest.SlackWithToken("xoxb-test"))
	svc := chatService(t, "slack: {mode: socket, admins: [U1]}\n",
		env{"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_API_URL": fake.APIURL(), "SLACK_APP_TOKEN": "xapp-1-test"})
	stop := run(t, svc)
	defer stop()
	payload, _ := json.Marshal(map[string]string{
		"command": "/alertbot", "text": "subscribe diplomacy", "channel_id": "C1", "user_id": "U1",
		"team_id": "T1", "response_url": fake.ResponseURL("r1"), "trigger_id": "1.2.3",
	})
	if err := fake.SocketSend(`{"envelope_id":"env-1","type":"slash_commands","accepts_response_payload":true,"payload":` + string(payload) + `}`); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the channel is subscribed", func() bool {
		subs, _ := svc.st.ListSubscriptions(context.Background(), "slack", "C1")
		return len(subs) == 1
	})
	if acks := fake.SocketAcks(); len(acks) == 0 {
		t.Error("the slash command was not acknowledged")
	}
	poll(t, svc, "Poland summoned the Russian ambassador")
	eventually(t, "the alert reaches C1", func() bool { return len(fake.Accepted()) == 1 })
	time.Sleep(300 * time.Millisecond)
	if n := len(fake.Accepted()); n != 1 {
		t.Errorf("%d posts, want 1", n)
	}
}
