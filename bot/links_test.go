package bot

import "testing"

// A terminal shows the bot's links as « label — url », the address whole;
// a link named by its site shows the address alone; text that is no link
// is left as it is.
func TestPlainLinks(t *testing.T) {
	for in, want := range map[string]string{
		"En ligne : [Pré-demande (ANTS)](https://passeport.ants.gouv.fr/) · Sur place : mairie": "En ligne : Pré-demande (ANTS) — https://passeport.ants.gouv.fr/ · Sur place : mairie",
		"[a](https://a.fr/x%28y%29)\n[b](https://b.fr/?q=1&r=2#s)":                              "a — https://a.fr/x%28y%29\nb — https://b.fr/?q=1&r=2#s",
		"pas de lien [ici] (ni là)": "pas de lien [ici] (ni là)",
		"https://nu.fr/ reste":      "https://nu.fr/ reste",
	} {
		if got := PlainLinks(in); got != want {
			t.Errorf("PlainLinks(%q) = %q, want %q", in, got, want)
		}
	}
}
