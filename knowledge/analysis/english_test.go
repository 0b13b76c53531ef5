package analysis_test

import (
	"strings"
	"testing"

	"github.com/boussole/boussole/knowledge/analysis"
)

func TestQueryWordsEnglish(t *testing.T) {
	var a analysis.Analyzer
	tests := []struct {
		in      string
		want    string // words joined by spaces
		english bool
	}{
		// English function words that are French words, or close to one,
		// go; negations are "not"; "car" is "vehicle".
		{"I don't have a tax number", "not tax number", true},
		{"my landlord says their flat is an investment", "landlord flat investment", true},
		{"I sold my car", "sold vehicle", true},
		{"my titre de séjour expired, can I keep working?", "titre sejour expired keep working", true},
		{"My ARE benefits end", "are benefits end", true}, // an acronym still
		// French messages are analysed as by Words.
		{"je ne peux pas payer car je suis au chômage", "payer chomage", false},
		{"don de RTT à un collègue", "don rtt collegue", false},
		{"c'est quoi le pass navigo", "pass navigo", false},
		{"plus d'un an", "an", false},
		// No function word at all: nothing tells, Words.
		{"lost passport", "lost passport", false},
	}
	for _, tt := range tests {
		got, english := a.QueryWords(tt.in)
		if strings.Join(got, " ") != tt.want || english != tt.english {
			t.Errorf("QueryWords(%q) = %q, %v; want %q, %v", tt.in, strings.Join(got, " "), english, tt.want, tt.english)
		}
		if !english {
			if w := strings.Join(a.Words(tt.in), " "); w != strings.Join(got, " ") {
				t.Errorf("QueryWords(%q) = %q for a French message, Words %q", tt.in, strings.Join(got, " "), w)
			}
		}
	}
}

func TestEnglishWords(t *testing.T) {
	var a analysis.Analyzer
	tests := []struct{ in, want string }{
		{"book an appointment", "book appointment"},
		{"won't work", "not work"},
		{"car accident report", "vehicle accident report"},
		// A phrase with French function words is French.
		{"don de RTT", "don rtt"},
	}
	for _, tt := range tests {
		if got := strings.Join(a.EnglishWords(tt.in), " "); got != tt.want {
			t.Errorf("EnglishWords(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	// Analyzers with their own stop list do not tell languages apart.
	own := analysis.Analyzer{StopWords: map[string]bool{"an": false}}
	if got, english := own.QueryWords("book an appointment"); english || strings.Join(got, " ") != "book an appointment" {
		t.Errorf("own stop list: QueryWords = %q, %v", got, english)
	}
}

func TestIsEnglish(t *testing.T) {
	for in, want := range map[string]bool{
		"how do I renew my passport":           true,
		"comment renouveler mon passeport":     false,
		"the prefecture de police":             false, // a tie: French, as before
		"titre de séjour for my wife":          true,
		"attestation d'accueil":                false,
		"je veux faire une demande de RSA":     false,
		"is it possible to work on a dimanche": true,
	} {
		if got := analysis.IsEnglish(analysis.Tokens(in)); got != want {
			t.Errorf("IsEnglish(%q) = %v, want %v", in, got, want)
		}
	}
}
