package engine

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/boussole/boussole/bot"
	"github.com/boussole/boussole/bot/answer"
	"github.com/boussole/boussole/knowledge"
)

// Offer actions of the escalation workflow.
const (
	actConsent = "consent" // Arg: "y|queue|reason|topic[|summary]" or "n|…"
	// consentSummary ends a consent offer whose question announced the
	// model's summary.
	consentSummary = "summary"
	actCancel      = "cancel"
)

// caseTurn handles a citizen's message while they have a case. It reports
// false when the case is over and the message should be handled as usual.
func (t *turn) caseTurn(folded, cmd string) (bool, error) {
	c, err := t.e.store.Case(t.ctx, t.conv.CaseID)
	if err != nil && !errors.Is(err, knowledge.ErrNotFound) {
		// Storage trouble: the person keeps their case and is told to
		// try again.
		return false, fmt.Errorf("load case %d: %w", t.conv.CaseID, err)
	}
	if err != nil || c.Address != t.in.Address {
		t.conv.State, t.conv.CaseID = bot.StateIdle, 0
		return false, nil
	}
	if c.Status == bot.CaseClosed {
		t.conv.State = bot.StateIdle
		if n, err := strconv.Atoi(folded); err == nil && n >= 1 && n <= 5 && c.Satisfaction == 0 {
			return true, t.rate(c.ID, n)
		}
		return false, nil
	}
	switch {
	case cmd == cmdRestart || slices.Contains(t.e.words.cancel, folded):
		return true, t.endCase(c)
	case cmd == cmdForgetMe || cmd == cmdHelp:
		return false, nil
	}
	if c.Status == bot.CaseClaimed && c.Mediator != nil {
		t.conv.State = bot.StateWithMediator
		// The relayed message is queued with this turn, in its transaction.
		t.replies = append(t.replies, bot.Reply{To: c.Mediator.Address, About: c.Address, Text: t.e.cat.T(t.e.cfg.Lang, "relay_from_citizen", "case", strconv.FormatInt(c.ID, 10), "text", t.relayed(t.text, t.e.cfg.Lang))})
		t.silent, t.forCase = true, true
		return true, nil
	}
	// Waiting: the message is stored with the turn, where the case
	// summary reads it.
	t.forCase = true
	t.say(t.msg("case_waiting", "case", strconv.FormatInt(c.ID, 10)) + t.waitInfo(c))
	return true, nil
}

// endCase closes a case at the citizen's request.
func (t *turn) endCase(c bot.Case) error {
	sid := strconv.FormatInt(c.ID, 10)
	var out []bot.Reply
	if c.Status == bot.CaseClaimed && c.Mediator != nil {
		out = append(out, t.to(c.Mediator.Address, t.e.cfg.Lang, "mediator_citizen_left", "case", sid))
	} else if q, ok := t.e.cfg.Mediation.Queue(c.Queue); ok {
		out = append(out, t.to(q.Channel, t.e.cfg.Lang, "queue_cancelled", "case", sid))
	}
	_, err := t.e.store.UpdateCase(t.ctx, c.ID, []bot.CaseStatus{bot.CaseOpen, bot.CaseClaimed}, bot.CaseChange{Status: bot.CaseClosed, Outcome: outcomeCancelled, At: t.now}, out)
	if err != nil && !errors.Is(err, bot.ErrCaseConflict) {
		return fmt.Errorf("cancel case: %w", err)
	}
	if err == nil {
		t.tallyCase(bot.TallyClosed, c, bot.Tally{Outcome: bot.OutcomeCancelled})
	}
	t.conv.State, t.conv.CaseID = bot.StateIdle, 0
	t.conv.TreeID, t.conv.TreeVersion, t.conv.Node, t.conv.Path = "", 0, "", nil
	t.say(t.msg("case_cancelled"))
	t.topics()
	return nil
}

// rate records the citizen's satisfaction with a closed case.
func (t *turn) rate(id int64, n int) error {
	c, err := t.e.store.Case(t.ctx, id)
	if err != nil && !errors.Is(err, knowledge.ErrNotFound) {
		return fmt.Errorf("load case %d: %w", id, err)
	}
	if err != nil || c.Address != t.in.Address || c.Status != bot.CaseClosed || c.Satisfaction != 0 {
		t.say(t.msg("expired"))
		return nil
	}
	if _, err := t.e.store.UpdateCase(t.ctx, id, []bot.CaseStatus{bot.CaseClosed}, bot.CaseChange{Satisfaction: n, At: t.now}, nil); err != nil {
		return fmt.Errorf("rate case: %w", err)
	}
	t.tallyCase(bot.TallyRating, c, bot.Tally{Value: n})
	t.conv.State, t.conv.CaseID = bot.StateIdle, 0
	t.say(t.msg("thanks_rating"))
	return nil
}

// ratingPayload handles a click on a satisfaction button "s:ID:N".
func (t *turn) ratingPayload() (bool, error) {
	p, ok := strings.CutPrefix(t.in.Payload, "s:")
	if !ok {
		return false, nil
	}
	a, b, _ := strings.Cut(p, ":")
	id, err1 := strconv.ParseInt(a, 10, 64)
	n, err2 := strconv.Atoi(b)
	if err1 != nil || err2 != nil || n < 1 || n > 5 {
		t.say(t.msg("expired"))
		return true, nil
	}
	return true, t.rate(id, n)
}

// askConsent asks whether the mediator may read the conversation, when a
// mediators' queue will receive the case about topic (a tree id, or "").
func (t *turn) askConsent(queue, topic, reason string) {
	// The reason goes before the topic: offers stored before the topic
	// was carried read "y|queue|reason". A fifth part says the question
	// announced a summary by the model: only then does « yes » allow it.
	arg := queue + "|" + reason + "|" + topic
	if t.summaryOn(queue) {
		t.say(t.msg("consent_ask_summary"))
		arg += "|" + consentSummary
	} else {
		t.say(t.msg("consent_ask"))
	}
	t.offer(
		bot.Offer{Label: t.msg("btn_consent_yes"), Action: actConsent, Arg: "y|" + arg, Keys: t.e.words.yes},
		bot.Offer{Label: t.msg("btn_consent_no"), Action: actConsent, Arg: "n|" + arg, Keys: t.e.words.no},
		bot.Offer{Label: t.msg("btn_cancel"), Action: actCancel, Keys: t.e.words.cancel},
	)
}

func (t *turn) consent(arg string) error {
	parts := strings.SplitN(arg, "|", 5)
	if len(parts) < 3 {
		return fmt.Errorf("consent offer: bad argument %q", arg)
	}
	topic := ""
	if len(parts) >= 4 {
		topic = parts[3]
	}
	yes := parts[0] == "y"
	// The question said a summary would be written (askConsent), and
	// the model is still on for it.
	t.summaryOK = yes && len(parts) == 5 && parts[4] == consentSummary && t.summaryOn(parts[1])
	return t.openCase(parts[1], topic, parts[2], yes)
}

// caseTopic is the tree a case opened now is about, so that it reaches
// that topic's mediators: the conversation's tree (under way, or the one
// that gave the last answer), else the tree that leads soonest to the
// sheet last added to those shown, when that sheet is the answer on
// screen, else the tree every sheet and topic on offer belongs to. ""
// when the conversation has no topic yet.
func (t *turn) caseTopic() string {
	if t.conv.TreeID != "" {
		return t.conv.TreeID
	}
	if t.conv.State == bot.StateAnswered && len(t.conv.Shown) > 0 {
		if id := t.topicOf("", t.conv.Shown[len(t.conv.Shown)-1]); id != "" {
			return id
		}
	}
	tree := ""
	var items []string
	for _, o := range t.conv.Offered {
		switch {
		case o.Action == actTree && tree != "" && o.Arg != tree:
			return "" // the topics menu, or offers of several topics
		case o.Action == actTree:
			tree = o.Arg
		case o.Action == actItem && t.topicOf("", o.Arg) != "":
			// A sheet no tree gives says nothing of the topic.
			items = append(items, o.Arg)
		}
	}
	if tree == "" && len(items) == 0 {
		return ""
	}
	return t.topicOf(tree, items...)
}

// topicOf is the tree of the person's side (or a shared one) whose
// questions lead to every one of items soonest, in all; only tree itself
// when it is not "". The first in the knowledge's order wins a tie; ""
// when no tree gives them all.
func (t *turn) topicOf(tree string, items ...string) string {
	j := t.jurisdiction()
	best, cost := "", 0
	for _, tr := range t.snap.base.Trees {
		if (tree != "" && tr.ID != tree) || (j != "" && tr.Jurisdiction != "" && tr.Jurisdiction != j) {
			continue
		}
		c := 0
		for _, it := range items {
			d := answerDepth(tr, it)
			if d == 0 {
				c = -1
				break
			}
			c += d
		}
		if c >= 0 && (best == "" || c < cost) {
			best, cost = tr.ID, c
		}
	}
	return best
}

// topicTree is tree id as the conversation knows it: the version it is
// pinned to when it is the conversation's tree, else the one in force.
func (t *turn) topicTree(id string) (*knowledge.Tree, error) {
	if id == t.conv.TreeID {
		return t.e.tree(t.ctx, t.snap, id, t.conv.TreeVersion)
	}
	tr, ok := t.snap.base.Tree(id)
	if !ok {
		return nil, fmt.Errorf("tree %s: %w", id, knowledge.ErrNotFound)
	}
	return tr, nil
}

// answerDepth is how many questions of tr the person answers before item
// is given (a route node asks none), or 0 when no choice gives it.
func answerDepth(tr *knowledge.Tree, item string) int {
	// Breadth first with free route hops: a node reached through a route
	// goes to the front, so nodes come out in order of questions asked.
	depth := map[string]int{tr.Start: 0}
	queue := []string{tr.Start}
	for len(queue) > 0 {
		id := queue[0]
		queue = queue[1:]
		n := tr.Nodes[id]
		if n == nil {
			continue
		}
		d := depth[id]
		if n.Route != nil {
			for _, next := range n.Nexts() {
				if old, seen := depth[next]; !seen || d < old {
					depth[next] = d
					queue = append([]string{next}, queue...)
				}
			}
			continue
		}
		for _, c := range n.Choices {
			if slices.Contains(c.Answer, item) {
				return d + 1
			}
		}
		for _, next := range n.Nexts() {
			if old, seen := depth[next]; !seen || d+1 < old {
				depth[next] = d + 1
				queue = append(queue, next)
			}
		}
	}
	return 0
}

// openCase records the case about topic (a tree id, or "": a general
// request), puts it in its queue's channel and tells the citizen where
// they stand.
func (t *turn) openCase(queue, topic, reason string, consent bool) error {
	words, err := t.lastWords()
	if err != nil {
		return err
	}
	title := t.e.cat.T(t.e.cfg.Lang, "topic_general")
	if topic != "" {
		tr, err := t.topicTree(topic)
		switch {
		case errors.Is(err, knowledge.ErrNotFound):
			topic = "" // gone from the knowledge since the question
		case err != nil:
			return err
		default:
			title = answer.NewWriter(t.e.cat, t.e.cfg.Lang).TreeTitle(tr)
		}
	}
	var urgent []string
	if r, cats, ok := strings.Cut(reason, ":"); ok && r == reasonDanger {
		reason, urgent = r, strings.Split(cats, ",")
	}
	sum := bot.CaseSummary{Topic: title, TreeID: topic, Reason: reason, Jurisdiction: t.jurisdiction()}
	if consent {
		sum.Path, sum.Shown, sum.LastWords = t.conv.Path, t.conv.Shown, words
		if !t.conv.Town.IsZero() {
			sum.Town = t.townLabel(t.conv.Town)
		}
		sum.Understood = t.conv.Topic.Understood
		if t.summaryOK && !strings.HasPrefix(reason, reasonDanger) {
			sum.Machine = t.machineSummary(queue, title, words, t.conv.Shown)
		}
	}
	c := bot.Case{Address: t.in.Address, Queue: queue, Status: bot.CaseOpen, Lang: t.conv.Lang, Consent: consent,
		Summary: sum, CreatedAt: t.now, UpdatedAt: t.now, Urgent: urgent}
	held := t.conv.CaseID
	id, err := t.e.store.OpenCase(t.ctx, c)
	if err != nil {
		return fmt.Errorf("open case: %w", err)
	}
	c.ID = id
	if id != held { // not the case already open, returned again
		t.tallyCase(bot.TallyEscalated, c, bot.Tally{Reason: reason}) // the kinds of danger are cut off above
	}
	t.conv.State, t.conv.CaseID, t.conv.Misses = bot.StateEscalated, id, 0
	info := ""
	if q, ok := t.e.cfg.Mediation.Queue(queue); ok {
		post, err := t.cases().announcement(c, q)
		if err != nil {
			return err
		}
		if _, err := t.e.store.UpdateCase(t.ctx, id, []bot.CaseStatus{bot.CaseOpen}, bot.CaseChange{Announced: true, At: t.now}, []bot.Reply{post}); err != nil && !errors.Is(err, bot.ErrCaseConflict) {
			return fmt.Errorf("announce case: %w", err)
		}
		info = t.waitInfo(c)
	}
	t.say(t.msg("escalated", "case", strconv.FormatInt(id, 10)) + info)
	return nil
}

// waitInfo tells a waiting citizen their place in the queue and, outside
// opening hours, when the mediators come back and where to find help
// meanwhile.
func (t *turn) waitInfo(c bot.Case) string {
	q, ok := t.e.cfg.Mediation.Queue(c.Queue)
	if !ok {
		return ""
	}
	info := ""
	if cs, err := t.e.store.Cases(t.ctx, c.Queue, bot.CaseOpen); err == nil {
		for i, o := range cs {
			if o.ID == c.ID {
				info = "\n" + t.msg("queue_position", "position", strconv.Itoa(i+1))
			}
		}
	}
	if q.Hours != nil && !q.Hours.Open(t.now) {
		next := ""
		if n, ok := q.Hours.Next(t.now); ok {
			next = q.Hours.FormatNext(n, t.lang())
		}
		info += "\n" + t.msg("queue_closed", "hours", q.Hours.Describe(t.lang()), "next", next)
		if q.Fallback != "" {
			info += "\n" + t.msg("queue_fallback", "contact", q.Fallback)
		}
	}
	return info
}

// Reannounce posts again, in their queue's channel, the open cases nobody
// claimed within after.
func (e *Engine) Reannounce(ctx context.Context, after time.Duration) (int, error) {
	now := e.now()
	cs, err := e.med.Cases(ctx, "", bot.CaseOpen)
	if err != nil {
		return 0, fmt.Errorf("reannounce: %w", err)
	}
	v := caseText{e: e, ctx: ctx, snap: e.snap.Load(), lang: e.cfg.Lang, now: now}
	n := 0
	for _, c := range cs {
		q, ok := e.cfg.Mediation.Queue(c.Queue)
		if !ok || now.Sub(c.AnnouncedAt) < after {
			continue
		}
		r, err := v.announcement(c, q)
		if err != nil {
			return n, fmt.Errorf("reannounce case %d: %w", c.ID, err)
		}
		r.Text = e.cat.T(e.cfg.Lang, "queue_still_waiting", "wait", v.duration(now.Sub(c.CreatedAt).Round(time.Minute))) + "\n" + r.Text
		if _, err := e.med.UpdateCase(ctx, c.ID, []bot.CaseStatus{bot.CaseOpen}, bot.CaseChange{Announced: true, At: now}, []bot.Reply{r}); err != nil {
			if errors.Is(err, bot.ErrCaseConflict) {
				continue
			}
			return n, fmt.Errorf("reannounce case %d: %w", c.ID, err)
		}
		n++
	}
	return n, nil
}
