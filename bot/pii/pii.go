// Package pii masks personal data in a citizen's words before they are
// kept for statistics or shown to staff who do not need them (the admin's
// gap report, a language model's prompt): phone numbers of France and
// North America, e-mail addresses, IBANs, French social-security (NIR)
// and tax numbers, Canadian social insurance numbers (NAS), payment
// cards, other long numbers, street addresses, and the name a person
// gives after « je m'appelle », « my name is »…
//
// It replaces each by a neutral placeholder ([tel], [email], [iban],
// [nir], [fiscal], [nas], [card], [number], [address], [name]) that pages
// translate. Ordinary numbers keep their meaning: years (« APL 2024 »,
// « 2023-2024 »), département numbers (« carte grise 75 »), postal codes
// (« 75011 »), towns, amounts, dates and short emergency numbers
// (« 3919 », « 115 ») are left alone. Masking is
// idempotent: masked text comes out unchanged, so text masked when it was
// stored can be masked again when it is shown.
//
// It depends on the standard library only, so any layer may use it.
package pii

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Placeholders that replace personal data. They hold no digit, no « @ »
// and no letter run a rule reads, which keeps Mask idempotent.
const (
	Phone  = "[tel]"
	Email  = "[email]"
	IBAN   = "[iban]"
	Number = "[number]"
	Name   = "[name]"
	// NIR is a French social-security number (numéro de sécurité
	// sociale).
	NIR = "[nir]"
	// NAS is a Canadian social insurance number (numéro d'assurance
	// sociale, SIN).
	NAS = "[nas]"
	// Fiscal is a French tax number (numéro fiscal, SPI).
	Fiscal = "[fiscal]"
	// Card is a payment card number.
	Card = "[card]"
	// Address is a street address: number and street, and a Canadian
	// postal code that follows one.
	Address = "[address]"
)

// Placeholders lists every placeholder Mask writes, for pages that
// translate them.
func Placeholders() []string {
	return []string{Phone, Email, IBAN, Number, Name, NIR, NAS, Fiscal, Card, Address}
}

// rule is one kind of personal data: a pattern, and a check of each match
// in its text (boundaries, what makes it ordinary) that says whether it is
// replaced.
type rule struct {
	re    *regexp.Regexp
	token string
	keep  func(text string, start, end int) bool
}

// sep is what may stand between groups of digits: one space (also a
// no-break one), dot or dash.
const sep = `[ .\-\x{a0}\x{202f}]`

var (
	emailRe = regexp.MustCompile(`[\p{L}\p{N}._%+\-]+@[\p{L}\p{N}\-]+(?:\.[\p{L}\p{N}\-]+)*\.\p{L}{2,}`)
	// Two letters, two check digits, then groups of four: FR76 3000 6000…
	ibanRe = regexp.MustCompile(`(?i)[a-z]{2}\d{2}(?:[ \-]?[a-z0-9]{4}){2,7}(?:[ \-]?[a-z0-9]{1,3})?`)
	// +33 6 12 34 56 78, 0033 (0)6…, 06 12 34 56 78, 06.12.34.56.78, and
	// the services' 0 800 123 456 and +33 (0)182 990 030.
	frPhoneRe = regexp.MustCompile(`(?:(?:\+|00)33` + sep + `?(?:\(0\)` + sep + `?)?|0)(?:[1-9](?:` + sep + `?\d{2}){4}|` + sep + `?[1-9]\d{2}(?:` + sep + `?\d{3}){2})`)
	// (514) 555-1234, 514 555 1234, +1 514-555-1234, 1 800 555 1234.
	naPhoneRe = regexp.MustCompile(`(?:(?:\+|00)?1` + sep + `?)?(?:\(\d{3}\)|\d{3})` + sep + `?\d{3}` + sep + `?\d{4}`)
	// Six digits or more, in groups.
	longRe   = regexp.MustCompile(`\d(?:` + sep + `?\d){5,}`)
	groupsRe = regexp.MustCompile(sep)
)

// rules apply in this order: an e-mail address or an IBAN holds digits a
// phone rule would take apart; identifiers of a known shape (tax and
// social-security numbers, cards) come before phone numbers, which could
// read a part of them; the last nine digits of a French phone number
// (« +33 (0)182 990 030 ») look like a NAS; a phone number is a long
// number too.
func rules() []rule {
	return []rule{
		{emailRe, Email, func(string, int, int) bool { return false }},
		{ibanRe, IBAN, keepIBAN},
		{fiscalRe, Fiscal, keepFiscal},
		{nirRe, NIR, keepNIR},
		{cardRe, Card, keepCard},
		{frPhoneRe, Phone, keepDigitsAround},
		{nasRe, NAS, keepNAS},
		{naPhoneRe, Phone, keepNAPhone},
		{longRe, Number, keepLong},
	}
}

// Mask returns text with personal data replaced by placeholders.
func Mask(text string) string {
	// A match a rule kept (an IBAN-like word followed by more digits) may
	// stand alone once a later rule has masked its neighbour: the rules
	// run again until nothing changes, so masked text is masked already.
	// Each pass that changes something removes digits, « @ » or a name,
	// so it ends; the bound is only a guard.
	rs := rules()
	for range 8 {
		before := text
		for _, r := range rs {
			text = r.apply(text)
		}
		text = maskAddresses(text)
		text = caPostalRule.apply(text)
		text = maskNames(text)
		if text == before {
			break
		}
	}
	return text
}

func (r rule) apply(text string) string {
	locs := r.re.FindAllStringIndex(text, -1)
	if locs == nil {
		return text
	}
	var b strings.Builder
	last := 0
	for _, l := range locs {
		if r.keep(text, l[0], l[1]) {
			continue
		}
		b.WriteString(text[last:l[0]])
		b.WriteString(r.token)
		last = l[1]
	}
	b.WriteString(text[last:])
	return b.String()
}

// runeBefore and runeAfter are the characters around a match (0 at the
// ends of the text).
func runeBefore(s string, i int) rune {
	if i <= 0 {
		return 0
	}
	r, _ := utf8.DecodeLastRuneInString(s[:i])
	return r
}

func runeAfter(s string, i int) rune {
	if i >= len(s) {
		return 0
	}
	r, _ := utf8.DecodeRuneInString(s[i:])
	return r
}

func isAlnum(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// keepDigitsAround keeps a match that is part of a longer run of digits:
// it is not this number (the long-number rule reads the whole run).
func keepDigitsAround(s string, start, end int) bool {
	b, a := runeBefore(s, start), runeAfter(s, end)
	return unicode.IsDigit(b) || b == '+' || unicode.IsDigit(a)
}

// keepIBAN keeps words that only look like the pattern: an IBAN stands
// alone and holds at least ten digits.
func keepIBAN(s string, start, end int) bool {
	if isAlnum(runeBefore(s, start)) || isAlnum(runeAfter(s, end)) {
		return true
	}
	digits := 0
	for _, r := range s[start:end] {
		if unicode.IsDigit(r) {
			digits++
		}
	}
	return digits < 10
}

// keepNAPhone keeps what cannot be a North-American number: area codes
// start with 2 to 9, after the country code 1 if it is there.
func keepNAPhone(s string, start, end int) bool {
	if keepDigitsAround(s, start, end) || unicode.IsLetter(runeBefore(s, start)) {
		return true
	}
	digits := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s[start:end])
	if len(digits) == 11 {
		digits = digits[1:]
	}
	return digits[0] < '2'
}

// keepLong keeps ordinary numbers among runs of six digits or more:
// years side by side (« 2023-2024 ») and a number followed by a short one
// (« 75011 2 enfants », « 1234.56 »). An identifier is one run of digits,
// or two groups of at least three, or three groups and more (card, NAS,
// social-security numbers as people type them).
func keepLong(s string, start, end int) bool {
	if keepDigitsAround(s, start, end) || unicode.IsLetter(runeBefore(s, start)) && unicode.IsLetter(runeAfter(s, end)) {
		return true
	}
	groups := groupsRe.Split(s[start:end], -1)
	years := true
	for _, g := range groups {
		if len(g) != 4 || !(strings.HasPrefix(g, "19") || strings.HasPrefix(g, "20")) {
			years = false
		}
	}
	if years {
		return true
	}
	if len(groups) == 2 {
		return len(groups[0]) < 3 || len(groups[1]) < 3
	}
	return false
}

// nameIntro are the words after which a person gives their name.
// « Nom : » and « Name: » at a line's start are how a form copied into
// a chat gives one (« changement de nom : consentement » is no name).
var nameIntro = regexp.MustCompile(`(?i)(?:(?:^|[^\p{L}])(?:je m['’] ?appelle|je me nomme|je me prénomme|je me prenomme|mon (?:nom|prénom|prenom|nom de famille) (?:est|c['’] ?est)|moi c['’] ?est|my name is|my name['’]s|my (?:first|last|full|family) name is|i['’]m called|i am called|call me)|(?m:^)[ \t]*(?:nom|prénom|prenom|nom de famille|nom et prénom|name|first name|last name|full name)[ \t]*:)[ \t]*:?[ \t]*`)

// nameWord is one word of a name: letters, with inner hyphens or
// apostrophes (Jean-Pierre, O'Neil).
var nameWord = regexp.MustCompile(`^[\p{L}][\p{L}'’\-]*`)

// titleWord is a civility before a name, skipped.
var titleWord = regexp.MustCompile(`(?i)^(?:m\.|mme|mlle|mr\.?|mrs\.?|ms\.?|monsieur|madame|mademoiselle)[ \t]+`)

// notName are words that follow an introduction but are no name
// (« moi c'est pour une carte grise », « je m'appelle Marie et je… »).
var notName = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`et ou mais donc or ni car je tu il elle on nous vous ils elles moi toi lui
		le la les un une des de du au aux a à pour par sur avec dans en sans chez vers
		est suis es sommes êtes sont ai as avons avez ont ne pas plus
		ce cet cette ces ça ca cela qui que quoi quel quelle comment pourquoi quand où combien
		mon ma mes ton ta tes son sa ses notre votre nos vos leur leurs
		bonjour bonsoir salut merci svp stp oui non madame monsieur
		and or but so the an for of to in on at by with from about
		i you he she it we they me him her us them my your his its our their
		is am are was were be been have has had do does did not no yes
		hello hi thanks please what how when where why who which that this
		nom name prénom prenom comme aussi encore toujours vraiment juste seulement mal bien faux mauvais pareil différent
		like also just really still wrong spelled misspelled different`) {
		m[w] = true
	}
	return m
}()

// maskNames replaces the one or two words after a name's introduction.
func maskNames(text string) string {
	var b strings.Builder
	rest := text
	for {
		loc := nameIntro.FindStringIndex(rest)
		if loc == nil {
			break
		}
		at := loc[1] // after the introduction and its spaces; > 0
		if tm := titleWord.FindStringIndex(rest[at:]); tm != nil {
			at += tm[1]
		}
		end := at
		if w := nameAt(rest, at); w > 0 {
			end += w
			// A second word, after spaces only (« Marie Dupont », not
			// « Marie, j'ai… »).
			sp := len(rest[end:]) - len(strings.TrimLeft(rest[end:], " \t"))
			if w2 := nameAt(rest, end+sp); sp > 0 && w2 > 0 {
				end += sp + w2
			}
		}
		b.WriteString(rest[:at])
		if end > at {
			b.WriteString(Name)
		}
		rest = rest[end:]
	}
	b.WriteString(rest)
	return b.String()
}

// nameAt is the length of the name word at s[i:], or 0 when there is
// none.
func nameAt(s string, i int) int {
	w := nameWord.FindString(s[i:])
	if w == "" || notName[strings.ToLower(w)] || elided(w) {
		return 0
	}
	return len(w)
}

// elided says whether w starts with an elided word (« j'ai », « c'est »,
// « qu'il »): no name does, but O'Neil or D'Amico do, so only the
// pronouns and conjunctions count.
func elided(w string) bool {
	i := strings.IndexAny(w, "'’")
	if i < 0 {
		return false
	}
	switch strings.ToLower(w[:i]) {
	case "j", "c", "qu", "l", "m", "n", "s", "t", "jusqu", "lorsqu", "puisqu":
		return true
	}
	return false
}
