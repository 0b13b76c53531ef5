package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/boussole/boussole/bot/servetest"
)

func TestDiscordConfig(t *testing.T) {
	cases := map[string]struct{ yaml, want string }{
		"discord queue": {"discord:\n  enabled: true\n  guild_ids: [\"1\"]\nmediation:\n  roles: {discord: [Médiateur]}\n  queues:\n    default: {platform: discord, channel: \"300\"}\n", ""},
		"private mode":  {"discord:\n  private_mode: public\n", `discord.private_mode: "public"`},
		"token env":     {"discord:\n  enabled: true\n  token_env: \"\"\n", "discord.token_env"},
	}
	checkConfigs(t, cases)
}

// Without its token, serve says which variable to set.
func TestServeDiscordNeedsItsToken(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "c.yaml")
	if err := os.WriteFile(p, []byte("console:\n  enabled: false\ndiscord:\n  enabled: true\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errs servetest.SyncBuffer
	code := run(context.Background(), env{stdin: strings.NewReader(""), stdout: &out, stderr: &errs, getenv: func(string) string { return "" }},
		[]string{"serve", "--config", p, "--db", filepath.Join(dir, "b.db")})
	if code == 0 || !strings.Contains(errs.String(), "DISCORD_TOKEN") {
		t.Fatalf("exit %d, stderr %q", code, errs.String())
	}
}
