package feed

import (
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/mmcdole/gofeed"
)

// Bounds on a believable publication date.
const (
	// maxFutureSkew: a date later than the fetch time by more than this is
	// a wrong clock or a wrong zone, and the fetch time is used instead.
	maxFutureSkew = 24 * time.Hour
)

// earliestDate: dates before it (the zero time, the Unix epoch of an unset
// field) are placeholders, not publication dates.
var earliestDate = time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC)

// itemDate returns when an item was published, in UTC: gofeed's parsed
// published date, else its parsed updated date, else our own reading of the
// raw strings (parseDate), else now. A date gofeed parsed from a string whose
// zone abbreviation it does not know ("MSK", "JST") is read again by
// parseDate: gofeed gives unknown abbreviations a zero offset. Dates more
// than maxFutureSkew after now, or before earliestDate, count as absent.
func itemDate(it *gofeed.Item, now time.Time) time.Time {
	candidates := []struct {
		raw    string
		parsed *time.Time
	}{
		{it.Published, it.PublishedParsed},
		{it.Updated, it.UpdatedParsed},
	}
	for _, c := range candidates {
		t, ok := time.Time{}, false
		if c.parsed != nil && !zoneUnknownToGofeed(c.raw) {
			t, ok = *c.parsed, true
		} else {
			t, ok = parseDate(c.raw)
		}
		if ok && !t.Before(earliestDate) && !t.After(now.Add(maxFutureSkew)) {
			return t.UTC()
		}
	}
	return now.UTC()
}

// gofeedZones are the abbreviations gofeed v1.4.2 maps to offsets
// (internal/shared/dateparser.go); it reads any other as UTC.
var gofeedZones = map[string]bool{
	"UT": true, "GMT": true, "UTC": true, "EST": true, "EDT": true, "CST": true, "CDT": true,
	"MST": true, "MDT": true, "PST": true, "PDT": true, "WET": true, "WEST": true, "BST": true,
	"CET": true, "CEST": true, "EET": true, "EEST": true,
}

// zoneUnknownToGofeed reports whether raw ends in a zone abbreviation that
// we know and gofeed does not.
func zoneUnknownToGofeed(raw string) bool {
	f := strings.Fields(raw)
	if len(f) == 0 {
		return false
	}
	z := strings.ToUpper(f[len(f)-1])
	_, known := zoneOffsets[z]
	return known && !gofeedZones[z]
}

// zoneOffsets maps zone abbreviations found in feed dates to their offset in
// seconds east of UTC. Ambiguous ones take their most common reading in
// news feeds: CST is US Central, IST is India, BST is British Summer Time.
var zoneOffsets = map[string]int{
	"Z": 0, "UT": 0, "UTC": 0, "GMT": 0, "WET": 0,
	"WEST": 1 * 3600, "BST": 1 * 3600, "CET": 1 * 3600, "MET": 1 * 3600, "WAT": 1 * 3600,
	"CEST": 2 * 3600, "MEST": 2 * 3600, "EET": 2 * 3600, "CAT": 2 * 3600, "SAST": 2 * 3600, "IST": 5*3600 + 1800,
	"EEST": 3 * 3600, "MSK": 3 * 3600, "МСК": 3 * 3600, "EAT": 3 * 3600, "TRT": 3 * 3600, "AST": -4 * 3600,
	"MSD": 4 * 3600, "SAMT": 4 * 3600, "GST": 4 * 3600, "IRST": 3*3600 + 1800,
	"PKT": 5 * 3600, "YEKT": 5 * 3600, "OMST": 6 * 3600, "KRAT": 7 * 3600, "WIB": 7 * 3600, "ICT": 7 * 3600,
	"IRKT": 8 * 3600, "HKT": 8 * 3600, "SGT": 8 * 3600, "AWST": 8 * 3600,
	"YAKT": 9 * 3600, "JST": 9 * 3600, "KST": 9 * 3600, "ACST": 9*3600 + 1800,
	"VLAT": 10 * 3600, "AEST": 10 * 3600, "AEDT": 11 * 3600, "MAGT": 11 * 3600,
	"PETT": 12 * 3600, "NZST": 12 * 3600, "NZDT": 13 * 3600,
	"ADT": -3 * 3600, "NST": -3*3600 - 1800, "NDT": -2*3600 - 1800, "ART": -3 * 3600, "BRT": -3 * 3600,
	"EST": -5 * 3600, "EDT": -4 * 3600, "CST": -6 * 3600, "CDT": -5 * 3600,
	"MST": -7 * 3600, "MDT": -6 * 3600, "PST": -8 * 3600, "PDT": -7 * 3600,
	"AKST": -9 * 3600, "AKDT": -8 * 3600, "HST": -10 * 3600,
}

// zonedLayouts carry their own numeric offset; zonelessLayouts are read as
// UTC unless a zone abbreviation followed them. Weekday names are removed
// before these are tried, and time.Parse matches month names in any case.
var (
	zonedLayouts = []string{
		time.RFC3339Nano,
		"2006-01-02T15:04:05Z0700",
		"2006-01-02T15:04Z07:00",
		"2006-01-02 15:04:05Z07:00",
		"2006-01-02 15:04:05 Z07:00",
		"2006-01-02 15:04:05 -0700",
		"2 Jan 2006 15:04:05 -0700",
		"2 Jan 2006 15:04:05 -07:00",
		"2 Jan 2006 15:04:05 -07",
		"2 Jan 2006 15:04 -0700",
		"2 Jan 06 15:04:05 -0700",
		"2 Jan 06 15:04 -0700",
		"2 January 2006 15:04:05 -0700",
		"2 January 2006 15:04 -0700",
		"Jan 2 2006 15:04:05 -0700",
		"Jan 2, 2006 15:04:05 -0700",
		"02.01.2006 15:04:05 -0700",
		"02.01.2006 15:04 -0700",
	}
	zonelessLayouts = []string{
		"2006-01-02T15:04:05.999999999",
		"2006-01-02T15:04",
		"2006-01-02 15:04:05.999999999",
		"2006-01-02 15:04",
		"2006-01-02",
		"2 Jan 2006 15:04:05",
		"2 Jan 2006 15:04",
		"2 Jan 2006, 15:04",
		"2 Jan 2006",
		"2 Jan 06 15:04:05",
		"2 Jan 06 15:04",
		"2 January 2006 15:04:05",
		"2 January 2006 15:04",
		"2 January 2006, 15:04",
		"2 January 2006",
		"Jan 2 2006 15:04:05",
		"Jan 2, 2006 15:04:05",
		"Jan 2, 2006 15:04",
		"Jan 2, 2006 3:04 PM",
		"Jan 2, 2006",
		"January 2, 2006 15:04",
		"January 2, 2006 3:04 PM",
		"January 2, 2006",
		"Jan 2 15:04:05 2006",
		"02.01.2006 15:04:05",
		"02.01.2006 15:04",
		"02.01.2006, 15:04",
		"02.01.2006",
	}
)

// parseDate reads the odd dates real feeds carry, which gofeed's list misses
// or misreads: RFC 822 with a one-digit day, no seconds or a two-digit year;
// named zones (MSK, CEST, JST…, see zoneOffsets); ISO 8601 without a zone or
// with a space for "T"; Russian month names in any case form
// ("3 февраля 2024 г., 10:15"); Unix seconds or milliseconds. A date without
// a zone is taken as UTC.
func parseDate(raw string) (time.Time, bool) {
	s := strings.Join(strings.Fields(raw), " ")
	if s == "" {
		return time.Time{}, false
	}
	if t, ok := parseUnix(s); ok {
		return t, true
	}
	s = normalizeDate(s)

	offset, zoned := 0, false
	if i := strings.LastIndexByte(s, ' '); i > 0 {
		if off, ok := zoneOffsets[strings.ToUpper(s[i+1:])]; ok {
			s, offset, zoned = s[:i], off, true
		}
	}
	if !zoned {
		for _, layout := range zonedLayouts {
			if t, err := time.Parse(layout, s); err == nil {
				return t, true
			}
		}
	}
	for _, layout := range zonelessLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			if zoned {
				t = time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(),
					time.FixedZone("", offset))
			}
			return t, true
		}
	}
	return time.Time{}, false
}

// parseUnix reads 9 to 10 digits as Unix seconds and 12 to 13 as
// milliseconds (dates from 1973 to 2286).
func parseUnix(s string) (time.Time, bool) {
	if len(s) < 9 || len(s) > 13 || len(s) == 11 {
		return time.Time{}, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return time.Time{}, false
	}
	if len(s) >= 12 {
		return time.UnixMilli(n), true
	}
	return time.Unix(n, 0), true
}

// normalizeDate prepares a date string for the layouts: it drops a leading
// weekday ("Mon,", "Monday", "пн,"), the Russian year mark "г." and a comma
// or "at"/"в" between date and time where no layout expects one, and turns
// Russian month names into English ones.
func normalizeDate(s string) string {
	fields := strings.Fields(s)
	out := fields[:0]
	for i, f := range fields {
		word := strings.ToLower(strings.TrimRight(f, ",."))
		switch {
		case i == 0 && weekdays[word]:
			continue
		case word == "г" || word == "года" || word == "at" || word == "в":
			if strings.HasSuffix(f, ",") && len(out) > 0 {
				out[len(out)-1] += ","
			}
			continue
		}
		if m, ok := ruMonth(word); ok {
			f = m + f[len(strings.TrimRight(f, ",.")):]
		}
		out = append(out, f)
	}
	return strings.Join(out, " ")
}

var weekdays = map[string]bool{
	"mon": true, "tue": true, "wed": true, "thu": true, "fri": true, "sat": true, "sun": true,
	"monday": true, "tuesday": true, "wednesday": true, "thursday": true, "friday": true,
	"saturday": true, "sunday": true, "tues": true, "thur": true, "thurs": true,
	"пн": true, "вт": true, "ср": true, "чт": true, "пт": true, "сб": true, "вс": true,
	"понедельник": true, "вторник": true, "среда": true, "четверг": true, "пятница": true,
	"суббота": true, "воскресенье": true,
}

// ruMonth maps a Russian month name in any case form or abbreviation
// ("февраля", "февраль", "фев", "февр") to the English abbreviation. The
// stems are unambiguous from their first three letters, except "мая"/"май".
func ruMonth(word string) (string, bool) {
	if !strings.ContainsFunc(word, func(r rune) bool { return unicode.Is(unicode.Cyrillic, r) }) {
		return "", false
	}
	if word == "май" || word == "мая" || word == "мае" {
		return "May", true
	}
	r := []rune(word)
	if len(r) < 3 {
		return "", false
	}
	m, ok := ruMonths[string(r[:3])]
	return m, ok
}

var ruMonths = map[string]string{
	"янв": "Jan", "фев": "Feb", "мар": "Mar", "апр": "Apr", "июн": "Jun", "июл": "Jul",
	"авг": "Aug", "сен": "Sep", "окт": "Oct", "ноя": "Nov", "дек": "Dec",
}
