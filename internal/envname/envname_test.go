package envname

import (
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	for _, ok := range []string{"DISCORD_TOKEN", "_X", "A1", strings.Repeat("A", 64)} {
		if err := Check("k", ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	for _, bad := range []string{"", "1A", "discord_token", "MTIzNDU2.Gh-ij.secretpart", strings.Repeat("A", 65)} {
		err := Check("discord.token_env", bad)
		if err == nil || !strings.HasPrefix(err.Error(), "discord.token_env: ") {
			t.Errorf("%q: error %v, want one naming the key", bad, err)
			continue
		}
		// A pasted token is never repeated.
		if bad != "" && strings.Contains(err.Error(), bad) {
			t.Errorf("%q: the value is repeated in %v", bad, err)
		}
	}
}
