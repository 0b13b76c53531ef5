package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"

	"github.com/boussole/boussole/adapters/console"
	"github.com/boussole/boussole/bot"
	"github.com/boussole/boussole/bot/delivery"
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
	log := newLogger(e.stderr, logCfg)
	a, err := openApp(ctx, cfg, log, e.now)
	if err != nil {
		return err
	}
	defer a.Close()
	a.purge(ctx)

	prompt := ""
	if e.interactive {
		prompt = "> "
		fmt.Fprintln(e.stdout, a.engine.Welcome())
	}
	con := console.New(console.Config{In: e.stdin, Out: e.stdout, User: cfg.Console.User, Prompt: prompt})
	return runAdapters(ctx, a, log, con)
}

// runAdapters runs adapters on one runner until ctx is done or all of them
// return, then waits for the turns in flight.
func runAdapters(ctx context.Context, a *app, log *slog.Logger, adapters ...bot.Adapter) error {
	out, err := delivery.NewDispatcher(a.store, log, a.now)
	if err != nil {
		return err
	}
	r := delivery.NewRunner(a.engine, out, log)
	for _, ad := range adapters {
		r.Register(ad)
	}
	// Messages a previous process queued but did not send go out now;
	// failed sends are retried until the platform accepts them.
	dctx, stopDispatch := context.WithCancel(context.WithoutCancel(ctx))
	dispatched := make(chan struct{})
	go func() { out.Run(dctx); close(dispatched) }()
	defer func() {
		stopDispatch()
		<-dispatched
	}()
	// One adapter failing stops the others: a process half connected
	// would look alive while a platform's people get no answer.
	actx, stopAll := context.WithCancel(ctx)
	defer stopAll()
	errc := make(chan error, len(adapters))
	for _, ad := range adapters {
		go func() {
			err := ad.Run(actx, r)
			if err != nil {
				err = fmt.Errorf("%s: %w", ad.Name(), err)
				stopAll()
			}
			errc <- err
		}()
	}
	var first error
	for range adapters {
		if err := <-errc; err != nil && first == nil {
			first = err
		}
	}
	r.Close()
	return first
}
