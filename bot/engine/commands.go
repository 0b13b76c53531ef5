package engine

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/boussole/boussole/bot"
	"github.com/boussole/boussole/bot/mediation"
	"github.com/boussole/boussole/knowledge"
)

// Global commands, recognised in every state.
const (
	cmdHelp     = "help"
	cmdRestart  = "restart"
	cmdBack     = "back"
	cmdHuman    = "human"
	cmdForgetMe = "forget"
	cmdHello    = "hello"
	cmdThanks   = "thanks"
	cmdBye      = "bye"
)

func (t *turn) command(cmd string) error {
	switch cmd {
	case cmdHelp:
		t.say(t.msg("help"))
		return t.keepMenu()
	case cmdRestart:
		t.conv.State = bot.StateIdle
		t.conv.TreeID, t.conv.TreeVersion, t.conv.Node, t.conv.Path = "", 0, "", nil
		t.conv.Misses = 0
		t.conv.Search = bot.PlaceSearch{} // the town stays: it is where they are
		t.say(t.msg("restarted"))
		t.topics()
	case cmdBack:
		return t.back()
	case cmdHuman:
		// « humain » typed right after a danger answer is its « Parler à
		// un médiateur » button: the case is urgent.
		for _, o := range t.conv.Offered {
			if q, cats, ok := strings.Cut(o.Arg, "|"); ok && o.Action == actEscalate {
				return t.escalate(q, reasonDanger+":"+cats)
			}
		}
		return t.escalate(t.treeQueue(), reasonAsked)
	case cmdForgetMe:
		return t.forget()
	case cmdHello:
		t.say(t.msg("hello"))
		if t.conv.State == bot.StateInTree {
			return t.ask(false)
		}
		t.topics()
	case cmdThanks, cmdBye:
		key := "done"
		if cmd == cmdBye {
			key = "bye"
		}
		t.say(t.msg(key))
		if t.conv.State == bot.StateAnswered {
			t.conv.State = bot.StateIdle
		}
	default:
		return fmt.Errorf("unknown command %q", cmd)
	}
	return nil
}

// keepMenu offers again, after the help, the menu the person was in: a
// tree's question is asked again (its choices, and the mediator's button
// if it was there); anywhere else, the topics. The conversation does not
// move, so « retour » next goes back one step from where the person was.
func (t *turn) keepMenu() error {
	if t.conv.State != bot.StateInTree || t.conv.TreeID == "" {
		t.topics()
		return nil
	}
	if err := t.ask(false); err != nil {
		return err
	}
	for _, o := range t.conv.Offered {
		if o.Action == actEscalate {
			o.Payload = ""
			t.offer(o)
		}
	}
	return nil
}

// back returns to the previous question of the tree.
func (t *turn) back() error {
	if t.conv.TreeID == "" || (t.conv.State != bot.StateInTree && t.conv.State != bot.StateAnswered) {
		t.say(t.msg("back_nothing"))
		t.reoffer()
		return nil
	}
	if len(t.conv.Path) == 0 {
		t.say(t.msg("back_at_start"))
		return t.ask(false)
	}
	last := t.conv.Path[len(t.conv.Path)-1]
	t.conv.Path = t.conv.Path[:len(t.conv.Path)-1]
	t.conv.Node = last.Node
	t.conv.State = bot.StateInTree
	return t.ask(false)
}

func (t *turn) forget() error {
	// The mediators of the person's cases are told, by case number only,
	// once everything is erased.
	active, err := t.e.store.Cases(t.ctx, "", bot.CaseOpen, bot.CaseClaimed)
	if err != nil {
		return fmt.Errorf("forget user: list cases: %w", err)
	}
	var notices []bot.Reply
	for _, c := range active {
		if c.Address.Platform != t.in.Address.Platform || c.Address.User != t.in.Address.User {
			continue
		}
		// Erased with the person, the case ends: counted as cancelled, so
		// that the report's cases opened are all closed in the end.
		t.tallyCase(bot.TallyClosed, c, bot.Tally{Outcome: bot.OutcomeCancelled})
		text := t.e.cat.T(t.e.cfg.Lang, "case_erased", "case", strconv.FormatInt(c.ID, 10))
		switch q, ok := t.e.cfg.Mediation.Queue(c.Queue); {
		case c.Status == bot.CaseClaimed && c.Mediator != nil:
			notices = append(notices, bot.Reply{To: c.Mediator.Address, Text: text})
		case ok:
			notices = append(notices, bot.Reply{To: q.Channel, Text: text})
		}
	}
	n, err := t.e.store.ForgetUser(t.ctx, t.in.Address.Platform, t.in.Address.User)
	if err != nil {
		return fmt.Errorf("forget user: %w", err)
	}
	t.replies = append(t.replies, notices...)
	t.forgotten = true
	t.e.log.InfoContext(t.ctx, "user data deleted on request", "platform", t.in.Address.Platform, "rows", n)
	t.say(t.msg("forgotten"))
	return nil
}

// escalate hands the conversation to a human mediator: with a
// mediators' queue configured, after asking the citizen's consent to
// share the conversation; without, the case is only recorded.
func (t *turn) escalate(queue, reason string) error {
	if t.conv.CaseID != 0 && (t.conv.State == bot.StateEscalated || t.conv.State == bot.StateWithMediator) {
		t.say(t.msg("case_waiting", "case", strconv.FormatInt(t.conv.CaseID, 10)))
		return nil
	}
	// A case asked for after a housing answer, or inside the housing
	// tree, is a housing case for the housing mediators, whichever button
	// or word asked for it. An urgent case keeps the queue it was given.
	topic := t.caseTopic()
	if (queue == "" || queue == mediation.DefaultQueue) && topic != "" && !strings.HasPrefix(reason, reasonDanger) {
		tr, err := t.topicTree(topic)
		if err != nil && !errors.Is(err, knowledge.ErrNotFound) {
			return err
		}
		if err == nil {
			queue = treeEscalation(tr)
		}
	}
	if queue == "" {
		queue = mediation.DefaultQueue
	}
	queue = t.e.cfg.Mediation.ForPlace(queue, t.jurisdiction(), t.conv.Town.Dept)
	if t.conv.Misses >= t.e.cfg.MissesBeforeMediator && reason == reasonAsked {
		reason = reasonMisunderstood
	}
	if _, ok := t.e.cfg.Mediation.Queue(queue); ok && !t.e.cfg.Mediation.SkipConsent {
		t.askConsent(queue, topic, reason)
		return nil
	}
	return t.openCase(queue, topic, reason, true)
}

// lastWords returns the citizen's own recent messages, oldest first,
// including the current one.
func (t *turn) lastWords() ([]string, error) {
	n := t.e.cfg.LastWords
	turns, err := t.e.store.RecentTurns(t.ctx, t.in.Address, n)
	if err != nil {
		return nil, fmt.Errorf("read recent turns: %w", err)
	}
	var words []string
	for _, tu := range turns {
		words = append(words, tu.Text)
	}
	if t.in.Payload == "" && t.text != "" {
		words = append(words, t.text)
	}
	if len(words) > n {
		words = words[len(words)-n:]
	}
	return words, nil
}
