package web

import (
	"testing"
	"time"
)

func TestParseDate(t *testing.T) {
	utc := func(y int, m time.Month, d, h, min int) time.Time { return time.Date(y, m, d, h, min, 0, 0, time.UTC) }
	tests := []struct {
		name   string
		in     string
		layout string
		loc    *time.Location
		want   time.Time // zero: not a date
	}{
		{"mid.ru with layout, Moscow", "24.11.2026 14:05", "02.01.2006 15:04", moscow, utc(2026, 11, 24, 11, 5)},
		{"mid.ru without layout", " 24.11.2026\n 14:05 ", "", moscow, utc(2026, 11, 24, 11, 5)},
		{"layout that does not fit", "24.11.2026", "02.01.2006 15:04", moscow, time.Time{}},
		{"RFC 3339 keeps its zone", "2026-11-24T09:30:00+01:00", "", moscow, utc(2026, 11, 24, 8, 30)},
		{"WordPress local date", "2026-11-24T15:12:03", "", time.UTC, time.Date(2026, 11, 24, 15, 12, 3, 0, time.UTC)},
		{"English day first", "23 November 2026", "", time.UTC, utc(2026, 11, 23, 0, 0)},
		{"English month first", "November 22, 2026", "", time.UTC, utc(2026, 11, 22, 0, 0)},
		{"Russian month name", "24 ноября 2026 г.", "", moscow, utc(2026, 11, 23, 21, 0)},
		{"Russian with time", "24 ноября 2026, 14:05", "", moscow, utc(2026, 11, 24, 11, 5)},
		{"RFC 1123", "Tue, 24 Nov 2026 10:00:00 GMT", "", time.UTC, utc(2026, 11, 24, 10, 0)},
		{"words", "вчера", "", moscow, time.Time{}},
		{"empty", "  ", "", time.UTC, time.Time{}},
		{"far future", "24.11.2036 14:05", "", time.UTC, time.Time{}},
		{"placeholder", "1970-01-01", "", time.UTC, time.Time{}},
		{"month-first numeric needs a layout", "11/24/2026", "", time.UTC, time.Time{}},
		{"month-first numeric with layout", "11/24/2026", "01/02/2006", time.UTC, utc(2026, 11, 24, 0, 0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := parseDate(tt.in, tt.layout, tt.loc, testNow)
			if ok != !tt.want.IsZero() || !got.Equal(tt.want) {
				t.Errorf("parseDate(%q, %q) = %v, %v; want %v", tt.in, tt.layout, got, ok, tt.want)
			}
		})
	}
}

func TestToUTF8(t *testing.T) {
	// "Мир" in windows-1251 and in KOI8-R.
	cp1251, koi8 := "\xcc\xe8\xf0", "\xed\xc9\xd2"
	tests := []struct {
		name        string
		body        string
		contentType string
		want        string
	}{
		{"meta charset", `<meta charset="windows-1251"><p>` + cp1251, "text/html", `<meta charset="windows-1251"><p>Мир`},
		{"meta http-equiv", `<meta http-equiv="Content-Type" content="text/html; charset=koi8-r">` + koi8, "", `<meta http-equiv="Content-Type" content="text/html; charset=koi8-r">Мир`},
		{"header wins over meta", `<meta charset="koi8-r">` + cp1251, "text/html; charset=windows-1251", `<meta charset="koi8-r">Мир`},
		{"header says UTF-8 wrongly: meta", `<meta charset="windows-1251">` + cp1251, "text/html; charset=utf-8", `<meta charset="windows-1251">Мир`},
		{"valid UTF-8 whatever the label", `<meta charset="windows-1251">Мир`, "text/html; charset=windows-1251", `<meta charset="windows-1251">Мир`},
		{"UTF-8 BOM", "\xef\xbb\xbfМир", "", "Мир"},
		{"UTF-16LE BOM", "\xff\xfe\x1c\x04\x38\x04\x40\x04", "", "Мир"},
		{"no label: windows-1252", "caf\xe9", "", "café"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(toUTF8([]byte(tt.body), tt.contentType)); got != tt.want {
				t.Errorf("toUTF8 = %q, want %q", got, tt.want)
			}
		})
	}
}
