package vector

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/boussole/boussole/knowledge"
)

// RRFConstant is the k of reciprocal rank fusion (Cormack, Clarke and
// Büttcher, SIGIR 2009): an item's fused score is Σ 1/(60 + rank) over
// the lists that hold it, rank counted from 1. 60 is the paper's value;
// it flattens the head of each list, so that an item ranked well by both
// searches beats one ranked first by only one, and it needs no
// calibration between lexical scores and cosine similarities, which are
// not comparable.
const RRFConstant = 60

// FuseOptions says how much an item found by the embeddings alone is
// trusted. The zero value ignores no similarity and gives such an item a
// confidence and a match of 0 (listed, never offered nor answered):
// DefaultFuseOptions is what a deployment uses.
type FuseOptions struct {
	// MinSimilarity is the cosine similarity under which a semantic
	// result is ignored. Every query has nearest neighbours, « bonjour »
	// too; this floor is what lets a question about nothing stay not
	// understood. It depends on the model: about 0.5 suits bge-m3 (the
	// Albert API's), OpenAI's text-embedding-3 models need about 0.3.
	MinSimilarity float32
	// OnlyConfidence is the Confidence of an item only the embeddings
	// found. It should sit below the answer policy's answer threshold
	// (bot/answer.Policy.AnswerThreshold, 0.5 by default): such an item
	// may be offered, never answered directly.
	OnlyConfidence float64
	// OnlyMatch is its Match. At or above the policy's unsure threshold
	// (0.3 by default) it is offered among « did you mean… » when nothing
	// is sure; below it, it is only listed. An item both searches found
	// gets at least this Match too (it has at least that evidence), and
	// keeps its lexical Confidence.
	OnlyMatch float64
}

// DefaultFuseOptions are the options a deployment starts from.
//
// Why these values: bot/answer.Policy.Decide answers the first hit when its
// Confidence reaches the answer threshold (0.5 by default), else offers
// the first three whose Match reaches the unsure threshold (0.3), else
// says it did not understand. Nearness in an embedding space says « about
// the same thing », not « the sheet for this question »: a sheet the
// lexical search did not find at all is worth offering, never answering
// as if sure. So an item found by the embeddings alone gets a Confidence
// of 0.25 (half the answer threshold, below the « not certain » wording
// too) and a Match of 0.35 (just above the unsure threshold: offered,
// last among equals). An item the lexical search found keeps its own
// Confidence, so the bot answers directly only on lexical evidence; its
// Match is raised to 0.35 when the embeddings agree, so a sheet found
// through weak words and confirmed by meaning is offered rather than
// dropped. When fusion moves a less confident lexical hit to the top,
// the first hit's Confidence is that lower one: the two searches
// disagreeing on the best sheet makes the bot offer rather than answer.
func DefaultFuseOptions() FuseOptions {
	return FuseOptions{MinSimilarity: 0.5, OnlyConfidence: 0.25, OnlyMatch: 0.35}
}

// Fuse merges the lexical hits (best first, trees and items) with the
// semantic results (items, most similar first) into at most k hits, by
// reciprocal rank fusion of the items (RRFConstant; an item's lexical
// rank is counted among the lexical items, as the semantic results are
// items only). A tree keeps its place in the lexical list: embeddings are
// computed for items only, and a tree's place is the lexical search's
// decision to start a conversation, which fusion must not undo. Items fill the other places in fused order;
// ties go to the item the lexical search ranked better (found by it at
// all first), then to the better semantic rank, then to the smaller id.
//
// A lexical hit keeps its Kind, Score, Confidence and Why, with
// « embeddings rank N (similarity S) » added and its Match raised to at
// least opts.OnlyMatch when the embeddings found it too; an item found
// only by the embeddings gets its similarity as Score, and Confidence and
// Match from opts (see DefaultFuseOptions). Semantic results under
// opts.MinSimilarity are ignored. The hits given are not modified.
func Fuse(lexical []knowledge.Hit, semantic []Scored, k int, opts FuseOptions) []knowledge.Hit {
	if k <= 0 {
		return nil
	}
	type fused struct {
		hit      knowledge.Hit
		lexRank  int // 1-based place among lexical items; 0: not there
		semRank  int // 1-based among kept semantic results; 0: not there
		rrf      float64
		semantic Scored
	}
	var (
		items    []*fused
		byID     = map[string]*fused{}
		trees    = map[int]knowledge.Hit{} // 0-based place → tree
		seenTree = map[string]bool{}
	)
	for i, h := range lexical {
		if h.Kind == knowledge.HitTree {
			if !seenTree[h.ID] {
				seenTree[h.ID] = true
				trees[i] = h
			}
			continue
		}
		if byID[h.ID] != nil {
			continue
		}
		r := len(items) + 1
		f := &fused{hit: h, lexRank: r, rrf: 1 / float64(RRFConstant+r)}
		f.hit.Why = slices.Clone(h.Why)
		byID[h.ID] = f
		items = append(items, f)
	}
	rank := 0
	for _, s := range semantic {
		if s.Similarity < opts.MinSimilarity {
			continue
		}
		f := byID[s.ID]
		if f != nil && f.semRank != 0 {
			continue // a duplicate semantic result
		}
		rank++
		why := fmt.Sprintf("embeddings rank %d (similarity %.2f)", rank, s.Similarity)
		if f == nil {
			f = &fused{hit: knowledge.Hit{
				Kind:       knowledge.HitItem,
				ID:         s.ID,
				Score:      float64(s.Similarity),
				Confidence: opts.OnlyConfidence,
				Match:      opts.OnlyMatch,
				Why:        []string{"embeddings only: " + why[len("embeddings "):]},
			}}
			byID[s.ID] = f
			items = append(items, f)
		} else {
			f.hit.Why = append(f.hit.Why, why)
			f.hit.Match = max(f.hit.Match, opts.OnlyMatch)
		}
		f.semRank, f.semantic = rank, s
		f.rrf += 1 / float64(RRFConstant+rank)
	}
	slices.SortStableFunc(items, func(a, b *fused) int {
		if c := cmp.Compare(b.rrf, a.rrf); c != 0 {
			return c
		}
		if c := cmp.Compare(orLast(a.lexRank), orLast(b.lexRank)); c != 0 {
			return c
		}
		if c := cmp.Compare(orLast(a.semRank), orLast(b.semRank)); c != 0 {
			return c
		}
		return cmp.Compare(a.hit.ID, b.hit.ID)
	})
	n := min(k, len(items)+len(trees))
	out := make([]knowledge.Hit, 0, n)
	next := 0
	for i := 0; len(out) < n; i++ {
		if t, ok := trees[i]; ok {
			out = append(out, t)
			continue
		}
		if next < len(items) {
			out = append(out, items[next].hit)
			next++
			continue
		}
		if i >= len(lexical) {
			break // no item left, and no tree further on
		}
	}
	return out
}

// orLast makes an absent rank (0) sort after every present one.
func orLast(rank int) int {
	if rank == 0 {
		return int(^uint(0) >> 1)
	}
	return rank
}
