package slack

import (
	"context"
	"sync"
	"time"

	"github.com/alertbot/alertbot/bot"
)

// Clock is the time the Messenger paces its messages by. Tests inject one
// that moves when told; the default is the real time.
type Clock interface {
	Now() time.Time
	// Sleep returns after d, or with ctx's error as soon as ctx is done.
	Sleep(ctx context.Context, d time.Duration) error
}

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

func (realClock) Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Pace: chat.postMessage allows "1 message per second per channel, short
// bursts allowed" (Slack's rate limits; PROTOCOLS.md §2.4). The size of a
// burst is not published: we keep to 3.
const (
	PaceInterval = time.Second
	PaceBurst    = 3
)

// pacer spaces messages to each channel: one per interval, after a burst
// of up to burst, by GCRA (a token bucket kept as one time per channel).
// It also holds a channel for as long as Slack asked us to wait. Safe for
// concurrent use: concurrent senders to one channel queue in turn.
type pacer struct {
	clock    Clock
	interval time.Duration
	burst    int

	mu   sync.Mutex
	tat  map[string]time.Time // channel → theoretical arrival time of its next message
	held map[string]time.Time // channel → until when Slack asked us to wait
}

func newPacer(clock Clock, interval time.Duration, burst int) *pacer {
	return &pacer{
		clock: clock, interval: interval, burst: max(burst, 1),
		tat: map[string]time.Time{}, held: map[string]time.Time{},
	}
}

// prune drops channels whose state no longer matters, when there are many,
// so a long-running process does not keep every channel it ever sent to.
const pruneAbove = 1024

// wait blocks until a message may go to channel, and counts it. It returns
// ctx's error if ctx is done first, and *bot.RetryAfter at once, counting
// nothing, when the channel is held (Slack answered 429) or the wait
// would outlast ctx's deadline: the caller's job is then better snoozed
// than blocked.
func (p *pacer) wait(ctx context.Context, channel string) error {
	if p.interval <= 0 {
		return nil
	}
	p.mu.Lock()
	now := p.clock.Now()
	if until := p.held[channel]; now.Before(until) {
		p.mu.Unlock()
		return &bot.RetryAfter{Wait: until.Sub(now)}
	}
	tat := p.tat[channel]
	if tat.Before(now) {
		tat = now
	}
	at := tat.Add(-time.Duration(p.burst-1) * p.interval)
	wait := max(at.Sub(now), 0)
	if deadline, ok := ctx.Deadline(); ok && wait > 0 && wait >= time.Until(deadline) {
		p.mu.Unlock()
		return &bot.RetryAfter{Wait: wait}
	}
	p.tat[channel] = tat.Add(p.interval)
	if len(p.tat) > pruneAbove {
		p.prune(now)
	}
	p.mu.Unlock()
	if wait == 0 {
		return ctx.Err()
	}
	return p.clock.Sleep(ctx, wait)
}

// hold stops messages to channel for d: Slack asked us to wait.
func (p *pacer) hold(channel string, d time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if until := p.clock.Now().Add(d); until.After(p.held[channel]) {
		p.held[channel] = until
	}
}

// prune forgets the channels that are neither paced nor held. p.mu is held.
func (p *pacer) prune(now time.Time) {
	for ch, tat := range p.tat {
		if !tat.After(now) {
			delete(p.tat, ch)
		}
	}
	for ch, until := range p.held {
		if !until.After(now) {
			delete(p.held, ch)
		}
	}
}
