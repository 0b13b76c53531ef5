package bot

import (
	"strings"
	"testing"
)

// No text the bot posts can ping: every @ that starts a mention is
// broken, invisibly; an e-mail address is left whole.
func TestDefuse(t *testing.T) {
	for _, in := range []string{"@channel help", "hey @all", "(@here)", "@marie look", "x\n@Channel", "-@here", ".@all", "+@channel"} {
		out := DefuseMentions(in)
		for _, m := range []string{"@channel", "@all", "@here", "@marie", "@Channel"} {
			if strings.Contains(out, m) {
				t.Errorf("DefuseMentions(%q) = %q still contains %s", in, out, m)
			}
		}
		if strings.ReplaceAll(out, "\u200b", "") != in {
			t.Errorf("DefuseMentions(%q) = %q changes visible text", in, out)
		}
	}
	if got := DefuseMentions("mail marie@example.org"); got != "mail marie@example.org" {
		t.Errorf("e-mail changed: %q", got)
	}
}
