package main

import (
	"context"
	"errors"
	"flag"
	"fmt"

	"github.com/boussole/boussole/knowledge"
	"github.com/boussole/boussole/knowledge/demo"
)

// runValidate checks a knowledge directory and lists every problem.
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
		imported, err := importedItems(ctx, *db)
		if err != nil {
			return err
		}
		b = b.WithItems(imported)
		probs = knowledge.Validate(b)
	}
	if len(probs) > 0 {
		for _, p := range probs {
			fmt.Fprintln(e.stdout, p.String())
		}
		fmt.Fprintf(e.stdout, "%s: %d problem(s)\n", dir, len(probs))
		return errSilent
	}
	fmt.Fprintf(e.stdout, "%s: OK — %d items, %d trees, %d synonym groups\n", dir, len(b.Items), len(b.Trees), len(b.Synonyms))
	return nil
}
