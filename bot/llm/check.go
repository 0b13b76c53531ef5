package llm

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/boussole/boussole/knowledge/analysis"
)

// A grounded answer is written by the model from the items the search
// found, each numbered for the model to cite as [N]. Check reads it
// before anyone does: the model may only say what those items say. Every
// number, date, written-out number, link and organisation's name it
// writes must be found in the items it cites (names also in the other
// items, or in the person's question, which may name their town). What
// cannot be checked this way (a sentence that distorts a source in
// words) is the prompt's business; what Check cannot tell apart it
// rejects, and the engine then shows the items themselves, as it does
// without a model.

// MaxAnswerRunes is the longest answer Check accepts, in characters: a
// first answer in a chat, not a page.
const MaxAnswerRunes = 600

// Source is one item the model may cite: its number N, as written in
// the prompt ([N]), and the text of all its fields joined (title,
// summary, steps, documents, where, cost, delay, phone…).
type Source struct {
	N    int
	Text string
}

// CheckRule names the rule an answer broke, for logs and counts.
type CheckRule string

// The rules of Check.
const (
	RuleEmpty           CheckRule = "empty"
	RuleTooLong         CheckRule = "too_long"
	RuleMarkup          CheckRule = "markup"
	RuleNoCitation      CheckRule = "no_citation"
	RuleUnknownCitation CheckRule = "unknown_citation"
	RuleNumber          CheckRule = "number"
	RuleNumberWord      CheckRule = "number_word"
	RuleDate            CheckRule = "date"
	RuleLink            CheckRule = "link"
	RuleName            CheckRule = "name"
)

// Rejection is an answer Check refused. It wraps ErrRejected.
type Rejection struct {
	Rule CheckRule
	// Claim is the part of the answer at fault. It is model output: log
	// it at debug level only.
	Claim string
}

func (r *Rejection) Error() string {
	return fmt.Sprintf("%v: %s %q", ErrRejected, r.Rule, r.Claim)
}

// Unwrap makes errors.Is(err, ErrRejected) hold.
func (r *Rejection) Unwrap() error { return ErrRejected }

func reject(rule CheckRule, claim string) error { return &Rejection{Rule: rule, Claim: claim} }

// CheckWords are the words Check recognises, from the message catalogue
// (CheckWordsFrom): what a number or a date is written with, and which
// capitalised words are names, differs by language.
type CheckWords struct {
	// Months are month names, one list per language, each of 12 names in
	// calendar order: a month is checked by its number, so an English
	// answer's « March » is found in a sheet's « mars » or « 15/03 ». A
	// name written with a capital in the catalogue (« May ») is a month
	// only when written with one (not « you may »).
	Months [][]string
	// Days are the days of the week, one list of 7 per language, Monday
	// first, checked the same way.
	Days [][]string
	// Numbers maps written-out numbers, folded, to their value in digits
	// (« deux » → "2"), every language together: « two » in an answer is
	// found in a sheet's « deux » or « 2 ». A phrase with no value
	// (« pour cent ») is no number.
	Numbers map[string]string
	// Heads are the first words of organisations' names (« caisse »,
	// « agence », « pôle »), folded: at the start of a sentence, where
	// every word has a capital, they are checked all the same.
	Heads []string
	// Names are names and acronyms an answer may write without a source
	// (« France », « Québec », « PDF »), folded.
	Names []string
	// Orgs are organisations and offices written in any case (« la
	// caf », « Urssaf » first in a sentence, « la préfecture »), folded:
	// one the answer names must be in the cited items.
	Orgs []string
}

// The catalogue's keys of CheckWords, in each language's file: months
// and days as ordered lists, numbers as « word=digits » entries.
const (
	KeyCheckMonths  = "words_check_months"
	KeyCheckDays    = "words_check_days"
	KeyCheckNumbers = "words_check_numbers"
	KeyCheckHeads   = "words_check_heads"
	KeyCheckNames   = "words_check_names"
	KeyCheckOrgs    = "words_check_orgs"
)

// CheckWordsFrom reads CheckWords from the catalogue: list returns the
// words of a key in one language's own file (catalog.Catalog.Words). A
// language may lack a list (a regional file has only what differs); a
// list it has must be well formed, and months and numbers must be known
// in at least one language.
func CheckWordsFrom(langs []string, list func(lang, key string) []string) (CheckWords, error) {
	w := CheckWords{Numbers: map[string]string{}}
	ordered := func(lang, key string, n int) ([]string, error) {
		l := list(lang, key)
		if len(l) != 0 && len(l) != n {
			return nil, fmt.Errorf("catalogue %s: %s has %d names, want %d in order", lang, key, len(l), n)
		}
		return l, nil
	}
	for _, lang := range langs {
		months, err := ordered(lang, KeyCheckMonths, 12)
		if err != nil {
			return w, err
		}
		if months != nil {
			w.Months = append(w.Months, months)
		}
		days, err := ordered(lang, KeyCheckDays, 7)
		if err != nil {
			return w, err
		}
		if days != nil {
			w.Days = append(w.Days, days)
		}
		for _, e := range list(lang, KeyCheckNumbers) {
			word, value, ok := strings.Cut(e, "=")
			word, value = analysis.Fold(word), strings.TrimSpace(value)
			if !ok || word == "" || strings.Trim(value, "0123456789") != "" {
				return w, fmt.Errorf("catalogue %s: %s entry %q is not « word=digits »", lang, KeyCheckNumbers, e)
			}
			if v, seen := w.Numbers[word]; seen && v != value {
				return w, fmt.Errorf("catalogue %s: %s gives %q both %s and %s", lang, KeyCheckNumbers, word, v, value)
			}
			w.Numbers[word] = value
		}
		for _, h := range list(lang, KeyCheckHeads) {
			w.Heads = appendFolded(w.Heads, h)
		}
		for _, n := range list(lang, KeyCheckNames) {
			w.Names = appendFolded(w.Names, n)
		}
		for _, o := range list(lang, KeyCheckOrgs) {
			if f := strings.Join(strings.Fields(analysis.Fold(o)), " "); f != "" && !slices.Contains(w.Orgs, f) {
				w.Orgs = append(w.Orgs, f)
			}
		}
	}
	if len(w.Months) == 0 || len(w.Numbers) == 0 {
		return w, fmt.Errorf("catalogue: no %s or %s in any language", KeyCheckMonths, KeyCheckNumbers)
	}
	return w, nil
}

func appendFolded(out []string, s string) []string {
	for _, t := range strings.Fields(analysis.Fold(s)) {
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}

var (
	// [1], [2, 3], [1; 2].
	citationRe = regexp.MustCompile(`\[\s*(\d+(?:\s*[,;]\s*\d+)*)\s*\]`)
	citeNumRe  = regexp.MustCompile(`\d+`)

	// Markdown headings and tables, code blocks, HTML tags and entities:
	// the chat shows text.
	markupRes = []*regexp.Regexp{
		regexp.MustCompile(`(?m)^[ \t]*#{1,6}[ \t]`),
		regexp.MustCompile(`(?m)^[ \t]*\|.*\|[ \t]*$`),
		regexp.MustCompile(`(?m)^[ \t]*\|?[ \t]*:?-{3,}:?[ \t]*\|`),
		regexp.MustCompile("```"),
		regexp.MustCompile(`<(?:[A-Za-z][A-Za-z0-9-]*|/[A-Za-z][A-Za-z0-9-]*|!--)[^<>]*>`),
		regexp.MustCompile(`&(?:[A-Za-z]{2,8}|#\d{1,6});`),
	}

	urlRe   = regexp.MustCompile(`(?i)(?:https?://|www\.)[^\s<>()\[\]{}«»"“”]+`)
	emailRe = regexp.MustCompile(`[\p{L}\p{N}._%+\-]+@[\p{L}\p{N}\-]+(?:\.[\p{L}\p{N}\-]+)*\.\p{L}{2,}`)
	// A domain ends with a lower-case top-level domain: « caf.fr »,
	// « Service-Public.fr », not « M.Dupont ».
	domainRe = regexp.MustCompile(`(?:[\p{L}\p{N}](?:[\p{L}\p{N}\-]*[\p{L}\p{N}])?\.)+[a-z]{2,24}(?:/[^\s<>()\[\]{}«»"“”]*)?`)

	// A list's numbers (« 1. », « 2) ») and bullets are no claims.
	listMarkRe = regexp.MustCompile(`(?m)^[ \t]*(?:\d{1,2}[.)]|[-*•])[ \t]+`)
	// A date written with slashes: 15/03/2026, 15/03.
	slashDateRe = regexp.MustCompile(`\b(\d{1,2})/(\d{1,2})(?:/(\d{2,4}))?\b`)
	// A number: digits, and the spaces, dots, commas and dashes people
	// group them with (« 1 200 », « 01.23.45.67.89 », « 25,50 »).
	numberRe  = regexp.MustCompile(`\d+(?:[ \x{a0}\x{202f}.,\-]\d+)*`)
	numSepRe  = regexp.MustCompile(`[ \x{a0}\x{202f}.,\-]`)
	thousands = regexp.MustCompile(`^\d{1,3}(?:[ \x{a0}\x{202f}.]\d{3})+(?:[,.]\d{1,2})?$`)
	yearRe    = regexp.MustCompile(`^(?:19|20)\d\d$`)
	// A word: letters, with the marks some keyboards type apart; a name
	// may hold digits (« CM2 », « SD2B »), as in analysis.Fold's words.
	wordRe = regexp.MustCompile(`\p{L}[\p{L}\p{M}]*`)
	nameRe = regexp.MustCompile(`[\p{L}\p{N}][\p{L}\p{M}\p{N}]*`)
)

// Check returns nil when answer is a grounded answer to question from
// sources, or a *Rejection (wrapping ErrRejected) that says which rule it
// broke.
func Check(answer string, sources []Source, question string, words CheckWords) error {
	text := strings.TrimSpace(answer)
	switch {
	case text == "":
		return reject(RuleEmpty, "")
	case utf8.RuneCountInString(text) > MaxAnswerRunes:
		return reject(RuleTooLong, fmt.Sprint(utf8.RuneCountInString(text)))
	}
	for _, re := range markupRes {
		if m := re.FindString(text); m != "" {
			return reject(RuleMarkup, m)
		}
	}
	cited, text, err := citations(text, sources)
	if err != nil {
		return err
	}
	var cb, ab strings.Builder
	for _, s := range sources {
		ab.WriteString(s.Text)
		ab.WriteString("\n")
		if cited[s.N] {
			cb.WriteString(s.Text)
			cb.WriteString("\n")
		}
	}
	// Names come from the cited items (and the person's own words): an
	// organisation only an uncited item names is not what [1] says.
	c := newChecker(cb.String(), cb.String(), question, words)
	if text, err = c.links(text); err != nil {
		return err
	}
	text = listMarkRe.ReplaceAllString(text, "")
	for _, check := range []func(string) error{c.numbers, c.numberWords, c.calendar, c.names, c.orgs} {
		if err := check(text); err != nil {
			return err
		}
	}
	return nil
}

// citations reads the answer's [N]: at least one, each a source's. It
// returns the numbers cited and the text without its citations.
func citations(text string, sources []Source) (map[int]bool, string, error) {
	known := map[int]bool{}
	for _, s := range sources {
		known[s.N] = true
	}
	cited := map[int]bool{}
	for _, v := range Citations(text) {
		if !known[v] {
			return nil, "", reject(RuleUnknownCitation, "["+strconv.Itoa(v)+"]")
		}
		cited[v] = true
	}
	if len(cited) == 0 {
		return nil, "", reject(RuleNoCitation, "")
	}
	return cited, citationRe.ReplaceAllString(text, " "), nil
}

// Citations lists the numbers an answer cites ([1], [2, 3]), in order
// of first citation; a number too long to read is 0 (no source).
func Citations(text string) []int {
	var out []int
	for _, m := range citationRe.FindAllString(text, -1) {
		for _, d := range citeNumRe.FindAllString(m, -1) {
			n, _ := strconv.Atoi(d)
			if !slices.Contains(out, n) {
				out = append(out, n)
			}
		}
	}
	return out
}

// checker holds what the sources say, read once.
type checker struct {
	words CheckWords
	// cited is the cited sources' text in lower case, for links.
	cited string
	// nums are the numbers of the cited sources, without grouping or
	// leading zeros, with the values of their written-out numbers.
	nums map[string]bool
	// citedWords are the cited sources' folded words; months and days
	// are the month (1-12) and day (1-7) numbers they name.
	citedWords   map[string]bool
	months, days map[int]bool
	// named are the folded words and stems names may be found in: every
	// source's, the question's, and CheckWords.Names.
	named map[string]bool
	// monthNames and dayNames read CheckWords.Months and Days.
	monthNames, dayNames calendar
}

func newChecker(cited, all, question string, words CheckWords) *checker {
	c := &checker{
		words: words, cited: strings.ToLower(cited),
		nums: map[string]bool{}, citedWords: map[string]bool{},
		months: map[int]bool{}, days: map[int]bool{}, named: map[string]bool{},
	}
	for _, m := range slashDateRe.FindAllStringSubmatch(cited, -1) {
		if mo := atoi(m[2]); mo >= 1 && mo <= 12 {
			c.months[mo] = true
		}
	}
	for _, n := range numberRe.FindAllString(cited, -1) {
		c.nums[digits(n)] = true
		c.nums[national(digits(n))] = true
		if !mustBeWhole(n) {
			for _, p := range numSepRe.Split(n, -1) {
				c.nums[digits(p)] = true
			}
		}
	}
	for _, t := range numberTokens(analysis.Fold(cited), words.Numbers) {
		c.citedWords[t.word] = true
		if t.value != "" {
			c.nums[digits(t.value)] = true
		}
	}
	c.monthNames, c.dayNames = calendarNames(words.Months), calendarNames(words.Days)
	for _, w := range wordRe.FindAllString(cited, -1) {
		if k := c.monthNames.index(w); k > 0 {
			c.months[k] = true
		}
		if k := c.dayNames.index(w); k > 0 {
			c.days[k] = true
		}
	}
	for _, t := range strings.Fields(analysis.Fold(all + "\n" + question)) {
		c.named[t] = true
		c.named[analysis.Stem(t)] = true
	}
	for _, n := range words.Names {
		c.named[n] = true
	}
	return c
}

func atoi(s string) int {
	n := 0
	for _, r := range s {
		n = n*10 + int(r-'0')
	}
	return n
}

// digits keeps the digits of a number, without leading zeros: « 01 23 »
// and « 0123 », « 03 » and « 3 » are the same claim. A decimal part
// stays apart (« 13,76 » is 13.76, never « 1 376 »; « 5,00 » is 5, never
// « 500 »): a comma or a dot that the number has once, followed by one or
// two digits at its end.
func digits(n string) string {
	whole, dec := n, ""
	if i := strings.LastIndexAny(n, ",."); i >= 0 && strings.Count(n, n[i:i+1]) == 1 {
		if after := n[i+1:]; len(after) >= 1 && len(after) <= 2 && strings.Trim(after, "0123456789") == "" {
			whole, dec = n[:i], strings.TrimRight(after, "0")
		}
	}
	d := strings.TrimLeft(strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, whole), "0")
	if d == "" {
		d = "0"
	}
	if dec != "" {
		d += "." + dec
	}
	return d
}

// national is a phone number d without its country code, as written
// at home: +33 1 45… is 01 45…, +1 514… is 514…; other numbers are
// themselves.
func national(d string) string {
	switch {
	case len(d) == 11 && strings.HasPrefix(d, "33"):
		return d[2:]
	case len(d) == 11 && d[0] == '1':
		return d[1:]
	}
	return d
}

// mustBeWhole says whether a grouped number is one number: thousands
// (« 1 200 », « 12.500,50 »), a decimal (« 25,50 »), or seven digits and
// more (a phone number), unless those are years (« 2023-2024 »). Others
// may be numbers side by side (« 3919 24h/24 »), each checked alone.
func mustBeWhole(n string) bool {
	parts := numSepRe.Split(n, -1)
	if len(parts) == 1 || thousands.MatchString(n) || !strings.ContainsAny(n, " \u00a0\u202f-") {
		return true
	}
	if len(digits(strings.Join(parts, ""))) < 7 {
		return false
	}
	for _, p := range parts {
		if !yearRe.MatchString(p) {
			return true
		}
	}
	return false
}

// links checks the answer's URLs, e-mail addresses and domains against
// the cited sources, and returns the text without them.
func (c *checker) links(text string) (string, error) {
	for _, re := range []*regexp.Regexp{urlRe, emailRe, domainRe} {
		var err error
		text = re.ReplaceAllStringFunc(text, func(m string) string {
			if err != nil {
				return m
			}
			l := strings.TrimRight(m, ".,;:!?'’")
			key := strings.ToLower(l)
			for _, p := range []string{"https://", "http://", "www."} {
				key = strings.TrimPrefix(key, p)
			}
			key = strings.TrimSuffix(key, "/")
			if !containsBounded(c.cited, key) {
				err = reject(RuleLink, l)
			}
			return " " + m[len(l):]
		})
		if err != nil {
			return "", err
		}
	}
	return text, nil
}

// containsBounded says whether s holds sub not inside a longer name:
// « caf.fr » is not in « mycaf.fr », nor « /F123 » in « /F1234 ».
func containsBounded(s, sub string) bool {
	for i := 0; ; {
		j := strings.Index(s[i:], sub)
		if j < 0 {
			return false
		}
		at, end := i+j, i+j+len(sub)
		before, _ := utf8.DecodeLastRuneInString(s[:at])
		after, _ := utf8.DecodeRuneInString(s[end:])
		if at == 0 || !linkRune(before) {
			if end == len(s) || !linkRune(after) {
				return true
			}
		}
		i = at + 1
	}
}

func linkRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_'
}

// numbers checks every number of the answer.
func (c *checker) numbers(text string) error {
	var err error
	text = slashDateRe.ReplaceAllStringFunc(text, func(m string) string {
		p := slashDateRe.FindStringSubmatch(m)
		day, month, year := p[1], p[2], p[3]
		switch {
		case err != nil:
		case !c.nums[digits(day)],
			!c.nums[digits(month)] && !c.months[atoi(month)],
			year != "" && !c.nums[digits(year)]:
			err = reject(RuleDate, m)
		}
		return " "
	})
	if err != nil {
		return err
	}
	for _, n := range numberRe.FindAllString(text, -1) {
		if d := digits(n); c.nums[d] || c.nums[national(d)] {
			continue
		}
		if mustBeWhole(n) {
			return reject(RuleNumber, n)
		}
		for _, p := range numSepRe.Split(n, -1) {
			if !c.nums[digits(p)] {
				return reject(RuleNumber, n)
			}
		}
	}
	return nil
}

type numberToken struct{ word, value string }

// numberTokens reads folded text into words, with the value of the
// written-out numbers among them (phrases of CheckWords.Numbers first).
// Only number words have a value; a phrase without one has "".
func numberTokens(folded string, numbers map[string]string) []numberToken {
	f := strings.Fields(folded)
	var out []numberToken
	for i := 0; i < len(f); i++ {
		if i+1 < len(f) {
			if v, ok := numbers[f[i]+" "+f[i+1]]; ok {
				out = append(out, numberToken{f[i] + " " + f[i+1], v})
				i++
				continue
			}
		}
		out = append(out, numberToken{f[i], numbers[f[i]]})
	}
	return out
}

// numberWords checks the answer's written-out numbers: the same word in
// the cited sources, or its value.
func (c *checker) numberWords(text string) error {
	for _, t := range numberTokens(analysis.Fold(text), c.words.Numbers) {
		if t.value == "" || c.citedWords[t.word] || c.nums[digits(t.value)] {
			continue
		}
		return reject(RuleNumberWord, t.word)
	}
	return nil
}

// calendar maps a folded month or day name to its number (from 1), and
// to whether it is one only with a capital.
type calendar map[string]calendarName

type calendarName struct {
	n       int
	capital bool
}

func calendarNames(lists [][]string) calendar {
	c := calendar{}
	for _, l := range lists {
		for i, name := range l {
			f := analysis.Fold(name)
			if have, ok := c[f]; !ok || have.capital {
				c[f] = calendarName{i + 1, startsUpper(name)}
			}
		}
	}
	return c
}

// index is the number word names, or 0.
func (c calendar) index(word string) int {
	if e, ok := c[analysis.Fold(word)]; ok && (!e.capital || startsUpper(word)) {
		return e.n
	}
	return 0
}

func startsUpper(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsUpper(r)
}

// calendar checks the answer's month and day names.
func (c *checker) calendar(text string) error {
	for _, w := range wordRe.FindAllString(text, -1) {
		if k := c.monthNames.index(w); k > 0 && !c.months[k] {
			return reject(RuleDate, w)
		}
		if k := c.dayNames.index(w); k > 0 && !c.days[k] {
			return reject(RuleDate, w)
		}
	}
	return nil
}

// names checks the answer's acronyms (« CAF », « SAAQ ») and capitalised
// words. At a sentence's start a capital says nothing, so the first word
// is checked only when it is an organisation's head noun or the next
// word has a capital too (« France Travail »).
func (c *checker) names(text string) error {
	locs := nameRe.FindAllStringIndex(text, -1)
	for i, l := range locs {
		w := text[l[0]:l[1]]
		if utf8.RuneCountInString(w) < 2 || !startsUpper(w) {
			continue
		}
		f := analysis.Fold(w)
		// A capitalised « Vous » or « The » (after a citation, in a
		// title) is no name.
		if c.named[f] || c.named[analysis.Stem(f)] || !acronym(w) && analysis.IsStopWord(f) || c.words.Numbers[f] != "" ||
			c.monthNames.index(w) > 0 || c.dayNames.index(w) > 0 {
			continue
		}
		if !acronym(w) && sentenceStart(text, l[0]) && !slices.Contains(c.words.Heads, f) {
			next := i+1 < len(locs) && startsUpper(text[locs[i+1][0]:locs[i+1][1]]) &&
				strings.TrimSpace(text[l[1]:locs[i+1][0]]) == ""
			if !next {
				continue
			}
		}
		return reject(RuleName, w)
	}
	return nil
}

// acronym says whether w is all capitals (and digits: « CM2 »).
func acronym(w string) bool {
	for _, r := range w {
		if !unicode.IsUpper(r) && !unicode.IsDigit(r) {
			return false
		}
	}
	return true
}

// sentenceStart says whether the word at text[i:] starts a sentence, a
// line or a list item, past opening quotes and emphasis.
func sentenceStart(text string, i int) bool {
	for i > 0 {
		r, size := utf8.DecodeLastRuneInString(text[:i])
		switch {
		case unicode.IsSpace(r) && r != '\n', strings.ContainsRune("«\"“‘'(*_-–—•", r):
			i -= size
		default:
			return strings.ContainsRune(".!?:;…\n", r)
		}
	}
	return true
}

// orgs checks the organisations and offices the answer names in any case
// (CheckWords.Orgs): each must be named by the cited items, whatever the
// person wrote (« je suis à la MSA » does not make the MSA the answer).
func (c *checker) orgs(text string) error {
	folded := " " + strings.Join(strings.Fields(analysis.Fold(text)), " ") + " "
	cited := " " + strings.Join(strings.Fields(analysis.Fold(c.cited)), " ") + " "
	for _, o := range c.words.Orgs {
		if strings.Contains(folded, " "+o+" ") && !strings.Contains(cited, " "+o+" ") {
			return reject(RuleName, o)
		}
	}
	return nil
}
