package analysis

// maxDistanceLen bounds the words Distance compares: longer words are not
// typo-corrected (they cost more and are rarely typed by hand).
const maxDistanceLen = 48

// Distance returns the Damerau-Levenshtein distance (optimal string
// alignment: insertions, deletions, substitutions and transpositions of
// adjacent letters) between a and b, or max+1 as soon as it is known to
// exceed max. Words longer than 48 runes count as too far. It works on
// runes and allocates nothing for ASCII words.
func Distance(a, b string, max int) int {
	if max < 0 {
		return 0
	}
	if a == b {
		return 0
	}
	var abuf, bbuf [maxDistanceLen]rune
	ar, ok1 := toRunes(a, abuf[:0])
	br, ok2 := toRunes(b, bbuf[:0])
	if !ok1 || !ok2 {
		return max + 1
	}
	la, lb := len(ar), len(br)
	if d := la - lb; d > max || -d > max {
		return max + 1
	}
	if la == 0 || lb == 0 {
		return la + lb
	}
	// Three rows of the dynamic programme: two back for transpositions.
	var rows [3][maxDistanceLen + 1]int
	prev2, prev, cur := &rows[0], &rows[1], &rows[2]
	for j := 0; j <= lb; j++ {
		prev[j] = j
	}
	for i := 1; i <= la; i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= lb; j++ {
			cost := 1
			if ar[i-1] == br[j-1] {
				cost = 0
			}
			v := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ar[i-1] == br[j-2] && ar[i-2] == br[j-1] {
				v = min(v, prev2[j-2]+1)
			}
			cur[j] = v
			rowMin = min(rowMin, v)
		}
		if rowMin > max {
			return max + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	if d := prev[lb]; d <= max {
		return d
	}
	return max + 1
}

// toRunes decodes s into buf, reporting false if it has more than
// maxDistanceLen runes.
func toRunes(s string, buf []rune) ([]rune, bool) {
	for _, r := range s {
		if len(buf) == maxDistanceLen {
			return nil, false
		}
		buf = append(buf, r)
	}
	return buf, true
}
