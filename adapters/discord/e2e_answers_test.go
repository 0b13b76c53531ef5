package discord

import (
	"slices"
	"strings"
	"testing"

	"github.com/boussole/boussole/bot/mediation"
)

// An answer reaches Discord chat-sized, its links as markdown without
// previews, and its parts come with a button or a typed word.
func TestAnswerPartsByButtonAndWord(t *testing.T) {
	t.Parallel()
	s := newStack(t, Config{}, mediation.Config{})
	f := s.f
	f.DM("1", "j'ai perdu ma carte d'identité")
	posts := f.WaitPosts(t, "dm-1", 3)
	if !strings.Contains(posts[1].Content, "[Pré-demande en ligne (ANTS)](https://passeport.ants.gouv.fr/)") || strings.Contains(posts[1].Content, "Photo d'identité") {
		t.Fatalf("answer: %q", posts[1].Content)
	}
	if posts[1].Body["flags"] != float64(4) {
		t.Errorf("answer flags %v, want 4 (no link previews)", posts[1].Body["flags"])
	}
	labels, ids := posts[2].Buttons()
	i := slices.Index(labels, "Les étapes")
	if i < 0 {
		t.Fatalf("no « Les étapes » among %v", labels)
	}
	f.Click("dm-1", "1", ids[i], false)
	posts = f.WaitPosts(t, "dm-1", 4)
	if !strings.Contains(posts[3].Content, "1. Achetez un timbre fiscal") {
		t.Fatalf("steps: %q", posts[3].Content)
	}
	f.DM("1", "documents")
	posts = f.WaitPosts(t, "dm-1", 5)
	if !strings.Contains(posts[4].Content, "Photo d'identité de moins de 6 mois") {
		t.Fatalf("documents: %q", posts[4].Content)
	}
	checkNoMentions(t, f)
}
