package answer

import (
	"slices"
	"strconv"
	"strings"

	"github.com/boussole/boussole/knowledge"
)

// Grounded writes the first message of an answer whose text a language
// model wrote from the cited items (bot/llm checked it against them):
// the first item's title, the text, where to go, and each cited item's
// official source, numbered as the text cites them: items are the items
// the model was given, [1] first, and cited the numbers it cited, which
// must include 1. Links and sources are Boussole's, never the model's.
// It reports false when the message would not fit a chat: the template
// answer (Short) is used instead.
func (w Writer) Grounded(text string, items []*knowledge.Item, cited []int) (string, bool) {
	text = strings.TrimSpace(text)
	if text == "" || len(items) == 0 || !slices.Contains(cited, 1) {
		return "", false
	}
	first := items[0]
	head := []string{clipWords(w.ItemTitle(first), capsLevels[0].title), text}
	var sources []string
	for i, it := range items {
		if !slices.Contains(cited, i+1) {
			continue
		}
		src := w.Source(it)
		if src == "" {
			// Every item has a source (knowledge.Validate); one that
			// does not cannot be cited.
			return "", false
		}
		sources = append(sources, "["+strconv.Itoa(i+1)+"] "+src)
	}
	// Where to go, as long as the message fits; then without it.
	for _, c := range capsLevels {
		lines := append([]string{}, head...)
		if where := w.whereLine(first, c); where != "" {
			lines = append(lines, where)
		}
		msg := strings.Join(append(lines, sources...), "\n")
		if Fits(msg) {
			return msg, true
		}
	}
	msg := strings.Join(append(head, sources...), "\n")
	return msg, Fits(msg)
}
