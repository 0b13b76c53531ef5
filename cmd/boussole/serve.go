package main

import (
	"context"
	"errors"
	"flag"
	"time"

	"github.com/boussole/boussole/adapters/adapterdeps"
	"github.com/boussole/boussole/adapters/console"
	"github.com/boussole/boussole/bot"
	"github.com/boussole/boussole/internal/periodic"
)

// runServe runs every adapter enabled in the configuration until
// SIGINT/SIGTERM, then finishes the turns in flight and closes the store.
func runServe(ctx context.Context, e env, args []string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	var cf commonFlags
	cf.register(fs)
	if err := parseFlags(fs, e, args); err != nil {
		return err
	}
	cfg, err := cf.resolve(e)
	if err != nil {
		return err
	}
	log := newLogger(e.stderr, cfg.Log)
	a, err := openApp(ctx, cfg, log, e.now)
	if err != nil {
		return err
	}
	defer a.Close()

	var adapters []bot.Adapter
	if cfg.Console.Enabled {
		adapters = append(adapters, console.New(console.Config{In: e.stdin, Out: e.stdout, User: cfg.Console.User}))
	}
	if cfg.Discord.Enabled {
		d, err := newDiscord(cfg, a.adapterDeps(e.getenv))
		if err != nil {
			return err
		}
		adapters = append(adapters, d)
	}
	if cfg.Mattermost.Enabled {
		m, err := newMattermost(cfg, a.adapterDeps(e.getenv))
		if err != nil {
			return err
		}
		adapters = append(adapters, m)
	}
	if len(adapters) == 0 {
		return errors.New("serve: no adapter is enabled in the configuration (console.enabled, discord.enabled, mattermost.enabled, …)")
	}
	go a.purgeEvery(ctx, time.Hour)
	if m := cfg.Mediation.ReannounceMinutes; m > 0 {
		go a.reannounceEvery(ctx, time.Duration(m)*time.Minute)
	}
	log.Info("boussole serving", "adapters", len(adapters), "items", len(a.base.Items), "trees", len(a.base.Trees))
	err = runAdapters(ctx, a, log, adapters...)
	log.Info("boussole stopped")
	return err
}

// purgeEvery applies the retention period now and then every interval.
func (a *app) purgeEvery(ctx context.Context, interval time.Duration) {
	periodic.Tick(ctx, interval, a.purge)
}

// reannounceEvery re-posts cases nobody claimed within after, checking
// every minute (or every after, if shorter), the first time one interval
// after the start: a restart does not re-post at once while its outbox is
// still delivering what was pending.
func (a *app) reannounceEvery(ctx context.Context, after time.Duration) {
	d := min(after, time.Minute)
	select {
	case <-ctx.Done():
		return
	case <-time.After(d):
	}
	periodic.Tick(ctx, d, func(ctx context.Context) {
		if _, err := a.engine.Reannounce(ctx, after); err != nil {
			a.log.Error("re-announcing cases failed", "err", err)
		}
	})
}

// adapterDeps are what the chat adapters share: the app's logger,
// catalogue and store (where they keep what to catch up after a restart).
func (a *app) adapterDeps(getenv func(string) string) adapterdeps.Deps {
	return adapterdeps.Deps{Logger: a.log, Catalog: a.cat, Getenv: getenv, State: a.store, Now: a.now}
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
