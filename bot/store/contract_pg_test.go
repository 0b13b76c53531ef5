package store_test

import (
	"testing"
	"time"

	"github.com/boussole/boussole/bot/store/pgtest"
	"github.com/boussole/boussole/bot/store/storetest"
)

// TestContractPostgres runs the storage contract against the PostgreSQL
// store: each test gets a schema of its own on the test server, and every
// handle the suite opens on it is another Store, as another replica would
// open it.
func TestContractPostgres(t *testing.T) {
	storetest.Run(t, func(t *testing.T, now func() time.Time) func() storetest.Store {
		dsn := pgtest.DSN(t)
		return func() storetest.Store { return openPGAt(t, dsn, now) }
	})
}
