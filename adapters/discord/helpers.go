package discord

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/boussole/boussole/adapters/internal/textsplit"
	"github.com/boussole/boussole/bot"
	"github.com/bwmarrin/discordgo"
)

// Discord's limits.
const (
	maxMessage     = 2000 // characters of one message
	chunkLimit     = 1900 // what we put in one message, leaving room
	maxButtonsRow  = 5
	maxRows        = 5
	maxButtons     = maxButtonsRow * maxRows
	maxSelect      = 25 // options of one select menu
	maxButtonLabel = 80
	maxOptionLabel = 100
	maxCustomID    = 100
)

// noMentions is set on every message: nothing a citizen types can make
// the bot ping @everyone, @here, a role or a user.
func noMentions() *discordgo.MessageAllowedMentions {
	return &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}
}

// render turns a reply into the messages to post: its text split under
// Discord's limit, the choices attached to the last one. Link previews
// are suppressed: an answer's links would each add a card taller than
// the answer itself, which is written to fit a phone's screen.
func render(r bot.Reply, placeholder string) []*discordgo.MessageSend {
	parts := textsplit.Split(r.Text, chunkLimit)
	if len(parts) == 0 {
		parts = []string{"…"}
	}
	out := make([]*discordgo.MessageSend, len(parts))
	for i, p := range parts {
		out[i] = &discordgo.MessageSend{Content: p, AllowedMentions: noMentions(), Flags: discordgo.MessageFlagsSuppressEmbeds}
	}
	out[len(out)-1].Components = components(r.Choices, placeholder)
	return out
}

// maxNonce is the length of a Create Message nonce Discord accepts.
const maxNonce = 25

// nonce is the idempotency key of part part of the reply whose outbox key
// is key, "" without a key: the same for every retry of that part, and
// different for every other part and key. salt is the database's own
// random value (see nonceSalt): outbox keys are row numbers, which a new
// database starts again. It is a hash (Discord takes at most 25
// characters, a key may be longer) of 96 bits in hex after a letter, so
// that it never reads as a number.
func nonce(salt, key string, part int) string {
	if key == "" {
		return ""
	}
	h := sha256.Sum256([]byte("boussole discord\x00" + salt + "\x00" + key + "\x00" + strconv.Itoa(part)))
	return ("b" + hex.EncodeToString(h[:12]))[:maxNonce]
}

// components renders choices as buttons, five per row and at most five
// rows, or as select menus beyond 25 choices.
func components(cs []bot.Choice, placeholder string) []discordgo.MessageComponent {
	if len(cs) == 0 {
		return nil
	}
	var rows []discordgo.MessageComponent
	if len(cs) <= maxButtons {
		for i := 0; i < len(cs); i += maxButtonsRow {
			var row discordgo.ActionsRow
			for _, c := range cs[i:min(i+maxButtonsRow, len(cs))] {
				row.Components = append(row.Components, discordgo.Button{
					Label: truncate(c.Label, maxButtonLabel), Style: discordgo.PrimaryButton, CustomID: truncate(c.Payload, maxCustomID),
				})
			}
			rows = append(rows, row)
		}
		return rows
	}
	for i := 0; i < len(cs) && len(rows) < maxRows; i += maxSelect {
		menu := discordgo.SelectMenu{CustomID: "bsl-select-" + strconv.Itoa(i/maxSelect), Placeholder: placeholder, MaxValues: 1}
		for _, c := range cs[i:min(i+maxSelect, len(cs))] {
			menu.Options = append(menu.Options, discordgo.SelectMenuOption{Label: truncate(c.Label, maxOptionLabel), Value: truncate(c.Payload, maxCustomID)})
		}
		rows = append(rows, discordgo.ActionsRow{Components: []discordgo.MessageComponent{menu}})
	}
	return rows
}

// truncate cuts s to at most n characters; Discord refuses empty labels.
func truncate(s string, n int) string {
	if strings.TrimSpace(s) == "" {
		return "…"
	}
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// mentionForms are the ways Discord writes a mention of user id.
func mentionForms(id string) []string { return []string{"<@" + id + ">", "<@!" + id + ">"} }

// mentions reports whether content or the message's mention list names id.
func mentions(m *discordgo.Message, id string) bool {
	for _, u := range m.Mentions {
		if u != nil && u.ID == id {
			return true
		}
	}
	for _, f := range mentionForms(id) {
		if strings.Contains(m.Content, f) {
			return true
		}
	}
	return false
}

// stripMention removes the bot's mention from text.
func stripMention(text, id string) string {
	for _, f := range mentionForms(id) {
		text = strings.ReplaceAll(text, f, " ")
	}
	return strings.Join(strings.Fields(text), " ")
}

// ignored reports whether a message must not reach the engine: the bot's
// own, other bots', webhooks', system messages.
func ignored(m *discordgo.Message, self string) bool {
	switch {
	case m == nil || m.Author == nil:
		return true
	case m.Author.ID == self, m.Author.Bot, m.Author.System, m.WebhookID != "":
		return true
	case m.Type != discordgo.MessageTypeDefault && m.Type != discordgo.MessageTypeReply:
		return true
	}
	return false
}

// langOf maps a Discord locale ("fr", "en-US") to a catalogue language.
func langOf(locale discordgo.Locale) string {
	l := string(locale)
	switch {
	case l == "":
		return ""
	case strings.HasPrefix(l, "fr"):
		return "fr"
	case strings.HasPrefix(l, "en"):
		return "en"
	}
	return ""
}

// displayName is the name mediators see.
func displayName(u *discordgo.User, m *discordgo.Member) string {
	if m != nil && m.Nick != "" {
		return m.Nick
	}
	if u == nil {
		return ""
	}
	if u.GlobalName != "" {
		return u.GlobalName
	}
	return u.Username
}

// interactionUser is who clicked or typed the command.
func interactionUser(i *discordgo.Interaction) *discordgo.User {
	if i.Member != nil && i.Member.User != nil {
		return i.Member.User
	}
	return i.User
}

// commandText maps a /boussole subcommand to the text the engine reads:
// "ask" is the question itself, the others are mediator commands.
func commandText(d discordgo.ApplicationCommandInteractionData) string {
	if len(d.Options) == 0 {
		return ""
	}
	sub := d.Options[0]
	opt := map[string]string{}
	for _, o := range sub.Options {
		switch o.Type {
		case discordgo.ApplicationCommandOptionInteger:
			opt[o.Name] = strconv.FormatInt(o.IntValue(), 10)
		default:
			opt[o.Name] = strings.TrimSpace(o.StringValue())
		}
	}
	word, ok := subcommandWords[sub.Name]
	if !ok {
		return opt["question"]
	}
	parts := []string{word}
	for _, k := range []string{"case", "text", "target", "item"} {
		if v := opt[k]; v != "" {
			parts = append(parts, v)
		}
	}
	return strings.Join(parts, " ")
}

// subcommandWords are the engine's English mediator commands.
var subcommandWords = map[string]string{
	"cases": "cases", "show": "show", "claim": "claim", "close": "close", "note": "note",
	"handback": "handback", "transfer": "transfer", "send": "send",
}

// command is the /boussole application command; text(lang, key) gives
// its descriptions, in lang and as French and English localizations.
func command(lang string, text func(lang, key string) string) *discordgo.ApplicationCommand {
	desc := func(key string) (string, *map[discordgo.Locale]string) {
		l := map[discordgo.Locale]string{
			discordgo.French: truncate(text("fr", key), 100), discordgo.EnglishUS: truncate(text("en", key), 100), discordgo.EnglishGB: truncate(text("en", key), 100),
		}
		return truncate(text(lang, key), 100), &l
	}
	caseOpt := func() *discordgo.ApplicationCommandOption {
		d, l := desc("discord_opt_case")
		return &discordgo.ApplicationCommandOption{Type: discordgo.ApplicationCommandOptionInteger, Name: "case", Description: d, DescriptionLocalizations: *l, Required: true, MinValue: ptr(1.0)}
	}
	str := func(name, key string, required bool) *discordgo.ApplicationCommandOption {
		d, l := desc(key)
		return &discordgo.ApplicationCommandOption{Type: discordgo.ApplicationCommandOptionString, Name: name, Description: d, DescriptionLocalizations: *l, Required: required}
	}
	sub := func(name, key string, opts ...*discordgo.ApplicationCommandOption) *discordgo.ApplicationCommandOption {
		d, l := desc(key)
		return &discordgo.ApplicationCommandOption{Type: discordgo.ApplicationCommandOptionSubCommand, Name: name, Description: d, DescriptionLocalizations: *l, Options: opts}
	}
	d, l := desc("discord_cmd")
	return &discordgo.ApplicationCommand{
		Name:                     "boussole",
		Description:              d,
		DescriptionLocalizations: l,
		Options: []*discordgo.ApplicationCommandOption{
			sub("ask", "discord_cmd_ask", str("question", "discord_opt_question", true)),
			sub("cases", "discord_cmd_cases"),
			sub("show", "discord_cmd_show", caseOpt()),
			sub("claim", "discord_cmd_claim", caseOpt()),
			sub("close", "discord_cmd_close", caseOpt(), str("text", "discord_opt_outcome", false)),
			sub("note", "discord_cmd_note", caseOpt(), str("text", "discord_opt_note", true)),
			sub("handback", "discord_cmd_handback", caseOpt()),
			sub("transfer", "discord_cmd_transfer", caseOpt(), str("target", "discord_opt_target", true)),
			sub("send", "discord_cmd_send", str("item", "discord_opt_item", true)),
		},
	}
}

func ptr[T any](v T) *T { return &v }
