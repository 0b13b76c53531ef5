package llm

import (
	"errors"
	"testing"
)

// Holes a review found in the post-check: an amount's size changed by
// its separators, numbers allowed by the facts' own labels, organisations
// written in lower case or first in a sentence, and names only the
// question or an uncited sheet gives. Each must be rejected; the same
// answers true to the sheet pass.
func TestCheckReviewHoles(t *testing.T) {
	w := catalogCheckWords(t)
	sheet := Source{N: 1, Text: "Titre : Duplicata de carte grise\nRésumé : Demande en ligne sur le site de l'ANTS.\nCoût : 13,76 € de redevance, et 5,00 € de frais\nÉtapes :\n- se connecter\n- remplir\n- payer\n- imprimer\n- recevoir"}
	other := Source{N: 2, Text: "Titre : Allocations familiales\nRésumé : Versées par la CAF."}
	for _, c := range []struct {
		name, answer, question string
		ok                     bool
	}{
		{"true amount", "La demande coûte 13,76 € [1].", "", true},
		{"true amount, fees", "Comptez 5 € de frais [1].", "", true},
		{"amount x100", "La demande coûte 1 376 € [1].", "", false},
		{"fees x100", "Comptez 500 € de frais [1].", "", false},
		{"delay from a step's number", "Le délai est de 2 mois [1].", "", false},
		{"lower-case org", "Adressez-vous à la caf [1].", "", false},
		{"lower-case office", "Rendez-vous à la préfecture [1].", "", false},
		{"org first in a sentence", "Urssaf traite la demande en ligne [1].", "", false},
		{"org from the question", "Voyez la MSA pour la demande [1].", "je suis à la MSA", false},
		{"org of an uncited sheet", "Faites la demande à la CAF [1].", "", false},
		{"org of the cited sheet", "Faites la demande en ligne sur le site de l'ANTS [1].", "", true},
		{"town from the question", "À Marseille aussi, la demande se fait en ligne sur le site de l'ANTS [1].", "j'habite Marseille", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := Check(c.answer, []Source{sheet, other}, c.question, w)
			if c.ok && err != nil {
				t.Fatalf("rejected: %v", err)
			}
			if !c.ok && !errors.Is(err, ErrRejected) {
				t.Fatalf("accepted (%v)", err)
			}
		})
	}
}
