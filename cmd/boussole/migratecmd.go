package main

import (
	"cmp"
	"context"
	"flag"
	"fmt"
	"time"

	"github.com/boussole/boussole/app"
	"github.com/boussole/boussole/bot/store"
	"github.com/boussole/boussole/internal/envname"
)

// defaultDSNEnv names the environment variable holding the PostgreSQL DSN
// when --dsn-env is not given.
const defaultDSNEnv = "BOUSSOLE_POSTGRES_DSN"

// runMigrate copies a SQLite database into an empty PostgreSQL database
// (store.CopyDatabase) and prints what it copied and checked. The DSN is
// read from an environment variable, never from a flag: a flag shows in
// the process list and the shell's history, and the DSN may hold a
// password.
func runMigrate(ctx context.Context, e env, args []string) error {
	fset := flag.NewFlagSet("migrate", flag.ContinueOnError)
	var cf commonFlags
	var to, dsnEnv string
	fset.StringVar(&to, "to", "", "the database to copy into: postgres")
	fset.StringVar(&cf.config, "config", "", "configuration file (default: built-in defaults, see config.example.yaml)")
	fset.StringVar(&cf.db, "db", "", "SQLite database file to copy (default ./boussole.db, or $BOUSSOLE_DB, or database.path)")
	fset.StringVar(&dsnEnv, "dsn-env", "", "environment variable holding the PostgreSQL DSN, postgres://user@host:port/database (default: database.dsn_env, else "+defaultDSNEnv+")")
	fset.Usage = func() {
		fmt.Fprintf(fset.Output(), "Usage: boussole migrate --to postgres [--db FILE] [--config FILE] [--dsn-env NAME]\n\n"+
			"Copies every table of the SQLite database into an empty PostgreSQL database, in one transaction,\n"+
			"then checks that each table has as many rows on both sides. The SQLite file is only read.\n"+
			"The PostgreSQL DSN is read from the environment variable --dsn-env or database.dsn_env names ($%s by default).\n\n", defaultDSNEnv)
		fset.PrintDefaults()
	}
	if err := parseFlags(fset, e, args); err != nil {
		return err
	}
	if fset.NArg() != 0 {
		fset.Usage()
		return errUsage
	}
	switch to {
	case "postgres":
	case "":
		fmt.Fprintln(e.stderr, "migrate: give the target: --to postgres")
		return errUsage
	default:
		fmt.Fprintf(e.stderr, "migrate: --to %q: the only target is postgres\n", to)
		return errUsage
	}
	cfg, err := cf.resolve(e)
	if err != nil {
		return err
	}
	key := "--dsn-env"
	if dsnEnv == "" {
		key, dsnEnv = "database.dsn_env", cmp.Or(cfg.Database.DSNEnv, defaultDSNEnv)
	}
	if err := envname.Check(key, dsnEnv); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	dsn := e.getenv(dsnEnv)
	if dsn == "" {
		return fmt.Errorf("migrate: the environment variable %s is not set: put the PostgreSQL DSN in it (postgres://user:password@host:5432/database?sslmode=…)", dsnEnv)
	}
	path := cfg.Database.Path
	log := app.NewLogger(e.stderr, cfg.Log)
	started := e.now()
	// Read-only: the source is not changed, and an older schema is
	// refused with the advice to open it once with this version.
	src, err := app.OpenStoreReadOnly(ctx, app.DatabaseConfig{Path: path}, e.getenv, log, e.now)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer src.Close()
	dst, err := store.OpenPostgres(ctx, dsn, store.PostgresOptions{Logger: log, Clock: e.now, MaxConns: 2})
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer dst.Close()
	fmt.Fprintf(e.stdout, "Copying %s into %s\n", src.Path(), dst.Path())
	stats, err := store.CopyDatabase(ctx, src, dst, func(table string, rows int64) {
		if e.errTerminal {
			fmt.Fprintf(e.stderr, "  %s: %d rows\n", table, rows)
		}
	})
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	w := len("table")
	for _, t := range stats.Tables {
		w = max(w, len(t.Table))
	}
	fmt.Fprintf(e.stdout, "%-*s %10s %10s %10s  check  next id\n", w, "table", "copied", "SQLite", "PostgreSQL")
	for _, t := range stats.Tables {
		next := "-"
		if t.NextID > 0 {
			next = fmt.Sprint(t.NextID)
		}
		fmt.Fprintf(e.stdout, "%-*s %10d %10d %10d  ok     %s\n", w, t.Table, t.Rows, t.Source, t.Target, next)
	}
	took := e.now().Sub(started).Round(100 * time.Millisecond)
	fmt.Fprintf(e.stdout, "%d rows in %d tables copied and counted in %s: the PostgreSQL database is ready (set database.driver: postgres).\n",
		stats.Rows, len(stats.Tables), took)
	return nil
}
