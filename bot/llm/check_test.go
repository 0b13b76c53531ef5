package llm

import (
	"errors"
	"strings"
	"testing"

	"github.com/boussole/boussole/bot/catalog"
)

// The check reads the catalogue's own words: what a translator lists is
// what it recognises.
func catalogCheckWords(t *testing.T) CheckWords {
	t.Helper()
	cat, err := catalog.New()
	if err != nil {
		t.Fatal(err)
	}
	w, err := CheckWordsFrom(cat.Langs(), cat.Words)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// Three items, as the engine joins their fields.
var checkSources = []Source{
	{N: 1, Text: "Carte grise perdue. Déclarez la perte puis demandez un duplicata sur le site de l'ANTS : https://ants.gouv.fr/demarches/carte-grise. " +
		"Coût : 13,76 € de taxe fixe. Délai : environ 2 semaines. Justificatif de domicile de moins de 6 mois."},
	{N: 2, Text: "Prime d'activité. La Caisse d'allocations familiales (CAF) verse la prime d'activité. Demande en ligne sur www.caf.fr ou par courriel à aide@caf.fr. " +
		"Téléphone : 32 30, ou 01 45 67 89 10 depuis l'étranger. Ouvert du lundi au vendredi de 9h30 à 16h30. Montant forfaitaire : 1 200 € par an, soit 8 % du revenu. " +
		"Déclaration trimestrielle avant le 15/03/2026. Revalorisation au 1er avril, trois mois après."},
	{N: 3, Text: "Passage de l'école au collège (du CM2 à la 6e). Instruction n° DSS/SD2B/2019/261."},
}

const checkQuestion = "j'ai perdu ma carte grise à Marseille, et la prime d'activité ?"

func TestCheckAcceptsGroundedAnswers(t *testing.T) {
	words := catalogCheckWords(t)
	for _, answer := range []string{
		// French.
		"Déclarez la perte puis demandez un duplicata sur le site de l'ANTS (ants.gouv.fr) [1]. La taxe fixe coûte 13,76 € et le délai est d'environ deux semaines [1].",
		"La CAF verse la prime d'activité [2]. Faites la demande sur www.caf.fr ou appelez le 32 30, du lundi au vendredi de 9h30 à 16h30 [2].",
		"Depuis l'étranger, appelez le 01.45.67.89.10 ou écrivez à aide@caf.fr [2].",
		"Depuis l'étranger : +33 1 45 67 89 10 [2].",
		"À Marseille, déclarez la perte sur le site de l'ANTS [1].",
		"Déclarez vos ressources avant le 15 mars 2026 [2]. Le montant forfaitaire est de 1200 € par an, soit 8 % du revenu [2].",
		"1. Déclarez la perte [1].\n2. Demandez un duplicata [1].\n3. La Caisse d'allocations familiales verse la prime [2].",
		"Revalorisation au 1er avril [2] ; carte grise : https://ants.gouv.fr/demarches/carte-grise [1].",
		"Caisse d'allocations familiales : demande sur www.caf.fr [1, 2].",
		"La prime est revalorisée trois mois après, au 1er avril [2].",
		// Names with digits, as the sheet writes them.
		"Du CM2 à la 6e, voir la note DSS/SD2B [3].",
		// English, quoting the sheets' French names.
		"Report the loss, then request a duplicate on the ANTS website: https://ants.gouv.fr/demarches/carte-grise [1]. The fixed tax is 13,76 € and it takes about two weeks [1].",
		"The Caisse d'allocations familiales (CAF) pays the prime d'activité [2]. Apply on www.caf.fr or call 32 30, Monday to Friday, 9h30 to 16h30 [2].",
		"You may apply online before March 15, 2026 [2].",
		"In Marseille, the ANTS handles lost registration certificates [1].",
		// A capital after a citation with no full stop.
		"Déclarez la perte en ligne [1] Vous recevrez un duplicata [1].",
	} {
		if err := Check(answer, checkSources, checkQuestion, words); err != nil {
			t.Errorf("Check(%q) = %v, want nil", answer, err)
		}
	}
}

func TestCheckRejects(t *testing.T) {
	words := catalogCheckWords(t)
	for _, tc := range []struct {
		why, answer string
		rule        CheckRule
	}{
		{"invented phone number", "Appelez le 01 23 45 67 89 [2].", RuleNumber},
		{"invented North-American number", "Call 514-555-1234 [2].", RuleNumber},
		{"invented country code", "Depuis l'étranger : +32 1 45 67 89 10 [2].", RuleNumber},
		{"invented amount", "La taxe fixe coûte 25,50 € [1].", RuleNumber},
		{"amount changed", "Le montant est de 1 250 € par an [2].", RuleNumber},
		{"invented percentage", "Soit 12 % du revenu [2].", RuleNumber},
		{"invented year", "Déclarez avant 2027 [2].", RuleNumber},
		{"invented date", "Déclarez avant le 15 juin 2026 [2].", RuleDate},
		{"invented slash date", "Déclarez avant le 15/05/2026 [2].", RuleDate},
		{"invented English month", "Apply before May 15 [2].", RuleDate},
		{"invented day", "C'est ouvert le samedi [2].", RuleDate},
		{"invented number word", "Le délai est d'environ trois semaines [1].", RuleNumberWord},
		{"invented URL", "Rendez-vous sur https://www.service-public.fr [1].", RuleLink},
		{"invented path on a cited site", "Voir https://ants.gouv.fr/demarches/permis [1].", RuleLink},
		{"invented domain", "Faites la demande sur demarches.interieur.gouv.fr [1].", RuleLink},
		{"invented e-mail", "Écrivez à contact@caf.fr [2].", RuleLink},
		{"site of an uncited source", "Faites la demande sur www.caf.fr [1].", RuleLink},
		{"invented organisation", "Inscrivez-vous aussi à France Travail [2].", RuleName},
		{"invented organisation at a sentence's start", "Pôle emploi vous accompagne aussi [2].", RuleName},
		{"invented acronym", "La CPAM rembourse la démarche [1].", RuleName},
		{"invented acronym at a sentence's start", "SAAQ : demandez un duplicata [1].", RuleName},
		{"invented name with digits", "Du CE2 au CM2 [3].", RuleName},
		{"invented place", "Allez à la préfecture de Lyon [1].", RuleName},
		{"number of an uncited source", "La taxe fixe coûte 13,76 € [2].", RuleNumber},
		{"no citation", "Déclarez la perte sur le site de l'ANTS.", RuleNoCitation},
		{"citation of no source", "Déclarez la perte sur le site de l'ANTS [4].", RuleUnknownCitation},
		{"one citation of no source", "Déclarez la perte [1, 4].", RuleUnknownCitation},
		{"citation zero", "Déclarez la perte [0].", RuleUnknownCitation},
		{"empty", "", RuleEmpty},
		{"blank", " \n\t ", RuleEmpty},
		{"too long", strings.Repeat("Déclarez la perte [1]. ", 30), RuleTooLong},
		{"heading", "## Carte grise\nDéclarez la perte [1].", RuleMarkup},
		{"table", "| étape | où |\n|---|---|\n| perte | ANTS [1] |", RuleMarkup},
		{"HTML", "Déclarez la <b>perte</b> [1].", RuleMarkup},
		{"code", "```\nDéclarez la perte [1].\n```", RuleMarkup},
	} {
		t.Run(tc.why, func(t *testing.T) {
			err := Check(tc.answer, checkSources, checkQuestion, words)
			if !errors.Is(err, ErrRejected) {
				t.Fatalf("Check(%q) = %v, want a rejection", tc.answer, err)
			}
			var r *Rejection
			if !errors.As(err, &r) || r.Rule != tc.rule {
				t.Errorf("Check(%q) = %v, want rule %s", tc.answer, err, tc.rule)
			}
		})
	}
}

// A citation is no number claim, and an answer at the limit is
// accepted.
func TestCheckBoundaries(t *testing.T) {
	words := catalogCheckWords(t)
	base := strings.TrimSpace(strings.Repeat("Déclarez la perte [1]. ", 25))
	long := base + " " + strings.Repeat("a", MaxAnswerRunes-len([]rune(base))-2) + "."
	if n := len([]rune(strings.TrimSpace(long))); n != MaxAnswerRunes {
		t.Fatalf("test answer has %d characters", n)
	}
	if err := Check(long, checkSources, checkQuestion, words); err != nil {
		t.Errorf("an answer of %d characters: %v", MaxAnswerRunes, err)
	}
	many := []Source{{N: 7, Text: "Le 3919 écoute 24h/24."}, {N: 12, Text: "Rien."}}
	if err := Check("Appelez le 3919, 24h/24 [7].", many, "", words); err != nil {
		t.Errorf("citation [7]: %v", err)
	}
	if err := Check("Appelez le 3919 [12].", many, "", words); !errors.Is(err, ErrRejected) {
		t.Errorf("the number of source 7 cited as [12]: %v", err)
	}
	qc := []Source{{N: 1, Text: "Permis perdu. Société de l'assurance automobile du Québec (SAAQ) : 1 800 361-7620, du lundi au vendredi, 8 h 30 à 16 h 30. Frais : 19,95 $."}}
	for _, a := range []string{
		"Appelez la SAAQ au 800 361-7620, du lundi au vendredi [1].",
		"Call the Société de l'assurance automobile du Québec (SAAQ) at 1-800-361-7620, Monday to Friday, 8:30 to 16:30; the fee is $19.95 [1].",
	} {
		if err := Check(a, qc, "permis perdu Rimouski", words); err != nil {
			t.Errorf("Check(%q): %v", a, err)
		}
	}
	if err := Check("The RAMQ charges $19.95 [1].", qc, "", words); !errors.Is(err, ErrRejected) {
		t.Errorf("RAMQ absent from the sheet: %v", err)
	}
	two := checkSources[:2]
	if err := Check("Déclarez la perte [3].", two, "", words); !errors.Is(err, ErrRejected) {
		t.Errorf("[3] of 2 sources: %v", err)
	}
	// Without the catalogue's words the other rules still hold.
	if err := Check("Appelez le 3919 [7].", many, "", CheckWords{}); err != nil {
		t.Errorf("no words: %v", err)
	}
	if err := Check("Appelez le 3918 [7].", many, "", CheckWords{}); !errors.Is(err, ErrRejected) {
		t.Errorf("no words, invented number: %v", err)
	}
}

func TestRejectionSaysWhy(t *testing.T) {
	err := Check("Appelez le 01 99 88 77 66 [2].", checkSources, "", CheckWords{})
	var r *Rejection
	if !errors.As(err, &r) || r.Rule != RuleNumber || r.Claim != "01 99 88 77 66" {
		t.Fatalf("got %#v", err)
	}
	if msg := err.Error(); !strings.Contains(msg, "number") || !strings.Contains(msg, ErrRejected.Error()) {
		t.Errorf("message %q", msg)
	}
}

func TestCheckWordsFrom(t *testing.T) {
	lists := func(m map[string]map[string]string) func(lang, key string) []string {
		return func(lang, key string) []string {
			var out []string
			for _, w := range strings.Split(m[lang][key], "|") {
				if w = strings.TrimSpace(w); w != "" {
					out = append(out, w)
				}
			}
			return out
		}
	}
	months := "janvier | février | mars | avril | mai | juin | juillet | août | septembre | octobre | novembre | décembre"
	good := map[string]map[string]string{
		"fr":    {KeyCheckMonths: months, KeyCheckNumbers: "deux=2 | pour cent=", KeyCheckHeads: "Caisse", KeyCheckNames: "Québec"},
		"fr-CA": {KeyCheckHeads: "Régie"},
	}
	w, err := CheckWordsFrom([]string{"fr", "fr-CA"}, lists(good))
	if err != nil {
		t.Fatal(err)
	}
	if len(w.Months) != 1 || w.Numbers["deux"] != "2" || w.Numbers["pour cent"] != "" || len(w.Heads) != 2 || w.Heads[1] != "regie" || w.Names[0] != "quebec" {
		t.Errorf("read %+v", w)
	}
	for why, bad := range map[string]map[string]map[string]string{
		"eleven months":    {"fr": {KeyCheckMonths: "janvier | février | mars | avril | mai | juin | juillet | août | septembre | octobre | novembre", KeyCheckNumbers: "deux=2"}},
		"six days":         {"fr": {KeyCheckMonths: months, KeyCheckDays: "lundi | mardi | mercredi | jeudi | vendredi | samedi", KeyCheckNumbers: "deux=2"}},
		"a word for value": {"fr": {KeyCheckMonths: months, KeyCheckNumbers: "deux=two"}},
		"no value":         {"fr": {KeyCheckMonths: months, KeyCheckNumbers: "deux"}},
		"two values":       {"fr": {KeyCheckMonths: months, KeyCheckNumbers: "six=6"}, "en": {KeyCheckNumbers: "six=7"}},
		"no months":        {"fr": {KeyCheckNumbers: "deux=2"}},
		"no numbers":       {"fr": {KeyCheckMonths: months}},
	} {
		if _, err := CheckWordsFrom([]string{"en", "fr"}, lists(bad)); err == nil {
			t.Errorf("%s: no error", why)
		}
	}
}

func FuzzCheck(f *testing.F) {
	for _, s := range []string{"Appelez le 32 30 [2].", "[1] www.caf.fr", "15/03/2026 [2]", "« CAF » [1]\n- deux", "[99999999999999999999999]"} {
		f.Add(s)
	}
	words := CheckWords{Months: [][]string{{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"}},
		Numbers: map[string]string{"deux": "2"}, Heads: []string{"caisse"}}
	f.Fuzz(func(t *testing.T, answer string) {
		err := Check(answer, checkSources, checkQuestion, words)
		if err != nil && !errors.Is(err, ErrRejected) {
			t.Errorf("Check(%q) = %v, not a rejection", answer, err)
		}
	})
}
