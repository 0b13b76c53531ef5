package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"

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
	printCoverage(e.stdout, b)
	return nil
}

// printCoverage counts the items by jurisdiction and audience, and the
// trees by jurisdiction: what an admin adapting the knowledge checks
// first (« does it say anything for associations in Québec? »).
func printCoverage(w io.Writer, b *knowledge.Base) {
	type key struct{ j, a string }
	items := map[key]int{}
	var js []string
	for _, it := range b.Items {
		if it == nil || it.Kind == knowledge.KindEmergency {
			continue
		}
		j := cmp.Or(it.Jurisdiction, "*")
		if !slices.Contains(js, j) {
			js = append(js, j)
		}
		aud := it.Audience
		if len(aud) == 0 {
			aud = []string{"*"}
		}
		for _, a := range aud {
			items[key{j, a}]++
		}
	}
	trees := map[string]int{}
	for _, t := range b.Trees {
		trees[cmp.Or(t.Jurisdiction, "*")]++
	}
	slices.Sort(js)
	emergency := 0
	for _, it := range b.Items {
		if it != nil && it.Kind == knowledge.KindEmergency {
			emergency++
		}
	}
	fmt.Fprintf(w, "  emergency numbers: %d\n", emergency)
	for _, j := range js {
		var parts []string
		for _, a := range []string{"particulier", "professionnel", "association", "*"} {
			if n := items[key{j, a}]; n > 0 {
				parts = append(parts, fmt.Sprintf("%s %d", a, n))
			}
		}
		fmt.Fprintf(w, "  %s: items by audience: %s; trees: %d\n", j, strings.Join(parts, ", "), trees[j])
	}
	if n := trees["*"]; n > 0 && !slices.Contains(js, "*") {
		fmt.Fprintf(w, "  *: trees: %d\n", n)
	}
}
