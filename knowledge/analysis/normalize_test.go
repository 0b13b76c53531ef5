package analysis_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/boussole/boussole/knowledge/analysis"
)

func TestNormalize(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain", "cni perdu", "cni perdu"},
		{"keeps accents and case", "Carte d'identité PERDUE", "Carte d'identité PERDUE"},
		{"trims and collapses", "  cni \t  perdu  ", "cni perdu"},
		{"keeps one line break", "bonjour\r\n\r\n  j'ai perdu ma carte\n", "bonjour\nj'ai perdu ma carte"},
		{"unicode spaces", "cni\u00a0perdu\u2003!", "cni perdu !"},
		{"controls", "cni\x00\x07 perdu\x1b[31m", "cni perdu[31m"},
		{"zero width", "c\u200bn\u2060i\ufeff perdu", "cni perdu"},
		{"bidi override", "abc\u202edcba\u202c", "abcdcba"},
		{"tag characters", "ok\U000E0041\U000E0042", "ok"},
		{"soft hyphen", "per\u00addu", "perdu"},
		{"emoji kept", "merci 🙏🏽 !", "merci 🙏🏽 !"},
		{"emoji ZWJ sequence kept", "famille 👨\u200d👩\u200d👧", "famille 👨\u200d👩\u200d👧"},
		{"stray joiner dropped", "\u200d a \u200d b\u200d", "a b"},
		{"NFC", "e\u0301tudiant", "étudiant"},
		{"invalid UTF-8 dropped", "cni\xff\xfe perdu", "cni perdu"},
		{"whitespace only", " \n\t\u200b ", ""},
		{"empty", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := analysis.Normalize(tc.in); got != tc.want {
				t.Errorf("Normalize(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestNormalizeBounds(t *testing.T) {
	long := strings.Repeat("é", 5000) // 2 bytes each
	got := analysis.Normalize(long)
	if len(got) > analysis.MaxMessageBytes || !utf8.ValidString(got) {
		t.Fatalf("len %d, valid %v", len(got), utf8.ValidString(got))
	}
	if len(got) != analysis.MaxMessageBytes {
		t.Errorf("kept %d bytes, want %d", len(got), analysis.MaxMessageBytes)
	}
	odd := "x" + strings.Repeat("é", 5000) // cut falls inside a rune
	if got := analysis.Normalize(odd); len(got) != analysis.MaxMessageBytes-1 || !utf8.ValidString(got) {
		t.Errorf("odd cut: len %d valid %v", len(got), utf8.ValidString(got))
	}
}

func TestFold(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Carte d'Identité", "carte d identite"},
		{"ŒUF À LA CRÈME", "oeuf a la creme"},
		{"  hé!!  ho ", "he ho"},
		{"\xffbad", "bad"},
		{"😀", ""},
	}
	for _, tc := range tests {
		if got := analysis.Fold(tc.in); got != tc.want {
			t.Errorf("Fold(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
