package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/boussole/boussole/bot/store"
	"github.com/boussole/boussole/knowledge/servicepublic"
)

// originServicePublic names imported service-public.fr sheets in the store.
const originServicePublic = "service-public"

// runImport imports an official catalogue into the database.
func runImport(ctx context.Context, e env, args []string) error {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	var cf commonFlags
	cf.register(fs)
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "usage: boussole import service-public [--db PATH] PATH…")
		fmt.Fprintln(e.stderr, "  PATH: a DILA \"Vos droits et démarches\" .zip, or a directory of its XML sheets.")
		fmt.Fprintln(e.stderr, "  An import is the whole catalogue: sheets absent from PATH… are retired.")
		fs.PrintDefaults()
	}
	if len(args) == 0 || args[0] != "service-public" {
		fs.Usage()
		return errUsage
	}
	if err := parseFlags(fs, e, reorder(args[1:], nil)); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return errUsage
	}
	cfg, err := cf.resolve(e)
	if err != nil {
		return err
	}
	log := newLogger(e.stderr, LogConfig{Level: "warn", Format: cfg.Log.Format})
	st, err := store.Open(ctx, cfg.Database.Path, store.Options{Logger: log, Clock: e.now})
	if err != nil {
		return err
	}
	defer st.Close()
	start := e.now()
	stats, res, err := importServicePublic(ctx, st, fs.Args(), progressBar(e))
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "service-public: %d sheets read in %.1f s into %s\n", len(res.Items)+len(res.Skipped), e.now().Sub(start).Seconds(), cfg.Database.Path)
	fmt.Fprintf(e.stdout, "  imported %d, updated %d, unchanged %d, retired %d, skipped %d\n",
		stats.Imported, stats.Updated, stats.Unchanged, stats.Retired, len(res.Skipped))
	for _, s := range res.Skipped {
		fmt.Fprintf(e.stdout, "  skipped %s: %s\n", s.Name, s.Reason)
	}
	fmt.Fprintf(e.stdout, "  %s\n", servicepublic.Attribution)
	return nil
}

// importServicePublic reads the sheets and stores them as the whole
// service-public catalogue.
func importServicePublic(ctx context.Context, st *store.Store, paths []string, progress func(done, total int)) (store.ImportStats, servicepublic.Result, error) {
	res, err := servicepublic.Read(ctx, paths, progress)
	if err != nil {
		return store.ImportStats{}, res, fmt.Errorf("read service-public sheets: %w", err)
	}
	if len(res.Items) == 0 {
		return store.ImportStats{}, res, errors.New("import service-public: no sheet could be read; nothing changed")
	}
	stats, err := st.ImportItems(ctx, originServicePublic, res.Items)
	return stats, res, err
}

// progressBar draws a progress bar on stderr when it is a terminal.
func progressBar(e env) func(done, total int) {
	if !e.errTerminal {
		return nil
	}
	last := -1
	return func(done, total int) {
		if total <= 0 {
			return
		}
		pct := done * 100 / total
		if pct == last && done != total {
			return
		}
		last = pct
		const width = 30
		fill := width * done / total
		fmt.Fprintf(e.stderr, "\r  [%s%s] %3d%% %d/%d", strings.Repeat("#", fill), strings.Repeat(".", width-fill), pct, done, total)
		if done == total {
			io.WriteString(e.stderr, "\n")
		}
	}
}
