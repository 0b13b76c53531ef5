package pii

import (
	"slices"
	"strings"
	"testing"
)

// Each kind of personal data has its masked forms and the ordinary text
// that looks like it and must stay.

func runKept(t *testing.T, texts []string) {
	t.Helper()
	for _, s := range texts {
		if got := Mask(s); got != s {
			t.Errorf("Mask(%q) = %q, want it unchanged", s, got)
		}
	}
}

func TestNIR(t *testing.T) {
	runMask(t, []maskCase{
		{"mon numéro de sécurité sociale : 1 85 05 78 006 084 36", "mon numéro de sécurité sociale : [nir]"},
		{"sécu 2 91 12 2A 123 456 78 merci", "sécu [nir] merci"},
		{"NIR 1 85 05 2B 006 084", "NIR [nir]"},
		{"carte vitale 185057800608436.", "carte vitale [nir]."},
		{"2850578006084", "[nir]"},
		{"numéro 1.85.05.78.006.084.36", "numéro [nir]"},
		// Registered without a known month (20 and above).
		{"ma sécu 1 85 35 78 006 084", "ma sécu [nir]"},
		// A month a NIR cannot have: no NIR, a long number still.
		{"réf 1 85 15 78 006 084", "réf [number]"},
	})
	runKept(t, []string{
		"né en 1985 dans le 78",
		"carte grise 2A",
		"1 85 05",
	})
}

func TestFiscalNumbers(t *testing.T) {
	runMask(t, []maskCase{
		{"mon numéro fiscal est 30 12 345 678 901", "mon numéro fiscal est [fiscal]"},
		{"numéro SPI 1234567890123", "numéro SPI [fiscal]"},
		{"impots.gouv me demande 0123456789012", "impots.gouv me demande [fiscal]"},
		// Grouped the way the tax notice prints it.
		{"avis 10 12 345 678 901", "avis [fiscal]"},
		// Starting with 1 or 2 without tax words: a NIR without its key.
		{"1850578006084", "[nir]"},
	})
	runKept(t, []string{
		"impôts 2023-2024",
		"taxe foncière 2024",
		"taxe d'habitation 1 200 €",
	})
}

func TestNAS(t *testing.T) {
	runMask(t, []maskCase{
		{"mon numéro d'assurance sociale 046 454 286", "mon numéro d'assurance sociale [nas]"},
		{"SIN: 046-454-286", "SIN: [nas]"},
		// Run together: the check digit, or a word before, says NAS.
		{"046454286", "[nas]"},
		{"mon nas 123456789", "mon nas [nas]"},
		{"référence 123456789", "référence [number]"},
		// Nine digits of a French service's phone number are no NAS.
		{"appelez le 0 806 000 225", "appelez le [tel]"},
		{"0 800 123 456 (appel gratuit)", "[tel] (appel gratuit)"},
		{"+33 (0)182 990 030", "[tel]"},
	})
	runKept(t, []string{
		"loyer de 900 $ par mois",
		"j'ai besoin de 150 €",
		"H2X 1Y4",
	})
}

func TestCards(t *testing.T) {
	runMask(t, []maskCase{
		{"ma carte 4111 1111 1111 1111 a été refusée", "ma carte [card] a été refusée"},
		{"4111-1111-1111-1111", "[card]"},
		{"payé avec 4111111111111111", "payé avec [card]"},
		{"amex 3782 822463 10005", "amex [card]"},
		// Sixteen digits that fail the check digit: a long number.
		{"suivi 1234567812345678", "suivi [number]"},
	})
	runKept(t, []string{
		"années 2021 2022 2023 2024",
		"carte grise 75",
		"carte vitale perdue",
	})
}

func TestAddresses(t *testing.T) {
	runMask(t, []maskCase{
		{"j'habite 12 rue de la République 75011 Paris", "j'habite [address] 75011 Paris"},
		{"au 3 bis avenue Jean Jaurès à Lyon", "au [address] à Lyon"},
		{"5, impasse des Lilas", "[address]"},
		{"12 bd Voltaire, 75011 Paris", "[address], 75011 Paris"},
		{"adresse : 7 chemin des Vignes 13100 Aix", "adresse : [address] 13100 Aix"},
		{"14 allée du Parc et j'ai une question", "[address] et j'ai une question"},
		{"2 place de l'Église", "[address]"},
		{"2 place de l’Église", "[address]"},
		{"12 Main Street est loin", "[address] est loin"},
		{"8 quai de la Loire.", "[address]."},
		{"j'habite au 4 route de Lyon", "j'habite au [address]"},
		{"10 cours Mirabeau", "[address]"},
		{"lotissement : 3 lotissement Les Pins", "lotissement : [address]"},
		{"1 rue du 8 Mai 1945", "[address] 1945"},
		{"je vis au 12 rue victor hugo depuis 2010", "je vis au [address] depuis 2010"},
		{"12 rue d'Alsace", "[address]"},
		// Québec and English.
		{"1234 rue Sainte-Catherine Ouest, Montréal, QC H3G 1P1", "[address], Montréal, QC [address]"},
		{"450 boul. René-Lévesque Est", "[address]"},
		{"I live at 12 Main Street, Toronto", "I live at [address], Toronto"},
		{"221B Baker St. in London", "[address] in London"},
		{"45 Elm Ave W", "[address]"},
		{"3 avenue des Pins H2X 1Y4", "[address] [address]"},
	})
	runKept(t, []string{
		"75011",
		"je suis à Marseille",
		"code postal H2X 1Y4",
		"H2X 1Y4 Montréal",
		"1 rue",
		"12 rue. Merci",
		"le 12 mars",
		"150 €",
		"2 cours de français par semaine",
		"3 places de parking",
		"il reste 1 place pour demain",
		"j'ai 2 enfants",
		"I need 2 more days",
		"I waited 3 weeks",
		"route 132 fermée",
		"APL 2024",
		"le 12/05 rue fermée",
	})
}

func TestNameCues(t *testing.T) {
	runMask(t, []maskCase{
		{"mon nom de famille est Nguyen", "mon nom de famille est [name]"},
		{"my last name is Tremblay", "my last name is [name]"},
		{"Nom : Dupont Marie", "Nom : [name]"},
		{"name: Ana Silva", "name: [name]"},
		{"Bonjour\nNom : Diallo\nPrénom : Awa", "Bonjour\nNom : [name]\nPrénom : [name]"},
		{"je me prénomme Inès", "je me prénomme [name]"},
	})
	runKept(t, []string{
		"je m'appelle pas comme ça",
		"je m'appelle comme ma mère",
		"le nom : je ne sais pas",
		"mon nom est mal écrit sur la carte",
		"changement de nom : consentement du mineur",
	})
}

func TestPlaceholdersAreKnownAndStable(t *testing.T) {
	ps := Placeholders()
	for _, p := range []string{Phone, Email, IBAN, Number, Name, NIR, NAS, Fiscal, Card, Address} {
		if !slices.Contains(ps, p) {
			t.Errorf("%s is not in Placeholders()", p)
		}
		if Mask(p) != p {
			t.Errorf("Mask(%q) = %q", p, Mask(p))
		}
		if strings.ContainsAny(p, "0123456789@ ") || len(p) > 20 {
			t.Errorf("placeholder %q holds what a rule or a page reads", p)
		}
	}
	if len(ps) != 10 {
		t.Errorf("%d placeholders: a new kind needs its test here", len(ps))
	}
}
