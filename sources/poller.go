package sources

import (
	"container/heap"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"
)

// Defaults of PollerOptions. Each one applies when its option is zero.
const (
	DefaultWorkers     = 8
	DefaultHostGap     = time.Second
	DefaultJitter      = 0.1
	DefaultMaxBackoff  = time.Hour
	DefaultPollTimeout = 5 * time.Minute
	// MaxJitter caps PollerOptions.Jitter: a larger fraction could bring a
	// poll so close to the previous one that the interval means nothing.
	MaxJitter = 0.5
	// MaxStartSpread caps the window over which targets without a NextPoll
	// (new sources) have their first poll spread: Jitter·Every, at most
	// this, so that a new source is polled soon even when Every is long.
	MaxStartSpread = time.Minute
)

// Health is a source's health record, shown by /status and /metrics.
type Health struct {
	LastSuccess         time.Time // start of the last successful poll; zero: never
	LastAttempt         time.Time // start of the last poll, successful or not
	ConsecutiveFailures int       // failed polls since the last success
	LastError           string    // why the last poll failed; "" after a success
}

// Target is a source as the Poller schedules it.
type Target struct {
	ID     string
	Source Source
	Every  time.Duration // how often to poll; must be positive
	// Host is the host Source requests, for politeness: requests to one
	// host are spaced by PollerOptions.HostGap and never overlap. "" for
	// none (the source is spaced from nothing but itself).
	Host     string
	State    State     // as last persisted
	Health   Health    // as last persisted
	NextPoll time.Time // as last persisted; zero: poll soon (first polls are spread, not all at once)
}

// Result is one poll's outcome, handed to the Handler.
type Result struct {
	Source      string // Target.ID
	Items       []Item // what Poll returned; nil when not modified or failed
	State       State  // the state to persist (unchanged when not modified or failed)
	Health      Health // the health record after this poll
	NextPoll    time.Time
	NotModified bool  // the source said nothing changed (ErrNotModified); a success
	Err         error // why the poll failed, or nil
	Took        time.Duration
}

// Handler receives each Result.
//
// The Poller calls Handle from its workers once per finished poll, failed
// ones included (so that their Health and NextPoll can be persisted):
// concurrently for different sources, never for one source twice at once,
// and the source is not polled again until Handle returns. ctx is the one
// given to Run. If Handle returns an error the poll counts as failed:
// ConsecutiveFailures grows, backoff applies and State is not advanced
// (the next Poll gets the old one), so the items come again. The Result
// already handed carries the Health and NextPoll of a success; the failure
// reaches the Handler with the next Result and Poller.Health.
type Handler interface {
	Handle(ctx context.Context, r Result) error
}

// HandlerFunc adapts a function to Handler.
type HandlerFunc func(ctx context.Context, r Result) error

func (f HandlerFunc) Handle(ctx context.Context, r Result) error { return f(ctx, r) }

// PollerOptions configures a Poller. The zero value gives the defaults.
type PollerOptions struct {
	Workers int // polls at once (a poll lasts until Handle returns); default DefaultWorkers
	// HostGap is the least time from the end of one request to a host to
	// the start of the next one; default DefaultHostGap; negative: none.
	HostGap time.Duration
	// Jitter is the fraction of Every (or of the backoff) added or removed
	// at random; default DefaultJitter, at most MaxJitter; negative: none.
	Jitter float64
	// MaxBackoff is the longest wait after failures (a Retry-After can ask
	// for longer); default DefaultMaxBackoff.
	MaxBackoff time.Duration
	// PollTimeout bounds one Poll, so that a source that hangs cannot hold
	// its host and a worker forever; default DefaultPollTimeout; negative:
	// none. Past it the poll's ctx is cancelled and the poll fails.
	PollTimeout time.Duration
	Now         func() time.Time // clock; default time.Now
	Logger      *slog.Logger     // default slog.Default()
}

// Poller polls Targets on their schedules and hands each Result to a
// Handler. Its methods are safe for concurrent use.
//
// Scheduling is one goroutine (Run's) with one timer and a min-heap of
// hosts ordered by when each may next be polled; each host holds a
// min-heap of its sources by next-poll time. A poll runs in a goroutine of
// its own that ends with it, at most Workers at once.
type Poller struct {
	h          Handler
	workers    int
	hostGap    time.Duration
	jitter     float64
	maxBackoff time.Duration
	timeout    time.Duration
	now        func() time.Time
	log        *slog.Logger
	wake       chan struct{} // tells Run to look at the heaps again

	mu       sync.Mutex
	entries  map[string]*entry
	hosts    map[string]*hostQueue
	ready    hostHeap // hosts that are not busy and have queued entries
	inflight int
	running  bool
}

// entry is one target inside the Poller.
type entry struct {
	id      string
	src     Source
	every   time.Duration
	state   State
	health  Health
	next    time.Time
	q       *hostQueue // the host it belongs to
	index   int        // in q.entries; -1 when not queued (polling, or removed)
	polling bool
	removed bool // by Update while polling: dropped when the poll ends
}

// hostQueue holds the entries of one host. An entry without a Host has a
// queue of its own.
type hostQueue struct {
	key     string
	polite  bool      // a named host: HostGap applies
	entries entryHeap // queued entries by next poll
	members int       // entries that belong here, queued or polling
	busy    bool      // a request to the host is running
	free    time.Time // no request before this (end of the last one + HostGap)
	index   int       // in Poller.ready; -1 when absent
}

// readyAt is when the host's next request may start.
func (q *hostQueue) readyAt() time.Time {
	t := q.entries[0].next
	if q.free.After(t) {
		return q.free
	}
	return t
}

// NewPoller returns a Poller that hands its results to h.
func NewPoller(h Handler, opt PollerOptions) *Poller {
	if h == nil {
		panic("sources: NewPoller with a nil Handler")
	}
	p := &Poller{
		h:          h,
		workers:    opt.Workers,
		hostGap:    opt.HostGap,
		jitter:     opt.Jitter,
		maxBackoff: opt.MaxBackoff,
		timeout:    opt.PollTimeout,
		now:        opt.Now,
		log:        opt.Logger,
		wake:       make(chan struct{}, 1),
		entries:    make(map[string]*entry),
		hosts:      make(map[string]*hostQueue),
	}
	if p.workers <= 0 {
		p.workers = DefaultWorkers
	}
	switch {
	case p.hostGap == 0:
		p.hostGap = DefaultHostGap
	case p.hostGap < 0:
		p.hostGap = 0
	}
	switch {
	case p.jitter == 0:
		p.jitter = DefaultJitter
	case p.jitter < 0:
		p.jitter = 0
	case p.jitter > MaxJitter:
		p.jitter = MaxJitter
	}
	if p.maxBackoff <= 0 {
		p.maxBackoff = DefaultMaxBackoff
	}
	switch {
	case p.timeout == 0:
		p.timeout = DefaultPollTimeout
	case p.timeout < 0:
		p.timeout = 0
	}
	if p.now == nil {
		p.now = time.Now
	}
	if p.log == nil {
		p.log = slog.Default()
	}
	return p
}

// Run polls the targets until ctx is done, then returns nil after the
// polls in flight have ended: their ctx is cancelled, and their results
// are dropped (not handed, not counted) because a cancelled poll says
// nothing about the source. Run takes targets as Update does, so a Poller
// keeps what it knows across Runs. It returns an error without polling
// when a target has no ID, no Source, an Every that is not positive, or
// an ID another one has, and when the Poller is running already.
func (p *Poller) Run(ctx context.Context, targets []Target) error {
	if err := checkTargets(targets); err != nil {
		return err
	}
	p.mu.Lock()
	if p.running {
		p.mu.Unlock()
		return errors.New("sources: poller: Run called while running")
	}
	p.running = true
	p.update(targets)
	p.mu.Unlock()

	var wg sync.WaitGroup
	defer func() {
		wg.Wait()
		p.mu.Lock()
		p.running = false
		p.mu.Unlock()
	}()
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		p.mu.Lock()
		now := p.now()
		for p.inflight < p.workers && ctx.Err() == nil {
			e := p.popReady(now)
			if e == nil {
				break
			}
			p.inflight++
			args := pollArgs{e: e, q: e.q, src: e.src, state: e.state, health: e.health, every: e.every, start: now}
			wg.Go(func() { p.poll(ctx, args) })
		}
		// With every worker busy, only the end of a poll can change
		// anything, and it wakes us.
		var wait time.Duration
		armed := p.inflight < p.workers && len(p.ready) > 0
		if armed {
			wait = p.ready[0].readyAt().Sub(now)
		}
		p.mu.Unlock()

		if armed {
			timer.Reset(wait)
		} else {
			timer.Stop()
		}
		select {
		case <-ctx.Done():
			return nil
		case <-p.wake:
		case <-timer.C:
		}
	}
}

// Update replaces the set of targets, while Run runs or before it. New
// targets are scheduled; removed ones are not polled again (a poll in
// flight ends and is handed as usual); kept ones (same ID) take the new
// Source, Every and Host but keep their schedule, State and Health (the
// Target's are ignored). A kept target whose Every changed is polled no
// later than one new Every from now, unless it is backing off after
// failures. Invalid targets (see Run) are logged and skipped; a running
// target with an invalid replacement keeps its old one.
func (p *Poller) Update(targets []Target) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.update(targets)
}

// Health returns the current health of every target, by id.
func (p *Poller) Health() map[string]Health {
	p.mu.Lock()
	defer p.mu.Unlock()
	m := make(map[string]Health, len(p.entries))
	for id, e := range p.entries {
		if !e.removed {
			m[id] = e.health
		}
	}
	return m
}

func checkTarget(t Target) error {
	switch {
	case t.ID == "":
		return errors.New("target without an ID")
	case t.Source == nil:
		return fmt.Errorf("target %s: no Source", t.ID)
	case t.Every <= 0:
		return fmt.Errorf("target %s: Every %s is not positive", t.ID, t.Every)
	}
	return nil
}

func checkTargets(targets []Target) error {
	var errs []error
	seen := make(map[string]bool, len(targets))
	for _, t := range targets {
		if err := checkTarget(t); err != nil {
			errs = append(errs, err)
		} else if seen[t.ID] {
			errs = append(errs, fmt.Errorf("target %s: duplicate ID", t.ID))
		}
		seen[t.ID] = true
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("sources: poller: %w", err)
	}
	return nil
}

// update does Update's work; p.mu is held.
func (p *Poller) update(targets []Target) {
	now := p.now()
	seen := make(map[string]bool, len(targets))
	for _, t := range targets {
		if err := checkTarget(t); err != nil {
			p.log.Error("sources: poller: invalid target skipped", "source", t.ID, "error", err)
			seen[t.ID] = true // keeps the running one, if any
			continue
		}
		if seen[t.ID] {
			p.log.Error("sources: poller: duplicate target skipped", "source", t.ID)
			continue
		}
		seen[t.ID] = true
		if e, ok := p.entries[t.ID]; ok {
			p.keep(e, t, now)
		} else {
			p.add(t, now)
		}
	}
	for id, e := range p.entries {
		if !seen[id] && !e.removed {
			p.remove(e)
		}
	}
	p.signal()
}

func (p *Poller) add(t Target, now time.Time) {
	e := &entry{id: t.ID, src: t.Source, every: t.Every, state: t.State, health: t.Health, index: -1}
	e.next = p.firstPoll(t, now)
	p.entries[t.ID] = e
	p.join(e, t.Host)
	p.enqueue(e)
}

// firstPoll is when a target new to this Poller is first polled: its
// persisted NextPoll, brought forward when it lies further ahead than any
// schedule could have put it (a clock that jumped, a corrupt row);
// without one, soon, spread over Jitter·Every (at most MaxStartSpread) so
// that a restart does not poll everything at once.
func (p *Poller) firstPoll(t Target, now time.Time) time.Time {
	if t.NextPoll.IsZero() {
		spread := min(time.Duration(p.jitter*float64(t.Every)), MaxStartSpread)
		if spread <= 0 {
			return now
		}
		return now.Add(rand.N(spread))
	}
	horizon := time.Duration(float64(max(t.Every, p.maxBackoff, MaxRetryAfter)) * (1 + p.jitter))
	if limit := now.Add(horizon); t.NextPoll.After(limit) {
		return limit
	}
	return t.NextPoll
}

func (p *Poller) keep(e *entry, t Target, now time.Time) {
	e.removed = false // removed while polling, and back
	e.src = t.Source
	if e.q.key != hostKey(t.Host, t.ID) {
		queued := e.index >= 0
		if queued {
			p.dequeue(e)
		}
		p.leave(e)
		p.join(e, t.Host)
		if queued {
			p.enqueue(e)
		}
	}
	if t.Every != e.every {
		e.every = t.Every
		if next := now.Add(p.jittered(t.Every)); e.index >= 0 && e.health.ConsecutiveFailures == 0 && next.Before(e.next) {
			e.next = next
			heap.Fix(&e.q.entries, e.index)
			p.fixHost(e.q)
		}
	}
}

func (p *Poller) remove(e *entry) {
	if e.polling {
		e.removed = true // finish drops it
		return
	}
	p.dequeue(e)
	p.leave(e)
	delete(p.entries, e.id)
}

// hostKey names the queue of a target: its host, or the target itself.
func hostKey(host, id string) string {
	if host == "" {
		return "\x00" + id
	}
	return host
}

// join makes e a member of its host's queue, creating the queue.
func (p *Poller) join(e *entry, host string) {
	key := hostKey(host, e.id)
	q := p.hosts[key]
	if q == nil {
		q = &hostQueue{key: key, polite: host != "", index: -1}
		p.hosts[key] = q
	}
	q.members++
	e.q = q
}

// leave ends e's membership of its queue, dropping a queue nobody uses.
func (p *Poller) leave(e *entry) {
	q := e.q
	q.members--
	if q.members == 0 && !q.busy {
		p.dropHost(q)
	}
}

func (p *Poller) dropHost(q *hostQueue) {
	if q.index >= 0 {
		heap.Remove(&p.ready, q.index)
	}
	delete(p.hosts, q.key)
}

func (p *Poller) enqueue(e *entry) {
	heap.Push(&e.q.entries, e)
	p.fixHost(e.q)
}

func (p *Poller) dequeue(e *entry) {
	if e.index < 0 {
		return
	}
	heap.Remove(&e.q.entries, e.index)
	p.fixHost(e.q)
}

// fixHost puts q in the ready heap, at its place, when it is free and has
// queued entries, and takes it out otherwise.
func (p *Poller) fixHost(q *hostQueue) {
	want := !q.busy && len(q.entries) > 0
	switch {
	case want && q.index < 0:
		heap.Push(&p.ready, q)
	case want:
		heap.Fix(&p.ready, q.index)
	case q.index >= 0:
		heap.Remove(&p.ready, q.index)
	}
}

// popReady takes the entry to poll now, if any, and marks it and its
// host busy.
func (p *Poller) popReady(now time.Time) *entry {
	if len(p.ready) == 0 || p.ready[0].readyAt().After(now) {
		return nil
	}
	q := p.ready[0]
	e := heap.Pop(&q.entries).(*entry)
	e.polling = true
	q.busy = true
	p.fixHost(q)
	return e
}

func (p *Poller) signal() {
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// pollArgs is what a poll needs, copied under the lock when it starts.
type pollArgs struct {
	e      *entry
	q      *hostQueue // the host it holds
	src    Source
	state  State
	health Health
	every  time.Duration
	start  time.Time
}

// poll runs one poll and hands its result.
func (p *Poller) poll(ctx context.Context, a pollArgs) {
	items, next, err := p.callPoll(ctx, a)
	end := p.now()

	p.mu.Lock()
	a.q.busy = false
	if a.q.polite {
		a.q.free = end.Add(p.hostGap)
	}
	if a.q.members == 0 {
		p.dropHost(a.q)
	} else {
		p.fixHost(a.q)
	}
	p.signal()
	p.mu.Unlock()

	if ctx.Err() != nil {
		p.finish(a.e, nil) // stopping: no verdict
		return
	}
	r := Result{Source: a.e.id, State: a.state, Health: a.health, Took: end.Sub(a.start)}
	r.Health.LastAttempt = a.start
	switch {
	case err == nil:
		r.Items, r.State = items, next
	case errors.Is(err, ErrNotModified):
		r.NotModified = true
		err = nil
	}
	if err == nil {
		r.Health.LastSuccess = a.start
		r.Health.ConsecutiveFailures = 0
		r.Health.LastError = ""
		r.NextPoll = a.start.Add(p.jittered(a.every))
		if r.NextPoll.Before(end) {
			r.NextPoll = end
		}
	} else {
		p.fail(&r, a, err, end)
	}

	if herr := p.h.Handle(ctx, r); herr != nil {
		if ctx.Err() != nil {
			p.finish(a.e, nil)
			return
		}
		herr = fmt.Errorf("sources: handle result: %w", herr)
		if r.Err != nil {
			herr = fmt.Errorf("%w; %w", r.Err, herr)
		}
		r.State, r.Items, r.NotModified = a.state, nil, false
		r.Health = a.health
		r.Health.LastAttempt = a.start
		p.fail(&r, a, herr, p.now())
	}
	if r.Err != nil {
		p.log.Warn("sources: poll failed", "source", a.e.id, "attempt", r.Health.ConsecutiveFailures,
			"error", r.Err, "next_poll", r.NextPoll)
	} else if a.health.ConsecutiveFailures > 0 {
		p.log.Info("sources: poll succeeded after failures", "source", a.e.id, "attempt", a.health.ConsecutiveFailures+1)
	}
	p.finish(a.e, &r)
}

// callPoll calls the Source within PollTimeout. A panic in a source (a
// parser fed with something unforeseen) fails the poll rather than the
// process.
func (p *Poller) callPoll(ctx context.Context, a pollArgs) (items []Item, next State, err error) {
	pctx := ctx
	if p.timeout > 0 {
		var cancel context.CancelFunc
		pctx, cancel = context.WithTimeout(ctx, p.timeout)
		defer cancel()
	}
	defer func() {
		if v := recover(); v != nil {
			items, next, err = nil, State{}, fmt.Errorf("sources: poll %s panicked: %v", a.e.id, v)
		}
	}()
	items, next, err = a.src.Poll(pctx, a.state)
	if err != nil && ctx.Err() == nil && errors.Is(pctx.Err(), context.DeadlineExceeded) {
		err = fmt.Errorf("sources: poll %s: no result within %s (PollTimeout): %w", a.e.id, p.timeout, err)
	}
	return items, next, err
}

// fail turns r into a failure with err: one more consecutive failure, and
// the next poll after the backoff or the Retry-After, whichever is later.
func (p *Poller) fail(r *Result, a pollArgs, err error, end time.Time) {
	r.Err = err
	r.Health.ConsecutiveFailures++
	r.Health.LastError = err.Error()
	wait := min(p.jittered(backoff(a.every, r.Health.ConsecutiveFailures, p.maxBackoff)), p.maxBackoff)
	if ra, ok := errors.AsType[*RetryAfterError](err); ok && ra.Wait > wait {
		wait = ra.Wait
	}
	r.NextPoll = end.Add(wait)
}

// backoff is the wait after n consecutive failures: every·2^(n-1), at
// most limit.
func backoff(every time.Duration, n int, limit time.Duration) time.Duration {
	d := every
	for i := 1; i < n && d < limit; i++ {
		if d > limit/2 {
			return limit
		}
		d *= 2
	}
	return min(d, limit)
}

// jittered returns d with up to Jitter·d added or removed at random.
func (p *Poller) jittered(d time.Duration) time.Duration {
	if p.jitter == 0 {
		return d
	}
	return time.Duration(float64(d) * (1 + p.jitter*(2*rand.Float64()-1)))
}

// finish puts e back on the schedule after a poll: with r's outcome, or
// as it was when r is nil.
func (p *Poller) finish(e *entry, r *Result) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.inflight--
	e.polling = false
	if r != nil {
		e.state, e.health, e.next = r.State, r.Health, r.NextPoll
	}
	if e.removed {
		p.leave(e)
		if p.entries[e.id] == e {
			delete(p.entries, e.id)
		}
	} else {
		p.enqueue(e)
	}
	p.signal()
}

// entryHeap orders a host's entries by next poll.
type entryHeap []*entry

func (h entryHeap) Len() int           { return len(h) }
func (h entryHeap) Less(i, j int) bool { return h[i].next.Before(h[j].next) }
func (h entryHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index, h[j].index = i, j
}
func (h *entryHeap) Push(x any) {
	e := x.(*entry)
	e.index = len(*h)
	*h = append(*h, e)
}
func (h *entryHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	e.index = -1
	return e
}

// hostHeap orders hosts by when each may next be polled.
type hostHeap []*hostQueue

func (h hostHeap) Len() int           { return len(h) }
func (h hostHeap) Less(i, j int) bool { return h[i].readyAt().Before(h[j].readyAt()) }
func (h hostHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index, h[j].index = i, j
}
func (h *hostHeap) Push(x any) {
	q := x.(*hostQueue)
	q.index = len(*h)
	*h = append(*h, q)
}
func (h *hostHeap) Pop() any {
	old := *h
	q := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	q.index = -1
	return q
}
