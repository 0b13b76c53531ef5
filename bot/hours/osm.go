package hours

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// osmDays are the OpenStreetMap day abbreviations, indexed by
// time.Weekday.
var osmDays = [7]string{"Su", "Mo", "Tu", "We", "Th", "Fr", "Sa"}

// ParseOSM builds the Schedule of a place whose opening hours are written
// in the OpenStreetMap opening_hours syntax, as the national standard of
// digital-mediation places and Place.Hours write them, with loc the
// place's time zone:
//
//	Mo-Fr 09:00-12:30,13:30-16:30; Sa 09:00-12:00
//
// It reads the subset that such data uses:
//
//   - rules separated by « ; »; a later rule replaces the hours of the
//     days it names (« Mo-Fr 08:30-12:00; Tu 08:30-17:30 »: Tuesday is
//     08:30-17:30 only; « Mo-Fr 09:00-17:00; We off »: Wednesday closed);
//   - days as Mo Tu We Th Fr Sa Su, lists « Mo,We,Fr », ranges « Tu-Su »
//     (« Sa-Mo » runs over the weekend), mixed « Mo-We,Fr »;
//   - hours as HH:MM-HH:MM ranges separated by commas, up to 24:00;
//     overlapping or touching ranges are merged (« 09:00-22:00,09:00-11:30 »
//     is 09:00-22:00), as data entry tools produce them;
//   - « off » or « closed » for closed days; a rule without days applies
//     to every day (« 08:00-17:00 »); « 24/7 » is always open;
//   - « PH off » (closed on public holidays) is accepted and ignored: the
//     schedule knows no holiday list, so on a public holiday it gives the
//     weekday's hours.
//
// Everything else is refused with an error matching ErrInvalid that names
// the rule and the part it cannot read, so that the caller shows the raw
// text instead of hours it would misread: months and dates, weeks, nth
// weekdays (« Mo[1] »), comments, fallback rules (« || »), additional
// rules (« , » between rules), open ends (« 18:00+ »), times alone
// (« Sa 17:00 »), sunrise and sunset, school holidays (SH), hours on
// public holidays (« PH 10:00-12:00 »), ranges past midnight
// (« 22:00-02:00 ») and times without minutes (« 9-12 »).
func ParseOSM(spec string, loc *time.Location) (*Schedule, error) {
	if loc == nil {
		return nil, fmt.Errorf("%w: no time zone for %q", ErrInvalid, spec)
	}
	s := &Schedule{loc: loc, configured: true}
	rules := 0
	for _, rule := range strings.Split(spec, ";") {
		rule = strings.TrimSpace(rule)
		if rule == "" {
			continue // « Mo 09:00-12:00; » ends with an empty rule
		}
		if err := s.osmRule(rule); err != nil {
			return nil, fmt.Errorf("%w: rule %q: %w", ErrInvalid, rule, err)
		}
		rules++
	}
	if rules == 0 {
		return nil, fmt.Errorf("%w: no rule in %q", ErrInvalid, spec)
	}
	return s, nil
}

// osmRule applies one rule to s: the days it names get its hours.
func (s *Schedule) osmRule(rule string) error {
	if rule == "24/7" {
		for d := range s.week {
			s.week[d] = []span{{0, day}}
		}
		return nil
	}
	if strings.Contains(rule, "||") {
		return errors.New("fallback rules (||) are not read")
	}
	if strings.ContainsAny(rule, `"[]()+`) {
		return fmt.Errorf("%q is not read: only days, HH:MM-HH:MM hours and off", strings.Trim(firstOf(rule, `"[]()+`), " "))
	}
	fields := strings.Fields(tightenOSM(rule))
	days, holidays, err := osmDaySelector(fields[0])
	switch {
	case err == nil:
		fields = fields[1:]
	case startsWithDigit(fields[0]) || isOff(fields[0]):
		// No days: every day.
		days, err = [7]bool{true, true, true, true, true, true, true}, nil
	default:
		return err
	}
	switch {
	case len(fields) == 0:
		return errors.New("days without hours: add HH:MM-HH:MM or off")
	case len(fields) > 1:
		return fmt.Errorf("%q is not read: after the days come one list of HH:MM-HH:MM hours, or off", strings.Join(fields, " "))
	}
	var spans []span
	if !isOff(fields[0]) {
		if holidays {
			return errors.New("hours on public holidays (PH) are not read: only « PH off »")
		}
		if spans, err = osmTimes(fields[0]); err != nil {
			return err
		}
	}
	for d, on := range days {
		if on {
			s.week[d] = spans
		}
	}
	return nil
}

// tightenOSM removes the spaces around commas and dashes, which OSM
// tolerates (« Mo - Fr 09:00 - 12:00, 14:00 - 17:00 »), so that a rule
// splits into its days and its hours on spaces.
func tightenOSM(rule string) string {
	for _, sep := range []string{",", "-"} {
		parts := strings.Split(rule, sep)
		for i := range parts {
			parts[i] = strings.TrimSpace(parts[i])
		}
		rule = strings.Join(parts, sep)
	}
	return rule
}

// osmDaySelector reads « Mo-Fr », « Mo,We,Fr », « Tu-Su,PH ». holidays
// reports a PH in it (public holidays, which the schedule cannot place).
func osmDaySelector(sel string) (days [7]bool, holidays bool, err error) {
	for item := range strings.SplitSeq(sel, ",") {
		if item == "PH" {
			holidays = true
			continue
		}
		from, to, isRange := strings.Cut(item, "-")
		a, okA := osmDay(from)
		b, okB := a, okA
		if isRange {
			b, okB = osmDay(to)
		}
		if !okA || !okB {
			switch {
			case item == "SH":
				return days, false, errors.New("school holidays (SH) are not read")
			case startsWithDigit(item) || isOff(item):
				return days, false, fmt.Errorf("%q is not a day", item)
			}
			return days, false, fmt.Errorf("%q is not read: days are Mo Tu We Th Fr Sa Su, hours HH:MM-HH:MM", item)
		}
		// Sa-Mo runs over the end of the week.
		for d := a; ; d = (d + 1) % 7 {
			days[d] = true
			if d == b {
				break
			}
		}
	}
	return days, holidays, nil
}

func osmDay(s string) (time.Weekday, bool) {
	i := slices.Index(osmDays[:], s)
	return time.Weekday(i), i >= 0
}

// osmTimes reads « 09:00-12:30,13:30-16:30 » into sorted spans,
// overlapping and touching ones merged.
func osmTimes(v string) ([]span, error) {
	var spans []span
	for r := range strings.SplitSeq(v, ",") {
		a, b, ok := strings.Cut(r, "-")
		start, okA := parseClock(a)
		end, okB := parseClock(b)
		switch {
		case !ok && okA:
			return nil, fmt.Errorf("%q is a time, not a range HH:MM-HH:MM", r)
		case !ok || !okA || !okB || strings.Contains(b, "-"):
			return nil, fmt.Errorf("%q is not a range HH:MM-HH:MM", r)
		case start == day:
			return nil, fmt.Errorf("%q starts at 24:00", r)
		case end == start:
			return nil, fmt.Errorf("%q is empty", r)
		case end < start:
			return nil, fmt.Errorf("%q passes midnight, which is not read", r)
		}
		spans = append(spans, span{start, end})
	}
	slices.SortFunc(spans, func(a, b span) int { return cmp.Compare(a.start, b.start) })
	out := spans[:0]
	for _, sp := range spans {
		if n := len(out); n > 0 && sp.start <= out[n-1].end {
			out[n-1].end = max(out[n-1].end, sp.end)
			continue
		}
		out = append(out, sp)
	}
	return out, nil
}

func isOff(s string) bool { return s == "off" || s == "closed" }

func startsWithDigit(s string) bool { return s != "" && '0' <= s[0] && s[0] <= '9' }

// firstOf returns the space-separated word of s holding the first of
// chars.
func firstOf(s, chars string) string {
	for w := range strings.FieldsSeq(s) {
		if strings.ContainsAny(w, chars) {
			return w
		}
	}
	return s
}

// DayHours is what a place's line in an answer says of its hours on one
// day, in pieces that the caller's message catalogue puts in a sentence
// (« ouvert aujourd'hui : {ranges} » / « fermé aujourd'hui ; ouvre
// {next} »).
type DayHours struct {
	// Open reports whether the place is open at the time asked about.
	Open bool
	// Ranges are the day's opening hours, « 9 h – 12 h 30, 13 h 30 –
	// 16 h 30 » in French and « 9:00–12:30, 13:30–16:30 » in English;
	// "" when the place is closed all day.
	Ranges string
	// Closes is when the current opening ends (« 12 h 30 », « 12:30 »)
	// when Open, else "".
	Closes string
	// Next is the next opening when closed, as FormatNext writes it
	// (« mardi 8 décembre à 9 h 00 »); "" when open, or when the place
	// does not open within a year.
	Next string
	// NextAt is the time of Next, zero when Next is "": a caller may word
	// an opening later the same day differently (« rouvre à 13 h 30 »).
	NextAt time.Time
}

// Today describes the day of t in the schedule's zone: its hours, whether
// the place is open at t, and if not when it opens next. A holiday of a
// Spec schedule is closed all day; a schedule without hours (Always, nil)
// is open all day.
func (s *Schedule) Today(t time.Time, lang string) DayHours {
	en := english(lang)
	var spans []span
	var w time.Time
	if s.always() {
		spans = []span{{0, day}}
		w = t.UTC()
	} else {
		_, off := t.In(s.loc).Zone()
		w = wallClock(t, off)
		if !s.holiday(midnight(w)) {
			spans = s.week[w.Weekday()]
		}
	}
	var h DayHours
	items := make([]string, len(spans))
	for i, sp := range spans {
		if en {
			items[i] = enClock(sp.start) + "–" + enClock(sp.end)
		} else {
			items[i] = frClock(sp.start, false) + " – " + frClock(sp.end, false)
		}
	}
	h.Ranges = strings.Join(items, ", ")
	if h.Open = s.Open(t); h.Open {
		tod := w.Sub(midnight(w))
		for _, sp := range spans {
			if sp.start <= tod && tod < sp.end {
				if en {
					h.Closes = enClock(sp.end)
				} else {
					h.Closes = frClock(sp.end, false)
				}
			}
		}
		return h
	}
	if next, ok := s.Next(t); ok {
		h.Next, h.NextAt = s.FormatNext(next, lang), next
	}
	return h
}
