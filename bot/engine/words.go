package engine

import (
	"fmt"
	"strings"

	"github.com/boussole/boussole/bot/catalog"
	"github.com/boussole/boussole/knowledge/analysis"
)

// words are the words the engine recognises, read once from the
// catalogue's "words_" lists of every language (fr, fr-CA, en): what a
// translator adds there is understood without touching the code.
type words struct {
	// commands maps a whole folded message to a global command and the
	// language of the word ("" when several languages share it).
	commands map[string]command
	yes, no  []string // a bare « oui » / « non »
	cancel   []string // « annuler » a request
	done     []string // « oui, merci » after an answer
	other    []string // « autre question »
	mediator []string // the « talk to a mediator » button
	fillers  map[string]bool
	follow   followWords  // follow-up words (followup.go)
	detail   detailWords  // the parts of an answer (details.go)
	nearest  nearestWords // asking for a place (nearby.go)
}

// command is a global command recognised in a whole message.
type command struct{ cmd, lang string }

// commandKeys are the catalogue lists of the global commands.
var commandKeys = map[string]string{
	cmdHelp: "words_cmd_help", cmdRestart: "words_cmd_restart", cmdBack: "words_cmd_back",
	cmdHuman: "words_cmd_human", cmdForgetMe: "words_cmd_forget", cmdHello: "words_cmd_hello",
	cmdThanks: "words_cmd_thanks", cmdBye: "words_cmd_bye",
}

// readWords reads the engine's words from cat. Each list must exist in
// French and English: a language that recognised no « aide » would leave
// its speakers without help.
func readWords(cat *catalog.Catalog) (words, error) {
	w := words{commands: map[string]command{}, fillers: map[string]bool{}}
	var missing []string
	need := func(key string) {
		for _, lang := range []string{"fr", "en"} {
			if len(cat.Words(lang, key)) == 0 {
				missing = append(missing, lang+":"+key)
			}
		}
	}
	list := func(key string) []string {
		need(key)
		var out []string
		for _, x := range cat.AllWords(key) {
			out = appendUnique(out, analysis.Fold(x))
		}
		return out
	}
	for cmd, key := range commandKeys {
		need(key)
		for _, lang := range cat.Langs() {
			for _, x := range cat.Words(lang, key) {
				f := analysis.Fold(x)
				c, seen := w.commands[f]
				switch {
				case !seen:
					w.commands[f] = command{cmd, lang}
				case c.cmd != cmd:
					return w, fmt.Errorf("catalogue: %q is both %s and %s", x, c.cmd, cmd)
				case c.lang != lang && !sameBase(c.lang, lang):
					w.commands[f] = command{cmd, ""} // shared by languages
				}
			}
		}
	}
	w.yes, w.no, w.cancel, w.done = list("words_yes"), list("words_no"), list("words_cancel"), list("words_done")
	w.other, w.mediator = list("words_other"), list("words_mediator_button")
	w.detail = readDetailWords(list)
	for _, f := range list("words_filler") {
		w.fillers[f] = true
	}
	w.follow = readFollowWords(list)
	w.nearest = readNearestWords(list)
	if len(missing) > 0 {
		return w, fmt.Errorf("catalogue: no words for %s", strings.Join(missing, ", "))
	}
	return w, nil
}

// sameBase: fr and fr-CA are one language for a command's language.
func sameBase(a, b string) bool { return langBase(a) == langBase(b) }

// command recognises a global command in a folded message, with the
// language of the word used.
func (w words) command(folded string) (cmd, lang string) {
	f := strings.TrimPrefix(strings.TrimPrefix(folded, "boussole "), "/")
	if c, ok := w.commands[f]; ok {
		return c.cmd, langBase(c.lang)
	}
	return "", ""
}
