package demo_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/boussole/boussole/knowledge"
	"github.com/boussole/boussole/knowledge/demo"
)

// load loads the embedded demo knowledge and fails the test with every
// problem listed, one per line, if it does not load cleanly.
func load(t *testing.T) *knowledge.Base {
	t.Helper()
	b, err := knowledge.Load(demo.FS())
	if err != nil {
		var ps knowledge.Problems
		if errors.As(err, &ps) {
			t.Fatalf("demo knowledge has %d problem(s):\n%v", len(ps), ps)
		}
		t.Fatalf("load demo knowledge: %v", err)
	}
	return b
}

func TestDemoLoads(t *testing.T) {
	b := load(t)
	if ps := knowledge.Validate(b); len(ps) > 0 {
		t.Fatalf("Validate: %d problem(s):\n%v", len(ps), ps)
	}
	if n := len(b.Items); n < 40 {
		t.Errorf("got %d items, want at least 40", n)
	}
	if n := len(b.Trees); n < 7 {
		t.Errorf("got %d trees, want at least 7", n)
	}
	if n := len(b.Synonyms); n < 25 {
		t.Errorf("got %d synonym groups, want at least 25", n)
	}
}

// The topics the demo promises (README) exist under stable ids,
// so that transcripts and docs can rely on them.
func TestDemoRequiredTopics(t *testing.T) {
	b := load(t)
	items := []string{
		// papiers
		"cni-demande", "cni-perte", "cni-vol", "passeport-demande", "passeport-perte-vol",
		"identite-pre-demande", "identite-rendez-vous", "acte-naissance", "inscription-listes-electorales",
		// argent
		"rsa", "prime-activite", "aah", "cheque-energie", "surendettement", "aspa",
		// logement
		"aides-logement-apl", "aide-logement-etudiant", "loyer-impaye", "fsl",
		"logement-social-demande", "domiciliation",
		// santé
		"carte-vitale-demande", "c2s", "medecin-traitant", "ame",
		// emploi, impôts, retraite
		"france-travail-inscription", "allocation-chomage-are", "impot-declaration-revenus", "retraite-demande",
		// véhicule
		"permis-perte", "permis-vol", "carte-grise-changement-titulaire", "carte-grise-changement-adresse",
		// numérique
		"france-services", "conseiller-numerique", "aidants-connect", "pass-numerique", "france-num",
		// Québec
		"ramq-carte-inscription", "ramq-carte-renouvellement", "saaq-permis-renouvellement", "saaq-permis-perte",
		"qc-aide-sociale", "services-quebec", "qc-211", "nas-demande",
	}
	for _, id := range items {
		if _, ok := b.Item(id); !ok {
			t.Errorf("missing item %q", id)
		}
	}
	trees := []string{"papiers-identite", "argent-aides", "logement", "emploi", "sante", "numerique", "quebec"}
	for _, id := range trees {
		if _, ok := b.Tree(id); !ok {
			t.Errorf("missing tree %q", id)
		}
	}
	if it, ok := b.Item("france-num"); ok {
		if slices.Contains(it.Audience, "particulier") || len(it.Audience) == 0 {
			t.Errorf("france-num audience = %v, want professionnel/association", it.Audience)
		}
	}
}

func TestDemoItemsAreSourcedAndReviewed(t *testing.T) {
	b := load(t)
	for _, it := range b.Items {
		if len(it.Sources) == 0 {
			t.Errorf("%s: item %q has no source", it.Pos, it.ID)
		}
		for _, s := range it.Sources {
			if !strings.HasPrefix(s, "https://") {
				t.Errorf("%s: item %q source %q is not https", it.Pos, it.ID, s)
			}
		}
		if it.Reviewed.Year() != 2026 {
			t.Errorf("%s: item %q reviewed %v, want a 2026 date", it.Pos, it.ID, it.Reviewed)
		}
		if it.Jurisdiction != "FR" && it.Jurisdiction != "QC" {
			t.Errorf("%s: item %q jurisdiction %q, want FR or QC", it.Pos, it.ID, it.Jurisdiction)
		}
		if it.Lang != "fr" {
			t.Errorf("%s: item %q lang %q, want fr", it.Pos, it.ID, it.Lang)
		}
		if len(it.Audience) == 0 {
			t.Errorf("%s: item %q has no audience", it.Pos, it.ID)
		}
		// An emergency number is its number and what it is for.
		if len(it.Steps) == 0 && it.Kind != knowledge.KindEmergency {
			t.Errorf("%s: item %q has no steps", it.Pos, it.ID)
		}
	}
}

// Trees: a jurisdiction or none (shared trees, which route each side to
// its own branch; the validator checks no side reaches the other's
// items), and escalations only to the known mediator queues.
func TestDemoTrees(t *testing.T) {
	b := load(t)
	queues := []string{"papiers", "argent", "logement", "emploi", "sante", "numerique", "quebec", "default"}
	for _, tr := range b.Trees {
		if tr.Jurisdiction != "FR" && tr.Jurisdiction != "QC" && tr.Jurisdiction != "" {
			t.Errorf("%s: tree %q jurisdiction %q, want FR, QC or none", tr.Pos, tr.ID, tr.Jurisdiction)
		}
		escalates := false
		for id, n := range tr.Nodes {
			if len(n.Choices) > knowledge.MaxChoices {
				t.Errorf("%s: node %q has %d choices", n.Pos, id, len(n.Choices))
			}
			for _, c := range n.Choices {
				if c.Escalate != "" {
					escalates = true
					if !slices.Contains(queues, c.Escalate) {
						t.Errorf("%s: choice %q escalates to unknown queue %q", c.Pos, c.Label, c.Escalate)
					}
				}
			}
		}
		if !escalates {
			t.Errorf("%s: tree %q never offers a mediator (escalate:)", tr.Pos, tr.ID)
		}
	}
}

// Two years after its review dates the demo still loads and validates
// (its answers are unchanged: the conversation files run in 2035 too);
// every item is flagged for review, none is dropped.
func TestDemoAgesWithoutBreaking(t *testing.T) {
	b := load(t)
	var latest time.Time
	for _, it := range b.Items {
		if it.Reviewed.After(latest) {
			latest = it.Reviewed.Time
		}
	}
	if ps := knowledge.Review(b, latest); len(ps) > 0 {
		t.Errorf("on its own latest review date the demo has items to review:\n%v", ps)
	}
	later := latest.AddDate(2, 0, 0)
	if ps := knowledge.Validate(b); len(ps) > 0 {
		t.Fatalf("Validate: %v", ps)
	}
	ps := knowledge.Review(b, later)
	if len(ps) != len(b.Items) {
		t.Errorf("two years on, %d of %d items flagged for review:\n%v", len(ps), len(b.Items), ps)
	}
	for _, p := range ps {
		if !strings.Contains(p.Msg, "over a year ago") {
			t.Errorf("unexpected notice: %s", p)
		}
	}
}
