package store

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
)

// migrationFS holds the schema migrations, migrations/NNNN_name.sql,
// numbered from 0001 without gaps. A migration is never edited once
// released: a schema change is a new file.
//
//go:embed migrations/*.sql migrations_pg/*.sql
var migrationFS embed.FS

type migration struct {
	version int
	name    string
	sql     string
}

// loadMigrations reads dir/*.sql from fsys (migrations for SQLite,
// migrations_pg for PostgreSQL), sorted by version, and checks they are
// numbered 1..n.
func loadMigrations(fsys fs.FS, dir string) ([]migration, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("read migrations: %w", err)
	}
	var ms []migration
	for _, e := range entries {
		v, ok := migrationVersion(e.Name())
		if !ok || e.IsDir() {
			return nil, fmt.Errorf("read migrations: %s: want NNNN_name.sql", e.Name())
		}
		body, err := fs.ReadFile(fsys, dir+"/"+e.Name())
		if err != nil {
			return nil, fmt.Errorf("read migration %s: %w", e.Name(), err)
		}
		ms = append(ms, migration{version: v, name: e.Name(), sql: string(body)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	for i, m := range ms {
		if m.version != i+1 {
			return nil, fmt.Errorf("read migrations: %s: want version %04d (numbered from 0001 without gaps or duplicates)", m.name, i+1)
		}
	}
	return ms, nil
}

// SchemaVersion is the database schema version this code migrates to.
func SchemaVersion() int {
	ms, err := loadMigrations(migrationFS, "migrations")
	if err != nil {
		return 0
	}
	return len(ms)
}

// migrationVersion parses the NNNN of NNNN_name.sql.
func migrationVersion(name string) (int, bool) {
	base, ok := strings.CutSuffix(name, ".sql")
	if !ok || len(base) < 6 || base[4] != '_' {
		return 0, false
	}
	for _, r := range base[5:] {
		if !('a' <= r && r <= 'z' || '0' <= r && r <= '9' || r == '_') {
			return 0, false
		}
	}
	v, err := strconv.Atoi(base[:4])
	if err != nil || v < 0 || base[0] == '+' || base[0] == '-' {
		return 0, false
	}
	return v, true
}

// migrate applies the migrations the database lacks, all in one
// transaction, and records the schema version in PRAGMA user_version. The
// version is read inside the transaction, so two processes opening the
// same new file do not both migrate it.
func (s *Store) migrate(ctx context.Context, ms []migration) (from, to int, err error) {
	// Most opens find the schema up to date: check without taking the
	// write lock, so that opening does not wait for another writer.
	err = s.retry(ctx, func() error {
		return s.wdb.QueryRowContext(ctx, "PRAGMA user_version").Scan(&from)
	})
	if err != nil {
		return 0, 0, classify(err)
	}
	if from >= len(ms) {
		return from, from, compareSchema(from, len(ms))
	}
	err = s.write(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&from); err != nil {
			return classify(err)
		}
		to = from
		if from > len(ms) {
			return compareSchema(from, len(ms))
		}
		for _, m := range ms[from:] {
			if _, err := tx.ExecContext(ctx, m.sql); err != nil {
				return fmt.Errorf("apply migration %s: %w", m.name, err)
			}
		}
		if from == len(ms) {
			return nil
		}
		// PRAGMA takes no parameters; the value is an int we control.
		if _, err := tx.ExecContext(ctx, "PRAGMA user_version = "+strconv.Itoa(len(ms))); err != nil {
			return fmt.Errorf("set schema version: %w", err)
		}
		to = len(ms)
		return nil
	})
	return from, to, err
}

// checkSchema verifies that a database opened read-only needs no migration.
func checkSchema(ctx context.Context, db *sql.DB, known int) error {
	var v int
	if err := db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		return classify(err)
	}
	return compareSchema(v, known)
}

func compareSchema(have, known int) error {
	switch {
	case have > known:
		return fmt.Errorf("%w (schema version %d, this program knows up to %d): upgrade Boussole or use the database it was made for",
			ErrSchemaTooNew, have, known)
	case have < known:
		return fmt.Errorf("schema version %d is older than this program's %d: open the database read-write once to migrate it", have, known)
	}
	return nil
}
