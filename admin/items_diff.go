package admin

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/boussole/boussole/knowledge"
)

// itemDiff is two versions of an item side by side, as YAML (the format
// of the knowledge files, knowledge.MarshalItemYAML), line against line.
type itemDiff struct {
	Rows []diffRow
	// Same says the two versions are identical.
	Same bool
}

// diffRow is a line of each side; a side is empty where the other has a
// line it lacks. Kind is "" (unchanged), "del" (left only or changed)
// and "ins" (right only or changed) for each side.
type diffRow struct {
	Left, Right         string
	LeftKind, RightKind string
	LeftNo, RightNo     int
}

// diff compares versions a and b of item id.
func (p *itemPages) diff(r *http.Request, id string, a, b int) (*itemDiff, error) {
	yamlOf := func(v int) ([]string, error) {
		it, err := p.s.d.Library.ItemVersion(r.Context(), id, v)
		if err != nil {
			return nil, err
		}
		y, err := knowledge.MarshalItemYAML(it)
		if err != nil {
			return nil, err
		}
		return strings.Split(strings.TrimRight(string(y), "\n"), "\n"), nil
	}
	left, err := yamlOf(a)
	if err != nil {
		return nil, fmt.Errorf("diff item %s: version %d: %w", id, a, err)
	}
	right, err := yamlOf(b)
	if err != nil {
		return nil, fmt.Errorf("diff item %s: version %d: %w", id, b, err)
	}
	return sideBySide(left, right), nil
}

// maxDiffLines bounds each side: an item is a few dozen lines, and the
// table below grows with the product of both sides.
const maxDiffLines = 2000

// sideBySide pairs the lines of left and right along their longest
// common subsequence; lines removed and added at one place share rows.
func sideBySide(left, right []string) *itemDiff {
	left, right = left[:min(len(left), maxDiffLines)], right[:min(len(right), maxDiffLines)]
	n, m := len(left), len(right)
	// lcs[i][j] is the common length of left[i:] and right[j:].
	lcs := make([][]int, n+1)
	for i := range lcs {
		lcs[i] = make([]int, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if left[i] == right[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	d := &itemDiff{Same: true}
	var dels, ins []diffRow
	flush := func() {
		for k := range max(len(dels), len(ins)) {
			var row diffRow
			if k < len(dels) {
				row.Left, row.LeftKind, row.LeftNo = dels[k].Left, "del", dels[k].LeftNo
			}
			if k < len(ins) {
				row.Right, row.RightKind, row.RightNo = ins[k].Right, "ins", ins[k].RightNo
			}
			d.Rows = append(d.Rows, row)
		}
		dels, ins = dels[:0], ins[:0]
	}
	i, j := 0, 0
	for i < n || j < m {
		switch {
		case i < n && j < m && left[i] == right[j]:
			flush()
			d.Rows = append(d.Rows, diffRow{Left: left[i], Right: right[j], LeftNo: i + 1, RightNo: j + 1})
			i, j = i+1, j+1
		case j == m || i < n && lcs[i+1][j] >= lcs[i][j+1]:
			dels = append(dels, diffRow{Left: left[i], LeftNo: i + 1})
			d.Same = false
			i++
		default:
			ins = append(ins, diffRow{Right: right[j], RightNo: j + 1})
			d.Same = false
			j++
		}
	}
	flush()
	return d
}
