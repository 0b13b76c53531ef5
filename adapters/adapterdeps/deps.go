// Package adapterdeps holds what every chat adapter takes from Boussole,
// and how it fills defaults and reads its token, so that the adapters
// agree on both.
package adapterdeps

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/boussole/boussole/adapters/internal/catchup"
	"github.com/boussole/boussole/bot/catalog"
)

// Deps are an adapter's collaborators.
type Deps struct {
	Logger  *slog.Logger
	Catalog *catalog.Catalog
	// HTTPClient carries the platform's REST calls (default: the
	// platform library's own).
	HTTPClient *http.Client
	// Getenv reads the token and other secrets (default os.Getenv).
	Getenv func(string) string
	// State keeps, between runs, where the adapter stopped receiving, so
	// that what was posted while Boussole was stopped is answered when it
	// starts again (the store). Without it, a start reads nothing back.
	State catchup.StateStore
	// Now is the program's one clock (required): when a message was
	// received, how far back to catch up, how long a role lookup holds.
	Now func() time.Time
	// Connection, when set, is told each time the adapter's connection
	// to its platform comes up or goes down (the metrics count
	// reconnections). It must not block.
	Connection func(platform string, up bool)
}

// Checked returns d with its defaults, or an error when the catalogue or
// the clock is missing.
func (d Deps) Checked() (Deps, error) {
	if d.Catalog == nil {
		return d, errors.New("a catalogue is required")
	}
	if d.Now == nil {
		return d, errors.New("a clock is required")
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	if d.Getenv == nil {
		d.Getenv = os.Getenv
	}
	return d, nil
}

// Token reads the bot token from the variable env, an error naming the
// variable when it is unset.
func (d Deps) Token(env string) (string, error) {
	token := strings.TrimSpace(d.Getenv(env))
	if token == "" {
		return "", fmt.Errorf("the bot token is missing: set the environment variable %s", env)
	}
	return token, nil
}
