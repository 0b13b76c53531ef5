package bottest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/boussole/boussole/bot"
)

type parrot struct{}

func (parrot) Respond(_ context.Context, in bot.Incoming) ([]bot.Reply, error) {
	text := "Vous avez dit : " + in.Text
	if in.Payload != "" {
		text = "Bouton " + in.Payload
	}
	return []bot.Reply{{To: in.Address, Text: text, Choices: []bot.Choice{{Label: "Carte d'identité", Payload: "cni"}, {Label: "Passeport", Payload: "pass"}}}}, nil
}

func addr(u string) bot.Address { return bot.Address{Platform: "t", Channel: "c", User: u} }

func TestScriptPassesAndFails(t *testing.T) {
	src := `# comment
> Bonjour
< vous avez dit bonjour
< /dit\s*:\s*Bonjour/
<! passeport perdu
<count 1
click Passeport
< bouton pass
click 1
< BOUTON CNI
> @marie salut
< [marie] vous avez dit
< absent
<count 2
`
	s, err := Parse("s.txt", strings.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	fails, err := s.Run(context.Background(), Direct{parrot{}}, addr, "vous")
	if err != nil {
		t.Fatal(err)
	}
	if len(fails) != 2 || fails[0].Line != 13 || fails[1].Line != 14 || !strings.Contains(fails[0].String(), "[marie] Vous avez dit : salut") {
		t.Fatalf("failures = %+v", fails)
	}
}

func TestParseErrorsNameTheLine(t *testing.T) {
	cases := map[string]string{
		"> a\n< /(unclosed/\n":              "s.txt:2",
		"> a\nfrobnicate\n":                 "s.txt:2: unknown instruction",
		"<count x\n":                        "s.txt:1",
		"# only comments\n":                 "no instruction",
		"> a\n< ...\n":                      "letters or digits",
		"click\n":                           "s.txt:1",
		"> a\nclock 2026-11-23T10:00:00Z\n": "s.txt:2: clock must be the first instruction",
		"clock 2026-11-23T10:00:00Z\nclock 2026-11-24T10:00:00Z\n> a\n": "s.txt:2: clock must be the first instruction",
		"clock lundi\n> a\n": "s.txt:1: clock needs an instant",
	}
	for src, want := range cases {
		if _, err := Parse("s.txt", strings.NewReader(src)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Parse(%q) = %v, want %q", src, err, want)
		}
	}
}

func TestClickErrors(t *testing.T) {
	s, err := Parse("s.txt", strings.NewReader("click 1\n"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Run(context.Background(), Direct{parrot{}}, addr, "vous"); err == nil || !strings.Contains(err.Error(), "no button") {
		t.Fatalf("err = %v", err)
	}
	s, _ = Parse("s.txt", strings.NewReader("> a\nclick Permis\n"))
	if _, err := s.Run(context.Background(), Direct{parrot{}}, addr, "vous"); err == nil || !strings.Contains(err.Error(), "Carte d'identité | Passeport") {
		t.Fatalf("err = %v", err)
	}
}

func TestClockInstruction(t *testing.T) {
	s, err := Parse("s.txt", strings.NewReader("# opening hours: a Monday\nclock 2026-11-23T10:00:00+01:00\n> a\n"))
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC); !s.Clock.Equal(want) {
		t.Errorf("Clock = %v, want %v", s.Clock, want)
	}
	s, err = Parse("s.txt", strings.NewReader("> a\n"))
	if err != nil || !s.Clock.IsZero() {
		t.Errorf("a file without clock: %v, %v", s.Clock, err)
	}
}
