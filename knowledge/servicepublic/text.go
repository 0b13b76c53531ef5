package servicepublic

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// collapse trims b and turns every run of white space (including the
// no-break spaces of French typography) into one plain space.
func collapse(b []byte) string {
	var out strings.Builder
	out.Grow(len(b))
	space := false
	for i := 0; i < len(b); {
		c := b[i]
		if c < utf8.RuneSelf {
			i++
			if c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\v' || c == '\f' {
				space = true
				continue
			}
			if space && out.Len() > 0 {
				out.WriteByte(' ')
			}
			space = false
			out.WriteByte(c)
			continue
		}
		r, n := utf8.DecodeRune(b[i:])
		if isSpace(r) {
			space = true
			i += n
			continue
		}
		if space && out.Len() > 0 {
			out.WriteByte(' ')
		}
		space = false
		out.Write(b[i : i+n])
		i += n
	}
	return out.String()
}

// isSpace is unicode.IsSpace for runes above ASCII, without the table
// lookup: accented letters are most of the non-ASCII text.
func isSpace(r rune) bool {
	switch r {
	case 0x85, 0xA0, 0x1680, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000:
		return true
	}
	return r >= 0x2000 && r <= 0x200A
}

func collapseString(s string) string { return collapse([]byte(s)) }

// cleanTitle removes the asterisks DILA's editors put in front of some
// titles ("**CNI - Perte majeur", recherche guidée sheets).
func cleanTitle(s string) string {
	return strings.TrimSpace(strings.TrimLeft(collapseString(s), "*"))
}

// maxSummary bounds a summary taken from the text of a sheet: a summary is
// one line in a chat answer.
const maxSummary = 300

// firstSentence returns the first sentence of s, bounded to maxSummary
// bytes.
func firstSentence(s string) string {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '.', '!', '?':
			// A sentence ends at the punctuation followed by a space
			// and not inside an abbreviation like "art. 4" (lower case
			// next).
			if i+2 < len(s) && s[i+1] == ' ' && !isLowerStart(s[i+2:]) && i >= 20 {
				return truncate(s[:i+1], maxSummary)
			}
		}
	}
	return truncate(s, maxSummary)
}

func isLowerStart(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsLower(r) || unicode.IsDigit(r)
}

// truncate cuts s to at most max bytes at a word boundary, adding "…" when
// it cut.
func truncate(s string, max int) string {
	if len(s) <= max {
		return s
	}
	cut := max - len("…")
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	if sp := strings.LastIndexByte(s[:cut], ' '); sp > cut/2 {
		cut = sp
	}
	return strings.TrimRight(s[:cut], " ,;:") + "…"
}

// cutBody cuts s to at most max bytes at a word boundary, without a mark:
// the body is only indexed.
func cutBody(s string, max int) string {
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	if sp := strings.LastIndexByte(s[:cut], ' '); sp > cut/2 {
		cut = sp
	}
	return strings.TrimRight(s[:cut], " ")
}
