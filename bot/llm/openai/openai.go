// Package openai is llm.Client for any OpenAI-compatible server (the
// Albert API, vLLM, Ollama, llama.cpp, OpenAI itself), built on
// github.com/sashabaranov/go-openai. It owns its configuration and takes
// an injected *http.Client; it turns the library's errors into the
// provider-neutral ones of package llm, with the server's Retry-After,
// and never lets the API key reach an error message.
package openai

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode"

	goopenai "github.com/sashabaranov/go-openai"

	"github.com/boussole/boussole/bot/llm"
)

// Config is the server and the models to use.
type Config struct {
	// BaseURL is the API root, /v1 included
	// ("https://albert.api.etalab.gouv.fr/v1", "http://localhost:11434/v1").
	BaseURL string
	// Model is the chat model.
	Model string
	// EmbeddingsModel is the embeddings model; empty turns Embed off.
	EmbeddingsModel string
	// APIKey is sent as a bearer token; empty sends none (local servers).
	APIKey string
	// MaxTokens bounds an answer when the request sets none; 0 leaves it
	// to the server.
	MaxTokens int
	// Temperature is used when the request sets none. 0 is sent as 0
	// (as deterministic as the server allows), not as "server default".
	Temperature float32
}

// Client is an OpenAI-compatible server. It is safe for concurrent use.
type Client struct {
	api   *goopenai.Client
	cfg   Config
	model string
}

var _ llm.Client = (*Client)(nil)

// New checks cfg and returns a client sending its requests through hc
// (http.DefaultClient if nil).
func New(cfg Config, hc *http.Client) (*Client, error) {
	cfg.BaseURL = strings.TrimSpace(cfg.BaseURL)
	cfg.Model = strings.TrimSpace(cfg.Model)
	cfg.EmbeddingsModel = strings.TrimSpace(cfg.EmbeddingsModel)
	if cfg.BaseURL == "" {
		return nil, errors.New("openai: base URL required (the API root with /v1, e.g. http://localhost:11434/v1)")
	}
	u, err := url.Parse(cfg.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("openai: base URL %q: want an http or https URL such as https://albert.api.etalab.gouv.fr/v1", redactURL(cfg.BaseURL))
	}
	if u.User != nil {
		return nil, errors.New("openai: base URL must not carry credentials: set the API key instead")
	}
	if cfg.Model == "" {
		return nil, errors.New("openai: chat model required")
	}
	if cfg.MaxTokens < 0 {
		return nil, fmt.Errorf("openai: max tokens %d: want 0 (server default) or more", cfg.MaxTokens)
	}
	if cfg.Temperature < 0 || cfg.Temperature > 2 || math.IsNaN(float64(cfg.Temperature)) {
		return nil, fmt.Errorf("openai: temperature %v: want a value between 0 and 2", cfg.Temperature)
	}
	if strings.ContainsFunc(cfg.APIKey, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) {
		// Never print the key, not even part of it.
		return nil, errors.New("openai: API key contains spaces or control characters (check the environment variable)")
	}
	if hc == nil {
		hc = http.DefaultClient
	}
	oc := goopenai.DefaultConfig(cfg.APIKey)
	oc.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	oc.HTTPClient = doer{hc}
	return &Client{api: goopenai.NewClientWithConfig(oc), cfg: cfg, model: cfg.Model}, nil
}

// Chat sends req and returns the first choice's text, trimmed.
func (c *Client) Chat(ctx context.Context, req llm.ChatRequest) (llm.ChatResponse, error) {
	if len(req.Messages) == 0 {
		return llm.ChatResponse{}, errors.New("openai chat: no messages")
	}
	creq := goopenai.ChatCompletionRequest{
		Model:       c.model,
		Messages:    make([]goopenai.ChatCompletionMessage, 0, len(req.Messages)),
		Temperature: c.cfg.Temperature,
	}
	for _, m := range req.Messages {
		creq.Messages = append(creq.Messages, goopenai.ChatCompletionMessage{Role: string(m.Role), Content: m.Content})
	}
	maxTokens := c.cfg.MaxTokens
	if req.MaxTokens > 0 {
		maxTokens = req.MaxTokens
	}
	//lint:ignore SA1019 max_tokens is the name every OpenAI-compatible server reads (vLLM, Ollama, llama.cpp, Albert); max_completion_tokens is OpenAI's newer one.
	creq.MaxTokens = maxTokens
	if req.Temperature != nil {
		creq.Temperature = *req.Temperature
	}
	// go-openai omits a zero temperature, which servers read as their
	// default (often 0.7 or 1): the smallest positive float is sent instead.
	if creq.Temperature == 0 {
		creq.Temperature = math.SmallestNonzeroFloat32
	}
	if req.JSON {
		creq.ResponseFormat = &goopenai.ChatCompletionResponseFormat{Type: goopenai.ChatCompletionResponseFormatTypeJSONObject}
	}
	// go-openai refuses max_tokens and a temperature for OpenAI's
	// reasoning models by name: those get max_completion_tokens and the
	// server's sampling.
	if goopenai.NewReasoningValidator().Validate(creq) != nil {
		//lint:ignore SA1019 cleared for the models that refuse it.
		creq.MaxTokens = 0
		creq.MaxCompletionTokens, creq.Temperature = maxTokens, 0
	}

	ctx, got := withSink(ctx)
	resp, err := c.api.CreateChatCompletion(ctx, creq)
	if err != nil {
		return llm.ChatResponse{}, c.convert(ctx, "chat", got, err)
	}
	if len(resp.Choices) == 0 {
		return llm.ChatResponse{}, fmt.Errorf("openai chat: no choices: %w", llm.ErrNoResponse)
	}
	text := strings.TrimSpace(resp.Choices[0].Message.Content)
	if text == "" {
		return llm.ChatResponse{}, fmt.Errorf("openai chat: empty message (finish reason %q): %w", resp.Choices[0].FinishReason, llm.ErrNoResponse)
	}
	return llm.ChatResponse{
		Text:             text,
		PromptTokens:     resp.Usage.PromptTokens,
		CompletionTokens: resp.Usage.CompletionTokens,
	}, nil
}

// Embed returns one vector per text, in the order of texts.
func (c *Client) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	if c.cfg.EmbeddingsModel == "" {
		return nil, fmt.Errorf("openai embed: no embeddings model configured: %w", llm.ErrUnavailable)
	}
	if len(texts) == 0 {
		return nil, nil
	}
	ctx, got := withSink(ctx)
	resp, err := c.api.CreateEmbeddings(ctx, goopenai.EmbeddingRequestStrings{
		Input: texts,
		Model: goopenai.EmbeddingModel(c.cfg.EmbeddingsModel),
	})
	if err != nil {
		return nil, c.convert(ctx, "embed", got, err)
	}
	if len(resp.Data) != len(texts) {
		return nil, fmt.Errorf("openai embed: %d vectors for %d texts: %w", len(resp.Data), len(texts), llm.ErrNoResponse)
	}
	// The API promises an index per vector, not an order.
	out := make([][]float32, len(texts))
	dims := -1
	for _, d := range resp.Data {
		if d.Index < 0 || d.Index >= len(texts) || out[d.Index] != nil {
			return nil, fmt.Errorf("openai embed: bad or repeated index %d: %w", d.Index, llm.ErrNoResponse)
		}
		if len(d.Embedding) == 0 || (dims >= 0 && len(d.Embedding) != dims) {
			return nil, fmt.Errorf("openai embed: vector %d has %d dimensions: %w", d.Index, len(d.Embedding), llm.ErrNoResponse)
		}
		dims = len(d.Embedding)
		out[d.Index] = d.Embedding
	}
	return out, nil
}

// Models lists the models the server offers (GET /models): a cheap call
// for a readiness check.
func (c *Client) Models(ctx context.Context) ([]string, error) {
	ctx, got := withSink(ctx)
	list, err := c.api.ListModels(ctx)
	if err != nil {
		return nil, c.convert(ctx, "models", got, err)
	}
	ids := make([]string, 0, len(list.Models))
	for _, m := range list.Models {
		ids = append(ids, m.ID)
	}
	slices.Sort(ids)
	return ids, nil
}

// maxMessage bounds the server's error message kept in an llm.APIError:
// some servers echo part of the request in it.
const maxMessage = 200

// convert turns go-openai's errors into package llm's: *llm.APIError for
// an error status, ErrNoResponse for a body that does not decode, the
// context's error when it ended, and never the API key.
func (c *Client) convert(ctx context.Context, op string, got *sink, err error) error {
	var out error
	var apiErr *goopenai.APIError
	var reqErr *goopenai.RequestError
	switch {
	case errors.As(err, &apiErr) && apiErr.HTTPStatusCode > 0:
		out = &llm.APIError{Status: apiErr.HTTPStatusCode, RetryAfter: got.retryAfter(), Message: clip(apiErr.Message)}
	case errors.As(err, &reqErr) && reqErr.HTTPStatusCode > 0:
		// Not an OpenAI error body (a proxy's HTML page, say): the status
		// is all that is worth keeping.
		out = &llm.APIError{Status: reqErr.HTTPStatusCode, RetryAfter: got.retryAfter()}
	case ctx.Err() != nil && !errors.Is(err, ctx.Err()):
		out = fmt.Errorf("openai %s: %w (%w)", op, ctx.Err(), err)
	case ctx.Err() != nil:
		out = fmt.Errorf("openai %s: %w", op, err)
	case got.status >= 200 && got.status < 300:
		out = fmt.Errorf("openai %s: decode response: %w (%w)", op, llm.ErrNoResponse, err)
	case got.status >= 400:
		out = &llm.APIError{Status: got.status, RetryAfter: got.retryAfter()}
	default:
		out = fmt.Errorf("openai %s: %w", op, err)
	}
	return redact(out, c.cfg.APIKey)
}

func clip(s string) string {
	s = strings.TrimSpace(s)
	if len(s) <= maxMessage {
		return s
	}
	cut := maxMessage
	for cut > 0 && s[cut]&0xC0 == 0x80 { // do not split a UTF-8 sequence
		cut--
	}
	return s[:cut] + "…"
}

// redactedError hides the key in err's message and keeps err for
// errors.Is and errors.As.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

func redact(err error, key string) error {
	if key == "" || !strings.Contains(err.Error(), key) {
		return err
	}
	var apiErr *llm.APIError
	if errors.As(err, &apiErr) && err == error(apiErr) {
		safe := *apiErr
		safe.Message = strings.ReplaceAll(safe.Message, key, "[redacted]")
		return &safe
	}
	return &redactedError{msg: strings.ReplaceAll(err.Error(), key, "[redacted]"), err: err}
}

// redactURL drops credentials from a URL shown in an error.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.User == nil {
		return s
	}
	u.User = nil
	return u.String()
}

// doer sends go-openai's requests and leaves the status and Retry-After
// of each response in the sink its request's context carries: go-openai
// keeps no headers on its errors. One sink per call keeps concurrent
// calls apart.
type doer struct{ hc *http.Client }

func (d doer) Do(req *http.Request) (*http.Response, error) {
	resp, err := d.hc.Do(req)
	if err == nil {
		if s, ok := req.Context().Value(sinkKey{}).(*sink); ok {
			s.status = resp.StatusCode
			s.retry = resp.Header.Get("Retry-After")
			s.date = resp.Header.Get("Date")
		}
	}
	return resp, err
}

type sinkKey struct{}

// sink is written by doer and read by the same call once go-openai has
// returned, so it needs no lock.
type sink struct {
	status      int
	retry, date string
}

func withSink(ctx context.Context) (context.Context, *sink) {
	s := &sink{}
	return context.WithValue(ctx, sinkKey{}, s), s
}

func (s *sink) retryAfter() time.Duration {
	return ParseRetryAfter(s.retry, s.date)
}

// ParseRetryAfter reads a Retry-After header: a number of seconds, or an
// HTTP date measured against the same response's Date header (the
// server's own clock, so no skew; without Date, a date is ignored).
// Anything else, or a time in the past, is 0.
func ParseRetryAfter(retryAfter, date string) time.Duration {
	v := strings.TrimSpace(retryAfter)
	if v == "" {
		return 0
	}
	if n, ok := seconds(v); ok {
		return n
	}
	at, err := http.ParseTime(v)
	if err != nil {
		return 0
	}
	now, err := http.ParseTime(strings.TrimSpace(date))
	if err != nil {
		return 0
	}
	return max(at.Sub(now), 0)
}

// maxRetryAfter caps a server's figure: a day is already "not today".
const maxRetryAfter = 24 * time.Hour

func seconds(v string) (time.Duration, bool) {
	var n int64
	for _, r := range v {
		if r < '0' || r > '9' {
			return 0, false
		}
		n = n*10 + int64(r-'0')
		if n > int64(maxRetryAfter/time.Second) {
			return maxRetryAfter, true
		}
	}
	return time.Duration(n) * time.Second, true
}
