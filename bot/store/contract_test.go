package store_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/boussole/boussole/bot/store"
	"github.com/boussole/boussole/bot/store/storetest"
)

// The SQLite store is what the engine, the dispatcher and the adapters
// need from storage.
var (
	_ storetest.Store = (*store.Store)(nil)
)

// TestContract runs the storage contract (bot/store/storetest) against
// the SQLite store: each test gets a database file of its own, and every
// handle the suite opens on it is another Store on that file, as another
// process would open it.
func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T, now func() time.Time) func() storetest.Store {
		path := filepath.Join(t.TempDir(), "boussole.db")
		return func() storetest.Store {
			s, err := store.Open(t.Context(), path, store.Options{Clock: now, SkipIntegrityCheck: true})
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			t.Cleanup(func() {
				if err := s.Close(); err != nil {
					t.Errorf("Close: %v", err)
				}
			})
			return s
		}
	})
}
