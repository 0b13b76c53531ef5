package bot

import (
	"fmt"
	"strconv"
	"strings"
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

// commandWords maps a whole folded message to a command and the language
// it is in ("" when the word is shared). Only whole messages count, so
// "conseiller numérique" is a topic, not a request for a human.
var commandWords = map[string][2]string{
	"aide": {cmdHelp, "fr"}, "au secours": {cmdHelp, "fr"}, "menu": {cmdHelp, ""}, "help": {cmdHelp, "en"},
	"recommencer": {cmdRestart, "fr"}, "recommence": {cmdRestart, "fr"}, "reset": {cmdRestart, ""},
	"restart": {cmdRestart, "en"}, "start over": {cmdRestart, "en"}, "on recommence": {cmdRestart, "fr"},
	"retour": {cmdBack, "fr"}, "revenir": {cmdBack, "fr"}, "precedent": {cmdBack, "fr"}, "back": {cmdBack, "en"}, "go back": {cmdBack, "en"},
	"humain": {cmdHuman, "fr"}, "un humain": {cmdHuman, "fr"}, "mediateur": {cmdHuman, "fr"}, "mediatrice": {cmdHuman, "fr"},
	"un mediateur": {cmdHuman, "fr"}, "une mediatrice": {cmdHuman, "fr"}, "parler a un humain": {cmdHuman, "fr"},
	"parler a quelqu un": {cmdHuman, "fr"}, "je veux parler a quelqu un": {cmdHuman, "fr"},
	"parler a un mediateur": {cmdHuman, "fr"}, "je veux parler a un humain": {cmdHuman, "fr"},
	"je veux parler a un mediateur": {cmdHuman, "fr"}, "agent": {cmdHuman, ""}, "human": {cmdHuman, "en"},
	"talk to a human": {cmdHuman, "en"}, "talk to someone": {cmdHuman, "en"}, "a human": {cmdHuman, "en"},
	"oublie moi": {cmdForgetMe, "fr"}, "oubliez moi": {cmdForgetMe, "fr"}, "efface mes donnees": {cmdForgetMe, "fr"},
	"effacer mes donnees": {cmdForgetMe, "fr"}, "supprimer mes donnees": {cmdForgetMe, "fr"},
	"supprime mes donnees": {cmdForgetMe, "fr"}, "forget me": {cmdForgetMe, "en"}, "delete my data": {cmdForgetMe, "en"},
	"bonjour": {cmdHello, "fr"}, "bonsoir": {cmdHello, "fr"}, "salut": {cmdHello, "fr"}, "coucou": {cmdHello, "fr"},
	"bjr": {cmdHello, "fr"}, "slt": {cmdHello, "fr"}, "allo": {cmdHello, "fr"}, "hello": {cmdHello, "en"},
	"hi": {cmdHello, "en"}, "hey": {cmdHello, ""}, "good morning": {cmdHello, "en"},
	"merci": {cmdThanks, "fr"}, "merci beaucoup": {cmdThanks, "fr"}, "ok merci": {cmdThanks, "fr"},
	"super merci": {cmdThanks, "fr"}, "mrc": {cmdThanks, "fr"}, "thanks": {cmdThanks, "en"},
	"thank you": {cmdThanks, "en"}, "thx": {cmdThanks, "en"},
	// Farewells: answered, not searched ("au revoir" found a sheet that
	// says "revoir" in its summary).
	"au revoir": {cmdBye, "fr"}, "aurevoir": {cmdBye, "fr"}, "a plus": {cmdBye, "fr"}, "a bientot": {cmdBye, "fr"},
	"bonne journee": {cmdBye, "fr"}, "bonne soiree": {cmdBye, "fr"}, "bonne nuit": {cmdBye, "fr"},
	"ciao": {cmdBye, ""}, "bye": {cmdBye, "en"}, "goodbye": {cmdBye, "en"}, "see you": {cmdBye, "en"},
	"merci au revoir": {cmdBye, "fr"}, "merci bonne journee": {cmdBye, "fr"}, "bonne fin de journee": {cmdBye, "fr"},
}

// command recognises a global command in a folded message, with the
// language of the word used.
func command(folded string) (cmd, lang string) {
	f := strings.TrimPrefix(strings.TrimPrefix(folded, "boussole "), "/")
	if c, ok := commandWords[f]; ok {
		return c[0], c[1]
	}
	return "", ""
}

func (t *turn) command(cmd string) error {
	switch cmd {
	case cmdHelp:
		t.say(t.msg("help"))
		t.topics()
	case cmdRestart:
		t.conv.State = StateIdle
		t.conv.TreeID, t.conv.TreeVersion, t.conv.Node, t.conv.Path = "", 0, "", nil
		t.conv.Misses = 0
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
		if t.conv.State == StateInTree {
			return t.ask(false)
		}
		t.topics()
	case cmdThanks, cmdBye:
		key := "done"
		if cmd == cmdBye {
			key = "bye"
		}
		t.say(t.msg(key))
		if t.conv.State == StateAnswered {
			t.conv.State = StateIdle
		}
	default:
		return fmt.Errorf("unknown command %q", cmd)
	}
	return nil
}

// back returns to the previous question of the tree.
func (t *turn) back() error {
	if t.conv.TreeID == "" || (t.conv.State != StateInTree && t.conv.State != StateAnswered) {
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
	t.conv.State = StateInTree
	return t.ask(false)
}

func (t *turn) forget() error {
	// The mediators of the person's cases are told, by case number only,
	// once everything is erased.
	active, err := t.e.store.Cases(t.ctx, "", CaseOpen, CaseClaimed)
	if err != nil {
		return fmt.Errorf("forget user: list cases: %w", err)
	}
	var notices []Reply
	for _, c := range active {
		if c.Address.Platform != t.in.Address.Platform || c.Address.User != t.in.Address.User {
			continue
		}
		text := t.e.cat.T(t.e.cfg.Lang, "case_erased", "case", strconv.FormatInt(c.ID, 10))
		switch q, ok := t.e.cfg.Mediation.queue(c.Queue); {
		case c.Status == CaseClaimed && c.Mediator != nil:
			notices = append(notices, Reply{To: c.Mediator.Address, Text: text})
		case ok:
			notices = append(notices, Reply{To: q.Channel, Text: text})
		}
	}
	n, err := t.e.store.ForgetUser(t.ctx, t.in.Address.Platform, t.in.Address.User)
	if err != nil {
		return fmt.Errorf("forget user: %w", err)
	}
	t.replies = append(t.replies, notices...)
	t.forgotten = true
	t.e.log.Info("user data deleted on request", "platform", t.in.Address.Platform, "rows", n)
	t.say(t.msg("forgotten"))
	return nil
}

// escalate hands the conversation to a human mediator: with a
// mediators' queue configured, after asking the citizen's consent to
// share the conversation; without, the case is only recorded.
func (t *turn) escalate(queue, reason string) error {
	if t.conv.CaseID != 0 && (t.conv.State == StateEscalated || t.conv.State == StateWithMediator) {
		t.say(t.msg("case_waiting", "case", strconv.FormatInt(t.conv.CaseID, 10)))
		return nil
	}
	if queue == "" {
		queue = DefaultQueue
	}
	queue = t.e.cfg.Mediation.forJurisdiction(queue, t.jurisdiction())
	if t.conv.Misses >= t.e.cfg.MissesBeforeMediator && reason == reasonAsked {
		reason = reasonMisunderstood
	}
	if _, ok := t.e.cfg.Mediation.queue(queue); ok && !t.e.cfg.Mediation.SkipConsent {
		t.askConsent(queue, reason)
		return nil
	}
	return t.openCase(queue, reason, true)
}

// lastWords returns the citizen's own recent messages, oldest first,
// including the current one.
func (t *turn) lastWords() ([]string, error) {
	n := t.e.cfg.LastWords
	turns, err := t.e.store.RecentTurns(t.ctx, t.in.Address, 4*n)
	if err != nil {
		return nil, fmt.Errorf("read recent turns: %w", err)
	}
	var words []string
	for _, tu := range turns {
		if tu.Dir == "in" {
			words = append(words, tu.Text)
		}
	}
	if t.in.Payload == "" && t.text != "" {
		words = append(words, t.text)
	}
	if len(words) > n {
		words = words[len(words)-n:]
	}
	return words, nil
}
