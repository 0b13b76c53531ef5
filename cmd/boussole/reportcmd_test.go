package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/boussole/boussole/app/report"
	"github.com/boussole/boussole/app/report/reporttest"
	"github.com/boussole/boussole/bot/store"
	"github.com/boussole/boussole/bot/store/pgtest"
)

// seedReport counts reporttest's tallies into the database st.
func seedReport(t *testing.T, st *store.Store) {
	t.Helper()
	if err := st.Count(context.Background(), reporttest.Tallies()); err != nil {
		t.Fatalf("Count: %v", err)
	}
}

// boussole report reads a seeded SQLite database, without changing it,
// and writes the hand-counted figures in each format.
func TestReportCommand(t *testing.T) {
	db := filepath.Join(t.TempDir(), "b.db")
	st, err := store.Open(context.Background(), db, store.Options{Clock: testClock})
	if err != nil {
		t.Fatal(err)
	}
	seedReport(t, st)
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	before, err := os.ReadFile(db)
	if err != nil {
		t.Fatal(err)
	}

	code, out, errs := runCmd(t, "", "report", "--from", "2026-11-03", "--to", "2026-12-28", "--db", db, "--format", "csv")
	if code != 0 {
		t.Fatalf("report csv: exit %d: %s", code, errs)
	}
	for _, line := range []string{
		"Mois,Territoire,File,Sujet,Code,Indicateur,Valeur",
		"total,FR,,,people,Personnes,4",
		"total,QC,,,people,Personnes,3",
		"2026-12,,,,people,Personnes,1",
		"total,FR,papiers,,claimed,Prises en charge,4",
		"total,FR,papiers,,wait_median_s,Attente médiane (estimée),300",
		"total,QC,aines,,cancelled,annulées,1",
		"total,FR,,papiers-identite,topic_escalated,Mises en relation,4",
	} {
		if !strings.Contains(out, line+"\n") {
			t.Errorf("the CSV lacks %q", line)
		}
	}
	if strings.Contains(out, "2026-10") || strings.Contains(out, "2027-01") {
		t.Error("the CSV has months outside the period")
	}

	code, out, errs = runCmd(t, "", "report", "--from", "2026-11", "--to", "2026-12", "--db", db, "--format", "json")
	if code != 0 {
		t.Fatalf("report json: exit %d: %s", code, errs)
	}
	var r report.Report
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("the JSON does not decode: %v\n%s", err, out)
	}
	var people, rated int64
	for _, x := range r.Reach {
		if x.Month == report.Total {
			people += x.People
		}
	}
	for _, c := range r.Cases {
		if c.Month == report.Total {
			rated += c.Rated
		}
	}
	if people != 8 || rated != 5 {
		t.Errorf("JSON: %d people and %d ratings over the period, want 8 and 5", people, rated)
	}

	// Markdown by default, with the demo's tree titles.
	code, out, errs = runCmd(t, "", "report", "--from", "2026-11", "--to", "2026-12", "--db", db)
	if code != 0 {
		t.Fatalf("report md: exit %d: %s", code, errs)
	}
	for _, s := range []string{"# Rapport d'activité de Boussole, 2026-11 à 2026-12", "| France | 4 | 14 | 9 | 6 | 2 | 1 | 0 | 2 | 1 | 5 |", "(papiers-identite) | 7 | 4 |"} {
		if !strings.Contains(out, s) {
			t.Errorf("the Markdown lacks %q:\n%s", s, out)
		}
	}
	code, out, _ = runCmd(t, "", "report", "--from", "2026-11", "--db", db, "--lang", "en")
	if code != 0 || !strings.Contains(out, "# Boussole activity report, 2026-11 to 2026-11") || !strings.Contains(out, "| France | 3 | 10 |") {
		t.Errorf("English, November only: exit %d\n%s", code, out)
	}
	if after, err := os.ReadFile(db); err != nil || string(after) != string(before) {
		t.Errorf("the report changed the database (err %v)", err)
	}

	for _, tt := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--to", "2026-12"}, 2, "--from YYYY-MM"},
		{[]string{"--from", "2026-13"}, 1, `--from "2026-13" is not a month`},
		{[]string{"--from", "nov"}, 1, `--from "nov"`},
		{[]string{"--from", "2026-11", "--to", "2026/12"}, 1, `--to "2026/12" is not a month`},
		{[]string{"--from", "2026-12", "--to", "2026-11-30"}, 1, "--to 2026-11-30 is before --from 2026-12"},
		{[]string{"--from", "2026-11", "--format", "pdf"}, 1, "--format \"pdf\": valid formats are csv, json, md"},
		{[]string{"--from", "2026-11", "--db", filepath.Join(t.TempDir(), "none.db")}, 1, "no SQLite database at"},
	} {
		code, _, errs := runCmd(t, "", append([]string{"report", "--db", db}, tt.args...)...)
		if code != tt.code || !strings.Contains(errs, tt.want) {
			t.Errorf("report %v: exit %d %q, want %d and %q", tt.args, code, errs, tt.code, tt.want)
		}
	}
}

// On PostgreSQL (database.driver: postgres) the report reads the same
// figures.
func TestReportCommandPostgres(t *testing.T) {
	dsn := pgtest.DSN(t)
	st, err := store.OpenPostgres(context.Background(), dsn, store.PostgresOptions{Clock: testClock})
	if err != nil {
		t.Fatal(err)
	}
	seedReport(t, st)
	st.Close()
	cfg := filepath.Join(t.TempDir(), "boussole.yaml")
	if err := os.WriteFile(cfg, []byte("database:\n  driver: postgres\n  dsn_env: REPORT_PG\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errs := runWithEnv(t, map[string]string{"REPORT_PG": dsn}, "report", "--config", cfg, "--from", "2026-11", "--to", "2026-12", "--format", "csv")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, line := range []string{"total,FR,,,people,Personnes,4", "total,FR,papiers,,close_median_s,Durée médiane (estimée),1800"} {
		if !strings.Contains(out, line+"\n") {
			t.Errorf("the CSV lacks %q:\n%s", line, out)
		}
	}
	if strings.Contains(out+errs, dsn) {
		t.Error("the DSN was printed")
	}
}
