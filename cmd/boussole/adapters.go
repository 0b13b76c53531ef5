package main

import (
	"errors"
	"strings"

	"github.com/boussole/boussole/adapters/adapterdeps"
	"github.com/boussole/boussole/adapters/console"
	"github.com/boussole/boussole/adapters/discord"
	"github.com/boussole/boussole/adapters/mattermost"
	"github.com/boussole/boussole/app"
	"github.com/boussole/boussole/bot"
)

// adapterKind is a chat adapter Boussole is built with: its platform
// name, which is also its section of the configuration file, and how that
// section is checked, enabled and turned into a running adapter.
type adapterKind struct {
	platform string
	validate func(Config) error
	enabled  func(Config) bool
	build    func(Config, *app.App, env) (bot.Adapter, error)
}

// adapterKinds are the chat adapters Boussole is built with, the one list
// of them: the platforms a queue, a mediator list or a jurisdiction may
// name come from it.
func adapterKinds() []adapterKind {
	return []adapterKind{
		{
			platform: console.Platform,
			validate: func(c Config) error { return c.Console.Validate() },
			enabled:  func(c Config) bool { return c.Console.Enabled },
			build: func(c Config, _ *app.App, e env) (bot.Adapter, error) {
				return console.New(c.Console.Config(e.stdin, e.stdout, "")), nil
			},
		},
		{
			platform: discord.Platform,
			validate: func(c Config) error { return c.Discord.Validate() },
			enabled:  func(c Config) bool { return c.Discord.Enabled },
			build: func(c Config, a *app.App, e env) (bot.Adapter, error) {
				dc := c.Discord.Config(queueChannels(c, discord.Platform), c.Lang)
				dc.APIBase = c.Discord.APIBase
				d, err := discord.New(dc, adapterDeps(a, e))
				if err != nil {
					return nil, err
				}
				return d, nil
			},
		},
		{
			platform: mattermost.Platform,
			validate: func(c Config) error { return c.Mattermost.Validate() },
			enabled:  func(c Config) bool { return c.Mattermost.Enabled },
			build: func(c Config, a *app.App, e env) (bot.Adapter, error) {
				mc := c.Mattermost.Config(queueChannels(c, mattermost.Platform), c.Lang)
				mc.Router = e.router
				m, err := mattermost.New(mc, adapterDeps(a, e))
				if err != nil {
					return nil, err
				}
				return m, nil
			},
		},
	}
}

// platforms are the names of the platforms Boussole has an adapter for.
func platforms() []string {
	var out []string
	for _, k := range adapterKinds() {
		out = append(out, k.platform)
	}
	return out
}

// enabledAdapters builds every adapter enabled in cfg, on a.
func enabledAdapters(cfg Config, a *app.App, e env) ([]bot.Adapter, error) {
	var (
		adapters []bot.Adapter
		keys     []string
	)
	for _, k := range adapterKinds() {
		keys = append(keys, k.platform+".enabled")
		if !k.enabled(cfg) {
			continue
		}
		ad, err := k.build(cfg, a, e)
		if err != nil {
			return nil, err
		}
		adapters = append(adapters, ad)
	}
	if len(adapters) == 0 {
		return nil, errors.New("serve: no adapter is enabled in the configuration (" + strings.Join(keys, ", ") + ")")
	}
	return adapters, nil
}

// adapterDeps are what the chat adapters share: the app's logger,
// catalogue, clock and store (where they keep what to catch up after a
// restart), the environment holding their secrets, and the metrics told
// of their connections.
func adapterDeps(a *app.App, e env) adapterdeps.Deps {
	return adapterdeps.Deps{Logger: a.Log, Catalog: a.Catalog, Getenv: e.getenv, State: a.Store, Now: a.Now, Connection: a.Metrics.Connection}
}

// queueChannels are the channels of the mediators' queues on platform.
func queueChannels(cfg Config, platform string) []string {
	var chans []string
	for _, q := range cfg.Mediation.Queues {
		if q.Platform == platform {
			chans = append(chans, q.Channel)
		}
	}
	return chans
}
