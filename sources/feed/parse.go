package feed

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/url"
	"strings"
	"time"

	"github.com/mmcdole/gofeed"

	"github.com/alertbot/alertbot/sources"
	"github.com/alertbot/alertbot/sources/htmltext"
)

// Accept is the Accept header to send when fetching a feed.
const Accept = "application/rss+xml, application/atom+xml, application/feed+json, " +
	"application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, */*;q=0.5"

// Errors for a body that holds no feed. Parse wraps them with detail.
var (
	ErrEmptyBody = errors.New("feed: empty body")
	ErrNotFeed   = errors.New("feed: not a feed")
)

// Feed is what one feed document says.
type Feed struct {
	Title  string // plain text
	Lang   string // primary language subtag of the feed's language element ("en", "ru"); "" when absent or unreadable
	Format string // what the document is: "rss 2.0", "rss 1.0" (RDF), "atom 1.0", "json 1.1", …
	Items  []sources.Item
}

// Parse reads a feed document: RSS 0.9x/1.0/2.0, Atom 0.3/1.0 or JSON Feed.
// contentType is the HTTP Content-Type (its charset is used when the
// document declares none, or declares one its bytes contradict), baseURL the
// URL the document came from (relative links are resolved against it after
// xml:base), and now the fetch time (the date of items that give none). See
// the package documentation for what the items hold.
func Parse(body []byte, contentType string, baseURL string, now time.Time) (*Feed, error) {
	doc, err := toUTF8(body, contentType)
	if err != nil {
		return nil, err
	}
	if len(bytes.TrimSpace(doc)) == 0 {
		return nil, ErrEmptyBody
	}
	gf, err := parseGofeed(doc)
	if errors.Is(err, gofeed.ErrFeedTypeNotDetected) {
		return nil, notFeedError(doc, contentType)
	}
	if err != nil {
		return nil, fmt.Errorf("feed: parse: %w", err)
	}
	if gf.FeedType == "json" && !strings.Contains(gf.FeedVersion, "jsonfeed.org/version/") {
		return nil, fmt.Errorf("%w (JSON without a jsonfeed.org version)", ErrNotFeed)
	}

	var base *url.URL
	if baseURL != "" {
		base, _ = url.Parse(baseURL) // nil on error: links stay as written
	}
	f := &Feed{
		Title:  htmltext.Plain(gf.Title, true),
		Lang:   langCode(gf.Language),
		Format: format(gf),
	}
	f.Items = buildItems(gf.Items, base, f.Lang, now)
	return f, nil
}

// parseGofeed runs gofeed on a UTF-8 document. gofeed is third-party code
// fed untrusted input: a panic in it becomes an error for this feed rather
// than the end of the process.
func parseGofeed(doc []byte) (f *gofeed.Feed, err error) {
	defer func() {
		if r := recover(); r != nil {
			f, err = nil, fmt.Errorf("gofeed panicked: %v", r)
		}
	}()
	return gofeed.NewParser().Parse(bytes.NewReader(doc))
}

func format(gf *gofeed.Feed) string {
	v := gf.FeedVersion
	if i := strings.LastIndex(v, "/version/"); i >= 0 {
		v = v[i+len("/version/"):] // JSON Feed: "https://jsonfeed.org/version/1.1"
	}
	return strings.TrimSpace(gf.FeedType + " " + v)
}

// notFeedError says what a document that gofeed did not recognise is.
func notFeedError(doc []byte, contentType string) error {
	root := xmlRoot(doc)
	mediaType, _, _ := mime.ParseMediaType(contentType)
	head := bytes.ToLower(doc[:min(len(doc), 1024)])
	switch {
	case strings.EqualFold(root, "html"), mediaType == "text/html", mediaType == "application/xhtml+xml",
		bytes.Contains(head, []byte("<!doctype html")), bytes.Contains(head, []byte("<html")):
		return fmt.Errorf("%w (looks like HTML)", ErrNotFeed)
	case root != "":
		return fmt.Errorf("%w (XML with root element <%s>)", ErrNotFeed, root)
	case bytes.HasPrefix(doc, []byte("<")):
		return fmt.Errorf("%w (unreadable XML)", ErrNotFeed)
	case bytes.HasPrefix(doc, []byte("[")):
		return fmt.Errorf("%w (JSON that is not a JSON Feed)", ErrNotFeed)
	}
	return fmt.Errorf("%w (neither XML nor JSON)", ErrNotFeed)
}

// xmlRoot returns the name of the first element of doc, read leniently
// (HTML entities and unclosed tags allowed), or "".
func xmlRoot(doc []byte) string {
	d := xml.NewDecoder(bytes.NewReader(doc[:min(len(doc), 64<<10)]))
	d.Strict = false
	d.AutoClose = xml.HTMLAutoClose
	d.Entity = xml.HTMLEntity
	d.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil } // already UTF-8
	for range 1000 {
		tok, err := d.RawToken()
		if err != nil {
			return ""
		}
		if se, ok := tok.(xml.StartElement); ok {
			return se.Name.Local
		}
	}
	return ""
}

// langCode returns the primary language subtag of a language element in
// lower case ("en-US" → "en", "ru_RU" → "ru"), or "" when it is not one.
func langCode(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, "-_"); i >= 0 {
		s = s[:i]
	}
	if len(s) < 2 || len(s) > 3 {
		return ""
	}
	for _, c := range s {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return ""
		}
	}
	return strings.ToLower(s)
}

// candidate is an item on its way out of Parse, with what its identity can
// be built from. level says which identity it uses: the GUID, the link or
// the content hash (sources.Identity's order).
type candidate struct {
	item  sources.Item
	guid  string // trimmed
	hash  string // sources.ContentHash of title and text
	level int
	drop  bool
}

const (
	byGUID = iota
	byLink
	byHash
)

func (c *candidate) id() string {
	switch c.level {
	case byGUID:
		return c.guid
	case byLink:
		return c.item.URL
	}
	return c.hash
}

// escalate moves c to the next identity it has; false when it has none.
func (c *candidate) escalate() bool {
	switch {
	case c.level == byGUID && c.item.URL != "":
		c.level = byLink
	case c.level < byHash:
		c.level = byHash
	default:
		return false
	}
	return true
}

func buildItems(in []*gofeed.Item, base *url.URL, lang string, now time.Time) []sources.Item {
	cands := make([]candidate, 0, len(in))
	seen := make(map[string]bool, len(in))
	for _, it := range in {
		if it == nil {
			continue
		}
		c := candidate{guid: strings.TrimSpace(it.GUID)}
		c.item.Title = htmltext.Plain(it.Title, true)
		c.item.Text = htmltext.Plain(it.Description, false)
		if content := htmltext.Plain(it.Content, false); len(content) > len(c.item.Text) {
			c.item.Text = content
		}
		if c.item.Title == "" && c.item.Text == "" {
			continue // nothing a rule could match
		}
		c.item.URL = sources.CleanURL(itemLink(it, base))
		c.item.Lang = lang
		c.item.Published = itemDate(it, now)
		c.hash = sources.ContentHash(c.item.Title, c.item.Text)
		// An item repeated verbatim in one document is kept once.
		key := c.guid + "\x00" + c.item.URL + "\x00" + c.hash
		if seen[key] {
			continue
		}
		seen[key] = true
		switch {
		case c.guid != "":
			c.level = byGUID
		case c.item.URL != "":
			c.level = byLink
		default:
			c.level = byHash
		}
		cands = append(cands, c)
	}

	resolveCollisions(cands)

	out := make([]sources.Item, 0, len(cands))
	for i := range cands {
		if !cands[i].drop {
			cands[i].item.ID = cands[i].id()
			out = append(out, cands[i].item)
		}
	}
	return out
}

// resolveCollisions makes IDs unique within one document. Items that share
// an ID (two different stories with one GUID: a CMS that puts the site's
// address or a constant in every guid) all move to their next identity, the
// link and then the content hash, because a shared GUID identifies none of
// them; when every identity collides the items say the same thing and the
// first one is kept. Moving all of them, not only the later ones, keeps an
// ID from passing from one story to the next as the feed scrolls.
func resolveCollisions(cands []candidate) {
	for {
		byID := make(map[string][]int, len(cands))
		for i := range cands {
			if !cands[i].drop {
				id := cands[i].id()
				byID[id] = append(byID[id], i)
			}
		}
		changed := false
		for _, idx := range byID {
			if len(idx) < 2 {
				continue
			}
			for k, i := range idx {
				if cands[i].escalate() {
					changed = true
				} else if k > 0 {
					cands[i].drop, changed = true, true
				}
			}
		}
		if !changed {
			return
		}
	}
}

// itemLink returns the item's link resolved against base: its link, else
// its first link of any kind, else its GUID when that is an http(s) URL (an
// RSS guid with isPermaLink).
func itemLink(it *gofeed.Item, base *url.URL) string {
	link := strings.TrimSpace(it.Link)
	if link == "" && len(it.Links) > 0 {
		link = strings.TrimSpace(it.Links[0])
	}
	if link == "" {
		if u, err := url.Parse(strings.TrimSpace(it.GUID)); err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" {
			return u.String()
		}
		return ""
	}
	u, err := url.Parse(link)
	if err != nil {
		return link
	}
	if base != nil && !u.IsAbs() {
		u = base.ResolveReference(u)
	}
	return u.String()
}
