package datainclusion

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/boussole/boussole/knowledge"
	"github.com/boussole/boussole/knowledge/analysis"
	"github.com/boussole/boussole/knowledge/places/importer"
	"github.com/boussole/boussole/knowledge/places/lamednum"
)

// shared is the shared data folder next to the checkout; tests that need
// it skip without it.
func shared(t *testing.T, parts ...string) string {
	t.Helper()
	p := filepath.Join(append([]string{"..", "..", "..", "..", "shared", "data"}, parts...)...)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("skipping: the shared data is not at %s (%v)", p, err)
	}
	return p
}

const structures = `{"items": [
  {"id": "dora--s1", "source": "dora", "nom": "France services de Digne", "adresse": "1 rue Haute", "complement_adresse": "2e étage",
   "code_postal": "04000", "code_insee": "04070", "commune": "Digne-les-Bains", "latitude": 44.09, "longitude": 6.23,
   "telephone": "+33492000000", "courriel": "fs@digne.fr", "site_web": "https://digne.fr", "horaires_accueil": "Mo-Fr 09:00-12:00",
   "date_maj": "2025-02-14", "reseaux_porteurs": ["france-service", "conseillers-numeriques", "caf"], "siret": null},
  {"id": "s2", "source": "soliguide", "nom": "Épicerie solidaire", "latitude": null, "longitude": null, "commune": "Gap",
   "code_postal": "05000", "date_maj": "2024-01-01", "typologie": "EPN", "thematiques": ["numerique--acceder-a-une-connexion-internet"]},
  {"id": "dora--s3", "source": "dora", "nom": "Hors de France", "latitude": 40.4, "longitude": -3.7, "date_maj": "2024-01-01"},
  {"source": "dora", "nom": "Sans id", "date_maj": "2024-01-01"}
], "total": 4}`

const services = `[
  {"id": "dora--v1", "structure_id": "dora--s1", "source": "dora", "nom": "Aide", "description": "…", "date_maj": "2025-01-01",
   "thematiques": ["numerique--acceder-a-des-services-en-ligne", "numerique--maitriser-les-fondamentaux-du-numerique"]},
  {"id": "dora--v2", "structure_id": "dora--s1", "source": "dora", "nom": "Emploi", "description": "…", "date_maj": "2025-01-01",
   "thematiques": ["trouver-un-emploi--repondre-a-des-offres-demploi", "logement-hebergement--louer-un-logement", "astrologie--horoscope"]},
  {"id": "v3", "structure_id": "s2", "source": "soliguide", "nom": "Matériel", "thematiques": ["numerique--sequiper-en-materiel-informatique"]},
  {"id": "v4", "structure_id": "ailleurs", "source": "soliguide", "nom": "Orphelin", "thematiques": ["numerique"]},
  {"id": "v5", "source": "dora", "nom": "Sans structure"},
  "texte"
]`

func TestReadStructuresAndServices(t *testing.T) {
	ctx := context.Background()
	loc := func(insee, postal, commune string) (float64, float64, bool) { return 44.56, 6.08, postal == "05000" }
	res, err := ReadStructures(ctx, strings.NewReader(structures), Options{Locate: loc})
	if err != nil {
		t.Fatal(err)
	}
	wantSkipped := []importer.Problem{
		{Line: 8, ID: "dora--s3", Reason: "coordinates 40.4, -3.7 are outside France and its overseas territories"},
		{Line: 9, Reason: "no id"},
	}
	if res.Format != importer.FormatStructures || res.Rows != 4 || len(res.Places) != 2 || !reflect.DeepEqual(res.Skipped, wantSkipped) || res.Located != 1 {
		t.Fatalf("%d rows, places %v, skipped %v, located %d", res.Rows, res.Places, res.Skipped, res.Located)
	}
	sres, offer, err := ReadServices(ctx, strings.NewReader(services), Options{})
	if err != nil {
		t.Fatal(err)
	}
	wantSkipped = []importer.Problem{
		{Line: 8, ID: "v5", Reason: "no structure_id"},
		{Line: 9, Reason: "not a place: a JSON string where an object was expected"},
	}
	if sres.Format != importer.FormatServices || sres.Rows != 6 || len(sres.Places) != 0 || !reflect.DeepEqual(sres.Skipped, wantSkipped) ||
		!reflect.DeepEqual(sres.Unknown, map[string]int{"astrologie--horoscope": 1}) || offer.Structures() != 3 {
		t.Fatalf("services: %d rows, skipped %v, unknown %v, %d structures", sres.Rows, sres.Skipped, sres.Unknown, offer.Structures())
	}
	if missing := offer.Apply(res.Places); missing != 1 {
		t.Errorf("%d structures of the offer missing, want 1 (soliguide--ailleurs)", missing)
	}
	want := []*knowledge.Place{
		{ID: "dora--s1", Source: "dora", Name: "France services de Digne", Address: "1 rue Haute, 2e étage", PostalCode: "04000",
			Commune: "Digne-les-Bains", INSEE: "04070", Jurisdiction: "FR", Lat: 44.09, Lon: 6.23,
			Services: []string{knowledge.ServiceDemarches, knowledge.ServiceQuotidien, knowledge.ServiceEmploi},
			Labels:   []string{knowledge.LabelFranceServices, knowledge.LabelConseillerNumerique},
			Hours:    "Mo-Fr 09:00-12:00", Phone: "+33492000000", Email: "fs@digne.fr", Website: "https://digne.fr", Updated: "2025-02-14"},
		{ID: "soliguide--s2", Source: "soliguide", Name: "Épicerie solidaire", PostalCode: "05000", Commune: "Gap", Jurisdiction: "FR",
			Lat: 44.56, Lon: 6.08, Services: []string{knowledge.ServiceAcces, knowledge.ServiceEquipement},
			Labels: []string{knowledge.LabelEPN}, Updated: "2024-01-01"},
	}
	if !reflect.DeepEqual(res.Places, want) {
		for i := range res.Places {
			t.Errorf("got  %+v\nwant %+v", res.Places[i], want[i])
		}
	}
}

// Every thématique of the v1 reference list has a known family, and
// every numerique one a service code.
func TestEveryThematiqueIsKnown(t *testing.T) {
	data, err := os.ReadFile(shared(t, "data-inclusion-schema", "schemas", "v1", "extra", "thematiques.json"))
	if err != nil {
		t.Fatal(err)
	}
	var list []struct{ Value string }
	if err := json.Unmarshal(data, &list); err != nil {
		t.Fatal(err)
	}
	v := lamednum.NewVocabulary()
	mapped := 0
	for _, th := range list {
		codes, known := Thematique(v, th.Value)
		if !known || strings.HasPrefix(th.Value, "numerique--") && len(codes) == 0 {
			t.Errorf("%s: %v %v", th.Value, codes, known)
		}
		if len(codes) > 0 {
			mapped++
		}
	}
	if len(list) < 60 || mapped < 20 {
		t.Errorf("%d thématiques, %d mapped", len(list), mapped)
	}
}

// The PACA places written as data·inclusion v0 structures and services
// (bare ids, the numerique--* slugs of the LaMednum labels) give the same
// services as the LaMednum reading.
func TestPACAAsDataInclusion(t *testing.T) {
	path := shared(t, "places", "lieux-mediation-numerique-paca-2023-05-16.json")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var recs []map[string]any
	if err := json.Unmarshal(data, &recs); err != nil {
		t.Fatal(err)
	}
	var structs, servs []map[string]any
	for i, r := range recs {
		id := strings.TrimPrefix(r["id"].(string), "mediation-numerique-")
		structs = append(structs, map[string]any{"id": id, "source": "mediation-numerique", "nom": r["nom"], "commune": r["commune"],
			"code_postal": r["code_postal"], "latitude": r["latitude"], "longitude": r["longitude"], "date_maj": r["date_maj"]})
		var themes []string
		for _, l := range strings.Split(r["services"].(string), ";") {
			themes = append(themes, "numerique--"+strings.ReplaceAll(analysis.Fold(l), " ", "-"))
		}
		// Two services per structure, each with half of its themes.
		half := len(themes) / 2
		servs = append(servs, map[string]any{"id": i, "structure_id": id, "source": "mediation-numerique", "thematiques": themes[:half]},
			map[string]any{"id": -i, "structure_id": id, "source": "mediation-numerique", "thematiques": themes[half:]})
	}
	enc := func(v any) *strings.Reader {
		b, err := json.MarshalIndent(v, "", " ")
		if err != nil {
			t.Fatal(err)
		}
		return strings.NewReader(string(b))
	}
	ctx := context.Background()
	res, err := ReadStructures(ctx, enc(structs), Options{})
	if err != nil {
		t.Fatal(err)
	}
	sres, offer, err := ReadServices(ctx, enc(servs), Options{})
	if err != nil || len(sres.Unknown) != 0 || len(sres.Skipped) != 0 {
		t.Fatalf("services: %v %v %v", err, sres.Unknown, sres.Skipped)
	}
	if missing := offer.Apply(res.Places); missing != 0 || len(res.Places) != 792 {
		t.Fatalf("%d places, %d missing", len(res.Places), missing)
	}
	lm, err := lamednum.Read(ctx, strings.NewReader(string(data)), lamednum.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range res.Places {
		if !slices.Equal(p.Services, lm.Places[i].Services) || p.ID != "mediation-numerique--"+strings.TrimPrefix(lm.Places[i].ID, "mediation-numerique-") {
			t.Fatalf("%s: %v, LaMednum %s: %v", p.ID, p.Services, lm.Places[i].ID, lm.Places[i].Services)
		}
	}
}
