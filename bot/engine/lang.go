package bot

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
