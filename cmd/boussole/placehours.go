package main

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/boussole/boussole/bot/hours"
	"github.com/boussole/boussole/knowledge"
)

// placeHoursProblems reports the hand-written place items whose hours the
// bot cannot read (hours.ParseOSM). knowledge.Validate cannot check them:
// the knowledge package does not import the bot's. The bot still serves
// such an item, showing the hours as written, so only validate reports
// them, for the admin to fix before citizens read raw syntax.
func placeHoursProblems(b *knowledge.Base) knowledge.Problems {
	var ps knowledge.Problems
	for _, it := range b.Items {
		if it == nil || it.Origin != "" || it.Kind != knowledge.KindPlace || it.Place == nil || it.Place.Hours == "" {
			continue
		}
		// The zone changes when a place opens, not whether its hours read.
		if _, err := hours.ParseOSM(it.Place.Hours, time.UTC); err != nil {
			msg := strings.TrimPrefix(err.Error(), hours.ErrInvalid.Error()+": ")
			ps = append(ps, knowledge.Problem{Pos: it.PlaceLine("hours"), Msg: fmt.Sprintf(
				"item %q: place.hours cannot be read (%s): write them as OpenStreetMap does, such as « Mo-Fr 09:00-12:30,13:30-16:30; Sa 09:00-12:00; We off »",
				it.ID, msg)})
		}
	}
	return ps
}

// sortProblems orders problems by file and line, as Validate does.
func sortProblems(ps knowledge.Problems) {
	slices.SortStableFunc(ps, func(a, b knowledge.Problem) int {
		return cmp.Or(cmp.Compare(a.Pos.File, b.Pos.File), cmp.Compare(a.Pos.Line, b.Pos.Line))
	})
}
