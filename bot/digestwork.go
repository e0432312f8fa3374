package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"time"

	"github.com/riverqueue/river"
)

// Digest jobs: their queue, attempts and time limit.
const (
	// DigestQueue is the River queue of digest jobs; the app's River config
	// must list it in Queues.
	DigestQueue = "digest"
	// DigestMaxAttempts: as DeliverMaxAttempts, enough to outlast an outage.
	DigestMaxAttempts = 25
	// DigestTimeout bounds one attempt: a long digest is a dozen messages,
	// paced at one a second to a chat and 20 a minute to a group (36 s).
	// An attempt that runs out resumes, on retry, after the last message
	// sent. River's RescueStuckJobsAfter must be longer, or a running
	// digest would be taken for a dead one and sent twice.
	DigestTimeout = 90 * time.Second
)

// DigestArgs is the River job that sends the digest of one chat due at one
// time: a scheduled time, or the moment a chat asked for "digest now".
type DigestArgs struct {
	Chat string    `json:"chat"`
	Due  time.Time `json:"due"`
}

// Kind is River's name for digest jobs.
func (DigestArgs) Kind() string { return "digest" }

// InsertOpts makes digest jobs unique by chat and time, so each scheduled
// time runs once however often, and by however many replicas, it is
// queued; puts them on DigestQueue and gives them DigestMaxAttempts.
func (DigestArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{
		Queue:       DigestQueue,
		MaxAttempts: DigestMaxAttempts,
		UniqueOpts:  river.UniqueOpts{ByArgs: true},
	}
}

// DigestRun is one digest of a chat: the one due at Due, covering the
// alerts raised in [From, To).
type DigestRun struct {
	From, To time.Time
	Parts    int  // messages sent so far
	Done     bool // sent in full, or found quiet and skipped
}

// Digests is the DigestWorker's store of digests. The app implements it.
// Errors are taken as transient.
type Digests interface {
	// StartDigest returns the run of chat due at due, creating it on the
	// first call with its period: from the end of the chat's previous
	// digest to due. Later calls return the same period, so that a retry
	// sends the same digest.
	StartDigest(ctx context.Context, chat string, due time.Time) (DigestRun, error)
	// BuildDigest gathers what chat's subscriptions raised in [from, to),
	// and whether the chat wants nothing sent when that is nothing.
	BuildDigest(ctx context.Context, chat string, from, to time.Time) (d *Digest, skipQuiet bool, err error)
	// DigestPartSent records durably that the first parts messages of the
	// run were sent.
	DigestPartSent(ctx context.Context, chat string, due time.Time, parts int) error
	// FinishDigest records that the run is done, with the alerts it held.
	FinishDigest(ctx context.Context, chat string, due time.Time, alerts int) error
}

// DigestWorker is the River worker of DigestArgs jobs: it sends a chat's
// digest, once, through the DigestMessenger of the chat's platform.
type DigestWorker struct {
	river.WorkerDefaults[DigestArgs]

	digests    Digests
	chats      Deliveries
	messengers map[string]DigestMessenger
	logger     *slog.Logger
}

// NewDigestWorker returns the worker to register with river.AddWorker.
// chats is the Deliverer's record of paused and moved chats. A nil logger
// discards.
func NewDigestWorker(digests Digests, chats Deliveries, messengers map[string]DigestMessenger, logger *slog.Logger) *DigestWorker {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &DigestWorker{digests: digests, chats: chats, messengers: maps.Clone(messengers), logger: logger}
}

// Timeout limits each attempt to DigestTimeout.
func (w *DigestWorker) Timeout(*river.Job[DigestArgs]) time.Duration { return DigestTimeout }

// Work sends the digest of job.Args.Chat due at job.Args.Due:
//   - a run that is done (a job that runs again): nothing is sent;
//   - the chat is paused: the job is cancelled;
//   - a quiet period, for a chat that chose to hear nothing then: the run
//     is done, nothing sent;
//   - otherwise its messages are sent in order, each recorded as it is
//     accepted, and a retry resumes after the last one recorded;
//   - *RetryAfter snoozes the job, a moved chat is followed, ErrChatGone
//     pauses the chat and cancels the job, and other errors are retried
//     with backoff, as for alerts (see Deliverer).
func (w *DigestWorker) Work(ctx context.Context, job *river.Job[DigestArgs]) error {
	args := job.Args
	log := w.logger.With("chat", args.Chat, "due", args.Due, "attempt", job.Attempt)
	err := w.Send(ctx, args.Chat, args.Due)
	var snooze *river.JobSnoozeError
	var cancel *river.JobCancelError
	if err != nil && job.Attempt >= job.MaxAttempts && !errors.As(err, &snooze) && !errors.As(err, &cancel) {
		log.Error("bot: digest failed for good: the chat will not get it", "error", err)
	}
	return err
}

// Send sends the digest of chat due at due, as Work does, and returns
// Work's outcome: nil when it was sent (now or before), a River snooze or
// cancel error, or an error to retry.
func (w *DigestWorker) Send(ctx context.Context, chat string, due time.Time) error {
	log := w.logger.With("chat", chat, "due", due)
	fail := func(err error) error {
		return fmt.Errorf("bot: digest of %s due %s: %w", chat, due.UTC().Format(time.RFC3339), err)
	}

	run, err := w.digests.StartDigest(ctx, chat, due)
	if err != nil {
		return fail(err)
	}
	if run.Done {
		log.Info("bot: digest already sent: not sending it again")
		return nil
	}
	paused, err := w.chats.ChatPaused(ctx, chat)
	if err != nil {
		return fail(err)
	}
	if paused {
		log.Warn("bot: chat paused: digest cancelled")
		return river.JobCancel(fail(errors.New("chat paused")))
	}
	d, skipQuiet, err := w.digests.BuildDigest(ctx, chat, run.From, run.To)
	if err != nil {
		return fail(err)
	}
	if d.Empty() && skipQuiet {
		log.Info("bot: quiet period: no digest sent, as the chat chose")
		return w.finish(ctx, chat, due, 0, fail)
	}
	m := w.messengers[Platform(chat)]
	if m == nil {
		return fail(fmt.Errorf("no messenger for platform %q", Platform(chat)))
	}

	sent := func(i int) error {
		// Recorded even if the attempt's deadline ran out during the send.
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), markTimeout)
		defer cancel()
		return w.digests.DigestPartSent(rctx, chat, due, i+1)
	}
	err = m.SendDigest(ctx, chat, d, run.Parts, sent)
	var mv moved
	if errors.As(err, &mv) {
		to := mv.NewChat()
		if merr := w.chats.MoveChat(ctx, chat, to); merr != nil {
			return fail(fmt.Errorf("move the chat to %s: %w", to, merr))
		}
		log.Warn("bot: chat moved: its subscriptions and digest follow it; change it in the config too if it is there", "to", to)
		err = m.SendDigest(ctx, to, d, run.Parts, sent)
	}
	var wait *RetryAfter
	switch {
	case err == nil:
		log.Info("bot: digest sent", "alerts", d.Alerts, "events", d.Events())
		return w.finish(ctx, chat, due, d.Alerts, fail)
	case errors.As(err, &wait):
		log.Info("bot: rate limited: digest snoozed", "wait", wait.Wait)
		return river.JobSnooze(max(wait.Wait, minSnooze))
	case errors.Is(err, ErrChatGone):
		if perr := w.chats.PauseChat(ctx, chat, err.Error()); perr != nil {
			return fail(fmt.Errorf("pause chat after %v: %w", err, perr))
		}
		log.Warn("bot: chat gone: chat paused, digest cancelled", "error", err)
		return river.JobCancel(fail(err))
	default:
		return fail(err)
	}
}

func (w *DigestWorker) finish(ctx context.Context, chat string, due time.Time, alerts int, fail func(error) error) error {
	// Recorded even if the attempt's deadline ran out during the last send.
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), markTimeout)
	defer cancel()
	if err := w.digests.FinishDigest(fctx, chat, due, alerts); err != nil {
		return fail(fmt.Errorf("sent, but not recorded: %w", err))
	}
	return nil
}
