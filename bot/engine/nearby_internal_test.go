package engine

import (
	"slices"
	"testing"

	"github.com/boussole/boussole/bot"
	"github.com/boussole/boussole/bot/catalog"
	"github.com/boussole/boussole/knowledge"
	"github.com/boussole/boussole/knowledge/analysis"
)

func TestPlaceRequest(t *testing.T) {
	cat, err := catalog.New()
	if err != nil {
		t.Fatal(err)
	}
	w, err := readWords(cat)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		text     string
		ok       bool
		services []string
		labels   []string
	}{
		{"France Services à Digne", true, nil, []string{knowledge.LabelFranceServices}},
		// A named kind of place wins over what else is said.
		{"une maison france services pour imprimer", true, nil, []string{knowledge.LabelFranceServices}},
		{"un fab lab à Lyon", true, []string{knowledge.ServiceCreation}, nil},
		{"un EPN près de chez moi", true, []string{knowledge.ServiceAcces}, nil},
		{"je cherche un ordinateur pour imprimer près de chez moi", true, []string{knowledge.ServiceAcces}, nil},
		{"le plus proche pour apprendre le smartphone", true, []string{knowledge.ServiceQuotidien}, nil},
		{"where can I print near me", true, []string{knowledge.ServiceAcces}, nil},
		{"tiers-lieu autour de Gap", true, nil, []string{knowledge.LabelTiersLieu}},
		{"un lieu près de Digne pour apprendre l'ordinateur", true, []string{knowledge.ServiceQuotidien, knowledge.ServiceAcces}, nil},
		{"is there somewhere I can use a computer", true, []string{knowledge.ServiceAcces}, nil},
		// Questions about procedures are not requests for places.
		{"déclarer un lieu de travail", false, nil, nil},
		{"comment faire mes démarches pour la carte grise", false, nil, nil},
		{"j'habite à Aubagne", false, nil, nil},
		{"imprimer mon attestation caf", false, nil, nil},
	} {
		f, ok := w.nearest.placeRequest(analysis.Fold(c.text))
		if ok != c.ok || (ok && (!slices.Equal(f.Services, c.services) || !slices.Equal(f.Labels, c.labels))) {
			t.Errorf("placeRequest(%q) = %+v, %v; want services %v labels %v, %v", c.text, f, ok, c.services, c.labels, c.ok)
		}
	}
}

func TestPlaceLineFormats(t *testing.T) {
	for in, want := range map[string]string{
		"+33492372594":    "04 92 37 25 94",
		"04 92 37 25 94":  "04 92 37 25 94",
		"0492372594":      "04 92 37 25 94",
		"+1 418 555-0100": "+1 418 555-0100", // not French: as published
		"3939":            "3939",
	} {
		if got := phoneNumber(in); got != want {
			t.Errorf("phoneNumber(%q) = %q, want %q", in, got, want)
		}
	}
	fr, en := &turn{conv: convLang("fr")}, &turn{conv: convLang("en")}
	for _, c := range []struct {
		t    *turn
		km   float64
		want string
	}{
		{fr, 0.04, "100 m"}, {fr, 0.26, "300 m"}, {fr, 0.96, "1 km"}, {fr, 2.44, "2,4 km"}, {en, 2.44, "2.4 km"}, {fr, 35.4, "35 km"},
	} {
		if got := c.t.km(c.km); got != c.want {
			t.Errorf("km(%v, %s) = %q, want %q", c.km, c.t.conv.Lang, got, c.want)
		}
	}
	for in, want := range map[string]string{
		"CENTRE COMMUNAL D'ACTION SOCIALE": "Centre communal d'action sociale",
		"ÉCOLE":                            "École",
		"France services d’Aubagne":        "France services d’Aubagne",
		"13400":                            "13400",
	} {
		if got := quieter(in); got != want {
			t.Errorf("quieter(%q) = %q, want %q", in, got, want)
		}
	}
}

func convLang(lang string) bot.Conversation { return bot.Conversation{Lang: lang} }
