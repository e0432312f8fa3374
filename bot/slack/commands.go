package slack

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	slackapi "github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/alertbot/alertbot/bot"
)

// Chat commands reach the bot three ways: a slash command over HTTP
// (CommandHandler), a mention of the bot over the Events API
// (EventsHandler), or either of them over Socket Mode (ListenSocket). All
// three run bot.Commands the same way:
//
//   - Command.Chat is "slack:" and the channel id, User the user id, Admin
//     whether the user is one of CommandOptions.Admins, Text the slash
//     command's text, or the mention's text without the mention.
//   - A slash command must be answered within 3 s (PROTOCOLS.md §2.1): an
//     answer that is ready within CommandOptions.Fast (2 s) is the answer
//     to the request itself; a slower one is acknowledged at once,
//     "working on it…" (ephemeral), and posted to the response_url when
//     ready.
//   - A mention is acknowledged at once; the answer is posted in the
//     channel (in the thread, when the mention was in one) with
//     chat.postMessage, paced like alerts.
//   - Answers are escaped as outside text (see escape): a reply that quotes
//     a feed cannot ping <!channel>, link or format.
//   - Slack resends an event it thinks was lost: an event_id or Socket
//     Mode envelope_id already seen is acknowledged and not run again.
//   - At most CommandOptions.MaxRunning commands run at once; beyond, the
//     user is told to try again. Work that outlives a request stops when
//     CommandOptions.Context (ListenSocket: its ctx) is done.

// Defaults of CommandOptions and limits of the command handlers.
const (
	// FastAnswer is how long a slash command may take to be answered in
	// the response itself: Slack wants the response within 3000 ms
	// (slash command docs), and the network takes its share.
	FastAnswer = 2 * time.Second
	// MaxRunning is the default cap on commands running at once.
	MaxRunning = 32

	// maxRequestBody caps the body of a request from Slack: a slash
	// command or an event is a few KB.
	maxRequestBody = 256 << 10
	// lateTimeout caps a command answered late, and its post to the
	// response_url, which Slack honours for 30 minutes.
	lateTimeout = 10 * time.Minute
	// seenFor is how long an event_id or envelope_id is remembered: Slack
	// retries an event 3 times, the last about 5 minutes after it (Events
	// API docs, "retries").
	seenFor = time.Hour
)

// Replies of the handlers themselves.
var (
	workingReply = bot.Reply{Text: "working on it…", Ephemeral: true}
	busyReply    = bot.Reply{Text: "busy: too many commands at once, try again in a moment", Ephemeral: true}
)

// CommandOptions configures the receiving of chat commands. The zero value
// is ready to use.
type CommandOptions struct {
	// Admins are the user ids (U0123…) of the configured admins: their
	// commands run with Command.Admin set. Nobody else is an admin.
	Admins []string
	// Context ends the work of the HTTP handlers that outlives a request
	// (answers posted late to a response_url, replies to mentions); the
	// default never ends. ListenSocket uses its own ctx instead.
	Context context.Context
	// Fast is how long a slash command may take to be answered in the
	// response itself (default FastAnswer); slower ones are acknowledged
	// and answered through the response_url.
	Fast time.Duration
	// MaxRunning caps the commands running at once (default MaxRunning).
	MaxRunning int
	// HTTPClient posts to response_urls (default http.DefaultClient).
	HTTPClient *http.Client
	// Logger logs what the handlers cannot answer to anyone: a failed
	// post, a bad request (default: discard).
	Logger *slog.Logger
}

// CommandHandler serves Slack's slash command requests (POST
// /slack/commands): it checks the request's v0 signature with
// signingSecret (401 Unauthorized, with nothing run, when it is missing,
// wrong or more than 5 minutes off), then runs the command's text with
// cmds and answers as the file comment above says. slashCommand is the
// command the app registered ("/alertbot"): requests for another one are
// answered as such; "" takes any.
func CommandHandler(signingSecret, slashCommand string, cmds bot.Commands, opt CommandOptions) http.Handler {
	r := newRunner(opt.Context, cmds, opt)
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, ok := verified(w, req, signingSecret, r.log)
		if !ok {
			return
		}
		req.Body = io.NopCloser(bytes.NewReader(body))
		sc, err := slackapi.SlashCommandParse(req)
		if err != nil {
			http.Error(w, "bad form", http.StatusBadRequest)
			return
		}
		if slashCommand != "" && sc.Command != slashCommand {
			writeReply(w, bot.Reply{Text: fmt.Sprintf("this app answers %s, not %s", slashCommand, sc.Command), Ephemeral: true})
			return
		}
		if !validID(sc.ChannelID) {
			http.Error(w, "bad channel_id", http.StatusBadRequest)
			return
		}
		c := r.command(sc.ChannelID, sc.UserID, sc.Text)
		writeReply(w, r.answer(req.Context(), c, sc.ResponseURL))
	})
}

// EventsHandler serves the Events API (POST /slack/events): it checks the
// request's signature as CommandHandler does, answers url_verification
// challenges, and runs the text of app_mention events as commands, with
// the mention of the bot taken out; m posts the answers in the channel.
// Every other event is acknowledged and ignored.
func EventsHandler(signingSecret string, cmds bot.Commands, m *Messenger, opt CommandOptions) http.Handler {
	r := newRunner(opt.Context, cmds, opt)
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, ok := verified(w, req, signingSecret, r.log)
		if !ok {
			return
		}
		ev, err := slackevents.ParseEvent(body, slackevents.OptionNoVerifyToken()) // the signature stands for the token
		if ev.Type == slackevents.URLVerification {
			v, _ := ev.Data.(*slackevents.EventsAPIURLVerificationEvent)
			if err != nil || v == nil {
				http.Error(w, "bad url_verification", http.StatusBadRequest)
				return
			}
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			io.WriteString(w, v.Challenge)
			return
		}
		// Anything else is acknowledged, even what we cannot parse (an
		// event type slack-go does not know): Slack would only resend it.
		w.WriteHeader(http.StatusOK)
		if err != nil {
			r.log.Debug("slack: events: unparsed event", "error", err)
			return
		}
		m.mentioned(r, ev)
	})
}

// verified reads req's body and checks its signature. When it returns
// false it has answered the request.
func verified(w http.ResponseWriter, req *http.Request, secret string, log *slog.Logger) ([]byte, bool) {
	if req.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return nil, false
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, req.Body, maxRequestBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			http.Error(w, "request too large", http.StatusRequestEntityTooLarge)
		} else {
			http.Error(w, "bad request", http.StatusBadRequest)
		}
		return nil, false
	}
	if err := verify(req.Header, body, secret); err != nil {
		log.Warn("slack: rejected request", "path", req.URL.Path, "error", err)
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return nil, false
	}
	return body, true
}

// verify checks the v0 signature of a request from Slack (PROTOCOLS.md
// §2.2): headers present, timestamp within 5 minutes either way, and the
// HMAC of the raw body.
func verify(header http.Header, body []byte, secret string) error {
	sv, err := slackapi.NewSecretsVerifier(header, secret)
	if err != nil {
		return fmt.Errorf("slack: verify request: %w", err)
	}
	sv.Write(body)
	if err := sv.Ensure(); err != nil {
		return fmt.Errorf("slack: verify request: %w", err)
	}
	return nil
}

// response is the JSON of an answer to a slash command: in the response,
// in a Socket Mode ack, or posted to a response_url.
type response struct {
	ResponseType string `json:"response_type"`
	Text         string `json:"text"`
}

func responseOf(r bot.Reply) response {
	t := slackapi.ResponseTypeInChannel
	if r.Ephemeral {
		t = slackapi.ResponseTypeEphemeral
	}
	return response{ResponseType: t, Text: replyText(r.Text)}
}

// writeReply answers a slash command request with r; an empty reply is an
// empty 200, which Slack takes as "received" and shows nothing.
func writeReply(w http.ResponseWriter, r bot.Reply) {
	if strings.TrimSpace(r.Text) == "" {
		w.WriteHeader(http.StatusOK)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	json.NewEncoder(w).Encode(responseOf(r))
}

// replyText is the text of a reply as mrkdwn: escaped as outside text,
// so a reply that quotes a feed can form no mention, link or formatting;
// a line starting with > starts with › instead, so it is not a quote; cut
// to MaxText.
func replyText(text string) string {
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, ">") {
			lines[i] = "›" + l[1:]
		}
	}
	return fit([]piece{{text: strings.Join(lines, "\n")}}, MaxText)
}

// inboundText undoes what Slack and we do to text: Slack sends & < > of
// what users typed as entities (message formatting docs), and our replies
// show * _ ~ ` as look-alikes (see escaper), which users copy back into
// commands ("subscribe diplomat＿summoned").
var inboundText = strings.NewReplacer(
	"&lt;", "<", "&gt;", ">", "&amp;", "&",
	"\u2217", "*", "\uff3f", "_", "\u223c", "~", "\u02cb", "`",
)

// mentionRe matches a mention of a user: <@U0123> or <@U0123|name>.
var mentionRe = regexp.MustCompile(`<@([A-Z0-9]+)(?:\|[^>]*)?>`)

// stripMention returns the text of a mention of the bot without the
// mention: every mention of botID, or, when botID is not known, the
// leading mention.
func stripMention(text, botID string) string {
	if botID != "" {
		text = mentionRe.ReplaceAllStringFunc(text, func(m string) string {
			if mentionRe.FindStringSubmatch(m)[1] == botID {
				return " "
			}
			return m
		})
	} else if loc := mentionRe.FindStringIndex(strings.TrimSpace(text)); loc != nil && loc[0] == 0 {
		text = strings.TrimSpace(text)[loc[1]:]
	}
	return strings.Join(strings.Fields(text), " ")
}

// runner runs commands for the handlers: bounded, deduplicated, answered
// in time.
type runner struct {
	base   context.Context // ends the work that outlives a request
	cmds   bot.Commands
	admins map[string]bool
	fast   time.Duration
	slots  chan struct{}
	client *http.Client
	log    *slog.Logger
	seen   *seenSet
	wg     sync.WaitGroup
}

func newRunner(base context.Context, cmds bot.Commands, opt CommandOptions) *runner {
	if base == nil {
		base = context.Background()
	}
	running := opt.MaxRunning
	if running <= 0 {
		running = MaxRunning
	}
	r := &runner{
		base:   base,
		cmds:   cmds,
		admins: map[string]bool{},
		fast:   opt.Fast,
		slots:  make(chan struct{}, running),
		client: opt.HTTPClient,
		log:    opt.Logger,
		seen:   newSeenSet(seenFor),
	}
	if r.fast <= 0 {
		r.fast = FastAnswer
	}
	if r.client == nil {
		r.client = http.DefaultClient
	}
	if r.log == nil {
		r.log = slog.New(slog.DiscardHandler)
	}
	for _, id := range opt.Admins {
		r.admins[id] = true
	}
	return r
}

// command is the bot.Command of text from user in channel.
func (r *runner) command(channel, user, text string) bot.Command {
	return bot.Command{
		Chat:  "slack:" + channel,
		User:  user,
		Admin: r.admins[user],
		Text:  strings.TrimSpace(inboundText.Replace(text)),
	}
}

// start runs c in the background, if a slot is free, and gives its reply
// to deliver; it reports whether it started. Both stop when r.base is
// done, or after lateTimeout.
func (r *runner) start(c bot.Command, deliver func(ctx context.Context, reply bot.Reply)) bool {
	select {
	case r.slots <- struct{}{}:
	default:
		r.log.Warn("slack: too many commands at once", "chat", c.Chat)
		return false
	}
	r.wg.Go(func() {
		defer func() { <-r.slots }()
		ctx, cancel := context.WithTimeout(r.base, lateTimeout)
		defer cancel()
		deliver(ctx, r.cmds.Run(ctx, c))
	})
	return true
}

// answer runs c and returns its reply if it is ready within r.fast (and
// before reqCtx is done); else it returns workingReply, and the reply is
// posted to responseURL when it is ready.
func (r *runner) answer(reqCtx context.Context, c bot.Command, responseURL string) bot.Reply {
	ready := make(chan bot.Reply, 1)
	var taken atomic.Bool // by the first of: the reply (it is answered in time), the timer (it is late)
	started := r.start(c, func(ctx context.Context, reply bot.Reply) {
		if taken.CompareAndSwap(false, true) {
			ready <- reply
			return
		}
		r.respond(ctx, responseURL, reply)
	})
	if !started {
		return busyReply
	}
	timer := time.NewTimer(r.fast)
	defer timer.Stop()
	select {
	case reply := <-ready:
		return reply
	case <-timer.C:
	case <-reqCtx.Done():
	}
	if taken.CompareAndSwap(false, true) {
		return workingReply
	}
	return <-ready // it came just now
}

// respond posts reply to a slash command's responseURL.
func (r *runner) respond(ctx context.Context, responseURL string, reply bot.Reply) {
	if strings.TrimSpace(reply.Text) == "" {
		return
	}
	if !strings.HasPrefix(responseURL, "https://") && !strings.HasPrefix(responseURL, "http://") {
		r.log.Warn("slack: no response_url for a late answer", "response_url", responseURL)
		return
	}
	body, _ := json.Marshal(responseOf(reply))
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, responseURL, bytes.NewReader(body))
	if err != nil {
		r.log.Warn("slack: post to response_url", "error", err)
		return
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := r.client.Do(req)
	if err != nil {
		r.log.Warn("slack: post to response_url", "error", err)
		return
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		r.log.Warn("slack: post to response_url", "status", resp.StatusCode, "error", strings.TrimSpace(string(msg)))
	}
}

// mentioned runs the command of an app_mention event in ev, if it is
// one seen for the first time, and posts the reply in its channel.
func (m *Messenger) mentioned(r *runner, ev slackevents.EventsAPIEvent) {
	mention, ok := ev.InnerEvent.Data.(*slackevents.AppMentionEvent)
	if !ok || mention.BotID != "" || !validID(mention.Channel) {
		return // another event, a bot (perhaps us) mentioning us, or a channel we cannot post to
	}
	var botID string
	if cb, ok := ev.Data.(*slackevents.EventsAPICallbackEvent); ok {
		if !r.seen.first("event", cb.EventID) {
			return
		}
		for _, a := range cb.Authorizations {
			if a.IsBot {
				botID = a.UserID
			}
		}
	}
	c := r.command(mention.Channel, mention.User, stripMention(mention.Text, botID))
	deliver := func(ctx context.Context, reply bot.Reply) {
		m.reply(ctx, r.log, mention.Channel, mention.ThreadTimeStamp, reply)
	}
	r.start(c, deliver) // when it is busy, the mention goes unanswered: an answer would need a goroutine beyond the cap
}

// reply posts a reply to a command in channel (in the thread threadTS,
// if not ""), paced like alerts.
func (m *Messenger) reply(ctx context.Context, log *slog.Logger, channel, threadTS string, reply bot.Reply) {
	if strings.TrimSpace(reply.Text) == "" {
		return
	}
	if err := m.pace.wait(ctx, channel); err != nil {
		log.Warn("slack: reply to command", "chat", "slack:"+channel, "error", err)
		return
	}
	opts := []slackapi.MsgOption{
		slackapi.MsgOptionText(replyText(reply.Text), false), // escaped by replyText
		slackapi.MsgOptionDisableLinkUnfurl(),
		slackapi.MsgOptionDisableMediaUnfurl(),
	}
	if threadTS != "" {
		opts = append(opts, slackapi.MsgOptionTS(threadTS))
	}
	if _, _, err := m.api.PostMessageContext(ctx, channel, opts...); err != nil {
		log.Warn("slack: reply to command", "chat", "slack:"+channel, "error", err)
	}
}

// seenSet remembers ids for a while: the event_ids and envelope_ids of
// what Slack may resend.
type seenSet struct {
	ttl   time.Duration
	mu    sync.Mutex
	at    map[string]time.Time // kind + " " + id → when first seen
	prune int                  // drop the expired ids when there are this many
}

func newSeenSet(ttl time.Duration) *seenSet {
	return &seenSet{ttl: ttl, at: map[string]time.Time{}, prune: 1024}
}

// first reports whether the id of kind ("event", "envelope") is seen for
// the first time in ttl, and remembers it. An empty id is always new.
func (s *seenSet) first(kind, id string) bool {
	if id == "" {
		return true
	}
	key := kind + " " + id
	now := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if at, ok := s.at[key]; ok && now.Sub(at) < s.ttl {
		return false
	}
	if len(s.at) >= s.prune {
		for k, at := range s.at {
			if now.Sub(at) >= s.ttl {
				delete(s.at, k)
			}
		}
		s.prune = max(1024, 2*len(s.at))
	}
	s.at[key] = now
	return true
}
