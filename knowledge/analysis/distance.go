package analysis

// maxDistanceLen bounds the words Distance compares: longer words are not
// typo-corrected (they cost more and are rarely typed by hand).
const maxDistanceLen = 48

// Distance returns the Damerau-Levenshtein distance (optimal string
// alignment: insertions, deletions, substitutions and transpositions of
// adjacent letters) between a and b, or max+1 as soon as it is known to
// exceed max. Words longer than 48 runes count as too far. It allocates
// nothing, and compares ASCII words byte by byte (typo correction calls it
// for thousands of index words per query word).
func Distance(a, b string, max int) int {
	if max < 0 {
		return 0
	}
	if a == b {
		return 0
	}
	if ascii(a) && ascii(b) {
		if len(a) > maxDistanceLen || len(b) > maxDistanceLen {
			return max + 1
		}
		var abuf, bbuf [maxDistanceLen]byte
		return osa(append(abuf[:0], a...), append(bbuf[:0], b...), max)
	}
	var abuf, bbuf [maxDistanceLen]rune
	ar, ok1 := toRunes(a, abuf[:0])
	br, ok2 := toRunes(b, bbuf[:0])
	if !ok1 || !ok2 {
		return max + 1
	}
	return osa(ar, br, max)
}

// osa is Distance over letters. Only the band of cells within max of the
// diagonal is computed: a cell further away already costs more than max.
func osa[E byte | rune](a, b []E, max int) int {
	la, lb := len(a), len(b)
	if d := la - lb; d > max || -d > max {
		return max + 1
	}
	if la == 0 || lb == 0 {
		return la + lb
	}
	// No distance exceeds the longer word's length: a smaller max keeps
	// every cell in a byte (small rows are cheap to clear).
	max = min(max, maxDistanceLen)
	big := uint8(max + 1)
	// Three rows of the dynamic programme: two back for transpositions.
	var rows [3][maxDistanceLen + 2]uint8
	prev2, prev, cur := &rows[0], &rows[1], &rows[2]
	for j := 0; j <= lb; j++ {
		prev[j] = min(uint8(j), big)
	}
	for i := 1; i <= la; i++ {
		lo, hi := 1, lb
		if i-max > lo {
			lo = i - max
		}
		if i+max < hi {
			hi = i + max
		}
		rowMin := big
		if lo == 1 {
			cur[0] = min(uint8(i), big)
			rowMin = cur[0]
		} else {
			cur[lo-1] = big // left of the band
		}
		for j := lo; j <= hi; j++ {
			cost := uint8(1)
			if a[i-1] == b[j-1] {
				cost = 0
			}
			v := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				v = min(v, prev2[j-2]+1)
			}
			cur[j] = v
			rowMin = min(rowMin, v)
		}
		cur[hi+1] = big // right of the band, read by the next row
		if rowMin > uint8(max) {
			return max + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return min(int(prev[lb]), max+1)
}

func ascii(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
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
