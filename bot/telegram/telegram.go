// Package telegram is the Messenger of the "telegram" platform: it sends
// alerts to Telegram chats through the Bot API, with
// github.com/go-telegram-bot-api/telegram-bot-api/v5 (v5.5.1), which stays
// inside this package.
//
// # Chats
//
// A chat is "telegram:ID" or "telegram:ID/THREAD" (ParseChat): ID is the
// chat id (a user, a group -4…, a supergroup or channel -100…), THREAD a
// forum topic. v5.5.1 knows nothing of topics, so Send calls sendMessage
// through BotAPI.MakeRequest with message_thread_id itself; thread 1, the
// General topic, is sent without it, as the Bot API requires
// (PROTOCOLS.md §1.10).
//
// # Messages
//
// An alert is one message in parse mode HTML, built by Render from
// bot.Layout, with link previews off. All outside text is escaped; the
// text stays within MaxTextChars by trimming, never by splitting. A
// digest (SendDigest, RenderDigest) is split between lines into messages
// within the same limits, each paced like an alert; a retry resumes after
// the last part Telegram accepted.
//
// # Pacing and errors
//
// Send paces itself under Telegram's limits before they are hit: at most
// one message a second to a chat, 20 a minute to a group (any negative
// chat id), 30 a second in all. It blocks until a message may go, or
// returns ctx's error when ctx is done first; when ctx's deadline comes
// before the wait would end, it returns *bot.RetryAfter at once, so the
// job is snoozed rather than failed. The pacer is a small one of our own
// (pace.go), per Messenger: replicas do not share it, and Telegram's 429s
// cover the rest. Its time is the time package's, faked in tests with
// testing/synctest.
//
// Errors of Send, all prefixed "telegram: send to CHAT:":
//   - 429 Too Many Requests: *bot.RetryAfter with parameters.retry_after
//     (at least a second); later sends to that chat also wait it out.
//   - 403 Forbidden (the bot was blocked or kicked, is not a member, the
//     user is deactivated, the group deleted: Telegram never takes a
//     message there again): wraps bot.ErrChatGone, with Telegram's
//     description.
//   - 400 with parameters.migrate_to_chat_id: *Migrated (see there).
//   - anything else, a bad chat address included: a plain error, taken as
//     transient.
//
// # The token
//
// The bot token is part of every request URL. No error of this package
// contains it: the URL in a *url.Error is redacted, and so is any message
// that would still carry it. Send does not log; Listen and WebhookHandler
// log through ListenOptions.Log, never with the token. The library's debug
// logging stays off.
package telegram

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/alertbot/alertbot/bot"
)

// DefaultAPIURL is the Bot API of Telegram's cloud (config telegram.api_url).
const DefaultAPIURL = "https://api.telegram.org"

var _ bot.Messenger = (*Messenger)(nil)

// Messenger sends alerts to Telegram chats. It is safe for concurrent use.
type Messenger struct {
	api    *tgbotapi.BotAPI
	token  string
	client *http.Client
	tz     *time.Location
	pace   *pacer
}

// Option configures a Messenger.
type Option func(*Messenger)

// WithHTTPClient makes the Messenger use c (default: an http.Client of its
// own; Send's ctx bounds each request).
func WithHTTPClient(c *http.Client) Option { return func(m *Messenger) { m.client = c } }

// WithLocation shows times in tz as well as in UTC (default time.Local;
// nil: UTC only).
func WithLocation(tz *time.Location) Option { return func(m *Messenger) { m.tz = tz } }

// New returns a Messenger for the bot with token, talking to the Bot API
// at apiURL (DefaultAPIURL when ""; a self-hosted Bot API server, or a
// fake in tests). It checks the token with getMe, as the library does,
// bounded by ctx.
func New(ctx context.Context, token, apiURL string, opts ...Option) (*Messenger, error) {
	if token == "" {
		return nil, errors.New("telegram: no bot token")
	}
	if apiURL == "" {
		apiURL = DefaultAPIURL
	}
	m := &Messenger{token: token, client: &http.Client{}, tz: time.Local, pace: newPacer()}
	for _, opt := range opts {
		opt(m)
	}
	// The library builds each URL with fmt.Sprintf(endpoint, token, method).
	endpoint := strings.ReplaceAll(strings.TrimRight(apiURL, "/"), "%", "%%") + "/bot%s/%s"
	api, err := tgbotapi.NewBotAPIWithClient(token, endpoint, m.doer(ctx))
	if err != nil {
		return nil, fmt.Errorf("telegram: getMe: %w", m.scrub(err))
	}
	api.Client = m.doer(context.Background()) // Send gives each call its ctx
	m.api = api
	return m, nil
}

// ParseChat splits a chat address, "telegram:ID" or "telegram:ID/THREAD",
// into the chat id and the forum topic (0 when none).
func ParseChat(chat string) (id, thread int64, err error) {
	rest, ok := strings.CutPrefix(chat, "telegram:")
	if !ok {
		return 0, 0, fmt.Errorf("chat %q: not a telegram chat", chat)
	}
	idText, threadText, hasThread := strings.Cut(rest, "/")
	id, err = strconv.ParseInt(idText, 10, 64)
	if err != nil || id == 0 {
		return 0, 0, fmt.Errorf("chat %q: bad chat id", chat)
	}
	if hasThread {
		thread, err = strconv.ParseInt(threadText, 10, 64)
		if err != nil || thread <= 0 {
			return 0, 0, fmt.Errorf("chat %q: bad topic id", chat)
		}
	}
	return id, thread, nil
}

// Migrated is Send's error when the chat, a group, became a supergroup:
// Telegram refuses the old id for good (400 "Bad Request: group chat was
// upgraded to a supergroup chat", parameters.migrate_to_chat_id). The
// caller should move what it keeps for Chat (subscriptions, digests) to
// NewChat() and send the alert there; nothing was sent.
//
// It wraps bot.ErrChatGone, since the old address takes no more messages:
// a caller that does not follow migrations pauses it, with this error's
// text, which names the new id, as the reason.
type Migrated struct {
	Chat string // the old address, as given to Send
	To   int64  // the supergroup's chat id
}

func (e *Migrated) Error() string {
	return fmt.Sprintf("group upgraded to supergroup %d: %v", e.To, bot.ErrChatGone)
}

func (e *Migrated) Unwrap() error { return bot.ErrChatGone }

// NewChat is the supergroup's address, "telegram:-100…". A basic group has
// no topics, so neither has it.
func (e *Migrated) NewChat() string { return "telegram:" + strconv.FormatInt(e.To, 10) }

// Send sends a to chat as one HTML message, paced under Telegram's limits.
// See the package doc for its errors.
func (m *Messenger) Send(ctx context.Context, chat string, a *bot.Alert) error {
	if err := m.sendHTML(ctx, chat, Render(a, a.ZoneOr(m.tz))); err != nil {
		return fmt.Errorf("telegram: send to %s: %w", chat, err)
	}
	return nil
}

// sendHTML sends text, in parse mode HTML, to chat, paced under
// Telegram's limits, and returns Send's errors without their prefix.
func (m *Messenger) sendHTML(ctx context.Context, chat, text string) error {
	id, thread, err := ParseChat(chat)
	if err != nil {
		return err
	}
	if err := m.pace.wait(ctx, id); err != nil {
		var early *tooEarly
		if errors.As(err, &early) {
			return &bot.RetryAfter{Wait: early.wait}
		}
		return err
	}
	params := tgbotapi.Params{
		"chat_id":                  strconv.FormatInt(id, 10),
		"text":                     text,
		"parse_mode":               tgbotapi.ModeHTML,
		"disable_web_page_preview": "true",
	}
	if thread > 1 {
		params["message_thread_id"] = strconv.FormatInt(thread, 10)
	}
	// A shallow copy of the BotAPI per call, to give its requests ctx: the
	// library's calls take none.
	api := *m.api
	api.Client = m.doer(ctx)
	_, err = api.MakeRequest("sendMessage", params)
	if err == nil {
		return nil
	}

	var te *tgbotapi.Error
	if !errors.As(err, &te) {
		return m.scrub(err)
	}
	switch {
	case te.Code == http.StatusTooManyRequests:
		wait := max(time.Duration(te.RetryAfter)*time.Second, time.Second)
		m.pace.holdChat(id, time.Now().Add(wait))
		return fmt.Errorf("%s: %w", te.Message, &bot.RetryAfter{Wait: wait})
	case te.MigrateToChatID != 0:
		return &Migrated{Chat: chat, To: te.MigrateToChatID}
	case te.Code == http.StatusForbidden:
		return fmt.Errorf("%s: %w", te.Message, bot.ErrChatGone)
	default:
		return m.scrub(err)
	}
}

// doer is the library's HTTP client for one call: requests carry ctx, and
// the token is taken out of the URL of a failed request's error.
func (m *Messenger) doer(ctx context.Context) tgbotapi.HTTPClient {
	return doer{ctx: ctx, m: m}
}

type doer struct {
	ctx context.Context
	m   *Messenger
}

func (d doer) Do(req *http.Request) (*http.Response, error) {
	resp, err := d.m.client.Do(req.WithContext(d.ctx))
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = &url.Error{Op: ue.Op, URL: d.m.redact(ue.URL), Err: ue.Err}
		}
		return nil, err
	}
	return resp, nil
}

const redacted = "<token>"

// redact replaces the token in s.
func (m *Messenger) redact(s string) string {
	s = strings.ReplaceAll(s, m.token, redacted)
	return strings.ReplaceAll(s, url.PathEscape(m.token), redacted)
}

// scrub returns err, or an error that reads as err with the token
// redacted and unwraps to it, should err's text still carry the token.
func (m *Messenger) scrub(err error) error {
	if msg := err.Error(); m.redact(msg) != msg {
		return &scrubbed{msg: m.redact(msg), err: err}
	}
	return err
}

type scrubbed struct {
	msg string
	err error
}

func (e *scrubbed) Error() string { return e.msg }
func (e *scrubbed) Unwrap() error { return e.err }
