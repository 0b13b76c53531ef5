package mediation

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/boussole/boussole/bot/catalog"
	"github.com/boussole/boussole/knowledge/analysis"
)

// Verb is what a mediator's command does.
type Verb string

// The mediators' commands.
const (
	List     Verb = "list"
	Show     Verb = "show"
	Claim    Verb = "claim"
	Close    Verb = "close"
	Note     Verb = "note"
	Back     Verb = "back"
	Transfer Verb = "transfer"
	Send     Verb = "send"
	Help     Verb = "help"
)

// verbs are read from the catalogue's words_mediator_<verb> lists.
var verbs = []Verb{List, Show, Claim, Close, Note, Back, Transfer, Send, Help}

// Command is a parsed mediator's command: « prendre 3 », « fermer 3
// résolu », « fiche F1344 ».
type Command struct {
	Verb Verb
	// Word is the folded word the command was given with (« prendre »).
	Word string
	// Case is the case number, 0 for list, help and send.
	Case int64
	// Rest is what follows, in the mediator's own text: an outcome, a
	// note, a queue, an item id or words to find a sheet with.
	Rest string
}

// Grammar reads mediators' commands in every language of the catalogue
// (a mediator may type « claim 3 » in a French deployment).
type Grammar struct {
	words  map[string]Verb
	strict map[string]bool
}

// NewGrammar reads the command words of every language of cat.
func NewGrammar(cat *catalog.Catalog) (*Grammar, error) {
	g := &Grammar{words: map[string]Verb{}, strict: map[string]bool{}}
	for _, lang := range cat.Langs() {
		for _, v := range verbs {
			for _, w := range cat.Words(lang, "words_mediator_"+string(v)) {
				w = commandWord(w)
				if other, ok := g.words[w]; ok && other != v {
					return nil, fmt.Errorf("mediator commands: %q is both %s and %s (catalogue %s)", w, other, v, lang)
				}
				g.words[w] = v
			}
		}
		for _, w := range cat.Words(lang, "words_mediator_strict") {
			g.strict[commandWord(w)] = true
		}
	}
	for _, v := range verbs {
		if !g.has(v) {
			return nil, fmt.Errorf("mediator commands: no word for %s (catalogue key words_mediator_%s)", v, v)
		}
	}
	return g, nil
}

func (g *Grammar) has(v Verb) bool {
	for _, x := range g.words {
		if x == v {
			return true
		}
	}
	return false
}

func commandWord(w string) string { return strings.ReplaceAll(analysis.Fold(w), " ", "-") }

// IsCommand reports whether text reads as a mediator's command, for an
// adapter that must look up, at a cost, who may give one (Discord sends
// no roles with a direct message).
func (g *Grammar) IsCommand(text string) bool {
	_, ok := g.Parse(text)
	return ok
}

// Strict reports whether c was given with a verb a citizen would not use
// with a number (« prendre 2 », not « dossier 123456 »).
func (g *Grammar) Strict(c Command) bool { return g.strict[c.Word] }

// Parse reads text as a mediator's command. Words are matched folded; the
// rest keeps the mediator's own text.
func (g *Grammar) Parse(text string) (Command, bool) {
	fields := strings.Fields(strings.TrimLeft(strings.TrimSpace(text), "/!"))
	if len(fields) > 0 && analysis.Fold(fields[0]) == "boussole" {
		fields = fields[1:]
	}
	if len(fields) == 0 {
		return Command{}, false
	}
	c := Command{Word: commandWord(fields[0])}
	var ok bool
	if c.Verb, ok = g.words[c.Word]; !ok {
		return Command{}, false
	}
	args := fields[1:]
	switch c.Verb {
	case List, Help:
		c.Rest = strings.Join(args, " ")
		return c, len(args) == 0 || c.Verb == List
	case Send:
		// An item's id, or words to search the sheets with.
		if len(args) == 0 {
			return Command{}, false
		}
		c.Rest = strings.Join(args, " ")
		return c, true
	}
	if len(args) == 0 {
		return Command{}, false
	}
	n, err := strconv.ParseInt(strings.TrimPrefix(strings.TrimPrefix(args[0], "n°"), "#"), 10, 64)
	if err != nil || n <= 0 {
		return Command{}, false
	}
	c.Case, c.Rest = n, strings.Join(args[1:], " ")
	return c, true
}
