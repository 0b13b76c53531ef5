package discord

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/boussole/boussole/adapters/internal/settingstest"
	"github.com/boussole/boussole/bot/catalog"
)

func TestSettingsValidate(t *testing.T) {
	on := DefaultSettings()
	on.Enabled = true
	cases := map[string]struct {
		s    func(Settings) Settings
		want []string // each in the error; none: valid
	}{
		"defaults":           {func(s Settings) Settings { return s }, nil},
		"dm":                 {func(s Settings) Settings { s.PrivateMode = PrivateDM; return s }, nil},
		"guild":              {func(s Settings) Settings { s.GuildIDs = []string{"834567890123456789"}; return s }, nil},
		"private mode":       {func(s Settings) Settings { s.PrivateMode = "public"; return s }, []string{`discord.private_mode: "public" is not one of thread, dm`}},
		"guild name":         {func(s Settings) Settings { s.GuildIDs = []string{"Tiers-lieu"}; return s }, []string{`discord.guild_ids: "Tiers-lieu" is not a server id`}},
		"no token variable":  {func(s Settings) Settings { s.TokenEnv = ""; return s }, []string{"discord.token_env: name the environment variable"}},
		"pasted token":       {func(s Settings) Settings { s.TokenEnv = "MTIz.Gh.secretpart"; return s }, []string{"discord.token_env: must be the name of an environment variable"}},
		"every problem":      {func(s Settings) Settings { s.PrivateMode, s.TokenEnv = "x", ""; return s }, []string{"discord.private_mode", "discord.token_env"}},
		"disabled, no token": {func(s Settings) Settings { s.Enabled, s.TokenEnv = false, ""; return s }, nil},
		"shard 1 of 2":       {func(s Settings) Settings { s.ShardID, s.ShardCount = 1, 2; return s }, nil},
		"only a count":       {func(s Settings) Settings { s.ShardCount = 4; return s }, nil},
		"no shards":          {func(s Settings) Settings { s.ShardCount = 0; return s }, []string{"discord.shard_count: 0 is not a number of shards: at least 1"}},
		"negative count":     {func(s Settings) Settings { s.ShardCount = -2; return s }, []string{"discord.shard_count: -2"}},
		"negative shard":     {func(s Settings) Settings { s.ShardID, s.ShardCount = -1, 2; return s }, []string{"discord.shard_id: -1 is not a shard number"}},
		"shard past count":   {func(s Settings) Settings { s.ShardID, s.ShardCount = 2, 2; return s }, []string{"discord.shard_id: 2 is not below discord.shard_count (2): shards are numbered 0 to 1"}},
		"only a shard id":    {func(s Settings) Settings { s.ShardID = 1; return s }, []string{"discord.shard_id: 1 needs discord.shard_count", "it is 1, no sharding"}},
		"both wrong":         {func(s Settings) Settings { s.ShardID, s.ShardCount = -1, 0; return s }, []string{"discord.shard_count: 0", "discord.shard_id: -1"}},
	}
	for name, tc := range cases {
		settingstest.Check(t, name, tc.s(on).Validate(), tc.want, "secretpart")
	}
}

// The adapter's defaults are the section's: a Config built by hand takes
// them, one built from the settings keeps what they say.
func TestConfigFromSettings(t *testing.T) {
	if got := (Config{}).withDefaults(); got.TokenEnv != DefaultSettings().TokenEnv || got.PrivateMode != DefaultSettings().PrivateMode {
		t.Errorf("zero Config with defaults = %+v", got)
	}
	s := DefaultSettings()
	s.TokenEnv, s.GuildIDs, s.PrivateMode = "BOT", []string{"1"}, PrivateDM
	cfg := s.Config([]string{"300"}, "en")
	if cfg.TokenEnv != "BOT" || len(cfg.GuildIDs) != 1 || cfg.PrivateMode != PrivateDM || cfg.MediatorChannels[0] != "300" || cfg.Lang != "en" {
		t.Errorf("Config = %+v", cfg)
	}
	cat, err := catalog.New()
	if err != nil {
		t.Fatal(err)
	}
	bad := s.Config(nil, "")
	bad.PrivateMode = "public"
	if _, err := New(bad, Deps{Catalog: cat, Now: time.Now, Getenv: func(string) string { return "t" }}); err == nil || !strings.Contains(err.Error(), "discord.private_mode") {
		t.Errorf("New with a bad private mode: %v", err)
	}
	if got := (Config{ShardID: 0}).withDefaults(); got.ShardCount != 1 {
		t.Errorf("zero Config has %d shards, want 1 (no sharding)", got.ShardCount)
	}
	s.ShardID, s.ShardCount = 2, 3
	if cfg := s.Config(nil, ""); cfg.ShardID != 2 || cfg.ShardCount != 3 {
		t.Errorf("Config shard %d of %d, want 2 of 3", cfg.ShardID, cfg.ShardCount)
	}
	bad = s.Config(nil, "")
	bad.ShardID = 3
	if _, err := New(bad, Deps{Catalog: cat, Now: time.Now, Getenv: func(string) string { return "t" }}); !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), "discord.shard_id: 3") {
		t.Errorf("New with shard 3 of 3: %v", err)
	}
}
