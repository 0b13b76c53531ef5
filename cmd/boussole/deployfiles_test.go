package main

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// The compose trial's configuration is one Boussole accepts, and the
// compose file gives Boussole the environment variables it names.
func TestComposeTrialFiles(t *testing.T) {
	dir := filepath.Join("..", "..", "deploy")
	cfg, err := loadConfig(filepath.Join(dir, "config.compose.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Database.Driver != "postgres" || !cfg.Mattermost.Enabled || cfg.Console.Enabled || cfg.Log.Format != "json" {
		t.Errorf("config.compose.yaml: want PostgreSQL, Mattermost on, no console, JSON logs: %+v", cfg.Config.Database)
	}
	if len(cfg.Mediation.Queues) == 0 {
		t.Error("config.compose.yaml: no mediators' queue: escalations would only be recorded")
	}

	data, err := os.ReadFile(filepath.Join(dir, "docker-compose.yml"))
	if err != nil {
		t.Fatal(err)
	}
	type service struct {
		Image       string            `yaml:"image"`
		Build       any               `yaml:"build"`
		ReadOnly    bool              `yaml:"read_only"`
		Tmpfs       []string          `yaml:"tmpfs"`
		CapDrop     []string          `yaml:"cap_drop"`
		Environment map[string]string `yaml:"environment"`
		Volumes     []string          `yaml:"volumes"`
		Healthcheck *struct {
			Test []string `yaml:"test"`
		} `yaml:"healthcheck"`
	}
	var compose struct {
		Services map[string]service `yaml:"services"`
	}
	if err := yaml.Unmarshal(data, &compose); err != nil {
		t.Fatal(err)
	}
	b, ok := compose.Services["boussole"]
	if !ok || b.Build == nil {
		t.Fatal("docker-compose.yml: no boussole service built from the repository")
	}
	if !b.ReadOnly || len(b.Tmpfs) == 0 || !slices.Contains(b.CapDrop, "ALL") {
		t.Errorf("boussole service: want read_only, a tmpfs and cap_drop ALL: %+v", b)
	}
	if b.Healthcheck == nil || !slices.Contains(b.Healthcheck.Test, "healthcheck") {
		t.Error("boussole service: no health check by the binary")
	}
	// Every secret the configuration reads from the environment is set.
	for key, name := range map[string]string{"database.dsn_env": cfg.Database.DSNEnv,
		"mattermost.token_env": cfg.Mattermost.TokenEnv, "mattermost.secret_env": cfg.Mattermost.SecretEnv} {
		if _, ok := b.Environment[name]; !ok {
			t.Errorf("boussole service: %s names $%s, which the compose file does not set", key, name)
		}
	}
	mounts := strings.Join(b.Volumes, "\n")
	for _, want := range []string{"./config.compose.yaml:/etc/boussole/config.yaml:ro", ":/var/lib/boussole"} {
		if !strings.Contains(mounts, want) {
			t.Errorf("boussole service: no volume %q in %q", want, b.Volumes)
		}
	}
	// Third-party images are pinned to a release, never a moving tag
	// such as latest or 16 (PostgreSQL's releases are x.y: 16.11).
	exact := regexp.MustCompile(`:\d+\.\d+(\.\d+)?(-[A-Za-z0-9.]+)?(@sha256:[0-9a-f]{64})?$`)
	for name, s := range compose.Services {
		if name == "boussole" {
			continue
		}
		if !exact.MatchString(s.Image) {
			t.Errorf("service %s: image %q is not pinned to a release", name, s.Image)
		}
		if s.Healthcheck == nil {
			t.Errorf("service %s: no health check (the boussole service waits for it)", name)
		}
	}
}
