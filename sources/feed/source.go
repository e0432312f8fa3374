package feed

import (
	"context"
	"fmt"
	"time"

	"github.com/alertbot/alertbot/sources"
)

// Source is a source of kind rss: one RSS, Atom or JSON Feed document at
// URL, fetched with a conditional GET and parsed by Parse.
type Source struct {
	ID        string // the source's id in the config: Item.Source, and the prefix of errors
	URL       string
	UserAgent string // "": the Fetcher's
	Lang      string // the language of items whose feed names none; "" for unknown
	Fetcher   *sources.Fetcher

	// parse is Parse; tests count calls through it.
	parse func(body []byte, contentType, baseURL string, now time.Time) (*Feed, error)
}

var _ sources.Source = (*Source)(nil)

// Poll fetches the feed, sending the validators of st (If-None-Match,
// If-Modified-Since) and Accept, and parses it with the response's
// Content-Type and final URL. Every item gets Source = ID, and Lang when
// the feed gives none. The returned State holds the response's ETag and
// Last-Modified, "" for one the server no longer sends, and st's Cursor.
// A 304 returns an error wrapping sources.ErrNotModified without parsing
// anything. Errors read "feed: source ID: …" and wrap what Fetch and
// Parse return (sources.ErrNotModified, *sources.RetryAfterError,
// ErrNotFeed, …); on error the returned State is st.
func (s *Source) Poll(ctx context.Context, st sources.State) ([]sources.Item, sources.State, error) {
	if s.Fetcher == nil {
		return nil, st, fmt.Errorf("feed: source %s: no Fetcher", s.ID)
	}
	resp, err := s.Fetcher.Fetch(ctx, sources.Request{
		URL:          s.URL,
		ETag:         st.ETag,
		LastModified: st.LastModified,
		UserAgent:    s.UserAgent,
		Accept:       Accept,
	})
	if err != nil {
		return nil, st, fmt.Errorf("feed: source %s: %w", s.ID, err)
	}
	parse := s.parse
	if parse == nil {
		parse = Parse
	}
	f, err := parse(resp.Body, resp.ContentType, resp.URL, resp.FetchedAt)
	if err != nil {
		return nil, st, fmt.Errorf("feed: source %s: %w", s.ID, err)
	}
	for i := range f.Items {
		it := &f.Items[i]
		it.Source = s.ID
		if it.Lang == "" {
			it.Lang = s.Lang
		}
	}
	next := st
	next.ETag, next.LastModified = resp.ETag, resp.LastModified
	return f.Items, next, nil
}
