package web

import (
	"testing"
	"unicode/utf8"

	"github.com/alertbot/alertbot/sources"
)

// checkFuzzItems holds for any input: every item has an ID and valid UTF-8
// text, and no ID repeats.
func checkFuzzItems(t *testing.T, items []sources.Item) {
	seen := map[string]bool{}
	for _, it := range items {
		if it.ID == "" || seen[it.ID] {
			t.Errorf("empty or repeated ID %q", it.ID)
		}
		seen[it.ID] = true
		if !utf8.ValidString(it.Title) || !utf8.ValidString(it.Text) || !utf8.ValidString(it.URL) {
			t.Errorf("invalid UTF-8 in %+v", it)
		}
		if it.Published.Location().String() != "UTC" {
			t.Errorf("Published %v not in UTC", it.Published)
		}
	}
}

func FuzzHTML(f *testing.F) {
	for _, name := range []string{"mid_listing.html", "mid_article.html", "mfa_en_listing.html", "nomatch.html"} {
		f.Add(readFixture(f, name), "text/html")
	}
	f.Add([]byte(`<meta charset="koi8-r"><a class="announce__link" href="x">`+"\xed\xc9\xd2"), "text/html; charset=utf-8")
	srcs := []*HTMLSource{
		{ID: "mid", Selectors: midSelectors, Location: moscow},
		{ID: "mfa", Selectors: enSelectors},
		{ID: "links", Selectors: Selectors{Item: "a"}},
	}
	f.Fuzz(func(t *testing.T, body []byte, contentType string) {
		if !utf8.Valid(toUTF8(body, contentType)) {
			t.Error("toUTF8 returned invalid UTF-8")
		}
		for _, s := range srcs {
			items, err := s.Parse(body, contentType, "https://mid.ru/ru/foreign_policy/news/", testNow)
			if err != nil {
				continue
			}
			checkFuzzItems(t, items)
		}
	})
}

func FuzzJSON(f *testing.F) {
	for _, name := range []string{"wp_posts.json", "wp_error.json"} {
		f.Add(readFixture(f, name))
	}
	f.Add([]byte(`{"data":{"results":[{"t":"x","u":"/a","d":"2026-11-24T10:00:00Z"}]}}`))
	srcs := []*JSONSource{
		{ID: "usun", Fields: wpFields},
		{ID: "nested", Fields: Fields{Items: "data.results", Title: "t", Link: "u", Date: "d"}},
		{ID: "index", Fields: Fields{Items: "0.1", ID: "id", Title: "title.0"}},
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, s := range srcs {
			items, err := s.Parse(body, "https://usun.usmission.gov/wp-json/wp/v2/posts", testNow)
			if err != nil {
				continue
			}
			checkFuzzItems(t, items)
		}
	})
}
