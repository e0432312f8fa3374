package bot

import (
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the same zone data on every machine that runs the tests

	"github.com/robfig/cron/v3"
)

func mustZone(t testing.TB, name string) *time.Location {
	t.Helper()
	tz, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return tz
}

func mustTime(t testing.TB, s string) time.Time {
	t.Helper()
	at, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return at
}

func formatTimes(ts []time.Time) string {
	var b []string
	for _, t := range ts {
		b = append(b, t.Format(time.RFC3339))
	}
	return strings.Join(b, " ")
}

// 2026 transitions used below:
//   - America/New_York: 2026-03-08 02:00 EST -> 03:00 EDT (07:00Z);
//     2026-11-01 02:00 EDT -> 01:00 EST (06:00Z).
//   - Europe/London: 2026-03-29 01:00 GMT -> 02:00 BST (01:00Z);
//     2026-10-25 02:00 BST -> 01:00 GMT (01:00Z).
func TestScheduleNext(t *testing.T) {
	const (
		ny     = "America/New_York"
		london = "Europe/London"
	)
	tests := []struct {
		name string
		line string
		tz   string
		t    string // time passed to Next
		want string // UTC
	}{
		// Daily 08:00 in zones without DST, and in New York off DST changes.
		{"moscow daily", "0 8 * * *", "Europe/Moscow", "2026-01-15T00:00:00Z", "2026-01-15T05:00:00Z"},
		{"moscow daily strictly after", "0 8 * * *", "Europe/Moscow", "2026-01-15T05:00:00Z", "2026-01-16T05:00:00Z"},
		{"moscow daily just before", "0 8 * * *", "Europe/Moscow", "2026-01-15T04:59:59Z", "2026-01-15T05:00:00Z"},
		{"new york daily winter", "0 8 * * *", ny, "2026-01-15T00:00:00Z", "2026-01-15T13:00:00Z"},
		{"new york daily summer", "0 8 * * *", ny, "2026-07-01T00:00:00Z", "2026-07-01T12:00:00Z"},
		{"tokyo daily past today's", "0 8 * * *", "Asia/Tokyo", "2026-01-15T00:00:00Z", "2026-01-15T23:00:00Z"},
		{"utc daily", "0 8 * * *", "UTC", "2026-01-15T07:59:59Z", "2026-01-15T08:00:00Z"},
		{"utc daily strictly after", "0 8 * * *", "UTC", "2026-01-15T08:00:00Z", "2026-01-16T08:00:00Z"},
		{"utc seconds inside the minute", "0 8 * * *", "UTC", "2026-01-15T08:00:30Z", "2026-01-16T08:00:00Z"},
		{"input zone ignored", "0 8 * * *", "UTC", "2026-01-15T09:00:00+01:00", "2026-01-16T08:00:00Z"},
		{"descriptor daily", "@daily", "Asia/Tokyo", "2026-01-15T00:00:00Z", "2026-01-15T15:00:00Z"},

		// Weekdays only: 2026-01-16 is a Friday.
		{"weekdays friday to monday", "0 8 * * 1-5", ny, "2026-01-16T14:00:00Z", "2026-01-19T13:00:00Z"},
		{"weekdays friday morning", "0 8 * * 1-5", ny, "2026-01-16T12:00:00Z", "2026-01-16T13:00:00Z"},
		{"weekdays saturday", "0 8 * * 1-5", "UTC", "2026-01-17T00:00:00Z", "2026-01-19T08:00:00Z"},
		{"dom or dow", "0 8 1 * 1", "UTC", "2026-01-13T00:00:00Z", "2026-01-19T08:00:00Z"},
		{"dom and star dow", "0 8 1 * *", "UTC", "2026-01-13T00:00:00Z", "2026-02-01T08:00:00Z"},

		// Every 6 hours.
		{"every 6 hours tokyo", "0 */6 * * *", "Asia/Tokyo", "2026-01-15T00:00:00Z", "2026-01-15T03:00:00Z"},
		{"every 6 hours utc wraps", "0 */6 * * *", "UTC", "2026-01-15T18:00:00Z", "2026-01-16T00:00:00Z"},
		{"every 6 hours new york spring", "0 */6 * * *", ny, "2026-03-08T05:00:00Z", "2026-03-08T10:00:00Z"},

		// New York spring forward: 02:00-02:59 do not exist on 2026-03-08.
		{"ny spring before gap", "59 1 * * *", ny, "2026-03-08T00:00:00Z", "2026-03-08T06:59:00Z"},
		{"ny spring gap start", "0 2 * * *", ny, "2026-03-08T00:00:00Z", "2026-03-08T07:00:00Z"},
		{"ny spring inside gap", "30 2 * * *", ny, "2026-03-08T00:00:00Z", "2026-03-08T07:00:00Z"},
		{"ny spring gap last minute", "59 2 * * *", ny, "2026-03-08T00:00:00Z", "2026-03-08T07:00:00Z"},
		{"ny spring gap end", "0 3 * * *", ny, "2026-03-08T00:00:00Z", "2026-03-08T07:00:00Z"},
		{"ny spring after gap", "8 3 * * *", ny, "2026-03-08T00:00:00Z", "2026-03-08T07:08:00Z"},
		{"ny spring outside", "0 8 * * *", ny, "2026-03-08T00:00:00Z", "2026-03-08T12:00:00Z"},
		{"ny spring gap runs once", "30 2 * * *", ny, "2026-03-08T07:00:00Z", "2026-03-09T06:30:00Z"},
		{"ny spring day before", "30 2 * * *", ny, "2026-03-07T00:00:00Z", "2026-03-07T07:30:00Z"},
		{"ny spring gap and its end once", "0,30 2,3 * * *", ny, "2026-03-08T07:00:00Z", "2026-03-08T07:30:00Z"},

		// New York fall back: 01:00-01:59 occur twice on 2026-11-01 (EDT at
		// 05:xxZ, then EST at 06:xxZ); the first one runs.
		{"ny fall before overlap", "59 0 * * *", ny, "2026-11-01T00:00:00Z", "2026-11-01T04:59:00Z"},
		{"ny fall overlap start", "0 1 * * *", ny, "2026-11-01T00:00:00Z", "2026-11-01T05:00:00Z"},
		{"ny fall inside overlap", "30 1 * * *", ny, "2026-11-01T00:00:00Z", "2026-11-01T05:30:00Z"},
		{"ny fall overlap last minute", "59 1 * * *", ny, "2026-11-01T00:00:00Z", "2026-11-01T05:59:00Z"},
		{"ny fall overlap end", "0 2 * * *", ny, "2026-11-01T00:00:00Z", "2026-11-01T07:00:00Z"},
		{"ny fall outside", "0 8 * * *", ny, "2026-11-01T00:00:00Z", "2026-11-01T13:00:00Z"},
		{"ny fall overlap once", "30 1 * * *", ny, "2026-11-01T05:30:00Z", "2026-11-02T06:30:00Z"},
		{"ny fall from second pass", "30 1 * * *", ny, "2026-11-01T06:10:00Z", "2026-11-02T06:30:00Z"},
		{"ny fall start once", "0 1 * * *", ny, "2026-11-01T05:00:00Z", "2026-11-02T06:00:00Z"},

		// London spring forward: 01:00-01:59 do not exist on 2026-03-29.
		{"london spring before gap", "59 0 * * *", london, "2026-03-28T12:00:00Z", "2026-03-29T00:59:00Z"},
		{"london spring gap start", "0 1 * * *", london, "2026-03-28T12:00:00Z", "2026-03-29T01:00:00Z"},
		{"london spring inside gap", "30 1 * * *", london, "2026-03-28T12:00:00Z", "2026-03-29T01:00:00Z"},
		{"london spring gap end", "0 2 * * *", london, "2026-03-28T12:00:00Z", "2026-03-29T01:00:00Z"},
		{"london spring outside", "0 8 * * *", london, "2026-03-28T12:00:00Z", "2026-03-29T07:00:00Z"},
		{"london spring gap runs once", "30 1 * * *", london, "2026-03-29T01:00:00Z", "2026-03-30T00:30:00Z"},

		// London fall back: 01:00-01:59 occur twice on 2026-10-25 (BST at
		// 00:xxZ, then GMT at 01:xxZ).
		{"london fall before overlap", "59 0 * * *", london, "2026-10-24T12:00:00Z", "2026-10-24T23:59:00Z"},
		{"london fall overlap start", "0 1 * * *", london, "2026-10-24T12:00:00Z", "2026-10-25T00:00:00Z"},
		{"london fall inside overlap", "30 1 * * *", london, "2026-10-24T12:00:00Z", "2026-10-25T00:30:00Z"},
		{"london fall overlap end", "0 2 * * *", london, "2026-10-24T12:00:00Z", "2026-10-25T02:00:00Z"},
		{"london fall outside", "0 8 * * *", london, "2026-10-24T12:00:00Z", "2026-10-25T08:00:00Z"},
		{"london fall overlap once", "30 1 * * *", london, "2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z"},
		{"london fall from second pass", "30 1 * * *", london, "2026-10-25T01:00:00Z", "2026-10-26T01:30:00Z"},

		// A line that runs rarely.
		{"leap day", "0 0 29 2 *", "UTC", "2026-01-01T00:00:00Z", "2028-02-29T00:00:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := ParseSchedule(tt.line, mustZone(t, tt.tz))
			if err != nil {
				t.Fatal(err)
			}
			got := s.Next(mustTime(t, tt.t))
			if got.Format(time.RFC3339) != tt.want {
				t.Errorf("%s: Next(%s) = %s, want %s", s, tt.t, got.Format(time.RFC3339), tt.want)
			}
			if got.Location() != time.UTC {
				t.Errorf("Next(%s) in %s, want UTC", tt.t, got.Location())
			}
		})
	}
}

func TestScheduleBetween(t *testing.T) {
	tests := []struct {
		name     string
		line     string
		tz       string
		from, to string
		want     string // space-separated RFC3339 times
	}{
		{"ny daily across spring", "0 8 * * *", "America/New_York", "2026-03-06T00:00:00Z", "2026-03-11T00:00:00Z",
			"2026-03-06T13:00:00Z 2026-03-07T13:00:00Z 2026-03-08T12:00:00Z 2026-03-09T12:00:00Z 2026-03-10T12:00:00Z"},
		{"ny gap time across spring", "30 2 * * *", "America/New_York", "2026-03-06T12:00:00Z", "2026-03-09T12:00:00Z",
			"2026-03-07T07:30:00Z 2026-03-08T07:00:00Z 2026-03-09T06:30:00Z"},
		{"ny overlap time across fall", "30 1 * * *", "America/New_York", "2026-10-31T00:00:00Z", "2026-11-03T00:00:00Z",
			"2026-10-31T05:30:00Z 2026-11-01T05:30:00Z 2026-11-02T06:30:00Z"},
		{"ny hourly across fall", "0 * * * *", "America/New_York", "2026-11-01T03:30:00Z", "2026-11-01T08:00:00Z",
			"2026-11-01T04:00:00Z 2026-11-01T05:00:00Z 2026-11-01T07:00:00Z 2026-11-01T08:00:00Z"},
		{"ny half hours across spring", "*/30 * * * *", "America/New_York", "2026-03-08T06:00:00Z", "2026-03-08T08:00:00Z",
			"2026-03-08T06:30:00Z 2026-03-08T07:00:00Z 2026-03-08T07:30:00Z 2026-03-08T08:00:00Z"},
		{"london gap time across spring", "30 1 * * *", "Europe/London", "2026-03-27T12:00:00Z", "2026-03-30T12:00:00Z",
			"2026-03-28T01:30:00Z 2026-03-29T01:00:00Z 2026-03-30T00:30:00Z"},
		{"london overlap time across fall", "30 1 * * *", "Europe/London", "2026-10-23T12:00:00Z", "2026-10-26T12:00:00Z",
			"2026-10-24T00:30:00Z 2026-10-25T00:30:00Z 2026-10-26T01:30:00Z"},
		{"london weekdays across fall", "0 8 * * 1-5", "Europe/London", "2026-10-22T12:00:00Z", "2026-10-27T12:00:00Z",
			"2026-10-23T07:00:00Z 2026-10-26T08:00:00Z 2026-10-27T08:00:00Z"},
		// Samoa skipped 2011-12-30 entirely (-10 to +14 at 10:00Z): that
		// day's run is at the first moment after it, 2011-12-31 00:00 local.
		{"apia skipped day", "0 8 * * *", "Pacific/Apia", "2011-12-29T00:00:00Z", "2011-12-31T00:00:00Z",
			"2011-12-29T18:00:00Z 2011-12-30T10:00:00Z 2011-12-30T18:00:00Z"},
		// Lord Howe Island moves its clocks by 30 minutes: 2026-04-05 02:00
		// +11 -> 01:30 +10:30 (15:00Z), so 01:45 occurs twice that day: once
		// at 14:45Z (+11, the one that runs), again at 15:15Z. The times are
		// local 04-04, 04-05 and 04-06 01:45.
		{"lord howe half-hour overlap", "45 1 * * *", "Australia/Lord_Howe", "2026-04-03T12:00:00Z", "2026-04-06T12:00:00Z",
			"2026-04-03T14:45:00Z 2026-04-04T14:45:00Z 2026-04-05T15:15:00Z"},
		{"to is inclusive", "0 8 * * *", "UTC", "2026-01-15T00:00:00Z", "2026-01-16T08:00:00Z",
			"2026-01-15T08:00:00Z 2026-01-16T08:00:00Z"},
		{"from is exclusive", "0 8 * * *", "UTC", "2026-01-15T08:00:00Z", "2026-01-16T07:59:59Z", ""},
		{"empty interval", "* * * * *", "UTC", "2026-01-15T08:00:00Z", "2026-01-15T08:00:00Z", ""},
		{"reversed interval", "* * * * *", "UTC", "2026-01-15T08:00:00Z", "2026-01-15T07:00:00Z", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := ParseSchedule(tt.line, mustZone(t, tt.tz))
			if err != nil {
				t.Fatal(err)
			}
			got := formatTimes(s.Between(mustTime(t, tt.from), mustTime(t, tt.to)))
			if got != tt.want {
				t.Errorf("%s: Between(%s, %s) =\n%s\nwant\n%s", s, tt.from, tt.to, got, tt.want)
			}
		})
	}
}

func TestScheduleBetweenBounded(t *testing.T) {
	s, err := ParseSchedule("* * * * *", time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	from := mustTime(t, "2026-01-01T00:00:00Z")
	got := s.Between(from, from.AddDate(0, 1, 0))
	if len(got) != MaxBetween {
		t.Fatalf("len(Between over a month of minutes) = %d, want %d", len(got), MaxBetween)
	}
	if got[0] != from.Add(time.Minute) || got[len(got)-1] != from.Add(MaxBetween*time.Minute) {
		t.Errorf("Between kept %s .. %s, want the oldest", got[0], got[len(got)-1])
	}
}

// TestScheduleMatchesCronWithoutDST checks that away from DST changes the
// schedule runs exactly when robfig/cron says: a year of several lines in
// zones that have no DST, compared time by time.
func TestScheduleMatchesCronWithoutDST(t *testing.T) {
	lines := []string{"0 8 * * *", "0 8 * * 1-5", "0 */6 * * *", "15,45 9-17 * * *", "0 0 1,15 * *", "30 7 1 * 0", "0 12 * 1,7 *", "@weekly"}
	zones := []string{"UTC", "Europe/Moscow", "Asia/Tokyo", "Asia/Kolkata"}
	from := mustTime(t, "2026-01-01T00:00:00Z")
	to := from.AddDate(1, 0, 0)
	for _, line := range lines {
		for _, zone := range zones {
			t.Run(line+" "+zone, func(t *testing.T) {
				tz := mustZone(t, zone)
				s, err := ParseSchedule(line, tz)
				if err != nil {
					t.Fatal(err)
				}
				ref, err := cron.ParseStandard("CRON_TZ=" + zone + " " + line)
				if err != nil {
					t.Fatal(err)
				}
				var want []time.Time
				for at := ref.Next(from); !at.After(to); at = ref.Next(at) {
					want = append(want, at.UTC())
				}
				if len(want) > MaxBetween {
					want = want[:MaxBetween]
				}
				got, wantS := formatTimes(s.Between(from, to)), formatTimes(want)
				if got != wantS {
					t.Errorf("Between =\n%s\nwant (robfig/cron)\n%s", got, wantS)
				}
			})
		}
	}
}

func TestParseScheduleString(t *testing.T) {
	ny := mustZone(t, "America/New_York")
	tests := []struct {
		name string
		line string
		want string
	}{
		{"plain", "0 8 * * 1-5", "0 8 * * 1-5 America/New_York"},
		{"spaces folded", "  0  8 *\t* 1-5 ", "0 8 * * 1-5 America/New_York"},
		{"descriptor", "@daily", "@daily America/New_York"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := ParseSchedule(tt.line, ny)
			if err != nil {
				t.Fatal(err)
			}
			if got := s.String(); got != tt.want {
				t.Errorf("String() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestParseScheduleErrors(t *testing.T) {
	ny := mustZone(t, "America/New_York")
	tests := []struct {
		name string
		line string
		tz   *time.Location
		want string // in the error, besides the line itself
	}{
		{"empty", "", ny, "empty"},
		{"four fields", "0 8 * *", ny, "expected exactly 5 fields"},
		{"six fields", "0 0 8 * * *", ny, "expected exactly 5 fields"},
		{"minute out of range", "61 8 * * *", ny, "61"},
		{"hour out of range", "0 24 * * *", ny, "24"},
		{"bad weekday", "0 8 * * Mon-Xyz", ny, "Xyz"},
		{"garbage", "every morning", ny, "expected exactly 5 fields"},
		{"every", "@every 1h", ny, "not a wall-clock schedule"},
		{"zone in line", "TZ=Europe/Moscow 0 8 * * *", ny, "time zone separately"},
		{"cron zone in line", "CRON_TZ=Europe/Moscow 0 8 * * *", ny, "time zone separately"},
		{"never runs", "0 0 30 2 *", ny, "never runs"},
		{"nil zone", "0 8 * * *", nil, "no time zone"},
		{"local zone", "0 8 * * *", time.Local, `"Local"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := ParseSchedule(tt.line, tt.tz)
			if err == nil {
				t.Fatalf("ParseSchedule(%q) = %s, want an error", tt.line, s)
			}
			if msg := err.Error(); !strings.Contains(msg, `"`+tt.line+`"`) || !strings.Contains(msg, tt.want) {
				t.Errorf("ParseSchedule(%q) error = %q, want it to name the line and say %q", tt.line, msg, tt.want)
			}
		})
	}
}

func TestScheduleAt(t *testing.T) {
	moscow := mustZone(t, "Europe/Moscow")
	tests := []struct {
		name    string
		hhmm    string
		want    string // String(), or "" for an error
		wantErr string
	}{
		{"two digits", "08:00", "0 8 * * * Europe/Moscow", ""},
		{"one digit hour", "8:05", "5 8 * * * Europe/Moscow", ""},
		{"midnight", "00:00", "0 0 * * * Europe/Moscow", ""},
		{"last minute", "23:59", "59 23 * * * Europe/Moscow", ""},
		{"hour out of range", "24:00", "", "hour out of range"},
		{"minute out of range", "08:60", "", "minute out of range"},
		{"one digit minute", "8:5", "", "want HH:MM"},
		{"no colon", "0800", "", "want HH:MM"},
		{"seconds", "08:00:00", "", "want HH:MM"},
		{"letters", "ab:cd", "", "want HH:MM"},
		{"sign", "+8:00", "", "want HH:MM"},
		{"empty", "", "", "want HH:MM"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := ScheduleAt(tt.hhmm, moscow)
			if tt.wantErr != "" {
				if err == nil {
					t.Fatalf("ScheduleAt(%q) = %s, want an error", tt.hhmm, s)
				}
				if msg := err.Error(); !strings.Contains(msg, `"`+tt.hhmm+`"`) || !strings.Contains(msg, tt.wantErr) {
					t.Errorf("ScheduleAt(%q) error = %q, want it to name the time and say %q", tt.hhmm, msg, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := s.String(); got != tt.want {
				t.Errorf("ScheduleAt(%q) = %q, want %q", tt.hhmm, got, tt.want)
			}
		})
	}

	if _, err := ScheduleAt("08:00", nil); err == nil {
		t.Errorf("ScheduleAt with no zone: no error")
	}
	// The "at" form inherits the DST rules: 02:30 on the New York
	// spring-forward day runs at 03:00 EDT.
	s, err := ScheduleAt("02:30", mustZone(t, "America/New_York"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := s.Next(mustTime(t, "2026-03-08T00:00:00Z")).Format(time.RFC3339), "2026-03-08T07:00:00Z"; got != want {
		t.Errorf("at 02:30 on the spring-forward day = %s, want %s", got, want)
	}
}

func TestLoadZone(t *testing.T) {
	tests := []struct {
		name    string
		zone    string
		wantErr bool
	}{
		{"moscow", "Europe/Moscow", false},
		{"utc", "UTC", false},
		{"unknown", "Mars/Olympus_Mons", true},
		{"empty", "", true},
		{"local", "Local", true},
		{"path", "../../etc/passwd", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tz, err := LoadZone(tt.zone)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("LoadZone(%q) = %s, want an error", tt.zone, tz)
				}
				if msg := err.Error(); !strings.Contains(msg, `"`+tt.zone+`"`) {
					t.Errorf("LoadZone(%q) error = %q, want it to name the zone", tt.zone, msg)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := tz.String(); got != tt.zone {
				t.Errorf("LoadZone(%q) = %q", tt.zone, got)
			}
		})
	}
}

func FuzzParseSchedule(f *testing.F) {
	for _, line := range []string{"0 8 * * *", "*/15 1-3 * 3,11 0", "30 2 8 3 *", "@hourly", "0 0 29 2 *", "61 8 * * *"} {
		f.Add(line, "America/New_York", int64(1772928000))
	}
	f.Fuzz(func(t *testing.T, line, zone string, unix int64) {
		tz, err := LoadZone(zone)
		if err != nil {
			return
		}
		s, err := ParseSchedule(line, tz)
		if err != nil {
			return
		}
		again, err := ParseSchedule(strings.TrimSuffix(s.String(), " "+tz.String()), tz)
		if err != nil || again.String() != s.String() {
			t.Fatalf("String() %q does not parse back: %v", s, err)
		}
		from := time.Unix(unix%(200*365*86400), 0) // 1770..2170
		next := s.Next(from)
		if !next.IsZero() && !next.After(from) {
			t.Fatalf("%s: Next(%s) = %s, not after it", s, from, next)
		}
	})
}
