package bottest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"
)

// Limits of the Telegram Bot API that the fake enforces.
const (
	// TelegramMaxTextChars is the most characters (code points) a message
	// may have after entity parsing (Bot API docs: "1-4096 characters after
	// entities parsing"; PROTOCOLS.md §1.6, §1.7).
	TelegramMaxTextChars = 4096
	// TelegramMaxTextBytes is the most bytes of raw text sendMessage takes,
	// checked before parsing (PROTOCOLS.md §1.6).
	TelegramMaxTextBytes = 32768

	// TelegramChatRate is how many messages a second one chat takes on
	// average, and TelegramChatBurst how many may come at once ("avoid
	// sending more than one message per second" in a chat, Bot API FAQ; the
	// real server tolerates short bursts).
	TelegramChatRate  = 1.0
	TelegramChatBurst = 3
	// TelegramGroupPerMinute is the most messages a group (a negative chat
	// id) takes in any 60 seconds (Bot API FAQ: "no more than 20 messages
	// per minute" in a group).
	TelegramGroupPerMinute = 20
	// TelegramPerSecond is the most messages the bot may send in any second,
	// to all chats (Bot API FAQ: "about 30 messages per second").
	TelegramPerSecond = 30
)

// Descriptions of the 403 errors for chats the bot can no longer write to
// (PROTOCOLS.md §1.6), for TelegramForbidden.
const (
	TelegramBlocked            = "Forbidden: bot was blocked by the user"
	TelegramDeactivated        = "Forbidden: user is deactivated"
	TelegramKickedGroup        = "Forbidden: bot was kicked from the group chat"
	TelegramKickedSupergroup   = "Forbidden: bot was kicked from the supergroup chat"
	TelegramNotMemberChannel   = "Forbidden: bot is not a member of the channel chat"
	TelegramNotMemberGroup     = "Forbidden: bot is not a member of the group chat"
	TelegramGroupDeleted       = "Forbidden: the group chat was deleted"
	telegramThreadNotFound     = "Bad Request: message thread not found"
	telegramMigrateDescription = "Bad Request: group chat was upgraded to a supergroup chat"
)

// TelegramError is an error answer of the Bot API: HTTP status Code, body
// {"ok":false,"error_code":Code,"description":Description} with
// "parameters" when RetryAfter or MigrateToChatID is set.
type TelegramError struct {
	Code            int
	Description     string
	RetryAfter      int   // seconds; also sent as the Retry-After header
	MigrateToChatID int64 // the supergroup a group became
}

// TelegramTooManyRequests is Telegram's flood wait: 429 "Too Many Requests:
// retry after N" with parameters.retry_after and the Retry-After header.
func TelegramTooManyRequests(retryAfter int) TelegramError {
	return TelegramError{Code: http.StatusTooManyRequests, Description: fmt.Sprintf("Too Many Requests: retry after %d", retryAfter), RetryAfter: retryAfter}
}

// TelegramForbidden is a 403 with one of the descriptions above
// (TelegramBlocked, TelegramKickedGroup, …).
func TelegramForbidden(description string) TelegramError {
	return TelegramError{Code: http.StatusForbidden, Description: description}
}

// TelegramMigrated is the answer for a group that became the supergroup to:
// 400 with parameters.migrate_to_chat_id.
func TelegramMigrated(to int64) TelegramError {
	return TelegramError{Code: http.StatusBadRequest, Description: telegramMigrateDescription, MigrateToChatID: to}
}

// TelegramInternal is a 500 "Internal Server Error: msg".
func TelegramInternal(msg string) TelegramError {
	return TelegramError{Code: http.StatusInternalServerError, Description: "Internal Server Error: " + msg}
}

// TelegramEntity is a message entity as the Bot API reports it. Offset and
// Length count UTF-16 code units.
type TelegramEntity struct {
	Type          string        `json:"type"`
	Offset        int           `json:"offset"`
	Length        int           `json:"length"`
	URL           string        `json:"url,omitempty"`      // text_link
	User          *TelegramUser `json:"user,omitempty"`     // text_mention
	Language      string        `json:"language,omitempty"` // pre
	CustomEmojiID string        `json:"custom_emoji_id,omitempty"`
}

// TelegramUser is the part of a User the fake reports.
type TelegramUser struct {
	ID        int64  `json:"id"`
	IsBot     bool   `json:"is_bot"`
	FirstName string `json:"first_name"`
	Username  string `json:"username,omitempty"`
}

// TelegramCall is one request the fake received, as it understood it.
type TelegramCall struct {
	Method    string            // as requested ("sendMessage", "SENDMESSAGE", …)
	Params    map[string]string // every parameter, from the query, form or JSON body
	ChatID    int64             // chat_id, 0 when missing or not a number
	ThreadID  int64             // message_thread_id as sent, 0 when missing
	Text      string            // text as sent
	ParseMode string            // parse_mode as sent
	Parsed    string            // the text after entity parsing, when it parsed
	Entities  []TelegramEntity  // the entities parsing found
	At        time.Time         // when it arrived, by the fake's clock

	// The answer.
	Status      int // HTTP status, == error_code
	Description string
	RetryAfter  int
}

// TelegramOption configures a TelegramServer.
type TelegramOption func(*TelegramServer)

// TelegramClock makes the fake read the time from now (default time.Now,
// which testing/synctest also fakes), for its rate limits.
func TelegramClock(now func() time.Time) TelegramOption {
	return func(s *TelegramServer) { s.now = now }
}

// TelegramNoLimits turns the rate limits off, for tests of other things
// that send fast.
func TelegramNoLimits() TelegramOption {
	return func(s *TelegramServer) { s.noLimits = true }
}

// TelegramServer is a fake Telegram Bot API. It answers getMe and
// sendMessage as the real server does (PROTOCOLS.md §1): routes
// /bot<TOKEN>/<method> with the method name in any case; takes parameters
// from the query string and from url-encoded, multipart or JSON bodies
// (a JSON null, and the literal "null" that go-telegram-bot-api sends for
// entities, mean absent); checks the text as sendMessage does (raw size,
// HTML parse mode with TelegramParseHTML, emptiness, length after parsing
// in code points), message_thread_id in forum chats (AddForumTopic), and
// its rate limits (per chat, per group, overall); and records every call.
// It also answers getUpdates (long polling the updates a test queued with
// QueueUpdate), setWebhook, deleteWebhook and getChatMember (see
// SetChatMember). Other methods get Telegram's answer to an unknown method.
//
// It can be told to fail: FailChat for every send to a chat, FailNext for
// the next calls. A TelegramServer is safe for concurrent use.
type TelegramServer struct {
	// Token is the bot token the fake accepts; other tokens get 401.
	Token string
	// URL is the base URL of a server started by StartTelegramServer,
	// for NewBotAPIWithAPIEndpoint(token, URL+"/bot%s/%s").
	URL string

	now      func() time.Time
	noLimits bool

	mu       sync.Mutex
	calls    []TelegramCall
	chatFail map[int64]TelegramError
	nextFail []TelegramError
	forums   map[int64]map[int64]bool
	lastID   int64
	buckets  map[int64]*telegramBucket
	groups   map[int64][]time.Time
	all      []time.Time

	// Updates, the webhook and chat members: see QueueUpdate.
	updates    []telegramUpdate
	lastUpdate int64
	queued     chan struct{} // closed and replaced when an update is queued
	webhook    TelegramWebhook
	members    map[[2]int64]string
}

// NewTelegramServer returns a fake that accepts token, as an http.Handler
// (use Client to call it in memory, or StartTelegramServer to listen).
func NewTelegramServer(token string, opts ...TelegramOption) *TelegramServer {
	s := &TelegramServer{
		Token:    token,
		now:      time.Now,
		chatFail: map[int64]TelegramError{},
		forums:   map[int64]map[int64]bool{},
		buckets:  map[int64]*telegramBucket{},
		groups:   map[int64][]time.Time{},
	}
	for _, opt := range opts {
		opt(s)
	}
	return s
}

// StartTelegramServer starts a fake on a loopback port, sets its URL, and
// closes it when the test ends.
func StartTelegramServer(t testing.TB, token string, opts ...TelegramOption) *TelegramServer {
	t.Helper()
	s := NewTelegramServer(token, opts...)
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	s.URL = srv.URL
	return s
}

// Client returns an *http.Client that hands each request to the fake in
// memory, without a socket: for tests inside a testing/synctest bubble,
// where a real connection would keep time from advancing. Any host works.
func (s *TelegramServer) Client() *http.Client {
	return &http.Client{Transport: telegramInMemory{s}}
}

type telegramInMemory struct{ h http.Handler }

func (m telegramInMemory) RoundTrip(r *http.Request) (*http.Response, error) {
	if err := r.Context().Err(); err != nil {
		return nil, err
	}
	rec := httptest.NewRecorder()
	m.h.ServeHTTP(rec, r)
	resp := rec.Result()
	resp.Request = r
	return resp, nil
}

// AddForumTopic makes chat a forum (a supergroup with topics) with the
// topic thread. message_thread_id is ignored in other chats; in a forum,
// 1 (the General topic, which takes no thread id) and unknown topics get
// "Bad Request: message thread not found" (PROTOCOLS.md §1.10).
func (s *TelegramServer) AddForumTopic(chat, thread int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.forums[chat] == nil {
		s.forums[chat] = map[int64]bool{}
	}
	s.forums[chat][thread] = true
}

// FailChat makes every later call for chat (by chat_id) fail with e, until
// HealChat.
func (s *TelegramServer) FailChat(chat int64, e TelegramError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.chatFail[chat] = e
}

// HealChat undoes FailChat.
func (s *TelegramServer) HealChat(chat int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.chatFail, chat)
}

// FailNext makes the next n calls of any method but getMe fail with e
// (after the failures already queued).
func (s *TelegramServer) FailNext(n int, e TelegramError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.nextFail = append(s.nextFail, e)
	}
}

// Calls returns every call so far, in order of arrival.
func (s *TelegramServer) Calls() []TelegramCall {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.calls)
}

// Sent returns the sendMessage calls the fake accepted.
func (s *TelegramServer) Sent() []TelegramCall {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []TelegramCall
	for _, c := range s.calls {
		if strings.EqualFold(c.Method, "sendMessage") && c.Status == http.StatusOK {
			out = append(out, c)
		}
	}
	return out
}

// ServeHTTP answers one Bot API request.
func (s *TelegramServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rest, okPrefix := strings.CutPrefix(r.URL.Path, "/bot")
	token, method, okMethod := strings.Cut(rest, "/")
	if !okPrefix || !okMethod || method == "" || strings.Contains(method, "/") {
		writeTelegram(w, nil, TelegramError{Code: http.StatusNotFound, Description: "Not Found"})
		return
	}
	params, err := telegramParams(r)
	if strings.EqualFold(method, "getUpdates") && token == s.Token && err == nil {
		s.getUpdates(w, r, method, params) // long polls without holding s.mu
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	call := TelegramCall{Method: method, Params: params, At: s.now()}
	call.ChatID, _ = strconv.ParseInt(params["chat_id"], 10, 64)
	call.ThreadID, _ = strconv.ParseInt(params["message_thread_id"], 10, 64)
	call.Text, call.ParseMode = params["text"], params["parse_mode"]
	result, fail := s.answer(&call, token, err)
	call.Status, call.Description, call.RetryAfter = http.StatusOK, fail.Description, fail.RetryAfter
	if fail.Code != 0 {
		call.Status = fail.Code
		result = nil
	}
	s.calls = append(s.calls, call)
	writeTelegram(w, result, fail)
}

// answer works out the answer to a call: a result, or an error when
// fail.Code is not 0. s.mu is held.
func (s *TelegramServer) answer(call *TelegramCall, token string, paramErr error) (any, TelegramError) {
	if token != s.Token {
		return nil, TelegramError{Code: http.StatusUnauthorized, Description: "Unauthorized"}
	}
	if paramErr != nil {
		return nil, TelegramError{Code: http.StatusBadRequest, Description: "Bad Request: " + paramErr.Error()}
	}
	method := strings.ToLower(call.Method)
	switch method {
	case "getme":
		return s.me(), TelegramError{}
	case "sendmessage", "getchatmember", "setwebhook", "deletewebhook":
	default:
		return nil, TelegramError{Code: http.StatusNotFound, Description: "Not Found: method not found"}
	}

	if e, ok := s.chatFail[call.ChatID]; ok && call.Params["chat_id"] != "" {
		return nil, e
	}
	if len(s.nextFail) > 0 {
		e := s.nextFail[0]
		s.nextFail = s.nextFail[1:]
		return nil, e
	}
	if method != "sendmessage" {
		return s.answerUpdates(method, call)
	}
	return s.sendMessage(call)
}

func (s *TelegramServer) me() TelegramUser {
	id, _ := strconv.ParseInt(strings.SplitN(s.Token, ":", 2)[0], 10, 64)
	return TelegramUser{ID: id, IsBot: true, FirstName: "Alert", Username: "AlertBot"}
}

func telegramBad(desc string) TelegramError {
	return TelegramError{Code: http.StatusBadRequest, Description: "Bad Request: " + desc}
}

// sendMessage checks a sendMessage call in the order of the real server:
// the chat, the text, the topic, then the flood limits.
func (s *TelegramServer) sendMessage(call *TelegramCall) (any, TelegramError) {
	chatParam := call.Params["chat_id"]
	switch {
	case chatParam == "":
		return nil, telegramBad("chat_id is empty")
	case call.ChatID == 0:
		return nil, telegramBad("chat not found")
	}
	text, ok := call.Params["text"]
	if !ok || text == "" {
		return nil, telegramBad("message text is empty")
	}
	if len(text) > TelegramMaxTextBytes {
		return nil, telegramBad("text is too long")
	}
	if !utf8.ValidString(text) {
		// Wording unverified: the server rejects strings that are not UTF-8.
		return nil, telegramBad("strings must be encoded in UTF-8")
	}
	parsed, entities := text, []TelegramEntity(nil)
	switch strings.ToLower(call.ParseMode) {
	case "":
	case "html":
		var err error
		parsed, entities, err = TelegramParseHTML(text)
		if err != nil {
			return nil, telegramBad("can't parse entities: " + err.Error())
		}
	case "markdown", "markdownv2":
		// Not checked by this fake: the text is taken as it is.
	default:
		return nil, telegramBad("unsupported parse_mode")
	}
	call.Parsed, call.Entities = parsed, entities
	if strings.TrimSpace(parsed) == "" {
		return nil, telegramBad("message text is empty")
	}
	if utf8.RuneCountInString(parsed) > TelegramMaxTextChars {
		return nil, telegramBad("message is too long")
	}

	var thread int64
	if topics := s.forums[call.ChatID]; topics != nil && call.Params["message_thread_id"] != "" {
		if !topics[call.ThreadID] || call.ThreadID == 1 {
			return nil, telegramBad("message thread not found")
		}
		thread = call.ThreadID
	}

	now := call.At
	if !s.noLimits {
		if wait := s.floodWait(call.ChatID, now); wait > 0 {
			return nil, TelegramTooManyRequests(int(math.Ceil(wait.Seconds())))
		}
		s.record(call.ChatID, now)
	}

	s.lastID++
	msg := telegramMessage{
		MessageID: s.lastID,
		From:      s.me(),
		Chat:      telegramChat(call.ChatID, s.forums[call.ChatID] != nil),
		Date:      now.Unix(),
		Text:      parsed,
		Entities:  entities,
	}
	if thread != 0 {
		msg.ThreadID, msg.IsTopicMessage = thread, true
	}
	if call.Params["disable_web_page_preview"] == "true" {
		msg.LinkPreviewOptions = map[string]bool{"is_disabled": true}
	}
	return msg, TelegramError{}
}

// telegramMessage is a sent message, its fields in the server's order
// (PROTOCOLS.md §1.5).
type telegramMessage struct {
	MessageID          int64            `json:"message_id"`
	From               TelegramUser     `json:"from"`
	Chat               map[string]any   `json:"chat"`
	Date               int64            `json:"date"`
	ThreadID           int64            `json:"message_thread_id,omitempty"`
	Text               string           `json:"text"`
	Entities           []TelegramEntity `json:"entities,omitempty"`
	LinkPreviewOptions map[string]bool  `json:"link_preview_options,omitempty"`
	IsTopicMessage     bool             `json:"is_topic_message,omitempty"`
}

func telegramChat(id int64, forum bool) map[string]any {
	switch {
	case id > 0:
		return map[string]any{"id": id, "first_name": "Test", "type": "private"}
	case id <= -1000000000000:
		c := map[string]any{"id": id, "title": "Test", "type": "supergroup"}
		if forum {
			c["is_forum"] = true
		}
		return c
	default:
		return map[string]any{"id": id, "title": "Test", "type": "group", "all_members_are_administrators": true}
	}
}

// telegramBucket is a chat's token bucket: TelegramChatRate a second,
// TelegramChatBurst at most.
type telegramBucket struct {
	tokens float64
	at     time.Time
}

func (b *telegramBucket) fill(now time.Time) {
	if d := now.Sub(b.at); d > 0 {
		b.tokens = min(TelegramChatBurst, b.tokens+d.Seconds()*TelegramChatRate)
		b.at = now
	}
}

// floodWait returns how long a message to chat must wait at now, 0 if it
// may go. s.mu is held.
func (s *TelegramServer) floodWait(chat int64, now time.Time) time.Duration {
	var wait time.Duration
	if b := s.buckets[chat]; b != nil {
		b.fill(now)
		if b.tokens < 1 {
			wait = time.Duration((1 - b.tokens) / TelegramChatRate * float64(time.Second))
		}
	}
	if chat < 0 {
		s.groups[chat] = telegramSince(s.groups[chat], now.Add(-time.Minute))
		if g := s.groups[chat]; len(g) >= TelegramGroupPerMinute {
			wait = max(wait, g[len(g)-TelegramGroupPerMinute].Add(time.Minute).Sub(now))
		}
	}
	s.all = telegramSince(s.all, now.Add(-time.Second))
	if len(s.all) >= TelegramPerSecond {
		wait = max(wait, s.all[len(s.all)-TelegramPerSecond].Add(time.Second).Sub(now))
	}
	return wait
}

// record counts an accepted message to chat at now. s.mu is held.
func (s *TelegramServer) record(chat int64, now time.Time) {
	b := s.buckets[chat]
	if b == nil {
		b = &telegramBucket{tokens: TelegramChatBurst, at: now}
		s.buckets[chat] = b
	}
	b.fill(now)
	b.tokens--
	if chat < 0 {
		s.groups[chat] = append(s.groups[chat], now)
	}
	s.all = append(s.all, now)
}

// telegramSince drops the times not after from, in place.
func telegramSince(times []time.Time, from time.Time) []time.Time {
	i := 0
	for i < len(times) && !times[i].After(from) {
		i++
	}
	return times[i:]
}

// writeTelegram writes a Bot API answer: {"ok":true,"result":…}, or the
// error with HTTP status == error_code and, for a flood wait, the
// Retry-After header (PROTOCOLS.md §1.1).
func writeTelegram(w http.ResponseWriter, result any, e TelegramError) {
	w.Header().Set("Content-Type", "application/json")
	if e.Code == 0 {
		body, err := telegramJSON(struct {
			OK     bool `json:"ok"`
			Result any  `json:"result"`
		}{true, result})
		if err != nil {
			e = TelegramInternal(err.Error())
		} else {
			w.WriteHeader(http.StatusOK)
			w.Write(body)
			return
		}
	}
	type parameters struct {
		RetryAfter      int   `json:"retry_after,omitempty"`
		MigrateToChatID int64 `json:"migrate_to_chat_id,omitempty"`
	}
	var params *parameters
	if e.RetryAfter > 0 || e.MigrateToChatID != 0 {
		params = &parameters{e.RetryAfter, e.MigrateToChatID}
	}
	if e.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(e.RetryAfter))
	}
	body, _ := telegramJSON(struct {
		OK          bool        `json:"ok"`
		ErrorCode   int         `json:"error_code"`
		Description string      `json:"description"`
		Parameters  *parameters `json:"parameters,omitempty"`
	}{false, e.Code, e.Description, params})
	w.WriteHeader(e.Code)
	w.Write(body)
}

// telegramJSON encodes v as the server does: <, > and & as they are.
func telegramJSON(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// telegramParams reads a request's parameters as the Bot API does: from
// the query string, and from an url-encoded, multipart or JSON body. JSON
// null and the literal "null" (go-telegram-bot-api's nil slices) are
// dropped; other JSON values that are not strings keep their JSON text.
func telegramParams(r *http.Request) (map[string]string, error) {
	out := map[string]string{}
	add := func(vals url.Values) {
		for k, v := range vals {
			if len(v) > 0 && v[0] != "null" {
				out[k] = v[0]
			}
		}
	}
	add(r.URL.Query())
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "application/json":
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return out, err
		}
		if len(bytes.TrimSpace(body)) == 0 {
			return out, nil
		}
		var m map[string]json.RawMessage
		if err := json.Unmarshal(body, &m); err != nil {
			return out, fmt.Errorf("can't parse JSON object")
		}
		for k, raw := range m {
			var str string
			switch {
			case string(bytes.TrimSpace(raw)) == "null":
			case json.Unmarshal(raw, &str) == nil:
				out[k] = str
			default:
				out[k] = string(bytes.TrimSpace(raw))
			}
		}
	case "multipart/form-data":
		if err := r.ParseMultipartForm(1 << 20); err != nil {
			return out, err
		}
		add(r.MultipartForm.Value)
	case "application/x-www-form-urlencoded":
		if err := r.ParseForm(); err != nil {
			return out, err
		}
		add(r.PostForm)
	}
	return out, nil
}

// TelegramParseHTML parses text in the Bot API's HTML parse mode as the
// server does (tdlib td/telegram/MessageEntity.cpp parse_html;
// PROTOCOLS.md §1.7): it returns the text without tags and with the
// entities &lt; &gt; &amp; &quot; &#N; &#xH; decoded (others stay as they
// are), and the entities the tags make, in UTF-16 code units. Its errors
// are the server's, without the "Bad Request: can't parse entities: "
// prefix it adds: "Unsupported start tag \"foo\" at byte offset 17", …
func TelegramParseHTML(text string) (string, []TelegramEntity, error) {
	at := func(i int) byte {
		if i < len(text) {
			return text[i]
		}
		return 0
	}
	var out strings.Builder
	var entities []TelegramEntity
	type open struct {
		tag, arg string
		offset   int // UTF-16
		begin    int // byte offset in out
	}
	var stack []open
	utf16 := 0
	for i := 0; i < len(text); i++ {
		c := text[i]
		if c == '&' {
			if r, next, ok := telegramEntity(text, i); ok {
				if r >= 0xd800 && r <= 0xdfff {
					return "", nil, fmt.Errorf("Text contains invalid Unicode characters after decoding HTML entities, check for unmatched surrogate code units")
				}
				out.WriteRune(r)
				utf16 += telegramUTF16Len(r)
				i = next - 1
				continue
			}
		}
		if c != '<' {
			if c&0xc0 != 0x80 { // the first byte of a character
				utf16++
				if c >= 0xf0 {
					utf16++
				}
			}
			out.WriteByte(c)
			continue
		}

		begin := i
		i++
		if at(i) != '/' {
			for !telegramSpace(at(i)) && at(i) != '>' {
				i++
			}
			if at(i) == 0 {
				return "", nil, fmt.Errorf("Unclosed start tag at byte offset %d", begin)
			}
			tag := strings.ToLower(text[begin+1 : i])
			switch tag {
			case "a", "b", "strong", "i", "em", "s", "strike", "del", "u", "ins",
				"tg-spoiler", "tg-emoji", "span", "pre", "code", "blockquote":
			default:
				return "", nil, fmt.Errorf("Unsupported start tag \"%s\" at byte offset %d", tag, begin)
			}
			arg := ""
			for at(i) != '>' {
				for at(i) != 0 && telegramSpace(at(i)) {
					i++
				}
				if at(i) == '>' {
					break
				}
				nameStart := i
				for !telegramSpace(at(i)) && at(i) != '=' && at(i) != '>' {
					i++
				}
				name := text[nameStart:i]
				if name == "" {
					return "", nil, fmt.Errorf("Empty attribute name in the tag \"%s\" at byte offset %d", tag, begin)
				}
				for at(i) != 0 && telegramSpace(at(i)) {
					i++
				}
				if at(i) == 0 {
					return "", nil, fmt.Errorf("Unclosed start tag \"%s\" at byte offset %d", tag, begin)
				}
				if at(i) != '=' {
					// An attribute without a value: <blockquote expandable>.
					if tag == "blockquote" && name == "expandable" {
						arg = "1"
					}
					continue
				}
				i++
				for at(i) != 0 && telegramSpace(at(i)) {
					i++
				}
				if at(i) == 0 {
					return "", nil, fmt.Errorf("Unclosed start tag \"%s\" at byte offset %d", tag, begin)
				}
				var value string
				if q := at(i); q != '\'' && q != '"' {
					// A name token: letters, digits, '.' and '-', not case sensitive.
					tokenStart := i
					for telegramAlnum(at(i)) || at(i) == '.' || at(i) == '-' {
						i++
					}
					value = strings.ToLower(text[tokenStart:i])
					if !telegramSpace(at(i)) && at(i) != '>' {
						return "", nil, fmt.Errorf("Unexpected end of name token at byte offset %d", tokenStart)
					}
				} else {
					i++
					var v strings.Builder
					for at(i) != q && at(i) != 0 {
						if at(i) == '&' {
							if r, next, ok := telegramEntity(text, i); ok {
								v.WriteRune(r)
								i = next
								continue
							}
						}
						v.WriteByte(text[i])
						i++
					}
					if at(i) == q {
						i++
					}
					value = v.String()
				}
				if at(i) == 0 {
					return "", nil, fmt.Errorf("Unclosed start tag at byte offset %d", begin)
				}
				switch {
				case tag == "a" && name == "href":
					arg = value
				case tag == "code" && name == "class" && strings.HasPrefix(value, "language-"):
					arg = value[len("language-"):]
				case tag == "span" && name == "class" && strings.HasPrefix(value, "tg-"):
					arg = value[len("tg-"):]
				case tag == "tg-emoji" && name == "emoji-id":
					arg = value
				}
			}
			if tag == "span" && arg != "spoiler" {
				return "", nil, fmt.Errorf("Tag \"span\" must have class \"tg-spoiler\" at byte offset %d", begin)
			}
			stack = append(stack, open{tag: tag, arg: arg, offset: utf16, begin: out.Len()})
			continue
		}

		// An end tag.
		if len(stack) == 0 {
			return "", nil, fmt.Errorf("Unexpected end tag at byte offset %d", begin)
		}
		for !telegramSpace(at(i)) && at(i) != '>' {
			i++
		}
		endTag := strings.ToLower(text[begin+2 : i])
		for at(i) != 0 && telegramSpace(at(i)) {
			i++
		}
		if at(i) != '>' {
			return "", nil, fmt.Errorf("Unclosed end tag at byte offset %d", begin)
		}
		top := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if endTag != "" && endTag != top.tag {
			return "", nil, fmt.Errorf("Unmatched end tag at byte offset %d, expected \"</%s>\", found \"</%s>\"", begin, top.tag, endTag)
		}
		if utf16 <= top.offset {
			continue // an empty entity is dropped
		}
		e := TelegramEntity{Offset: top.offset, Length: utf16 - top.offset}
		last := func() *TelegramEntity {
			if n := len(entities); n > 0 && entities[n-1].Offset == e.Offset && entities[n-1].Length == e.Length {
				return &entities[n-1]
			}
			return nil
		}
		switch top.tag {
		case "i", "em":
			e.Type = "italic"
		case "b", "strong":
			e.Type = "bold"
		case "s", "strike", "del":
			e.Type = "strikethrough"
		case "u", "ins":
			e.Type = "underline"
		case "tg-spoiler", "span":
			e.Type = "spoiler"
		case "blockquote":
			e.Type = "blockquote"
			if top.arg == "1" {
				e.Type = "expandable_blockquote"
			}
		case "tg-emoji":
			id, err := strconv.ParseInt(top.arg, 10, 64)
			if err != nil || id <= 0 || strings.HasPrefix(top.arg, "+") {
				return "", nil, fmt.Errorf("Invalid custom emoji identifier specified")
			}
			e.Type, e.CustomEmojiID = "custom_emoji", top.arg
		case "a":
			link := top.arg
			if link == "" {
				link = out.String()[top.begin:]
			}
			if id, ok := telegramUserLink(link); ok {
				e.Type, e.User = "text_mention", &TelegramUser{ID: id}
			} else if link = telegramCheckLink(link); link != "" {
				e.Type, e.URL = "text_link", link
			} else {
				continue // an invalid link makes no entity
			}
		case "pre":
			if l := last(); l != nil && l.Type == "code" && l.Language != "" {
				l.Type = "pre"
				continue
			}
			e.Type = "pre"
		case "code":
			if l := last(); l != nil && l.Type == "pre" && l.Language == "" && top.arg != "" {
				l.Language = top.arg
				continue
			}
			e.Type, e.Language = "code", top.arg // the language is dropped below unless a pre takes it
		}
		entities = append(entities, e)
	}
	if len(stack) > 0 {
		return "", nil, fmt.Errorf("Can't find end tag corresponding to start tag \"%s\"", stack[len(stack)-1].tag)
	}
	for i := range entities {
		if entities[i].Type == "code" {
			entities[i].Language = ""
		}
	}
	slices.SortStableFunc(entities, func(a, b TelegramEntity) int {
		if a.Offset != b.Offset {
			return a.Offset - b.Offset
		}
		return b.Length - a.Length // the outer entity first
	})
	return out.String(), entities, nil
}

// telegramEntity decodes the HTML character reference at text[pos] ('&')
// as td's decode_html_entity does: &lt; &gt; &amp; &quot; and numeric
// references, the ';' optional. It returns the character and where the
// reference ends.
func telegramEntity(text string, pos int) (rune, int, bool) {
	at := func(i int) byte {
		if i < len(text) {
			return text[i]
		}
		return 0
	}
	end := pos + 1
	var r uint64
	if at(pos+1) == '#' {
		end++
		if at(pos+2) == 'x' {
			end++
			for {
				d, ok := telegramHexDigit(at(end))
				if !ok {
					break
				}
				r = min(r*16+uint64(d), math.MaxUint32)
				end++
			}
		} else {
			for c := at(end); c >= '0' && c <= '9'; c = at(end) {
				r = min(r*10+uint64(c-'0'), math.MaxUint32)
				end++
			}
		}
		if r == 0 || r >= 0x10ffff || end-pos >= 10 {
			return 0, 0, false
		}
	} else {
		for c := at(end); (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); c = at(end) {
			end++
		}
		switch text[pos+1 : end] {
		case "lt":
			r = '<'
		case "gt":
			r = '>'
		case "amp":
			r = '&'
		case "quot":
			r = '"'
		default:
			return 0, 0, false
		}
	}
	if at(end) == ';' {
		end++
	}
	return rune(r), end, true
}

// telegramUserLink reports whether link is tg://user?id=N, which makes a
// text_mention.
func telegramUserLink(link string) (int64, bool) {
	u, err := url.Parse(link)
	if err != nil || !strings.EqualFold(u.Scheme, "tg") || !strings.EqualFold(u.Host, "user") {
		return 0, false
	}
	id, err := strconv.ParseInt(u.Query().Get("id"), 10, 64)
	return id, err == nil && id > 0
}

// telegramCheckLink approximates td's LinkManager::get_checked_link: a
// link without a scheme gets http://; it returns "" for what is not a URL.
func telegramCheckLink(link string) string {
	link = strings.TrimSpace(link)
	if link == "" || strings.ContainsAny(link, " \n\t") {
		return ""
	}
	if !strings.Contains(link, "://") && !strings.HasPrefix(strings.ToLower(link), "tg:") {
		link = "http://" + link
	}
	u, err := url.Parse(link)
	if err != nil || u.Scheme == "" || (u.Host == "" && u.Opaque == "" && u.Scheme != "tg") {
		return ""
	}
	return link
}

// telegramSpace is td's is_space, which counts the end of the text (0) too.
func telegramSpace(c byte) bool {
	switch c {
	case ' ', '\t', '\r', '\n', 0, '\v':
		return true
	}
	return false
}

func telegramAlnum(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

func telegramHexDigit(c byte) (int, bool) {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0'), true
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10, true
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10, true
	}
	return 0, false
}

func telegramUTF16Len(r rune) int {
	if r > 0xffff {
		return 2
	}
	return 1
}

// Descriptions of the Bot API's answers about updates and webhooks
// (PROTOCOLS.md §1.6, §1.9).
const (
	TelegramConflictWebhook = "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"
	telegramSecretTooLong   = "Bad Request: secret token is too long"
	telegramSecretBadChars  = "Bad Request: secret token contains unallowed characters"
	// Wording unverified: the server's answer to a webhook URL that is not HTTPS.
	telegramWebhookNotHTTPS = "Bad Request: bad webhook: An HTTPS URL must be provided for webhook"
)

// TelegramWebhook is the webhook the fake was told to use by setWebhook.
type TelegramWebhook struct {
	URL            string
	SecretToken    string
	AllowedUpdates []string // nil when setWebhook had none
}

type telegramUpdate struct {
	id   int64
	kind string // the update's one key besides update_id: "message", "my_chat_member", …
	raw  json.RawMessage
}

// QueueUpdate queues an update for getUpdates and returns its update_id.
// update is the JSON of an Update (PROTOCOLS.md §1.4), with or without
// "update_id": without, the fake numbers it after the last one. A
// getUpdates that is waiting answers at once. It panics on JSON that is
// not an object, a test's mistake.
func (s *TelegramServer) QueueUpdate(update string) int64 {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal([]byte(update), &obj); err != nil {
		panic(fmt.Sprintf("bottest: QueueUpdate: %v", err))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	id := s.lastUpdate + 1
	if raw, ok := obj["update_id"]; ok {
		if err := json.Unmarshal(raw, &id); err != nil {
			panic(fmt.Sprintf("bottest: QueueUpdate: update_id: %v", err))
		}
	}
	s.lastUpdate = max(s.lastUpdate, id)
	obj["update_id"], _ = json.Marshal(id)
	kind := ""
	for k := range obj {
		if k != "update_id" {
			kind = k
		}
	}
	raw, _ := telegramJSON(obj)
	s.updates = append(s.updates, telegramUpdate{id: id, kind: kind, raw: raw})
	if s.queued != nil {
		close(s.queued)
		s.queued = nil
	}
	return id
}

// PendingUpdates is how many queued updates getUpdates has not yet seen
// confirmed (by an offset past them).
func (s *TelegramServer) PendingUpdates() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.updates)
}

// SetChatMember sets the status getChatMember reports for user in chat:
// "creator", "administrator", "member", "restricted", "left" or "kicked".
// Users not set are members.
func (s *TelegramServer) SetChatMember(chat, user int64, status string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.members == nil {
		s.members = map[[2]int64]string{}
	}
	s.members[[2]int64{chat, user}] = status
}

// Webhook returns the webhook set by setWebhook, the zero value when none.
func (s *TelegramServer) Webhook() TelegramWebhook {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.webhook
}

// TelegramWebhookRequest is the request Telegram makes to a webhook at
// url to deliver update: a POST of the JSON with the
// X-Telegram-Bot-Api-Secret-Token header when secret is not ""
// (PROTOCOLS.md §1.9).
func TelegramWebhookRequest(url, secret, update string) *http.Request {
	req := httptest.NewRequest(http.MethodPost, url, strings.NewReader(update))
	req.Header.Set("Content-Type", "application/json")
	if secret != "" {
		req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
	}
	return req
}

// getUpdates answers getUpdates as the server does: offset confirms (and
// forgets) the updates before it; limit (1–100, default 100) caps the
// answer; allowed_updates, when given, filters it; when nothing is
// pending it waits up to timeout seconds (by the time package, which
// testing/synctest fakes) for an update to be queued, or until the
// request is cancelled. While a webhook is set it answers 409. FailNext
// applies to it.
func (s *TelegramServer) getUpdates(w http.ResponseWriter, r *http.Request, method string, params map[string]string) {
	offset, _ := strconv.ParseInt(params["offset"], 10, 64)
	limit, err := strconv.Atoi(params["limit"])
	if err != nil || limit <= 0 || limit > 100 {
		limit = 100
	}
	timeout, _ := strconv.Atoi(params["timeout"])
	var allowed []string
	if a := params["allowed_updates"]; a != "" {
		json.Unmarshal([]byte(a), &allowed) // a bad list is no list, as on the server
	}

	var deadline <-chan time.Time
	if timeout > 0 {
		t := time.NewTimer(time.Duration(timeout) * time.Second)
		defer t.Stop()
		deadline = t.C
	}
	for {
		s.mu.Lock()
		call := TelegramCall{Method: method, Params: params, At: s.now()}
		result, fail, wait := s.pollUpdates(offset, limit, allowed)
		if wait == nil || deadline == nil {
			call.Status, call.Description, call.RetryAfter = http.StatusOK, fail.Description, fail.RetryAfter
			if fail.Code != 0 {
				call.Status = fail.Code
			}
			s.calls = append(s.calls, call)
			s.mu.Unlock()
			writeTelegram(w, result, fail)
			return
		}
		s.mu.Unlock()
		select {
		case <-wait:
		case <-deadline:
			deadline = nil // answer what there is, nothing
		case <-r.Context().Done():
			return
		}
	}
}

// pollUpdates works out one answer of getUpdates: the updates, an error,
// or nothing yet and a channel closed when an update is queued. s.mu is
// held.
func (s *TelegramServer) pollUpdates(offset int64, limit int, allowed []string) ([]json.RawMessage, TelegramError, <-chan struct{}) {
	if len(s.nextFail) > 0 {
		e := s.nextFail[0]
		s.nextFail = s.nextFail[1:]
		return nil, e, nil
	}
	if s.webhook.URL != "" {
		return nil, TelegramError{Code: http.StatusConflict, Description: TelegramConflictWebhook}, nil
	}
	if offset > 0 {
		i := 0
		for i < len(s.updates) && s.updates[i].id < offset {
			i++
		}
		s.updates = s.updates[i:]
	}
	out := []json.RawMessage{}
	for _, u := range s.updates {
		if len(out) == limit {
			break
		}
		if len(allowed) == 0 && u.kind != "chat_member" || slices.Contains(allowed, u.kind) {
			out = append(out, u.raw)
		}
	}
	if len(out) > 0 {
		return out, TelegramError{}, nil
	}
	if s.queued == nil {
		s.queued = make(chan struct{})
	}
	return out, TelegramError{}, s.queued
}

// answerUpdates answers setWebhook, deleteWebhook and getChatMember. s.mu
// is held.
func (s *TelegramServer) answerUpdates(method string, call *TelegramCall) (any, TelegramError) {
	switch method {
	case "setwebhook":
		u := call.Params["url"]
		if u == "" { // an empty URL removes the webhook
			s.webhook = TelegramWebhook{}
			return true, TelegramError{Description: "Webhook was deleted"}
		}
		if !strings.HasPrefix(strings.ToLower(u), "https://") {
			return nil, TelegramError{Code: http.StatusBadRequest, Description: telegramWebhookNotHTTPS}
		}
		secret := call.Params["secret_token"]
		if len(secret) > 256 {
			return nil, TelegramError{Code: http.StatusBadRequest, Description: telegramSecretTooLong}
		}
		for _, c := range []byte(secret) {
			if !telegramAlnum(c) && c != '_' && c != '-' {
				return nil, TelegramError{Code: http.StatusBadRequest, Description: telegramSecretBadChars}
			}
		}
		var allowed []string
		if a := call.Params["allowed_updates"]; a != "" {
			json.Unmarshal([]byte(a), &allowed)
		}
		s.webhook = TelegramWebhook{URL: u, SecretToken: secret, AllowedUpdates: allowed}
		return true, TelegramError{Description: "Webhook was set"}
	case "deletewebhook":
		had := s.webhook.URL != ""
		s.webhook = TelegramWebhook{}
		if call.Params["drop_pending_updates"] == "true" {
			s.updates = nil
		}
		if !had {
			return true, TelegramError{Description: "Webhook is already deleted"}
		}
		return true, TelegramError{Description: "Webhook was deleted"}
	case "getchatmember":
		user, err := strconv.ParseInt(call.Params["user_id"], 10, 64)
		switch {
		case call.Params["chat_id"] == "":
			return nil, telegramBad("chat_id is empty")
		case call.ChatID == 0:
			return nil, telegramBad("chat not found")
		case err != nil || user <= 0:
			return nil, telegramBad("invalid user_id specified")
		}
		status := s.members[[2]int64{call.ChatID, user}]
		if status == "" {
			status = "member"
		}
		member := map[string]any{
			"user":   TelegramUser{ID: user, FirstName: "Test"},
			"status": status,
		}
		switch status {
		case "creator":
			member["is_anonymous"] = false
		case "administrator":
			member["can_be_edited"] = false
			member["is_anonymous"] = false
			member["can_manage_chat"] = true
		case "kicked":
			member["until_date"] = 0
		}
		return member, TelegramError{}
	}
	return nil, TelegramError{Code: http.StatusNotFound, Description: "Not Found: method not found"}
}
