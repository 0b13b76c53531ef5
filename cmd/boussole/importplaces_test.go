package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/boussole/boussole/bot/store"
	"github.com/boussole/boussole/knowledge"
)

// pacaName is the shared regional export's file name; its source is
// lieux-mediation-numerique-paca.
const pacaName = "lieux-mediation-numerique-paca-2023-05-16.json"

// pacaFile returns the shared PACA export's path, or skips.
func pacaFile(t testing.TB) string {
	t.Helper()
	p := filepath.Join("..", "..", "..", "shared", "data", "places", pacaName)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("skipping: the shared places data is not at %s (%v)", p, err)
	}
	return p
}

// pacaRecords returns the PACA export's records, to build variants from.
func pacaRecords(t testing.TB) []map[string]any {
	t.Helper()
	data, err := os.ReadFile(pacaFile(t))
	must(t, err)
	var recs []map[string]any
	must(t, json.Unmarshal(data, &recs))
	return recs
}

// writeJSON writes records as an indented JSON array in a new directory,
// under name, and returns the path and the text.
func writeJSON(t testing.TB, name string, recs any) (string, string) {
	t.Helper()
	data, err := json.MarshalIndent(recs, "", "  ")
	must(t, err)
	path := filepath.Join(t.TempDir(), name)
	must(t, os.WriteFile(path, data, 0o600))
	return path, string(data)
}

// objectLine is the line where the object holding "id": id starts in an
// indented JSON array.
func objectLine(text, id string) int {
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		if strings.Contains(l, `"id": "`+id+`"`) {
			for j := i; j >= 0; j-- {
				if lines[j] == "  {" {
					return j + 1
				}
			}
		}
	}
	return 0
}

// nthObjectLine is the line where the k-th object (from 0) of an
// indented JSON array starts.
func nthObjectLine(text string, k int) int {
	for i, l := range strings.Split(text, "\n") {
		if l == "  {" {
			if k == 0 {
				return i + 1
			}
			k--
		}
	}
	return 0
}

// mustImportPlaces imports places into db and returns the summary's
// counts: imported, updated, unchanged, retired, skipped, kept.
func mustImportPlaces(t *testing.T, db string, args ...string) ([6]int, string) {
	t.Helper()
	code, out, errs := runCmd(t, "", append([]string{"import", "places", "--db", db}, args...)...)
	if code != 0 {
		t.Fatalf("import places %q: exit %d\n%s%s", args, code, out, errs)
	}
	m := importCounts.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("import places %q: no summary:\n%s", args, out)
	}
	var n [6]int
	for i := range n {
		n[i], _ = strconv.Atoi(m[i+1])
	}
	return n, out
}

// dumpPlaces returns every row of the places table with its dates: what
// an import that changes nothing, or a refused one, leaves as it was.
func dumpPlaces(t *testing.T, db string) string {
	t.Helper()
	conn, err := sql.Open("sqlite", db)
	must(t, err)
	defer conn.Close()
	rows, err := conn.Query(`SELECT id, source, hash, imported_at, updated_at, coalesce(retired_at, 0) FROM places ORDER BY id`)
	must(t, err)
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var id, source, hash string
		var imp, upd, ret int64
		must(t, rows.Scan(&id, &source, &hash, &imp, &upd, &ret))
		fmt.Fprintf(&b, "%s %s %s %d %d %d\n", id, source, hash, imp, upd, ret)
	}
	must(t, rows.Err())
	return b.String()
}

// servedPlaces returns the current places of db by id.
func servedPlaces(t *testing.T, db string) map[string]*knowledge.Place {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, db, store.Options{Clock: testClock, ReadOnly: true})
	must(t, err)
	defer st.Close()
	ps, err := st.Places(ctx)
	must(t, err)
	out := map[string]*knowledge.Place{}
	for _, p := range ps {
		out[p.ID] = p
	}
	return out
}

func TestImportPlacesIsIdempotentAndRetiresGoneRows(t *testing.T) {
	db := filepath.Join(t.TempDir(), "b.db")
	n, out := mustImportPlaces(t, db, pacaFile(t))
	if n != [6]int{792, 0, 0, 0, 0, 0} {
		t.Fatalf("first import: %v\n%s", n, out)
	}
	wantAll(t, out, "source lieux-mediation-numerique-paca: 792 places (0 before)", "without coordinates: 4, placed at their commune: 4",
		"Licence Ouverte 2.0")
	served := servedPlaces(t, db)
	martigues := served["dora-3d647b3a-a5b6-41f8-8374-ba37c1ff1746"]
	if len(served) != 792 || martigues == nil || martigues.Lat < 43.3 || martigues.Lat > 43.5 || martigues.Source != "dora" {
		t.Fatalf("%d served; Martigues placed at %+v", len(served), martigues)
	}
	before := dumpPlaces(t, db)

	// The same file again changes nothing, not even a date.
	if n, out := mustImportPlaces(t, db, pacaFile(t)); n != [6]int{0, 0, 792, 0, 0, 0} {
		t.Fatalf("second import: %v\n%s", n, out)
	}
	if after := dumpPlaces(t, db); after != before {
		t.Fatal("the second import of the same file wrote to the database")
	}

	// Next month's export (same source: the name without its date) lacks
	// three places and changed one: exactly those are retired.
	recs := pacaRecords(t)
	gone := []string{recs[10]["id"].(string), recs[400]["id"].(string), recs[791]["id"].(string)}
	var next []map[string]any
	for _, r := range recs {
		if !slices.Contains(gone, r["id"].(string)) {
			next = append(next, r)
		}
	}
	next[0]["nom"] = "Accueil en accès libre, renommé"
	path, _ := writeJSON(t, "lieux-mediation-numerique-paca-2023-06-16.json", next)
	n, out = mustImportPlaces(t, db, path)
	if n != [6]int{0, 1, 788, 3, 0, 0} {
		t.Fatalf("smaller export: %v\n%s", n, out)
	}
	served = servedPlaces(t, db)
	for _, id := range gone {
		if served[id] != nil {
			t.Errorf("%s still served", id)
		}
	}
	if len(served) != 789 || served[next[0]["id"].(string)].Name != "Accueil en accès libre, renommé" {
		t.Fatalf("%d served", len(served))
	}
	// Another source's import retires none of them.
	other, _ := writeJSON(t, "autre.json", []map[string]any{{"id": "autre-1", "nom": "Autre lieu", "latitude": 45.76, "longitude": 4.84}})
	if n, out := mustImportPlaces(t, db, other); n != [6]int{1, 0, 0, 0, 0, 0} || !strings.Contains(out, "source autre: 1 places (0 before)") {
		t.Fatalf("another source: %v\n%s", n, out)
	}
	if got := servedPlaces(t, db); len(got) != 790 || got["autre-1"].Source != "autre" {
		t.Fatalf("%d served, autre-1 = %+v", len(got), got["autre-1"])
	}
}

// On a terminal, a progress bar follows the reading of each file.
func TestImportPlacesProgressBarOnATerminal(t *testing.T) {
	db := filepath.Join(t.TempDir(), "b.db")
	var out, errb bytes.Buffer
	e := env{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, getenv: func(string) string { return "" },
		now: testClock, parts: parts, errTerminal: true}
	if code := run(context.Background(), e, []string{"import", "places", "--db", db, pacaFile(t)}); code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out.String(), errb.String())
	}
	bar := errb.String()
	if !strings.Contains(bar, "\r  [") || !strings.HasSuffix(bar, "] 100% 569/569\n") || strings.Count(bar, "\r") < 5 {
		t.Fatalf("progress bar: %q", bar)
	}
	// Not on a pipe.
	errb.Reset()
	e.errTerminal = false
	if code := run(context.Background(), e, []string{"import", "places", "--db", db, pacaFile(t)}); code != 0 || errb.Len() != 0 {
		t.Fatalf("exit %d, stderr %q", code, errb.String())
	}
}

// newServiceLabels are the Table Schema's service labels standing for the
// first version's, code for code.
var newServiceLabels = map[string]string{
	"Réaliser des démarches administratives avec un accompagnement": "Aide aux démarches administratives",
	"Devenir autonome dans les démarches administratives":           "Aide aux démarches administratives",
	"Prendre en main un smartphone ou une tablette":                 "Maîtrise des outils numériques du quotidien",
	"Prendre en main un ordinateur":                                 "Maîtrise des outils numériques du quotidien",
	"Utiliser le numérique au quotidien":                            "Maîtrise des outils numériques du quotidien",
	"Approfondir ma culture numérique":                              "Compréhension du monde numérique",
	"Promouvoir la citoyenneté numérique":                           "Utilisation sécurisée du numérique",
	"Favoriser mon insertion professionnelle":                       "Insertion professionnelle via le numérique",
	"Accéder à du matériel":                                         "Accès internet et matériel informatique",
	"Accéder à une connexion internet":                              "Accès internet et matériel informatique",
	"Créer avec le numérique":                                       "Loisirs et créations numériques",
	"Soutenir la parentalité et l'éducation avec le numérique":      "Parentalité et éducation avec le numérique",
	"S'équiper en matériel informatique":                            "Acquisition de matériel informatique à prix solidaire",
	"Créer et développer mon entreprise":                            "Créer et développer mon entreprise",
	"Accompagner les démarches de santé":                            "Accompagner les démarches de santé",
}

// schemaCSV writes records in the Table Schema's CSV form: its column
// names in another order, « | » between values, the new service labels,
// frais_a_charge, courriels, dispositif_programmes_nationaux, typologie.
func schemaCSV(t testing.TB, recs []map[string]any) []byte {
	t.Helper()
	cols := []string{"services", "nom", "latitude", "longitude", "id", "commune", "code_postal", "code_insee", "adresse", "typologie",
		"telephone", "courriels", "site_web", "horaires", "source", "date_maj", "frais_a_charge", "dispositif_programmes_nationaux", "prise_rdv"}
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	must(t, w.Write(cols))
	for _, r := range recs {
		str := func(k string) string { s, _ := r[k].(string); return s }
		var services, programmes []string
		for _, s := range strings.Split(str("services"), ";") {
			services = append(services, newServiceLabels[s])
		}
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
				return strconv.FormatFloat(f, 'f', -1, 64)
			}
			return ""
		}
		fields := map[string]string{"id": str("id"), "nom": str("nom"), "commune": str("commune"), "code_postal": str("code_postal"),
			"code_insee": str("code_insee"), "adresse": str("adresse"), "latitude": num("latitude"), "longitude": num("longitude"),
			"typologie": typ, "telephone": str("telephone"), "courriels": str("courriel"), "site_web": str("site_web"),
			"horaires": str("horaires"), "source": str("source"), "date_maj": str("date_maj"), "services": strings.Join(services, "|"),
			"frais_a_charge": frais, "dispositif_programmes_nationaux": strings.Join(programmes, "|"), "prise_rdv": str("prise_rdv")}
		row := make([]string, len(cols))
		for i, c := range cols {
			row[i] = fields[c]
		}
		must(t, w.Write(row))
	}
	w.Flush()
	must(t, w.Error())
	return b.Bytes()
}

// The same places in the Table Schema's CSV, under the same source, are
// the same places: nothing changes.
func TestImportPlacesCSVOfTheSamePlacesChangesNothing(t *testing.T) {
	db := filepath.Join(t.TempDir(), "b.db")
	mustImportPlaces(t, db, pacaFile(t))
	before := dumpPlaces(t, db)
	path := filepath.Join(t.TempDir(), "paca.csv")
	must(t, os.WriteFile(path, schemaCSV(t, pacaRecords(t)), 0o600))
	if n, out := mustImportPlaces(t, db, "--source", "lieux-mediation-numerique-paca", path); n != [6]int{0, 0, 792, 0, 0, 0} {
		t.Fatalf("CSV: %v\n%s", n, out)
	}
	if after := dumpPlaces(t, db); after != before {
		t.Fatal("the CSV of the same places wrote to the database")
	}
}

// The national exports are URLs: the command fetches them (here from a
// loopback server), with a clear error when the server says no.
func TestImportPlacesFromURL(t *testing.T) {
	paca, err := os.ReadFile(pacaFile(t))
	must(t, err)
	csvData := schemaCSV(t, pacaRecords(t)[:100])
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/exports/" + pacaName:
			w.Header().Set("Content-Type", "application/json")
			w.Write(paca)
		case "/exports/lieux.csv":
			w.Header().Set("Content-Type", "text/csv")
			w.Write(csvData)
		case "/moved":
			http.Redirect(w, r, "/exports/"+pacaName, http.StatusFound)
		case "/away":
			http.Redirect(w, r, "http://example.org/lieux.json", http.StatusFound)
		default:
			http.Error(w, "no such export", http.StatusNotFound)
		}
	}))
	defer srv.Close()
	if !strings.HasPrefix(srv.URL, "http://127.0.0.1:") {
		t.Fatalf("server at %s, want loopback", srv.URL)
	}
	db := filepath.Join(t.TempDir(), "b.db")
	n, out := mustImportPlaces(t, db, srv.URL+"/exports/"+pacaName)
	if n != [6]int{792, 0, 0, 0, 0, 0} || !strings.Contains(out, "source lieux-mediation-numerique-paca:") {
		t.Fatalf("from URL: %v\n%s", n, out)
	}
	// The same file from disk is the same source: nothing changes.
	if n, _ := mustImportPlaces(t, db, pacaFile(t)); n != [6]int{0, 0, 792, 0, 0, 0} {
		t.Fatalf("from disk after URL: %v", n)
	}
	if n, _ := mustImportPlaces(t, db, srv.URL+"/moved", "--source", "lieux-mediation-numerique-paca"); n != [6]int{0, 0, 792, 0, 0, 0} {
		t.Fatalf("redirected: %v", n)
	}
	// A CSV of 100 of them under its own source takes them over.
	n, out = mustImportPlaces(t, db, srv.URL+"/exports/lieux.csv")
	if n != [6]int{0, 0, 100, 0, 0, 0} || !strings.Contains(out, "source lieux: 100 places (0 before)") || !strings.Contains(out, "100 taken over") {
		t.Fatalf("CSV from URL: %v\n%s", n, out)
	}
	before := dumpPlaces(t, db)
	for _, tc := range []struct{ url, want string }{
		{srv.URL + "/exports/missing.json", "fetch " + srv.URL + "/exports/missing.json: 404 Not Found: no such export"},
		{srv.URL + "/away", "plain http:// is accepted on loopback addresses only"},
		{"http://example.org/lieux.json", "http://example.org/lieux.json: plain http:// is accepted on loopback addresses only: use https://"},
		{"ftp://example.org/lieux.json", `ftp://example.org/lieux.json: unsupported scheme "ftp": use https://`},
	} {
		code, _, errs := runCmd(t, "", "import", "places", "--db", db, tc.url)
		if code != 1 || !strings.Contains(errs, tc.want) {
			t.Errorf("%s: exit %d\n%s", tc.url, code, errs)
		}
	}
	if after := dumpPlaces(t, db); after != before {
		t.Fatal("a failed import changed the database")
	}
}

// breakRows returns a copy of recs with rows broken in the ways a real
// export breaks them, and the ids of those that still have one.
func breakRows(recs []map[string]any, at []int) ([]map[string]any, []string) {
	out := make([]map[string]any, len(recs))
	var ids []string
	for i, r := range recs {
		c := make(map[string]any, len(r))
		for k, v := range r {
			c[k] = v
		}
		out[i] = c
	}
	for k, i := range at {
		r := out[i]
		switch k % 4 {
		case 0:
			delete(r, "id")
			continue
		case 1:
			r["latitude"] = "quarante-trois"
		case 2:
			r["latitude"], r["longitude"] = r["longitude"], r["latitude"]
			if r["latitude"] == nil {
				r["latitude"], r["longitude"] = 5.4, 43.3
			}
		case 3:
			r["nom"] = ""
		}
		ids = append(ids, r["id"].(string))
	}
	return out, ids
}

// Malformed rows are skipped and listed with their file, line and id;
// their places keep their earlier version; a row without id keeps the
// source from retiring anything.
func TestImportPlacesSkipsMalformedRows(t *testing.T) {
	db := filepath.Join(t.TempDir(), "b.db")
	mustImportPlaces(t, db, pacaFile(t))
	recs := pacaRecords(t)
	broken, ids := breakRows(recs, []int{5, 50, 150, 300, 600, 700, 790})
	// A missing place too: with a row without id in the file, it is not
	// retired (the row may be it).
	missing := broken[100]["id"].(string)
	broken = slices.Delete(broken, 100, 101)
	path, text := writeJSON(t, pacaName, broken)
	n, out := mustImportPlaces(t, db, path)
	if n != [6]int{0, 0, 784, 0, 7, 5} {
		t.Fatalf("broken rows: %v\n%s", n, out)
	}
	wantAll(t, out, "nothing retired: some malformed rows have no id",
		fmt.Sprintf("skipped %s line %d: no id", path, nthObjectLine(text, 5)),
		fmt.Sprintf("skipped %s line %d (%s): latitude « quarante-trois » is not a number", path, objectLine(text, ids[0]), ids[0]),
		fmt.Sprintf("line %d (%s): coordinates", objectLine(text, ids[1]), ids[1]), "(latitude and longitude swapped?)",
		fmt.Sprintf("line %d (%s): no name (nom)", objectLine(text, ids[2]), ids[2]))
	served := servedPlaces(t, db)
	if len(served) != 792 || served[missing] == nil || served[ids[2]].Name == "" {
		t.Fatalf("%d served; %s: %v", len(served), missing, served[missing])
	}
	// Without the id-less rows, the missing place goes, and so do the
	// two places whose rows had lost their id.
	broken = slices.DeleteFunc(broken, func(r map[string]any) bool { return r["id"] == nil })
	path, _ = writeJSON(t, pacaName, broken)
	if n, out := mustImportPlaces(t, db, path); n != [6]int{0, 0, 784, 3, 5, 5} {
		t.Fatalf("id-less rows gone: %v\n%s", n, out)
	}
	if served := servedPlaces(t, db); len(served) != 789 || served[missing] != nil {
		t.Fatalf("%d served, %s still there", len(served), missing)
	}
}

// A mostly broken file is refused whole: nothing is written, nothing
// retired, no database created.
func TestImportPlacesRefusesAMostlyBrokenFile(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "new.db")
	recs := pacaRecords(t)[:100]
	var at []int
	for i := 0; i < 100; i += 2 {
		at = append(at, i)
	}
	broken, _ := breakRows(recs, at)
	path, text := writeJSON(t, "lieux.json", broken)
	code, out, errs := runCmd(t, "", "import", "places", "--db", db, path)
	if code != 1 {
		t.Fatalf("exit %d\n%s%s", code, out, errs)
	}
	wantAll(t, errs, "import places refused, nothing changed", path+": 50 of 100 rows are malformed (50 %), more than --max-broken 0.05 (5 %)",
		fmt.Sprintf("line %d: no id", nthObjectLine(text, 0)), "… and 45 more")
	assertNoDatabase(t, dir)

	// Over an existing database: it stays as it was.
	mustImportPlaces(t, db, pacaFile(t))
	before := dumpPlaces(t, db)
	path, _ = writeJSON(t, pacaName, broken)
	if code, _, errs := runCmd(t, "", "import", "places", "--db", db, path); code != 1 || !strings.Contains(errs, "nothing changed") {
		t.Fatalf("exit %d %s", code, errs)
	}
	if after := dumpPlaces(t, db); after != before {
		t.Fatal("a refused import changed the database")
	}
	// --max-broken raises the bar (and then the 700 places it lacks are
	// not retired: its id-less rows may be any of them).
	if n, _ := mustImportPlaces(t, db, "--max-broken", "0.5", path); n[3] != 0 || n[4] != 50 {
		t.Fatalf("--max-broken 0.5: %v", n)
	}
}

// Retiring more than a tenth of a source needs --allow-retire.
func TestImportPlacesRetiringMoreThanATenthNeedsAllowRetire(t *testing.T) {
	db := filepath.Join(t.TempDir(), "b.db")
	mustImportPlaces(t, db, pacaFile(t))
	before := dumpPlaces(t, db)
	path, _ := writeJSON(t, pacaName, pacaRecords(t)[:600])
	code, out, errs := runCmd(t, "", "import", "places", "--db", db, path)
	if code != 1 {
		t.Fatalf("exit %d\n%s%s", code, out, errs)
	}
	wantAll(t, errs, "would retire 192 of the 792 places of source lieux-mediation-numerique-paca (24.2 %), more than 10 %", "--allow-retire", "nothing changed")
	if after := dumpPlaces(t, db); after != before {
		t.Fatal("a refused import changed the database")
	}
	if n, _ := mustImportPlaces(t, db, "--allow-retire", path); n != [6]int{0, 0, 600, 192, 0, 0} {
		t.Fatalf("--allow-retire: %v", n)
	}
}

// data·inclusion structures and services, through the command.
func TestImportPlacesDataInclusion(t *testing.T) {
	structures, _ := writeJSON(t, "structures-2025-02-14.json", map[string]any{"items": []map[string]any{
		{"id": "dora--s1", "source": "dora", "nom": "France services de Digne", "commune": "Digne-les-Bains", "code_postal": "04000",
			"latitude": 44.09, "longitude": 6.23, "date_maj": "2025-02-14", "reseaux_porteurs": []string{"france-service"}},
		{"id": "s2", "source": "soliguide", "nom": "Espace numérique de Gap", "commune": "Gap", "code_postal": "05000",
			"date_maj": "2025-02-14", "siret": nil, "lien_source": "https://soliguide.fr/s2"},
	}})
	services, _ := writeJSON(t, "services-2025-02-14.json", []map[string]any{
		{"id": "v1", "structure_id": "dora--s1", "source": "dora", "nom": "Aide", "thematiques": []string{"numerique--acceder-a-des-services-en-ligne"}},
		{"id": "v2", "structure_id": "s2", "source": "soliguide", "nom": "Wifi", "thematiques": []string{"numerique--acceder-a-une-connexion-internet"}},
		{"id": "v3", "structure_id": "x9", "source": "soliguide", "nom": "Ailleurs", "thematiques": []string{"numerique"}},
	})
	db := filepath.Join(t.TempDir(), "b.db")
	n, out := mustImportPlaces(t, db, services, structures)
	if n != [6]int{2, 0, 0, 0, 0, 0} {
		t.Fatalf("data·inclusion: %v\n%s", n, out)
	}
	wantAll(t, out, "source structures: 2 places", "1 structures offering services are in no file of this import", "data·inclusion")
	served := servedPlaces(t, db)
	gap := served["soliguide--s2"]
	if gap == nil || !slices.Equal(gap.Services, []string{knowledge.ServiceAcces}) || gap.Lat == 0 ||
		!slices.Equal(served["dora--s1"].Labels, []string{knowledge.LabelFranceServices}) {
		t.Fatalf("served: %+v %+v", served["dora--s1"], gap)
	}
	code, _, errs := runCmd(t, "", "import", "places", "--db", db, services)
	if code != 1 || !strings.Contains(errs, "no place read (a data·inclusion services file is imported with its structures file)") {
		t.Fatalf("services alone: exit %d %s", code, errs)
	}
}

func TestImportPlacesErrors(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "b.db")
	if code, _, errs := runCmd(t, "", "import", "places", "--db", db); code != 2 || !strings.Contains(errs, "usage: boussole import places") {
		t.Errorf("no file: exit %d %s", code, errs)
	}
	cut := filepath.Join(dir, "cut.json")
	must(t, os.WriteFile(cut, []byte("[\n  {\"id\": \"a\", \"nom\": \"A\"},\n  {\"id\": \"b\",\n"), 0o600))
	other := filepath.Join(dir, "communes.csv")
	must(t, os.WriteFile(other, []byte("code,libelle\n1,Un\n"), 0o600))
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{filepath.Join(dir, "missing.json")}, 1, "missing.json: no such file"},
		{[]string{dir}, 1, "is a directory"},
		{[]string{cut}, 1, cut + ": line 3: the file ends inside the object that starts here"},
		{[]string{other}, 1, other + ": line 1: not a LaMednum CSV"},
		{[]string{"--source", "a b", cut}, 2, `--source "a b"`},
		{[]string{"--max-broken", "2", cut}, 2, "--max-broken"},
	} {
		code, _, errs := runCmd(t, "", append([]string{"import", "places", "--db", db}, tc.args...)...)
		if code != tc.code || !strings.Contains(errs, tc.want) {
			t.Errorf("%q: exit %d, want %d with %q:\n%s", tc.args, code, tc.code, tc.want, errs)
		}
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "b.db") {
			t.Errorf("a failed import left %s", e.Name())
		}
	}
}

func TestSourceName(t *testing.T) {
	for arg, want := range map[string]string{
		"lieux-mediation-numerique-paca-2023-05-16.json":                                     "lieux-mediation-numerique-paca",
		"/data/2022-07-25_24330031600011_lieux-de-mediation-numerique_BordeauxMetropole.csv": "24330031600011-lieux-de-mediation-numerique-bordeauxmetropole",
		"https://www.data.gouv.fr/api/1/datasets/r/398edc71-0d51-4cb6-9cbe-2540a4db573c":     "398edc71-0d51-4cb6-9cbe-2540a4db573c",
		"https://example.org/exports/structures.json?page=2":                                 "structures",
		"https://example.org/":         "example-org",
		"Lieux Médiation 20230516.CSV": "lieux-mediation",
		"2023-05-16.json":              "",
	} {
		if got := sourceName(arg); got != want {
			t.Errorf("sourceName(%q) = %q, want %q", arg, got, want)
		}
	}
}

// A row without coordinates is placed at its commune.
func TestLocateAtCommune(t *testing.T) {
	l := &gazetteerLocator{parts: parts}
	g, err := parts.Gazetteer()
	must(t, err)
	for _, tc := range []struct{ insee, postal, commune, want string }{
		{"13056", "13500", "Martigues", "Martigues"},
		{"", "13013", "MARSEILLE", "Marseille"},
		{"", "06190", "ROQUEBRUNE-CAP-MARTIN", "Roquebrune-Cap-Martin"},
		{"", "05000", "Un hameau inconnu", "Gap"}, // the postal code's most populous commune
		{"", "", "Aix-en-Provence", "Aix-en-Provence"},
		{"", "", "Nulle-part-sur-Mer", ""},
		{"", "", "Sherbrooke", ""}, // a Québec municipality: not in a French export
	} {
		lat, lon, ok := l.locate(tc.insee, tc.postal, tc.commune)
		want, found := g.Commune(tc.insee, tc.postal, tc.want)
		switch {
		case tc.want == "" && ok:
			t.Errorf("%v placed at %v, %v", tc, lat, lon)
		case tc.want != "" && (!ok || !found || lat != want.Lat || lon != want.Lon || want.Name != tc.want):
			t.Errorf("%v: %v, %v, %v; want %s at %v, %v", tc, lat, lon, ok, tc.want, want.Lat, want.Lon)
		}
	}
}

// BenchmarkImportPlaces imports 100,000 generated places (a national
// export's size, in the first version's JSON) into a new database through
// the command, as `boussole import places` does.
func BenchmarkImportPlaces(b *testing.B) {
	path := filepath.Join(b.TempDir(), "lieux-france.json")
	must(b, os.WriteFile(path, generatePlaces(100_000), 0o600))
	if _, err := parts.Gazetteer(); err != nil { // built once per process, as in main
		b.Fatal(err)
	}
	dir := b.TempDir()
	i := 0
	b.ReportAllocs()
	for b.Loop() {
		db := filepath.Join(dir, fmt.Sprintf("b%d.db", i))
		i++
		code, out, errs := runCmd(b, "", "import", "places", "--db", db, path)
		if code != 0 || !strings.Contains(out, "imported 100000,") {
			b.Fatalf("exit %d\n%s%s", code, out, errs)
		}
	}
}

// generatePlaces writes n places in the first version's JSON, like the
// PACA export's: services and labels from its lists, coordinates across
// metropolitan France, one in two hundred without.
func generatePlaces(n int) []byte {
	rng := rand.New(rand.NewPCG(1, 2))
	labels := slices.Sorted(func(yield func(string) bool) {
		for l := range newServiceLabels {
			if !yield(l) {
				return
			}
		}
	})
	var b bytes.Buffer
	b.WriteString("[\n")
	for i := range n {
		var services []string
		for range 1 + rng.IntN(5) {
			services = append(services, labels[rng.IntN(len(labels))])
		}
		r := map[string]any{
			"id": fmt.Sprintf("mediation-numerique-bench-%d", i), "nom": fmt.Sprintf("Espace numérique n°%d", i),
			"services": strings.Join(services, ";"), "pivot": "00000000000000", "commune": "Marseille", "code_postal": "13001",
			"adresse": fmt.Sprintf("%d rue de la République", i%300), "source": []string{"conseiller-numerique", "france-services", "dora"}[i%3],
			"labels_nationaux": []string{"CNFS", "France Services", "CNFS;France Services"}[i%3], "horaires": "Mo-Fr 09:00-12:30,13:30-17:00",
			"telephone": fmt.Sprintf("+3349%07d", i), "conditions_acces": "Gratuit : Je peux accéder gratuitement au lieu et à ses services",
			"date_maj": "2023-05-16",
		}
		if i%200 != 0 {
			r["latitude"] = 43 + rng.Float64()*7
			r["longitude"] = -1 + rng.Float64()*8
		}
		data, _ := json.MarshalIndent(r, "  ", "  ")
		if i > 0 {
			b.WriteString(",\n")
		}
		b.WriteString("  ")
		b.Write(data)
	}
	b.WriteString("\n]\n")
	return b.Bytes()
}
