package salt

import (
	"context"
	"sync"
	"testing"
)

// state is an adapter state whose InitAdapterState keeps the first value,
// as the store's does.
type state struct {
	mu sync.Mutex
	m  map[string]string
	// gate holds every reader until all have read: the race a new
	// database meets when replicas start together.
	gate *sync.WaitGroup
}

func (s *state) AdapterState(_ context.Context, key string) (string, bool, error) {
	s.mu.Lock()
	v, ok := s.m[key]
	s.mu.Unlock()
	s.gate.Done()
	s.gate.Wait()
	return v, ok, nil
}

func (s *state) SetAdapterState(_ context.Context, key, value string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[key] = value
	return nil
}

func (s *state) InitAdapterState(_ context.Context, key, value string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if v, ok := s.m[key]; ok {
		return v, nil
	}
	s.m[key] = value
	return value, nil
}

func TestReplicasStartingTogetherShareOneSalt(t *testing.T) {
	const replicas = 4
	var gate sync.WaitGroup
	gate.Add(replicas)
	st := &state{m: map[string]string{}, gate: &gate}
	got := make([]string, replicas)
	var wg sync.WaitGroup
	for i := range replicas {
		wg.Go(func() {
			v, err := New(st, "discord.salt").Get(t.Context())
			if err != nil {
				t.Error(err)
			}
			got[i] = v
		})
	}
	wg.Wait()
	for i, v := range got {
		if v == "" || v != got[0] {
			t.Fatalf("replica %d has salt %q, replica 0 %q: want one salt", i, v, got[0])
		}
	}
}
