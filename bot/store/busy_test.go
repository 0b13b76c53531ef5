package store_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/boussole/boussole/bot"
	"github.com/boussole/boussole/bot/store"
)

// holdWriteLock takes the database's write lock on a connection of its own,
// as another process would, until the returned function is called.
func holdWriteLock(t *testing.T, path string) (release func()) {
	t.Helper()
	conn, err := rawDB(t, path).Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(context.Background(), "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	var done bool
	release = func() {
		if !done {
			done = true
			_, _ = conn.ExecContext(context.Background(), "ROLLBACK")
			_ = conn.Close()
		}
	}
	t.Cleanup(release)
	return release
}

func TestBusy(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "boussole.db")
	a := addr("discord", "c", "u")

	t.Run("retried until the lock is released", func(t *testing.T) {
		s := openAt(t, path, store.Options{BusyTimeout: 20 * time.Millisecond})
		release := holdWriteLock(t, path)
		time.AfterFunc(300*time.Millisecond, release)
		start := time.Now()
		if err := s.Commit(ctx, fullConversation(a), []bot.Turn{{Text: "x"}}, nil); err != nil {
			t.Fatalf("Commit: %v", err)
		}
		if d := time.Since(start); d < 250*time.Millisecond {
			t.Errorf("Commit returned after %v, before the lock was released", d)
		}
	})

	t.Run("open does not wait for a writer", func(t *testing.T) {
		holdWriteLock(t, path)
		openAt(t, path, store.Options{BusyTimeout: 20 * time.Millisecond})
	})

	t.Run("bounded", func(t *testing.T) {
		s := openAt(t, path, store.Options{BusyTimeout: 20 * time.Millisecond})
		holdWriteLock(t, path)
		start := time.Now()
		err := s.Commit(ctx, fullConversation(a), nil, nil)
		d := time.Since(start)
		t.Logf("error after %v: %v", d, err)
		if err == nil || !strings.Contains(err.Error(), "locked") {
			t.Fatalf("err = %v, want database locked", err)
		}
		if d > 5*time.Second {
			t.Errorf("gave up after %v", d)
		}
	})

	t.Run("honours the context", func(t *testing.T) {
		for _, busy := range []time.Duration{20 * time.Millisecond, 0} { // 0: the 5 s default
			s := openAt(t, path, store.Options{BusyTimeout: busy})
			release := holdWriteLock(t, path)
			ctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
			start := time.Now()
			err := s.Commit(ctx, fullConversation(a), nil, nil)
			d := time.Since(start)
			cancel()
			release()
			t.Logf("busy_timeout %v: error after %v: %v", busy, d, err)
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("err = %v, want a deadline error", err)
			}
			if d > 3*time.Second { // the full busy_timeout would be 5 s
				t.Errorf("busy_timeout %v: Commit returned %v after its context ended", busy, d-200*time.Millisecond)
			}
		}
	})
}
