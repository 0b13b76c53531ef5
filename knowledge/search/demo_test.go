package search_test

import (
	"os"
	"strings"
	"testing"

	"github.com/boussole/boussole/knowledge"
	"github.com/boussole/boussole/knowledge/demo"
	"github.com/boussole/boussole/knowledge/search"
)

// TestDemoBase runs citizen-style questions against the embedded demo
// knowledge, the base the bot ships with. Only clear-cut questions are
// checked, so edits to the demo wording do not break it; set
// BOUSSOLE_QUERY="q1;q2" to print the hits of any questions instead.
func TestDemoBase(t *testing.T) {
	b, err := knowledge.Load(demo.FS())
	if err != nil {
		t.Fatalf("load demo: %v", err)
	}
	ix := search.New(b, search.Options{})
	if qs := os.Getenv("BOUSSOLE_QUERY"); qs != "" {
		for _, q := range strings.Split(qs, ";") {
			t.Logf("%q\n%s", q, dump(hitsFor(t, ix, q, 5)))
		}
		return
	}
	tests := []struct {
		query string
		want  string // first hit
		sure  bool   // whether its confidence should be ≥ 0.5
	}{
		{"cni perdu", "cni-perte", true},
		{"carte didentite perdue", "cni-perte", true},
		{"carte d'identité volée", "cni-vol", true},
		{"renouveler carte identite perimee", "cni-demande", true},
		{"rsa c koi", "rsa", true},
		{"prime d'activité", "prime-activite", true},
		{"je n'arrive plus a payer mon loyer", "loyer-impaye", true},
		{"apl etudiant", "aide-logement-etudiant", true},
		{"alocation logement etudian", "aide-logement-etudiant", true},
		{"complementaire sante solidaire", "c2s", true},
		{"carte vitale perdu", "carte-vitale-perte", true},
		{"allocation adulte handicape", "aah", true},
		{"surendettement dossier", "surendettement", true},
		{"vendre ma voiture", "vehicule", true},
	}
	for _, tc := range tests {
		hits := hitsFor(t, ix, tc.query, 5)
		switch {
		case len(hits) == 0:
			t.Errorf("%q: no hits, want %s", tc.query, tc.want)
		case hits[0].ID != tc.want:
			t.Errorf("%q: first hit %s, want %s\n%s", tc.query, hits[0].ID, tc.want, dump(hits))
		case (hits[0].Confidence >= 0.5) != tc.sure:
			t.Errorf("%q: confidence %.2f, want sure=%v\n%s", tc.query, hits[0].Confidence, tc.sure, dump(hits))
		}
	}
	// Ambiguous or off-topic questions must not be answered with
	// confidence.
	for _, q := range []string{"azerty qsdf", "ou faire ma carte d'identité", "carte", "mon chat est malade", "je demenage"} {
		if hits := hitsFor(t, ix, q, 3); len(hits) > 0 && hits[0].Confidence >= 0.5 {
			t.Errorf("%q: confident first hit\n%s", q, dump(hits))
		}
	}
}
