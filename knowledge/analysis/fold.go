// Package analysis turns French (and English) text into comparable forms:
// case and accent folding, elision splitting, tokenisation, stop words,
// stemming, typo distance, and the chat message normaliser. Both the search
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
//
// It gives the same result as decomposing the whole string (NFD) and
// dropping combining marks, but decomposes rune by rune with a fast path
// for ASCII: indexing thousands of sheets folds megabytes of text, and
// dropping the marks makes the canonical reordering of NFD irrelevant.
func Fold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := true // drop leading spaces
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			i++
			switch {
			case 'a' <= c && c <= 'z' || '0' <= c && c <= '9':
				b.WriteByte(c)
				space = false
			case 'A' <= c && c <= 'Z':
				b.WriteByte(c + 'a' - 'A')
				space = false
			case !space:
				b.WriteByte(' ')
				space = true
			}
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			i++ // invalid byte: dropped
			continue
		}
		if r >= hangulBase && r < hangulBase+hangulCount {
			for _, d := range decomposeHangul(r) {
				if d != 0 {
					space = foldRune(&b, d, space)
				}
			}
		} else if d := norm.NFD.PropertiesString(s[i : i+size]).Decomposition(); d != nil {
			for _, x := range string(d) {
				space = foldRune(&b, x, space)
			}
		} else {
			space = foldRune(&b, r, space)
		}
		i += size
	}
	return strings.TrimRight(b.String(), " ")
}

// foldRune writes one decomposed rune to b, returning whether b now ends
// with a space.
func foldRune(b *strings.Builder, r rune, space bool) bool {
	switch {
	case unicode.Is(unicode.Mn, r):
		return space // combining accent
	case r == 'œ' || r == 'Œ':
		b.WriteString("oe")
	case r == 'æ' || r == 'Æ':
		b.WriteString("ae")
	case unicode.IsLetter(r) || unicode.IsDigit(r):
		b.WriteRune(unicode.ToLower(r))
	default:
		if !space {
			b.WriteByte(' ')
		}
		return true
	}
	return false
}

// Hangul syllables decompose algorithmically (the norm tables do not list
// them): leading consonant, vowel, optional trailing consonant.
const (
	hangulBase  = 0xAC00
	hangulCount = 11172
	jamoL       = 0x1100
	jamoV       = 0x1161
	jamoT       = 0x11A7
	jamoVCount  = 21
	jamoTCount  = 28
)

func decomposeHangul(r rune) [3]rune {
	s := r - hangulBase
	l := jamoL + s/(jamoVCount*jamoTCount)
	v := jamoV + (s%(jamoVCount*jamoTCount))/jamoTCount
	var t rune
	if x := s % jamoTCount; x != 0 {
		t = jamoT + x
	}
	return [3]rune{l, v, t}
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
