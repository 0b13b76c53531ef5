package main

import (
	"context"
	"flag"
	"fmt"

	"github.com/boussole/boussole/adapters/console"
	"github.com/boussole/boussole/app"
)

// runChat is the local chat: the console adapter on stdin/stdout.
func runChat(ctx context.Context, e env, args []string) error {
	fs := flag.NewFlagSet("chat", flag.ContinueOnError)
	var cf commonFlags
	cf.register(fs)
	if err := parseFlags(fs, e, args); err != nil {
		return err
	}
	cfg, err := cf.resolve(e)
	if err != nil {
		return err
	}
	// The chat shares the terminal: only warnings and errors are logged,
	// to stderr, unless debug was asked for.
	logCfg := cfg.Log
	if logCfg.Level == "info" {
		logCfg.Level = "warn"
	}
	a, err := app.Open(ctx, cfg.Config, app.NewLogger(e.stderr, logCfg), e.now)
	if err != nil {
		return err
	}
	defer a.Close()
	a.Purge(ctx)

	prompt := ""
	if e.interactive {
		prompt = "> "
		fmt.Fprintln(e.stdout, a.Engine.Welcome())
	}
	return a.Run(ctx, console.New(cfg.Console.Config(e.stdin, e.stdout, prompt)))
}
