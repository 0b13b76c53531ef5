package discord

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"github.com/boussole/boussole/adapters/internal/textsplit"
	"github.com/boussole/boussole/bot"
)

func TestSplit(t *testing.T) {
	para := strings.Repeat("mot ", 200) // 800 characters
	link := "https://www.service-public.fr/particuliers/vosdroits/" + strings.Repeat("x", 60)
	tests := []struct {
		name  string
		text  string
		limit int
		parts int
	}{
		{"short", "Bonjour", 2000, 1},
		{"empty", "  ", 2000, 0},
		{"paragraphs", para + "\n\n" + para + "\n\n" + para, 2000, 2},
		{"one long line", strings.Repeat("a ", 1500), 2000, 2},
		{"link at the boundary", strings.Repeat("b", 1990) + " " + link, 2000, 2},
		{"word longer than the limit", strings.Repeat("é", 2500), 2000, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := textsplit.Split(tt.text, tt.limit)
			if len(got) != tt.parts {
				t.Fatalf("%d parts, want %d", len(got), tt.parts)
			}
			for i, p := range got {
				if n := utf8.RuneCountInString(p); n > tt.limit || n == 0 {
					t.Errorf("part %d has %d characters", i, n)
				}
			}
			if strings.Contains(tt.text, "https://") {
				found := false
				for _, p := range got {
					found = found || strings.Contains(p, link)
				}
				if !found {
					t.Errorf("link cut: %q", got)
				}
			}
			if strings.Join(strings.Fields(strings.Join(got, " ")), " ") != strings.Join(strings.Fields(tt.text), " ") && tt.name != "word longer than the limit" {
				t.Error("text changed by splitting")
			}
		})
	}
	// Paragraph boundaries win over line ends.
	got := textsplit.Split("un\ndeux\n\ntrois", 12)
	if len(got) != 2 || got[0] != "un\ndeux" || got[1] != "trois" {
		t.Errorf("split on paragraphs: %q", got)
	}
}

func TestStripMention(t *testing.T) {
	for in, want := range map[string]string{
		"<@900> bonjour":          "bonjour",
		"bonjour <@!900>":         "bonjour",
		"<@900>":                  "",
		"dis <@901> <@900> salut": "dis <@901> salut",
	} {
		if got := stripMention(in, "900"); got != want {
			t.Errorf("stripMention(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestIgnored(t *testing.T) {
	human := &discordgo.User{ID: "1"}
	tests := []struct {
		name string
		m    *discordgo.Message
		want bool
	}{
		{"citizen", &discordgo.Message{Author: human}, false},
		{"reply", &discordgo.Message{Author: human, Type: discordgo.MessageTypeReply}, false},
		{"own", &discordgo.Message{Author: &discordgo.User{ID: "900", Bot: true}}, true},
		{"other bot", &discordgo.Message{Author: &discordgo.User{ID: "2", Bot: true}}, true},
		{"webhook", &discordgo.Message{Author: human, WebhookID: "w"}, true},
		{"system", &discordgo.Message{Author: human, Type: discordgo.MessageTypeGuildMemberJoin}, true},
		{"no author", &discordgo.Message{}, true},
	}
	for _, tt := range tests {
		if got := ignored(tt.m, "900"); got != tt.want {
			t.Errorf("%s: ignored = %v", tt.name, got)
		}
	}
}

func choices(n int) []bot.Choice {
	out := make([]bot.Choice, n)
	for i := range out {
		out[i] = bot.Choice{Label: fmt.Sprint("choix ", i), Payload: fmt.Sprint("p:", i)}
	}
	return out
}

func TestRenderComponents(t *testing.T) {
	tests := []struct {
		choices int
		rows    []int // components per row
		menus   bool
	}{
		{0, nil, false},
		{3, []int{3}, false},
		{12, []int{5, 5, 2}, false},
		{25, []int{5, 5, 5, 5, 5}, false},
		{30, []int{1, 1}, true},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.choices), func(t *testing.T) {
			msgs := render(bot.Reply{Text: "Question ?", Choices: choices(tt.choices)}, "Choisissez…")
			if len(msgs) != 1 {
				t.Fatalf("%d messages", len(msgs))
			}
			comps := msgs[0].Components
			if len(comps) != len(tt.rows) {
				t.Fatalf("%d rows, want %d", len(comps), len(tt.rows))
			}
			var payloads []string
			for i, r := range comps {
				row := r.(discordgo.ActionsRow)
				if len(row.Components) != tt.rows[i] {
					t.Errorf("row %d has %d components, want %d", i, len(row.Components), tt.rows[i])
				}
				for _, c := range row.Components {
					switch c := c.(type) {
					case discordgo.Button:
						if tt.menus {
							t.Error("button where a menu was expected")
						}
						payloads = append(payloads, c.CustomID)
					case discordgo.SelectMenu:
						if !tt.menus || len(c.Options) > maxSelect {
							t.Errorf("menu with %d options", len(c.Options))
						}
						for _, o := range c.Options {
							payloads = append(payloads, o.Value)
						}
					}
				}
			}
			if len(payloads) != tt.choices {
				t.Errorf("%d payloads, want %d", len(payloads), tt.choices)
			}
			for i, p := range payloads {
				if p != fmt.Sprint("p:", i) {
					t.Errorf("payload %d = %q", i, p)
				}
			}
		})
	}
}

func TestRenderSplitsAndNeverMentions(t *testing.T) {
	text := strings.Repeat("Un paragraphe sur vos droits @everyone. ", 40) + "\n\n" + strings.Repeat("Un autre <@&1> paragraphe. ", 60)
	msgs := render(bot.Reply{Text: text, Choices: choices(2)}, "")
	if len(msgs) != 2 {
		t.Fatalf("%d messages, want 2", len(msgs))
	}
	for i, m := range msgs {
		b, _ := json.Marshal(m)
		if !strings.Contains(string(b), `"allowed_mentions":{"parse":[]`) {
			t.Errorf("message %d: %s", i, b)
		}
		if (m.Components != nil) != (i == len(msgs)-1) {
			t.Errorf("message %d: buttons must be on the last message only", i)
		}
	}
}

func TestCommandText(t *testing.T) {
	opt := func(name string, typ discordgo.ApplicationCommandOptionType, v any) *discordgo.ApplicationCommandInteractionDataOption {
		return &discordgo.ApplicationCommandInteractionDataOption{Name: name, Type: typ, Value: v}
	}
	sub := func(name string, opts ...*discordgo.ApplicationCommandInteractionDataOption) discordgo.ApplicationCommandInteractionData {
		return discordgo.ApplicationCommandInteractionData{Name: "boussole", Options: []*discordgo.ApplicationCommandInteractionDataOption{
			{Name: name, Type: discordgo.ApplicationCommandOptionSubCommand, Options: opts}}}
	}
	tests := []struct {
		d    discordgo.ApplicationCommandInteractionData
		want string
	}{
		{sub("ask", opt("question", discordgo.ApplicationCommandOptionString, " carte grise ")), "carte grise"},
		{sub("cases"), "cases"},
		{sub("claim", opt("case", discordgo.ApplicationCommandOptionInteger, float64(3))), "claim 3"},
		{sub("close", opt("case", discordgo.ApplicationCommandOptionInteger, float64(2)), opt("text", discordgo.ApplicationCommandOptionString, "résolu")), "close 2 résolu"},
		{sub("transfer", opt("case", discordgo.ApplicationCommandOptionInteger, float64(4)), opt("target", discordgo.ApplicationCommandOptionString, "logement")), "transfer 4 logement"},
		{discordgo.ApplicationCommandInteractionData{Name: "boussole"}, ""},
	}
	for _, tt := range tests {
		if got := commandText(tt.d); got != tt.want {
			t.Errorf("commandText = %q, want %q", got, tt.want)
		}
	}
}

func TestLangOf(t *testing.T) {
	for in, want := range map[discordgo.Locale]string{"fr": "fr", "en-US": "en", "en-GB": "en", "de": "", "": ""} {
		if got := langOf(in); got != want {
			t.Errorf("langOf(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCommandIsLocalized(t *testing.T) {
	cmd := command("fr", func(lang, key string) string { return lang + ":" + key })
	if cmd.Name != "boussole" || cmd.Description != "fr:discord_cmd" || (*cmd.DescriptionLocalizations)[discordgo.EnglishUS] != "en:discord_cmd" {
		t.Fatalf("command %+v", cmd)
	}
	var names []string
	for _, o := range cmd.Options {
		names = append(names, o.Name)
		if o.Type != discordgo.ApplicationCommandOptionSubCommand || o.Description == "" || o.DescriptionLocalizations[discordgo.French] == "" {
			t.Errorf("subcommand %+v", o)
		}
	}
	if got := strings.Join(names, " "); got != "ask cases show claim close note handback transfer send" {
		t.Errorf("subcommands %s", got)
	}
}

// mapState is a catchup.StateStore in memory.
type mapState map[string]string

func (m mapState) AdapterState(_ context.Context, key string) (string, bool, error) {
	v, ok := m[key]
	return v, ok, nil
}

func (m mapState) SetAdapterState(_ context.Context, key, value string) error {
	m[key] = value
	return nil
}

// While the gateway connection is down, the moment saved stays the one
// the connection was lost at: nothing was received since, and a restart
// must read back from there.
func TestSavedMomentStaysAtTheLossDuringAnOutage(t *testing.T) {
	st := mapState{}
	at := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	a := &Adapter{log: slog.New(slog.DiscardHandler), state: st, places: map[string]watched{}, now: func() time.Time { return at }}
	saved := func() int64 {
		var s seenState
		if err := json.Unmarshal([]byte(st[stateKey]), &s); err != nil {
			t.Fatal(err)
		}
		return s.At
	}
	a.lost()
	lostAt := a.down
	at = at.Add(5 * time.Millisecond)
	a.lost() // a second disconnect of the same outage does not move it
	a.saveSeen(context.Background())
	if got := saved(); got != lostAt {
		t.Errorf("saved %d during the outage, want the loss %d", got, lostAt)
	}
	a.back(context.Background(), false) // resumed: Discord replays
	a.saveSeen(context.Background())
	if got := saved(); got <= lostAt {
		t.Errorf("saved %d after the resume, want later than the loss %d", got, lostAt)
	}
}
