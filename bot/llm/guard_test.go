package llm_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/boussole/boussole/bot/llm"
	"github.com/boussole/boussole/bot/llm/llmtest"
	"github.com/boussole/boussole/bot/llm/openai"
)

const apiKey = "sk-guard-test-31415926"

// clock is a test clock the test moves by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// syncBuffer collects log output from concurrent calls.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

type fixture struct {
	srv   *llmtest.Server
	clock *clock
	guard *llm.Guard
	logs  *syncBuffer
}

func newFixture(t *testing.T, cfg llm.GuardConfig, opts ...llmtest.Option) *fixture {
	t.Helper()
	srv := llmtest.New(t, opts...)
	c, err := openai.New(openai.Config{BaseURL: srv.BaseURL(), Model: "m", EmbeddingsModel: "e", APIKey: apiKey}, srv.Client())
	if err != nil {
		t.Fatalf("openai.New: %v", err)
	}
	clk := newClock()
	logs := &syncBuffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	return &fixture{srv: srv, clock: clk, guard: llm.NewGuard(c, cfg, clk.Now, log), logs: logs}
}

// prompt holds personal data that must never reach a log.
const prompt = "Je suis Jeanne Martin, 06 12 34 56 78"

func (f *fixture) chat(ctx context.Context) (llm.ChatResponse, error) {
	return f.guard.Chat(ctx, llm.ChatRequest{Messages: []llm.Message{{Role: llm.RoleUser, Content: prompt}}})
}

func (f *fixture) checkLogs(t *testing.T) {
	t.Helper()
	out := f.logs.String()
	for _, secret := range []string{apiKey, "Jeanne", "06 12 34"} {
		if strings.Contains(out, secret) {
			t.Errorf("logs contain %q:\n%s", secret, out)
		}
	}
}

func TestGuardRetriesOnceAfterRetryAfter(t *testing.T) {
	f := newFixture(t, llm.GuardConfig{}, llmtest.WithChat(llmtest.Sequence(llmtest.RateLimited("1"), llmtest.Text("ok", 5, 2))))
	resp, err := f.chat(t.Context())
	if err != nil {
		t.Fatalf("Chat: %v", err)
	}
	if resp.Text != "ok" {
		t.Errorf("text = %q", resp.Text)
	}
	if n := f.srv.Calls(llmtest.ChatPath); n != 2 {
		t.Errorf("server calls = %d, want 2", n)
	}
	s := f.guard.Stats().Chat
	if s.Calls != 1 || s.Retries != 1 || s.Failures != 0 || s.PromptTokens != 5 || s.CompletionTokens != 2 {
		t.Errorf("stats = %+v", s)
	}
}

func TestGuardDoesNotWaitBeyondItsBudget(t *testing.T) {
	tests := []struct {
		name       string
		cfg        llm.GuardConfig
		retryAfter string
	}{
		{name: "Retry-After beyond the timeout", cfg: llm.GuardConfig{Timeout: 4 * time.Second}, retryAfter: "60"},
		{name: "Retry-After as long as the timeout", cfg: llm.GuardConfig{Timeout: 2 * time.Second}, retryAfter: "2"},
		{name: "Retry-After beyond MaxRetryAfter", cfg: llm.GuardConfig{MaxRetryAfter: time.Second}, retryAfter: "2"},
		{name: "waiting turned off", cfg: llm.GuardConfig{MaxRetryAfter: -1}, retryAfter: "1"},
		{name: "no Retry-After", cfg: llm.GuardConfig{}, retryAfter: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, tt.cfg, llmtest.WithChat(llmtest.Sequence(llmtest.RateLimited(tt.retryAfter), llmtest.Text("too late", 1, 1))))
			_, err := f.chat(t.Context())
			var apiErr *llm.APIError
			if !errors.As(err, &apiErr) || apiErr.Status != 429 {
				t.Fatalf("err = %v, want the 429", err)
			}
			if n := f.srv.Calls(llmtest.ChatPath); n != 1 {
				t.Errorf("server calls = %d, want 1 (no retry)", n)
			}
			if s := f.guard.Stats().Chat; s.Retries != 0 || s.Failures != 1 {
				t.Errorf("stats = %+v", s)
			}
		})
	}
}

func TestGuardBoundsAHangingServer(t *testing.T) {
	f := newFixture(t, llm.GuardConfig{Timeout: 200 * time.Millisecond}, llmtest.WithChat(llmtest.Always(llmtest.Hang())))
	_, err := f.chat(t.Context())
	if !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, llm.ErrUnavailable) {
		t.Fatalf("err = %v, want DeadlineExceeded or ErrUnavailable", err)
	}
	if s := f.guard.Stats().Chat; s.Failures != 1 {
		t.Errorf("stats = %+v", s)
	}
}

func TestGuardBreaker(t *testing.T) {
	const cooldown = 30 * time.Second
	tests := []struct {
		name  string
		reply llmtest.Reply
	}{
		{name: "500", reply: llmtest.ServerError()},
		{name: "429 without Retry-After", reply: llmtest.RateLimited("")},
		{name: "malformed JSON", reply: llmtest.Malformed()},
		{name: "empty choices", reply: llmtest.NoChoices()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, llm.GuardConfig{Failures: 3, Cooldown: cooldown}, llmtest.WithChat(llmtest.Always(tt.reply)))
			for i := range 3 {
				if _, err := f.chat(t.Context()); err == nil || errors.Is(err, llm.ErrUnavailable) {
					t.Fatalf("call %d: err = %v, want the server's failure", i, err)
				}
			}
			// Open: calls fail at once, nothing reaches the server.
			for range 5 {
				if _, err := f.chat(t.Context()); !errors.Is(err, llm.ErrUnavailable) {
					t.Fatalf("while open: err = %v, want ErrUnavailable", err)
				}
			}
			if n := f.srv.Calls(llmtest.ChatPath); n != 3 {
				t.Fatalf("server calls = %d, want 3", n)
			}
			f.clock.Advance(cooldown - time.Second)
			if _, err := f.chat(t.Context()); !errors.Is(err, llm.ErrUnavailable) {
				t.Fatalf("before the cooldown ends: err = %v, want ErrUnavailable", err)
			}

			// Half-open, the trial fails: open again.
			f.clock.Advance(2 * time.Second)
			if _, err := f.chat(t.Context()); err == nil || errors.Is(err, llm.ErrUnavailable) {
				t.Fatalf("trial: err = %v, want the server's failure", err)
			}
			if _, err := f.chat(t.Context()); !errors.Is(err, llm.ErrUnavailable) {
				t.Fatalf("after a failed trial: err = %v, want ErrUnavailable", err)
			}
			if n := f.srv.Calls(llmtest.ChatPath); n != 4 {
				t.Fatalf("server calls = %d, want 4", n)
			}
			if s := f.guard.Stats().Chat; s.State != "open" {
				t.Errorf("state = %q, want open", s.State)
			}

			// Half-open again, the server is back: the trial closes it.
			f.srv.SetChat(llmtest.Always(llmtest.Text("de retour", 3, 2)))
			f.clock.Advance(cooldown + time.Second)
			for i := range 3 {
				if resp, err := f.chat(t.Context()); err != nil || resp.Text != "de retour" {
					t.Fatalf("after recovery, call %d: %q, %v", i, resp.Text, err)
				}
			}
			if n := f.srv.Calls(llmtest.ChatPath); n != 7 {
				t.Errorf("server calls = %d, want 7", n)
			}
			s := f.guard.Stats().Chat
			if s.State != "closed" || s.Calls != 14 || s.Rejected != 7 || s.Failures != 4 {
				t.Errorf("stats = %+v", s)
			}
			logs := f.logs.String()
			for _, want := range []string{"level=WARN msg=\"llm circuit open", "llm circuit half-open", "llm circuit closed"} {
				if !strings.Contains(logs, want) {
					t.Errorf("logs lack %q:\n%s", want, logs)
				}
			}
			f.checkLogs(t)
		})
	}
}

// A success between failures starts the count again.
func TestGuardCountsConsecutiveFailures(t *testing.T) {
	fail, ok := llmtest.ServerError(), llmtest.Text("ok", 1, 1)
	f := newFixture(t, llm.GuardConfig{Failures: 3}, llmtest.WithChat(llmtest.Sequence(fail, fail, ok, fail, fail, ok)))
	for range 6 {
		_, _ = f.chat(t.Context())
	}
	if n := f.srv.Calls(llmtest.ChatPath); n != 6 {
		t.Errorf("server calls = %d, want 6", n)
	}
	if s := f.guard.Stats().Chat; s.State != "closed" || s.Rejected != 0 {
		t.Errorf("stats = %+v", s)
	}
}

func TestGuardLongRetryAfterExtendsTheCooldown(t *testing.T) {
	f := newFixture(t, llm.GuardConfig{Failures: 2, Cooldown: 30 * time.Second}, llmtest.WithChat(llmtest.Always(llmtest.RateLimited("120"))))
	for range 2 {
		_, _ = f.chat(t.Context())
	}
	f.clock.Advance(31 * time.Second)
	if _, err := f.chat(t.Context()); !errors.Is(err, llm.ErrUnavailable) {
		t.Fatalf("after the cooldown but within Retry-After: err = %v, want ErrUnavailable", err)
	}
	f.clock.Advance(90 * time.Second)
	f.srv.SetChat(llmtest.Always(llmtest.Text("ok", 1, 1)))
	if _, err := f.chat(t.Context()); err != nil {
		t.Fatalf("after Retry-After: %v", err)
	}
	if n := f.srv.Calls(llmtest.ChatPath); n != 3 {
		t.Errorf("server calls = %d, want 3", n)
	}
}

// A caller that gives up says nothing of the server.
func TestGuardIgnoresCallerCancellation(t *testing.T) {
	f := newFixture(t, llm.GuardConfig{Failures: 2})
	for range 4 {
		ctx, cancel := context.WithCancel(t.Context())
		f.srv.SetChat(func(llmtest.ChatRequest) llmtest.Reply {
			cancel()
			return llmtest.Hang()
		})
		if _, err := f.chat(ctx); !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
	}
	if s := f.guard.Stats().Chat; s.State != "closed" || s.Rejected != 0 || s.Failures != 4 {
		t.Errorf("stats = %+v", s)
	}
}

// A refused request (400) shows a server that answers: it does not open
// the breaker.
func TestGuardBadRequestKeepsTheBreakerClosed(t *testing.T) {
	f := newFixture(t, llm.GuardConfig{Failures: 2}, llmtest.WithChat(llmtest.Always(llmtest.Error(400, "context too long"))))
	for range 4 {
		_, _ = f.chat(t.Context())
	}
	if n := f.srv.Calls(llmtest.ChatPath); n != 4 {
		t.Errorf("server calls = %d, want 4", n)
	}
}

func TestGuardWrongKeyLogsOnceAndOpens(t *testing.T) {
	f := newFixture(t, llm.GuardConfig{Failures: 3}, llmtest.WithKey("sk-the-right-one"))
	for range 5 {
		_, _ = f.chat(t.Context())
	}
	logs := f.logs.String()
	if n := strings.Count(logs, "level=ERROR"); n != 1 {
		t.Errorf("%d error lines, want 1:\n%s", n, logs)
	}
	if !strings.Contains(logs, "status=401") {
		t.Errorf("logs lack the status:\n%s", logs)
	}
	if n := f.srv.Calls(llmtest.ChatPath); n != 3 {
		t.Errorf("server calls = %d, want 3", n)
	}
	f.checkLogs(t)
}

func TestGuardStats(t *testing.T) {
	var f *fixture
	f = newFixture(t, llm.GuardConfig{}, llmtest.WithChat(func(llmtest.ChatRequest) llmtest.Reply {
		f.clock.Advance(150 * time.Millisecond)
		return llmtest.Text("ok", 10, 4)
	}))
	for range 2 {
		if _, err := f.chat(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.guard.Embed(t.Context(), []string{"carte vitale", "passeport"}); err != nil {
		t.Fatal(err)
	}
	s := f.guard.Stats()
	if s.Chat.Calls != 2 || s.Chat.PromptTokens != 20 || s.Chat.CompletionTokens != 8 || s.Chat.Latency != 300*time.Millisecond || s.Chat.Timed != 2 {
		t.Errorf("chat stats = %+v", s.Chat)
	}
	if s.Embed.Calls != 1 || s.Embed.Timed != 1 || s.Embed.Failures != 0 || s.Embed.State != "closed" {
		t.Errorf("embed stats = %+v", s.Embed)
	}
}

// Chat and embeddings are different models: one failing leaves the
// other alone; a missing embeddings model is not a failure.
func TestGuardBreakersPerKind(t *testing.T) {
	f := newFixture(t, llm.GuardConfig{Failures: 2}, llmtest.WithChat(llmtest.Always(llmtest.ServerError())))
	for range 3 {
		_, _ = f.chat(t.Context())
	}
	if _, err := f.chat(t.Context()); !errors.Is(err, llm.ErrUnavailable) {
		t.Fatalf("chat: err = %v, want ErrUnavailable", err)
	}
	vs, err := f.guard.Embed(t.Context(), []string{"a b", "c"})
	if err != nil || len(vs) != 2 {
		t.Fatalf("embed: %v, %v", vs, err)
	}

	c, err := openai.New(openai.Config{BaseURL: f.srv.BaseURL(), Model: "m"}, f.srv.Client())
	if err != nil {
		t.Fatal(err)
	}
	g := llm.NewGuard(c, llm.GuardConfig{Failures: 1}, f.clock.Now, nil)
	for range 3 {
		if _, err := g.Embed(t.Context(), []string{"a"}); !errors.Is(err, llm.ErrUnavailable) {
			t.Fatalf("no embeddings model: err = %v", err)
		}
	}
	if s := g.Stats().Embed; s.State != "closed" || s.Rejected != 0 {
		t.Errorf("embed stats = %+v", s)
	}
}

// Half-open lets one trial through, however many calls arrive at once.
func TestGuardHalfOpenLetsOneTrialThrough(t *testing.T) {
	release := make(chan struct{})
	f := newFixture(t, llm.GuardConfig{Failures: 1, Cooldown: time.Second}, llmtest.WithChat(llmtest.Always(llmtest.ServerError())))
	_, _ = f.chat(t.Context())
	f.clock.Advance(2 * time.Second)
	entered := make(chan struct{})
	f.srv.SetChat(func(llmtest.ChatRequest) llmtest.Reply {
		close(entered)
		<-release
		return llmtest.Text("ok", 1, 1)
	})
	done := make(chan error)
	go func() {
		_, err := f.chat(t.Context())
		done <- err
	}()
	<-entered
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() {
			if _, err := f.chat(t.Context()); !errors.Is(err, llm.ErrUnavailable) {
				t.Errorf("during the trial: err = %v, want ErrUnavailable", err)
			}
		})
	}
	wg.Wait()
	close(release)
	if err := <-done; err != nil {
		t.Fatalf("trial: %v", err)
	}
	if n := f.srv.Calls(llmtest.ChatPath); n != 2 {
		t.Errorf("server calls = %d, want 2", n)
	}
}

func TestGuardConcurrentUse(t *testing.T) {
	f := newFixture(t, llm.GuardConfig{}, llmtest.WithChat(llmtest.Always(llmtest.Text("ok", 1, 1))))
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			if _, err := f.chat(t.Context()); err != nil {
				t.Error(err)
			}
			if _, err := f.guard.Embed(t.Context(), []string{"x"}); err != nil {
				t.Error(err)
			}
			_ = f.guard.Stats()
		})
	}
	wg.Wait()
	if s := f.guard.Stats(); s.Chat.Calls != 20 || s.Embed.Calls != 20 || s.Chat.PromptTokens != 20 {
		t.Errorf("stats = %+v", s)
	}
}

func TestGuardWithoutClientOrClock(t *testing.T) {
	g := llm.NewGuard(nil, llm.GuardConfig{}, nil, nil)
	if _, err := g.Chat(t.Context(), llm.ChatRequest{Messages: []llm.Message{{Role: llm.RoleUser, Content: "x"}}}); !errors.Is(err, llm.ErrUnavailable) {
		t.Errorf("err = %v, want ErrUnavailable", err)
	}
}
