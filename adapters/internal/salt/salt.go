// Package salt keeps the random value an adapter mixes into the
// idempotency keys it gives a platform (Discord's nonce, Mattermost's
// pending_post_id). Outbox keys are row numbers, which a new database
// starts again: without a per-database salt, a new database's first
// replies would carry the keys of the old one's and, within the
// platform's de-duplication window, not be posted.
package salt

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"sync"

	"github.com/boussole/boussole/adapters/internal/catchup"
)

// Salt is one database's salt, drawn and saved under a key of the adapter
// state the first time it is asked for. The zero value is not usable;
// build it with New.
type Salt struct {
	state catchup.StateStore
	key   string

	mu    sync.Mutex
	value string
	read  bool
}

// initer is a state that records a value only if none is (the store's
// InitAdapterState): the first of several replicas wins.
type initer interface {
	InitAdapterState(ctx context.Context, key, value string) (string, error)
}

// New returns the salt saved under key in state. A nil state gives an
// empty salt (the outbox key alone).
func New(state catchup.StateStore, key string) *Salt { return &Salt{state: state, key: key} }

// Get returns the salt, drawing and saving it if the database has none.
func (s *Salt) Get(ctx context.Context) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.read || s.state == nil {
		return s.value, nil
	}
	v, ok, err := s.state.AdapterState(ctx, s.key)
	if err != nil {
		return "", fmt.Errorf("read %s: %w", s.key, err)
	}
	if !ok || v == "" {
		b := make([]byte, 16)
		if _, err := rand.Read(b); err != nil {
			return "", fmt.Errorf("draw %s: %w", s.key, err)
		}
		v = hex.EncodeToString(b)
		if once, ok := s.state.(initer); ok {
			// Replicas starting together on a new database agree on
			// the first salt recorded.
			if v, err = once.InitAdapterState(ctx, s.key, v); err != nil {
				return "", fmt.Errorf("save %s: %w", s.key, err)
			}
		} else if err := s.state.SetAdapterState(ctx, s.key, v); err != nil {
			return "", fmt.Errorf("save %s: %w", s.key, err)
		}
	}
	s.value, s.read = v, true
	return v, nil
}
