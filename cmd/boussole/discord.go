package main

import (
	"github.com/boussole/boussole/adapters/discord"
)

// newDiscord builds the Discord adapter from the configuration; the
// mediators' queues on Discord become its mediators' channels.
func newDiscord(cfg Config, d discord.Deps) (*discord.Adapter, error) {
	return discord.New(discord.Config{
		TokenEnv:         cfg.Discord.TokenEnv,
		GuildIDs:         cfg.Discord.GuildIDs,
		PrivateMode:      cfg.Discord.PrivateMode,
		MediatorChannels: queueChannels(cfg, discord.Platform),
		Lang:             cfg.Lang,
	}, d)
}
