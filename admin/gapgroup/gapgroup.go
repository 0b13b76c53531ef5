// Package gapgroup groups the questions the bot did not understand by
// similarity, so the gap report shows « carte grise perdue » and « perdu
// ma carte grise » as one need asked twice, not two lines. Words are
// folded (no accents, lower case), stop words dropped, stemmed (« perdu »
// and « perdue » meet) and compared with the Jaccard index. It is
// deterministic: the same questions in the same order give the same
// groups.
package gapgroup

import (
	"regexp"
	"slices"
	"strings"

	"github.com/boussole/boussole/knowledge/analysis"
)

// Threshold is the Jaccard index from which two questions are one need:
// half of their meaningful words in common.
const Threshold = 0.5

// Group is a set of similar questions.
type Group struct {
	// Members are the indexes of the questions in the input, in input
	// order; the first is the group's seed.
	Members []int
	// Words are the seed's meaningful words, folded, in order: what a
	// new sheet's keywords or a tree choice's keyword start from.
	Words []string
}

// placeholder matches the masks of bot/pii ([tel], [email]…): not words
// of the question.
var placeholder = regexp.MustCompile(`\[[^\]\s]{1,20}\]`)

// Words returns the meaningful words of a question: folded, without
// placeholders, stop words, elided articles or repeats.
func Words(text string) []string {
	var out []string
	for _, w := range analysis.Tokens(placeholder.ReplaceAllString(text, " ")) {
		if analysis.IsStopWord(w) || slices.Contains(out, w) {
			continue
		}
		out = append(out, w)
	}
	return out
}

// terms are the stems of a question's words, sorted and unique.
func terms(words []string) []string {
	out := make([]string, 0, len(words))
	for _, w := range words {
		out = append(out, analysis.Stem(w))
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// jaccard is |a ∩ b| / |a ∪ b| of two sorted sets.
func jaccard(a, b []string) float64 {
	if len(a) == 0 && len(b) == 0 {
		return 0
	}
	common, i, j := 0, 0, 0
	for i < len(a) && j < len(b) {
		switch strings.Compare(a[i], b[j]) {
		case 0:
			common++
			i++
			j++
		case -1:
			i++
		default:
			j++
		}
	}
	return float64(common) / float64(len(a)+len(b)-common)
}

// Similar reports whether two questions are the same need.
func Similar(a, b string) bool {
	ta, tb := terms(Words(a)), terms(Words(b))
	if len(ta) == 0 || len(tb) == 0 {
		return len(ta) == len(tb) && analysis.Fold(a) == analysis.Fold(b)
	}
	return jaccard(ta, tb) >= Threshold
}

// Cluster groups texts: each question joins the first group whose seed
// it is similar to, else starts a group. Questions without a meaningful
// word (« ??? », « [tel] ») group by their folded text. Groups come
// largest first, then in the order their seed appears.
func Cluster(texts []string) []Group {
	type seed struct {
		terms  []string
		folded string
	}
	var (
		groups []Group
		seeds  []seed
	)
	for i, t := range texts {
		words := Words(t)
		s := seed{terms: terms(words)}
		if len(s.terms) == 0 {
			s.folded = analysis.Fold(placeholder.ReplaceAllString(t, " "))
		}
		joined := false
		for g, sd := range seeds {
			same := false
			if len(s.terms) == 0 || len(sd.terms) == 0 {
				same = len(s.terms) == len(sd.terms) && s.folded == sd.folded
			} else {
				same = jaccard(s.terms, sd.terms) >= Threshold
			}
			if same {
				groups[g].Members = append(groups[g].Members, i)
				joined = true
				break
			}
		}
		if !joined {
			seeds = append(seeds, s)
			groups = append(groups, Group{Members: []int{i}, Words: words})
		}
	}
	slices.SortStableFunc(groups, func(a, b Group) int { return len(b.Members) - len(a.Members) })
	return groups
}
