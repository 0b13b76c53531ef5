package main

import (
	"log/slog"

	"github.com/boussole/boussole/adapters/mattermost"
	"github.com/boussole/boussole/bot"
	"github.com/boussole/boussole/bot/catalog"
)

// newMattermost builds the Mattermost adapter from the configuration; the
// mediators' queues on Mattermost become its mediators' channels.
func newMattermost(cfg Config, log *slog.Logger, getenv func(string) string, state bot.StateStore) (*mattermost.Adapter, error) {
	cat, err := catalog.New()
	if err != nil {
		return nil, err
	}
	var chans []string
	for _, q := range cfg.Mediation.Queues {
		if q.Platform == mattermost.Platform {
			chans = append(chans, q.Channel)
		}
	}
	m := cfg.Mattermost
	return mattermost.New(mattermost.Config{
		URL: m.URL, Team: m.Team, TokenEnv: m.TokenEnv, Listen: m.Listen, PublicURL: m.PublicURL,
		SecretEnv: m.SecretEnv, CommandTokenEnv: m.CommandTokenEnv, NumberedChoices: m.NumberedChoices,
		MediatorChannels: chans, Lang: cfg.Lang,
	}, mattermost.Deps{Logger: log, Catalog: cat, Getenv: getenv, State: state})
}
