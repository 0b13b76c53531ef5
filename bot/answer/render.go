package answer

import (
	"strconv"
	"strings"

	"github.com/boussole/boussole/bot/catalog"
	"github.com/boussole/boussole/knowledge"
)

// Writer writes knowledge for one person, in their language, with the
// catalogue's words. The knowledge is written in French and may carry
// English text (title_en, summary_en, steps_en, ask_en, label_en): a
// person writing in English gets it where it exists, the French
// otherwise.
type Writer struct {
	cat  *catalog.Catalog
	lang string
}

// NewWriter returns a writer for lang.
func NewWriter(cat *catalog.Catalog, lang string) Writer { return Writer{cat: cat, lang: lang} }

func (w Writer) msg(key string, kv ...string) string { return w.cat.T(w.lang, key, kv...) }

// English reports whether the person reads English.
func (w Writer) English() bool { return strings.HasPrefix(w.lang, "en") }

// inEnglish returns en when the person reads English and en is written.
func (w Writer) inEnglish(fr, en string) string {
	if w.English() && en != "" {
		return en
	}
	return fr
}

// ItemTitle is an item's title in the person's language.
func (w Writer) ItemTitle(it *knowledge.Item) string { return w.inEnglish(it.Title, it.TitleEN) }

// ItemSummary is an item's summary in the person's language.
func (w Writer) ItemSummary(it *knowledge.Item) string { return w.inEnglish(it.Summary, it.SummaryEN) }

// ItemSteps are an item's steps in the person's language.
func (w Writer) ItemSteps(it *knowledge.Item) []string {
	if w.English() && len(it.StepsEN) > 0 {
		return it.StepsEN
	}
	return it.Steps
}

// TreeTitle is a tree's title in the person's language.
func (w Writer) TreeTitle(tr *knowledge.Tree) string { return w.inEnglish(tr.Title, tr.TitleEN) }

// NodeAsk is a tree node's question in the person's language.
func (w Writer) NodeAsk(n *knowledge.Node) string { return w.inEnglish(n.Ask, n.AskEN) }

// ChoiceLabel is a choice's label in the person's language.
func (w Writer) ChoiceLabel(c knowledge.Choice) string { return w.inEnglish(c.Label, c.LabelEN) }

// Item writes a whole knowledge item: what it is, where to go, the steps,
// documents, cost and delay, and its official sources with their review
// date.
func (w Writer) Item(it *knowledge.Item) string {
	var b strings.Builder
	if w.English() && it.TitleEN == "" && it.SummaryEN == "" {
		// No English text: say so rather than pass French off as an
		// answer in English; the French title and the source link follow.
		b.WriteString(w.msg("item_in_french") + "\n")
	}
	b.WriteString(w.ItemTitle(it))
	b.WriteString("\n")
	b.WriteString(w.ItemSummary(it))
	b.WriteString("\n")
	if len(it.Where.Online) > 0 || it.Where.Office != "" || it.Where.Phone != "" {
		b.WriteString("\n" + w.msg("item_where") + "\n")
		for _, l := range it.Where.Online {
			b.WriteString("• " + w.msg("item_online", "label", l.Label, "url", l.URL) + "\n")
		}
		if it.Where.Office != "" {
			b.WriteString("• " + w.msg("item_office", "office", it.Where.Office) + "\n")
		}
		if it.Where.Phone != "" {
			b.WriteString("• " + w.msg("item_phone", "phone", it.Where.Phone) + "\n")
		}
	}
	if len(it.Steps) > 0 {
		key := "item_steps"
		if w.English() && len(it.StepsEN) == 0 && (it.TitleEN != "" || it.SummaryEN != "") {
			key = "item_steps_in_french" // the title and summary were English
		}
		b.WriteString("\n" + w.msg(key) + "\n")
		for i, s := range w.ItemSteps(it) {
			b.WriteString(strconv.Itoa(i+1) + ". " + s + "\n")
		}
	}
	if len(it.Documents) > 0 {
		b.WriteString("\n" + w.msg("item_documents") + "\n")
		for _, d := range it.Documents {
			b.WriteString("• " + d + "\n")
		}
	}
	if it.Cost != "" || it.Delay != "" {
		b.WriteString("\n")
	}
	if it.Cost != "" {
		b.WriteString(w.msg("item_cost", "cost", it.Cost) + "\n")
	}
	if it.Delay != "" {
		b.WriteString(w.msg("item_delay", "delay", it.Delay) + "\n")
	}
	// The date says what it is: the day an admin checked a hand-written
	// item (« vérifiée le »), or the publisher's last update of an
	// imported sheet (« mise à jour le »), which nobody here checked.
	date, source := "", "item_source"
	if !it.Reviewed.IsZero() {
		date = it.Reviewed.Format(w.msg("date_layout"))
	}
	if it.Origin != "" {
		source = "item_source_updated"
	}
	b.WriteString("\n")
	for _, s := range it.Sources {
		b.WriteString(w.msg(source, "url", s, "date", date) + "\n")
	}
	if it.StaleMonths > 0 {
		b.WriteString(w.msg("item_stale", "months", strconv.Itoa(it.StaleMonths)) + "\n")
	}
	if it.Attribution != "" {
		b.WriteString(w.msg("item_attribution", "who", it.Attribution) + "\n")
	}
	return strings.TrimRight(b.String(), "\n")
}
