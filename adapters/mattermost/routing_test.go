package mattermost

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/boussole/boussole/adapters/internal/catchup"
	"github.com/boussole/boussole/bot"
	"github.com/boussole/boussole/bot/catalog"
)

type memState struct {
	mu sync.Mutex
	m  map[string]string
}

func (s *memState) AdapterState(_ context.Context, k string) (string, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.m[k]
	return v, ok, nil
}

func (s *memState) SetAdapterState(_ context.Context, k, v string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[k] = v
	return nil
}

func stateAdapter(t *testing.T, st catchup.StateStore) *Adapter {
	t.Helper()
	cat, err := catalog.New()
	if err != nil {
		t.Fatal(err)
	}
	now := func() time.Time { return time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC) }
	a, err := New(Config{URL: "http://127.0.0.1:1"}, Deps{Catalog: cat, Now: now, State: st, Getenv: func(k string) string {
		return map[string]string{"MATTERMOST_TOKEN": "t", "MATTERMOST_ACTION_SECRET": "s"}[k]
	}})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// Case threads and each mediator's last thread survive a restart: the new
// process still hears a mediator writing in a case thread without a
// mention, and answers them there. Citizens are stored only hashed.
func TestRoutingSurvivesARestart(t *testing.T) {
	ctx := context.Background()
	st := &memState{m: map[string]string{}}
	citizen := bot.Address{Platform: Platform, Channel: "dm1", User: "u-citizen"}
	marie := bot.Address{Platform: Platform, Channel: "mediateurs", User: "u-marie"}
	a := stateAdapter(t, st)
	salt, err := a.pendingSalt(ctx)
	if err != nil || salt == "" {
		t.Fatalf("salt %q, %v", salt, err)
	}
	a.caseRootHash[addrHash(salt, citizen)] = "post-1"
	a.caseTh["post-1"] = true
	a.threads = append(a.threads, "post-1")
	a.medLastKey[addrKey(marie)] = "post-1"
	a.saveRouting(ctx)

	b := stateAdapter(t, st)
	b.loadRouting(ctx)
	if !b.caseTh["post-1"] || b.caseRootHash[addrHash(salt, citizen)] != "post-1" || b.medLastKey[addrKey(marie)] != "post-1" {
		t.Fatalf("after a restart: threads %v, roots %v, last %v", b.caseTh, b.caseRootHash, b.medLastKey)
	}
	for _, v := range st.m {
		if strings.Contains(v, "u-citizen") {
			t.Fatalf("the citizen's id is saved in clear: %s", v)
		}
	}
}

// The saved tables stay bounded: the oldest threads go first.
func TestRoutingIsBounded(t *testing.T) {
	st := &memState{m: map[string]string{}}
	a := stateAdapter(t, st)
	for i := range maxRouted + 10 {
		id := fmt.Sprintf("p%d", i)
		a.caseTh[id] = true
		a.threads = append(a.threads, id)
	}
	a.saveRouting(context.Background())
	if len(a.threads) != maxRouted || len(a.caseTh) != maxRouted {
		t.Fatalf("%d threads kept, want %d", len(a.threads), maxRouted)
	}
}
