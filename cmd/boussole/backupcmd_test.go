package main

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/boussole/boussole/bot/store"
)

// boussole backup copies the database a chat wrote, refuses to overwrite
// a backup unless --force; boussole restore puts it back, refusing while
// the database is open and refusing a broken backup without changing
// anything.
func TestBackupRestoreCommands(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "boussole.db")
	if code, _, errs := runCmd(t, "aide\ncni perdue\n", "chat", "--db", db); code != 0 {
		t.Fatalf("chat: %s", errs)
	}
	turns := countRows(t, "sqlite", db, "turns")
	if turns == 0 {
		t.Fatal("the chat stored no turns")
	}

	bdir := t.TempDir()
	bak := filepath.Join(bdir, "boussole-1.db")
	code, out, errs := runCmd(t, "", "backup", "--db", db, bak)
	if code != 0 {
		t.Fatalf("backup: exit %d\n%s%s", code, out, errs)
	}
	wantAll(t, out, "Backed up "+db+" to "+bak, "integrity checked", fmt.Sprintf("schema version %d", store.SchemaVersion()), "personal data")
	if fi, err := os.Stat(bak); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("backup file: %v %v, want mode 0600", fi, err)
	}
	if n := countRows(t, "sqlite", "file:"+bak+"?mode=ro", "turns"); n != turns {
		t.Errorf("backup has %d turns, want %d", n, turns)
	}

	// An existing file is never overwritten without --force.
	old, _ := os.ReadFile(bak)
	if code, _, errs := runCmd(t, "", "backup", "--db", db, bak); code != 1 || !strings.Contains(errs, "already exists") || !strings.Contains(errs, "--force") {
		t.Errorf("backup over an existing file: exit %d %s", code, errs)
	}
	if now, _ := os.ReadFile(bak); string(now) != string(old) {
		t.Error("the existing backup was changed")
	}
	// More conversation, then a forced backup replaces the first one.
	if code, _, errs := runCmd(t, "bonjour\n", "chat", "--db", db); code != 0 {
		t.Fatalf("chat: %s", errs)
	}
	more := countRows(t, "sqlite", db, "turns")
	if code, out, errs := runCmd(t, "", "backup", "--force", "--db", db, bak); code != 0 {
		t.Fatalf("backup --force: exit %d\n%s%s", code, out, errs)
	}
	if n := countRows(t, "sqlite", "file:"+bak+"?mode=ro", "turns"); n != more {
		t.Errorf("forced backup has %d turns, want %d", n, more)
	}
	if ents, _ := os.ReadDir(bdir); len(ents) != 1 {
		t.Errorf("%d files in the backup directory, want 1", len(ents))
	}
	if code, _, errs := runCmd(t, "", "backup", "--db", filepath.Join(dir, "none.db"), filepath.Join(bdir, "x.db")); code != 1 || !strings.Contains(errs, "no SQLite database at") {
		t.Errorf("backup of a missing database: exit %d %s", code, errs)
	}
	if code, _, errs := runCmd(t, "", "backup", "--db", db); code != 2 || !strings.Contains(errs, "Usage: boussole backup") {
		t.Errorf("backup without FILE: exit %d %s", code, errs)
	}

	// Diverge after the backup, then restore it.
	if code, _, errs := runCmd(t, "aide\n", "chat", "--db", db); code != 0 {
		t.Fatalf("chat: %s", errs)
	}
	if countRows(t, "sqlite", db, "turns") == more {
		t.Fatal("the chat stored no turns")
	}

	// Refused while a process has the database open, as serve does.
	st, err := store.Open(t.Context(), db, store.Options{Clock: testClock})
	if err != nil {
		t.Fatal(err)
	}
	code, _, errs = runCmd(t, "", "restore", "--db", db, bak)
	if code != 1 || !strings.Contains(errs, "in use") || !strings.Contains(errs, "Stop the service") || !strings.Contains(errs, "nothing was changed") {
		t.Errorf("restore while in use: exit %d %s", code, errs)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}

	// A broken backup and a newer one are refused, naming why.
	junk := filepath.Join(bdir, "junk.db")
	if err := os.WriteFile(junk, []byte(strings.Repeat("pas une base ", 500)), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, errs := runCmd(t, "", "restore", "--db", db, junk); code != 1 || !strings.Contains(errs, "not a SQLite database") || !strings.Contains(errs, "nothing was changed") {
		t.Errorf("restore of junk: exit %d %s", code, errs)
	}
	newer := filepath.Join(bdir, "newer.db")
	b, _ := os.ReadFile(bak)
	if err := os.WriteFile(newer, b, 0o600); err != nil {
		t.Fatal(err)
	}
	setVersion(t, newer, store.SchemaVersion()+1)
	want := fmt.Sprintf("schema version is %d, this program knows up to %d", store.SchemaVersion()+1, store.SchemaVersion())
	if code, _, errs := runCmd(t, "", "restore", "--db", db, newer); code != 1 || !strings.Contains(errs, want) {
		t.Errorf("restore of a newer schema: exit %d %s", code, errs)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		var names []string
		for _, e := range ents {
			names = append(names, e.Name())
		}
		t.Errorf("files beside the database after the refusals: %v", names)
	}

	code, out, errs = runCmd(t, "", "restore", "--db", db, bak)
	if code != 0 {
		t.Fatalf("restore: exit %d\n%s%s", code, out, errs)
	}
	kept := db + ".before-restore-" + testClock().UTC().Format("20060102T150405Z")
	wantAll(t, out, "Restored "+bak+" to "+db, "kept as "+kept, "Start boussole serve again")
	if n := countRows(t, "sqlite", "file:"+db+"?mode=ro", "turns"); n != more {
		t.Errorf("restored database has %d turns, want the backup's %d", n, more)
	}
	if n := countRows(t, "sqlite", "file:"+kept+"?mode=ro", "turns"); n <= more {
		t.Errorf("kept database has %d turns, want those after the backup too (more than %d)", n, more)
	}
	// The restored database serves a chat.
	if code, _, errs := runCmd(t, "bonjour\n", "chat", "--db", db); code != 0 {
		t.Fatalf("chat on the restored database: %s", errs)
	}
	if code, _, errs := runCmd(t, "", "restore", "--db", db); code != 2 || !strings.Contains(errs, "Usage: boussole restore") {
		t.Errorf("restore without FILE: exit %d %s", code, errs)
	}
}

func setVersion(t *testing.T, path string, v int) {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(fmt.Sprintf("PRAGMA user_version = %d", v)); err != nil {
		t.Fatal(err)
	}
}

// On PostgreSQL both commands refuse, printing the pg_dump and
// pg_restore commands with the DSN's variable, never the DSN.
func TestBackupRestorePostgresRefusals(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "boussole.yaml")
	if err := os.WriteFile(cfg, []byte("database:\n  driver: postgres\n  dsn_env: PG_PROD\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{"PG_PROD": "postgres://boussole:secret@db:5432/boussole"}
	code, _, errs := runWithEnv(t, vars, "backup", "--config", cfg, "/var/backups/boussole.dump")
	if code != 1 || !strings.Contains(errs, `pg_dump --format=custom --file=/var/backups/boussole.dump "$PG_PROD"`) || strings.Contains(errs, "secret") {
		t.Errorf("backup on PostgreSQL: exit %d %s", code, errs)
	}
	code, _, errs = runWithEnv(t, vars, "restore", "--config", cfg, "/var/backups/boussole.dump")
	if code != 1 || !strings.Contains(errs, `pg_restore --clean --if-exists --no-owner --single-transaction --dbname="$PG_PROD" /var/backups/boussole.dump`) || strings.Contains(errs, "secret") {
		t.Errorf("restore on PostgreSQL: exit %d %s", code, errs)
	}
	if _, err := os.Stat("/var/backups/boussole.dump"); err == nil {
		t.Error("a file was written")
	}
}
