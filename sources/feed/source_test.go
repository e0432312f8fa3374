package feed

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alertbot/alertbot/sources"
)

// rssDoc is an RSS 2.0 document with one item per title; lang "" leaves
// the language element out. Links are relative to the document's URL.
func rssDoc(lang string, titles ...string) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Press</title>`)
	if lang != "" {
		fmt.Fprintf(&b, "<language>%s</language>", lang)
	}
	for i, t := range titles {
		fmt.Fprintf(&b, "<item><guid>g%d</guid><link>news/%d</link><title>%s</title></item>", i, i, t)
	}
	b.WriteString(`</channel></rss>`)
	return b.String()
}

// feedServer serves one document that a test can change, answering 304
// to a request that carries its current ETag or Last-Modified.
type feedServer struct {
	mu           sync.Mutex
	body         string
	contentType  string
	etag         string // "": none sent
	lastModified string // "": none sent
	status       int    // other than 0: answer this, with header
	header       http.Header
	requests     []*http.Request
}

func (f *feedServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests = append(f.requests, r)
	if r.URL.Path == "/old" {
		http.Redirect(w, r, "/press/feed.xml", http.StatusMovedPermanently)
		return
	}
	for k, v := range f.header {
		w.Header()[k] = v
	}
	if f.status != 0 {
		w.WriteHeader(f.status)
		return
	}
	if f.etag != "" {
		w.Header().Set("ETag", f.etag)
	}
	if f.lastModified != "" {
		w.Header().Set("Last-Modified", f.lastModified)
	}
	if inm := r.Header.Get("If-None-Match"); f.etag != "" && inm == f.etag ||
		f.etag == "" && f.lastModified != "" && r.Header.Get("If-Modified-Since") == f.lastModified {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("Content-Type", f.contentType)
	fmt.Fprint(w, f.body)
}

func (f *feedServer) set(fn func(f *feedServer)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn(f)
}

func (f *feedServer) lastRequest() *http.Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.requests[len(f.requests)-1]
}

// countParses makes s count its calls of Parse.
func countParses(s *Source) *int {
	var n int
	s.parse = func(body []byte, contentType, baseURL string, now time.Time) (*Feed, error) {
		n++
		return Parse(body, contentType, baseURL, now)
	}
	return &n
}

// TestSourcePoll follows one source through a feed that is fetched,
// unchanged, changed, and then served without validators.
func TestSourcePoll(t *testing.T) {
	fs := &feedServer{}
	srv := httptest.NewServer(fs)
	defer srv.Close()
	fetchedAt := time.Date(2024, 2, 3, 12, 0, 0, 0, time.UTC)
	src := &Source{
		ID:        "un-press",
		URL:       srv.URL + "/old",
		UserAgent: "Mozilla/5.0 test",
		Lang:      "ru",
		Fetcher:   sources.NewFetcher(srv.Client(), sources.FetchOptions{Now: func() time.Time { return fetchedAt }}),
	}
	parses := countParses(src)
	base := srv.URL + "/press"

	steps := []struct {
		name        string
		serve       func(f *feedServer)
		wantINM     string // If-None-Match sent
		wantIMS     string // If-Modified-Since sent
		wantErr     error
		wantTitles  []string
		wantLang    string
		wantState   sources.State
		wantParses  int
		wantFirstID string
	}{
		{
			name: "first poll",
			serve: func(f *feedServer) {
				f.body, f.contentType = rssDoc("en-US", "Council meets", "Envoy summoned"), "application/rss+xml; charset=utf-8"
				f.etag, f.lastModified = `"v1"`, "Sat, 03 Feb 2024 09:00:00 GMT"
			},
			wantTitles: []string{"Council meets", "Envoy summoned"},
			wantLang:   "en",
			wantState:  sources.State{ETag: `"v1"`, LastModified: "Sat, 03 Feb 2024 09:00:00 GMT", Cursor: "kept"},
			wantParses: 1,
		},
		{
			name:       "unchanged: 304 and no parse",
			serve:      func(f *feedServer) {},
			wantINM:    `"v1"`,
			wantIMS:    "Sat, 03 Feb 2024 09:00:00 GMT",
			wantErr:    sources.ErrNotModified,
			wantState:  sources.State{ETag: `"v1"`, LastModified: "Sat, 03 Feb 2024 09:00:00 GMT", Cursor: "kept"},
			wantParses: 1,
		},
		{
			name: "changed, without a language: the configured one",
			serve: func(f *feedServer) {
				f.body = rssDoc("", "Council meets", "Envoy summoned", "Protest note handed")
				f.etag, f.lastModified = `"v2"`, "Sat, 03 Feb 2024 10:00:00 GMT"
			},
			wantINM:    `"v1"`,
			wantIMS:    "Sat, 03 Feb 2024 09:00:00 GMT",
			wantTitles: []string{"Council meets", "Envoy summoned", "Protest note handed"},
			wantLang:   "ru",
			wantState:  sources.State{ETag: `"v2"`, LastModified: "Sat, 03 Feb 2024 10:00:00 GMT", Cursor: "kept"},
			wantParses: 2,
		},
		{
			name: "validators no longer sent are cleared",
			serve: func(f *feedServer) {
				f.body = rssDoc("en", "Council meets again")
				f.etag, f.lastModified = "", ""
			},
			wantINM:    `"v2"`,
			wantIMS:    "Sat, 03 Feb 2024 10:00:00 GMT",
			wantTitles: []string{"Council meets again"},
			wantLang:   "en",
			wantState:  sources.State{Cursor: "kept"},
			wantParses: 3,
		},
	}
	st := sources.State{Cursor: "kept"}
	for _, s := range steps {
		fs.set(s.serve)
		items, next, err := src.Poll(t.Context(), st)
		if !errors.Is(err, s.wantErr) {
			t.Fatalf("%s: error = %v, want %v", s.name, err, s.wantErr)
		}
		if next != s.wantState {
			t.Errorf("%s: state = %+v, want %+v", s.name, next, s.wantState)
		}
		if *parses != s.wantParses {
			t.Errorf("%s: %d parses so far, want %d", s.name, *parses, s.wantParses)
		}
		req := fs.lastRequest()
		checks := []struct{ name, got, want string }{
			{"If-None-Match", req.Header.Get("If-None-Match"), s.wantINM},
			{"If-Modified-Since", req.Header.Get("If-Modified-Since"), s.wantIMS},
			{"Accept", req.Header.Get("Accept"), Accept},
			{"User-Agent", req.Header.Get("User-Agent"), "Mozilla/5.0 test"},
		}
		for _, c := range checks {
			if c.got != c.want {
				t.Errorf("%s: request %s = %q, want %q", s.name, c.name, c.got, c.want)
			}
		}
		var titles []string
		for i, it := range items {
			titles = append(titles, it.Title)
			if it.Source != "un-press" {
				t.Errorf("%s: item %d Source = %q, want un-press", s.name, i, it.Source)
			}
			if it.Lang != s.wantLang {
				t.Errorf("%s: item %d Lang = %q, want %q", s.name, i, it.Lang, s.wantLang)
			}
			if want := fmt.Sprintf("%s/news/%d", base, i); it.URL != want {
				t.Errorf("%s: item %d URL = %q, want %q (resolved against the final URL %s)", s.name, i, it.URL, want, base)
			}
			if !it.Published.Equal(fetchedAt) {
				t.Errorf("%s: item %d Published = %v, want the fetch time %v", s.name, i, it.Published, fetchedAt)
			}
		}
		if !slices.Equal(titles, s.wantTitles) {
			t.Errorf("%s: titles = %q, want %q", s.name, titles, s.wantTitles)
		}
		if err == nil {
			st = next
		}
	}
}

func TestSourcePollErrors(t *testing.T) {
	tests := []struct {
		name    string
		serve   func(f *feedServer)
		noFetch bool
		wantIs  error
		wantAs  func(error) bool
		wantMsg string // with URL for the server's address
	}{
		{
			name: "429 with Retry-After",
			serve: func(f *feedServer) {
				f.status, f.header = http.StatusTooManyRequests, http.Header{"Retry-After": {"120"}}
			},
			wantAs: func(err error) bool {
				ra, ok := errors.AsType[*sources.RetryAfterError](err)
				return ok && ra.Wait == 2*time.Minute
			},
			wantMsg: "feed: source un-press: sources: fetch URL: status 429 Too Many Requests, retry after 2m0s",
		},
		{
			name:    "server error",
			serve:   func(f *feedServer) { f.status = http.StatusBadGateway },
			wantAs:  func(err error) bool { _, ok := errors.AsType[*sources.StatusError](err); return ok },
			wantMsg: "feed: source un-press: sources: fetch URL: unexpected status 502 Bad Gateway",
		},
		{
			name: "html page",
			serve: func(f *feedServer) {
				f.body, f.contentType = string(readFixture(t, "html_page.html")), "text/html; charset=utf-8"
			},
			wantIs:  ErrNotFeed,
			wantMsg: "feed: source un-press: feed: not a feed (looks like HTML)",
		},
		{
			name:    "empty body",
			serve:   func(f *feedServer) { f.contentType = "application/rss+xml" },
			wantIs:  ErrEmptyBody,
			wantMsg: "feed: source un-press: feed: empty body",
		},
		{
			name:    "no fetcher",
			noFetch: true,
			wantMsg: "feed: source un-press: no Fetcher",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := &feedServer{}
			if tt.serve != nil {
				fs.set(tt.serve)
			}
			srv := httptest.NewServer(fs)
			defer srv.Close()
			src := &Source{ID: "un-press", URL: srv.URL + "/press/feed.xml"}
			if !tt.noFetch {
				src.Fetcher = sources.NewFetcher(srv.Client(), sources.FetchOptions{})
			}
			st := sources.State{ETag: `"old"`, Cursor: "c"}
			items, next, err := src.Poll(t.Context(), st)
			if err == nil {
				t.Fatalf("Poll = %d items, want an error", len(items))
			}
			if want := strings.ReplaceAll(tt.wantMsg, "URL", src.URL); err.Error() != want {
				t.Errorf("error = %q, want %q", err, want)
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("errors.Is(%v, %v) = false, want true", err, tt.wantIs)
			}
			if tt.wantAs != nil && !tt.wantAs(err) {
				t.Errorf("error %v is not what errors.As wants", err)
			}
			if items != nil {
				t.Errorf("items = %v, want nil", items)
			}
			if next != st {
				t.Errorf("state = %+v, want the old one %+v", next, st)
			}
		})
	}
}

// TestSourceCancelled: a cancelled ctx ends the poll with an error
// wrapping the ctx's, as the Poller expects.
func TestSourceCancelled(t *testing.T) {
	srv := httptest.NewServer(&feedServer{body: rssDoc("en", "x"), contentType: "application/rss+xml"})
	defer srv.Close()
	src := &Source{ID: "un-press", URL: srv.URL, Fetcher: sources.NewFetcher(srv.Client(), sources.FetchOptions{})}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, _, err := src.Poll(ctx, sources.State{}); !errors.Is(err, context.Canceled) {
		t.Errorf("error = %v, want context.Canceled", err)
	}
}
