// Package storetest is the storage contract of Boussole: a test suite that
// runs every behaviour the engine, the dispatcher and the mediators'
// workflow rely on against any implementation of engine.Store, given a
// function that opens one. The SQLite store runs it (bot/store's
// contract_test.go); a PostgreSQL store added later passes the same suite:
//
//	func TestContract(t *testing.T) {
//		storetest.Run(t, func(t *testing.T, now func() time.Time) func() storetest.Store {
//			dsn := freshDatabase(t) // dropped by t.Cleanup
//			return func() storetest.Store {
//				s, err := postgres.Open(t.Context(), dsn, postgres.Options{Clock: now})
//				if err != nil {
//					t.Fatal(err)
//				}
//				t.Cleanup(func() { s.Close() })
//				return s
//			}
//		})
//	}
//
// What the suite assumes of an implementation, beyond the interfaces:
//
//   - Every time it stamps (a zero time given to it, an outbox row's
//     creation, a lease's expiry) comes from the clock it was opened with;
//     the suite never reads the wall clock and moves its own clock instead.
//   - Times come back equal (time.Time.Equal) to the times stored, with at
//     least millisecond precision; the suite's times are whole milliseconds.
//     Their location does not matter, nor does a nil slice coming back
//     empty or the reverse.
//   - A reply without a destination platform is refused with an error; the
//     suite uses one to make a write fail half-way.
//   - Several handles opened on one database behave as several processes
//     sharing it.
//   - Unknown cases and tree versions are errors wrapping
//     knowledge.ErrNotFound.
package storetest

import (
	"context"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/boussole/boussole/bot"
	"github.com/boussole/boussole/bot/delivery"
	"github.com/boussole/boussole/bot/engine"
)

// Store is what the suite needs: the engine's store with its
// transactions, the dispatcher's outbox, and the outbox listing the
// operator's tools and tests use.
type Store interface {
	engine.Store
	engine.HandledStore
	engine.Transactional
	delivery.Outbox
	// PurgeBefore deletes conversations, turns and closed cases not
	// updated since t (the retention period).
	PurgeBefore(ctx context.Context, t time.Time) (int64, error)
	// PendingOutgoing returns up to limit messages neither sent nor dead,
	// due or not, oldest first, each with its Reply.Key set.
	PendingOutgoing(ctx context.Context, limit int) ([]bot.Outgoing, error)
	// Close releases the handle. The suite closes some handles itself
	// (to test a restart); closing a closed handle must be harmless, so
	// that the opener's cleanup may close every handle it opened.
	Close() error
}

// Opener creates a fresh, empty database for t, whose handles read the
// time from now, and returns the function that opens a handle on it. Each
// call of open returns a new handle on the same database, as a second
// process would open it; the suite calls it once per test, and again for
// tests of several processes or of a restart. The opener closes the
// handles it opened and removes the database when t ends (t.Cleanup), and
// reports its own failures with t.Fatal.
type Opener func(t *testing.T, now func() time.Time) (open func() Store)

// Run runs the contract against the store open makes, each behaviour in a
// subtest of its own on a fresh database.
func Run(t *testing.T, open Opener) {
	t.Run("conversations", func(t *testing.T) { testConversations(t, open) })
	t.Run("commit", func(t *testing.T) { testCommit(t, open) })
	t.Run("tx", func(t *testing.T) { testTx(t, open) })
	t.Run("cases", func(t *testing.T) { testCases(t, open) })
	t.Run("outbox", func(t *testing.T) { testOutbox(t, open) })
	t.Run("erasure", func(t *testing.T) { testErasure(t, open) })
	t.Run("retention", func(t *testing.T) { testRetention(t, open) })
	t.Run("counters", func(t *testing.T) { testCounters(t, open) })
	t.Run("trees", func(t *testing.T) { testTrees(t, open) })
	t.Run("restart", func(t *testing.T) { testRestart(t, open) })
	t.Run("replicas", func(t *testing.T) { testReplicas(t, open) })
}

// T0 is the time the suite's clock starts at: whole milliseconds, UTC.
var T0 = time.Date(2026, 3, 14, 9, 26, 53, 589_000_000, time.UTC)

// clock is the suite's time: stores read it, tests move it.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// env is one test's database: its clock, a first handle and the means to
// open more.
type env struct {
	t     *testing.T
	ctx   context.Context
	clock *clock
	s     Store
	open  func() Store
}

// setup opens a fresh database for t, with the clock at T0.
func setup(t *testing.T, open Opener) *env {
	t.Helper()
	c := &clock{t: T0}
	o := open(t, c.now)
	if o == nil {
		t.Fatal("the opener returned no open function")
	}
	e := &env{t: t, ctx: t.Context(), clock: c, open: o}
	e.s = e.reopen()
	return e
}

// reopen opens another handle on e's database.
func (e *env) reopen() Store {
	e.t.Helper()
	s := e.open()
	if s == nil {
		e.t.Fatal("open returned no store")
	}
	return s
}

func addr(platform, channel, user string) bot.Address {
	return bot.Address{Platform: platform, Channel: channel, User: user}
}

// equal reports whether a and b are the same once canonical (see canon).
func equal[T any](a, b T) bool {
	return reflect.DeepEqual(canon(a), canon(b))
}

// canon returns a deep copy of v with every time in UTC and every empty
// slice or map nil, so that values read back from any store compare with
// reflect.DeepEqual to the values written.
func canon[T any](v T) T {
	rv := reflect.ValueOf(&v).Elem()
	out := reflect.New(rv.Type()).Elem()
	out.Set(canonValue(rv))
	return out.Interface().(T)
}

var timeType = reflect.TypeFor[time.Time]()

func canonValue(v reflect.Value) reflect.Value {
	switch v.Kind() {
	case reflect.Struct:
		if v.Type() == timeType {
			return reflect.ValueOf(v.Interface().(time.Time).UTC())
		}
		out := reflect.New(v.Type()).Elem()
		out.Set(v) // unexported fields as they are
		for i := range v.NumField() {
			if out.Field(i).CanSet() {
				out.Field(i).Set(canonValue(v.Field(i)))
			}
		}
		return out
	case reflect.Slice:
		if v.Len() == 0 {
			return reflect.Zero(v.Type())
		}
		out := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		for i := range v.Len() {
			out.Index(i).Set(canonValue(v.Index(i)))
		}
		return out
	case reflect.Map:
		if v.Len() == 0 {
			return reflect.Zero(v.Type())
		}
		out := reflect.MakeMapWithSize(v.Type(), v.Len())
		for it := v.MapRange(); it.Next(); {
			out.SetMapIndex(it.Key(), canonValue(it.Value()))
		}
		return out
	case reflect.Pointer:
		if v.IsNil() {
			return v
		}
		out := reflect.New(v.Type().Elem())
		out.Elem().Set(canonValue(v.Elem()))
		return out
	case reflect.Interface:
		if v.IsNil() {
			return v
		}
		out := reflect.New(v.Type()).Elem()
		out.Set(canonValue(v.Elem()))
		return out
	}
	return v
}

// sorted returns a sorted copy of ss.
func sorted(ss []string) []string {
	return slices.Sorted(slices.Values(ss))
}
