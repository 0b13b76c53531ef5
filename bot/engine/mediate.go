package bot

import (
	"cmp"
	"errors"
	"fmt"
	"github.com/boussole/boussole/knowledge"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/boussole/boussole/knowledge/analysis"
)

// Hours is when a queue's mediators answer (bot/hours implements it).
type Hours interface {
	Open(t time.Time) bool
	Next(t time.Time) (time.Time, bool)
	Describe(lang string) string
	FormatNext(t time.Time, lang string) string
}

// Queue is where a queue's cases are announced, and when it is staffed.
type Queue struct {
	// Channel is the mediators' channel (User empty); any platform.
	Channel Address
	// Hours is nil when the queue is always staffed.
	Hours Hours
}

// Mediation configures the hand-off to human mediators.
type Mediation struct {
	// Mediators lists, per platform, the user ids allowed to use mediator
	// commands.
	Mediators map[string][]string
	// Roles lists, per platform, the role or group names whose members
	// are mediators (adapters fill Incoming.Roles).
	Roles map[string][]string
	// Queues maps queue names to their channel; cases of an unknown queue
	// go to DefaultQueue's.
	Queues map[string]Queue
	// SkipConsent shares the conversation without asking (for deployments
	// where the citizen agreed beforehand).
	SkipConsent bool
}

// isMediator reports whether a may use mediator commands.
func (m Mediation) isMediator(a Address) bool {
	return slices.Contains(m.Mediators[a.Platform], a.User)
}

// isMediatorIn reports whether the sender of in is a mediator, by user id
// or by one of the roles the platform gave them.
func (m Mediation) isMediatorIn(in Incoming) bool {
	if m.isMediator(in.Address) {
		return true
	}
	for _, r := range in.Roles {
		if slices.Contains(m.Roles[in.Address.Platform], r) {
			return true
		}
	}
	return false
}

// queue returns the configuration of queue q, falling back to the default
// queue; ok is false when no channel is configured at all.
func (m Mediation) queue(q string) (Queue, bool) {
	if c, ok := m.Queues[q]; ok {
		return c, true
	}
	c, ok := m.Queues[DefaultQueue]
	return c, ok
}

// forJurisdiction picks the queue for a case of queue q from a person
// in jurisdiction j: "q/J" when configured (logement/QC: Québec's housing
// mediators), else q itself when configured, else "default/J", else q
// (which falls back to the default queue).
func (m Mediation) forJurisdiction(q, j string) string {
	if j == "" {
		return q
	}
	if _, ok := m.Queues[q+"/"+j]; ok {
		return q + "/" + j
	}
	if _, ok := m.Queues[q]; ok {
		return q
	}
	if _, ok := m.Queues[DefaultQueue+"/"+j]; ok {
		return DefaultQueue + "/" + j
	}
	return q
}

// Mediator commands, recognised from mediators only.
const (
	mcList     = "list"
	mcShow     = "show"
	mcClaim    = "claim"
	mcClose    = "close"
	mcNote     = "note"
	mcBack     = "back"
	mcTransfer = "transfer"
	mcSend     = "send"
	mcHelp     = "help"
)

var mediatorWords = map[string]string{
	"dossiers": mcList, "demandes": mcList, "cases": mcList, "queue": mcList,
	"voir": mcShow, "dossier": mcShow, "show": mcShow, "case": mcShow,
	"prendre": mcClaim, "claim": mcClaim,
	"fermer": mcClose, "clore": mcClose, "cloturer": mcClose, "close": mcClose,
	"note":   mcNote,
	"rendre": mcBack, "robot": mcBack, "handback": mcBack,
	"transferer": mcTransfer, "transfer": mcTransfer,
	"fiche": mcSend, "send": mcSend, "envoyer": mcSend,
	"aide-mediateur": mcHelp, "mediator-help": mcHelp,
}

// IsMediatorCommand reports whether text reads as a mediator's command
// ("prendre 3", "cas"), for an adapter that must look up, at a cost, who
// may give one (Discord sends no roles with a direct message).
func IsMediatorCommand(text string) bool {
	_, _, _, _, ok := mediatorCommand(text)
	return ok
}

// mediatorCommand parses "prendre 3", "fermer 3 résolu", "fiche F1344".
// Words are matched folded; the rest keeps the mediator's own text.
func mediatorCommand(text string) (cmd, verb string, id int64, rest string, ok bool) {
	fields := strings.Fields(strings.TrimLeft(strings.TrimSpace(text), "/!"))
	if len(fields) > 0 && analysis.Fold(fields[0]) == "boussole" {
		fields = fields[1:]
	}
	if len(fields) == 0 {
		return "", "", 0, "", false
	}
	verb = strings.ReplaceAll(analysis.Fold(fields[0]), " ", "-")
	cmd, ok = mediatorWords[verb]
	if !ok {
		return "", "", 0, "", false
	}
	args := fields[1:]
	switch cmd {
	case mcList, mcHelp:
		return cmd, verb, 0, strings.Join(args, " "), len(args) == 0 || cmd == mcList
	case mcSend:
		if len(args) != 1 {
			return "", "", 0, "", false
		}
		return cmd, verb, 0, args[0], true
	}
	if len(args) == 0 {
		return "", "", 0, "", false
	}
	n, err := strconv.ParseInt(strings.TrimPrefix(strings.TrimPrefix(args[0], "n°"), "#"), 10, 64)
	if err != nil || n <= 0 {
		return "", "", 0, "", false
	}
	return cmd, verb, n, strings.Join(args[1:], " "), true
}

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
	cmd, _, id, rest, ok := mediatorCommand(t.text)
	if ok && t.conv.CaseID != 0 && !t.explicitCommand() {
		// Holding a case, words that look like a command may be meant
		// for the citizen: only unambiguous ones are commands.
		var err error
		if ok, err = t.plainCommand(cmd, id, rest); err != nil || !ok && len(t.offers) > 0 {
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
	return true, t.runMediatorCommand(cmd, id, rest)
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
// button for each. Anything else is for the citizen.
func (t *turn) plainCommand(cmd string, id int64, rest string) (bool, error) {
	switch cmd {
	case mcList, mcHelp:
		return rest == "", nil
	case mcSend:
		_, found := t.snap.base.Item(rest)
		return found, nil
	}
	_, err := t.e.store.Case(t.ctx, id)
	switch {
	case errors.Is(err, knowledge.ErrNotFound) && (cmd == mcShow || rest == ""):
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
	t.offer(Offer{Label: t.msg("btn_relay_it"), Action: actRelay, Arg: t.text},
		Offer{Label: t.msg("btn_run_it", "command", "!"+t.text), Action: actRunCommand, Arg: t.text})
	return false, nil
}

// runMediatorCommand runs a parsed mediator command.
func (t *turn) runMediatorCommand(cmd string, id int64, rest string) error {
	t.caseID = id
	switch cmd {
	case mcList:
		return t.listCases()
	case mcShow:
		return t.showCase(id)
	case mcClaim:
		return t.claim(id)
	case mcClose:
		return t.closeCase(id, rest)
	case mcNote:
		return t.noteCase(id, rest)
	case mcBack:
		return t.handBack(id)
	case mcTransfer:
		return t.transfer(id, rest)
	case mcSend:
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
	if t.conv.CaseID != 0 && (t.conv.State == StateEscalated || t.conv.State == StateWithMediator) {
		return false
	}
	// Only a verb a citizen would not use with a number, with the number
	// and nothing else (« prendre 2 », « !voir 3 »): « dossier 123456 » (a
	// file number), « fiche paie », « prendre 2 rendez-vous ? » are
	// citizens' words.
	if _, verb, _, rest, ok := mediatorCommand(t.text); ok && refusedVerbs[verb] && (rest == "" || strings.HasPrefix(strings.TrimSpace(t.text), "!")) {
		t.say(t.msg("mediator_only"))
		return true
	}
	return false
}

var refusedVerbs = map[string]bool{"prendre": true, "claim": true, "fermer": true, "clore": true, "cloturer": true,
	"close": true, "rendre": true, "handback": true, "transferer": true, "transfer": true, "voir": true, "show": true}

func (t *turn) caseLine(c Case) string {
	wait := t.now.Sub(c.CreatedAt).Round(time.Minute)
	status := t.msg("case_status_open", "wait", shortDuration(wait))
	switch {
	case c.Status == CaseClosed:
		status = t.msg("case_status_closed", "outcome", c.Outcome)
	case c.Status == CaseClaimed && c.Mediator != nil:
		status = t.msg("case_status_claimed", "mediator", c.Mediator.Name, "wait", shortDuration(wait))
	}
	line := t.msg("case_line", "case", strconv.FormatInt(c.ID, 10), "queue", c.Queue, "topic", c.Summary.Topic, "status", status)
	if len(c.Urgent) > 0 {
		line = t.msg("case_urgent_mark", "kinds", t.dangerKinds(c.Urgent)) + " " + line
	}
	return line
}

// dangerKinds names kinds of danger in the mediators' language.
func (t *turn) dangerKinds(cats []string) string {
	kinds := make([]string, len(cats))
	for i, cat := range cats {
		kinds[i] = t.e.cat.T(t.e.cfg.Lang, "danger_kind_"+cat)
	}
	return strings.Join(kinds, ", ")
}

func shortDuration(d time.Duration) string {
	if d < time.Hour {
		return strconv.Itoa(int(d.Minutes())) + " min"
	}
	return strconv.Itoa(int(d.Hours())) + " h " + strconv.Itoa(int(d.Minutes())%60) + " min"
}

func (t *turn) listCases() error {
	cs, err := t.e.store.Cases(t.ctx, "", CaseOpen, CaseClaimed)
	if err != nil {
		return fmt.Errorf("list cases: %w", err)
	}
	if len(cs) == 0 {
		t.say(t.msg("cases_none"))
		return nil
	}
	// Urgent cases first, each group oldest first.
	slices.SortStableFunc(cs, func(a, b Case) int {
		return cmp.Compare(min(len(b.Urgent), 1), min(len(a.Urgent), 1))
	})
	lines := []string{t.msg("cases_title", "n", strconv.Itoa(len(cs)))}
	for _, c := range cs {
		lines = append(lines, "• "+t.caseLine(c))
	}
	t.say(strings.Join(lines, "\n"))
	return nil
}

// summary renders a case for a mediator.
func (t *turn) summary(c Case) string {
	s := c.Summary
	lines := []string{t.caseLine(c),
		t.msg("case_meta", "lang", c.Lang, "where", cmp.Or(s.Jurisdiction, "?"), "platform", c.Address.Platform, "reason", s.Reason)}
	if !c.Consent {
		lines = append(lines, t.msg("case_no_consent"))
		return strings.Join(lines, "\n")
	}
	if len(s.Path) > 0 {
		var steps []string
		for _, st := range s.Path {
			steps = append(steps, st.Choice)
		}
		lines = append(lines, t.msg("case_path", "path", strings.Join(steps, " → ")))
	}
	if len(s.Shown) > 0 {
		var shown []string
		for _, id := range s.Shown {
			title := id
			if it, ok := t.snap.base.Item(id); ok {
				title = id + " " + it.Title
			}
			shown = append(shown, title)
		}
		lines = append(lines, t.msg("case_shown", "items", strings.Join(shown, " ; ")))
	}
	words := s.LastWords
	// The citizen may have written since the case opened (a message left
	// while waiting): read their latest words at the time of reading.
	if turns, err := t.e.store.RecentTurns(t.ctx, c.Address, 4*summaryWords); err == nil {
		var fresh []string
		for _, tu := range turns {
			if tu.Dir == "in" {
				fresh = append(fresh, tu.Text)
			}
		}
		if len(fresh) > 0 {
			words = fresh[max(0, len(fresh)-summaryWords):]
		}
	}
	for _, w := range words {
		lines = append(lines, "  « "+Defuse(w)+" »")
	}
	return strings.Join(lines, "\n")
}

// summaryWords is how many of the citizen's latest messages a mediator
// reads in a case summary.
const summaryWords = 8

func (t *turn) showCase(id int64) error {
	c, ok, err := t.findCase(id)
	if !ok || err != nil {
		return err
	}
	text := t.summary(c)
	notes, err := t.e.store.CaseNotes(t.ctx, id)
	if err != nil {
		return fmt.Errorf("read notes: %w", err)
	}
	for _, n := range notes {
		text += "\n" + t.msg("case_note_line", "author", n.Author, "text", n.Text)
	}
	t.replies = append(t.replies, Reply{To: t.in.Address, About: c.Address, Text: text})
	return nil
}

// mediatorSelf is the mediator writing, as recorded on the cases they claim.
func (t *turn) mediatorSelf() *Mediator {
	name := t.in.Name
	if name == "" {
		name = t.in.Address.User
	}
	return &Mediator{Address: Address{Platform: t.in.Address.Platform, Channel: t.in.Address.Channel, User: t.in.Address.User}, Name: name}
}

// to builds a message for another conversation than the sender's.
func (t *turn) to(a Address, lang, key string, kv ...string) Reply {
	return Reply{To: a, Text: t.e.cat.T(lang, key, kv...)}
}

func (t *turn) claim(id int64) error {
	me := t.mediatorSelf()
	c, ok, err := t.findCase(id)
	if !ok || err != nil {
		return err
	}
	sid := strconv.FormatInt(id, 10)
	out := []Reply{t.to(c.Address, c.Lang, "citizen_claimed", "mediator", me.Name)}
	if q, ok := t.e.cfg.Mediation.queue(c.Queue); ok && q.Channel != t.in.Address {
		out = append(out, t.to(q.Channel, t.e.cfg.Lang, "queue_claimed", "case", sid, "mediator", me.Name))
	}
	c, err = t.e.store.UpdateCase(t.ctx, id, []CaseStatus{CaseOpen}, CaseChange{Status: CaseClaimed, Mediator: me, At: t.now}, out)
	if errors.Is(err, ErrCaseConflict) {
		who := "?"
		if c.Mediator != nil {
			who = c.Mediator.Name
		}
		if c.Status == CaseClosed {
			t.say(t.msg("case_closed_already", "case", sid))
		} else {
			t.say(t.msg("case_taken", "case", sid, "mediator", who))
		}
		return nil
	}
	if err != nil {
		return fmt.Errorf("claim case %d: %w", id, err)
	}
	t.conv.CaseID = id
	t.replies = append(t.replies, Reply{To: t.in.Address, About: c.Address, Text: t.msg("mediator_claimed", "case", sid) + "\n" + t.summary(c)})
	return nil
}

// findCase returns case id, or says it does not exist (ok false). A
// storage error is an error, never « demande inconnue ».
func (t *turn) findCase(id int64) (Case, bool, error) {
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
func (t *turn) heldCase(id int64) (Case, bool, error) {
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
func (t *turn) holds(c Case) bool {
	return c.Status == CaseClaimed && c.Mediator != nil && c.Mediator.Address.User == t.in.Address.User && c.Mediator.Address.Platform == t.in.Address.Platform
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
		outcome = "resolved"
	}
	sid := strconv.FormatInt(id, 10)
	ask := t.to(c.Address, c.Lang, "citizen_closed")
	for i := 1; i <= 5; i++ {
		ask.Choices = append(ask.Choices, Choice{Label: strconv.Itoa(i), Payload: "s:" + sid + ":" + strconv.Itoa(i)})
	}
	if _, err := t.e.store.UpdateCase(t.ctx, id, []CaseStatus{CaseClaimed}, CaseChange{Status: CaseClosed, Outcome: outcome, Note: note, At: t.now}, []Reply{ask}); err != nil {
		return fmt.Errorf("close case %d: %w", id, err)
	}
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
	out := []Reply{t.to(c.Address, c.Lang, "citizen_handed_back")}
	if _, err := t.e.store.UpdateCase(t.ctx, id, []CaseStatus{CaseClaimed}, CaseChange{Status: CaseClosed, Outcome: "handed back", At: t.now}, out); err != nil {
		return fmt.Errorf("hand back case %d: %w", id, err)
	}
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
	_, err := t.e.store.UpdateCase(t.ctx, id, []CaseStatus{CaseOpen, CaseClaimed, CaseClosed}, CaseChange{Note: text, Mediator: nil, At: t.now}, nil)
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
		to := &Mediator{Address: Address{Platform: t.in.Address.Platform, Channel: t.in.Address.Channel, User: user}, Name: user}
		if !t.e.cfg.Mediation.isMediator(to.Address) {
			t.say(t.msg("transfer_not_mediator", "mediator", user))
			return nil
		}
		out := []Reply{
			t.to(to.Address, t.e.cfg.Lang, "mediator_transferred_to_you", "case", sid, "from", t.mediatorSelf().Name),
			t.to(c.Address, c.Lang, "citizen_claimed", "mediator", to.Name),
		}
		if _, err := t.e.store.UpdateCase(t.ctx, id, []CaseStatus{CaseOpen, CaseClaimed}, CaseChange{Status: CaseClaimed, Mediator: to, At: t.now}, out); errors.Is(err, ErrCaseConflict) {
			t.say(t.msg("case_closed_already", "case", sid))
			return nil
		} else if err != nil {
			return fmt.Errorf("transfer case %d: %w", id, err)
		}
	} else {
		q, ok := t.e.cfg.Mediation.Queues[target]
		if !ok {
			t.say(t.msg("transfer_unknown_queue", "queue", target, "queues", strings.Join(t.queueNames(), ", ")))
			return nil
		}
		c.Queue = target
		out := []Reply{t.announcement(c, q), t.to(c.Address, c.Lang, "citizen_transferred")}
		if _, err := t.e.store.UpdateCase(t.ctx, id, []CaseStatus{CaseOpen, CaseClaimed}, CaseChange{Status: CaseOpen, ClearMediator: true, Queue: target, Announced: true, At: t.now}, out); errors.Is(err, ErrCaseConflict) {
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

func (t *turn) queueNames() []string {
	var names []string
	for n := range t.e.cfg.Mediation.Queues {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// sendItem sends a knowledge item, formatted, to the citizen of the case
// the mediator holds.
func (t *turn) sendItem(id string) error {
	if t.conv.CaseID == 0 {
		t.say(t.msg("mediator_no_case"))
		return nil
	}
	c, ok, err := t.heldCase(t.conv.CaseID)
	if !ok || err != nil {
		return err
	}
	it, found := t.snap.base.Item(id)
	if !found {
		t.say(t.msg("item_unknown", "item", id))
		return nil
	}
	citizen := &turn{e: t.e, ctx: t.ctx, snap: t.snap, conv: Conversation{Lang: c.Lang}, now: t.now}
	r := Reply{To: c.Address, Text: citizen.renderItem(it)}
	if _, err := t.e.store.UpdateCase(t.ctx, c.ID, []CaseStatus{CaseClaimed}, CaseChange{At: t.now}, []Reply{r}); err != nil {
		return fmt.Errorf("send item: %w", err)
	}
	t.say(t.msg("mediator_item_sent", "item", it.Title, "case", strconv.FormatInt(c.ID, 10)))
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
	t.replies = append(t.replies, Reply{To: c.Address, Text: t.e.cat.T(c.Lang, "relay_from_mediator", "mediator", c.Mediator.Name, "text", t.relayed(text, c.Lang))})
	t.silent = true
	return nil
}

// announcement is the post that puts a case in its queue's channel.
func (t *turn) announcement(c Case, q Queue) Reply {
	lang := t.e.cfg.Lang
	sum := &turn{e: t.e, ctx: t.ctx, snap: t.snap, conv: Conversation{Lang: lang}, now: t.now}
	text := t.e.cat.T(lang, "queue_new_case", "case", strconv.FormatInt(c.ID, 10), "queue", c.Queue) + "\n" + sum.summary(c)
	return Reply{To: q.Channel, About: c.Address, Text: text, Choices: []Choice{{Label: t.e.cat.T(lang, "btn_claim"), Payload: "m:claim:" + strconv.FormatInt(c.ID, 10)}}}
}

// relayed is text as passed to the other person of a case, in lang:
// defused, and marked when the message was cut.
func (t *turn) relayed(text, lang string) string {
	text = Defuse(text)
	if t.cut && text == Defuse(t.text) {
		text += " " + t.e.cat.T(lang, "relay_cut")
	}
	return text
}

// Defuse makes text a person wrote safe to show to someone else: an @
// starting a mention is broken (nobody can make the bot ping @everyone or
// a user) while e-mail addresses stay whole, and a markdown link shows
// its real address (« [impots.gouv.fr](http://ailleurs.example) » reads
// « impots.gouv.fr (http://ailleurs.example) »).
func Defuse(s string) string {
	s = mdLink.ReplaceAllString(s, "$1 ($2)")
	return mentionAt.ReplaceAllString(s, "$1@\u200b$2")
}

var (
	// mentionAt is an @ at a word's start followed by a name character;
	// the @ of « marie@example.org » follows a letter and is left alone.
	mentionAt = regexp.MustCompile(`(^|[^\pL\pN_.+-])@([\pL\pN_.-])`)
	mdLink    = regexp.MustCompile(`\[([^\]\n]*)\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)`)
)
