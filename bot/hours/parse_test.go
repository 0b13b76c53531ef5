package hours

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

// Every problem is reported at once, in a stable order, each naming its
// field as written in the configuration.
func TestParseReportsAllProblems(t *testing.T) {
	_, err := Parse(Spec{
		TimeZone: "Europe/Pari",
		Week: map[string]string{
			"mon":    "9h-12h",
			"lun":    "09:00-10:00",
			"tue":    "09:00-12:00, 11:00-13:00",
			"wed":    "22:00-02:00",
			"thu":    "09:00-09:00, 24:00-24:00",
			"fri":    "25:00-26:00, 09:60-10:00, 9:00",
			"sat":    "08:00-18:00, 09:00-10:00, 12:00-13:00",
			"monday": "09:00-17:00",
		},
		Holidays: []string{"2026-12-25", "2026-13-01", "2027-01-01..2026-12-24", "25/12", "2026-12-24..12-31", "02-30"},
	})
	if err == nil {
		t.Fatal("no error")
	}
	want := []string{
		`timezone: load "Europe/Pari" (an IANA zone name such as Europe/Paris or America/Toronto): unknown time zone Europe/Pari`,
		`week.fri: "25:00-26:00" is not HH:MM-HH:MM`,
		`week.fri: "09:60-10:00" is not HH:MM-HH:MM`,
		`week.fri: "9:00" is not HH:MM-HH:MM`,
		`week.mon: same day as week.lun`,
		`week.monday: unknown day; use mon tue wed thu fri sat sun or lun mar mer jeu ven sam dim`,
		`week.sat: "09:00-10:00" overlaps "08:00-18:00"`,
		`week.sat: "12:00-13:00" overlaps "08:00-18:00"`,
		`week.thu: "09:00-09:00" is empty`,
		`week.thu: "24:00-24:00" starts at 24:00; write 00:00 on the next day`,
		`week.tue: "11:00-13:00" overlaps "09:00-12:00"`,
		`week.wed: "22:00-02:00" ends before it starts; hours past midnight are written as two ranges, up to 24:00 on one day and from 00:00 on the next`,
		`holidays[1]: "2026-13-01" is not a date YYYY-MM-DD, a range YYYY-MM-DD..YYYY-MM-DD, or MM-DD / MM-DD..MM-DD for every year`,
		`holidays[2]: "2027-01-01..2026-12-24" ends before it starts`,
		`holidays[3]: "25/12" is not a date YYYY-MM-DD, a range YYYY-MM-DD..YYYY-MM-DD, or MM-DD / MM-DD..MM-DD for every year`,
		`holidays[4]: "2026-12-24..12-31" is not a date YYYY-MM-DD, a range YYYY-MM-DD..YYYY-MM-DD, or MM-DD / MM-DD..MM-DD for every year`,
		`holidays[5]: "02-30" is not a date YYYY-MM-DD, a range YYYY-MM-DD..YYYY-MM-DD, or MM-DD / MM-DD..MM-DD for every year`,
	}
	got := strings.Split(err.Error(), "\n")
	if !slices.Equal(got, want) {
		t.Errorf("errors:\n%s\nwant:\n%s", err, strings.Join(want, "\n"))
	}
	if !errors.Is(err, ErrInvalid) {
		t.Error("errors.Is(err, ErrInvalid) = false")
	}
	var fe *FieldError
	if !errors.As(err, &fe) || fe.Field != "timezone" {
		t.Errorf("errors.As FieldError: %v", fe)
	}
	// The zone error wraps time.LoadLocation's.
	_, zerr := time.LoadLocation("Europe/Pari")
	if errors.Unwrap(fe.Err) == nil || errors.Unwrap(fe.Err).Error() != zerr.Error() {
		t.Errorf("zone error does not wrap LoadLocation's: %v", fe.Err)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		spec Spec
		want string
	}{
		{"no zone", Spec{Week: map[string]string{"mon": "09:00-17:00"}}, "timezone: required: an IANA zone name such as Europe/Paris or America/Toronto"},
		{"Local zone", Spec{TimeZone: "Local", Week: map[string]string{"mon": "09:00-17:00"}}, "timezone: Local depends on the server's settings: name the zone, such as Europe/Paris or America/Toronto"},
		{"zone without hours", Spec{TimeZone: "Europe/Paris"}, "week: no opening hours; leave the whole hours section out for a queue that is always open"},
		{"holidays without zone", Spec{Holidays: []string{"2026-12-25"}, Week: map[string]string{"mon": "09:00-17:00"}}, "timezone: required: an IANA zone name such as Europe/Paris or America/Toronto"},
		{"no dash", Spec{TimeZone: "UTC", Week: map[string]string{"mon": "09:00"}}, `week.mon: "09:00" is not HH:MM-HH:MM`},
		{"empty piece", Spec{TimeZone: "UTC", Week: map[string]string{"mon": "09:00-12:00,"}}, `week.mon: "" is not HH:MM-HH:MM`},
		{"seconds", Spec{TimeZone: "UTC", Week: map[string]string{"mon": "09:00:00-12:00:00"}}, `week.mon: "09:00:00-12:00:00" is not HH:MM-HH:MM`},
		{"three-digit hour", Spec{TimeZone: "UTC", Week: map[string]string{"mon": "009:00-12:00"}}, `week.mon: "009:00-12:00" is not HH:MM-HH:MM`},
		{"24:30", Spec{TimeZone: "UTC", Week: map[string]string{"mon": "20:00-24:30"}}, `week.mon: "20:00-24:30" is not HH:MM-HH:MM`},
		{"same day twice, case", Spec{TimeZone: "UTC", Week: map[string]string{"Mon": "09:00-12:00", "mon": "13:00-14:00"}}, "week.mon: same day as week.Mon"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(tt.spec)
			if err == nil || err.Error() != tt.want {
				t.Errorf("err = %v\nwant  %s", err, tt.want)
			}
			if !errors.Is(err, ErrInvalid) {
				t.Error("does not match ErrInvalid")
			}
		})
	}
}

func TestParseAccepts(t *testing.T) {
	tests := []struct {
		name string
		day  string
		want []span
	}{
		{"one range", "09:00-17:00", []span{{9 * time.Hour, 17 * time.Hour}}},
		{"lunch break", "09:00-12:30, 13:30-17:00", []span{{9 * time.Hour, 12*time.Hour + 30*time.Minute}, {13*time.Hour + 30*time.Minute, 17 * time.Hour}}},
		{"spaces and en dash", " 9:00 – 12:00 ,13:00 - 17:00 ", []span{{9 * time.Hour, 12 * time.Hour}, {13 * time.Hour, 17 * time.Hour}}},
		{"out of order", "13:00-17:00, 09:00-12:00", []span{{9 * time.Hour, 12 * time.Hour}, {13 * time.Hour, 17 * time.Hour}}},
		{"touching ranges merge", "09:00-12:00, 12:00-13:00", []span{{9 * time.Hour, 13 * time.Hour}}},
		{"whole day", "00:00-24:00", []span{{0, 24 * time.Hour}}},
		{"closed", "closed", nil},
		{"fermé", "Fermé", nil},
		{"ferme", "FERME", nil},
		{"empty", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sch := mustParse(t, Spec{TimeZone: "Europe/Paris", Week: map[string]string{"jeu": tt.day}})
			if got := sch.week[time.Thursday]; !slices.Equal(got, tt.want) {
				t.Errorf("spans = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestParseZeroSpecIsAlways(t *testing.T) {
	sch, err := Parse(Spec{})
	if err != nil {
		t.Fatal(err)
	}
	if !sch.always() {
		t.Error("zero Spec is not always open")
	}
}

func TestYearlyHolidays(t *testing.T) {
	sch := mustParse(t, Spec{
		TimeZone: "Europe/Paris",
		Week:     map[string]string{"lun": "09:00-17:00", "mar": "09:00-17:00", "mer": "09:00-17:00", "jeu": "09:00-17:00", "ven": "09:00-17:00"},
		Holidays: []string{"12-24..01-02", "02-29", " 07-14 ", "08-10..08-14"},
	})
	tests := []struct {
		date string
		want bool // closed
	}{
		{"2026-12-23", false},
		{"2026-12-24", true},
		{"2026-12-31", true},
		{"2027-01-01", true},
		{"2027-01-04", false},
		{"2027-12-24", true},
		{"2028-02-29", true},
		{"2028-02-28", false},
		{"2028-03-01", false},
		{"2026-07-14", true},
		{"2026-08-10", true},
		{"2026-08-14", true},
		{"2026-08-17", false},
	}
	for _, tt := range tests {
		d, _ := time.Parse(time.DateOnly, tt.date)
		if got := sch.holiday(d); got != tt.want {
			t.Errorf("holiday(%s) = %v, want %v", tt.date, got, tt.want)
		}
	}
}

// A yearly range over New Year that passes through February keeps
// 29 February in it.
func TestYearlyRangeKeepsLeapDay(t *testing.T) {
	sch := mustParse(t, Spec{TimeZone: "UTC", Week: map[string]string{"mon": "09:00-17:00"}, Holidays: []string{"12-01..03-01"}})
	d, _ := time.Parse(time.DateOnly, "2028-02-29")
	if !sch.holiday(d) {
		t.Error("29 February is not closed")
	}
	d, _ = time.Parse(time.DateOnly, "2028-03-02")
	if sch.holiday(d) {
		t.Error("2 March is closed")
	}
}
