package llmtest

import (
	"hash/fnv"
	"math"

	"github.com/boussole/boussole/knowledge/analysis"
)

// HashEmbed returns a deterministic embedding into dims dimensions: each
// folded word that is not a stop word ("d'identité" and "IDENTITE" alike)
// adds one to a dimension chosen by its hash, and the vector is
// normalised. Texts sharing words get a cosine near 1, unrelated texts
// near 0: enough for retrieval tests, with no model. A text without a
// word gets the zero vector.
func HashEmbed(dims int) func(string) []float32 {
	dims = max(dims, 1)
	return func(text string) []float32 {
		v := make([]float32, dims)
		for _, w := range analysis.Tokens(text) {
			if analysis.IsStopWord(w) {
				continue
			}
			h := fnv.New32a()
			_, _ = h.Write([]byte(w))
			v[h.Sum32()%uint32(dims)]++
		}
		var norm float64
		for _, x := range v {
			norm += float64(x) * float64(x)
		}
		if norm == 0 {
			return v
		}
		n := float32(math.Sqrt(norm))
		for i := range v {
			v[i] /= n
		}
		return v
	}
}
