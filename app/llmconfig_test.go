package app

import (
	"strings"
	"testing"
)

// The llm section is checked key by key; without it there is no model.
func TestLLMConfigIsValidated(t *testing.T) {
	ok := func() *LLMConfig {
		return &LLMConfig{BaseURL: "http://127.0.0.1:11434/v1", Model: "m", Features: []string{"rewrite", "answer", "summary"}}
	}
	hot := 2.5
	for name, tc := range map[string]struct {
		edit func(c *LLMConfig)
		want string
	}{
		"fine":             {func(*LLMConfig) {}, ""},
		"no url":           {func(c *LLMConfig) { c.BaseURL = "" }, "llm.base_url: required"},
		"not http":         {func(c *LLMConfig) { c.BaseURL = "ftp://x/v1" }, "llm.base_url: \"ftp://x/v1\" is not an http(s) URL"},
		"key in url":       {func(c *LLMConfig) { c.BaseURL = "https://me:secret@albert.example/v1" }, "no credentials in the URL"},
		"no model":         {func(c *LLMConfig) { c.Model = " " }, "llm.model: required"},
		"key not a name":   {func(c *LLMConfig) { c.APIKeyEnv = "sk-12345 secret" }, "llm.api_key_env: must be the name of an environment variable"},
		"bad timeout":      {func(c *LLMConfig) { c.Timeout = "4" }, "llm.timeout: \"4\""},
		"too many tokens":  {func(c *LLMConfig) { c.MaxTokens = 100000 }, "llm.max_tokens: 100000"},
		"hot":              {func(c *LLMConfig) { c.Temperature = &hot }, "llm.temperature: 2.5"},
		"unknown feature":  {func(c *LLMConfig) { c.Features = append(c.Features, "chat") }, "llm.features[3]: unknown feature \"chat\" (possible: rewrite, answer, summary, embeddings)"},
		"embeddings model": {func(c *LLMConfig) { c.Features = []string{"embeddings"} }, "llm.embeddings_model: the embeddings feature needs"},
		"embeddings off":   {func(c *LLMConfig) { c.EmbeddingsModel = "bge-m3" }, "llm.embeddings_model: set, but embeddings is not in llm.features"},
		"jurisdiction":     {func(c *LLMConfig) { c.Jurisdictions = map[string]bool{"quebec": false} }, "llm.jurisdictions.quebec: not a code"},
		"queue":            {func(c *LLMConfig) { c.Queues = map[string]bool{"logement": false} }, "llm.queues.logement: no such mediation queue (configured: default)"},
	} {
		t.Run(name, func(t *testing.T) {
			cfg := Default()
			cfg.LLM = ok()
			tc.edit(cfg.LLM)
			err := cfg.Validate([]string{"console"})
			switch {
			case tc.want == "" && err != nil:
				t.Fatal(err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("error = %v, want %q", err, tc.want)
			case err != nil && strings.Contains(err.Error(), "sk-12345"):
				t.Fatalf("a pasted key is repeated: %v", err)
			}
		})
	}
}

// The key comes from the environment only, and a named variable that is
// unset stops the start with its name, never a value.
func TestLLMKeyFromTheEnvironment(t *testing.T) {
	c := &LLMConfig{APIKeyEnv: "ALBERT_KEY"}
	env := map[string]string{"ALBERT_KEY": "sk-test"}
	if k, err := c.apiKey(func(n string) string { return env[n] }); err != nil || k != "sk-test" {
		t.Fatalf("key = %q, %v", k, err)
	}
	_, err := c.apiKey(func(string) string { return "" })
	if err == nil || !strings.Contains(err.Error(), "ALBERT_KEY is not set") {
		t.Fatalf("error = %v", err)
	}
	if k, err := (&LLMConfig{}).apiKey(nil); err != nil || k != "" {
		t.Fatalf("no key variable: %q, %v", k, err)
	}
}
