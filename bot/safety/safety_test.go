package safety

import (
	"slices"
	"strings"
	"testing"
)

func detector(t testing.TB) *Detector {
	t.Helper()
	d, err := New()
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// The examples: each danger is recognised (with its category), each
// false alarm is not. The measured figures are `boussole eval --safety`'s.
func TestDetect(t *testing.T) {
	d := detector(t)
	danger := map[string]string{
		"mon mari me frappe j'ai peur":               "violence-couple",
		"au secours il va me tuer":                   "menace-vie",
		"je veux mourir":                             "suicide",
		"jve mourir":                                 "suicide",
		"jsui battue":                                "violence-couple",
		"mon chum me frappe":                         "violence-couple",
		"je dors dehors ce soir":                     "sans-abri",
		"mon bébé ne respire plus":                   "urgence-medicale",
		"my husband hits me":                         "violence-couple",
		"I want to kill myself":                      "suicide",
		"mon père me frappe, j'ai 12 ans":            "enfant-danger",
		"il m'a violée":                              "violence-sexuelle",
		"au secours":                                 "urgence",
		"je suis sourde et il me menace, au secours": "sourd",
	}
	for text, want := range danger {
		if got := d.Detect(text); !slices.Contains(got, want) {
			t.Errorf("Detect(%q) = %v, want %s among them", text, got, want)
		}
	}
	for _, text := range []string{
		"je tue le temps", "mourir de rire", "ma batterie est morte", "j'ai battu mon record",
		"la violence dans ce film", "je suis à la rue de Rivoli", "carte d'identité perdue",
		"mon fils a été frappé d'une amende", "my phone is dead", "the deadline is killing me",
		"je suis sourd, comment avoir la carte mobilité inclusion", "aide", "",
	} {
		if got := d.Detect(text); got != nil {
			t.Errorf("Detect(%q) = %v, want nothing", text, got)
		}
	}
}

// A deaf person is in danger only with a danger: « sourd » alone is a
// modifier, never a category of its own.
func TestModifierNeedsAnotherCategory(t *testing.T) {
	d := detector(t)
	if got := d.Detect("je suis sourd"); got != nil {
		t.Errorf("deafness alone: %v", got)
	}
	got := d.Detect("je suis sourd et mon mari me frappe")
	if !slices.Contains(got, "sourd") || !slices.Contains(got, "violence-couple") {
		t.Errorf("deaf and beaten: %v", got)
	}
}

// Vetoes read the message as typed: a veto and a danger elsewhere in the
// message leave the danger.
func TestVetoKeepsOtherDanger(t *testing.T) {
	d := detector(t)
	if got := d.Detect("je tue le temps mais au fond je veux mourir"); !slices.Contains(got, "suicide") {
		t.Errorf("got %v", got)
	}
}

func TestJurisdiction(t *testing.T) {
	d := detector(t)
	for text, want := range map[string]string{
		"mon chum me frappe":           "QC",
		"je dors dans mon char à soir": "QC",
		"la CAF m'a coupé le RSA":      "FR",
		"je veux mourir":               "",
		"à Montréal, la CAF":           "",
	} {
		if got := d.Jurisdiction(text); got != want {
			t.Errorf("Jurisdiction(%q) = %q, want %q", text, got, want)
		}
	}
}

func TestParseErrorsNameThePhrase(t *testing.T) {
	for src, want := range map[string]string{
		"categories:\n  suicide: [\"(a b\"]\n":         `suicide: "(a b": a ( without )`,
		"categories:\n  suicide: [\"a ~9 b\"]\n":       "want ~1 to ~8",
		"categories:\n  suicide: [\"~2 b\"]\n":         "must stand between two words",
		"categories:\n  suicid: [\"a\"]\n":             `unknown category "suicid"`,
		"categories:\n  suicide: [\"ab*\"]\n":          "at least three letters",
		"vetoes: [\"a (b (c))\"]\n":                    "without nested groups",
		"modifiers: [sourd]\n":                         `modifier "sourd" is not a category`,
		"categories:\n  suicide: [a]\nfrobnicate: 1\n": "frobnicate",
	} {
		if _, err := Parse([]byte(src)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Parse(%q) = %v, want %q", src, err, want)
		}
	}
}

func BenchmarkDetect(b *testing.B) {
	d := detector(b)
	msg := strings.Repeat("bonjour je voudrais refaire ma carte vitale et mon passeport pour mon fils ", 6)
	for b.Loop() {
		d.Detect(msg)
	}
}

func BenchmarkJurisdiction(b *testing.B) {
	d := detector(b)
	msg := strings.Repeat("bonjour je voudrais refaire ma carte vitale et mon passeport pour mon fils ", 6)
	for b.Loop() {
		d.Jurisdiction(msg)
	}
}
