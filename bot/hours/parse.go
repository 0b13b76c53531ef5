package hours

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// ErrInvalid is matched (errors.Is) by every error Parse and ParseOSM
// return.
var ErrInvalid = errors.New("invalid opening hours")

// Spec is the configuration form of a Schedule, decoded from YAML by cmd.
// The zero Spec means "no hours": the queue is always open.
type Spec struct {
	// TimeZone is an IANA zone name such as "Europe/Paris" or
	// "America/Toronto" (Québec). "Local" is refused: hours must not
	// depend on the server's settings.
	TimeZone string `yaml:"timezone"`
	// Week maps a day (mon tue wed thu fri sat sun, or lun mar mer jeu
	// ven sam dim) to its ranges, "09:00-12:30, 13:30-17:00", or to ""
	// "closed" / "fermé" for a closed day. Days left out are closed.
	Week map[string]string `yaml:"week"`
	// Holidays are days on which the queue is closed all day in its zone:
	// "2026-12-25", a range "2026-12-24..2027-01-01" (both ends
	// included), or "12-25" and "12-24..01-01" for every year.
	Holidays []string `yaml:"holidays"`
}

// FieldError is one problem in a Spec. Field names the place as written
// in the configuration ("timezone", "week.mon", "holidays[2]", indexes
// from 0), so that a caller holding the YAML nodes can add a line number.
type FieldError struct {
	Field string
	Err   error
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Err.Error() }

// Unwrap returns the underlying problem (for a bad zone, time.LoadLocation's
// error).
func (e *FieldError) Unwrap() error { return e.Err }

// Is makes every FieldError match ErrInvalid.
func (e *FieldError) Is(target error) bool { return target == ErrInvalid }

// dayKeys lists the accepted keys of Spec.Week, English then French, in
// weekday order from Monday; it is also the text of the error message.
const dayKeys = "mon tue wed thu fri sat sun or lun mar mer jeu ven sam dim"

// Parse checks a Spec and builds its Schedule. It reports every problem at
// once (joined with errors.Join), each a *FieldError naming its field.
func Parse(spec Spec) (*Schedule, error) {
	if spec.TimeZone == "" && len(spec.Week) == 0 && len(spec.Holidays) == 0 {
		return Always(), nil
	}
	s := &Schedule{configured: true}
	var errs []error
	fail := func(field, format string, args ...any) {
		errs = append(errs, &FieldError{Field: field, Err: fmt.Errorf(format, args...)})
	}

	switch spec.TimeZone {
	case "":
		fail("timezone", "required: an IANA zone name such as Europe/Paris or America/Toronto")
	case "Local":
		fail("timezone", "Local depends on the server's settings: name the zone, such as Europe/Paris or America/Toronto")
	default:
		loc, err := time.LoadLocation(spec.TimeZone)
		if err != nil {
			fail("timezone", "load %q (an IANA zone name such as Europe/Paris or America/Toronto): %w", spec.TimeZone, err)
		}
		s.loc = loc
	}

	if len(spec.Week) == 0 {
		fail("week", "no opening hours; leave the whole hours section out for a queue that is always open")
	}
	keys := make([]string, 0, len(spec.Week))
	for k := range spec.Week {
		keys = append(keys, k)
	}
	slices.Sort(keys) // map order is random; error order must not be
	var setBy [7]string
	for _, k := range keys {
		field := "week." + k
		wd, ok := weekday(k)
		if !ok {
			fail(field, "unknown day; use %s", dayKeys)
			continue
		}
		if setBy[wd] != "" {
			fail(field, "same day as week.%s", setBy[wd])
			continue
		}
		setBy[wd] = k
		spans, problems := parseDay(spec.Week[k])
		for _, p := range problems {
			errs = append(errs, &FieldError{Field: field, Err: p})
		}
		s.week[wd] = spans
	}

	for i, h := range spec.Holidays {
		if err := s.addHoliday(h); err != nil {
			errs = append(errs, &FieldError{Field: fmt.Sprintf("holidays[%d]", i), Err: err})
		}
	}

	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return s, nil
}

// weekday maps a Spec.Week key to its day, in English or French, ignoring
// case and surrounding spaces.
func weekday(key string) (time.Weekday, bool) {
	switch strings.ToLower(strings.TrimSpace(key)) {
	case "mon", "lun":
		return time.Monday, true
	case "tue", "mar":
		return time.Tuesday, true
	case "wed", "mer":
		return time.Wednesday, true
	case "thu", "jeu":
		return time.Thursday, true
	case "fri", "ven":
		return time.Friday, true
	case "sat", "sam":
		return time.Saturday, true
	case "sun", "dim":
		return time.Sunday, true
	}
	return 0, false
}

// parseDay parses one day's value: comma-separated ranges, or a word for
// closed. It returns the ranges sorted, with touching ranges merged, and
// every problem found.
func parseDay(v string) ([]span, []error) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "", "closed", "fermé", "ferme":
		return nil, nil
	}
	type parsed struct {
		span
		text string
	}
	var ranges []parsed
	var errs []error
	for _, piece := range strings.Split(v, ",") {
		text := strings.TrimSpace(piece)
		sp, err := parseRange(text)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		ranges = append(ranges, parsed{sp, text})
	}
	slices.SortFunc(ranges, func(a, b parsed) int { return cmp.Compare(a.start, b.start) })
	var out []span
	var last parsed // the range reaching furthest so far
	for _, r := range ranges {
		if r.start < last.end {
			errs = append(errs, fmt.Errorf("%q overlaps %q", r.text, last.text))
			if r.end > last.end {
				last = r
			}
			continue
		}
		last = r
		if n := len(out); n > 0 && out[n-1].end == r.start {
			out[n-1].end = r.end // "09:00-12:00, 12:00-13:00" is one range
			continue
		}
		out = append(out, r.span)
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return out, nil
}

// parseRange parses "HH:MM-HH:MM" (spaces around the dash allowed, an en
// dash accepted, a one-digit hour too). The end may be 24:00; a range that
// is empty or passes midnight is refused.
func parseRange(text string) (span, error) {
	a, b, ok := strings.Cut(strings.ReplaceAll(text, "–", "-"), "-")
	if !ok {
		return span{}, fmt.Errorf("%q is not HH:MM-HH:MM", text)
	}
	start, okA := parseClock(strings.TrimSpace(a))
	end, okB := parseClock(strings.TrimSpace(b))
	if !okA || !okB {
		return span{}, fmt.Errorf("%q is not HH:MM-HH:MM", text)
	}
	if start == day {
		return span{}, fmt.Errorf("%q starts at 24:00; write 00:00 on the next day", text)
	}
	if end == start {
		return span{}, fmt.Errorf("%q is empty", text)
	}
	if end < start {
		return span{}, fmt.Errorf("%q ends before it starts; hours past midnight are written as two ranges, up to 24:00 on one day and from 00:00 on the next", text)
	}
	return span{start, end}, nil
}

// parseClock parses "H:MM" or "HH:MM" from 00:00 to 24:00.
func parseClock(c string) (time.Duration, bool) {
	h, m, ok := strings.Cut(c, ":")
	if !ok || len(h) < 1 || len(h) > 2 || len(m) != 2 || !digits(h) || !digits(m) {
		return 0, false
	}
	hh, _ := strconv.Atoi(h)
	mm, _ := strconv.Atoi(m)
	if hh > 24 || mm > 59 || (hh == 24 && mm != 0) {
		return 0, false
	}
	return time.Duration(hh)*time.Hour + time.Duration(mm)*time.Minute, true
}

func digits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// addHoliday parses one Spec.Holidays entry into s.
func (s *Schedule) addHoliday(h string) error {
	h = strings.TrimSpace(h)
	a, b, isRange := strings.Cut(h, "..")
	if !isRange {
		b = a
	}
	a, b = strings.TrimSpace(a), strings.TrimSpace(b)
	switch {
	case len(a) == len("2006-01-02") && len(b) == len("2006-01-02"):
		from, errA := time.Parse(time.DateOnly, a)
		to, errB := time.Parse(time.DateOnly, b)
		if errA != nil || errB != nil {
			break
		}
		if to.Before(from) {
			return fmt.Errorf("%q ends before it starts", h)
		}
		s.dated = append(s.dated, dateRange{dateKey(from.Date()), dateKey(to.Date())})
		return nil
	case len(a) == len("01-02") && len(b) == len("01-02"):
		// Parsed dates fall in year 0, a leap year, so "02-29" is
		// accepted; it closes 29 February in the years that have one.
		from, errA := time.Parse("01-02", a)
		to, errB := time.Parse("01-02", b)
		if errA != nil || errB != nil {
			break
		}
		if to.Before(from) {
			// "12-24..01-02" runs over New Year: walk to the end of
			// the year, then from 1 January of the same leap year.
			s.closeAnnual(from, time.Date(0, time.December, 31, 0, 0, 0, 0, time.UTC))
			from = time.Date(0, time.January, 1, 0, 0, 0, 0, time.UTC)
		}
		s.closeAnnual(from, to)
		return nil
	}
	return fmt.Errorf("%q is not a date YYYY-MM-DD, a range YYYY-MM-DD..YYYY-MM-DD, or MM-DD / MM-DD..MM-DD for every year", h)
}

// closeAnnual marks every month and day from from to to (same year, to not
// before from) as a holiday every year.
func (s *Schedule) closeAnnual(from, to time.Time) {
	for d := from; !d.After(to); d = d.Add(day) {
		s.annual[d.Month()] |= 1 << d.Day()
	}
}
