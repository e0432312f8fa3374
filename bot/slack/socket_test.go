package slack

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/alertbot/alertbot/bot"
	"github.com/alertbot/alertbot/bot/bottest"
)

// listen runs m.ListenSocket until the test ends, and checks that it then
// returns nil.
func listen(t *testing.T, m *Messenger, appToken string, cmds bot.Commands, opt CommandOptions) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.ListenSocket(ctx, appToken, cmds, opt) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("ListenSocket = %v, want nil when ctx is done", err)
			}
		case <-time.After(5 * time.Second):
			t.Errorf("ListenSocket did not return after ctx was done")
		}
	})
}

func slashEnvelope(id string, acceptsPayload bool, text, responseURL string) string {
	payload := map[string]any{
		"token": "x", "team_id": "T1", "team_domain": "acme", "channel_id": "C0123", "channel_name": "alerts",
		"user_id": "U0ANN", "user_name": "ann", "command": "/alertbot", "text": text, "api_app_id": "A01",
		"is_enterprise_install": "false", "response_url": responseURL, "trigger_id": "1.2.3",
	}
	b, _ := json.Marshal(map[string]any{
		"envelope_id": id, "type": "slash_commands", "accepts_response_payload": acceptsPayload, "payload": payload,
	})
	return string(b)
}

func acksOf(fake *bottest.SlackServer, id string) []bottest.SlackSocketAck {
	var out []bottest.SlackSocketAck
	for _, a := range fake.SocketAcks() {
		if a.EnvelopeID == id {
			out = append(out, a)
		}
	}
	return out
}

func TestListenSocketSlashCommandAckWithPayload(t *testing.T) {
	fake := bottest.NewSlackServer(t)
	m := New("xoxb-test", fake.APIURL(), WithPace(0, 0))
	cmds := &fakeCommands{reply: bot.Reply{Text: "subscribed <!here>", Ephemeral: true}}
	listen(t, m, "xapp-1-test", cmds, CommandOptions{Admins: []string{"U0ANN"}})

	fake.SocketSend(slashEnvelope("env-1", true, "subscribe unsc", fake.ResponseURL("r1")))
	waitFor(t, "the ack", func() bool { return len(acksOf(fake, "env-1")) > 0 })

	// Slack sends it again (it thought the ack lost): acked, not run again.
	fake.SocketSend(slashEnvelope("env-1", true, "subscribe unsc", fake.ResponseURL("r1")))
	waitFor(t, "the second ack", func() bool { return len(acksOf(fake, "env-1")) > 1 })

	acks := acksOf(fake, "env-1")
	var got response
	if err := json.Unmarshal(acks[0].Payload, &got); err != nil {
		t.Fatalf("ack payload %s: %v", acks[0].Payload, err)
	}
	if want := (response{ResponseType: "ephemeral", Text: "subscribed &lt;!here&gt;"}); got != want {
		t.Errorf("ack payload = %+v, want %+v", got, want)
	}
	if acks[1].Payload != nil {
		t.Errorf("ack of the resent envelope has payload %s, want none", acks[1].Payload)
	}
	cmd := cmds.commands()
	if len(cmd) != 1 {
		t.Fatalf("ran %d commands, want 1", len(cmd))
	}
	if want := (bot.Command{Chat: "slack:C0123", User: "U0ANN", Admin: true, Text: "subscribe unsc"}); cmd[0] != want {
		t.Errorf("command = %+v, want %+v", cmd[0], want)
	}
	if got := fake.Responses(); len(got) != 0 {
		t.Errorf("posted to response_url: %+v, want nothing", got)
	}
}

func TestListenSocketSlowSlashCommand(t *testing.T) {
	fake := bottest.NewSlackServer(t)
	m := New("xoxb-test", fake.APIURL(), WithPace(0, 0))
	cmds := &fakeCommands{reply: bot.Reply{Text: "found 2"}, release: make(chan struct{})}
	listen(t, m, "xapp-1-test", cmds, CommandOptions{Fast: 20 * time.Millisecond})

	fake.SocketSend(slashEnvelope("env-slow", true, "lookup x", fake.ResponseURL("slow")))
	waitFor(t, "the ack", func() bool { return len(acksOf(fake, "env-slow")) > 0 })
	if got, want := string(acksOf(fake, "env-slow")[0].Payload), `{"response_type":"ephemeral","text":"working on it…"}`; got != want {
		t.Errorf("ack payload = %s, want %s", got, want)
	}
	close(cmds.release)
	waitFor(t, "the answer at response_url", func() bool { return len(fake.Responses()) > 0 })
	if r := fake.Responses()[0]; r.Text != "found 2" || r.ResponseType != "in_channel" {
		t.Errorf("response = %+v, want found 2 in_channel", r)
	}
}

func TestListenSocketSlashCommandWithoutResponsePayload(t *testing.T) {
	fake := bottest.NewSlackServer(t)
	m := New("xoxb-test", fake.APIURL(), WithPace(0, 0))
	cmds := &fakeCommands{reply: bot.Reply{Text: "ok", Ephemeral: true}}
	listen(t, m, "xapp-1-test", cmds, CommandOptions{})

	fake.SocketSend(slashEnvelope("env-2", false, "status", fake.ResponseURL("r2")))
	waitFor(t, "the answer at response_url", func() bool { return len(fake.Responses()) > 0 })
	acks := acksOf(fake, "env-2")
	if len(acks) != 1 || acks[0].Payload != nil || string(acks[0].Raw) != `{"envelope_id":"env-2"}` {
		t.Errorf("acks = %+v, want one, bare", acks)
	}
	if r := fake.Responses()[0]; r.Text != "ok" || r.ResponseType != "ephemeral" {
		t.Errorf("response = %+v, want ok ephemeral", r)
	}
}

func mentionEnvelope(envelopeID, eventID, text string) string {
	return `{"envelope_id":"` + envelopeID + `","type":"events_api","accepts_response_payload":false,"retry_attempt":0,"retry_reason":"",` +
		`"payload":` + strings.Replace(mentionEvent(eventID, text), `"ts":"1610927831.000200"`, `"ts":"1610927831.000200","thread_ts":"1610927000.000100"`, 1) + `}`
}

func TestListenSocketMention(t *testing.T) {
	fake := bottest.NewSlackServer(t)
	m := New("xoxb-test", fake.APIURL(), WithPace(0, 0))
	cmds := &fakeCommands{reply: bot.Reply{Text: "2 subscriptions\n> *bold* claim"}}
	listen(t, m, "xapp-1-test", cmds, CommandOptions{})

	fake.SocketSend(mentionEnvelope("env-m1", "Ev1", "<@UBOT> subscriptions"))
	waitFor(t, "the reply in the channel", func() bool { return len(fake.Posts()) > 0 })
	// Resent: by envelope_id, and the same event in a new envelope.
	fake.SocketSend(mentionEnvelope("env-m1", "Ev1", "<@UBOT> subscriptions"))
	fake.SocketSend(mentionEnvelope("env-m2", "Ev1", "<@UBOT> subscriptions"))
	waitFor(t, "the acks", func() bool { return len(acksOf(fake, "env-m1")) == 2 && len(acksOf(fake, "env-m2")) == 1 })
	time.Sleep(50 * time.Millisecond) // room for a wrong second run

	if got := len(cmds.commands()); got != 1 {
		t.Errorf("ran %d commands, want 1", got)
	}
	if got, want := cmds.commands()[0].Text, "subscriptions"; got != want {
		t.Errorf("command text = %q, want %q", got, want)
	}
	posts := fake.Accepted()
	if len(posts) != 1 {
		t.Fatalf("%d posts, want 1", len(posts))
	}
	if got, want := posts[0].Text, "2 subscriptions\n› \u2217bold\u2217 claim"; got != want {
		t.Errorf("text = %q, want %q", got, want)
	}
	if got, want := posts[0].Form.Get("thread_ts"), "1610927000.000100"; got != want {
		t.Errorf("thread_ts = %q, want %q", got, want)
	}
	if got, want := posts[0].Channel, "C0123"; got != want {
		t.Errorf("channel = %q, want %q", got, want)
	}
}

func TestListenSocketInvalidToken(t *testing.T) {
	fake := bottest.NewSlackServer(t)
	m := New("xoxb-test", fake.APIURL(), WithPace(0, 0))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := m.ListenSocket(ctx, "xoxb-not-an-app-token", &fakeCommands{}, CommandOptions{})
	if err == nil || !strings.Contains(err.Error(), "invalid_auth") {
		t.Errorf("ListenSocket = %v, want invalid_auth", err)
	}
}
