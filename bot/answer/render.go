package answer

import (
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
