package lamednum

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/boussole/boussole/knowledge"
	"github.com/boussole/boussole/knowledge/places/importer"
)

// pacaPath is the shared regional export, next to the checkout; tests
// that need it skip without it.
func pacaPath(t testing.TB) string {
	t.Helper()
	p := filepath.Join("..", "..", "..", "..", "shared", "data", "places", "lieux-mediation-numerique-paca-2023-05-16.json")
	if _, err := os.Stat(p); err != nil {
		t.Skipf("skipping: the shared places data is not at %s (%v)", p, err)
	}
	return p
}

// pacaRecords returns the PACA export as generic records, to build
// variants from.
func pacaRecords(t *testing.T) []map[string]any {
	t.Helper()
	data, err := os.ReadFile(pacaPath(t))
	if err != nil {
		t.Fatal(err)
	}
	var recs []map[string]any
	if err := json.Unmarshal(data, &recs); err != nil {
		t.Fatal(err)
	}
	return recs
}

func read(t *testing.T, data []byte, opts Options) *importer.Result {
	t.Helper()
	res, err := Read(context.Background(), bytes.NewReader(data), opts)
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	return res
}

func byID(res *importer.Result) map[string]*knowledge.Place {
	m := map[string]*knowledge.Place{}
	for _, p := range res.Places {
		m[p.ID] = p
	}
	return m
}

func TestReadPACA(t *testing.T) {
	f, err := os.Open(pacaPath(t))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	res, err := Read(context.Background(), f, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Format != importer.FormatLaMednumJSON || res.Rows != 792 || len(res.Places) != 792 || len(res.Skipped) != 0 || len(res.Unknown) != 0 {
		t.Fatalf("format %s, %d rows, %d places, skipped %v, unknown %v", res.Format, res.Rows, len(res.Places), res.Skipped, res.Unknown)
	}
	// The four places without coordinates, by the line their object
	// starts on.
	var lines []int
	for _, u := range res.Unplaced {
		lines = append(lines, u.Line)
	}
	if !slices.Equal(lines, []int{2, 17, 1990, 3563}) || res.Unplaced[0].ID != "dora-3d647b3a-a5b6-41f8-8374-ba37c1ff1746" {
		t.Errorf("unplaced: %v", res.Unplaced)
	}
	labels := map[string]int{}
	services := map[string]int{}
	for _, p := range res.Places {
		for _, l := range p.Labels {
			labels[l]++
		}
		for _, s := range p.Services {
			services[s]++
		}
		if p.Jurisdiction != "FR" || len(p.Services) == 0 {
			t.Errorf("%s: %+v", p.ID, p)
		}
	}
	// CNFS on 398, France Services on 276 labels and 154 producer rows
	// (all labelled), tiers-lieux from their producer.
	if labels[knowledge.LabelConseillerNumerique] != 398 || labels[knowledge.LabelFranceServices] != 276 || labels[knowledge.LabelTiersLieu] != 74 {
		t.Errorf("labels: %v", labels)
	}
	for _, s := range knowledge.Services {
		if services[s] == 0 {
			t.Errorf("no place offers %s: %v", s, services)
		}
	}
	want := &knowledge.Place{ID: "mediation-numerique-france-services-18", Source: "france-services", Name: "France services Puget-Théniers",
		Address: "1 Avenue Miss Pell", PostalCode: "06260", Commune: "Puget-Théniers", Jurisdiction: "FR", Lat: 43.9561527, Lon: 6.8931592,
		Services: []string{knowledge.ServiceDemarches, knowledge.ServiceEmploi}, Labels: []string{knowledge.LabelFranceServices},
		Hours: "Mo-Fr 09:30-12:30,13:30-17:30", Phone: "+33493033115", Email: "contact@foyer-rural-cepage.com", Cost: "Gratuit", Updated: "2020-01-01"}
	if got := byID(res)[want.ID]; !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
	// cr93's « unknown » date is no date.
	if got := byID(res)["mediation-numerique-cr93-93"]; got == nil || got.Updated != "" {
		t.Errorf("cr93: %+v", got)
	}
}

func TestReadPlacesAtCommuneThroughLocator(t *testing.T) {
	var asked []string
	loc := func(insee, postal, commune string) (float64, float64, bool) {
		asked = append(asked, insee+"|"+postal+"|"+commune)
		if commune == "Martigues" {
			return 43.40, 5.05, true
		}
		return 0, 0, false
	}
	f, err := os.Open(pacaPath(t))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	res, err := Read(context.Background(), f, Options{Locate: loc})
	if err != nil {
		t.Fatal(err)
	}
	if res.Located != 1 || len(res.Unplaced) != 3 || len(asked) != 4 || asked[0] != "13056|13500|Martigues" {
		t.Fatalf("located %d, unplaced %v, asked %v", res.Located, res.Unplaced, asked)
	}
	if p := res.Places[0]; p.Lat != 43.40 || p.Lon != 5.05 {
		t.Errorf("placed at %v, %v", p.Lat, p.Lon)
	}
}

// newLabels are the Table Schema's service labels standing for the first
// version's, code for code.
var newLabels = map[string]string{
	"Réaliser des démarches administratives avec un accompagnement": "Aide aux démarches administratives",
	"Devenir autonome dans les démarches administratives":           "aide aux demarches administratives",
	"Prendre en main un smartphone ou une tablette":                 "Maîtrise des outils numériques du quotidien",
	"Prendre en main un ordinateur":                                 "MAÎTRISE DES OUTILS NUMÉRIQUES DU QUOTIDIEN",
	"Utiliser le numérique au quotidien":                            "Maîtrise des outils numériques du quotidien",
	"Approfondir ma culture numérique":                              "Compréhension du monde numérique",
	"Promouvoir la citoyenneté numérique":                           "Utilisation sécurisée du numérique",
	"Favoriser mon insertion professionnelle":                       "Insertion professionnelle via le numérique",
	"Accéder à du matériel":                                         "Accès internet et matériel informatique",
	"Accéder à une connexion internet":                              "Accès internet et matériel informatique",
	"Créer avec le numérique":                                       "Loisirs et créations numériques",
	"Soutenir la parentalité et l'éducation avec le numérique":      "Parentalité et éducation avec le numérique",
	"S'équiper en matériel informatique":                            "Acquisition de matériel informatique à prix solidaire",
	// These two have no label of their own in the schema: the schema
	// files them under other words, the first version's stay readable.
	"Créer et développer mon entreprise": "Créer et développer mon entreprise",
	"Accompagner les démarches de santé": "Accompagner les démarches de santé",
}

// schemaCSV writes records as a Table Schema CSV: its column names and
// order (shuffled by order), « | » between values, frais_a_charge,
// courriels, dispositif_programmes_nationaux and typologie.
func schemaCSV(t *testing.T, recs []map[string]any, comma rune, order []string) []byte {
	t.Helper()
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.Comma = comma
	must(t, w.Write(order))
	for _, r := range recs {
		str := func(k string) string { s, _ := r[k].(string); return s }
		var services []string
		for _, s := range strings.Split(str("services"), ";") {
			if s != "" {
				services = append(services, newLabels[s])
			}
		}
		var programmes []string
		for _, l := range strings.Split(str("labels_nationaux"), ";") {
			switch l {
			case "CNFS":
				programmes = append(programmes, "Conseillers numériques")
			case "France Services":
				programmes = append(programmes, "France Services")
			}
		}
		typ := ""
		if str("source") == "france-tiers-lieux" {
			typ = "TIERS_LIEUX|ASSO"
		}
		frais, _, _ := strings.Cut(str("conditions_acces"), " :")
		num := func(k string) string {
			if f, ok := r[k].(float64); ok {
				return strings.TrimRight(strings.TrimRight(json.Number(jsonFloat(f)).String(), "0"), ".")
			}
			return ""
		}
		fields := map[string]string{
			"id": str("id"), "pivot": str("pivot"), "nom": str("nom"), "commune": str("commune"), "code_postal": str("code_postal"),
			"code_insee": str("code_insee"), "adresse": str("adresse"), "latitude": num("latitude"), "longitude": num("longitude"),
			"typologie": typ, "telephone": str("telephone"), "courriels": str("courriel"), "site_web": str("site_web"),
			"horaires": str("horaires"), "source": str("source"), "date_maj": str("date_maj"), "services": strings.Join(services, "|"),
			"frais_a_charge": frais, "dispositif_programmes_nationaux": strings.Join(programmes, "|"), "prise_rdv": str("prise_rdv"),
		}
		row := make([]string, len(order))
		for i, k := range order {
			row[i] = fields[k]
		}
		must(t, w.Write(row))
	}
	w.Flush()
	must(t, w.Error())
	return b.Bytes()
}

func jsonFloat(f float64) string {
	b, _ := json.Marshal(f)
	return string(b)
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// schemaColumns are the Table Schema's columns, in a different order
// than the schema's.
var schemaColumns = []string{"services", "nom", "id", "latitude", "longitude", "commune", "code_postal", "code_insee", "adresse",
	"complement_adresse", "pivot", "typologie", "telephone", "courriels", "site_web", "horaires", "presentation_resume", "source",
	"itinerance", "date_maj", "frais_a_charge", "dispositif_programmes_nationaux", "formations_labels", "modalites_acces", "prise_rdv"}

// The same places, written in the Table Schema's CSV, read the same as
// the first version's JSON: every label of both versions maps to the
// same codes.
func TestReadSchemaCSVMatchesFirstVersionJSON(t *testing.T) {
	recs := pacaRecords(t)
	data, err := os.ReadFile(pacaPath(t))
	must(t, err)
	want := read(t, data, Options{})
	for _, comma := range []rune{',', ';', '\t'} {
		res := read(t, schemaCSV(t, recs, comma, schemaColumns), Options{})
		if res.Format != importer.FormatLaMednumCSV || len(res.Places) != 792 || len(res.Skipped) != 0 || len(res.Unknown) != 0 {
			t.Fatalf("%q: format %s, %d places, skipped %v, unknown %v", comma, res.Format, len(res.Places), res.Skipped, res.Unknown)
		}
		for i, p := range res.Places {
			if w := want.Places[i]; !reflect.DeepEqual(p, w) {
				t.Fatalf("%q: line %d:\n got  %+v\n want %+v", comma, res.Lines[i], p, w)
			}
			if res.Lines[i] != i+2 {
				t.Fatalf("%q: place %d on line %d", comma, i, res.Lines[i])
			}
		}
	}
}

// The schema's own valid example.
func TestReadSchemaExample(t *testing.T) {
	path := filepath.Join(filepath.Dir(filepath.Dir(pacaPath(t))), "standard-mediation-num", "exemple-valide.csv")
	data, err := os.ReadFile(path)
	must(t, err)
	res := read(t, data, Options{})
	if len(res.Places) != 1 || len(res.Skipped) != 0 {
		t.Fatalf("%d places, skipped %v", len(res.Places), res.Skipped)
	}
	want := &knowledge.Place{ID: "structure-1", Source: "Hubik", Name: "Anonymal", Address: "12 BIS RUE DE LECLERCQ, Le patio du bois de l'Aulne",
		PostalCode: "51100", Commune: "Reims", INSEE: "51454", Jurisdiction: "FR", Lat: 43.52609, Lon: 5.41423,
		Services: []string{knowledge.ServiceQuotidien, knowledge.ServiceEmploi, knowledge.ServiceCreation},
		Labels:   []string{knowledge.LabelConseillerNumerique, knowledge.LabelAidantsConnect, knowledge.LabelTiersLieu},
		Hours:    "Mo-Fr 09:00-12:00,14:00-18:30; Sa 08:30-12:00", Phone: "+33180059880", Email: "contact@laquincaillerie.tl",
		Website: "https://www.laquincaillerie.tl/", Booking: "https://www.rdv-solidarites.fr/", Cost: "Gratuit sous condition, Payant",
		Updated: "2024-04-02"}
	if !reflect.DeepEqual(res.Places[0], want) {
		t.Errorf("got  %+v\nwant %+v", res.Places[0], want)
	}
}

// A French spreadsheet: « ; » between columns, Windows-1252, a byte
// order mark, a decimal comma, and only the columns it has.
func TestReadSpreadsheetCSV(t *testing.T) {
	latin := func(s string) string {
		var b []byte
		for _, r := range s {
			switch r {
			case '’':
				b = append(b, 0x92)
			default:
				b = append(b, byte(r)) // Latin-1 range
			}
		}
		return string(b)
	}
	data := "\ufeff" + latin("ID;Nom;Services;Latitude;Longitude;Frais_a_charge;Courriels\n"+
		"a1;Médiathèque d’Aubagne;Accéder à du matériel|Prendre en main un ordinateur;43,29;5,57;Gratuit;a@b.fr;c@d.fr\n"+
		"a2;Espace numérique;Apprendre la poterie;;;Payant;\n")
	res := read(t, []byte(data), Options{})
	if len(res.Places) != 1 || len(res.Skipped) != 1 || res.Skipped[0].Line != 2 || !strings.Contains(res.Skipped[0].Reason, "8 fields where the header has 7") {
		t.Fatalf("places %v, skipped %v", res.Places, res.Skipped)
	}
	p := res.Places[0]
	if p.ID != "a2" || p.Cost != "Payant" || len(p.Services) != 0 || res.Unknown["Apprendre la poterie"] != 1 || len(res.Unplaced) != 1 {
		t.Errorf("place %+v, unknown %v", p, res.Unknown)
	}
	data = "\ufeff" + latin("ID;Nom;Services;Latitude;Longitude;Frais_a_charge;Courriels\n"+
		"a1;Médiathèque d’Aubagne;Accéder à du matériel|Prendre en main un ordinateur;43,29;5,57;Gratuit;a@b.fr|c@d.fr\n")
	res = read(t, []byte(data), Options{})
	want := &knowledge.Place{ID: "a1", Name: "Médiathèque d’Aubagne", Jurisdiction: "FR", Lat: 43.29, Lon: 5.57,
		Services: []string{knowledge.ServiceQuotidien, knowledge.ServiceAcces}, Email: "a@b.fr", Cost: "Gratuit"}
	if len(res.Places) != 1 || !reflect.DeepEqual(res.Places[0], want) {
		t.Errorf("got %+v, skipped %v", res.Places, res.Skipped)
	}
}

// Malformed rows are reported with the line their object starts on and
// their id when known, and skipped; the others are read.
func TestReadReportsMalformedRows(t *testing.T) {
	data := `[
  {"id": "ok-1", "nom": "Un", "latitude": 43.3, "longitude": 5.4},
  {"nom": "Sans id"},
  {"id": "no-name", "nom": "  "},
  {"id": "bad-lat",
   "nom": "Latitude", "latitude": "quarante-trois", "longitude": 5.4},
  {"id": "swapped", "nom": "Inversé", "latitude": 5.4, "longitude": 43.3},
  {"id": "abroad", "nom": "Madrid", "latitude": 40.4, "longitude": -3.7},
  {"id": "half", "nom": "Moitié", "latitude": 43.3},
  42,
  {"id": "ok-1", "nom": "Deux fois"},
  {"id": "reunion", "nom": "Saint-Denis", "latitude": "-20.88", "longitude": "55.45", "services": ["Aide aux démarches administratives"]},
  {"id": "nc", "nom": "Nouméa", "latitude": -22.27, "longitude": 166.44, "services": "Cuisine moléculaire", "labels_nationaux": "France Services;APTIC"},
  {"id": "zero", "nom": "Nulle part", "latitude": 0, "longitude": 0}
]`
	res := read(t, []byte(data), Options{})
	want := []importer.Problem{
		{Line: 3, Reason: "no id"},
		{Line: 4, ID: "no-name", Reason: "no name (nom)"},
		{Line: 5, ID: "bad-lat", Reason: "latitude « quarante-trois » is not a number"},
		{Line: 7, ID: "swapped", Reason: "coordinates 5.4, 43.3 are outside France and its overseas territories (latitude and longitude swapped?)"},
		{Line: 8, ID: "abroad", Reason: "coordinates 40.4, -3.7 are outside France and its overseas territories"},
		{Line: 9, ID: "half", Reason: "latitude without longitude"},
		{Line: 10, Reason: "not a place: a JSON number where an object was expected"},
		{Line: 11, ID: "ok-1", Reason: "duplicate id, first at line 2"},
	}
	if !reflect.DeepEqual(res.Skipped, want) {
		t.Errorf("skipped:\n%v\nwant\n%v", res.Skipped, want)
	}
	if res.Rows != 12 || len(res.Places) != 4 || !slices.Equal(res.Lines, []int{2, 12, 13, 14}) {
		t.Errorf("%d rows, places %v on lines %v", res.Rows, res.Places, res.Lines)
	}
	got := byID(res)
	if p := got["reunion"]; p == nil || p.Lat != -20.88 || !slices.Equal(p.Services, []string{knowledge.ServiceDemarches}) {
		t.Errorf("reunion: %+v", p)
	}
	if p := got["nc"]; p == nil || len(p.Services) != 0 || !slices.Equal(p.Labels, []string{knowledge.LabelFranceServices}) || res.Unknown["Cuisine moléculaire"] != 1 {
		t.Errorf("nc: %+v, unknown %v", p, res.Unknown)
	}
	if p := got["zero"]; p == nil || len(res.Unplaced) != 1 || res.Unplaced[0].ID != "zero" {
		t.Errorf("0, 0 is no coordinates: %+v, unplaced %v", p, res.Unplaced)
	}
}

func TestReadCSVRowErrors(t *testing.T) {
	data := "id,nom,latitude,longitude\n" +
		"a,Un,43.3,5.4\n" +
		"b,\"Deux \"guillemets\"\",43.3,5.4\n" +
		"c,Trois,43.3,5.4\n" +
		",Sans id,,\n" +
		"d,\"Quatre\n sur deux lignes\",43.3,5.4\n" +
		"e,Cinq\n"
	res := read(t, []byte(data), Options{})
	want := []importer.Problem{
		{Line: 3, Reason: `unreadable CSV row: extraneous or missing " in quoted-field`},
		{Line: 5, Reason: "no id"},
		{Line: 8, ID: "e", Reason: "2 fields where the header has 4"},
	}
	if !reflect.DeepEqual(res.Skipped, want) {
		t.Errorf("skipped:\n%v\nwant\n%v", res.Skipped, want)
	}
	if len(res.Places) != 3 || !slices.Equal(res.Lines, []int{2, 4, 6}) || res.Places[2].Name != "Quatre\n sur deux lignes" {
		t.Errorf("places %v lines %v", res.Places, res.Lines)
	}
}

// A file that cannot be read on is an error naming the line.
func TestReadUnreadableFiles(t *testing.T) {
	for name, tc := range map[string]struct{ data, want string }{
		"cut short":      {"[\n {\"id\": \"a\", \"nom\": \"A\"},\n {\"id\": \"b\",\n  \"nom\": \"B", "line 3: the file ends inside the object that starts here"},
		"bad JSON":       {"[\n {\"id\": \"a\", \"nom\": \"A\"},\n {\"id\": \"b\" \"nom\": \"B\"}\n]", "line 3: invalid JSON"},
		"unclosed array": {"[\n {\"id\": \"a\", \"nom\": \"A\"}\n", "the file ends before the array is closed"},
		"object":         {`{"id": "a", "nom": "A"}`, "line 1: a JSON object without an array of places (under « items »)"},
		"string":         {`"lieux"`, "line 1: not a LaMednum CSV"},
		"other CSV":      {"code,libelle\n1,Un\n", "line 1: not a LaMednum CSV: it needs an « id » and a « nom » column (columns: code, libelle)"},
		"empty":          {"", "empty file"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Read(context.Background(), strings.NewReader(tc.data), Options{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
		})
	}
	// An API page: the array under « items ».
	res := read(t, []byte(`{"total": 1, "items": [{"id": "a", "nom": "A"}], "page": 1}`), Options{})
	if len(res.Places) != 1 {
		t.Errorf("API page: %v", res.Places)
	}
}

// Every service label the standard ever had maps to a code, whatever the
// case and accents.
func TestEveryServiceLabelIsMapped(t *testing.T) {
	v := NewVocabulary()
	for old, new := range newLabels {
		for _, l := range []string{old, new, strings.ToUpper(old), strings.ReplaceAll(old, "'", "’")} {
			if len(v.Services(l)) == 0 {
				t.Errorf("%q maps to no service", l)
			}
		}
		if !slices.Equal(v.Services(old), v.Services(new)) {
			t.Errorf("%q → %v but %q → %v", old, v.Services(old), new, v.Services(new))
		}
	}
	// The schema's list, as its description spells one of them.
	if got := v.Services("Comprehension du monde numérique"); !slices.Equal(got, []string{knowledge.ServiceCulture}) {
		t.Errorf("Comprehension: %v", got)
	}
	for value, want := range map[string]string{"CNFS": knowledge.LabelConseillerNumerique, "france services": knowledge.LabelFranceServices,
		"TIERS_LIEUX": knowledge.LabelTiersLieu, "EPN": knowledge.LabelEPN, "FABLAB": knowledge.LabelFabLab, "Aidants Connect": knowledge.LabelAidantsConnect,
		"france-tiers-lieux": knowledge.LabelTiersLieu, "conseiller-numerique": knowledge.LabelConseillerNumerique, "La Croix Rouge": "", "dora": ""} {
		if got := v.Label(value); got != want {
			t.Errorf("Label(%q) = %q, want %q", value, got, want)
		}
	}
}
