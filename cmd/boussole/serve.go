package main

import (
	"context"
	"flag"

	"github.com/boussole/boussole/app"
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
	a, err := app.Open(ctx, cfg.Config, app.NewLogger(e.stderr, cfg.Log), e.now)
	if err != nil {
		return err
	}
	defer a.Close()
	adapters, err := enabledAdapters(cfg, a, e)
	if err != nil {
		return err
	}
	return a.Serve(ctx, adapters...)
}
