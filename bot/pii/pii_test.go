package pii

import (
	"strings"
	"testing"
)

type maskCase struct{ in, want string }

func runMask(t *testing.T, cases []maskCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			got := Mask(tc.in)
			if got != tc.want {
				t.Errorf("Mask(%q)\n got %q\nwant %q", tc.in, got, tc.want)
			}
			if again := Mask(got); again != got {
				t.Errorf("masking again changes %q into %q", got, again)
			}
		})
	}
}

func TestFrenchPhones(t *testing.T) {
	runMask(t, []maskCase{
		{"mon numéro 06 12 34 56 78 merci", "mon numéro [tel] merci"},
		{"appelez le 0612345678", "appelez le [tel]"},
		{"tel: 01.23.45.67.89", "tel: [tel]"},
		{"06-12-34-56-78", "[tel]"},
		{"+33 6 12 34 56 78", "[tel]"},
		{"+33612345678.", "[tel]."},
		{"0033 (0)6 12 34 56 78", "[tel]"},
		{"joignable au +33 1 23 45 67 89 le matin", "joignable au [tel] le matin"},
	})
}

func TestNorthAmericanPhones(t *testing.T) {
	runMask(t, []maskCase{
		{"(514) 555-1234", "[tel]"},
		{"appelle-moi au 514-555-1234 svp", "appelle-moi au [tel] svp"},
		{"+1 514 555 1234", "[tel]"},
		{"1-800-555-1234", "[tel]"},
		{"418.555.0199", "[tel]"},
		{"call 4185550199 tomorrow", "call [tel] tomorrow"},
	})
}

func TestEmails(t *testing.T) {
	runMask(t, []maskCase{
		{"mon mail jean.dupont@example.org", "mon mail [email]"},
		{"écrivez à Zoé_42+caf@mairie-bobigny.fr.", "écrivez à [email]."},
		{"contact: a@b.co ou c.d@e.quebec", "contact: [email] ou [email]"},
	})
}

func TestLongNumbers(t *testing.T) {
	runMask(t, []maskCase{
		// Social security (France), typed grouped or not.
		{"ma sécu 1 85 05 78 006 084 36", "ma sécu [nir]"},
		{"numéro de sécu 185057800608436", "numéro de sécu [nir]"},
		// NAS (Québec, Canada).
		{"mon NAS est 123 456 789", "mon NAS est [nas]"},
		{"NAS 123-456-789", "NAS [nas]"},
		// Tax number, card number.
		{"numéro fiscal 3012345678912", "numéro fiscal [fiscal]"},
		{"carte 4970 1234 5678 9012 bloquée", "carte [card] bloquée"},
		// Numbers of no known shape.
		{"dossier 123456", "dossier [number]"},
		{"allocataire n°1234567", "allocataire n°[number]"},
	})
}

func TestIBANs(t *testing.T) {
	runMask(t, []maskCase{
		{"mon RIB FR76 3000 6000 0112 3456 7890 189 pour le virement", "mon RIB [iban] pour le virement"},
		{"FR7630006000011234567890189", "[iban]"},
		{"iban fr76 3000 6000 0112 3456 7890 189", "iban [iban]"},
		{"BE68 5390 0754 7034", "[iban]"},
	})
}

func TestNames(t *testing.T) {
	runMask(t, []maskCase{
		{"Bonjour, je m'appelle Marie Dupont et j'ai perdu ma carte", "Bonjour, je m'appelle [name] et j'ai perdu ma carte"},
		{"je m’appelle jean-pierre, j'ai besoin d'aide", "je m’appelle [name], j'ai besoin d'aide"},
		{"Je m'appelle Fatou", "Je m'appelle [name]"},
		{"mon nom est Tremblay", "mon nom est [name]"},
		{"mon nom c'est Kevin Martin pour la CAF", "mon nom c'est [name] pour la CAF"},
		{"moi c'est Sofia et je cherche un logement", "moi c'est [name] et je cherche un logement"},
		{"My name is John Smith and I need help", "My name is [name] and I need help"},
		{"I'm called Ana", "I'm called [name]"},
		{"je m'appelle M. O'Neil", "je m'appelle M. [name]"},
		// Introductions followed by no name keep their words.
		{"moi c'est pour une carte grise", "moi c'est pour une carte grise"},
		{"my name is not on the lease", "my name is not on the lease"},
		{"comment s'appelle le formulaire", "comment s'appelle le formulaire"},
	})
}

func TestOrdinaryQuestionsKeepTheirMeaning(t *testing.T) {
	for _, q := range []string{
		"APL étudiant 2024",
		"carte grise 75",
		"carte grise 2A",
		"je suis à Paris 75011",
		"75011 2 enfants",
		"impôts 2023-2024",
		"année scolaire 2024 2025",
		"prime d'activité 1234.56 euros",
		"loyer de 15 000 euros par an",
		"j'ai appelé le 3919",
		"le 115 ne répond pas",
		"code postal H2X 1Y4",
		"RSA 3 enfants 1500 €",
		"permis B depuis 2019",
		"né le 12/05/1985",
		"Bonjour, j'ai perdu mes papiers",
		"my name is on the lease",
		"",
	} {
		if got := Mask(q); got != q {
			t.Errorf("Mask(%q) = %q, want it unchanged", q, got)
		}
	}
}

func TestMaskedTextHoldsNoPersonalData(t *testing.T) {
	in := "Je m'appelle Zorglub Martinez, 06 12 34 56 78, zorglub@example.org, sécu 185057800608436, NAS 046 454 286, FR76 3000 6000 0112 3456 7890 189, (514) 555-1234, " +
		"impôts 30 12 345 678 901, carte 4111 1111 1111 1111, dossier 8765432, 14 rue des Lilas"
	got := Mask(in)
	for _, secret := range []string{"Zorglub", "Martinez", "06 12", "example", "1850578", "046 454", "3000 6000", "555-1234", "345 678", "4111", "8765432", "Lilas"} {
		if strings.Contains(got, secret) {
			t.Errorf("%q is still in %q", secret, got)
		}
	}
	for _, p := range Placeholders() {
		if !strings.Contains(got, p) {
			t.Errorf("no %s in %q", p, got)
		}
	}
}

func FuzzMask(f *testing.F) {
	for _, s := range []string{"je m'appelle Marie", "06 12 34 56 78", "a@b.fr", "FR76 3000 6000 0112 3456 7890 189", "moi c'est", "je m’appelle"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		once := Mask(s)
		if Mask(once) != once {
			t.Errorf("Mask is not idempotent on %q: %q then %q", s, once, Mask(once))
		}
	})
}
