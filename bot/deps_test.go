package bot_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDependencyDirection checks DESIGN.md §2: cmd → adapters → bot →
// knowledge. The core imports no SQL driver, platform SDK or LLM client;
// knowledge imports only the standard library and its text libraries;
// adapters never import the store or each other.
func TestDependencyDirection(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("the go command is not on PATH")
	}
	rules := []struct {
		pkgs      string
		forbidden []string
	}{
		{"github.com/boussole/boussole/bot", []string{"database/sql", "modernc.org/", "github.com/bwmarrin/", "github.com/mattermost/", "github.com/sashabaranov/", "/bot/store", "/adapters/"}},
		{"github.com/boussole/boussole/bot/catalog", []string{"database/sql", "/bot/store", "/adapters/"}},
		{"github.com/boussole/boussole/knowledge/...", []string{"github.com/boussole/boussole/bot", "github.com/boussole/boussole/adapters", "database/sql", "modernc.org/", "net/http"}},
		// database/sql itself comes with Mattermost's model package (its
		// SQL value types); what adapters must not reach is a driver or
		// the store.
		{"github.com/boussole/boussole/adapters/...", []string{"/bot/store", "modernc.org/"}},
		{"github.com/boussole/boussole/adapters/discord", []string{"/adapters/mattermost", "/adapters/console", "github.com/mattermost/"}},
		{"github.com/boussole/boussole/adapters/mattermost", []string{"/adapters/discord", "/adapters/console", "github.com/bwmarrin/"}},
		{"github.com/boussole/boussole/adapters/console", []string{"/adapters/discord", "/adapters/mattermost"}},
	}
	for _, r := range rules {
		out, err := exec.Command("go", "list", "-deps", "-test=false", r.pkgs).CombinedOutput()
		if err != nil {
			t.Fatalf("go list %s: %v\n%s", r.pkgs, err, out)
		}
		for _, dep := range strings.Fields(string(out)) {
			for _, f := range r.forbidden {
				if strings.Contains(dep, f) {
					t.Errorf("%s depends on %s", r.pkgs, dep)
				}
			}
		}
	}
}
