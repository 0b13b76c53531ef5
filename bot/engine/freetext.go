package engine

import (
	"fmt"
	"slices"
	"strings"

	"github.com/boussole/boussole/bot"
	answerpkg "github.com/boussole/boussole/bot/answer"
	"github.com/boussole/boussole/bot/llm"
	"github.com/boussole/boussole/bot/mediation"
	"github.com/boussole/boussole/knowledge"
	"github.com/boussole/boussole/knowledge/analysis"
)

// Free text: a message that is no command and no choice is searched,
// and the answer policy (bot/answer) decides what is shown.

// search looks the message up, without mentions (a name or @everyone is
// never the question), in the conversation's jurisdiction only: "permis de
// conduire" means the French licence to a citizen in France and the SAAQ
// one to a citizen in Québec, and a sheet of the other side is never shown
// as if it applied. Hits set aside for that are kept in t.elsewhere, so
// the bot can say it has no sheet here and which side has one.
// searchAndAnswer answers the message from a search.
func (t *turn) searchAndAnswer() error {
	// Read against the topic under discussion, if any (followup.go).
	hits, handled, err := t.searchInTopic()
	if handled || err != nil {
		return err
	}
	// A story, another language, a follow-up the words alone do not
	// find: the model's reading, when there is a model (model.go).
	if hits, err = t.understand(hits); err != nil {
		return err
	}
	if err := t.freeText(hits); err != nil {
		return err
	}
	if t.understood != "" && !t.conv.Topic.IsZero() {
		t.conv.Topic.Understood = t.understood
	}
	return nil
}

// search looks the message up in this turn's jurisdiction; the hits of
// the other side are kept apart in t.elsewhere. An error (a remote index
// down) fails the turn: the person gets the « technical problem » reply,
// never a wrong answer.
func (t *turn) search() ([]knowledge.Hit, error) {
	q := t.asked()
	if t.query != nil {
		q = *t.query
	}
	want := t.jurisdiction()
	// In a jurisdiction, look deeper: with a whole catalogue of the other
	// side imported, this side's few sheets can rank past the first eight.
	k := 8
	if want != "" {
		k = 40
	}
	ctx := t.ctx
	if t.e.model != nil && !t.modelOn(llm.FeatureEmbeddings) {
		ctx = llm.Off(ctx) // the person's side has the model off
	}
	hits, err := t.snap.search.Search(ctx, q, k)
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	t.elsewhere = nil
	if want == "" {
		// Not known yet: freeText asks when the answer depends on it.
		return hits[:min(len(hits), 5)], nil
	}
	kept := hits[:0]
	for _, h := range hits {
		if j := t.hitJurisdiction(h); j != "" && j != want {
			t.elsewhere = append(t.elsewhere, h)
			continue
		}
		kept = append(kept, h)
	}
	return kept[:min(len(kept), 5)], nil
}

func (t *turn) freeText(hits []knowledge.Hit) error {
	if t.askWhere(hits) {
		return nil
	}
	answer, offered := t.e.policy.Decide(hits)
	if !answer && len(offered) == 0 {
		if t.placed != "" && t.conv.State != bot.StateInTree {
			// « j'habite à Rimouski »: nothing asked but where they are.
			t.say(t.msg("where_noted_" + strings.ToLower(t.placed)))
			t.topics()
			return nil
		}
		if t.notHere() {
			return nil
		}
		score := 0.0
		if len(hits) > 0 {
			score = hits[0].Confidence
		}
		t.noteQuestion(bot.UsageNotUnderstood, score)
		return t.miss()
	}
	top := hits[0]
	if answer {
		t.conv.Misses = 0
		if answerpkg.Low(top.Confidence) {
			t.noteQuestion(bot.UsageUnsure, top.Confidence)
		}
		sure := t.w().Sureness(top.Confidence)
		if top.Kind == knowledge.HitTree {
			title := t.title(top)
			return t.startTree(top.ID, t.msg("tree_intro", "topic", title, "sure", sure))
		}
		t.conv.State = bot.StateIdle
		t.conv.TreeID, t.conv.TreeVersion, t.conv.Node, t.conv.Path = "", 0, "", nil
		intro := "item_intro"
		if it, ok := t.snap.base.Item(top.ID); ok {
			if text, ok := t.grounded(it, offered); ok {
				t.first, intro = text, "item_intro_machine"
			}
		}
		t.say(t.msg(intro, "sure", sure))
		t.how = bot.ConfidenceSure
		if answerpkg.Low(top.Confidence) {
			t.how = bot.ConfidenceUnsure
		}
		if err := t.answer([]string{top.ID}, -1); err != nil {
			return err
		}
		if len(offered) > 0 {
			alt := offered[0]
			rather := t.hitOffer(alt, t.msg("btn_rather", "title", t.title(alt)))
			t.offers = append(t.offers[:1], append([]bot.Offer{rather}, t.offers[1:]...)...)
		}
		return nil
	}
	// Not sure: offer the hits that match well (Decide) instead of guessing.
	t.noteQuestion(bot.UsageUnsure, top.Confidence)
	t.conv.Misses++
	// Two sheets of one title (a hand-written item and an imported
	// dossier both called « Revenu de solidarité active (RSA) ») would be
	// two identical buttons: the first, better ranked, is offered.
	titles := map[string]bool{}
	offered = slices.DeleteFunc(offered, func(h knowledge.Hit) bool {
		k := analysis.Fold(t.title(h))
		dup := titles[k]
		titles[k] = true
		return dup
	})
	t.offerTopic(offered)
	t.say(t.msg("unsure"))
	for _, h := range offered {
		t.offer(t.hitOffer(h, t.title(h)))
	}
	t.offer(t.mediatorOffer(mediation.DefaultQueue))
	return nil
}

// askWhere asks, once, where the person is when nothing has told it yet
// and the answer depends on it: the sheets worth showing belong to
// different jurisdictions (« permis de conduire »: the ANTS or the SAAQ).
func (t *turn) askWhere(hits []knowledge.Hit) bool {
	if t.jurisdiction() != "" {
		return false
	}
	answer, offered := t.e.policy.Decide(hits)
	shown := offered
	if answer {
		shown = append([]knowledge.Hit{hits[0]}, offered...)
	}
	seen := map[string]bool{}
	for _, h := range shown {
		if j := t.hitJurisdiction(h); j != "" {
			seen[j] = true
		}
	}
	if len(seen) < 2 {
		return false
	}
	t.say(t.msg("where_ask"))
	for _, j := range []string{"FR", "QC"} {
		t.offer(bot.Offer{Label: t.msg("btn_where_" + strings.ToLower(j)), Action: actWhere, Arg: j + "\x1f" + t.text})
	}
	return true
}

// notHere answers a question whose sheets all belong to the other side:
// the bot has no sheet for the person's country or province, says so, and
// offers a mediator and the other side's sheet, labelled as such.
func (t *turn) notHere() bool {
	if t.jurisdiction() == "" {
		return false
	}
	answer, offered := t.e.policy.Decide(t.elsewhere)
	if !answer && len(offered) == 0 {
		return false
	}
	j := t.jurisdiction()
	t.say(t.msg("not_here_" + strings.ToLower(j)))
	t.offer(t.mediatorOffer(mediation.DefaultQueue))
	h := t.elsewhere[0]
	t.offer(t.hitOffer(h, t.msg("btn_elsewhere_"+strings.ToLower(t.hitJurisdiction(h)), "title", t.title(h))))
	return true
}

func (t *turn) title(h knowledge.Hit) string {
	if h.Kind == knowledge.HitTree {
		if tr, ok := t.snap.base.Tree(h.ID); ok {
			return t.w().TreeTitle(tr)
		}
	} else if it, ok := t.snap.base.Item(h.ID); ok {
		return t.w().ItemTitle(it)
	}
	title, _ := t.snap.base.Describe(h)
	return title
}

func (t *turn) hitOffer(h knowledge.Hit, label string) bot.Offer {
	if h.Kind == knowledge.HitTree {
		return bot.Offer{Label: label, Action: actTree, Arg: h.ID}
	}
	return bot.Offer{Label: label, Action: actItem, Arg: h.ID}
}

// miss answers a message the bot did not understand; after repeated
// misses it offers a mediator.
func (t *turn) miss() error {
	t.conv.Misses++
	if t.conv.Misses >= t.e.cfg.MissesBeforeMediator {
		t.say(t.msg("offer_mediator"))
		t.offer(bot.Offer{Label: t.msg("btn_yes_mediator"), Action: actEscalate, Arg: t.treeQueue(), Keys: t.e.words.yes})
		t.offer(bot.Offer{Label: t.msg("btn_no_rephrase"), Action: actRephrase, Keys: t.e.words.no})
		return nil
	}
	t.say(t.msg("not_understood"))
	t.topics()
	return nil
}

// topics offers the trees as a menu.
func (t *turn) topics() {
	// Only the topics of the person's side (and the shared ones): a
	// Québec resident is not offered the CAF's menu. While the side is
	// only the configured default, every topic stays on offer: it is
	// also how a person from the other side says where they are.
	j, n := t.jurisdiction(), 0
	guessed := t.toldJurisdiction() == "" && !strings.HasSuffix(t.conv.Lang, "-CA") && !strings.HasSuffix(t.e.cfg.Lang, "-CA")
	var others []string // the other sides' topics, behind one button each
	for _, tr := range t.snap.base.Trees {
		if tr.Jurisdiction != "" && tr.Jurisdiction != j {
			// While the side is only the configured default, a person of
			// the other side finds theirs behind « Au Québec »: one menu
			// of every topic of both sides would not fit a chat.
			if guessed && !slices.Contains(others, tr.Jurisdiction) && t.e.cat.Has(t.lang(), "btn_where_"+strings.ToLower(tr.Jurisdiction)) {
				others = append(others, tr.Jurisdiction)
			}
			continue
		}
		if n == maxTopics {
			continue
		}
		t.offer(bot.Offer{Label: t.w().TreeTitle(tr), Action: actTree, Arg: tr.ID})
		n++
	}
	for _, o := range others {
		t.offer(bot.Offer{Label: t.msg("btn_where_" + strings.ToLower(o)), Action: actWhere, Arg: o + "\x1f"})
	}
	t.offer(t.mediatorOffer(mediation.DefaultQueue))
}

func (t *turn) mediatorOffer(queue string) bot.Offer {
	return bot.Offer{Label: t.msg("btn_mediator"), Action: actEscalate, Arg: queue, Keys: t.e.words.mediator}
}
