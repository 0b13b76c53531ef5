// Package hours says when a mediators' queue is staffed: weekly opening
// hours in a named time zone, minus public holidays. The escalation
// workflow uses it to tell a citizen who writes outside those hours when a
// mediator will answer ("Les médiateurs répondent du lundi au vendredi de
// 9 h à 17 h ; prochaine ouverture : lundi 23 novembre à 9 h 00").
//
// A Schedule is built by Parse from a Spec, the configuration form that
// cmd decodes from YAML:
//
//	hours:
//	  timezone: America/Toronto        # IANA name; required
//	  week:                            # missing days are closed
//	    mon: 09:00-12:30, 13:30-17:00  # keys mon…sun or lun…dim
//	    tue: 09:00-12:30, 13:30-17:00
//	    fri: 09:00-12:00
//	    sat: closed                    # also "", "fermé"
//	  holidays:
//	    - 2026-11-11                   # one day
//	    - 2026-12-24..2027-01-01       # inclusive range
//	    - 07-01                        # MM-DD: every year
//
// Places' opening hours (France Services, digital-mediation places) are
// written in the OpenStreetMap opening_hours syntax: ParseOSM reads the
// part of it their data uses, and Today gives a place's line in an
// answer its pieces (today's hours, open now, next opening).
//
// A queue without hours (the zero Spec) is always open: Parse returns
// Always(), and a nil *Schedule behaves the same, so callers need no
// special case for queues that have no schedule.
//
// # Semantics
//
// Hours are wall-clock times in the schedule's zone, whatever the zone of
// the time.Time given to Open or Next: a Québec queue checked from a
// server running in UTC opens at 9 h in Montréal. A range includes its
// start and excludes its end, so "09:00-12:30" is open at 12:29:59 and
// closed at 12:30. "24:00" may end a range and means the end of the day.
//
// A range may not pass midnight ("22:00-02:00" is refused): write it as
// two ranges on consecutive days ("22:00-24:00" on one, "00:00-02:00" on
// the next). Refusing it keeps one day's hours on that day, which is what
// holidays (a holiday closes its own date, midnight to midnight) and
// Describe rely on.
//
// Daylight-saving time: a range opens when the local clock shows its
// start, so "09:00" is 09:00 local on the days the clocks change too.
// Next works from the zone's actual transitions instead of adding 24 h to
// a date, so it lands on the right instant across a change. In the hour
// that a spring change skips, a range starting inside it opens at the
// instant of the change; in the hour an autumn change repeats, the local
// clock passes the same times twice and Open follows it both times.
// Mediators' hours never fall in those hours in France or Québec (changes
// happen at 2 h and 3 h), but the rule is defined and tested.
//
// # Time-zone data
//
// Zones are loaded with time.LoadLocation, which reads the system zone
// database (/usr/share/zoneinfo, or $ZONEINFO). A binary meant for a host
// without one (a scratch container, Windows) should embed Go's copy, by
// importing time/tzdata in cmd/boussole or building with -tags timetzdata;
// this package does not do it itself so that the choice stays in main.
// An unknown zone is a Parse error naming the "timezone" field.
package hours

import (
	"time"
)

// horizonDays bounds Next's search. A schedule that stays closed for more
// than 53 weeks (all days closed, or holidays covering a year) is reported
// as never opening rather than searched forever.
const horizonDays = 53 * 7

// day is the length of a day on a wall clock. Wall-clock arithmetic in this
// package happens in UTC, where every day lasts exactly this long.
const day = 24 * time.Hour

// Schedule is when a queue is staffed. It is immutable once built and safe
// for concurrent use. The zero value and nil are always open.
type Schedule struct {
	loc *time.Location
	// week holds each weekday's ranges, indexed by time.Weekday, sorted,
	// non-overlapping and with touching ranges merged. Empty means closed.
	week [7][]span
	// configured is true for a schedule built from a Spec; a zero
	// Schedule (or Always) has no hours and is open at all times.
	configured bool
	// dated are holiday date ranges, inclusive, as yyyymmdd numbers.
	dated []dateRange
	// annual has bit d of annual[m] set when month m, day d is a holiday
	// every year.
	annual [13]uint32
}

// span is a range of wall-clock time within one day, start inclusive and
// end exclusive, measured from local midnight; end is at most 24 h.
type span struct {
	start, end time.Duration
}

// dateRange is an inclusive range of civil dates written yyyymmdd, an
// encoding whose numeric order is the calendar order.
type dateRange struct {
	from, to int
}

// Always returns a schedule that is open at all times, for a queue with no
// hours configured.
func Always() *Schedule {
	return &Schedule{loc: time.UTC}
}

// always reports whether s has no hours at all.
func (s *Schedule) always() bool {
	return s == nil || !s.configured
}

// Location returns the schedule's time zone (UTC for Always).
func (s *Schedule) Location() *time.Location {
	if s == nil || s.loc == nil {
		return time.UTC
	}
	return s.loc
}

// Open reports whether the queue is staffed at t.
func (s *Schedule) Open(t time.Time) bool {
	if s.always() {
		return true
	}
	_, off := t.In(s.loc).Zone()
	return s.wallOpen(wallClock(t, off))
}

// Next returns the earliest time at or after t at which the queue is open:
// t itself when it is open now. It looks at most 53 weeks ahead and
// returns ok=false when the queue does not open within them. The result is
// in the schedule's zone (t unchanged when open now).
func (s *Schedule) Next(t time.Time) (next time.Time, ok bool) {
	if s.Open(t) {
		return t, true
	}
	_, off := t.In(s.loc).Zone()
	limit := midnight(wallClock(t, off)).AddDate(0, 0, horizonDays+1)
	// Between two transitions of the zone, the wall clock is the instant
	// plus a fixed offset: search the wall clock of that period, and if
	// the opening found lies beyond the period, start again from the
	// transition with the new offset. Spring gaps and autumn repeats then
	// need no special case.
	from := t
	for {
		lt := from.In(s.loc)
		_, off := lt.Zone()
		_, end := lt.ZoneBounds()
		w, ok := s.nextWallOpen(wallClock(from, off), limit)
		if !ok {
			return time.Time{}, false
		}
		u := w.Add(-time.Duration(off) * time.Second)
		if end.IsZero() || u.Before(end) {
			return u.In(s.loc), true
		}
		from = end
	}
}

// wallClock returns the wall clock that instant t shows at offset off
// (seconds east of UTC), expressed as a UTC time so that its fields and
// arithmetic are those of the wall clock. It drops any monotonic reading.
func wallClock(t time.Time, off int) time.Time {
	return t.UTC().Add(time.Duration(off) * time.Second)
}

// midnight truncates a wall clock (in UTC) to the start of its day.
func midnight(w time.Time) time.Time {
	y, m, d := w.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// wallOpen reports whether the queue is open at wall clock w.
func (s *Schedule) wallOpen(w time.Time) bool {
	d := midnight(w)
	if s.holiday(d) {
		return false
	}
	tod := w.Sub(d)
	for _, sp := range s.week[w.Weekday()] {
		if sp.start <= tod && tod < sp.end {
			return true
		}
	}
	return false
}

// nextWallOpen returns the first wall clock at or after w at which the
// queue is open, looking at days before limit only.
func (s *Schedule) nextWallOpen(w, limit time.Time) (time.Time, bool) {
	if s.wallOpen(w) {
		return w, true
	}
	for d := midnight(w); d.Before(limit); d = d.Add(day) {
		if s.holiday(d) {
			continue
		}
		for _, sp := range s.week[d.Weekday()] {
			// w is not open, so a range that started at or before w
			// has ended before it.
			if st := d.Add(sp.start); st.After(w) {
				return st, true
			}
		}
	}
	return time.Time{}, false
}

// holiday reports whether the civil date of wall clock d is a holiday.
func (s *Schedule) holiday(d time.Time) bool {
	y, m, dd := d.Date()
	if s.annual[m]&(1<<dd) != 0 {
		return true
	}
	k := dateKey(y, m, dd)
	for _, r := range s.dated {
		if r.from <= k && k <= r.to {
			return true
		}
	}
	return false
}

func dateKey(y int, m time.Month, d int) int {
	return y*10000 + int(m)*100 + d
}
