package vector_test

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/boussole/boussole/knowledge/vector"
)

func TestNearestRanksByCosine(t *testing.T) {
	ix, err := vector.New(map[string][]float32{
		"east":  {10, 0}, // length does not matter: cosine
		"north": {0, 1},
		"ne":    {1, 1},
		"west":  {-3, 0},
	})
	if err != nil {
		t.Fatal(err)
	}
	if ix.Len() != 4 || ix.Dims() != 2 || !ix.Has("ne") || ix.Has("south") {
		t.Fatalf("Len %d Dims %d", ix.Len(), ix.Dims())
	}
	got := ix.Nearest([]float32{2, 0.5}, 3, nil)
	want := []string{"east", "ne", "north"}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i, s := range got {
		if s.ID != want[i] {
			t.Fatalf("rank %d: got %v, want %v", i+1, got, want)
		}
	}
	if want := float32(2 / math.Sqrt(4.25)); math.Abs(float64(got[0].Similarity-want)) > 1e-6 {
		t.Errorf("similarity to east %v, want %v", got[0].Similarity, want)
	}
	// keep leaves ids out before ranking, so k is still filled.
	got = ix.Nearest([]float32{2, 0.5}, 2, func(id string) bool { return id != "east" })
	if len(got) != 2 || got[0].ID != "ne" || got[1].ID != "north" {
		t.Errorf("with east left out: %v", got)
	}
}

func TestNearestBounds(t *testing.T) {
	ix, err := vector.New(map[string][]float32{"a": {1, 0}, "b": {0, 1}})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		q    []float32
		k    int
		want int
	}{
		{"k larger than the index", []float32{1, 1}, 10, 2},
		{"k zero", []float32{1, 1}, 0, 0},
		{"k negative", []float32{1, 1}, -1, 0},
		{"other dimension", []float32{1, 1, 1}, 2, 0},
		{"zero query", []float32{0, 0}, 2, 0},
		{"NaN query", []float32{float32(math.NaN()), 1}, 2, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := ix.Nearest(tc.q, tc.k, nil); len(got) != tc.want {
				t.Errorf("got %v, want %d results", got, tc.want)
			}
		})
	}
	var empty *vector.Index
	if got := empty.Nearest([]float32{1}, 3, nil); got != nil || empty.Len() != 0 || empty.Has("a") {
		t.Errorf("nil index: %v", got)
	}
	ix, err = vector.New(nil)
	if err != nil || ix.Len() != 0 || ix.Nearest([]float32{1}, 3, nil) != nil {
		t.Errorf("empty index: %v %v", ix, err)
	}
}

func TestNearestTiesGoToSmallerID(t *testing.T) {
	vecs := map[string][]float32{}
	for _, id := range []string{"d", "b", "e", "a", "c"} {
		vecs[id] = []float32{1, 1}
	}
	ix, err := vector.New(vecs)
	if err != nil {
		t.Fatal(err)
	}
	got := ix.Nearest([]float32{1, 1}, 3, nil)
	if len(got) != 3 || got[0].ID != "a" || got[1].ID != "b" || got[2].ID != "c" {
		t.Errorf("ties: %v, want a, b, c", got)
	}
}

func TestNewRejectsBadVectors(t *testing.T) {
	for _, tc := range []struct {
		name string
		vecs map[string][]float32
		want error
	}{
		{"mixed dimensions", map[string][]float32{"a": {1, 0}, "b": {1, 0, 0}}, vector.ErrDims},
		{"zero vector", map[string][]float32{"a": {1, 0}, "b": {0, 0}}, vector.ErrVector},
		{"infinite", map[string][]float32{"a": {float32(math.Inf(1)), 0}}, vector.ErrVector},
		{"empty", map[string][]float32{"a": {}}, vector.ErrVector},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := vector.New(tc.vecs)
			if !errors.Is(err, tc.want) {
				t.Errorf("got %v, want %v", err, tc.want)
			}
		})
	}
}

// TestNearestMatchesSort checks the heap against a full sort on random
// vectors.
func TestNearestMatchesSort(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	vecs := randomVectors(r, 500, 16)
	ix, err := vector.New(vecs)
	if err != nil {
		t.Fatal(err)
	}
	q := randomVector(r, 16)
	all := ix.Nearest(q, len(vecs), nil)
	if len(all) != len(vecs) {
		t.Fatalf("%d results for %d vectors", len(all), len(vecs))
	}
	for i := 1; i < len(all); i++ {
		if all[i].Similarity > all[i-1].Similarity {
			t.Fatalf("not sorted at %d: %v > %v", i, all[i], all[i-1])
		}
	}
	top := ix.Nearest(q, 10, nil)
	for i := range top {
		if top[i] != all[i] {
			t.Fatalf("top 10 differs from the sorted list at %d: %v vs %v", i, top[i], all[i])
		}
	}
}

func randomVector(r *rand.Rand, dims int) []float32 {
	v := make([]float32, dims)
	for i := range v {
		v[i] = float32(r.NormFloat64())
	}
	return v
}

func randomVectors(r *rand.Rand, n, dims int) map[string][]float32 {
	vecs := make(map[string][]float32, n)
	for i := range n {
		vecs[fmt.Sprintf("F%06d", i)] = randomVector(r, dims)
	}
	return vecs
}

// BenchmarkNearest measures a query against the size of today's imported
// service-public.fr base (7,000 sheets) and ten times that, at 1,024
// dimensions (bge-m3's).
func BenchmarkNearest(b *testing.B) {
	for _, n := range []int{7_000, 70_000} {
		b.Run(fmt.Sprintf("items=%d/dims=1024", n), func(b *testing.B) {
			r := rand.New(rand.NewPCG(3, 4))
			ix, err := vector.New(randomVectors(r, n, 1024))
			if err != nil {
				b.Fatal(err)
			}
			q := randomVector(r, 1024)
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if got := ix.Nearest(q, 40, nil); len(got) != 40 {
					b.Fatalf("%d results", len(got))
				}
			}
		})
	}
}
