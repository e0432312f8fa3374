package slack

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	slackapi "github.com/slack-go/slack"

	"github.com/alertbot/alertbot/bot"
)

var _ bot.Messenger = (*Messenger)(nil)

// Slack's error codes of a channel we cannot post to, for good
// (chat.postMessage docs): the Messenger reports them as bot.ErrChatGone.
var goneErrors = map[string]bool{
	"channel_not_found": true, // no such channel, or private and the bot is not in it
	"not_in_channel":    true, // the bot was removed from the channel
	"is_archived":       true, // the channel was archived
}

const (
	// defaultRetryAfter is the wait of a 429 without Retry-After (Slack
	// always sends it; a proxy may not).
	defaultRetryAfter = 5 * time.Second
	// postedTooManyWait is the wait after Slack's logical "rate_limited"
	// error ("application has posted too many messages"), which comes
	// without a time: a minute, as Slack's limits are per minute.
	postedTooManyWait = time.Minute
)

// Messenger posts alerts to Slack channels. Make it with New.
type Messenger struct {
	api  *slackapi.Client
	tz   *time.Location
	pace *pacer
}

// Option configures a Messenger.
type Option func(*config)

type config struct {
	tz       *time.Location
	clock    Clock
	interval time.Duration
	burst    int
	client   *http.Client
}

// WithLocation shows times in tz as well as in UTC (default: UTC only).
func WithLocation(tz *time.Location) Option { return func(c *config) { c.tz = tz } }

// WithClock paces messages by clock instead of the real time: for tests.
func WithClock(clock Clock) Option { return func(c *config) { c.clock = clock } }

// WithPace sends at most one message per interval to each channel, after
// a burst of up to burst (default PaceInterval and PaceBurst); interval
// 0 turns pacing off.
func WithPace(interval time.Duration, burst int) Option {
	return func(c *config) { c.interval, c.burst = interval, burst }
}

// WithHTTPClient makes the requests with client (default
// http.DefaultClient).
func WithHTTPClient(client *http.Client) Option { return func(c *config) { c.client = client } }

// New returns a Messenger that posts with the bot token (xoxb-…) to the
// Web API at apiURL ("" for Slack's, https://slack.com/api/; the
// config's slack.api_url, or a test server).
func New(token, apiURL string, opts ...Option) *Messenger {
	c := config{clock: realClock{}, interval: PaceInterval, burst: PaceBurst}
	for _, opt := range opts {
		opt(&c)
	}
	var apiOpts []slackapi.Option
	if apiURL != "" {
		if !strings.HasSuffix(apiURL, "/") {
			apiURL += "/" // slack-go appends the method's name
		}
		apiOpts = append(apiOpts, slackapi.OptionAPIURL(apiURL))
	}
	if c.client != nil {
		apiOpts = append(apiOpts, slackapi.OptionHTTPClient(c.client))
	}
	return &Messenger{
		api:  slackapi.New(token, apiOpts...),
		tz:   c.tz,
		pace: newPacer(c.clock, c.interval, c.burst),
	}
}

// Send posts a to chat ("slack:C0123ABC"). See the package doc for the
// message, its pacing and its errors.
func (m *Messenger) Send(ctx context.Context, chat string, a *bot.Alert) error {
	channel, err := channelOf(chat)
	if err != nil {
		return fmt.Errorf("slack: send alert %d: %w", a.ID, err)
	}
	if err := m.post(ctx, channel, render(a, a.ZoneOr(m.tz))); err != nil {
		return fmt.Errorf("slack: send alert %d to %s: %w", a.ID, chat, err)
	}
	return nil
}

// post posts msg to channel, paced, and returns Send's errors without
// their prefix.
func (m *Messenger) post(ctx context.Context, channel string, msg message) error {
	if err := m.pace.wait(ctx, channel); err != nil {
		return err
	}
	_, _, err := m.api.PostMessageContext(ctx, channel,
		slackapi.MsgOptionText(msg.text, false), // escaped by render
		slackapi.MsgOptionBlocks(msg.blocks...),
		slackapi.MsgOptionDisableLinkUnfurl(),
		slackapi.MsgOptionDisableMediaUnfurl(),
	)
	if err == nil {
		return nil
	}

	var limited *slackapi.RateLimitedError
	var status slackapi.StatusCodeError
	var resp slackapi.SlackErrorResponse
	switch {
	case errors.As(err, &limited):
		return m.retryAfter(channel, limited.RetryAfter)
	case errors.As(err, &status) && status.Code == http.StatusTooManyRequests:
		return m.retryAfter(channel, defaultRetryAfter)
	case errors.As(err, &resp) && resp.Err == "rate_limited":
		return m.retryAfter(channel, postedTooManyWait)
	case errors.As(err, &resp) && goneErrors[resp.Err]:
		return fmt.Errorf("%w: %w", bot.ErrChatGone, err)
	default:
		return err
	}
}

// retryAfter holds channel for wait and returns the error that says so.
func (m *Messenger) retryAfter(channel string, wait time.Duration) error {
	m.pace.hold(channel, wait)
	return &bot.RetryAfter{Wait: wait}
}

// channelOf returns the conversation id of a "slack:C0123ABC" chat.
func channelOf(chat string) (string, error) {
	platform, id, _ := strings.Cut(chat, ":")
	if platform != "slack" || !validID(id) {
		return "", fmt.Errorf("chat %q is not a Slack channel (slack:C0123ABC): %w", chat, bot.ErrChatGone)
	}
	return id, nil
}

// validID reports whether id looks like a Slack conversation id: upper
// case letters and digits.
func validID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, r := range id {
		if (r < 'A' || r > 'Z') && (r < '0' || r > '9') {
			return false
		}
	}
	return true
}
