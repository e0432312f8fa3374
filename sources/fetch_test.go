package sources

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"
)

const feedBody = `<?xml version="1.0"?><rss version="2.0"><channel><title>UN Press</title></channel></rss>`

func gzipped(tb testing.TB, b []byte) []byte {
	tb.Helper()
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := zw.Write(b); err != nil {
		tb.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

func TestFetch(t *testing.T) {
	var got *http.Request
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r
		w.Header().Set("Content-Type", "application/rss+xml; charset=windows-1251")
		w.Header().Set("ETag", `"v2"`)
		w.Header().Set("Last-Modified", "Sat, 03 Feb 2024 09:00:00 GMT")
		io.WriteString(w, feedBody)
	}))
	defer srv.Close()
	fetchedAt := time.Date(2024, 2, 3, 12, 0, 0, 0, time.UTC)
	f := NewFetcher(srv.Client(), FetchOptions{Now: func() time.Time { return fetchedAt }})

	resp, err := f.Fetch(context.Background(), Request{URL: srv.URL + "/en/rss.xml"})
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct{ name, got, want string }{
		{"Body", string(resp.Body), feedBody},
		{"URL", resp.URL, srv.URL + "/en/rss.xml"},
		{"ContentType", resp.ContentType, "application/rss+xml; charset=windows-1251"},
		{"ETag", resp.ETag, `"v2"`},
		{"LastModified", resp.LastModified, "Sat, 03 Feb 2024 09:00:00 GMT"},
		{"request User-Agent", got.Header.Get("User-Agent"), DefaultUserAgent},
		{"request Accept", got.Header.Get("Accept"), "*/*"},
		{"request Accept-Encoding", got.Header.Get("Accept-Encoding"), "gzip"},
		{"request If-None-Match", got.Header.Get("If-None-Match"), ""},
		{"request If-Modified-Since", got.Header.Get("If-Modified-Since"), ""},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
		}
	}
	if resp.StatusCode != http.StatusOK {
		t.Errorf("StatusCode = %d, want 200", resp.StatusCode)
	}
	if !resp.FetchedAt.Equal(fetchedAt) {
		t.Errorf("FetchedAt = %v, want %v", resp.FetchedAt, fetchedAt)
	}
}

func TestFetchUserAgentAndAccept(t *testing.T) {
	const browser = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/121.0 Safari/537.36"
	tests := []struct {
		name       string
		opt        FetchOptions
		req        Request
		wantUA     string
		wantAccept string
	}{
		{"defaults", FetchOptions{}, Request{}, DefaultUserAgent, "*/*"},
		{"fetcher option", FetchOptions{UserAgent: "alertbot-test/0"}, Request{}, "alertbot-test/0", "*/*"},
		{"request overrides", FetchOptions{UserAgent: "alertbot-test/0"}, Request{UserAgent: browser, Accept: "text/html"}, browser, "text/html"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ua, accept string
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				ua, accept = r.Header.Get("User-Agent"), r.Header.Get("Accept")
			}))
			defer srv.Close()
			tt.req.URL = srv.URL
			if _, err := NewFetcher(srv.Client(), tt.opt).Fetch(context.Background(), tt.req); err != nil {
				t.Fatal(err)
			}
			if ua != tt.wantUA {
				t.Errorf("User-Agent = %q, want %q", ua, tt.wantUA)
			}
			if accept != tt.wantAccept {
				t.Errorf("Accept = %q, want %q", accept, tt.wantAccept)
			}
		})
	}
}

func TestFetchConditional(t *testing.T) {
	const etag, lastMod = `W/"5f2a-1706950800"`, "Sat, 03 Feb 2024 09:00:00 GMT"
	var gotINM, gotIMS string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotINM, gotIMS = r.Header.Get("If-None-Match"), r.Header.Get("If-Modified-Since")
		if gotINM == etag || gotIMS == lastMod {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", etag)
		io.WriteString(w, feedBody)
	}))
	defer srv.Close()
	f := NewFetcher(srv.Client(), FetchOptions{})

	tests := []struct {
		name             string
		req              Request
		wantINM, wantIMS string
		wantNotModified  bool
	}{
		{"etag", Request{ETag: etag}, etag, "", true},
		{"last-modified", Request{LastModified: lastMod}, "", lastMod, true},
		{"both", Request{ETag: etag, LastModified: lastMod}, etag, lastMod, true},
		{"stale etag", Request{ETag: `"old"`}, `"old"`, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.req.URL = srv.URL + "/feed"
			resp, err := f.Fetch(context.Background(), tt.req)
			if gotINM != tt.wantINM {
				t.Errorf("If-None-Match = %q, want %q", gotINM, tt.wantINM)
			}
			if gotIMS != tt.wantIMS {
				t.Errorf("If-Modified-Since = %q, want %q", gotIMS, tt.wantIMS)
			}
			if got := errors.Is(err, ErrNotModified); got != tt.wantNotModified {
				t.Fatalf("errors.Is(%v, ErrNotModified) = %v, want %v", err, got, tt.wantNotModified)
			}
			if tt.wantNotModified {
				if resp != nil {
					t.Errorf("response %+v with ErrNotModified", resp)
				}
				if want := "sources: fetch " + srv.URL + "/feed: not modified"; err.Error() != want {
					t.Errorf("error = %q, want %q", err, want)
				}
			} else if resp.ETag != etag {
				t.Errorf("ETag = %q, want %q", resp.ETag, etag)
			}
		})
	}
}

func TestFetchGzip(t *testing.T) {
	tests := []struct {
		name     string
		encoding string
		body     []byte
		want     string
	}{
		{"gzip", "gzip", gzipped(t, []byte(feedBody)), feedBody},
		{"x-gzip", "x-gzip", gzipped(t, []byte(feedBody)), feedBody},
		{"upper case", "GZIP", gzipped(t, []byte(feedBody)), feedBody},
		{"empty gzip body", "gzip", nil, ""},
		{"identity", "identity", []byte(feedBody), feedBody},
		{"none", "", []byte(feedBody), feedBody},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tt.encoding != "" {
					w.Header().Set("Content-Encoding", tt.encoding)
				}
				w.Write(tt.body)
			}))
			defer srv.Close()
			resp, err := NewFetcher(srv.Client(), FetchOptions{}).Fetch(context.Background(), Request{URL: srv.URL})
			if err != nil {
				t.Fatal(err)
			}
			if string(resp.Body) != tt.want {
				t.Errorf("Body = %q, want %q", resp.Body, tt.want)
			}
		})
	}
}

func TestFetchBadEncoding(t *testing.T) {
	tests := []struct {
		name     string
		encoding string
		body     []byte
		want     string
	}{
		{"not gzip", "gzip", []byte(feedBody), "decompress: gzip: invalid header"},
		{"truncated gzip", "gzip", gzipped(t, []byte(feedBody))[:20], "decompress: unexpected EOF"},
		{"unsupported", "br", []byte(feedBody), `unsupported Content-Encoding "br"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Encoding", tt.encoding)
				w.Write(tt.body)
			}))
			defer srv.Close()
			_, err := NewFetcher(srv.Client(), FetchOptions{}).Fetch(context.Background(), Request{URL: srv.URL})
			if want := "sources: fetch " + srv.URL + ": " + tt.want; err == nil || err.Error() != want {
				t.Errorf("error = %v, want %q", err, want)
			}
		})
	}
}

func TestFetchLimits(t *testing.T) {
	bomb := gzipped(t, make([]byte, DefaultMaxDecodedSize+1)) // 50 MiB + 1 of zeros, about 50 KiB gzipped
	tests := []struct {
		name      string
		opt       FetchOptions
		handler   http.HandlerFunc
		wantLimit string // "" when the fetch must succeed
		wantMsg   string
		wantLen   int
	}{
		{
			name: "body at the default limit",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Write(make([]byte, DefaultMaxBodySize))
			},
			wantLen: DefaultMaxBodySize,
		},
		{
			name: "body over the default limit, with Content-Length",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Length", strconv.Itoa(DefaultMaxBodySize+1))
				w.Write(make([]byte, DefaultMaxBodySize+1))
			},
			wantLimit: "MaxBodySize",
			wantMsg:   "body larger than 10 MiB (limit MaxBodySize)",
		},
		{
			name: "body over the limit, chunked",
			opt:  FetchOptions{MaxBodySize: 1000},
			handler: func(w http.ResponseWriter, r *http.Request) {
				for range 3 {
					w.Write(make([]byte, 400))
					w.(http.Flusher).Flush()
				}
			},
			wantLimit: "MaxBodySize",
			wantMsg:   "body larger than 1000 bytes (limit MaxBodySize)",
		},
		{
			name: "gzip bomb over the default decompressed limit",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Encoding", "gzip")
				w.Write(bomb)
			},
			wantLimit: "MaxDecodedSize",
			wantMsg:   "decompressed body larger than 50 MiB (limit MaxDecodedSize)",
		},
		{
			name: "decompressed body at the limit",
			opt:  FetchOptions{MaxDecodedSize: 4096},
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Encoding", "gzip")
				w.Write(gzipped(t, make([]byte, 4096)))
			},
			wantLen: 4096,
		},
		{
			name: "compressed body over the wire limit",
			opt:  FetchOptions{MaxBodySize: 100},
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Encoding", "gzip")
				w.Write(gzipped(t, []byte(strings.Repeat(feedBody, 50)+"the end")))
			},
			wantLimit: "MaxBodySize",
			wantMsg:   "body larger than 100 bytes (limit MaxBodySize)",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(tt.handler)
			defer srv.Close()
			resp, err := NewFetcher(srv.Client(), tt.opt).Fetch(context.Background(), Request{URL: srv.URL})
			if tt.wantLimit == "" {
				if err != nil {
					t.Fatal(err)
				}
				if len(resp.Body) != tt.wantLen {
					t.Errorf("len(Body) = %d, want %d", len(resp.Body), tt.wantLen)
				}
				return
			}
			var le *LimitError
			if !errors.As(err, &le) {
				t.Fatalf("error = %v, want a *LimitError", err)
			}
			if le.Limit != tt.wantLimit {
				t.Errorf("Limit = %q, want %q", le.Limit, tt.wantLimit)
			}
			if want := "sources: fetch " + srv.URL + ": " + tt.wantMsg; err.Error() != want {
				t.Errorf("error = %q, want %q", err, want)
			}
		})
	}
}

func TestFetchRedirects(t *testing.T) {
	// /hop/N redirects to /hop/N-1; /hop/0 answers.
	mux := http.NewServeMux()
	mux.HandleFunc("/hop/{n}", func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.PathValue("n"))
		if n == 0 {
			fmt.Fprintf(w, "arrived with %s", r.Header.Get("User-Agent"))
			return
		}
		http.Redirect(w, r, fmt.Sprintf("/hop/%d", n-1), http.StatusFound)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	tests := []struct {
		name    string
		opt     FetchOptions
		hops    int
		wantErr string
	}{
		{"none", FetchOptions{}, 0, ""},
		{"default limit", FetchOptions{}, DefaultMaxRedirects, ""},
		{"one over the default limit", FetchOptions{}, DefaultMaxRedirects + 1, "after redirect to %s/hop/0: more than 5 redirects (limit MaxRedirects)"},
		{"custom limit", FetchOptions{MaxRedirects: 2}, 3, "after redirect to %s/hop/0: more than 2 redirects (limit MaxRedirects)"},
		{"no redirects allowed", FetchOptions{MaxRedirects: -1}, 1, "after redirect to %s/hop/0: more than 0 redirects (limit MaxRedirects)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			url := fmt.Sprintf("%s/hop/%d", srv.URL, tt.hops)
			resp, err := NewFetcher(srv.Client(), tt.opt).Fetch(context.Background(), Request{URL: url, UserAgent: "ua-test"})
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				if want := srv.URL + "/hop/0"; resp.URL != want {
					t.Errorf("URL = %q, want %q", resp.URL, want)
				}
				if want := "arrived with ua-test"; string(resp.Body) != want {
					t.Errorf("Body = %q, want %q", resp.Body, want)
				}
				return
			}
			var le *LimitError
			if !errors.As(err, &le) || le.Limit != "MaxRedirects" {
				t.Errorf("error = %v, want a MaxRedirects *LimitError", err)
			}
			if want := "sources: fetch " + url + ": " + fmt.Sprintf(tt.wantErr, srv.URL); err == nil || err.Error() != want {
				t.Errorf("error = %v, want %q", err, want)
			}
		})
	}
}

func TestFetchRedirectToUnreachable(t *testing.T) {
	dead := httptest.NewServer(http.NotFoundHandler())
	deadURL := dead.URL + "/moved.xml"
	dead.Close() // nothing listens there any more
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, deadURL, http.StatusMovedPermanently)
	}))
	defer srv.Close()
	_, err := NewFetcher(srv.Client(), FetchOptions{}).Fetch(context.Background(), Request{URL: srv.URL + "/rss.xml"})
	if want := "sources: fetch " + srv.URL + "/rss.xml: after redirect to " + deadURL + ": dial tcp "; err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("error = %v, want it to start with %q", err, want)
	}
}

func TestFetchRetryAfter(t *testing.T) {
	serverDate := time.Date(2024, 2, 3, 12, 0, 0, 0, time.UTC)
	ourClock := serverDate.Add(-10 * time.Minute) // our clock lags the server's
	tests := []struct {
		name       string
		status     int
		retryAfter string
		date       string // "" suppresses the Date header
		want       time.Duration
	}{
		{"429 seconds", 429, "120", serverDate.Format(http.TimeFormat), 2 * time.Minute},
		{"503 seconds", 503, "30", serverDate.Format(http.TimeFormat), 30 * time.Second},
		{"http date against the server's Date", 503, serverDate.Add(90 * time.Second).Format(http.TimeFormat), serverDate.Format(http.TimeFormat), 90 * time.Second},
		{"http date against our clock", 429, serverDate.Add(90 * time.Second).Format(http.TimeFormat), "", 10*time.Minute + 90*time.Second},
		{"rfc 850 date", 429, serverDate.Add(time.Minute).Format("Monday, 02-Jan-06 15:04:05 GMT"), serverDate.Format(http.TimeFormat), time.Minute},
		{"absent", 429, "", serverDate.Format(http.TimeFormat), DefaultRetryAfter},
		{"unreadable", 503, "soon", serverDate.Format(http.TimeFormat), DefaultRetryAfter},
		{"negative", 429, "-5", serverDate.Format(http.TimeFormat), DefaultRetryAfter},
		{"zero", 429, "0", serverDate.Format(http.TimeFormat), MinRetryAfter},
		{"date in the past", 503, serverDate.Add(-time.Hour).Format(http.TimeFormat), serverDate.Format(http.TimeFormat), MinRetryAfter},
		{"absurd seconds", 429, "999999999999", serverDate.Format(http.TimeFormat), MaxRetryAfter},
		{"overflowing seconds", 429, "99999999999999999999999", serverDate.Format(http.TimeFormat), DefaultRetryAfter},
		{"absurd date", 503, "Fri, 31 Dec 9999 23:59:59 GMT", serverDate.Format(http.TimeFormat), MaxRetryAfter},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tt.date == "" {
					w.Header()["Date"] = nil
				} else {
					w.Header().Set("Date", tt.date)
				}
				if tt.retryAfter != "" {
					w.Header().Set("Retry-After", tt.retryAfter)
				}
				w.WriteHeader(tt.status)
			}))
			defer srv.Close()
			f := NewFetcher(srv.Client(), FetchOptions{Now: func() time.Time { return ourClock }})
			_, err := f.Fetch(context.Background(), Request{URL: srv.URL})
			var ra *RetryAfterError
			if !errors.As(err, &ra) {
				t.Fatalf("error = %v, want a *RetryAfterError", err)
			}
			if ra.StatusCode != tt.status {
				t.Errorf("StatusCode = %d, want %d", ra.StatusCode, tt.status)
			}
			if ra.Wait != tt.want {
				t.Errorf("Wait = %v, want %v", ra.Wait, tt.want)
			}
		})
	}
}

func TestFetchRetryAfterMessage(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "7")
		w.WriteHeader(http.StatusTooManyRequests)
	}))
	defer srv.Close()
	_, err := NewFetcher(srv.Client(), FetchOptions{}).Fetch(context.Background(), Request{URL: srv.URL + "/s/MID_Russia"})
	if want := "sources: fetch " + srv.URL + "/s/MID_Russia: status 429 Too Many Requests, retry after 7s"; err == nil || err.Error() != want {
		t.Errorf("error = %v, want %q", err, want)
	}
}

func TestFetchStatus(t *testing.T) {
	for _, code := range []int{301, 400, 403, 404, 410, 500, 502} {
		t.Run(strconv.Itoa(code), func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(code) // a 301 without Location is not followed
				io.WriteString(w, "<html>error page</html>")
			}))
			defer srv.Close()
			resp, err := NewFetcher(srv.Client(), FetchOptions{}).Fetch(context.Background(), Request{URL: srv.URL})
			if resp != nil {
				t.Errorf("response %+v with status %d", resp, code)
			}
			var se *StatusError
			if !errors.As(err, &se) || se.StatusCode != code {
				t.Fatalf("error = %v, want *StatusError{%d}", err, code)
			}
			if want := fmt.Sprintf("sources: fetch %s: unexpected status %d %s", srv.URL, code, http.StatusText(code)); err.Error() != want {
				t.Errorf("error = %q, want %q", err, want)
			}
		})
	}
}

// blockingServer answers with headers and, if partial, part of a body, then
// holds the response open until the client goes away.
func blockingServer(t *testing.T, partial bool, started chan<- struct{}) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if partial {
			w.Header().Set("Content-Length", "1000")
			io.WriteString(w, "<rss>")
			w.(http.Flusher).Flush()
		}
		if started != nil {
			close(started)
		}
		<-r.Context().Done()
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestFetchTimeout(t *testing.T) {
	for _, partial := range []bool{false, true} {
		t.Run(fmt.Sprintf("partial body %v", partial), func(t *testing.T) {
			srv := blockingServer(t, partial, nil)
			f := NewFetcher(srv.Client(), FetchOptions{Timeout: 50 * time.Millisecond})
			_, err := f.Fetch(context.Background(), Request{URL: srv.URL})
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("error = %v, want context.DeadlineExceeded", err)
			}
			if want := "sources: fetch " + srv.URL + ": no complete answer within 50ms (limit Timeout): context deadline exceeded"; err.Error() != want {
				t.Errorf("error = %q, want %q", err, want)
			}
		})
	}
}

func TestFetchCancelled(t *testing.T) {
	for _, partial := range []bool{false, true} {
		t.Run(fmt.Sprintf("partial body %v", partial), func(t *testing.T) {
			started := make(chan struct{})
			srv := blockingServer(t, partial, started)
			ctx, cancel := context.WithCancel(context.Background())
			go func() {
				<-started
				cancel()
			}()
			_, err := NewFetcher(srv.Client(), FetchOptions{}).Fetch(ctx, Request{URL: srv.URL})
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("error = %v, want context.Canceled", err)
			}
			if want := "sources: fetch " + srv.URL + ": context canceled"; err.Error() != want {
				t.Errorf("error = %q, want %q", err, want)
			}
		})
	}
}

func TestFetchBadURL(t *testing.T) {
	f := NewFetcher(nil, FetchOptions{})
	for _, u := range []string{"", "ftp://ftp.example.org/feed.xml", "/en/rss.xml", "press.un.org/en/rss.xml", "http://"} {
		if _, err := f.Fetch(context.Background(), Request{URL: u}); err == nil || !strings.HasPrefix(err.Error(), "sources: fetch "+u+": ") {
			t.Errorf("Fetch(%q) error = %v, want one with the sources: fetch prefix", u, err)
		}
	}
}

func TestFetchErrorHidesPassword(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusUnauthorized)
	}))
	defer srv.Close()
	u := strings.Replace(srv.URL, "http://", "http://reader:s3cret@", 1) + "/private.xml"
	_, err := NewFetcher(srv.Client(), FetchOptions{}).Fetch(context.Background(), Request{URL: u})
	if err == nil || strings.Contains(err.Error(), "s3cret") {
		t.Errorf("error = %v, want one without the password", err)
	}
}

func TestNewFetcherKeepsClient(t *testing.T) {
	var redirects int
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error {
		redirects++
		return http.ErrUseLastResponse
	}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/elsewhere", http.StatusFound)
	}))
	defer srv.Close()
	before := fmt.Sprintf("%p", client.CheckRedirect)
	f := NewFetcher(client, FetchOptions{})
	if after := fmt.Sprintf("%p", client.CheckRedirect); after != before {
		t.Errorf("NewFetcher replaced the caller's CheckRedirect")
	}
	// The caller's policy still runs after ours: it stops at the first 302.
	_, err := f.Fetch(context.Background(), Request{URL: srv.URL})
	var se *StatusError
	if !errors.As(err, &se) || se.StatusCode != http.StatusFound || redirects != 1 {
		t.Errorf("error = %v after %d calls of the caller's policy, want *StatusError{302} after 1", err, redirects)
	}
}
