package safety

import (
	"slices"
	"testing"

	"github.com/boussole/boussole/knowledge"
)

// FuzzDetect: any message, however hostile, is read without a panic and
// only ever yields known categories, a modifier never alone.
func FuzzDetect(f *testing.F) {
	for _, s := range []string{"mon mari me frappe", "au secours", "je suis sourd", "a ~3 b", "( | )", "^ $", "jve mouri", "mourir de rire mais je veux mourir"} {
		f.Add(s)
	}
	d, err := New()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := d.Detect(s)
		for _, c := range got {
			if !slices.Contains(knowledge.DangerCategories, c) {
				t.Fatalf("Detect(%q) = %v: unknown category", s, got)
			}
		}
		if len(got) == 1 && got[0] == knowledge.DangerSourd {
			t.Fatalf("Detect(%q) = %v: a modifier alone", s, got)
		}
		_ = d.Jurisdiction(s)
	})
}
