package app

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/boussole/boussole/bot/answer"
	"github.com/boussole/boussole/bot/catalog"
	"github.com/boussole/boussole/bot/hours"
)

// Config is Boussole's own part of the configuration file: every section
// but the chat adapters', which are their packages' Settings (the file's
// type, in cmd/boussole, embeds this one). config.example.yaml documents
// every key.
type Config struct {
	// Version is the running build's version (boussole version), set by
	// the command, never read from the file: /metrics shows it.
	Version string `yaml:"-"`
	Lang    string `yaml:"lang"`
	// Jurisdiction is where citizens are by default (FR, QC…).
	Jurisdiction string `yaml:"jurisdiction"`
	// Jurisdictions set it by platform and channel ("*": every channel).
	Jurisdictions map[string]map[string]string `yaml:"jurisdictions"`
	Database      DatabaseConfig               `yaml:"database"`
	Knowledge     KnowledgeConfig              `yaml:"knowledge"`
	Retention     RetentionConfig              `yaml:"retention"`
	Search        SearchConfig                 `yaml:"search"`
	Log           LogConfig                    `yaml:"log"`
	Mediation     MediationConfig              `yaml:"mediation"`
	HTTP          HTTPConfig                   `yaml:"http"`
	Admin         AdminConfig                  `yaml:"admin"`
	// LLM is the optional language model (llmconfig.go); nil: none.
	LLM *LLMConfig `yaml:"llm"`
}

// HTTPConfig is the process's one HTTP server: the web admin, the
// Mattermost callbacks, /healthz and /readyz.
type HTTPConfig struct {
	// Listen is the server's address; "" runs no server (then neither
	// the admin nor Mattermost's buttons work).
	Listen string `yaml:"listen"`
	// OutboxStuckMinutes is the age from which a message still waiting
	// to be sent makes /readyz answer not ready (its platform is not
	// accepting messages).
	OutboxStuckMinutes int `yaml:"outbox_stuck_minutes"`
}

// AdminConfig configures the web admin under /admin.
type AdminConfig struct {
	Enabled bool `yaml:"enabled"`
	// SecureCookies marks session cookies Secure: set it when a reverse
	// proxy serves the admin over HTTPS (requests seen over TLS get it
	// anyway).
	SecureCookies bool `yaml:"secure_cookies"`
	// ProxyHeader names a header a trusted reverse proxy sets to the
	// signed-in login (single sign-on); "" disables it.
	ProxyHeader string `yaml:"proxy_header"`
	// TrustedProxies are the addresses (CIDR) whose ProxyHeader is
	// believed; from anywhere else the header is ignored.
	TrustedProxies []string `yaml:"trusted_proxies"`
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
	// Fallback is told to citizens outside the queue's hours: a phone
	// number or a place where help is found meanwhile.
	Fallback string `yaml:"fallback"`
}

// maxFallback bounds a queue's fallback: one line of a chat message.
const maxFallback = 200

// validFallback checks a queue's fallback contact, at key.
func (q QueueConfig) validFallback(key string) error {
	f := q.Fallback
	switch {
	case f == "":
		return nil
	case strings.TrimSpace(f) == "":
		return fmt.Errorf("%s: blank; leave it out for none", key)
	case strings.ContainsAny(f, "\n\r"):
		return fmt.Errorf("%s: one line, please (a phone number or a place)", key)
	case utf8.RuneCountInString(f) > maxFallback:
		return fmt.Errorf("%s: %d characters, at most %d", key, utf8.RuneCountInString(f), maxFallback)
	case q.Hours.TimeZone == "" && len(q.Hours.Week) == 0 && len(q.Hours.Holidays) == 0:
		return fmt.Errorf("%s: the queue has no opening hours, so it is never closed and the fallback never told", key)
	}
	return nil
}

// KnowledgeConfig says where knowledge comes from.
type KnowledgeConfig struct {
	// Dir is a knowledge directory; empty means the embedded demo.
	Dir string `yaml:"dir"`
	// StaleAfterMonths is the age from which an imported sheet's answer
	// tells the citizen to check the official site.
	StaleAfterMonths int `yaml:"stale_after_months"`
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

// Default is what Boussole runs on without a file.
func Default() Config {
	// The answer policy's thresholds are written once, in bot/answer.
	policy := answer.DefaultPolicy()
	return Config{
		Lang:         catalog.Default,
		Jurisdiction: "FR",
		Database:     DatabaseConfig{Driver: DriverSQLite, Path: "./boussole.db", DSNEnv: defaultDSNEnv, MaxConns: 16, FailoverAfter: "15s"},
		Knowledge:    KnowledgeConfig{StaleAfterMonths: 18},
		Retention:    RetentionConfig{Days: 90},
		Search:       SearchConfig{AnswerThreshold: policy.AnswerThreshold, UnsureThreshold: policy.UnsureThreshold},
		Log:          LogConfig{Level: "info", Format: "text"},
		Mediation: MediationConfig{Consent: true, ReannounceMinutes: 15,
			Mediators: map[string][]string{}, Roles: map[string][]string{}, Queues: map[string]QueueConfig{}},
		HTTP:  HTTPConfig{Listen: "127.0.0.1:8080", OutboxStuckMinutes: 5},
		Admin: AdminConfig{Enabled: true, TrustedProxies: []string{}},
	}
}

// Validate reports every bad value, each error naming its key. platforms
// are the platforms Boussole has an adapter for, the names a mediation
// queue, a mediator list or a jurisdiction may use.
func (c Config) Validate(platforms []string) error {
	var errs []error
	if langs := catalog.EmbeddedLangs(); !slices.Contains(langs, c.Lang) {
		errs = append(errs, fmt.Errorf("lang: %q is not supported (use %s)", c.Lang, strings.Join(langs, ", ")))
	}
	if c.Jurisdiction != "" && !jurisdictionCode(c.Jurisdiction) {
		errs = append(errs, fmt.Errorf("jurisdiction: %q is not a code such as FR or QC (upper case)", c.Jurisdiction))
	}
	for platform, byChan := range c.Jurisdictions {
		errs = append(errs, knownPlatform(platforms, "jurisdictions."+platform, platform))
		for ch, j := range byChan {
			if !jurisdictionCode(j) {
				errs = append(errs, fmt.Errorf("jurisdictions.%s.%s: %q is not a code such as FR or QC (upper case)", platform, ch, j))
			}
		}
	}
	errs = append(errs, c.Database.validate(nil)...)
	if c.Knowledge.StaleAfterMonths < 1 {
		errs = append(errs, fmt.Errorf("knowledge.stale_after_months: %d must be at least 1", c.Knowledge.StaleAfterMonths))
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
	m := c.Mediation
	for p := range m.Mediators {
		errs = append(errs, knownPlatform(platforms, "mediation.mediators."+p, p))
	}
	for p := range m.Roles {
		errs = append(errs, knownPlatform(platforms, "mediation.roles."+p, p))
	}
	for name, q := range m.Queues {
		errs = append(errs, knownPlatform(platforms, "mediation.queues."+name+".platform", q.Platform))
	}
	if _, err := m.build(); err != nil {
		errs = append(errs, err)
	}
	if c.HTTP.OutboxStuckMinutes < 1 {
		errs = append(errs, fmt.Errorf("http.outbox_stuck_minutes: %d must be at least 1", c.HTTP.OutboxStuckMinutes))
	}
	if c.Admin.Enabled && c.HTTP.Listen == "" {
		errs = append(errs, errors.New("admin.enabled: the admin needs the HTTP server: set http.listen (e.g. 127.0.0.1:8080) or admin.enabled: false"))
	}
	if c.Admin.ProxyHeader != "" && len(c.Admin.TrustedProxies) == 0 {
		errs = append(errs, errors.New("admin.trusted_proxies: admin.proxy_header is set: list the reverse proxies' addresses (CIDR) it is believed from"))
	}
	errs = append(errs, c.LLM.validate(m.Queues))
	for i, p := range c.Admin.TrustedProxies {
		if _, err := netip.ParsePrefix(p); err != nil {
			if _, aerr := netip.ParseAddr(p); aerr != nil {
				errs = append(errs, fmt.Errorf("admin.trusted_proxies[%d]: %q is not an address or CIDR prefix (e.g. 10.0.0.5 or 10.0.0.0/24)", i, p))
			}
		}
	}
	return errors.Join(errs...)
}

// knownPlatform wants platform, at key, to be one of platforms.
func knownPlatform(platforms []string, key, platform string) error {
	if !slices.Contains(platforms, platform) {
		return fmt.Errorf("%s: unknown platform %q (possible: %s)", key, platform, strings.Join(platforms, ", "))
	}
	return nil
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
