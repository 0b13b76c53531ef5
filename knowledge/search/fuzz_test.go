package search_test

import (
	"math"
	"strings"
	"testing"

	"github.com/boussole/boussole/knowledge/search"
)

// FuzzSearch checks that Search never panics, returns at most k hits and
// confidences in [0,1], on any input.
func FuzzSearch(f *testing.F) {
	for _, s := range []string{
		"", "cni perdu", "carte didentite perdue", "alocation logement etudian", "rsa c koi",
		"😀", "\xff\xfe", "a\u200db", "qu'est-ce", "ldjmnst", "passport passeport pasport",
		strings.Repeat("carte ", 100), "renouv", "didentitee", "lapl",
	} {
		f.Add(s, 5)
	}
	ix := search.New(testBase(), search.Options{})
	f.Fuzz(func(t *testing.T, q string, k int) {
		k = k % 50
		hits := hitsFor(t, ix, q, k)
		if len(hits) > max(k, 0) {
			t.Fatalf("%d hits for k=%d", len(hits), k)
		}
		for _, h := range hits {
			if math.IsNaN(h.Confidence) || h.Confidence < 0 || h.Confidence > 1 {
				t.Fatalf("confidence %v", h.Confidence)
			}
			if math.IsNaN(h.Score) || h.Score <= 0 || h.ID == "" {
				t.Fatalf("bad hit %+v", h)
			}
		}
	})
}
