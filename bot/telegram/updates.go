package telegram

// Chat commands: receiving updates by long polling (Listen) or by webhook
// (SetWebhook, WebhookHandler), running the commands in them through
// bot.Commands, and answering in the chat.
//
// v5.5.1 drops message_thread_id, is_topic_message and much else of an
// update (PROTOCOLS.md §1.10), so updates are fetched with MakeRequest and
// decoded into this file's own structs; replies go out the same way.

import (
	"cmp"
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/alertbot/alertbot/bot"
)

const (
	// DefaultPollTimeout is how long one getUpdates waits for updates
	// (its timeout parameter) unless ListenOptions says otherwise.
	DefaultPollTimeout = 30 * time.Second
	// pollSlack is how much longer than its wait a getUpdates request may
	// take before it is given up as hung.
	pollSlack = 15 * time.Second
	// pollMinInterval keeps Listen from spinning on a server that answers
	// getUpdates at once with nothing, whatever the timeout.
	pollMinInterval = time.Second
	// backoffMin and backoffMax bound the wait after a failed getUpdates;
	// it doubles with each failure in a row, jittered, and is at least the
	// retry_after Telegram asks for.
	backoffMin = time.Second
	backoffMax = time.Minute

	// memberTTL is how long getChatMember's answer, whether a user is an
	// administrator of a chat, is believed; memberCacheMax is how many
	// such answers are kept.
	memberTTL      = time.Minute
	memberCacheMax = 4096

	// maxInFlight is how many commands one Listen or WebhookHandler runs
	// at once; more wait (Listen stops polling, the webhook answers later).
	maxInFlight = 16
	// commandTimeout bounds a command: its run, the admin check and the
	// reply with its pacing.
	commandTimeout = 2 * time.Minute
	// replyTries is how many times a part of a reply is sent when
	// Telegram answers 429 (waiting out retry_after in between).
	replyTries = 3

	// webhookMaxBody is the largest update WebhookHandler reads (ours;
	// an update with a 4,096-character text is far below it).
	webhookMaxBody = 1 << 20
	// SecretHeader carries the webhook's secret token in every update
	// Telegram posts (PROTOCOLS.md §1.9).
	SecretHeader = "X-Telegram-Bot-Api-Secret-Token"
)

// allowedUpdates are the kinds of update Listen and SetWebhook ask for.
const allowedUpdates = `["message","channel_post","my_chat_member"]`

// ListenOptions configures Listen and WebhookHandler.
type ListenOptions struct {
	// Admins are the Telegram user ids that may change every chat's
	// subscriptions (config); chat administrators may change their chat's.
	Admins []int64
	// Secret is the webhook's secret token, as given to SetWebhook.
	// WebhookHandler refuses (403) every request that does not carry it,
	// all of them when it is "". Listen does not use it.
	Secret string
	// PollTimeout is how long one getUpdates waits for updates
	// (default DefaultPollTimeout).
	PollTimeout time.Duration
	// Log receives what goes wrong (default: nowhere). Errors never carry
	// the token.
	Log *slog.Logger
	// Gone, when set, is told that the bot can no longer write to chat,
	// "telegram:ID" (the whole chat, its topics included): it was removed
	// from a group or channel, left it, or was blocked in a private chat.
	// reason says which, for logs and /status.
	Gone func(chat, reason string)
	// Moved, when set, is told that the group from became the supergroup
	// to, both "telegram:ID": Telegram takes no more messages for from.
	Moved func(from, to string)
	// ChannelPost, when set, is told of each post in a public channel the
	// bot is a member of: the channel's username, the post's id, its text
	// (or caption) and time. The same posts can be read from the channel's
	// web preview; the caller gives them the same identity.
	ChannelPost func(channel string, post int64, text string, at time.Time)
}

// Listen receives updates by long polling (getUpdates) and runs the
// commands in them until ctx is done, then waits for the commands it
// started to end (they see ctx done) and returns nil. It never returns
// sooner: when getUpdates fails it logs once, waits (doubling from
// backoffMin to backoffMax, jittered, at least the retry_after of a 429)
// and tries again, and logs again when it works. Only one process may poll
// a bot's updates (Telegram answers 409 to the other, and while a webhook
// is set: see DeleteWebhook).
//
// A message is a command when it starts with a bot_command entity:
// "/subscribe unsc", "/lookup@AlertBot query". A command addressed to
// another bot ("/cmd@OtherBot") is ignored, in any chat; the bot's name is
// compared without regard to case. Each command becomes a bot.Command:
//
//   - Chat: "telegram:ID", or "telegram:ID/THREAD" for a message in a
//     forum topic (is_topic_message; not for a reply thread in a plain
//     supergroup, which also has a message_thread_id);
//   - User: the sender's user id;
//   - Admin: true in a private chat, for a user in ListenOptions.Admins,
//     for an anonymous administrator (a message sent as the group itself),
//     and for the chat's creator and administrators (getChatMember, its
//     answer kept for memberTTL; when it fails, false);
//   - Text: the command without "/" and the bot's name, a space, and the
//     rest of the text as it was typed, trimmed: "lookup query".
//
// Commands run concurrently, up to maxInFlight at once, each within
// commandTimeout. The reply goes to the same chat and topic as plain
// text (no parse_mode: nothing in it is markup, so it needs no escaping),
// without link previews, split at line breaks into messages of at most
// MaxTextChars characters, and paced like Send. A reply that cannot be
// sent is logged and dropped: the user can ask again.
//
// A my_chat_member update in which the bot left, was removed or was
// blocked is reported to ListenOptions.Gone; a message saying the group
// migrated to a supergroup (migrate_to_chat_id), to ListenOptions.Moved.
// Both are called from Listen's loop, one at a time, and should be quick.
//
// Updates are confirmed (the next offset) once their commands have been
// started, so a command whose process dies meanwhile is not run again.
func (m *Messenger) Listen(ctx context.Context, cmds bot.Commands, opt ListenOptions) error {
	l := newListener(m, cmds, opt)
	defer l.wg.Wait()
	wait := opt.PollTimeout
	if wait <= 0 {
		wait = DefaultPollTimeout
	}
	var offset int64
	failures := 0
	for ctx.Err() == nil {
		start := time.Now()
		updates, err := l.poll(ctx, offset, wait)
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			failures++
			if failures == 1 {
				l.log.Warn("telegram: getUpdates failed; retrying with backoff", "error", err)
			}
			if !sleep(ctx, backoff(failures, err)) {
				break
			}
			continue
		}
		if failures > 0 {
			l.log.Info("telegram: getUpdates works again", "attempt", failures+1)
			failures = 0
		}
		for _, raw := range updates {
			var u update
			if err := json.Unmarshal(raw, &u); err != nil {
				// Skip it: the id alone still moves the offset on.
				var id struct {
					UpdateID int64 `json:"update_id"`
				}
				json.Unmarshal(raw, &id)
				u = update{UpdateID: id.UpdateID}
				l.log.Warn("telegram: undecodable update", "update_id", id.UpdateID, "error", err)
			}
			offset = max(offset, u.UpdateID+1)
			l.handle(ctx, &u)
		}
		if len(updates) == 0 && !sleep(ctx, pollMinInterval-time.Since(start)) {
			break
		}
	}
	return nil
}

// poll calls getUpdates once.
func (l *listener) poll(ctx context.Context, offset int64, wait time.Duration) ([]json.RawMessage, error) {
	ctx, cancel := context.WithTimeout(ctx, wait+pollSlack)
	defer cancel()
	params := tgbotapi.Params{
		"timeout":         strconv.Itoa(int(wait / time.Second)),
		"allowed_updates": allowedUpdates,
	}
	if offset > 0 {
		params["offset"] = strconv.FormatInt(offset, 10)
	}
	resp, err := l.m.call(ctx, "getUpdates", params)
	if err != nil {
		return nil, err
	}
	var updates []json.RawMessage
	if err := json.Unmarshal(resp.Result, &updates); err != nil {
		return nil, fmt.Errorf("telegram: getUpdates: %w", err)
	}
	return updates, nil
}

// backoff is the wait after the failures-th failed getUpdates in a row:
// backoffMin doubled each time up to backoffMax, between half of that and
// all of it, and at least Telegram's retry_after.
func backoff(failures int, err error) time.Duration {
	d := backoffMax
	if failures < 16 {
		d = min(backoffMax, backoffMin<<(failures-1))
	}
	d = d/2 + rand.N(d/2+1)
	if te, ok := errors.AsType[*tgbotapi.Error](err); ok && te.RetryAfter > 0 {
		d = max(d, time.Duration(te.RetryAfter)*time.Second)
	}
	return d
}

// sleep waits d, or until ctx is done, and reports whether ctx is not.
func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// SetWebhook tells Telegram to post updates to url, an HTTPS URL served by
// WebhookHandler, with secret as the secret token (1–256 characters of
// A-Z, a-z, 0-9, "_" and "-"; required here, so that WebhookHandler can
// tell Telegram's requests from anyone's). While a webhook is set,
// getUpdates fails: Listen cannot run.
func (m *Messenger) SetWebhook(ctx context.Context, url, secret string) error {
	if secret == "" {
		return errors.New("telegram: set webhook: no secret token")
	}
	_, err := m.call(ctx, "setWebhook", tgbotapi.Params{
		"url":             url,
		"secret_token":    secret,
		"allowed_updates": allowedUpdates,
	})
	return err
}

// DeleteWebhook removes the webhook, keeping the updates not yet
// delivered, so that Listen can poll them.
func (m *Messenger) DeleteWebhook(ctx context.Context) error {
	_, err := m.call(ctx, "deleteWebhook", tgbotapi.Params{})
	return err
}

// WebhookHandler serves the updates Telegram posts to the webhook (see
// SetWebhook) and handles them as Listen does. A request without
// ListenOptions.Secret in the X-Telegram-Bot-Api-Secret-Token header
// (compared in constant time) gets 403 and is not read; a request that is
// not a POST, 405. Otherwise the answer is 200, also for an update that
// cannot be decoded (logged: Telegram would only post it again).
//
// The handler answers once the update's command has been started, not
// when it is done: the command runs in a goroutine of its own, within
// commandTimeout, whatever becomes of the request, while Telegram moves
// on. Up to maxInFlight commands run at once; beyond that the handler
// waits for a slot before it answers, which slows Telegram down. Commands
// still running when the server shuts down are cut off at commandTimeout
// at most. Gone and Moved are called before the answer, from concurrent
// requests.
func (m *Messenger) WebhookHandler(cmds bot.Commands, opt ListenOptions) http.Handler {
	l := newListener(m, cmds, opt)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got := r.Header.Get(SecretHeader)
		if opt.Secret == "" || subtle.ConstantTimeCompare([]byte(got), []byte(opt.Secret)) != 1 {
			http.Error(w, "forbidden", http.StatusForbidden)
			return
		}
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, webhookMaxBody))
		if err != nil {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		var u update
		if err := json.Unmarshal(body, &u); err != nil {
			l.log.Warn("telegram: undecodable update", "error", err)
			w.WriteHeader(http.StatusOK)
			return
		}
		l.handle(context.WithoutCancel(r.Context()), &u)
		w.WriteHeader(http.StatusOK)
	})
}

// The parts of an update that Listen and WebhookHandler use, with what
// v5.5.1 leaves out (PROTOCOLS.md §1.4).
type (
	update struct {
		UpdateID     int64              `json:"update_id"`
		Message      *message           `json:"message"`
		ChannelPost  *message           `json:"channel_post"`
		MyChatMember *chatMemberUpdated `json:"my_chat_member"`
	}
	message struct {
		MessageID       int64    `json:"message_id"`
		From            *user    `json:"from"`
		SenderChat      *chat    `json:"sender_chat"`
		Chat            chat     `json:"chat"`
		ThreadID        int64    `json:"message_thread_id"`
		IsTopicMessage  bool     `json:"is_topic_message"`
		Date            int64    `json:"date"`
		Text            string   `json:"text"`
		Caption         string   `json:"caption"`
		Entities        []entity `json:"entities"`
		MigrateToChatID int64    `json:"migrate_to_chat_id"`
	}
	user struct {
		ID       int64  `json:"id"`
		IsBot    bool   `json:"is_bot"`
		Username string `json:"username"`
	}
	chat struct {
		ID       int64  `json:"id"`
		Type     string `json:"type"`     // private, group, supergroup, channel
		Username string `json:"username"` // public chats and channels
	}
	entity struct {
		Type   string `json:"type"`
		Offset int    `json:"offset"` // UTF-16 code units
		Length int    `json:"length"`
	}
	chatMemberUpdated struct {
		Chat          chat       `json:"chat"`
		From          user       `json:"from"`
		NewChatMember chatMember `json:"new_chat_member"`
	}
	chatMember struct {
		User   user   `json:"user"`
		Status string `json:"status"` // creator, administrator, member, restricted, left, kicked
	}
)

// listener handles updates for one Listen or WebhookHandler.
type listener struct {
	m      *Messenger
	cmds   bot.Commands
	opt    ListenOptions
	log    *slog.Logger
	admins map[int64]bool
	slots  chan struct{} // one per command running
	wg     sync.WaitGroup

	mu      sync.Mutex
	members map[[2]int64]memberEntry // (chat, user)
}

type memberEntry struct {
	admin bool
	at    time.Time
}

func newListener(m *Messenger, cmds bot.Commands, opt ListenOptions) *listener {
	l := &listener{
		m:       m,
		cmds:    cmds,
		opt:     opt,
		log:     opt.Log,
		admins:  map[int64]bool{},
		slots:   make(chan struct{}, maxInFlight),
		members: map[[2]int64]memberEntry{},
	}
	if l.log == nil {
		l.log = slog.New(slog.DiscardHandler)
	}
	for _, id := range opt.Admins {
		l.admins[id] = true
	}
	return l
}

// handle handles one update: it reports a chat gone or moved, and starts
// a command, waiting for a slot (or ctx) first.
func (l *listener) handle(ctx context.Context, u *update) {
	if mc := u.MyChatMember; mc != nil {
		if reason := goneReason(mc); reason != "" {
			chat := address(mc.Chat.ID, 0)
			l.log.Info("telegram: chat gone", "chat", chat, "reason", reason)
			if l.opt.Gone != nil {
				l.opt.Gone(chat, reason)
			}
		}
	}
	if p := u.ChannelPost; p != nil {
		if text := cmp.Or(p.Text, p.Caption); l.opt.ChannelPost != nil && p.Chat.Username != "" && text != "" {
			l.opt.ChannelPost(p.Chat.Username, p.MessageID, text, time.Unix(p.Date, 0).UTC())
		}
		return
	}
	msg := u.Message
	if msg == nil {
		return
	}
	if msg.MigrateToChatID != 0 {
		from, to := address(msg.Chat.ID, 0), address(msg.MigrateToChatID, 0)
		l.log.Info("telegram: chat moved", "chat", from, "to", to)
		if l.opt.Moved != nil {
			l.opt.Moved(from, to)
		}
		return
	}
	text, ok := commandText(msg, l.m.api.Self.UserName)
	if !ok {
		return
	}
	var thread int64
	if msg.IsTopicMessage && msg.ThreadID > 0 {
		thread = msg.ThreadID
	}
	c := bot.Command{Chat: address(msg.Chat.ID, thread), Text: text}
	if msg.From != nil {
		c.User = strconv.FormatInt(msg.From.ID, 10)
	}
	select {
	case l.slots <- struct{}{}:
	case <-ctx.Done():
		return
	}
	l.wg.Go(func() {
		defer func() { <-l.slots }()
		ctx, cancel := context.WithTimeout(ctx, commandTimeout)
		defer cancel()
		c.Admin = l.admin(ctx, msg)
		reply := l.cmds.Run(ctx, c)
		l.reply(ctx, msg.Chat.ID, thread, reply.Text)
	})
}

// goneReason says why the bot can no longer write to the chat of mc, ""
// when it still can.
func goneReason(mc *chatMemberUpdated) string {
	switch mc.NewChatMember.Status {
	case "kicked":
		if mc.Chat.Type == "private" {
			return "the user blocked the bot"
		}
		return "the bot was removed from the chat"
	case "left":
		return "the bot left the chat"
	}
	return ""
}

// address is the chat address of chat id and topic thread (0: none).
func address(id, thread int64) string {
	a := "telegram:" + strconv.FormatInt(id, 10)
	if thread > 0 {
		a += "/" + strconv.FormatInt(thread, 10)
	}
	return a
}

// commandText returns the bot.Command Text of msg, and whether msg is a
// command for the bot named botName: its text starts with a bot_command
// entity, "/name" or "/name@botName" (any case).
func commandText(msg *message, botName string) (string, bool) {
	if len(msg.Entities) == 0 || msg.Entities[0].Type != "bot_command" || msg.Entities[0].Offset != 0 {
		return "", false
	}
	end := utf16Index(msg.Text, msg.Entities[0].Length)
	if end < 2 || msg.Text[0] != '/' {
		return "", false
	}
	name, to, addressed := strings.Cut(msg.Text[1:end], "@")
	if name == "" || addressed && !strings.EqualFold(to, botName) {
		return "", false
	}
	if args := strings.TrimSpace(msg.Text[end:]); args != "" {
		return name + " " + args, true
	}
	return name, true
}

// utf16Index is the byte index in s after n UTF-16 code units.
func utf16Index(s string, n int) int {
	units := 0
	for i, r := range s {
		if units >= n {
			return i
		}
		units++
		if r > 0xffff {
			units++
		}
	}
	return len(s)
}

// admin reports whether the sender of msg may change the chat's
// subscriptions (see Listen).
func (l *listener) admin(ctx context.Context, msg *message) bool {
	switch {
	case msg.Chat.Type == "private":
		return true
	case msg.From != nil && l.admins[msg.From.ID]:
		return true
	case msg.SenderChat != nil && msg.SenderChat.ID == msg.Chat.ID:
		return true // an anonymous administrator, posting as the group
	case msg.From == nil || msg.Chat.Type != "group" && msg.Chat.Type != "supergroup":
		return false
	}
	key := [2]int64{msg.Chat.ID, msg.From.ID}
	l.mu.Lock()
	e, ok := l.members[key]
	l.mu.Unlock()
	if ok && time.Since(e.at) < memberTTL {
		return e.admin
	}

	resp, err := l.m.call(ctx, "getChatMember", tgbotapi.Params{
		"chat_id": strconv.FormatInt(msg.Chat.ID, 10),
		"user_id": strconv.FormatInt(msg.From.ID, 10),
	})
	var member chatMember
	if err == nil {
		err = json.Unmarshal(resp.Result, &member)
	}
	if err != nil {
		l.log.Warn("telegram: cannot tell whether a user is an administrator; taking them for not", "chat", address(msg.Chat.ID, 0), "user", msg.From.ID, "error", err)
		return false
	}
	isAdmin := member.Status == "creator" || member.Status == "administrator"
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.members) >= memberCacheMax {
		for k, e := range l.members {
			if time.Since(e.at) >= memberTTL {
				delete(l.members, k)
			}
		}
		if len(l.members) >= memberCacheMax {
			clear(l.members)
		}
	}
	l.members[key] = memberEntry{admin: isAdmin, at: time.Now()}
	return isAdmin
}

// reply sends text to chat id, topic thread, as plain text in parts of at
// most MaxTextChars characters, paced like Send; failures are logged.
func (l *listener) reply(ctx context.Context, id, thread int64, text string) {
	chat := address(id, thread)
	for _, part := range splitText(text, MaxTextChars) {
		params := tgbotapi.Params{
			"chat_id":                  strconv.FormatInt(id, 10),
			"text":                     part,
			"disable_web_page_preview": "true",
		}
		if thread > 1 {
			params["message_thread_id"] = strconv.FormatInt(thread, 10)
		}
		for try := 1; ; try++ {
			err := l.m.pace.wait(ctx, id)
			if err == nil {
				_, err = l.m.call(ctx, "sendMessage", params)
			}
			if err == nil {
				break
			}
			te, ok := errors.AsType[*tgbotapi.Error](err)
			if ok && te.Code == http.StatusTooManyRequests && try < replyTries {
				l.m.pace.holdChat(id, time.Now().Add(max(time.Duration(te.RetryAfter)*time.Second, time.Second)))
				continue
			}
			l.log.Warn("telegram: cannot reply to a command", "chat", chat, "attempt", try, "error", err)
			return
		}
	}
}

// splitText cuts s into parts of at most limit characters (code points),
// at line breaks where it can, else at a space, else anywhere between
// characters; parts that are only white space are dropped.
func splitText(s string, limit int) []string {
	var parts []string
	var cur strings.Builder
	n := 0 // characters in cur
	flush := func() {
		if p := strings.TrimRightFunc(cur.String(), unicode.IsSpace); strings.TrimSpace(p) != "" {
			parts = append(parts, p)
		}
		cur.Reset()
		n = 0
	}
	for _, line := range strings.SplitAfter(s, "\n") {
		ln := utf8.RuneCountInString(line)
		if n+ln > limit {
			flush()
		}
		for ln > limit {
			cut := cutAt(line, limit)
			parts = append(parts, strings.TrimRightFunc(line[:cut], unicode.IsSpace))
			line = line[cut:]
			ln = utf8.RuneCountInString(line)
		}
		cur.WriteString(line)
		n += ln
	}
	flush()
	return parts
}

// cutAt is where to cut s, longer than limit characters, to keep at most
// limit: after the last space among its first limit characters, if that is
// within cutSlack of the limit, else after the limit-th character.
func cutAt(s string, limit int) int {
	i, count, space := 0, 0, -1
	for j, r := range s {
		if count == limit {
			i = j
			break
		}
		if unicode.IsSpace(r) && count >= limit-cutSlack {
			space = j + utf8.RuneLen(r)
		}
		count++
	}
	if space > 0 {
		return space
	}
	return i
}

// call makes one Bot API request bounded by ctx; its error says the
// method and never carries the token.
func (m *Messenger) call(ctx context.Context, method string, params tgbotapi.Params) (*tgbotapi.APIResponse, error) {
	api := *m.api
	api.Client = m.doer(ctx)
	resp, err := api.MakeRequest(method, params)
	if err != nil {
		return nil, fmt.Errorf("telegram: %s: %w", method, m.scrub(err))
	}
	return resp, nil
}
