package engine

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/boussole/boussole/bot"
	"github.com/boussole/boussole/bot/mediation"
	"github.com/boussole/boussole/knowledge"
)

// Orientation trees: starting one, asking its questions, following a
// choice, and the answers its leaves give.

func (t *turn) currentTree() (*knowledge.Tree, *knowledge.Node, error) {
	tr, err := t.e.tree(t.ctx, t.snap, t.conv.TreeID, t.conv.TreeVersion)
	if err != nil {
		return nil, nil, err
	}
	n, ok := tr.Nodes[t.conv.Node]
	if !ok {
		return nil, nil, fmt.Errorf("tree %s version %d: no node %q", tr.ID, t.conv.TreeVersion, t.conv.Node)
	}
	return tr, n, nil
}

// startTree begins a tree at its start node, with an optional
// introduction line.
func (t *turn) startTree(id, intro string) error {
	v, ok := t.snap.versions[id]
	if !ok {
		t.say(t.msg("topic_gone"))
		t.topics()
		return nil
	}
	t.conv.State = bot.StateInTree
	t.conv.TreeID, t.conv.TreeVersion = id, v
	t.conv.Path = nil
	t.dropTopic() // a new topic; its answer sets the next
	t.conv.Misses = 0
	tr, err := t.e.tree(t.ctx, t.snap, id, v)
	if err != nil {
		return err
	}
	t.conv.Node = tr.Start
	t.followJurisdiction(tr.Jurisdiction)
	if intro != "" {
		t.say(intro)
	}
	return t.ask(true)
}

// ask puts the current node's question.
func (t *turn) ask(first bool) error {
	tr, n, err := t.currentTree()
	if err != nil {
		return err
	}
	// A route node is a silent branch: it follows the person's
	// jurisdiction, asking for it only when nothing has told it yet. The
	// route is not a step of the path (« retour » goes past it).
	for hops := 0; n.Route != nil; hops++ {
		j := t.jurisdiction()
		next, ok := n.Route[j]
		if j != "" && (!ok || hops > len(tr.Nodes)) {
			// No branch for the person's side: no question here applies
			// to them (and a button would move them to another country).
			t.say(t.msg("route_no_branch"))
			t.offer(t.mediatorOffer(t.treeQueue()))
			t.topics()
			t.conv.State, t.conv.TreeID, t.conv.TreeVersion, t.conv.Node, t.conv.Path = bot.StateIdle, "", 0, "", nil
			return nil
		}
		if !ok {
			return t.askRoute(tr, n, first)
		}
		t.conv.Node = next
		if n, ok = tr.Nodes[next]; !ok {
			return fmt.Errorf("tree %s: route to unknown node %q", tr.ID, next)
		}
	}
	t.noteNode(tr.ID, n.ID, first)
	text := t.w().NodeAsk(n)
	if first {
		text += "\n" + t.msg("tree_hint")
	}
	t.say(text)
	for i, c := range n.Choices {
		t.offer(bot.Offer{Label: t.w().ChoiceLabel(c), Action: actChoice, Arg: strconv.Itoa(i), Keys: c.Keywords})
	}
	return nil
}

// askRoute asks where the person is, with a button per jurisdiction the
// route node knows.
func (t *turn) askRoute(tr *knowledge.Tree, n *knowledge.Node, first bool) error {
	text := t.msg("where_ask_tree")
	if first {
		text += "\n" + t.msg("tree_hint")
	}
	t.say(text)
	for _, j := range slices.Sorted(maps.Keys(n.Route)) {
		label := j
		if t.e.cat.Has(t.lang(), "btn_where_"+strings.ToLower(j)) {
			label = t.msg("btn_where_" + strings.ToLower(j))
		}
		t.offer(bot.Offer{Label: label, Action: actRoute, Arg: j})
	}
	t.offer(t.mediatorOffer(t.treeQueue()))
	return nil
}

func (t *turn) choose(i int) error {
	tr, n, err := t.currentTree()
	if err != nil {
		return err
	}
	if i < 0 || i >= len(n.Choices) {
		return fmt.Errorf("tree %s node %s: no choice %d", tr.ID, n.ID, i)
	}
	c := n.Choices[i]
	t.noteChoice(tr.ID, n.ID, c.Label)
	t.conv.Misses = 0
	t.conv.Path = append(t.conv.Path, bot.Step{Node: n.ID, Choice: c.Label})
	switch c.Target() {
	case knowledge.TargetNode:
		t.conv.Node = c.Next
		return t.ask(false)
	case knowledge.TargetAnswer:
		return t.answer(c.Answer, i)
	case knowledge.TargetEscalate:
		return t.escalate(c.Escalate, reasonTree)
	case knowledge.TargetNearest:
		t.nearestChoice(*c.Nearest)
		return nil
	}
	return fmt.Errorf("tree %s node %s choice %q leads nowhere", tr.ID, n.ID, c.Label)
}

func (t *turn) treeMiss() error {
	t.noteQuestion(bot.UsageNotUnderstood, 0)
	t.conv.Misses++
	t.say(t.msg("choice_not_understood"))
	if err := t.ask(false); err != nil {
		return err
	}
	if t.conv.Misses >= t.e.cfg.MissesBeforeMediator {
		t.offer(t.mediatorOffer(t.treeQueue()))
	}
	return nil
}

// treeQueue is the queue of the current tree, so "humain" inside the
// housing tree reaches housing mediators.
func (t *turn) treeQueue() string {
	if t.conv.TreeID == "" {
		return mediation.DefaultQueue
	}
	tr, err := t.e.tree(t.ctx, t.snap, t.conv.TreeID, t.conv.TreeVersion)
	if err != nil {
		return mediation.DefaultQueue
	}
	return treeEscalation(tr)
}

// treeEscalation is a tree's queue: the first escalation any of its
// choices names, the start node's first (its escalation is the tree's
// general one).
func treeEscalation(tr *knowledge.Tree) string {
	ids := make([]string, 0, len(tr.Nodes))
	for id := range tr.Nodes {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	ids = append([]string{tr.Start}, ids...)
	for _, id := range ids {
		if n := tr.Nodes[id]; n != nil {
			for _, c := range n.Choices {
				if c.Escalate != "" {
					return c.Escalate
				}
			}
		}
	}
	return mediation.DefaultQueue
}

// answer shows an item, chat-sized, its other parts on offer (details.go);
// several items are named for the person to pick one. choiceIdx ≥ 0 when
// they come from a tree choice.
func (t *turn) answer(ids []string, choiceIdx int) error {
	var items []*knowledge.Item
	for _, id := range ids {
		it, ok := t.snap.base.Item(id)
		if !ok {
			t.e.log.WarnContext(t.ctx, "answer names an unknown item", "item", id, "tree", t.conv.TreeID)
			continue
		}
		t.followJurisdiction(it.Jurisdiction)
		items = append(items, it)
	}
	if len(items) == 0 {
		t.say(t.msg("item_gone"))
		t.offer(t.mediatorOffer(t.treeQueue()))
		return nil
	}
	found := make([]string, len(items))
	for i, it := range items {
		found[i] = it.ID
	}
	t.setTopic(found, choiceIdx >= 0)
	if len(items) > 1 {
		t.chooseItem(items, choiceIdx)
		return nil
	}
	if t.first != "" {
		t.say(t.first) // the model's, checked (model.go)
		t.first = ""
	} else {
		t.say(t.w().Short(items[0]))
	}
	t.conv.Shown = appendUnique(t.conv.Shown, items[0].ID)
	t.conv.State = bot.StateAnswered
	t.tallyAnswer(items[0].ID)
	t.say(t.msg("answered_followup"))
	t.offer(bot.Offer{Label: t.msg("btn_yes_thanks"), Action: actDone, Keys: t.e.words.done})
	t.offer(t.detailOffers(items[0])...)
	if choiceIdx >= 0 || len(t.conv.Path) > 0 {
		t.offer(bot.Offer{Label: t.msg("btn_back"), Action: actBack})
	}
	t.offer(bot.Offer{Label: t.msg("btn_other_question"), Action: actRestart, Keys: t.e.words.other})
	t.offer(t.mediatorOffer(t.treeQueue()))
	return nil
}

func appendUnique(s []string, v string) []string {
	for _, x := range s {
		if x == v {
			return s
		}
	}
	return append(s, v)
}

// leadsTo reports whether offer o can lead to the search hit h: the current
// tree itself, or an item or node reachable through the choice.
func (t *turn) leadsTo(o bot.Offer, h knowledge.Hit) bool {
	if h.Kind == knowledge.HitTree {
		return h.ID == t.conv.TreeID || (o.Action == actTree && o.Arg == h.ID)
	}
	switch o.Action {
	case actItem:
		return o.Arg == h.ID
	case actChoice:
		tr, n, err := t.currentTree()
		if err != nil {
			return false
		}
		i, err := strconv.Atoi(o.Arg)
		if err != nil || i < 0 || i >= len(n.Choices) {
			return false
		}
		return reachesItem(tr, n.Choices[i], h.ID, map[string]bool{})
	}
	return false
}

// reachesItem walks the tree from choice c looking for item id.
func reachesItem(tr *knowledge.Tree, c knowledge.Choice, id string, seen map[string]bool) bool {
	for _, a := range c.Answer {
		if a == id {
			return true
		}
	}
	if c.Next == "" || seen[c.Next] {
		return false
	}
	seen[c.Next] = true
	n := tr.Nodes[c.Next]
	if n == nil {
		return false
	}
	for _, cc := range n.Choices {
		if reachesItem(tr, cc, id, seen) {
			return true
		}
	}
	return false
}
