// Package llm is Boussole's optional use of a language model through any
// OpenAI-compatible server (the French State's Albert API, vLLM, Ollama,
// llama.cpp): it rewrites a message the search is unsure about into a
// short French query, writes a grounded first answer from the items
// retrieved, and summarises a conversation for a mediator.
//
// Boussole never needs it and never trusts it. Every feature falls back
// to what Boussole does without a model when the server is slow, down,
// rate-limited or answers nonsense; a grounded answer is checked against
// the items it cites before anyone reads it (Check); a person's words are
// masked (bot/pii) before anything leaves; prompts and outputs are never
// logged at info level.
//
// The package is provider-neutral: Client is the server, implemented
// with go-openai in bot/llm/openai; the core (bot/engine) sees only the
// Assistant's methods, through its own small interface.
package llm

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Sentinel errors, checked with errors.Is.
var (
	// ErrNoResponse is an answer that cannot be used: no choice, an empty
	// or malformed message, JSON that does not decode.
	ErrNoResponse = errors.New("llm: no usable response")
	// ErrUnavailable is a call not made: the circuit breaker is open
	// after repeated failures, or the turn's budget is spent.
	ErrUnavailable = errors.New("llm: unavailable")
	// ErrRejected is an answer the post-check refused (Check).
	ErrRejected = errors.New("llm: answer rejected")
	// ErrPending is a call recorded for later in a Memo: the caller
	// falls back for now (see Memo).
	ErrPending = errors.New("llm: pending")
)

// Role is who speaks in a chat message.
type Role string

// The roles of the chat completions API.
const (
	RoleSystem    Role = "system"
	RoleUser      Role = "user"
	RoleAssistant Role = "assistant"
)

// Message is one message of a chat.
type Message struct {
	Role    Role
	Content string
}

// ChatRequest is one chat completion. Zero MaxTokens and Temperature
// mean the client's configured values.
type ChatRequest struct {
	Messages    []Message
	MaxTokens   int
	Temperature *float32
	// JSON asks for a JSON object (response_format json_object); servers
	// that ignore it are read all the same.
	JSON bool
}

// ChatResponse is the first choice of a chat completion, with the token
// counts the server reported.
type ChatResponse struct {
	Text             string
	PromptTokens     int
	CompletionTokens int
}

// Client is an OpenAI-compatible server. Implementations own their
// configuration (base URL, model, key) and take an injected *http.Client.
type Client interface {
	// Chat returns the first choice's text, or an error wrapping
	// ErrNoResponse when there is none, or an *APIError.
	Chat(ctx context.Context, req ChatRequest) (ChatResponse, error)
	// Embed returns one vector per text, in order. A client configured
	// without an embeddings model returns an error wrapping
	// ErrUnavailable.
	Embed(ctx context.Context, texts []string) ([][]float32, error)
}

// APIError is an error status from the server.
type APIError struct {
	Status int
	// RetryAfter is the server's Retry-After, if it sent one (429, 503).
	RetryAfter time.Duration
	// Message is the server's error message (never a prompt).
	Message string
}

func (e *APIError) Error() string {
	if e.Message == "" {
		return fmt.Sprintf("llm: server answered %d", e.Status)
	}
	return fmt.Sprintf("llm: server answered %d: %s", e.Status, e.Message)
}

// Feature names one use of the model, as written in the configuration.
type Feature string

// The features an operator turns on.
const (
	FeatureRewrite    Feature = "rewrite"
	FeatureAnswer     Feature = "answer"
	FeatureSummary    Feature = "summary"
	FeatureEmbeddings Feature = "embeddings"
)

// Features lists every feature, in the configuration's order.
func Features() []Feature {
	return []Feature{FeatureRewrite, FeatureAnswer, FeatureSummary, FeatureEmbeddings}
}
