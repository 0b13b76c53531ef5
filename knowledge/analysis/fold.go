// Package analysis turns French (and English) text into comparable forms:
// case and accent folding, elision splitting, tokenisation. Both the search
// index and the conversation engine use it, so "d'identité", "D'IDENTITE"
// and "didentite" compare the way a citizen expects.
package analysis

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Fold lowercases s, removes diacritics, turns typographic apostrophes and
// punctuation into spaces, and collapses white space. Invalid UTF-8 bytes
// are dropped. The result contains only letters, digits and single spaces.
func Fold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := true // drop leading spaces
	for _, r := range norm.NFD.String(strings.ToValidUTF8(s, "")) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue // combining accent
		case r == 'œ' || r == 'Œ':
			b.WriteString("oe")
			space = false
		case r == 'æ' || r == 'Æ':
			b.WriteString("ae")
			space = false
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(unicode.ToLower(r))
			space = false
		default:
			if !space {
				b.WriteByte(' ')
				space = true
			}
		}
	}
	return strings.TrimRight(b.String(), " ")
}

// elisions are the French elided forms split off a word ("d'identité" →
// "identite"): the apostrophe has already become a space in Fold, so they
// show up as one-letter tokens, plus "qu" and "jusqu", "lorsqu", "puisqu".
var elisions = map[string]bool{"l": true, "d": true, "j": true, "m": true, "n": true, "s": true, "t": true, "c": true, "qu": true, "jusqu": true, "lorsqu": true, "puisqu": true}

// Tokens folds s and splits it into words, dropping elided articles and
// pronouns ("l'", "d'", "qu'").
func Tokens(s string) []string {
	f := Fold(s)
	if f == "" {
		return nil
	}
	words := strings.Fields(f)
	out := words[:0]
	for _, w := range words {
		if elisions[w] {
			continue
		}
		out = append(out, w)
	}
	return out
}

// Truncate cuts s to at most n bytes without splitting a UTF-8 sequence.
func Truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
