package gapgroup

import (
	"reflect"
	"testing"
)

func TestClusterPutsOneNeedTogether(t *testing.T) {
	texts := []string{
		"carte grise perdue",          // 0
		"APL",                         // 1
		"perdu ma carte grise",        // 2
		"j'ai perdu ma CARTE GRISE !", // 3
		"apl étudiant",                // 4
		"carte vitale",                // 5
		"???",                         // 6
		"[tel]",                       // 7
		"???",                         // 8
		"Carte grise perdue [tel]",    // 9
	}
	got := Cluster(texts)
	want := []Group{
		{Members: []int{0, 2, 3, 9}, Words: []string{"carte", "grise", "perdue"}},
		// Questions without a word (only signs, only a masked number).
		{Members: []int{6, 7, 8}, Words: nil},
		{Members: []int{1, 4}, Words: []string{"apl"}},
		{Members: []int{5}, Words: []string{"carte", "vitale"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Cluster:\n got %+v\nwant %+v", got, want)
	}
	// The same input gives the same groups.
	if again := Cluster(texts); !reflect.DeepEqual(again, got) {
		t.Fatalf("not deterministic: %+v then %+v", got, again)
	}
}

func TestSimilar(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{"carte grise perdue", "perdu ma carte grise", true},
		{"carte grise perdue", "APL", false},
		{"carte grise", "carte vitale", false},
		{"passeport volé", "on m'a volé mon passeport", true},
		{"", "", true},
	} {
		if got := Similar(tc.a, tc.b); got != tc.want {
			t.Errorf("Similar(%q, %q) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestWords(t *testing.T) {
	got := Words("Je m'appelle [name], j'ai PERDU ma carte d'identité, ma carte !")
	want := []string{"appelle", "perdu", "carte", "identite"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Words = %q, want %q", got, want)
	}
}
