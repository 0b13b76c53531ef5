package app

import (
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/boussole/boussole/bot/catalog"
	"github.com/boussole/boussole/bot/llm"
	"github.com/boussole/boussole/bot/llm/openai"
)

// Model is the language model an llm section describes: the server's
// client behind its guard (timeouts, one retry after a 429, a circuit
// breaker) and the Assistant the engine asks. One per process.
type Model struct {
	Assistant *llm.Assistant
	Guard     *llm.Guard
	Client    *openai.Client
	// Budget is the model's part of one turn, all calls together.
	Budget time.Duration
	// EmbeddingsModel is the embeddings model when the embeddings
	// feature is on, else "".
	EmbeddingsModel string
}

// ModelDeps are what a Model is built with.
type ModelDeps struct {
	Catalog *catalog.Catalog
	// HTTP is the client calls go through (nil: http.DefaultClient).
	HTTP   *http.Client
	Getenv func(string) string
	Now    func() time.Time
	Log    *slog.Logger
}

// NewModel builds the Model cfg describes; nil cfg gives nil (no model).
func NewModel(cfg *LLMConfig, d ModelDeps) (*Model, error) {
	if cfg == nil {
		return nil, nil
	}
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	key, err := cfg.apiKey(d.Getenv)
	if err != nil {
		return nil, err
	}
	feats := cfg.features()
	emb := ""
	if feats[llm.FeatureEmbeddings] {
		emb = cfg.EmbeddingsModel
	}
	oc := openai.Config{BaseURL: cfg.BaseURL, Model: cfg.Model, EmbeddingsModel: emb, APIKey: key, MaxTokens: cfg.MaxTokens}
	if oc.MaxTokens == 0 {
		oc.MaxTokens = defaultLLMMaxTokens
	}
	if cfg.Temperature != nil {
		oc.Temperature = float32(*cfg.Temperature)
	}
	client, err := openai.New(oc, d.HTTP)
	if err != nil {
		return nil, fmt.Errorf("llm: %w", err)
	}
	timeout := cfg.timeout()
	guard := llm.NewGuard(client, llm.GuardConfig{Timeout: timeout}, d.Now, d.Log)
	words, err := llm.CheckWordsFrom(d.Catalog.Langs(), d.Catalog.Words)
	if err != nil {
		return nil, fmt.Errorf("llm: post-check words: %w", err)
	}
	a, err := llm.NewAssistant(guard, llm.Options{Features: feats, Jurisdictions: cfg.Jurisdictions, Queues: cfg.Queues,
		SendDanger: cfg.SendDanger, Words: words}, d.Log)
	if err != nil {
		return nil, err
	}
	// A call the guard times out counts against the server (its breaker
	// opens on a hanging server); the turn's budget leaves it that time.
	return &Model{Assistant: a, Guard: guard, Client: client, Budget: timeout + timeout/8, EmbeddingsModel: emb}, nil
}
