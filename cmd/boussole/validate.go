package main

import (
	"context"
	"errors"
	"flag"
	"fmt"

	"github.com/boussole/boussole/app"
	"github.com/boussole/boussole/knowledge"
	"github.com/boussole/boussole/knowledge/demo"
)

// runValidate checks a knowledge directory and lists every problem, then
// the items to review (a review date in the future or over a year old):
// those are reported but do not fail the check, as they do not stop the
// bot.
func runValidate(ctx context.Context, e env, args []string) error {
	fs := flag.NewFlagSet("validate", flag.ContinueOnError)
	db := fs.String("db", "", "database whose imported items trees may answer with")
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "usage: boussole validate [--db PATH] [DIR]   (default: the embedded demo)")
	}
	if err := parseFlags(fs, e, reorder(args, nil)); err != nil {
		return err
	}
	if fs.NArg() > 1 {
		fs.Usage()
		return errUsage
	}
	dir := fs.Arg(0)
	var (
		b   *knowledge.Base
		err error
	)
	if dir == "" {
		dir = "(demo)"
		b, err = knowledge.LoadFS(demo.FS())
	} else {
		b, err = knowledge.LoadDir(dir)
	}
	var probs knowledge.Problems
	if err != nil {
		if !errors.As(err, &probs) {
			return err
		}
	} else {
		imported, err := app.ImportedItems(ctx, *db, e.now)
		if err != nil {
			return err
		}
		b = b.WithItems(imported)
		probs = append(knowledge.Validate(b), placeHoursProblems(b)...)
		sortProblems(probs)
	}
	if len(probs) > 0 {
		for _, p := range probs {
			fmt.Fprintln(e.stdout, p.String())
		}
		fmt.Fprintf(e.stdout, "%s: %d problem(s)\n", dir, len(probs))
		return errSilent
	}
	notes := knowledge.Review(b, e.now())
	for _, n := range notes {
		fmt.Fprintf(e.stdout, "%s (to review)\n", n)
	}
	fmt.Fprintf(e.stdout, "%s: OK — %d items, %d trees, %d synonym groups", dir, len(b.Items), len(b.Trees), len(b.Synonyms))
	if len(notes) > 0 {
		fmt.Fprintf(e.stdout, "; %d item(s) to review", len(notes))
	}
	fmt.Fprintln(e.stdout)
	return nil
}
