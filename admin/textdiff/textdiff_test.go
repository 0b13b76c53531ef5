package textdiff

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

func TestLines(t *testing.T) {
	a := strings.Split("id: t\ntitle: Carte\nstart: q\nask: Quelle carte ?\nlabel: A", "\n")
	b := strings.Split("id: t\ntitle: Carte\nstart: q\nask: Quel document ?\nlabel: A\nlabel: B", "\n")
	rows := Lines(a, b)
	want := []Op{Same, Same, Same, Change, Same, Ins}
	if len(rows) != len(want) {
		t.Fatalf("rows %+v", rows)
	}
	for i, r := range rows {
		if r.Op != want[i] {
			t.Errorf("row %d = %+v, want op %d", i, r, want[i])
		}
	}
	if rows[3].Left != "ask: Quelle carte ?" || rows[3].Right != "ask: Quel document ?" || rows[3].LeftNo != 4 || rows[3].RightNo != 4 {
		t.Errorf("changed row %+v", rows[3])
	}
	if rows[5].Right != "label: B" || rows[5].LeftNo != 0 || rows[5].RightNo != 6 {
		t.Errorf("inserted row %+v", rows[5])
	}
	if Changed(Lines(a, a)) {
		t.Error("a text differs from itself")
	}
	if rows := Lines(a, nil); len(rows) != len(a) || rows[0].Op != Del {
		t.Errorf("all deleted: %+v", rows)
	}
}

// lcsLen is the length of a longest common subsequence, by the plain
// recursion, to check Lines against on small texts.
func lcsLen(a, b []string) int {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	if a[0] == b[0] {
		return 1 + lcsLen(a[1:], b[1:])
	}
	return max(lcsLen(a[1:], b), lcsLen(a, b[1:]))
}

// On many small texts made of few distinct lines, the rows give back
// both texts in order with their line numbers, and keep a longest common
// subsequence of lines unchanged.
func TestLinesProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	text := func() []string {
		out := make([]string, rng.IntN(8))
		for i := range out {
			out[i] = string(rune('a' + rng.IntN(4)))
		}
		return out
	}
	for range 2000 {
		a, b := text(), text()
		rows := Lines(a, b)
		var left, right []string
		same := 0
		for _, r := range rows {
			if r.Op != Ins {
				left = append(left, r.Left)
				if r.LeftNo != len(left) {
					t.Fatalf("%q → %q: left line number %d, want %d", a, b, r.LeftNo, len(left))
				}
			} else if r.LeftNo != 0 || r.Left != "" {
				t.Fatalf("%q → %q: an inserted row has a left side: %+v", a, b, r)
			}
			if r.Op != Del {
				right = append(right, r.Right)
				if r.RightNo != len(right) {
					t.Fatalf("%q → %q: right line number %d, want %d", a, b, r.RightNo, len(right))
				}
			} else if r.RightNo != 0 || r.Right != "" {
				t.Fatalf("%q → %q: a deleted row has a right side: %+v", a, b, r)
			}
			if r.Op == Same {
				same++
				if r.Left != r.Right {
					t.Fatalf("%q → %q: a same row differs: %+v", a, b, r)
				}
			}
		}
		if !slices.Equal(left, a) || !slices.Equal(right, b) {
			t.Fatalf("%q → %q: rows give back %q → %q", a, b, left, right)
		}
		if want := lcsLen(a, b); same != want {
			t.Fatalf("%q → %q: %d unchanged lines, want %d", a, b, same, want)
		}
		if Changed(rows) != !slices.Equal(a, b) {
			t.Fatalf("%q → %q: Changed = %v", a, b, Changed(rows))
		}
	}
}

// Texts too large to compare cell by cell are still shown whole, as
// replaced.
func TestLinesTooLarge(t *testing.T) {
	a := make([]string, 2100)
	b := make([]string, 2100)
	for i := range a {
		a[i], b[i] = "x", "y"
	}
	rows := Lines(a, b)
	if len(rows) != 2100 || rows[0].Op != Change || rows[2099].LeftNo != 2100 || rows[2099].RightNo != 2100 {
		t.Errorf("%d rows, first %+v", len(rows), rows[0])
	}
}
