package console

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/boussole/boussole/bot"
)

func TestSettingsValidate(t *testing.T) {
	if err := DefaultSettings().Validate(); err != nil {
		t.Fatal(err)
	}
	for _, user := range []string{"", "  "} {
		s := DefaultSettings()
		s.User = user
		if err := s.Validate(); err == nil || !strings.HasPrefix(err.Error(), "console.user: ") {
			t.Errorf("user %q: %v", user, err)
		}
	}
}

// The settings' participant speaks the lines without "@NAME"; a Config
// built by hand takes the default one.
func TestConfigFromSettings(t *testing.T) {
	var out bytes.Buffer
	s := Settings{Enabled: true, User: "camille"}
	a := New(s.Config(strings.NewReader("bonjour\n"), &out, "> "))
	h := &echo{a: a}
	if err := a.Run(context.Background(), h); err != nil {
		t.Fatal(err)
	}
	if len(h.in) != 1 || h.in[0].Address != Address("camille") || !strings.HasPrefix(out.String(), "> got bonjour") {
		t.Fatalf("incoming %+v, output %q", h.in, out.String())
	}
	if u := New(Config{}).cfg.User; u != DefaultSettings().User {
		t.Errorf("default user %q", u)
	}
}

// A reply retried with the same outbox key is printed once.
func TestRetriedReplyPrintedOnce(t *testing.T) {
	var out bytes.Buffer
	a := New(Config{Out: &out})
	r := bot.Reply{To: Address("vous"), Text: "bonjour", Key: "k1"}
	for range 2 {
		if err := a.Send(context.Background(), r); err != nil {
			t.Fatal(err)
		}
	}
	// More keys than are remembered: the first is forgotten, as before.
	for i := range keepKeys {
		_ = a.Send(context.Background(), bot.Reply{To: Address("vous"), Text: "x", Key: strings.Repeat("y", i+1)})
	}
	if err := a.Send(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(out.String(), "bonjour"); n != 2 {
		t.Fatalf("printed %d times, want twice (once, then again once forgotten)", n)
	}
}
