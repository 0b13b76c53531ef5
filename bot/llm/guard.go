package llm

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// A model server is slow, down or rate-limited often enough that a
// citizen must never wait on it: the Guard bounds every call, waits out
// a short Retry-After once, and after repeated failures stops calling
// the server for a while (a circuit breaker), so that every feature
// falls back at once instead of after a timeout per message.

// GuardConfig bounds the calls a Guard lets through. Zero values take
// the defaults.
type GuardConfig struct {
	// Timeout bounds one call, a retry included (default 4s).
	Timeout time.Duration
	// Failures is the number of consecutive failures that opens the
	// breaker (default 3).
	Failures int
	// Cooldown is how long an open breaker refuses calls before letting
	// one trial through (default 30s). A server's longer Retry-After
	// extends it.
	Cooldown time.Duration
	// MaxRetryAfter is the longest Retry-After the Guard waits before its
	// one retry; 0 leaves the deadline as the only limit, a negative
	// value never waits.
	MaxRetryAfter time.Duration
}

// The defaults of GuardConfig.
const (
	DefaultTimeout  = 4 * time.Second
	DefaultFailures = 3
	DefaultCooldown = 30 * time.Second
)

// Stats are a Guard's counters since it was built, per kind of call.
type Stats struct {
	Chat, Embed CallStats
}

// CallStats counts one kind of call.
type CallStats struct {
	// Calls is every call the Guard received, Rejected included.
	Calls int64
	// Failures is the calls that reached the server and failed.
	Failures int64
	// Rejected is the calls refused at once because the breaker was open.
	Rejected int64
	// Retries is the second attempts made after a Retry-After.
	Retries int64
	// PromptTokens and CompletionTokens are the server's counts (chat).
	PromptTokens, CompletionTokens int64
	// Latency is the total time of the Timed calls (those that reached
	// the server), measured with the Guard's clock.
	Latency time.Duration
	Timed   int64
	// State is the breaker's state now: "closed", "open" or "half-open".
	State string
}

// Guard is a Client that bounds, retries once and breaks the circuit
// around another Client. Chat and embeddings have a breaker each: they
// are different models, often loaded differently. It is safe for
// concurrent use.
type Guard struct {
	c   Client
	cfg GuardConfig
	now func() time.Time
	log *slog.Logger

	mu sync.Mutex
	b  [kinds]breaker
}

var _ Client = (*Guard)(nil)

type kind int

const (
	kindChat kind = iota
	kindEmbed
	kinds
)

func (k kind) String() string {
	if k == kindEmbed {
		return "embed"
	}
	return "chat"
}

type state int

const (
	closed state = iota
	open
	halfOpen
)

func (s state) String() string {
	switch s {
	case open:
		return "open"
	case halfOpen:
		return "half-open"
	}
	return "closed"
}

type breaker struct {
	state     state
	failures  int       // consecutive
	openUntil time.Time // while open
	notBefore time.Time // the latest Retry-After a server asked for
	trial     bool      // a half-open trial call is in flight
	authSaid  bool      // a configuration error was logged since the last success
	stats     CallStats
}

// NewGuard wraps c. now is the clock the breaker and the latencies use;
// it is also compared with a caller's context deadline before waiting a
// Retry-After, so in production it must be the real clock. A nil log
// discards. A Guard built without a client or a clock refuses
// every call with ErrUnavailable (and says so in the log).
func NewGuard(c Client, cfg GuardConfig, now func() time.Time, log *slog.Logger) *Guard {
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.Failures <= 0 {
		cfg.Failures = DefaultFailures
	}
	if cfg.Cooldown <= 0 {
		cfg.Cooldown = DefaultCooldown
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if c == nil || now == nil {
		log.Error("llm guard built without a client or a clock: every model call is refused")
	}
	return &Guard{c: c, cfg: cfg, now: now, log: log}
}

// Chat calls the wrapped client's Chat under the guard.
func (g *Guard) Chat(ctx context.Context, req ChatRequest) (ChatResponse, error) {
	var resp ChatResponse
	err := g.do(ctx, kindChat, func(ctx context.Context) error {
		r, err := g.c.Chat(ctx, req)
		resp = r
		return err
	})
	if err != nil {
		return ChatResponse{}, err
	}
	g.mu.Lock()
	g.b[kindChat].stats.PromptTokens += int64(resp.PromptTokens)
	g.b[kindChat].stats.CompletionTokens += int64(resp.CompletionTokens)
	g.mu.Unlock()
	return resp, nil
}

// Embed calls the wrapped client's Embed under the guard.
func (g *Guard) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	var vs [][]float32
	err := g.do(ctx, kindEmbed, func(ctx context.Context) error {
		v, err := g.c.Embed(ctx, texts)
		vs = v
		return err
	})
	if err != nil {
		return nil, err
	}
	return vs, nil
}

// Stats returns the counters so far.
func (g *Guard) Stats() Stats {
	g.mu.Lock()
	defer g.mu.Unlock()
	s := Stats{Chat: g.b[kindChat].stats, Embed: g.b[kindEmbed].stats}
	s.Chat.State = g.b[kindChat].state.String()
	s.Embed.State = g.b[kindEmbed].state.String()
	return s
}

func (g *Guard) do(parent context.Context, k kind, call func(context.Context) error) error {
	if g.c == nil || g.now == nil {
		return fmt.Errorf("llm %s: guard has no client or clock: %w", k, ErrUnavailable)
	}
	start := g.now()
	if err := g.admit(k, start); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(parent, g.cfg.Timeout)
	defer cancel()
	err := call(ctx)
	if wait, ok := g.retryAfter(ctx, start, err); ok {
		g.mu.Lock()
		g.b[k].stats.Retries++
		g.mu.Unlock()
		if werr := sleep(ctx, wait); werr != nil {
			err = fmt.Errorf("llm %s: waiting %s to retry: %w", k, wait, werr)
		} else {
			err = call(ctx)
		}
	}
	g.record(parent, k, start, err)
	return err
}

// admit counts a call and tells whether the breaker lets it through.
func (g *Guard) admit(k kind, now time.Time) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	b := &g.b[k]
	b.stats.Calls++
	switch b.state {
	case open:
		if now.Before(b.openUntil) {
			b.stats.Rejected++
			return fmt.Errorf("llm %s: circuit open for %s more: %w", k, b.openUntil.Sub(now).Round(time.Second), ErrUnavailable)
		}
		b.state, b.trial = halfOpen, true
		g.log.Info("llm circuit half-open: trying the server again", "kind", k.String())
	case halfOpen:
		if b.trial {
			b.stats.Rejected++
			return fmt.Errorf("llm %s: circuit half-open, a trial call is under way: %w", k, ErrUnavailable)
		}
		b.trial = true
	}
	return nil
}

// retryAfter tells whether err is a rate limit or an overload whose
// Retry-After can be waited before ctx's deadline, and how long.
func (g *Guard) retryAfter(ctx context.Context, start time.Time, err error) (time.Duration, bool) {
	var apiErr *APIError
	if !errors.As(err, &apiErr) || (apiErr.Status != 429 && apiErr.Status != 503) || apiErr.RetryAfter <= 0 {
		return 0, false
	}
	wait := apiErr.RetryAfter
	if g.cfg.MaxRetryAfter < 0 || (g.cfg.MaxRetryAfter > 0 && wait > g.cfg.MaxRetryAfter) {
		return 0, false
	}
	now := g.now()
	left := g.cfg.Timeout - now.Sub(start)
	// The caller's deadline was set on the same clock in production.
	if dl, ok := ctx.Deadline(); ok {
		left = min(left, dl.Sub(now))
	}
	return wait, wait < left
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// outcome is what a call says of the server's health.
type outcome int

const (
	healthy outcome = iota // it answered, even if the request was refused
	neutral                // nothing learnt: the caller gave up, or no call made
	failed
)

// classify reads err for the breaker. The caller's cancellation says
// nothing of the server; its deadline does (a server slower than every
// turn's budget is down for Boussole's purposes).
func classify(parent context.Context, err error) (outcome, *APIError) {
	if err == nil {
		return healthy, nil
	}
	if errors.Is(parent.Err(), context.Canceled) || errors.Is(err, ErrUnavailable) {
		return neutral, nil
	}
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		switch s := apiErr.Status; {
		case s == 408 || s == 429 || s >= 500:
			return failed, apiErr
		case s == 401 || s == 403 || s == 404:
			return failed, apiErr // configuration: the key, the URL, the model
		default:
			return healthy, apiErr // the request was refused, the server is fine
		}
	}
	return failed, nil
}

func (g *Guard) record(parent context.Context, k kind, start time.Time, err error) {
	now := g.now()
	g.mu.Lock()
	defer g.mu.Unlock()
	b := &g.b[k]
	b.stats.Latency += now.Sub(start)
	b.stats.Timed++
	if err != nil {
		b.stats.Failures++
	}
	out, apiErr := classify(parent, err)
	switch out {
	case neutral:
		if b.state == halfOpen {
			b.trial = false // the next call tries instead
		}
	case healthy:
		b.failures, b.authSaid = 0, false
		if b.state == halfOpen {
			b.state, b.trial = closed, false
			g.log.Info("llm circuit closed: the server answers again", "kind", k.String())
		}
	case failed:
		b.failures++
		if apiErr != nil && (apiErr.Status == 401 || apiErr.Status == 403 || apiErr.Status == 404) && !b.authSaid {
			b.authSaid = true
			g.log.Error("llm server refused the call: check the API key, the base URL and the model name", "kind", k.String(), "status", apiErr.Status)
		}
		if apiErr != nil && apiErr.RetryAfter > 0 {
			b.notBefore = later(b.notBefore, now.Add(apiErr.RetryAfter))
		}
		switch {
		case b.state == halfOpen:
			g.open(k, b, now, "the trial call failed")
		case b.state == closed && b.failures >= g.cfg.Failures:
			g.open(k, b, now, "consecutive failures")
		case b.state == open:
			b.openUntil = later(b.openUntil, b.notBefore)
		}
	}
}

func (g *Guard) open(k kind, b *breaker, now time.Time, why string) {
	b.state, b.trial = open, false
	b.openUntil = later(now.Add(g.cfg.Cooldown), b.notBefore)
	g.log.Warn("llm circuit open: model calls refused for a while", "kind", k.String(), "reason", why, "failures", b.failures, "for", b.openUntil.Sub(now))
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
