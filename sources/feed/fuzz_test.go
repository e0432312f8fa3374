package feed

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzParse checks that Parse never panics and that what it returns keeps
// the package's promises: an error and no feed, or a feed whose items all
// have a unique ID, some text, valid UTF-8, a one-line title and a date no
// later than a day after the fetch.
func FuzzParse(f *testing.F) {
	contentTypes := map[string]string{
		"windows1251_header.xml": "application/rss+xml; charset=windows-1251",
		"wrong_prolog.xml":       "text/xml; charset=windows-1251",
		"html_page.html":         "text/html; charset=utf-8",
		"jsonfeed11.json":        "application/feed+json",
	}
	files, err := filepath.Glob(filepath.Join("testdata", "*"))
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range files {
		if filepath.Base(name) == "rss20_50items.xml" {
			continue // the benchmark's feed: large, and nothing rss20.xml lacks
		}
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, contentTypes[filepath.Base(name)])
	}
	f.Add([]byte(`<rss><channel><item><guid>a</guid><title>x</title></item><item><guid>a</guid><title>x</title></item></channel></rss>`), "")
	f.Add([]byte(`{"version":"https://jsonfeed.org/version/1.1","items":[{"id":1,"content_text":"a"},{"id":"1","content_text":"b"}]}`), "application/json")

	f.Fuzz(func(t *testing.T, body []byte, contentType string) {
		feed, err := Parse(body, contentType, "https://example.org/feed.xml", now)
		if err != nil {
			if feed != nil {
				t.Errorf("Parse returned a feed and error %v", err)
			}
			if !strings.HasPrefix(err.Error(), "feed: ") {
				t.Errorf("error %q lacks the package prefix", err)
			}
			if errors.Is(err, ErrEmptyBody) && strings.ContainsAny(string(body), "<{") {
				t.Errorf("ErrEmptyBody for a body with markup")
			}
			return
		}
		if !utf8.ValidString(feed.Title) || strings.Contains(feed.Title, "\n") {
			t.Errorf("bad feed title %q", feed.Title)
		}
		ids := make(map[string]bool, len(feed.Items))
		for _, it := range feed.Items {
			if it.ID == "" {
				t.Errorf("item without ID: %+v", it)
			}
			if ids[it.ID] {
				t.Errorf("duplicate ID %q", it.ID)
			}
			ids[it.ID] = true
			if it.Title == "" && it.Text == "" {
				t.Errorf("item %q without title and text", it.ID)
			}
			if !utf8.ValidString(it.Title) || !utf8.ValidString(it.Text) || !utf8.ValidString(it.URL) {
				t.Errorf("item %q is not valid UTF-8", it.ID)
			}
			if strings.Contains(it.Title, "\n") {
				t.Errorf("item %q: title has a newline: %q", it.ID, it.Title)
			}
			if it.Text != strings.TrimSpace(it.Text) || strings.Contains(it.Text, "\n\n") {
				t.Errorf("item %q: text not normalised: %q", it.ID, it.Text)
			}
			if it.Published.IsZero() || it.Published.After(now.Add(maxFutureSkew)) || it.Published.Before(earliestDate) {
				t.Errorf("item %q: Published = %v", it.ID, it.Published)
			}
			if it.Lang != feed.Lang || it.Source != "" {
				t.Errorf("item %q: Lang %q Source %q", it.ID, it.Lang, it.Source)
			}
		}
	})
}
