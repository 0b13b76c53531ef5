// Package pgtest gives tests a fresh PostgreSQL database: a schema of its
// own in the test server's database, dropped when the test ends. The
// server is the one .ci/run starts (scripts/mattermost/up.sh starts
// PostgreSQL on 127.0.0.1; .ci/run creates the database boussole_test), named by
// BOUSSOLE_TEST_POSTGRES (a DSN); without it the test is skipped, unless
// BOUSSOLE_REQUIRE_POSTGRES=1 (CI), which makes it fail instead, so a
// missing server never passes for a green run.
package pgtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	// pgx's database/sql driver, registered as "pgx", for the schema's
	// creation and removal.
	_ "github.com/jackc/pgx/v5/stdlib"
)

// EnvDSN names the test server's DSN; EnvRequire makes its absence fail.
const (
	EnvDSN     = "BOUSSOLE_TEST_POSTGRES"
	EnvRequire = "BOUSSOLE_REQUIRE_POSTGRES"
	// EnvKeepFailed=1 keeps a failed test's schema, to read what it left.
	EnvKeepFailed = "BOUSSOLE_TEST_KEEP_FAILED"
)

// Server returns the test server's DSN, skipping (or failing, in CI) t
// without one.
func Server(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv(EnvDSN)
	if dsn == "" {
		if os.Getenv(EnvRequire) == "1" {
			t.Fatalf("%s is not set and %s=1: start the test server (scripts/mattermost/up.sh) and set it as .ci/run does", EnvDSN, EnvRequire)
		}
		t.Skipf("no PostgreSQL test server (%s unset; see .ci/run)", EnvDSN)
	}
	return dsn
}

// DSN creates an empty schema for t and returns a DSN whose connections
// use it (search_path); the schema is dropped when t ends.
func DSN(t testing.TB) string {
	t.Helper()
	server := Server(t)
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	schema := "t_" + hex.EncodeToString(b[:])
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db, err := sql.Open("pgx", server)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("pgtest: create schema: %v", err)
	}
	t.Cleanup(func() {
		if t.Failed() && os.Getenv(EnvKeepFailed) == "1" {
			t.Logf("pgtest: schema %s kept for inspection (%s=1)", schema, EnvKeepFailed)
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		db, err := sql.Open("pgx", server)
		if err != nil {
			t.Errorf("pgtest: %v", err)
			return
		}
		defer db.Close()
		if _, err := db.ExecContext(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("pgtest: drop schema %s: %v", schema, err)
		}
	})
	return WithSchema(t, server, schema)
}

// WithSchema returns dsn with its connections' search_path set to schema.
func WithSchema(t testing.TB, dsn, schema string) string {
	t.Helper()
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err != nil {
			t.Fatalf("pgtest: %s: %v", EnvDSN, err)
		}
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		return u.String()
	}
	return dsn + " search_path=" + schema
}
