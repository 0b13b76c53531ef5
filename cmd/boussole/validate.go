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

// printCoverage counts the items by jurisdiction and audience, the
// emergency numbers and the trees by jurisdiction: what an admin adapting
// the knowledge checks first (« does it say anything for associations in
// Québec? »).
func printCoverage(w io.Writer, b *knowledge.Base) {
	type key struct{ j, a string }
	items, emergency, total, trees := map[key]int{}, map[string]int{}, map[string]int{}, map[string]int{}
	var js []string
	seen := func(j string) {
		if !slices.Contains(js, j) {
			js = append(js, j)
		}
	}
	for _, it := range b.Items {
		if it == nil {
			continue
		}
		j := cmp.Or(it.Jurisdiction, "*")
		seen(j)
		if it.Kind == knowledge.KindEmergency {
			emergency[j]++
			continue
		}
		total[j]++
		aud := it.Audience
		if len(aud) == 0 {
			aud = []string{"*"}
		}
		for _, a := range aud {
			items[key{j, a}]++
		}
	}
	for _, t := range b.Trees {
		j := cmp.Or(t.Jurisdiction, "*")
		seen(j)
		trees[j]++
	}
	slices.Sort(js)
	for _, j := range js {
		var parts []string
		for _, a := range []string{"particulier", "professionnel", "association", "*"} {
			if n := items[key{j, a}]; n > 0 {
				parts = append(parts, fmt.Sprintf("%s %d", a, n))
			}
		}
		fmt.Fprintf(w, "  %s: %d items", j, total[j])
		if len(parts) > 0 {
			fmt.Fprintf(w, " (%s)", strings.Join(parts, ", "))
		}
		fmt.Fprintf(w, ", %d emergency numbers, %d trees\n", emergency[j], trees[j])
	}
}
