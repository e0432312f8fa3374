package app

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/alertbot/alertbot/bot"
	"github.com/alertbot/alertbot/sources"
)

// The demo's feeds and a channel's t.me/s page: each as first fetched (-1)
// and an hour later with new items (-2). {{NOW-5m}} in a date stands for
// five minutes ago.
//
//go:embed demo/*.xml demo/*.html
var demoFeeds embed.FS

// demoSources are the bundled feeds: demo/FILE-1.xml and demo/FILE-2.xml.
var demoSources = []struct {
	id, title, file, lang string
	kind                  string // rss, atom (Atom 1.0, of kind rss), or telegram (a t.me/s page)
}{
	{"un-press", "UN Meetings Coverage and Press Releases", "un-press", "en", "rss"},
	{"tass", "TASS", "tass", "ru", "rss"},
	{"mfa", "Ministry of Foreign Affairs", "mfa", "", "atom"},
	{"mid-telegram", "Russian MFA (Telegram)", "mid-tg", "ru", "telegram"},
}

// DemoTimeout bounds the demo: it normally ends in a few seconds.
const DemoTimeout = 30 * time.Second

// Demo runs the whole pipeline offline, with the rules of cfg: it serves
// the bundled feeds on loopback, polls them once (their items are stored
// without alerting, as on any first fetch), lets each feed grow by a few
// items, polls again, and prints the alerts the new items raise to w as
// the console sink does. Look-alikes among the new items stay quiet.
func Demo(ctx context.Context, cfg *Config, w io.Writer, log *slog.Logger) error {
	ctx, cancel := context.WithTimeout(ctx, DemoTimeout)
	defer cancel()
	var version atomic.Int32
	version.Store(1)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("app: demo: %w", err)
	}
	srv := &http.Server{Handler: demoHandler(&version), ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	defer srv.Close()

	dir, err := os.MkdirTemp("", "alertbot-demo-")
	if err != nil {
		return fmt.Errorf("app: demo: %w", err)
	}
	defer os.RemoveAll(dir)

	demo := *cfg
	demo.HTTP.Listen = ""
	demo.Sources = nil
	for _, s := range demoSources {
		src := Source{
			ID: s.id, Title: s.title, Kind: "rss", URL: "http://" + ln.Addr().String() + "/" + s.file + ".xml",
			Lang: s.lang, Every: 500 * time.Millisecond, MaxAge: DefaultMaxAge, FloodLimit: DefaultFloodLimit,
		}
		if s.kind == "telegram" {
			src.Kind, src.Channel, src.URL = "telegram", "MID_Russia", "http://"+ln.Addr().String()
		}
		demo.Sources = append(demo.Sources, src)
	}
	svc, err := Open(ctx, &demo, Options{
		Stdout: w, Logger: log, Storage: "sqlite:" + filepath.Join(dir, "demo.db"),
		Poller:     sources.PollerOptions{HostGap: -1, Jitter: -1},
		Messengers: map[string]bot.Messenger{}, // the console, even with chat tokens set
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "alertbot demo: %d rules; serving %d sample feeds and a Telegram channel's page on http://%s\n", svc.pipe.cfg.Load().lib.Matcher.Rules(), len(demoSources)-1, ln.Addr())

	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	done := make(chan error, 1)
	go func() { done <- svc.Run(runCtx) }()

	err = svc.demoSteps(ctx, w, &version)
	stop()
	if runErr := <-done; err == nil {
		err = runErr
	}
	return err
}

// demoSteps waits for the first poll of every feed, lets the feeds grow,
// and waits until the new items are polled and their alerts delivered.
func (s *Service) demoSteps(ctx context.Context, w io.Writer, version *atomic.Int32) error {
	start := time.Now()
	if err := s.waitPolled(ctx, start); err != nil {
		return err
	}
	items, err := s.st.CountItems(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "first poll: %d items stored, no alerts (a source's first fetch never alerts)\n", items)
	fmt.Fprintln(w, "the feeds now grow by a few items each; only the new ones can alert:")
	fmt.Fprintln(w)
	grown := time.Now()
	version.Store(2)
	if err := s.waitPolled(ctx, grown); err != nil {
		return err
	}
	for {
		n, err := s.st.QueueDepth(ctx)
		if err != nil {
			return err
		}
		if n == 0 {
			break
		}
		if err := sleep(ctx, 100*time.Millisecond); err != nil {
			return errors.New("app: demo: deliveries did not finish in time")
		}
	}
	total, err := s.st.CountItems(ctx)
	if err != nil {
		return err
	}
	alerts, err := s.st.CountDelivered(ctx, start)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "second poll: %d new items, %d alerts; the rest are look-alikes and other news. Done in %.1fs.\n",
		total-items, alerts, time.Since(start).Seconds())
	return nil
}

// waitPolled waits until every source has been polled successfully since t.
func (s *Service) waitPolled(ctx context.Context, t time.Time) error {
	for {
		states, err := s.st.ListSourceStates(ctx)
		if err != nil {
			return err
		}
		polled := 0
		for _, st := range states {
			if st.Seen && st.LastSuccess.After(t) {
				polled++
			}
		}
		if polled == len(s.targets) {
			return nil
		}
		if err := sleep(ctx, 100*time.Millisecond); err != nil {
			return errors.New("app: demo: the sample feeds were not polled in time")
		}
	}
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

var nowPlaceholder = regexp.MustCompile(`\{\{NOW-(\d+)m\}\}`)

// demoHandler serves /FILE.xml, or /s/MID_Russia for the channel, as the
// bundled file of the current version, with {{NOW-Nm}} made a date N
// minutes ago.
func demoHandler(version *atomic.Int32) http.Handler {
	mux := http.NewServeMux()
	for _, src := range demoSources {
		pattern, ext := "GET /"+src.file+".xml", "xml"
		layout, contentType := time.RFC1123Z, "application/rss+xml; charset=utf-8"
		switch src.kind {
		case "atom":
			layout, contentType = time.RFC3339, "application/atom+xml; charset=utf-8"
		case "telegram":
			pattern, ext = "GET /s/MID_Russia", "html"
			layout, contentType = time.RFC3339, "text/html; charset=utf-8"
		}
		mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
			data, err := demoFeeds.ReadFile(fmt.Sprintf("demo/%s-%d.%s", src.file, version.Load(), ext))
			if err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			now := time.Now().UTC()
			body := nowPlaceholder.ReplaceAllFunc(data, func(m []byte) []byte {
				n, _ := strconv.Atoi(string(nowPlaceholder.FindSubmatch(m)[1]))
				return []byte(now.Add(-time.Duration(n) * time.Minute).Format(layout))
			})
			w.Header().Set("Content-Type", contentType)
			w.Write(body)
		})
	}
	return mux
}
