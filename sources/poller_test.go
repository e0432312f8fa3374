package sources

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// Every test here runs in a synctest bubble: time is fake, starts at
// 2000-01-01 00:00 UTC and moves only when every goroutine of the bubble
// is blocked, so schedules are exact and nothing sleeps for real.

// pollRec is one call of a fakeSource's Poll.
type pollRec struct {
	source     string
	start, end time.Time
	state      State // what Poll was given
}

// recorder records the polls of fake sources and how many ran at once,
// in all and per host.
type recorder struct {
	mu          sync.Mutex
	polls       []pollRec
	perHost     map[string]int
	overlaps    []string // hosts polled twice at once
	inflight    int
	maxInflight int
}

func (r *recorder) begin(source, host string, st State) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.perHost == nil {
		r.perHost = make(map[string]int)
	}
	if host != "" {
		r.perHost[host]++
		if r.perHost[host] > 1 {
			r.overlaps = append(r.overlaps, host)
		}
	}
	r.inflight++
	r.maxInflight = max(r.maxInflight, r.inflight)
	r.polls = append(r.polls, pollRec{source: source, start: time.Now(), state: st})
	return len(r.polls) - 1
}

func (r *recorder) done(i int, host string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if host != "" {
		r.perHost[host]--
	}
	r.inflight--
	r.polls[i].end = time.Now()
}

// of returns the polls of one source, in order.
func (r *recorder) of(source string) []pollRec {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []pollRec
	for _, p := range r.polls {
		if p.source == source {
			out = append(out, p)
		}
	}
	return out
}

// starts returns when each poll of source started, as offsets from t0.
func (r *recorder) starts(source string, t0 time.Time) []time.Duration {
	var out []time.Duration
	for _, p := range r.of(source) {
		out = append(out, p.start.Sub(t0))
	}
	return out
}

// fakeSource is a Source whose answers come from a function.
type fakeSource struct {
	id   string
	host string // for the recorder's overlap count: the Target's Host
	rec  *recorder
	took time.Duration // how long each poll lasts
	// answer gives the n-th poll's answer (n from 0); nil: one item and
	// the same state.
	answer func(n int, st State) ([]Item, State, error)
}

func (s *fakeSource) Poll(ctx context.Context, st State) ([]Item, State, error) {
	i := s.rec.begin(s.id, s.host, st)
	defer s.rec.done(i, s.host)
	n := len(s.rec.of(s.id)) - 1
	if s.took > 0 {
		select {
		case <-time.After(s.took):
		case <-ctx.Done():
			return nil, st, fmt.Errorf("fake: source %s: %w", s.id, ctx.Err())
		}
	}
	if s.answer == nil {
		return []Item{{Source: s.id, ID: fmt.Sprint(n), Title: "item"}}, st, nil
	}
	return s.answer(n, st)
}

func failing(err error) func(int, State) ([]Item, State, error) {
	return func(int, State) ([]Item, State, error) { return nil, State{}, err }
}

// handler records Results; fail, when set, decides what Handle returns.
type handler struct {
	mu      sync.Mutex
	results []Result
	fail    func(r Result) error
}

func (h *handler) Handle(ctx context.Context, r Result) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.results = append(h.results, r)
	if h.fail != nil {
		return h.fail(r)
	}
	return nil
}

func (h *handler) of(source string) []Result {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []Result
	for _, r := range h.results {
		if r.Source == source {
			out = append(out, r)
		}
	}
	return out
}

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// start runs p in the background; stop cancels Run and waits for it.
func start(t *testing.T, p *Poller, targets []Target) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx, targets) }()
	return func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run = %v, want nil", err)
		}
	}
}

// gaps returns the differences between consecutive offsets.
func gaps(starts []time.Duration) []time.Duration {
	var out []time.Duration
	for i := 1; i < len(starts); i++ {
		out = append(out, starts[i]-starts[i-1])
	}
	return out
}

func TestPollerInterval(t *testing.T) {
	const every = time.Minute
	tests := []struct {
		name                   string
		jitter                 float64
		nextPoll               time.Duration // from the start; with persisted
		persisted              bool          // false: NextPoll is zero
		wantFirstMin           time.Duration
		wantFirstMax           time.Duration
		wantGapMin, wantGapMax time.Duration
	}{
		{name: "default jitter", jitter: 0, wantFirstMin: 0, wantFirstMax: 6 * time.Second, wantGapMin: 54 * time.Second, wantGapMax: 66 * time.Second},
		{name: "no jitter", jitter: -1, wantFirstMin: 0, wantFirstMax: 0, wantGapMin: every, wantGapMax: every},
		{name: "jitter capped at MaxJitter", jitter: 0.9, wantFirstMin: 0, wantFirstMax: 30 * time.Second, wantGapMin: 30 * time.Second, wantGapMax: 90 * time.Second},
		{name: "persisted next poll", jitter: -1, persisted: true, nextPoll: 10 * time.Minute, wantFirstMin: 10 * time.Minute, wantFirstMax: 10 * time.Minute, wantGapMin: every, wantGapMax: every},
		{name: "overdue next poll", jitter: 0, persisted: true, nextPoll: -time.Hour, wantFirstMin: 0, wantFirstMax: 0, wantGapMin: 54 * time.Second, wantGapMax: 66 * time.Second},
		{name: "next poll beyond any schedule", jitter: -1, persisted: true, nextPoll: 7 * 24 * time.Hour, wantFirstMin: time.Hour, wantFirstMax: time.Hour, wantGapMin: every, wantGapMax: every},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				t0 := time.Now()
				rec := &recorder{}
				target := Target{ID: "s", Source: &fakeSource{id: "s", rec: rec}, Every: every}
				if tt.persisted {
					target.NextPoll = t0.Add(tt.nextPoll)
				}
				p := NewPoller(&handler{}, PollerOptions{Jitter: tt.jitter, Logger: quiet})
				stop := start(t, p, []Target{target})
				time.Sleep(tt.wantFirstMax + 3*time.Hour + time.Second)
				stop()

				starts := rec.starts("s", t0)
				if len(starts) < 100 {
					t.Fatalf("%d polls in 3h, want at least 100", len(starts))
				}
				if first := starts[0]; first < tt.wantFirstMin || first > tt.wantFirstMax {
					t.Errorf("first poll after %v, want within [%v, %v]", first, tt.wantFirstMin, tt.wantFirstMax)
				}
				for i, g := range gaps(starts) {
					if g < tt.wantGapMin || g > tt.wantGapMax {
						t.Errorf("gap %d = %v, want within [%v, %v]", i, g, tt.wantGapMin, tt.wantGapMax)
					}
				}
			})
		})
	}
}

// TestPollerSpreadsFirstPolls: targets without a NextPoll (a first start)
// are not all polled at once.
func TestPollerSpreadsFirstPolls(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		t0 := time.Now()
		rec := &recorder{}
		var targets []Target
		for i := range 20 {
			id := fmt.Sprint("s", i)
			targets = append(targets, Target{ID: id, Source: &fakeSource{id: id, rec: rec}, Every: 10 * time.Minute})
		}
		p := NewPoller(&handler{}, PollerOptions{Logger: quiet})
		stop := start(t, p, targets)
		time.Sleep(2 * time.Minute)
		stop()

		distinct := make(map[time.Duration]bool)
		for _, tg := range targets {
			starts := rec.starts(tg.ID, t0)
			if len(starts) != 1 {
				t.Fatalf("%s polled %d times, want 1", tg.ID, len(starts))
			}
			if starts[0] > MaxStartSpread {
				t.Errorf("%s first polled after %v, want within %v", tg.ID, starts[0], MaxStartSpread)
			}
			distinct[starts[0]] = true
		}
		if len(distinct) < 10 {
			t.Errorf("20 first polls at %d distinct times, want them spread", len(distinct))
		}
	})
}

func TestPollerBackoff(t *testing.T) {
	errDown := &StatusError{StatusCode: 502}
	tests := []struct {
		name       string
		every      time.Duration
		maxBackoff time.Duration
		failures   int // polls that fail before the source recovers; -1: all
		wantGaps   []time.Duration
	}{
		{
			name: "doubles up to the cap", every: time.Minute, maxBackoff: 10 * time.Minute, failures: -1,
			wantGaps: []time.Duration{1 * time.Minute, 2 * time.Minute, 4 * time.Minute, 8 * time.Minute, 10 * time.Minute, 10 * time.Minute, 10 * time.Minute},
		},
		{
			name: "default cap of an hour", every: 20 * time.Minute, failures: -1,
			wantGaps: []time.Duration{20 * time.Minute, 40 * time.Minute, time.Hour, time.Hour},
		},
		{
			name: "cap below Every", every: 10 * time.Minute, maxBackoff: 3 * time.Minute, failures: -1,
			wantGaps: []time.Duration{3 * time.Minute, 3 * time.Minute, 3 * time.Minute},
		},
		{
			name: "success resets", every: time.Minute, maxBackoff: time.Hour, failures: 3,
			wantGaps: []time.Duration{1 * time.Minute, 2 * time.Minute, 4 * time.Minute, 1 * time.Minute, 1 * time.Minute},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				t0 := time.Now()
				rec := &recorder{}
				src := &fakeSource{id: "s", rec: rec, answer: func(n int, st State) ([]Item, State, error) {
					if tt.failures < 0 || n < tt.failures {
						return nil, State{}, errDown
					}
					return nil, st, nil
				}}
				h := &handler{}
				p := NewPoller(h, PollerOptions{Jitter: -1, MaxBackoff: tt.maxBackoff, Logger: quiet})
				stop := start(t, p, []Target{{ID: "s", Source: src, Every: tt.every}})
				var total time.Duration
				for _, g := range tt.wantGaps {
					total += g
				}
				time.Sleep(total + time.Second)
				stop()

				got := gaps(rec.starts("s", t0))
				if !slices.Equal(got, tt.wantGaps) {
					t.Errorf("gaps = %v, want %v", got, tt.wantGaps)
				}
				for i, r := range h.of("s") {
					want := i + 1
					if tt.failures >= 0 && i >= tt.failures {
						want = 0
					}
					if r.Health.ConsecutiveFailures != want {
						t.Errorf("result %d: ConsecutiveFailures = %d, want %d", i, r.Health.ConsecutiveFailures, want)
					}
					if i >= len(tt.wantGaps) {
						continue
					}
					if got, want := r.NextPoll, rec.of("s")[i].start.Add(tt.wantGaps[i]); !got.Equal(want) {
						t.Errorf("result %d: NextPoll = %v, want %v", i, got.Sub(t0), want.Sub(t0))
					}
				}
			})
		})
	}
}

func TestPollerBackoffJitter(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const every, maxBackoff = time.Minute, 10 * time.Minute
		t0 := time.Now()
		rec := &recorder{}
		src := &fakeSource{id: "s", rec: rec, answer: failing(errors.New("down"))}
		p := NewPoller(&handler{}, PollerOptions{Jitter: 0.2, MaxBackoff: maxBackoff, Logger: quiet})
		stop := start(t, p, []Target{{ID: "s", Source: src, Every: every, NextPoll: t0}})
		time.Sleep(3 * time.Hour)
		stop()

		got := gaps(rec.starts("s", t0))
		if len(got) < 15 {
			t.Fatalf("%d gaps, want at least 15", len(got))
		}
		for i, g := range got {
			base := min(every<<i, maxBackoff)
			lo, hi := time.Duration(0.8*float64(base)), min(time.Duration(1.2*float64(base)), maxBackoff)
			if g < lo || g > hi {
				t.Errorf("gap after failure %d = %v, want within [%v, %v]", i+1, g, lo, hi)
			}
		}
	})
}

func TestPollerRetryAfter(t *testing.T) {
	tests := []struct {
		name       string
		every      time.Duration
		maxBackoff time.Duration
		jitter     float64
		err        error
		wantGap    time.Duration
	}{
		{"longer than the backoff", time.Minute, 0, 0, &RetryAfterError{StatusCode: 429, Wait: 30 * time.Minute}, 30 * time.Minute},
		{"wrapped", time.Minute, 0, 0, fmt.Errorf("feed: source s: %w", &RetryAfterError{StatusCode: 503, Wait: 7 * time.Minute}), 7 * time.Minute},
		{"beyond MaxBackoff", time.Minute, 5 * time.Minute, 0, &RetryAfterError{StatusCode: 429, Wait: 20 * time.Minute}, 20 * time.Minute},
		{"shorter than the backoff", 10 * time.Minute, 0, -1, &RetryAfterError{StatusCode: 429, Wait: time.Second}, 10 * time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				t0 := time.Now()
				rec := &recorder{}
				src := &fakeSource{id: "s", rec: rec, answer: func(n int, st State) ([]Item, State, error) {
					if n == 0 {
						return nil, st, tt.err
					}
					return nil, st, nil
				}}
				h := &handler{}
				p := NewPoller(h, PollerOptions{Jitter: tt.jitter, MaxBackoff: tt.maxBackoff, Logger: quiet})
				stop := start(t, p, []Target{{ID: "s", Source: src, Every: tt.every, NextPoll: t0}})
				time.Sleep(tt.wantGap + time.Second)
				stop()

				starts := rec.starts("s", t0)
				if len(starts) != 2 {
					t.Fatalf("polls at %v, want 2 polls", starts)
				}
				if got := starts[1] - starts[0]; got != tt.wantGap {
					t.Errorf("second poll %v after the first, want %v", got, tt.wantGap)
				}
				if r := h.of("s")[0]; !errors.Is(r.Err, tt.err) {
					t.Errorf("Result.Err = %v, want %v", r.Err, tt.err)
				}
			})
		})
	}
}

// TestPollerResults follows one source through success, not modified and
// failure, and checks every field of each Result.
func TestPollerResults(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const every, took = time.Minute, 2 * time.Second
		t0 := time.Now()
		item := Item{Source: "s", ID: "1", Title: "Security Council to meet"}
		errBad := &StatusError{StatusCode: 500}
		steps := []struct {
			name   string
			state  State // what Poll returns
			items  []Item
			err    error
			want   Result
			wantIn State // what Poll is given
		}{
			{
				name: "first poll", state: State{ETag: `"a"`}, items: []Item{item},
				wantIn: State{Cursor: "c0"},
				want: Result{Items: []Item{item}, State: State{ETag: `"a"`},
					Health:   Health{LastSuccess: t0, LastAttempt: t0},
					NextPoll: t0.Add(every)},
			},
			{
				name: "not modified keeps the state", state: State{ETag: `"ignored"`}, err: fmt.Errorf("fake: %w", ErrNotModified),
				wantIn: State{ETag: `"a"`},
				want: Result{State: State{ETag: `"a"`}, NotModified: true,
					Health:   Health{LastSuccess: t0.Add(every), LastAttempt: t0.Add(every)},
					NextPoll: t0.Add(2 * every)},
			},
			{
				name: "failure keeps the state", state: State{ETag: `"ignored"`}, items: []Item{item}, err: errBad,
				wantIn: State{ETag: `"a"`},
				want: Result{State: State{ETag: `"a"`}, Err: errBad,
					Health:   Health{LastSuccess: t0.Add(every), LastAttempt: t0.Add(2 * every), ConsecutiveFailures: 1, LastError: errBad.Error()},
					NextPoll: t0.Add(3*every + took)}, // backoff from the end of the poll
			},
			{
				name: "recovery", state: State{ETag: `"b"`}, items: []Item{item},
				wantIn: State{ETag: `"a"`},
				want: Result{Items: []Item{item}, State: State{ETag: `"b"`},
					Health:   Health{LastSuccess: t0.Add(3*every + took), LastAttempt: t0.Add(3*every + took)},
					NextPoll: t0.Add(4*every + took)},
			},
		}
		rec := &recorder{}
		src := &fakeSource{id: "s", rec: rec, took: took, answer: func(n int, st State) ([]Item, State, error) {
			s := steps[min(n, len(steps)-1)]
			return s.items, s.state, s.err
		}}
		h := &handler{}
		p := NewPoller(h, PollerOptions{Jitter: -1, Logger: quiet})
		stop := start(t, p, []Target{{ID: "s", Source: src, Every: every, NextPoll: t0, State: State{Cursor: "c0"}}})
		time.Sleep(3*every + 10*time.Second)
		stop()

		results, polls := h.of("s"), rec.of("s")
		if len(results) != len(steps) {
			t.Fatalf("%d results, want %d", len(results), len(steps))
		}
		for i, s := range steps {
			got, want := results[i], s.want
			want.Source, want.Took = "s", took
			if polls[i].state != s.wantIn {
				t.Errorf("%s: Poll given %+v, want %+v", s.name, polls[i].state, s.wantIn)
			}
			if got.Source != want.Source || got.State != want.State || got.Health != want.Health ||
				!got.NextPoll.Equal(want.NextPoll) || got.NotModified != want.NotModified ||
				!errors.Is(got.Err, want.Err) || got.Took != want.Took || !slices.Equal(got.Items, want.Items) {
				t.Errorf("%s: Result =\n%+v\nwant\n%+v", s.name, got, want)
			}
		}
		if got, want := p.Health()["s"], steps[len(steps)-1].want.Health; got != want {
			t.Errorf("Health = %+v, want %+v", got, want)
		}
	})
}

func TestPollerHosts(t *testing.T) {
	const took, gap = 3 * time.Second, 2 * time.Second
	tests := []struct {
		name    string
		workers int
		hostGap time.Duration
		// wantStarts: when each source is first polled, from the start.
		// a1–a3 share a host, so do b1 and b2; n1 and n2 have none.
		wantStarts map[string][]time.Duration // "a": the set of a1–a3's
	}{
		{
			name: "hosts spaced, others not held up", workers: 8, hostGap: gap,
			wantStarts: map[string][]time.Duration{
				"a": {0, took + gap, 2 * (took + gap)},
				"b": {0, took + gap},
				"n": {time.Second, time.Second},
			},
		},
		{
			name: "no gap", workers: 8, hostGap: -1,
			wantStarts: map[string][]time.Duration{
				"a": {0, took, 2 * took},
				"b": {0, took},
				"n": {time.Second, time.Second},
			},
		},
		{
			name: "a host in its gap leaves the workers to others", workers: 2, hostGap: gap,
			// a and b take both workers at 0; at 3s they end and must
			// wait until 5s, so n1 and n2 (due at 1s) take the workers
			// until 6s; then a and b again.
			wantStarts: map[string][]time.Duration{
				"a": {0, 2 * took, 3*took + gap},
				"b": {0, 2 * took},
				"n": {took, took},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				t0 := time.Now()
				rec := &recorder{}
				var targets []Target
				for _, s := range []struct{ id, host string }{
					{"a1", "a.example"}, {"a2", "a.example"}, {"a3", "a.example"},
					{"b1", "b.example"}, {"b2", "b.example"},
					{"n1", ""}, {"n2", ""},
				} {
					tg := Target{
						ID: s.id, Host: s.host, Every: time.Hour, NextPoll: t0,
						Source: &fakeSource{id: s.id, host: s.host, rec: rec, took: took},
					}
					if s.host == "" {
						tg.NextPoll = t0.Add(time.Second) // after a and b: ties in the heap go any way
					}
					targets = append(targets, tg)
				}
				p := NewPoller(&handler{}, PollerOptions{Workers: tt.workers, HostGap: tt.hostGap, Jitter: -1, Logger: quiet})
				stop := start(t, p, targets)
				time.Sleep(time.Minute)
				stop()

				for group, want := range tt.wantStarts {
					var got []time.Duration
					for _, tg := range targets {
						if strings.HasPrefix(tg.ID, group) {
							got = append(got, rec.starts(tg.ID, t0)...)
						}
					}
					slices.Sort(got)
					if !slices.Equal(got, want) {
						t.Errorf("%s* polled at %v, want %v", group, got, want)
					}
				}
				if len(rec.overlaps) > 0 {
					t.Errorf("hosts polled twice at once: %v", rec.overlaps)
				}
				if rec.maxInflight > tt.workers {
					t.Errorf("%d polls at once, want at most %d", rec.maxInflight, tt.workers)
				}
				// Space between the requests to one host.
				for _, host := range []string{"a", "b"} {
					var polls []pollRec
					for _, tg := range targets {
						if strings.HasPrefix(tg.ID, host) {
							polls = append(polls, rec.of(tg.ID)...)
						}
					}
					slices.SortFunc(polls, func(x, y pollRec) int { return x.start.Compare(y.start) })
					for i := 1; i < len(polls); i++ {
						if got := polls[i].start.Sub(polls[i-1].end); got < max(tt.hostGap, 0) {
							t.Errorf("host %s: %s started %v after %s ended, want at least %v", host, polls[i].source, got, polls[i-1].source, tt.hostGap)
						}
					}
				}
			})
		})
	}
}

func TestPollerWorkers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		t0 := time.Now()
		rec := &recorder{}
		var targets []Target
		for i := range 10 {
			id := fmt.Sprint("s", i)
			targets = append(targets, Target{ID: id, Every: time.Hour, NextPoll: t0, Source: &fakeSource{id: id, rec: rec, took: 10 * time.Second}})
		}
		p := NewPoller(&handler{}, PollerOptions{Workers: 3, Jitter: -1, Logger: quiet})
		stop := start(t, p, targets)
		time.Sleep(time.Minute)
		stop()

		if rec.maxInflight != 3 {
			t.Errorf("%d polls at once, want 3", rec.maxInflight)
		}
		var got []time.Duration
		for _, tg := range targets {
			got = append(got, rec.starts(tg.ID, t0)...)
		}
		slices.Sort(got)
		want := []time.Duration{0, 0, 0, 10 * time.Second, 10 * time.Second, 10 * time.Second, 20 * time.Second, 20 * time.Second, 20 * time.Second, 30 * time.Second}
		if !slices.Equal(got, want) {
			t.Errorf("polls at %v, want %v", got, want)
		}
	})
}

func TestPollerUpdate(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const every = time.Minute
		t0 := time.Now()
		rec := &recorder{}
		next := func(n int, st State) ([]Item, State, error) {
			return nil, State{Cursor: fmt.Sprint(n + 1)}, nil
		}
		srcA := &fakeSource{id: "a", rec: rec}
		srcB := &fakeSource{id: "b", rec: rec, answer: next}
		h := &handler{}
		p := NewPoller(h, PollerOptions{Jitter: -1, Logger: quiet})
		stop := start(t, p, []Target{
			{ID: "a", Source: srcA, Every: every, NextPoll: t0},
			{ID: "b", Source: srcB, Every: every, NextPoll: t0.Add(30 * time.Second)},
			{ID: "slow", Source: &fakeSource{id: "slow", rec: rec}, Every: time.Hour, NextPoll: t0},
		})
		time.Sleep(45 * time.Second)

		// Config reload: a goes, c comes, b stays with a new Source object
		// and stale persisted fields, slow now every minute.
		srcB2 := &fakeSource{id: "b", rec: rec, answer: next}
		p.Update([]Target{
			{ID: "b", Source: srcB2, Every: every, NextPoll: t0.Add(24 * time.Hour), State: State{Cursor: "stale"}, Health: Health{ConsecutiveFailures: 99}},
			{ID: "c", Source: &fakeSource{id: "c", rec: rec}, Every: every, NextPoll: t0.Add(50 * time.Second)},
			{ID: "slow", Source: &fakeSource{id: "slow", rec: rec}, Every: every},
		})
		time.Sleep(110 * time.Second)
		stop()

		checks := []struct {
			source string
			want   []time.Duration
		}{
			{"a", []time.Duration{0}},
			{"b", []time.Duration{30 * time.Second, 90 * time.Second, 150 * time.Second}},
			{"c", []time.Duration{50 * time.Second, 110 * time.Second}},
			{"slow", []time.Duration{0, 105 * time.Second}}, // one new Every after the update at 45s
		}
		for _, c := range checks {
			if got := rec.starts(c.source, t0); !slices.Equal(got, c.want) {
				t.Errorf("%s polled at %v, want %v", c.source, got, c.want)
			}
		}
		var gotStates []string
		for _, pr := range rec.of("b") {
			gotStates = append(gotStates, pr.state.Cursor)
		}
		if want := []string{"", "1", "2"}; !slices.Equal(gotStates, want) {
			t.Errorf("b given cursors %q, want %q (state kept across Update)", gotStates, want)
		}
		health := p.Health()
		var ids []string
		for id := range health {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		if want := []string{"b", "c", "slow"}; !slices.Equal(ids, want) {
			t.Errorf("Health ids = %q, want %q", ids, want)
		}
		if got := health["b"].ConsecutiveFailures; got != 0 {
			t.Errorf("b ConsecutiveFailures = %d, want 0 (health kept across Update)", got)
		}
	})
}

// TestPollerUpdateHost: a target moved to another host leaves its old
// host's queue, whether it is waiting or polling, and the old host is
// forgotten.
func TestPollerUpdateHost(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		t0 := time.Now()
		rec := &recorder{}
		targets := []Target{
			{ID: "a1", Host: "h.example", Every: time.Minute, NextPoll: t0, Source: &fakeSource{id: "a1", rec: rec, took: 10 * time.Second}},
			{ID: "a2", Host: "h.example", Every: time.Minute, NextPoll: t0.Add(time.Second), Source: &fakeSource{id: "a2", rec: rec, took: 10 * time.Second}},
		}
		p := NewPoller(&handler{}, PollerOptions{Jitter: -1, Logger: quiet})
		stop := start(t, p, targets)
		time.Sleep(5 * time.Second) // a1 polling, a2 waiting for the host
		moved := slices.Clone(targets)
		moved[0].Host, moved[1].Host = "k.example", "g.example"
		p.Update(moved)
		time.Sleep(95 * time.Second)
		stop()

		checks := []struct {
			source string
			want   []time.Duration
		}{
			{"a1", []time.Duration{0, time.Minute}},
			{"a2", []time.Duration{5 * time.Second, 65 * time.Second}},
		}
		for _, c := range checks {
			if got := rec.starts(c.source, t0); !slices.Equal(got, c.want) {
				t.Errorf("%s polled at %v, want %v", c.source, got, c.want)
			}
		}
		p.mu.Lock()
		var hosts []string
		for k := range p.hosts {
			hosts = append(hosts, k)
		}
		p.mu.Unlock()
		slices.Sort(hosts)
		if want := []string{"g.example", "k.example"}; !slices.Equal(hosts, want) {
			t.Errorf("hosts = %q, want %q", hosts, want)
		}
	})
}

// TestPollerUpdateWhilePolling: a target removed while its poll runs is
// handed that poll and not polled again; one removed and added back while
// its poll runs is never polled twice at once.
func TestPollerUpdateWhilePolling(t *testing.T) {
	tests := []struct {
		name       string
		readdAt    time.Duration // 0: not added back
		wantStarts []time.Duration
	}{
		{"removed", 0, []time.Duration{0}},
		{"removed and added back", 7 * time.Second, []time.Duration{0, time.Minute, 2 * time.Minute}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				t0 := time.Now()
				rec := &recorder{}
				target := Target{ID: "s", Source: &fakeSource{id: "s", host: "h", rec: rec, took: 10 * time.Second}, Every: time.Minute, NextPoll: t0}
				h := &handler{}
				p := NewPoller(h, PollerOptions{Jitter: -1, Logger: quiet})
				stop := start(t, p, []Target{target})
				time.Sleep(5 * time.Second)
				p.Update(nil)
				if _, ok := p.Health()["s"]; ok {
					t.Errorf("Health has s after its removal")
				}
				if tt.readdAt > 0 {
					time.Sleep(tt.readdAt - 5*time.Second)
					p.Update([]Target{target})
				}
				time.Sleep(t0.Add(2*time.Minute + 15*time.Second).Sub(time.Now()))
				stop()

				if got := rec.starts("s", t0); !slices.Equal(got, tt.wantStarts) {
					t.Errorf("polled at %v, want %v", got, tt.wantStarts)
				}
				if got := len(h.of("s")); got != len(tt.wantStarts) {
					t.Errorf("%d results handed, want %d", got, len(tt.wantStarts))
				}
				if len(rec.overlaps) > 0 {
					t.Errorf("polled twice at once")
				}
			})
		})
	}
}

// TestPollerStop: cancelling Run's ctx cancels the polls in flight, Run
// returns only after they have, and their results are not handed.
func TestPollerStop(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		t0 := time.Now()
		var mu sync.Mutex
		var events []string
		event := func(s string) {
			mu.Lock()
			defer mu.Unlock()
			events = append(events, s)
		}
		var pollErr error
		src := sourceFunc(func(ctx context.Context, st State) ([]Item, State, error) {
			event("poll started")
			<-ctx.Done()
			time.Sleep(time.Second) // cleaning up takes a while
			pollErr = ctx.Err()
			event("poll returned")
			return nil, st, ctx.Err()
		})
		h := &handler{}
		p := NewPoller(h, PollerOptions{Logger: quiet})
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error)
		go func() { done <- p.Run(ctx, []Target{{ID: "s", Source: src, Every: time.Minute, NextPoll: t0}}) }()
		time.Sleep(10 * time.Second)
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run = %v, want nil", err)
		}
		event("Run returned")

		if want := []string{"poll started", "poll returned", "Run returned"}; !slices.Equal(events, want) {
			t.Errorf("events = %q, want %q", events, want)
		}
		if !errors.Is(pollErr, context.Canceled) {
			t.Errorf("poll's ctx.Err() = %v, want context.Canceled", pollErr)
		}
		if got := len(h.of("s")); got != 0 {
			t.Errorf("%d results handed after the stop, want 0", got)
		}
		if got := p.Health()["s"].ConsecutiveFailures; got != 0 {
			t.Errorf("ConsecutiveFailures = %d after the stop, want 0 (no verdict)", got)
		}
	})
}

type sourceFunc func(ctx context.Context, st State) ([]Item, State, error)

func (f sourceFunc) Poll(ctx context.Context, st State) ([]Item, State, error) { return f(ctx, st) }

// TestPollerHandlerError: a Handler error fails the poll: backoff, no
// new State, the error in Health.
func TestPollerHandlerError(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		t0 := time.Now()
		rec := &recorder{}
		src := &fakeSource{id: "s", rec: rec, answer: func(n int, st State) ([]Item, State, error) {
			return []Item{{ID: "1"}}, State{ETag: fmt.Sprint(n + 1)}, nil
		}}
		errLocked := errors.New("database is locked")
		h := &handler{fail: func(r Result) error {
			if len(rec.of("s")) <= 2 {
				return errLocked
			}
			return nil
		}}
		p := NewPoller(h, PollerOptions{Jitter: -1, Logger: quiet})
		stop := start(t, p, []Target{{ID: "s", Source: src, Every: time.Minute, NextPoll: t0}})
		time.Sleep(90 * time.Second)
		health := p.Health()["s"]
		time.Sleep(3 * time.Minute)
		stop()

		if got, want := health.ConsecutiveFailures, 2; got != want {
			t.Errorf("ConsecutiveFailures = %d, want %d", got, want)
		}
		if got, want := health.LastError, "sources: handle result: database is locked"; got != want {
			t.Errorf("LastError = %q, want %q", got, want)
		}
		if !health.LastSuccess.IsZero() {
			t.Errorf("LastSuccess = %v, want zero", health.LastSuccess)
		}
		// Backoff: 1m, 2m; then success: 1m.
		if got, want := rec.starts("s", t0), []time.Duration{0, time.Minute, 3 * time.Minute, 4 * time.Minute}; !slices.Equal(got, want) {
			t.Errorf("polled at %v, want %v", got, want)
		}
		var gotETags []string
		for _, pr := range rec.of("s") {
			gotETags = append(gotETags, pr.state.ETag)
		}
		if want := []string{"", "", "", "3"}; !slices.Equal(gotETags, want) {
			t.Errorf("Poll given ETags %q, want %q (state not advanced by a failed Handle)", gotETags, want)
		}
	})
}

func TestPollerPollTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		t0 := time.Now()
		src := sourceFunc(func(ctx context.Context, st State) ([]Item, State, error) {
			<-ctx.Done()
			return nil, st, fmt.Errorf("fake: %w", ctx.Err())
		})
		h := &handler{}
		p := NewPoller(h, PollerOptions{PollTimeout: 2 * time.Minute, Jitter: -1, Logger: quiet})
		stop := start(t, p, []Target{{ID: "s", Source: src, Every: time.Minute, NextPoll: t0}})
		time.Sleep(4 * time.Minute)
		stop()

		results := h.of("s")
		if len(results) != 1 {
			t.Fatalf("%d results, want 1", len(results))
		}
		r := results[0]
		if !errors.Is(r.Err, context.DeadlineExceeded) {
			t.Errorf("Err = %v, want context.DeadlineExceeded", r.Err)
		}
		if want := "sources: poll s: no result within 2m0s (PollTimeout): fake: context deadline exceeded"; r.Err == nil || r.Err.Error() != want {
			t.Errorf("Err = %v, want %q", r.Err, want)
		}
		if got, want := r.NextPoll, t0.Add(3*time.Minute); !got.Equal(want) {
			t.Errorf("NextPoll = %v, want %v (end of the poll + backoff)", got, want)
		}
	})
}

func TestPollerPanic(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		src := sourceFunc(func(ctx context.Context, st State) ([]Item, State, error) {
			panic("index out of range")
		})
		h := &handler{}
		p := NewPoller(h, PollerOptions{Jitter: -1, Logger: quiet})
		stop := start(t, p, []Target{{ID: "s", Source: src, Every: time.Minute, NextPoll: time.Now()}})
		time.Sleep(30 * time.Second)
		stop()

		if got, want := p.Health()["s"].LastError, "sources: poll s panicked: index out of range"; got != want {
			t.Errorf("LastError = %q, want %q", got, want)
		}
	})
}

// logRecorder is a slog.Handler that keeps the records.
type logRecorder struct {
	mu      sync.Mutex
	records []slog.Record
}

func (l *logRecorder) Enabled(context.Context, slog.Level) bool { return true }
func (l *logRecorder) WithAttrs([]slog.Attr) slog.Handler       { return l }
func (l *logRecorder) WithGroup(string) slog.Handler            { return l }
func (l *logRecorder) Handle(_ context.Context, r slog.Record) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.records = append(l.records, r.Clone())
	return nil
}

func TestPollerLogs(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		t0 := time.Now()
		logs := &logRecorder{}
		src := &fakeSource{id: "s", rec: &recorder{}, answer: func(n int, st State) ([]Item, State, error) {
			if n < 3 {
				return nil, st, fmt.Errorf("fake: poll %d: %w", n+1, &StatusError{StatusCode: 502})
			}
			return nil, st, nil
		}}
		p := NewPoller(&handler{}, PollerOptions{Jitter: -1, Logger: slog.New(logs)})
		stop := start(t, p, []Target{{ID: "s", Source: src, Every: time.Minute, NextPoll: t0}})
		time.Sleep(10 * time.Minute)
		stop()

		type line struct {
			level   slog.Level
			msg     string
			source  string
			attempt int64
			err     string
		}
		var got []line
		for _, r := range logs.records {
			l := line{level: r.Level, msg: r.Message}
			r.Attrs(func(a slog.Attr) bool {
				switch a.Key {
				case "source":
					l.source = a.Value.String()
				case "attempt":
					l.attempt = a.Value.Int64()
				case "error":
					l.err = fmt.Sprint(a.Value.Any())
				}
				return true
			})
			got = append(got, l)
		}
		want := []line{
			{slog.LevelWarn, "sources: poll failed", "s", 1, "fake: poll 1: unexpected status 502 Bad Gateway"},
			{slog.LevelWarn, "sources: poll failed", "s", 2, "fake: poll 2: unexpected status 502 Bad Gateway"},
			{slog.LevelWarn, "sources: poll failed", "s", 3, "fake: poll 3: unexpected status 502 Bad Gateway"},
			{slog.LevelInfo, "sources: poll succeeded after failures", "s", 4, ""},
		}
		if !slices.Equal(got, want) {
			t.Errorf("logs =\n%v\nwant\n%v", got, want)
		}
	})
}

func TestPollerRunErrors(t *testing.T) {
	src := sourceFunc(func(ctx context.Context, st State) ([]Item, State, error) { return nil, st, nil })
	tests := []struct {
		name    string
		targets []Target
		want    string
	}{
		{"no id", []Target{{Source: src, Every: time.Minute}}, "sources: poller: target without an ID"},
		{"no source", []Target{{ID: "s", Every: time.Minute}}, "sources: poller: target s: no Source"},
		{"no every", []Target{{ID: "s", Source: src}}, "sources: poller: target s: Every 0s is not positive"},
		{"duplicate", []Target{{ID: "s", Source: src, Every: time.Minute}, {ID: "s", Source: src, Every: time.Minute}}, "sources: poller: target s: duplicate ID"},
		{"all at once", []Target{{ID: "s", Source: src}, {ID: "t", Every: time.Minute}}, "sources: poller: target s: Every 0s is not positive\ntarget t: no Source"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := NewPoller(&handler{}, PollerOptions{Logger: quiet})
			err := p.Run(t.Context(), tt.targets)
			if err == nil || err.Error() != tt.want {
				t.Errorf("Run = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestPollerRunTwice(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := NewPoller(&handler{}, PollerOptions{Logger: quiet})
		stop := start(t, p, nil)
		time.Sleep(time.Second)
		if err := p.Run(t.Context(), nil); err == nil {
			t.Errorf("second Run = nil, want an error")
		}
		stop()
	})
}

// TestPollerUpdateBeforeRun: Health reports targets given to Update
// before Run, with their persisted health.
func TestPollerUpdateBeforeRun(t *testing.T) {
	p := NewPoller(&handler{}, PollerOptions{Logger: quiet})
	persisted := Health{LastSuccess: time.Date(2024, 2, 3, 12, 0, 0, 0, time.UTC), ConsecutiveFailures: 2, LastError: "boom"}
	p.Update([]Target{{ID: "s", Source: sourceFunc(nil), Every: time.Minute, Health: persisted}})
	if got := p.Health()["s"]; got != persisted {
		t.Errorf("Health = %+v, want %+v", got, persisted)
	}
}

func TestBackoff(t *testing.T) {
	const maxD = time.Duration(1<<63 - 1)
	tests := []struct {
		name  string
		every time.Duration
		n     int
		limit time.Duration
		want  time.Duration
	}{
		{"first failure", time.Minute, 1, time.Hour, time.Minute},
		{"third failure", time.Minute, 3, time.Hour, 4 * time.Minute},
		{"capped", time.Minute, 10, time.Hour, time.Hour},
		{"many failures do not overflow", time.Minute, 1000, time.Hour, time.Hour},
		{"huge limit does not overflow", time.Hour, 200, maxD, maxD},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := backoff(tt.every, tt.n, tt.limit); got != tt.want {
				t.Errorf("backoff(%v, %d, %v) = %v, want %v", tt.every, tt.n, tt.limit, got, tt.want)
			}
		})
	}
}
