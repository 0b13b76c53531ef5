package analysis

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// MaxMessageBytes bounds what Normalize keeps of a chat message: longer
// messages are cut, so one pasted document cannot make every later step
// (search, logs, relays) slow or huge.
const MaxMessageBytes = 2000

const (
	zwnj = '\u200c' // zero-width non-joiner
	zwj  = '\u200d' // zero-width joiner
)

// Normalize prepares an incoming chat message for processing and safe
// display. Unlike Fold it keeps case, accents, punctuation and emoji: it
// only
//   - keeps the first MaxMessageBytes bytes, cut on a rune boundary;
//   - drops invalid UTF-8;
//   - drops control characters and invisible format characters: zero-width
//     spaces, byte-order marks, soft hyphens, bidirectional overrides (which
//     can disguise text shown to a mediator) and tag characters (which can
//     smuggle invisible text to a language model);
//   - keeps a zero-width (non-)joiner only between two visible characters,
//     where it builds an emoji sequence ("👨‍👩‍👧") or shapes a script;
//   - collapses each run of white space into one space, or into one line
//     break if the run held one, so a multi-line message keeps its lines;
//   - trims, and composes to NFC so "é" typed as e + accent is one rune.
//
// A message made only of white space or invisible characters becomes "".
// Normalize is idempotent.
func Normalize(msg string) string {
	msg = Truncate(msg, MaxMessageBytes)
	var b strings.Builder
	b.Grow(len(msg))
	var (
		pendingSpace   bool // a white-space run is waiting to be written
		pendingNewline bool // and it held a line break
		last           rune // last rune written, 0 at the start
	)
	for i := 0; i < len(msg); {
		r, size := utf8.DecodeRuneInString(msg[i:])
		i += size
		switch {
		case r == utf8.RuneError && size <= 1:
			continue // invalid byte
		case r == '\n' || r == '\r' || r == '\u2028' || r == '\u2029' || r == '\u0085' || r == '\v' || r == '\f':
			pendingSpace, pendingNewline = true, true
			continue
		case unicode.IsSpace(r):
			pendingSpace = true
			continue
		case r == zwj || r == zwnj:
			next, _ := utf8.DecodeRuneInString(msg[i:])
			if pendingSpace || last == 0 || !visible(last) || !visible(next) {
				continue
			}
		case unicode.IsControl(r) || unicode.Is(unicode.Cf, r):
			continue
		}
		if pendingSpace && last != 0 {
			if pendingNewline {
				b.WriteByte('\n')
			} else {
				b.WriteByte(' ')
			}
		}
		pendingSpace, pendingNewline = false, false
		b.WriteRune(r)
		last = r
	}
	out := norm.NFC.String(b.String())
	if len(out) > MaxMessageBytes {
		// Rare: NFC can lengthen a few scripts' characters.
		out = trimTail(Truncate(out, MaxMessageBytes))
	}
	return out
}

// visible reports whether r prints something: a joiner must sit between two
// such runes to be kept.
func visible(r rune) bool {
	return r != utf8.RuneError && unicode.IsGraphic(r) && !unicode.IsSpace(r)
}

// trimTail removes trailing white space and joiners left by a cut.
func trimTail(s string) string {
	for s != "" {
		r, size := utf8.DecodeLastRuneInString(s)
		if !unicode.IsSpace(r) && r != zwj && r != zwnj {
			break
		}
		s = s[:len(s)-size]
	}
	return s
}
