package hours

import (
	"testing"
	"time"
)

// weekdays is a France Services desk: lunch break, closed at weekends,
// closed on 11 November, over Christmas and every 1 May.
var weekdays = Spec{
	TimeZone: "Europe/Paris",
	Week: map[string]string{
		"mon": "09:00-12:30, 13:30-17:00",
		"tue": "09:00-12:30, 13:30-17:00",
		"wed": "09:00-12:30, 13:30-17:00",
		"thu": "09:00-12:30, 13:30-17:00",
		"fri": "09:00-12:30, 13:30-17:00",
		"sat": "closed",
	},
	Holidays: []string{"2026-11-11", "2026-12-24..2027-01-01", "05-01"},
}

func mustParse(t testing.TB, s Spec) *Schedule {
	t.Helper()
	sch, err := Parse(s)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return sch
}

// at parses an RFC 3339 time; tests write offsets explicitly so that the
// expected instant is unambiguous on either side of a DST change.
func at(t testing.TB, s string) time.Time {
	t.Helper()
	tm, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatal(err)
	}
	return tm
}

func TestOpen(t *testing.T) {
	sch := mustParse(t, weekdays)
	tests := []struct {
		name string
		at   string
		want bool
	}{
		{"before opening", "2026-11-16T08:59:59+01:00", false},
		{"opening is inclusive", "2026-11-16T09:00:00+01:00", true},
		{"morning", "2026-11-16T11:00:00+01:00", true},
		{"just before lunch", "2026-11-16T12:29:59.999+01:00", true},
		{"lunch starts: end is exclusive", "2026-11-16T12:30:00+01:00", false},
		{"lunch", "2026-11-16T13:00:00+01:00", false},
		{"afternoon opening", "2026-11-16T13:30:00+01:00", true},
		{"just before closing", "2026-11-16T16:59:59+01:00", true},
		{"closing", "2026-11-16T17:00:00+01:00", false},
		{"night", "2026-11-17T02:00:00+01:00", false},
		{"friday", "2026-11-20T16:00:00+01:00", true},
		{"saturday (closed)", "2026-11-21T10:00:00+01:00", false},
		{"sunday (left out)", "2026-11-22T10:00:00+01:00", false},
		{"holiday", "2026-11-11T10:00:00+01:00", false},
		{"day after holiday", "2026-11-12T10:00:00+01:00", true},
		{"holiday range, first day", "2026-12-24T10:00:00+01:00", false},
		{"holiday range, over new year", "2026-12-31T10:00:00+01:00", false},
		{"holiday range, last day", "2027-01-01T10:00:00+01:00", false},
		{"after holiday range", "2027-01-04T10:00:00+01:00", true},
		{"yearly holiday", "2026-05-01T10:00:00+02:00", false},
		{"yearly holiday, another year", "2028-05-01T10:00:00+02:00", false},
		{"summer time", "2026-07-15T09:00:00+02:00", true},
		{"summer time, before", "2026-07-15T08:59:00+02:00", false},
		{"seen from UTC", "2026-11-16T08:00:00Z", true},
		{"seen from UTC, before", "2026-11-16T07:59:59Z", false},
		{"seen from Tokyo", "2026-11-16T17:00:00+09:00", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := sch.Open(at(t, tt.at)); got != tt.want {
				t.Errorf("Open(%s) = %v, want %v", tt.at, got, tt.want)
			}
		})
	}
}

// A holiday is a date in the schedule's zone, midnight to midnight there.
func TestHolidayFollowsScheduleZone(t *testing.T) {
	sch := mustParse(t, Spec{
		TimeZone: "America/Toronto",
		Week:     map[string]string{"mon": "00:00-24:00", "tue": "00:00-24:00", "wed": "00:00-24:00", "thu": "00:00-24:00", "fri": "00:00-24:00", "sat": "00:00-24:00", "sun": "00:00-24:00"},
		Holidays: []string{"2026-07-01"}, // fête du Canada
	})
	tests := []struct {
		at   string
		want bool
	}{
		{"2026-07-01T03:59:59Z", true},  // 30 June, 23:59:59 in Montréal
		{"2026-07-01T04:00:00Z", false}, // 1 July, midnight
		{"2026-07-02T03:59:59Z", false},
		{"2026-07-02T04:00:00Z", true},
	}
	for _, tt := range tests {
		if got := sch.Open(at(t, tt.at)); got != tt.want {
			t.Errorf("Open(%s) = %v, want %v", tt.at, got, tt.want)
		}
	}
}

// A Québec queue checked by a server whose clock is in UTC.
func TestQuebecQueueFromUTC(t *testing.T) {
	sch := mustParse(t, Spec{
		TimeZone: "America/Toronto", // Québec's zone; America/Montreal is only a link to it
		Week:     map[string]string{"lun": "08:30-16:30", "mar": "08:30-16:30", "mer": "08:30-16:30", "jeu": "08:30-16:30", "ven": "08:30-16:30"},
	})
	utc := func(s string) time.Time { return at(t, s).UTC() }
	tests := []struct {
		at   string
		want bool
	}{
		{"2026-11-20T21:29:59Z", true},  // Friday 16:29:59 EST
		{"2026-11-20T21:30:00Z", false}, // Friday 16:30 EST
		{"2026-11-21T01:00:00Z", false}, // Saturday in UTC, Friday evening in Montréal
		{"2026-11-23T03:00:00Z", false}, // Monday in UTC, Sunday evening in Montréal
		{"2026-11-23T13:29:00Z", false},
		{"2026-11-23T13:30:00Z", true}, // Monday 8:30 EST
		{"2026-07-13T12:30:00Z", true}, // Monday 8:30 EDT
		{"2026-07-13T12:29:00Z", false},
	}
	for _, tt := range tests {
		if got := sch.Open(utc(tt.at)); got != tt.want {
			t.Errorf("Open(%s) = %v, want %v", tt.at, got, tt.want)
		}
	}
	next, ok := sch.Next(utc("2026-11-20T22:30:00Z"))
	if want := at(t, "2026-11-23T13:30:00Z"); !ok || !next.Equal(want) {
		t.Errorf("Next = %v, %v; want %v", next, ok, want)
	}
	if got := next.Location().String(); got != "America/Toronto" {
		t.Errorf("Next returned a time in %s, want the schedule's zone", got)
	}
	if got, want := sch.FormatNext(next, "fr-CA"), "lundi 23 novembre à 8 h 30"; got != want {
		t.Errorf("FormatNext = %q, want %q", got, want)
	}
}

func TestNext(t *testing.T) {
	every := func(tz, hours string) Spec {
		w := map[string]string{}
		for _, d := range []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"} {
			w[d] = hours
		}
		return Spec{TimeZone: tz, Week: w}
	}
	torontoWeek := Spec{TimeZone: "America/Toronto", Week: map[string]string{"mon": "09:00-17:00", "tue": "09:00-17:00", "wed": "09:00-17:00", "thu": "09:00-17:00", "fri": "09:00-17:00"}}
	tests := []struct {
		name string
		spec Spec
		from string
		want string // "" when the queue never opens
	}{
		{"open now", weekdays, "2026-11-16T10:15:00+01:00", "2026-11-16T10:15:00+01:00"},
		{"early morning", weekdays, "2026-11-16T06:00:00+01:00", "2026-11-16T09:00:00+01:00"},
		{"lunch", weekdays, "2026-11-16T12:30:00+01:00", "2026-11-16T13:30:00+01:00"},
		{"friday evening to monday", weekdays, "2026-11-20T17:30:00+01:00", "2026-11-23T09:00:00+01:00"},
		{"saturday", weekdays, "2026-11-21T11:00:00+01:00", "2026-11-23T09:00:00+01:00"},
		{"holiday eve", weekdays, "2026-11-10T17:00:00+01:00", "2026-11-12T09:00:00+01:00"},
		{"on the holiday", weekdays, "2026-11-11T10:00:00+01:00", "2026-11-12T09:00:00+01:00"},
		{"christmas range", weekdays, "2026-12-23T17:00:00+01:00", "2027-01-04T09:00:00+01:00"},
		{"yearly holiday on a friday", weekdays, "2026-04-30T18:00:00+02:00", "2026-05-04T09:00:00+02:00"},
		{"from UTC", weekdays, "2026-11-20T16:30:00Z", "2026-11-23T08:00:00Z"},

		// Europe/Paris: last Sunday of March and of October.
		{"Paris, into summer time", every("Europe/Paris", "09:00-17:00"), "2026-03-28T17:00:00+01:00", "2026-03-29T09:00:00+02:00"},
		{"Paris, night of the change", every("Europe/Paris", "09:00-17:00"), "2026-03-29T01:30:00+01:00", "2026-03-29T09:00:00+02:00"},
		{"Paris, back to winter time", every("Europe/Paris", "09:00-17:00"), "2026-10-24T17:00:00+02:00", "2026-10-25T09:00:00+01:00"},
		{"Paris, after the repeated hour", every("Europe/Paris", "09:00-17:00"), "2026-10-25T02:30:00+01:00", "2026-10-25T09:00:00+01:00"},
		// America/Toronto: second Sunday of March, first Sunday of November.
		{"Toronto, weekend into daylight time", torontoWeek, "2026-03-06T17:30:00-05:00", "2026-03-09T09:00:00-04:00"},
		{"Toronto, weekend into standard time", torontoWeek, "2026-10-30T17:30:00-04:00", "2026-11-02T09:00:00-05:00"},
		{"Toronto, sunday of the change", every("America/Toronto", "09:00-17:00"), "2026-03-08T00:00:00-05:00", "2026-03-08T09:00:00-04:00"},
		{"Toronto, sunday of the change back", every("America/Toronto", "09:00-17:00"), "2026-11-01T00:00:00-04:00", "2026-11-01T09:00:00-05:00"},

		// Ranges inside the hour that DST skips or repeats.
		{"skipped hour opens at the change", Spec{TimeZone: "Europe/Paris", Week: map[string]string{"sun": "02:30-04:00"}}, "2026-03-29T01:00:00+01:00", "2026-03-29T03:00:00+02:00"},
		{"repeated hour, first pass", Spec{TimeZone: "Europe/Paris", Week: map[string]string{"sun": "02:30-02:45"}}, "2026-10-25T00:00:00+02:00", "2026-10-25T02:30:00+02:00"},
		{"repeated hour, second pass", Spec{TimeZone: "Europe/Paris", Week: map[string]string{"sun": "02:30-02:45"}}, "2026-10-25T02:50:00+02:00", "2026-10-25T02:30:00+01:00"},

		{"until midnight", Spec{TimeZone: "Europe/Paris", Week: map[string]string{"mon": "20:00-24:00"}}, "2026-11-16T23:59:59+01:00", "2026-11-16T23:59:59+01:00"},
		{"after a 24:00 range", Spec{TimeZone: "Europe/Paris", Week: map[string]string{"mon": "20:00-24:00"}}, "2026-11-17T00:00:00+01:00", "2026-11-23T20:00:00+01:00"},
		{"sub-second instant", weekdays, "2026-11-16T08:59:59.5+01:00", "2026-11-16T09:00:00+01:00"},
		{"all days closed", Spec{TimeZone: "Europe/Paris", Week: map[string]string{"mon": "closed", "sun": "fermé"}}, "2026-11-16T10:00:00+01:00", ""},
		{"holidays longer than the horizon", Spec{TimeZone: "Europe/Paris", Week: map[string]string{"mon": "09:00-17:00"}, Holidays: []string{"2026-01-01..2027-12-31"}}, "2026-01-05T10:00:00+01:00", ""},
		{"long holidays within the horizon", Spec{TimeZone: "Europe/Paris", Week: map[string]string{"mon": "09:00-17:00"}, Holidays: []string{"2026-01-01..2026-12-20"}}, "2026-01-05T10:00:00+01:00", "2026-12-21T09:00:00+01:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sch := mustParse(t, tt.spec)
			got, ok := sch.Next(at(t, tt.from))
			if tt.want == "" {
				if ok {
					t.Errorf("Next = %v, want never", got)
				}
				return
			}
			want := at(t, tt.want)
			if !ok || !got.Equal(want) {
				t.Fatalf("Next(%s) = %s, %v; want %s", tt.from, got.Format(time.RFC3339), ok, tt.want)
			}
			if !sch.Open(got) {
				t.Errorf("not open at Next's answer %s", got)
			}
		})
	}
}

// TestNextMatchesBruteForce walks the clock minute by minute around the DST
// changes of Paris and Toronto and checks that Next names the first minute
// at which Open is true.
func TestNextMatchesBruteForce(t *testing.T) {
	specs := map[string]Spec{
		"paris": {TimeZone: "Europe/Paris", Week: map[string]string{
			"sat": "01:00-02:15, 02:40-03:10, 09:00-17:00", "sun": "00:00-02:10, 02:30-02:45, 03:20-04:00, 09:00-12:00", "mon": "09:00-24:00",
		}},
		"toronto": {TimeZone: "America/Toronto", Week: map[string]string{
			"sat": "01:00-02:15, 22:00-24:00", "sun": "00:00-01:20, 01:30-01:45, 02:10-02:20, 03:00-03:05, 09:00-12:00", "mon": "00:30-01:00, 09:00-17:00",
		}, Holidays: []string{"2026-11-02"}},
	}
	windows := map[string][]string{
		"paris":   {"2026-03-27T22:00:00Z", "2026-10-23T22:00:00Z"},
		"toronto": {"2026-03-06T22:00:00Z", "2026-10-30T22:00:00Z"},
	}
	for name, spec := range specs {
		sch := mustParse(t, spec)
		for _, w := range windows[name] {
			start := at(t, w)
			// The minute-by-minute answer for every starting minute of a
			// 4-day window, computed backwards in one pass.
			const n = 4 * 24 * 60
			var first [n + 1]time.Time
			for i := n; i >= 0; i-- {
				tm := start.Add(time.Duration(i) * time.Minute)
				switch {
				case sch.Open(tm):
					first[i] = tm
				case i < n:
					first[i] = first[i+1]
				}
			}
			for i := range n {
				from := start.Add(time.Duration(i) * time.Minute)
				if first[i].IsZero() {
					continue // opens after the window
				}
				got, ok := sch.Next(from)
				if !ok || !got.Equal(first[i]) {
					t.Fatalf("%s: Next(%s) = %s, %v; first open minute is %s", name, from.UTC().Format(time.RFC3339), got.UTC().Format(time.RFC3339), ok, first[i].UTC().Format(time.RFC3339))
				}
			}
		}
	}
}

func TestAlways(t *testing.T) {
	var none *Schedule
	var zero Schedule
	for name, sch := range map[string]*Schedule{"Always": Always(), "nil": none, "zero": &zero} {
		t.Run(name, func(t *testing.T) {
			for _, s := range []string{"2026-11-21T03:00:00Z", "2026-12-25T12:00:00+01:00"} {
				tm := at(t, s)
				if !sch.Open(tm) {
					t.Errorf("closed at %s", s)
				}
				if got, ok := sch.Next(tm); !ok || !got.Equal(tm) {
					t.Errorf("Next(%s) = %s, %v", s, got, ok)
				}
			}
			if got := sch.Describe("fr"); got != "tous les jours, 24 h sur 24" {
				t.Errorf("Describe(fr) = %q", got)
			}
			if got := sch.Describe("en"); got != "every day, around the clock" {
				t.Errorf("Describe(en) = %q", got)
			}
			if got := sch.Location(); got != time.UTC {
				t.Errorf("Location = %v", got)
			}
		})
	}
}
