package answer

import (
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/boussole/boussole/knowledge"
)

// Answers that fit a chat: the first message of an answer says what the
// item is, where to go and its official source, and fits a phone's
// screen; steps, documents, cost and the other links come on demand, one
// message each, chat-sized too.

// The size of a chat message, as Size counts it.
const (
	// MaxChars is the most a message of an answer shows.
	MaxChars = 600
	// MaxLinks is the most links a message of an answer holds: more
	// is a list to read on the official page, not a chat message.
	MaxLinks = 3
	// linkChars is what a link counts besides its label: chats show the
	// label only, a terminal prints the address after it. Counting the
	// address itself would punish the long official URLs nobody reads
	// (23 is what X, formerly Twitter, counts for any link).
	linkChars = 23
)

// Size is a message's length as a person reads it: characters (runes),
// a markdown link [label](url) counting as its label plus 23, a bare
// address as 23; and its number of links of either kind.
func Size(text string) (chars, links int) {
	count := func(s string) {
		for _, u := range bareURL.FindAllStringIndex(s, -1) {
			chars -= utf8.RuneCountInString(s[u[0]:u[1]]) - linkChars
			links++
		}
		chars += utf8.RuneCountInString(s)
	}
	at := 0
	for _, m := range mdLink.FindAllStringSubmatchIndex(text, -1) {
		count(text[at:m[0]])
		chars += utf8.RuneCountInString(text[m[2]:m[3]]) + linkChars
		links++
		at = m[1]
	}
	count(text[at:])
	return chars, links
}

// Fits reports whether text is chat-sized: at most MaxChars as Size
// counts them and MaxLinks links.
func Fits(text string) bool {
	n, l := Size(text)
	return n <= MaxChars && l <= MaxLinks
}

var (
	// mdLink is a link as link writes it: no "]" in the label, no
	// parenthesis or space in the address.
	mdLink  = regexp.MustCompile(`\[([^\]\n]*)\]\(([^()\s]+)\)`)
	bareURL = regexp.MustCompile(`https?://[^\s<>()\[\]]+`)
)

// link writes a markdown link, which Discord and Mattermost show as its
// label and the local chat as « label — url » (bot.PlainLinks).
func link(label, u string) string {
	label = strings.NewReplacer("[", "(", "]", ")", "\n", " ").Replace(label)
	u = strings.NewReplacer(" ", "%20", "(", "%28", ")", "%29").Replace(u)
	return "[" + label + "](" + u + ")"
}

// sourceLabel names an official source by its site (« service-public.fr »).
func sourceLabel(u string) string {
	p, err := url.Parse(u)
	if err != nil || p.Host == "" {
		return u
	}
	return strings.TrimPrefix(p.Host, "www.")
}

// shortCaps bound the parts of a first message; Short tries them in
// order until the message fits (an imported sheet's title, offices and
// summary can each run to hundreds of characters).
type shortCaps struct{ title, label, office, phone, summary int }

var capsLevels = []shortCaps{
	{title: 160, label: 70, office: 160, phone: 120, summary: 300},
	{title: 120, label: 50, office: 80, phone: 60, summary: 200},
	{title: 90, label: 40, office: 50, phone: 40, summary: 120},
	{title: 80, label: 30, office: 40, phone: 0, summary: 100},
	{title: 70, label: 30, office: 0, phone: 0, summary: 80},
}

// minSummary is the least of a summary worth showing: below it, the
// other parts are shortened first.
const minSummary = 60

// Short writes the first message of an answer: the title and a short
// summary, where to go on one line (the main online link, the office, the
// phone), and the official source with its review date. It fits
// MaxChars and MaxLinks; the rest is offered (Details).
func (w Writer) Short(it *knowledge.Item) string {
	var text string
	for _, c := range capsLevels {
		var ok bool
		if text, ok = w.short(it, c); ok {
			break
		}
	}
	return text
}

// short writes the first message within caps c, and whether it fits with
// a summary of at least minSummary characters (or the whole summary).
func (w Writer) short(it *knowledge.Item, c shortCaps) (string, bool) {
	var head []string
	if w.English() && it.TitleEN == "" && it.SummaryEN == "" {
		// No English text: say so rather than pass French off as an
		// answer in English.
		head = append(head, w.msg("item_in_french"))
	}
	title := clipWords(w.ItemTitle(it), c.title)
	head = append(head, title)
	var tail []string
	if where := w.whereLine(it, c); where != "" {
		tail = append(tail, where)
	}
	if src := w.Source(it); src != "" {
		tail = append(tail, src)
	}
	if it.Attribution != "" {
		tail = append(tail, w.msg("item_attribution", "who", it.Attribution))
	}
	rest, _ := Size(strings.Join(append(head, tail...), "\n"))
	room := min(c.summary, MaxChars-rest-1)
	summary := w.ItemSummary(it)
	if summary == "" || summary == w.ItemTitle(it) {
		// The importer puts the title where a sheet has no summary.
		text := strings.Join(append(head, tail...), "\n")
		return text, Fits(text)
	}
	if room < min(minSummary, utf8.RuneCountInString(summary)) {
		return strings.Join(append(append(head, clipSentences(summary, max(room, 1))), tail...), "\n"), false
	}
	short := clipSentences(summary, room)
	first := firstSentence(summary)
	whole := first != "" && utf8.RuneCountInString(first) <= capsLevels[0].summary
	if strings.HasSuffix(short, "…") && whole && utf8.RuneCountInString(first) <= MaxChars-rest-1 {
		// A whole first sentence beyond this level's cap reads better
		// than a cut inside it, when the message has room.
		short = first
	}
	text := strings.Join(append(append(head, short), tail...), "\n")
	// A summary cut inside its first sentence, when that sentence is not
	// too long to show, asks for shorter other parts first.
	return text, Fits(text) && !(strings.HasSuffix(short, "…") && whole)
}

// firstSentence is s's first sentence, "" when s is one sentence without
// a full stop.
func firstSentence(s string) string {
	for i, r := range s {
		if r == '.' || r == '!' || r == '?' || r == '…' {
			end := i + utf8.RuneLen(r)
			if end == len(s) || s[end] == ' ' {
				return s[:end]
			}
		}
	}
	return ""
}

// whereLine is where to go, on one line: the main online link, the
// office, the phone, each cut to its cap (0 leaves it out).
func (w Writer) whereLine(it *knowledge.Item, c shortCaps) string {
	var parts []string
	if len(it.Where.Online) > 0 {
		l := it.Where.Online[0]
		label := l.Label
		if label == "" || strings.EqualFold(label, it.Title) || strings.EqualFold(label, it.TitleEN) {
			// A form or an online service whose link repeats the title.
			label = w.msg("short_online_open")
		}
		parts = append(parts, w.msg("short_online", "link", link(clipWords(label, c.label), l.URL)))
	}
	if it.Where.Office != "" && c.office > 0 {
		parts = append(parts, w.msg("short_office", "office", clipList(it.Where.Office, c.office, "; ")))
	}
	if it.Where.Phone != "" && c.phone > 0 {
		parts = append(parts, w.msg("short_phone", "phone", clipList(it.Where.Phone, c.phone, " ; ", "; ", ", ")))
	}
	return strings.Join(parts, " · ")
}

// Detail is a part of an answer shown on demand.
type Detail string

// The parts of an answer shown on demand, in the order they are offered.
const (
	DetailSteps     Detail = "steps"
	DetailDocuments Detail = "documents"
	DetailCost      Detail = "cost" // the cost and the delay
	DetailLinks     Detail = "links"
)

// Details lists the parts an item has beyond its first message, in the
// order they are offered: only those it has.
func Details(it *knowledge.Item) []Detail {
	var out []Detail
	if len(it.Steps) > 0 {
		out = append(out, DetailSteps)
	}
	if len(it.Documents) > 0 {
		out = append(out, DetailDocuments)
	}
	if it.Cost != "" || it.Delay != "" {
		out = append(out, DetailCost)
	}
	if len(it.Where.Online) > 1 || len(it.Sources) > 1 {
		out = append(out, DetailLinks)
	}
	return out
}

// Source is the line of it's official source and its date, which says
// what it is (as in Item): an admin's check of a hand-written item, or
// the publisher's update of a sheet; a sheet older than the configured
// age says so on a second line. "" when it has no source.
func (w Writer) Source(it *knowledge.Item) string {
	if len(it.Sources) == 0 {
		return ""
	}
	date, key := "", "short_source"
	if !it.Reviewed.IsZero() {
		date = it.Reviewed.Format(w.msg("date_layout"))
	}
	if it.Origin != "" {
		key = "short_source_updated"
	}
	line := w.msg(key, "link", link(sourceLabel(it.Sources[0]), it.Sources[0]), "date", date)
	if it.StaleMonths > 0 {
		line += "\n" + w.msg("item_stale", "months", strconv.Itoa(it.StaleMonths))
	}
	return line
}

// Messages writes the whole of it as messages that each fit a chat: the
// first message, then every part, page after page. A mediator sends a
// sheet this way: the person in a case talks to the mediator, not to the
// bot's buttons, so the parts cannot wait to be asked for.
func (w Writer) Messages(it *knowledge.Item) []string {
	out := []string{w.Short(it)}
	for _, d := range Details(it) {
		for from := 0; ; {
			text, next := w.Detail(it, d, from)
			out = append(out, text)
			if next == 0 {
				break
			}
			from = next
		}
	}
	return out
}

// DetailLabel is the button that shows part d of it.
func (w Writer) DetailLabel(it *knowledge.Item, d Detail) string {
	if d == DetailCost && it.Cost == "" {
		return w.msg("btn_detail_delay")
	}
	return w.msg("btn_detail_" + string(d))
}

// NextLabel is the button that shows the rest of a part cut in pages.
func (w Writer) NextLabel() string { return w.msg("btn_detail_next") }

// headingTitle bounds the title repeated in a part's heading.
const headingTitle = 80

// maxEntry bounds one step, document, cost or delay: a longer one is cut
// at a sentence.
const maxEntry = 300

// Detail writes part d of it, from its entry from (steps and documents
// come in pages that fit a message), and returns where the next page
// starts, 0 when this is the last.
func (w Writer) Detail(it *knowledge.Item, d Detail, from int) (text string, next int) {
	title := clipWords(w.ItemTitle(it), headingTitle)
	switch d {
	case DetailSteps:
		key := "detail_steps"
		if w.English() && len(it.StepsEN) == 0 {
			key = "detail_steps_in_french"
		}
		steps := w.ItemSteps(it)
		return w.page(w.msg(key, "title", title), steps, from, func(i int, s string) string { return strconv.Itoa(i+1) + ". " + s })
	case DetailDocuments:
		return w.page(w.msg("detail_documents", "title", title), it.Documents, from, func(_ int, s string) string { return "• " + s })
	case DetailCost:
		lines := []string{w.msg("detail_cost", "title", title)}
		if it.Cost != "" {
			lines = append(lines, w.msg("item_cost", "cost", clipSentences(it.Cost, maxEntry)))
		}
		if it.Delay != "" {
			lines = append(lines, w.msg("item_delay", "delay", clipSentences(it.Delay, maxEntry)))
		}
		return strings.Join(lines, "\n"), 0
	case DetailLinks:
		return w.links(it, title), 0
	}
	return "", 0
}

// page writes a heading and the entries from from on that fit a message,
// saying how many are left for the next page.
func (w Writer) page(heading string, entries []string, from int, line func(i int, s string) string) (string, int) {
	from = min(max(from, 0), len(entries))
	lines := []string{heading}
	i := from
	for ; i < len(entries); i++ {
		l := line(i, clipSentences(entries[i], maxEntry))
		with := strings.Join(lines, "\n") + "\n" + l
		if i < len(entries)-1 {
			// Room for the line saying what is left.
			with += "\n" + w.msg("detail_rest", "n", strconv.Itoa(len(entries)-i-1))
		}
		if i > from && !Fits(with) {
			break
		}
		lines = append(lines, l)
	}
	if i < len(entries) {
		return strings.Join(append(lines, w.msg("detail_rest", "n", strconv.Itoa(len(entries)-i))), "\n"), i
	}
	return strings.Join(lines, "\n"), 0
}

// links writes the online links after the main one and the other
// sources; beyond MaxLinks, the first ones and the official page, which
// lists them all.
func (w Writer) links(it *knowledge.Item, title string) string {
	var all []string
	for _, l := range it.Where.Online[min(1, len(it.Where.Online)):] {
		all = append(all, "• "+link(clipWords(l.Label, headingTitle), l.URL))
	}
	for _, s := range it.Sources[min(1, len(it.Sources)):] {
		all = append(all, w.msg("detail_other_source", "link", link(sourceLabel(s), s)))
	}
	lines := []string{w.msg("detail_links", "title", title)}
	if len(all) <= MaxLinks {
		return strings.Join(append(lines, all...), "\n")
	}
	shown := MaxLinks - 1
	lines = append(lines, all[:shown]...)
	if len(it.Sources) > 0 {
		lines = append(lines, w.msg("detail_links_rest", "n", strconv.Itoa(len(all)-shown), "link", link(sourceLabel(it.Sources[0]), it.Sources[0])))
	}
	return strings.Join(lines, "\n")
}

// clipSentences cuts s to at most n characters at the end of a sentence,
// else at a word with « … »: never in the middle of a word.
func clipSentences(s string, n int) string {
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	cut, count := -1, 0
	for i, r := range s {
		if count >= n {
			break
		}
		count++
		if r == '.' || r == '!' || r == '?' || r == '…' {
			end := i + utf8.RuneLen(r)
			if end == len(s) || s[end] == ' ' {
				cut = end
			}
		}
	}
	// A first sentence too short to say anything is not an answer.
	if cut > 0 && utf8.RuneCountInString(s[:cut]) >= min(n/3, 40) {
		return s[:cut]
	}
	return clipWords(s, n)
}

// clipWords cuts s to at most n characters at a space, ending with « … ».
func clipWords(s string, n int) string {
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	if n <= 1 {
		return "…"
	}
	// The byte index of the n-1th rune: room for the ellipsis.
	end := len(s)
	count := 0
	for i := range s {
		if count == n-1 {
			end = i
			break
		}
		count++
	}
	head := s[:end]
	if end < len(s) && s[end] != ' ' {
		// Inside a word: back to the space before it.
		if sp := strings.LastIndexByte(head, ' '); sp > 0 {
			head = head[:sp]
		}
	}
	head = strings.TrimRightFunc(head, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsPunct(r) && r != ')' && r != '»' })
	return head + "…"
}

// clipList cuts a list (offices joined by « ; », phone numbers by « ; »
// or « , ») to at most n characters after one of its entries, else at a
// word: a phone number is never cut in two when a whole one fits. The
// first of seps that s holds separates the entries.
func clipList(s string, n int, seps ...string) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	sep := seps[len(seps)-1]
	for _, x := range seps {
		if strings.Contains(s, x) {
			sep = x
			break
		}
	}
	parts := strings.Split(s, sep)
	kept := parts[0]
	for _, p := range parts[1:] {
		if utf8.RuneCountInString(kept+sep+p+"…") > n {
			break
		}
		kept += sep + p
	}
	if utf8.RuneCountInString(kept) >= n {
		return clipWords(kept, n)
	}
	return strings.TrimRight(kept, " ,;") + "…"
}
