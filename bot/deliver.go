package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"strings"
	"sync"
	"time"

	"github.com/riverqueue/river"
)

// Messenger sends an alert to one chat of its platform. The Deliverer calls
// it from River's workers, concurrently, for any chats, the same chat
// included (two alerts at once). chat is the whole delivery address, as in
// DeliverArgs ("telegram:-1001234567890/3"); Platform(chat) is the
// Messenger's platform.
//
// Send blocks until the platform accepted the message or failed. ctx
// carries the job's deadline (DeliverTimeout); when it is done Send returns
// promptly with an error. A nil error means the platform accepted the
// message: the alert counts as delivered and is never sent there again.
// Errors:
//   - *RetryAfter: the platform asked to wait (rate limit); the job is
//     snoozed for that long, without using an attempt.
//   - an error wrapping ErrChatGone: the chat blocked or removed the bot, was
//     deleted or archived; the chat is paused and nothing more is sent there.
//   - anything else is taken as transient: the job is retried with backoff.
//
// A Messenger renders with Layout, escapes all outside text for its
// platform and keeps within the platform's length limits by trimming,
// preferably, rather than splitting: if one part of a split alert is
// accepted and a later part fails, the retry sends the first part again.
// It paces itself to the platform's rate limits where it can, and returns
// *RetryAfter where it cannot.
type Messenger interface {
	Send(ctx context.Context, chat string, a *Alert) error
}

// RetryAfter is the error a Messenger returns when the platform asked us to
// wait (Telegram's 429 with parameters.retry_after, Slack's Retry-After).
// The Deliverer snoozes the job for Wait.
type RetryAfter struct{ Wait time.Duration }

func (e *RetryAfter) Error() string { return fmt.Sprintf("rate limited: retry after %v", e.Wait) }

// ErrChatGone is wrapped by a Messenger's error when the chat blocked or
// removed the bot, was deleted or archived: stop sending there. The text of
// the whole error becomes the pause reason shown in logs and /status.
var ErrChatGone = errors.New("chat gone")

// ErrAlertNotFound is wrapped by Alerts.Alert's error when there is no alert
// with that id: the delivery job is cancelled, as no retry can help.
var ErrAlertNotFound = errors.New("alert not found")

// Delivery jobs: their queue, attempts and time limit.
const (
	// DeliverQueue is the River queue of delivery jobs; the app's River
	// config must list it in Queues.
	DeliverQueue = "deliver"
	// DeliverMaxAttempts: with River's default backoff (attempt⁴ seconds)
	// 25 attempts span about three weeks, enough to outlast any outage of
	// a platform, our network or a missing token; snoozes do not count.
	DeliverMaxAttempts = 25
	// DeliverTimeout bounds one attempt: long enough for a slow platform,
	// short enough that a hung connection does not hold a worker.
	DeliverTimeout = 30 * time.Second

	// minSnooze is the least a RetryAfter snoozes a job: a platform that
	// says "retry after 0" should not be hammered.
	minSnooze = time.Second
	// markTimeout bounds MarkDelivered after a send, on a context detached
	// from the job's, whose deadline may have run out during the send.
	markTimeout = 10 * time.Second
)

// DeliverArgs is the River job that delivers one alert to one chat. The app
// inserts it in the transaction that stores the alert.
type DeliverArgs struct {
	AlertID int64  `json:"alert_id"`
	Chat    string `json:"chat"` // "console", "telegram:-1001234567890", "telegram:-1001234567890/3" (a topic), "slack:C0123ABC"
}

// Kind is River's name for delivery jobs.
func (DeliverArgs) Kind() string { return "deliver" }

// InsertOpts makes delivery jobs unique by their args, so one alert goes to
// one chat once however often it is inserted (River keeps the job, and
// refuses a duplicate, while it is pending, scheduled, available, running,
// retryable or completed), puts them on DeliverQueue and gives them
// DeliverMaxAttempts.
func (DeliverArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{
		Queue:       DeliverQueue,
		MaxAttempts: DeliverMaxAttempts,
		UniqueOpts:  river.UniqueOpts{ByArgs: true},
	}
}

// Platform returns the platform of a chat address: "telegram" for
// "telegram:-100…/3", "slack" for "slack:C…", "console" for "console".
func Platform(chat string) string {
	platform, _, _ := strings.Cut(chat, ":")
	return platform
}

// Alerts gives the Deliverer the alert to send. The app implements it from
// the store. It is called once per delivery attempt, concurrently. A missing
// alert is an error wrapping ErrAlertNotFound; any other error is taken as
// transient (the job is retried).
type Alerts interface {
	Alert(ctx context.Context, id int64) (*Alert, error)
}

// Deliveries is the Deliverer's durable record of what it delivered and of
// the chats it stopped sending to. The app implements it from the store.
// Methods are called concurrently, from every replica; chat is the whole
// address, as in DeliverArgs. Errors are taken as transient.
type Deliveries interface {
	// Delivered reports whether MarkDelivered recorded the alert for the chat.
	Delivered(ctx context.Context, alertID int64, chat string) (bool, error)
	// MarkDelivered records, durably before it returns, that the platform
	// accepted the alert for the chat. Marking twice is not an error.
	MarkDelivered(ctx context.Context, alertID int64, chat string) error
	// PauseChat records that nothing more is to be sent to the chat, and why
	// (for logs and /status). Pausing a paused chat is not an error.
	PauseChat(ctx context.Context, chat, reason string) error
	// ChatPaused reports whether the chat is paused.
	ChatPaused(ctx context.Context, chat string) (bool, error)
	// MoveChat moves the chat's subscriptions to its new address, so that
	// later alerts go there.
	MoveChat(ctx context.Context, from, to string) error
}

// moved is an error by which a platform says that the chat now lives at
// another address: Telegram's migrate_to_chat_id, when a group becomes a
// supergroup. The Deliverer follows it.
type moved interface {
	error
	NewChat() string
}

// Deliverer is the River worker of DeliverArgs jobs: it sends one alert to
// one chat through the Messenger of the chat's platform, at most once (see
// the package doc for the argument and its one residual window).
type Deliverer struct {
	river.WorkerDefaults[DeliverArgs]

	alerts     Alerts
	deliveries Deliveries
	messengers map[string]Messenger
	logger     *slog.Logger

	// Zone, when set, gives the time zone of a chat (nil: none known), in
	// which its alerts show their times besides UTC.
	Zone func(chat string) *time.Location

	// unmarked holds the deliveries this process sent but could not record
	// with MarkDelivered: their retries record them and do not send again.
	mu       sync.Mutex
	unmarked map[DeliverArgs]bool
}

// NewDeliverer returns the worker to register with river.AddWorker.
// messengers maps each platform ("console", "telegram", "slack") to its
// Messenger; a job for a platform without one fails and is retried (a
// token may be back after a restart). A nil logger discards.
func NewDeliverer(alerts Alerts, deliveries Deliveries, messengers map[string]Messenger, logger *slog.Logger) *Deliverer {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Deliverer{
		alerts:     alerts,
		deliveries: deliveries,
		messengers: maps.Clone(messengers),
		logger:     logger,
		unmarked:   map[DeliverArgs]bool{},
	}
}

// Timeout limits each attempt to DeliverTimeout.
func (d *Deliverer) Timeout(*river.Job[DeliverArgs]) time.Duration { return DeliverTimeout }

// Work delivers job.Args.AlertID to job.Args.Chat:
//   - already delivered (a job that runs again): done, nothing sent;
//   - the chat is paused: the job is cancelled, nothing sent;
//   - sent: recorded with MarkDelivered, done;
//   - *RetryAfter: the job is snoozed for the wait;
//   - the chat moved (Telegram's migrate_to_chat_id): its subscriptions
//     move to the new address and the alert is sent there;
//   - ErrChatGone: the chat is paused and the job cancelled;
//   - another error: returned, and River retries with backoff.
func (d *Deliverer) Work(ctx context.Context, job *river.Job[DeliverArgs]) error {
	args := job.Args
	log := d.logger.With("alert_id", args.AlertID, "chat", args.Chat, "platform", Platform(args.Chat), "attempt", job.Attempt)
	fail := func(err error) error {
		var snooze *river.JobSnoozeError
		var cancel *river.JobCancelError
		if job.Attempt >= job.MaxAttempts && !errors.As(err, &snooze) && !errors.As(err, &cancel) {
			// River would only log this at info level: say loudly that the
			// alert will not reach the chat.
			log.Error("bot: delivery failed for good: the alert is lost for this chat", "error", err)
		}
		return err
	}

	done, err := d.deliveries.Delivered(ctx, args.AlertID, args.Chat)
	if err != nil {
		return fail(fmt.Errorf("bot: deliver alert %d to %s: %w", args.AlertID, args.Chat, err))
	}
	if done {
		log.Info("bot: alert already delivered: not sending it again")
		return nil
	}

	if !d.isUnmarked(args) {
		paused, err := d.deliveries.ChatPaused(ctx, args.Chat)
		if err != nil {
			return fail(fmt.Errorf("bot: deliver alert %d to %s: %w", args.AlertID, args.Chat, err))
		}
		if paused {
			log.Warn("bot: chat paused: delivery cancelled")
			return river.JobCancel(fmt.Errorf("bot: deliver alert %d to %s: chat paused", args.AlertID, args.Chat))
		}
		if err := d.send(ctx, log, args); err != nil {
			return fail(err)
		}
	}

	// The platform has the message. Record it even if the job's deadline ran
	// out meanwhile; if that fails, the retry records it without sending.
	mctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), markTimeout)
	defer cancel()
	if err := d.deliveries.MarkDelivered(mctx, args.AlertID, args.Chat); err != nil {
		err = fmt.Errorf("bot: deliver alert %d to %s: sent, but not recorded: %w", args.AlertID, args.Chat, err)
		if job.Attempt >= job.MaxAttempts {
			// The chat has the alert: complete the job rather than discard it.
			log.Error("bot: alert sent, but its delivery not recorded: a new job for it would send it again", "error", err)
			d.setUnmarked(args, false)
			return nil
		}
		d.setUnmarked(args, true)
		return err
	}
	d.setUnmarked(args, false)
	return nil
}

// send sends the alert and turns the Messenger's error into the job's
// outcome: nil when the platform accepted it.
func (d *Deliverer) send(ctx context.Context, log *slog.Logger, args DeliverArgs) error {
	m := d.messengers[Platform(args.Chat)]
	if m == nil {
		return fmt.Errorf("bot: deliver alert %d to %s: no messenger for platform %q", args.AlertID, args.Chat, Platform(args.Chat))
	}
	a, err := d.alerts.Alert(ctx, args.AlertID)
	if err == nil && a == nil {
		err = ErrAlertNotFound
	}
	if err == nil && d.Zone != nil {
		a.Zone = d.Zone(args.Chat)
	}
	if errors.Is(err, ErrAlertNotFound) {
		log.Error("bot: alert not found: delivery cancelled", "error", err)
		return river.JobCancel(fmt.Errorf("bot: deliver alert %d to %s: %w", args.AlertID, args.Chat, err))
	}
	if err != nil {
		return fmt.Errorf("bot: deliver alert %d to %s: %w", args.AlertID, args.Chat, err)
	}

	err = m.Send(ctx, args.Chat, a)
	var mv moved
	if errors.As(err, &mv) {
		// Follow the chat: its subscriptions move, and the alert goes to
		// its new address now (recorded under this job's chat).
		to := mv.NewChat()
		if merr := d.deliveries.MoveChat(ctx, args.Chat, to); merr != nil {
			return fmt.Errorf("bot: deliver alert %d to %s: move the chat to %s: %w", args.AlertID, args.Chat, to, merr)
		}
		log.Warn("bot: chat moved: its subscriptions follow it; change it in the config too if it is there", "to", to)
		err = m.Send(ctx, to, a)
	}
	var wait *RetryAfter
	switch {
	case err == nil:
		return nil
	case errors.As(err, &wait):
		log.Info("bot: rate limited: delivery snoozed", "wait", wait.Wait)
		return river.JobSnooze(max(wait.Wait, minSnooze))
	case errors.Is(err, ErrChatGone):
		if perr := d.deliveries.PauseChat(ctx, args.Chat, err.Error()); perr != nil {
			return fmt.Errorf("bot: deliver alert %d to %s: pause chat after %v: %w", args.AlertID, args.Chat, err, perr)
		}
		log.Warn("bot: chat gone: chat paused, delivery cancelled", "error", err)
		return river.JobCancel(fmt.Errorf("bot: deliver alert %d to %s: %w", args.AlertID, args.Chat, err))
	default:
		return fmt.Errorf("bot: deliver alert %d to %s: %w", args.AlertID, args.Chat, err)
	}
}

func (d *Deliverer) isUnmarked(args DeliverArgs) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.unmarked[args]
}

func (d *Deliverer) setUnmarked(args DeliverArgs, on bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if on {
		d.unmarked[args] = true
	} else {
		delete(d.unmarked, args)
	}
}
