package app

import (
	"bufio"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/alertbot/alertbot"
	"github.com/alertbot/alertbot/bot"
	"github.com/alertbot/alertbot/rules/rulestest"
	"github.com/alertbot/alertbot/sources"
)

// The benchmarks of the pipeline run against a local feed server: 1,000
// RSS feeds of 50 items each, items of news prose (the sentences of
// rules/testdata/bench), matched against rules.example.yaml.
//
//	go test -run '^$' -bench 'Ingest|Latency' -benchtime 1x ./app/

const (
	benchSources = 1000
	benchItems   = 50
)

// benchFeeds renders n feeds of m items once, with an ETag each. Items
// are general news (economy, sport, weather, science, culture) in English
// and Russian; about one in fifty also carries a sentence on an event the
// rules look for, as a real stream would.
func benchFeeds(tb testing.TB, n, m int) (bodies [][]byte, etags []string) {
	general := benchSentences(tb, "general_en.txt", "general_ru.txt")
	events := benchSentences(tb, "news_en.txt", "news_ru.txt")
	rng := rand.New(rand.NewPCG(1, 2))
	now := time.Now().UTC()
	for i := range n {
		var b strings.Builder
		b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>feed</title>`)
		for j := range m {
			title := general[rng.IntN(len(general))]
			var text strings.Builder
			for k := range 4 {
				s := general[rng.IntN(len(general))]
				if k == 1 && rng.IntN(50) == 0 {
					s = events[rng.IntN(len(events))]
				}
				text.WriteString(s)
				text.WriteByte(' ')
			}
			fmt.Fprintf(&b, `<item><guid>f%d-i%d</guid><link>https://news.example/%d/%d</link><title>%s</title><description>%s</description><pubDate>%s</pubDate></item>`,
				i, j, i, j, escapeXML(title), escapeXML(text.String()), now.Add(-time.Duration(j)*time.Minute).Format(time.RFC1123Z))
		}
		b.WriteString(`</channel></rss>`)
		bodies = append(bodies, []byte(b.String()))
		etags = append(etags, fmt.Sprintf(`"f%d"`, i))
	}
	return bodies, etags
}

// benchSentences reads the sentences of files in rules/testdata/bench.
func benchSentences(tb testing.TB, names ...string) []string {
	var out []string
	for _, name := range names {
		data, err := os.ReadFile(filepath.Join("..", "rules", "testdata", "bench", name))
		if err != nil {
			tb.Fatal(err)
		}
		for _, s := range strings.SplitAfter(string(data), ". ") {
			if s = strings.TrimSpace(s); len(s) > 20 {
				out = append(out, s)
			}
		}
	}
	return out
}

func escapeXML(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s))
	return b.String()
}

// serveFeeds serves /N.xml as bodies[N], answering 304 to its ETag.
func serveFeeds(tb testing.TB, bodies [][]byte, etags []string) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/"), ".xml"))
		if err != nil || i >= len(bodies) {
			http.NotFound(w, r)
			return
		}
		if r.Header.Get("If-None-Match") == etags[i] {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", etags[i])
		w.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
		w.Write(bodies[i])
	}))
	tb.Cleanup(srv.Close)
	return srv
}

// benchService opens a Service on the example rule library (with extra
// rule sets, if given) and n sources served by srv.
func benchService(tb testing.TB, srvURL string, n int, extra []Ruleset, every time.Duration, out io.Writer) *Service {
	cfg, err := ParseConfig("rules.example.yaml", alertbot.ExampleConfig)
	if err != nil {
		tb.Fatal(err)
	}
	cfg.Rulesets = append(cfg.Rulesets, extra...)
	cfg.HTTP.Listen = ""
	cfg.Sources = nil
	for i := range n {
		cfg.Sources = append(cfg.Sources, Source{
			ID: fmt.Sprintf("s%d", i), Kind: "rss", URL: fmt.Sprintf("%s/%d.xml", srvURL, i),
			Every: every, MaxAge: DefaultMaxAge, FloodLimit: DefaultFloodLimit, Backfill: benchItems,
		})
	}
	svc, err := Open(context.Background(), cfg, Options{
		Stdout: out, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Storage:    "sqlite:" + filepath.Join(tb.TempDir(), "bench.db"),
		Poller:     sources.PollerOptions{HostGap: -1, Jitter: -1, Workers: 8},
		Messengers: map[string]bot.Messenger{},
	})
	if err != nil {
		tb.Fatal(err)
	}
	return svc
}

// cycle polls every target once through the pipeline, eight at a time, as
// the Poller does when they fall due together, and returns the items
// fetched and the process's CPU time spent.
func cycle(tb testing.TB, svc *Service, states []sources.State) (items int, cpu time.Duration) {
	start := cpuTime()
	var mu sync.Mutex
	var wg sync.WaitGroup
	work := make(chan int)
	for range 8 {
		wg.Go(func() {
			for i := range work {
				t := svc.targets[i]
				got, next, err := t.Source.Poll(context.Background(), states[i])
				r := sources.Result{Source: t.ID, Items: got, State: next, Health: sources.Health{LastSuccess: time.Now(), LastAttempt: time.Now()}}
				switch {
				case errors.Is(err, sources.ErrNotModified):
					r.NotModified, r.State = true, states[i]
				case err != nil:
					tb.Error(err)
					continue
				}
				if err := svc.pipe.Handle(context.Background(), r); err != nil {
					tb.Error(err)
				}
				mu.Lock()
				items += len(got)
				states[i] = r.State
				mu.Unlock()
			}
		})
	}
	for i := range svc.targets {
		work <- i
	}
	close(work)
	wg.Wait()
	return items, cpuTime() - start
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkIngest: the first cycle over 1,000 sources of 50 items fetches,
// parses, dedups, stores and matches 50,000 items; the second, in which
// every source answers 304, should cost next to nothing.
func BenchmarkIngest(b *testing.B) {
	bodies, etags := benchFeeds(b, benchSources, benchItems)
	srv := serveFeeds(b, bodies, etags)
	for b.Loop() {
		svc := benchService(b, srv.URL, benchSources, nil, time.Hour, io.Discard)
		states := make([]sources.State, len(svc.targets))
		t0 := time.Now()
		n1, cpu1 := cycle(b, svc, states)
		wall1 := time.Since(t0)
		n2, cpu2 := cycle(b, svc, states)
		svc.Close()
		if n1 != benchSources*benchItems || n2 != 0 {
			b.Fatalf("cycles fetched %d and %d items, want %d and 0", n1, n2, benchSources*benchItems)
		}
		b.ReportMetric(float64(n1)/wall1.Seconds(), "items/s")
		b.ReportMetric(float64(cpu1.Milliseconds()), "cpu-ms-first")
		b.ReportMetric(float64(cpu2.Milliseconds()), "cpu-ms-304")
		b.ReportMetric(100*cpu2.Seconds()/cpu1.Seconds(), "%cpu-304/first")
	}
}

// BenchmarkRunMemory runs the real binary, alertbot run, with 10,000
// rules of realistic shape (rules/rulestest) besides the example library
// and 1,000 sources of 50 items, until every item is fetched, and reports
// its peak resident memory (VmHWM). The sources are spread over 250
// loopback addresses, as they would be over hosts, so that per-host
// politeness does not serialise them.
func BenchmarkRunMemory(b *testing.B) {
	dir := b.TempDir()
	bin := filepath.Join(dir, "alertbot")
	if out, err := exec.Command("go", "build", "-o", bin, "../cmd/alertbot").CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	bodies, etags := benchFeeds(b, benchSources, benchItems)
	handler := serveFeeds(b, bodies, etags).Config.Handler
	const hosts = 250
	srv := &http.Server{Handler: handler}
	var port int
	for h := range hosts {
		addr := fmt.Sprintf("127.0.%d.%d:%d", h/250, h%250+1, port)
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			b.Skipf("listen on %s: %v (this benchmark needs the loopback range)", addr, err)
		}
		port = ln.Addr().(*net.TCPAddr).Port
		go srv.Serve(ln)
	}
	b.Cleanup(func() { srv.Close() })

	corpus, err := rulestest.Load(filepath.Join("..", "rules", "testdata"))
	if err != nil {
		b.Fatal(err)
	}
	var cfg strings.Builder
	metrics := freePort(b)
	fmt.Fprintf(&cfg, "http: {listen: 127.0.0.1:%d}\nsources:\n", metrics)
	for i := range benchSources {
		fmt.Fprintf(&cfg, "  - {id: s%d, kind: rss, url: 'http://127.0.%d.%d:%d/%d.xml', every: 1h, backfill: 50}\n",
			i, (i%hosts)/250, i%hosts%250+1, port, i)
	}
	example, err := os.ReadFile("../rules.example.yaml")
	if err != nil {
		b.Fatal(err)
	}
	_, rulesets, _ := strings.Cut(string(example), "\nrulesets:\n")
	cfg.WriteString("rulesets:\n" + rulesets + "\n  - id: generated\n    title: Generated\n    rules:\n")
	rng := rand.New(rand.NewPCG(5, 5))
	for i := range 10000 {
		fmt.Fprintf(&cfg, "      - {id: g%d, title: G, severity: low, query: '%s'}\n", i, strings.ReplaceAll(corpus.Query(rng), "'", "''"))
	}
	config := filepath.Join(dir, "alertbot.yaml")
	if err := os.WriteFile(config, []byte(cfg.String()), 0o644); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		cmd := exec.Command(bin, "run", "-config", config)
		cmd.Env = append(os.Environ(), "ALERTBOT_STORAGE=sqlite:"+filepath.Join(b.TempDir(), "alertbot.db"))
		cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		for fetched(metrics) < benchSources*benchItems {
			if time.Since(start) > 3*time.Minute {
				cmd.Process.Kill()
				b.Fatalf("fetched %d items in 3 minutes", fetched(metrics))
			}
			time.Sleep(200 * time.Millisecond)
		}
		b.ReportMetric(time.Since(start).Seconds(), "s-to-fetch-all")
		b.ReportMetric(float64(statusKB(b, cmd.Process.Pid, "VmHWM:"))/1024, "peak-RSS-MiB")
		cmd.Process.Signal(syscall.SIGTERM)
		if err := cmd.Wait(); err != nil {
			b.Errorf("alertbot run did not stop cleanly: %v", err)
		}
	}
}

func freePort(tb testing.TB) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// fetched sums alertbot_items_fetched_total from the /metrics on port.
func fetched(port int) int {
	resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/metrics", port))
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	n := 0.0
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "alertbot_items_fetched_total{"); ok {
			_, v, _ := strings.Cut(rest, "} ")
			f, _ := strconv.ParseFloat(v, 64)
			n += f
		}
	}
	return int(n)
}

// statusKB reads a field of /proc/PID/status, in kB.
func statusKB(tb testing.TB, pid int, field string) int64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		tb.Skip("no /proc")
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, field); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb
		}
	}
	return 0
}

// BenchmarkLatency runs the service with its poller on a 1 s interval and
// measures, for items that appear in a feed at random moments, the time
// until the console shows their alert.
func BenchmarkLatency(b *testing.B) {
	const (
		every   = time.Second
		samples = 40
	)
	var mu sync.Mutex
	appeared := map[string]time.Time{}
	var items []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		var body strings.Builder
		body.WriteString(`<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>t</title>`)
		for i := len(items) - 1; i >= 0 && i >= len(items)-benchItems; i-- {
			fmt.Fprintf(&body, `<item><guid>%s</guid><title>Iraq summoned the US charge d'affaires (%s)</title><pubDate>%s</pubDate></item>`,
				items[i], items[i], appeared[items[i]].Format(time.RFC1123Z))
		}
		body.WriteString(`</channel></rss>`)
		w.Header().Set("Content-Type", "application/rss+xml")
		io.WriteString(w, body.String())
	}))
	b.Cleanup(srv.Close)
	for b.Loop() {
		shown := newShownWriter()
		svc := benchService(b, srv.URL, 1, nil, every, shown)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- svc.Run(ctx) }()
		rng := rand.New(rand.NewPCG(3, 4))
		time.Sleep(2 * every) // the first fetch, which never alerts
		for i := range samples {
			id := fmt.Sprintf("item-%d", i)
			mu.Lock()
			items = append(items, id)
			appeared[id] = time.Now()
			mu.Unlock()
			time.Sleep(time.Duration(rng.Int64N(int64(1500 * time.Millisecond))))
		}
		deadline := time.Now().Add(5 * time.Second)
		for shown.count() < samples && time.Now().Before(deadline) {
			time.Sleep(50 * time.Millisecond)
		}
		cancel()
		<-done
		var lat []time.Duration
		for id, t := range shown.times() {
			lat = append(lat, t.Sub(appeared[id]))
		}
		if len(lat) != samples {
			b.Fatalf("%d of %d alerts shown", len(lat), samples)
		}
		slices.Sort(lat)
		b.ReportMetric(float64(lat[len(lat)/2].Milliseconds()), "p50-ms")
		b.ReportMetric(float64(lat[len(lat)*99/100].Milliseconds()), "p99-ms")
		b.ReportMetric(float64(lat[len(lat)-1].Milliseconds()), "max-ms")
		b.ReportMetric(float64(every.Milliseconds()), "interval-ms")
	}
}

// shownWriter records when the console first shows each item-N.
type shownWriter struct {
	mu    sync.Mutex
	shown map[string]time.Time
}

func newShownWriter() *shownWriter { return &shownWriter{shown: map[string]time.Time{}} }

func (w *shownWriter) Write(p []byte) (int, error) {
	now := time.Now()
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, f := range strings.FieldsFunc(string(p), func(r rune) bool { return r == '(' || r == ')' }) {
		if strings.HasPrefix(f, "item-") {
			if _, ok := w.shown[f]; !ok {
				w.shown[f] = now
			}
		}
	}
	return len(p), nil
}

func (w *shownWriter) count() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.shown)
}

func (w *shownWriter) times() map[string]time.Time {
	w.mu.Lock()
	defer w.mu.Unlock()
	return maps.Clone(w.shown)
}
