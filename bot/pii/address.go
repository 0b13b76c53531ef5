package pii

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// A street address is masked from its number to the end of the street's
// name: « 12 rue de la République », « 3 bis avenue Jean Jaurès », « 5,
// impasse des Lilas », « 450 boul. René-Lévesque », « 12 Main Street ».
// What follows it stays: a French postal code and a town are how Boussole
// finds the nearest place, and say no more than « 75011 » alone. A
// Canadian postal code (« H2X 1Y4 ») names a few buildings: after an
// address it is masked too, alone it stays.

// streetNumber is a number that may start an address, with its « bis »
// and the comma people put after it.
var streetNumber = regexp.MustCompile(`(?i)\d{1,5}(?:[ \t]?(?:bis|ter|quater|[a-d]))?,?[ \t]+`)

// frStreetTypes are the words that, after a number, start a French or
// Québec street's name (with their abbreviations, folded to lower case,
// accents kept as typed and also without them).
var frStreetTypes = setOf(`rue avenue av av. boulevard boul boul. bd bd. blvd chemin ch. allée allee impasse imp. place pl.
	quai route rte cours lotissement lot. square passage résidence residence cité cite voie sentier rond-point
	esplanade promenade montée montee côte cote rang parvis hameau lieu-dit faubourg fg traverse venelle ruelle
	carré carre croissant terrasse`)

// ambiguousTypes are street types that are also everyday words after a
// count (« 2 cours de français », « 3 place(s) ») or a road number: they
// start an address only when the street's name has a capital, or when
// words before the number say it is where the person lives.
var ambiguousTypes = setOf(`place pl. cours route rte chemin ch. passage voie côte cote rang cité cite résidence residence
	square sentier hameau traverse promenade carré carre croissant terrasse lot. lotissement`)

// enStreetTypes end an English street's name: « 12 Main Street ».
var enStreetTypes = setOf(`street st st. avenue ave ave. road rd rd. boulevard blvd blvd. drive dr dr. lane ln ln. way
	court ct ct. crescent cres cres. place pl pl. terrace parkway highway hwy hwy.`)

// enAmbiguousTypes are also French or everyday words (« le délai
// court », « 2 days way too long »): they end a street's name only after
// a name with a capital.
var enAmbiguousTypes = setOf(`court ct ct. place pl pl. way lane drive dr dr. terrace crescent cres cres.`)

// directions may follow a street's name: « Sainte-Catherine Ouest ».
var directions = setOf(`est ouest nord sud east west north south e w n s o`)

// streetLinks are the small words inside a street's name.
var streetLinks = setOf(`de du des la le les l' d' aux au saint sainte st ste of the`)

// streetStops end a street's name: what a person says after it.
var streetStops = setOf(`et ou à a en dans pour par chez avec sans mais donc car puis depuis je tu il elle on nous vous
	ils elles svp stp merci qui que quoi est suis sont ai as a ont mon ma mes ton ta tes son sa ses
	cedex bp cs près vers
	and or in at for with but so i you he she we they is am are was my your his her our their please thanks near`)

// enNameStops cannot be a word of an English street's name.
var enNameStops = setOf(`the a an on in at of to my your his her our their for and or with from by is are was were
	i you he she we they it this that these those more than about days years months weeks hours minutes kids children
	times people`)

// addressCue, just before a street number, says an address follows.
var addressCue = regexp.MustCompile(`(?i)(?:habite|habites|habitons|habitez|habitent|adresse|address|domicile|domicili[ée]e?|r[ée]side|demeure|live|lives|living|located|(?:^|[^\p{L}])(?:au|at|chez))[ \t:,]*(?:au|at|le|:)?[ \t,]*$`)

// caPostalRe is a Canadian postal code (its letters exclude D, F, I, O,
// Q, U).
var caPostalRe = regexp.MustCompile(`(?i)[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z][ \x{a0}\-]?\d[ABCEGHJ-NPRSTV-Z]\d`)

// caPostalRule masks a Canadian postal code that follows an address in
// the same sentence.
var caPostalRule = rule{caPostalRe, Address, keepCAPostal}

// postalReach is how far after an address its postal code may come, in
// bytes: « [address], app. 4, Montréal (Québec) H2X 1Y4 ».
const postalReach = 80

// fsaRe is the first half of a Canadian postal code, which ends a
// street's name.
var fsaRe = regexp.MustCompile(`^[A-Za-z]\d[A-Za-z]$`)

func keepCAPostal(s string, start, end int) bool {
	if isAlnum(runeBefore(s, start)) || isAlnum(runeAfter(s, end)) {
		return true
	}
	before := s[max(0, start-postalReach):start]
	i := strings.LastIndex(before, Address)
	return i < 0 || strings.ContainsAny(before[i+len(Address):], ".!?\n")
}

func setOf(words string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(words) {
		m[w] = true
	}
	return m
}

// maskAddresses replaces each street address in text by Address.
func maskAddresses(text string) string {
	var b strings.Builder
	last := 0
	for _, m := range streetNumber.FindAllStringIndex(text, -1) {
		start, after := m[0], m[1]
		// Not a part of another number, a date or a range: « 12/05 »,
		// « 2023-2024 », « 1,5 ».
		if start < last || isAlnum(runeBefore(text, start)) || strings.ContainsRune("-/.,", runeBefore(text, start)) {
			continue
		}
		end := frenchStreet(text, start, after)
		if end < 0 {
			end = englishStreet(text, after)
		}
		if end < 0 {
			continue
		}
		b.WriteString(text[last:start])
		b.WriteString(Address)
		last = end
	}
	if last == 0 {
		return text
	}
	b.WriteString(text[last:])
	return b.String()
}

// word is one word of a street at s[i:], after spaces: letters or
// digits, with inner hyphens, apostrophes and a final abbreviation dot.
var streetWord = regexp.MustCompile(`^[ \t]*([\p{L}\p{N}](?:[\p{L}\p{N}'’\-]*[\p{L}\p{N}'’])?\.?)`)

// nextWord returns the word at s[i:] and the index after it, or "" at a
// punctuation mark, a line's end or the text's end.
func nextWord(s string, i int) (string, int) {
	m := streetWord.FindStringSubmatchIndex(s[i:])
	if m == nil {
		return "", i
	}
	return s[i+m[2] : i+m[3]], i + m[3]
}

// lowerWord is w in lower case with typographic apostrophes made plain,
// to look it up in the word sets.
func lowerWord(w string) string {
	return strings.ReplaceAll(strings.ToLower(w), "’", "'")
}

// trimDot drops a final dot that ends a sentence rather than an
// abbreviation.
func trimDot(w string) string { return strings.TrimSuffix(w, ".") }

func isDigits(w string) bool {
	for _, r := range w {
		if !unicode.IsDigit(r) {
			return false
		}
	}
	return w != ""
}

// frenchStreet reads a street type and its name after the number at
// s[start:after]; it returns the index after the name, or -1 when there
// is no French street there.
func frenchStreet(s string, start, after int) int {
	typ, i := nextWord(s, after)
	lt := lowerWord(typ)
	if !frStreetTypes[lt] {
		return -1 // « rue. »: the sentence ends, no name follows
	}
	end, names, capital := i, 0, false
	prevLink := false
	for names < 5 {
		w, j := nextWord(s, i)
		if w == "" {
			break
		}
		lw := lowerWord(w)
		bare := trimDot(lw)
		switch {
		case directions[bare] && (isUpper(w) || len(bare) > 3):
			// « Ouest », « Est » (not the verb « est »): the name's end.
			if strings.HasSuffix(w, ".") {
				j--
			}
			return finishFrench(s, start, j, names, capital, lt)
		case fsaRe.MatchString(w):
			return finishFrench(s, start, end, names, capital, lt)
		case isDigits(trimDot(w)):
			// « rue du 8 Mai », never a postal code.
			if !prevLink || len(trimDot(w)) > 4 {
				return finishFrench(s, start, end, names, capital, lt)
			}
		case streetStops[bare] || elided(w) && !linkElision(lw):
			return finishFrench(s, start, end, names, capital, lt)
		}
		i = j
		if streetLinks[bare] || linkElision(lw) && len(lw) == 2 {
			prevLink = true
			continue
		}
		prevLink = false
		names++
		if isUpper(w) || linkElision(lw) && isUpper(afterApostrophe(w)) {
			capital = true
		}
		end = j
		if strings.HasSuffix(w, ".") {
			end-- // the sentence ends with the name
			break
		}
	}
	return finishFrench(s, start, end, names, capital, lt)
}

// afterApostrophe is w after its first apostrophe: « Église » in
// « l’Église ».
func afterApostrophe(w string) string {
	if i := strings.IndexAny(w, "'’"); i >= 0 {
		_, size := utf8.DecodeRuneInString(w[i:])
		return w[i+size:]
	}
	return w
}

// linkElision says whether w starts with « l' » or « d' », as in « de
// l'Église », « rue d'Alsace ».
func linkElision(w string) bool {
	return strings.HasPrefix(w, "l'") || strings.HasPrefix(w, "d'")
}

func finishFrench(s string, start, end, names int, capital bool, typ string) int {
	if names == 0 {
		return -1
	}
	if ambiguousTypes[typ] && !capital && !addressCue.MatchString(s[max(0, start-cueWindow):start]) {
		return -1
	}
	return end
}

// englishStreet reads one to three words of a name then a street type
// after the number: « 12 Main Street », « 221B Baker St. West ».
func englishStreet(s string, after int) int {
	i, names, capital := after, 0, false
	for names <= 3 {
		w, j := nextWord(s, i)
		if w == "" || isDigits(trimDot(w)) {
			return -1
		}
		lw := trimDot(lowerWord(w))
		if names > 0 && (enStreetTypes[lowerWord(w)] || enStreetTypes[lw]) && (capital || !enAmbiguousTypes[lowerWord(w)]) {
			if d, k := nextWord(s, j); d != "" && directions[trimDot(lowerWord(d))] && (len(trimDot(d)) > 3 || isUpper(d)) {
				j = k
			}
			return j
		}
		if enNameStops[lw] || streetStops[lw] || strings.HasSuffix(w, ".") {
			return -1 // the sentence ends before any street type
		}
		names++
		capital = capital || isUpper(w)
		i = j
	}
	return -1
}
