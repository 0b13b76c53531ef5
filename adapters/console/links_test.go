package console

import (
	"bytes"
	"context"
	"testing"

	"github.com/boussole/boussole/bot"
)

// A terminal shows no markdown: the bot's links read « label — url », the
// address whole, and a source named by its site shows the address alone.
func TestLinksAsText(t *testing.T) {
	var out bytes.Buffer
	a := New(Config{Out: &out})
	long := "https://www.formulaires.service-public.fr/gf/getAnnexe.do?cerfaAnnexe=15695-1&cerfaFormulaire=15695"
	err := a.Send(context.Background(), bot.Reply{To: Address("vous"),
		Text: "En ligne : [Compte rendu type](" + long + ")\nSource officielle : [service-public.fr](https://www.service-public.fr/particuliers/vosdroits/R19993) (vérifiée le 01/05/2019)"})
	if err != nil {
		t.Fatal(err)
	}
	want := "En ligne : Compte rendu type — " + long + "\nSource officielle : https://www.service-public.fr/particuliers/vosdroits/R19993 (vérifiée le 01/05/2019)\n"
	if out.String() != want {
		t.Fatalf("output:\n%q\nwant:\n%q", out.String(), want)
	}
}
