package bot

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

// Schedule is a digest schedule: a five-field cron line in an IANA time zone.
//
// The line is parsed by robfig/cron's standard parser, but the times are
// worked out here, on local wall-clock minutes, because robfig/cron's own
// SpecSchedule.Next skips a time that falls in a spring-forward gap and runs
// a time that falls in a fall-back overlap twice (once per offset). Here:
//
//   - a wall-clock time that does not exist (02:30 in New York on the day
//     clocks go from 02:00 to 03:00) runs once, at the first moment after
//     the gap (03:00 local); several such times run once between them;
//   - a wall-clock time that exists twice (01:30 in New York on the day
//     clocks go from 02:00 back to 01:00) runs once, at its first occurrence;
//   - every other time runs exactly when the cron line says.
//
// A Schedule is immutable and safe for concurrent use.
type Schedule struct {
	line string // canonical: the fields joined by single spaces
	tz   *time.Location
	spec *cron.SpecSchedule // only the field bitmasks are used, never its Next
}

// MaxBetween caps how many times Between returns, so that a schedule such as
// "* * * * *" over a long outage cannot build an unbounded slice.
const MaxBetween = 1000

// searchDays bounds how far Next looks ahead: the rarest schedule that can
// run at all ("0 0 29 2 *") runs at least once in any 8 years (centuries such
// as 2100 skip a leap year), so 9 years of days always finds it.
const searchDays = 9 * 366

// cronParser is the standard five-field parser (minute hour dom month dow,
// plus descriptors such as @daily), as cron.ParseStandard uses.
var cronParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// ParseSchedule parses a five-field cron line ("0 8 * * 1-5") to be read in
// tz. The zone comes only from tz: a "TZ=" or "CRON_TZ=" prefix is an error,
// and so is "@every", which is not a wall-clock schedule, and a line that
// can never run ("0 0 30 2 *").
func ParseSchedule(line string, tz *time.Location) (*Schedule, error) {
	canon := strings.Join(strings.Fields(line), " ")
	if tz == nil {
		return nil, fmt.Errorf("bot: schedule %q: no time zone", line)
	}
	if tz.String() == "Local" {
		return nil, fmt.Errorf("bot: schedule %q: time zone %q depends on the machine, give an IANA name", line, tz)
	}
	if canon == "" {
		return nil, fmt.Errorf("bot: schedule %q: empty cron line", line)
	}
	if strings.HasPrefix(canon, "TZ=") || strings.HasPrefix(canon, "CRON_TZ=") {
		return nil, fmt.Errorf("bot: schedule %q: give the time zone separately, not in the cron line", line)
	}
	parsed, err := cronParser.Parse(canon)
	if err != nil {
		return nil, fmt.Errorf("bot: schedule %q: %w", line, err)
	}
	spec, ok := parsed.(*cron.SpecSchedule)
	if !ok {
		return nil, fmt.Errorf("bot: schedule %q: not a wall-clock schedule, use five cron fields", line)
	}
	s := &Schedule{line: canon, tz: tz, spec: spec}
	if s.Next(time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)).IsZero() {
		return nil, fmt.Errorf("bot: schedule %q: never runs", line)
	}
	return s, nil
}

// LoadZone loads an IANA time zone by name for a schedule. The empty name
// and "Local" are errors: a chat's digest must not depend on the machine.
func LoadZone(name string) (*time.Location, error) {
	if name == "" || name == "Local" {
		return nil, fmt.Errorf("bot: time zone %q: want an IANA name such as Europe/Moscow", name)
	}
	tz, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("bot: time zone %q: %w", name, err)
	}
	return tz, nil
}

// ScheduleAt parses the "digest at HH:MM TZ" form: every day at that local
// time. HH is 0–23 (one or two digits), MM is two digits 00–59.
func ScheduleAt(hhmm string, tz *time.Location) (*Schedule, error) {
	h, m, err := parseClock(hhmm)
	if err != nil {
		return nil, fmt.Errorf("bot: digest time %q: %w", hhmm, err)
	}
	return ParseSchedule(fmt.Sprintf("%d %d * * *", m, h), tz)
}

func parseClock(s string) (hour, minute int, err error) {
	hs, ms, ok := strings.Cut(s, ":")
	if !ok || len(hs) < 1 || len(hs) > 2 || len(ms) != 2 || !allDigits(hs) || !allDigits(ms) {
		return 0, 0, errors.New("want HH:MM")
	}
	hour, _ = strconv.Atoi(hs)
	minute, _ = strconv.Atoi(ms)
	if hour > 23 {
		return 0, 0, errors.New("hour out of range 0-23")
	}
	if minute > 59 {
		return 0, 0, errors.New("minute out of range 00-59")
	}
	return hour, minute, nil
}

func allDigits(s string) bool {
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// String returns the cron line and the zone: "0 8 * * 1-5 America/New_York".
func (s *Schedule) String() string { return s.line + " " + s.tz.String() }

// Location returns the schedule's time zone.
func (s *Schedule) Location() *time.Location { return s.tz }

// Next returns the first scheduled time strictly after t, in UTC, or the
// zero Time if the schedule does not run in the following nine years
// (ParseSchedule rejects lines that never run).
func (s *Schedule) Next(t time.Time) time.Time {
	// Walk the matching wall-clock minutes in order, from the minute t's own
	// clock reads. Every wall time maps to the first instant at which the
	// clocks read it or later (see wallInstant), so the mapping never goes
	// backwards, earlier wall times cannot map after t, and the first
	// instant after t found is the answer.
	lt := t.In(s.tz)
	from := time.Date(lt.Year(), lt.Month(), lt.Day(), lt.Hour(), lt.Minute(), 0, 0, time.UTC)
	day := time.Date(lt.Year(), lt.Month(), lt.Day(), 0, 0, 0, 0, time.UTC)
	for range searchDays {
		if s.dayMatches(day) {
			for h := 0; h < 24; h++ {
				if s.spec.Hour&(1<<uint(h)) == 0 {
					continue
				}
				for m := 0; m < 60; m++ {
					if s.spec.Minute&(1<<uint(m)) == 0 {
						continue
					}
					wall := day.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute)
					if wall.Before(from) {
						continue
					}
					if at := wallInstant(wall, s.tz); at.After(t) {
						return at.UTC()
					}
				}
			}
		}
		day = day.AddDate(0, 0, 1)
	}
	return time.Time{}
}

// Between returns the scheduled times in (from, to], oldest first, in UTC;
// at most MaxBetween of them (the oldest ones).
func (s *Schedule) Between(from, to time.Time) []time.Time {
	var out []time.Time
	for t := s.Next(from); !t.IsZero() && !t.After(to) && len(out) < MaxBetween; t = s.Next(t) {
		out = append(out, t)
	}
	return out
}

// dayMatches reports whether the civil date day (held in UTC) matches the
// month, day-of-month and day-of-week fields, with cron's rule (as robfig/cron
// applies it): when either day field is "*", both must match; otherwise
// either may.
func (s *Schedule) dayMatches(day time.Time) bool {
	const starBit = 1 << 63 // robfig/cron marks a field written as "*" or "?"
	if s.spec.Month&(1<<uint(day.Month())) == 0 {
		return false
	}
	dom := s.spec.Dom&(1<<uint(day.Day())) != 0
	dow := s.spec.Dow&(1<<uint(day.Weekday())) != 0
	if s.spec.Dom&starBit != 0 || s.spec.Dow&starBit != 0 {
		return dom && dow
	}
	return dom || dow
}

// wallInstant returns the first instant at which the clocks in loc read wall
// (a wall-clock reading held in UTC) or later: its first occurrence if it
// occurs twice, and the end of the gap (the first moment after it) if it
// does not occur at all.
func wallInstant(wall time.Time, loc *time.Location) time.Time {
	// The zones in effect within a day and a bit either side of wall hold
	// every offset that could turn wall into an instant (offsets are within
	// ±26h of each other).
	type zone struct {
		start  time.Time // zero for the first one
		offset int       // seconds east of UTC
	}
	var zones []zone
	first := wall.Add(-27 * time.Hour).In(loc)
	last := wall.Add(27 * time.Hour)
	for p := first; ; {
		_, off := p.Zone()
		start, end := p.ZoneBounds()
		if len(zones) == 0 {
			start = time.Time{}
		}
		zones = append(zones, zone{start: start, offset: off})
		if end.IsZero() || end.After(last) {
			break
		}
		p = end
	}
	w := wall.Unix()
	// Earliest existing occurrence.
	var best time.Time
	for _, z := range zones {
		at := time.Unix(w-int64(z.offset), 0).In(loc)
		if _, off := at.Zone(); off == z.offset && (best.IsZero() || at.Before(best)) {
			best = at
		}
	}
	if !best.IsZero() {
		return best
	}
	// A gap: find the transition that jumps over wall. Just before it the
	// clocks read start+before, at it start+after, skipping [before, after).
	for i := 1; i < len(zones); i++ {
		t := zones[i].start.Unix()
		if t+int64(zones[i-1].offset) <= w && w < t+int64(zones[i].offset) {
			return zones[i].start.In(loc)
		}
	}
	// Unreachable with consistent zone data; fall back to Go's own choice.
	return time.Date(wall.Year(), wall.Month(), wall.Day(), wall.Hour(), wall.Minute(), 0, 0, loc)
}

// Missed is what a schedule owes after a pause: the time to run now, if
// any, and the times it skips.
type Missed struct {
	Due        time.Time   // the latest time in (last, now] less than grace old; zero: none
	Superseded []time.Time // earlier times within grace: Due's digest covers their periods too
	Late       []time.Time // times more than grace old, oldest first (at most MaxBetween)
	Watermark  time.Time   // what to record as the last time dealt with
}

// Owed returns what s owes at now when the last time dealt with was last
// (or when the schedule began): the latest time in (last, now], run now
// if it is less than grace old; earlier times in that window are
// superseded, since the one digest covers everything since the previous
// one; times older than grace are late, to be skipped and logged. With
// nothing owed, Watermark is last.
func (s *Schedule) Owed(last, now time.Time, grace time.Duration) Missed {
	m := Missed{Watermark: last}
	cutoff := now.Add(-grace)
	if cutoff.After(last) {
		m.Late = s.Between(last, cutoff)
		if len(m.Late) > 0 {
			m.Watermark = cutoff
		}
	}
	recent := s.Between(maxTime(last, cutoff), now)
	if len(recent) > 0 {
		m.Due = recent[len(recent)-1]
		m.Superseded = recent[:len(recent)-1]
		m.Watermark = m.Due
	}
	return m
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// Cron returns the schedule's cron line, without the zone.
func (s *Schedule) Cron() string { return s.line }
