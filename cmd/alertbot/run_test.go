package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// lockedBuffer collects what run writes from several goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

const runConfig = `storage: sqlite:%s
http: {listen: "%s"}
sources:
  - {id: a, kind: rss, url: "%s", every: 1h}
rulesets:
  - id: d
    title: D
    rules:
      - {id: %s, title: R, severity: high, query: summon*}
`

// TestRunReload runs alertbot run, sends it SIGHUP with an invalid config
// (refused, with its errors, and the running one stays) and then with a
// valid one (put in force), and stops it with its context.
func TestRunReload(t *testing.T) {
	feed := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprint(w, `<rss version="2.0"><channel><title>t</title><item><guid>1</guid><title>x</title></item></channel></rss>`)
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: feed}
	go srv.Serve(ln)
	defer srv.Close()
	listen := freeAddr(t)
	dir := t.TempDir()
	config := filepath.Join(dir, "alertbot.yaml")
	write := func(s string) {
		if err := os.WriteFile(config, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	valid := func(rule string) string {
		return fmt.Sprintf(runConfig, filepath.Join(dir, "a.db"), listen, "http://"+ln.Addr().String()+"/a.xml", rule)
	}
	write(valid("first-rule"))

	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr lockedBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"run", "-config", config}, strings.NewReader(""), &stdout, &stderr)
	}()
	waitFor(t, "the service answers /healthz", func() bool {
		resp, err := http.Get("http://" + listen + "/healthz")
		if err == nil {
			resp.Body.Close()
		}
		return err == nil && resp.StatusCode == 200
	})

	write("rulesets:\n  - id: d\n    rules: [{id: r, query: 'a AND'}]\n")
	syscall.Kill(os.Getpid(), syscall.SIGHUP)
	waitFor(t, "the invalid config is refused", func() bool {
		return strings.Contains(stderr.String(), "config reload refused")
	})
	if !strings.Contains(stderr.String(), config+":3:31: rulesets[0].rules[0].query: missing term after \"AND\"") {
		t.Errorf("the refusal lacks the config's errors:\n%s", stderr.String())
	}

	write(valid("second-rule"))
	syscall.Kill(os.Getpid(), syscall.SIGHUP)
	waitFor(t, "the valid config is put in force", func() bool {
		return strings.Contains(stderr.String(), "config reloaded")
	})
	cancel()
	select {
	case code := <-done:
		if code != exitOK {
			t.Errorf("run exited %d:\n%s", code, stderr.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("run did not stop after its context was cancelled")
	}
	if !strings.Contains(stderr.String(), "alertbot stopped") {
		t.Errorf("no clean stop in the log:\n%s", stderr.String())
	}
}

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
