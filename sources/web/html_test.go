package web

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/alertbot/alertbot/sources"
	"github.com/alertbot/alertbot/sources/sourcestest"
)

var (
	testNow = time.Date(2026, 11, 25, 6, 0, 0, 0, time.UTC)
	moscow  = time.FixedZone("MSK", 3*3600)
)

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// midSelectors are mid.ru's (SOURCES.md §4).
var midSelectors = Selectors{
	Item:       "a.announce__link",
	Title:      ".announce__title",
	Date:       ".announce__date",
	DateLayout: "02.01.2006 15:04",
	FullText:   "div.text.article-content",
}

var enSelectors = Selectors{
	Item:  "li.news-item",
	Title: "h3.news-title",
	Link:  "h3.news-title a",
	Date:  ".news-date",
	Text:  "p.news-summary",
}

func TestHTMLParse(t *testing.T) {
	const (
		midNews = "https://mid.ru/ru/foreign_policy/news/"
		en      = "https://www.mfa.example/en/news/2026/11/"
	)
	notice := "Notice: consular section closed on 25 November"
	tests := []struct {
		name        string
		fixture     string
		contentType string
		pageURL     string
		src         HTMLSource
		want        []sources.Item
	}{
		{
			name:        "mid.ru listing, windows-1251 declared only in meta, relative links",
			fixture:     "mid_listing.html",
			contentType: "text/html",
			pageURL:     midNews,
			src:         HTMLSource{ID: "mid", Selectors: midSelectors, Location: moscow},
			want: []sources.Item{
				{Source: "mid", ID: midNews + "2051234/", URL: midNews + "2051234/", Lang: "ru",
					Title:     "О телефонном разговоре Министра иностранных дел России С.В.Лаврова с Генеральным секретарём ООН",
					Published: time.Date(2026, 11, 24, 11, 5, 0, 0, time.UTC)},
				{Source: "mid", ID: midNews + "2051220/", URL: midNews + "2051220/", Lang: "ru",
					Title:     "Заявление МИД России в связи с «санкциями» ЕС",
					Published: time.Date(2026, 11, 24, 8, 30, 0, 0, time.UTC)},
				{Source: "mid", ID: midNews + "2051198/", URL: midNews + "2051198/", Lang: "ru",
					Title:     "Брифинг официального представителя МИД России М.В.Захаровой",
					Published: time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC)},
				{Source: "mid", ID: midNews + "2051150/", URL: midNews + "2051150/", Lang: "ru",
					Title:     "О консультациях по вопросам стратегической стабильности",
					Published: testNow}, // "вчера" is no date
			},
		},
		{
			name:        "English listing, UTF-8, absolute links, config Lang",
			fixture:     "mfa_en_listing.html",
			contentType: "text/html; charset=utf-8",
			pageURL:     "https://www.mfa.example/en/news",
			src:         HTMLSource{ID: "mfa", Lang: "en-GB", Selectors: enSelectors},
			want: []sources.Item{
				{Source: "mfa", ID: en + "statement-on-the-ceasefire", URL: en + "statement-on-the-ceasefire", Lang: "en-GB",
					Title:     "Statement on the ceasefire in the region",
					Text:      "The Ministry welcomes the ceasefire & calls on all parties to respect it.",
					Published: time.Date(2026, 11, 24, 8, 30, 0, 0, time.UTC)}, // from datetime="…+01:00"
				{Source: "mfa", ID: en + "minister-meets-un-envoy", URL: en + "minister-meets-un-envoy", Lang: "en-GB",
					Title:     "Minister meets UN Special Envoy",
					Text:      "The Minister received the UN Special Envoy.\nThey discussed the humanitarian situation.",
					Published: time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)},
				{Source: "mfa", ID: en + "travel-advice", URL: en + "travel-advice", Lang: "en-GB",
					Title:     "Travel advice updated",
					Published: testNow},
				{Source: "mfa", ID: sources.ContentHash(notice, ""), Lang: "en-GB",
					Title:     notice,
					Published: time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)},
			},
		},
		{
			name:        "links as items: picture and headline link merge into one item",
			fixture:     "mfa_en_listing.html",
			contentType: "text/html; charset=utf-8",
			pageURL:     "https://www.mfa.example/en/news",
			src:         HTMLSource{ID: "mfa", Selectors: Selectors{Item: "li.news-item a"}},
			want: []sources.Item{
				{Source: "mfa", ID: en + "statement-on-the-ceasefire", URL: en + "statement-on-the-ceasefire", Lang: "en",
					Title: "Statement on the ceasefire in the region", Published: testNow},
				{Source: "mfa", ID: en + "minister-meets-un-envoy", URL: en + "minister-meets-un-envoy", Lang: "en",
					Title: "Minister meets UN Special Envoy", Published: testNow},
				{Source: "mfa", ID: en + "travel-advice", URL: en + "travel-advice", Lang: "en",
					Title: "Travel advice updated", Published: testNow},
			},
		},
		{
			name:        "article page read as a one-item listing",
			fixture:     "mid_article.html",
			contentType: "text/html",
			pageURL:     midNews + "2051234/",
			src: HTMLSource{ID: "mid", Location: moscow, Selectors: Selectors{
				Item: "body", Title: ".photo-content__title", Date: ".photo-content__date", Text: "div.text.article-content"}},
			want: []sources.Item{
				{Source: "mid", ID: sources.ContentHash(
					"О телефонном разговоре Министра иностранных дел России С.В.Лаврова с Генеральным секретарём ООН",
					"24 ноября состоялся телефонный разговор Министра иностранных дел Российской Федерации С.В.Лаврова с Генеральным секретарём ООН.\nСтороны обсудили ситуацию в Совете Безопасности ООН.\nПоделиться"),
					Lang:      "ru",
					Title:     "О телефонном разговоре Министра иностранных дел России С.В.Лаврова с Генеральным секретарём ООН",
					Text:      "24 ноября состоялся телефонный разговор Министра иностранных дел Российской Федерации С.В.Лаврова с Генеральным секретарём ООН.\nСтороны обсудили ситуацию в Совете Безопасности ООН.\nПоделиться",
					Published: time.Date(2026, 11, 24, 11, 5, 0, 0, time.UTC)},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.src.Parse(readFixture(t, tt.fixture), tt.contentType, tt.pageURL, testNow)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			sourcestest.CheckItems(t, got, tt.want)
		})
	}
}

func TestHTMLParseErrors(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		sel     Selectors
		want    string // the whole message
		noMatch bool   // wraps ErrNoMatch
	}{
		{
			name:    "selector matches nothing",
			body:    string(readFixture(t, "nomatch.html")),
			sel:     enSelectors,
			want:    `web: source s: selector "li.news-item" matched nothing`,
			noMatch: true,
		},
		{
			name:    "empty page",
			body:    "",
			sel:     enSelectors,
			want:    `web: source s: selector "li.news-item" matched nothing`,
			noMatch: true,
		},
		{
			name: "no Item selector",
			body: "<p>x</p>",
			sel:  Selectors{Title: "h1"},
			want: "web: source s: selector Item is empty",
		},
		{
			name: "invalid selectors",
			body: "<p>x</p>",
			sel:  Selectors{Item: "li[", Date: "span:nope"},
			want: `web: source s: selector Item "li[": expected identifier, found EOF instead` + "\n" +
				`selector Date "span:nope": unknown pseudoclass or pseudoelement :nope`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &HTMLSource{ID: "s", Selectors: tt.sel}
			items, err := s.Parse([]byte(tt.body), "text/html", "https://www.mfa.example/", testNow)
			if err == nil {
				t.Fatalf("Parse = %d items, want an error", len(items))
			}
			if err.Error() != tt.want {
				t.Errorf("error = %q, want %q", err, tt.want)
			}
			if errors.Is(err, ErrNoMatch) != tt.noMatch {
				t.Errorf("errors.Is(err, ErrNoMatch) = %v, want %v", !tt.noMatch, tt.noMatch)
			}
		})
	}
}

func TestSelectorsCheck(t *testing.T) {
	tests := []struct {
		name string
		sel  Selectors
		want string // "" for no error
	}{
		{"mid.ru", midSelectors, ""},
		{"English listing", enSelectors, ""},
		{"only Item", Selectors{Item: "article"}, ""},
		{"blank Item", Selectors{Item: "  ", Title: "h1"}, "selector Item is empty"},
		{"bad FullText", Selectors{Item: "a", FullText: "div >"}, `selector FullText "div >": `},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.sel.Check()
			got := ""
			if err != nil {
				got = err.Error()
			}
			if tt.want == "" && got != "" || !strings.HasPrefix(got, tt.want) {
				t.Errorf("Check() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestBaseHref(t *testing.T) {
	page := `<html><head><base href="/en/press/"></head><body>
<div class="i"><a href="release-1.html">One</a></div>
<div class="i"><a href="javascript:void(0)">Two</a></div>
<div class="i"><a href="#top">Three</a></div></body></html>`
	s := &HTMLSource{ID: "s", Selectors: Selectors{Item: "div.i"}}
	items, err := s.Parse([]byte(page), "text/html", "https://mfa.example/index.php?x=1", testNow)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"https://mfa.example/en/press/release-1.html", "", ""}
	if len(items) != len(want) {
		t.Fatalf("got %d items, want %d", len(items), len(want))
	}
	for i, w := range want {
		if items[i].URL != w {
			t.Errorf("item %d: URL = %q, want %q", i, items[i].URL, w)
		}
	}
}
