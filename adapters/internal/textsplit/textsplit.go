// Package textsplit cuts long messages under a platform's length limit on
// paragraph, line or word boundaries, so that links stay whole. Adapters
// share it (Discord: 2,000 characters; Mattermost: its post limit).
package textsplit

import (
	"strings"
	"unicode/utf8"
)

// Split returns text in parts of at most limit characters (runes).
func Split(text string, limit int) []string {
	if limit <= 0 {
		return []string{strings.TrimSpace(text)}
	}
	text = strings.TrimSpace(text)
	var out []string
	for utf8.RuneCountInString(text) > limit {
		cut := cutPoint(text, limit)
		if part := strings.TrimRight(text[:cut], " \n"); part != "" {
			out = append(out, part)
		}
		text = strings.TrimLeft(text[cut:], " \n")
	}
	if text != "" {
		out = append(out, text)
	}
	return out
}

// cutPoint returns the byte index where to cut text so that the first part
// has at most limit characters.
func cutPoint(text string, limit int) int {
	end := len(text)
	n := 0
	for i := range text {
		if n == limit {
			end = i
			break
		}
		n++
	}
	head := text[:end]
	for _, sep := range []string{"\n\n", "\n", " "} {
		// Links contain no separator, so a cut at one keeps them whole.
		if i := strings.LastIndex(head, sep); i > 0 {
			return i + len(sep)
		}
	}
	// One word (a long link) longer than the limit: cut it.
	return end
}
