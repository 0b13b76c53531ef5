package servicepublic

import (
	"strings"
	"testing"
)

func TestFormNumberKeywords(t *testing.T) {
	for in, want := range map[string]string{
		"2074-DIR-SD": "2074DIRSD|2074",
		"S 5136h":     "S5136h|5136h",
		"S7136e":      "S7136e",
		"TT 04":       "TT04|04",
		"A":           "",
		" ":           "",
	} {
		if got := strings.Join(formNumber(in), "|"); got != want {
			t.Errorf("formNumber(%q) = %q, want %q", in, got, want)
		}
	}
}
