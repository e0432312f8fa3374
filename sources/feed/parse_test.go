package feed

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

// now is the fetch time of every test parse.
var now = time.Date(2024, 2, 3, 12, 0, 0, 0, time.UTC)

func readFixture(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestParse(t *testing.T) {
	tests := []struct {
		name        string
		file        string
		contentType string
		baseURL     string
		wantTitle   string
		wantLang    string
		wantFormat  string
		wantItems   []sources.Item
	}{
		{
			name:        "rss 2.0 with content:encoded, relative link and tracking parameters",
			file:        "rss20.xml",
			contentType: "application/rss+xml; charset=utf-8",
			baseURL:     "https://press.un.org/en/rss.xml",
			wantTitle:   "Meetings Coverage and Press Releases",
			wantLang:    "en",
			wantFormat:  "rss 2.0",
			wantItems: []sources.Item{{
				ID:    "sc15577",
				URL:   "https://press.un.org/en/2024/sc15577.doc.htm",
				Title: "Security Council to Hold Urgent Meeting on Strikes in Iraq, Syria at Request of Russian Federation",
				Text: "The Security Council will meet on Monday, 5 February, at the request of the Russian Federation to discuss United States strikes on targets in Iraq and Syria.\n" +
					"In a letter to the Council President (document S/2024/120), the Permanent Representative of the Russian Federation said the strikes “pose a threat to international peace and security”.\n" +
					"Date: 5 February 2024\nTime: 3 p.m.",
				Lang:      "en",
				Published: at("2024-02-03T14:41:00Z"),
			}, {
				ID:    "https://press.un.org/en/2024/sgsm22110.doc.htm",
				URL:   "https://press.un.org/en/2024/sgsm22110.doc.htm",
				Title: "Secretary-General’s Statement on Strikes in Iraq and Syria",
				Text: "The Secretary-General is following with concern reports of strikes in Iraq and Syria.\n" +
					"He calls on all parties to exercise restraint & avoid escalation.",
				Lang:      "en",
				Published: at("2024-02-03T08:00:00Z"),
			}, {
				ID:    "db240202",
				URL:   "https://press.un.org/en/2024/db240202.doc.htm",
				Title: "Daily Press Briefing by the Office of the Spokesperson for the Secretary-General",
				Text: "The following is a near-verbatim transcript of today’s noon briefing by Stéphane Dujarric, Spokesman for the Secretary-General.\n" +
					"Middle East\nThe Secretary-General remains deeply concerned about the risk of escalation in the region.",
				Lang:      "en",
				Published: at("2024-02-02T22:30:00Z"),
			}},
		},
		{
			name:       "rss 0.91 in ISO-8859-1, no guids, no dates",
			file:       "rss091.xml",
			baseURL:    "https://news.un.org/feed/subscribe/en/news/topic/peace-and-security/feed/rss.xml",
			wantTitle:  "UN News - Peace and Security",
			wantLang:   "en",
			wantFormat: "rss 0.91",
			wantItems: []sources.Item{{
				ID:        "https://news.un.org/en/story/2024/02/1146137",
				URL:       "https://news.un.org/en/story/2024/02/1146137",
				Title:     "Guterres urges restraint after strikes in Iraq and Syria",
				Text:      "UN Secretary-General António Guterres on Saturday called on all sides to avoid further escalation in the Middle East.",
				Lang:      "en",
				Published: now,
			}, {
				ID:        "https://news.un.org/en/story/2024/02/1146142",
				URL:       "https://news.un.org/en/story/2024/02/1146142",
				Title:     "Security Council to meet on Monday at Russia’s request",
				Text:      "The 15-member Council will hear a briefing from the Department of Political and Peacebuilding Affairs – Rosemary DiCarlo is expected to speak.",
				Lang:      "en",
				Published: now,
			}},
		},
		{
			name:       "rss 0.92 items with only a description or only a title",
			file:       "rss092.xml",
			baseURL:    "https://www.ohchr.org/en/rss.xml",
			wantTitle:  "OHCHR: Press briefing notes",
			wantLang:   "en",
			wantFormat: "rss 0.92",
			wantItems: []sources.Item{{
				ID:        "https://www.ohchr.org/en/press-briefing-notes/2024/02/civilians",
				URL:       "https://www.ohchr.org/en/press-briefing-notes/2024/02/civilians",
				Text:      "Spokesperson for the UN High Commissioner for Human Rights: we are alarmed by reports of civilian casualties.",
				Lang:      "en",
				Published: now,
			}, {
				ID:        "https://www.ohchr.org/en/press-briefing-notes/2024/02/red-sea",
				URL:       "https://www.ohchr.org/en/press-briefing-notes/2024/02/red-sea",
				Title:     "Comment by the Spokesperson on the situation in the Red Sea",
				Lang:      "en",
				Published: now,
			}},
		},
		{
			name:       "rss 1.0 (rdf) with dc:date and dc:language",
			file:       "rdf.xml",
			baseURL:    "https://www.auswaertiges-amt.de/en/rss/press.rdf",
			wantTitle:  "Federal Foreign Office: Press releases",
			wantLang:   "en",
			wantFormat: "rss 1.0",
			wantItems: []sources.Item{{
				ID:        "https://www.auswaertiges-amt.de/en/newsroom/news/2645006",
				URL:       "https://www.auswaertiges-amt.de/en/newsroom/news/2645006",
				Title:     "Federal Foreign Office summons Russian ambassador",
				Text:      "The Russian ambassador was summoned to the Federal Foreign Office on Friday.",
				Lang:      "en",
				Published: at("2024-02-02T15:20:00Z"),
			}, {
				ID:        "https://www.auswaertiges-amt.de/en/newsroom/news/2644980",
				URL:       "https://www.auswaertiges-amt.de/en/newsroom/news/2644980",
				Title:     "Statement by a Federal Foreign Office spokesperson on the situation in the Middle East",
				Text:      "We call on all actors in the region to act responsibly.",
				Lang:      "en",
				Published: at("2024-02-02T09:05:00Z"),
			}},
		},
		{
			name:       "atom 0.3 with issued and modified, content longer than summary",
			file:       "atom03.xml",
			baseURL:    "https://www.diplomatie.gouv.fr/spip.php?page=backend-fd&lang=fr",
			wantTitle:  "France Diplomatie – Actualités",
			wantLang:   "fr",
			wantFormat: "atom 0.3",
			wantItems: []sources.Item{{
				ID:        "tag:diplomatie.gouv.fr,2024-02-03:article-31415",
				URL:       "https://www.diplomatie.gouv.fr/fr/dossiers-pays/irak/evenements/article/frappes-americaines-03-02-24",
				Title:     "Irak – Syrie – Frappes américaines (3 février 2024)",
				Text:      "La France a pris note des frappes conduites par les États-Unis.\nElle appelle l’ensemble des acteurs à la plus grande retenue.",
				Lang:      "fr",
				Published: at("2024-02-03T10:30:00Z"),
			}, {
				ID:        "tag:diplomatie.gouv.fr,2024-02-02:article-31400",
				URL:       "https://www.diplomatie.gouv.fr/fr/dossiers-pays/irak/evenements/article/entretien-02-02-24",
				Title:     "Entretien du ministre avec son homologue irakien",
				Text:      "Le ministre s'est entretenu avec son homologue irakien.",
				Lang:      "fr",
				Published: at("2024-02-02T17:00:00Z"),
			}},
		},
		{
			name:       "atom 1.0 with xml:base on the feed and on an entry, xhtml content",
			file:       "atom10.xml",
			baseURL:    "https://www.gov.uk/government/organisations/foreign-commonwealth-development-office.atom",
			wantTitle:  "Foreign, Commonwealth & Development Office - Activity on GOV.UK",
			wantLang:   "en",
			wantFormat: "atom 1.0",
			wantItems: []sources.Item{{
				ID:        "tag:www.gov.uk,2005:/government/news/foreign-secretary-statement-on-strikes",
				URL:       "https://www.gov.uk/government/news/foreign-secretary-statement-on-strikes",
				Title:     "Foreign Secretary statement on strikes in Iraq and Syria",
				Text:      "The Foreign Secretary said the UK supports the right to respond to attacks.",
				Lang:      "en",
				Published: at("2024-02-03T09:12:33Z"),
			}, {
				ID:    "tag:www.gov.uk,2005:/world/news/ambassador-summoned",
				URL:   "https://www.gov.uk/world/news/ambassador-summoned",
				Title: "Ambassador summoned to the FCDO",
				Text: "The Iranian ambassador was summoned to the Foreign, Commonwealth and Development Office today.\n" +
					"Minister for the Middle East: statement.",
				Lang:      "en",
				Published: at("2024-02-02T15:00:00Z"),
			}},
		},
		{
			name:        "json feed 1.1 with a numeric id and a relative url",
			file:        "jsonfeed11.json",
			contentType: "application/feed+json",
			baseURL:     "https://www.osce.org/feed.json",
			wantTitle:   "OSCE: Latest news",
			wantLang:    "en",
			wantFormat:  "json 1.1",
			wantItems: []sources.Item{{
				ID:        "https://www.osce.org/chairpersonship/561234",
				URL:       "https://www.osce.org/chairpersonship/561234",
				Title:     "OSCE Chair calls for de-escalation in the Middle East",
				Text:      "VALLETTA, 2 February 2024 – The OSCE Chair-in-Office today called for de-escalation.\n\"Dialogue is the only way forward,\" the Chair said.",
				Lang:      "en",
				Published: at("2024-02-02T13:00:00Z"),
			}, {
				ID:        "561235",
				URL:       "https://www.osce.org/secretariat/561235",
				Text:      "The OSCE Secretary General met the Permanent Council in Vienna.",
				Lang:      "en",
				Published: at("2024-02-01T09:00:00Z"),
			}},
		},
		{
			name:        "windows-1251 declared only in the HTTP header",
			file:        "windows1251_header.xml",
			contentType: "application/rss+xml; charset=windows-1251",
			baseURL:     "https://tass.ru/rss/v2.xml",
			wantTitle:   "ТАСС: Международная панорама",
			wantLang:    "ru",
			wantFormat:  "rss 2.0",
			wantItems: []sources.Item{{
				ID:    "https://tass.ru/mezhdunarodnaya-panorama/19888001",
				URL:   "https://tass.ru/mezhdunarodnaya-panorama/19888001",
				Title: "Россия запросила срочное заседание СБ ООН в связи с ударами США по Сирии и Ираку",
				Text: "НЬЮ-ЙОРК, 3 февраля. /ТАСС/. Россия запросила проведение срочного заседания Совета Безопасности ООН в связи с ударами США по объектам в Сирии и Ираке.\n" +
					"Об этом сообщил первый заместитель постоянного представителя РФ при ООН Дмитрий Полянский.",
				Lang:      "ru",
				Published: at("2024-02-03T07:51:12Z"),
			}, {
				ID:        "https://tass.ru/mezhdunarodnaya-panorama/19888123",
				URL:       "https://tass.ru/mezhdunarodnaya-panorama/19888123",
				Title:     "МИД Ирака вызвал временного поверенного в делах США и вручил ноту протеста",
				Text:      "БАГДАД, 3 февраля. /ТАСС/. Министерство иностранных дел Ирака вызвало временного поверенного в делах США в Багдаде и вручило ему ноту протеста «в связи с агрессией».",
				Lang:      "ru",
				Published: at("2024-02-03T09:05:40Z"),
			}},
		},
		{
			name:        "koi8-r declared in the prolog, Russian date",
			file:        "koi8r.xml",
			contentType: "text/xml",
			baseURL:     "https://www.mid.ru/ru/rss.php",
			wantTitle:   "МИД России - новости",
			wantLang:    "ru",
			wantFormat:  "rss 2.0",
			wantItems: []sources.Item{{
				ID:        "mid-1934600",
				URL:       "https://www.mid.ru/ru/foreign_policy/news/1934600/",
				Title:     "О вызове посла в МИД России",
				Text:      "3 февраля посол был приглашён в МИД России, где ему была вручена нота протеста.",
				Lang:      "ru",
				Published: at("2024-02-03T09:05:00Z"),
			}},
		},
		{
			name:        "prolog says UTF-8, bytes and header are windows-1251",
			file:        "wrong_prolog.xml",
			contentType: "text/xml; charset=windows-1251",
			baseURL:     "https://ria.ru/export/rss2/world/index.xml",
			wantTitle:   "РИА Новости: В мире",
			wantLang:    "ru",
			wantFormat:  "rss 2.0",
			wantItems:   riaItems,
		},
		{
			name:        "prolog says windows-1251, bytes are UTF-8",
			file:        "wrong_prolog_utf8.xml",
			contentType: "text/xml",
			baseURL:     "https://ria.ru/export/rss2/world/index.xml",
			wantTitle:   "РИА Новости: В мире",
			wantLang:    "ru",
			wantFormat:  "rss 2.0",
			wantItems:   riaItems,
		},
		{
			name:        "UTF-8 byte order mark",
			file:        "bom.xml",
			contentType: "application/xml",
			baseURL:     "https://www.interfax.ru/rss.asp",
			wantTitle:   "Интерфакс: В мире",
			wantLang:    "ru",
			wantFormat:  "rss 2.0",
			wantItems:   interfaxItems,
		},
		{
			name:        "UTF-16LE with byte order mark, header says UTF-8",
			file:        "utf16le_bom.xml",
			contentType: "application/xml; charset=utf-8",
			baseURL:     "https://www.interfax.ru/rss.asp",
			wantTitle:   "Интерфакс: В мире",
			wantLang:    "ru",
			wantFormat:  "rss 2.0",
			wantItems:   interfaxItems,
		},
		{
			name:       "bare ampersands in title, link and description",
			file:       "bare_ampersand.xml",
			baseURL:    "https://www.state.gov/rss-feed/department-press-briefings/feed/",
			wantTitle:  "Q&A with the Spokesperson",
			wantLang:   "en",
			wantFormat: "rss 2.0",
			wantItems: []sources.Item{{
				ID:        "https://www.state.gov/briefings/department-press-briefing-february-2-2024/",
				URL:       "https://www.state.gov/briefings/department-press-briefing-february-2-2024/?page=2&section=iraq",
				Title:     "Department Press Briefing: Iraq & Syria Q&A",
				Text:      "Questions on strikes in Iraq & Syria, AT&T outage & more.",
				Lang:      "en",
				Published: at("2024-02-02T21:10:00Z"),
			}},
		},
		{
			name:       "no guids: identity from the cleaned link, else the content hash",
			file:       "no_guids.xml",
			baseURL:    "https://mid.ru/en/rss.php",
			wantTitle:  "The Ministry of Foreign Affairs of the Russian Federation",
			wantLang:   "en",
			wantFormat: "rss 2.0",
			wantItems: []sources.Item{{
				ID:        "https://mid.ru/en/foreign_policy/news/1934567/?lang=en",
				URL:       "https://mid.ru/en/foreign_policy/news/1934567/?lang=en",
				Title:     "Foreign Ministry statement on US strikes in Iraq and Syria",
				Text:      "Moscow has requested an urgent meeting of the UN Security Council.",
				Lang:      "en",
				Published: at("2024-02-03T09:00:00Z"),
			}, {
				ID:        "https://mid.ru/en/press_service/spokesman/briefings/1934500/?a=1&b=2",
				URL:       "https://mid.ru/en/press_service/spokesman/briefings/1934500/?a=1&b=2",
				Title:     "Briefing by Foreign Ministry Spokeswoman",
				Text:      "Briefing by the Spokeswoman, Moscow, February 2, 2024.",
				Lang:      "en",
				Published: at("2024-02-02T12:30:00Z"),
			}, {
				ID:        sources.ContentHash("Comment by the Information and Press Department", "The Russian side handed a note of protest to the embassy."),
				Title:     "Comment by the Information and Press Department",
				Text:      "The Russian side handed a note of protest to the embassy.",
				Lang:      "en",
				Published: at("2024-02-02T08:00:00Z"),
			}},
		},
		{
			name:       "duplicate guids: shared guid falls back to link, shared link to hash, verbatim repeat dropped",
			file:       "duplicate_guids.xml",
			baseURL:    "https://www.mofa.example.gov/rss",
			wantTitle:  "Ministry of Foreign Affairs: News",
			wantLang:   "en",
			wantFormat: "rss 2.0",
			wantItems: []sources.Item{{
				ID:        "https://www.mofa.example.gov/news/101",
				URL:       "https://www.mofa.example.gov/news/101",
				Title:     "Minister receives the chargé d'affaires of the United States",
				Text:      "The Minister handed over a note of protest.",
				Lang:      "en",
				Published: at("2024-02-03T07:00:00Z"),
			}, {
				ID:        "https://www.mofa.example.gov/news/100",
				URL:       "https://www.mofa.example.gov/news/100",
				Title:     "Statement on the strikes near Al-Qaim",
				Text:      "The Ministry condemns the strikes.",
				Lang:      "en",
				Published: at("2024-02-03T05:00:00Z"),
			}, {
				ID:        sources.ContentHash("Weekly press conference", "Opening remarks."),
				URL:       "https://www.mofa.example.gov/news/99",
				Title:     "Weekly press conference",
				Text:      "Opening remarks.",
				Lang:      "en",
				Published: at("2024-02-02T09:00:00Z"),
			}, {
				ID:        sources.ContentHash("Weekly press conference (updated)", "Opening remarks and answers to questions."),
				URL:       "https://www.mofa.example.gov/news/99",
				Title:     "Weekly press conference (updated)",
				Text:      "Opening remarks and answers to questions.",
				Lang:      "en",
				Published: at("2024-02-02T09:00:00Z"),
			}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(readFixture(t, tt.file), tt.contentType, tt.baseURL, now)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if got.Title != tt.wantTitle {
				t.Errorf("Title = %q, want %q", got.Title, tt.wantTitle)
			}
			if got.Lang != tt.wantLang {
				t.Errorf("Lang = %q, want %q", got.Lang, tt.wantLang)
			}
			if got.Format != tt.wantFormat {
				t.Errorf("Format = %q, want %q", got.Format, tt.wantFormat)
			}
			sourcestest.CheckItems(t, got.Items, tt.wantItems)
		})
	}
}

var riaItems = []sources.Item{{
	ID:        "https://ria.ru/20240203/oon-1925401234.html",
	URL:       "https://ria.ru/20240203/oon-1925401234.html",
	Title:     "Небензя: Россия настаивает на заседании СБ ООН",
	Text:      "Постпред РФ при ООН Василий Небензя заявил, что удары США «нарушают суверенитет Ирака и Сирии».",
	Lang:      "ru",
	Published: at("2024-02-03T10:20:00Z"),
}}

var interfaxItems = []sources.Item{{
	ID:        "https://www.interfax.ru/world/944123",
	URL:       "https://www.interfax.ru/world/944123",
	Title:     "Ирак вызвал временного поверенного в делах США",
	Text:      "Багдад выразил протест в связи с ударами по территории страны.",
	Lang:      "ru",
	Published: at("2024-02-03T08:40:00Z"),
}}

func TestParseDates(t *testing.T) {
	want := map[string]time.Time{
		"one-digit-day-no-seconds": at("2024-02-03T07:15:00Z"),
		"msk":                      at("2024-02-03T07:15:00Z"),
		"est":                      at("2024-02-03T07:15:00Z"),
		"cest":                     at("2024-02-03T07:15:00Z"),
		"jst":                      at("2024-02-03T07:15:00Z"),
		"sql":                      at("2024-02-03T07:15:00Z"),
		"iso-no-zone":              at("2024-02-03T07:15:00Z"),
		"russian":                  at("2024-02-03T07:15:00Z"),
		"dotted":                   at("2024-02-03T07:15:00Z"),
		"unix":                     at("2024-02-03T07:15:00Z"),
		"dc-date":                  at("2024-02-03T07:15:00Z"),
		"near-future":              at("2024-02-04T06:00:00Z"),
		"far-future":               now,
		"year-one":                 now,
		"garbage":                  now,
		"none":                     now,
	}
	f, err := Parse(readFixture(t, "odd_dates.xml"), "", "https://example.org/odd.xml", now)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Items) != len(want) {
		t.Errorf("got %d items, want %d", len(f.Items), len(want))
	}
	for _, it := range f.Items {
		w, ok := want[it.ID]
		if !ok {
			t.Errorf("unexpected item %q", it.ID)
			continue
		}
		if !it.Published.Equal(w) {
			t.Errorf("%s (%s): Published = %v, want %v", it.ID, it.Title, it.Published, w)
		}
	}
}

func TestParseErrors(t *testing.T) {
	rss := readFixture(t, "rss20.xml")
	tests := []struct {
		name        string
		body        []byte
		contentType string
		wantIs      error // nil: any error that is neither sentinel
		wantMsg     string
	}{
		{"empty body", nil, "application/rss+xml", ErrEmptyBody, "feed: empty body"},
		{"white space only", readFixture(t, "empty.xml"), "", ErrEmptyBody, "feed: empty body"},
		{"byte order mark only", []byte("\xEF\xBB\xBF\r\n"), "", ErrEmptyBody, "feed: empty body"},
		{"utf-16 byte order mark only", []byte("\xFF\xFE"), "", ErrEmptyBody, "feed: empty body"},
		{"html page", readFixture(t, "html_page.html"), "text/html; charset=utf-8", ErrNotFeed, "feed: not a feed (looks like HTML)"},
		{"html page labelled as rss", readFixture(t, "html_page.html"), "application/rss+xml", ErrNotFeed, "feed: not a feed (looks like HTML)"},
		{"html fragment served as text/html", []byte("<div>Service unavailable</div>"), "text/html", ErrNotFeed, "feed: not a feed (looks like HTML)"},
		{"sitemap", []byte(`<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>https://press.un.org/</loc></url></urlset>`), "application/xml", ErrNotFeed, "feed: not a feed (XML with root element <urlset>)"},
		{"json api error", []byte(`{"error":"not found"}`), "application/json", ErrNotFeed, "feed: not a feed (JSON without a jsonfeed.org version)"},
		{"json array", []byte(`[{"title":"x"}]`), "application/json", ErrNotFeed, "feed: not a feed (JSON that is not a JSON Feed)"},
		{"plain text", []byte("404 page not found\n"), "text/plain", ErrNotFeed, "feed: not a feed (neither XML nor JSON)"},
		{"lone angle bracket", []byte("<"), "", ErrNotFeed, "feed: not a feed (unreadable XML)"},
		{"truncated rss", rss[:1500], "application/rss+xml", nil, "feed: parse: XML syntax error on line 16: unexpected EOF"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Parse(tt.body, tt.contentType, "https://press.un.org/en/rss.xml", now)
			if err == nil {
				t.Fatalf("Parse = %+v, want an error", f)
			}
			if f != nil {
				t.Errorf("Parse returned a feed with error %v", err)
			}
			if err.Error() != tt.wantMsg {
				t.Errorf("error = %q, want %q", err, tt.wantMsg)
			}
			for _, sentinel := range []error{ErrEmptyBody, ErrNotFeed} {
				if got, want := errors.Is(err, sentinel), sentinel == tt.wantIs; got != want {
					t.Errorf("errors.Is(err, %v) = %v, want %v", sentinel, got, want)
				}
			}
		})
	}
}

func TestParseFeedWithoutItems(t *testing.T) {
	f, err := Parse([]byte(`<rss version="2.0"><channel><title>Quiet</title></channel></rss>`), "", "", now)
	if err != nil {
		t.Fatal(err)
	}
	if f.Title != "Quiet" {
		t.Errorf("Title = %q, want %q", f.Title, "Quiet")
	}
	if len(f.Items) != 0 {
		t.Errorf("got %d items, want none", len(f.Items))
	}
}

func TestParseDropsEmptyItems(t *testing.T) {
	body := `<rss version="2.0"><channel><title>x</title>
<item><link>https://example.org/only-a-link</link></item>
<item><title> <![CDATA[<img src="a.png">]]> </title><description>&lt;br/&gt;</description></item>
<item><title>kept</title></item>
</channel></rss>`
	f, err := Parse([]byte(body), "", "", now)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Items) != 1 || f.Items[0].Title != "kept" {
		t.Errorf("items = %+v, want only the one titled %q", f.Items, "kept")
	}
}

func TestLangCode(t *testing.T) {
	tests := []struct{ in, want string }{
		{"en", "en"},
		{"en-US", "en"},
		{"ru_RU", "ru"},
		{" RU ", "ru"},
		{"fil", "fil"},
		{"English", ""},
		{"e", ""},
		{"12", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := langCode(tt.in); got != tt.want {
			t.Errorf("langCode(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestAcceptNamesFeedTypes(t *testing.T) {
	for _, mt := range []string{"application/rss+xml", "application/atom+xml", "application/feed+json"} {
		if !strings.Contains(Accept, mt) {
			t.Errorf("Accept %q lacks %s", Accept, mt)
		}
	}
}

// BenchmarkParse parses a 50-item RSS 2.0 feed (64 KiB, HTML content).
func BenchmarkParse(b *testing.B) {
	body := readFixture(b, "rss20_50items.xml")
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		f, err := Parse(body, "application/rss+xml; charset=utf-8", "https://press.un.org/en/rss.xml", now)
		if err != nil {
			b.Fatal(err)
		}
		if len(f.Items) != 50 {
			b.Fatalf("got %d items, want 50", len(f.Items))
		}
	}
}

func TestParseMarkupInFields(t *testing.T) {
	tests := []struct {
		name      string
		body      string
		wantTitle string
		wantText  string
	}{
		{
			name:      "html entities undeclared in xml, naked markup",
			body:      `<rss version="2.0"><channel><item><title>A&nbsp;B &mdash; C</title><description><p>Hello <b>world</b></p><p>Two</p></description></item></channel></rss>`,
			wantTitle: "A B — C",
			wantText:  "Hello world\nTwo",
		},
		{
			name:      "atom html title, escaped twice",
			body:      `<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>1</id><title type="html">&lt;b&gt;Bold&lt;/b&gt; &amp;amp; co</title><content type="html"><![CDATA[<p>x</p>]]></content></entry></feed>`,
			wantTitle: "Bold & co",
			wantText:  "x",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Parse([]byte(tt.body), "", "", now)
			if err != nil {
				t.Fatal(err)
			}
			if len(f.Items) != 1 {
				t.Fatalf("got %d items, want 1", len(f.Items))
			}
			if got := f.Items[0].Title; got != tt.wantTitle {
				t.Errorf("Title = %q, want %q", got, tt.wantTitle)
			}
			if got := f.Items[0].Text; got != tt.wantText {
				t.Errorf("Text = %q, want %q", got, tt.wantText)
			}
		})
	}
}
