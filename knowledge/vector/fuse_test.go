package vector_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/boussole/boussole/knowledge"
	"github.com/boussole/boussole/knowledge/vector"
)

func item(id string, conf, match float64) knowledge.Hit {
	return knowledge.Hit{Kind: knowledge.HitItem, ID: id, Score: 10 * conf, Confidence: conf, Match: match, Why: []string{"titre: " + id}}
}

func tree(id string) knowledge.Hit {
	return knowledge.Hit{Kind: knowledge.HitTree, ID: id, Score: 9, Confidence: 0.8, Match: 0.8}
}

func ids(hits []knowledge.Hit) string {
	s := make([]string, len(hits))
	for i, h := range hits {
		s[i] = h.ID
	}
	return strings.Join(s, " ")
}

func find(hits []knowledge.Hit, id string) (knowledge.Hit, bool) {
	i := slices.IndexFunc(hits, func(h knowledge.Hit) bool { return h.ID == id })
	if i < 0 {
		return knowledge.Hit{}, false
	}
	return hits[i], true
}

func TestFuseAddsWhatOnlyEmbeddingsFound(t *testing.T) {
	opts := vector.DefaultFuseOptions()
	lex := []knowledge.Hit{item("A", 0.9, 0.9), item("B", 0.4, 0.5)}
	sem := []vector.Scored{{"C", 0.8}, {"A", 0.7}, {"D", 0.2}} // D under MinSimilarity
	got := vector.Fuse(lex, sem, 10, opts)
	// A: 1/61 + 1/62; C: 1/61 (semantic rank 1); B: 1/62.
	if ids(got) != "A C B" {
		t.Fatalf("got %s, want A C B", ids(got))
	}
	c, _ := find(got, "C")
	if c.Kind != knowledge.HitItem || c.Confidence != opts.OnlyConfidence || c.Match != opts.OnlyMatch {
		t.Errorf("embeddings-only hit: %+v", c)
	}
	if len(c.Why) != 1 || c.Why[0] != "embeddings only: rank 1 (similarity 0.80)" {
		t.Errorf("embeddings-only Why: %q", c.Why)
	}
	a, _ := find(got, "A")
	if a.Confidence != 0.9 || a.Match != 0.9 || a.Score != 9 {
		t.Errorf("a lexical hit keeps its figures: %+v", a)
	}
	if want := []string{"titre: A", "embeddings rank 2 (similarity 0.70)"}; !slices.Equal(a.Why, want) {
		t.Errorf("A's Why %q, want %q", a.Why, want)
	}
	if !slices.Equal(lex[0].Why, []string{"titre: A"}) {
		t.Errorf("the caller's hit was modified: %q", lex[0].Why)
	}
	if _, ok := find(got, "D"); ok {
		t.Errorf("D under the similarity floor was added: %s", ids(got))
	}
}

func TestFuseNeverLetsEmbeddingsAloneBeatTheLexicalFirst(t *testing.T) {
	// Both first in their list: a tie at 1/61, which goes to the lexical
	// hit, so an embeddings-only item is first only when the lexical
	// search found nothing.
	got := vector.Fuse([]knowledge.Hit{item("A", 0.9, 0.9)}, []vector.Scored{{"C", 0.99}}, 5, vector.DefaultFuseOptions())
	if ids(got) != "A C" {
		t.Fatalf("got %s, want A C", ids(got))
	}
	got = vector.Fuse(nil, []vector.Scored{{"C", 0.99}, {"E", 0.6}}, 5, vector.DefaultFuseOptions())
	if ids(got) != "C E" || got[0].Confidence >= 0.5 {
		t.Fatalf("embeddings only: %s %+v", ids(got), got)
	}
}

func TestFuseAgreementPromotes(t *testing.T) {
	opts := vector.DefaultFuseOptions()
	// B is second lexically but first by meaning: 1/62 + 1/61 > 1/61.
	lex := []knowledge.Hit{item("A", 0.9, 0.9), item("B", 0.3, 0.2)}
	got := vector.Fuse(lex, []vector.Scored{{"B", 0.9}}, 5, opts)
	if ids(got) != "B A" {
		t.Fatalf("got %s, want B A", ids(got))
	}
	if got[0].Confidence != 0.3 {
		t.Errorf("B keeps its lexical confidence: %v", got[0].Confidence)
	}
	if got[0].Match != opts.OnlyMatch {
		t.Errorf("B's match %v, want raised to %v", got[0].Match, opts.OnlyMatch)
	}
}

func TestFuseTreesKeepTheirPlace(t *testing.T) {
	lex := []knowledge.Hit{item("A", 0.9, 0.9), tree("T"), item("B", 0.5, 0.5), tree("U")}
	sem := []vector.Scored{{"B", 0.9}, {"C", 0.8}}
	got := vector.Fuse(lex, sem, 10, vector.DefaultFuseOptions())
	// Items by fusion: B (1/63 + 1/61), A (1/61), C (1/62); trees at 2 and 4.
	if ids(got) != "B T A U C" {
		t.Fatalf("got %s, want B T A U C", ids(got))
	}
	// A tree first stays first even when the embeddings prefer an item.
	got = vector.Fuse([]knowledge.Hit{tree("T"), item("A", 0.2, 0.2)}, []vector.Scored{{"C", 0.9}}, 10, vector.DefaultFuseOptions())
	if ids(got) != "T A C" {
		t.Fatalf("got %s, want T A C", ids(got))
	}
	// Trees beyond the items still come.
	got = vector.Fuse([]knowledge.Hit{tree("T"), tree("U"), tree("V")}, nil, 10, vector.DefaultFuseOptions())
	if ids(got) != "T U V" {
		t.Fatalf("got %s, want T U V", ids(got))
	}
}

func TestFuseBounds(t *testing.T) {
	lex := []knowledge.Hit{item("A", 0.9, 0.9), tree("T"), item("B", 0.5, 0.5)}
	sem := []vector.Scored{{"C", 0.9}, {"D", 0.8}, {"C", 0.7}, {"A", 0.6}}
	opts := vector.DefaultFuseOptions()
	for k, want := range map[int]string{-1: "", 0: "", 1: "A", 2: "A T", 3: "A T C", 5: "A T C B D", 100: "A T C B D"} {
		if got := ids(vector.Fuse(lex, sem, k, opts)); got != want {
			t.Errorf("k=%d: got %q, want %q", k, got, want)
		}
	}
	if got := vector.Fuse(nil, nil, 5, opts); len(got) != 0 {
		t.Errorf("nothing fused: %v", got)
	}
	// Without semantic results the lexical list comes back as it was.
	if got := vector.Fuse(lex, nil, 5, opts); ids(got) != "A T B" {
		t.Errorf("lexical only: %s", ids(got))
	}
}

func TestFuseTies(t *testing.T) {
	// X lexical 2nd and Y semantic 2nd: equal 1/62; the lexical one
	// first. Then two embeddings-only items of equal similarity keep
	// their semantic order.
	lex := []knowledge.Hit{item("A", 0.9, 0.9), item("X", 0.4, 0.4)}
	sem := []vector.Scored{{"A", 0.9}, {"Y", 0.8}, {"Z", 0.8}}
	got := vector.Fuse(lex, sem, 10, vector.DefaultFuseOptions())
	if ids(got) != "A X Y Z" {
		t.Fatalf("got %s, want A X Y Z", ids(got))
	}
}

func TestFuseZeroOptionsNeverOffer(t *testing.T) {
	got := vector.Fuse(nil, []vector.Scored{{"C", 0.1}}, 5, vector.FuseOptions{})
	if len(got) != 1 || got[0].Confidence != 0 || got[0].Match != 0 {
		t.Errorf("zero options: %+v", got)
	}
}
