package main

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/boussole/boussole/app/apptest"
)

func TestExampleConfigIsTheDefaults(t *testing.T) {
	cfg, err := loadConfig(filepath.Join("..", "..", "config.example.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(cfg, defaultConfig()) {
		t.Fatalf("config.example.yaml drifted from the defaults:\nfile:     %+v\ndefaults: %+v", cfg, defaultConfig())
	}
}

func TestConfigErrorsNameTheKey(t *testing.T) {
	cases := map[string]struct{ yaml, want string }{
		"unknown key":    {"lang: fr\ndatabse:\n  path: x.db\n", "line 2: field databse not found"},
		"nested key":     {"search:\n  answer_treshold: 0.5\n", "answer_treshold"},
		"bad lang":       {"lang: de\n", `lang: "de" is not supported`},
		"bad type":       {"retention:\n  days: beaucoup\n", `retention.days (line 2): "beaucoup" is not a whole number`},
		"bad type list":  {"mediation:\n  mediators:\n    console: marie\n", `mediation.mediators.console (line 3): "marie" is not a list`},
		"second doc":     {"lang: fr\n---\nlang: en\n", "line 2: a second YAML document"},
		"pasted token":   {"discord:\n  enabled: true\n  token_env: MTIzNDU2.Gh-ij.kLmNoP\n", "discord.token_env: must be the name of an environment variable"},
		"bad threshold":  {"search:\n  answer_threshold: 0.1\n  unsure_threshold: 0.3\n", "unsure_threshold (0.3)"},
		"bad level":      {"log:\n  level: loud\n", `log.level: "loud"`},
		"zero days":      {"retention:\n  days: 0\n", "retention.days"},
		"syntax":         {"lang: [fr\n", "config"},
		"queue platform": {"mediation:\n  mediators: {console: [m]}\n  queues:\n    default: {platform: irc, channel: x}\n", "mediation.queues.default.platform"},
		"queue hours":    {"mediation:\n  mediators: {console: [m]}\n  queues:\n    default:\n      platform: console\n      channel: m\n      hours: {timezone: Europe/Paris, week: {mon: 9h-12h}}\n", "mediation.queues.default.hours: week.mon"},
		"no mediators":   {"mediation:\n  queues:\n    default: {platform: console, channel: m}\n", "nobody may claim"},
	}
	checkConfigs(t, cases)
}

// checkConfigs loads each case's YAML from a file: want "" means it must
// load; otherwise the error must name the file and contain want.
func checkConfigs(t *testing.T, cases map[string]struct{ yaml, want string }) {
	t.Helper()
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "c.yaml")
			if err := os.WriteFile(p, []byte(tc.yaml), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := loadConfig(p)
			switch {
			case tc.want == "" && err != nil:
				t.Fatal(err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), p)):
				t.Fatalf("error = %v, want it to name %s and contain %q", err, p, tc.want)
			}
		})
	}
}

func TestConfigMissingFile(t *testing.T) {
	if _, err := loadConfig(filepath.Join(t.TempDir(), "nope.yaml")); err == nil || !strings.Contains(err.Error(), "nope.yaml") {
		t.Fatalf("err = %v", err)
	}
}

// checkServeFails runs serve with the configuration yaml and no
// environment, and wants it to fail saying want.
func checkServeFails(t *testing.T, yaml, want string) {
	t.Helper()
	dir := t.TempDir()
	p := filepath.Join(dir, "c.yaml")
	if err := os.WriteFile(p, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errs apptest.SyncBuffer
	code := run(context.Background(), env{stdin: strings.NewReader(""), stdout: &out, stderr: &errs, getenv: func(string) string { return "" }, now: testClock},
		[]string{"serve", "--config", p, "--db", filepath.Join(dir, "b.db"), "--listen", "127.0.0.1:0"})
	if code == 0 || !strings.Contains(errs.String(), want) {
		t.Fatalf("exit %d, stderr %q, want %q", code, errs.String(), want)
	}
}

// A token pasted where the name of its environment variable belongs is
// refused without being repeated.
func TestConfigNeverEchoesAPastedToken(t *testing.T) {
	const token = "MTIzNDU2Nzg5.GhIjKl.secretpart"
	p := filepath.Join(t.TempDir(), "c.yaml")
	if err := os.WriteFile(p, []byte("discord:\n  enabled: true\n  token_env: "+token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := loadConfig(p)
	if err == nil || strings.Contains(err.Error(), "secretpart") {
		t.Fatalf("error = %v", err)
	}
}
