package main

import (
	"context"
	"errors"
	"flag"
	"runtime/debug"
	"sync"

	"github.com/boussole/boussole/app"
	"github.com/boussole/boussole/app/httpserver"
	"github.com/boussole/boussole/app/web"
)

// runServe runs every adapter enabled in the configuration and the one
// HTTP server (admin, Mattermost callbacks, health) until SIGINT/SIGTERM,
// then finishes the turns in flight and closes the store.
func runServe(ctx context.Context, e env, args []string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	var cf commonFlags
	cf.register(fs)
	listen := fs.String("listen", "", "the HTTP server's address (admin, Mattermost callbacks, /healthz), overriding http.listen; \"none\" runs no server")
	if err := parseFlags(fs, e, args); err != nil {
		return err
	}
	cfg, err := cf.resolve(e)
	if err != nil {
		return err
	}
	switch *listen {
	case "":
	case "none":
		cfg.HTTP.Listen, cfg.Admin.Enabled = "", false
	default:
		cfg.HTTP.Listen = *listen
	}
	bi, _ := debug.ReadBuildInfo()
	cfg.Config.Version = readBuildInfo(version, bi).Version
	a, err := app.Open(ctx, cfg.Config, app.NewLogger(e.stderr, cfg.Log), e.now)
	if err != nil {
		return err
	}
	defer a.Close()
	var srv *httpserver.Server
	if cfg.HTTP.Listen != "" {
		srv = httpserver.New(cfg.HTTP.Listen, a.Log)
		closeWeb, err := web.Mount(srv, a)
		if err != nil {
			return err
		}
		defer closeWeb()
		// Bound before the adapters connect: a taken port stops the start.
		if err := srv.Listen(); err != nil {
			return err
		}
		e.router = srv
	}
	adapters, err := enabledAdapters(cfg, a, e)
	if err != nil {
		return err
	}
	if srv == nil {
		return a.Serve(ctx, adapters...)
	}
	web.MountPlatforms(srv, a, adapters)
	// The server stops with the adapters, and the adapters with a server
	// that fails: a process whose admin and buttons are gone would look
	// alive.
	sctx, stop := context.WithCancel(ctx)
	defer stop()
	var wg sync.WaitGroup
	var srvErr error
	wg.Go(func() {
		srvErr = srv.Serve(sctx)
		stop()
	})
	err = a.Serve(sctx, adapters...)
	stop()
	wg.Wait()
	return errors.Join(err, srvErr)
}
