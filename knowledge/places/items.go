package places

import (
	"slices"

	"github.com/boussole/boussole/knowledge"
)

// SourceKnowledge is the Source of places written as knowledge items.
const SourceKnowledge = "knowledge"

// FromItems returns the places that knowledge items of kind place
// describe, in the items' order, for the index to hold beside imported
// ones. Each is a copy of the item's place: block with what the item says
// once for the whole sheet: ID is the item's id, Name its title when the
// block has none, Jurisdiction, Cost and Updated (the review date) the
// item's. A place written without coordinates is placed by locate, from
// its INSEE code, postal code or commune (the gazetteer's job), and keeps
// 0, 0 — left out of nearest-place answers — when locate is nil or does
// not know the commune. Items of other kinds, and place items without a
// place: block (Validate reports them), give no place.
func FromItems(items []*knowledge.Item, locate func(insee, postal, commune string) (lat, lon float64, ok bool)) []*knowledge.Place {
	var out []*knowledge.Place
	for _, it := range items {
		if it == nil || it.Kind != knowledge.KindPlace || it.Place == nil {
			continue
		}
		p := *it.Place
		// The item's lists stay the item's: a caller may change a place.
		p.Services, p.Labels = slices.Clone(p.Services), slices.Clone(p.Labels)
		p.ID, p.Source, p.Jurisdiction = it.ID, SourceKnowledge, it.Jurisdiction
		if p.Name == "" {
			p.Name = it.Title
		}
		if p.Cost == "" {
			p.Cost = it.Cost
		}
		if p.Updated == "" {
			p.Updated = it.Reviewed.String()
		}
		if p.Lat == 0 && p.Lon == 0 && locate != nil {
			if lat, lon, ok := locate(p.INSEE, p.PostalCode, p.Commune); ok {
				p.Lat, p.Lon = lat, lon
			}
		}
		out = append(out, &p)
	}
	return out
}
