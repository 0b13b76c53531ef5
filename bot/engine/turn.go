package engine

import (
	"cmp"
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/boussole/boussole/bot"
	"github.com/boussole/boussole/bot/pii"
	"github.com/boussole/boussole/knowledge"
	"github.com/boussole/boussole/knowledge/analysis"
)

// Offer actions: what picking an offered choice does.
const (
	actChoice   = "choice"   // Arg: index of the choice in the current tree node
	actTree     = "tree"     // Arg: tree id to start
	actItem     = "item"     // Arg: item id to answer
	actEscalate = "escalate" // Arg: queue
	actRestart  = "restart"
	actBack     = "back"
	actDone     = "done"
	actRephrase = "rephrase"
	actWhere    = "where" // Arg: jurisdiction, unit separator, the question asked
	actRoute    = "route" // Arg: jurisdiction, chosen at a tree's route node
	// Offered to a mediator whose words could be a command or a message.
	actRelay      = "relay"   // Arg: the words, sent to the citizen
	actRunCommand = "command" // Arg: the words, run as a command
	actSendItem   = "send"    // Arg: an item id, sent to the citizen
)

// Escalation reasons recorded in case summaries.
const (
	reasonAsked         = bot.ReasonAsked
	reasonTree          = bot.ReasonTree
	reasonMisunderstood = bot.ReasonMisunderstood
	// reasonDanger is followed by ":" and the kinds of danger recognised.
	reasonDanger = bot.ReasonDanger
)

// maxTopics bounds the topic menu: one side's topics (France has 12 in
// the demo) with « Au Québec » and the mediator's button stay within
// Discord's 25 buttons and a screen's height; a longer list gets hard to
// read.
const maxTopics = 14

// turn is the work of one incoming message on one conversation.
type turn struct {
	e    *Engine
	ctx  context.Context
	snap *snapshot
	conv bot.Conversation
	in   bot.Incoming
	now  time.Time
	// text is the normalised message, stored as the "in" turn.
	text    string
	replies []bot.Reply
	offers  []bot.Offer
	// forgotten is set when the user's data was deleted: nothing more is
	// stored for this turn.
	forgotten bool
	// silent is set when the message was relayed to a person: the bot
	// says nothing itself.
	silent bool
	// elsewhere are the search hits of the other jurisdiction, set aside.
	elsewhere []knowledge.Hit
	// placed is the jurisdiction of a town or postal code the message
	// names, and query the message without it (what search reads).
	placed string
	query  *string
	// caseID is the case this turn acts on or speaks in (0: none): its
	// turns and messages are erased with the case's citizen.
	caseID int64
	// alsoSide is the side a town's name points to when it disagrees with
	// the side already known: a danger answer adds its emergency number.
	alsoSide string
	// moved is set when the message's words put the person on the other
	// side than the conversation was: a tree under way there no longer
	// applies.
	moved bool
	// cut is set when the message was longer than the bot reads: what is
	// relayed says so.
	cut bool
	// topicUsed is set when this turn set or used the conversation's
	// topic (followup.go): it does not age.
	topicUsed bool
	// placesUsed is set when this turn answered or asked about places
	// (nearby.go): the search under way lasts one more turn.
	placesUsed bool
	// townSaid is set when the message named the person's town
	// (« j'habite à Aubagne »): the conversation remembers it.
	townSaid bool
	// forCase is set when the message is for the other side of its case
	// (relayed, or left for the mediators): it is stored as relayed.
	forCase bool
	// usage are the events the gap report counts (usage.go).
	usage usageNotes
	// understood is the language model's reading of the message, when
	// its search found better than the person's words (model.go).
	understood string
	// first is the first message of the next answer when the model
	// wrote it (grounded), else "": the template's.
	first string
	// summaryOK is set when the person consented to a case whose
	// consent question said a summary would be written (model.go).
	summaryOK bool
	// reading is set while the model's reading of the message is on its
	// way (model.go).
	reading bool
	// tallies are the turn's counted events (tally.go); how is how the
	// answer about to be given was found (bot.Confidence*), "" for the
	// default.
	tallies []bot.Tally
	how     string
}

func (t *turn) lang() string { return t.conv.Lang }

func (t *turn) msg(key string, kv ...string) string { return t.e.cat.T(t.lang(), key, kv...) }

// say adds a reply.
func (t *turn) say(text string) { t.replies = append(t.replies, bot.Reply{Text: text}) }

// offer sets the choices attached to the last reply of this turn.
func (t *turn) offer(o ...bot.Offer) { t.offers = append(t.offers, o...) }

func (t *turn) run() error {
	raw := t.in.Text
	t.text = analysis.Truncate(analysis.Normalize(raw), t.e.cfg.MaxInputBytes)
	// Normalize bounds the message too: compare with what was typed.
	t.cut = len(strings.Join(strings.Fields(raw), " ")) > min(t.e.cfg.MaxInputBytes, analysis.MaxMessageBytes)
	if t.e.cfg.Mediation.IsMediatorIn(t.in) && (t.in.Payload != "" || t.text != "") {
		handled, err := t.mediatorTurn()
		if err != nil {
			return err
		}
		if handled {
			return t.finish()
		}
	}
	// The person is answered in the language they write in, from the
	// first message on (a configured language is only the default).
	said := ""       // the jurisdiction the message's words name, if any
	dangerSaid := "" // what the danger answer may trust of it
	var cats []string
	if t.in.Payload == "" {
		t.switchLang(t.e.messageLang(analysis.Fold(mention.ReplaceAllString(t.text, " "))))
		// Words that say where the person is (« je suis au Québec »,
		// « à Montréal », « la CAF », « H2X 1Y4 ») set the conversation's
		// side; names only one side has come before towns.
		var err error
		if cats, said, err = t.e.danger.Read(t.ctx, t.text); err != nil {
			return fmt.Errorf("read danger: %w", err)
		}
		dangerSaid = said
		if t.e.places != nil {
			// The town's name is where the person is, not what they ask.
			j, rest, err := t.e.places.Locate(t.ctx, t.asked())
			if err != nil {
				return fmt.Errorf("locate: %w", err)
			}
			if j != "" {
				// A town's name can mislead (« I want to die » names
				// Die, in the Drôme): the numbers of a side already known
				// are not replaced on its word alone.
				if dangerSaid == "" && t.toldJurisdiction() == "" {
					dangerSaid = j
				} else if dangerSaid == "" {
					t.alsoSide = j // one line for that side's emergency number
				}
				said = cmp.Or(said, j)
				t.placed, t.query = j, &rest
				if err := t.rememberTown(); err != nil {
					return err
				}
			}
		}
	}
	if len(cats) > 0 {
		// In danger, only what can be trusted moves the person.
		said = dangerSaid
	}
	if said != "" && t.conv.Jurisdiction != "" && said != t.conv.Jurisdiction {
		t.moved = true
	}
	t.followJurisdiction(said)
	// Danger comes first, in every state: a person in danger gets the
	// emergency numbers before any search, tree, command or case rule.
	if len(cats) > 0 {
		t.dropTopic() // « c'est où ? » now is not about the sheet before
		if err := t.dangerTurn(cats, dangerSaid); err != nil {
			return err
		}
		return t.finish()
	}
	if handled, err := t.ratingPayload(); handled || err != nil {
		if err != nil {
			return err
		}
		return t.finish()
	}
	if t.refuseMediatorCommand() {
		return t.finish()
	}
	if t.in.Payload != "" {
		if err := t.payload(); err != nil {
			return err
		}
		return t.finish()
	}
	folded := analysis.Fold(mention.ReplaceAllString(t.text, " "))
	switch {
	case t.text == "":
		t.say(t.msg("empty"))
		t.reoffer()
	case folded == "" && t.conv.CaseID != 0 && (t.conv.State == bot.StateEscalated || t.conv.State == bot.StateWithMediator):
		// « 👍 », « ? » in a case are for the mediator.
		if err := t.message(folded); err != nil {
			return err
		}
	case folded == "":
		// Emoji, punctuation or symbols only: nothing to search for.
		t.say(t.msg("no_words"))
		t.reoffer()
	default:
		if len(strings.TrimSpace(raw)) > t.e.cfg.MaxInputBytes {
			t.say(t.msg("too_long"))
		}
		if err := t.message(folded); err != nil {
			return err
		}
	}
	return t.finish()
}

// finish numbers the offers of this turn and attaches them to the last
// reply. Every turn renews the sequence number so an older button is
// recognised as expired.
func (t *turn) finish() error {
	t.ageTopic()
	if !t.placesUsed {
		// « Gap » typed after this turn is not a town for that search.
		t.conv.Search = bot.PlaceSearch{}
	}
	t.conv.Seq++
	for i := range t.offers {
		t.offers[i].Payload = "b:" + strconv.Itoa(t.conv.Seq) + ":" + strconv.Itoa(i)
	}
	t.conv.Offered = t.offers
	if len(t.replies) == 0 && !t.silent {
		t.say(t.msg("not_understood"))
	}
	if len(t.offers) > 0 {
		// Choices go on the last reply to the sender, not on a message
		// relayed to someone else.
		for i := len(t.replies) - 1; i >= 0; i-- {
			if to := t.replies[i].To; to == (bot.Address{}) || to == t.in.Address {
				for _, o := range t.offers {
					t.replies[i].Choices = append(t.replies[i].Choices, bot.Choice{Label: o.Label, Payload: o.Payload})
				}
				break
			}
		}
	}
	return nil
}

// reoffer repeats the previous turn's choices, if any.
func (t *turn) reoffer() {
	for _, o := range t.conv.Offered {
		o.Payload = ""
		t.offers = append(t.offers, o)
	}
}

func (t *turn) payload() error {
	seq, idx, ok := parsePayload(t.in.Payload)
	if !ok || seq != t.conv.Seq || idx < 0 || idx >= len(t.conv.Offered) {
		t.say(t.msg("expired"))
		t.reoffer()
		return nil
	}
	o := t.conv.Offered[idx]
	t.text = o.Label // what the user "said", for the summary
	return t.act(o)
}

func parsePayload(p string) (seq, idx int, ok bool) {
	rest, found := strings.CutPrefix(p, "b:")
	if !found {
		return 0, 0, false
	}
	a, b, found := strings.Cut(rest, ":")
	if !found {
		return 0, 0, false
	}
	seq, err1 := strconv.Atoi(a)
	idx, err2 := strconv.Atoi(b)
	return seq, idx, err1 == nil && err2 == nil
}

func (t *turn) message(folded string) error {
	cmd, lang := t.e.words.command(folded)
	if t.conv.CaseID != 0 && (t.conv.State == bot.StateEscalated || t.conv.State == bot.StateWithMediator) {
		// While a mediator is involved, messages are for them; only
		// leaving commands are the bot's.
		if handled, err := t.caseTurn(folded, cmd); handled || err != nil {
			return err
		}
	}
	if cmd != "" {
		t.switchLang(lang)
		if cmd == cmdRestart {
			t.dropTopic()
		}
		return t.command(cmd)
	}
	// « Dans quelle ville ? » answered, « France Services à Digne »,
	// « près de chez moi » (nearby.go).
	if handled, err := t.places(folded); handled || err != nil {
		return err
	}
	// « et ça coûte combien ? » after an answer (followup.go).
	if handled, err := t.followUp(folded); handled || err != nil {
		return err
	}
	if m, ok := t.e.words.matchOffer(t.conv.Offered, folded); ok {
		if m.covered >= 0.5 {
			return t.act(m.offer)
		}
		// The choice explains only part of what was typed ("carte vitale
		// perdue" against a "Carte d'identité" button): a confident search
		// hit that this choice cannot lead to wins.
		hits, err := t.search()
		if err != nil {
			return err
		}
		if len(hits) > 0 && t.e.policy.Confident(hits[0].Confidence) && !t.leadsTo(m.offer, hits[0]) {
			return t.freeText(hits)
		}
		return t.act(m.offer)
	}
	if t.explainNumber(folded) {
		// « 3919 » or « 115 » typed alone, not a choice on offer.
		return nil
	}
	if t.conv.State != bot.StateInTree && t.e.words.bareChoice(folded) {
		// "2" or "oui" with nothing offered that matches: not a question.
		t.say(t.msg("no_choice"))
		if len(t.conv.Offered) > 0 {
			t.reoffer()
		} else {
			t.topics()
		}
		return nil
	}
	if t.conv.State == bot.StateInTree && t.moved {
		// « je vis à Marseille, … » inside Québec's housing questions: the
		// tree was for the other side; the question is answered afresh.
		t.conv.State = bot.StateIdle
		t.conv.TreeID, t.conv.TreeVersion, t.conv.Node, t.conv.Path = "", 0, "", nil
		return t.searchAndAnswer()
	}
	if t.conv.State == bot.StateInTree {
		// A clear new question leaves the tree; anything else is a
		// misunderstood answer to the current question.
		hits, err := t.search()
		if err != nil {
			return err
		}
		if len(hits) > 0 && t.e.policy.Certain(hits[0].Confidence) &&
			!(hits[0].Kind == knowledge.HitTree && hits[0].ID == t.conv.TreeID) {
			return t.freeText(hits)
		}
		// A clear question whose sheets are all the other side's.
		if len(hits) == 0 && len(t.elsewhere) > 0 && t.e.policy.Certain(t.elsewhere[0].Confidence) && t.notHere() {
			return nil
		}
		return t.treeMiss()
	}
	return t.searchAndAnswer()
}

// mention matches @name, @everyone and @here.
var mention = regexp.MustCompile(`@\S+`)

// asked is the message as the search reads it: without mentions (a name
// or @everyone is never the question). With a language model, whatever
// is searched may leave for it (an embedding, a reading): it is masked
// first, before a mention takes an e-mail's domain away and before
// places fold it (the name and e-mail rules read the words as typed).
func (t *turn) asked() string {
	s := t.text
	if t.e.model != nil {
		s = pii.Mask(s)
	}
	return mention.ReplaceAllString(s, " ")
}

// jurisdiction is where the conversation's citizen is: what their words
// or the content they chose said, else the channel's configuration, else
// the language (fr-CA: Québec), else the configured default, else France.
func (t *turn) jurisdiction() string {
	if j := t.toldJurisdiction(); j != "" {
		return j
	}
	if j := cmp.Or(t.e.langJurisdiction(t.conv.Lang), t.e.langJurisdiction(t.e.cfg.Lang)); j != "" {
		return j
	}
	return t.e.cfg.Jurisdiction
}

// toldJurisdiction is the jurisdiction the person or their channel told,
// or "": not guessed from the language nor taken from the default.
func (t *turn) toldJurisdiction() string {
	return cmp.Or(t.conv.Jurisdiction, t.channelJurisdiction())
}

// channelJurisdiction is the jurisdiction configured for the
// conversation's channel, else its Discord server or Mattermost team (a
// Québec community's server), else its platform, or "".
func (t *turn) channelJurisdiction() string {
	byChan := t.e.cfg.Jurisdictions[t.conv.Address.Platform]
	space := ""
	if t.in.Space != "" {
		space = byChan[t.in.Space]
	}
	return cmp.Or(byChan[t.conv.Address.Channel], space, byChan["*"])
}

func (t *turn) hitJurisdiction(h knowledge.Hit) string {
	_, j := t.snap.base.Describe(h)
	return j
}

// bareChoice reports whether folded is a number or a yes/no word: an answer
// to a choice, not a question to search.
func (w words) bareChoice(folded string) bool {
	if _, err := strconv.Atoi(folded); err == nil {
		return true
	}
	return slices.Contains(w.yes, folded) || slices.Contains(w.no, folded)
}

// followJurisdiction switches between France and Québec wording with the
// content shown, unless the deployment chose a wording itself.
func (t *turn) followJurisdiction(j string) {
	if j == "" {
		return
	}
	t.conv.Jurisdiction = j
	if langBase(t.e.cfg.Lang) != t.e.cfg.Lang || langBase(t.conv.Lang) != t.e.cfg.Lang {
		// A regional deployment keeps its wording; so does a person
		// writing another language than the deployment's.
		return
	}
	t.conv.Lang = t.e.regional(t.e.cfg.Lang, j)
}

// switchLang follows the language of an unambiguous command word.
func (t *turn) switchLang(lang string) {
	switch {
	case lang == "en" && !strings.HasPrefix(t.conv.Lang, "en"):
		t.conv.Lang = "en"
	case lang == "fr" && strings.HasPrefix(t.conv.Lang, "en"):
		t.conv.Lang = t.e.cfg.Lang
		if strings.HasPrefix(t.conv.Lang, "en") {
			t.conv.Lang = "fr"
		}
		// Back to French in Québec: Québec's wording.
		if langBase(t.conv.Lang) == t.conv.Lang {
			t.conv.Lang = t.e.regional(t.conv.Lang, t.conv.Jurisdiction)
		}
	}
}

func (t *turn) act(o bot.Offer) error {
	switch o.Action {
	case actChoice:
		i, err := strconv.Atoi(o.Arg)
		if err != nil {
			return fmt.Errorf("offer %q: bad choice index %q", o.Label, o.Arg)
		}
		return t.choose(i)
	case actTree:
		return t.startTree(o.Arg, "")
	case actItem:
		t.conv.Misses = 0
		t.how = bot.ConfidenceUnsure // picked among the sheets offered
		return t.answer([]string{o.Arg}, -1)
	case actDetail:
		return t.detail(o)
	case actPick:
		return t.pick(o)
	case actEscalate:
		if q, cats, ok := strings.Cut(o.Arg, "|"); ok {
			// Offered with a danger answer: the case is urgent.
			return t.escalate(q, reasonDanger+":"+cats)
		}
		return t.escalate(o.Arg, reasonAsked)
	case actPlaceMore, actPlaceTown, actPlacePick:
		return t.placeAct(o)
	case actRestart:
		t.dropTopic()
		return t.command(cmdRestart)
	case actBack:
		return t.command(cmdBack)
	case actDone:
		t.say(t.msg("done"))
		t.conv.State = bot.StateIdle
		t.conv.Misses = 0
		return nil
	case actConsent:
		return t.consent(o.Arg)
	case actCancel:
		t.say(t.msg("case_not_opened"))
		t.topics()
		return nil
	case actRephrase:
		t.conv.Misses = 0
		t.say(t.msg("rephrase"))
		return nil
	case actRelay:
		t.caseID = t.conv.CaseID
		return t.relayToCitizen(t.conv.CaseID, o.Arg)
	case actRunCommand:
		c, ok := t.e.grammar.Parse(o.Arg)
		if !ok || !t.e.cfg.Mediation.IsMediatorIn(t.in) {
			t.say(t.msg("mediator_only"))
			return nil
		}
		return t.runMediatorCommand(c)
	case actSendItem:
		if !t.e.cfg.Mediation.IsMediatorIn(t.in) {
			t.say(t.msg("mediator_only"))
			return nil
		}
		return t.sendOffered(o.Arg)
	case actRoute:
		// « Where are you? » asked inside a shared tree: remembered, and
		// the tree goes on on that side.
		t.followJurisdiction(o.Arg)
		if t.conv.State != bot.StateInTree {
			t.topics()
			return nil
		}
		return t.ask(false)
	case actWhere:
		// The answer to « where are you? »: remembered for the
		// conversation, then the question asked is answered there.
		j, q, _ := strings.Cut(o.Arg, "\x1f")
		t.followJurisdiction(j)
		if q == "" {
			// « Au Québec » in the topic menu: that side's topics.
			t.say(t.msg("where_noted_" + strings.ToLower(j)))
			t.topics()
			return nil
		}
		t.text = q
		return t.searchAndAnswer()
	}
	return fmt.Errorf("offer %q: unknown action %q", o.Label, o.Action)
}
