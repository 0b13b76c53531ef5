package bot

import (
	"strings"

	"github.com/boussole/boussole/knowledge"
)

// The knowledge is written in French and may carry English text
// (title_en, summary_en, steps_en, ask_en, label_en): a person writing
// in English gets it where it exists, the French otherwise.

func (t *turn) english() bool { return strings.HasPrefix(t.conv.Lang, "en") }

// inEnglish returns en when the person writes English and en is written.
func (t *turn) inEnglish(fr, en string) string {
	if t.english() && en != "" {
		return en
	}
	return fr
}

func (t *turn) itemTitle(it *knowledge.Item) string   { return t.inEnglish(it.Title, it.TitleEN) }
func (t *turn) itemSummary(it *knowledge.Item) string { return t.inEnglish(it.Summary, it.SummaryEN) }

func (t *turn) itemSteps(it *knowledge.Item) []string {
	if t.english() && len(it.StepsEN) > 0 {
		return it.StepsEN
	}
	return it.Steps
}

func (t *turn) treeTitle(tr *knowledge.Tree) string { return t.inEnglish(tr.Title, tr.TitleEN) }
func (t *turn) nodeAsk(n *knowledge.Node) string    { return t.inEnglish(n.Ask, n.AskEN) }

func (t *turn) choiceLabel(c knowledge.Choice) string { return t.inEnglish(c.Label, c.LabelEN) }
