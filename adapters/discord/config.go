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
	// ShardID and ShardCount split the bot's servers between replicas
	// (Discord's sharding): each replica connects as shard ShardID of
	// ShardCount and receives the events of its share of the servers.
	// 0 of 1 is no sharding.
	ShardID    int `yaml:"shard_id"`
	ShardCount int `yaml:"shard_count"`
}

// DefaultSettings are the section's defaults, the one place they are
// written: config.example.yaml shows them and New gives them to a
// Config's empty fields.
func DefaultSettings() Settings {
	return Settings{TokenEnv: "DISCORD_TOKEN", GuildIDs: []string{}, PrivateMode: PrivateThread, ShardID: 0, ShardCount: 1}
}

// Validate reports every bad value, each error naming its key
// (discord.private_mode…). The token variable is checked only when the
// adapter is enabled, as only then is it read.
func (s Settings) Validate() error {
	errs := []error{checkPrivateMode(s.PrivateMode), checkShard(s.ShardID, s.ShardCount)}
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
	return Config{TokenEnv: s.TokenEnv, GuildIDs: s.GuildIDs, PrivateMode: s.PrivateMode, ShardID: s.ShardID, ShardCount: s.ShardCount, MediatorChannels: mediatorChannels, Lang: lang}
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
	if c.ShardCount == 0 {
		c.ShardCount = d.ShardCount
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

// checkShard reports a shard that Discord would refuse (close code 4010,
// invalid shard) or that would leave servers to nobody: the count is at
// least 1 and the id one of 0…count-1.
func checkShard(id, count int) error {
	var errs []error
	if count < 1 {
		errs = append(errs, fmt.Errorf("%s: %d is not a number of shards: at least 1 (1: no sharding), the same on every replica", settingKey("shard_count"), count))
	}
	switch {
	case id < 0:
		errs = append(errs, fmt.Errorf("%s: %d is not a shard number: 0 to %s-1, a different one on each replica", settingKey("shard_id"), id, settingKey("shard_count")))
	case count == 1 && id > 0:
		errs = append(errs, fmt.Errorf("%s: %d needs %s, the number of replicas sharing the bot (more than %d, the same on every replica); it is 1, no sharding", settingKey("shard_id"), id, settingKey("shard_count"), id))
	case count > 1 && id >= count:
		errs = append(errs, fmt.Errorf("%s: %d is not below %s (%d): shards are numbered 0 to %d", settingKey("shard_id"), id, settingKey("shard_count"), count, count-1))
	}
	return errors.Join(errs...)
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
