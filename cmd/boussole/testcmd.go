package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/boussole/boussole/adapters/console"
	"github.com/boussole/boussole/app"
	"github.com/boussole/boussole/bot"
	"github.com/boussole/boussole/bot/bottest"
	"github.com/boussole/boussole/bot/catalog"
	"github.com/boussole/boussole/bot/delivery"
	"github.com/boussole/boussole/bot/engine"
	"github.com/boussole/boussole/bot/store"
)

// testInstant is the instant conversation tests run at unless --now or
// the file's own clock instruction says otherwise: a Monday morning, so
// that opening hours and dates in replies are reproducible. The engine,
// the store and the dispatcher of a test all read this one clock.
const testInstant = "2026-11-23T10:00:00Z"

// runTest plays conversation test files, each on a fresh database.
func runTest(ctx context.Context, e env, args []string) error {
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	var cf commonFlags
	cf.register(fs)
	verbose := fs.Bool("v", false, "print each file's result")
	nowFlag := fs.String("now", testInstant, "the instant the files run at, RFC 3339 (a file's clock instruction wins)")
	var placeArgs []string
	fs.Func("places", "a places export (as for boussole import places) imported into each file's database (repeatable)", func(s string) error {
		placeArgs = append(placeArgs, s)
		return nil
	})
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "usage: boussole test [--knowledge DIR] [--lang "+strings.Join(catalog.EmbeddedLangs(), "|")+"] [--now "+testInstant+"] [--places EXPORT]… [-v] FILE…")
		fmt.Fprintln(e.stderr, "Each file runs on a fresh database at a fixed instant, "+testInstant+" unless --now or the file's clock instruction says otherwise.")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, e, reorder(args, map[string]bool{"v": true})); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return errUsage
	}
	at, err := time.Parse(time.RFC3339, *nowFlag)
	if err != nil {
		return fmt.Errorf("--now %q: want an instant such as %s", *nowFlag, testInstant)
	}
	cfg, err := cf.resolve(e)
	if err != nil {
		return err
	}
	// The places are read once and imported into every file's database.
	var placeFiles []*placeFile
	if len(placeArgs) > 0 {
		if placeFiles, err = readPlaceFiles(ctx, e, placeArgs, defaultImportRules); err != nil {
			return err
		}
	}
	passed, failed := 0, 0
	// The files share the gazetteer and the knowledge's index: each has
	// its own database, and building those for each took most of the time.
	parts := e.parts
	if parts == nil {
		parts = &app.Parts{}
	}
	for _, file := range fs.Args() {
		ran, fails, err := testFile(ctx, parts, cfg, file, at, placeFiles)
		switch {
		case err != nil:
			failed++
			fmt.Fprintf(e.stdout, "FAIL %s\n  %v\n", file, err)
		case len(fails) > 0:
			failed++
			fmt.Fprintf(e.stdout, "FAIL %s\n", file)
			for _, f := range fails {
				fmt.Fprintln(e.stdout, f.String())
			}
		default:
			passed++
			if *verbose {
				fmt.Fprintf(e.stdout, "ok   %s (at %s)\n", file, ran.Format(time.RFC3339))
			}
		}
	}
	fmt.Fprintf(e.stdout, "%d passed, %d failed\n", passed, failed)
	if failed > 0 {
		return errSilent
	}
	return nil
}

// testFile runs one file against a fresh engine and database, at the
// instant at unless the file names its own, and returns the instant used.
// The clock stands still: the whole file happens within one instant.
func testFile(ctx context.Context, parts *app.Parts, cfg Config, file string, at time.Time, placeFiles []*placeFile) (time.Time, []bottest.Failure, error) {
	f, err := os.Open(file)
	if err != nil {
		return at, nil, fmt.Errorf("open test: %w", err)
	}
	script, err := bottest.Parse(file, f)
	f.Close()
	if err != nil {
		return at, nil, err
	}
	if !script.Clock.IsZero() {
		at = script.Clock
	}
	now := func() time.Time { return at }
	dir, err := os.MkdirTemp("", "boussole-test-")
	if err != nil {
		return at, nil, fmt.Errorf("make temporary directory: %w", err)
	}
	defer os.RemoveAll(dir)
	cfg.Database.Path = filepath.Join(dir, "test.db")
	if len(placeFiles) > 0 {
		if err := importPlaceFiles(ctx, cfg.Database.Path, placeFiles, now); err != nil {
			return at, nil, err
		}
	}
	a, err := parts.Open(ctx, cfg.Config, app.NewLogger(io.Discard, cfg.Log), now)
	if err != nil {
		return at, nil, err
	}
	rec := &recorder{}
	out, err := a.NewDispatcher()
	if err != nil {
		return at, nil, errors.Join(err, a.Close())
	}
	out.Register(rec)
	fails, runErr := script.Run(ctx, &deliveries{engine: a.Engine, out: out, rec: rec}, console.Address, cfg.Console.User)
	return at, fails, errors.Join(runErr, a.Close())
}

// deliveries drives the engine like the runner does and returns what the
// dispatcher delivered because of each message.
type deliveries struct {
	engine *engine.Engine
	out    *delivery.Dispatcher
	rec    *recorder
}

// Send implements bottest.Driver.
func (d *deliveries) Send(ctx context.Context, in bot.Incoming) ([]bot.Reply, error) {
	d.rec.got = nil
	if _, err := d.engine.Respond(ctx, in); err != nil {
		return nil, err
	}
	if _, err := d.out.Flush(ctx); err != nil {
		return nil, err
	}
	return d.rec.got, nil
}

// recorder is the console platform of a test: it keeps what is sent.
type recorder struct{ got []bot.Reply }

func (r *recorder) Name() string                              { return console.Platform }
func (r *recorder) Run(context.Context, bot.Handler) error    { return nil }
func (r *recorder) Send(_ context.Context, m bot.Reply) error { r.got = append(r.got, m); return nil }

// importPlaceFiles stores places read by readPlaceFiles into the database
// at path, as boussole import places does.
func importPlaceFiles(ctx context.Context, path string, files []*placeFile, now func() time.Time) error {
	_, err := intoStore(ctx, app.DatabaseConfig{Path: path}, nil, nil, now, func(st *store.Store) ([]store.PlaceImportStats, error) {
		return storePlaces(ctx, st, files, defaultImportRules)
	})
	return err
}
