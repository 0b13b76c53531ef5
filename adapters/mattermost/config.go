package mattermost

import (
	"errors"
	"fmt"
	"strings"

	"github.com/boussole/boussole/internal/envname"
)

// Settings are the mattermost section of the configuration file, what an
// administrator sets; Config adds what the rest of the file decides (the
// mediators' channels, the language). Secrets are never in it: they are
// read from the environment variables it names.
type Settings struct {
	// Enabled runs the adapter in `boussole serve`.
	Enabled bool `yaml:"enabled"`
	// URL is the Mattermost server, e.g. https://chat.example.org.
	URL string `yaml:"url"`
	// Team is the team name (as in its URL) where /boussole is registered
	// and mediators' channels are looked up.
	Team string `yaml:"team"`
	// TokenEnv names the variable holding the bot's personal access token.
	TokenEnv string `yaml:"token_env"`
	// Listen is no longer used: the callbacks are served by Boussole's
	// one HTTP server (http.listen). Kept so that an old file gets a
	// clear error instead of "unknown key".
	Listen string `yaml:"listen"`
	// PublicURL is how the Mattermost server reaches Boussole's HTTP
	// server (http.listen) for button clicks and the slash command.
	PublicURL string `yaml:"public_url"`
	// SecretEnv names the variable holding the key that signs buttons;
	// unset, a random key is used and buttons expire when Boussole
	// restarts.
	SecretEnv string `yaml:"secret_env"`
	// CommandTokenEnv names a variable holding the token of a /boussole
	// command an administrator created by hand (Boussole registers the
	// command itself when the bot may).
	CommandTokenEnv string `yaml:"command_token_env"`
	// NumberedChoices renders choices as numbered lines instead of
	// buttons (for servers where interactive messages are disabled).
	NumberedChoices bool `yaml:"numbered_choices"`
}

// DefaultSettings are the section's defaults, the one place they are
// written: config.example.yaml shows them and New gives them to a
// Config's empty fields.
func DefaultSettings() Settings {
	return Settings{TokenEnv: "MATTERMOST_TOKEN", PublicURL: "http://127.0.0.1:8080",
		SecretEnv: "MATTERMOST_ACTION_SECRET", CommandTokenEnv: "MATTERMOST_COMMAND_TOKEN"}
}

// Validate reports every bad value, each error naming its key
// (mattermost.url…). A disabled section is not checked: nothing of it is
// used.
func (s Settings) Validate() error {
	if !s.Enabled {
		return nil
	}
	errs := []error{checkURL(settingKey("url"), s.URL, "the server's address")}
	if s.PublicURL != "" {
		errs = append(errs, checkURL(settingKey("public_url"), s.PublicURL, "the address the server reaches Boussole at"))
	}
	errs = append(errs, envname.Check(settingKey("token_env"), s.TokenEnv), envname.Check(settingKey("secret_env"), s.SecretEnv),
		envname.Check(settingKey("command_token_env"), s.CommandTokenEnv))
	if s.Listen != "" {
		errs = append(errs, fmt.Errorf("%s: moved: button clicks and /boussole now reach Boussole's one HTTP server; set http.listen instead, and %s to the address Mattermost reaches it at", settingKey("listen"), settingKey("public_url")))
	}
	return errors.Join(errs...)
}

// Config is the adapter's configuration with these settings, the
// mediators' queues on Mattermost and the deployment's language.
func (s Settings) Config(mediatorChannels []string, lang string) Config {
	return Config{URL: s.URL, Team: s.Team, TokenEnv: s.TokenEnv, PublicURL: s.PublicURL,
		SecretEnv: s.SecretEnv, CommandTokenEnv: s.CommandTokenEnv, NumberedChoices: s.NumberedChoices,
		MediatorChannels: mediatorChannels, Lang: lang}
}

// withDefaults gives c's empty fields the default settings' values, so
// that a Config built by hand (tests, other programs) needs only what
// differs. PublicURL and CommandTokenEnv stay empty: the address is then
// the one Listen got (a test listens on port 0), and no hand-made command
// is looked for.
func (c Config) withDefaults() Config {
	d := DefaultSettings()
	if c.TokenEnv == "" {
		c.TokenEnv = d.TokenEnv
	}
	if c.SecretEnv == "" {
		c.SecretEnv = d.SecretEnv
	}
	if c.Listen == "" {
		c.Listen = "127.0.0.1:8090"
	}
	return c
}

// settingKey is the dotted configuration key of one of the section's
// settings.
func settingKey(name string) string { return Platform + "." + name }

// checkURL wants v, the value of key, to be an http or https address.
func checkURL(key, v, what string) error {
	if !strings.HasPrefix(v, "http://") && !strings.HasPrefix(v, "https://") {
		return fmt.Errorf("%s: %q must be %s, starting with http:// or https://", key, v, what)
	}
	return nil
}
