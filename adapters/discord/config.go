package discord

import (
	"errors"
	"fmt"

	"github.com/boussole/boussole/internal/envname"
)

// Settings are the discord section of the configuration file, what an
// administrator sets; Config adds what the rest of the file decides (the
// mediators' channels, the language).
type Settings struct {
	// Enabled runs the adapter in `boussole serve`.
	Enabled bool `yaml:"enabled"`
	// TokenEnv names the environment variable holding the bot token.
	TokenEnv string `yaml:"token_env"`
	// APIBase is a Discord-compatible REST base URL (default Discord's).
	APIBase string `yaml:"api_base"`
	// GuildIDs are the servers where /boussole is registered (instantly);
	// empty registers it globally (Discord may take up to an hour).
	GuildIDs []string `yaml:"guild_ids"`
	// PrivateMode is where a question asked in a public channel continues:
	// PrivateThread or PrivateDM.
	PrivateMode string `yaml:"private_mode"`
}

// DefaultSettings are the section's defaults, the one place they are
// written: config.example.yaml shows them and New gives them to a
// Config's empty fields.
func DefaultSettings() Settings {
	return Settings{TokenEnv: "DISCORD_TOKEN", GuildIDs: []string{}, PrivateMode: PrivateThread}
}

// Validate reports every bad value, each error naming its key
// (discord.private_mode…). The token variable is checked only when the
// adapter is enabled, as only then is it read.
func (s Settings) Validate() error {
	errs := []error{checkPrivateMode(s.PrivateMode)}
	for _, g := range s.GuildIDs {
		if !snowflake(g) {
			errs = append(errs, fmt.Errorf("%s: %q is not a server id (digits; Discord shows it with « Copy Server ID »)", settingKey("guild_ids"), g))
		}
	}
	errs = append(errs, checkAPIBase(s.APIBase))
	if s.Enabled {
		errs = append(errs, envname.Check(settingKey("token_env"), s.TokenEnv))
	}
	return errors.Join(errs...)
}

// Config is the adapter's configuration with these settings, the
// mediators' queues on Discord and the deployment's language.
func (s Settings) Config(mediatorChannels []string, lang string) Config {
	return Config{TokenEnv: s.TokenEnv, GuildIDs: s.GuildIDs, PrivateMode: s.PrivateMode, MediatorChannels: mediatorChannels, Lang: lang}
}

// withDefaults gives c's empty fields the default settings' values, so
// that a Config built by hand (tests, other programs) needs only what
// differs.
func (c Config) withDefaults() Config {
	d := DefaultSettings()
	if c.TokenEnv == "" {
		c.TokenEnv = d.TokenEnv
	}
	if c.PrivateMode == "" {
		c.PrivateMode = d.PrivateMode
	}
	return c
}

// key is the dotted configuration key of one of the section's settings.
func settingKey(name string) string { return Platform + "." + name }

func checkPrivateMode(m string) error {
	if m != PrivateThread && m != PrivateDM {
		return fmt.Errorf("%s: %q is not one of %s, %s", settingKey("private_mode"), m, PrivateThread, PrivateDM)
	}
	return nil
}

// snowflake reports whether id reads as a Discord id: digits only.
func snowflake(id string) bool {
	if id == "" || len(id) > 20 {
		return false
	}
	for _, r := range id {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
