package telegram

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// ErrNoPosts is wrapped by the error for a channel preview that shows no
// post: a channel without posts, or a ?before= page past its first post.
var ErrNoPosts = errors.New("no posts found")

// ErrNoPreview is wrapped by the error for a page that is not a channel's
// web preview: a private channel, a user, a bot or a group, whose t.me/s
// address leads to the t.me/NAME page.
var ErrNoPreview = errors.New("no public preview")

// Media is the kind of attachment a post shows, "" for none.
type Media string

// The kinds of media told apart, from the markup of PROTOCOLS.md §3.
const (
	MediaNone        Media = ""
	MediaPhoto       Media = "photo"
	MediaAlbum       Media = "album" // several photos or videos grouped in one post
	MediaVideo       Media = "video"
	MediaRoundVideo  Media = "round_video"
	MediaVoice       Media = "voice"
	MediaDocument    Media = "document"
	MediaSticker     Media = "sticker"
	MediaPoll        Media = "poll"
	MediaLocation    Media = "location"
	MediaUnsupported Media = "unsupported" // "media is not supported in your browser"
)

// Page is one t.me/s page of a channel.
type Page struct {
	Channel string // the channel's username as the page writes it ("MID_Russia")
	Posts   []Post // the posts with something to read, oldest first as on the page
	// Oldest and Newest are the lowest and highest post ids on the page,
	// counting the posts left out of Posts (service messages, bare
	// media): Oldest is what ?before= takes to page back.
	Oldest, Newest int64
}

// Post is one channel post with something to read.
type Post struct {
	ID            int64
	Permalink     string    // https://t.me/CHANNEL/ID
	Time          time.Time // UTC; zero when the page gives none
	Text          string    // plain text, lines joined with "\n" (see the package doc)
	Media         Media
	ForwardedFrom string // name of the channel or user the post was forwarded from
	Author        string // the signature of a channel that signs its posts
	Edited        bool
	ReplyTo       int64 // id of the post it replies to, 0 if none
}

// Selectors of PROTOCOLS.md §3 that goquery evaluates, on the page.
const (
	selHistory = ".tgme_channel_history"
	selMessage = ".tgme_widget_message[data-post]"
	selBubble  = ".tgme_widget_message_bubble"
)

// Classes looked for inside a message's bubble (see own).
const (
	clsText       = "tgme_widget_message_text"
	clsDate       = "tgme_widget_message_date"
	clsForwarded  = "tgme_widget_message_forwarded_from"
	clsFwdName    = "tgme_widget_message_forwarded_from_name"
	clsFromAuthor = "tgme_widget_message_from_author"
	clsMeta       = "tgme_widget_message_meta"
	clsReply      = "tgme_widget_message_reply"
	clsPreview    = "tgme_widget_message_link_preview"
)

// mediaKinds tell a post's media from the classes in its bubble, in
// order: an album holds photo and video wraps, so it comes first.
var mediaKinds = []struct {
	classes []string
	kind    Media
}{
	{[]string{"tgme_widget_message_grouped_wrap"}, MediaAlbum},
	{[]string{"tgme_widget_message_poll"}, MediaPoll},
	{[]string{"tgme_widget_message_roundvideo_player", "tgme_widget_message_roundvideo"}, MediaRoundVideo},
	{[]string{"tgme_widget_message_video_player"}, MediaVideo},
	{[]string{"tgme_widget_message_voice"}, MediaVoice},
	{[]string{"tgme_widget_message_document_wrap", "tgme_widget_message_document_title"}, MediaDocument},
	{[]string{"tgme_widget_message_sticker_wrap"}, MediaSticker},
	{[]string{"tgme_widget_message_location_wrap"}, MediaLocation},
	{[]string{"tgme_widget_message_photo_wrap"}, MediaPhoto},
	{[]string{"message_media_not_supported"}, MediaUnsupported},
}

// ParsePage reads a t.me/s/CHANNEL page. baseURL is the page's address
// (after redirects): relative links resolve against it, and it names the
// channel in errors when the page does not. The errors wrap ErrNoPreview
// ("telegram: channel X has no public preview") when body is not a
// channel preview, and ErrNoPosts ("telegram: channel X: no posts found")
// when it shows no post at all; a page whose posts are all left out
// (service messages, bare photos) is no error. ParsePage does no I/O, is
// safe for concurrent use and never panics.
func ParsePage(body []byte, baseURL string) (*Page, error) {
	p, err := parsePage(body, baseURL)
	if err != nil {
		return nil, fmt.Errorf("telegram: %w", err)
	}
	return p, nil
}

// parsePage is ParsePage with errors that start with "channel X" rather
// than the package name, for Source to prefix with its id.
func parsePage(body []byte, baseURL string) (*Page, error) {
	base, err := url.Parse(baseURL)
	if err != nil {
		base = &url.URL{}
	}
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("channel %s: parse: %w", channelFromURL(base), err)
	}
	page := &Page{}
	history := doc.Find(selHistory).First()
	if history.Length() == 0 {
		return nil, fmt.Errorf("channel %s has %w", pageChannel(doc, base), ErrNoPreview)
	}
	seen := make(map[int64]bool)
	history.Find(selMessage).Each(func(_ int, msg *goquery.Selection) {
		channel, id, ok := parseDataPost(msg.AttrOr("data-post", ""))
		if !ok || seen[id] {
			return
		}
		seen[id] = true
		if page.Channel == "" && channel != "" {
			page.Channel = channel
		}
		if page.Oldest == 0 || id < page.Oldest {
			page.Oldest = id
		}
		page.Newest = max(page.Newest, id)
		if msg.HasClass("service_message") {
			return
		}
		if post, ok := parsePost(msg, channel, id, base); ok {
			page.Posts = append(page.Posts, post)
		}
	})
	if page.Channel == "" {
		page.Channel = pageChannel(doc, base)
	}
	if len(seen) == 0 {
		return nil, fmt.Errorf("channel %s: %w", page.Channel, ErrNoPosts)
	}
	return page, nil
}

// parseDataPost splits data-post "channel/id" on its last slash.
func parseDataPost(v string) (channel string, id int64, ok bool) {
	i := strings.LastIndexByte(v, '/')
	if i < 0 {
		return "", 0, false
	}
	id, err := strconv.ParseInt(v[i+1:], 10, 64)
	if err != nil || id <= 0 {
		return "", 0, false
	}
	return v[:i], id, true
}

// parsePost reads one message; ok is false when it has nothing to read.
func parsePost(msg *goquery.Selection, channel string, id int64, base *url.URL) (Post, bool) {
	bubble := msg.Nodes[0]
	if b := msg.Find(selBubble); b.Length() > 0 {
		bubble = b.Nodes[0]
	}
	p := Post{ID: id}
	if text := ownFirst(bubble, clsText); text != nil {
		p.Text = plainText(text, base)
	}
	for _, m := range mediaKinds {
		if ownFirst(bubble, m.classes...) != nil {
			p.Media = m.kind
			break
		}
	}
	if p.Text == "" {
		p.Text = substituteText(bubble, p.Media, base)
	}
	if p.Text == "" {
		return Post{}, false
	}
	date := ownFirst(bubble, clsDate)
	if date != nil {
		p.Permalink = resolve(base, attr(date, "href"))
		for c := date.FirstChild; c != nil; c = c.NextSibling {
			if c.Type == html.ElementNode && c.DataAtom == atom.Time && hasAttr(c, "datetime") {
				if t, err := time.Parse(time.RFC3339, strings.TrimSpace(attr(c, "datetime"))); err == nil {
					p.Time = t.UTC()
				}
				break
			}
		}
	}
	if date == nil || attr(date, "href") == "" || p.Permalink == "" {
		p.Permalink = resolve(base, "/"+channel+"/"+strconv.FormatInt(id, 10))
	}
	if fwd := ownFirst(bubble, clsForwarded); fwd != nil {
		if name := ownFirst(fwd, clsFwdName); name != nil {
			p.ForwardedFrom = plainText(name, nil)
		} else {
			p.ForwardedFrom = strings.TrimSpace(strings.TrimPrefix(plainText(fwd, nil), "Forwarded from"))
		}
	}
	if meta := ownFirst(bubble, clsMeta); meta != nil {
		if a := ownFirst(meta, clsFromAuthor); a != nil {
			p.Author = plainText(a, nil)
		}
		p.Edited = saysEdited(meta)
	}
	if reply := first(bubble, func(n *html.Node) bool { return hasClass(n, clsReply) }, nil); reply != nil {
		if u, err := url.Parse(attr(reply, "href")); err == nil {
			_, p.ReplyTo, _ = parseDataPost(u.Path)
		}
	}
	return p, true
}

// substituteText is what stands for the text of a post without one: a
// poll's question and options, one a line, or a document's file name.
func substituteText(bubble *html.Node, media Media, base *url.URL) string {
	var parts []string
	switch media {
	case MediaPoll:
		for _, n := range own(bubble, "tgme_widget_message_poll_question", "tgme_widget_message_poll_option_text") {
			parts = append(parts, plainText(n, base))
		}
	case MediaDocument:
		if n := ownFirst(bubble, "tgme_widget_message_document_title"); n != nil {
			parts = append(parts, plainText(n, base))
		}
	}
	return normalizeLines(strings.Join(parts, "\n"))
}

// own returns, in document order, the elements inside n with one of the
// classes that belong to the post itself: those inside a quoted post (a
// reply) or a link preview are not looked at. ownFirst returns the first
// of them, or nil.
func own(n *html.Node, classes ...string) []*html.Node {
	var found []*html.Node
	walk(n, func(c *html.Node) bool { return hasClass(c, classes...) }, isForeign, func(c *html.Node) bool {
		found = append(found, c)
		return true
	})
	return found
}

func ownFirst(n *html.Node, classes ...string) *html.Node {
	return first(n, func(c *html.Node) bool { return hasClass(c, classes...) }, isForeign)
}

// isForeign tells the blocks of a bubble whose content is another post's
// or page's: a quoted post and a link preview.
func isForeign(n *html.Node) bool {
	return hasClass(n, clsReply, clsPreview)
}

// first returns the first element under n that match accepts, not
// looking inside the elements skip accepts; nil if none.
func first(n *html.Node, match, skip func(*html.Node) bool) *html.Node {
	var found *html.Node
	walk(n, match, skip, func(c *html.Node) bool {
		found = c
		return false
	})
	return found
}

// walk calls yield, in document order, for each element under n that
// match accepts, until yield returns false; it does not enter the
// elements skip (which may be nil) accepts. It reports whether to go on.
func walk(n *html.Node, match, skip func(*html.Node) bool, yield func(*html.Node) bool) bool {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type != html.ElementNode || skip != nil && skip(c) {
			continue
		}
		if match(c) && !yield(c) {
			return false
		}
		if !walk(c, match, skip, yield) {
			return false
		}
	}
	return true
}

// hasClass reports whether n is an element with one of the classes.
func hasClass(n *html.Node, classes ...string) bool {
	if n.Type != html.ElementNode {
		return false
	}
	for _, a := range n.Attr {
		if a.Key != "class" || a.Namespace != "" {
			continue
		}
		for f := range strings.FieldsSeq(a.Val) {
			if slices.Contains(classes, f) {
				return true
			}
		}
	}
	return false
}

func hasAttr(n *html.Node, key string) bool {
	for _, a := range n.Attr {
		if a.Key == key {
			return true
		}
	}
	return false
}

// saysEdited reports whether the meta line's own text (not the
// signature's) has the word "edited".
func saysEdited(meta *html.Node) bool {
	for c := meta.FirstChild; c != nil; c = c.NextSibling {
		if c.Type != html.TextNode {
			continue
		}
		for _, w := range strings.FieldsFunc(c.Data, func(r rune) bool { return !isWordRune(r) }) {
			if strings.EqualFold(w, "edited") {
				return true
			}
		}
	}
	return false
}

func isWordRune(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
}

// pageChannel names the channel of a page without posts: the header's
// @username, else the main element's data-url, else the page's address.
func pageChannel(doc *goquery.Document, base *url.URL) string {
	if u := strings.TrimSpace(doc.Find(".tgme_channel_info_header_username").First().Text()); u != "" {
		return strings.TrimPrefix(u, "@")
	}
	if u := strings.Trim(doc.Find("main.tgme_main[data-url]").AttrOr("data-url", ""), "/ "); u != "" {
		return u
	}
	return channelFromURL(base)
}

// channelFromURL is the last segment of a t.me/s/NAME or t.me/NAME path.
func channelFromURL(u *url.URL) string {
	path := strings.Trim(u.Path, "/")
	if i := strings.LastIndexByte(path, '/'); i >= 0 {
		path = path[i+1:]
	}
	if path == "" {
		return "?"
	}
	return path
}

// resolve makes href absolute against base; "" when it does not parse.
func resolve(base *url.URL, href string) string {
	u, err := url.Parse(strings.TrimSpace(href))
	if err != nil {
		return ""
	}
	if base != nil {
		u = base.ResolveReference(u)
	}
	return u.String()
}
