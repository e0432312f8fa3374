package bottest

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/gorilla/websocket"
	"github.com/slack-go/slack/slacktest"
)

// Slack's limits that the fake enforces (PROTOCOLS.md §2.4, §2.6). Text is
// counted in characters (runes), as slack-go's own validators count it.
const (
	SlackMaxText           = 40000 // top-level text: msg_too_long beyond (chat.postMessage docs)
	SlackMaxBlocks         = 50    // blocks of a message (Block Kit reference: "up to 50")
	SlackMaxTextObject     = 3000  // a text object's text, and a section's text (Block Kit reference)
	SlackMaxField          = 2000  // each of a section's fields
	SlackMaxFields         = 10    // a section's fields
	SlackMaxHeader         = 150   // a header's plain_text (slack-go block_header.go)
	SlackMaxContext        = 10    // elements of a context block
	SlackMaxBlockID        = 255   // a block_id
	SlackMaxMarkdownBlocks = 12000 // markdown blocks' text, summed over a message
)

// SlackPost is one chat.postMessage call the fake received, accepted or
// not.
type SlackPost struct {
	Channel string
	Text    string          // the top-level text, as sent (escaped by the sender)
	Blocks  json.RawMessage // the blocks form field, as sent; nil when absent
	Form    url.Values      // the whole form: token, unfurl_links, …
	Status  int             // the HTTP status answered
	Error   string          // the error code answered; "" when accepted
	At      time.Time       // when it arrived, by the server's clock
}

// SlackFailure makes chat.postMessage fail for a channel (see
// SlackServer.Fail): HTTP Status (0 means 200) with the body
// {"ok":false,"error":Error}, and a Retry-After header of RetryAfter
// rounded up to whole seconds when it is > 0. Times > 0 fails that many
// calls, then the channel works again; 0 fails every call until the
// failure is replaced or cleared.
type SlackFailure struct {
	Status     int
	Error      string
	RetryAfter time.Duration
	Times      int
}

// SlackRateLimited is Slack's answer to too many calls: HTTP 429, a
// Retry-After header and {"ok":false,"error":"ratelimited"}.
func SlackRateLimited(wait time.Duration) SlackFailure {
	return SlackFailure{Status: http.StatusTooManyRequests, Error: "ratelimited", RetryAfter: wait}
}

// SlackError is a logical error: HTTP 200 with {"ok":false,"error":code},
// such as "channel_not_found", "not_in_channel" or "is_archived".
func SlackError(code string) SlackFailure { return SlackFailure{Error: code} }

// SlackInternalError is an HTTP 500 with an HTML body, as Slack sends on an
// outage.
func SlackInternalError() SlackFailure { return SlackFailure{Status: http.StatusInternalServerError} }

// SlackOption configures a SlackServer.
type SlackOption func(*SlackServer)

// SlackWithClock makes the server read the time from now: for its rate
// limit, and SlackPost.At. Default time.Now.
func SlackWithClock(now func() time.Time) SlackOption {
	return func(s *SlackServer) { s.now = now }
}

// SlackWithRateLimit sets the per-channel limit on chat.postMessage: one
// message per interval, with bursts of up to burst messages; burst < 1
// turns the limit off. Default: SlackRateInterval and SlackRateBurst.
func SlackWithRateLimit(interval time.Duration, burst int) SlackOption {
	return func(s *SlackServer) { s.interval, s.burst = interval, burst }
}

// SlackWithToken makes the server answer invalid_auth to any token but
// token (default: any non-empty token is accepted, an empty one is
// not_authed).
func SlackWithToken(token string) SlackOption {
	return func(s *SlackServer) { s.token = token }
}

// The fake's default per-channel limit on chat.postMessage: Slack allows
// "1 message per second per channel, short bursts allowed" (chat.postMessage
// docs, rate limits); the size of a burst is not published: 4 here.
const (
	SlackRateInterval = time.Second
	SlackRateBurst    = 4
)

// SlackServer is a fake Slack Web API for tests: slack-go's slacktest server
// with its own chat.postMessage, which records every call and answers as
// Slack does: it checks the token, the channel, the length of the text and
// the Block Kit limits of the blocks (invalid_blocks with Slack's errors),
// limits each channel to about one message per second (429 with
// Retry-After beyond a burst), and fails on demand per channel (Fail).
// Logical errors are HTTP 200 with {"ok":false,"error":…}, as on Slack.
// The other routes are slacktest's.
//
// Point slack-go at it with slack.OptionAPIURL(s.APIURL()). It is safe for
// concurrent use.
type SlackServer struct {
	srv *slacktest.Server

	now      func() time.Time
	interval time.Duration
	burst    int
	token    string

	mu       sync.Mutex
	posts    []SlackPost
	failures map[string]SlackFailure
	tat      map[string]time.Time // per channel: the rate limit's theoretical arrival time (GCRA)
	seq      int
	sock     slackSocket // Socket Mode and response_urls
}

// NewSlackServer starts a fake Slack API, stopped when the test ends.
func NewSlackServer(t testing.TB, opts ...SlackOption) *SlackServer {
	t.Helper()
	s := &SlackServer{
		now:      time.Now,
		interval: SlackRateInterval,
		burst:    SlackRateBurst,
		failures: map[string]SlackFailure{},
		tat:      map[string]time.Time{},
	}
	for _, opt := range opts {
		opt(s)
	}
	s.srv = slacktest.NewTestServer(func(c slacktest.Customize) {
		c.Handle("/chat.postMessage", s.postMessage)
		s.bindSocket(c)
	})
	s.srv.Start()
	t.Cleanup(s.srv.Stop)
	return s
}

// APIURL is the base URL for slack.OptionAPIURL, ending in "/".
func (s *SlackServer) APIURL() string { return s.srv.GetAPIURL() }

// Fail makes chat.postMessage to channel fail as f says; the zero
// SlackFailure clears it.
func (s *SlackServer) Fail(channel string, f SlackFailure) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f == (SlackFailure{}) {
		delete(s.failures, channel)
		return
	}
	s.failures[channel] = f
}

// Posts returns every chat.postMessage call received, in order.
func (s *SlackServer) Posts() []SlackPost {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.posts)
}

// Accepted returns the chat.postMessage calls that were accepted, in order.
func (s *SlackServer) Accepted() []SlackPost {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []SlackPost
	for _, p := range s.posts {
		if p.Status == http.StatusOK && p.Error == "" {
			out = append(out, p)
		}
	}
	return out
}

// slackAnswer is the body of an answer: ok, or an error with its details.
type slackAnswer struct {
	OK               bool            `json:"ok"`
	Error            string          `json:"error,omitempty"`
	Errors           []string        `json:"errors,omitempty"`
	Channel          string          `json:"channel,omitempty"`
	TS               string          `json:"ts,omitempty"`
	Message          *slackMessage   `json:"message,omitempty"`
	ResponseMetadata *slackResponseM `json:"response_metadata,omitempty"`
}

type slackMessage struct {
	Type    string          `json:"type"`
	Subtype string          `json:"subtype"`
	Text    string          `json:"text"`
	BotID   string          `json:"bot_id"`
	TS      string          `json:"ts"`
	Blocks  json.RawMessage `json:"blocks,omitempty"`
}

type slackResponseM struct {
	Messages []string `json:"messages"`
}

func (s *SlackServer) postMessage(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	form := url.Values{}
	if err := r.ParseForm(); err == nil {
		form = r.PostForm
	}
	if r.Header.Get("Authorization") != "" && form.Get("token") == "" {
		form.Set("token", trimBearer(r.Header.Get("Authorization")))
	}
	post := SlackPost{Channel: form.Get("channel"), Text: form.Get("text"), Form: form}
	if form.Has("blocks") {
		post.Blocks = json.RawMessage(form.Get("blocks"))
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	post.At = now
	answer, status, header := s.answer(post, now)
	post.Status, post.Error = status, answer.Error
	s.posts = append(s.posts, post)

	for k, v := range header {
		w.Header().Set(k, v)
	}
	if status == http.StatusInternalServerError {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(status)
		io.WriteString(w, "<html><body><h1>Internal Server Error</h1></body></html>")
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(answer)
}

func trimBearer(h string) string {
	const prefix = "Bearer "
	if len(h) > len(prefix) && h[:len(prefix)] == prefix {
		return h[len(prefix):]
	}
	return h
}

// answer decides the answer to a post, in Slack's order: authentication,
// the channel, failures set with Fail, the rate limit, the message.
// s.mu is held.
func (s *SlackServer) answer(p SlackPost, now time.Time) (slackAnswer, int, map[string]string) {
	fail := func(code string) (slackAnswer, int, map[string]string) {
		return slackAnswer{Error: code}, http.StatusOK, nil
	}
	switch token := p.Form.Get("token"); {
	case token == "":
		return fail("not_authed")
	case s.token != "" && token != s.token:
		return fail("invalid_auth")
	}
	if p.Channel == "" {
		return fail("channel_not_found")
	}

	if f, ok := s.failures[p.Channel]; ok {
		if f.Times > 0 {
			if f.Times--; f.Times == 0 {
				delete(s.failures, p.Channel)
			} else {
				s.failures[p.Channel] = f
			}
		}
		status := f.Status
		if status == 0 {
			status = http.StatusOK
		}
		var header map[string]string
		if f.RetryAfter > 0 {
			header = map[string]string{"Retry-After": strconv.Itoa(ceilSeconds(f.RetryAfter))}
		}
		return slackAnswer{Error: f.Error}, status, header
	}

	if s.burst > 0 {
		// GCRA: one message per interval, up to burst at once.
		tat := s.tat[p.Channel]
		if tat.Before(now) {
			tat = now
		}
		if allowed := tat.Add(-time.Duration(s.burst-1) * s.interval); now.Before(allowed) {
			return slackAnswer{Error: "ratelimited"}, http.StatusTooManyRequests,
				map[string]string{"Retry-After": strconv.Itoa(ceilSeconds(allowed.Sub(now)))}
		}
		// The message counts against the limit whether or not it is valid
		// (Slack's limits are on calls).
		s.tat[p.Channel] = tat.Add(s.interval)
	}

	if p.Text == "" && len(p.Blocks) == 0 {
		return fail("no_text")
	}
	if utf8.RuneCountInString(p.Text) > SlackMaxText {
		return fail("msg_too_long")
	}
	if p.Blocks != nil {
		var blocks []any
		if err := json.Unmarshal(p.Blocks, &blocks); err != nil {
			return fail("invalid_blocks_format")
		}
		if errs := checkBlocks(blocks); len(errs) > 0 {
			meta := make([]string, len(errs))
			for i, e := range errs {
				meta[i] = "[ERROR] " + e
			}
			return slackAnswer{Error: "invalid_blocks", Errors: errs, ResponseMetadata: &slackResponseM{Messages: meta}}, http.StatusOK, nil
		}
	}

	s.seq++
	ts := fmt.Sprintf("%d.%06d", now.Unix(), s.seq)
	return slackAnswer{
		OK: true, Channel: p.Channel, TS: ts,
		Message: &slackMessage{Type: "message", Subtype: "bot_message", Text: p.Text, BotID: "B0FAKEBOT", TS: ts, Blocks: p.Blocks},
	}, http.StatusOK, nil
}

func ceilSeconds(d time.Duration) int {
	return max(1, int((d+time.Second-1)/time.Second))
}

// SlackCheckBlocks checks the blocks of a message (a JSON array) as the
// fake's chat.postMessage does, against the limits of PROTOCOLS.md §2.6,
// and returns Slack's error strings, like
// "must be less than 3001 characters [json-pointer:/blocks/2/text/text]",
// or nil when Slack would take them ("invalid_blocks_format" when blocks
// is not a JSON array). It knows the blocks a message may hold (section,
// header, context, divider, markdown, image, actions, rich_text) and checks
// in depth those alertbot renders: section, header, context, markdown.
func SlackCheckBlocks(blocks json.RawMessage) []string {
	var list []any
	if err := json.Unmarshal(blocks, &list); err != nil {
		return []string{"invalid_blocks_format"}
	}
	return checkBlocks(list)
}

// SlackBlock is a block of a message as a reader sees it: its type and
// its text, a context block's elements joined by " | ".
type SlackBlock struct{ Type, Text string }

// SlackReadBlocks returns the blocks of a message (a JSON array), after
// checking that each of their text objects is verbatim mrkdwn, as
// alertbot sends all its text so that Slack makes no links or mentions of
// its own.
func SlackReadBlocks(t testing.TB, blocks json.RawMessage) []SlackBlock {
	t.Helper()
	var list []struct {
		Type string `json:"type"`
		Text *struct {
			Type, Text string
			Verbatim   bool
		} `json:"text"`
		Elements []struct {
			Type, Text string
			Verbatim   bool
		} `json:"elements"`
	}
	if err := json.Unmarshal(blocks, &list); err != nil {
		t.Fatal(err)
	}
	var out []SlackBlock
	for _, b := range list {
		var texts []string
		if b.Text != nil {
			if b.Text.Type != "mrkdwn" || !b.Text.Verbatim {
				t.Errorf("text object %+v, want verbatim mrkdwn", *b.Text)
			}
			texts = append(texts, b.Text.Text)
		}
		for _, e := range b.Elements {
			if e.Type != "mrkdwn" || !e.Verbatim {
				t.Errorf("element %+v, want verbatim mrkdwn", e)
			}
			texts = append(texts, e.Text)
		}
		out = append(out, SlackBlock{b.Type, strings.Join(texts, " | ")})
	}
	return out
}

func checkBlocks(blocks []any) []string {
	var c blockChecker
	if len(blocks) > SlackMaxBlocks {
		c.errorf("/blocks", "no more than %d items allowed", SlackMaxBlocks)
	}
	markdown := 0
	for i, b := range blocks {
		at := fmt.Sprintf("/blocks/%d", i)
		block, ok := b.(map[string]any)
		if !ok {
			c.errorf(at, "must provide an object")
			continue
		}
		if id, ok := block["block_id"]; ok {
			if s, ok := id.(string); !ok || s == "" {
				c.errorf(at+"/block_id", "must be a non-empty string")
			} else if utf8.RuneCountInString(s) > SlackMaxBlockID {
				c.errorf(at+"/block_id", "must be less than %d characters", SlackMaxBlockID+1)
			}
		}
		switch block["type"] {
		case "section":
			text, hasText := block["text"]
			fields, hasFields := block["fields"]
			if !hasText && !hasFields {
				c.errorf(at, "must contain one of the required properties: text, fields")
			}
			if hasText {
				c.textObject(at+"/text", text, SlackMaxTextObject, "plain_text", "mrkdwn")
			}
			if hasFields {
				list, ok := fields.([]any)
				switch {
				case !ok:
					c.errorf(at+"/fields", "must provide an array")
				case len(list) == 0:
					c.errorf(at+"/fields", "must provide at least 1 items")
				case len(list) > SlackMaxFields:
					c.errorf(at+"/fields", "no more than %d items allowed", SlackMaxFields)
				}
				for j, f := range list {
					c.textObject(fmt.Sprintf("%s/fields/%d", at, j), f, SlackMaxField, "plain_text", "mrkdwn")
				}
			}
		case "header":
			c.textObject(at+"/text", block["text"], SlackMaxHeader, "plain_text")
		case "context":
			list, ok := block["elements"].([]any)
			switch {
			case !ok:
				c.errorf(at+"/elements", "must provide an array")
			case len(list) == 0:
				c.errorf(at+"/elements", "must provide at least 1 items")
			case len(list) > SlackMaxContext:
				c.errorf(at+"/elements", "no more than %d items allowed", SlackMaxContext)
			}
			for j, e := range list {
				if m, ok := e.(map[string]any); ok && m["type"] == "image" {
					continue
				}
				c.textObject(fmt.Sprintf("%s/elements/%d", at, j), e, SlackMaxTextObject, "plain_text", "mrkdwn")
			}
		case "markdown":
			text, ok := block["text"].(string)
			if !ok || text == "" {
				c.errorf(at+"/text", "must be a non-empty string")
			}
			markdown += utf8.RuneCountInString(text)
		case "divider", "image", "actions", "rich_text":
		default:
			c.errorf(at, "failed to match all allowed schemas")
		}
	}
	if markdown > SlackMaxMarkdownBlocks {
		c.errorf("/blocks", "markdown blocks must be less than %d characters in total", SlackMaxMarkdownBlocks+1)
	}
	return c.errs
}

type blockChecker struct{ errs []string }

func (c *blockChecker) errorf(at, format string, args ...any) {
	c.errs = append(c.errs, fmt.Sprintf(format, args...)+" [json-pointer:"+at+"]")
}

// textObject checks a text object: one of types, text a non-empty string
// of at most max characters, no emoji on mrkdwn, no unknown property.
func (c *blockChecker) textObject(at string, v any, max int, types ...string) {
	obj, ok := v.(map[string]any)
	if !ok {
		c.errorf(at, "must provide an object")
		return
	}
	typ, _ := obj["type"].(string)
	if !slices.Contains(types, typ) {
		c.errorf(at, "failed to match all allowed schemas")
		c.errorf(at+"/type", "must be one of %q", types)
		return
	}
	for k := range obj {
		switch k {
		case "type", "text", "verbatim":
		case "emoji":
			if typ == "plain_text" {
				continue
			}
			c.errorf(at, "failed to match all allowed schemas")
			c.errorf(at, "invalid additional property: emoji")
		default:
			c.errorf(at, "invalid additional property: %s", k)
		}
	}
	text, ok := obj["text"].(string)
	switch n := utf8.RuneCountInString(text); {
	case !ok || n == 0:
		c.errorf(at+"/text", "must be more than 0 characters")
	case n > max:
		c.errorf(at+"/text", "must be less than %d characters", max+1)
	}
}

// SlackSignature returns the v0 signature Slack sends in X-Slack-Signature
// for body at timestamp (PROTOCOLS.md §2.2): "v0=" and the hex HMAC-SHA256,
// keyed by the signing secret, of "v0:TIMESTAMP:BODY".
func SlackSignature(secret, timestamp string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	io.WriteString(mac, "v0:"+timestamp+":")
	mac.Write(body)
	return "v0=" + hex.EncodeToString(mac.Sum(nil))
}

// SlackSign signs r as Slack signs its requests to an app, at time at:
// it sets X-Slack-Request-Timestamp and X-Slack-Signature over the body,
// which it reads and puts back.
func SlackSign(r *http.Request, secret string, at time.Time) error {
	var body []byte
	if r.Body != nil {
		var err error
		if body, err = io.ReadAll(r.Body); err != nil {
			return fmt.Errorf("bottest: sign slack request: %w", err)
		}
		r.Body.Close()
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	ts := strconv.FormatInt(at.Unix(), 10)
	r.Header.Set("X-Slack-Request-Timestamp", ts)
	r.Header.Set("X-Slack-Signature", SlackSignature(secret, ts, body))
	return nil
}

// Socket Mode and response_url: the fake also plays Slack's side of a
// Socket Mode connection and of the response_url of slash commands.
//
// apps.connections.open answers {"ok":true,"url":"ws://…/socket"} (it
// needs an app-level token, xapp-…, as Slack's does: not_authed without
// one, invalid_auth for another kind); the websocket at /socket says hello,
// then writes the envelopes given to SocketSend, in order, and records
// every frame the app writes back (its acks). Envelopes sent while no app
// is connected wait for the next connection. slacktest's RTM websocket
// stays at /ws.
//
// ResponseURL hands out a response_url on the fake; the POSTs to it are
// recorded and answered "ok", as Slack does.

// SlackSocketAck is one frame an app wrote on a Socket Mode connection.
type SlackSocketAck struct {
	EnvelopeID string
	Payload    json.RawMessage // the ack's payload; nil when it has none
	Raw        json.RawMessage // the whole frame
}

// SlackResponse is one POST to a response_url of the fake.
type SlackResponse struct {
	Path         string          // the URL's path: /commands/…
	ContentType  string          // the request's Content-Type
	Body         json.RawMessage // the body, as sent
	ResponseType string          // from the body: "ephemeral", "in_channel" or ""
	Text         string          // from the body
}

// slackSocket is the state of the fake's Socket Mode side and
// response_urls. Its zero value is ready; SlackServer.mu guards it.
type slackSocket struct {
	queue     chan []byte // envelopes waiting for a connection; made on first use
	acks      []SlackSocketAck
	responses []SlackResponse
	conns     int
}

func (s *SlackServer) bindSocket(c slacktest.Customize) {
	c.Handle("/apps.connections.open", s.connectionsOpen)
	c.Handle("/socket", slacktest.Websocket(s.socketConn))
	c.Handle("/commands/", s.responseURL)
}

// socketQueue returns the queue of envelopes, made on first use.
func (s *SlackServer) socketQueue() chan []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sock.queue == nil {
		s.sock.queue = make(chan []byte, 1000)
	}
	return s.sock.queue
}

func (s *SlackServer) connectionsOpen(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	token := trimBearer(r.Header.Get("Authorization"))
	switch {
	case token == "":
		io.WriteString(w, `{"ok":false,"error":"not_authed"}`)
		return
	case len(token) < 5 || token[:5] != "xapp-":
		io.WriteString(w, `{"ok":false,"error":"invalid_auth"}`)
		return
	}
	u := "ws" + s.APIURL()[len("http"):] + "socket"
	json.NewEncoder(w).Encode(map[string]any{"ok": true, "url": u})
}

// socketConn serves one Socket Mode connection: hello, then the queued
// envelopes, while recording the app's frames, until either side closes.
func (s *SlackServer) socketConn(conn *websocket.Conn) {
	s.mu.Lock()
	s.sock.conns++
	s.mu.Unlock()
	queue := s.socketQueue()

	closed := make(chan struct{})
	go func() {
		defer close(closed)
		for {
			_, frame, err := conn.ReadMessage()
			if err != nil {
				return
			}
			ack := SlackSocketAck{Raw: json.RawMessage(frame)}
			var parsed struct {
				EnvelopeID string          `json:"envelope_id"`
				Payload    json.RawMessage `json:"payload"`
			}
			if json.Unmarshal(frame, &parsed) == nil {
				ack.EnvelopeID = parsed.EnvelopeID
				if len(parsed.Payload) > 0 && string(parsed.Payload) != "null" {
					ack.Payload = parsed.Payload
				}
			}
			s.mu.Lock()
			s.sock.acks = append(s.sock.acks, ack)
			s.mu.Unlock()
		}
	}()

	hello := `{"type":"hello","num_connections":1,"debug_info":{"host":"applink-fake","build_number":1,"approximate_connection_time":18060},"connection_info":{"app_id":"A0FAKEAPP"}}`
	if conn.WriteMessage(websocket.TextMessage, []byte(hello)) != nil {
		return
	}
	for {
		select {
		case <-closed:
			return
		case env := <-queue:
			if err := conn.WriteMessage(websocket.TextMessage, env); err != nil {
				queue <- env // for the next connection
				return
			}
		}
	}
}

// SocketSend sends a Socket Mode envelope (a JSON object such as
// {"envelope_id":…,"type":"slash_commands","payload":…}; a []byte or
// json.RawMessage is sent as is, anything else is marshalled) to the
// connected app, or to the next one to connect.
func (s *SlackServer) SocketSend(envelope any) error {
	var frame []byte
	switch e := envelope.(type) {
	case []byte:
		frame = e
	case json.RawMessage:
		frame = e
	case string:
		frame = []byte(e)
	default:
		var err error
		if frame, err = json.Marshal(e); err != nil {
			return fmt.Errorf("bottest: socket envelope: %w", err)
		}
	}
	s.socketQueue() <- frame
	return nil
}

// SocketAcks returns the frames apps wrote on Socket Mode connections, in
// order.
func (s *SlackServer) SocketAcks() []SlackSocketAck {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.sock.acks)
}

// SocketConnections returns how many Socket Mode connections were opened.
func (s *SlackServer) SocketConnections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sock.conns
}

// ResponseURL returns a response_url on the fake, named by id, to put in
// a slash command: https://hooks.slack.com/commands/… on Slack.
func (s *SlackServer) ResponseURL(id string) string {
	return s.APIURL() + "commands/T0FAKE/" + url.PathEscape(id)
}

func (s *SlackServer) responseURL(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	resp := SlackResponse{Path: r.URL.Path, ContentType: r.Header.Get("Content-Type"), Body: json.RawMessage(body)}
	var msg struct {
		ResponseType string `json:"response_type"`
		Text         string `json:"text"`
	}
	if err := json.Unmarshal(body, &msg); err != nil {
		s.mu.Lock()
		s.sock.responses = append(s.sock.responses, resp)
		s.mu.Unlock()
		http.Error(w, "invalid_payload", http.StatusBadRequest)
		return
	}
	resp.ResponseType, resp.Text = msg.ResponseType, msg.Text
	s.mu.Lock()
	s.sock.responses = append(s.sock.responses, resp)
	s.mu.Unlock()
	io.WriteString(w, "ok")
}

// Responses returns the POSTs to the fake's response_urls, in order.
func (s *SlackServer) Responses() []SlackResponse {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.sock.responses)
}
