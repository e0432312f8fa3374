package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/andybalholm/cascadia"
	"golang.org/x/net/html"

	"github.com/alertbot/alertbot/sources"
	"github.com/alertbot/alertbot/sources/htmltext"
)

// Accept is the Accept header of html sources and of followed pages.
const Accept = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8"

// ErrNoMatch is wrapped by the error of a page where Selectors.Item
// matches nothing, and of a JSON document without an array at
// Fields.Items: the page was redesigned, or the site sent an error page,
// and either must be loud rather than an empty success.
var ErrNoMatch = errors.New("matched nothing")

// Selectors are the CSS selectors (cascadia's syntax, as in goquery) of an
// html source. All but Item and FullText apply within one item.
type Selectors struct {
	Item  string // each element it matches is one item; required
	Title string // the first match's text; "": the item's own text
	// Link: the first match's href, or the first a[href] within it; "":
	// the item's own href when the item is an <a>, else its first a[href].
	Link string
	// Date: the first match's datetime attribute (of a <time>) when it
	// reads as a date, else its text; "": every item gets the fetch time.
	Date       string
	DateLayout string // Go layout of Date's text; "": dateLayouts (RFC 3339, "02.01.2006 15:04", "2 January 2006", …)
	Text       string // every match's text, one per line; "": no text
	FullText   string // on a followed item's page: every match's text; required by Follow
}

// matchers are compiled Selectors; a nil field stands for "".
type matchers struct {
	item, title, link, date, text, fullText goquery.Matcher
}

// Check reports a missing Item selector and every selector that does not
// compile, for config validation; Poll and Parse check the same.
func (sel Selectors) Check() error {
	_, err := sel.compile()
	return err
}

func (sel Selectors) compile() (matchers, error) {
	var m matchers
	if strings.TrimSpace(sel.Item) == "" {
		return m, errors.New("selector Item is empty")
	}
	var errs []error
	for _, f := range []struct {
		name string
		sel  string
		dst  *goquery.Matcher
	}{
		{"Item", sel.Item, &m.item}, {"Title", sel.Title, &m.title}, {"Link", sel.Link, &m.link},
		{"Date", sel.Date, &m.date}, {"Text", sel.Text, &m.text}, {"FullText", sel.FullText, &m.fullText},
	} {
		if strings.TrimSpace(f.sel) == "" {
			continue
		}
		c, err := cascadia.Compile(f.sel)
		if err != nil {
			errs = append(errs, fmt.Errorf("selector %s %q: %w", f.name, f.sel, err))
			continue
		}
		*f.dst = c
	}
	return m, errors.Join(errs...)
}

// Defaults of HTMLSource's Follow options.
const (
	// DefaultFollowMax is how many new items' pages one poll fetches: a
	// ministry posts a few items an hour, and a listing that shows many
	// new ones at once (a first poll after downtime) is not worth a burst.
	DefaultFollowMax = 10
	// DefaultFollowDelay is the wait before each followed fetch. Sites ask
	// for more (mid.ru ≥10 s, SOURCES.md §4): set FollowDelay, keeping
	// FollowMax·FollowDelay well under the Poller's PollTimeout (5 min).
	DefaultFollowDelay = 2 * time.Second
)

// HTMLSource is a source of kind html: a page without a feed, read through
// CSS selectors. Each match of Selectors.Item is one Item; its ID is the
// link made canonical by sources.CleanURL (sources.Identity with the link;
// an item without a link gets the hash of its title and text).
//
// With Follow, Poll also fetches the pages of items that were not on the
// listing at the previous poll and takes their text from
// Selectors.FullText; see Poll.
type HTMLSource struct {
	ID        string // the source's id in the config: Item.Source, and the prefix of errors
	URL       string
	UserAgent string // "": the Fetcher's
	Lang      string // Item.Lang; "": the page's <html lang>, if any
	Selectors Selectors
	Location  *time.Location // the zone of dates that name none; nil: UTC
	Fetcher   *sources.Fetcher

	Follow      bool          // fetch each new item's page for its full text
	FollowMax   int           // new items followed per poll; default DefaultFollowMax
	FollowDelay time.Duration // wait before each followed fetch; default DefaultFollowDelay; negative: none
	Logger      *slog.Logger  // failed follows, at Warn; nil: slog.Default()

	// sleep waits d or until ctx is done; tests replace it.
	sleep func(ctx context.Context, d time.Duration) error
}

var _ sources.Source = (*HTMLSource)(nil)

// Poll fetches the page with the validators of st and parses it (Parse).
// The returned State holds the response's ETag and Last-Modified and, with
// Follow, a Cursor remembering the listing's links (follow.go); without
// Follow, st's Cursor. A 304 returns an error wrapping
// sources.ErrNotModified; a page where Item matches nothing, one wrapping
// ErrNoMatch. Errors read "web: source ID: …"; on error the State is st.
//
// Follow: the Source cannot know which items the store has seen, so it
// treats as new the items whose links were not on the listing at the
// previous poll (st.Cursor). Of those, the first FollowMax in page order
// whose link is on the listing's host are fetched, each after FollowDelay,
// and their Text becomes the text of Selectors.FullText on that page. On
// the first poll (no Cursor) nothing is followed: the store keeps a new
// source's first items without alerting. A follow that fails (an error, a
// page where FullText matches nothing) keeps the listing's text and is
// logged; a 429 or 503 stops following for this poll. Only ctx ending
// fails the poll.
func (s *HTMLSource) Poll(ctx context.Context, st sources.State) ([]sources.Item, sources.State, error) {
	if s.Fetcher == nil {
		return nil, st, fmt.Errorf("web: source %s: no Fetcher", s.ID)
	}
	if s.Follow && strings.TrimSpace(s.Selectors.FullText) == "" {
		return nil, st, fmt.Errorf("web: source %s: Follow needs selector FullText", s.ID)
	}
	resp, err := s.Fetcher.Fetch(ctx, sources.Request{
		URL:          s.URL,
		ETag:         st.ETag,
		LastModified: st.LastModified,
		UserAgent:    s.UserAgent,
		Accept:       Accept,
	})
	if err != nil {
		return nil, st, fmt.Errorf("web: source %s: %w", s.ID, err)
	}
	items, err := s.Parse(resp.Body, resp.ContentType, resp.URL, resp.FetchedAt)
	if err != nil {
		return nil, st, err
	}
	next := st
	next.ETag, next.LastModified = resp.ETag, resp.LastModified
	if s.Follow {
		if err := s.follow(ctx, items, st.Cursor, resp.URL); err != nil {
			return nil, st, fmt.Errorf("web: source %s: %w", s.ID, err)
		}
		next.Cursor = encodeCursor(items)
	}
	return items, next, nil
}

// Parse reads a listing page: body as fetched, its Content-Type (for the
// charset) and its final URL (the base of relative links). Every match of
// Selectors.Item becomes an Item, in page order, with Source = ID and
// Published in UTC (now when the item has no readable, believable date).
// Items without title, link and text are dropped, and an item whose ID
// repeats one before it only fills the fields that one left empty (a
// listing often links an entry twice: picture and headline). Errors read
// "web: source ID: …".
func (s *HTMLSource) Parse(body []byte, contentType, pageURL string, now time.Time) ([]sources.Item, error) {
	m, err := s.Selectors.compile()
	if err != nil {
		return nil, fmt.Errorf("web: source %s: %w", s.ID, err)
	}
	doc, base, err := parsePage(body, contentType, pageURL)
	if err != nil {
		return nil, fmt.Errorf("web: source %s: %w", s.ID, err)
	}
	found := doc.FindMatcher(m.item)
	if found.Length() == 0 {
		return nil, fmt.Errorf("web: source %s: selector %q %w", s.ID, s.Selectors.Item, ErrNoMatch)
	}
	lang := s.Lang
	if lang == "" {
		lang = strings.TrimSpace(doc.Find("html").AttrOr("lang", ""))
	}
	loc := s.Location
	if loc == nil {
		loc = time.UTC
	}
	var items []sources.Item
	index := map[string]int{} // ID → position in items
	var dated []bool          // whether items[i].Published was read from the page
	for _, el := range found.EachIter() {
		it := sources.Item{Source: s.ID, Lang: lang, Published: now.UTC()}
		if m.title != nil {
			it.Title = htmltext.Nodes(el.FindMatcher(m.title).First().Nodes, true)
		} else {
			it.Title = htmltext.Nodes(el.Nodes, true)
		}
		it.URL = sources.CleanURL(resolve(base, itemHref(el, m.link)))
		if m.text != nil {
			it.Text = htmltext.Nodes(el.FindMatcher(m.text).Nodes, false)
		}
		hasDate := false
		if m.date != nil {
			if t, ok := itemDate(el.FindMatcher(m.date).First(), s.Selectors.DateLayout, loc, now); ok {
				it.Published, hasDate = t, true
			}
		}
		if it.Title == "" && it.URL == "" && it.Text == "" {
			continue
		}
		it.ID = sources.Identity("", it.URL, it.Title, it.Text)
		if i, dup := index[it.ID]; dup {
			fillEmpty(&items[i], it, hasDate && !dated[i])
			dated[i] = dated[i] || hasDate
			continue
		}
		index[it.ID] = len(items)
		items = append(items, it)
		dated = append(dated, hasDate)
	}
	return items, nil
}

// parsePage decodes and parses a page and returns it with the base of its
// relative links: the final URL, or the page's <base href> resolved
// against it.
func parsePage(body []byte, contentType, pageURL string) (*goquery.Document, *url.URL, error) {
	root, err := html.Parse(bytes.NewReader(toUTF8(body, contentType)))
	if err != nil {
		return nil, nil, fmt.Errorf("parse HTML: %w", err)
	}
	doc := goquery.NewDocumentFromNode(root)
	base, err := url.Parse(pageURL)
	if err != nil {
		base = &url.URL{}
	}
	if href, ok := doc.Find("base[href]").First().Attr("href"); ok {
		if b, err := base.Parse(strings.TrimSpace(href)); err == nil {
			base = b
		}
	}
	return doc, base, nil
}

// itemHref returns the raw href of an item (see Selectors.Link).
func itemHref(el *goquery.Selection, link goquery.Matcher) string {
	if link != nil {
		el = el.FindMatcher(link).First()
		if href, ok := el.Attr("href"); ok {
			return href
		}
	} else if goquery.NodeName(el) == "a" {
		if href, ok := el.Attr("href"); ok {
			return href
		}
	}
	return el.Find("a[href]").First().AttrOr("href", "")
}

// resolve returns href made absolute against base; "" for an empty href
// and for links that lead nowhere to read (javascript:, mailto:, "#").
func resolve(base *url.URL, href string) string {
	href = strings.TrimSpace(href)
	if href == "" || strings.HasPrefix(href, "#") {
		return ""
	}
	u, err := base.Parse(href)
	if err != nil {
		return ""
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return ""
	}
	return u.String()
}

// itemDate reads the date of an item from the first match of Date: its
// datetime attribute with the default layouts, else its text with layout.
func itemDate(el *goquery.Selection, layout string, loc *time.Location, now time.Time) (time.Time, bool) {
	if el.Length() == 0 {
		return time.Time{}, false
	}
	if dt, ok := el.Attr("datetime"); ok {
		if t, ok := parseDate(dt, "", loc, now); ok {
			return t, true
		}
	}
	return parseDate(htmltext.Nodes(el.Nodes, true), layout, loc, now)
}

// fillEmpty copies into it the fields of dup that it lacks; a date read
// from the page (dated) replaces the fetch time.
func fillEmpty(it *sources.Item, dup sources.Item, dated bool) {
	if it.Title == "" {
		it.Title = dup.Title
	}
	if it.Text == "" {
		it.Text = dup.Text
	}
	if dated {
		it.Published = dup.Published
	}
}
