package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/boussole/boussole/bot/servetest"
)

func TestMattermostConfig(t *testing.T) {
	cases := map[string]struct{ yaml, want string }{
		"mattermost queue": {"mattermost:\n  enabled: true\n  url: http://127.0.0.1:8065\n  team: t\nmediation:\n  mediators: {mattermost: [abc]}\n  queues:\n    default: {platform: mattermost, channel: mediateurs}\n", ""},
		"url":              {"mattermost:\n  enabled: true\n  url: chat.example.org\n", "mattermost.url"},
		"token env":        {"mattermost:\n  enabled: true\n  url: http://x\n  token_env: \"\"\n", "mattermost.token_env"},
	}
	checkConfigs(t, cases)
}

// Without its token, serve says which variable to set.
func TestServeMattermostNeedsItsToken(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "c.yaml")
	if err := os.WriteFile(p, []byte("console:\n  enabled: false\nmattermost:\n  enabled: true\n  url: http://127.0.0.1:1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errs servetest.SyncBuffer
	code := run(context.Background(), env{stdin: strings.NewReader(""), stdout: &out, stderr: &errs, getenv: func(string) string { return "" }},
		[]string{"serve", "--config", p, "--db", filepath.Join(dir, "b.db")})
	if code == 0 || !strings.Contains(errs.String(), "MATTERMOST_TOKEN") {
		t.Fatalf("exit %d, stderr %q", code, errs.String())
	}
}
