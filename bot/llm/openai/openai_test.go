package openai_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/boussole/boussole/bot/llm"
	"github.com/boussole/boussole/bot/llm/llmtest"
	"github.com/boussole/boussole/bot/llm/openai"
)

const key = "sk-test-9f8e7d6c5b4a"

func newClient(t *testing.T, srv *llmtest.Server, mod func(*openai.Config)) *openai.Client {
	t.Helper()
	cfg := openai.Config{BaseURL: srv.BaseURL(), Model: "albert-large", EmbeddingsModel: "embeddings-small", APIKey: key, MaxTokens: 256, Temperature: 0.2}
	if mod != nil {
		mod(&cfg)
	}
	c, err := openai.New(cfg, srv.Client())
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

func ptr[T any](v T) *T { return &v }

func TestChatSendsTheRequestAndReadsTheAnswer(t *testing.T) {
	tests := []struct {
		name          string
		req           llm.ChatRequest
		wantMaxTokens int
		wantTemp      float64
		wantJSON      bool
	}{
		{
			name:          "configured defaults",
			req:           llm.ChatRequest{Messages: []llm.Message{{Role: llm.RoleSystem, Content: "Tu réécris."}, {Role: llm.RoleUser, Content: "carte vitale perdue"}}},
			wantMaxTokens: 256, wantTemp: 0.2,
		},
		{
			name:          "request overrides, JSON mode",
			req:           llm.ChatRequest{Messages: []llm.Message{{Role: llm.RoleUser, Content: "résume"}}, MaxTokens: 40, Temperature: ptr(float32(0.7)), JSON: true},
			wantMaxTokens: 40, wantTemp: 0.7, wantJSON: true,
		},
		{
			name:          "a zero temperature is sent, not dropped",
			req:           llm.ChatRequest{Messages: []llm.Message{{Role: llm.RoleUser, Content: "x"}}, Temperature: ptr(float32(0))},
			wantMaxTokens: 256, wantTemp: 0,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got llmtest.ChatRequest
			srv := llmtest.New(t, llmtest.WithKey(key), llmtest.WithChat(func(r llmtest.ChatRequest) llmtest.Reply {
				got = r
				return llmtest.Text("  {\"query\": \"carte vitale\"}\n", 31, 7)
			}))
			resp, err := newClient(t, srv, nil).Chat(t.Context(), tt.req)
			if err != nil {
				t.Fatalf("Chat: %v", err)
			}
			if resp.Text != `{"query": "carte vitale"}` || resp.PromptTokens != 31 || resp.CompletionTokens != 7 {
				t.Errorf("response = %+v", resp)
			}
			if got.Model != "albert-large" || got.MaxTokens != tt.wantMaxTokens || got.JSON() != tt.wantJSON {
				t.Errorf("sent model %q max_tokens %d json %v; want albert-large %d %v", got.Model, got.MaxTokens, got.JSON(), tt.wantMaxTokens, tt.wantJSON)
			}
			if got.Temperature == nil || *got.Temperature < tt.wantTemp-1e-6 || *got.Temperature > tt.wantTemp+1e-6 {
				t.Errorf("sent temperature %v, want %v", got.Temperature, tt.wantTemp)
			}
			if len(got.Messages) != len(tt.req.Messages) {
				t.Fatalf("sent %d messages, want %d", len(got.Messages), len(tt.req.Messages))
			}
			for i, m := range tt.req.Messages {
				if got.Messages[i].Role != string(m.Role) || got.Messages[i].Content != m.Content {
					t.Errorf("message %d = %+v, want %+v", i, got.Messages[i], m)
				}
			}
			if !strings.Contains(string(got.Raw), `"max_tokens":`) {
				t.Errorf("body has no max_tokens: %s", got.Raw)
			}
			if srv.Calls(llmtest.ChatPath) != 1 {
				t.Errorf("chat calls = %d, want 1", srv.Calls(llmtest.ChatPath))
			}
		})
	}
}

func TestChatErrors(t *testing.T) {
	date := "Sun, 06 Dec 2026 10:00:00 GMT"
	tests := []struct {
		name       string
		reply      llmtest.Reply
		wantStatus int // 0: not an *llm.APIError
		wantRetry  time.Duration
		wantMsg    string
		wantIs     error
	}{
		{name: "401 with an OpenAI error body", reply: llmtest.Error(401, "Incorrect API key provided."), wantStatus: 401, wantMsg: "Incorrect API key provided."},
		{name: "429 with Retry-After in seconds", reply: llmtest.RateLimited("7"), wantStatus: 429, wantRetry: 7 * time.Second, wantMsg: "Rate limit reached, please retry later"},
		{
			name: "429 with Retry-After as a date",
			reply: func() llmtest.Reply {
				r := llmtest.RateLimited("Sun, 06 Dec 2026 10:01:30 GMT")
				r.Header.Set("Date", date)
				return r
			}(),
			wantStatus: 429, wantRetry: 90 * time.Second,
		},
		{name: "429 without Retry-After", reply: llmtest.RateLimited(""), wantStatus: 429},
		{name: "500", reply: llmtest.ServerError(), wantStatus: 500},
		{name: "503 from a proxy, not JSON", reply: llmtest.Reply{Status: 503, Header: http.Header{"Retry-After": {"3"}, "Content-Type": {"text/html"}}, Body: []byte("<html>Service Unavailable</html>")}, wantStatus: 503, wantRetry: 3 * time.Second},
		{name: "malformed JSON", reply: llmtest.Malformed(), wantIs: llm.ErrNoResponse},
		{name: "empty choices", reply: llmtest.NoChoices(), wantIs: llm.ErrNoResponse},
		{name: "empty content", reply: llmtest.Text(" \n ", 3, 0), wantIs: llm.ErrNoResponse},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := llmtest.New(t, llmtest.WithChat(llmtest.Always(tt.reply)))
			_, err := newClient(t, srv, nil).Chat(t.Context(), llm.ChatRequest{Messages: []llm.Message{{Role: llm.RoleUser, Content: "bonjour"}}})
			if err == nil {
				t.Fatal("Chat succeeded, want an error")
			}
			if strings.Contains(err.Error(), key) {
				t.Errorf("error shows the API key: %v", err)
			}
			var apiErr *llm.APIError
			if tt.wantStatus == 0 {
				if errors.As(err, &apiErr) {
					t.Errorf("got an APIError %v, want none", apiErr)
				}
				if !errors.Is(err, tt.wantIs) {
					t.Errorf("error %v does not wrap %v", err, tt.wantIs)
				}
				return
			}
			if !errors.As(err, &apiErr) {
				t.Fatalf("error %v (%T) is not an *llm.APIError", err, err)
			}
			if apiErr.Status != tt.wantStatus || apiErr.RetryAfter != tt.wantRetry {
				t.Errorf("APIError = %+v, want status %d retry after %s", apiErr, tt.wantStatus, tt.wantRetry)
			}
			if tt.wantMsg != "" && apiErr.Message != tt.wantMsg {
				t.Errorf("message = %q, want %q", apiErr.Message, tt.wantMsg)
			}
		})
	}
}

func TestWrongKeyIsRefusedAndNeverShown(t *testing.T) {
	srv := llmtest.New(t, llmtest.WithKey(key), llmtest.WithChat(llmtest.Always(llmtest.Text("ok", 1, 1))))
	wrong := "sk-wrong-0123456789"
	c := newClient(t, srv, func(c *openai.Config) { c.APIKey = wrong })
	_, err := c.Chat(t.Context(), llm.ChatRequest{Messages: []llm.Message{{Role: llm.RoleUser, Content: "x"}}})
	var apiErr *llm.APIError
	if !errors.As(err, &apiErr) || apiErr.Status != 401 || apiErr.Message != "Incorrect API key provided." {
		t.Fatalf("err = %v, want a 401 APIError with the server's message", err)
	}
	if strings.Contains(err.Error(), wrong) {
		t.Errorf("error shows the key: %v", err)
	}
	// The right key gets through.
	if _, err := newClient(t, srv, nil).Chat(t.Context(), llm.ChatRequest{Messages: []llm.Message{{Role: llm.RoleUser, Content: "x"}}}); err != nil {
		t.Fatalf("with the right key: %v", err)
	}
	// No key at all is refused too.
	if _, err := newClient(t, srv, func(c *openai.Config) { c.APIKey = "" }).Models(t.Context()); !errors.As(err, &apiErr) || apiErr.Status != 401 {
		t.Errorf("without a key: %v, want 401", err)
	}
}

func TestKeyNeverInTransportErrors(t *testing.T) {
	srv := llmtest.New(t)
	c := newClient(t, srv, nil)
	srv.Close()
	_, err := c.Chat(t.Context(), llm.ChatRequest{Messages: []llm.Message{{Role: llm.RoleUser, Content: "x"}}})
	if err == nil {
		t.Fatal("Chat on a closed server succeeded")
	}
	if strings.Contains(err.Error(), key) {
		t.Errorf("error shows the key: %v", err)
	}
	var apiErr *llm.APIError
	if errors.As(err, &apiErr) || errors.Is(err, llm.ErrNoResponse) {
		t.Errorf("a refused connection is neither an APIError nor ErrNoResponse: %v", err)
	}
}

// A server that echoes the key in its error message must not get it
// into ours.
func TestKeyEchoedByTheServerIsRedacted(t *testing.T) {
	srv := llmtest.New(t, llmtest.WithChat(llmtest.Always(llmtest.Error(400, "bad token "+key))))
	_, err := newClient(t, srv, nil).Chat(t.Context(), llm.ChatRequest{Messages: []llm.Message{{Role: llm.RoleUser, Content: "x"}}})
	var apiErr *llm.APIError
	if !errors.As(err, &apiErr) || apiErr.Status != 400 {
		t.Fatalf("err = %v, want a 400 APIError", err)
	}
	if strings.Contains(err.Error(), key) || !strings.Contains(apiErr.Message, "[redacted]") {
		t.Errorf("key not redacted: %v", err)
	}
}

func TestChatTimeout(t *testing.T) {
	srv := llmtest.New(t, llmtest.WithChat(llmtest.Always(llmtest.Hang())))
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	_, err := newClient(t, srv, nil).Chat(ctx, llm.ChatRequest{Messages: []llm.Message{{Role: llm.RoleUser, Content: "x"}}})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want context.DeadlineExceeded", err)
	}
}

// Each call reads its own response's Retry-After, however many run at
// once.
func TestRetryAfterPerCallUnderConcurrency(t *testing.T) {
	srv := llmtest.New(t, llmtest.WithChat(func(r llmtest.ChatRequest) llmtest.Reply {
		return llmtest.RateLimited(r.Messages[0].Content)
	}))
	c := newClient(t, srv, nil)
	var wg sync.WaitGroup
	errs := make([]error, 40)
	for i := range errs {
		wg.Go(func() {
			_, errs[i] = c.Chat(t.Context(), llm.ChatRequest{Messages: []llm.Message{{Role: llm.RoleUser, Content: fmt.Sprint(i + 1)}}})
		})
	}
	wg.Wait()
	for i, err := range errs {
		var apiErr *llm.APIError
		if !errors.As(err, &apiErr) || apiErr.RetryAfter != time.Duration(i+1)*time.Second {
			t.Errorf("call %d: %v, want Retry-After %ds", i, err, i+1)
		}
	}
}

func TestEmbed(t *testing.T) {
	t.Run("vectors in input order though the server lists them backwards", func(t *testing.T) {
		var got llmtest.EmbedRequest
		srv := llmtest.New(t, llmtest.WithEmbed(func(r llmtest.EmbedRequest) llmtest.Reply {
			got = r
			vs := make([][]float32, len(r.Input))
			for i := range r.Input {
				vs[i] = []float32{float32(i), 1}
			}
			return llmtest.Reply{Vectors: vs, Reverse: true}
		}))
		vs, err := newClient(t, srv, nil).Embed(t.Context(), []string{"a", "b", "c"})
		if err != nil {
			t.Fatalf("Embed: %v", err)
		}
		if got.Model != "embeddings-small" || strings.Join(got.Input, ",") != "a,b,c" {
			t.Errorf("sent model %q input %q", got.Model, got.Input)
		}
		if !strings.Contains(string(got.Raw), `"index"`) && !strings.Contains(string(got.Raw), `"input"`) {
			t.Errorf("raw body not recorded: %s", got.Raw)
		}
		for i, v := range vs {
			if len(v) != 2 || v[0] != float32(i) {
				t.Errorf("vector %d = %v", i, v)
			}
		}
	})
	t.Run("hashed embeddings make similar texts close", func(t *testing.T) {
		srv := llmtest.New(t)
		vs, err := newClient(t, srv, nil).Embed(t.Context(), []string{"Renouveler ma carte d'identité", "carte identite renouvellement renouveler", "allocation logement étudiant"})
		if err != nil {
			t.Fatalf("Embed: %v", err)
		}
		if near, far := dot(vs[0], vs[1]), dot(vs[0], vs[2]); near <= far || near < 0.5 {
			t.Errorf("similarities near %.2f, far %.2f", near, far)
		}
	})
	t.Run("no embeddings model", func(t *testing.T) {
		srv := llmtest.New(t)
		_, err := newClient(t, srv, func(c *openai.Config) { c.EmbeddingsModel = "" }).Embed(t.Context(), []string{"a"})
		if !errors.Is(err, llm.ErrUnavailable) {
			t.Errorf("err = %v, want ErrUnavailable", err)
		}
		if n := srv.Calls(llmtest.EmbeddingsPath); n != 0 {
			t.Errorf("%d calls reached the server", n)
		}
	})
	t.Run("fewer vectors than texts", func(t *testing.T) {
		srv := llmtest.New(t, llmtest.WithEmbed(func(llmtest.EmbedRequest) llmtest.Reply {
			return llmtest.Reply{Vectors: [][]float32{{1}}}
		}))
		_, err := newClient(t, srv, nil).Embed(t.Context(), []string{"a", "b"})
		if !errors.Is(err, llm.ErrNoResponse) {
			t.Errorf("err = %v, want ErrNoResponse", err)
		}
	})
	t.Run("server error", func(t *testing.T) {
		srv := llmtest.New(t, llmtest.WithEmbed(func(llmtest.EmbedRequest) llmtest.Reply { return llmtest.Error(404, "model not found") }))
		_, err := newClient(t, srv, nil).Embed(t.Context(), []string{"a"})
		var apiErr *llm.APIError
		if !errors.As(err, &apiErr) || apiErr.Status != 404 {
			t.Errorf("err = %v, want a 404 APIError", err)
		}
	})
}

func dot(a, b []float32) float32 {
	var s float32
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

func TestModels(t *testing.T) {
	srv := llmtest.New(t, llmtest.WithKey(key), llmtest.WithModels("mistral-small", "bge-m3"))
	ids, err := newClient(t, srv, nil).Models(t.Context())
	if err != nil {
		t.Fatalf("Models: %v", err)
	}
	if strings.Join(ids, ",") != "bge-m3,mistral-small" {
		t.Errorf("models = %q", ids)
	}
	if srv.Calls(llmtest.ModelsPath) != 1 {
		t.Errorf("models calls = %d", srv.Calls(llmtest.ModelsPath))
	}
}

func TestNewChecksTheConfiguration(t *testing.T) {
	tests := []struct {
		name string
		cfg  openai.Config
		want string // in the error; "" for success
	}{
		{name: "valid", cfg: openai.Config{BaseURL: "http://localhost:11434/v1", Model: "m"}},
		{name: "no base URL", cfg: openai.Config{Model: "m"}, want: "base URL required"},
		{name: "not a URL", cfg: openai.Config{BaseURL: "localhost:11434", Model: "m"}, want: "want an http or https URL"},
		{name: "credentials in the URL", cfg: openai.Config{BaseURL: "https://user:" + key + "@example.org/v1", Model: "m"}, want: "must not carry credentials"},
		{name: "no model", cfg: openai.Config{BaseURL: "http://localhost/v1"}, want: "chat model required"},
		{name: "negative max tokens", cfg: openai.Config{BaseURL: "http://localhost/v1", Model: "m", MaxTokens: -1}, want: "max tokens"},
		{name: "temperature out of range", cfg: openai.Config{BaseURL: "http://localhost/v1", Model: "m", Temperature: 3}, want: "temperature"},
		{name: "key with a newline", cfg: openai.Config{BaseURL: "http://localhost/v1", Model: "m", APIKey: key + "\n"}, want: "API key contains"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := openai.New(tt.cfg, nil)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("New: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
			if strings.Contains(err.Error(), key) {
				t.Errorf("error shows the key: %v", err)
			}
		})
	}
}

func TestChatWithoutMessages(t *testing.T) {
	srv := llmtest.New(t)
	if _, err := newClient(t, srv, nil).Chat(t.Context(), llm.ChatRequest{}); err == nil {
		t.Error("Chat without messages succeeded")
	}
	if srv.Calls(llmtest.ChatPath) != 0 {
		t.Error("a request without messages was sent")
	}
}

func TestParseRetryAfter(t *testing.T) {
	date := "Sun, 06 Dec 2026 10:00:00 GMT"
	tests := []struct {
		value, date string
		want        time.Duration
	}{
		{"", date, 0},
		{"0", date, 0},
		{"12", "", 12 * time.Second},
		{" 5 ", "", 5 * time.Second},
		{"-3", "", 0},
		{"1.5", "", 0},
		{"99999999999999999999", "", 24 * time.Hour},
		{"Sun, 06 Dec 2026 10:00:45 GMT", date, 45 * time.Second},
		{"Sun, 06 Dec 2026 09:59:00 GMT", date, 0},
		{"Sun, 06 Dec 2026 10:00:45 GMT", "", 0},
		{"soon", date, 0},
	}
	for _, tt := range tests {
		t.Run(tt.value+"/"+tt.date, func(t *testing.T) {
			if got := openai.ParseRetryAfter(tt.value, tt.date); got != tt.want {
				t.Errorf("ParseRetryAfter(%q, %q) = %s, want %s", tt.value, tt.date, got, tt.want)
			}
		})
	}
}
