// Package llmtest is a fake OpenAI-compatible server for tests: a real
// HTTP server on 127.0.0.1 (httptest) speaking the wire format of
// POST /v1/chat/completions, POST /v1/embeddings and GET /v1/models, so
// that a client, its error handling and its timeouts are tested end to
// end without a model.
//
// Each test scripts the server: a ChatHandler receives the decoded
// request (model, messages, max_tokens, response_format) and returns a
// Reply, built with the helpers for the usual behaviours (Text,
// Error, RateLimited, ServerError, Hang, Malformed, NoChoices) or
// played in order with Sequence. Embeddings come from an EmbedHandler;
// the default, HashEmbed, gives a deterministic bag-of-words vector so
// that retrieval tests see meaningful similarities.
//
// The server records every request body, raw, so a test can check that
// nothing personal left (Sent), and counts the calls per endpoint
// (Calls): a test proves a call was not made by a count that did not
// move. With a key set (WithKey) it answers 401 with an OpenAI error
// body to any other bearer token. It is safe for concurrent use.
//
//	srv := llmtest.New(t, llmtest.WithChat(func(r llmtest.ChatRequest) llmtest.Reply {
//		return llmtest.Text(`{"query":"carte vitale"}`, 12, 5)
//	}))
//	c, _ := openai.New(openai.Config{BaseURL: srv.BaseURL(), Model: "m"}, srv.Client())
package llmtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// The endpoints, as counted by Calls.
const (
	ChatPath       = "/v1/chat/completions"
	EmbeddingsPath = "/v1/embeddings"
	ModelsPath     = "/v1/models"
)

// Message is one chat message as sent.
type Message struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

// ChatRequest is a decoded POST /v1/chat/completions body.
type ChatRequest struct {
	Model               string    `json:"model"`
	Messages            []Message `json:"messages"`
	MaxTokens           int       `json:"max_tokens"`
	MaxCompletionTokens int       `json:"max_completion_tokens"`
	Temperature         *float64  `json:"temperature"`
	ResponseFormat      *struct {
		Type string `json:"type"`
	} `json:"response_format"`
	// Raw is the body as received.
	Raw []byte `json:"-"`
}

// JSON reports whether the request asked for a JSON object
// (response_format json_object).
func (r ChatRequest) JSON() bool {
	return r.ResponseFormat != nil && r.ResponseFormat.Type == "json_object"
}

// EmbedRequest is a decoded POST /v1/embeddings body.
type EmbedRequest struct {
	Model string
	Input []string
	Raw   []byte
}

// Reply is what the server answers. The zero Reply is a 200 with an
// empty message.
type Reply struct {
	// Status is the HTTP status; 0 is 200.
	Status int
	// Header is added to the response (Retry-After, say).
	Header http.Header
	// Body, when set, is written as is instead of a JSON answer.
	Body []byte
	// Text and the token counts make a chat completion.
	Text                           string
	PromptTokens, CompletionTokens int
	// NoChoices answers a chat completion with "choices": [].
	NoChoices bool
	// Vectors make an embeddings answer, one per input.
	Vectors [][]float32
	// Reverse lists the embeddings last index first: the API promises an
	// index per vector, not an order.
	Reverse bool
	// Hang blocks until the client gives up (its context ends) or the
	// server closes, then answers nothing.
	Hang bool
}

// Text is a chat completion answering text, with the token counts.
func Text(text string, promptTokens, completionTokens int) Reply {
	return Reply{Text: text, PromptTokens: promptTokens, CompletionTokens: completionTokens}
}

// Error is an OpenAI-style JSON error body with status.
func Error(status int, message string) Reply {
	typ := "invalid_request_error"
	if status >= 500 {
		typ = "server_error"
	}
	b, _ := json.Marshal(map[string]any{"error": map[string]any{"message": message, "type": typ, "param": nil, "code": nil}})
	return Reply{Status: status, Body: b, Header: http.Header{"Content-Type": {"application/json"}}}
}

// RateLimited is a 429 with a JSON error body and Retry-After set to
// retryAfter (seconds, or an HTTP date), unless empty.
func RateLimited(retryAfter string) Reply {
	r := Error(http.StatusTooManyRequests, "Rate limit reached, please retry later")
	if retryAfter != "" {
		r.Header.Set("Retry-After", retryAfter)
	}
	return r
}

// ServerError is a 500 with a JSON error body.
func ServerError() Reply {
	return Error(http.StatusInternalServerError, "The server had an error while processing your request")
}

// Hang never answers: the request waits until the client gives up.
func Hang() Reply { return Reply{Hang: true} }

// Malformed is a 200 whose body is not JSON.
func Malformed() Reply {
	return Reply{Body: []byte(`{"id": "chatcmpl-1", "choices": [{"message": {"content": "tronq`), Header: http.Header{"Content-Type": {"application/json"}}}
}

// NoChoices is a well-formed chat completion with no choice.
func NoChoices() Reply { return Reply{NoChoices: true} }

// ChatHandler scripts the chat endpoint.
type ChatHandler func(ChatRequest) Reply

// EmbedHandler scripts the embeddings endpoint.
type EmbedHandler func(EmbedRequest) Reply

// Always answers every request with r.
func Always(r Reply) ChatHandler { return func(ChatRequest) Reply { return r } }

// Sequence answers the n-th request with replies[n], and the last reply
// once they are used up.
func Sequence(replies ...Reply) ChatHandler {
	var mu sync.Mutex
	n := 0
	return func(ChatRequest) Reply {
		mu.Lock()
		defer mu.Unlock()
		if len(replies) == 0 {
			return Error(http.StatusInternalServerError, "llmtest: empty sequence")
		}
		r := replies[min(n, len(replies)-1)]
		n++
		return r
	}
}

// EmbedWith answers each input with fn(input), in order.
func EmbedWith(fn func(string) []float32) EmbedHandler {
	return func(r EmbedRequest) Reply {
		vs := make([][]float32, len(r.Input))
		for i, s := range r.Input {
			vs[i] = fn(s)
		}
		return Reply{Vectors: vs}
	}
}

// Option configures a Server.
type Option func(*Server)

// WithKey makes the server require "Authorization: Bearer key".
func WithKey(key string) Option { return func(s *Server) { s.key = key } }

// WithChat scripts the chat endpoint.
func WithChat(h ChatHandler) Option { return func(s *Server) { s.chat = h } }

// WithEmbed scripts the embeddings endpoint (default
// EmbedWith(HashEmbed(64))).
func WithEmbed(h EmbedHandler) Option { return func(s *Server) { s.embed = h } }

// WithModels sets the models GET /v1/models lists (default
// "llmtest-chat" and "llmtest-embed").
func WithModels(ids ...string) Option { return func(s *Server) { s.models = ids } }

// Request is one recorded request.
type Request struct {
	Method, Path string
	Body         []byte
}

// Server is a fake OpenAI-compatible server.
type Server struct {
	srv     *httptest.Server
	closing chan struct{}
	once    sync.Once

	mu       sync.Mutex
	key      string
	chat     ChatHandler
	embed    EmbedHandler
	models   []string
	requests []Request
	calls    map[string]int
}

// New starts a server, closed when the test ends. Without WithChat, chat
// requests get a 500 saying no handler was scripted.
func New(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s := &Server{
		closing: make(chan struct{}),
		embed:   EmbedWith(HashEmbed(64)),
		models:  []string{"llmtest-chat", "llmtest-embed"},
		calls:   map[string]int{},
	}
	for _, o := range opts {
		o(s)
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

// BaseURL is the API root, /v1 included, as a client's configuration
// wants it.
func (s *Server) BaseURL() string { return s.srv.URL + "/v1" }

// Client is an *http.Client for the server.
func (s *Server) Client() *http.Client { return s.srv.Client() }

// Close releases hanging requests and stops the server. It may be
// called more than once.
func (s *Server) Close() {
	s.once.Do(func() {
		close(s.closing)
		s.srv.Close()
	})
}

// SetChat replaces the chat script.
func (s *Server) SetChat(h ChatHandler) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.chat = h
}

// SetEmbed replaces the embeddings script.
func (s *Server) SetEmbed(h EmbedHandler) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.embed = h
}

// Calls counts the requests that reached path (ChatPath,
// EmbeddingsPath, ModelsPath), refused ones included.
func (s *Server) Calls(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[path]
}

// Requests returns every request received, in order, bodies copied.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Request, len(s.requests))
	for i, r := range s.requests {
		out[i] = Request{Method: r.Method, Path: r.Path, Body: bytes.Clone(r.Body)}
	}
	return out
}

// Sent reports whether any request carried text, either in its raw
// body or in a string of its decoded JSON (which undoes escapes such as
// \u003c): a test asserts that a name or a phone number never left.
func (s *Server) Sent(text string) bool {
	for _, r := range s.Requests() {
		if bytes.Contains(r.Body, []byte(text)) {
			return true
		}
		var v any
		if json.Unmarshal(r.Body, &v) == nil && containsString(v, text) {
			return true
		}
	}
	return false
}

func containsString(v any, text string) bool {
	switch v := v.(type) {
	case string:
		return strings.Contains(v, text)
	case []any:
		for _, e := range v {
			if containsString(e, text) {
				return true
			}
		}
	case map[string]any:
		for k, e := range v {
			if strings.Contains(k, text) || containsString(e, text) {
				return true
			}
		}
	}
	return false
}

// maxBody bounds a request body read by the fake.
const maxBody = 8 << 20

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody))
	if err != nil {
		writeReply(w, Error(http.StatusBadRequest, "llmtest: reading body: "+err.Error()))
		return
	}
	s.mu.Lock()
	s.requests = append(s.requests, Request{Method: r.Method, Path: r.URL.Path, Body: body})
	s.calls[r.URL.Path]++
	key, chat, embed, models := s.key, s.chat, s.embed, s.models
	s.mu.Unlock()

	if key != "" && r.Header.Get("Authorization") != "Bearer "+key {
		// As OpenAI words it, without echoing what was sent.
		writeReply(w, Reply{
			Status: http.StatusUnauthorized,
			Header: http.Header{"Content-Type": {"application/json"}},
			Body:   []byte(`{"error":{"message":"Incorrect API key provided.","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}`),
		})
		return
	}
	var want string
	switch r.URL.Path {
	case ChatPath, EmbeddingsPath:
		want = http.MethodPost
	case ModelsPath:
		want = http.MethodGet
	default:
		writeReply(w, Error(http.StatusNotFound, fmt.Sprintf("llmtest: unknown endpoint %s", r.URL.Path)))
		return
	}
	if r.Method != want {
		writeReply(w, Error(http.StatusMethodNotAllowed, fmt.Sprintf("llmtest: %s wants %s", r.URL.Path, want)))
		return
	}

	switch r.URL.Path {
	case ModelsPath:
		data := make([]map[string]any, len(models))
		for i, id := range models {
			data[i] = map[string]any{"id": id, "object": "model", "created": 0, "owned_by": "llmtest"}
		}
		writeJSON(w, http.StatusOK, map[string]any{"object": "list", "data": data})
	case ChatPath:
		var req ChatRequest
		if err := json.Unmarshal(body, &req); err != nil {
			writeReply(w, Error(http.StatusBadRequest, "llmtest: chat request is not JSON: "+err.Error()))
			return
		}
		if req.Model == "" || len(req.Messages) == 0 {
			writeReply(w, Error(http.StatusBadRequest, "llmtest: chat request wants a model and messages"))
			return
		}
		req.Raw = body
		if chat == nil {
			writeReply(w, Error(http.StatusInternalServerError, "llmtest: no chat handler scripted"))
			return
		}
		s.answer(w, r, chat(req), func(rep Reply) any { return chatBody(req.Model, rep) })
	case EmbeddingsPath:
		req, err := decodeEmbed(body)
		if err != nil {
			writeReply(w, Error(http.StatusBadRequest, "llmtest: "+err.Error()))
			return
		}
		s.answer(w, r, embed(req), func(rep Reply) any { return embedBody(req.Model, rep) })
	}
}

// answer writes rep, or build(rep) when rep has no body of its own.
func (s *Server) answer(w http.ResponseWriter, r *http.Request, rep Reply, build func(Reply) any) {
	if rep.Hang {
		select {
		case <-r.Context().Done():
		case <-s.closing:
		}
		return
	}
	if rep.Body == nil && (rep.Status == 0 || rep.Status == http.StatusOK) {
		b, err := json.Marshal(build(rep))
		if err != nil {
			writeReply(w, Error(http.StatusInternalServerError, "llmtest: "+err.Error()))
			return
		}
		rep.Body = b
		rep.Header = rep.Header.Clone() // a scripted Reply may be shared
		if rep.Header == nil {
			rep.Header = http.Header{}
		}
		rep.Header.Set("Content-Type", "application/json")
	}
	writeReply(w, rep)
}

func writeReply(w http.ResponseWriter, rep Reply) {
	for k, vs := range rep.Header {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	status := rep.Status
	if status == 0 {
		status = http.StatusOK
	}
	w.WriteHeader(status)
	_, _ = w.Write(rep.Body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"error":{"message":"llmtest: encoding","type":"server_error"}}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func chatBody(model string, rep Reply) any {
	choices := []any{}
	if !rep.NoChoices {
		choices = append(choices, map[string]any{
			"index":         0,
			"message":       map[string]any{"role": "assistant", "content": rep.Text},
			"finish_reason": "stop",
		})
	}
	return map[string]any{
		"id":      "chatcmpl-llmtest",
		"object":  "chat.completion",
		"created": 0,
		"model":   model,
		"choices": choices,
		"usage": map[string]any{
			"prompt_tokens":     rep.PromptTokens,
			"completion_tokens": rep.CompletionTokens,
			"total_tokens":      rep.PromptTokens + rep.CompletionTokens,
		},
	}
}

func embedBody(model string, rep Reply) any {
	data := make([]any, len(rep.Vectors))
	for i, v := range rep.Vectors {
		at := i
		if rep.Reverse {
			at = len(rep.Vectors) - 1 - i
		}
		if v == nil {
			v = []float32{}
		}
		data[at] = map[string]any{"object": "embedding", "index": i, "embedding": v}
	}
	return map[string]any{"object": "list", "data": data, "model": model, "usage": map[string]any{"prompt_tokens": 0, "total_tokens": 0}}
}

// decodeEmbed reads an embeddings body; input is a string or a list of
// strings, as the API allows.
func decodeEmbed(body []byte) (EmbedRequest, error) {
	var raw struct {
		Model string          `json:"model"`
		Input json.RawMessage `json:"input"`
	}
	if err := json.Unmarshal(body, &raw); err != nil {
		return EmbedRequest{}, fmt.Errorf("embeddings request is not JSON: %w", err)
	}
	if raw.Model == "" {
		return EmbedRequest{}, fmt.Errorf("embeddings request wants a model")
	}
	req := EmbedRequest{Model: raw.Model, Raw: body}
	var one string
	if err := json.Unmarshal(raw.Input, &one); err == nil {
		req.Input = []string{one}
		return req, nil
	}
	if err := json.Unmarshal(raw.Input, &req.Input); err != nil || len(req.Input) == 0 {
		return EmbedRequest{}, fmt.Errorf("embeddings input wants a string or a non-empty list of strings")
	}
	return req, nil
}
