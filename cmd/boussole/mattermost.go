package main

import (
	"github.com/boussole/boussole/adapters/mattermost"
)

// newMattermost builds the Mattermost adapter from the configuration; the
// mediators' queues on Mattermost become its mediators' channels.
func newMattermost(cfg Config, d mattermost.Deps) (*mattermost.Adapter, error) {
	m := cfg.Mattermost
	return mattermost.New(mattermost.Config{
		URL: m.URL, Team: m.Team, TokenEnv: m.TokenEnv, Listen: m.Listen, PublicURL: m.PublicURL,
		SecretEnv: m.SecretEnv, CommandTokenEnv: m.CommandTokenEnv, NumberedChoices: m.NumberedChoices,
		MediatorChannels: queueChannels(cfg, mattermost.Platform), Lang: cfg.Lang,
	}, d)
}
