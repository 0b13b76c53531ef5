package engine

import (
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/boussole/boussole/bot"
	"github.com/boussole/boussole/bot/answer"
	"github.com/boussole/boussole/bot/mediation"
	"github.com/boussole/boussole/knowledge"
	"github.com/boussole/boussole/knowledge/analysis"
)

// Follow-ups: after an answer, a message is read against the sheet under
// discussion (the conversation's Topic) when it names no new topic.
//
// The rule, in the order the engine applies it:
//
//  1. A message made only of the catalogue's follow-up words
//     (words_followup_*: « comment », « combien », « où », « papiers »,
//     « pour mon fils », and neutral ones such as « et », « merci »)
//     names no topic: it gets the part of the sheet it asks for (how to
//     apply: where and the steps; cost; where; documents; delay), or, for
//     another person or situation (« et pour mon fils ? », « mais je suis
//     étudiant »), a neighbouring sheet (rule 3's, else the search of
//     rule 4), or « no more specific sheet ». A message that is a tree's
//     trigger (« sécu ») names that tree: it is no follow-up.
//  2. Any other message is searched alone first. A confident sheet is
//     answered as such: the message said enough by itself.
//  3. Otherwise, when every word of the message but the neutral ones is a
//     word of one neighbour, that neighbour is taken: a sheet offered
//     with the topic's or given by the same tree choice, then another
//     choice of the tree question that gave it, then a sheet it links
//     to (« et si on me l'a volée ? » after « carte d'identité perdue »;
//     a word for a child stands for any other: « fils » finds « mineur »).
//  4. A confident tree is started; failing that, the message is searched
//     with the sheet's title: a confident other sheet is answered. Else
//     the message's own hits take their usual way.
//
// The topic is set by every answer and by an offer of sheets, and lasts
// maxTopicIdle turns that do not use it; « recommencer », a new tree and
// a danger answer drop it; « oublie-moi » erases it with the rest.

// maxTopicIdle is how many turns about something else a topic outlives:
// « merci », then « c'est où ? » is still about the sheet.
const maxTopicIdle = 3

// Kinds of follow-up: which list of the catalogue a word comes from.
const (
	fuHow       = "how"
	fuCost      = "cost"
	fuWhere     = "where"
	fuDocuments = "documents"
	fuDelay     = "delay"
	fuWho       = "who"
	fuNeutral   = ""
)

// followKeys are the catalogue lists of each kind; partOrder is the order
// parts of a sheet are given in.
var (
	followKeys = map[string]string{
		fuHow: "words_followup_how", fuCost: "words_followup_cost", fuWhere: "words_followup_where",
		fuDocuments: "words_followup_documents", fuDelay: "words_followup_delay", fuWho: "words_followup_who",
		fuNeutral: "words_followup_neutral",
	}
	partOrder = []string{fuHow, fuWhere, fuDocuments, fuCost, fuDelay}
)

// followWords are the follow-up words and phrases, as token sequences,
// longest first so that « combien de temps » is read before « combien »,
// and the words for a child: « fils » asks for the sheet that says
// « mineur ».
type followWords struct {
	phrases []followPhrase
	child   map[string]bool
}

type followPhrase struct {
	toks []string
	kind string
}

// readFollowWords reads the words_followup_* lists through list (which
// folds them and requires them in French and English).
func readFollowWords(list func(key string) []string) followWords {
	fw := followWords{child: map[string]bool{}}
	for _, kind := range slices.Sorted(maps.Keys(followKeys)) {
		for _, x := range list(followKeys[kind]) {
			if toks := analysis.Tokens(x); len(toks) > 0 {
				fw.phrases = append(fw.phrases, followPhrase{toks, kind})
			}
		}
	}
	sort.SliceStable(fw.phrases, func(i, j int) bool { return len(fw.phrases[i].toks) > len(fw.phrases[j].toks) })
	for _, x := range list("words_followup_child") {
		for _, tok := range analysis.Tokens(x) {
			fw.child[tok] = true
		}
	}
	return fw
}

// kin reports whether a and b are the same word, or both words for a
// child.
func (fw followWords) kin(a, b string) bool {
	return sameWord(a, b) || fw.child[a] && fw.child[b]
}

// containsKin reports whether ws holds x or a kin of it.
func (fw followWords) containsKin(ws []string, x string) bool {
	return slices.ContainsFunc(ws, func(w string) bool { return fw.kin(w, x) })
}

// followReading is what the follow-up words make of a message.
type followReading struct {
	kinds []string // the kinds asked, in the order met
	// rest are the message's words that are neither follow-up words nor
	// short function words: a message with none names no topic.
	rest []string
	// content are its words but the neutral ones: what must match a
	// neighbouring sheet or choice.
	content []string
}

// pure reports whether the message is made of follow-up words only, and
// asks something.
func (r followReading) pure() bool { return len(r.rest) == 0 && len(r.kinds) > 0 }

func (r followReading) has(kind string) bool { return slices.Contains(r.kinds, kind) }

// readFollow reads a folded message with the follow-up words.
func (w words) readFollow(folded string) followReading {
	var r followReading
	toks := analysis.Tokens(folded)
	for i := 0; i < len(toks); {
		matched := false
		for _, p := range w.follow.phrases {
			if i+len(p.toks) > len(toks) || !slices.Equal(toks[i:i+len(p.toks)], p.toks) {
				continue
			}
			if p.kind != fuNeutral {
				if !slices.Contains(r.kinds, p.kind) {
					r.kinds = append(r.kinds, p.kind)
				}
				r.content = append(r.content, w.significant(p.toks)...)
			}
			i += len(p.toks)
			matched = true
			break
		}
		if matched {
			continue
		}
		if x := toks[i]; len(x) > 2 && !w.fillers[x] {
			r.rest = append(r.rest, x)
			r.content = append(r.content, x)
		}
		i++
	}
	return r
}

// setTopic makes ids the sheets under discussion; fromChoice says a choice
// of the current tree question gave them.
func (t *turn) setTopic(ids []string, fromChoice bool) {
	tp := bot.Topic{Items: slices.Clone(ids)}
	if fromChoice {
		tp.TreeID, tp.TreeVersion, tp.Node = t.conv.TreeID, t.conv.TreeVersion, t.conv.Node
	}
	t.conv.Topic = tp
	t.topicUsed = true
}

// offerTopic makes the sheets offered when the bot was not sure the
// topic: a follow-up before any is chosen is about the first.
func (t *turn) offerTopic(hits []knowledge.Hit) {
	var ids []string
	for _, h := range hits {
		if h.Kind != knowledge.HitTree {
			ids = append(ids, h.ID)
		}
	}
	if len(ids) == 0 {
		t.dropTopic()
		return
	}
	t.conv.Topic = bot.Topic{Items: ids, Offered: true}
	t.topicUsed = true
}

// dropTopic forgets the topic: the person moved on.
func (t *turn) dropTopic() {
	t.conv.Topic = bot.Topic{}
	t.topicUsed = true
}

// ageTopic counts a turn that did not use the topic, and forgets it after
// maxTopicIdle of them: the context is bounded.
func (t *turn) ageTopic() {
	if t.topicUsed || t.conv.Topic.IsZero() {
		return
	}
	t.conv.Topic.Idle++
	if t.conv.Topic.Idle > maxTopicIdle {
		t.conv.Topic = bot.Topic{}
	}
}

// topicSheets are the ids of the sheets under discussion: the first of
// those offered, all of those answered.
func (t *turn) topicSheets() []string {
	if tp := t.conv.Topic; tp.Offered && len(tp.Items) > 0 {
		return tp.Items[:1]
	}
	return t.conv.Topic.Items
}

// topicItems are the topic's sheets, answered or offered, that the
// knowledge still has.
func (t *turn) topicItems() []*knowledge.Item {
	var out []*knowledge.Item
	for _, id := range t.conv.Topic.Items {
		if it, ok := t.snap.base.Item(id); ok {
			out = append(out, it)
		}
	}
	return out
}

// canFollow reports whether this turn's text may be read against the
// topic: a typed message, outside a tree's question and a case.
func (t *turn) canFollow() bool {
	switch {
	case t.in.Payload != "", t.conv.Topic.IsZero(), t.conv.State == bot.StateInTree,
		t.conv.CaseID != 0 && (t.conv.State == bot.StateEscalated || t.conv.State == bot.StateWithMediator):
		return false
	}
	return true
}

// followUp answers a message made of follow-up words only (rule 1). It
// reports false for any other message, which goes its usual way.
func (t *turn) followUp(folded string) (bool, error) {
	if !t.canFollow() {
		return false, nil
	}
	// A part's own word (« étapes », « prix ») picks the part's button
	// (details.go), which shows it chat-sized and keeps the other parts.
	if m, ok := t.e.words.matchOffer(t.conv.Offered, folded); ok && m.offer.Action == actDetail && m.covered >= 0.5 {
		return false, nil
	}
	for _, o := range t.conv.Offered {
		if analysis.Fold(o.Label) == folded {
			return false, nil // a button's label typed is the button
		}
	}
	if t.namesTree(folded) {
		return false, nil
	}
	r := t.e.words.readFollow(folded)
	items := t.topicItems()
	if !r.pure() || len(items) == 0 {
		return false, nil
	}
	t.topicUsed = true
	t.conv.Misses = 0
	if r.has(fuWho) {
		// Another person or situation: a neighbouring sheet, else the
		// same sheet with « nothing more specific ».
		nb, err := t.neighbourhood()
		if err != nil {
			return false, err
		}
		if n, ok := t.e.words.pickNeighbour(t.snap.base, nb, r.content); ok {
			return true, t.takeNeighbour(n)
		}
		if hits, err := t.searchWithTopic(items[0], folded); err != nil {
			return false, err
		} else if len(hits) > 0 && t.e.policy.Confident(hits[0].Confidence) {
			return true, t.freeText(hits)
		}
		t.say(t.msg("followup_no_variant", "title", t.w().ItemTitle(items[0])))
	}
	var parts []string
	for _, k := range partOrder {
		if r.has(k) && !(k == fuWhere && r.has(fuHow)) { // how says where
			parts = append(parts, k)
		}
	}
	t.answerParts(items, parts)
	return true, nil
}

// namesTree reports whether the message is one of a tree's triggers
// (« papiers », « sécu »): a topic's own name is a new question.
func (t *turn) namesTree(folded string) bool {
	for _, tr := range t.snap.base.Trees {
		if slices.ContainsFunc(tr.Triggers, func(x string) bool { return analysis.Fold(x) == folded }) {
			return true
		}
	}
	return false
}

// searchInTopic searches the message and applies rules 2 to 4; handled
// reports that it answered, else hits are the message's own, for the
// usual answer.
func (t *turn) searchInTopic() (hits []knowledge.Hit, handled bool, err error) {
	hits, err = t.search()
	if err != nil || !t.canFollow() {
		return hits, false, err
	}
	items := t.topicItems()
	if len(items) == 0 {
		return hits, false, nil
	}
	q := t.asked()
	if t.query != nil {
		q = *t.query
	}
	folded := analysis.Fold(q)
	if t.namesTree(folded) {
		return hits, false, nil
	}
	nb, err := t.neighbourhood()
	if err != nil {
		return hits, false, err
	}
	confident := len(hits) > 0 && t.e.policy.Confident(hits[0].Confidence)
	if confident && hits[0].Kind != knowledge.HitTree {
		return hits, false, nil // the message alone says enough
	}
	r := t.e.words.readFollow(folded)
	if n, ok := t.e.words.pickNeighbour(t.snap.base, nb, r.content); ok {
		t.topicUsed = true
		return hits, true, t.takeNeighbour(n)
	}
	if confident {
		return hits, false, nil
	}
	with, err := t.searchWithTopic(items[0], folded)
	if err != nil {
		return hits, false, err
	}
	if len(with) > 0 && t.e.policy.Confident(with[0].Confidence) {
		t.topicUsed = true
		return hits, true, t.freeText(with)
	}
	return hits, false, nil
}

// searchWithTopic searches the message with the title of the sheet under
// discussion, and keeps the other sheets: the person asks for a variant.
func (t *turn) searchWithTopic(it *knowledge.Item, folded string) ([]knowledge.Hit, error) {
	q := it.Title + " " + folded // the index reads French titles
	savedQuery, savedElsewhere := t.query, t.elsewhere
	t.query = &q
	hits, err := t.search()
	t.query, t.elsewhere = savedQuery, savedElsewhere
	if err != nil {
		return nil, err
	}
	out := hits[:0:0]
	for _, h := range hits {
		if h.Kind == knowledge.HitTree || slices.Contains(t.topicSheets(), h.ID) {
			continue
		}
		out = append(out, h)
	}
	return out, nil
}

// neighbourhood is what lies next to the topic in the trees.
type neighbourhood struct {
	// leaf are the other sheets offered with the topic's, or that a tree
	// choice gives with a topic sheet.
	leaf []string
	// choices are the other choices of the tree questions one of whose
	// choices gives a topic sheet.
	choices []neighbourChoice
	// related are the sheets a topic sheet links to (an imported
	// catalogue's dossier and questions).
	related []string
}

type neighbourChoice struct {
	tree    string
	version int
	node    string
	index   int
	choice  knowledge.Choice
}

// neighbour is one sheet or one choice taken for a follow-up.
type neighbour struct {
	item   string
	choice *neighbourChoice
}

// neighbourhood finds the topic's neighbours: the other sheets offered
// with it; in the tree question that gave it when one did, else in every
// tree question (of the person's side) one of whose choices gives a topic
// sheet; and the sheets it links to.
func (t *turn) neighbourhood() (neighbourhood, error) {
	tp, topic := t.conv.Topic, t.topicSheets()
	var nb neighbourhood
	add := func(list *[]string, id string) {
		if !slices.Contains(topic, id) && !slices.Contains(nb.leaf, id) && !slices.Contains(*list, id) {
			*list = append(*list, id)
		}
	}
	for _, id := range tp.Items {
		add(&nb.leaf, id)
	}
	for _, id := range topic {
		if it, ok := t.snap.base.Item(id); ok {
			for _, r := range it.Related {
				if _, ok := t.snap.base.Item(r); ok {
					add(&nb.related, r)
				}
			}
		}
	}
	visit := func(tr *knowledge.Tree, version int, n *knowledge.Node) {
		gives := func(c knowledge.Choice) bool {
			return slices.ContainsFunc(c.Answer, func(id string) bool { return slices.Contains(topic, id) })
		}
		if !slices.ContainsFunc(n.Choices, gives) {
			return
		}
		for i, c := range n.Choices {
			switch {
			case gives(c):
				for _, id := range c.Answer {
					add(&nb.leaf, id)
				}
			case c.Escalate == "":
				// An escalation is no neighbour: « autre » must not open a case.
				nb.choices = append(nb.choices, neighbourChoice{tr.ID, version, n.ID, i, c})
			}
		}
	}
	if tp.TreeID != "" {
		tr, err := t.e.tree(t.ctx, t.snap, tp.TreeID, tp.TreeVersion)
		if err != nil {
			return nb, err
		}
		if n, ok := tr.Nodes[tp.Node]; ok {
			visit(tr, tp.TreeVersion, n)
		}
		return nb, nil
	}
	j := t.jurisdiction()
	for _, tr := range t.snap.base.Trees {
		if j != "" && tr.Jurisdiction != "" && tr.Jurisdiction != j {
			continue
		}
		for _, id := range slices.Sorted(maps.Keys(tr.Nodes)) {
			visit(tr, t.snap.versions[tr.ID], tr.Nodes[id])
		}
	}
	return nb, nil
}

// pickNeighbour finds the neighbour every one of the words designates
// (a word for a child stands for any other): a sheet offered with the
// topic or of the same tree answer first (its title and keywords), then a
// choice of the same question (its label and keywords), then a sheet the
// topic links to. Of several, the one whose title or label the words
// cover most; a tie is no answer.
func (w words) pickNeighbour(b *knowledge.Base, nb neighbourhood, ws []string) (neighbour, bool) {
	if len(ws) == 0 {
		return neighbour{}, false
	}
	best := func(n int, vocab func(i int) (label []string, keys []string)) (int, bool) {
		at, score, tie := -1, -1.0, false
		for i := range n {
			label, keys := vocab(i)
			all := append(slices.Clone(label), keys...)
			if !slices.ContainsFunc(ws, func(x string) bool { return !w.follow.containsKin(all, x) }) {
				s := 0.0
				if len(label) > 0 {
					hit := 0
					for _, l := range label {
						if w.follow.containsKin(ws, l) {
							hit++
						}
					}
					s = float64(hit) / float64(len(label))
				}
				switch {
				case s > score:
					at, score, tie = i, s, false
				case s == score:
					tie = true
				}
			}
		}
		return at, at >= 0 && !tie
	}
	keys := func(ks []string) []string {
		var out []string
		for _, k := range ks {
			out = append(out, analysis.Tokens(k)...)
		}
		return out
	}
	sheet := func(ids []string) func(i int) ([]string, []string) {
		return func(i int) ([]string, []string) {
			it, ok := b.Item(ids[i])
			if !ok {
				return nil, nil
			}
			return w.significant(analysis.Tokens(it.Title)), keys(it.Keywords)
		}
	}
	if i, ok := best(len(nb.leaf), sheet(nb.leaf)); ok {
		return neighbour{item: nb.leaf[i]}, true
	}
	if i, ok := best(len(nb.choices), func(i int) ([]string, []string) {
		c := nb.choices[i].choice
		return w.significant(analysis.Tokens(c.Label + " " + c.LabelEN)), keys(c.Keywords)
	}); ok {
		return neighbour{choice: &nb.choices[i]}, true
	}
	if i, ok := best(len(nb.related), sheet(nb.related)); ok {
		return neighbour{item: nb.related[i]}, true
	}
	return neighbour{}, false
}

// takeNeighbour answers with a neighbouring sheet, or takes a
// neighbouring choice as if it had been chosen at its question (so that
// « retour » goes back to that question).
func (t *turn) takeNeighbour(n neighbour) error {
	t.conv.Misses = 0
	if n.choice == nil {
		t.say(t.msg("followup_variant"))
		return t.answer([]string{n.item}, -1)
	}
	c := n.choice
	if t.conv.TreeID == c.tree && t.conv.Node == c.node && len(t.conv.Path) > 0 && t.conv.Path[len(t.conv.Path)-1].Node == c.node {
		// The topic came from this question: its step is replaced.
		t.conv.Path = t.conv.Path[:len(t.conv.Path)-1]
	} else if t.conv.TreeID != c.tree || t.conv.Node != c.node {
		t.conv.Path = nil
	}
	t.conv.State = bot.StateInTree
	t.conv.TreeID, t.conv.TreeVersion, t.conv.Node = c.tree, c.version, c.node
	if len(c.choice.Answer) > 0 {
		t.say(t.msg("followup_variant"))
	}
	return t.choose(c.index)
}

// answerParts gives the parts asked of the first topic sheet; when the
// sheets were only offered, the others stay on offer. Without parts (a
// variant asked and none found), only the way on is offered.
func (t *turn) answerParts(items []*knowledge.Item, parts []string) {
	it, w := items[0], t.w()
	t.conv.Shown = appendUnique(t.conv.Shown, it.ID)
	t.followJurisdiction(it.Jurisdiction)
	if len(parts) == 0 {
		t.offer(t.mediatorOffer(mediation.DefaultQueue))
		t.offer(bot.Offer{Label: t.msg("btn_other_question"), Action: actRestart, Keys: t.e.words.other})
		return
	}
	// The parts go in messages that each fit a chat (bot/answer): a new
	// message starts where the next part would not fit; the steps come
	// in the answer's own pages, the first one here and « La suite » on
	// offer (details.go).
	cur := t.msg("followup_about", "title", w.ItemTitle(it))
	add := func(s string) {
		if s = strings.Trim(s, "\n"); s == "" {
			return
		}
		if next := cur + "\n" + s; answer.Fits(next) {
			cur = next
			return
		}
		t.say(cur)
		cur = s
	}
	missing, more := false, 0
	for _, p := range parts {
		kind := p
		if p == fuHow {
			kind = fuWhere // then the steps, below
		}
		s := t.part(it, kind)
		if p == fuHow && len(it.Steps) > 0 {
			add(s)
			text, next := w.Detail(it, answer.DetailSteps, 0)
			add(text)
			more = next
			continue
		}
		missing = missing || s == ""
		add(s)
	}
	if missing {
		add(t.msg("followup_not_said"))
	}
	add(w.Source(it))
	t.say(cur)
	t.conv.State = bot.StateAnswered
	t.say(t.msg("answered_followup"))
	t.offer(bot.Offer{Label: t.msg("btn_yes_thanks"), Action: actDone, Keys: t.e.words.done})
	if more > 0 {
		t.offer(bot.Offer{Label: w.NextLabel(), Action: actDetail, Arg: detailArg(it.ID, answer.DetailSteps, more)})
		t.detailKeys(t.offers)
	}
	if t.conv.Topic.Offered {
		for _, o := range items[1:min(len(items), 3)] {
			t.offer(bot.Offer{Label: t.msg("btn_rather", "title", w.ItemTitle(o)), Action: actItem, Arg: o.ID})
		}
	}
	t.offer(bot.Offer{Label: t.msg("btn_other_question"), Action: actRestart, Keys: t.e.words.other})
	t.offer(t.mediatorOffer(mediation.DefaultQueue))
}

// part writes one part of a sheet with the catalogue's item_* lines, or
// "" when the sheet does not say.
func (t *turn) part(it *knowledge.Item, kind string) string {
	var b strings.Builder
	where := func() {
		if len(it.Where.Online) == 0 && it.Where.Office == "" && it.Where.Phone == "" {
			return
		}
		b.WriteString("\n" + t.msg("item_where") + "\n")
		// Two links at most, with the source the answer ends with: a
		// part fits a chat as the answer does (bot/answer, MaxLinks).
		online := it.Where.Online[:min(2, len(it.Where.Online))]
		for _, l := range online {
			b.WriteString("• " + t.msg("item_online", "label", l.Label, "url", l.URL) + "\n")
		}
		if more := len(it.Where.Online) - len(online); more > 0 {
			b.WriteString("• " + t.msg("followup_more_links", "n", strconv.Itoa(more)) + "\n")
		}
		if it.Where.Office != "" {
			b.WriteString("• " + t.msg("item_office", "office", it.Where.Office) + "\n")
		}
		if it.Where.Phone != "" {
			b.WriteString("• " + t.msg("item_phone", "phone", it.Where.Phone) + "\n")
		}
	}
	switch kind {
	case fuHow:
		where()
		if steps := t.w().ItemSteps(it); len(steps) > 0 {
			key := "item_steps"
			if t.w().English() && len(it.StepsEN) == 0 {
				key = "item_steps_in_french"
			}
			b.WriteString("\n" + t.msg(key) + "\n")
			for i, s := range steps {
				b.WriteString(strconv.Itoa(i+1) + ". " + s + "\n")
			}
		}
	case fuWhere:
		where()
	case fuDocuments:
		if len(it.Documents) > 0 {
			b.WriteString("\n" + t.msg("item_documents") + "\n")
			for _, d := range it.Documents {
				b.WriteString("• " + d + "\n")
			}
		}
	case fuCost:
		if it.Cost != "" {
			b.WriteString("\n" + t.msg("item_cost", "cost", it.Cost) + "\n")
		}
	case fuDelay:
		if it.Delay != "" {
			b.WriteString("\n" + t.msg("item_delay", "delay", it.Delay) + "\n")
		}
	}
	return b.String()
}
