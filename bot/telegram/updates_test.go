package telegram_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
	"unicode/utf8"

	"github.com/alertbot/alertbot/bot"
	"github.com/alertbot/alertbot/bot/bottest"
	"github.com/alertbot/alertbot/bot/telegram"
)

// commands is a bot.Commands that records what it runs and answers
// "ok: TEXT", or what answer says.
type commands struct {
	mu     sync.Mutex
	got    []bot.Command
	answer func(ctx context.Context, c bot.Command) string
}

func (f *commands) Run(ctx context.Context, c bot.Command) bot.Reply {
	f.mu.Lock()
	f.got = append(f.got, c)
	answer := f.answer
	f.mu.Unlock()
	if answer != nil {
		return bot.Reply{Text: answer(ctx, c)}
	}
	return bot.Reply{Text: "ok: " + c.Text}
}

func (f *commands) ran() []bot.Command {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]bot.Command(nil), f.got...)
}

// listen runs Listen until the test ends, or until the returned stop,
// which checks that Listen returned nil.
func listen(t *testing.T, m *telegram.Messenger, cmds bot.Commands, opt telegram.ListenOptions) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Listen(ctx, cmds, opt) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("Listen = %v, want nil", err)
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

// signalling starts a fake on loopback behind a handler that reports each
// sendMessage it answered, and a Messenger for it.
func signalling(t *testing.T) (*bottest.TelegramServer, *telegram.Messenger, <-chan bottest.TelegramCall) {
	t.Helper()
	srv := bottest.NewTelegramServer(token)
	sent := make(chan bottest.TelegramCall, 100)
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		srv.ServeHTTP(w, r)
		if strings.HasSuffix(strings.ToLower(r.URL.Path), "/sendmessage") {
			calls := srv.Calls()
			sent <- calls[len(calls)-1]
		}
	}))
	t.Cleanup(hs.Close)
	m, err := telegram.New(context.Background(), token, hs.URL)
	if err != nil {
		t.Fatal(err)
	}
	return srv, m, sent
}

func receive(t *testing.T, sent <-chan bottest.TelegramCall) bottest.TelegramCall {
	t.Helper()
	select {
	case c := <-sent:
		return c
	case <-time.After(10 * time.Second):
		t.Fatal("no sendMessage within 10s")
		return bottest.TelegramCall{}
	}
}

// The updates of PROTOCOLS.md §1.4, with the fake's bot name, AlertBot.
const (
	privateSubscribe = `{"update_id":820000001,"message":{"message_id":17,
		"from":{"id":555000111,"is_bot":false,"first_name":"Ann","username":"ann_ops","language_code":"en"},
		"chat":{"id":555000111,"first_name":"Ann","username":"ann_ops","type":"private"},
		"date":1716200000,"text":"/subscribe unsc","entities":[{"offset":0,"length":10,"type":"bot_command"}]}}`
	topicLookup = `{"update_id":820000003,"message":{"message_id":88,"from":{"id":555000111,"is_bot":false,"first_name":"Ann"},
		"chat":{"id":-1001234567890,"title":"Ops","is_forum":true,"type":"supergroup"},
		"date":1716200070,"message_thread_id":3,
		"text":"/lookup@AlertBot query","entities":[{"offset":0,"length":16,"type":"bot_command"}],
		"is_topic_message":true}}`
)

// groupMessage is a message from user in chat (a group when id > -10^12,
// else a supergroup) with text, whose first entity is a bot_command of
// cmdLen UTF-16 units at offset 0, unless cmdLen is 0.
func groupMessage(chat, user int64, text string, cmdLen int) string {
	kind := "group"
	if chat <= -1000000000000 {
		kind = "supergroup"
	}
	entities := ""
	if cmdLen > 0 {
		entities = fmt.Sprintf(`,"entities":[{"offset":0,"length":%d,"type":"bot_command"}]`, cmdLen)
	}
	return fmt.Sprintf(`{"message":{"message_id":301,"from":{"id":%d,"is_bot":false,"first_name":"Ann"},
		"chat":{"id":%d,"title":"Ops room","type":%q},"date":1716200060,"text":%q%s}}`, user, chat, kind, text, entities)
}

// A private /subscribe, over a real connection: the command reaches
// Commands as an admin's, and the answer comes back to the chat as plain
// text.
func TestListenPrivateCommand(t *testing.T) {
	srv, m, sent := signalling(t)
	cmds := &commands{}
	srv.QueueUpdate(privateSubscribe)
	stop := listen(t, m, cmds, telegram.ListenOptions{PollTimeout: time.Second})

	reply := receive(t, sent)
	if reply.ChatID != 555000111 || reply.Text != "ok: subscribe unsc" || reply.ParseMode != "" || reply.ThreadID != 0 {
		t.Errorf("reply = chat %d thread %d %q (parse_mode %q), want chat 555000111 %q as plain text", reply.ChatID, reply.ThreadID, reply.Text, reply.ParseMode, "ok: subscribe unsc")
	}
	got := cmds.ran()
	want := bot.Command{Chat: "telegram:555000111", User: "555000111", Admin: true, Text: "subscribe unsc"}
	if len(got) != 1 || got[0] != want {
		t.Errorf("commands = %+v, want [%+v]", got, want)
	}

	// The update was confirmed: the next getUpdates asks from the next id.
	srv.QueueUpdate(groupMessage(-4012345678, 555000111, "/help", 5))
	if reply := receive(t, sent); reply.ChatID != -4012345678 || reply.Text != "ok: help" {
		t.Errorf("second reply = chat %d %q", reply.ChatID, reply.Text)
	}
	stop()
	var polls []bottest.TelegramCall
	for _, c := range srv.Calls() {
		if c.Method == "getUpdates" {
			polls = append(polls, c)
		}
	}
	if len(polls) < 2 {
		t.Fatalf("%d getUpdates, want at least 2", len(polls))
	}
	if got := polls[0].Params["timeout"]; got != "1" {
		t.Errorf("timeout = %q, want 1", got)
	}
	if got := polls[0].Params["allowed_updates"]; got != `["message","channel_post","my_chat_member"]` {
		t.Errorf("allowed_updates = %q", got)
	}
	if got := polls[1].Params["offset"]; got != "820000002" {
		t.Errorf("second offset = %q, want 820000002", got)
	}
}

// runUpdates runs Listen in a synctest bubble on the updates until all is
// quiet, and returns what Commands got and the messages sent.
func runUpdates(t *testing.T, setup func(*bottest.TelegramServer), opt telegram.ListenOptions, updates ...string) ([]bot.Command, []bottest.TelegramCall, *bottest.TelegramServer) {
	t.Helper()
	srv, m := inMemory(t)
	if setup != nil {
		setup(srv)
	}
	for _, u := range updates {
		srv.QueueUpdate(u)
	}
	cmds := &commands{}
	stop := listen(t, m, cmds, opt)
	time.Sleep(time.Minute) // long enough for pacing of a few replies
	synctest.Wait()
	stop()
	return cmds.ran(), srv.Sent(), srv
}

func TestListenCommands(t *testing.T) {
	const group, super, ann = -4012345678, -1001234567890, 555000111
	tests := []struct {
		name   string
		setup  func(*bottest.TelegramServer)
		opt    telegram.ListenOptions
		update string
		want   *bot.Command // nil: ignored
		thread int64        // of the reply
	}{
		{name: "group command to another bot",
			update: groupMessage(group, ann, "/lookup@OtherBot query", 16)},
		{name: "group command to this bot",
			update: groupMessage(group, ann, "/lookup@AlertBot query", 16),
			want:   &bot.Command{Chat: "telegram:-4012345678", User: "555000111", Text: "lookup query"}},
		{name: "bot name in any case",
			update: groupMessage(group, ann, "/lookup@alertbot q", 16),
			want:   &bot.Command{Chat: "telegram:-4012345678", User: "555000111", Text: "lookup q"}},
		{name: "group command without a name",
			update: groupMessage(group, ann, "/subscriptions", 14),
			want:   &bot.Command{Chat: "telegram:-4012345678", User: "555000111", Text: "subscriptions"}},
		{name: "arguments kept as typed, trimmed",
			update: groupMessage(group, ann, "/lookup  \"UN Security Council\"  since=7d ", 7),
			want:   &bot.Command{Chat: "telegram:-4012345678", User: "555000111", Text: `lookup "UN Security Council"  since=7d`}},
		{name: "arguments beyond the BMP",
			update: groupMessage(group, ann, "/explain 🇮🇶 summons envoy", 8),
			want:   &bot.Command{Chat: "telegram:-4012345678", User: "555000111", Text: "explain 🇮🇶 summons envoy"}},
		{name: "command not at the start",
			update: `{"message":{"message_id":1,"from":{"id":555000111,"is_bot":false,"first_name":"Ann"},"chat":{"id":-4012345678,"type":"group"},
				"date":1,"text":"see /help","entities":[{"offset":4,"length":5,"type":"bot_command"}]}}`},
		{name: "no entity",
			update: groupMessage(group, ann, "/help", 0)},
		{name: "forum topic",
			setup:  func(s *bottest.TelegramServer) { s.AddForumTopic(super, 3) },
			update: topicLookup,
			want:   &bot.Command{Chat: "telegram:-1001234567890/3", User: "555000111", Text: "lookup query"},
			thread: 3},
		{name: "reply thread in a supergroup is no topic",
			update: `{"message":{"message_id":90,"from":{"id":555000111,"is_bot":false,"first_name":"Ann"},"chat":{"id":-1001234567890,"type":"supergroup"},
				"date":1,"message_thread_id":77,"text":"/status","entities":[{"offset":0,"length":7,"type":"bot_command"}]}}`,
			want: &bot.Command{Chat: "telegram:-1001234567890", User: "555000111", Text: "status"}},
		{name: "member of a supergroup",
			update: groupMessage(super, ann, "/subscribe unsc", 10),
			want:   &bot.Command{Chat: "telegram:-1001234567890", User: "555000111", Text: "subscribe unsc"}},
		{name: "administrator",
			setup:  func(s *bottest.TelegramServer) { s.SetChatMember(super, ann, "administrator") },
			update: groupMessage(super, ann, "/subscribe unsc", 10),
			want:   &bot.Command{Chat: "telegram:-1001234567890", User: "555000111", Admin: true, Text: "subscribe unsc"}},
		{name: "creator",
			setup:  func(s *bottest.TelegramServer) { s.SetChatMember(group, ann, "creator") },
			update: groupMessage(group, ann, "/subscribe unsc", 10),
			want:   &bot.Command{Chat: "telegram:-4012345678", User: "555000111", Admin: true, Text: "subscribe unsc"}},
		{name: "configured admin",
			opt:    telegram.ListenOptions{Admins: []int64{42, ann}},
			update: groupMessage(super, ann, "/subscribe unsc", 10),
			want:   &bot.Command{Chat: "telegram:-1001234567890", User: "555000111", Admin: true, Text: "subscribe unsc"}},
		{name: "anonymous administrator",
			update: `{"message":{"message_id":91,"from":{"id":1087968824,"is_bot":true,"first_name":"Group","username":"GroupAnonymousBot"},
				"sender_chat":{"id":-1001234567890,"title":"Ops","type":"supergroup"},"chat":{"id":-1001234567890,"title":"Ops","type":"supergroup"},
				"date":1,"text":"/mute 2h","entities":[{"offset":0,"length":5,"type":"bot_command"}]}}`,
			want: &bot.Command{Chat: "telegram:-1001234567890", User: "1087968824", Admin: true, Text: "mute 2h"}},
		{name: "getChatMember fails",
			setup:  func(s *bottest.TelegramServer) { s.FailChat(super, bottest.TelegramInternal("down")) },
			update: groupMessage(super, ann, "/subscribe unsc", 10),
			want:   &bot.Command{Chat: "telegram:-1001234567890", User: "555000111", Text: "subscribe unsc"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				got, sent, _ := runUpdates(t, tt.setup, tt.opt, tt.update)
				if tt.want == nil {
					if len(got) != 0 || len(sent) != 0 {
						t.Errorf("commands %+v, sent %d messages; want it ignored", got, len(sent))
					}
					return
				}
				if len(got) != 1 || got[0] != *tt.want {
					t.Errorf("commands = %+v, want [%+v]", got, *tt.want)
				}
				if tt.name == "getChatMember fails" {
					return // the fake fails the reply too
				}
				id, _, _ := telegram.ParseChat(tt.want.Chat)
				if len(sent) != 1 || sent[0].ChatID != id || sent[0].ThreadID != tt.thread || sent[0].Text != "ok: "+tt.want.Text {
					t.Errorf("sent %+v, want one reply to %d thread %d", sent, id, tt.thread)
				}
			})
		})
	}
}

// getChatMember's answer is kept for a minute.
func TestListenAdminCache(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const super, ann = -1001234567890, 555000111
		srv, m := inMemory(t)
		cmds := &commands{}
		listen(t, m, cmds, telegram.ListenOptions{})
		send := func() bool {
			srv.QueueUpdate(groupMessage(super, ann, "/subscribe unsc", 10))
			synctest.Wait()
			got := cmds.ran()
			return got[len(got)-1].Admin
		}
		memberCalls := func() int {
			n := 0
			for _, c := range srv.Calls() {
				if c.Method == "getChatMember" {
					n++
				}
			}
			return n
		}
		if send() {
			t.Errorf("member: Admin = true")
		}
		srv.SetChatMember(super, ann, "administrator")
		time.Sleep(30 * time.Second)
		if send() {
			t.Errorf("promoted 30s ago: Admin = true, want the cached false")
		}
		if n := memberCalls(); n != 1 {
			t.Errorf("%d getChatMember calls, want 1", n)
		}
		time.Sleep(31 * time.Second)
		if !send() {
			t.Errorf("promoted 61s ago: Admin = false")
		}
		if n := memberCalls(); n != 2 {
			t.Errorf("%d getChatMember calls, want 2", n)
		}
	})
}

// logs returns a logger into a buffer, and the buffer.
func logs() (*slog.Logger, *syncBuffer) {
	var b syncBuffer
	return slog.New(slog.NewTextHandler(&b, nil)), &b
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func getUpdatesCalls(srv *bottest.TelegramServer) []bottest.TelegramCall {
	var out []bottest.TelegramCall
	for _, c := range srv.Calls() {
		if c.Method == "getUpdates" {
			out = append(out, c)
		}
	}
	return out
}

// A 429 and a 500 from getUpdates: Listen waits out retry_after, backs
// off, logs once and recovers.
func TestListenBacksOff(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv, m := inMemory(t)
		srv.FailNext(1, bottest.TelegramTooManyRequests(5))
		srv.FailNext(1, bottest.TelegramInternal("restart"))
		srv.QueueUpdate(privateSubscribe)
		log, buf := logs()
		cmds := &commands{}
		start := time.Now()
		stop := listen(t, m, cmds, telegram.ListenOptions{Log: log})
		time.Sleep(2 * time.Minute)
		synctest.Wait()
		stop()

		polls := getUpdatesCalls(srv)
		if len(polls) < 3 {
			t.Fatalf("%d getUpdates, want at least 3", len(polls))
		}
		if polls[0].Status != 429 || polls[1].Status != 500 || polls[2].Status != 200 {
			t.Errorf("statuses = %d %d %d, want 429 500 200", polls[0].Status, polls[1].Status, polls[2].Status)
		}
		if d := polls[1].At.Sub(polls[0].At); d < 5*time.Second {
			t.Errorf("retried %v after the 429, want at least its retry_after, 5s", d)
		}
		if d := polls[2].At.Sub(polls[1].At); d < time.Second || d > 2*time.Second {
			t.Errorf("retried %v after the second failure, want 1s–2s", d)
		}
		// Then long polls of 30s each, no spinning.
		if len(polls) > 8 {
			t.Errorf("%d getUpdates in 2 minutes, want at most 8", len(polls))
		}
		if got := cmds.ran(); len(got) != 1 || got[0].Text != "subscribe unsc" {
			t.Errorf("commands = %+v", got)
		}
		if sent := srv.Sent(); len(sent) != 1 || sent[0].At.Sub(start) > 10*time.Second {
			t.Errorf("sent = %+v, want one reply within 10s", sent)
		}
		out := buf.String()
		if n := strings.Count(out, "getUpdates failed"); n != 1 {
			t.Errorf("logged the failure %d times, want once:\n%s", n, out)
		}
		if n := strings.Count(out, "getUpdates works again"); n != 1 {
			t.Errorf("logged the recovery %d times, want once:\n%s", n, out)
		}
		if strings.Contains(out, "AAHsecret") {
			t.Errorf("the token leaks into the log: %s", out)
		}
	})
}

// A getUpdates that keeps failing, here because a webhook is set, is
// retried ever more slowly, up to a minute apart, and logged once.
func TestListenFailingForLong(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv, m := inMemory(t)
		if err := m.SetWebhook(context.Background(), "https://bot.example.org/telegram", "s3cret"); err != nil {
			t.Fatal(err)
		}
		log, buf := logs()
		listen(t, m, &commands{}, telegram.ListenOptions{Log: log})
		time.Sleep(10 * time.Minute)
		synctest.Wait()
		polls := getUpdatesCalls(srv)
		// Waits of at least 0.5, 1, 2, 4, 8, 16, 30, 30, … seconds.
		if len(polls) < 8 || len(polls) > 26 {
			t.Errorf("%d getUpdates in 10 minutes, want 8–26", len(polls))
		}
		for i := 1; i < len(polls); i++ {
			if d := polls[i].At.Sub(polls[i-1].At); d > time.Minute {
				t.Errorf("wait %d = %v, want at most a minute", i, d)
			}
		}
		if n := strings.Count(buf.String(), "level="); n != 1 || !strings.Contains(buf.String(), "webhook is active") {
			t.Errorf("%d log lines, want 1 about the webhook:\n%s", n, buf.String())
		}
	})
}

// Listen returns nil when ctx is done: while it polls, while it backs
// off, and once the commands it started have ended.
func TestListenStops(t *testing.T) {
	tests := []struct {
		name  string
		setup func(*bottest.TelegramServer)
	}{
		{"polling", nil},
		{"backing off", func(s *bottest.TelegramServer) { s.FailNext(1, bottest.TelegramTooManyRequests(300)) }},
		{"running a command", func(s *bottest.TelegramServer) { s.QueueUpdate(privateSubscribe) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				srv, m := inMemory(t)
				if tt.setup != nil {
					tt.setup(srv)
				}
				var ended atomic.Bool
				cmds := &commands{answer: func(ctx context.Context, c bot.Command) string {
					<-ctx.Done()
					time.Sleep(10 * time.Second) // a lookup slow to notice
					ended.Store(true)
					return "too late"
				}}
				ctx, cancel := context.WithCancel(context.Background())
				done := make(chan error, 1)
				go func() { done <- m.Listen(ctx, cmds, telegram.ListenOptions{}) }()
				time.Sleep(5 * time.Second)
				synctest.Wait()
				started := len(cmds.ran()) == 1
				if started != (tt.name == "running a command") {
					t.Errorf("command started: %v", started)
				}
				start := time.Now()
				cancel()
				if err := <-done; err != nil {
					t.Errorf("Listen = %v, want nil", err)
				}
				want := time.Duration(0)
				if started {
					want = 10 * time.Second
				}
				if d := time.Since(start); d != want {
					t.Errorf("Listen took %v to return, want %v", d, want)
				}
				if started && !ended.Load() {
					t.Errorf("Listen returned before its command ended")
				}
			})
		})
	}
}

func TestListenGoneMovedAndChannelPosts(t *testing.T) {
	member := func(chat, kind, status string) string {
		return fmt.Sprintf(`{"my_chat_member":{"chat":{"id":%s,"title":"Ops room","type":%q},
			"from":{"id":555000111,"is_bot":false,"first_name":"Ann"},"date":1716200200,
			"old_chat_member":{"user":{"id":987654321,"is_bot":true,"first_name":"Alert","username":"AlertBot"},"status":"member"},
			"new_chat_member":{"user":{"id":987654321,"is_bot":true,"first_name":"Alert","username":"AlertBot"},"status":%q}}}`, chat, kind, status)
	}
	tests := []struct {
		name   string
		update string
		want   string
	}{
		{"kicked from a group", member("-4012345678", "group", "kicked"), "gone telegram:-4012345678: the bot was removed from the chat"},
		{"left a channel", member("-1009876543210", "channel", "left"), "gone telegram:-1009876543210: the bot left the chat"},
		{"blocked in private", member("555000111", "private", "kicked"), "gone telegram:555000111: the user blocked the bot"},
		{"made administrator", member("-1001234567890", "supergroup", "administrator"), ""},
		{"group migrated", `{"message":{"message_id":5,"from":{"id":555000111,"is_bot":false,"first_name":"Ann"},
			"chat":{"id":-4012345678,"title":"Ops room","type":"group"},"date":1,"migrate_to_chat_id":-1001234567890}}`,
			"moved telegram:-4012345678 to telegram:-1001234567890"},
		{"channel post", `{"channel_post":{"message_id":1205,"sender_chat":{"id":-1009876543210,"title":"MFA","username":"MID_Russia","type":"channel"},
			"chat":{"id":-1009876543210,"title":"MFA","username":"MID_Russia","type":"channel"},"date":1716200100,
			"text":"Посол вызван в МИД"}}`, "post MID_Russia/1205 2024-05-20T10:15:00Z: Посол вызван в МИД"},
		{"channel post with a caption", `{"channel_post":{"message_id":7,"chat":{"id":-1001,"username":"mfa","type":"channel"},
			"date":1716200100,"caption":"Photo: the ambassador summoned"}}`, "post mfa/7 2024-05-20T10:15:00Z: Photo: the ambassador summoned"},
		{"private channel post", `{"channel_post":{"message_id":8,"chat":{"id":-1002,"title":"Private","type":"channel"},
			"date":1716200100,"text":"no username: no public identity"}}`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var got []string
				opt := telegram.ListenOptions{
					Gone:  func(chat, reason string) { got = append(got, "gone "+chat+": "+reason) },
					Moved: func(from, to string) { got = append(got, "moved "+from+" to "+to) },
					ChannelPost: func(channel string, post int64, text string, at time.Time) {
						got = append(got, fmt.Sprintf("post %s/%d %s: %s", channel, post, at.Format(time.RFC3339), text))
					},
				}
				cmds, sent, _ := runUpdates(t, nil, opt, tt.update)
				var want []string
				if tt.want != "" {
					want = []string{tt.want}
				}
				if fmt.Sprint(got) != fmt.Sprint(want) {
					t.Errorf("callbacks = %q, want %q", got, want)
				}
				if len(cmds) != 0 || len(sent) != 0 {
					t.Errorf("commands %+v, sent %d, want none", cmds, len(sent))
				}
			})
		})
	}
}

// A long answer goes out in several messages, cut at line breaks, each
// within Telegram's limit, paced.
func TestListenLongReply(t *testing.T) {
	var lines []string
	for i := range 300 {
		lines = append(lines, fmt.Sprintf("%03d %s", i, strings.Repeat("é", 16)))
	}
	long := strings.Join(lines, "\n")                     // 300 lines of 20 characters: 6,299
	unbroken := strings.Repeat("x", 5000) + "\nlast line" // one line longer than a message
	tests := []struct {
		name   string
		answer string
		want   []string
	}{
		{"lines", long, []string{strings.Join(lines[:195], "\n"), strings.Join(lines[195:], "\n")}},
		{"one long line", unbroken, []string{strings.Repeat("x", 4096), strings.Repeat("x", 904) + "\nlast line"}},
		{"empty", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				srv, m := inMemory(t)
				srv.QueueUpdate(privateSubscribe)
				cmds := &commands{answer: func(context.Context, bot.Command) string { return tt.answer }}
				stop := listen(t, m, cmds, telegram.ListenOptions{})
				time.Sleep(time.Minute)
				synctest.Wait()
				stop()
				sent := srv.Sent()
				if len(sent) != len(tt.want) {
					t.Fatalf("sent %d messages, want %d", len(sent), len(tt.want))
				}
				for i, c := range sent {
					if c.Text != tt.want[i] {
						t.Errorf("message %d: %d characters %q…, want %d characters", i, utf8.RuneCountInString(c.Text), c.Text[:20], utf8.RuneCountInString(tt.want[i]))
					}
					if i > 0 && c.At.Sub(sent[i-1].At) < time.Second {
						t.Errorf("message %d: %v after the one before, want at least 1s", i, c.At.Sub(sent[i-1].At))
					}
				}
				for _, c := range srv.Calls() {
					if c.Method == "sendMessage" && c.Status != http.StatusOK {
						t.Errorf("sendMessage answered %d %s", c.Status, c.Description)
					}
				}
			})
		})
	}
}

func TestSetWebhook(t *testing.T) {
	srv, m := start(t)
	ctx := context.Background()
	if err := m.SetWebhook(ctx, "https://bot.example.org/telegram", "s3cret_T0ken-x"); err != nil {
		t.Fatal(err)
	}
	hook := srv.Webhook()
	if hook.URL != "https://bot.example.org/telegram" || hook.SecretToken != "s3cret_T0ken-x" || fmt.Sprint(hook.AllowedUpdates) != "[message channel_post my_chat_member]" {
		t.Errorf("webhook = %+v", hook)
	}

	if err := m.DeleteWebhook(ctx); err != nil {
		t.Fatal(err)
	}
	if hook := srv.Webhook(); hook.URL != "" {
		t.Errorf("webhook after DeleteWebhook = %+v", hook)
	}

	for _, secret := range []string{"", "not/allowed", strings.Repeat("a", 257)} {
		err := m.SetWebhook(ctx, "https://bot.example.org/telegram", secret)
		if err == nil {
			t.Errorf("SetWebhook with secret %q: no error", secret)
			continue
		}
		if !strings.HasPrefix(err.Error(), "telegram: ") || strings.Contains(err.Error(), "AAHsecret") {
			t.Errorf("SetWebhook with secret %q: %v", secret, err)
		}
	}
}

func TestWebhookHandler(t *testing.T) {
	const secret = "s3cret_T0ken-x"
	_, m, sent := signalling(t)
	cmds := &commands{}
	hook := httptest.NewServer(m.WebhookHandler(cmds, telegram.ListenOptions{Secret: secret}))
	t.Cleanup(hook.Close)

	post := func(secret, update string) int {
		t.Helper()
		req := bottest.TelegramWebhookRequest(hook.URL, secret, update)
		req.RequestURI = ""
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	for _, tt := range []struct {
		name, secret string
	}{{"missing secret", ""}, {"wrong secret", "s3cret_T0ken-y"}, {"longer secret", secret + "x"}} {
		if got := post(tt.secret, privateSubscribe); got != http.StatusForbidden {
			t.Errorf("%s: status %d, want 403", tt.name, got)
		}
	}
	if got := cmds.ran(); len(got) != 0 {
		t.Errorf("commands without the secret: %+v", got)
	}

	req, _ := http.NewRequest(http.MethodGet, hook.URL, nil)
	req.Header.Set(telegram.SecretHeader, secret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET: status %d, want 405", resp.StatusCode)
	}

	if got := post(secret, `{"update_id":1,"message":`); got != http.StatusOK {
		t.Errorf("undecodable update: status %d, want 200", got)
	}
	if got := post(secret, topicLookup); got != http.StatusOK {
		t.Errorf("status %d, want 200", got)
	}
	reply := receive(t, sent)
	if reply.ChatID != -1001234567890 || reply.ThreadID != 3 || reply.Text != "ok: lookup query" {
		t.Errorf("reply = chat %d thread %d %q", reply.ChatID, reply.ThreadID, reply.Text)
	}
	want := bot.Command{Chat: "telegram:-1001234567890/3", User: "555000111", Text: "lookup query"}
	if got := cmds.ran(); len(got) != 1 || got[0] != want {
		t.Errorf("commands = %+v, want [%+v]", got, want)
	}
}

// Without a secret configured, the webhook takes nothing.
func TestWebhookHandlerNoSecret(t *testing.T) {
	_, m := start(t)
	cmds := &commands{}
	h := m.WebhookHandler(cmds, telegram.ListenOptions{})
	for _, secret := range []string{"", "anything"} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, bottest.TelegramWebhookRequest("/telegram", secret, privateSubscribe))
		if rec.Code != http.StatusForbidden {
			t.Errorf("secret %q: status %d, want 403", secret, rec.Code)
		}
	}
}
