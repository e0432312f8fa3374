package feed

import (
	"testing"
	"time"

	"github.com/mmcdole/gofeed"
)

func TestParseDate(t *testing.T) {
	want := at("2024-02-03T07:15:00Z")
	tests := []struct {
		name string
		in   string
	}{
		{"rfc 1123 numeric zone", "Sat, 03 Feb 2024 10:15:00 +0300"},
		{"one-digit day", "Sat, 3 Feb 2024 10:15:00 +0300"},
		{"no seconds", "Sat, 3 Feb 2024 10:15 +0300"},
		{"no weekday", "3 Feb 2024 10:15:00 +0300"},
		{"two-digit year", "Sat, 03 Feb 24 10:15:00 +0300"},
		{"full weekday and month", "Saturday, 3 February 2024 10:15:00 +0300"},
		{"lower-case month", "sat, 03 feb 2024 10:15:00 +0300"},
		{"extra spaces", "  Sat,  03 Feb 2024   10:15:00 +0300 "},
		{"MSK", "Sat, 03 Feb 2024 10:15:00 MSK"},
		{"МСК in Cyrillic", "03 Feb 2024 10:15 МСК"},
		{"GMT", "Sat, 03 Feb 2024 07:15:00 GMT"},
		{"UT", "Sat, 03 Feb 2024 07:15:00 UT"},
		{"EST", "Sat, 03 Feb 2024 02:15:00 EST"},
		{"PST", "Fri, 02 Feb 2024 23:15:00 PST"},
		{"CEST", "Sat, 03 Feb 2024 09:15:00 CEST"},
		{"IST (India)", "Sat, 03 Feb 2024 12:45:00 IST"},
		{"lower-case zone", "Sat, 03 Feb 2024 10:15:00 msk"},
		{"rfc 3339", "2024-02-03T10:15:00+03:00"},
		{"rfc 3339 Z with fraction", "2024-02-03T07:15:00.000Z"},
		{"iso basic offset", "2024-02-03T10:15:00+0300"},
		{"iso without seconds", "2024-02-03T10:15+03:00"},
		{"iso without zone", "2024-02-03T07:15:00"},
		{"sql datetime", "2024-02-03 07:15:00"},
		{"sql datetime with offset", "2024-02-03 10:15:00 +03:00"},
		{"sql datetime named zone", "2024-02-03 10:15:00 MSK"},
		{"dotted", "03.02.2024 10:15 +0300"},
		{"dotted named zone", "03.02.2024 10:15:00 MSK"},
		{"us style", "February 3, 2024 2:15 AM EST"},
		{"russian genitive", "3 февраля 2024 10:15 MSK"},
		{"russian with year mark and comma", "3 февраля 2024 г., 10:15 MSK"},
		{"russian abbreviated with weekday", "Сб, 03 фев 2024 10:15:00 +0300"},
		{"russian with в", "3 февраля 2024 в 10:15 MSK"},
		{"unix seconds", "1706944500"},
		{"unix milliseconds", "1706944500000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := parseDate(tt.in)
			if !ok {
				t.Fatalf("parseDate(%q) failed", tt.in)
			}
			if !got.Equal(want) {
				t.Errorf("parseDate(%q) = %v, want %v", tt.in, got.UTC(), want)
			}
		})
	}
}

func TestParseDateRejects(t *testing.T) {
	for _, in := range []string{"", "   ", "yesterday", "soon", "12345", "2024", "Sat, 03 Foo 2024 10:15:00 +0300", "99999999999"} {
		if got, ok := parseDate(in); ok {
			t.Errorf("parseDate(%q) = %v, want failure", in, got)
		}
	}
}

func TestParseDateDateOnly(t *testing.T) {
	tests := []struct{ in, want string }{
		{"2024-02-03", "2024-02-03T00:00:00Z"},
		{"03.02.2024", "2024-02-03T00:00:00Z"},
		{"3 февраля 2024", "2024-02-03T00:00:00Z"},
		{"3 мая 2024", "2024-05-03T00:00:00Z"},
		{"Feb 3, 2024", "2024-02-03T00:00:00Z"},
	}
	for _, tt := range tests {
		got, ok := parseDate(tt.in)
		if !ok || !got.Equal(at(tt.want)) {
			t.Errorf("parseDate(%q) = %v, %v; want %s", tt.in, got, ok, tt.want)
		}
	}
}

func TestItemDate(t *testing.T) {
	ptr := func(s string) *time.Time { v := at(s); return &v }
	tests := []struct {
		name string
		item gofeed.Item
		want time.Time
	}{
		{"published wins", gofeed.Item{PublishedParsed: ptr("2024-02-03T07:00:00Z"), UpdatedParsed: ptr("2024-02-03T08:00:00Z")}, at("2024-02-03T07:00:00Z")},
		{"updated when no published", gofeed.Item{UpdatedParsed: ptr("2024-02-03T08:00:00Z")}, at("2024-02-03T08:00:00Z")},
		{"raw published when unparsed", gofeed.Item{Published: "3 февраля 2024 10:15 MSK", UpdatedParsed: ptr("2024-02-03T08:00:00Z")}, at("2024-02-03T07:15:00Z")},
		{"raw updated when nothing else", gofeed.Item{Published: "soon", Updated: "2024-02-03 09:00:00"}, at("2024-02-03T09:00:00Z")},
		// gofeed reads unknown abbreviations as UTC: MSK must be read again.
		{"gofeed misread zone", gofeed.Item{Published: "Sat, 03 Feb 2024 10:15:00 MSK", PublishedParsed: ptr("2024-02-03T10:15:00Z")}, at("2024-02-03T07:15:00Z")},
		{"future published falls back to updated", gofeed.Item{PublishedParsed: ptr("2025-01-01T00:00:00Z"), UpdatedParsed: ptr("2024-02-03T08:00:00Z")}, at("2024-02-03T08:00:00Z")},
		{"exactly a day ahead is kept", gofeed.Item{PublishedParsed: ptr("2024-02-04T12:00:00Z")}, at("2024-02-04T12:00:00Z")},
		{"more than a day ahead", gofeed.Item{PublishedParsed: ptr("2024-02-04T12:00:01Z")}, now},
		{"epoch placeholder", gofeed.Item{PublishedParsed: ptr("1970-01-01T00:00:00Z")}, now},
		{"nothing", gofeed.Item{}, now},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := itemDate(&tt.item, now)
			if !got.Equal(tt.want) {
				t.Errorf("itemDate = %v, want %v", got, tt.want)
			}
			if got.Location() != time.UTC {
				t.Errorf("itemDate in %v, want UTC", got.Location())
			}
		})
	}
}
