package engine

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/boussole/boussole/bot"
	"github.com/boussole/boussole/bot/mediation"
	"github.com/boussole/boussole/internal/sets"
	"github.com/boussole/boussole/knowledge"
)

// Danger recognises messages from people in danger (bot/safety). It runs
// on every citizen message before anything else.
type Danger interface {
	// Read returns the danger categories of text (knowledge.Danger*),
	// most urgent first, or nil; and the jurisdiction its words point to
	// (« chum », « à soir », « la CAF »: QC or FR), or "".
	Read(ctx context.Context, text string) (cats []string, jurisdiction string, err error)
}

// maxDangerNumbers bounds the numbers of a danger answer: it must fit a
// phone screen and be read in seconds.
const maxDangerNumbers = 3

// dangerTurn answers a message recognised as danger: the emergency numbers
// of the person's jurisdiction first, what each does, then a mediator.
// The conversation stays where it was: a tree's choices are offered
// again, a waiting case keeps waiting and its queue is told it is urgent,
// and a mediator holding the case gets the message marked urgent.
// said is the jurisdiction the message's own words name ("" if none),
// already followed by the turn.
func (t *turn) dangerTurn(cats []string, said string) error {
	for _, c := range cats {
		t.tally(bot.Tally{Kind: bot.TallyDanger, Category: c})
	}
	j := said
	known := j != ""
	if !known {
		j = t.jurisdiction()
		// A language alone does not tell France from Québec in English,
		// and nothing may have told it yet: France's numbers then, and
		// one line for the other side.
		told := t.toldJurisdiction() != ""
		known = told || (j != "" && !strings.HasPrefix(t.conv.Lang, "en"))
		j = cmp.Or(j, "FR")
	}
	items := t.emergencyItems(cats, j)
	var b strings.Builder
	if len(items) == 0 {
		// The knowledge has no number here (validate requires one per
		// jurisdiction it serves): still answer first, without numbers.
		t.e.log.WarnContext(t.ctx, "danger recognised but no emergency number in the knowledge", "jurisdiction", j)
		b.WriteString(t.msg("danger_no_number"))
	} else {
		b.WriteString(t.msg("danger_intro"))
	}
	for _, it := range items {
		b.WriteString("\n")
		b.WriteString(t.msg("danger_number", "title", t.w().ItemTitle(it), "what", t.w().ItemSummary(it)))
	}
	other := t.alsoSide
	if !known {
		other = "QC"
		if j == "QC" {
			other = "FR"
		}
	}
	if other != "" && other != j && t.e.cat.Has(t.lang(), "danger_other_"+strings.ToLower(other)) {
		if gen := t.emergencyItems([]string{knowledge.DangerUrgence}, other); len(gen) > 0 {
			b.WriteString("\n")
			b.WriteString(t.msg("danger_other_"+strings.ToLower(other), "phone", gen[0].Where.Phone))
		}
	}
	inCase := t.conv.CaseID != 0 && (t.conv.State == bot.StateEscalated || t.conv.State == bot.StateWithMediator)
	b.WriteString("\n")
	if inCase {
		b.WriteString(t.msg("danger_case"))
	} else {
		b.WriteString(t.msg("danger_mediator"))
	}
	t.say(b.String())
	if inCase {
		return t.urgentCase(cats)
	}
	if t.conv.State == bot.StateInTree {
		// The tree's question is still on offer: the person continues
		// where they were once safe.
		t.reoffer()
	}
	// A case opened from here is urgent from the start, whichever
	// mediator button leads to it (the tree's, after misses, or a new one).
	urgent := false
	for i, o := range t.offers {
		if o.Action == actEscalate {
			q, _, _ := strings.Cut(o.Arg, "|")
			t.offers[i].Arg = q + "|" + strings.Join(cats, ",")
			urgent = true
		}
	}
	if !urgent {
		o := t.mediatorOffer(mediation.DefaultQueue)
		o.Arg += "|" + strings.Join(cats, ",")
		t.offer(o)
	}
	return nil
}

// urgentCase tells the mediators of the conversation's case that the
// citizen wrote something that reads as danger: the mediator holding it
// gets the message (as any message in a case) marked urgent; an unclaimed
// case is announced again in its queue's channel, marked urgent, with the
// kind of danger only (the citizen's words follow the consent given).
func (t *turn) urgentCase(cats []string) error {
	c, err := t.e.store.Case(t.ctx, t.conv.CaseID)
	if err != nil && !errors.Is(err, knowledge.ErrNotFound) {
		// The numbers matter more than the flag: they are still given
		// (failing the turn would replace them with « problème
		// technique »), and the failure is logged for the operator.
		t.e.log.ErrorContext(t.ctx, "urgent case not flagged", "case", t.conv.CaseID, "err", err)
		return nil
	}
	if err != nil || c.Address != t.in.Address || c.Status == bot.CaseClosed {
		return nil
	}
	t.forCase = true // for the mediator, as any message in a case
	lang := t.e.cfg.Lang
	id := strconv.FormatInt(c.ID, 10)
	urgent := t.e.cat.T(lang, "danger_urgent_case", "case", id, "kinds", t.cases().dangerKinds(cats))
	if c.Status == bot.CaseClaimed && c.Mediator != nil {
		t.conv.State = bot.StateWithMediator
		relay := bot.Reply{To: c.Mediator.Address, About: c.Address,
			Text: urgent + "\n" + t.e.cat.T(lang, "relay_from_citizen", "case", id, "text", t.relayed(t.text, lang))}
		// The case is marked urgent for good (mediators' lists), in the
		// same write as the relay.
		if _, err := t.e.store.UpdateCase(t.ctx, c.ID, []bot.CaseStatus{bot.CaseClaimed}, bot.CaseChange{Urgent: cats, At: t.now}, []bot.Reply{relay}); err != nil && !errors.Is(err, bot.ErrCaseConflict) {
			return err
		}
		return nil
	}
	q, ok := t.e.cfg.Mediation.Queue(c.Queue)
	c.Urgent = sets.Union(c.Urgent, cats)
	var out []bot.Reply
	if ok {
		r, err := t.cases().announcement(c, q)
		if err != nil {
			return err
		}
		r.Text = urgent + "\n" + r.Text
		out = []bot.Reply{r}
	}
	if _, err := t.e.store.UpdateCase(t.ctx, c.ID, []bot.CaseStatus{bot.CaseOpen}, bot.CaseChange{Urgent: cats, Announced: ok, At: t.now}, out); err != nil && !errors.Is(err, bot.ErrCaseConflict) {
		return err
	}
	return nil
}

// emergencyItems are the emergency numbers for cats in jurisdiction j (or
// for every jurisdiction), in the order of cats then of the knowledge
// files, each once, at most maxDangerNumbers. A category without a
// number there gets the general emergency number.
func (t *turn) emergencyItems(cats []string, j string) []*knowledge.Item {
	var out []*knowledge.Item
	seen := map[string]bool{}
	add := func(cat string) bool {
		found := false
		for _, it := range t.snap.base.Items {
			if it.Kind != knowledge.KindEmergency || (it.Jurisdiction != "" && it.Jurisdiction != j) || !slices.Contains(it.Danger, cat) {
				continue
			}
			found = true
			// By item, not by number: 9-1-1 by voice and by text for deaf
			// people are two ways to reach it.
			if !seen[it.ID] && len(out) < maxDangerNumbers {
				seen[it.ID] = true
				out = append(out, it)
			}
		}
		return found
	}
	for _, cat := range cats {
		if !add(cat) {
			add(knowledge.DangerUrgence)
		}
	}
	return out
}

// explainNumber answers a phone number typed alone (« 3919 », « 115 »,
// « 9-8-8 ») that is not a choice on offer: what the number is, from the
// knowledge. It reports false when no item has that number.
func (t *turn) explainNumber(folded string) bool {
	d := digits(folded)
	if d == "" || len(d) < 2 || strings.Trim(folded, "0123456789 ") != "" {
		return false
	}
	j := t.jurisdiction()
	var found *knowledge.Item
	for _, it := range t.snap.base.Items {
		if digits(it.Where.Phone) != d {
			continue
		}
		// Prefer the conversation's jurisdiction (911 is the same number
		// in Québec for the general line and for deaf people's texts).
		if found == nil || (found.Jurisdiction != j && it.Jurisdiction == j) {
			found = it
		}
	}
	if found == nil {
		return false
	}
	t.say(t.msg("number_explained", "title", t.w().ItemTitle(found), "what", t.w().ItemSummary(found)))
	t.reoffer()
	if !slices.ContainsFunc(t.offers, func(o bot.Offer) bool { return o.Action == actEscalate }) {
		t.offer(t.mediatorOffer(mediation.DefaultQueue))
	}
	return true
}

// digits keeps the digits of s: « 1 800 363-9010 » and « 9-8-8 » are
// numbers as dialled.
func digits(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsDigit(r) {
			return r
		}
		return -1
	}, s)
}
