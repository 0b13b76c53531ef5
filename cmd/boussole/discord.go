package main

import (
	"log/slog"

	"github.com/boussole/boussole/adapters/discord"
	"github.com/boussole/boussole/bot"
	"github.com/boussole/boussole/bot/catalog"
)

// newDiscord builds the Discord adapter from the configuration; the
// mediators' queues on Discord become its mediators' channels.
func newDiscord(cfg Config, log *slog.Logger, getenv func(string) string, state bot.StateStore) (*discord.Adapter, error) {
	cat, err := catalog.New()
	if err != nil {
		return nil, err
	}
	var chans []string
	for _, q := range cfg.Mediation.Queues {
		if q.Platform == discord.Platform {
			chans = append(chans, q.Channel)
		}
	}
	return discord.New(discord.Config{
		TokenEnv:         cfg.Discord.TokenEnv,
		GuildIDs:         cfg.Discord.GuildIDs,
		PrivateMode:      cfg.Discord.PrivateMode,
		MediatorChannels: chans,
		Lang:             cfg.Lang,
	}, discord.Deps{Logger: log, Catalog: cat, Getenv: getenv, State: state})
}
