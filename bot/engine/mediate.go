package engine

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/boussole/boussole/bot"
	"github.com/boussole/boussole/bot/answer"
	"github.com/boussole/boussole/bot/mediation"
	"github.com/boussole/boussole/knowledge"
	"github.com/boussole/boussole/knowledge/analysis"
)

// mediatorTurn handles a message from a mediator: a command, or words for
// the citizen of the case they hold.
func (t *turn) mediatorTurn() (bool, error) {
	if p, ok := strings.CutPrefix(t.in.Payload, "m:claim:"); ok {
		id, err := strconv.ParseInt(p, 10, 64)
		if err != nil {
			t.say(t.msg("expired"))
			return true, nil
		}
		return true, t.claim(id)
	}
	if t.in.Payload != "" {
		return false, nil
	}
	if o, ok := t.pickedOffer(); ok {
		return true, t.act(o)
	}
	if n, err := strconv.Atoi(analysis.Fold(t.text)); err == nil && len(t.conv.Offered) > 0 {
		// A number beside the buttons just offered: a wrong pick, not
		// words for the citizen.
		t.say(t.msg("mediator_no_such_choice", "n", strconv.Itoa(n)))
		t.reoffer()
		return true, nil
	}
	if cmd, _ := t.e.words.command(analysis.Fold(t.text)); cmd == cmdHelp {
		// « aide » alone from a mediator is their help, never words for
		// the citizen (README, « Mediators »).
		t.say(t.msg("mediator_help"))
		return true, nil
	}
	if t.conv.CaseID == 0 {
		// A mediator given a case by a transfer, or back to one after
		// closing another, writes to its citizen without « prendre N »
		// first when it is the one case they hold.
		held, err := t.heldCases()
		if err != nil {
			return true, err
		}
		if len(held) == 1 {
			t.conv.CaseID = held[0]
		} else if _, cmd := t.e.grammar.Parse(t.text); len(held) > 1 && !cmd {
			ids := make([]string, len(held))
			for i, id := range held {
				ids[i] = strconv.FormatInt(id, 10)
			}
			t.say(t.msg("mediator_which_case", "cases", strings.Join(ids, ", ")))
			return true, nil
		}
	}
	c, ok := t.e.grammar.Parse(t.text)
	if ok && t.conv.CaseID != 0 && !t.explicitCommand() {
		// Holding a case, words that look like a command may be meant
		// for the citizen: only unambiguous ones are commands.
		var err error
		if ok, err = t.plainCommand(c); err != nil || !ok && len(t.offers) > 0 {
			return true, err // asked which was meant
		}
	}
	if !ok {
		if t.conv.CaseID != 0 {
			t.caseID = t.conv.CaseID
			return true, t.relayToCitizen(t.conv.CaseID, t.text)
		}
		return false, nil
	}
	return true, t.runMediatorCommand(c)
}

// pickedOffer is the button a mediator picked by typing its number or
// its label (a terminal, a server without buttons): the choices a
// mediator is offered (relay or run, the sheets found) are answered that
// way right after, never with a bare number meant for the citizen.
func (t *turn) pickedOffer() (bot.Offer, bool) {
	folded := analysis.Fold(t.text)
	if n, err := strconv.Atoi(folded); err == nil && n >= 1 && n <= len(t.conv.Offered) {
		return t.conv.Offered[n-1], true
	}
	for _, o := range t.conv.Offered {
		if analysis.Fold(o.Label) == folded {
			return o, true
		}
	}
	return bot.Offer{}, false
}

// heldCases lists the cases the mediator writing holds, oldest first.
func (t *turn) heldCases() ([]int64, error) {
	cs, err := t.e.store.Cases(t.ctx, "", bot.CaseClaimed)
	if err != nil {
		return nil, fmt.Errorf("list held cases: %w", err)
	}
	var ids []int64
	for _, c := range cs {
		if t.holds(c) {
			ids = append(ids, c.ID)
		}
	}
	return ids, nil
}

// explicitCommand says whether the message is a command by its form: the
// platform's slash command (/boussole …) or a leading « ! ».
func (t *turn) explicitCommand() bool {
	return t.in.Command || strings.HasPrefix(strings.TrimSpace(t.in.Text), "!")
}

// plainCommand decides whether a command-looking message without « ! »,
// from a mediator holding a case, is a command. The rule (README,
// « Mediators »): a list or help word alone; a verb and a case number that
// exists, and nothing else (« prendre 3 », « fermer 3 »); « fiche ID » of
// an item that exists. A verb, an existing case and more words (« note 2
// documents manquants ») could be either: the mediator is asked, with a
// button for each; « fiche » and other words search the sheets, with a
// button that relays the words instead. Anything else is for the citizen.
func (t *turn) plainCommand(c mediation.Command) (bool, error) {
	switch c.Verb {
	case mediation.List, mediation.Help:
		return c.Rest == "", nil
	case mediation.Send:
		if _, found := t.snap.base.Item(strings.TrimSpace(c.Rest)); found {
			return true, nil
		}
		// « fiche caution »: a search, unless the words were for the
		// citizen; the results come with a button to send them instead.
		held, err := t.e.store.Case(t.ctx, t.conv.CaseID)
		if err != nil && !errors.Is(err, knowledge.ErrNotFound) {
			return false, fmt.Errorf("load case %d: %w", t.conv.CaseID, err)
		}
		if err != nil || !t.holds(held) {
			return false, nil // the relay says why it cannot send them
		}
		return false, t.searchSheets(held, c.Rest, true)
	}
	id, rest := c.Case, c.Rest
	_, err := t.e.store.Case(t.ctx, id)
	switch {
	case errors.Is(err, knowledge.ErrNotFound) && (c.Verb == mediation.Show || rest == ""):
		return false, nil // « dossier 12345 bien reçu », « voir 3 fois »: words
	case errors.Is(err, knowledge.ErrNotFound):
		// « note 7 ne pas appeler chez elle » with no request 7: a typo in
		// a private note must not reach the citizen; ask.
	case err != nil:
		return false, fmt.Errorf("load case %d: %w", id, err)
	case rest == "":
		return true, nil
	}
	t.caseID = id
	t.say(t.msg("mediator_ambiguous", "case", strconv.FormatInt(t.conv.CaseID, 10)))
	t.offer(bot.Offer{Label: t.msg("btn_relay_it"), Action: actRelay, Arg: t.text},
		bot.Offer{Label: t.msg("btn_run_it", "command", "!"+t.text), Action: actRunCommand, Arg: t.text})
	return false, nil
}

// runMediatorCommand runs a parsed mediator command.
func (t *turn) runMediatorCommand(c mediation.Command) error {
	id, rest := c.Case, c.Rest
	t.caseID = id
	switch c.Verb {
	case mediation.List:
		return t.listCases()
	case mediation.Show:
		return t.showCase(id)
	case mediation.Claim:
		return t.claim(id)
	case mediation.Close:
		return t.closeCase(id, rest)
	case mediation.Note:
		return t.noteCase(id, rest)
	case mediation.Back:
		return t.handBack(id)
	case mediation.Transfer:
		return t.transfer(id, rest)
	case mediation.Send:
		return t.sendItem(rest)
	}
	t.say(t.msg("mediator_help"))
	return nil
}

// refuseMediatorCommand answers a citizen who typed a mediator command,
// saying nothing about any case.
func (t *turn) refuseMediatorCommand() bool {
	if strings.HasPrefix(t.in.Payload, "m:") {
		t.say(t.msg("mediator_only"))
		return true
	}
	// In a case, everything the citizen writes is for the mediator.
	if t.conv.CaseID != 0 && (t.conv.State == bot.StateEscalated || t.conv.State == bot.StateWithMediator) {
		return false
	}
	// Only a verb a citizen would not use with a number, with the number
	// and nothing else (« prendre 2 », « !voir 3 »): « dossier 123456 » (a
	// file number), « fiche paie », « prendre 2 rendez-vous ? » are
	// citizens' words.
	if c, ok := t.e.grammar.Parse(t.text); ok && t.e.grammar.Strict(c) && (c.Rest == "" || strings.HasPrefix(strings.TrimSpace(t.text), "!")) {
		t.say(t.msg("mediator_only"))
		return true
	}
	return false
}

func (t *turn) listCases() error {
	cs, err := t.e.store.Cases(t.ctx, "", bot.CaseOpen, bot.CaseClaimed)
	if err != nil {
		return fmt.Errorf("list cases: %w", err)
	}
	if len(cs) == 0 {
		t.say(t.msg("cases_none"))
		return nil
	}
	// Urgent cases first, each group oldest first.
	slices.SortStableFunc(cs, func(a, b bot.Case) int {
		return cmp.Compare(min(len(b.Urgent), 1), min(len(a.Urgent), 1))
	})
	lines := []string{t.msg("cases_title", "n", strconv.Itoa(len(cs)))}
	for _, c := range cs {
		lines = append(lines, "• "+t.cases().caseLine(c))
	}
	t.say(strings.Join(lines, "\n"))
	return nil
}

func (t *turn) showCase(id int64) error {
	c, ok, err := t.findCase(id)
	if !ok || err != nil {
		return err
	}
	text, err := t.cases().summary(c)
	if err != nil {
		return err
	}
	notes, err := t.e.store.CaseNotes(t.ctx, id)
	if err != nil {
		return fmt.Errorf("read notes: %w", err)
	}
	for _, n := range notes {
		text += "\n" + t.msg("case_note_line", "author", n.Author, "text", n.Text)
	}
	t.replies = append(t.replies, bot.Reply{To: t.in.Address, About: c.Address, Text: text})
	return nil
}

// mediatorSelf is the mediator writing, as recorded on the cases they claim.
func (t *turn) mediatorSelf() *bot.Mediator {
	name := t.in.Name
	if name == "" {
		name = t.in.Address.User
	}
	return &bot.Mediator{Address: bot.Address{Platform: t.in.Address.Platform, Channel: t.in.Address.Channel, User: t.in.Address.User}, Name: name}
}

// to builds a message for another conversation than the sender's.
func (t *turn) to(a bot.Address, lang, key string, kv ...string) bot.Reply {
	return bot.Reply{To: a, Text: t.e.cat.T(lang, key, kv...)}
}

func (t *turn) claim(id int64) error {
	me := t.mediatorSelf()
	c, ok, err := t.findCase(id)
	if !ok || err != nil {
		return err
	}
	sid := strconv.FormatInt(id, 10)
	out := []bot.Reply{t.to(c.Address, c.Lang, "citizen_claimed", "mediator", me.Name)}
	if q, ok := t.e.cfg.Mediation.Queue(c.Queue); ok && q.Channel != t.in.Address {
		out = append(out, t.to(q.Channel, t.e.cfg.Lang, "queue_claimed", "case", sid, "mediator", me.Name))
	}
	first := c.ClaimedAt.IsZero() // a case handed to another queue was claimed before
	c, err = t.e.store.UpdateCase(t.ctx, id, []bot.CaseStatus{bot.CaseOpen}, bot.CaseChange{Status: bot.CaseClaimed, Mediator: me, At: t.now}, out)
	if errors.Is(err, bot.ErrCaseConflict) && t.holds(c) {
		// Theirs already (two cases held, a transfer): their messages go
		// to this one's citizen from now on.
		t.conv.CaseID = id
		t.say(t.msg("mediator_current_case", "case", sid))
		return nil
	}
	if errors.Is(err, bot.ErrCaseConflict) {
		who := "?"
		if c.Mediator != nil {
			who = c.Mediator.Name
		}
		if c.Status == bot.CaseClosed {
			t.say(t.msg("case_closed_already", "case", sid))
		} else {
			t.say(t.msg("case_taken", "case", sid, "mediator", who))
		}
		return nil
	}
	if err != nil {
		return fmt.Errorf("claim case %d: %w", id, err)
	}
	if first {
		t.tallyCase(bot.TallyClaimed, c, bot.Tally{})
	}
	t.conv.CaseID = id
	sum, err := t.cases().summary(c)
	if err != nil {
		return err
	}
	t.replies = append(t.replies, bot.Reply{To: t.in.Address, About: c.Address, Text: t.msg("mediator_claimed", "case", sid) + "\n" + sum})
	return nil
}

// findCase returns case id, or says it does not exist (ok false). A
// storage error is an error, never « demande inconnue ».
func (t *turn) findCase(id int64) (bot.Case, bool, error) {
	c, err := t.e.store.Case(t.ctx, id)
	if errors.Is(err, knowledge.ErrNotFound) {
		t.say(t.msg("case_unknown", "case", strconv.FormatInt(id, 10)))
		return c, false, nil
	}
	if err != nil {
		return c, false, fmt.Errorf("load case %d: %w", id, err)
	}
	return c, true, nil
}

// heldCase returns case id if this mediator holds it, else says why not.
func (t *turn) heldCase(id int64) (bot.Case, bool, error) {
	c, ok, err := t.findCase(id)
	if !ok || err != nil {
		return c, false, err
	}
	if !t.holds(c) {
		t.say(t.msg("case_not_yours", "case", strconv.FormatInt(id, 10)))
		return c, false, nil
	}
	return c, true, nil
}

// holds says whether the mediator writing holds c.
func (t *turn) holds(c bot.Case) bool {
	return c.Status == bot.CaseClaimed && c.Mediator != nil && c.Mediator.Address.User == t.in.Address.User && c.Mediator.Address.Platform == t.in.Address.Platform
}

func (t *turn) closeCase(id int64, outcome string) error {
	c, ok, err := t.heldCase(id)
	if !ok || err != nil {
		return err
	}
	// "fermer 3 orienté vers la CAF : rappeler lundi" closes with an
	// outcome and a private note.
	outcome, note, _ := strings.Cut(outcome, ":")
	outcome, note = strings.TrimSpace(outcome), strings.TrimSpace(note)
	if outcome == "" {
		outcome = outcomeResolved
	}
	sid := strconv.FormatInt(id, 10)
	ask := t.to(c.Address, c.Lang, "citizen_closed")
	for i := 1; i <= 5; i++ {
		ask.Choices = append(ask.Choices, bot.Choice{Label: strconv.Itoa(i), Payload: "s:" + sid + ":" + strconv.Itoa(i)})
	}
	if _, err := t.e.store.UpdateCase(t.ctx, id, []bot.CaseStatus{bot.CaseClaimed}, bot.CaseChange{Status: bot.CaseClosed, Outcome: outcome, Note: note, At: t.now}, []bot.Reply{ask}); err != nil {
		return fmt.Errorf("close case %d: %w", id, err)
	}
	t.tallyCase(bot.TallyClosed, c, bot.Tally{Outcome: countedOutcome(outcome)})
	if t.conv.CaseID == id {
		t.conv.CaseID = 0
	}
	t.say(t.msg("mediator_closed", "case", sid))
	return nil
}

func (t *turn) handBack(id int64) error {
	c, ok, err := t.heldCase(id)
	if !ok || err != nil {
		return err
	}
	out := []bot.Reply{t.to(c.Address, c.Lang, "citizen_handed_back")}
	if _, err := t.e.store.UpdateCase(t.ctx, id, []bot.CaseStatus{bot.CaseClaimed}, bot.CaseChange{Status: bot.CaseClosed, Outcome: outcomeHandedBack, At: t.now}, out); err != nil {
		return fmt.Errorf("hand back case %d: %w", id, err)
	}
	t.tallyCase(bot.TallyClosed, c, bot.Tally{Outcome: bot.OutcomeHandedBack})
	if t.conv.CaseID == id {
		t.conv.CaseID = 0
	}
	t.say(t.msg("mediator_handed_back", "case", strconv.FormatInt(id, 10)))
	return nil
}

func (t *turn) noteCase(id int64, text string) error {
	sid := strconv.FormatInt(id, 10)
	if strings.TrimSpace(text) == "" {
		t.say(t.msg("mediator_help"))
		return nil
	}
	_, err := t.e.store.UpdateCase(t.ctx, id, []bot.CaseStatus{bot.CaseOpen, bot.CaseClaimed, bot.CaseClosed}, bot.CaseChange{Note: text, Mediator: nil, At: t.now}, nil)
	if errors.Is(err, knowledge.ErrNotFound) {
		t.say(t.msg("case_unknown", "case", sid))
		return nil
	}
	if err != nil {
		return fmt.Errorf("note case %d: %w", id, err)
	}
	t.say(t.msg("mediator_noted", "case", sid))
	return nil
}

// transfer moves a case to another queue ("transferer 3 emploi") or
// mediator ("transferer 3 @paul").
func (t *turn) transfer(id int64, target string) error {
	sid := strconv.FormatInt(id, 10)
	target = strings.TrimSpace(target)
	if target == "" {
		t.say(t.msg("mediator_help"))
		return nil
	}
	c, ok, err := t.findCase(id)
	if !ok || err != nil {
		return err
	}
	if user, ok := strings.CutPrefix(target, "@"); ok {
		to := &bot.Mediator{Address: bot.Address{Platform: t.in.Address.Platform, Channel: t.in.Address.Channel, User: user}, Name: user}
		if !t.e.cfg.Mediation.IsMediator(to.Address) {
			t.say(t.msg("transfer_not_mediator", "mediator", user))
			return nil
		}
		// The new mediator reads the case and the talk so far at once (in
		// the deployment's language: theirs is not known).
		c.Status, c.Mediator = bot.CaseClaimed, to
		v := t.cases()
		v.lang = t.e.cfg.Lang
		sum, err := v.summary(c)
		if err != nil {
			return err
		}
		notice := t.to(to.Address, t.e.cfg.Lang, "mediator_transferred_to_you", "case", sid, "from", t.mediatorSelf().Name)
		notice.Text += "\n" + sum
		out := []bot.Reply{notice, t.to(c.Address, c.Lang, "citizen_claimed", "mediator", to.Name)}
		if _, err := t.e.store.UpdateCase(t.ctx, id, []bot.CaseStatus{bot.CaseOpen, bot.CaseClaimed}, bot.CaseChange{Status: bot.CaseClaimed, Mediator: to, At: t.now}, out); errors.Is(err, bot.ErrCaseConflict) {
			t.say(t.msg("case_closed_already", "case", sid))
			return nil
		} else if err != nil {
			return fmt.Errorf("transfer case %d: %w", id, err)
		}
		if c.ClaimedAt.IsZero() {
			// Handed to a mediator before anyone claimed it: its claim.
			t.tallyCase(bot.TallyClaimed, c, bot.Tally{})
		}
	} else {
		q, ok := t.e.cfg.Mediation.Queues[target]
		if !ok {
			t.say(t.msg("transfer_unknown_queue", "queue", target, "queues", strings.Join(t.e.cfg.Mediation.QueueNames(), ", ")))
			return nil
		}
		c.Queue, c.Status, c.Mediator = target, bot.CaseOpen, nil
		post, err := t.cases().announcement(c, q)
		if err != nil {
			return err
		}
		out := []bot.Reply{post, t.to(c.Address, c.Lang, "citizen_transferred")}
		if _, err := t.e.store.UpdateCase(t.ctx, id, []bot.CaseStatus{bot.CaseOpen, bot.CaseClaimed}, bot.CaseChange{Status: bot.CaseOpen, ClearMediator: true, Queue: target, Announced: true, At: t.now}, out); errors.Is(err, bot.ErrCaseConflict) {
			t.say(t.msg("case_closed_already", "case", sid))
			return nil
		} else if err != nil {
			return fmt.Errorf("transfer case %d: %w", id, err)
		}
	}
	if t.conv.CaseID == id {
		t.conv.CaseID = 0
	}
	t.say(t.msg("mediator_transferred", "case", sid, "target", target))
	return nil
}

// sendItem runs « fiche TEXTE »: TEXTE an item's id sends that sheet to
// the citizen of the case the mediator holds; other words search the
// sheets and offer the best few (searchSheets).
func (t *turn) sendItem(text string) error {
	c, ok, err := t.caseToSendTo()
	if !ok || err != nil {
		return err
	}
	if it, found := t.snap.base.Item(strings.TrimSpace(text)); found {
		return t.sendSheet(c, it)
	}
	return t.searchSheets(c, text, false)
}

// sendOffered sends the sheet of a button searchSheets offered.
func (t *turn) sendOffered(id string) error {
	c, ok, err := t.caseToSendTo()
	if !ok || err != nil {
		return err
	}
	it, found := t.snap.base.Item(id)
	if !found {
		t.say(t.msg("item_unknown", "item", id)) // gone since it was offered
		return nil
	}
	return t.sendSheet(c, it)
}

// caseToSendTo is the case whose citizen a sheet goes to: the one the
// mediator talks in; ok false when there is none (said why).
func (t *turn) caseToSendTo() (bot.Case, bool, error) {
	if t.conv.CaseID == 0 {
		t.say(t.msg("mediator_no_case"))
		return bot.Case{}, false, nil
	}
	return t.heldCase(t.conv.CaseID)
}

// sendSheet sends it, formatted in the citizen's language, to c's citizen.
func (t *turn) sendSheet(c bot.Case, it *knowledge.Item) error {
	var rs []bot.Reply
	for _, text := range answer.NewWriter(t.e.cat, c.Lang).Messages(it) {
		rs = append(rs, bot.Reply{To: c.Address, Text: text})
	}
	if _, err := t.e.store.UpdateCase(t.ctx, c.ID, []bot.CaseStatus{bot.CaseClaimed}, bot.CaseChange{At: t.now}, rs); err != nil {
		return fmt.Errorf("send item: %w", err)
	}
	t.say(t.msg("mediator_item_sent", "item", it.Title, "case", strconv.FormatInt(c.ID, 10)))
	// Kept as a message of the case: a mediator given it later reads
	// which sheet the citizen was sent.
	t.text = t.e.cat.T(t.e.cfg.Lang, "case_sheet_sent", "item", it.ID, "title", it.Title)
	t.caseID, t.forCase = c.ID, true
	return nil
}

// mediatorSheets is how many sheets a mediator's search offers.
const mediatorSheets = 3

// searchSheets offers the mediator the sheets that best match query, of
// the citizen's side, as buttons that send one to the citizen of c. With
// relay, the words may have been meant for the citizen (« fiche » and
// words, without « ! »): a button sends them instead.
func (t *turn) searchSheets(c bot.Case, query string, relay bool) error {
	hits, err := t.snap.search.Search(t.ctx, query, 40)
	if err != nil {
		return fmt.Errorf("search sheets: %w", err)
	}
	w := answer.NewWriter(t.e.cat, t.lang())
	var offers []bot.Offer
	for _, h := range hits {
		if len(offers) == mediatorSheets {
			break
		}
		// Only sheets (a tree cannot be sent), matching well enough to be
		// offered to a citizen, and none of the other side's.
		if h.Kind != knowledge.HitItem || h.Match < t.e.policy.UnsureThreshold {
			continue
		}
		it, ok := t.snap.base.Item(h.ID)
		if j := c.Summary.Jurisdiction; !ok || (j != "" && it.Jurisdiction != "" && it.Jurisdiction != j) {
			continue
		}
		offers = append(offers, bot.Offer{Label: w.ItemTitle(it), Action: actSendItem, Arg: it.ID})
	}
	text := t.msg("mediator_sheets_none", "query", query)
	if len(offers) > 0 {
		text = t.msg("mediator_sheets_found", "query", query, "case", strconv.FormatInt(c.ID, 10))
	}
	if relay {
		offers = append(offers, bot.Offer{Label: t.msg("btn_relay_it"), Action: actRelay, Arg: t.text})
		text += "\n" + t.msg("mediator_sheets_or_relay", "button", t.msg("btn_relay_it"))
	}
	t.say(text)
	t.offer(offers...)
	return nil
}

// relayToCitizen passes a mediator's words to the citizen of the case.
func (t *turn) relayToCitizen(id int64, text string) error {
	c, ok, err := t.heldCase(id)
	if err != nil {
		return err
	}
	if !ok {
		// Said why (unknown, not theirs): the message was not sent.
		t.say(t.msg("mediator_not_relayed"))
		t.conv.CaseID = 0
		return nil
	}
	// The relayed message is queued with this turn, in its transaction.
	t.replies = append(t.replies, bot.Reply{To: c.Address, Text: t.e.cat.T(c.Lang, "relay_from_mediator", "mediator", c.Mediator.Name, "text", t.relayed(text, c.Lang))})
	// Stored as the words sent (not a button's label), for a mediator
	// given the case later.
	t.text, t.caseID = text, id
	t.silent, t.forCase = true, true
	return nil
}

// relayed is text as passed to the other person of a case, in lang:
// defused, and marked when the message was cut.
func (t *turn) relayed(text, lang string) string {
	text = mediation.Defuse(text)
	if t.cut && text == mediation.Defuse(t.text) {
		text += " " + t.e.cat.T(lang, "relay_cut")
	}
	return text
}
