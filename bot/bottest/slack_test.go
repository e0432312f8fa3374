package bottest

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"
)

// slackTestClock is a clock that moves only when told.
type slackTestClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *slackTestClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *slackTestClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func slackTestClient(s *SlackServer) *slack.Client {
	return slack.New("xoxb-test-token", slack.OptionAPIURL(s.APIURL()))
}

func slackSection(text string) slack.Block {
	return slack.NewSectionBlock(&slack.TextBlockObject{Type: "mrkdwn", Text: text}, nil, nil)
}

func TestSlackServerAcceptsAndRecords(t *testing.T) {
	s := NewSlackServer(t)
	api := slackTestClient(s)
	ch, ts, err := api.PostMessage("C0123",
		slack.MsgOptionText("a &lt;b&gt;", false),
		slack.MsgOptionBlocks(slackSection("*hi*"), slack.NewContextBlock("", &slack.TextBlockObject{Type: "mrkdwn", Text: "ctx"})),
		slack.MsgOptionDisableLinkUnfurl())
	if err != nil {
		t.Fatal(err)
	}
	if ch != "C0123" || ts == "" {
		t.Errorf("PostMessage = %q, %q, want C0123 and a ts", ch, ts)
	}
	posts := s.Posts()
	if len(posts) != 1 {
		t.Fatalf("got %d posts, want 1", len(posts))
	}
	p := posts[0]
	if p.Channel != "C0123" || p.Text != "a &lt;b&gt;" || p.Status != http.StatusOK || p.Error != "" {
		t.Errorf("post = %+v", p)
	}
	if got, want := string(p.Blocks), `[{"type":"section","text":{"type":"mrkdwn","text":"*hi*"}},{"type":"context","elements":[{"type":"mrkdwn","text":"ctx"}]}]`; got != want {
		t.Errorf("blocks =\n%s\nwant\n%s", got, want)
	}
	if got := p.Form.Get("token"); got != "xoxb-test-token" {
		t.Errorf("token = %q", got)
	}
	if got := p.Form.Get("unfurl_links"); got != "false" {
		t.Errorf("unfurl_links = %q", got)
	}
	if got := len(s.Accepted()); got != 1 {
		t.Errorf("Accepted: %d posts, want 1", got)
	}
}

func TestSlackServerTimestampsDiffer(t *testing.T) {
	s := NewSlackServer(t, SlackWithRateLimit(0, 0))
	api := slackTestClient(s)
	seen := map[string]bool{}
	for range 3 {
		_, ts, err := api.PostMessage("C1", slack.MsgOptionText("x", false))
		if err != nil {
			t.Fatal(err)
		}
		if seen[ts] {
			t.Errorf("ts %q answered twice", ts)
		}
		seen[ts] = true
	}
}

func TestSlackServerRejects(t *testing.T) {
	long := func(n int) string { return strings.Repeat("é", n) }
	mrkdwn := func(s string) *slack.TextBlockObject { return &slack.TextBlockObject{Type: "mrkdwn", Text: s} }
	plain := func(s string) *slack.TextBlockObject { return slack.NewTextBlockObject("plain_text", s, false, false) }
	fields := func(n, size int) []*slack.TextBlockObject {
		var out []*slack.TextBlockObject
		for range n {
			out = append(out, mrkdwn(long(size)))
		}
		return out
	}
	blocks := func(n int) []slack.Block {
		var out []slack.Block
		for range n {
			out = append(out, slack.NewDividerBlock())
		}
		return out
	}
	contextOf := func(n int) slack.Block {
		var els []slack.MixedElement
		for range n {
			els = append(els, mrkdwn("x"))
		}
		return slack.NewContextBlock("", els...)
	}

	tests := []struct {
		name    string
		channel string
		opts    []slack.MsgOption
		want    string   // the error code; "" accepted
		errs    []string // the invalid_blocks errors
	}{
		{name: "NoText", channel: "C1", want: "no_text"},
		{name: "NoChannel", channel: "", opts: []slack.MsgOption{slack.MsgOptionText("x", false)}, want: "channel_not_found"},
		{name: "TextAtLimit", channel: "C1", opts: []slack.MsgOption{slack.MsgOptionText(long(SlackMaxText), false)}},
		{name: "TextTooLong", channel: "C1", opts: []slack.MsgOption{slack.MsgOptionText(long(SlackMaxText+1), false)}, want: "msg_too_long"},
		{name: "FiftyBlocks", channel: "C1", opts: []slack.MsgOption{slack.MsgOptionBlocks(blocks(50)...)}},
		{
			name: "FiftyOneBlocks", channel: "C1", opts: []slack.MsgOption{slack.MsgOptionBlocks(blocks(51)...)},
			want: "invalid_blocks", errs: []string{"no more than 50 items allowed [json-pointer:/blocks]"},
		},
		{name: "SectionAtLimit", channel: "C1", opts: []slack.MsgOption{slack.MsgOptionBlocks(slackSection(long(3000)))}},
		{
			name: "SectionTooLong", channel: "C1", opts: []slack.MsgOption{slack.MsgOptionBlocks(slackSection("ok"), slackSection(long(3001)))},
			want: "invalid_blocks", errs: []string{"must be less than 3001 characters [json-pointer:/blocks/1/text/text]"},
		},
		{
			name: "SectionEmptyText", channel: "C1", opts: []slack.MsgOption{slack.MsgOptionBlocks(slackSection(""))},
			want: "invalid_blocks", errs: []string{"must be more than 0 characters [json-pointer:/blocks/0/text/text]"},
		},
		{name: "TenFieldsAtLimit", channel: "C1", opts: []slack.MsgOption{slack.MsgOptionBlocks(slack.NewSectionBlock(nil, fields(10, 2000), nil))}},
		{
			name: "ElevenFields", channel: "C1", opts: []slack.MsgOption{slack.MsgOptionBlocks(slack.NewSectionBlock(nil, fields(11, 1), nil))},
			want: "invalid_blocks", errs: []string{"no more than 10 items allowed [json-pointer:/blocks/0/fields]"},
		},
		{
			name: "FieldTooLong", channel: "C1", opts: []slack.MsgOption{slack.MsgOptionBlocks(slack.NewSectionBlock(mrkdwn("x"), fields(2, 2001), nil))},
			want: "invalid_blocks", errs: []string{
				"must be less than 2001 characters [json-pointer:/blocks/0/fields/0/text]",
				"must be less than 2001 characters [json-pointer:/blocks/0/fields/1/text]",
			},
		},
		{name: "HeaderAtLimit", channel: "C1", opts: []slack.MsgOption{slack.MsgOptionBlocks(slack.NewHeaderBlock(plain(long(150))))}},
		{
			name: "HeaderTooLong", channel: "C1", opts: []slack.MsgOption{slack.MsgOptionBlocks(slack.NewHeaderBlock(plain(long(151))))},
			want: "invalid_blocks", errs: []string{"must be less than 151 characters [json-pointer:/blocks/0/text/text]"},
		},
		{
			name: "HeaderMrkdwn", channel: "C1", opts: []slack.MsgOption{slack.MsgOptionBlocks(slack.NewHeaderBlock(mrkdwn("*x*")))},
			want: "invalid_blocks", errs: []string{
				"failed to match all allowed schemas [json-pointer:/blocks/0/text]",
				`must be one of ["plain_text"] [json-pointer:/blocks/0/text/type]`,
			},
		},
		{name: "TenContextElements", channel: "C1", opts: []slack.MsgOption{slack.MsgOptionBlocks(contextOf(10))}},
		{
			name: "ElevenContextElements", channel: "C1", opts: []slack.MsgOption{slack.MsgOptionBlocks(contextOf(11))},
			want: "invalid_blocks", errs: []string{"no more than 10 items allowed [json-pointer:/blocks/0/elements]"},
		},
		{
			name: "UnknownTextType", channel: "C1", opts: []slack.MsgOption{slack.MsgOptionBlocks(slack.NewSectionBlock(&slack.TextBlockObject{Type: "html", Text: "x"}, nil, nil))},
			want: "invalid_blocks", errs: []string{
				"failed to match all allowed schemas [json-pointer:/blocks/0/text]",
				`must be one of ["plain_text" "mrkdwn"] [json-pointer:/blocks/0/text/type]`,
			},
		},
		{
			name: "EmojiOnMrkdwn", channel: "C1", opts: []slack.MsgOption{slack.MsgOptionBlocks(slack.NewSectionBlock(&slack.TextBlockObject{Type: "mrkdwn", Text: "x", Emoji: new(true)}, nil, nil))},
			want: "invalid_blocks", errs: []string{
				"failed to match all allowed schemas [json-pointer:/blocks/0/text]",
				"invalid additional property: emoji [json-pointer:/blocks/0/text]",
			},
		},
		{
			name: "BlockIDTooLong", channel: "C1", opts: []slack.MsgOption{slack.MsgOptionBlocks(&slack.DividerBlock{Type: slack.MBTDivider, BlockID: strings.Repeat("b", 256)})},
			want: "invalid_blocks", errs: []string{"must be less than 256 characters [json-pointer:/blocks/0/block_id]"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := NewSlackServer(t)
			_, _, err := slackTestClient(s).PostMessage(tt.channel, tt.opts...)
			var got string
			var errs []string
			var serr slack.SlackErrorResponse
			if errors.As(err, &serr) {
				got = serr.Err
				for _, e := range serr.Errors {
					if e.Message != nil {
						errs = append(errs, *e.Message)
					}
				}
			} else if err != nil {
				t.Fatalf("err = %v, want a slack.SlackErrorResponse", err)
			}
			if got != tt.want {
				t.Errorf("error = %q, want %q", got, tt.want)
			}
			if strings.Join(errs, "\n") != strings.Join(tt.errs, "\n") {
				t.Errorf("errors =\n%s\nwant\n%s", strings.Join(errs, "\n"), strings.Join(tt.errs, "\n"))
			}
			posts := s.Posts()
			if len(posts) != 1 || posts[0].Error != tt.want || posts[0].Status != http.StatusOK {
				t.Errorf("recorded %+v, want one post with error %q and status 200", posts, tt.want)
			}
		})
	}
}

func TestSlackServerInvalidBlocksBody(t *testing.T) {
	s := NewSlackServer(t)
	body := url.Values{"token": {"xoxb-1"}, "channel": {"C1"}, "blocks": {`[{"type":"section","text":{"type":"mrkdwn","text":"x","emoji":true}}]`}}
	resp, err := http.PostForm(s.APIURL()+"chat.postMessage", body)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var got map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
		t.Fatal(err)
	}
	want := `{"error":"invalid_blocks","errors":["failed to match all allowed schemas [json-pointer:/blocks/0/text]","invalid additional property: emoji [json-pointer:/blocks/0/text]"],"ok":false,"response_metadata":{"messages":["[ERROR] failed to match all allowed schemas [json-pointer:/blocks/0/text]","[ERROR] invalid additional property: emoji [json-pointer:/blocks/0/text]"]}}`
	if b, _ := json.Marshal(got); string(b) != want || resp.StatusCode != http.StatusOK {
		t.Errorf("answer %d %s\nwant 200 %s", resp.StatusCode, b, want)
	}

	body.Set("blocks", `{not json`)
	resp, err = http.PostForm(s.APIURL()+"chat.postMessage", body)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	got = nil
	json.NewDecoder(resp.Body).Decode(&got)
	if got["error"] != "invalid_blocks_format" {
		t.Errorf("bad JSON: answer %v, want invalid_blocks_format", got)
	}
}

func TestSlackServerAuth(t *testing.T) {
	tests := []struct {
		name   string
		opts   []SlackOption
		client string
		want   string
	}{
		{"AnyToken", nil, "xoxb-whatever", ""},
		{"NoToken", nil, "", "not_authed"},
		{"RightToken", []SlackOption{SlackWithToken("xoxb-right")}, "xoxb-right", ""},
		{"WrongToken", []SlackOption{SlackWithToken("xoxb-right")}, "xoxb-wrong", "invalid_auth"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := NewSlackServer(t, tt.opts...)
			api := slack.New(tt.client, slack.OptionAPIURL(s.APIURL()))
			_, _, err := api.PostMessage("C1", slack.MsgOptionText("x", false))
			got := ""
			if err != nil {
				got = err.Error()
			}
			if got != tt.want {
				t.Errorf("err = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestSlackServerFailures(t *testing.T) {
	tests := []struct {
		name    string
		failure SlackFailure
		check   func(t *testing.T, err error)
	}{
		{
			name:    "RateLimited",
			failure: SlackRateLimited(3 * time.Second),
			check: func(t *testing.T, err error) {
				var rl *slack.RateLimitedError
				if !errors.As(err, &rl) || rl.RetryAfter != 3*time.Second {
					t.Errorf("err = %#v, want *slack.RateLimitedError{3s}", err)
				}
			},
		},
		{
			name:    "RateLimitedRoundsUp",
			failure: SlackRateLimited(1500 * time.Millisecond),
			check: func(t *testing.T, err error) {
				var rl *slack.RateLimitedError
				if !errors.As(err, &rl) || rl.RetryAfter != 2*time.Second {
					t.Errorf("err = %#v, want *slack.RateLimitedError{2s}", err)
				}
			},
		},
		{name: "ChannelNotFound", failure: SlackError("channel_not_found"), check: wantSlackError("channel_not_found")},
		{name: "NotInChannel", failure: SlackError("not_in_channel"), check: wantSlackError("not_in_channel")},
		{name: "IsArchived", failure: SlackError("is_archived"), check: wantSlackError("is_archived")},
		{
			name:    "InternalError",
			failure: SlackInternalError(),
			check: func(t *testing.T, err error) {
				var sc slack.StatusCodeError
				if !errors.As(err, &sc) || sc.Code != http.StatusInternalServerError {
					t.Errorf("err = %#v, want slack.StatusCodeError{500}", err)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := NewSlackServer(t)
			api := slackTestClient(s)
			s.Fail("CBAD", tt.failure)
			for i := range 2 { // sticky: every call fails
				_, _, err := api.PostMessage("CBAD", slack.MsgOptionText("x", false))
				tt.check(t, err)
				if i == 0 && t.Failed() {
					return
				}
			}
			if _, _, err := api.PostMessage("COK", slack.MsgOptionText("x", false)); err != nil {
				t.Errorf("other channel: %v", err)
			}
			s.Fail("CBAD", SlackFailure{})
			if _, _, err := api.PostMessage("CBAD", slack.MsgOptionText("x", false)); err != nil {
				t.Errorf("after clearing: %v", err)
			}
			posts := s.Posts()
			if len(posts) != 4 {
				t.Fatalf("%d posts recorded, want 4", len(posts))
			}
			if got, want := posts[0].Status, max(tt.failure.Status, http.StatusOK); got != want {
				t.Errorf("recorded status %d, want %d", got, want)
			}
			if got := len(s.Accepted()); got != 2 {
				t.Errorf("Accepted: %d, want 2", got)
			}
		})
	}
}

func wantSlackError(code string) func(*testing.T, error) {
	return func(t *testing.T, err error) {
		t.Helper()
		var serr slack.SlackErrorResponse
		if !errors.As(err, &serr) || serr.Err != code {
			t.Errorf("err = %#v, want slack.SlackErrorResponse{Err: %q}", err, code)
		}
	}
}

func TestSlackServerFailTimes(t *testing.T) {
	s := NewSlackServer(t)
	api := slackTestClient(s)
	f := SlackError("fatal_error")
	f.Times = 2
	s.Fail("C1", f)
	var got []string
	for range 3 {
		_, _, err := api.PostMessage("C1", slack.MsgOptionText("x", false))
		if err != nil {
			got = append(got, err.Error())
		} else {
			got = append(got, "ok")
		}
	}
	if strings.Join(got, ",") != "fatal_error,fatal_error,ok" {
		t.Errorf("answers %v, want two fatal_error then ok", got)
	}
}

func TestSlackServerRateLimit(t *testing.T) {
	clock := &slackTestClock{t: time.Date(2024, 2, 3, 14, 5, 0, 0, time.UTC)}
	s := NewSlackServer(t, SlackWithClock(clock.Now))
	api := slackTestClient(s)
	post := func(channel string) string {
		_, _, err := api.PostMessage(channel, slack.MsgOptionText("x", false))
		var rl *slack.RateLimitedError
		switch {
		case err == nil:
			return "ok"
		case errors.As(err, &rl):
			return "429 " + rl.RetryAfter.String()
		default:
			return err.Error()
		}
	}
	var got []string
	for range SlackRateBurst + 1 { // a burst, and one too many
		got = append(got, post("C1"))
	}
	got = append(got, post("C2")) // another channel is not limited
	clock.Add(500 * time.Millisecond)
	got = append(got, post("C1"))
	clock.Add(500 * time.Millisecond)
	got = append(got, post("C1"), post("C1"))
	clock.Add(10 * time.Second) // the bucket refills
	for range SlackRateBurst {
		got = append(got, post("C1"))
	}
	want := []string{"ok", "ok", "ok", "ok", "429 1s", "ok", "429 1s", "ok", "429 1s", "ok", "ok", "ok", "ok"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("answers\n%v\nwant\n%v", got, want)
	}
	posts := s.Posts()
	if posts[4].Status != http.StatusTooManyRequests || posts[4].Error != "ratelimited" {
		t.Errorf("recorded %+v, want 429 ratelimited", posts[4])
	}
}

func TestSlackServerRateLimitOff(t *testing.T) {
	s := NewSlackServer(t, SlackWithRateLimit(time.Second, 0))
	api := slackTestClient(s)
	for i := range 20 {
		if _, _, err := api.PostMessage("C1", slack.MsgOptionText("x", false)); err != nil {
			t.Fatalf("post %d: %v", i, err)
		}
	}
}

func TestSlackSignature(t *testing.T) {
	const slashBody = `token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c`
	const eventBody = `{"token":"aF5ynEYQH0dFN9imlgcADxDB","team_id":"XXXXXXXXX","api_app_id":"YYYYYYYYY","event":{"type":"app_mention","user":"AAAAAAAAA","text":"<@EEEEEEEEE> hello world","client_msg_id":"477cc591-ch73-a14z-4db8-g0cd76321bec","ts":"1531431954.000073","channel":"TTTTTTTTT","event_ts":"1531431954.000073"},"type":"event_callback","event_id":"TvBP7LRED7","event_time":1531431954,"authed_users":["EEEEEEEEE"]}`
	tests := []struct {
		name, secret, ts, body, want string
	}{
		{"SlackDocs", "8f742231b10e8888abcd99yyyzzz85a5", "1531420618", slashBody, "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"},
		{"SlackGoTests", "e6b19c573432dcc6b075501d51b51bb8", "1531431954", eventBody, "v0=adada4ed31709aef585c2580ca3267678c6a8eaeb7e0c1aca3ee57b656886b2c"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := SlackSignature(tt.secret, tt.ts, []byte(tt.body)); got != tt.want {
				t.Errorf("SlackSignature = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestSlackSignVerifiesWithSlackGo(t *testing.T) {
	const secret = "e6b19c573432dcc6b075501d51b51bb8"
	body := "command=%2Falertbot&text=subscribe+unsc"
	tests := []struct {
		name   string
		secret string
		at     time.Time
		want   error
	}{
		{"Fresh", secret, time.Now(), nil},
		{"WrongSecret", "another", time.Now(), slack.ErrInvalidSignature},
		{"TooOld", secret, time.Now().Add(-6 * time.Minute), slack.ErrExpiredTimestamp},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := http.NewRequestWithContext(context.Background(), http.MethodPost, "http://alertbot.test/slack/commands", strings.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			if err := SlackSign(r, tt.secret, tt.at); err != nil {
				t.Fatal(err)
			}
			sv, err := slack.NewSecretsVerifier(r.Header, secret)
			if err == nil {
				b, rerr := io.ReadAll(r.Body)
				if rerr != nil {
					t.Fatal(rerr)
				}
				if string(b) != body {
					t.Errorf("body after signing = %q, want %q", b, body)
				}
				sv.Write(b)
				err = sv.Ensure()
			}
			if !errors.Is(err, tt.want) {
				t.Errorf("verify: %v, want %v", err, tt.want)
			}
		})
	}
}
