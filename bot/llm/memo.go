package llm

import (
	"context"
	"fmt"
	"sync"
)

// A conversation turn runs in one database transaction, and SQLite has
// one writer: a turn must not wait seconds for a model while holding it.
// So a turn never calls the model itself. Under a Memo, each call is
// looked up: a result already fetched is returned; otherwise the call is
// recorded and ErrPending returned, and the turn falls back as if the
// model were down. The engine then rolls the turn back, resolves the
// recorded calls outside any transaction (all at once, within the turn's
// budget), and runs the turn again, which now finds the results. A turn
// that needs no model runs once.

// Memo keeps a turn's model results across its attempts. It is safe for
// concurrent use.
type Memo struct {
	mu      sync.Mutex
	done    map[string]memoResult
	pending map[string]func(context.Context) (any, error)
	order   []string
}

type memoResult struct {
	v   any
	err error
}

// NewMemo returns an empty memo.
func NewMemo() *Memo {
	return &Memo{done: map[string]memoResult{}, pending: map[string]func(context.Context) (any, error){}}
}

type memoKey struct{}

// WithMemo returns ctx carrying m: calls made through Do with it are
// recorded instead of made.
func WithMemo(ctx context.Context, m *Memo) context.Context {
	return context.WithValue(ctx, memoKey{}, m)
}

type offKey struct{}

// Off returns ctx marking the model off for the calls made with it (the
// person's jurisdiction has it off): Do then fails with ErrUnavailable
// without calling.
func Off(ctx context.Context) context.Context { return context.WithValue(ctx, offKey{}, true) }

func isOff(ctx context.Context) bool { off, _ := ctx.Value(offKey{}).(bool); return off }

func memoFrom(ctx context.Context) *Memo {
	m, _ := ctx.Value(memoKey{}).(*Memo)
	return m
}

// Do returns fn's result for key. Without a memo in ctx it calls fn
// now. With one, it returns the result fetched by an earlier Resolve, or
// records fn and returns ErrPending. key must name everything the result
// depends on.
func Do[T any](ctx context.Context, key string, fn func(context.Context) (T, error)) (T, error) {
	var zero T
	if isOff(ctx) {
		return zero, fmt.Errorf("llm memo %q: the model is off here: %w", key, ErrUnavailable)
	}
	m := memoFrom(ctx)
	if m == nil {
		return fn(ctx)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if r, ok := m.done[key]; ok {
		if r.err != nil {
			return zero, r.err
		}
		v, ok := r.v.(T)
		if !ok {
			return zero, fmt.Errorf("llm memo %q: result of type %T: %w", key, r.v, ErrNoResponse)
		}
		return v, nil
	}
	if _, ok := m.pending[key]; !ok {
		m.pending[key] = func(ctx context.Context) (any, error) { return fn(ctx) }
		m.order = append(m.order, key)
	}
	return zero, ErrPending
}

// Pending reports how many calls wait for Resolve.
func (m *Memo) Pending() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.pending)
}

// Resolve makes the recorded calls, concurrently, under ctx (which
// carries the turn's budget), and keeps their results, errors included:
// a call that failed is not retried within the turn.
func (m *Memo) Resolve(ctx context.Context) {
	m.mu.Lock()
	calls := make(map[string]func(context.Context) (any, error), len(m.pending))
	keys := m.order
	for k, fn := range m.pending {
		calls[k] = fn
	}
	m.pending, m.order = map[string]func(context.Context) (any, error){}, nil
	m.mu.Unlock()
	var wg sync.WaitGroup
	results := make([]memoResult, len(keys))
	for i, k := range keys {
		if err := ctx.Err(); err != nil {
			// The budget is spent: the call is not made (a healthy server
			// must not be counted as failing for the turn's lack of time).
			results[i] = memoResult{nil, fmt.Errorf("llm: the turn's budget is spent: %w", ErrUnavailable)}
			continue
		}
		wg.Go(func() {
			v, err := calls[k](ctx)
			results[i] = memoResult{v, err}
		})
	}
	wg.Wait()
	m.mu.Lock()
	defer m.mu.Unlock()
	for i, k := range keys {
		m.done[k] = results[i]
	}
}
