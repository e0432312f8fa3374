package web

import (
	"strings"
	"time"
)

// Bounds on a believable publication date, as in sources/feed: a date
// more than maxFutureSkew after the fetch is a wrong clock or zone, and one
// before earliestDate is a placeholder; both count as absent.
const maxFutureSkew = 24 * time.Hour

var earliestDate = time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC)

// dateLayouts are tried in order when a source names no layout: machine
// formats first, then the day-first numeric dates of European ministries
// ("24.11.2026 14:05") and written-out English dates. Month-first numeric
// dates ("11/24/2026") are left out: "01/02/2026" cannot be told from a
// day-first one, so such a page must name its DateLayout.
var dateLayouts = []string{
	time.RFC3339,
	"2006-01-02T15:04:05", // WordPress' date: local time without a zone
	"2006-01-02T15:04",
	"2006-01-02 15:04:05",
	"2006-01-02 15:04",
	"2006-01-02",
	"02.01.2006 15:04:05",
	"02.01.2006 15:04",
	"02.01.2006, 15:04",
	"15:04 02.01.2006",
	"02.01.2006",
	time.RFC1123Z,
	time.RFC1123,
	"2 January 2006 15:04",
	"2 January 2006, 15:04",
	"2 January 2006",
	"January 2, 2006 15:04",
	"January 2, 2006",
	"Monday, January 2, 2006",
	"Monday, 2 January 2006",
	"2 Jan 2006",
	"Jan 2, 2006",
}

// russianMonths maps the genitive month names of Russian dates
// ("24 ноября 2026") to English ones the layouts read.
var russianMonths = strings.NewReplacer(
	"января", "January", "февраля", "February", "марта", "March", "апреля", "April",
	"мая", "May", "июня", "June", "июля", "July", "августа", "August",
	"сентября", "September", "октября", "October", "ноября", "November", "декабря", "December",
)

// parseDate reads a date with layout, or with dateLayouts when layout is
// "". A date without a zone is read in loc. It returns the date in UTC and
// false when nothing parses or the date is not believable at now.
func parseDate(s, layout string, loc *time.Location, now time.Time) (time.Time, bool) {
	s = strings.Join(strings.Fields(s), " ")
	if s == "" {
		return time.Time{}, false
	}
	layouts := dateLayouts
	if layout != "" {
		layouts = []string{layout}
	} else {
		s = strings.TrimSuffix(strings.TrimSuffix(s, " года"), " г.")
		if lower := strings.ToLower(s); russianMonths.Replace(lower) != lower {
			s = russianMonths.Replace(lower)
		}
	}
	for _, l := range layouts {
		t, err := time.ParseInLocation(l, s, loc)
		if err != nil {
			continue
		}
		if t.Before(earliestDate) || t.After(now.Add(maxFutureSkew)) {
			return time.Time{}, false
		}
		return t.UTC(), true
	}
	return time.Time{}, false
}
