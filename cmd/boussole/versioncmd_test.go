package main

import (
	"encoding/json"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
)

func TestVersionCommand(t *testing.T) {
	code, out, errs := runCmd(t, "", "version")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	// A test binary is not linked with -X: the default shows.
	if !strings.HasPrefix(out, "boussole dev\n") || !strings.Contains(out, runtime.Version()+" "+runtime.GOOS+"/"+runtime.GOARCH) {
		t.Fatalf("output:\n%s", out)
	}
	code, out, errs = runCmd(t, "", "version", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var b buildInfo
	if err := json.Unmarshal([]byte(out), &b); err != nil {
		t.Fatalf("%v in %q", err, out)
	}
	if b.Version != "dev" || b.GoVersion != runtime.Version() || b.Platform != runtime.GOOS+"/"+runtime.GOARCH {
		t.Fatalf("%+v", b)
	}
	if code, _, _ := runCmd(t, "", "version", "extra"); code != 2 {
		t.Fatalf("an argument: exit %d, want 2", code)
	}
}

func TestReadBuildInfo(t *testing.T) {
	stamped := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "github.com/boussole/boussole", Version: "(devel)"},
		Settings: []debug.BuildSetting{
			{Key: "-trimpath", Value: "true"},
			{Key: "vcs.revision", Value: "0123456789abcdef0123456789abcdef01234567"},
			{Key: "vcs.time", Value: "2026-12-01T10:00:00Z"},
			{Key: "vcs.modified", Value: "true"},
		}}
	for _, tc := range []struct {
		name   string
		linked string
		bi     *debug.BuildInfo
		want   buildInfo
	}{
		{"release build", "v1.4.0", stamped, buildInfo{Version: "v1.4.0", GoVersion: "go1.26.8",
			Commit: "0123456789abcdef0123456789abcdef01234567", CommitTime: "2026-12-01T10:00:00Z", Modified: true}},
		{"go install module@version", "dev", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.3.2"}},
			buildInfo{Version: "v1.3.2", GoVersion: "go1.26.8"}},
		{"the linker's version wins", "v1.4.0-rc1", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.3.2"}},
			buildInfo{Version: "v1.4.0-rc1", GoVersion: "go1.26.8"}},
		{"no build record", "dev", nil, buildInfo{Version: "dev", GoVersion: runtime.Version()}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.want.Platform = runtime.GOOS + "/" + runtime.GOARCH
			if got := readBuildInfo(tc.linked, tc.bi); got != tc.want {
				t.Fatalf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
}
