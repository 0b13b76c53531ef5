package mattermost

import (
	"context"
	"testing"

	"github.com/boussole/boussole/bot/mediation"
	"github.com/mattermost/mattermost/server/public/model"
)

// An answer reaches Mattermost chat-sized, its links as markdown (shown as
// their label), and its parts come with a button or a typed word.
func TestE2EAnswerPartsByButtonAndWord(t *testing.T) {
	s := newStack(t, mediation.Config{}, nil)
	ctx := context.Background()
	dm := s.dm(t)
	since := now()
	say(t, s.citizen, dm, "", "j'ai perdu ma carte d'identité")
	ps := s.waitBot(t, s.citizen, dm, since, "answer and its buttons", func(ps []*model.Post) bool {
		return containing("[Pré-demande en ligne (ANTS)](https://passeport.ants.gouv.fr/)")(ps) && len(withButtons(ps[len(ps)-1])) > 0
	})
	if containing("Photo d'identité")(ps) {
		t.Fatalf("the documents came with the answer: %q", ps[0].Message)
	}
	last := ps[len(ps)-1]
	var steps *model.PostAction
	for _, a := range withButtons(last) {
		if a.Name == "Les étapes" {
			steps = a
		}
	}
	if steps == nil {
		t.Fatalf("no « Les étapes » button on %q", last.Message)
	}
	n := len(ps)
	if _, err := s.citizen.DoPostAction(ctx, last.Id, steps.Id); err != nil {
		t.Fatalf("click « Les étapes »: %v", err)
	}
	s.waitBot(t, s.citizen, dm, since, "the steps", func(ps []*model.Post) bool {
		return len(ps) > n && containing("1. Achetez un timbre fiscal")(ps[n:])
	})
	since2 := now()
	say(t, s.citizen, dm, "", "documents")
	s.waitBot(t, s.citizen, dm, since2, "the documents", containing("Photo d'identité de moins de 6 mois"))
}
