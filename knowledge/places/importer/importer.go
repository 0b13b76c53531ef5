// Package importer holds what the place importers (lamednum,
// datainclusion) share: the Result of reading one export with its
// malformed rows and their lines, the Locator hook that places a row
// without coordinates at its commune, the check that coordinates are in
// France, the streaming of a JSON array object by object with the line
// each starts on, and Sniff, which tells the formats apart by content.
//
// An importer never fails on a bad row: the row is reported (line, id
// when known, reason) and skipped, and the caller decides whether a file
// with too many of them is refused. Only a file that cannot be read on
// (not JSON nor CSV, cut in the middle of a JSON value, an I/O error) is
// an error.
package importer

import (
	"strconv"

	"github.com/boussole/boussole/knowledge"
)

// Locator places a place that has no coordinates: it returns the
// coordinates of its commune from its INSEE code, postal code or commune
// name (any may be ""), ok false when it cannot tell. The importers take
// one so that they stay free of the gazetteer; the command wires it.
type Locator func(insee, postal, commune string) (lat, lon float64, ok bool)

// Problem is a row of a file: a malformed one, skipped, or a place kept
// without coordinates.
type Problem struct {
	// Line is where the row starts in the file (1-based): the CSV record's
	// first line, the line of a JSON object's opening brace.
	Line int
	// ID is the row's id when it has one.
	ID     string
	Reason string
}

func (p Problem) String() string {
	s := "line " + strconv.Itoa(p.Line)
	if p.ID != "" {
		s += " (" + p.ID + ")"
	}
	return s + ": " + p.Reason
}

// Result is what an importer read from one file.
type Result struct {
	// Format is one of the Format* names.
	Format string
	// Places in file order, one per id; Lines[i] is the line Places[i]
	// starts on.
	Places []*knowledge.Place
	Lines  []int
	// Rows counts the rows read: places, skipped rows and rows that give
	// no place (a data·inclusion service).
	Rows int
	// Skipped are the malformed rows, in file order.
	Skipped []Problem
	// Located counts the places without coordinates in the file that the
	// Locator placed at their commune; Unplaced are those it could not
	// place (kept: they are left out of nearest-place answers only).
	Located  int
	Unplaced []Problem
	// Unknown counts the service labels (or data·inclusion thématiques)
	// no service code matches, as written: ignored, but worth a look.
	Unknown map[string]int

	seen map[string]int // id → line, for duplicates
}

// NewResult returns an empty result of format.
func NewResult(format string) *Result {
	return &Result{Format: format, Unknown: map[string]int{}, seen: map[string]int{}}
}

// Skip reports a malformed row.
func (r *Result) Skip(line int, id, reason string) {
	r.Skipped = append(r.Skipped, Problem{Line: line, ID: id, Reason: reason})
}

// Add keeps p, read at line, unless its id was already seen (then the row
// is skipped: an export lists a place once, and the first row wins so a
// re-import picks the same). A place without coordinates (Lat and Lon 0)
// is given its commune's by loc when it can.
func (r *Result) Add(line int, p *knowledge.Place, loc Locator) {
	if first, ok := r.seen[p.ID]; ok {
		r.Skip(line, p.ID, "duplicate id, first at line "+strconv.Itoa(first))
		return
	}
	r.seen[p.ID] = line
	if p.Lat == 0 && p.Lon == 0 {
		if loc != nil {
			if lat, lon, ok := loc(p.INSEE, p.PostalCode, p.Commune); ok {
				p.Lat, p.Lon = lat, lon
				r.Located++
			}
		}
		if p.Lat == 0 && p.Lon == 0 {
			r.Unplaced = append(r.Unplaced, Problem{Line: line, ID: p.ID, Reason: "no coordinates, and its commune could not be placed"})
		}
	}
	r.Places = append(r.Places, p)
	r.Lines = append(r.Lines, line)
}

// Unknowns counts labels no code matches.
func (r *Result) Unknowns(labels []string) {
	for _, l := range labels {
		r.Unknown[l]++
	}
}
