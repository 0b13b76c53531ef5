package engine

import (
	"strings"

	"github.com/boussole/boussole/bot/catalog"
)

// messageLang returns the language a message is written in, "fr" or "en",
// from the function words the catalogue lists for each (lang_markers, read
// once by New), or "" when it cannot tell: a short message or one word of each language is
// left to the conversation's language.
func (e *Engine) messageLang(folded string) string {
	words := strings.Fields(folded)
	if len(words) < 2 {
		return ""
	}
	fr, en := e.marker["fr"], e.marker["en"]
	nfr, nen := 0, 0
	for _, w := range words {
		// A word of both lists (« me », « a ») tells nothing.
		switch {
		case fr[w] && !en[w]:
			nfr++
		case en[w] && !fr[w]:
			nen++
		}
	}
	// One marker decides a message of three words or more when the other
	// language has none (« my husband hits me »); otherwise it takes a
	// clear majority.
	switch {
	case nen >= 1 && nfr == 0 && len(words) >= 3, nen >= 2 && nen >= 2*nfr+1:
		return "en"
	case nfr >= 1 && nen == 0 && len(words) >= 3, nfr >= 2 && nfr >= 2*nen+1:
		return "fr"
	}
	return ""
}

// langJurisdiction is the jurisdiction a regional language implies
// (fr-CA: QC), from the catalogue; "" for a language spoken on several
// sides.
func (e *Engine) langJurisdiction(lang string) string {
	if lang == "" || !e.cat.Supported(lang) {
		return ""
	}
	return e.cat.T(lang, "lang_jurisdiction")
}

// regional is the catalogue's language of base spoken in jurisdiction j
// (fr in QC: fr-CA), or base itself when it has none (catalog.Regional:
// the admin's preview of an item picks its language the same way).
func (e *Engine) regional(base, j string) string { return e.cat.Regional(base, j) }

// markerWords reads each language's marker words from the catalogue.
func markerWords(cat *catalog.Catalog) map[string]map[string]bool {
	out := map[string]map[string]bool{}
	for _, l := range []string{"fr", "en"} {
		m := map[string]bool{}
		for _, w := range strings.Fields(cat.T(l, "lang_markers")) {
			m[w] = true
		}
		out[l] = m
	}
	return out
}
