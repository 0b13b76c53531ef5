package main

import (
	"flag"
	"strings"

	"github.com/boussole/boussole/app"
	"github.com/boussole/boussole/bot/catalog"
)

// commonFlags are the flags shared by commands that run the bot.
type commonFlags struct {
	config, db, knowledge, lang string
}

func (c *commonFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&c.config, "config", "", "configuration file (default: built-in defaults, see config.example.yaml)")
	fs.StringVar(&c.db, "db", "", "SQLite database file (default ./boussole.db, or $BOUSSOLE_DB)")
	fs.StringVar(&c.knowledge, "knowledge", "", "knowledge directory (default: the embedded demo)")
	fs.StringVar(&c.lang, "lang", "", "language: "+strings.Join(catalog.EmbeddedLangs(), ", ")+" (default "+app.Default().Lang+")")
}

// resolve builds the configuration: file, then environment, then flags.
func (c *commonFlags) resolve(e env) (Config, error) {
	cfg, err := loadConfig(c.config)
	if err != nil {
		return cfg, err
	}
	if v := e.getenv("BOUSSOLE_DB"); v != "" {
		cfg.Database.Path = v
	}
	if c.db != "" {
		cfg.Database.Path = c.db
	}
	if c.knowledge != "" {
		cfg.Knowledge.Dir = c.knowledge
	}
	if c.lang != "" {
		cfg.Lang = c.lang
	}
	return cfg, cfg.validate()
}

// parseFlags parses args, printing errors and usage to stderr.
func parseFlags(fs *flag.FlagSet, e env, args []string) error {
	fs.SetOutput(e.stderr)
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	return nil
}
