package web

import (
	"errors"
	"testing"
	"time"

	"github.com/alertbot/alertbot/sources"
	"github.com/alertbot/alertbot/sources/sourcestest"
)

var wpFields = Fields{ID: "id", Title: "title.rendered", Link: "link", Date: "date", Text: "content.rendered"}

func TestJSONParse(t *testing.T) {
	const usun = "https://usun.usmission.gov/"
	wp := func(id, slug, title, text string, date time.Time) sources.Item {
		return sources.Item{Source: "usun", ID: id, URL: usun + slug, Title: title, Text: text, Lang: "en", Published: date}
	}
	tests := []struct {
		name   string
		body   string
		fields Fields
		want   []sources.Item
	}{
		{
			name:   "WordPress REST posts",
			body:   string(readFixture(t, "wp_posts.json")),
			fields: wpFields,
			want: []sources.Item{
				wp("123461", "remarks-at-a-un-security-council-briefing-on-ukraine-12/",
					"Remarks at a UN Security Council Briefing on Ukraine",
					"Ambassador\nActing U.S. Representative\nNew York, New York\nNovember 24, 2026\nAS DELIVERED\n"+
						"Thank you, Madam President. The United States condemns Russia’s latest strikes on Ukraine’s energy grid.",
					time.Date(2026, 11, 24, 15, 12, 3, 0, time.UTC)),
				wp("123455", "explanation-of-vote-on-a-resolution-on-sudan/",
					"Explanation of Vote on a Resolution on Sudan – “Protection of Civilians”",
					"Thank you, Mr. President.\nThe United States voted “yes” on this resolution & we urge the parties to comply.",
					time.Date(2026, 11, 24, 11, 0, 47, 0, time.UTC)),
				wp("123440", "joint-statement-on-the-dprk/",
					"Joint Statement on the DPRK’s Ballistic Missile Launch",
					"Photo: USUN\nWe, the undersigned, condemn the launch.\nJapan\nRepublic of Korea",
					time.Date(2026, 11, 23, 18, 30, 0, 0, time.UTC)),
				wp("123431", "remarks-at-the-general-assembly-debate-on-security-council-reform/",
					"Remarks at the General Assembly Debate on Security Council Reform & Working Methods",
					"Thank you, Mr. President. Reform of the Council remains a priority.",
					time.Date(2026, 11, 23, 9, 5, 12, 0, time.UTC)),
				wp("123420", "statement-by-ambassador-on-haiti/",
					"Statement by Ambassador on Haiti (Updated)",
					"The U.S. Mission to the United Nations welcomes the Council’s decision.",
					time.Date(2026, 11, 22, 20, 45, 0, 0, time.UTC)),
			},
		},
		{
			name: "nested items, no ID field, relative links, RFC 3339 and odd dates",
			body: `{"data":{"results":[
				{"t":"NATO Secretary General press conference","u":"/en/news/1.htm","d":"2026-11-24T10:00:00+01:00"},
				{"t":"Doorstep","u":"/en/news/2.htm?utm_medium=x","d":"soon"},
				{"t":"Doorstep again","u":"/en/news/2.htm"},
				"not an object", null,
				{"t":"","u":""},
				{"t":"Only a title","d":1732440000}
			]}}`,
			fields: Fields{Items: "data.results", Title: "t", Link: "u", Date: "d"},
			want: []sources.Item{
				{Source: "usun", ID: "https://www.nato.example/en/news/1.htm", URL: "https://www.nato.example/en/news/1.htm", Lang: "en",
					Title: "NATO Secretary General press conference", Published: time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)},
				{Source: "usun", ID: "https://www.nato.example/en/news/2.htm", URL: "https://www.nato.example/en/news/2.htm", Lang: "en",
					Title: "Doorstep", Published: testNow},
				{Source: "usun", ID: sources.ContentHash("Only a title", ""), Lang: "en",
					Title: "Only a title", Published: testNow},
			},
		},
		{
			name:   "top-level array by index path, numeric and string ids",
			body:   `[[{"id":9007199254740993,"title":"Big id"},{"id":"a-1","title":"String id"},{"id":true,"title":"Bool id"}]]`,
			fields: Fields{Items: "0", ID: "id", Title: "title"},
			want: []sources.Item{
				{Source: "usun", ID: "9007199254740993", Title: "Big id", Lang: "en", Published: testNow},
				{Source: "usun", ID: "a-1", Title: "String id", Lang: "en", Published: testNow},
				{Source: "usun", ID: "true", Title: "Bool id", Lang: "en", Published: testNow},
			},
		},
		{
			name:   "empty list",
			body:   "\xef\xbb\xbf[]",
			fields: wpFields,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &JSONSource{ID: "usun", Lang: "en", Fields: tt.fields}
			got, err := s.Parse([]byte(tt.body), "https://www.nato.example/en/search.json", testNow)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			sourcestest.CheckItems(t, got, tt.want)
		})
	}
}

func TestJSONParseErrors(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		fields  Fields
		want    string
		noMatch bool
	}{
		{
			name:    "WordPress error object",
			body:    string(readFixture(t, "wp_error.json")),
			fields:  wpFields,
			want:    `web: source usun: items path "" matched nothing (an object with message "No route was found matching the URL and request method.")`,
			noMatch: true,
		},
		{
			name:   "HTML page",
			body:   string(readFixture(t, "nomatch.html")),
			fields: wpFields,
			want:   "web: source usun: not JSON: invalid character '<' looking for beginning of value",
		},
		{
			name:   "empty body",
			body:   "",
			fields: wpFields,
			want:   "web: source usun: not JSON: EOF",
		},
		{
			name:    "missing items path",
			body:    `{"data":{"items":[]}}`,
			fields:  Fields{Items: "data.results"},
			want:    `web: source usun: items path "data.results" matched nothing (an object)`,
			noMatch: true,
		},
		{
			name:    "items path into an array",
			body:    `[{"a":1}]`,
			fields:  Fields{Items: "a"},
			want:    `web: source usun: items path "a" matched nothing (an array)`,
			noMatch: true,
		},
		{
			name:    "items path is not an array",
			body:    `{"error":"rate limited","items":{"x":1}}`,
			fields:  Fields{Items: "items"},
			want:    `web: source usun: items path "items" matched nothing (an object with error "rate limited")`,
			noMatch: true,
		},
		{
			name:    "null",
			body:    `null`,
			fields:  wpFields,
			want:    `web: source usun: items path "" matched nothing (null)`,
			noMatch: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &JSONSource{ID: "usun", Fields: tt.fields}
			items, err := s.Parse([]byte(tt.body), "https://usun.usmission.gov/wp-json/wp/v2/posts", testNow)
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
