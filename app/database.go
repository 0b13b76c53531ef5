package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/boussole/boussole/bot/store"
	"github.com/boussole/boussole/internal/envname"
)

// DatabaseConfig says where Boussole keeps its data: a SQLite file (one
// process), or a PostgreSQL database several processes share
// (docs/scale.md).
type DatabaseConfig struct {
	// Driver is sqlite (default) or postgres.
	Driver string `yaml:"driver"`
	// Path is the SQLite file.
	Path string `yaml:"path"`
	// DSNEnv names the environment variable holding the PostgreSQL DSN
	// (it holds a password: never in the file).
	DSNEnv string `yaml:"dsn_env"`
	// MaxConns bounds the PostgreSQL connection pool (default 16).
	MaxConns int `yaml:"max_conns"`
	// FailoverAfter is how long a process that died keeps what it held
	// (its outgoing messages, its periodic jobs) before another process
	// takes over; default 15s. Conversations are never held: another
	// process answers a dead one's conversations at once.
	FailoverAfter string `yaml:"failover_after"`
}

// Database drivers.
const (
	DriverSQLite   = "sqlite"
	DriverPostgres = "postgres"
)

// defaultDSNEnv is the variable read when database.dsn_env is not set.
const defaultDSNEnv = "BOUSSOLE_POSTGRES_DSN"

const defaultFailover = 15 * time.Second

func (d DatabaseConfig) driver() string {
	if d.Driver == "" {
		return DriverSQLite
	}
	return d.Driver
}

func (d DatabaseConfig) dsnEnv() string {
	if d.DSNEnv == "" {
		return defaultDSNEnv
	}
	return d.DSNEnv
}

// Failover is database.failover_after (default 15 s).
func (d DatabaseConfig) Failover() time.Duration {
	f, err := time.ParseDuration(d.FailoverAfter)
	if err != nil || f <= 0 {
		return defaultFailover
	}
	return f
}

// validate checks the section; getenv reads the DSN's variable (nil: not
// checked, for `boussole validate` away from the server).
func (d DatabaseConfig) validate(getenv func(string) string) []error {
	var errs []error
	switch d.driver() {
	case DriverSQLite:
		if d.Path == "" {
			errs = append(errs, errors.New("database.path: must not be empty"))
		}
	case DriverPostgres:
		if err := envname.Check("database.dsn_env", d.dsnEnv()); err != nil {
			errs = append(errs, err)
		} else if getenv != nil && getenv(d.dsnEnv()) == "" {
			errs = append(errs, fmt.Errorf("database.dsn_env: the environment variable %s is not set (it holds the PostgreSQL DSN, e.g. postgres://boussole:…@db:5432/boussole)", d.dsnEnv()))
		}
		if d.MaxConns < 0 {
			errs = append(errs, fmt.Errorf("database.max_conns: %d must be 0 (default 16) or more", d.MaxConns))
		}
	default:
		errs = append(errs, fmt.Errorf("database.driver: %q is not one of sqlite, postgres", d.Driver))
	}
	if d.FailoverAfter != "" {
		if f, err := time.ParseDuration(d.FailoverAfter); err != nil || f < time.Second || f > 10*time.Minute {
			errs = append(errs, fmt.Errorf("database.failover_after: %q is not a duration between 1s and 10m (e.g. 15s)", d.FailoverAfter))
		}
	}
	return errs
}

// Where names the database for messages: the SQLite path, or
// "PostgreSQL ($VARIABLE)" (never the DSN, which holds a password).
func (d DatabaseConfig) Where() string {
	if d.driver() == DriverPostgres {
		return "PostgreSQL ($" + d.dsnEnv() + ")"
	}
	return d.Path
}

// OpenStore opens the database d describes: the SQLite file (created if
// missing) or the PostgreSQL database of the DSN in the environment
// (getenv; nil means os.Getenv is not consulted and postgres fails).
func OpenStore(ctx context.Context, d DatabaseConfig, getenv func(string) string, log *slog.Logger, now func() time.Time) (*store.Store, error) {
	return openStore(ctx, d, getenv, log, now, nil)
}

// openStore is OpenStore telling onError (nil: nobody) of the database's
// failures (the metrics).
func openStore(ctx context.Context, d DatabaseConfig, getenv func(string) string, log *slog.Logger, now func() time.Time, onError func(op string)) (*store.Store, error) {
	if errs := d.validate(getenv); len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if d.driver() == DriverPostgres {
		return store.OpenPostgres(ctx, getenv(d.dsnEnv()), store.PostgresOptions{Logger: log, Clock: now, MaxConns: d.MaxConns, OnError: onError})
	}
	return store.Open(ctx, d.Path, store.Options{Logger: log, Clock: now, OnError: onError})
}
