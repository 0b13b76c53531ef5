// Package textdiff compares two texts line by line for the admin's
// side-by-side view of two versions of a tree or an item.
package textdiff

// Op says what happened to a row.
type Op int

// Row operations.
const (
	// Same: the line is in both versions.
	Same Op = iota
	// Del: the line is only in the old version (left).
	Del
	// Ins: the line is only in the new version (right).
	Ins
	// Change: the left line became the right one.
	Change
)

// Row is one line of the side-by-side view; LeftNo and RightNo are line
// numbers from 1, 0 where that side has no line.
type Row struct {
	Left, Right     string
	LeftNo, RightNo int
	Op              Op
}

// maxCells bounds the comparison table (lines × lines): knowledge files
// are a few hundred lines; beyond, whole blocks are shown as replaced.
const maxCells = 4_000_000

// Lines compares a (old) with b (new) by longest common subsequence and
// returns the side-by-side rows; a deletion followed by an insertion is
// shown as changed lines facing each other.
func Lines(a, b []string) []Row {
	n, m := len(a), len(b)
	if n*m > maxCells {
		return pair(a, b)
	}
	// lcs[i][j] is the length of the LCS of a[i:] and b[j:].
	lcs := make([][]int32, n+1)
	for i := range lcs {
		lcs[i] = make([]int32, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var rows []Row
	var dels, ins []int
	flush := func() {
		rows = append(rows, pairIdx(a, b, dels, ins)...)
		dels, ins = dels[:0], ins[:0]
	}
	i, j := 0, 0
	for i < n || j < m {
		switch {
		case i < n && j < m && a[i] == b[j]:
			flush()
			rows = append(rows, Row{Left: a[i], Right: b[j], LeftNo: i + 1, RightNo: j + 1, Op: Same})
			i, j = i+1, j+1
		case j < m && (i == n || lcs[i][j+1] >= lcs[i+1][j]):
			ins = append(ins, j)
			j++
		default:
			dels = append(dels, i)
			i++
		}
	}
	flush()
	return rows
}

// pairIdx faces deleted lines with inserted ones as changes, the rest as
// plain deletions or insertions.
func pairIdx(a, b []string, dels, ins []int) []Row {
	var rows []Row
	for k := 0; k < max(len(dels), len(ins)); k++ {
		switch {
		case k < len(dels) && k < len(ins):
			rows = append(rows, Row{Left: a[dels[k]], Right: b[ins[k]], LeftNo: dels[k] + 1, RightNo: ins[k] + 1, Op: Change})
		case k < len(dels):
			rows = append(rows, Row{Left: a[dels[k]], LeftNo: dels[k] + 1, Op: Del})
		default:
			rows = append(rows, Row{Right: b[ins[k]], RightNo: ins[k] + 1, Op: Ins})
		}
	}
	return rows
}

// pair shows a as replaced by b, line against line.
func pair(a, b []string) []Row {
	dels := make([]int, len(a))
	for i := range dels {
		dels[i] = i
	}
	ins := make([]int, len(b))
	for i := range ins {
		ins[i] = i
	}
	return pairIdx(a, b, dels, ins)
}

// Changed says whether any row differs.
func Changed(rows []Row) bool {
	for _, r := range rows {
		if r.Op != Same {
			return true
		}
	}
	return false
}
