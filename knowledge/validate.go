package knowledge

import (
	"cmp"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode"
)

// audiences are the audience values items may use (README, Knowledge); a misspelt
// audience would silently hide the item from the citizens it is for.
var audiences = []string{"particulier", "professionnel", "association"}

// kinds are the valid item kinds, in the order given in messages.
var kinds = []string{string(KindProcedure), string(KindProgram), string(KindPlace), string(KindEmergency)}

// reviewedSlackDays is how far in the future a review date may be before it
// is reported: nobody checks a sheet tomorrow, but an admin in Québec may
// write the date that is already tomorrow in France.
const reviewedSlackDays = 1

// staleYears is the age of a review date from which Review asks an admin
// to check the item again: amounts and procedures change every year.
const staleYears = 1

// Validate reports every semantic problem of b at once, sorted by file and
// line, or nil if there is none. It never stops at the first problem: an
// admin fixing a tree wants the whole list. A problem makes the base
// unusable. Review dates are not problems whatever today is (see Review):
// a clock set wrong must not stop the bot from answering.
func Validate(b *Base) Problems {
	if b == nil {
		return nil
	}
	v := &validator{items: make(map[string]*Item, len(b.Items))}
	v.checkItems(b.Items)
	v.checkReplaces(b.Items)
	// A base PreferCurated made still answers the ids of the sheets it
	// left out (Base.Item): trees naming them are fine.
	for id, by := range b.replacedBy {
		if _, ok := v.items[id]; !ok && v.items[by] != nil {
			v.items[id] = v.items[by]
		}
	}
	v.checkTrees(b.Trees)
	v.checkSynonyms(b.Synonyms, b.synonymPos)
	v.checkEmergencies(b)
	if len(v.probs) == 0 {
		return nil
	}
	v.probs.sort()
	return v.probs
}

// checkEmergencies: every jurisdiction that hand-written items or trees
// serve needs a general emergency number (danger: [urgence]) of its own
// or of no jurisdiction, or the danger layer would have nothing to give a
// person in danger there. Reported at the first item or tree of it.
func (v *validator) checkEmergencies(b *Base) {
	first := map[string]Pos{}
	var order []string
	note := func(j string, p Pos) {
		if _, ok := first[j]; j != "" && !ok {
			first[j] = p
			order = append(order, j)
		}
	}
	covered := map[string]bool{}
	for _, it := range b.Items {
		if it == nil || it.Origin != "" {
			continue
		}
		note(it.Jurisdiction, it.Pos)
		if it.Kind == KindEmergency && slices.Contains(it.Danger, DangerUrgence) {
			covered[it.Jurisdiction] = true
		}
	}
	for _, t := range b.Trees {
		if t != nil {
			note(t.Jurisdiction, t.Pos)
		}
	}
	if covered[""] {
		return
	}
	for _, j := range order {
		if !covered[j] {
			v.add(first[j], "jurisdiction %s has no emergency number: add an item with kind: emergency, jurisdiction: %s, danger: [urgence] (its general emergency number, with its official source)", j, j)
		}
	}
}

// Review lists what an admin should look at in the hand-written items of
// b on the day today, sorted by file and line: a review date in the future
// (a typo, or a machine whose clock is wrong), a review date more than a
// year old, and, when b holds imported sheets, a replaces: id that is not
// one of them. These never stop the bot: a stale item is still answered
// with, its review date shown, and flagged here; a sheet may leave the
// catalogue at the next import, and that must not stop the bot either.
// Imported items are left out: their date is the official sheet's,
// refreshed by a new import.
func Review(b *Base, today time.Time) Problems {
	if b == nil {
		return nil
	}
	// Compare calendar days: review dates have no time zone.
	day := calendarDay(today)
	// Without imported sheets (validate without --db, the demo) nothing
	// says which ids a catalogue has: replaces: is not checked then.
	sheets, handWritten := map[string]bool{}, map[string]bool{}
	for _, it := range b.Items {
		switch {
		case it == nil:
		case it.Origin != "":
			sheets[it.ID] = true
		default:
			handWritten[it.ID] = true
		}
	}
	for id := range b.replacedBy {
		sheets[id] = true
	}
	var ps Problems
	for _, it := range b.Items {
		if it == nil || it.Origin != "" {
			continue
		}
		name := fmt.Sprintf("item %q", it.ID)
		for _, id := range it.Replaces {
			// A hand-written id is Validate's problem, not a review.
			if len(sheets) > 0 && id != "" && !sheets[id] && !handWritten[id] {
				ps.add(it.Pos, "%s replaces %s, which is not among the imported sheets: check the id, or remove it if the sheet left the catalogue", name, id)
			}
		}
		if it.Reviewed.IsZero() {
			continue
		}
		switch {
		case it.Reviewed.After(day.AddDate(0, 0, reviewedSlackDays)):
			ps.add(it.Pos, "%s has a review date in the future (%s): write the day the sheet was last checked, or check this machine's clock", name, it.Reviewed)
		case it.Reviewed.Before(day.AddDate(-staleYears, 0, 0)):
			ps.add(it.Pos, "%s was last checked against its source on %s, over a year ago: check it again and update reviewed", name, it.Reviewed)
		case it.ReviewEvery > 0 && !it.Reviewed.AddDate(0, it.ReviewEvery, 0).After(day):
			ps.add(it.Pos, "%s is due for review: checked on %s, to be checked every %d months (review_every); the programme may have changed or ended", name, it.Reviewed, it.ReviewEvery)
		}
	}
	if len(ps) == 0 {
		return nil
	}
	ps.sort()
	return ps
}

// calendarDay is t's calendar day, at midnight UTC like the dates of
// knowledge files.
func calendarDay(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// validator holds what checks share. items indexes Base.Items itself
// rather than using Base's index, so that a Base built by hand (without
// NewBase) is validated the same way.
type validator struct {
	items   map[string]*Item
	itemIDs []string // for suggestions, in file order
	probs   Problems
}

func (v *validator) add(pos Pos, format string, args ...any) {
	v.probs.add(pos, format, args...)
}

func (v *validator) checkItems(items []*Item) {
	for _, it := range items {
		if it == nil {
			continue
		}
		// Imported items were checked by their importer against the
		// official format; here they only count as known answers.
		if it.Origin == "" {
			v.checkItem(it)
		}
		if it.ID == "" {
			continue
		}
		if first, dup := v.items[it.ID]; dup {
			v.add(it.Pos, "item id %q is already used by the item at %s: each item needs its own id", it.ID, first.Pos)
			continue
		}
		v.items[it.ID] = it
		v.itemIDs = append(v.itemIDs, it.ID)
	}
}

func (v *validator) checkItem(it *Item) {
	name := "item"
	if it.ID != "" {
		name = fmt.Sprintf("item %q", it.ID)
	}
	p := it.Pos
	switch {
	case it.ID == "":
		v.add(p, "item has no id (id:): give it a short unique name such as cni-perte")
	case strings.ContainsFunc(it.ID, unicode.IsSpace):
		v.add(p, "item id %q contains spaces: use letters, digits and dashes, such as cni-perte", it.ID)
	}
	switch {
	case it.Kind == "":
		v.add(p, "%s has no kind (kind:): write procedure, program, place or emergency", name)
	case !slices.Contains(kinds, string(it.Kind)):
		v.add(p, "%s has an unknown kind %q: write procedure, program, place or emergency%s", name, it.Kind, didYouMean(string(it.Kind), kinds))
	}
	if it.Title == "" {
		v.add(p, "%s has no title (title:)", name)
	}
	if it.Summary == "" {
		v.add(p, "%s has no summary (summary:): one sentence saying what the sheet is for", name)
	}

	// Every answer the bot gives must be traceable to an official source
	// (the bot never invents a procedure).
	sources := slices.DeleteFunc(slices.Clone(it.Sources), func(s string) bool { return s == "" })
	if len(sources) == 0 {
		v.add(p, "%s has no official source URL (sources:)", name)
	}
	for _, s := range sources {
		if !IsWebURL(s) {
			v.add(p, "%s: source %q is not a full web address starting with https:// or http://", name, shorten(s, 80))
		}
	}

	if it.Reviewed.IsZero() {
		v.add(p, "%s has no review date (reviewed: YYYY-MM-DD): write the day the sheet was last checked against its source", name)
	}

	for i, l := range it.Where.Online {
		if l.Label == "" {
			v.add(p, "%s: online link %d (where.online) has no label: say what the link is for", name, i+1)
		}
		switch {
		case l.URL == "":
			v.add(p, "%s: online link %d (where.online) has no url", name, i+1)
		case !IsWebURL(l.URL):
			v.add(p, "%s: online link %d (where.online) url %q is not a full web address starting with https:// or http://", name, i+1, shorten(l.URL, 80))
		}
	}

	if it.Kind == KindEmergency {
		if it.Where.Phone == "" {
			v.add(p, "%s is an emergency number without a number (where: {phone: …})", name)
		}
		if len(it.Danger) == 0 {
			v.add(p, "%s is an emergency number for no danger (danger:): list what it is for, among %s", name, strings.Join(DangerCategories, ", "))
		}
	} else if len(it.Danger) > 0 {
		v.add(p, "%s lists dangers but is not an emergency number (kind: emergency)", name)
	}
	for _, c := range it.Danger {
		if !slices.Contains(DangerCategories, c) {
			v.add(p, "%s has an unknown danger %q: use %s%s", name, c, strings.Join(DangerCategories, ", "), didYouMean(c, DangerCategories))
		}
	}
	v.checkPlace(it, name)
	for _, a := range it.Audience {
		if a != "" && !slices.Contains(audiences, a) {
			v.add(p, "%s has an unknown audience %q: use particulier, professionnel or association%s", name, a, didYouMean(a, audiences))
		}
	}
	for _, id := range it.Replaces {
		switch {
		case strings.ContainsFunc(id, unicode.IsSpace):
			v.add(p, "%s: replaces %q contains spaces: write the id of an imported sheet, such as F1344", name, shorten(id, 40))
		case id != "" && id == it.ID:
			v.add(p, "%s replaces itself: write the id of an imported sheet, such as F1344", name)
		}
	}
	for _, f := range []struct {
		field string
		list  []string
	}{
		{"audience", it.Audience}, {"steps", it.Steps}, {"documents", it.Documents},
		{"keywords", it.Keywords}, {"synonyms", it.Synonyms}, {"sources", it.Sources},
		{"replaces", it.Replaces},
	} {
		// Empty entries are leftovers of editing ("- " with nothing after
		// it); an item with only empty sources was reported above.
		if slices.Contains(f.list, "") && (f.field != "sources" || len(sources) > 0) {
			v.add(p, "%s has an empty entry in %s: remove it", name, f.field)
		}
	}
}

// checkReplaces: replaces: names imported sheets. A hand-written item
// named there would silently vanish from the answers, and a sheet two
// items replace would leave the bot to pick one of them for its id.
func (v *validator) checkReplaces(items []*Item) {
	by := map[string]*Item{}
	for _, it := range items {
		if it == nil || it.Origin != "" {
			continue
		}
		name := fmt.Sprintf("item %q", it.ID)
		for _, id := range it.Replaces {
			if id == "" || id == it.ID || strings.ContainsFunc(id, unicode.IsSpace) {
				continue // reported by checkItem
			}
			if other := v.items[id]; other != nil && other.Origin == "" {
				v.add(it.Pos, "%s replaces %s, a hand-written item (at %s): replaces: names imported sheets such as F1344; merge the two items or delete one", name, id, other.Pos)
				continue
			}
			switch first, dup := by[id]; {
			case dup && first == it:
				v.add(it.Pos, "%s lists %s twice in replaces: remove one", name, id)
			case dup:
				v.add(it.Pos, "%s replaces %s, which item %q (at %s) already replaces: a sheet gives way to one item, remove it from one of them", name, id, first.ID, first.Pos)
			default:
				by[id] = it
			}
		}
	}
}

// IsWebURL reports whether s is an absolute http(s) URL with a host: the
// only kind of link a citizen can open from a chat message (an imported
// place's website may hold anything).
func IsWebURL(s string) bool {
	if strings.ContainsFunc(s, unicode.IsSpace) {
		return false
	}
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Hostname() != ""
}

func (v *validator) checkTrees(trees []*Tree) {
	seen := make(map[string]*Tree, len(trees))
	for _, t := range trees {
		if t == nil {
			continue
		}
		if t.ID != "" {
			if first, dup := seen[t.ID]; dup {
				v.add(t.Pos, "tree id %q is already used by the tree at %s: each tree needs its own id", t.ID, first.Pos)
			} else {
				seen[t.ID] = t
			}
		}
		v.checkTree(t)
	}
}

func (v *validator) checkTree(t *Tree) {
	name := "tree"
	if t.ID != "" {
		name = fmt.Sprintf("tree %q", t.ID)
	}
	p := t.Pos
	switch {
	case t.ID == "":
		v.add(p, "tree has no id (id:): give it a short unique name such as papiers-identite")
	case strings.ContainsFunc(t.ID, unicode.IsSpace):
		v.add(p, "tree id %q contains spaces: use letters, digits and dashes, such as papiers-identite", t.ID)
	}
	if t.Title == "" {
		v.add(p, "%s has no title (title:)", name)
	}
	switch {
	case len(t.Triggers) == 0:
		v.add(p, "%s has no triggers (triggers:): list the words a citizen types to start it", name)
	case slices.Contains(t.Triggers, ""):
		v.add(p, "%s has an empty entry in triggers: remove it", name)
	}

	// Node names in file order, so that problems come out in reading order
	// and map iteration never makes the output change between runs. The
	// map key is the node's name (a hand-built Node may lack its ID).
	order := make([]string, 0, len(t.Nodes))
	for id, n := range t.Nodes {
		if n != nil {
			order = append(order, id)
		}
	}
	slices.SortFunc(order, func(a, b string) int {
		return cmp.Or(cmp.Compare(t.Nodes[a].Pos.Line, t.Nodes[b].Pos.Line), cmp.Compare(a, b))
	})
	sorted := slices.Sorted(slices.Values(order)) // for suggestions

	startOK := false
	switch {
	case t.Start == "":
		v.add(p, "%s has no start node (start:): name the first question", name)
	case t.Nodes[t.Start] == nil:
		if len(order) > 0 {
			v.add(p, "%s: start node %q does not exist%s", name, t.Start, didYouMean(t.Start, sorted))
		}
	default:
		startOK = true
	}
	if len(order) == 0 {
		v.add(p, "%s has no nodes (nodes:): it needs at least one question", name)
	}

	for _, id := range order {
		v.checkNode(t, id, sorted)
	}
	if startOK {
		v.checkPaths(t, order)
		v.checkSides(t, order)
	}
}

// checkSides reports an answer a person of another jurisdiction could
// reach: a Québec tree answering with a French item, or a shared tree
// answering with one before any route has sent the person to France's
// branch. "" stands for « anyone ».
func (v *validator) checkSides(t *Tree, order []string) {
	sides := map[string]map[string]bool{t.Start: {t.Jurisdiction: true}}
	queue := []string{t.Start}
	for len(queue) > 0 {
		id := queue[0]
		queue = queue[1:]
		n := t.Nodes[id]
		reach := func(next string, with map[string]bool) {
			if t.Nodes[next] == nil {
				return
			}
			if sides[next] == nil {
				sides[next] = map[string]bool{}
			}
			grew := false
			for s := range with {
				if !sides[next][s] {
					sides[next][s], grew = true, true
				}
			}
			if grew {
				queue = append(queue, next)
			}
		}
		for _, c := range n.Choices {
			reach(c.Next, sides[id])
		}
		for j, next := range n.Route {
			if isJurisdiction(j) { // a bad key is reported on its own
				reach(next, map[string]bool{j: true})
			}
		}
	}
	for _, id := range order {
		for _, c := range t.Nodes[id].Choices {
			for _, item := range c.Answer {
				it := v.items[item]
				if it == nil || it.Jurisdiction == "" {
					continue
				}
				for _, s := range slices.Sorted(maps.Keys(sides[id])) {
					if s == it.Jurisdiction {
						continue
					}
					who := "anyone"
					if s != "" {
						who = "people in " + s
					}
					v.add(c.Pos, "choice %q of node %q answers with %s, an item for %s only, but %s can reach it: move it to a branch of a route (route: {%s: …}) or pick an item for them", c.Label, id, item, it.Jurisdiction, who, it.Jurisdiction)
					break
				}
			}
		}
	}
}

func (v *validator) checkNode(t *Tree, id string, ids []string) {
	n := t.Nodes[id]
	name := fmt.Sprintf("node %q", id)
	if id == "" {
		name = "node with an empty name"
		v.add(n.Pos, "a node has an empty name: give it a short name such as quel-document")
	}
	if n.Route != nil {
		v.checkRoute(t, name, n, ids)
		return
	}
	if n.Ask == "" {
		v.add(n.Pos, "%s has no question (ask:)", name)
	}
	switch {
	case len(n.Choices) == 0:
		v.add(n.Pos, "%s has no choices: the citizen would be stuck there with no way out", name)
	case len(n.Choices) > MaxChoices:
		v.add(n.Pos, "%s has %d choices but at most %d fit on screen: group some of them behind another question", name, len(n.Choices), MaxChoices)
	}

	labels := make(map[string]Choice, len(n.Choices))
	for i, c := range n.Choices {
		cname := fmt.Sprintf("choice %q of %s", c.Label, name)
		if c.Label == "" {
			cname = fmt.Sprintf("choice %d of %s", i+1, name)
			v.add(c.Pos, "%s has no label (label:): write the text of the button", cname)
		} else if f := foldText(c.Label); f != "" {
			if first, dup := labels[f]; dup {
				v.add(c.Pos, "%s: the same label is already used by the choice at line %d (%q): citizens could not tell them apart", cname, first.Pos.Line, first.Label)
			} else {
				labels[f] = c
			}
		}

		var targets []string
		if c.Next != "" {
			targets = append(targets, "next")
		}
		if len(c.Answer) > 0 {
			targets = append(targets, "answer")
		}
		if c.Escalate != "" {
			targets = append(targets, "escalate")
		}
		if c.Nearest != nil {
			targets = append(targets, "nearest")
			v.nearest(c.Pos, cname, *c.Nearest)
		}
		switch len(targets) {
		case 0:
			v.add(c.Pos, "%s leads nowhere: give it next: (another question), answer: (item ids), escalate: (a mediators' topic) or nearest: (places near the person)", cname)
		case 1:
		default:
			v.add(c.Pos, "%s has %s and %s: a choice must have exactly one of next:, answer:, escalate: and nearest:", cname, strings.Join(targets[:len(targets)-1], ", "), targets[len(targets)-1])
		}

		if c.Next != "" && t.Nodes[c.Next] == nil {
			v.add(c.Pos, "%s: next node %q does not exist in %s%s", cname, c.Next, treeName(t), didYouMean(c.Next, ids))
		}
		for _, item := range c.Answer {
			switch _, ok := v.items[item]; {
			case item == "":
				v.add(c.Pos, "%s has an empty item id in answer:", cname)
			case !ok:
				v.add(c.Pos, "%s: answer item %q does not exist%s", cname, item, didYouMean(item, v.itemIDs))
			}
		}
		if slices.Contains(c.Keywords, "") {
			v.add(c.Pos, "%s has an empty entry in keywords: remove it", cname)
		}
	}
}

// checkRoute checks a node that branches on the jurisdiction.
func (v *validator) checkRoute(t *Tree, name string, n *Node, ids []string) {
	if n.Ask != "" || len(n.Choices) > 0 {
		v.add(n.Pos, "%s has a route: and a question: a route node only sends each jurisdiction to its node; put the question in the nodes it leads to", name)
	}
	if len(n.Route) == 0 {
		v.add(n.Pos, "%s has an empty route: give each jurisdiction its node (route: {FR: …, QC: …})", name)
	}
	if t.Jurisdiction != "" {
		v.add(n.Pos, "%s routes by jurisdiction but %s is for %s only: remove its jurisdiction: or the route", name, treeName(t), t.Jurisdiction)
	}
	for _, j := range slices.Sorted(maps.Keys(n.Route)) {
		// Route nodes chained for one side must end at a question.
		seen := map[string]bool{n.ID: true}
		for cur := t.Nodes[n.Route[j]]; cur != nil && cur.Route != nil; cur = t.Nodes[cur.Route[j]] {
			if seen[cur.ID] {
				v.add(n.Pos, "%s: for %s, its route leads back to node %q: route nodes go round in circles and the person never gets a question", name, j, cur.ID)
				break
			}
			seen[cur.ID] = true
		}
		next := n.Route[j]
		switch {
		case !isJurisdiction(j):
			v.add(n.Pos, "%s: route key %q is not a jurisdiction code (two capital letters: FR, QC, BE…)", name, j)
		case next == n.ID:
			v.add(n.Pos, "%s: route %s leads back to the same node", name, j)
		case t.Nodes[next] == nil:
			v.add(n.Pos, "%s: route %s leads to node %q, which does not exist in %s%s", name, j, next, treeName(t), didYouMean(next, ids))
		}
	}
}

// isJurisdiction says whether j looks like a jurisdiction code: two
// capital letters (FR, QC, BE, CH).
func isJurisdiction(j string) bool {
	return len(j) == 2 && 'A' <= j[0] && j[0] <= 'Z' && 'A' <= j[1] && j[1] <= 'Z'
}

func treeName(t *Tree) string {
	if t.ID == "" {
		return "this tree"
	}
	return fmt.Sprintf("tree %q", t.ID)
}

// checkPaths reports nodes that cannot be reached from the start, and
// reachable nodes from which no sequence of choices ever ends (a loop with
// no answer and no mediator).
func (v *validator) checkPaths(t *Tree, order []string) {
	reached := map[string]bool{t.Start: true}
	queue := []string{t.Start}
	for len(queue) > 0 {
		n := t.Nodes[queue[0]]
		queue = queue[1:]
		for _, next := range n.Nexts() {
			if t.Nodes[next] != nil && !reached[next] {
				reached[next] = true
				queue = append(queue, next)
			}
		}
	}
	for _, id := range order {
		if !reached[id] {
			v.add(t.Nodes[id].Pos, "node %q can never be reached from the start node %q: lead to it from a choice (next: %s) or delete it", id, t.Start, id)
		}
	}

	// Walk backwards from the nodes where a conversation can end: a node
	// that leads to such a node can end too. This is linear in the size of
	// the tree, however large a generated tree gets.
	preds := make(map[string][]string, len(order))
	ends := make(map[string]bool, len(order))
	var todo []string
	for _, id := range order {
		n := t.Nodes[id]
		if endsHere(t, n) {
			ends[id] = true
			todo = append(todo, id)
		}
		for _, next := range n.Nexts() {
			if t.Nodes[next] != nil {
				preds[next] = append(preds[next], id)
			}
		}
	}
	for len(todo) > 0 {
		id := todo[len(todo)-1]
		todo = todo[:len(todo)-1]
		for _, p := range preds[id] {
			if !ends[p] {
				ends[p] = true
				todo = append(todo, p)
			}
		}
	}
	for _, id := range order {
		if reached[id] && !ends[id] {
			v.add(t.Nodes[id].Pos, "node %q: no sequence of choices from here ever ends with an answer or a mediator (escalate:); the conversation would go round in circles", id)
		}
	}
}

// endsHere reports whether n has a choice that ends the conversation.
// Nodes without choices and broken choices (no target, unknown next) count
// as ends: they are reported on their own, and one typo should not also
// show up as a loop.
func endsHere(t *Tree, n *Node) bool {
	if n.Route != nil {
		// A route ends where the nodes it leads to end; a broken route
		// is reported on its own.
		for _, next := range n.Route {
			if t.Nodes[next] == nil || next == n.ID {
				return true
			}
		}
		return len(n.Route) == 0
	}
	if len(n.Choices) == 0 {
		return true
	}
	for _, c := range n.Choices {
		if len(c.Answer) > 0 || c.Escalate != "" || c.Next == "" || t.Nodes[c.Next] == nil {
			return true
		}
	}
	return false
}

func (v *validator) checkSynonyms(groups [][]string, pos []Pos) {
	for i, g := range groups {
		var p Pos
		if i < len(pos) {
			p = pos[i]
		}
		n := 0
		for _, s := range g {
			if strings.TrimSpace(s) != "" {
				n++
			}
		}
		if n < 2 {
			v.add(p, "synonyms group %d %s has fewer than 2 phrases: a group lists words that mean the same thing", i+1, groupText(g))
		}
		if n != len(g) && n >= 2 {
			v.add(p, "synonyms group %d %s has an empty phrase: remove it", i+1, groupText(g))
		}
	}
}

func groupText(g []string) string {
	q := make([]string, len(g))
	for i, s := range g {
		q[i] = fmt.Sprintf("%q", shorten(s, 40))
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// foldText lowercases s, removes the accents of Latin letters and turns
// punctuation into single spaces, so that "Carte d'identité" and
// "carte d’identite" compare equal. It is a small standard-library copy of
// knowledge/analysis.Fold: this package imports only the standard library
// and the YAML decoder (docs/architecture.md), and its sub-packages may import it.
func foldText(s string) string {
	var b strings.Builder
	space := true
	for _, r := range s {
		r = unicode.ToLower(r)
		switch {
		case r == 'œ':
			b.WriteString("oe")
			space = false
		case r == 'æ':
			b.WriteString("ae")
			space = false
		case r == 'ß':
			b.WriteString("ss")
			space = false
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(unaccent(r))
			space = false
		case unicode.Is(unicode.Mn, r):
			// a combining accent (decomposed input): drop it
		default:
			if !space {
				b.WriteByte(' ')
				space = true
			}
		}
	}
	return strings.TrimRight(b.String(), " ")
}

// unaccent maps an accented lowercase Latin letter to its base letter.
func unaccent(r rune) rune {
	switch r {
	case 'à', 'á', 'â', 'ã', 'ä', 'å', 'ā', 'ă', 'ą':
		return 'a'
	case 'ç', 'ć', 'ĉ', 'ċ', 'č':
		return 'c'
	case 'ď', 'đ':
		return 'd'
	case 'è', 'é', 'ê', 'ë', 'ē', 'ĕ', 'ė', 'ę', 'ě':
		return 'e'
	case 'ĝ', 'ğ', 'ġ', 'ģ':
		return 'g'
	case 'ì', 'í', 'î', 'ï', 'ĩ', 'ī', 'ĭ', 'į', 'ı':
		return 'i'
	case 'ñ', 'ń', 'ņ', 'ň':
		return 'n'
	case 'ò', 'ó', 'ô', 'õ', 'ö', 'ø', 'ō', 'ŏ', 'ő':
		return 'o'
	case 'ŕ', 'ř':
		return 'r'
	case 'ś', 'ŝ', 'ş', 'š':
		return 's'
	case 'ţ', 'ť':
		return 't'
	case 'ù', 'ú', 'û', 'ü', 'ũ', 'ū', 'ŭ', 'ů', 'ű', 'ų':
		return 'u'
	case 'ý', 'ÿ':
		return 'y'
	case 'ź', 'ż', 'ž':
		return 'z'
	}
	return r
}

// nearest checks a choice's nearest: action: known service and label
// codes, at least one of them.
func (v *validator) nearest(pos Pos, cname string, f Filter) {
	if len(f.Services) == 0 && len(f.Labels) == 0 {
		v.add(pos, "%s: nearest: names no service nor label: write nearest: {services: [%s]} or nearest: {labels: [%s]}", cname, ServiceDemarches, LabelFranceServices)
	}
	for _, s := range f.Services {
		if !slices.Contains(Services, s) {
			v.add(pos, "%s: nearest: unknown service %q%s (known: %s)", cname, s, didYouMean(s, Services), strings.Join(Services, ", "))
		}
	}
	for _, l := range f.Labels {
		if !slices.Contains(Labels, l) {
			v.add(pos, "%s: nearest: unknown label %q%s (known: %s)", cname, l, didYouMean(l, Labels), strings.Join(Labels, ", "))
		}
	}
}
