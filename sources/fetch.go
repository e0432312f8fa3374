package sources

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Limits and defaults of a Fetcher (DESIGN.md §6). FetchOptions overrides
// each one; a zero option means the default below.
const (
	// DefaultMaxBodySize caps the bytes read from the wire. The largest real
	// news feeds (a full-text RSS of 100 items) stay under 5 MiB.
	DefaultMaxBodySize = 10 << 20
	// DefaultMaxDecodedSize caps the body after gzip decompression, so that
	// a small "gzip bomb" cannot fill memory.
	DefaultMaxDecodedSize = 50 << 20
	// DefaultMaxRedirects is how many redirects one fetch follows.
	DefaultMaxRedirects = 5
	// DefaultTimeout bounds a whole fetch: connecting, redirects, headers
	// and reading the body.
	DefaultTimeout = 30 * time.Second
	// DefaultRetryAfter is the wait reported for a 429 or 503 without a
	// usable Retry-After header.
	DefaultRetryAfter = time.Minute
	// MaxRetryAfter caps the wait a server can ask for; MinRetryAfter keeps
	// a "retry now" from becoming a tight loop.
	MaxRetryAfter = time.Hour
	MinRetryAfter = time.Second
	// DefaultUserAgent is the honest User-Agent sent when neither the
	// request nor the options name one.
	DefaultUserAgent = "alertbot/1.0 (+https://github.com/alertbot/alertbot)"
)

// ErrNotModified is returned (wrapped) by Fetch when the server answers 304
// to a conditional request: the source has nothing new since the ETag or
// Last-Modified the caller sent.
var ErrNotModified = errors.New("not modified")

// FetchOptions configures a Fetcher. The zero value gives the defaults.
type FetchOptions struct {
	MaxBodySize    int64            // bytes read from the wire; default DefaultMaxBodySize
	MaxDecodedSize int64            // bytes after decompression; default DefaultMaxDecodedSize
	MaxRedirects   int              // default DefaultMaxRedirects; negative follows none
	Timeout        time.Duration    // the whole fetch; default DefaultTimeout
	UserAgent      string           // when the Request names none; default DefaultUserAgent
	Now            func() time.Time // clock for Response.FetchedAt and Retry-After dates; default time.Now
}

// Request is one fetch of a source.
type Request struct {
	URL string
	// ETag and LastModified are the validators from the previous
	// Response of the same URL; when set the request is conditional
	// (If-None-Match, If-Modified-Since) and an unchanged source answers
	// ErrNotModified.
	ETag         string
	LastModified string
	// UserAgent overrides the Fetcher's, for sites that only answer a
	// browser-like one.
	UserAgent string
	// Accept is the Accept header; default "*/*". sources/feed offers one
	// for feeds.
	Accept string
}

// Response is a successful (2xx) fetch.
type Response struct {
	StatusCode  int
	URL         string // final URL, after redirects: the base for relative links
	ContentType string // the Content-Type header as sent; its charset matters to parsers
	// ETag and LastModified are the validators to send with the next
	// Request; "" when the server sent none (do not keep older ones then).
	ETag         string
	LastModified string
	Body         []byte // decompressed
	FetchedAt    time.Time
}

// RetryAfterError is returned (wrapped) for a 429 or 503 answer: the source
// asks not to be fetched again before Wait has passed. Wait comes from the
// Retry-After header (seconds or an HTTP date), DefaultRetryAfter when the
// header is missing or unreadable, and lies within [MinRetryAfter,
// MaxRetryAfter].
type RetryAfterError struct {
	StatusCode int
	Wait       time.Duration
}

func (e *RetryAfterError) Error() string {
	return fmt.Sprintf("status %d %s, retry after %s", e.StatusCode, http.StatusText(e.StatusCode), e.Wait)
}

// StatusError is returned (wrapped) for any other answer that is not 2xx.
type StatusError struct {
	StatusCode int
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("unexpected status %d %s", e.StatusCode, http.StatusText(e.StatusCode))
}

// LimitError is returned (wrapped) when a response breaks one of the
// Fetcher's limits. Limit names the FetchOptions field.
type LimitError struct {
	Limit string // "MaxBodySize", "MaxDecodedSize" or "MaxRedirects"
	Max   int64
}

func (e *LimitError) Error() string {
	switch e.Limit {
	case "MaxRedirects":
		return fmt.Sprintf("more than %d redirects (limit %s)", e.Max, e.Limit)
	case "MaxDecodedSize":
		return fmt.Sprintf("decompressed body larger than %s (limit %s)", formatSize(e.Max), e.Limit)
	}
	return fmt.Sprintf("body larger than %s (limit %s)", formatSize(e.Max), e.Limit)
}

func formatSize(n int64) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}

// Fetcher is the HTTP client of sources. It is safe for concurrent use and
// holds no state between fetches: the caller keeps the validators
// (Response.ETag, Response.LastModified) and passes them in the next Request.
type Fetcher struct {
	client *http.Client // a copy of the caller's; each fetch copies it again to set CheckRedirect
	opt    FetchOptions
}

// NewFetcher returns a Fetcher that sends its requests through client (nil:
// a new http.Client on http.DefaultTransport). client is not modified: the
// Fetcher uses a copy whose redirect policy applies opt.MaxRedirects before
// client.CheckRedirect, if any. client.Timeout, if set, still applies on top
// of opt.Timeout.
func NewFetcher(client *http.Client, opt FetchOptions) *Fetcher {
	if opt.MaxBodySize <= 0 {
		opt.MaxBodySize = DefaultMaxBodySize
	}
	if opt.MaxDecodedSize <= 0 {
		opt.MaxDecodedSize = DefaultMaxDecodedSize
	}
	switch {
	case opt.MaxRedirects == 0:
		opt.MaxRedirects = DefaultMaxRedirects
	case opt.MaxRedirects < 0:
		opt.MaxRedirects = 0
	}
	if opt.Timeout <= 0 {
		opt.Timeout = DefaultTimeout
	}
	if opt.UserAgent == "" {
		opt.UserAgent = DefaultUserAgent
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	c := &http.Client{}
	if client != nil {
		*c = *client
	}
	return &Fetcher{client: c, opt: opt}
}

// Fetch GETs req.URL (an absolute http or https URL) and returns the
// decompressed body of a 2xx answer. It blocks until the body is read, the
// Fetcher's timeout passes or ctx ends. It may be called concurrently.
// Errors start with "sources: fetch URL:" and wrap, for errors.Is and
// errors.As:
//   - ErrNotModified on 304;
//   - *RetryAfterError on 429 and 503;
//   - *StatusError on any other status outside 2xx;
//   - *LimitError when the body, the decompressed body or the redirects
//     break a limit;
//   - context.DeadlineExceeded when the timeout passes, ctx.Err() when ctx
//     ends first.
func (f *Fetcher) Fetch(ctx context.Context, req Request) (*Response, error) {
	resp, err := f.fetch(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("sources: fetch %s: %w", redact(req.URL), err)
	}
	return resp, nil
}

func (f *Fetcher) fetch(parent context.Context, req Request) (*Response, error) {
	u, err := url.Parse(req.URL)
	if err != nil {
		return nil, err
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return nil, errors.New("not an absolute http or https URL")
	}
	ctx, cancel := context.WithTimeout(parent, f.opt.Timeout)
	defer cancel()
	hreq, err := http.NewRequestWithContext(ctx, http.MethodGet, req.URL, nil)
	if err != nil {
		return nil, err
	}
	ua := req.UserAgent
	if ua == "" {
		ua = f.opt.UserAgent
	}
	accept := req.Accept
	if accept == "" {
		accept = "*/*"
	}
	hreq.Header.Set("User-Agent", ua)
	hreq.Header.Set("Accept", accept)
	// Asking for gzip ourselves turns off the transport's transparent
	// decompression, so the decompressed size can be limited here.
	hreq.Header.Set("Accept-Encoding", "gzip")
	if req.ETag != "" {
		hreq.Header.Set("If-None-Match", req.ETag)
	}
	if req.LastModified != "" {
		hreq.Header.Set("If-Modified-Since", req.LastModified)
	}

	// A copy of the client per fetch lets the redirect policy remember
	// where it was sent, for the error message.
	client := *f.client
	var redirectedTo *url.URL
	client.CheckRedirect = func(next *http.Request, via []*http.Request) error {
		redirectedTo = next.URL
		if len(via) > f.opt.MaxRedirects {
			return &LimitError{Limit: "MaxRedirects", Max: int64(f.opt.MaxRedirects)}
		}
		if f.client.CheckRedirect != nil {
			return f.client.CheckRedirect(next, via)
		}
		return nil
	}
	hresp, err := client.Do(hreq)
	if err != nil {
		return nil, f.transportError(parent, ctx, redirectedTo, err)
	}
	defer hresp.Body.Close()
	fetchedAt := f.opt.Now()

	switch code := hresp.StatusCode; {
	case code == http.StatusNotModified:
		return nil, ErrNotModified
	case code == http.StatusTooManyRequests, code == http.StatusServiceUnavailable:
		return nil, &RetryAfterError{StatusCode: code, Wait: retryAfter(hresp.Header, fetchedAt)}
	case code < 200 || code > 299:
		return nil, &StatusError{StatusCode: code}
	}

	body, err := f.readBody(hresp)
	if err != nil {
		return nil, f.transportError(parent, ctx, redirectedTo, err)
	}
	return &Response{
		StatusCode:   hresp.StatusCode,
		URL:          hresp.Request.URL.String(),
		ContentType:  hresp.Header.Get("Content-Type"),
		ETag:         hresp.Header.Get("ETag"),
		LastModified: hresp.Header.Get("Last-Modified"),
		Body:         body,
		FetchedAt:    fetchedAt,
	}, nil
}

// transportError explains a failed request or body read: our own timeout
// and the caller's cancellation are told apart, net/http's *url.Error is
// unwrapped so that the URL is not repeated, and a failure after a redirect
// names where the redirect led.
func (f *Fetcher) transportError(parent, ctx context.Context, redirectedTo *url.URL, err error) error {
	if perr := parent.Err(); perr != nil {
		return perr
	}
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("no complete answer within %s (limit Timeout): %w", f.opt.Timeout, context.DeadlineExceeded)
	}
	if ue, ok := err.(*url.Error); ok {
		err = ue.Err
	}
	if redirectedTo != nil {
		return fmt.Errorf("after redirect to %s: %w", redact(redirectedTo.String()), err)
	}
	return err
}

// readBody reads the body within MaxBodySize and, for Content-Encoding gzip,
// decompresses it within MaxDecodedSize.
func (f *Fetcher) readBody(resp *http.Response) ([]byte, error) {
	maxBody, maxDecoded := f.opt.MaxBodySize, f.opt.MaxDecodedSize
	if resp.ContentLength > maxBody {
		return nil, &LimitError{Limit: "MaxBodySize", Max: maxBody}
	}
	raw := &countingReader{r: io.LimitReader(resp.Body, maxBody+1)}

	var body []byte
	var err error
	switch enc := strings.ToLower(strings.TrimSpace(resp.Header.Get("Content-Encoding"))); enc {
	case "", "identity":
		body, err = io.ReadAll(raw)
	case "gzip", "x-gzip":
		body, err = gunzip(raw, maxDecoded)
	default:
		return nil, fmt.Errorf("unsupported Content-Encoding %q", enc)
	}
	// Too much on the wire explains any error the truncated input caused.
	if raw.n > maxBody {
		return nil, &LimitError{Limit: "MaxBodySize", Max: maxBody}
	}
	if err != nil {
		return nil, err
	}
	if int64(len(body)) > maxDecoded {
		return nil, &LimitError{Limit: "MaxDecodedSize", Max: maxDecoded}
	}
	return body, nil
}

// gunzip decompresses r, reading at most limit+1 decompressed bytes so that
// the caller can tell an overflow from a body of exactly limit bytes.
func gunzip(r io.Reader, limit int64) ([]byte, error) {
	zr, err := gzip.NewReader(r)
	if errors.Is(err, io.EOF) {
		return nil, nil // an empty body labelled gzip
	}
	if err != nil {
		return nil, fmt.Errorf("decompress: %w", err)
	}
	var buf bytes.Buffer
	if _, err := io.Copy(&buf, io.LimitReader(zr, limit+1)); err != nil {
		return nil, fmt.Errorf("decompress: %w", err)
	}
	return buf.Bytes(), nil
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// retryAfter reads a Retry-After header: delay-seconds or an HTTP date,
// measured from the server's Date header when it sent one (so that clock
// skew does not matter) and from now otherwise.
func retryAfter(h http.Header, now time.Time) time.Duration {
	v := strings.TrimSpace(h.Get("Retry-After"))
	wait := DefaultRetryAfter
	if secs, err := strconv.ParseUint(v, 10, 64); err == nil {
		wait = MaxRetryAfter
		if secs < uint64(MaxRetryAfter/time.Second) {
			wait = time.Duration(secs) * time.Second
		}
	} else if at, err := http.ParseTime(v); err == nil {
		if date, err := http.ParseTime(h.Get("Date")); err == nil {
			now = date
		}
		wait = at.Sub(now)
	}
	return min(max(wait, MinRetryAfter), MaxRetryAfter)
}

// redact hides the password of a URL with user info and leaves any other
// string as it is.
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return raw
	}
	if _, ok := u.User.Password(); !ok {
		return raw
	}
	return u.Redacted()
}
