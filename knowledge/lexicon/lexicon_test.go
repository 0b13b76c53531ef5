package lexicon

import (
	"strings"
	"testing"
)

func TestDefault(t *testing.T) {
	l := Default()
	if len(l.Synonyms) < 50 || len(l.Expand) == 0 || len(l.Facets) == 0 || len(l.Context) == 0 {
		t.Fatalf("embedded lexicon looks empty: %d groups, %d expansions, %d facets, %d context words", len(l.Synonyms), len(l.Expand), len(l.Facets), len(l.Context))
	}
	if Default() != l {
		t.Error("Default is not shared")
	}
	has := func(a, b string) bool {
		for _, g := range l.Synonyms {
			ga := strings.Join(g, "|")
			if strings.Contains(ga, a) && strings.Contains(ga, b) {
				return true
			}
		}
		return false
	}
	for _, p := range [][2]string{{"cdi", "contrat à durée indéterminée"}, {"smic", "salaire minimum"}, {"pôle emploi", "france travail"}, {"carte grise", "certificat d'immatriculation"}} {
		if !has(p[0], p[1]) {
			t.Errorf("no group with %q and %q", p[0], p[1])
		}
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"unknown key", "synonym: []", "field synonym not found"},
		{"short group", "synonyms:\n  - [cdi]", "at least two"},
		{"blank phrase", "synonyms:\n  - [cdi, ' ']", "at least two"},
		{"expansion", "expand:\n  - from: [viré]", "non-empty from and to"},
		{"facet", "facets:\n  - name: x", "a name and non-empty terms"},
		{"duplicate facet", "facets:\n  - {name: x, terms: [a]}\n  - {name: x, terms: [b]}", "duplicate name"},
		{"context phrase", "context: [grand-mère]", "want one word"},
	} {
		_, err := Parse([]byte(tc.in))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", tc.name, err, tc.want)
		}
	}
	// All problems at once.
	_, err := Parse([]byte("synonyms:\n  - [a]\nexpand:\n  - to: [b]\n"))
	if err == nil || !strings.Contains(err.Error(), "synonyms[0]") || !strings.Contains(err.Error(), "expand[0]") {
		t.Errorf("want both errors, got %v", err)
	}
}
