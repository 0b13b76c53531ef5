package console

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/boussole/boussole/bot"
)

// echo answers every message with its sender and text, through the adapter.
type echo struct {
	a  *Adapter
	mu sync.Mutex
	in []bot.Incoming
}

func (e *echo) Handle(ctx context.Context, in bot.Incoming) error {
	e.mu.Lock()
	e.in = append(e.in, in)
	e.mu.Unlock()
	return e.a.Send(ctx, bot.Reply{To: in.Address, Text: "got " + in.Text, Choices: []bot.Choice{{Label: "Oui", Payload: "p1"}, {Label: "Non", Payload: "p2"}}})
}

// Enqueue handles in at once: the console waits for each answer anyway.
func (e *echo) Enqueue(ctx context.Context, in bot.Incoming) { _ = e.Handle(ctx, in) }

func TestParticipantsAndRendering(t *testing.T) {
	var out bytes.Buffer
	a := New(Config{In: strings.NewReader("bonjour\n\n   \n@marie salut à tous\r\n@ pas un nom\nfin sans retour"), Out: &out})
	h := &echo{a: a}
	if err := a.Run(context.Background(), h); err != nil {
		t.Fatal(err)
	}
	want := "got bonjour\n  1. Oui\n  2. Non\n" +
		"[marie] got salut à tous\n  1. Oui\n  2. Non\n" +
		"[vous] got @ pas un nom\n  1. Oui\n  2. Non\n" +
		"[vous] got fin sans retour\n  1. Oui\n  2. Non\n"
	if out.String() != want {
		t.Fatalf("output:\n%q\nwant:\n%q", out.String(), want)
	}
	if len(h.in) != 4 || h.in[1].Address != Address("marie") || h.in[0].ID == h.in[1].ID {
		t.Fatalf("incoming = %+v", h.in)
	}
}

func TestHugeLineIsBounded(t *testing.T) {
	var out bytes.Buffer
	a := New(Config{In: strings.NewReader(strings.Repeat("x", 3*maxLine) + "\nsuite\n"), Out: &out})
	h := &echo{a: a}
	if err := a.Run(context.Background(), h); err != nil {
		t.Fatal(err)
	}
	if len(h.in) != 2 || len(h.in[0].Text) != maxLine || h.in[1].Text != "suite" {
		t.Fatalf("got %d messages, first %d bytes", len(h.in), len(h.in[0].Text))
	}
}

func TestPromptAndCancel(t *testing.T) {
	var out bytes.Buffer
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	a := New(Config{In: strings.NewReader("a\n"), Out: &out, Prompt: "> "})
	if err := a.Run(ctx, &echo{a: a}); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.String(), "> ") {
		t.Fatalf("no prompt: %q", out.String())
	}
}
