package app

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/boussole/boussole/bot/llm"
	"github.com/boussole/boussole/bot/mediation"
	"github.com/boussole/boussole/internal/envname"
)

// LLMConfig is the optional language model, through any OpenAI-compatible
// server (Albert API, vLLM, Ollama, llama.cpp). Without the section
// Boussole uses none; with it, each feature falls back to Boussole's own
// behaviour whenever the server is slow, down or talks nonsense.
type LLMConfig struct {
	// BaseURL is the server's API root, e.g. http://127.0.0.1:11434/v1.
	BaseURL string `yaml:"base_url"`
	Model   string `yaml:"model"`
	// APIKeyEnv names the environment variable holding the API key (the
	// key itself never goes in the file); "" for servers without one.
	APIKeyEnv string `yaml:"api_key_env"`
	// Timeout bounds each call to the server (default 4s); a turn waits
	// for the model at most 1.125× it, all its calls together.
	Timeout     string   `yaml:"timeout"`
	MaxTokens   int      `yaml:"max_tokens"`
	Temperature *float64 `yaml:"temperature"`
	// EmbeddingsModel turns on retrieval with embeddings (the
	// "embeddings" feature) when the server offers /v1/embeddings.
	EmbeddingsModel string `yaml:"embeddings_model"`
	// Features on: rewrite, answer, summary, embeddings.
	Features []string `yaml:"features"`
	// Jurisdictions turns the model off (false) or on by jurisdiction;
	// unlisted ones follow Features.
	Jurisdictions map[string]bool `yaml:"jurisdictions"`
	// Queues turns the mediators' summary off (false) by queue.
	Queues map[string]bool `yaml:"queues"`
	// SendDanger lets messages the danger layer recognised reach the
	// model in a mediator's summary. Off: they never leave.
	SendDanger bool `yaml:"send_danger"`
}

// Default values of the llm section.
const (
	defaultLLMTimeout   = 4 * time.Second
	defaultLLMMaxTokens = 400
	maxLLMTokens        = 8192
)

// timeout is the configured timeout, or the default.
func (c *LLMConfig) timeout() time.Duration {
	d, err := time.ParseDuration(c.Timeout)
	if err != nil || d <= 0 {
		return defaultLLMTimeout
	}
	return d
}

// features is the set of features on.
func (c *LLMConfig) features() map[llm.Feature]bool {
	on := map[llm.Feature]bool{}
	for _, f := range c.Features {
		on[llm.Feature(f)] = true
	}
	return on
}

// validate reports every bad value of the section, each naming its key;
// queues are the mediation queues configured.
func (c *LLMConfig) validate(queues map[string]QueueConfig) error {
	if c == nil {
		return nil
	}
	var errs []error
	if c.BaseURL == "" {
		errs = append(errs, errors.New("llm.base_url: required (the OpenAI-compatible server's API root, e.g. http://127.0.0.1:11434/v1); remove the llm section to run without a model"))
	} else if u, err := url.Parse(c.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		errs = append(errs, fmt.Errorf("llm.base_url: %q is not an http(s) URL", c.BaseURL))
	} else if u.User != nil {
		errs = append(errs, errors.New("llm.base_url: no credentials in the URL: put the key in the environment variable named by llm.api_key_env"))
	}
	if strings.TrimSpace(c.Model) == "" {
		errs = append(errs, errors.New("llm.model: required (the model's name on the server)"))
	}
	if c.APIKeyEnv != "" {
		// The adapters' check: a pasted key is refused and never repeated.
		errs = append(errs, envname.Check("llm.api_key_env", c.APIKeyEnv))
	}
	if c.Timeout != "" {
		if d, err := time.ParseDuration(c.Timeout); err != nil || d <= 0 || d > time.Minute {
			errs = append(errs, fmt.Errorf("llm.timeout: %q is not a duration between 0 and 1m (e.g. 4s)", c.Timeout))
		}
	}
	if c.MaxTokens < 0 || c.MaxTokens > maxLLMTokens {
		errs = append(errs, fmt.Errorf("llm.max_tokens: %d must be between 1 and %d (0: %d)", c.MaxTokens, maxLLMTokens, defaultLLMMaxTokens))
	}
	if c.Temperature != nil && (*c.Temperature < 0 || *c.Temperature > 2) {
		errs = append(errs, fmt.Errorf("llm.temperature: %g must be between 0 and 2", *c.Temperature))
	}
	var known []string
	for _, f := range llm.Features() {
		known = append(known, string(f))
	}
	for i, f := range c.Features {
		if !slices.Contains(known, f) {
			errs = append(errs, fmt.Errorf("llm.features[%d]: unknown feature %q (possible: %s)", i, f, strings.Join(known, ", ")))
		}
	}
	if c.features()[llm.FeatureEmbeddings] && c.EmbeddingsModel == "" {
		errs = append(errs, errors.New("llm.embeddings_model: the embeddings feature needs the server's embeddings model"))
	}
	if !c.features()[llm.FeatureEmbeddings] && c.EmbeddingsModel != "" {
		errs = append(errs, errors.New("llm.embeddings_model: set, but embeddings is not in llm.features (add it, or remove the model)"))
	}
	for j := range c.Jurisdictions {
		if !jurisdictionCode(j) {
			errs = append(errs, fmt.Errorf("llm.jurisdictions.%s: not a code such as FR or QC (upper case)", j))
		}
	}
	for q := range c.Queues {
		if _, ok := queues[q]; !ok && q != mediation.DefaultQueue {
			var names []string
			for n := range queues {
				names = append(names, n)
			}
			slices.Sort(names)
			errs = append(errs, fmt.Errorf("llm.queues.%s: no such mediation queue (configured: %s)", q, strings.Join(append([]string{mediation.DefaultQueue}, names...), ", ")))
		}
	}
	return errors.Join(errs...)
}

// apiKey reads the key from the environment variable the section names.
// A named variable that is unset is an error: a server that needs a key
// would refuse every call, and the operator would see only fallbacks.
func (c *LLMConfig) apiKey(getenv func(string) string) (string, error) {
	if c.APIKeyEnv == "" {
		return "", nil
	}
	k := getenv(c.APIKeyEnv)
	if k == "" {
		return "", fmt.Errorf("llm.api_key_env: the environment variable %s is not set", c.APIKeyEnv)
	}
	return k, nil
}
