package app

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alertbot/alertbot/bot"
	"github.com/alertbot/alertbot/sources"
	"github.com/alertbot/alertbot/store"
)

// feedServer serves RSS feeds that tests change over time, with ETags, and
// counts what it answered.
type feedServer struct {
	mu          sync.Mutex
	feeds       map[string][]string // path -> item titles, newest first
	broken      map[string]bool     // path -> answers an HTML error page
	notModified map[string]int      // path -> 304s sent
	ok          map[string]int      // path -> 200s sent
}

func newFeedServer(t *testing.T) (*feedServer, *httptest.Server) {
	fs := &feedServer{feeds: map[string][]string{}, broken: map[string]bool{}, notModified: map[string]int{}, ok: map[string]int{}}
	srv := httptest.NewServer(fs)
	t.Cleanup(srv.Close)
	return fs, srv
}

func (fs *feedServer) set(path string, titles ...string) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.feeds[path] = titles
}

func (fs *feedServer) count(path string) (ok, notModified int) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return fs.ok[path], fs.notModified[path]
}

func (fs *feedServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if fs.broken[r.URL.Path] {
		w.Header().Set("Content-Type", "text/html")
		io.WriteString(w, "<html><body>Service temporarily unavailable</body></html>")
		return
	}
	titles := fs.feeds[r.URL.Path]
	etag := fmt.Sprintf(`"%x"`, len(strings.Join(titles, "|"))+len(titles)*1000)
	if r.Header.Get("If-None-Match") == etag {
		fs.notModified[r.URL.Path]++
		w.WriteHeader(http.StatusNotModified)
		return
	}
	fs.ok[r.URL.Path]++
	w.Header().Set("ETag", etag)
	w.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>test</title>`)
	now := time.Now().UTC()
	for i, title := range titles {
		fmt.Fprintf(&b, `<item><guid>%s-%d</guid><title>%s</title><description>%s</description><pubDate>%s</pubDate></item>`,
			r.URL.Path, len(titles)-i, title, title, now.Add(-time.Duration(i)*time.Minute).Format(time.RFC1123Z))
	}
	b.WriteString(`</channel></rss>`)
	io.WriteString(w, b.String())
}

// syncBuffer is the console sink's output, written by delivery workers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

const e2eRules = `
rulesets:
  - id: diplomacy
    title: Diplomacy
    rules:
      - id: diplomat-summoned
        title: Diplomat summoned
        severity: high
        query: 'summon* NEAR/5 (ambassador OR envoy OR "charge d''affaires")'
sources:
  - {id: a, kind: rss, url: "%[1]s/a.xml"}
  - {id: broken, kind: rss, url: "%[1]s/broken.xml"}
  - {id: c, kind: rss, url: "%[1]s/c.xml"}
`

// e2eService opens a Service on db with the test's feeds, polled often.
func e2eService(t *testing.T, srvURL, db string, out io.Writer) *Service {
	t.Helper()
	cfg, err := ParseConfig("e2e.yaml", []byte(fmt.Sprintf(e2eRules, srvURL)))
	if err != nil {
		t.Fatal(err)
	}
	for i := range cfg.Sources {
		cfg.Sources[i].Every = 100 * time.Millisecond
	}
	cfg.HTTP.Listen = "127.0.0.1:0"
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc, err := Open(context.Background(), cfg, Options{
		Stdout: out, Logger: log, Storage: "sqlite:" + db,
		Poller:     sources.PollerOptions{HostGap: -1, Jitter: -1},
		Messengers: map[string]bot.Messenger{}, // the console only, whatever the environment
	})
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

// run runs svc until the returned stop is called.
func run(t testing.TB, svc *Service) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- svc.Run(ctx) }()
	return func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	}
}

// eventually waits up to 15 s for cond, checking often.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func sourceState(t *testing.T, st *store.Store, id string) store.SourceState {
	s, err := st.GetSourceState(context.Background(), id)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		t.Fatal(err)
	}
	return s
}

func delivered(t *testing.T, st *store.Store) int {
	n, err := st.CountDelivered(context.Background(), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestEndToEnd(t *testing.T) {
	feeds, srv := newFeedServer(t)
	db := filepath.Join(t.TempDir(), "alertbot.db")
	const first = "Iraq summons US charge d'affaires over strikes"
	feeds.set("/a.xml", first, "Weather in Geneva is fine")
	feeds.set("/c.xml", "Markets close higher")
	feeds.broken["/broken.xml"] = true

	// A first fetch stores its items and alerts nothing, even on a match.
	var out1 syncBuffer
	svc := e2eService(t, srv.URL, db, &out1)
	st := svc.st
	stop := run(t, svc)
	eventually(t, "a and c are fetched", func() bool {
		return sourceState(t, st, "a").Seen && sourceState(t, st, "c").Seen
	})
	// One broken source records its error; the others go on.
	eventually(t, "the broken source records its error", func() bool {
		b := sourceState(t, st, "broken")
		return b.ConsecutiveFailures > 0 && strings.Contains(b.LastError, "not a feed")
	})

	// A new item alerts exactly once, however often the feed is polled.
	const second = "Poland summoned the Russian ambassador after a drone crossed its airspace"
	feeds.set("/a.xml", second, "Football: squad named for Friday", first, "Weather in Geneva is fine")
	eventually(t, "the new item's alert is delivered", func() bool { return delivered(t, st) == 1 })
	// 304s: the feed is polled again and answers not modified.
	_, nm := feeds.count("/a.xml")
	eventually(t, "a answers 304 twice more", func() bool { _, n := feeds.count("/a.xml"); return n >= nm+2 })
	if got := delivered(t, st); got != 1 {
		t.Errorf("%d deliveries, want 1", got)
	}
	stop()
	if got := alertsShown(out1.String()); got != 1 || !strings.Contains(out1.String(), second) {
		t.Errorf("the console shows %d alerts, want the new item's once:\n%s", got, out1.String())
	}
	if strings.Contains(out1.String(), first) {
		t.Errorf("the first fetch alerted:\n%s", out1.String())
	}

	// A restart on the same database alerts nothing again.
	var out2 syncBuffer
	svc = e2eService(t, srv.URL, db, &out2)
	st = svc.st
	restarted := time.Now()
	stop = run(t, svc)
	eventually(t, "a is polled after the restart", func() bool { return sourceState(t, st, "a").LastSuccess.After(restarted) })
	feeds.set("/a.xml", "Tokyo: new train line opens", second, "Football: squad named for Friday", first, "Weather in Geneva is fine")
	eventually(t, "a's new item is stored", func() bool {
		n, _ := st.CountItems(context.Background())
		return n == 6
	})
	stop()
	if out2.String() != "" {
		t.Errorf("a restart alerted again:\n%s", out2.String())
	}

	// A process killed between writing an alert and delivering it: the
	// alert and its delivery job are committed, then the process is gone
	// before any worker ran. The next run delivers it, once.
	const third = "Lithuania summoned the Belarusian envoy over balloons"
	var out3 syncBuffer
	svc = e2eService(t, srv.URL, db, &out3)
	err := svc.pipe.Handle(context.Background(), sources.Result{
		Source: "a", Items: []sources.Item{{Source: "a", ID: "/a.xml-99", Title: third, Text: third, Published: time.Now()}},
		Health: sources.Health{LastSuccess: time.Now(), LastAttempt: time.Now()},
	})
	if err != nil {
		t.Fatal(err)
	}
	svc.Close() // killed: River never started in this process
	if out3.String() != "" {
		t.Fatalf("delivered before the restart:\n%s", out3.String())
	}
	var out4 syncBuffer
	svc = e2eService(t, srv.URL, db, &out4)
	st = svc.st
	stop = run(t, svc)
	eventually(t, "the pending alert is delivered after the restart", func() bool { return delivered(t, st) == 2 })
	time.Sleep(300 * time.Millisecond) // room for a duplicate to show, if there were one
	stop()
	if got := alertsShown(out4.String()); got != 1 || !strings.Contains(out4.String(), third) {
		t.Errorf("after the restart the console shows %d alerts, want the pending one once:\n%s", got, out4.String())
	}
}

// alertsShown counts the alerts the console printed: one head line each.
func alertsShown(out string) int { return strings.Count(out, "HIGH Diplomat summoned") }

func TestHealthEndpoints(t *testing.T) {
	feeds, srv := newFeedServer(t)
	feeds.set("/a.xml", "x")
	feeds.set("/c.xml", "y")
	feeds.broken["/broken.xml"] = true
	svc := e2eService(t, srv.URL, filepath.Join(t.TempDir(), "alertbot.db"), io.Discard)
	stop := run(t, svc)
	defer stop()
	eventually(t, "a is fetched", func() bool { return sourceState(t, svc.st, "a").Seen })
	for path, want := range map[string]string{
		"/healthz": "ok",
		"/readyz":  "ready",
		"/metrics": `alertbot_fetch_errors_total{source="broken"}`,
	} {
		resp, err := http.Get("http://" + svc.Addr() + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(body), want) {
			t.Errorf("GET %s: %d, body lacks %q:\n%.500s", path, resp.StatusCode, want, body)
		}
	}
}

// TestDatabaseGone: when the database goes away under a poll, the
// pipeline fails the poll (the Poller backs off) and stores nothing, so
// the same items raise their alert once the database is back.
func TestDatabaseGone(t *testing.T) {
	_, srv := newFeedServer(t)
	db := filepath.Join(t.TempDir(), "alertbot.db")
	const title = "Japan summoned the Chinese ambassador over coast guard incursions"
	poll := sources.Result{
		Source: "a",
		Items:  []sources.Item{{Source: "a", ID: "x-1", Title: title, Text: title, Published: time.Now()}},
		Health: sources.Health{LastSuccess: time.Now(), LastAttempt: time.Now()},
	}
	ctx := context.Background()

	svc := e2eService(t, srv.URL, db, io.Discard)
	if err := svc.st.PutSourceState(ctx, store.SourceState{ID: "a", Seen: true}); err != nil {
		t.Fatal(err)
	}
	svc.st.Close() // the database goes away
	err := svc.pipe.Handle(ctx, poll)
	if err == nil || !strings.Contains(err.Error(), "database is closed") {
		t.Fatalf("Handle with the database gone: %v, want an error saying so", err)
	}
	svc.Close()

	svc = e2eService(t, srv.URL, db, io.Discard) // the database is back
	defer svc.Close()
	if err := svc.pipe.Handle(ctx, poll); err != nil {
		t.Fatal(err)
	}
	alerts, err := svc.st.ListAlerts(ctx, time.Time{}, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(alerts) != 1 || alerts[0].ItemID != "x-1" {
		t.Errorf("alerts after the database came back: %+v, want the one the failed poll lost", alerts)
	}
}
