package analysis

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
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
	// NoAcronyms drops stop words even when typed in capitals ("ARE").
	NoAcronyms bool
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
	return a.appendWords(nil, a.tokens(text), text, false)
}

// QueryWords is Words for a message, which may be English (IsEnglish):
// then English function words that are French words or close to one
// ("an", "but", "sure") are stop words too, negations ("don't", "won't")
// are "not", and "car", a French stop word, is "vehicle". A French message gets Words.
// Analyzers with their own stop list do not tell languages apart.
func (a *Analyzer) QueryWords(text string) (words []string, english bool) {
	tokens := a.tokens(text)
	english = a.builtinStops() && IsEnglish(tokens)
	return a.appendWords(nil, tokens, text, english), english
}

// EnglishWords is Words for a phrase of an English message, as
// QueryWords analyses a message that IsEnglish, so that an English phrase
// of the lexicon ("book an appointment") and a question
// containing it compare. A phrase with French function words ("don de
// RTT") is French: it is given Words, as are all phrases by analyzers with
// their own stop list.
func (a *Analyzer) EnglishWords(text string) []string {
	tokens := a.tokens(text)
	return a.appendWords(nil, tokens, text, a.builtinStops() && !hasFrench(tokens))
}

func (a *Analyzer) builtinStops() bool { return a == nil || a.StopWords == nil }

func (a *Analyzer) appendWords(out, tokens []string, text string, english bool) []string {
	var acronyms capitals
	if a == nil || !a.NoAcronyms {
		acronyms = capitalWords(text)
	}
	stop := a.IsStop
	if english {
		stop = func(w string) bool { return englishStop[w] || a.IsStop(w) }
	}
	for _, w := range tokens {
		if english && englishNegations[w] {
			out = append(out, "not")
			continue
		}
		if noun := englishNouns[w]; english && noun != "" {
			out = append(out, noun)
			continue
		}
		if exp := a.Expand(w); exp != "" {
			for _, x := range strings.Fields(exp) {
				if !stop(x) {
					out = append(out, x)
				}
			}
			continue
		}
		if !stop(w) || acronyms.keeps(w) {
			out = append(out, w)
		}
	}
	return out
}

// capitals lists the words of a text typed in capitals (two to five ASCII
// letters: "ARE", "AT", "CE", "CSE"), folded. Such a word is an acronym,
// never a stop word: "démission ARE" asks about the unemployment benefit,
// not "are". In a message typed entirely in capitals ("C'EST QUOI L'ARE")
// capitals say nothing, so only English stop words, which a French message
// does not otherwise contain, are then taken as acronyms — unless the
// message is that one word ("CET ?", "CE"): nobody shouts a lone "cet".
type capitals struct {
	words   []string
	shouted bool
}

func (c capitals) keeps(w string) bool {
	if len(c.words) == 0 || !slices.Contains(c.words, w) {
		return false
	}
	return !c.shouted || englishStopWords[w]
}

// capitalWords finds the capital words of text. It allocates only when text
// has two consecutive capital letters.
func capitalWords(text string) capitals {
	var c capitals
	pair := false
	for i := 1; i < len(text) && !pair; i++ {
		pair = isCapital(text[i-1]) && isCapital(text[i])
	}
	if !pair {
		return c
	}
	lower := false
	words := 0
	start, capital := -1, true // start of the current word, all capitals so far
	for i, r := range text + " " {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if start < 0 {
				start, capital = i, true
				words++
			}
			capital = capital && r < utf8.RuneSelf && isCapital(byte(r))
			lower = lower || unicode.IsLower(r)
			continue
		}
		if start >= 0 && capital && i-start >= 2 && i-start <= 5 {
			c.words = append(c.words, strings.ToLower(text[start:i]))
		}
		start = -1
	}
	c.shouted = !lower && words > 1
	return c
}

func isCapital(b byte) bool { return 'A' <= b && b <= 'Z' }

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
