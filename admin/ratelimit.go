package admin

import (
	"sync"
	"time"
)

// limiter counts failed sign-ins per key (a client address, a login) in
// a sliding window, in memory: a restart forgets them, which only gives
// an attacker a few more guesses. It holds at most maxKeys keys; when
// full it forgets the key whose last failure is oldest, so a flood of
// new addresses cannot push out a login under attack (its failures keep
// it fresh).
type limiter struct {
	mu      sync.Mutex
	max     int
	window  time.Duration
	maxKeys int
	fails   map[string][]time.Time
}

func newLimiter(max int, window time.Duration, maxKeys int) *limiter {
	return &limiter{max: max, window: window, maxKeys: maxKeys, fails: map[string][]time.Time{}}
}

// blocked says whether one of keys reached the limit at now, and when
// the earliest of them frees up.
func (l *limiter) blocked(now time.Time, keys ...string) (time.Duration, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var wait time.Duration
	for _, k := range keys {
		f := l.prune(k, now)
		if len(f) >= l.max {
			wait = max(wait, f[0].Add(l.window).Sub(now))
		}
	}
	return wait, wait > 0
}

// fail records a failure at now for each key.
func (l *limiter) fail(now time.Time, keys ...string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, k := range keys {
		f := l.prune(k, now)
		if f == nil && len(l.fails) >= l.maxKeys {
			l.evict(now)
		}
		f = append(f, now)
		if len(f) > l.max {
			f = f[len(f)-l.max:]
		}
		l.fails[k] = f
	}
}

// reset forgets key's failures (a successful sign-in of that login).
func (l *limiter) reset(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.fails, key)
}

// prune drops key's failures older than the window; the caller holds mu.
func (l *limiter) prune(key string, now time.Time) []time.Time {
	f := l.fails[key]
	i := 0
	for i < len(f) && !f[i].After(now.Add(-l.window)) {
		i++
	}
	if i == len(f) {
		delete(l.fails, key)
		return nil
	}
	f = f[i:]
	l.fails[key] = f
	return f
}

// evict makes room for one key: the expired ones go, else the one whose
// last failure is oldest. The caller holds mu.
func (l *limiter) evict(now time.Time) {
	for k := range l.fails {
		l.prune(k, now)
	}
	if len(l.fails) < l.maxKeys {
		return
	}
	var (
		oldest string
		at     time.Time
	)
	for k, f := range l.fails {
		if last := f[len(f)-1]; oldest == "" || last.Before(at) {
			oldest, at = k, last
		}
	}
	delete(l.fails, oldest)
}

// size is the number of keys held (tests).
func (l *limiter) size() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.fails)
}
