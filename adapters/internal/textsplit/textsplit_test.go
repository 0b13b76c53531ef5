package textsplit

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestSplitKeepsLinksAndParagraphs(t *testing.T) {
	link := "https://www.service-public.fr/particuliers/vosdroits/F1344"
	text := strings.Repeat("Étape à suivre. ", 80) + "\n\n" + link + " " + strings.Repeat("é", 30)
	parts := Split(text, 200)
	for _, p := range parts {
		if utf8.RuneCountInString(p) > 200 {
			t.Fatalf("part of %d characters", utf8.RuneCountInString(p))
		}
	}
	if !strings.Contains(strings.Join(parts, "\n"), link) {
		t.Fatal("the link was cut")
	}
	if got := Split("  court  ", 200); len(got) != 1 || got[0] != "court" {
		t.Fatalf("short text: %q", got)
	}
	if got := Split(strings.Repeat("x", 450), 200); len(got) != 3 {
		t.Fatalf("one long word: %d parts", len(got))
	}
	if got := Split("", 200); len(got) != 0 {
		t.Fatalf("empty: %q", got)
	}
}
