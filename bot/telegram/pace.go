package telegram

import (
	"context"
	"sync"
	"time"
)

// Telegram's rate limits, which Send keeps under before they are hit (Bot
// API FAQ, "My bot is hitting limits, how do I avoid this?"; DESIGN.md §7).
//
// Each window is a little longer than Telegram's: the pacer counts a
// message when it lets it go, Telegram when it arrives, and concurrent
// sends arrive a few milliseconds out of the order they left in. Without
// the margin a window at Telegram holds one message too many now and then,
// which costs a 429 and its retry_after, far more than the margin does.
const (
	// chatInterval: "avoid sending more than one message per second" in a
	// chat.
	chatInterval = time.Second + 20*time.Millisecond
	// groupMax messages in any groupWindow to a group (a negative chat id):
	// "bots are not be able to send more than 20 messages per minute to the
	// same group".
	groupMax    = 20
	groupWindow = time.Minute + time.Second
	// allMax messages in any allWindow to all chats: "not more than 30
	// messages per second or so".
	allMax    = 30
	allWindow = time.Second + 50*time.Millisecond
	// sweepAt is how many chats the pacer remembers before it forgets
	// those idle for longer than every window.
	sweepAt = 1024
)

// pacer spaces sends to stay under Telegram's limits. Time comes from the
// time package, which tests fake with testing/synctest.
type pacer struct {
	mu     sync.Mutex
	last   map[int64]time.Time   // last send to a chat
	hold   map[int64]time.Time   // no send to a chat before this (a 429's retry_after)
	groups map[int64][]time.Time // sends to a group within groupWindow, oldest first
	all    []time.Time           // sends within allWindow, oldest first
}

func newPacer() *pacer {
	return &pacer{last: map[int64]time.Time{}, hold: map[int64]time.Time{}, groups: map[int64][]time.Time{}}
}

// wait blocks until a message may go to chat and counts it as sent. It
// returns ctx's error when ctx is done first, and a *tooEarly at once when
// ctx's deadline comes before the wait would end.
func (p *pacer) wait(ctx context.Context, chat int64) error {
	for {
		p.mu.Lock()
		now := time.Now()
		d := p.delay(chat, now)
		if d <= 0 {
			p.take(chat, now)
			p.mu.Unlock()
			return nil
		}
		p.mu.Unlock()
		if deadline, ok := ctx.Deadline(); ok && deadline.Before(now.Add(d)) {
			return &tooEarly{wait: d}
		}
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

// tooEarly is pacer.wait's error when the wait outlasts the caller's
// deadline.
type tooEarly struct{ wait time.Duration }

func (e *tooEarly) Error() string { return "rate limit: the wait outlasts the deadline" }

// holdChat keeps sends to chat back until until (Telegram said retry_after).
func (p *pacer) holdChat(chat int64, until time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if until.After(p.hold[chat]) {
		p.hold[chat] = until
	}
}

// delay is how long a send to chat must wait at now. p.mu is held.
func (p *pacer) delay(chat int64, now time.Time) time.Duration {
	var d time.Duration
	if h, ok := p.hold[chat]; ok {
		if h.After(now) {
			d = h.Sub(now)
		} else {
			delete(p.hold, chat)
		}
	}
	if last, ok := p.last[chat]; ok {
		d = max(d, last.Add(chatInterval).Sub(now))
	}
	if chat < 0 {
		g := within(p.groups[chat], now, groupWindow)
		p.groups[chat] = g
		if len(g) >= groupMax {
			d = max(d, g[len(g)-groupMax].Add(groupWindow).Sub(now))
		}
	}
	p.all = within(p.all, now, allWindow)
	if len(p.all) >= allMax {
		d = max(d, p.all[len(p.all)-allMax].Add(allWindow).Sub(now))
	}
	return d
}

// take counts a send to chat at now. p.mu is held.
func (p *pacer) take(chat int64, now time.Time) {
	if len(p.last) >= sweepAt {
		p.sweep(now)
	}
	p.last[chat] = now
	if chat < 0 {
		p.groups[chat] = append(p.groups[chat], now)
	}
	p.all = append(p.all, now)
}

// sweep forgets the chats idle for longer than every window. p.mu is held.
func (p *pacer) sweep(now time.Time) {
	for chat, t := range p.last {
		if now.Sub(t) >= groupWindow {
			delete(p.last, chat)
			delete(p.groups, chat)
		}
	}
}

// within drops the times of ts (sorted) that are window or more before now,
// in place.
func within(ts []time.Time, now time.Time, window time.Duration) []time.Time {
	i := 0
	for i < len(ts) && now.Sub(ts[i]) >= window {
		i++
	}
	if i == len(ts) {
		return nil
	}
	return ts[i:]
}
