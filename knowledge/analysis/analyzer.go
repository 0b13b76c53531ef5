package analysis

import (
	"strings"
	"unicode"
)

// Token is one meaningful word of a text after analysis.
type Token struct {
	// Word is the folded surface form ("identite"), for display and for
	// typo correction against the words of the index.
	Word string
	// Term is the comparable form, the stem ("identit").
	Term string
	// Pos counts the meaningful words before this one: stop words do not
	// take a position, so "aide au logement" and "aide logement" are both
	// adjacent pairs for phrase matching.
	Pos int
}

// Analyzer turns text into index terms: Fold, split elisions (Tokens),
// expand chat shorthands, drop stop words, stem. The index and the query
// must use the same Analyzer so that their terms compare.
//
// The zero value (and a nil *Analyzer) uses the built-in French tables; the
// fields replace them, which is the extension point for tuning and for
// other languages. An Analyzer is read-only after construction and safe for
// concurrent use.
type Analyzer struct {
	// StopWords replaces the built-in stop list when non-nil. Keys are
	// folded words.
	StopWords map[string]bool
	// Abbreviations replaces the built-in shorthand expansions ("alloc" →
	// "allocation") when non-nil. Keys are folded words; values are folded
	// words separated by spaces.
	Abbreviations map[string]string
	// NoStem keeps folded words as terms (Stem is not applied).
	NoStem bool
	// NoFold and NoElision turn off accent and case folding and elision
	// splitting, to measure what they bring (search's ablation): words
	// then keep their case and accents ("Identité" ≠ "identite"), and an
	// elided article stays glued to its word ("d'identité" is one word).
	NoFold    bool
	NoElision bool
}

// IsStop reports whether the folded word is a stop word for a.
func (a *Analyzer) IsStop(word string) bool {
	if a != nil && a.StopWords != nil {
		return a.StopWords[word]
	}
	return stopWords[word]
}

// Expand returns the expansion of a folded shorthand, or "" if word is not
// one.
func (a *Analyzer) Expand(word string) string {
	if a != nil && a.Abbreviations != nil {
		return a.Abbreviations[word]
	}
	return abbreviations[word]
}

// Term returns the index term of one folded word.
func (a *Analyzer) Term(word string) string {
	if a != nil && a.NoStem {
		return word
	}
	return Stem(word)
}

// Words returns the meaningful folded words of text in order: folded,
// elisions split, shorthands expanded, stop words removed. It does not stem,
// so an index builder can cache Term per distinct word.
func (a *Analyzer) Words(text string) []string {
	return a.appendWords(nil, text)
}

func (a *Analyzer) appendWords(out []string, text string) []string {
	for _, w := range a.tokens(text) {
		if exp := a.Expand(w); exp != "" {
			for _, x := range strings.Fields(exp) {
				if !a.IsStop(x) {
					out = append(out, x)
				}
			}
			continue
		}
		if !a.IsStop(w) {
			out = append(out, w)
		}
	}
	return out
}

// Analyze returns the tokens of text with their terms and positions.
func (a *Analyzer) Analyze(text string) []Token {
	words := a.Words(text)
	if len(words) == 0 {
		return nil
	}
	out := make([]Token, len(words))
	for i, w := range words {
		out[i] = Token{Word: w, Term: a.Term(w), Pos: i}
	}
	return out
}

// Terms returns the index terms of text: fold → tokens → stop words → stem.
func (a *Analyzer) Terms(text string) []string {
	words := a.Words(text)
	if len(words) == 0 {
		return nil
	}
	out := make([]string, len(words))
	for i, w := range words {
		out[i] = a.Term(w)
	}
	return out
}

// tokens is Tokens, or its ablated variants.
func (a *Analyzer) tokens(text string) []string {
	if a == nil || !a.NoFold && !a.NoElision {
		return Tokens(text)
	}
	if a.NoElision {
		text = strings.NewReplacer("'", "", "’", "", "`", "").Replace(text)
	}
	if !a.NoFold {
		return strings.Fields(Fold(text))
	}
	words := strings.FieldsFunc(text, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	if a.NoElision {
		return words
	}
	out := words[:0]
	for _, w := range words {
		if !elisions[strings.ToLower(w)] {
			out = append(out, w)
		}
	}
	return out
}
