package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alertbot/alertbot/sources"
)

const articleText = "24 ноября состоялся телефонный разговор Министра иностранных дел Российской Федерации С.В.Лаврова с Генеральным секретарём ООН.\n" +
	"Стороны обсудили ситуацию в Совете Безопасности ООН.\nПоделиться"

// site is a fake ministry: a listing at /ru/foreign_policy/news/ (and a
// redirect to it from /old), article pages below it, and a JSON route.
type site struct {
	mu       sync.Mutex
	listing  []byte         // served as text/html without charset
	status   map[string]int // article id → status instead of the article
	bodies   map[string]string
	requests []string // paths of article requests, in order
}

func newSite(t *testing.T) (*site, *httptest.Server) {
	s := &site{listing: readFixture(t, "mid_listing.html"), status: map[string]int{}, bodies: map[string]string{}}
	article := readFixture(t, "mid_article.html")
	mux := http.NewServeMux()
	mux.Handle("GET /old", http.RedirectHandler("/ru/foreign_policy/news/", http.StatusMovedPermanently))
	mux.HandleFunc("GET /ru/foreign_policy/news/{$}", func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		defer s.mu.Unlock()
		etag := fmt.Sprintf(`"%d"`, len(s.listing))
		if r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", etag)
		w.Header().Set("Last-Modified", "Tue, 24 Nov 2026 11:06:00 GMT")
		w.Header().Set("Content-Type", "text/html")
		w.Write(s.listing)
	})
	mux.HandleFunc("GET /ru/foreign_policy/news/{id}/", func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		defer s.mu.Unlock()
		id := r.PathValue("id")
		s.requests = append(s.requests, id)
		if code := s.status[id]; code != 0 {
			w.Header().Set("Retry-After", "120")
			w.WriteHeader(code)
			return
		}
		if b, ok := s.bodies[id]; ok {
			w.Write([]byte(b))
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(article)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return s, srv
}

func (s *site) articleRequests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.requests
	s.requests = nil
	return r
}

func TestHTMLSourcePoll(t *testing.T) {
	_, srv := newSite(t)
	src := &HTMLSource{
		ID: "mid", URL: srv.URL + "/old", Selectors: midSelectors, Location: moscow,
		Fetcher: sources.NewFetcher(srv.Client(), sources.FetchOptions{}),
	}
	st := sources.State{Cursor: "kept"}
	items, next, err := src.Poll(context.Background(), st)
	if err != nil {
		t.Fatalf("Poll: %v", err)
	}
	news := srv.URL + "/ru/foreign_policy/news/"
	wantURLs := []string{news + "2051234/", news + "2051220/", news + "2051198/", "https://mid.ru/ru/foreign_policy/news/2051150/"}
	var gotURLs []string
	for _, it := range items {
		gotURLs = append(gotURLs, it.URL)
	}
	if !slices.Equal(gotURLs, wantURLs) {
		t.Errorf("URLs = %q, want %q (relative links resolved against the URL after the redirect)", gotURLs, wantURLs)
	}
	if len(items) > 0 && items[0].Title != "О телефонном разговоре Министра иностранных дел России С.В.Лаврова с Генеральным секретарём ООН" {
		t.Errorf("Title = %q: the meta charset was not applied", items[0].Title)
	}
	if next.ETag == "" || next.LastModified != "Tue, 24 Nov 2026 11:06:00 GMT" || next.Cursor != "kept" {
		t.Errorf("next = %+v, want the validators and the Cursor kept", next)
	}

	// The second poll is conditional and answered 304.
	items, again, err := src.Poll(context.Background(), next)
	if !errors.Is(err, sources.ErrNotModified) {
		t.Fatalf("second Poll = %d items, %v; want ErrNotModified", len(items), err)
	}
	if !strings.HasPrefix(err.Error(), "web: source mid: ") {
		t.Errorf("error = %q, want the prefix", err)
	}
	if again != next {
		t.Errorf("State after 304 = %+v, want %+v", again, next)
	}
}

func TestHTMLSourceErrors(t *testing.T) {
	nomatch := readFixture(t, "nomatch.html")
	tests := []struct {
		name  string
		code  int
		body  []byte
		src   HTMLSource
		check func(error) bool
		want  string // prefix of the message
	}{
		{"redesigned page", 200, nomatch, HTMLSource{Selectors: midSelectors},
			func(err error) bool { return errors.Is(err, ErrNoMatch) },
			`web: source s: selector "a.announce__link" matched nothing`},
		{"server error", 500, nil, HTMLSource{Selectors: midSelectors},
			func(err error) bool { _, ok := errors.AsType[*sources.StatusError](err); return ok },
			"web: source s: sources: fetch "},
		{"rate limited", 429, nil, HTMLSource{Selectors: midSelectors},
			func(err error) bool { _, ok := errors.AsType[*sources.RetryAfterError](err); return ok },
			"web: source s: sources: fetch "},
		{"Follow without FullText", 200, nil, HTMLSource{Selectors: Selectors{Item: "a"}, Follow: true},
			func(error) bool { return true },
			"web: source s: Follow needs selector FullText"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(tt.code)
				w.Write(tt.body)
			}))
			defer srv.Close()
			src := tt.src
			src.ID, src.URL = "s", srv.URL
			src.Fetcher = sources.NewFetcher(srv.Client(), sources.FetchOptions{})
			st := sources.State{ETag: "e", Cursor: "c"}
			_, next, err := src.Poll(context.Background(), st)
			if err == nil {
				t.Fatal("Poll succeeded, want an error")
			}
			if !tt.check(err) || !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("error = %q (%T), want %q…", err, errors.Unwrap(err), tt.want)
			}
			if next != st {
				t.Errorf("State = %+v, want %+v", next, st)
			}
		})
	}
	if _, _, err := (&HTMLSource{ID: "s"}).Poll(context.Background(), sources.State{}); err == nil || err.Error() != "web: source s: no Fetcher" {
		t.Errorf("Poll without a Fetcher: %v", err)
	}
}

// cursorOf returns the Cursor of a listing that showed these article ids.
func cursorOf(base string, ids ...string) string {
	var items []sources.Item
	for _, id := range ids {
		items = append(items, sources.Item{URL: base + "/ru/foreign_policy/news/" + id + "/"})
	}
	return encodeCursor(items)
}

func TestHTMLSourceFollow(t *testing.T) {
	tests := []struct {
		name      string
		cursor    func(base string) string
		followMax int
		status    map[string]int
		bodies    map[string]string
		wantReqs  []string // article ids fetched, in order
		wantTexts []string // Text of the 4 items
	}{
		{
			name:      "first poll follows nothing",
			cursor:    func(string) string { return "" },
			wantTexts: []string{"", "", "", ""},
		},
		{
			name:      "a cursor of another format follows nothing",
			cursor:    func(string) string { return "12345" },
			wantTexts: []string{"", "", "", ""},
		},
		{
			name:      "only the item new to the listing",
			cursor:    func(base string) string { return cursorOf(base, "2051220", "2051198", "2051150") },
			wantReqs:  []string{"2051234"},
			wantTexts: []string{articleText, "", "", ""},
		},
		{
			name:      "nothing new",
			cursor:    func(base string) string { return cursorOf(base, "2051234", "2051220", "2051198") },
			wantTexts: []string{"", "", "", ""},
		},
		{
			name:      "FollowMax, a failed page keeps the listing's text, other hosts never",
			cursor:    func(string) string { return cursorPrefix },
			followMax: 2,
			status:    map[string]int{"2051220": 404},
			wantReqs:  []string{"2051234", "2051220"},
			wantTexts: []string{articleText, "", "", ""},
		},
		{
			name:      "a page where FullText matches nothing keeps the listing's text",
			cursor:    func(string) string { return cursorPrefix },
			bodies:    map[string]string{"2051234": "<html><body><p>Redesigned</p></body></html>"},
			wantReqs:  []string{"2051234", "2051220", "2051198"},
			wantTexts: []string{"", articleText, articleText, ""},
		},
		{
			name:      "429 stops following",
			cursor:    func(string) string { return cursorPrefix },
			status:    map[string]int{"2051220": 429},
			wantReqs:  []string{"2051234", "2051220"},
			wantTexts: []string{articleText, "", "", ""},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			site, srv := newSite(t)
			site.status, site.bodies = tt.status, tt.bodies
			var delays []time.Duration
			src := &HTMLSource{
				ID: "mid", URL: srv.URL + "/ru/foreign_policy/news/", Selectors: midSelectors,
				Fetcher: sources.NewFetcher(srv.Client(), sources.FetchOptions{}),
				Follow:  true, FollowMax: tt.followMax, FollowDelay: 10 * time.Second,
				Logger: slog.New(slog.DiscardHandler),
				sleep: func(ctx context.Context, d time.Duration) error {
					delays = append(delays, d)
					return nil
				},
			}
			items, next, err := src.Poll(context.Background(), sources.State{Cursor: tt.cursor(srv.URL)})
			if err != nil {
				t.Fatalf("Poll: %v", err)
			}
			if got := site.articleRequests(); !slices.Equal(got, tt.wantReqs) {
				t.Errorf("article requests = %q, want %q", got, tt.wantReqs)
			}
			if len(delays) != len(tt.wantReqs) {
				t.Errorf("%d waits, want one before each of %d follows", len(delays), len(tt.wantReqs))
			}
			for _, d := range delays {
				if d != 10*time.Second {
					t.Errorf("waited %s, want FollowDelay", d)
				}
			}
			var texts []string
			for _, it := range items {
				texts = append(texts, it.Text)
			}
			if !slices.Equal(texts, tt.wantTexts) {
				t.Errorf("texts = %q, want %q", texts, tt.wantTexts)
			}
			seen, ok := decodeCursor(next.Cursor)
			if !ok || len(seen) != 4 {
				t.Errorf("next Cursor %q holds %d links, want the listing's 4", next.Cursor, len(seen))
			}
		})
	}
}

// TestHTMLSourceFollowPolls runs the real sequence: a first poll, a poll
// after the ministry posted one item, and a poll with nothing new.
func TestHTMLSourceFollowPolls(t *testing.T) {
	site, srv := newSite(t)
	full := site.listing
	// The listing before the newest item was posted.
	first := bytes.Index(full, []byte(`<div class="announce__item">`))
	second := first + 1 + bytes.Index(full[first+1:], []byte(`<div class="announce__item">`))
	site.listing = append(slices.Clip(full[:first]), full[second:]...)

	src := &HTMLSource{
		ID: "mid", URL: srv.URL + "/ru/foreign_policy/news/", Selectors: midSelectors,
		Fetcher: sources.NewFetcher(srv.Client(), sources.FetchOptions{}),
		Follow:  true, FollowDelay: -1, Logger: slog.New(slog.DiscardHandler),
	}
	steps := []struct {
		name      string
		listing   []byte
		wantItems int
		wantReqs  []string
	}{
		{"first poll", nil, 3, nil},
		{"one item posted", full, 4, []string{"2051234"}},
		{"nothing new", nil, 4, nil},
	}
	var st sources.State
	for _, step := range steps {
		if step.listing != nil {
			site.mu.Lock()
			site.listing = step.listing
			site.mu.Unlock()
		}
		items, next, err := src.Poll(context.Background(), sources.State{Cursor: st.Cursor}) // unconditional
		if err != nil {
			t.Fatalf("%s: Poll: %v", step.name, err)
		}
		if len(items) != step.wantItems {
			t.Errorf("%s: %d items, want %d", step.name, len(items), step.wantItems)
		}
		if got := site.articleRequests(); !slices.Equal(got, step.wantReqs) {
			t.Errorf("%s: article requests = %q, want %q", step.name, got, step.wantReqs)
		}
		st = next
	}
}

func TestHTMLSourceFollowCancel(t *testing.T) {
	site, srv := newSite(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	src := &HTMLSource{
		ID: "mid", URL: srv.URL + "/ru/foreign_policy/news/", Selectors: midSelectors,
		Fetcher: sources.NewFetcher(srv.Client(), sources.FetchOptions{}),
		Follow:  true, Logger: slog.New(slog.DiscardHandler),
		sleep: func(ctx context.Context, d time.Duration) error {
			cancel() // the Poller stops during the wait
			<-ctx.Done()
			return ctx.Err()
		},
	}
	st := sources.State{Cursor: cursorPrefix}
	_, next, err := src.Poll(ctx, st)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Poll error = %v, want context.Canceled", err)
	}
	if next != st {
		t.Errorf("State = %+v, want %+v", next, st)
	}
	if got := site.articleRequests(); len(got) != 0 {
		t.Errorf("article requests = %q, want none", got)
	}
}

func TestJSONSourcePoll(t *testing.T) {
	posts := readFixture(t, "wp_posts.json")
	tests := []struct {
		name      string
		code      int
		body      []byte
		wantItems int
		check     func(error) bool // nil: success
	}{
		{"posts", 200, posts, 5, nil},
		{"error object with 200", 200, readFixture(t, "wp_error.json"), 0, func(err error) bool { return errors.Is(err, ErrNoMatch) }},
		{"HTML instead of JSON", 200, readFixture(t, "nomatch.html"), 0, func(err error) bool { return strings.Contains(err.Error(), "not JSON") }},
		{"404", 404, readFixture(t, "wp_error.json"), 0, func(err error) bool { _, ok := errors.AsType[*sources.StatusError](err); return ok }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var gotAccept string
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				gotAccept = r.Header.Get("Accept")
				if r.Header.Get("If-None-Match") == `"p1"` {
					w.WriteHeader(http.StatusNotModified)
					return
				}
				w.Header().Set("ETag", `"p1"`)
				w.Header().Set("Content-Type", "application/json; charset=UTF-8")
				w.WriteHeader(tt.code)
				w.Write(tt.body)
			}))
			defer srv.Close()
			src := &JSONSource{ID: "usun", URL: srv.URL + "/wp-json/wp/v2/posts", Lang: "en", Fields: wpFields,
				Fetcher: sources.NewFetcher(srv.Client(), sources.FetchOptions{})}
			st := sources.State{Cursor: "c"}
			items, next, err := src.Poll(context.Background(), st)
			if gotAccept != AcceptJSON {
				t.Errorf("Accept = %q, want %q", gotAccept, AcceptJSON)
			}
			if tt.check != nil {
				if err == nil || !tt.check(err) || !strings.HasPrefix(err.Error(), "web: source usun: ") {
					t.Errorf("Poll error = %v", err)
				}
				if next != st {
					t.Errorf("State = %+v, want %+v", next, st)
				}
				return
			}
			if err != nil {
				t.Fatalf("Poll: %v", err)
			}
			if len(items) != tt.wantItems {
				t.Errorf("%d items, want %d", len(items), tt.wantItems)
			}
			if next.ETag != `"p1"` || next.Cursor != "c" {
				t.Errorf("next = %+v", next)
			}
			_, again, err := src.Poll(context.Background(), next)
			if !errors.Is(err, sources.ErrNotModified) || again != next {
				t.Errorf("second Poll = %v, %+v; want ErrNotModified and %+v", err, again, next)
			}
		})
	}
}
