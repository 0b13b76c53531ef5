package admin

import (
	"html/template"
	"regexp"
	"strings"

	"github.com/boussole/boussole/bot/answer"
	"github.com/boussole/boussole/knowledge"
)

// bubbleSet is an item's answer as a person reads it in the chat, in
// one language: the bot's first message, its question, the buttons, and
// what each part's button shows.
type bubbleSet struct {
	// Lang is the bot's language (fr, fr-CA, en).
	Lang     string
	First    template.HTML
	Followup string
	Buttons  []string
	Parts    []previewPart
}

// previewPart is a part shown on demand: its button and its messages.
type previewPart struct {
	Label string
	Pages []template.HTML
}

// previews are it's answer in French (the bot's French of its
// jurisdiction: fr-CA in Québec) and, when written, in English. Every
// text comes from answer.Writer, the code the engine answers with; the
// engine's own sentences around it (its question, its buttons) come from
// the bot's catalogue, in the engine's order (bot/engine/tree.go,
// answer), which the tests compare with the engine's replies.
func (p *itemPages) previews(it *knowledge.Item) []bubbleSet {
	if p.bot == nil {
		return nil
	}
	out := []bubbleSet{p.preview(p.bot.Regional("fr", it.Jurisdiction), it)}
	if it.TitleEN != "" || it.SummaryEN != "" {
		out = append(out, p.preview(p.bot.Regional("en", it.Jurisdiction), it))
	}
	return out
}

func (p *itemPages) preview(lang string, it *knowledge.Item) bubbleSet {
	w := answer.NewWriter(p.bot, lang)
	b := bubbleSet{Lang: lang, First: chatHTML(w.Short(it)), Followup: p.bot.T(lang, "answered_followup")}
	b.Buttons = append(b.Buttons, p.bot.T(lang, "btn_yes_thanks"))
	for _, d := range answer.Details(it) {
		part := previewPart{Label: w.DetailLabel(it, d)}
		for from := 0; ; {
			text, next := w.Detail(it, d, from)
			part.Pages = append(part.Pages, chatHTML(text))
			if next == 0 {
				break
			}
			from = next
		}
		b.Parts = append(b.Parts, part)
		b.Buttons = append(b.Buttons, part.Label)
	}
	b.Buttons = append(b.Buttons, p.bot.T(lang, "btn_other_question"), p.bot.T(lang, "btn_mediator"))
	return b
}

// chatLink is a link as bot/answer writes one, [label](address).
var chatLink = regexp.MustCompile(`\[([^\]\n]*)\]\(([^()\s]+)\)`)

// chatHTML shows a bot message the way Discord and Mattermost do: its
// text as typed (line breaks kept by the style sheet), its markdown
// links as links. Everything else is escaped; an address that is not
// http(s) stays text.
func chatHTML(text string) template.HTML {
	var b strings.Builder
	at := 0
	for _, m := range chatLink.FindAllStringSubmatchIndex(text, -1) {
		b.WriteString(template.HTMLEscapeString(text[at:m[0]]))
		label, addr := text[m[2]:m[3]], text[m[4]:m[5]]
		if knowledge.IsWebURL(addr) {
			b.WriteString(`<a href="` + template.HTMLEscapeString(addr) + `" rel="noopener noreferrer">` + template.HTMLEscapeString(label) + `</a>`)
		} else {
			b.WriteString(template.HTMLEscapeString(text[m[0]:m[1]]))
		}
		at = m[1]
	}
	b.WriteString(template.HTMLEscapeString(text[at:]))
	return template.HTML(b.String()) // #nosec G203 -- every part escaped above
}
