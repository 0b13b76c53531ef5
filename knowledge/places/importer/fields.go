package importer

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/boussole/boussole/knowledge/analysis"
)

// Text is a JSON value read as text: a string as is, a number or a
// boolean as written, an array as its items joined with « | », null or an
// object as "". Exports type the same field differently (« latitude »:
// 43.5 or "43.5"; « services »: "a;b" or ["a", "b"]), and a row whose
// field has an unexpected type should still be read, or reported by what
// is wrong with its value, not by a decoder message.
type Text string

// UnmarshalJSON implements json.Unmarshaler; it never fails on a valid
// JSON value.
func (t *Text) UnmarshalJSON(b []byte) error {
	if len(b) == 0 {
		return nil
	}
	switch b[0] {
	case '"':
		// Most values need no unescaping: take them as they are.
		if bytes.IndexByte(b, '\\') < 0 && utf8.Valid(b) {
			*t = Text(b[1 : len(b)-1])
			return nil
		}
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*t = Text(s)
	case '[':
		var items []Text
		if err := json.Unmarshal(b, &items); err != nil {
			return err
		}
		parts := make([]string, 0, len(items))
		for _, it := range items {
			if it != "" {
				parts = append(parts, string(it))
			}
		}
		*t = Text(strings.Join(parts, "|"))
	case 'n', '{':
		*t = ""
	default:
		*t = Text(b)
	}
	return nil
}

// String returns the text, trimmed, in UTF-8.
func (t Text) String() string { return Clean(string(t)) }

// Clean trims s and makes it UTF-8: a spreadsheet saved as Windows-1252
// (the usual French default) is decoded as such rather than garbled.
func Clean(s string) string {
	s = strings.TrimSpace(s)
	if utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + len(s)/4)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			r = cp1252(s[i])
		}
		b.WriteRune(r)
		i += size
	}
	return strings.TrimSpace(b.String())
}

// cp1252 decodes a byte of Windows-1252.
func cp1252(c byte) rune {
	if c < 0x80 || c >= 0xA0 {
		return rune(c)
	}
	const table = "€\uFFFD‚ƒ„…†‡ˆ‰Š‹Œ\uFFFDŽ\uFFFD\uFFFD‘’“”•–—˜™š›œ\uFFFDžŸ"
	return []rune(table)[c-0x80]
}

// List splits a multi-valued field: versions of the standard separate
// values with « ; » or « | ». Values are trimmed; empty ones dropped.
func List(s string) []string {
	var out []string
	for v := range strings.FieldsFuncSeq(s, func(r rune) bool { return r == ';' || r == '|' }) {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// First is the first value of a multi-valued field (a phone, an email, a
// website: a place gets one of each).
func First(s string) string {
	if l := List(s); len(l) > 0 {
		return l[0]
	}
	return ""
}

// Key is how labels are compared: case, accents, punctuation, spaces and
// elisions do not count, so « Soutenir la parentalité et l'éducation »,
// its typographic-apostrophe twin and the data·inclusion slug
// « soutenir-la-parentalite-et-leducation » have one key.
func Key(s string) string {
	return strings.ReplaceAll(analysis.Fold(s), " ", "")
}

// Codes returns the codes of set in the order of all (knowledge.Services
// or knowledge.Labels), once each: a place's lists do not depend on the
// order of the file's labels, so its content hash does not either.
func Codes(set map[string]bool, all []string) []string {
	var out []string
	for _, c := range all {
		if set[c] {
			out = append(out, c)
		}
	}
	return out
}

// Coords reads a latitude and a longitude. Both empty, or both zero (the
// placeholder some exports use), is no coordinates: ok false, reason "".
// Otherwise reason says what is wrong: a value missing or not a number,
// or a point outside France and its overseas territories. A decimal comma
// (« 43,52 », as French spreadsheets write it) is read as a point.
func Coords(lat, lon string) (la, lo float64, ok bool, reason string) {
	lat, lon = strings.TrimSpace(lat), strings.TrimSpace(lon)
	switch {
	case lat == "" && lon == "":
		return 0, 0, false, ""
	case lat == "":
		return 0, 0, false, "longitude without latitude"
	case lon == "":
		return 0, 0, false, "latitude without longitude"
	}
	la, err := number(lat)
	if err != nil {
		return 0, 0, false, fmt.Sprintf("latitude « %s » is not a number", clip(lat))
	}
	lo, err = number(lon)
	if err != nil {
		return 0, 0, false, fmt.Sprintf("longitude « %s » is not a number", clip(lon))
	}
	if la == 0 && lo == 0 {
		return 0, 0, false, ""
	}
	if !InFrance(la, lo) {
		reason = fmt.Sprintf("coordinates %s, %s are outside France and its overseas territories", lat, lon)
		if InFrance(lo, la) {
			reason += " (latitude and longitude swapped?)"
		}
		return 0, 0, false, reason
	}
	return la, lo, true, ""
}

func number(s string) (float64, error) {
	f, err := strconv.ParseFloat(strings.Replace(s, ",", ".", 1), 64)
	if err == nil && (math.IsNaN(f) || math.IsInf(f, 0)) {
		err = strconv.ErrSyntax
	}
	return f, err
}

func clip(s string) string {
	if len(s) <= 40 {
		return s
	}
	i := 40
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i] + "…"
}

// box is a latitude and longitude range.
type box struct{ s, n, w, e float64 }

// InFrance reports whether a point is in France or its overseas
// territories: in a box around metropolitan France and Corsica, or
// around an overseas territory people live in (the southern lands and
// Clipperton have no public counter), with a margin for the coast and
// small islands.
func InFrance(lat, lon float64) bool {
	france := [...]box{
		{41.2, 51.3, -5.5, 9.8},        // métropole, Corse
		{14.2, 18.2, -63.3, -60.7},     // Guadeloupe, Martinique, Saint-Martin, Saint-Barthélemy
		{1.9, 6.0, -54.8, -51.4},       // Guyane
		{-21.5, -20.8, 55.1, 56.0},     // La Réunion
		{-13.1, -12.5, 44.9, 45.4},     // Mayotte
		{46.7, 47.2, -56.6, -56.0},     // Saint-Pierre-et-Miquelon
		{-23.0, -19.0, 163.0, 169.0},   // Nouvelle-Calédonie
		{-28.0, -7.0, -155.0, -134.0},  // Polynésie française
		{-14.5, -13.0, -178.5, -176.0}, // Wallis-et-Futuna
	}
	for _, b := range france {
		if b.s <= lat && lat <= b.n && b.w <= lon && lon <= b.e {
			return true
		}
	}
	return false
}

// Date returns the YYYY-MM-DD day of an update date (a day, or a
// timestamp starting with one), "" when there is none: unreadable, or
// 1970-01-01, the zero date some producers write for « unknown ».
func Date(s string) string {
	s = strings.TrimSpace(s)
	if len(s) < 10 {
		return ""
	}
	d := s[:10]
	t, err := time.Parse(time.DateOnly, d)
	if err != nil || t.Year() <= 1970 {
		return ""
	}
	return d
}

// Join returns the distinct values of vs joined with « , », in order.
func Join(vs []string) string {
	var out []string
	for _, v := range vs {
		if v != "" && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return strings.Join(out, ", ")
}
