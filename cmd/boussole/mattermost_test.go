package main

import (
	"testing"
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
	checkServeFails(t, "console:\n  enabled: false\nmattermost:\n  enabled: true\n  url: http://127.0.0.1:1\n", "MATTERMOST_TOKEN")
}
