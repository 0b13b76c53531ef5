package main

import (
	"bytes"
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/boussole/boussole/bot/store/pgtest"
)

// runWithEnv runs a command with the environment variables vars.
func runWithEnv(t *testing.T, vars map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	e := env{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, getenv: func(k string) string { return vars[k] }, now: testClock, parts: parts}
	code := run(context.Background(), e, args)
	return code, out.String(), errb.String()
}

func countRows(t *testing.T, driver, dsn, table string) int {
	t.Helper()
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow("SELECT COUNT(*) FROM " + table).Scan(&n); err != nil {
		t.Fatalf("count %s: %v", table, err)
	}
	return n
}

// boussole migrate --to postgres copies a database the chat wrote into
// PostgreSQL, which serve can then use; the DSN comes from the
// environment only and is never printed.
func TestMigrateToPostgres(t *testing.T) {
	dsn := pgtest.DSN(t)
	db := filepath.Join(t.TempDir(), "b.db")
	if code, _, errs := runCmd(t, "aide\ncni perdue\n", "chat", "--db", db); code != 0 {
		t.Fatalf("chat: %s", errs)
	}
	turns := countRows(t, "sqlite", db, "turns")
	if turns == 0 {
		t.Fatal("the chat stored no turns")
	}

	// The variable is named in the error when unset, and the DSN is
	// never a flag.
	code, _, errs := runWithEnv(t, nil, "migrate", "--to", "postgres", "--db", db)
	if code != 1 || !strings.Contains(errs, "BOUSSOLE_POSTGRES_DSN is not set") {
		t.Errorf("unset variable: exit %d %s", code, errs)
	}
	code, _, errs = runWithEnv(t, map[string]string{"BOUSSOLE_POSTGRES_DSN": dsn}, "migrate", "--to", "postgres", "--db", db, "--dsn-env", "PG_TARGET")
	if code != 1 || !strings.Contains(errs, "PG_TARGET is not set") {
		t.Errorf("unset --dsn-env variable: exit %d %s", code, errs)
	}
	if code, _, errs := runWithEnv(t, nil, "migrate", "--to", "postgres", "--dsn-env", dsn); code != 1 || strings.Contains(errs, dsn) || !strings.Contains(errs, "--dsn-env") {
		t.Errorf("a DSN given as --dsn-env: exit %d %s", code, errs)
	}
	if code, _, errs := runWithEnv(t, nil, "migrate", "--db", db); code != 2 || !strings.Contains(errs, "--to postgres") {
		t.Errorf("no --to: exit %d %s", code, errs)
	}
	if code, _, errs := runWithEnv(t, nil, "migrate", "--to", "mysql"); code != 2 || !strings.Contains(errs, "the only target is postgres") {
		t.Errorf("--to mysql: exit %d %s", code, errs)
	}
	vars := map[string]string{"PG_TARGET": dsn}
	if code, _, errs := runWithEnv(t, vars, "migrate", "--to", "postgres", "--dsn-env", "PG_TARGET", "--db", filepath.Join(t.TempDir(), "none.db")); code != 1 || !strings.Contains(errs, "no SQLite database at") {
		t.Errorf("missing file: exit %d %s", code, errs)
	}

	// $BOUSSOLE_DB names the file, as for the other commands.
	vars["BOUSSOLE_DB"] = db
	code, out, errs := runWithEnv(t, vars, "migrate", "--to", "postgres", "--dsn-env", "PG_TARGET")
	if code != 0 {
		t.Fatalf("migrate: exit %d\n%s%s", code, out, errs)
	}
	if strings.Contains(out+errs, dsn) {
		t.Errorf("the DSN is printed:\n%s%s", out, errs)
	}
	wantAll(t, out, "Copying "+db+" into PostgreSQL 127.0.0.1", "conversations", "turns", "usage_events", "knowledge_revision", " ok ", "tables copied and counted")
	if got := countRows(t, "pgx", dsn, "turns"); got != turns {
		t.Errorf("%d turns in PostgreSQL, %d in SQLite", got, turns)
	}
	for _, line := range strings.Split(out, "\n") {
		if f := strings.Fields(line); len(f) >= 5 && f[0] == "turns" && (f[1] != f[2] || f[2] != f[3] || f[4] != "ok") {
			t.Errorf("turns line: %q", line)
		}
	}
	// A second migration into the same database is refused.
	code, _, errs = runWithEnv(t, vars, "migrate", "--to", "postgres", "--dsn-env", "PG_TARGET")
	if code != 1 || !strings.Contains(errs, "not empty") || !strings.Contains(errs, "migrate into a new database") {
		t.Errorf("second migration: exit %d %s", code, errs)
	}
	if got := countRows(t, "pgx", dsn, "turns"); got != turns {
		t.Errorf("%d turns in PostgreSQL after the refused migration, want %d", got, turns)
	}

	// The configuration names the file and the variable, as serve reads
	// them once the deployment runs on PostgreSQL.
	dsn2 := pgtest.DSN(t)
	cfgFile := filepath.Join(t.TempDir(), "boussole.yaml")
	if err := os.WriteFile(cfgFile, []byte("database:\n  driver: postgres\n  path: "+db+"\n  dsn_env: PG_FROM_CONFIG\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errs = runWithEnv(t, map[string]string{"PG_FROM_CONFIG": dsn2}, "migrate", "--to", "postgres", "--config", cfgFile)
	if code != 0 || !strings.Contains(out, "tables copied and counted") {
		t.Fatalf("migrate with the configuration's database: exit %d\n%s%s", code, out, errs)
	}
	if got := countRows(t, "pgx", dsn2, "turns"); got != turns {
		t.Errorf("%d turns in PostgreSQL, %d in SQLite", got, turns)
	}
	if code, _, errs := runWithEnv(t, nil, "migrate", "--to", "postgres", "--config", cfgFile); code != 1 || !strings.Contains(errs, "PG_FROM_CONFIG is not set") {
		t.Errorf("the configuration's variable unset: exit %d %s", code, errs)
	}
}
