package app

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"time"

	"github.com/boussole/boussole/bot/store"
)

// OpenStoreReadOnly opens the database d describes for reading only (the
// commands that report on a running deployment): the SQLite file must
// exist (a typo must not create an empty one), and neither database is
// migrated: an older schema is refused with the advice to start Boussole
// once with this version.
func OpenStoreReadOnly(ctx context.Context, d DatabaseConfig, getenv func(string) string, log *slog.Logger, now func() time.Time) (*store.Store, error) {
	if errs := d.validate(getenv); len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if d.driver() == DriverPostgres {
		return store.OpenPostgres(ctx, getenv(d.dsnEnv()), store.PostgresOptions{Logger: log, Clock: now, MaxConns: d.MaxConns, ReadOnly: true})
	}
	if _, err := os.Stat(d.Path); errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("no SQLite database at %s (give --db FILE or database.path)", d.Path)
	}
	return store.Open(ctx, d.Path, store.Options{Logger: log, Clock: now, ReadOnly: true})
}
