package engine

import (
	"slices"
	"strconv"
	"strings"

	"github.com/boussole/boussole/bot"
	"github.com/boussole/boussole/bot/answer"
	"github.com/boussole/boussole/knowledge"
)

// Answers that fit a chat (bot/answer/short.go): an item is answered with
// its first message, and its steps, documents, cost and other links are
// offered, each shown on demand, as buttons or typed words
// (« étapes », « documents », « prix », « détails »). A tree's leaf
// naming several items lets the person pick one: never two sheets in one
// message.

// Offer actions of an answer's parts.
const (
	// actDetail shows a part of an item. Arg: the item id, the part
	// (answer.Detail) and the first entry shown, separated by unit
	// separators.
	actDetail = "detail"
	// actPick shows one of the items a tree's leaf answers with. Arg:
	// the item id, a unit separator, the ids of the leaf's items
	// separated by commas.
	actPick = "pick"
)

// detailWords are the typed words that pick a part's button (the
// catalogue's words_detail_* lists); more picks the first part offered,
// or the rest of the part just shown.
type detailWords struct {
	steps, documents, cost, links, more []string
}

func readDetailWords(list func(key string) []string) detailWords {
	return detailWords{
		steps: list("words_detail_steps"), documents: list("words_detail_documents"),
		cost: list("words_detail_cost"), links: list("words_detail_links"), more: list("words_detail_more"),
	}
}

func (w detailWords) of(d answer.Detail) []string {
	switch d {
	case answer.DetailSteps:
		return w.steps
	case answer.DetailDocuments:
		return w.documents
	case answer.DetailCost:
		return w.cost
	case answer.DetailLinks:
		return w.links
	}
	return nil
}

func detailArg(id string, d answer.Detail, from int) string {
	return id + "\x1f" + string(d) + "\x1f" + strconv.Itoa(from)
}

func parseDetailArg(arg string) (id string, d answer.Detail, from int) {
	parts := strings.Split(arg, "\x1f")
	if len(parts) != 3 {
		return "", "", 0
	}
	from, _ = strconv.Atoi(parts[2])
	return parts[0], answer.Detail(parts[1]), from
}

// detailOffers are the buttons of the parts of it beyond its first
// message: only those it has.
func (t *turn) detailOffers(it *knowledge.Item) []bot.Offer {
	var out []bot.Offer
	for _, d := range answer.Details(it) {
		out = append(out, bot.Offer{Label: t.w().DetailLabel(it, d), Action: actDetail, Arg: detailArg(it.ID, d, 0)})
	}
	t.detailKeys(out)
	return out
}

// detailKeys gives each part's button its typed words, and the words
// asking for more to one button only (two would tie and pick neither):
// the rest of the part just shown, else the first part offered.
func (t *turn) detailKeys(offers []bot.Offer) {
	more := -1
	for i, o := range offers {
		if o.Action != actDetail {
			continue
		}
		_, d, from := parseDetailArg(o.Arg)
		offers[i].Keys = nil
		if from == 0 {
			offers[i].Keys = slices.Clone(t.e.words.detail.of(d))
		}
		if more < 0 || from > 0 {
			more = i
		}
	}
	if more >= 0 {
		offers[more].Keys = append(offers[more].Keys, t.e.words.detail.more...)
	}
}

// detail shows the part of an item o asks for. The choices stay those of
// the answer, without that part, or with its next page in its place.
func (t *turn) detail(o bot.Offer) error {
	id, d, from := parseDetailArg(o.Arg)
	it, ok := t.snap.base.Item(id)
	if !ok {
		t.say(t.msg("item_gone"))
		t.offer(t.mediatorOffer(t.treeQueue()))
		return nil
	}
	text, next := t.w().Detail(it, d, from)
	t.say(text)
	for _, p := range t.conv.Offered {
		if p.Action == actDetail {
			pid, pd, pfrom := parseDetailArg(p.Arg)
			switch {
			case p.Arg == o.Arg && next > 0:
				p = bot.Offer{Label: t.w().NextLabel(), Action: actDetail, Arg: detailArg(id, d, next)}
			case p.Arg == o.Arg:
				continue // shown
			case pfrom > 0 && pid == id:
				// The rest of a part left for another: that part is
				// offered again, from its start.
				p = bot.Offer{Label: t.w().DetailLabel(it, pd), Action: actDetail, Arg: detailArg(id, pd, 0)}
			}
		}
		p.Payload = ""
		t.offer(p)
	}
	t.detailKeys(t.offers)
	return nil
}

// chooseItem names the items a tree's leaf answers with and lets the
// person pick one.
func (t *turn) chooseItem(items []*knowledge.Item, choiceIdx int) {
	t.conv.State = bot.StateAnswered
	t.say(t.msg("answer_choose", "n", strconv.Itoa(len(items))))
	ids := make([]string, len(items))
	for i, it := range items {
		ids[i] = it.ID
	}
	leaf := strings.Join(ids, ",")
	for _, it := range items {
		t.offer(bot.Offer{Label: t.w().ItemTitle(it), Action: actPick, Arg: it.ID + "\x1f" + leaf})
	}
	if choiceIdx >= 0 || len(t.conv.Path) > 0 {
		t.offer(bot.Offer{Label: t.msg("btn_back"), Action: actBack})
	}
	t.offer(t.mediatorOffer(t.treeQueue()))
}

// pick answers with the item picked among a leaf's; the others stay a
// click away, after « Oui, merci ».
func (t *turn) pick(o bot.Offer) error {
	id, leaf, _ := strings.Cut(o.Arg, "\x1f")
	t.conv.Misses = 0
	if err := t.answer([]string{id}, -1); err != nil {
		return err
	}
	if len(t.offers) == 0 || t.offers[0].Action != actDone {
		return nil // not answered (the item is gone)
	}
	var also []bot.Offer
	for other := range strings.SplitSeq(leaf, ",") {
		if it, ok := t.snap.base.Item(other); ok && other != id {
			also = append(also, bot.Offer{Label: t.msg("btn_also", "title", t.w().ItemTitle(it)), Action: actPick, Arg: other + "\x1f" + leaf})
		}
	}
	t.offers = slices.Insert(t.offers, 1, also...)
	return nil
}
