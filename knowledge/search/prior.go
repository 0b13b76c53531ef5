package search

import (
	"math"
	"strings"

	"github.com/boussole/boussole/knowledge"
)

// A query-independent prior tells apart sheets that match a query equally
// well by their words. Two signals, both from the catalogue's own
// structure, never from a list of ids:
//
//   - Centrality: how many other items link to the item (Item.Related).
//     Editors link the sheet that explains a notion from everywhere the
//     notion comes up ("Faute simple, grave ou lourde" from every sheet on
//     dismissal), while a sheet on a corner case ("faute grave pendant un
//     préavis") is linked from a few. The factor grows with the logarithm
//     of the count, so it tips near-ties and never outweighs a better
//     match.
//   - Page type: a sheet (fiche d'information, question-réponse, comment
//     faire si) answers a question; a dossier or thème (N…) only lists
//     sheets, and a resource (R…: form, model letter, simulator, online
//     service) is a tool one uses once oriented. They rank a little below
//     sheets, unless the query asks for such a tool ("formulaire",
//     "cerfa", "modèle de lettre", "simulateur"): see wantsResource.
//
// Hand-written items have no type and no links: their prior is 1.

// Prior factors by page type (variables only so the tuning test can vary
// them).
var (
	priorHub      = 0.8  // dossier, thème
	priorResource = 0.7  // form, model, simulator, online service
	priorGuided   = 0.95 // recherche guidée: a questionnaire over sheets
	// linkWeight scales log(1+in-links).
	linkWeight = 0.1
)

// inLinks counts, for each item id, the other items linking to it.
func inLinks(items []*knowledge.Item) map[string]int {
	in := make(map[string]int)
	for _, it := range items {
		if it == nil {
			continue
		}
		for _, r := range it.Related {
			if r != it.ID {
				in[r]++
			}
		}
	}
	return in
}

// isResource reports a form, model, simulator or online service.
func isResource(it *knowledge.Item) bool {
	switch it.SheetType {
	case "Formulaire", "Modèle de document", "Simulateur", "Téléservice", "Outil de recherche":
		return true
	}
	return strings.HasPrefix(it.SheetType, "Téléservice")
}

// itemPrior is the prior of one item with links links to it.
func (p *params) itemPrior(it *knowledge.Item, links int) float32 {
	if !p.prior {
		return 1
	}
	f := 1 + linkWeight*math.Log1p(float64(links))
	switch {
	case isResource(it):
		f *= priorResource
	case it.SheetType == "Dossier" || it.SheetType == "Theme" || it.SheetType == "Thème":
		f *= priorHub
	case it.SheetType == "Recherche guidée":
		f *= priorGuided
	}
	return float32(f)
}

// resourceWords are folded query words asking for a tool rather than an
// explanation.
var resourceWords = map[string]bool{
	"formulaire": true, "formulaires": true, "cerfa": true, "modele": true, "modeles": true,
	"simulateur": true, "simulation": true, "simuler": true, "teleservice": true,
	"telecharger": true, "imprimer": true,
}
