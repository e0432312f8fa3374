package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/alertbot/alertbot/sources"
	"github.com/alertbot/alertbot/sources/htmltext"
)

// AcceptJSON is the Accept header of json sources.
const AcceptJSON = "application/json, */*;q=0.5"

// Fields are dot paths into the JSON document of a json source: object keys
// separated by ".", and decimal indexes into arrays ("data.0.items"); keys
// holding a dot cannot be named. All but Items are paths within one item.
type Fields struct {
	Items string // the array of items; "": the document is the array
	ID    string // Item.ID (a string or a number, as written); "": the link, else a hash
	Title string // e.g. WordPress' "title.rendered"; HTML becomes plain text
	Link  string // resolved against the final URL
	Date  string // RFC 3339, or a zoneless "2006-01-02T15:04:05" read as UTC (WordPress' "date"; its "date_gmt" is truly UTC); "": the fetch time
	Text  string // e.g. "content.rendered"; HTML becomes plain text, paragraphs one per line
}

// JSONSource is a source of kind json: a JSON listing such as a WordPress
// REST route (https://usun.usmission.gov/wp-json/wp/v2/posts?_fields=id,date,link,title,content
// with Fields{Title: "title.rendered", Text: "content.rendered", Date:
// "date", Link: "link", ID: "id"}).
type JSONSource struct {
	ID        string // the source's id in the config: Item.Source, and the prefix of errors
	URL       string
	UserAgent string // "": the Fetcher's
	Lang      string // Item.Lang
	Fields    Fields
	Fetcher   *sources.Fetcher
}

var _ sources.Source = (*JSONSource)(nil)

// Poll fetches the document with the validators of st and parses it
// (Parse). The returned State holds the response's ETag and Last-Modified
// and st's Cursor. A 304 returns an error wrapping sources.ErrNotModified.
// Errors read "web: source ID: …"; on error the State is st.
func (s *JSONSource) Poll(ctx context.Context, st sources.State) ([]sources.Item, sources.State, error) {
	if s.Fetcher == nil {
		return nil, st, fmt.Errorf("web: source %s: no Fetcher", s.ID)
	}
	resp, err := s.Fetcher.Fetch(ctx, sources.Request{
		URL:          s.URL,
		ETag:         st.ETag,
		LastModified: st.LastModified,
		UserAgent:    s.UserAgent,
		Accept:       AcceptJSON,
	})
	if err != nil {
		return nil, st, fmt.Errorf("web: source %s: %w", s.ID, err)
	}
	items, err := s.Parse(resp.Body, resp.URL, resp.FetchedAt)
	if err != nil {
		return nil, st, err
	}
	next := st
	next.ETag, next.LastModified = resp.ETag, resp.LastModified
	return items, next, nil
}

// Parse reads a JSON document fetched from docURL (the base of relative
// links). Each element of the Items array that is an object becomes an
// Item, in document order, with Source = ID, Lang and Published in UTC
// (now when the date is missing, unreadable or not believable). Items
// without id, title, link and text are dropped, and so is an item whose ID
// repeats one before it. A body that is not JSON, and a document without
// an array at Items (an error object such as WordPress'
// {"code":"rest_no_route","message":…}), are errors; the latter wraps
// ErrNoMatch and quotes the object's "message" or "error" when it has one.
func (s *JSONSource) Parse(body []byte, docURL string, now time.Time) ([]sources.Item, error) {
	dec := json.NewDecoder(bytes.NewReader(bytes.TrimPrefix(body, bomUTF8)))
	dec.UseNumber() // ids stay as written: 1234567 and not 1.234567e+06
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("web: source %s: not JSON: %w", s.ID, err)
	}
	list, ok := lookup(doc, s.Fields.Items).([]any)
	if !ok {
		return nil, fmt.Errorf("web: source %s: items path %q %w%s", s.ID, s.Fields.Items, ErrNoMatch, describe(doc))
	}
	base, err := url.Parse(docURL)
	if err != nil {
		base = &url.URL{}
	}
	var items []sources.Item
	seen := map[string]bool{}
	for _, v := range list {
		if _, ok := v.(map[string]any); !ok {
			continue
		}
		it := sources.Item{
			Source:    s.ID,
			Title:     htmltext.Plain(field(v, s.Fields.Title), true),
			Text:      htmltext.Plain(field(v, s.Fields.Text), false),
			Lang:      s.Lang,
			Published: now.UTC(),
		}
		it.URL = sources.CleanURL(resolve(base, field(v, s.Fields.Link)))
		if t, ok := parseDate(field(v, s.Fields.Date), "", time.UTC, now); ok {
			it.Published = t
		}
		id := ""
		if s.Fields.ID != "" {
			id = field(v, s.Fields.ID)
		}
		if id == "" && it.Title == "" && it.URL == "" && it.Text == "" {
			continue
		}
		it.ID = sources.Identity(id, it.URL, it.Title, it.Text)
		if seen[it.ID] {
			continue
		}
		seen[it.ID] = true
		items = append(items, it)
	}
	return items, nil
}

// lookup follows a dot path from v; nil when a step is missing. "" is v.
func lookup(v any, path string) any {
	if path == "" {
		return v
	}
	for key := range strings.SplitSeq(path, ".") {
		switch x := v.(type) {
		case map[string]any:
			v = x[key]
		case []any:
			i, err := strconv.Atoi(key)
			if err != nil || i < 0 || i >= len(x) {
				return nil
			}
			v = x[i]
		default:
			return nil
		}
	}
	return v
}

// field returns the value at path as a string: a string as it is, a number
// as written, a boolean as "true" or "false"; "" for a missing path, null,
// an object or an array.
func field(v any, path string) string {
	if path == "" {
		return ""
	}
	switch x := lookup(v, path).(type) {
	case string:
		return x
	case json.Number:
		return x.String()
	case bool:
		return strconv.FormatBool(x)
	}
	return ""
}

// describe says what a document without items is, for the error.
func describe(doc any) string {
	switch x := doc.(type) {
	case map[string]any:
		for _, k := range []string{"message", "error", "detail"} {
			if msg, ok := x[k].(string); ok && msg != "" {
				const max = 200
				if len(msg) > max {
					msg = strings.ToValidUTF8(msg[:max], "") + "…"
				}
				return fmt.Sprintf(" (an object with %s %q)", k, msg)
			}
		}
		return " (an object)"
	case []any:
		return " (an array)"
	case string:
		return " (a string)"
	case json.Number:
		return " (a number)"
	case bool:
		return " (a boolean)"
	}
	return " (null)"
}
