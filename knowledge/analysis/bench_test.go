package analysis_test

import (
	"strings"
	"testing"

	"github.com/boussole/boussole/knowledge/analysis"
)

var benchText = strings.Repeat("Si la carte d'identité a été volée, il faut en faire la déclaration pour pouvoir en demander une nouvelle. Les documents à présenter dépendent de la situation. ", 20)

func BenchmarkFold(b *testing.B) {
	b.SetBytes(int64(len(benchText)))
	for b.Loop() {
		analysis.Fold(benchText)
	}
}

func BenchmarkTerms(b *testing.B) {
	var a analysis.Analyzer
	b.SetBytes(int64(len(benchText)))
	for b.Loop() {
		a.Terms(benchText)
	}
}

func BenchmarkNormalize(b *testing.B) {
	msg := strings.Repeat("Bonjour, j'ai perdu ma carte d'identité 😀 ! ", 40)
	b.SetBytes(int64(len(msg)))
	for b.Loop() {
		analysis.Normalize(msg)
	}
}
