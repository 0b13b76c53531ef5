package servicepublic

import (
	"slices"

	"github.com/boussole/boussole/knowledge"
)

// Catalogues are the names of DILA's catalogues, one zip per audience, as
// Source.Catalogue gives them.
var Catalogues = []string{"particuliers", "professionnels", "associations"}

// AudienceCatalogues returns the catalogues an item's audiences name
// ("particulier" → "particuliers"), in canonical order. A sheet is
// published in the catalogue of its breadcrumb's root, which is always
// among its audiences: this is where it may come from when nothing else
// says (items imported before catalogues were recorded).
func AudienceCatalogues(it *knowledge.Item) []string {
	var out []string
	for _, c := range audienceCodes {
		if slices.Contains(it.Audience, c.code) {
			out = append(out, c.xml)
		}
	}
	return out
}

// Merge combines the stored version of a sheet with a copy read now, as
// Read merges the copies of several zips: the newer one is kept — on a
// tie the stored one, so that re-importing changes nothing — with the
// audiences, themes and related ids of both. The importer uses it for a
// sheet that also belongs to a catalogue not read this time (or whose copy
// there could not be read), so that importing one zip does not drop what
// the others said of it.
func Merge(stored, read *knowledge.Item) *knowledge.Item {
	m, _ := merge(stored, sheetMeta{published: true}, read, sheetMeta{published: true})
	return m
}
