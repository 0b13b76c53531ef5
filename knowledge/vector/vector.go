// Package vector is nearest-neighbour search over item embeddings, and the
// fusion of its results with the lexical search's (Fuse). It is pure Go and
// does no I/O: the vectors are computed by a model elsewhere (bot/llm),
// stored by the store, and handed to New.
//
// The search is brute force over unit vectors kept in one flat slice:
// cosine similarity is then a dot product. BenchmarkNearest, at 1,024
// dimensions on a 2-core CI machine: 2.5 ms a query for the 7,000
// service-public.fr sheets (29 MB of vectors), 27 ms for 70,000 (290 MB).
// An approximate index (HNSW) would be worth its complexity only beyond
// that.
package vector

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
)

// Scored is an item and its cosine similarity to a query, in [-1, 1].
type Scored struct {
	ID         string
	Similarity float32
}

// Index holds unit-normalised vectors of one dimension, by item id. It is
// immutable and safe for concurrent use.
type Index struct {
	ids  []string  // sorted: ties in similarity go to the smaller id
	data []float32 // len(ids)·dims, row i is ids[i]'s unit vector
	dims int
}

// Sentinel errors of New.
var (
	ErrDims   = errors.New("vector: dimensions differ")
	ErrVector = errors.New("vector: unusable vector")
)

// New normalises vecs and indexes them. Every vector must have the same
// number of dimensions, a non-zero length and finite components: a
// vector that has not is an error naming its id (an embedding model
// changed under the same name, a truncated row), not a silent skip. An
// empty map gives an empty index.
func New(vecs map[string][]float32) (*Index, error) {
	ix := &Index{ids: make([]string, 0, len(vecs))}
	for id := range vecs {
		ix.ids = append(ix.ids, id)
	}
	slices.Sort(ix.ids)
	for i, id := range ix.ids {
		v := vecs[id]
		if i == 0 {
			ix.dims = len(v)
			ix.data = make([]float32, 0, len(vecs)*len(v))
		}
		if len(v) != ix.dims {
			return nil, fmt.Errorf("index vectors: %s has %d dimensions, %s has %d: %w", id, len(v), ix.ids[0], ix.dims, ErrDims)
		}
		u, err := unit(v)
		if err != nil {
			return nil, fmt.Errorf("index vectors: %s: %w", id, err)
		}
		ix.data = append(ix.data, u...)
	}
	if ix.dims == 0 && len(ix.ids) > 0 {
		return nil, fmt.Errorf("index vectors: %s is empty: %w", ix.ids[0], ErrVector)
	}
	return ix, nil
}

// unit returns v scaled to length 1, in a new slice.
func unit(v []float32) ([]float32, error) {
	var n float64
	for _, x := range v {
		n += float64(x) * float64(x)
	}
	if n == 0 || math.IsNaN(n) || math.IsInf(n, 0) {
		return nil, fmt.Errorf("zero or non-finite vector: %w", ErrVector)
	}
	inv := 1 / math.Sqrt(n)
	u := make([]float32, len(v))
	for i, x := range v {
		u[i] = float32(float64(x) * inv)
	}
	return u, nil
}

// Len is the number of vectors.
func (ix *Index) Len() int {
	if ix == nil {
		return 0
	}
	return len(ix.ids)
}

// Dims is the vectors' number of dimensions (0 for an empty index).
func (ix *Index) Dims() int {
	if ix == nil {
		return 0
	}
	return ix.dims
}

// Has reports whether id has a vector.
func (ix *Index) Has(id string) bool {
	if ix == nil {
		return false
	}
	_, ok := slices.BinarySearch(ix.ids, id)
	return ok
}

// Nearest returns the k vectors most similar to q (cosine), most similar
// first, ties by id, among the ids keep accepts (nil keeps all). A query
// of another dimension than the index's, or with no length, finds nothing:
// the caller compares Dims to tell why.
func (ix *Index) Nearest(q []float32, k int, keep func(id string) bool) []Scored {
	if ix == nil || k <= 0 || len(ix.ids) == 0 || len(q) != ix.dims {
		return nil
	}
	u, err := unit(q)
	if err != nil {
		return nil
	}
	// A min-heap of the k best so far: the root is the one to replace.
	h := make([]cand, 0, min(k, len(ix.ids)))
	for i := range ix.ids {
		if keep != nil && !keep(ix.ids[i]) {
			continue
		}
		c := cand{i: int32(i), s: dot(u, ix.data[i*ix.dims:(i+1)*ix.dims])}
		if len(h) < k {
			h = append(h, c)
			up(h, len(h)-1)
		} else if worse(h[0], c) {
			h[0] = c
			down(h, 0)
		}
	}
	slices.SortFunc(h, func(a, b cand) int {
		if c := cmp.Compare(b.s, a.s); c != 0 {
			return c
		}
		return cmp.Compare(a.i, b.i)
	})
	out := make([]Scored, len(h))
	for j, c := range h {
		out[j] = Scored{ID: ix.ids[c.i], Similarity: c.s}
	}
	return out
}

type cand struct {
	i int32
	s float32
}

// worse reports whether a ranks below b: lower similarity, or equal and a
// later id.
func worse(a, b cand) bool {
	if a.s != b.s {
		return a.s < b.s
	}
	return a.i > b.i
}

func up(h []cand, i int) {
	for i > 0 {
		p := (i - 1) / 2
		if !worse(h[i], h[p]) {
			return
		}
		h[i], h[p] = h[p], h[i]
		i = p
	}
}

func down(h []cand, i int) {
	for {
		l := 2*i + 1
		if l >= len(h) {
			return
		}
		m := l
		if r := l + 1; r < len(h) && worse(h[r], h[l]) {
			m = r
		}
		if !worse(h[m], h[i]) {
			return
		}
		h[i], h[m] = h[m], h[i]
		i = m
	}
}

// dot is the dot product of two slices of one length, four lanes at a
// time (independent sums let the processor overlap the additions).
func dot(a, b []float32) float32 {
	b = b[:len(a)]
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(a); i += 4 {
		s0 += a[i] * b[i]
		s1 += a[i+1] * b[i+1]
		s2 += a[i+2] * b[i+2]
		s3 += a[i+3] * b[i+3]
	}
	for ; i < len(a); i++ {
		s0 += a[i] * b[i]
	}
	return s0 + s1 + s2 + s3
}
