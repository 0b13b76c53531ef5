package discord

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/boussole/boussole/bot"
)

// An answer's markdown links are posted as they are (Discord shows their
// label) and without link previews.
func TestRenderKeepsLinksWithoutPreviews(t *testing.T) {
	text := "Carte d'identité perdue\nEn ligne : [Pré-demande en ligne (ANTS)](https://passeport.ants.gouv.fr/)\nSource officielle : [service-public.fr](https://www.service-public.fr/particuliers/vosdroits/F1344)"
	msgs := render(bot.Reply{Text: text, Choices: choices(2)}, "")
	if len(msgs) != 1 || msgs[0].Content != text {
		t.Fatalf("messages: %+v", msgs)
	}
	b, _ := json.Marshal(msgs[0])
	if !strings.Contains(string(b), `"flags":4`) {
		t.Errorf("link previews not suppressed: %s", b)
	}
}
