package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"math"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/boussole/boussole/app"
	"github.com/boussole/boussole/bot/catalog"
	"github.com/boussole/boussole/bot/store"
	"github.com/boussole/boussole/knowledge/servicepublic"
)

// originServicePublic names imported service-public.fr sheets in the store.
const originServicePublic = "service-public"

// The rules that keep an import from destroying good data.
const (
	// defaultMaxBroken is the largest share of broken sheets a file may
	// hold (--max-broken); above it the whole import is refused.
	defaultMaxBroken = 0.05
	// maxRetire is the largest share of a catalogue an import may retire
	// without --allow-retire.
	maxRetire = 0.10
	// brokenShown is how many broken sheets a refusal lists per file.
	brokenShown = 5
)

// importRules are the import's flags.
type importRules struct {
	maxBroken   float64
	allowRetire bool
	// source names the catalogue every path belongs to; "" means each
	// path's audience.
	source string
}

var defaultImportRules = importRules{maxBroken: defaultMaxBroken}

// runImport imports an official catalogue, or places (importplaces.go),
// into the database.
func runImport(ctx context.Context, e env, args []string) error {
	if len(args) > 0 && args[0] == "places" {
		return runImportPlaces(ctx, e, args[1:])
	}
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	var cf commonFlags
	cf.register(fs)
	rules := defaultImportRules
	fs.Float64Var(&rules.maxBroken, "max-broken", defaultMaxBroken, "refuse the import when a file's share of broken sheets is above this (0.05 = 5 %)")
	fs.BoolVar(&rules.allowRetire, "allow-retire", false, fmt.Sprintf("allow retiring more than %s of a catalogue", percentOf(maxRetire)))
	fs.StringVar(&rules.source, "source", "", "the catalogue PATH… make up, e.g. particuliers (default: each file's audience, from its sheets' breadcrumbs)")
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "usage: boussole import service-public [--db PATH] [--max-broken SHARE] [--allow-retire] [--source NAME] PATH…")
		fmt.Fprintln(e.stderr, "  PATH: a DILA \"Vos droits et démarches\" .zip, or a directory of its XML sheets.")
		fmt.Fprintln(e.stderr, "  Each PATH is a whole catalogue (its audience: particuliers, professionnels or associations,")
		fmt.Fprintln(e.stderr, "  or --source): sheets gone from it are retired, unless another catalogue still has them.")
		fmt.Fprintln(e.stderr, "  A broken sheet keeps its earlier version; a file with too many is refused, and so is an")
		fmt.Fprintf(e.stderr, "  import retiring more than %s of a catalogue without --allow-retire. A refused import changes nothing.\n", percentOf(maxRetire))
		fs.PrintDefaults()
		fmt.Fprintln(e.stderr, "Places (LaMednum, data·inclusion): boussole import places -h")
	}
	if len(args) == 0 || args[0] != "service-public" {
		fs.Usage()
		return errUsage
	}
	if err := rules.parse(fs, e, args[1:]); err != nil {
		return err
	}
	cfg, err := cf.resolve(e)
	if err != nil {
		return err
	}
	start := e.now()
	// Everything is read and checked before the database is opened: a
	// refused file does not even create it.
	res, cats, err := readSheets(ctx, fs.Args(), rules, progressBar(e))
	if err != nil {
		return err
	}
	log := app.NewLogger(e.stderr, app.LogConfig{Level: "warn", Format: cfg.Log.Format})
	stats, err := intoStore(ctx, cfg.Database, e.getenv, log, e.now, func(st *store.Store) (store.ImportStats, error) {
		return storeSheets(ctx, st, res, cats, rules)
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "service-public: %d sheets read in %.1f s into %s\n", len(res.Items)+len(res.Skipped), e.now().Sub(start).Seconds(), cfg.Database.Where())
	fmt.Fprintf(e.stdout, "  imported %d, updated %d, unchanged %d, retired %d, skipped %d (earlier version kept: %d)\n",
		stats.Imported, stats.Updated, stats.Unchanged, stats.Retired, len(res.Skipped), stats.Kept)
	for _, c := range stats.Catalogues {
		fmt.Fprintf(e.stdout, "  catalogue %s: %d sheets (%d before), retired %d", c.Name, c.After, c.Before, c.Retired)
		if c.Partial {
			io.WriteString(e.stdout, "; nothing retired: some broken files do not say which sheet they are")
		}
		io.WriteString(e.stdout, "\n")
	}
	for _, s := range res.Skipped {
		fmt.Fprintf(e.stdout, "  skipped %s: %s\n", s.Name, s.Reason)
	}
	fmt.Fprintf(e.stdout, "  %s\n", servicepublic.Attribution)
	importEmbeddings(ctx, e, cfg, log)
	return nil
}

// importEmbeddings computes the embeddings of the items new or changed
// since the last import, when the configuration's model has an
// embeddings model. The sheets are imported either way: a model down
// leaves a warning, and the next import (or serve's start) resumes.
func importEmbeddings(ctx context.Context, e env, cfg Config, log *slog.Logger) {
	if cfg.LLM == nil {
		return
	}
	cat, err := catalog.New()
	if err != nil {
		fmt.Fprintf(e.stderr, "warning: embeddings not computed: %v\n", err)
		return
	}
	model, err := app.NewModel(cfg.LLM, app.ModelDeps{Catalog: cat, Getenv: e.getenv, Now: e.now, Log: log})
	if err != nil || model == nil || model.EmbeddingsModel == "" {
		if err != nil {
			fmt.Fprintf(e.stderr, "warning: embeddings not computed: %v\n", err)
		}
		return
	}
	type counts struct{ computed, kept int }
	c, err := intoStore(ctx, cfg.Database, e.getenv, log, e.now, func(st *store.Store) (counts, error) {
		items, err := app.KnowledgeItems(ctx, st, cfg.Knowledge.Dir)
		if err != nil {
			return counts{}, err
		}
		// The client, not the guard: a batch of 64 sheets is no chat turn.
		computed, kept, err := app.RefreshEmbeddings(ctx, st, model.Client, model.EmbeddingsModel, items, log)
		return counts{computed, kept}, err
	})
	if err != nil {
		fmt.Fprintf(e.stderr, "warning: embeddings (%s) not all computed: %v (the next import resumes)\n", model.EmbeddingsModel, err)
		return
	}
	fmt.Fprintf(e.stdout, "  embeddings (%s): computed %d, unchanged %d\n", model.EmbeddingsModel, c.computed, c.kept)
}

// importServicePublic reads the sheets and stores them, under the
// default rules.
func importServicePublic(ctx context.Context, st *store.Store, paths []string, progress func(done, total int)) (store.ImportStats, servicepublic.Result, error) {
	res, cats, err := readSheets(ctx, paths, defaultImportRules, progress)
	if err != nil {
		return store.ImportStats{}, res, err
	}
	stats, err := storeSheets(ctx, st, res, cats, defaultImportRules)
	return stats, res, err
}

// readSheets reads the sheets of paths and checks them against the rules:
// a file with too many broken sheets, or whose catalogue cannot be told,
// refuses the whole import. It returns the catalogues the paths make up.
func readSheets(ctx context.Context, paths []string, rules importRules, progress func(done, total int)) (servicepublic.Result, []store.Catalogue, error) {
	res, err := servicepublic.Read(ctx, paths, progress)
	if err != nil {
		return res, nil, fmt.Errorf("read service-public sheets: %w", err)
	}
	var problems []string
	for _, src := range res.Sources {
		switch {
		case src.Sheets == 0:
			problems = append(problems, fmt.Sprintf("%s holds no sheet (.xml file)", src.Path))
		case float64(len(src.Skipped)) > rules.maxBroken*float64(src.Sheets):
			var b strings.Builder
			fmt.Fprintf(&b, "%s: %d of %d sheets are broken (%s), more than --max-broken %v (%s):",
				src.Path, len(src.Skipped), src.Sheets, percentOf(float64(len(src.Skipped))/float64(src.Sheets)), rules.maxBroken, percentOf(rules.maxBroken))
			for i, s := range src.Skipped {
				if i == brokenShown {
					fmt.Fprintf(&b, "\n    … and %d more", len(src.Skipped)-brokenShown)
					break
				}
				fmt.Fprintf(&b, "\n    %s: %s", entryName(src.Path, s.Name), s.Reason)
			}
			problems = append(problems, b.String())
		case rules.source == "" && src.Catalogue == "":
			problems = append(problems, fmt.Sprintf("%s: cannot tell which catalogue it is (the breadcrumbs of most of its sheets start from no audience); name it with --source NAME", src.Path))
		}
	}
	if len(problems) > 0 {
		return res, nil, fmt.Errorf("import service-public refused, nothing changed:\n  %s", strings.Join(problems, "\n  "))
	}
	if len(res.Items) == 0 {
		return res, nil, errors.New("import service-public: no sheet could be read; nothing changed")
	}
	var cats []store.Catalogue
	index := map[string]int{}
	for _, src := range res.Sources {
		name := rules.source
		if name == "" {
			name = src.Catalogue
		}
		i, ok := index[name]
		if !ok {
			i = len(cats)
			index[name] = i
			cats = append(cats, store.Catalogue{Name: name})
		}
		c := &cats[i]
		c.Read = append(c.Read, src.IDs...)
		for _, s := range src.Skipped {
			if s.ID == "" {
				c.Partial = true
			} else {
				c.Broken = append(c.Broken, s.ID)
			}
		}
	}
	return res, cats, nil
}

// storeSheets stores what readSheets read as the whole of its catalogues.
func storeSheets(ctx context.Context, st *store.Store, res servicepublic.Result, cats []store.Catalogue, rules importRules) (store.ImportStats, error) {
	opts := store.ImportOptions{
		MaxRetire:  maxRetire,
		Membership: servicepublic.AudienceCatalogues,
		Merge:      servicepublic.Merge,
	}
	if rules.allowRetire {
		opts.MaxRetire = 1
	}
	stats, err := st.ImportCatalogues(ctx, originServicePublic, res.Items, cats, opts)
	if re := (*store.RetireError)(nil); errors.As(err, &re) {
		return stats, fmt.Errorf("import service-public refused, nothing changed: it %v; if these sheets are really gone, pass --allow-retire", re)
	}
	return stats, err
}

// parse parses an import's flags and checks them and its arguments.
func (rules *importRules) parse(fs *flag.FlagSet, e env, args []string) error {
	if err := parseFlags(fs, e, reorder(args, map[string]bool{"allow-retire": true})); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return errUsage
	}
	if !(rules.maxBroken >= 0 && rules.maxBroken <= 1) {
		fmt.Fprintf(e.stderr, "boussole: --max-broken %v: want a share between 0 and 1 (0.05 = 5 %%)\n", rules.maxBroken)
		return errUsage
	}
	if rules.source != "" && !validSourceName(rules.source) {
		fmt.Fprintf(e.stderr, "boussole: --source %q: want a name of letters, digits, '.', '-' or '_'\n", rules.source)
		return errUsage
	}
	return nil
}

// validSourceName reports whether a --source name can name a catalogue.
func validSourceName(name string) bool {
	if len(name) > 64 {
		return false
	}
	for _, r := range name {
		if !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '.' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// entryName is a skipped sheet's name without its file's path.
func entryName(path, name string) string {
	if rest, ok := strings.CutPrefix(name, path); ok && len(rest) > 1 {
		return rest[1:]
	}
	return name
}

// percentOf writes a share as a percentage with at most one decimal.
func percentOf(f float64) string {
	return strconv.FormatFloat(math.Round(1000*f)/10, 'f', -1, 64) + " %"
}

// intoStore runs an import in the database at path: a database the
// import created is not left behind when it fails, and an existing one is
// as it was (an import is one transaction).
func intoStore[T any](ctx context.Context, db app.DatabaseConfig, getenv func(string) string, log *slog.Logger, now func() time.Time, run func(*store.Store) (T, error)) (T, error) {
	path := db.Where()
	var created []string
	if db.Driver == "" || db.Driver == app.DriverSQLite {
		created = absentFiles(db.Path)
	}
	res, err := func() (T, error) {
		st, err := app.OpenStore(ctx, db, getenv, log, now)
		if err != nil {
			var zero T
			return zero, err
		}
		res, err := run(st)
		if cerr := st.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("close database %s: %w", path, cerr)
		}
		return res, err
	}()
	if err != nil {
		for _, f := range created {
			_ = os.Remove(f)
		}
	}
	return res, err
}

// absentFiles returns the files of a SQLite database (the file, its WAL,
// shared memory and journal) that do not exist yet: those an import that
// fails removes.
func absentFiles(path string) []string {
	var out []string
	for _, f := range []string{path, path + "-wal", path + "-shm", path + "-journal"} {
		if _, err := os.Lstat(f); errors.Is(err, fs.ErrNotExist) {
			out = append(out, f)
		}
	}
	return out
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
