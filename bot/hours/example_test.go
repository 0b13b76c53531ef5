package hours_test

import (
	"fmt"
	"time"

	"github.com/boussole/boussole/bot/hours"
)

// The escalation workflow, outside opening hours: a citizen writes on a
// Friday evening.
func Example() {
	sch, err := hours.Parse(hours.Spec{
		TimeZone: "Europe/Paris",
		Week: map[string]string{
			"lun": "09:00-17:00", "mar": "09:00-17:00", "mer": "09:00-17:00",
			"jeu": "09:00-17:00", "ven": "09:00-17:00",
		},
		Holidays: []string{"2026-11-11", "2026-12-24..2027-01-01"},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	now := time.Date(2026, time.November, 20, 18, 5, 0, 0, time.UTC)
	if !sch.Open(now) {
		next, ok := sch.Next(now)
		if ok {
			fmt.Printf("Les médiateurs répondent %s ; prochaine ouverture : %s.\n", sch.Describe("fr"), sch.FormatNext(next, "fr"))
			fmt.Printf("Mediators answer %s; next opening: %s.\n", sch.Describe("en"), sch.FormatNext(next, "en"))
		}
	}
	// Output:
	// Les médiateurs répondent du lundi au vendredi de 9 h à 17 h ; prochaine ouverture : lundi 23 novembre à 9 h 00.
	// Mediators answer Monday to Friday, 9:00–17:00; next opening: Monday 23 November at 9:00.
}

func ExampleParse_errors() {
	_, err := hours.Parse(hours.Spec{
		TimeZone: "Europe/Paris",
		Week:     map[string]string{"mon": "9h-12h", "fri": "22:00-02:00"},
		Holidays: []string{"2026-12-32"},
	})
	fmt.Println(err)
	// Output:
	// week.fri: "22:00-02:00" ends before it starts; hours past midnight are written as two ranges, up to 24:00 on one day and from 00:00 on the next
	// week.mon: "9h-12h" is not HH:MM-HH:MM
	// holidays[0]: "2026-12-32" is not a date YYYY-MM-DD, a range YYYY-MM-DD..YYYY-MM-DD, or MM-DD / MM-DD..MM-DD for every year
}
