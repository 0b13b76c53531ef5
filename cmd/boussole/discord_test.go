package main

import (
	"testing"
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
	checkServeFails(t, "console:\n  enabled: false\ndiscord:\n  enabled: true\n", "DISCORD_TOKEN")
}
