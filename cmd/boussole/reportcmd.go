package main

import (
	"context"
	"flag"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/boussole/boussole/app"
	"github.com/boussole/boussole/app/report"
	"github.com/boussole/boussole/bot/store"
	"github.com/boussole/boussole/knowledge"
)

// runReport writes the activity report of a period of months (app/report)
// from the database's counters, which the retention purge keeps: for the
// coordinators and funders of a deployment. The database is only read,
// on SQLite or PostgreSQL.
func runReport(ctx context.Context, e env, args []string) error {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	var cf commonFlags
	var from, to, format string
	fs.StringVar(&from, "from", "", "first month of the report, YYYY-MM (a day YYYY-MM-DD stands for its month)")
	fs.StringVar(&to, "to", "", "last month of the report, included, YYYY-MM or YYYY-MM-DD (default: the month of --from)")
	fs.StringVar(&format, "format", "md", "output format: "+strings.Join(report.Formats(), ", "))
	cf.register(fs)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: boussole report --from YYYY-MM[-DD] [--to YYYY-MM[-DD]] [--format csv|json|md] [--config FILE] [--db FILE]\n\n"+
			"Writes the activity report of whole months (UTC) to stdout: people reached, answers, cases opened, waits,\n"+
			"outcomes, satisfaction, danger and topics, per month, jurisdiction and queue. The database is only read.")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, e, args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		fs.Usage()
		return errUsage
	}
	if from == "" {
		fmt.Fprintln(e.stderr, "report: give the first month: --from YYYY-MM")
		return errUsage
	}
	start, err := parseMonth("--from", from)
	if err != nil {
		return err
	}
	end := start
	if to != "" {
		if end, err = parseMonth("--to", to); err != nil {
			return err
		}
	}
	if report.Month(end) < report.Month(start) {
		return fmt.Errorf("report: --to %s is before --from %s", to, from)
	}
	if !validFormat(format) {
		return fmt.Errorf("report: --format %q: valid formats are %s", format, strings.Join(report.Formats(), ", "))
	}
	cfg, err := cf.resolve(e)
	if err != nil {
		return err
	}
	log := app.NewLogger(e.stderr, cfg.Log)
	st, err := app.OpenStoreReadOnly(ctx, cfg.Database, e.getenv, log, e.now)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	defer st.Close()
	sums, err := st.ReportCounters(ctx, start, end)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	texts, err := report.NewTexts(cfg.Lang)
	if err != nil {
		return err
	}
	r := report.Build(start, end, sums, report.Options{Titles: treeTitles(ctx, e, cfg, st, texts.Lang())})
	if err := report.Write(e.stdout, r, format, texts); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return nil
}

// parseMonth reads YYYY-MM or YYYY-MM-DD; the error names the flag.
func parseMonth(flagName, v string) (time.Time, error) {
	for _, layout := range []string{"2006-01", "2006-01-02"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("report: %s %q is not a month YYYY-MM or a day YYYY-MM-DD (e.g. 2026-11)", flagName, v)
}

func validFormat(f string) bool { return slices.Contains(report.Formats(), f) }

// treeTitles names topics by their tree's title in lang: the trees of the
// knowledge directory, overlaid by those published in the web admin. A
// knowledge directory or a version that cannot be read only costs the
// titles (the report gives ids), with a warning.
func treeTitles(ctx context.Context, e env, cfg Config, st *store.Store, lang string) func(string) string {
	titles := map[string]string{}
	name := func(t *knowledge.Tree) {
		if lang == "en" && t.TitleEN != "" {
			titles[t.ID] = t.TitleEN
		} else if t.Title != "" {
			titles[t.ID] = t.Title
		}
	}
	if b, err := app.LoadKnowledge(ctx, cfg.Knowledge.Dir, nil); err != nil {
		fmt.Fprintf(e.stderr, "report: warning: topics are named by their ids: %v\n", err)
	} else {
		for _, t := range b.Trees {
			name(t)
		}
	}
	if latest, err := st.LatestTrees(ctx); err != nil {
		fmt.Fprintf(e.stderr, "report: warning: the trees published on the web are named by their ids: %v\n", err)
	} else {
		for _, l := range latest {
			name(l.Tree)
		}
	}
	return func(id string) string { return titles[id] }
}
