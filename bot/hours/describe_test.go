package hours

import "testing"

func TestDescribe(t *testing.T) {
	tests := []struct {
		name   string
		week   map[string]string
		fr, en string
	}{
		{
			"weekdays with lunch",
			weekdays.Week,
			"du lundi au vendredi de 9 h à 12 h 30 et de 13 h 30 à 17 h",
			"Monday to Friday, 9:00–12:30 and 13:30–17:00",
		},
		{
			"shorter friday, saturday morning",
			map[string]string{"mon": "09:00-17:00", "tue": "09:00-17:00", "wed": "09:00-17:00", "thu": "09:00-17:00", "fri": "09:00-16:00", "sat": "09:00-12:00"},
			"du lundi au jeudi de 9 h à 17 h, le vendredi de 9 h à 16 h, le samedi de 9 h à 12 h",
			"Monday to Thursday, 9:00–17:00; Friday, 9:00–16:00; Saturday, 9:00–12:00",
		},
		{
			"two separate days",
			map[string]string{"mar": "14:00-17:00", "jeu": "14:00-17:00"},
			"le mardi et le jeudi de 14 h à 17 h",
			"Tuesday and Thursday, 14:00–17:00",
		},
		{
			"run and a lone day with the same hours",
			map[string]string{"mon": "09:00-17:00", "tue": "09:00-17:00", "wed": "09:00-17:00", "thu": "closed", "fri": "09:00-17:00"},
			"du lundi au mercredi et le vendredi de 9 h à 17 h",
			"Monday to Wednesday and Friday, 9:00–17:00",
		},
		{
			"two consecutive days are named one by one",
			map[string]string{"sat": "10:00-12:00", "sun": "10:00-12:00", "wed": "08:15-09:45, 10:00-11:00, 14:00-24:00"},
			"le mercredi de 8 h 15 à 9 h 45, de 10 h à 11 h et de 14 h à 24 h, le samedi et le dimanche de 10 h à 12 h",
			"Wednesday, 8:15–9:45, 10:00–11:00 and 14:00–24:00; Saturday and Sunday, 10:00–12:00",
		},
		{
			"every day",
			map[string]string{"mon": "00:00-24:00", "tue": "00:00-24:00", "wed": "00:00-24:00", "thu": "00:00-24:00", "fri": "00:00-24:00", "sat": "00:00-24:00", "sun": "00:00-24:00"},
			"tous les jours de 0 h à 24 h",
			"every day, 0:00–24:00",
		},
		{
			"never open",
			map[string]string{"mon": "closed"},
			"", "",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sch := mustParse(t, Spec{TimeZone: "Europe/Paris", Week: tt.week})
			for _, c := range []struct{ lang, want string }{
				{"fr", tt.fr}, {"fr-CA", tt.fr}, {"fr_FR", tt.fr}, {"", tt.fr},
				{"en", tt.en}, {"en-CA", tt.en}, {"EN", tt.en},
			} {
				if got := sch.Describe(c.lang); got != c.want {
					t.Errorf("Describe(%q) = %q\nwant %q", c.lang, got, c.want)
				}
			}
		})
	}
}

func TestFormatNext(t *testing.T) {
	paris := mustParse(t, weekdays)
	toronto := mustParse(t, Spec{TimeZone: "America/Toronto", Week: map[string]string{"mon": "09:00-17:00"}})
	tests := []struct {
		sch  *Schedule
		at   string
		lang string
		want string
	}{
		{paris, "2026-11-23T09:00:00+01:00", "fr", "lundi 23 novembre à 9 h 00"},
		{paris, "2026-11-23T09:00:00+01:00", "en", "Monday 23 November at 9:00"},
		{paris, "2026-12-01T13:30:00+01:00", "fr", "mardi 1er décembre à 13 h 30"},
		{paris, "2026-12-01T13:30:00+01:00", "en", "Tuesday 1 December at 13:30"},
		{paris, "2026-08-17T07:00:00Z", "fr", "lundi 17 août à 9 h 00"}, // summer time
		{paris, "2026-11-23T08:00:00Z", "fr", "lundi 23 novembre à 9 h 00"},
		{toronto, "2026-11-23T14:00:00Z", "fr-CA", "lundi 23 novembre à 9 h 00"},
		{toronto, "2026-11-23T14:00:00Z", "en-CA", "Monday 23 November at 9:00"},
		{Always(), "2026-11-23T14:00:00Z", "fr", "lundi 23 novembre à 14 h 00"},
	}
	for _, tt := range tests {
		if got := tt.sch.FormatNext(at(t, tt.at), tt.lang); got != tt.want {
			t.Errorf("FormatNext(%s, %s) = %q, want %q", tt.at, tt.lang, got, tt.want)
		}
	}
}
