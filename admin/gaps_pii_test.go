package admin

import (
	"slices"
	"strings"
	"testing"

	"github.com/boussole/boussole/bot/catalog"
	"github.com/boussole/boussole/bot/pii"
)

// The gap report writes every placeholder of bot/pii in the page's
// language (showMasked): a new kind of personal data needs its words in
// each language, or the page shows the message key.
func TestEveryPIIPlaceholderIsTranslated(t *testing.T) {
	cat, err := catalog.Load(assets, "messages")
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range cat.Langs() {
		keys := cat.Keys(lang)
		for _, p := range pii.Placeholders() {
			if key := "gaps_pii_" + strings.Trim(p, "[]"); !slices.Contains(keys, key) {
				t.Errorf("%s.yaml: no %s", lang, key)
			}
		}
	}
}
