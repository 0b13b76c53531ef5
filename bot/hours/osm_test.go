package hours

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"
)

func loadZone(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// weekString writes a schedule's week back in OSM form, Monday first,
// one day at a time: "Mo 09:00-12:00|Tu off|…".
func weekString(s *Schedule) string {
	days := make([]string, 7)
	for i := range days {
		d := (i + 1) % 7
		if len(s.week[d]) == 0 {
			days[i] = osmDays[d] + " off"
			continue
		}
		r := make([]string, len(s.week[d]))
		for j, sp := range s.week[d] {
			r[j] = clock(sp.start) + "-" + clock(sp.end)
		}
		days[i] = osmDays[d] + " " + strings.Join(r, ",")
	}
	return strings.Join(days, "|")
}

func clock(d time.Duration) string {
	return fmt.Sprintf("%02d:%02d", int(d/time.Hour), int(d%time.Hour/time.Minute))
}

func TestParseOSM(t *testing.T) {
	paris := loadZone(t, "Europe/Paris")
	for _, c := range []struct{ spec, want string }{
		{"Mo-Fr 09:00-12:30,13:30-16:30; Sa 09:00-12:00",
			"Mo 09:00-12:30,13:30-16:30|Tu 09:00-12:30,13:30-16:30|We 09:00-12:30,13:30-16:30|Th 09:00-12:30,13:30-16:30|Fr 09:00-12:30,13:30-16:30|Sa 09:00-12:00|Su off"},
		// A later rule replaces the days it names, whole.
		{"Mo-Fr 08:30-12:00; Tu 08:30-17:30",
			"Mo 08:30-12:00|Tu 08:30-17:30|We 08:30-12:00|Th 08:30-12:00|Fr 08:30-12:00|Sa off|Su off"},
		{"Mo-Fr 08:00-12:15; We off",
			"Mo 08:00-12:15|Tu 08:00-12:15|We off|Th 08:00-12:15|Fr 08:00-12:15|Sa off|Su off"},
		{"Mo-Fr 09:00-12:00; We closed",
			"Mo 09:00-12:00|Tu 09:00-12:00|We off|Th 09:00-12:00|Fr 09:00-12:00|Sa off|Su off"},
		{"Mo,We,Fr 10:00-12:00",
			"Mo 10:00-12:00|Tu off|We 10:00-12:00|Th off|Fr 10:00-12:00|Sa off|Su off"},
		{"Mo-We,Fr 10:00-12:00",
			"Mo 10:00-12:00|Tu 10:00-12:00|We 10:00-12:00|Th off|Fr 10:00-12:00|Sa off|Su off"},
		// From the PACA export: overlapping ranges merge, Thursday and
		// Friday are replaced.
		{"Tu-Su 09:00-22:00,09:00-11:30; Th 09:00-11:30; Fr off",
			"Mo off|Tu 09:00-22:00|We 09:00-22:00|Th 09:00-11:30|Fr off|Sa 09:00-22:00|Su 09:00-22:00"},
		{"Mo 13:30-17:00,09:00-12:30",
			"Mo 09:00-12:30,13:30-17:00|Tu off|We off|Th off|Fr off|Sa off|Su off"},
		{"Mo-Fr 09:00-12:30,12:30-17:30; We 09:00-12:30,12:30-17:00",
			"Mo 09:00-17:30|Tu 09:00-17:30|We 09:00-17:00|Th 09:00-17:30|Fr 09:00-17:30|Sa off|Su off"},
		{"Sa-Mo 10:00-12:00",
			"Mo 10:00-12:00|Tu off|We off|Th off|Fr off|Sa 10:00-12:00|Su 10:00-12:00"},
		{"08:00-17:00",
			"Mo 08:00-17:00|Tu 08:00-17:00|We 08:00-17:00|Th 08:00-17:00|Fr 08:00-17:00|Sa 08:00-17:00|Su 08:00-17:00"},
		{"10:00-18:00; Su,PH off",
			"Mo 10:00-18:00|Tu 10:00-18:00|We 10:00-18:00|Th 10:00-18:00|Fr 10:00-18:00|Sa 10:00-18:00|Su off"},
		{"24/7", "Mo 00:00-24:00|Tu 00:00-24:00|We 00:00-24:00|Th 00:00-24:00|Fr 00:00-24:00|Sa 00:00-24:00|Su 00:00-24:00"},
		{"24/7; PH off", "Mo 00:00-24:00|Tu 00:00-24:00|We 00:00-24:00|Th 00:00-24:00|Fr 00:00-24:00|Sa 00:00-24:00|Su 00:00-24:00"},
		{"Mo-Fr 09:00-17:00; PH off; Sa 10:00-12:00;",
			"Mo 09:00-17:00|Tu 09:00-17:00|We 09:00-17:00|Th 09:00-17:00|Fr 09:00-17:00|Sa 10:00-12:00|Su off"},
		{"  Mo - Fr 9:00 - 12:00 , 14:00 - 24:00 ",
			"Mo 09:00-12:00,14:00-24:00|Tu 09:00-12:00,14:00-24:00|We 09:00-12:00,14:00-24:00|Th 09:00-12:00,14:00-24:00|Fr 09:00-12:00,14:00-24:00|Sa off|Su off"},
		{"off", "Mo off|Tu off|We off|Th off|Fr off|Sa off|Su off"},
	} {
		s, err := ParseOSM(c.spec, paris)
		if err != nil {
			t.Errorf("ParseOSM(%q): %v", c.spec, err)
			continue
		}
		if got := weekString(s); got != c.want {
			t.Errorf("ParseOSM(%q):\ngot  %s\nwant %s", c.spec, got, c.want)
		}
		if s.Location() != paris {
			t.Errorf("ParseOSM(%q) zone = %v", c.spec, s.Location())
		}
	}
}

func TestParseOSMRefuses(t *testing.T) {
	paris := loadZone(t, "Europe/Paris")
	for _, c := range []struct{ spec, part string }{
		{"", "no rule"},
		{" ; ", "no rule"},
		{"Jan-Mar Mo 09:00-12:00", `"Jan-Mar"`},
		{"Mo-Fr 09:00-12:00 || Sa 10:00-12:00", "||"},
		{`Mo-Fr 09:00-12:00 "sur rendez-vous"`, `"\"sur"`},
		{"Mo[1] 09:00-12:00", `"Mo[1]"`},
		{"Mo-Fr 18:00+", `"18:00+"`},
		{"Mo-Fr 09:00-19:00; Sa 17:00", `"17:00" is a time`},
		{"Mo-Fr sunrise-sunset", `"sunrise-sunset"`},
		{"SH off", "school holidays"},
		{"PH 10:00-12:00", "public holidays"},
		{"Fr 22:00-02:00", "passes midnight"},
		{"Mo 9-12", `"9-12"`},
		{"Tu 30-19", `"30-19"`},
		{"We 09:30-13:00-18:00", `"09:30-13:00-18:00"`},
		{"Mo 09:00-12:00, We 10:00-12:00", `"09:00-12:00,We 10:00-12:00"`},
		{"week 1-20 Mo 09:00-12:00", `"week"`},
		{"Mo-Fr", "without hours"},
		{"Mo 12:00-12:00", "empty"},
		{"Mo 24:00-24:00", "starts at 24:00"},
		{"Mo 09:00-25:00", `"09:00-25:00"`},
		{"mo-fr 09:00-12:00", `"mo-fr"`},
		{"Mo-Fr 09:00-12:00 open", `"09:00-12:00 open"`},
	} {
		_, err := ParseOSM(c.spec, paris)
		switch {
		case err == nil:
			t.Errorf("ParseOSM(%q) accepted it", c.spec)
		case !errors.Is(err, ErrInvalid):
			t.Errorf("ParseOSM(%q) = %v, does not match ErrInvalid", c.spec, err)
		case !strings.Contains(err.Error(), c.part):
			t.Errorf("ParseOSM(%q) = %v, want it to name %s", c.spec, err, c.part)
		}
	}
	if _, err := ParseOSM("Mo-Fr 09:00-12:00", nil); !errors.Is(err, ErrInvalid) {
		t.Errorf("ParseOSM without a zone = %v, want ErrInvalid", err)
	}
}

// pacaFile is the real export of digital-mediation places in
// Provence-Alpes-Côte d'Azur (LaMednum standard, 2023-05-16).
const pacaFile = "../../../shared/data/places/lieux-mediation-numerique-paca-2023-05-16.json"

// TestParseOSMPACA parses the opening hours of every place of the PACA
// export. The values it refuses are typing mistakes outside the syntax,
// listed here by their rule: showing them as written is all a reader can
// do with them.
func TestParseOSMPACA(t *testing.T) {
	raw, err := os.ReadFile(pacaFile)
	if os.IsNotExist(err) {
		t.Skipf("no shared data: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	var rows []struct {
		Hours string `json:"horaires"`
	}
	if err := json.Unmarshal(raw, &rows); err != nil {
		t.Fatal(err)
	}
	refused := map[string]string{
		// A time alone: closing time? opening time? a pick-up time?
		`"Sa 17:00"`: "a time", `"Sa 10:00"`: "a time",
		// Three times run together.
		`"We,Th 12:00-14:00-17:00"`: "three times", `"Mo 08:45-12:00-13:45"`: "three times",
		`"We 09:30-13:00-18:00"`: "three times", `"We,Th 9-12:15-13:30,17:30"`: "three times",
		`"Th 14-18:10-19"`: "three times", `"Mo 9-12:30-13:30-18"`: "three times",
		`"Tu,We 10:00-12:00,17:30:10:00-12:00"`: "three times",
		// Hours without minutes, in values that also hold a rule without
		// days (« Mo 9-12;9-12,13-18:00 »): read as written, they would
		// open the place every day, Sunday included.
		`"Mo 14-17"`: "no minutes", `"Mo 9-12"`: "no minutes", `"Mo 15-19"`: "no minutes",
		`"10-12,13:30-18:30"`: "no minutes",
		// Thirty o'clock.
		`"Tu 30-19"`: "not a time",
	}
	places, parsed := 0, 0
	seen := map[string]bool{}
	paris := loadZone(t, "Europe/Paris")
	for _, r := range rows {
		if r.Hours == "" {
			continue
		}
		places++
		if _, err := ParseOSM(r.Hours, paris); err != nil {
			_, rest, _ := strings.Cut(err.Error(), "rule ")
			rule, _, _ := strings.Cut(rest, ": ")
			if _, ok := refused[rule]; !ok {
				t.Errorf("refused %q: %v", r.Hours, err)
			}
			seen[rule] = true
			continue
		}
		parsed++
	}
	for rule := range refused {
		if !seen[rule] {
			t.Errorf("rule %s is no longer refused: take it off the list", rule)
		}
	}
	t.Logf("%d places with hours, %d parsed, %d refused", places, parsed, places-parsed)
	if places != 511 || parsed != 497 {
		t.Errorf("%d places with hours, %d parsed: want 511 and 497", places, parsed)
	}
}

func TestToday(t *testing.T) {
	paris := loadZone(t, "Europe/Paris")
	s, err := ParseOSM("Mo-Fr 09:00-12:30,13:30-16:30; We off; Sa 09:00-12:00", paris)
	if err != nil {
		t.Fatal(err)
	}
	type want struct {
		open                 bool
		ranges, closes, next string
		nextAt               time.Time
	}
	fr := "9 h – 12 h 30, 13 h 30 – 16 h 30"
	for _, c := range []struct {
		name string
		t    time.Time
		lang string
		want want
	}{
		{"Monday morning", time.Date(2026, 12, 7, 10, 0, 0, 0, paris), "fr",
			want{true, fr, "12 h 30", "", time.Time{}}},
		{"Monday morning, asked in UTC", time.Date(2026, 12, 7, 8, 30, 0, 0, time.UTC), "fr",
			want{true, fr, "12 h 30", "", time.Time{}}},
		{"Monday morning in English", time.Date(2026, 12, 7, 10, 0, 0, 0, paris), "en",
			want{true, "9:00–12:30, 13:30–16:30", "12:30", "", time.Time{}}},
		{"at opening", time.Date(2026, 12, 7, 9, 0, 0, 0, paris), "fr",
			want{true, fr, "12 h 30", "", time.Time{}}},
		{"lunch break", time.Date(2026, 12, 7, 12, 30, 0, 0, paris), "fr",
			want{false, fr, "", "lundi 7 décembre à 13 h 30", time.Date(2026, 12, 7, 13, 30, 0, 0, paris)}},
		{"before opening", time.Date(2026, 12, 7, 7, 0, 0, 0, paris), "fr",
			want{false, fr, "", "lundi 7 décembre à 9 h 00", time.Date(2026, 12, 7, 9, 0, 0, 0, paris)}},
		{"Wednesday, closed by a later rule", time.Date(2026, 12, 9, 10, 0, 0, 0, paris), "fr",
			want{false, "", "", "jeudi 10 décembre à 9 h 00", time.Date(2026, 12, 10, 9, 0, 0, 0, paris)}},
		{"Saturday afternoon", time.Date(2026, 12, 12, 15, 0, 0, 0, paris), "fr",
			want{false, "9 h – 12 h", "", "lundi 14 décembre à 9 h 00", time.Date(2026, 12, 14, 9, 0, 0, 0, paris)}},
		{"Sunday in English", time.Date(2026, 12, 13, 15, 0, 0, 0, paris), "en",
			want{false, "", "", "Monday 14 December at 9:00", time.Date(2026, 12, 14, 9, 0, 0, 0, paris)}},
		// Clocks go forward on Sunday 29 March 2026: Monday's 9 h is 7 h UTC.
		{"week of the spring change", time.Date(2026, 3, 28, 13, 0, 0, 0, paris), "fr",
			want{false, "9 h – 12 h", "", "lundi 30 mars à 9 h 00", time.Date(2026, 3, 30, 7, 0, 0, 0, time.UTC)}},
		// And back on Sunday 25 October: Monday's 9 h is 8 h UTC.
		{"week of the autumn change", time.Date(2026, 10, 25, 2, 30, 0, 0, time.UTC), "fr",
			want{false, "", "", "lundi 26 octobre à 9 h 00", time.Date(2026, 10, 26, 8, 0, 0, 0, time.UTC)}},
	} {
		h := s.Today(c.t, c.lang)
		got := want{h.Open, h.Ranges, h.Closes, h.Next, h.NextAt}
		if got.open != c.want.open || got.ranges != c.want.ranges || got.closes != c.want.closes ||
			got.next != c.want.next || !got.nextAt.Equal(c.want.nextAt) {
			t.Errorf("%s: Today(%v) =\n%+v, want\n%+v", c.name, c.t, got, c.want)
		}
	}
}

func TestTodayQuebecAcrossDST(t *testing.T) {
	// Clocks go back on Sunday 1 November 2026 in Québec: Monday's
	// 8 h 30 is 13 h 30 UTC, where Friday's was 12 h 30.
	montreal := loadZone(t, "America/Toronto")
	s, err := ParseOSM("Mo-Fr 08:30-16:30", montreal)
	if err != nil {
		t.Fatal(err)
	}
	h := s.Today(time.Date(2026, 10, 30, 21, 0, 0, 0, time.UTC), "fr-CA")
	if h.Open || h.Ranges != "8 h 30 – 16 h 30" || !h.NextAt.Equal(time.Date(2026, 11, 2, 13, 30, 0, 0, time.UTC)) ||
		h.Next != "lundi 2 novembre à 8 h 30" {
		t.Errorf("Friday evening: %+v", h)
	}
	if h := s.Today(time.Date(2026, 10, 30, 12, 30, 0, 0, time.UTC), "en-CA"); !h.Open || h.Closes != "16:30" {
		t.Errorf("Friday 8:30 in Montréal: %+v", h)
	}
}

func TestTodayHolidayAndAlways(t *testing.T) {
	sch := mustParse(t, weekdays)
	paris := loadZone(t, "Europe/Paris")
	h := sch.Today(time.Date(2026, 11, 11, 10, 0, 0, 0, paris), "fr")
	if h.Open || h.Ranges != "" || h.Next != "jeudi 12 novembre à 9 h 00" {
		t.Errorf("11 November: %+v", h)
	}
	for _, s := range []*Schedule{nil, Always()} {
		h := s.Today(time.Date(2026, 11, 11, 10, 0, 0, 0, paris), "fr")
		if !h.Open || h.Ranges != "0 h – 24 h" || h.Closes != "24 h" || h.Next != "" {
			t.Errorf("always open: %+v", h)
		}
	}
	never, err := ParseOSM("off", paris)
	if err != nil {
		t.Fatal(err)
	}
	if h := never.Today(time.Date(2026, 11, 11, 10, 0, 0, 0, paris), "fr"); h.Open || h.Ranges != "" || h.Next != "" || !h.NextAt.IsZero() {
		t.Errorf("never open: %+v", h)
	}
}

func TestDescribeOSM(t *testing.T) {
	s, err := ParseOSM("Mo-Fr 08:30-12:00; Tu 08:30-17:30", loadZone(t, "Europe/Paris"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := s.Describe("fr"), "le lundi et du mercredi au vendredi de 8 h 30 à 12 h, le mardi de 8 h 30 à 17 h 30"; got != want {
		t.Errorf("Describe = %q, want %q", got, want)
	}
}

// FuzzParseOSM: ParseOSM never panics; its errors match ErrInvalid and
// name the rule; what it accepts has sorted, separate ranges within the
// day, and Next lands on an open instant.
func FuzzParseOSM(f *testing.F) {
	for _, seed := range []string{
		"Mo-Fr 09:00-12:30,13:30-16:30; Sa 09:00-12:00", "Tu-Su 09:00-22:00,09:00-11:30; Th 09:00-11:30; Fr off",
		"24/7; PH off", "Sa-Mo 10:00-12:00", "Mo 9-12;9-12,13-18:00", "Sa 17:00", "Jan-Mar Mo 09:00-12:00",
		"Mo - Fr 9:00 - 12:00 , 14:00 - 24:00", ";", "-", ",", "Mo,,Fr 09:00-10:00", "Mo-",
	} {
		f.Add(seed)
	}
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		f.Fatal(err)
	}
	from := time.Date(2026, time.March, 27, 18, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, spec string) {
		s, err := ParseOSM(spec, paris)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("error does not match ErrInvalid: %v", err)
			}
			if !strings.Contains(err.Error(), "rule ") && !strings.Contains(err.Error(), "no rule") {
				t.Fatalf("error names no rule: %v", err)
			}
			return
		}
		for d, spans := range s.week {
			if !slices.IsSortedFunc(spans, func(a, b span) int { return int(a.start - b.start) }) {
				t.Fatalf("day %d: unsorted %v", d, spans)
			}
			var prevEnd time.Duration = -1
			for _, sp := range spans {
				if sp.start < 0 || sp.end > day || sp.start >= sp.end || sp.start <= prevEnd {
					t.Fatalf("day %d: bad ranges %v from %q", d, spans, spec)
				}
				prevEnd = sp.end
			}
		}
		if next, ok := s.Next(from); ok && !s.Open(next) {
			t.Fatalf("Next = %v is not open", next)
		}
		_ = s.Today(from, "fr").Ranges + s.Describe("en")
	})
}
