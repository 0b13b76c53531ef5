package main

import (
	"errors"
	"fmt"

	"github.com/boussole/boussole/adapters/console"
	"github.com/boussole/boussole/adapters/discord"
	"github.com/boussole/boussole/adapters/mattermost"
	"github.com/boussole/boussole/app"
)

// Config is the whole configuration file: Boussole's own sections and one
// section per chat adapter, that adapter's Settings (its keys, defaults
// and checks are in its package). config.example.yaml documents every
// key; keep the two in step (a test checks they decode). It is here, not
// in package app, because app knows no adapter: the adapters' own tests
// build their stack with it.
type Config struct {
	app.Config `yaml:",inline"`
	Console    console.Settings    `yaml:"console"`
	Discord    discord.Settings    `yaml:"discord"`
	Mattermost mattermost.Settings `yaml:"mattermost"`
}

// defaultConfig is what Boussole runs on without a file.
func defaultConfig() Config {
	return Config{Config: app.Default(), Console: console.DefaultSettings(), Discord: discord.DefaultSettings(), Mattermost: mattermost.DefaultSettings()}
}

// loadConfig reads path over the defaults. An unknown key or a bad value is
// an error naming the file, line and key.
func loadConfig(path string) (Config, error) {
	cfg := defaultConfig()
	if path == "" {
		return cfg, cfg.validate()
	}
	if err := app.DecodeFile(path, &cfg); err != nil {
		return cfg, err
	}
	if err := cfg.validate(); err != nil {
		return cfg, fmt.Errorf("config %s: %w", path, err)
	}
	return cfg, nil
}

// validate checks Boussole's sections, with the platforms it has adapters
// for, then each adapter's.
func (c Config) validate() error {
	errs := []error{c.Config.Validate(platforms())}
	for _, k := range adapterKinds() {
		errs = append(errs, k.validate(c))
	}
	return errors.Join(errs...)
}
