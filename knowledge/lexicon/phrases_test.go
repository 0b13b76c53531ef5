package lexicon

import (
	"strings"
	"testing"

	"github.com/boussole/boussole/knowledge/analysis"
)

// TestPhrasesKeepTheirWords: a phrase of several words must still be
// several words once stop words are dropped. "plus de points" is only
// "points" to the search, and would expand every question about points;
// "heures en plus" would turn every "heures" into overtime.
func TestPhrasesKeepTheirWords(t *testing.T) {
	var a analysis.Analyzer
	l := Default()
	check := func(where, p string) {
		if len(strings.Fields(p)) > 1 && len(a.Words(p)) < 2 {
			t.Errorf("%s: %q is %q to the search: write the word alone if that is meant", where, p, a.Words(p))
		}
	}
	for _, g := range l.Synonyms {
		for _, p := range g {
			check("synonyms", p)
		}
	}
	for _, e := range l.Expand {
		for _, p := range e.From {
			check("expand", p)
		}
	}
}
