package console

import (
	"fmt"
	"io"
	"strings"
)

// Settings are the console section of the configuration file; Config
// adds the terminal the chat runs on.
type Settings struct {
	// Enabled runs the local chat in `boussole serve` (`boussole chat`
	// always runs it).
	Enabled bool `yaml:"enabled"`
	// User is the default participant's name; "@NAME text" speaks as
	// NAME.
	User string `yaml:"user"`
}

// DefaultSettings are the section's defaults, the one place they are
// written: config.example.yaml shows them and New gives them to a
// Config's empty fields.
func DefaultSettings() Settings {
	return Settings{Enabled: true, User: "vous"}
}

// Validate reports a bad value naming its key (console.user).
func (s Settings) Validate() error {
	if strings.TrimSpace(s.User) == "" {
		return fmt.Errorf("%s.user: name the local participant (such as vous)", Platform)
	}
	return nil
}

// Config is the console's configuration with these settings, reading in
// and writing out; prompt is printed before each line is read when
// non-empty (interactive terminals).
func (s Settings) Config(in io.Reader, out io.Writer, prompt string) Config {
	return Config{In: in, Out: out, User: s.User, Prompt: prompt}
}
