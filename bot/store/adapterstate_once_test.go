package store_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/boussole/boussole/bot"
	"github.com/boussole/boussole/bot/store"
	"github.com/boussole/boussole/bot/store/pgtest"
)

// stateStore is what these tests use of a store.
type stateStore interface {
	AdapterState(ctx context.Context, key string) (string, bool, error)
	SetAdapterState(ctx context.Context, key, value string) error
	InitAdapterState(ctx context.Context, key, value string) (string, error)
	ForgetUser(ctx context.Context, platform, user string) (int64, error)
	Close() error
}

// bothStores runs f against two handles on one SQLite file and, when the
// PostgreSQL test server is there, two handles on one schema: replicas.
func bothStores(t *testing.T, f func(t *testing.T, a, b stateStore)) {
	now := func() time.Time { return time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC) }
	t.Run("sqlite", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "boussole.db")
		open := func() stateStore {
			s, err := store.Open(t.Context(), path, store.Options{Clock: now, SkipIntegrityCheck: true})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return s
		}
		f(t, open(), open())
	})
	t.Run("postgres", func(t *testing.T) {
		dsn := pgtest.DSN(t)
		open := func() stateStore {
			s, err := store.OpenPostgres(t.Context(), dsn, store.PostgresOptions{Clock: now, MaxConns: 8})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return s
		}
		f(t, open(), open())
	})
}

// Replicas recording a value under one key at the same moment all end up
// with the same one, the first recorded.
func TestInitAdapterStateKeepsTheFirstValue(t *testing.T) {
	bothStores(t, func(t *testing.T, a, b stateStore) {
		ctx := t.Context()
		if v, err := a.InitAdapterState(ctx, "k", "first"); v != "first" || err != nil {
			t.Fatalf("first InitAdapterState = %q, %v", v, err)
		}
		if v, err := b.InitAdapterState(ctx, "k", "second"); v != "first" || err != nil {
			t.Fatalf("second InitAdapterState = %q, %v; want the first value", v, err)
		}
		if v, ok, err := a.AdapterState(ctx, "k"); v != "first" || !ok || err != nil {
			t.Fatalf("AdapterState = %q, %v, %v", v, ok, err)
		}
		var (
			wg  sync.WaitGroup
			mu  sync.Mutex
			got = map[string]int{}
		)
		for i := range 8 {
			s := a
			if i%2 == 1 {
				s = b
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				v, err := s.InitAdapterState(ctx, "race", fmt.Sprint("v", i))
				if err != nil {
					t.Error(err)
				}
				mu.Lock()
				got[v]++
				mu.Unlock()
			}()
		}
		wg.Wait()
		if len(got) != 1 {
			t.Errorf("racing replicas got %v, want one value for all", got)
		}
	})
}

// Erasure deletes what adapters keep about the person (under
// bot.UserStateKey) and nothing else.
func TestForgetUserDeletesTheirAdapterState(t *testing.T) {
	bothStores(t, func(t *testing.T, a, b stateStore) {
		ctx := t.Context()
		set := map[string]string{
			bot.UserStateKey("discord", "12") + "thread.200":   "700",
			bot.UserStateKey("discord", "12") + "thread.300":   "701",
			bot.UserStateKey("discord", "123") + "thread.200":  "702", // another person
			bot.UserStateKey("discord", "12.3") + "thread.200": "703",
			bot.UserStateKey("mattermost", "12") + "x":         "704", // the same id elsewhere
			"discord.seen": `{"at":1}`,
		}
		for k, v := range set {
			if err := a.SetAdapterState(ctx, k, v); err != nil {
				t.Fatal(err)
			}
		}
		n, err := b.ForgetUser(ctx, "discord", "12")
		if err != nil || n != 2 {
			t.Fatalf("ForgetUser = %d, %v; want the 2 keys of user 12", n, err)
		}
		for k, v := range set {
			got, ok, err := a.AdapterState(ctx, k)
			if err != nil {
				t.Fatal(err)
			}
			gone := k == bot.UserStateKey("discord", "12")+"thread.200" || k == bot.UserStateKey("discord", "12")+"thread.300"
			if ok == gone || (ok && got != v) {
				t.Errorf("after ForgetUser, %s = %q, %v", k, got, ok)
			}
		}
	})
}
