package importer

import (
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/boussole/boussole/knowledge"
)

func TestSniff(t *testing.T) {
	for want, heads := range map[string][]string{
		FormatLaMednumJSON: {`[{"id": "a", "nom": "A", "services": "x", "pivot": "0"}]`, "\ufeff  [\n {\"id\": \"a\", \"conditions_acces\": \"Gratuit\"", `[]`,
			`{"total": 2, "items": [{"id": "a", "nom": "A", "horaires": "Mo 10:00-12:00", "courriels": "a@b.fr"}]}`},
		FormatStructures: {`[{"id": "dora--1", "nom": "A", "siret": "1", "reseaux_porteurs": ["france-service"], "horaires_accueil": null}]`,
			`{"items": [{"id": "x", "source": "dora", "lien_source": "https://x", "accessibilite_lieu": null, "courriel": "a@b.fr"`},
		FormatServices:    {`[{"id": "s1", "structure_id": "dora--1", "thematiques": []}]`},
		FormatLaMednumCSV: {"id,nom,latitude\n", "\ufeffID;Nom\n", ""},
	} {
		for _, h := range heads {
			if got := Sniff([]byte(h)); got != want {
				t.Errorf("Sniff(%.40q) = %s, want %s", h, got, want)
			}
		}
	}
}

func TestCoords(t *testing.T) {
	for _, tc := range []struct {
		lat, lon string
		ok       bool
		reason   string
	}{
		{"43.29", "5.37", true, ""},
		{"43,29", "5,37", true, ""},
		{" -21.1 ", "55.5", true, ""},   // La Réunion
		{"-17.53", "-149.56", true, ""}, // Tahiti
		{"4.93", "-52.33", true, ""},    // Cayenne
		{"16.24", "-61.53", true, ""},   // Pointe-à-Pitre
		{"-12.78", "45.23", true, ""},   // Mamoudzou
		{"46.78", "-56.17", true, ""},   // Saint-Pierre
		{"-22.27", "166.44", true, ""},  // Nouméa
		{"-13.28", "-176.17", true, ""}, // Mata-Utu
		{"41.92", "8.74", true, ""},     // Ajaccio
		{"", "", false, ""},
		{"0", "0", false, ""},
		{"43.29", "", false, "latitude without longitude"},
		{"", "5.37", false, "longitude without latitude"},
		{"NaN", "5.37", false, "latitude « NaN » is not a number"},
		{"43.29", "5°37", false, "longitude « 5°37 » is not a number"},
		{"5.37", "43.29", false, "coordinates 5.37, 43.29 are outside France and its overseas territories (latitude and longitude swapped?)"},
		{"51.5", "-0.12", false, "coordinates 51.5, -0.12 are outside France and its overseas territories"},
		{"45.5", "-73.56", false, "coordinates 45.5, -73.56 are outside France and its overseas territories"},
	} {
		_, _, ok, reason := Coords(tc.lat, tc.lon)
		if ok != tc.ok || reason != tc.reason {
			t.Errorf("Coords(%q, %q) = %v %q, want %v %q", tc.lat, tc.lon, ok, reason, tc.ok, tc.reason)
		}
	}
}

func TestFields(t *testing.T) {
	if got := List(" a ;b|| c;"); !reflect.DeepEqual(got, []string{"a", "b", "c"}) {
		t.Errorf("List = %q", got)
	}
	if First("") != "" || First("x|y") != "x" {
		t.Error("First")
	}
	if Key("Soutenir la parentalité et l'éducation") != Key("soutenir-la-parentalite-et-leducation") || Key("É t’é") != Key("ete") {
		t.Error("Key")
	}
	if got := Clean("M\xe9diath\xe8que d\x92Aubagne "); got != "Médiathèque d’Aubagne" {
		t.Errorf("Clean = %q", got)
	}
	for in, want := range map[string]string{"2023-05-11": "2023-05-11", "2023-05-11T08:00:00Z": "2023-05-11", "1970-01-01": "", "11/05/2023": "", "": ""} {
		if got := Date(in); got != want {
			t.Errorf("Date(%q) = %q", in, got)
		}
	}
	if got := Join([]string{"Gratuit", "", "Payant", "Gratuit"}); got != "Gratuit, Payant" {
		t.Errorf("Join = %q", got)
	}
	if got := Codes(map[string]bool{knowledge.ServiceSante: true, knowledge.ServiceDemarches: true}, knowledge.Services); !reflect.DeepEqual(got, []string{"demarches", "sante"}) {
		t.Errorf("Codes = %v", got)
	}
}

func TestText(t *testing.T) {
	var v struct{ A, B, C, D, E, F Text }
	if err := decodeOne(`{"A": "x\u00e9", "B": 43.5, "C": ["a", 2, null], "D": null, "E": {"k": 1}, "F": true}`, &v); err != nil {
		t.Fatal(err)
	}
	if v.A != "xé" || v.B != "43.5" || v.C != "a|2" || v.D != "" || v.E != "" || v.F != "true" {
		t.Errorf("%+v", v)
	}
}

func decodeOne(s string, v any) error {
	_, err := NewJSONArray(strings.NewReader("[" + s + "]")).Next(v)
	return err
}

// Lines stay right however the reader hands the bytes over: one at a
// time here, in large chunks for a file.
func TestJSONArrayLines(t *testing.T) {
	var b strings.Builder
	b.WriteString("{\"page\": {\"n\": [1, 2]},\n \"items\": [\n")
	line := 3
	var want []int
	for i := range 300 {
		if i > 0 {
			b.WriteString(",\n\n")
			line += 2
		}
		want = append(want, line)
		fmt.Fprintf(&b, "  {\"id\": \"p%d\",\n   \"nom\": \"%s\"}", i, strings.Repeat("é", i%50))
		line++
	}
	b.WriteString("\n]}\n")
	for _, r := range []func(io.Reader) io.Reader{func(r io.Reader) io.Reader { return r }, iotest.OneByteReader, iotest.HalfReader} {
		arr := NewJSONArray(r(strings.NewReader(b.String())), "items")
		var got []int
		for {
			var v struct{ ID Text }
			l, err := arr.Next(&v)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, l)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("lines %v, want %v", got, want)
		}
	}
}

func TestResultAdd(t *testing.T) {
	r := NewResult(FormatLaMednumJSON)
	loc := func(insee, postal, commune string) (float64, float64, bool) { return 43.3, 5.4, commune == "Marseille" }
	r.Add(2, &knowledge.Place{ID: "a", Commune: "Marseille"}, loc)
	r.Add(5, &knowledge.Place{ID: "b", Commune: "Nulle-part"}, loc)
	r.Add(9, &knowledge.Place{ID: "a"}, loc)
	if len(r.Places) != 2 || r.Located != 1 || len(r.Unplaced) != 1 || r.Unplaced[0].Line != 5 ||
		len(r.Skipped) != 1 || r.Skipped[0].String() != "line 9 (a): duplicate id, first at line 2" {
		t.Errorf("%+v", r)
	}
}
