package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/boussole/boussole/app"
	"github.com/boussole/boussole/bot/store"
)

// backupFlags are the flags of backup and restore.
type backupFlags struct {
	config, db string
	force      bool
}

func (b *backupFlags) register(fset *flag.FlagSet, force string) {
	fset.StringVar(&b.config, "config", "", "configuration file (default: built-in defaults, see config.example.yaml)")
	fset.StringVar(&b.db, "db", "", "SQLite database file (default ./boussole.db, or $BOUSSOLE_DB, or database.path)")
	fset.BoolVar(&b.force, "force", false, force)
}

// parse reads backup's or restore's flags and its one BACKUP argument,
// then the configuration; usage is the command's help text.
func (b *backupFlags) parse(fset *flag.FlagSet, e env, args []string, usage string) (string, Config, error) {
	fset.Usage = func() {
		fmt.Fprint(fset.Output(), usage)
		fset.PrintDefaults()
	}
	if err := parseFlags(fset, e, args); err != nil {
		return "", Config{}, err
	}
	if fset.NArg() != 1 || fset.Arg(0) == "" {
		fset.Usage()
		return "", Config{}, errUsage
	}
	cf := commonFlags{config: b.config, db: b.db}
	cfg, err := cf.resolve(e)
	return fset.Arg(0), cfg, err
}

// pgDumpEnv is the variable holding the PostgreSQL DSN, for the pg_dump
// and pg_restore commands the refusals print.
func pgDumpEnv(cfg Config) string { return cmp.Or(cfg.Database.DSNEnv, defaultDSNEnv) }

// runBackup copies the SQLite database, while serve keeps running, into a
// new file (store.Backup), then checks the copy.
func runBackup(ctx context.Context, e env, args []string) error {
	fset := flag.NewFlagSet("backup", flag.ContinueOnError)
	var bf backupFlags
	bf.register(fset, "replace FILE if it exists (by default an existing file is never overwritten)")
	file, cfg, err := bf.parse(fset, e, args, "Usage: boussole backup [--config FILE] [--db FILE] [--force] BACKUP\n\n"+
		"Writes a consistent copy of the SQLite database to BACKUP while Boussole keeps running,\n"+
		"then checks it. BACKUP gets mode 0600: it holds what citizens wrote. For PostgreSQL use pg_dump\n"+
		"(docs/backup.md).\n\n")
	if err != nil {
		return err
	}
	if cfg.Database.Driver == app.DriverPostgres {
		v := pgDumpEnv(cfg)
		return fmt.Errorf("backup: the database is PostgreSQL (database.driver: postgres): boussole backup copies a SQLite file only.\n"+
			"Back it up with pg_dump, the DSN taken from the environment:\n"+
			"  pg_dump --format=custom --file=%s \"$%s\"\n"+
			"(see docs/backup.md)", file, v)
	}
	if _, err := os.Lstat(file); err == nil && !bf.force {
		return fmt.Errorf("backup: %s already exists: a backup is never overwritten; give a new name, or --force to replace it", file)
	}
	path := cfg.Database.Path
	log := app.NewLogger(e.stderr, cfg.Log)
	started := e.now()
	// Read-only: backing up never migrates the database under a running
	// serve.
	st, err := app.OpenStoreReadOnly(ctx, app.DatabaseConfig{Path: path}, e.getenv, log, e.now)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	err = backupTo(ctx, st, file, bf.force)
	if cerr := st.Close(); err == nil && cerr != nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	info, err := store.CheckBackup(ctx, file)
	if err != nil {
		return fmt.Errorf("backup: the copy fails its check: %w", err)
	}
	fi, err := os.Stat(file)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	fmt.Fprintf(e.stdout, "Backed up %s to %s (%d bytes, schema version %d, integrity checked) in %s.\n",
		path, file, fi.Size(), info.Version, e.now().Sub(started).Round(100*time.Millisecond))
	fmt.Fprintln(e.stdout, "It holds personal data: keep it protected, and no longer than the retention period.")
	return nil
}

// backupTo writes the backup to file; with force, an existing file is
// replaced only once the new copy is complete.
func backupTo(ctx context.Context, st *store.Store, file string, force bool) error {
	if !force {
		return st.Backup(ctx, file)
	}
	dir, err := os.MkdirTemp(filepath.Dir(file), "."+filepath.Base(file)+".backup-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	tmp := filepath.Join(dir, filepath.Base(file))
	if err := st.Backup(ctx, tmp); err != nil {
		return err
	}
	if err := os.Rename(tmp, file); err != nil {
		return err
	}
	// The rename is durable once the directory is synced.
	d, err := os.Open(filepath.Dir(file))
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// runRestore puts a backup in place of the SQLite database after checking
// it (store.Restore).
func runRestore(ctx context.Context, e env, args []string) error {
	fset := flag.NewFlagSet("restore", flag.ContinueOnError)
	var bf backupFlags
	bf.register(fset, "replace a current database SQLite cannot open (it is kept aside all the same)")
	file, cfg, err := bf.parse(fset, e, args, "Usage: boussole restore [--config FILE] [--db FILE] [--force] BACKUP\n\n"+
		"Checks BACKUP (SQLite integrity, Boussole's tables, a schema version this program knows),\n"+
		"migrates it if it is older, and puts it in place of the database, keeping the current one\n"+
		"as DATABASE.before-restore-<time>. Stop boussole serve first: a database in use is refused.\n"+
		"For PostgreSQL use pg_restore (docs/backup.md).\n\n")
	if err != nil {
		return err
	}
	if cfg.Database.Driver == app.DriverPostgres {
		v := pgDumpEnv(cfg)
		return fmt.Errorf("restore: the database is PostgreSQL (database.driver: postgres): boussole restore puts back a SQLite file only.\n"+
			"Stop boussole serve, then restore a pg_dump archive with pg_restore, the DSN taken from the environment:\n"+
			"  pg_restore --clean --if-exists --no-owner --single-transaction --dbname=\"$%s\" %s\n"+
			"(see docs/backup.md)", v, file)
	}
	path := cfg.Database.Path
	log := app.NewLogger(e.stderr, cfg.Log)
	res, err := store.Restore(ctx, file, path, store.RestoreOptions{Clock: e.now, Logger: log, Force: bf.force})
	if err != nil {
		if errors.Is(err, store.ErrInUse) {
			return fmt.Errorf("restore: %w\nStop the service (e.g. systemctl stop boussole) and run restore again; nothing was changed", err)
		}
		return fmt.Errorf("restore: %w", err)
	}
	fmt.Fprintf(e.stdout, "Restored %s to %s (schema version %d", file, path, res.From)
	if res.To != res.From {
		fmt.Fprintf(e.stdout, ", migrated to %d", res.To)
	}
	fmt.Fprintln(e.stdout, ").")
	if res.Kept != "" {
		fmt.Fprintf(e.stdout, "The previous database is kept as %s: delete it once the restored one is checked (it holds personal data).\n", res.Kept)
	}
	fmt.Fprintln(e.stdout, "Start boussole serve again.")
	return nil
}
