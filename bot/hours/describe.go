package hours

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Name tables, indexed by time.Weekday and by time.Month - 1.
var (
	frWeekdays = [7]string{"dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"}
	enWeekdays = [7]string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}
	frMonths   = [12]string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"}
	enMonths   = [12]string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}
)

// english reports whether lang ("en", "en-CA", "fr-CA"…) asks for English.
// Everything else gets French, the bot's default language. France and
// Québec write hours the same way ("9 h 30"; the Office québécois de la
// langue française and French typography agree), so French has no
// regional variant here.
func english(lang string) bool {
	base, _, _ := strings.Cut(strings.ToLower(lang), "-")
	base, _, _ = strings.Cut(base, "_")
	return base == "en"
}

// Describe returns the weekly hours in lang, to be inserted in a catalogue
// sentence such as "Les médiateurs répondent {hours}.":
//
//	fr: du lundi au vendredi de 9 h à 12 h 30 et de 13 h 30 à 17 h, le samedi de 9 h à 12 h
//	en: Monday to Friday, 9:00–12:30 and 13:30–17:00; Saturday, 9:00–12:00
//
// Days with identical hours are described together, consecutive ones as a
// span ("du lundi au mercredi et le vendredi"). French uses the running-text
// form "de 9 h à 17 h", which reads naturally after a verb in both France
// and Québec. Holidays are not described. Describe returns "" for a
// schedule that is never open; callers learn that from Next first.
func (s *Schedule) Describe(lang string) string {
	en := english(lang)
	if s.always() {
		if en {
			return "every day, around the clock"
		}
		return "tous les jours, 24 h sur 24"
	}
	type group struct {
		spans []span
		days  []int // 0 is Monday
	}
	var groups []*group
	for i := range 7 {
		spans := s.week[(i+1)%7]
		if len(spans) == 0 {
			continue
		}
		j := slices.IndexFunc(groups, func(g *group) bool { return slices.Equal(g.spans, spans) })
		if j < 0 {
			groups = append(groups, &group{spans: spans})
			j = len(groups) - 1
		}
		groups[j].days = append(groups[j].days, i)
	}
	parts := make([]string, 0, len(groups))
	for _, g := range groups {
		if en {
			parts = append(parts, describeDays(g.days, true)+", "+describeSpans(g.spans, true))
		} else {
			parts = append(parts, describeDays(g.days, false)+" "+describeSpans(g.spans, false))
		}
	}
	if en {
		return strings.Join(parts, "; ")
	}
	return strings.Join(parts, ", ")
}

// describeDays names a sorted set of days (0 is Monday): runs of three days
// or more as "du lundi au mercredi" / "Monday to Wednesday", other days one
// by one.
func describeDays(days []int, en bool) string {
	if len(days) == 7 {
		if en {
			return "every day"
		}
		return "tous les jours"
	}
	name := func(i int) string {
		if en {
			return enWeekdays[(i+1)%7]
		}
		return frWeekdays[(i+1)%7]
	}
	var items []string
	for i := 0; i < len(days); {
		j := i
		for j+1 < len(days) && days[j+1] == days[j]+1 {
			j++
		}
		switch {
		case j-i >= 2 && en:
			items = append(items, name(days[i])+" to "+name(days[j]))
		case j-i >= 2:
			items = append(items, "du "+name(days[i])+" au "+name(days[j]))
		default:
			for _, d := range days[i : j+1] {
				if en {
					items = append(items, name(d))
				} else {
					items = append(items, "le "+name(d))
				}
			}
		}
		i = j + 1
	}
	return joinList(items, en)
}

// describeSpans writes one day's ranges: "de 9 h à 12 h 30 et de 13 h 30
// à 17 h" / "9:00–12:30 and 13:30–17:00".
func describeSpans(spans []span, en bool) string {
	items := make([]string, len(spans))
	for i, sp := range spans {
		if en {
			items[i] = enClock(sp.start) + "–" + enClock(sp.end)
		} else {
			items[i] = "de " + frClock(sp.start, false) + " à " + frClock(sp.end, false)
		}
	}
	return joinList(items, en)
}

// joinList joins "a, b and c" / "a, b et c".
func joinList(items []string, en bool) string {
	if len(items) < 2 {
		return strings.Join(items, "")
	}
	and := " et "
	if en {
		and = " and "
	}
	return strings.Join(items[:len(items)-1], ", ") + and + items[len(items)-1]
}

// frClock writes a time of day the French way: "9 h", "12 h 30", or
// "9 h 00" when zeroMinutes is set (for a precise appointment).
func frClock(d time.Duration, zeroMinutes bool) string {
	h, m := int(d/time.Hour), int(d%time.Hour/time.Minute)
	if m == 0 && !zeroMinutes {
		return strconv.Itoa(h) + " h"
	}
	return fmt.Sprintf("%d h %02d", h, m)
}

// enClock writes a time of day on a 24-hour clock: "9:00", "13:30".
func enClock(d time.Duration) string {
	return fmt.Sprintf("%d:%02d", int(d/time.Hour), int(d%time.Hour/time.Minute))
}

// FormatNext writes a time returned by Next for a citizen, in the
// schedule's zone: "lundi 23 novembre à 9 h 00", "mardi 1er décembre à
// 13 h 30", "Monday 23 November at 9:00". The year is left out: Next looks
// at most a year ahead.
func (s *Schedule) FormatNext(t time.Time, lang string) string {
	lt := t.In(s.Location())
	tod := time.Duration(lt.Hour())*time.Hour + time.Duration(lt.Minute())*time.Minute
	if english(lang) {
		return fmt.Sprintf("%s %d %s at %s", enWeekdays[lt.Weekday()], lt.Day(), enMonths[lt.Month()-1], enClock(tod))
	}
	d := strconv.Itoa(lt.Day())
	if lt.Day() == 1 {
		d = "1er" // le premier du mois s'écrit en ordinal
	}
	return fmt.Sprintf("%s %s %s à %s", frWeekdays[lt.Weekday()], d, frMonths[lt.Month()-1], frClock(tod, true))
}
