package pii

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Identifiers of a known shape. Each reads digits grouped as people type
// them (sep between groups, or none); keep functions then look at what
// surrounds a match, and at the words just before it, to tell them apart
// (a 13-digit number is a tax number or a social-security number without
// its key).
var (
	// Numéro fiscal: 13 digits starting with 0 to 3, often « 30 12 345
	// 678 901 ».
	fiscalRe = regexp.MustCompile(`[0-3]\d` + sep + `?\d{2}` + sep + `?\d{3}` + sep + `?\d{3}` + sep + `?\d{3}`)
	// NIR: sex, year, month, département (2A and 2B in Corsica), commune,
	// order, and the optional 2-digit key: « 1 85 05 78 006 084 36 ».
	nirRe = regexp.MustCompile(`[1-478]` + sep + `?\d{2}` + sep + `?\d{2}` + sep + `?(?:\d{2}|2[abAB])` + sep + `?\d{3}` + sep + `?\d{3}(?:` + sep + `?\d{2})?`)
	// Card: 16 to 19 digits in groups of four, or American Express's
	// 4-6-5.
	cardRe = regexp.MustCompile(`\d{4}(?:` + sep + `?\d{4}){3}(?:` + sep + `?\d{1,3})?|\d{4}` + sep + `?\d{6}` + sep + `?\d{5}`)
	// NAS: nine digits, « 123 456 789 » or « 123-456-789 ».
	nasRe = regexp.MustCompile(`\d{3}` + sep + `?\d{3}` + sep + `?\d{3}`)

	// Words that, just before a number, say what it is.
	fiscalCue = regexp.MustCompile(`(?i)(?:fiscal|(?:^|[^\p{L}])spi(?:[^\p{L}]|$)|imp[oô]ts?|imposition|tax)`)
	nirCue    = regexp.MustCompile(`(?i)(?:s[ée]cu|(?:^|[^\p{L}])nir(?:[^\p{L}]|$)|sociale|ameli|vitale|insee)`)
	nasCue    = regexp.MustCompile(`(?i)(?:(?:^|[^\p{L}])(?:nas|sin)(?:[^\p{L}]|$)|assurance sociale|social insurance)`)
)

// cueWindow is how far before a number its cue words are looked for, in
// bytes: « mon numéro fiscal est le ».
const cueWindow = 40

// cued says whether re matches in the words just before s[start:].
func cued(re *regexp.Regexp, s string, start int) bool {
	return re.MatchString(s[max(0, start-cueWindow):start])
}

// alone says whether s[start:end] stands apart from other digits and
// letters: « FR1234… » or « 2A123… » are not its identifier, nor is
// « 806 000 225 » in « 0 806 000 225 » (a phone number).
func alone(s string, start, end int) bool {
	return !keepDigitsAround(s, start, end) && !isAlnum(runeBefore(s, start)) && !isAlnum(runeAfter(s, end)) &&
		!groupedDigit(s[:start], true) && !groupedDigit(s[end:], false)
}

// groupedDigit says whether s, next to a match, holds a separator then
// a digit: the match is one group of a longer number.
func groupedDigit(s string, before bool) bool {
	var sepr, d rune
	var size int
	if before {
		sepr, size = utf8.DecodeLastRuneInString(s)
		d, _ = utf8.DecodeLastRuneInString(s[:len(s)-size])
	} else {
		sepr, size = utf8.DecodeRuneInString(s)
		d, _ = utf8.DecodeRuneInString(s[size:])
	}
	return strings.ContainsRune(" .-  ", sepr) && unicode.IsDigit(d)
}

func digitsOf(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}

// groupLens are the lengths of the groups of digits in a match.
func groupLens(m string) []int {
	var out []int
	for _, g := range groupsRe.Split(m, -1) {
		out = append(out, len(g))
	}
	return out
}

func luhn(digits string) bool {
	sum := 0
	for i := range len(digits) {
		d := int(digits[len(digits)-1-i] - '0')
		if i%2 == 1 {
			if d *= 2; d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return len(digits) > 0 && sum%10 == 0
}

// keepFiscal keeps a 13-digit number that is rather a social-security
// number (which starts with 1 or 2 too): it is a tax number after tax
// words, when it starts with 0 or 3, or when it is grouped the way the
// tax forms print it (2-2-3-3-3).
func keepFiscal(s string, start, end int) bool {
	if !alone(s, start, end) {
		return true
	}
	m := s[start:end]
	switch {
	case cued(fiscalCue, s, start), m[0] == '0', m[0] == '3':
		return false
	case cued(nirCue, s, start):
		return true
	}
	l := groupLens(m)
	return !(len(l) == 5 && l[0] == 2 && l[1] == 2 && l[2] == 3)
}

// keepNIR keeps a number whose month cannot be a NIR's (01-12, or 20 and
// above for the registrations without a known month), unless it is said
// to be one; the long-number rule still masks it.
func keepNIR(s string, start, end int) bool {
	if !alone(s, start, end) {
		return true
	}
	d := digitsOf(s[start:end])
	month := d[3:5]
	if month == "00" || month >= "13" && month < "20" {
		return !cued(nirCue, s, start)
	}
	return false
}

// keepCard keeps years side by side (« 2021 2022 2023 2024 ») and an
// ungrouped run of digits that fails the cards' check digit (the
// long-number rule masks it).
func keepCard(s string, start, end int) bool {
	if !alone(s, start, end) {
		return true
	}
	m := s[start:end]
	years := true
	for _, g := range groupsRe.Split(m, -1) {
		if len(g) != 4 || !(strings.HasPrefix(g, "19") || strings.HasPrefix(g, "20")) {
			years = false
		}
	}
	if years {
		return true
	}
	return len(groupLens(m)) == 1 && !luhn(m)
}

// keepNAS keeps nine digits that are not said to be a NAS: grouped in
// threes they are one (a SIREN typed so is masked too, which is harmless),
// run together they need the NAS's check digit or a word before them.
func keepNAS(s string, start, end int) bool {
	if !alone(s, start, end) {
		return true
	}
	m := s[start:end]
	if len(groupLens(m)) == 3 {
		return false
	}
	return !luhn(digitsOf(m)) && !cued(nasCue, s, start)
}

// isUpper says whether w starts with a capital letter.
func isUpper(w string) bool {
	for _, r := range w {
		return unicode.IsUpper(r)
	}
	return false
}
