package mattermost

import (
	"strings"
	"testing"
	"time"

	"github.com/boussole/boussole/adapters/internal/settingstest"
	"github.com/boussole/boussole/bot/catalog"
)

func TestSettingsValidate(t *testing.T) {
	on := DefaultSettings()
	on.Enabled, on.URL = true, "https://chat.example.org"
	cases := map[string]struct {
		s    func(Settings) Settings
		want []string // each in the error; none: valid
	}{
		"enabled":          {func(s Settings) Settings { return s }, nil},
		"disabled":         {func(s Settings) Settings { s.Enabled, s.URL, s.TokenEnv = false, "", ""; return s }, nil},
		"no public url":    {func(s Settings) Settings { s.PublicURL = ""; return s }, nil},
		"url":              {func(s Settings) Settings { s.URL = "chat.example.org"; return s }, []string{`mattermost.url: "chat.example.org" must be the server's address, starting with http:// or https://`}},
		"public url":       {func(s Settings) Settings { s.PublicURL = "boussole:8090"; return s }, []string{"mattermost.public_url"}},
		"listen":           {func(s Settings) Settings { s.Listen = "127.0.0.1:8090"; return s }, []string{"mattermost.listen: moved", "http.listen"}},
		"token env":        {func(s Settings) Settings { s.TokenEnv = ""; return s }, []string{"mattermost.token_env: name the environment variable"}},
		"pasted secret":    {func(s Settings) Settings { s.SecretEnv = "8f1e-secretpart"; return s }, []string{"mattermost.secret_env: must be the name of an environment variable"}},
		"command token":    {func(s Settings) Settings { s.CommandTokenEnv = "abc secretpart"; return s }, []string{"mattermost.command_token_env"}},
		"every problem":    {func(s Settings) Settings { s.URL, s.TokenEnv = "", "x"; return s }, []string{"mattermost.url", "mattermost.token_env"}},
		"numbered choices": {func(s Settings) Settings { s.NumberedChoices = true; return s }, nil},
	}
	for name, tc := range cases {
		settingstest.Check(t, name, tc.s(on).Validate(), tc.want, "secretpart")
	}
}

// The adapter's defaults are the section's: a Config built by hand takes
// them (but for the public address, then the one it listens on), one
// built from the settings keeps what they say.
func TestConfigFromSettings(t *testing.T) {
	d := DefaultSettings()
	got := (Config{}).withDefaults()
	if got.TokenEnv != d.TokenEnv || got.SecretEnv != d.SecretEnv || got.Listen != "127.0.0.1:8090" || got.PublicURL != "" || got.CommandTokenEnv != "" {
		t.Errorf("zero Config with defaults = %+v", got)
	}
	s := d
	s.URL, s.Team, s.NumberedChoices = "http://127.0.0.1:8065", "boussole", true
	cfg := s.Config([]string{"mediateurs"}, "fr-CA")
	if cfg.URL != s.URL || cfg.Team != "boussole" || !cfg.NumberedChoices || cfg.PublicURL != d.PublicURL || cfg.CommandTokenEnv != d.CommandTokenEnv ||
		cfg.MediatorChannels[0] != "mediateurs" || cfg.Lang != "fr-CA" {
		t.Errorf("Config = %+v", cfg)
	}
	cat, err := catalog.New()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := New(Config{URL: "chat.example.org"}, Deps{Catalog: cat, Now: time.Now, Getenv: func(string) string { return "t" }}); err == nil || !strings.Contains(err.Error(), "mattermost.url") {
		t.Errorf("New with a bad url: %v", err)
	}
}
