package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/boussole/boussole/bot"
	"github.com/boussole/boussole/bot/hours"
	"github.com/boussole/boussole/bot/mediation"
)

// Config is the whole configuration file. config.example.yaml documents
// every key; keep the two in step (a test checks they decode).
type Config struct {
	Lang string `yaml:"lang"`
	// Jurisdiction is where citizens are by default (FR, QC…).
	Jurisdiction string `yaml:"jurisdiction"`
	// Jurisdictions set it by platform and channel ("*": every channel).
	Jurisdictions map[string]map[string]string `yaml:"jurisdictions"`
	Database      DatabaseConfig               `yaml:"database"`
	Knowledge     KnowledgeConfig              `yaml:"knowledge"`
	Retention     RetentionConfig              `yaml:"retention"`
	Search        SearchConfig                 `yaml:"search"`
	Log           LogConfig                    `yaml:"log"`
	Console       ConsoleConfig                `yaml:"console"`
	Mediation     MediationConfig              `yaml:"mediation"`
	Discord       DiscordConfig                `yaml:"discord"`
	Mattermost    MattermostConfig             `yaml:"mattermost"`
}

// MattermostConfig enables the Mattermost adapter in `boussole serve`.
// The bot token, button signing key and command token are read from the
// environment variables named here, never from here.
type MattermostConfig struct {
	Enabled         bool   `yaml:"enabled"`
	URL             string `yaml:"url"`
	Team            string `yaml:"team"`
	TokenEnv        string `yaml:"token_env"`
	Listen          string `yaml:"listen"`
	PublicURL       string `yaml:"public_url"`
	SecretEnv       string `yaml:"secret_env"`
	CommandTokenEnv string `yaml:"command_token_env"`
	NumberedChoices bool   `yaml:"numbered_choices"`
}

// DiscordConfig enables the Discord adapter in `boussole serve`. The bot
// token is read from the environment variable TokenEnv, never from here.
type DiscordConfig struct {
	Enabled     bool     `yaml:"enabled"`
	TokenEnv    string   `yaml:"token_env"`
	GuildIDs    []string `yaml:"guild_ids"`
	PrivateMode string   `yaml:"private_mode"`
}

// MediationConfig configures the hand-off to human mediators.
type MediationConfig struct {
	// Consent asks the citizen before sharing the conversation.
	Consent bool `yaml:"consent"`
	// ReannounceMinutes re-posts unclaimed cases after this long; 0 never.
	ReannounceMinutes int `yaml:"reannounce_minutes"`
	// Mediators lists, per platform, who may use mediator commands.
	Mediators map[string][]string `yaml:"mediators"`
	// Roles lists, per platform, role or group names whose members are
	// mediators.
	Roles map[string][]string `yaml:"roles"`
	// Queues maps a queue name to its mediators' channel and hours.
	Queues map[string]QueueConfig `yaml:"queues"`
}

// QueueConfig is one mediators' queue.
type QueueConfig struct {
	Platform string     `yaml:"platform"`
	Channel  string     `yaml:"channel"`
	Hours    hours.Spec `yaml:"hours"`
}

// DatabaseConfig says where the SQLite file is.
type DatabaseConfig struct {
	Path string `yaml:"path"`
}

// KnowledgeConfig says where knowledge comes from.
type KnowledgeConfig struct {
	// Dir is a knowledge directory; empty means the embedded demo.
	Dir string `yaml:"dir"`
}

// RetentionConfig bounds how long conversations are kept.
type RetentionConfig struct {
	Days int `yaml:"days"`
}

// SearchConfig tunes when the bot answers directly.
type SearchConfig struct {
	AnswerThreshold float64 `yaml:"answer_threshold"`
	UnsureThreshold float64 `yaml:"unsure_threshold"`
}

// LogConfig configures slog.
type LogConfig struct {
	Level  string `yaml:"level"`
	Format string `yaml:"format"`
}

// ConsoleConfig enables the local chat in `boussole serve`.
type ConsoleConfig struct {
	Enabled bool   `yaml:"enabled"`
	User    string `yaml:"user"`
}

// defaultConfig is what Boussole runs on without a file.
func defaultConfig() Config {
	return Config{
		Lang:         "fr",
		Jurisdiction: "FR",
		Database:     DatabaseConfig{Path: "./boussole.db"},
		Retention:    RetentionConfig{Days: 90},
		Search:       SearchConfig{AnswerThreshold: 0.5, UnsureThreshold: 0.3},
		Log:          LogConfig{Level: "info", Format: "text"},
		Console:      ConsoleConfig{Enabled: true, User: "vous"},
		Mediation: MediationConfig{Consent: true, ReannounceMinutes: 15,
			Mediators: map[string][]string{}, Roles: map[string][]string{}, Queues: map[string]QueueConfig{}},
		Discord: DiscordConfig{TokenEnv: "DISCORD_TOKEN", GuildIDs: []string{}, PrivateMode: "thread"},
		Mattermost: MattermostConfig{TokenEnv: "MATTERMOST_TOKEN", Listen: "127.0.0.1:8090", PublicURL: "http://127.0.0.1:8090",
			SecretEnv: "MATTERMOST_ACTION_SECRET", CommandTokenEnv: "MATTERMOST_COMMAND_TOKEN"},
	}
}

// loadConfig reads path over the defaults. An unknown key or a bad value is
// an error naming the file, line and key.
func loadConfig(path string) (Config, error) {
	cfg := defaultConfig()
	if path == "" {
		return cfg, cfg.validate()
	}
	f, err := os.Open(path)
	if err != nil {
		return cfg, fmt.Errorf("read config: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, 1<<20))
	if err != nil {
		return cfg, fmt.Errorf("read config %s: %w", path, err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&cfg); err != nil && !errors.Is(err, io.EOF) {
		return cfg, fmt.Errorf("config %s: %s", path, plainYAMLError(data, err))
	}
	// A second document (after ---) would be silently ignored.
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return cfg, fmt.Errorf("config %s: line %d: a second YAML document (after ---) is not read: put every setting in one document", path, extra.Line)
	} else if !errors.Is(err, io.EOF) {
		return cfg, fmt.Errorf("config %s: %s", path, plainYAMLError(data, err))
	}
	if err := cfg.validate(); err != nil {
		return cfg, fmt.Errorf("config %s: %w", path, err)
	}
	return cfg, nil
}

func (c Config) validate() error {
	var errs []error
	switch c.Lang {
	case "fr", "fr-CA", "en":
	default:
		errs = append(errs, fmt.Errorf("lang: %q is not supported (use fr, fr-CA or en)", c.Lang))
	}
	if c.Jurisdiction != "" && !jurisdictionCode(c.Jurisdiction) {
		errs = append(errs, fmt.Errorf("jurisdiction: %q is not a code such as FR or QC (upper case)", c.Jurisdiction))
	}
	for platform, byChan := range c.Jurisdictions {
		for ch, j := range byChan {
			if !jurisdictionCode(j) {
				errs = append(errs, fmt.Errorf("jurisdictions.%s.%s: %q is not a code such as FR or QC (upper case)", platform, ch, j))
			}
		}
	}
	if c.Database.Path == "" {
		errs = append(errs, errors.New("database.path: must not be empty"))
	}
	if c.Retention.Days < 1 {
		errs = append(errs, fmt.Errorf("retention.days: %d must be at least 1", c.Retention.Days))
	}
	s := c.Search
	if s.AnswerThreshold <= 0 || s.AnswerThreshold > 1 || s.UnsureThreshold <= 0 || s.UnsureThreshold > s.AnswerThreshold {
		errs = append(errs, fmt.Errorf("search: need 0 < unsure_threshold (%g) ≤ answer_threshold (%g) ≤ 1", s.UnsureThreshold, s.AnswerThreshold))
	}
	switch c.Log.Level {
	case "debug", "info", "warn", "error":
	default:
		errs = append(errs, fmt.Errorf("log.level: %q is not one of debug, info, warn, error", c.Log.Level))
	}
	switch c.Log.Format {
	case "text", "json":
	default:
		errs = append(errs, fmt.Errorf("log.format: %q is not one of text, json", c.Log.Format))
	}
	switch c.Discord.PrivateMode {
	case "thread", "dm":
	default:
		errs = append(errs, fmt.Errorf("discord.private_mode: %q is not one of thread, dm", c.Discord.PrivateMode))
	}
	if c.Discord.Enabled {
		errs = append(errs, envName("discord.token_env", c.Discord.TokenEnv))
	}
	if mm := c.Mattermost; mm.Enabled {
		if !strings.HasPrefix(mm.URL, "http://") && !strings.HasPrefix(mm.URL, "https://") {
			errs = append(errs, fmt.Errorf("mattermost.url: %q must be the server's address, starting with http:// or https://", mm.URL))
		}
		errs = append(errs, envName("mattermost.token_env", mm.TokenEnv), envName("mattermost.secret_env", mm.SecretEnv),
			envName("mattermost.command_token_env", mm.CommandTokenEnv))
		if strings.TrimSpace(mm.Listen) == "" {
			errs = append(errs, errors.New("mattermost.listen: the address of Boussole's endpoint for buttons and /boussole is required"))
		}
	}
	if _, err := c.Mediation.build(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// envName checks that a *_env key names an environment variable (upper
// case, digits, underscores) rather than holding a secret pasted there.
// The value is never repeated: if it is a token, it must not reach a log
// or a terminal.
func envName(key, v string) error {
	if v == "" {
		return fmt.Errorf("%s: name the environment variable that holds the secret (such as DISCORD_TOKEN)", key)
	}
	ok := len(v) <= 64
	for i, r := range v {
		if !(r == '_' || 'A' <= r && r <= 'Z' || i > 0 && '0' <= r && r <= '9') {
			ok = false
		}
	}
	if !ok {
		return fmt.Errorf("%s: must be the name of an environment variable (capital letters, digits, _), such as DISCORD_TOKEN, never the secret itself; if you pasted a token here, remove it and consider it leaked", key)
	}
	return nil
}

// platforms are the platforms a queue or mediator list may name.
var platforms = []string{"console", "discord", "mattermost"}

// build turns the mediation section into the engine's configuration,
// reporting every problem with the key it is at.
func (m MediationConfig) build() (mediation.Config, error) {
	out := mediation.Config{SkipConsent: !m.Consent, Mediators: m.Mediators, Roles: m.Roles, Queues: map[string]mediation.Queue{}}
	var errs []error
	if m.ReannounceMinutes < 0 {
		errs = append(errs, fmt.Errorf("mediation.reannounce_minutes: %d must be 0 (never) or more", m.ReannounceMinutes))
	}
	for p, users := range m.Mediators {
		if !slices.Contains(platforms, p) {
			errs = append(errs, fmt.Errorf("mediation.mediators.%s: unknown platform (possible: %s)", p, strings.Join(platforms, ", ")))
		}
		if len(users) == 0 {
			errs = append(errs, fmt.Errorf("mediation.mediators.%s: list at least one user", p))
		}
	}
	for name, q := range m.Queues {
		key := "mediation.queues." + name
		if !slices.Contains(platforms, q.Platform) {
			errs = append(errs, fmt.Errorf("%s.platform: %q is not one of %s", key, q.Platform, strings.Join(platforms, ", ")))
		}
		if strings.TrimSpace(q.Channel) == "" {
			errs = append(errs, fmt.Errorf("%s.channel: the mediators' channel is required", key))
		}
		h, err := hours.Parse(q.Hours)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s.hours: %w", key, err))
		}
		out.Queues[name] = mediation.Queue{Channel: bot.Address{Platform: q.Platform, Channel: q.Channel}, Hours: h}
	}
	for p := range m.Roles {
		if !slices.Contains(platforms, p) {
			errs = append(errs, fmt.Errorf("mediation.roles.%s: unknown platform (possible: %s)", p, strings.Join(platforms, ", ")))
		}
	}
	if len(m.Queues) > 0 && len(m.Mediators) == 0 && len(m.Roles) == 0 {
		errs = append(errs, errors.New("mediation.mediators: queues are configured but nobody may claim their cases"))
	}
	return out, errors.Join(errs...)
}

// jurisdictionCode reports whether j reads as a jurisdiction code: two or
// three upper-case letters (FR, QC, BE, CH…).
func jurisdictionCode(j string) bool {
	if len(j) < 2 || len(j) > 3 {
		return false
	}
	for _, r := range j {
		if r < 'A' || r > 'Z' {
			return false
		}
	}
	return true
}

// typeMismatch is yaml.v3's wording of a value of the wrong type.
var typeMismatch = regexp.MustCompile("line (\\d+): cannot unmarshal !!(\\w+) `([^`]*)` into (\\S+)")

// plainYAMLError rewrites a YAML decoding error for an admin: a value of
// the wrong type names its key and says what is expected in words, not Go
// types (« retention.days (line 2): "beaucoup" is not a whole number »).
func plainYAMLError(data []byte, err error) string {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	var root yaml.Node
	if yaml.Unmarshal(data, &root) != nil {
		return msg
	}
	return typeMismatch.ReplaceAllStringFunc(msg, func(m string) string {
		p := typeMismatch.FindStringSubmatch(m)
		line, _ := strconv.Atoi(p[1])
		key := keyAt(&root, line, "")
		if key == "" {
			key = "line " + p[1]
		} else {
			key += " (line " + p[1] + ")"
		}
		return fmt.Sprintf("%s: %q is not %s", key, p[3], goTypeWords(p[4]))
	})
}

// keyAt returns the dotted key whose value starts on line, or "".
func keyAt(n *yaml.Node, line int, prefix string) string {
	switch n.Kind {
	case yaml.DocumentNode, yaml.SequenceNode:
		for _, c := range n.Content {
			if k := keyAt(c, line, prefix); k != "" {
				return k
			}
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			name := k.Value
			if prefix != "" {
				name = prefix + "." + k.Value
			}
			if v.Line == line && (v.Kind == yaml.ScalarNode || v.Kind == yaml.AliasNode) {
				return name
			}
			if sub := keyAt(v, line, name); sub != "" {
				return sub
			}
		}
	}
	return ""
}

// goTypeWords says what a Go type expects, in words.
func goTypeWords(t string) string {
	switch {
	case strings.HasPrefix(t, "int"), strings.HasPrefix(t, "uint"):
		return "a whole number"
	case strings.HasPrefix(t, "float"):
		return "a number"
	case t == "bool":
		return "true or false"
	case t == "string":
		return "text"
	case strings.HasPrefix(t, "[]"):
		return "a list ([a, b] or one \"- item\" per line)"
	case strings.HasPrefix(t, "map"), strings.HasPrefix(t, "main."):
		return "a group of settings (key: value lines)"
	}
	return "of the expected kind"
}
