package catalog

import "testing"

func TestRegional(t *testing.T) {
	c, err := New()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ base, j, want string }{
		{"fr", "QC", "fr-CA"},
		{"fr", "FR", "fr"},
		{"fr", "", "fr"},
		{"en", "QC", "en"},
		{"fr-CA", "QC", "fr-CA"},
	} {
		if got := c.Regional(tc.base, tc.j); got != tc.want {
			t.Errorf("Regional(%q, %q) = %q, want %q", tc.base, tc.j, got, tc.want)
		}
	}
}
