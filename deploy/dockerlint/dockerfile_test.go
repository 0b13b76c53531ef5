package dockerlint

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/client/llb/sourceresolver"
	"github.com/moby/buildkit/frontend/dockerfile/dockerfile2llb"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/opencontainers/go-digest"
)

// root is the repository's root, from this package's folder.
const root = "../.."

func readDockerfile(t *testing.T) []byte {
	t.Helper()
	dt, err := os.ReadFile(filepath.Join(root, "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	return dt
}

// offlineImages answers BuildKit's questions about base images with an
// empty Linux image config, so the checks run without a registry (none
// is reachable from CI); it records what was asked.
type offlineImages struct{ asked []string }

func (o *offlineImages) ResolveImageConfig(_ context.Context, ref string, opt sourceresolver.Opt) (string, digest.Digest, []byte, error) {
	o.asked = append(o.asked, ref)
	arch := "amd64"
	if opt.ImageOpt != nil && opt.ImageOpt.Platform != nil && opt.ImageOpt.Platform.Architecture != "" {
		arch = opt.ImageOpt.Platform.Architecture
	}
	cfg := fmt.Sprintf(`{"architecture":%q,"os":"linux","config":{"Env":["PATH=/usr/local/go/bin:/usr/bin:/bin"]},"rootfs":{"type":"layers","diff_ids":[]}}`, arch)
	return ref, digest.FromString(cfg), []byte(cfg), nil
}

// lint runs BuildKit's Dockerfile checks on dt and returns one line per
// warning, and the build error if the file does not convert.
func lint(t *testing.T, dt []byte) (warnings []string, buildErr string, asked []string) {
	t.Helper()
	sm := llb.NewSourceMap(nil, "Dockerfile", "Dockerfile", dt)
	sm.Definition = &llb.Definition{}
	imgs := &offlineImages{}
	res, err := dockerfile2llb.DockerfileLint(context.Background(), dt, dockerfile2llb.ConvertOpt{SourceMap: sm, MetaResolver: imgs})
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range res.Warnings {
		line := 0
		if len(w.Location.Ranges) > 0 {
			line = int(w.Location.Ranges[0].Start.Line)
		}
		warnings = append(warnings, fmt.Sprintf("Dockerfile:%d: %s: %s", line, w.RuleName, w.Detail))
	}
	if res.Error != nil {
		buildErr = res.Error.Message
	}
	return warnings, buildErr, imgs.asked
}

// TestBuildKitChecks: the checks `docker build --check` runs pass with no
// warning (the Dockerfile also says check=error=true).
func TestBuildKitChecks(t *testing.T) {
	warnings, buildErr, asked := lint(t, readDockerfile(t))
	for _, w := range warnings {
		t.Error(w)
	}
	if buildErr != "" {
		t.Error("build error:", buildErr)
	}
	if len(asked) == 0 {
		t.Error("no base image was resolved: the checks did not run through the stages")
	}
}

// The checks find what they should: a file with known faults is flagged.
func TestBuildKitChecksFindFaults(t *testing.T) {
	bad := "from golang:1.26.8 as build\nENV API_TOKEN=abc\nFROM scratch\nCOPY --from=build /x /x\nCMD echo hi\n"
	warnings, _, _ := lint(t, []byte(bad))
	joined := strings.Join(warnings, "\n")
	for _, rule := range []string{"ConsistentInstructionCasing", "SecretsUsedInArgOrEnv", "JSONArgsRecommended"} {
		if !strings.Contains(joined, rule) {
			t.Errorf("%s not reported in:\n%s", rule, joined)
		}
	}
}

func parseStages(t *testing.T, dt []byte) []instructions.Stage {
	t.Helper()
	ast, err := parser.Parse(bytes.NewReader(dt))
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range ast.Warnings {
		t.Errorf("Dockerfile: parser warning: %s", w.Short)
	}
	stages, _, err := instructions.Parse(ast.AST, nil)
	if err != nil {
		t.Fatal(err)
	}
	return stages
}

// exactImage is an image pinned to a digest or to a full x.y.z release.
var exactImage = regexp.MustCompile(`(@sha256:[0-9a-f]{64}$)|(:[^:/@]*\d+\.\d+\.\d+[^:/@]*$)`)

// secretName is an ENV or ARG name that looks like it holds a secret:
// secrets come from the environment at run time, never from the image.
var secretName = regexp.MustCompile(`(?i)(token|secret|passw|api_?key|private|credential|dsn)`)

// policy returns what the Dockerfile dt breaks of the image's promises.
func policy(t *testing.T, dt []byte) []string {
	stages := parseStages(t, dt)
	if len(stages) < 2 {
		return []string{"want a multi-stage build (a builder, then a minimal final stage)"}
	}
	var faults []string
	fault := func(format string, a ...any) { faults = append(faults, fmt.Sprintf(format, a...)) }
	names := map[string]bool{}
	buildScript := false
	for _, st := range stages {
		base := st.BaseName
		switch {
		case base == "scratch", names[strings.ToLower(base)]:
		case !exactImage.MatchString(base):
			fault("FROM %s: pin the base image to a digest or an exact x.y.z tag", base)
		}
		if st.Name != "" {
			names[strings.ToLower(st.Name)] = true
		}
		for _, c := range st.Commands {
			switch c := c.(type) {
			case *instructions.AddCommand:
				for _, src := range c.SourcePaths {
					if strings.Contains(src, "://") || strings.HasPrefix(src, "git@") {
						fault("ADD %s: no downloads at build time (they are neither pinned nor checked); COPY files from the context", src)
					}
				}
			case *instructions.EnvCommand:
				for _, kv := range c.Env {
					if secretName.MatchString(kv.Key) {
						fault("ENV %s: secrets are given at run time, never baked into the image", kv.Key)
					}
				}
			case *instructions.ArgCommand:
				for _, kv := range c.Args {
					if secretName.MatchString(kv.Key) {
						fault("ARG %s: build arguments are kept in the image's history; use a secret mount", kv.Key)
					}
				}
			case *instructions.RunCommand:
				if strings.Contains(strings.Join(c.CmdLine, " "), "scripts/build.sh") {
					buildScript = true
				}
			}
		}
	}
	if !buildScript {
		fault("no RUN calls scripts/build.sh: the image must be built the way CI checks and releases build")
	}
	final := stages[len(stages)-1]
	var user, workdir string
	var health *instructions.HealthCheckCommand
	var volumes, ports []string
	var entrypoint *instructions.EntrypointCommand
	for _, c := range final.Commands {
		switch c := c.(type) {
		case *instructions.UserCommand:
			user = c.User
		case *instructions.WorkdirCommand:
			workdir = c.Path
		case *instructions.HealthCheckCommand:
			health = c
		case *instructions.VolumeCommand:
			volumes = append(volumes, c.Volumes...)
		case *instructions.ExposeCommand:
			ports = append(ports, c.Ports...)
		case *instructions.EntrypointCommand:
			entrypoint = c
		case *instructions.RunCommand:
			fault("RUN in the final stage: it has no shell; prepare files in the build stage")
		}
	}
	uid, _, _ := strings.Cut(user, ":")
	if n, err := strconv.Atoi(uid); err != nil || n == 0 {
		fault("final stage USER %q: want a numeric non-root uid (Kubernetes' runAsNonRoot checks numbers)", user)
	}
	if health == nil || len(health.Health.Test) == 0 || health.Health.Test[0] == "NONE" {
		fault("final stage: no HEALTHCHECK")
	} else if health.Health.Test[0] != "CMD" || !slices.Contains(health.Health.Test, "healthcheck") {
		fault("HEALTHCHECK %q: want the exec form running `boussole healthcheck` (no shell, no curl in the image)", health.Health.Test)
	}
	if !slices.Contains(volumes, "/var/lib/boussole") {
		fault("final stage: VOLUME /var/lib/boussole missing (volumes: %q)", volumes)
	}
	if workdir != "/var/lib/boussole" {
		fault("final stage WORKDIR %q: want /var/lib/boussole, where database.path's default lands", workdir)
	}
	if !slices.Contains(ports, "8080") {
		fault("final stage: EXPOSE 8080 missing (ports: %q)", ports)
	}
	if entrypoint == nil || entrypoint.PrependShell {
		fault("final stage: want ENTRYPOINT in exec form (signals reach boussole, which finishes the turns in flight)")
	}
	return faults
}

func TestDockerfilePolicy(t *testing.T) {
	for _, f := range policy(t, readDockerfile(t)) {
		t.Error("Dockerfile:", f)
	}
}

// The policy catches each fault on its own.
func TestDockerfilePolicyFindsFaults(t *testing.T) {
	good := string(readDockerfile(t))
	for _, tc := range []struct{ name, from, to, want string }{
		{"moving tag", "$BUILDPLATFORM golang:1.26.8-bookworm", "$BUILDPLATFORM golang:1.26", "pin the base image"},
		{"root user", "USER 65532:65532", "USER root", "numeric non-root"},
		{"uid 0", "USER 65532:65532", "USER 0", "numeric non-root"},
		{"no health check", "HEALTHCHECK --interval", "# HEALTHCHECK --interval", "no HEALTHCHECK"},
		{"download", "COPY config.example.yaml /etc/boussole/config.example.yaml",
			"ADD https://example.org/config.yaml /etc/boussole/config.example.yaml", "no downloads"},
		{"secret", "ENV TMPDIR=/var/lib/boussole", "ENV MATTERMOST_TOKEN=x", "ENV MATTERMOST_TOKEN"},
		{"other build", "sh scripts/build.sh", "go build -o", "scripts/build.sh"},
		{"shell entrypoint", `ENTRYPOINT ["/usr/local/bin/boussole"]`, "ENTRYPOINT /usr/local/bin/boussole", "exec form"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !strings.Contains(good, tc.from) {
				t.Fatalf("the Dockerfile no longer has %q: update this case", tc.from)
			}
			bad := strings.Replace(good, tc.from, tc.to, 1)
			faults := strings.Join(policy(t, []byte(bad)), "\n")
			if !strings.Contains(faults, tc.want) {
				t.Fatalf("want a fault saying %q, got:\n%s", tc.want, faults)
			}
		})
	}
}
