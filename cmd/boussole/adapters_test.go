package main

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	"github.com/boussole/boussole/adapters/discord"
	"github.com/boussole/boussole/adapters/mattermost"
	"github.com/boussole/boussole/app"
)

// serve builds the adapters the configuration enables, each from its
// section and the mediators' queues on its platform, and says which keys
// enable them when none is.
func TestEnabledAdapters(t *testing.T) {
	cfg := defaultConfig()
	cfg.Database.Path = filepath.Join(t.TempDir(), "b.db")
	cfg.Discord.Enabled, cfg.Discord.TokenEnv = true, "BOUSSOLE_TEST_TOKEN"
	cfg.Mattermost.Enabled, cfg.Mattermost.URL = true, "http://127.0.0.1:1"
	cfg.Mediation.Roles = map[string][]string{discord.Platform: {"Médiateur"}}
	cfg.Mediation.Queues = map[string]app.QueueConfig{"default": {Platform: discord.Platform, Channel: "300"}, "mm": {Platform: mattermost.Platform, Channel: "mediateurs"}}
	if err := cfg.validate(); err != nil {
		t.Fatal(err)
	}
	a, err := app.Open(context.Background(), cfg.Config, slog.New(slog.DiscardHandler), testClock)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	vars := map[string]string{"BOUSSOLE_TEST_TOKEN": "t", "MATTERMOST_TOKEN": "t"}
	e := env{stdin: strings.NewReader(""), stdout: io.Discard, getenv: func(k string) string { return vars[k] }}
	got, err := enabledAdapters(cfg, a, e)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, ad := range got {
		names = append(names, ad.Name())
	}
	if strings.Join(names, " ") != "console discord mattermost" {
		t.Fatalf("adapters %v", names)
	}
	if ch := queueChannels(cfg, discord.Platform); len(ch) != 1 || ch[0] != "300" {
		t.Errorf("discord's mediators' channels %v", ch)
	}
	// A missing token names the variable the section names.
	delete(vars, "BOUSSOLE_TEST_TOKEN")
	if _, err := enabledAdapters(cfg, a, e); err == nil || !strings.Contains(err.Error(), "BOUSSOLE_TEST_TOKEN") {
		t.Fatalf("without the token: %v", err)
	}
	cfg.Console.Enabled, cfg.Discord.Enabled, cfg.Mattermost.Enabled = false, false, false
	if _, err := enabledAdapters(cfg, a, e); err == nil || !strings.Contains(err.Error(), "(console.enabled, discord.enabled, mattermost.enabled)") {
		t.Fatalf("none enabled: %v", err)
	}
}

// The configuration names the platforms Boussole has adapters for and the
// languages of its catalogue; the adapters' sections are checked by their
// packages, with their keys.
func TestConfigSectionsAndLists(t *testing.T) {
	if got := platforms(); strings.Join(got, " ") != "console discord mattermost" {
		t.Errorf("platforms = %v", got)
	}
	checkConfigs(t, map[string]struct{ yaml, want string }{
		"every language":        {"lang: fr-CA\n", ""},
		"english":               {"lang: en\n", ""},
		"languages listed":      {"lang: de\n", "(use en, fr, fr-CA)"},
		"jurisdiction platform": {"jurisdictions:\n  irc:\n    \"*\": QC\n", `jurisdictions.irc: unknown platform "irc" (possible: console, discord, mattermost)`},
		"roles platform":        {"mediation:\n  roles: {irc: [ops]}\n", "mediation.roles.irc: unknown platform"},
		"section type":          {"discord: yes\n", `discord (line 1): "yes" is not a group of settings`},
		"section unknown key":   {"mattermost:\n  tokn_env: X\n", "line 2: field tokn_env not found"},
		"console user":          {"console:\n  user: \"\"\n", "console.user"},
		"guild id":              {"discord:\n  guild_ids: [mon-serveur]\n", `discord.guild_ids: "mon-serveur" is not a server id`},
		"secret env":            {"mattermost:\n  enabled: true\n  url: http://x\n  secret_env: abc.def\n", "mattermost.secret_env: must be the name"},
		"disabled not checked":  {"mattermost:\n  url: chat.example.org\n", ""},
	})
}

// A knowledge directory with nothing in it is an error, for validate and
// for a bot that would otherwise know nothing.
func TestEmptyKnowledgeDirectoryIsAnError(t *testing.T) {
	dir := t.TempDir()
	if code, out, _ := runCmd(t, "", "validate", dir); code != 1 || !strings.Contains(out, "no items and no trees found") {
		t.Fatalf("validate: exit %d\n%s", code, out)
	}
	if code, _, errs := runCmd(t, "bonjour\n", "chat", "--knowledge", dir, "--db", filepath.Join(t.TempDir(), "b.db")); code != 1 || !strings.Contains(errs, "no items and no trees found") {
		t.Fatalf("chat: exit %d\n%s", code, errs)
	}
}
