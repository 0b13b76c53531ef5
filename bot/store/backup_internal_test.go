package store

import (
	"database/sql"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// TestRestoreMigratesAnOlderBackup: a backup made by an older Boussole
// (its schema two versions behind) is restored and migrated, as Open
// would migrate it, keeping its rows.
func TestRestoreMigratesAnOlderBackup(t *testing.T) {
	ms, err := loadMigrations(migrationFS, "migrations")
	if err != nil {
		t.Fatal(err)
	}
	old := len(ms) - 2
	dir := t.TempDir()
	bak := filepath.Join(dir, "old.backup")
	db, err := sql.Open(driverName, bak)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms[:old] {
		if _, err := db.Exec(m.sql); err != nil {
			t.Fatalf("%s: %v", m.name, err)
		}
	}
	for _, q := range []string{
		"PRAGMA user_version = " + strconv.Itoa(old),
		`INSERT INTO conversations (platform, channel, user_id, state, created_at, updated_at) VALUES ('test', 'c', 'from-the-past', 'idle', 1, 1)`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	clock := func() time.Time { return time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC) }
	target := filepath.Join(dir, "boussole.db")
	res, err := Restore(t.Context(), bak, target, RestoreOptions{Clock: clock})
	if err != nil {
		t.Fatalf("Restore: %v", err)
	}
	if res.From != old || res.To != len(ms) {
		t.Errorf("Restore = %+v, want from %d to %d", res, old, len(ms))
	}
	// Read-only: refused unless the schema is already current.
	s, err := Open(t.Context(), target, Options{Clock: clock, ReadOnly: true})
	if err != nil {
		t.Fatalf("Open the restored database read-only: %v", err)
	}
	defer s.Close()
	var n int
	if err := s.rdb.QueryRow("SELECT COUNT(*) FROM conversations WHERE user_id = 'from-the-past'").Scan(&n); err != nil || n != 1 {
		t.Errorf("restored rows: %d, %v; want the old conversation", n, err)
	}
}
