package search

import (
	"math"
	"slices"
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
//
// The factors are Options.LinkWeight and, by page type, Options.HubPrior
// (dossier, thème), Options.ResourcePrior (form, model, simulator, online
// service) and Options.GuidedPrior (recherche guidée: a questionnaire over
// sheets the website runs, under an editor's label, "CNI -Perte majeur";
// its own sheet ranks first).

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

// pageType is the kind of page an item is, for the prior.
type pageType uint8

const (
	pageSheet    pageType = iota // a sheet, a hand-written item, a tree
	pageHub                      // dossier or thème
	pageResource                 // form, model, simulator, online service
	pageGuided                   // recherche guidée
)

// pageInfo is what the prior knows of a document: its page type and how
// many other items link to it. Why shows it.
type pageInfo struct {
	links uint32
	page  pageType
}

// isResource reports a form, model, simulator or online service.
func isResource(it *knowledge.Item) bool {
	switch it.SheetType {
	case "Formulaire", "Modèle de document", "Simulateur", "Téléservice", "Outil de recherche":
		return true
	}
	return strings.HasPrefix(it.SheetType, "Téléservice")
}

// pageOf returns an item's page type.
func pageOf(it *knowledge.Item) pageType {
	switch {
	case isResource(it):
		return pageResource
	case it.SheetType == "Dossier" || it.SheetType == "Theme" || it.SheetType == "Thème":
		return pageHub
	case it.SheetType == "Recherche guidée":
		return pageGuided
	}
	return pageSheet
}

// linkFactor is the centrality factor of a document other items link to
// links times.
func (p *params) linkFactor(links uint32) float64 {
	return 1 + p.linkWeight*math.Log1p(float64(links))
}

// pageFactor is the factor of a page type.
func (p *params) pageFactor(t pageType) float64 {
	switch t {
	case pageResource:
		return p.resourcePrior
	case pageHub:
		return p.hubPrior
	case pageGuided:
		return p.guidedPrior
	}
	return 1
}

// prior is the prior of a document: its centrality times its page type's
// factor, or 1 with the prior off.
func (p *params) priorOf(pi pageInfo) float32 {
	if !p.prior {
		return 1
	}
	return float32(p.linkFactor(pi.links) * p.pageFactor(pi.page))
}

// resourceWord reports a folded query word asking for a tool rather than
// an explanation.
func resourceWord(w string) bool {
	switch w {
	case "formulaire", "formulaires", "cerfa", "modele", "modeles",
		"simulateur", "simulation", "simuler", "teleservice",
		"telecharger", "imprimer":
		return true
	}
	return false
}

// linkTable resolves each item's related ids to item documents.
func (bd *builder) linkTable() (links, start []uint32) {
	byID := make(map[string]uint32, len(bd.docs))
	for d, di := range bd.docs {
		if di.kind == knowledge.HitItem {
			if _, dup := byID[di.id]; !dup {
				byID[di.id] = uint32(d)
			}
		}
	}
	start = make([]uint32, 0, len(bd.docs)+1)
	for d, rel := range bd.related {
		start = append(start, uint32(len(links)))
		for _, id := range rel {
			if t, ok := byID[id]; ok && t != uint32(d) {
				links = append(links, t)
			}
		}
	}
	return slices.Clip(links), append(start, uint32(len(links)))
}

// neighbourhood raises the score of candidates linked from other
// candidates, by the linking candidates' scores relative to the best, up
// to Options.NeighbourWeight of their score: a candidate linked from other
// strong candidates of the same query is the sheet they point to for the
// notion they share ("Rupture conventionnelle" from its simulators, forms
// and questions-réponses).
//
// Each candidate keeps its factor and how many candidates link to it, for
// Why.
func (ix *Index) neighbourhood(cands []candidate) {
	if !ix.p.prior || ix.p.neighbourWeight == 0 || len(cands) < 2 || len(ix.links) == 0 {
		return
	}
	var best float32
	pos := make(map[uint32]int, len(cands))
	for i, c := range cands {
		best = max(best, c.score)
		pos[c.doc] = i
	}
	if best <= 0 {
		return
	}
	in := make([]float32, len(cands))
	for _, c := range cands {
		for _, t := range ix.links[ix.linkStart[c.doc]:ix.linkStart[c.doc+1]] {
			if j, ok := pos[t]; ok {
				in[j] += c.score / best
				cands[j].linkedFrom++
			}
		}
	}
	for i := range cands {
		cands[i].neighbour = 1 + float32(ix.p.neighbourWeight)*min(1, in[i])
		cands[i].score *= cands[i].neighbour
	}
}
