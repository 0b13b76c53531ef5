package hours

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// FuzzParse feeds arbitrary day values and holiday entries to Parse. It
// must never panic; an error must name its field and match ErrInvalid; a
// schedule it accepts must have sorted, separate ranges within the day, and
// Next must land on an open instant.
func FuzzParse(f *testing.F) {
	for _, seed := range [][2]string{
		{"09:00-12:30, 13:30-17:00", "2026-12-25"},
		{"9:00 – 17:00", "2026-12-24..2027-01-01"},
		{"00:00-24:00", "12-24..01-02"},
		{"22:00-02:00", "02-29"},
		{"9h-12h", "2026-02-30"},
		{"09:00-12:00,11:00-13:00", ".."},
		{"closed", "01-01..12-31"},
		{"24:00-24:00,", "2026-12-24..12-31"},
		{"-", "2026-01-01..2026-01-01"},
	} {
		f.Add(seed[0], seed[1])
	}
	from := time.Date(2026, time.March, 27, 18, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, hours, holiday string) {
		sch, err := Parse(Spec{
			TimeZone: "Europe/Paris",
			Week:     map[string]string{"sun": hours, "mon": "09:00-17:00"},
			Holidays: []string{holiday},
		})
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("error does not match ErrInvalid: %v", err)
			}
			for _, line := range strings.Split(err.Error(), "\n") {
				if !strings.HasPrefix(line, "week.sun: ") && !strings.HasPrefix(line, "holidays[0]: ") {
					t.Fatalf("error line names no field: %q", line)
				}
			}
			return
		}
		var prevEnd time.Duration = -1
		for _, sp := range sch.week[time.Sunday] {
			if sp.start < 0 || sp.end > day || sp.start >= sp.end || sp.start <= prevEnd {
				t.Fatalf("bad ranges %v from %q", sch.week[time.Sunday], hours)
			}
			prevEnd = sp.end
		}
		if next, ok := sch.Next(from); ok && !sch.Open(next) {
			t.Fatalf("Next = %v is not open", next)
		}
		_ = sch.Describe("fr") + sch.Describe("en")
	})
}
