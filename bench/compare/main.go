// Command compare measures Boussole's search (knowledge/search) side by
// side with two off-the-shelf engines, SQLite FTS5 (BM25) and bleve v2 with
// its French analyzer, on the service-public.fr sheets and the development
// question sets of the shared data, with the same metrics code
// (knowledge/evalset) for all.
//
// It is a module of its own so that bleve never enters Boussole's go.mod.
// Run it from this directory:
//
//	go run . [--data ../../../shared/data] [--eval ../../../shared/eval] [--json] [--update ../../docs/benchmarks.md]
//
// See README.md for what is measured and how.
package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/boussole/boussole/knowledge"
	"github.com/boussole/boussole/knowledge/evalset"
	"github.com/boussole/boussole/knowledge/search"
	"github.com/boussole/boussole/knowledge/servicepublic"
)

// zips are the service-public catalogues read, in this order (a sheet
// published for several audiences is merged by servicepublic.Read).
var zips = []string{
	"vosdroits-particuliers-2020.zip",
	"vosdroits-professionnels-2020.zip",
	"vosdroits-associations-2020.zip",
}

// sets are the question sets, in table order.
var sets = []string{"cdtn-dev.jsonl", "citizens-dev.jsonl"}

// Engine names, as printed.
const (
	engBoussole   = "Boussole"
	engFTS        = "FTS5 bm25"
	engFTSTuned   = "FTS5 bm25 10/5/1"
	engBleveAll   = "bleve fr, _all"
	engBleveBoost = "bleve fr, title^3 summary^2 body"
)

// systems are the indexes built; each gives one or more engines (ways to
// query it).
var systems = []string{"boussole", "fts5", "bleve"}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	// The comparison's one clock (build times, latencies, the report's date).
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr, time.Now)
	stop()
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "compare:", err)
		os.Exit(1)
	}
}

type config struct {
	data, eval string
	asJSON     bool
	update     string
	k          int
	misses     int
	only       []string
	now        func() time.Time
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer, now func() time.Time) error {
	fs := flag.NewFlagSet("compare", flag.ContinueOnError)
	fs.SetOutput(stderr)
	c := config{now: now}
	var engines string
	fs.StringVar(&c.data, "data", "../../../shared/data", "shared data folder (holds service-public/*.zip)")
	fs.StringVar(&c.eval, "eval", "../../../shared/eval", "question sets folder (holds "+strings.Join(sets, ", ")+")")
	fs.BoolVar(&c.asJSON, "json", false, "print one JSON object instead of Markdown")
	fs.Bool("markdown", true, "print the Markdown tables (the default)")
	fs.StringVar(&c.update, "update", "", "also rewrite the results block of this Markdown file (between <!-- compare:begin --> and <!-- compare:end -->)")
	fs.IntVar(&c.k, "k", 5, "results read per question (recall@5 and MRR always look at the first 5)")
	fs.IntVar(&c.misses, "misses", 0, "print on stderr up to N questions per set that Boussole and a baseline disagree on (found in the top 5 by one only)")
	fs.StringVar(&engines, "engines", strings.Join(systems, ","), "indexes to build, comma-separated, among "+strings.Join(systems, ", "))
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 || c.k < 1 {
		fs.Usage()
		return flag.ErrHelp
	}
	for _, e := range strings.Split(engines, ",") {
		if e = strings.TrimSpace(e); e == "" {
			continue
		}
		if !slices.Contains(systems, e) {
			return fmt.Errorf("unknown engine %q (want %s)", e, strings.Join(systems, ", "))
		}
		c.only = append(c.only, e)
	}
	if c.update != "" && len(c.only) != len(systems) {
		return errors.New("--update needs every engine: the file's table is the whole comparison")
	}

	paths, questions, err := inputs(c)
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "reading %d zips from %s…\n", len(paths), filepath.Join(c.data, "service-public"))
	start := c.now()
	res, err := servicepublic.Read(ctx, paths, nil)
	if err != nil {
		return err
	}
	// The order `boussole eval --sheets` sees: the store returns items
	// sorted by id. Every engine indexes this same slice.
	items := res.Items
	slices.SortFunc(items, func(a, b *knowledge.Item) int { return cmp.Compare(a.ID, b.ID) })
	fmt.Fprintf(stderr, "  %d items (%d files, %d skipped) in %.1f s\n", len(items), res.Sheets, len(res.Skipped), c.now().Sub(start).Seconds())

	out := Results{Meta: describe(c, res)}
	ranks := map[string]map[string][]int{} // set → engine → rank per question
	for _, sys := range c.only {
		if err := measure(ctx, sys, items, questions, c.k, &out, ranks, stderr, c.now); err != nil {
			return err
		}
	}
	if c.misses > 0 {
		printDisagreements(stderr, questions, ranks, c.misses)
	}

	if c.asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			return err
		}
	} else {
		io.WriteString(stdout, out.Markdown())
	}
	if c.update != "" {
		if err := updateFile(c.update, out.Markdown()); err != nil {
			return err
		}
		fmt.Fprintf(stderr, "updated %s\n", c.update)
	}
	return nil
}

// inputs checks the data and question folders and reads the sets.
func inputs(c config) (paths []string, questions map[string][]evalset.Question, err error) {
	sp := filepath.Join(c.data, "service-public")
	if st, err := os.Stat(sp); err != nil || !st.IsDir() {
		return nil, nil, fmt.Errorf("no shared data at %s: pass --data to the folder that holds service-public/%s (the data is read in place, never copied into the repository)", sp, zips[0])
	}
	for _, z := range zips {
		p := filepath.Join(sp, z)
		if _, err := os.Stat(p); err != nil {
			return nil, nil, fmt.Errorf("missing %s: the comparison reads all of %s", p, strings.Join(zips, ", "))
		}
		paths = append(paths, p)
	}
	questions = map[string][]evalset.Question{}
	for _, s := range sets {
		p := filepath.Join(c.eval, s)
		f, err := os.Open(p)
		if err != nil {
			return nil, nil, fmt.Errorf("no question set at %s: pass --eval to the folder that holds %s", p, strings.Join(sets, ", "))
		}
		qs, err := evalset.Read(p, f)
		f.Close()
		if err != nil {
			return nil, nil, err
		}
		questions[s] = qs
	}
	return paths, questions, nil
}

// engine is one way to query a built index.
type engine struct {
	name string
	s    evalset.Searcher
	// errors reports the queries the engine refused (counted as
	// answering nothing), nil when it cannot fail.
	errors func() int
}

// measure builds one system's index, runs every set through each of its
// engines and appends the rows.
func measure(ctx context.Context, sys string, items []*knowledge.Item, questions map[string][]evalset.Question, k int, out *Results, ranks map[string]map[string][]int, stderr io.Writer, now func() time.Time) error {
	fmt.Fprintf(stderr, "%s: building…\n", sys)
	before := heapInUse()
	start := now()
	var (
		engines []engine
		memory  string
		cleanup = func() {}
		keep    any // what holds the index, alive until the heap is read
	)
	switch sys {
	case "boussole":
		// What `boussole eval --sheets` does: a base of the imported
		// items, no trees, no curated synonyms, default options.
		ix := search.New(knowledge.NewBase(items, nil, nil), search.Options{})
		engines = []engine{{name: engBoussole, s: ix}}
		keep = ix
	case "fts5":
		ix, err := buildFTS5(ctx, items)
		if err != nil {
			return err
		}
		cleanup = ix.close
		plain, err := ix.searcher()
		if err != nil {
			cleanup()
			return err
		}
		tuned, err := ix.searcher(10, 5, 1)
		if err != nil {
			cleanup()
			return err
		}
		engines = []engine{
			{name: engFTS, s: plain, errors: func() int { return plain.errors }},
			{name: engFTSTuned, s: tuned, errors: func() int { return tuned.errors }},
		}
		memory = fmt.Sprintf("%.0f MB database file", float64(ix.size())/1e6)
		out.Meta.SQLite = sqliteVersion(ix)
		keep = ix
	case "bleve":
		idx, err := buildBleve(items)
		if err != nil {
			return err
		}
		cleanup = func() { idx.Close() }
		all := &bleveSearcher{idx: idx}
		boosted := &bleveSearcher{idx: idx, boosts: map[string]float64{"title": 3, "summary": 2, "body": 1}}
		engines = []engine{
			{name: engBleveAll, s: all, errors: func() int { return all.errors }},
			{name: engBleveBoost, s: boosted, errors: func() int { return boosted.errors }},
		}
		keep = idx
	}
	build := now().Sub(start)
	if memory == "" {
		memory = fmt.Sprintf("%.0f MB Go heap", float64(heapInUse()-before)/1e6)
	}
	runtime.KeepAlive(keep)
	defer cleanup()
	fmt.Fprintf(stderr, "  built in %.1f s, %s\n", build.Seconds(), memory)
	out.Builds = append(out.Builds, Build{System: sys, Engines: names(engines), BuildS: build.Seconds(), Memory: memory})

	for _, e := range engines {
		for _, set := range sets {
			if err := ctx.Err(); err != nil {
				return err
			}
			qs := questions[set]
			// A first pass warms caches (and the FTS5 page cache) and
			// is thrown away; the second is reported.
			errs := 0
			if e.errors != nil {
				errs = e.errors()
			}
			if _, err := evalset.Run(ctx, e.s, qs, k, nil, now); err != nil {
				return err
			}
			rep, err := evalset.Run(ctx, e.s, qs, k, nil, now)
			if err != nil {
				return err
			}
			rep.BuildMs = float64(build.Microseconds()) / 1000
			row := Row{Set: strings.TrimSuffix(set, ".jsonl"), Engine: e.name, Report: rep}
			if e.errors != nil {
				row.QueryErrors = (e.errors() - errs) / 2
			}
			out.Rows = append(out.Rows, row)
			if ranks[set] == nil {
				ranks[set] = map[string][]int{}
			}
			ranks[set][e.name] = rankOf(qs, rep)
			fmt.Fprintf(stderr, "  %-34s %-14s R@1 %.3f  R@3 %.3f  R@5 %.3f  MRR %.3f  p50 %.3f ms  p99 %.3f ms\n",
				e.name, row.Set, rep.RecallAt1, rep.RecallAt3, rep.RecallAt5, rep.MRR, rep.P50ms, rep.P99ms)
		}
	}
	return nil
}

func names(es []engine) []string {
	var n []string
	for _, e := range es {
		n = append(n, e.name)
	}
	return n
}

// heapInUse is the live Go heap after two collections (the second one
// frees what the first one's finalizers released).
func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// rankOf gives, per question, the rank of a miss from the report's misses
// (0 when not found in the first max(k, 5)), else 1: found in the top k.
func rankOf(qs []evalset.Question, rep evalset.Report) []int {
	r := make([]int, len(qs))
	missed := map[int]int{}
	for _, m := range rep.Misses {
		missed[m.Line] = m.Rank
	}
	for i, q := range qs {
		if rk, ok := missed[q.Line]; ok {
			r[i] = rk
		} else {
			r[i] = 1
		}
	}
	return r
}

// printDisagreements lists, per set and baseline, the questions that one
// of Boussole and the baseline finds in its top 5 and the other does not.
func printDisagreements(w io.Writer, questions map[string][]evalset.Question, ranks map[string]map[string][]int, n int) {
	for _, set := range sets {
		bo, ok := ranks[set][engBoussole]
		if !ok {
			continue
		}
		qs := questions[set]
		for _, other := range []string{engFTS, engFTSTuned, engBleveAll, engBleveBoost} {
			ot, ok := ranks[set][other]
			if !ok {
				continue
			}
			var onlyB, onlyO []string
			for i, q := range qs {
				switch {
				case bo[i] != 0 && ot[i] == 0:
					onlyB = append(onlyB, q.Q)
				case bo[i] == 0 && ot[i] != 0:
					onlyO = append(onlyO, q.Q)
				}
			}
			fmt.Fprintf(w, "\n%s: top-5 only for Boussole %d, only for %s %d\n", set, len(onlyB), other, len(onlyO))
			for _, q := range onlyO[:min(n, len(onlyO))] {
				fmt.Fprintf(w, "  missed by Boussole: %q\n", q)
			}
			for _, q := range onlyB[:min(n, len(onlyB))] {
				fmt.Fprintf(w, "  missed by %s: %q\n", other, q)
			}
		}
	}
}

// sqliteVersion asks the database, best effort.
func sqliteVersion(ix *ftsIndex) string {
	var v string
	if err := ix.db.QueryRow(`SELECT sqlite_version()`).Scan(&v); err != nil {
		return ""
	}
	return v
}
