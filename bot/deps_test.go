package bot_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDependencyDirection checks the layering docs/architecture.md draws:
// cmd → app, adapters → bot → knowledge, and inside bot, rooms with one
// job each. The core imports no SQL driver, platform SDK or LLM client;
// the engine imports no delivery code and delivery no engine; knowledge
// imports no bot and no network; adapters never import the store, the
// engine or each other.
func TestDependencyDirection(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("the go command is not on PATH")
	}
	const mod = "github.com/boussole/boussole"
	outside := []string{"database/sql", "modernc.org/", "github.com/bwmarrin/", "github.com/mattermost/", "github.com/sashabaranov/", "/bot/store", "/adapters/", "/app"}
	rules := []struct {
		pkgs      string
		forbidden []string
	}{
		// The vocabulary every part shares depends on no other part.
		{mod + "/bot", append([]string{mod + "/bot/", mod + "/knowledge"}, outside...)},
		{mod + "/bot/engine", append([]string{"/bot/delivery"}, outside...)},
		{mod + "/bot/answer", append([]string{"/bot/engine", "/bot/delivery", "/bot/mediation"}, outside...)},
		{mod + "/bot/mediation", append([]string{"/bot/engine", "/bot/delivery", "/bot/answer"}, outside...)},
		{mod + "/bot/delivery", append([]string{"/bot/engine", "/bot/answer", "/bot/mediation", mod + "/knowledge"}, outside...)},
		{mod + "/bot/safety", append([]string{"/bot/engine", "/bot/delivery"}, outside...)},
		{mod + "/bot/catalog", append([]string{"/bot/engine", "/bot/delivery"}, outside...)},
		{mod + "/bot/hours", append([]string{"/bot/engine", "/bot/delivery"}, outside...)},
		// Masking personal data serves the engine, the admin and a language
		// model's prompt alike: it depends on nothing of the project.
		{mod + "/bot/pii", []string{mod + "/"}},
		// The model's uses are provider-neutral: the OpenAI-compatible
		// client is bot/llm/openai, which only the wiring builds.
		{mod + "/bot/llm", []string{"github.com/sashabaranov/", "net/http", "database/sql", "/bot/engine", "/bot/delivery", "/bot/store", "/adapters/", "/app"}},
		{mod + "/bot/llm/openai", []string{"/bot/engine", "/bot/delivery", "/bot/store", "/adapters/", "/app"}},
		{mod + "/bot/store", []string{"/bot/engine", "/bot/delivery", "/adapters/", "/app", "github.com/bwmarrin/", "github.com/mattermost/"}},
		// The wiring knows no adapter: their end-to-end tests import it.
		{mod + "/app/...", []string{"/adapters/"}},
		{mod + "/knowledge/...", []string{mod + "/bot", mod + "/adapters", mod + "/app", "database/sql", "modernc.org/", "net/http"}},
		{mod + "/internal/...", []string{mod + "/bot", mod + "/adapters", mod + "/knowledge", mod + "/app"}},
		// database/sql itself comes with Mattermost's model package (its
		// SQL value types); what adapters must not reach is a driver, the
		// store, or the engine and delivery they are handed as a Handler.
		{mod + "/adapters/...", []string{"/bot/store", "modernc.org/", "/bot/engine", "/bot/delivery", "/app"}},
		{mod + "/adapters/discord", []string{"/adapters/mattermost", "/adapters/console", "github.com/mattermost/"}},
		{mod + "/adapters/mattermost", []string{"/adapters/discord", "/adapters/console", "github.com/bwmarrin/"}},
		{mod + "/adapters/console", []string{"/adapters/discord", "/adapters/mattermost"}},
	}
	for _, r := range rules {
		out, err := exec.Command("go", "list", "-deps", "-test=false", r.pkgs).CombinedOutput()
		if err != nil {
			t.Fatalf("go list %s: %v\n%s", r.pkgs, err, out)
		}
		self := strings.TrimSuffix(r.pkgs, "/...")
		for _, dep := range strings.Fields(string(out)) {
			if dep == self || strings.HasPrefix(dep, self+"/") && strings.HasSuffix(r.pkgs, "/...") {
				continue
			}
			for _, f := range r.forbidden {
				if strings.Contains(dep, f) {
					t.Errorf("%s depends on %s", r.pkgs, dep)
				}
			}
		}
	}
}
