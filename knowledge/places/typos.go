package places

import (
	"cmp"
	"slices"
	"sync"

	"github.com/boussole/boussole/knowledge/analysis"
)

// typoIndex finds the names within a few edits of a misspelt one
// (« marseile », « Sherbroke ») without comparing it to every name: an
// inverted index of the names' letter pairs (bigrams, the name padded
// with a space at each end). An edit — insertion, deletion, substitution
// or transposition of neighbours — breaks at most three of a word's
// bigrams, so a name within k edits lacks at most 3k of the misspelt
// word's distinct bigrams, and has at least one of any 3k+1 of them: the
// search reads the postings of its 3k+1 rarest bigrams only, and compares
// the few names found letter by letter (analysis.Distance). Building it
// costs a couple of milliseconds in New; a search, microseconds.
type typoIndex struct {
	keys []string
	// start and posts are the posting lists, flat: the keys with bigram b
	// are posts[start[b]:start[b+1]].
	start []int32
	posts []int32
	// scratch holds a search's buffers (*typoScratch), reused.
	scratch sync.Pool
}

// typoScratch marks the keys a search has seen; the search clears the
// marks it set.
type typoScratch struct {
	seen []bool
	ids  []int32
}

// symbols a bigram is made of: space, a-z, 0-9, anything else.
const symbols = 38

func symbol(c byte) int {
	switch {
	case 'a' <= c && c <= 'z':
		return int(c-'a') + 1
	case '0' <= c && c <= '9':
		return int(c-'0') + 27
	case c == ' ':
		return 0
	}
	return symbols - 1
}

// bigrams calls f with each bigram of " "+s+" ", each once.
func bigrams(s string, f func(b int)) {
	var seen [(symbols*symbols + 63) / 64]uint64
	prev := 0 // the leading space
	for i := 0; i <= len(s); i++ {
		c := 0 // the trailing space
		if i < len(s) {
			c = symbol(s[i])
		}
		b := prev*symbols + c
		prev = c
		if seen[b/64]&(1<<(b%64)) != 0 {
			continue
		}
		seen[b/64] |= 1 << (b % 64)
		f(b)
	}
}

func newTypoIndex(keys []string) *typoIndex {
	x := &typoIndex{keys: keys, start: make([]int32, symbols*symbols+1)}
	for _, k := range keys {
		bigrams(k, func(b int) { x.start[b+1]++ })
	}
	for b := 1; b < len(x.start); b++ {
		x.start[b] += x.start[b-1]
	}
	x.posts = make([]int32, x.start[len(x.start)-1])
	next := make([]int32, symbols*symbols)
	copy(next, x.start)
	for id, k := range keys {
		bigrams(k, func(b int) {
			x.posts[next[b]] = int32(id)
			next[b]++
		})
	}
	x.scratch.New = func() any { return &typoScratch{seen: make([]bool, len(keys))} }
	return x
}

// maxNameLen bounds what is typo-corrected: the longest names have 45
// letters.
const maxNameLen = 48

// maxEdits is how many typos a name of that many letters tolerates: none
// under five letters (« Gap », « Nice » are too close to other names),
// one from five, two from nine.
func maxEdits(q string) int {
	letters := 0
	for i := 0; i < len(q); i++ {
		if q[i] != ' ' {
			letters++
		}
	}
	switch {
	case letters >= 9:
		return 2
	case letters >= 5:
		return 1
	}
	return 0
}

// search returns the keys nearest to q within maxEdits(q) edits, and
// their distance; nothing when q is too short or no key is that close.
func (x *typoIndex) search(q string) ([]string, int) {
	k := maxEdits(q)
	if k == 0 || len(q) > maxNameLen {
		return nil, 0 // a long text is no misspelt name
	}
	var qb [maxNameLen + 1]int
	n := 0
	bigrams(q, func(b int) { qb[n] = b; n++ })
	probe := qb[:n]
	if n > 3*k+1 {
		// The rarest first: their postings are the shortest.
		slices.SortFunc(probe, func(a, b int) int { return cmp.Compare(x.postings(a), x.postings(b)) })
		probe = probe[:3*k+1]
	}
	sc := x.scratch.Get().(*typoScratch)
	defer x.scratch.Put(sc)
	for _, b := range probe {
		for _, id := range x.posts[x.start[b]:x.start[b+1]] {
			if !sc.seen[id] {
				sc.seen[id] = true
				sc.ids = append(sc.ids, id)
			}
		}
	}
	var best []string
	dist := k + 1
	for _, id := range sc.ids {
		sc.seen[id] = false
		key := x.keys[id]
		if len(key)-len(q) > k || len(q)-len(key) > k {
			continue
		}
		switch d := analysis.Distance(q, key, min(dist, k)); {
		case d < dist:
			best, dist = append(best[:0], key), d
		case d == dist && d <= k:
			best = append(best, key)
		}
	}
	sc.ids = sc.ids[:0]
	if dist > k {
		return nil, 0
	}
	return best, dist
}

func (x *typoIndex) postings(b int) int32 { return x.start[b+1] - x.start[b] }
