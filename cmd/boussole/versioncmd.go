package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"runtime"
	"runtime/debug"
)

// version is the release's name, set by the linker:
//
//	go build -ldflags "-X main.version=v1.4.0" ./cmd/boussole
//
// It is the one package-level variable of the program (the others are
// error sentinels): -X can only set a package-level string, and nothing
// assigns it at run time. scripts/build.sh sets it for the container
// image and the release builds.
var version = "dev"

// buildInfo is what `boussole version` tells: enough for an operator to
// say which code a running server is made of.
type buildInfo struct {
	Version   string `json:"version"`
	GoVersion string `json:"go_version"`
	Platform  string `json:"platform"`
	// Commit and CommitTime come from the version-control stamp the go
	// command embeds when it builds inside a git checkout (empty
	// otherwise, as in a container build, whose context has no .git: the
	// version string names the commit there).
	Commit     string `json:"commit,omitempty"`
	CommitTime string `json:"commit_time,omitempty"`
	// Modified is true when the checkout had uncommitted changes.
	Modified bool `json:"modified,omitempty"`
}

// readBuildInfo combines the linker's version with the build's own
// record. bi may be nil (a binary built without module support).
func readBuildInfo(linked string, bi *debug.BuildInfo) buildInfo {
	b := buildInfo{Version: linked, GoVersion: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
	if bi == nil {
		return b
	}
	if bi.GoVersion != "" {
		b.GoVersion = bi.GoVersion
	}
	// `go install github.com/boussole/boussole/cmd/boussole@v1.4.0`
	// records the module's version; the linker's wins when both exist.
	if b.Version == "dev" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		b.Version = bi.Main.Version
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			b.Commit = s.Value
		case "vcs.time":
			b.CommitTime = s.Value
		case "vcs.modified":
			b.Modified = s.Value == "true"
		}
	}
	return b
}

// runVersion prints the version, the Go version and the commit.
func runVersion(_ context.Context, e env, args []string) error {
	fs := flag.NewFlagSet("version", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print one JSON object")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: boussole version [--json]\n\nPrints Boussole's version, the Go version it was built with and the commit.")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, e, args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		fs.Usage()
		return errUsage
	}
	bi, _ := debug.ReadBuildInfo()
	b := readBuildInfo(version, bi)
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		if err := enc.Encode(b); err != nil {
			return fmt.Errorf("version: %w", err)
		}
		return nil
	}
	fmt.Fprintf(e.stdout, "boussole %s\n", b.Version)
	fmt.Fprintf(e.stdout, "go:      %s %s\n", b.GoVersion, b.Platform)
	if b.Commit != "" {
		c := b.Commit
		if b.Modified {
			c += " (modified)"
		}
		fmt.Fprintf(e.stdout, "commit:  %s\n", c)
	}
	if b.CommitTime != "" {
		fmt.Fprintf(e.stdout, "date:    %s (commit)\n", b.CommitTime)
	}
	return nil
}
