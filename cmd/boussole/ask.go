package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"strings"

	"github.com/boussole/boussole/app"
	"github.com/boussole/boussole/knowledge"
	"github.com/boussole/boussole/knowledge/search"
)

type askHit struct {
	Rank int `json:"rank"`
	knowledge.Hit
	Title string `json:"title"`
	URL   string `json:"url,omitempty"`
}

// runAsk answers one question with the search results, scores and why.
func runAsk(ctx context.Context, e env, args []string) error {
	fs := flag.NewFlagSet("ask", flag.ContinueOnError)
	var (
		asJSON  bool
		k       int
		dirFlag string
		dbFlag  string
	)
	fs.StringVar(&dbFlag, "db", "", "also search the items imported into this database")
	fs.StringVar(&dirFlag, "knowledge", "", "knowledge directory (default: the embedded demo)")
	fs.BoolVar(&asJSON, "json", false, "print JSON")
	fs.IntVar(&k, "k", 5, "number of results")
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "usage: boussole ask [--json] [--k N] [--knowledge DIR] [--db PATH] \"question\"")
	}
	if err := parseFlags(fs, e, reorder(args, map[string]bool{"json": true})); err != nil {
		return err
	}
	q := strings.Join(fs.Args(), " ")
	if strings.TrimSpace(q) == "" || k < 1 {
		fs.Usage()
		return errUsage
	}
	imported, err := app.ImportedItems(ctx, dbFlag, e.now)
	if err != nil {
		return err
	}
	base, err := app.LoadKnowledge(ctx, dirFlag, imported)
	if err != nil {
		return err
	}
	ix := search.New(base, search.Options{})
	hits, err := ix.Search(ctx, q, k)
	if err != nil {
		return err
	}
	out := make([]askHit, 0, len(hits))
	for i, h := range hits {
		ah := askHit{Rank: i + 1, Hit: h}
		ah.Title, _ = base.Describe(h)
		if it, ok := base.Item(h.ID); ok && h.Kind == knowledge.HitItem && len(it.Sources) > 0 {
			ah.URL = it.Sources[0]
		}
		out = append(out, ah)
	}
	if asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			Query string   `json:"query"`
			Hits  []askHit `json:"hits"`
		}{q, out})
	}
	if len(out) == 0 {
		fmt.Fprintln(e.stdout, "Aucun résultat. / No result.")
		return nil
	}
	for _, h := range out {
		fmt.Fprintf(e.stdout, "%d. [%s] %s — %s\n   confiance %.2f, correspondance %.2f, score %.2f\n", h.Rank, h.Kind, h.ID, h.Title, h.Confidence, h.Match, h.Score)
		if len(h.Why) > 0 {
			fmt.Fprintf(e.stdout, "   pourquoi : %s\n", strings.Join(h.Why, " ; "))
		}
		if h.URL != "" {
			fmt.Fprintf(e.stdout, "   %s\n", h.URL)
		}
	}
	return nil
}

// reorder moves flags after positional arguments to the front, so
// `ask "question" --json` works like `ask --json "question"`. boolFlags
// names the flags that take no value.
func reorder(args []string, boolFlags map[string]bool) []string {
	var flags, pos []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			pos = append(pos, args[i+1:]...)
			break
		}
		if strings.HasPrefix(a, "-") && len(a) > 1 {
			flags = append(flags, a)
			name := strings.TrimLeft(a, "-")
			if !strings.Contains(name, "=") && !boolFlags[name] && i+1 < len(args) {
				flags = append(flags, args[i+1])
				i++
			}
			continue
		}
		pos = append(pos, a)
	}
	return append(flags, pos...)
}
