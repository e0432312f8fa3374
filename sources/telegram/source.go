package telegram

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/alertbot/alertbot/sources"
)

// Defaults of Source.
const (
	DefaultBaseURL = "https://t.me"
	// DefaultMaxPages bounds the pages one poll fetches: the first and up
	// to four older ones, about 100 posts, more than an official channel
	// posts between two polls.
	DefaultMaxPages = 5
)

// accept is what a browser sends for a page.
const accept = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8"

// Source is a source of kind telegram: the web preview of one public
// channel, {BaseURL}/s/{Channel}.
type Source struct {
	ID        string // the source's id in the config: Item.Source, and the prefix of errors
	Channel   string // the channel's username, without "@"
	UserAgent string // "": the Fetcher's
	Lang      string // the language of the channel's posts; "" for unknown
	Fetcher   *sources.Fetcher
	BaseURL   string // "": DefaultBaseURL
	MaxPages  int    // pages fetched per poll at most; 0: DefaultMaxPages
}

var _ sources.Source = (*Source)(nil)

// ItemID is the sources.Item ID of post number post of a channel: the
// username in lower case (usernames are case-insensitive), "/" and the
// number, "mid_russia/40102". A post taken from a channel_post update of
// the Bot API must get the same ID, so that it alerts once however it
// arrives.
func ItemID(channel string, post int64) string {
	return strings.ToLower(channel) + "/" + strconv.FormatInt(post, 10)
}

// Poll fetches the channel's latest page and, when st.Cursor (the highest
// post id seen) lies below that page's oldest post, older pages with
// ?before=ID until one reaches the cursor, shows no posts, or MaxPages
// pages were fetched: a gap larger than that is not filled. The first poll
// (an empty or unreadable Cursor) fetches one page. It returns the posts
// of every page fetched, oldest first, seen or not, and a State whose
// Cursor is the highest post id seen yet; the pages change with every
// view, so there are no validators. A channel without posts is a success
// with no items. Errors read "telegram: source ID: …" and wrap the
// Fetcher's (*sources.RetryAfterError, …) or ErrNoPreview, whether
// Telegram redirected to t.me/NAME or served a page without a channel
// history; when any page fails the poll fails and the returned State is st.
func (s *Source) Poll(ctx context.Context, st sources.State) ([]sources.Item, sources.State, error) {
	items, next, err := s.poll(ctx, st)
	if err != nil {
		return nil, st, fmt.Errorf("telegram: source %s: %w", s.ID, err)
	}
	return items, next, nil
}

// fetchedPage is a parsed page and when it was fetched.
type fetchedPage struct {
	*Page
	at time.Time
}

func (s *Source) poll(ctx context.Context, st sources.State) ([]sources.Item, sources.State, error) {
	if s.Fetcher == nil {
		return nil, st, errors.New("no Fetcher")
	}
	channel := strings.TrimPrefix(strings.TrimSpace(s.Channel), "@")
	if !validChannel(channel) {
		return nil, st, fmt.Errorf("channel %q is not a username", s.Channel)
	}
	base := strings.TrimRight(s.BaseURL, "/")
	if base == "" {
		base = DefaultBaseURL
	}
	maxPages := s.MaxPages
	if maxPages <= 0 {
		maxPages = DefaultMaxPages
	}
	cursor, err := strconv.ParseInt(st.Cursor, 10, 64)
	if err != nil || cursor < 0 {
		cursor = 0
	}

	pageURL := base + "/s/" + url.PathEscape(channel)
	first, err := s.fetchPage(ctx, pageURL, channel)
	if errors.Is(err, ErrNoPosts) {
		return nil, sources.State{Cursor: st.Cursor}, nil
	}
	if err != nil {
		return nil, st, err
	}
	pages := []fetchedPage{first}
	for oldest := first.Oldest; cursor > 0 && oldest > cursor+1 && len(pages) < maxPages; {
		p, err := s.fetchPage(ctx, pageURL+"?before="+strconv.FormatInt(oldest, 10), channel)
		if errors.Is(err, ErrNoPosts) {
			break // the channel's first post was reached
		}
		if err != nil {
			return nil, st, err
		}
		if p.Oldest >= oldest {
			break // the page did not go back: a server that ignores before
		}
		pages = append(pages, p)
		oldest = p.Oldest
	}

	var items []sources.Item
	seen := make(map[int64]bool)
	newest := cursor
	for i := len(pages) - 1; i >= 0; i-- {
		p := pages[i]
		newest = max(newest, p.Newest)
		for _, post := range p.Posts {
			if seen[post.ID] {
				continue
			}
			seen[post.ID] = true
			published := post.Time
			if published.IsZero() {
				published = p.at
			}
			items = append(items, s.item(p.Channel, post.ID, post.Permalink, post.Text, published))
		}
	}
	next := sources.State{Cursor: strconv.FormatInt(newest, 10)}
	return items, next, nil
}

// fetchPage fetches and parses one page. A final address without "/s/"
// means Telegram redirected to the t.me/NAME page: no preview.
func (s *Source) fetchPage(ctx context.Context, pageURL, channel string) (fetchedPage, error) {
	resp, err := s.Fetcher.Fetch(ctx, sources.Request{URL: pageURL, UserAgent: s.UserAgent, Accept: accept})
	if err != nil {
		return fetchedPage{}, err
	}
	if u, err := url.Parse(resp.URL); err == nil && !strings.Contains(u.Path, "/s/") {
		return fetchedPage{}, fmt.Errorf("channel %s has %w (redirected to %s)", channel, ErrNoPreview, resp.URL)
	}
	p, err := parsePage(resp.Body, resp.URL)
	if err != nil {
		return fetchedPage{}, err
	}
	return fetchedPage{p, resp.FetchedAt}, nil
}

// validChannel accepts what may stand in a t.me path: letters, digits
// and underscores (app validates the exact username rules).
func validChannel(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_') {
			return false
		}
	}
	return true
}

// PostItem is the item of a post the bot received as a channel_post update
// (the bot is a member of the channel): the same item, with the same
// identity, as when the post is read from the web preview, so that a post
// seen both ways is new once.
func (s *Source) PostItem(channel string, post int64, text string, at time.Time) sources.Item {
	return s.item(channel, post, DefaultBaseURL+"/"+channel+"/"+strconv.FormatInt(post, 10), text, at)
}

func (s *Source) item(channel string, post int64, permalink, text string, at time.Time) sources.Item {
	return sources.Item{
		Source:    s.ID,
		ID:        ItemID(channel, post),
		URL:       permalink,
		Title:     title(text),
		Text:      text,
		Lang:      s.Lang,
		Published: at,
	}
}
