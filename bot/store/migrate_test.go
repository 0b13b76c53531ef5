package store

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

func TestLoadMigrations(t *testing.T) {
	file := func(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s)} }
	tests := []struct {
		name    string
		fs      fstest.MapFS
		want    int
		wantErr string
	}{
		{"embedded", nil, -1, ""},
		{"ordered", fstest.MapFS{
			"migrations/0002_outbox.sql": file("B"),
			"migrations/0001_init.sql":   file("A"),
		}, 2, ""},
		{"gap", fstest.MapFS{
			"migrations/0001_init.sql":  file("A"),
			"migrations/0003_later.sql": file("C"),
		}, 0, "0003_later.sql: want version 0002"},
		{"duplicate", fstest.MapFS{
			"migrations/0001_init.sql":  file("A"),
			"migrations/0001_again.sql": file("B"),
		}, 0, "want version 0002"},
		{"starts at zero", fstest.MapFS{"migrations/0000_init.sql": file("A")}, 0, "want version 0001"},
		{"bad name", fstest.MapFS{"migrations/1_init.sql": file("A")}, 0, "want NNNN_name.sql"},
		{"not sql", fstest.MapFS{"migrations/0001_init.txt": file("A")}, 0, "want NNNN_name.sql"},
		{"upper case", fstest.MapFS{"migrations/0001_Init.sql": file("A")}, 0, "want NNNN_name.sql"},
		{"no directory", fstest.MapFS{}, 0, "read migrations"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ms []migration
			var err error
			if tt.fs == nil {
				ms, err = loadMigrations(migrationFS, "migrations")
				tt.want = SchemaVersion()
			} else {
				ms, err = loadMigrations(tt.fs, "migrations")
			}
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(ms) != tt.want || tt.want < 1 {
				t.Fatalf("%d migrations, want %d", len(ms), tt.want)
			}
			for i, m := range ms {
				if m.version != i+1 || m.sql == "" {
					t.Errorf("migration %d = %+v", i, m)
				}
			}
		})
	}
}

func TestDSN(t *testing.T) {
	for _, tt := range []struct {
		role role
		want []string
	}{
		{roleWriter, []string{"_pragma=busy_timeout(5000)", "_pragma=journal_mode(WAL)", "_pragma=foreign_keys(ON)", "_pragma=synchronous(NORMAL)", "_pragma=secure_delete(ON)", "_txlock=immediate", "_pragma=wal_autocheckpoint(0)"}},
		{roleCheckpointer, []string{"_pragma=busy_timeout(5000)", "_pragma=journal_mode(WAL)", "_pragma=foreign_keys(ON)", "_pragma=synchronous(NORMAL)", "_pragma=secure_delete(ON)", "_pragma=wal_autocheckpoint(0)"}},
		{roleReader, []string{"_pragma=busy_timeout(5000)", "_pragma=journal_mode(WAL)", "_pragma=foreign_keys(ON)", "_pragma=synchronous(NORMAL)", "_pragma=query_only(1)"}},
		{roleReadOnly, []string{"mode=ro", "_pragma=busy_timeout(5000)", "_pragma=foreign_keys(ON)", "_pragma=synchronous(NORMAL)", "_pragma=query_only(1)"}},
	} {
		got := dsn("/var/lib/boussole/a b?#%.db", tt.role, 5*time.Second)
		path, query, ok := strings.Cut(got, "?")
		if !ok || path != "file:/var/lib/boussole/a%20b%3F%23%25.db" {
			t.Errorf("role %d: path part %q", tt.role, path)
		}
		if q := strings.Split(query, "&"); strings.Join(q, "&") != strings.Join(tt.want, "&") {
			t.Errorf("role %d: query %q, want %q", tt.role, query, strings.Join(tt.want, "&"))
		}
	}
}

// TestMigrateUpgrade applies a further migration to an existing database,
// as a later release will, and checks that a failing one changes nothing.
func TestMigrateUpgrade(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "boussole.db"), Options{Clock: fixedClock})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	base, err := loadMigrations(migrationFS, "migrations")
	if err != nil {
		t.Fatal(err)
	}
	n := len(base)
	tables := func() string {
		t.Helper()
		var names sql.NullString
		if err := s.wdb.QueryRow(`SELECT group_concat(name, ',') FROM (SELECT name FROM sqlite_schema
			WHERE type = 'table' AND name LIKE 'test_%' ORDER BY name)`).Scan(&names); err != nil {
			t.Fatal(err)
		}
		return names.String
	}
	version := func() int {
		t.Helper()
		var v int
		if err := s.wdb.QueryRow("PRAGMA user_version").Scan(&v); err != nil {
			t.Fatal(err)
		}
		return v
	}

	failing := append(base[:n:n],
		migration{n + 1, "x_a.sql", "CREATE TABLE test_a (id INTEGER PRIMARY KEY);"},
		migration{n + 2, "x_b.sql", "CREATE TABLE test_b (id INTEGER PRIMARY KEY); CREATE TABLE test_c (;"},
	)
	if _, _, err := s.migrate(ctx, failing); err == nil || !strings.Contains(err.Error(), "apply migration x_b.sql") {
		t.Fatalf("failing migration: err = %v", err)
	}
	if got := tables(); got != "" || version() != n {
		t.Fatalf("after a failed migration: tables %q, version %d; want none, %d", got, version(), n)
	}

	good := append(base[:n:n],
		migration{n + 1, "x_a.sql", "CREATE TABLE test_a (id INTEGER PRIMARY KEY);"},
		migration{n + 2, "x_b.sql", "CREATE TABLE test_b (id INTEGER PRIMARY KEY);\nCREATE INDEX test_b_id ON test_b (id);"},
	)
	from, to, err := s.migrate(ctx, good)
	if err != nil || from != n || to != n+2 {
		t.Fatalf("migrate = %d, %d, %v; want %d, %d", from, to, err, n, n+2)
	}
	if got := tables(); got != "test_a,test_b" || version() != n+2 {
		t.Fatalf("tables %q, version %d", got, version())
	}
	if from, to, err := s.migrate(ctx, good); err != nil || from != n+2 || to != n+2 {
		t.Errorf("second migrate = %d, %d, %v; want nothing to do", from, to, err)
	}
}
