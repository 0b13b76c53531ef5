package store

import "testing"

func TestRebind(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"SELECT 1", "SELECT 1"},
		{"SELECT a FROM t WHERE x = ? AND y IN (?, ?)", "SELECT a FROM t WHERE x = $1 AND y IN ($2, $3)"},
		{"WHERE origin = ?1 OR (origin >= ?2 AND origin < ?3) AND k = ?1", "WHERE origin = $1 OR (origin >= $2 AND origin < $3) AND k = $1"},
		{"SELECT '?', \"a?\" FROM t WHERE x = ? -- why?\n AND y = ?", "SELECT '?', \"a?\" FROM t WHERE x = $1 -- why?\n AND y = $2"},
		{"SELECT 'it''s ?' WHERE x = ?", "SELECT 'it''s ?' WHERE x = $1"},
		{"SELECT x - ? FROM t", "SELECT x - $1 FROM t"},
	} {
		if got := rebind(tt.in); got != tt.want {
			t.Errorf("rebind(%q)\n got %q\nwant %q", tt.in, got, tt.want)
		}
	}
}
