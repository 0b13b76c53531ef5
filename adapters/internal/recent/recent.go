// Package recent is a small fixed-size memory of keys for the adapters:
// events already handled, reply parts already posted.
package recent

// Set remembers the last n keys, each with a small value: the adapters
// use it to drop duplicate deliveries (a gateway resume
// replays events) and to remember how much of a message was already sent.
// It is not safe for concurrent use: callers hold their own lock.
type Set struct {
	keys map[string]int
	ring []string
	next int
}

// New returns a set remembering the last n keys (n ≥ 1).
func New(n int) *Set {
	n = max(n, 1)
	return &Set{keys: make(map[string]int, n), ring: make([]string, n)}
}

// Add records k and reports whether it was new.
func (s *Set) Add(k string) bool {
	if _, dup := s.keys[k]; dup {
		return false
	}
	s.Set(k, 0)
	return true
}

// Forget drops k, so that Add reports it new again (a look-up that
// failed and must be tried again).
func (s *Set) Forget(k string) { delete(s.keys, k) }

// Get returns k's value and whether k is remembered.
func (s *Set) Get(k string) (int, bool) {
	v, ok := s.keys[k]
	return v, ok
}

// Set records k with value v, forgetting the oldest key when full.
func (s *Set) Set(k string, v int) {
	if _, ok := s.keys[k]; !ok {
		if old := s.ring[s.next]; old != "" {
			delete(s.keys, old)
		}
		s.ring[s.next] = k
		s.next = (s.next + 1) % len(s.ring)
	}
	s.keys[k] = v
}
