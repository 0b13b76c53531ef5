package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/boussole/boussole/app"
)

// runExport writes the knowledge in force (files overlaid by the versions
// published in the web admin) as a knowledge directory DIR, which
// `boussole serve --knowledge DIR` reads back.
func runExport(ctx context.Context, e env, args []string) error {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	var cf commonFlags
	cf.register(fs)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: boussole export [flags] DIR\n\nWrites the trees, hand-written items and synonyms in force into DIR (new or empty).")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, e, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return errUsage
	}
	dir := fs.Arg(0)
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		return fmt.Errorf("export: %s is not empty: give a new or empty directory (nothing is overwritten)", dir)
	} else if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("export: %w", err)
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
	n := 0
	err = a.Library.Export(func(name string, data []byte) error {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		n++
		return os.WriteFile(p, data, 0o644)
	})
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	fmt.Fprintf(e.stdout, "%d files written to %s\n", n, dir)
	for _, c := range a.Library.Conflicts() {
		fmt.Fprintf(e.stdout, "note: %s differed from its version published on the web; the export has the web version\n", c)
	}
	return nil
}
