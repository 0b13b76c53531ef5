package textdiff

import (
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
