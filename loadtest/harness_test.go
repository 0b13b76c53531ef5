package loadtest

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/boussole/boussole/adapters/discord/discordtest"
)

// buildBoussole builds `boussole` (without -race: the replicas are the
// system under measure, not under inspection) into a temporary folder.
func buildBoussole(t testing.TB) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "boussole")
	cmd := exec.Command("go", "build", "-o", bin, "github.com/boussole/boussole/cmd/boussole")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// cluster is several `boussole serve` processes on one PostgreSQL schema
// and one fake Discord server, reached through the proxy.
type cluster struct {
	t        testing.TB
	bin, dir string
	dsn      string
	failover time.Duration
	now      func() time.Time
	logLevel string
	f        *discordtest.Server
	px       *proxy

	mu       sync.Mutex
	replicas map[int]*replica
}

// replica is one serve process.
type replica struct {
	id   int
	cmd  *exec.Cmd
	port int
	log  string
	done chan struct{}
}

func newCluster(t testing.TB, bin, dsn string, failover time.Duration, f *discordtest.Server, px *proxy) *cluster {
	c := &cluster{t: t, bin: bin, dir: t.TempDir(), dsn: dsn, failover: failover, now: px.now, logLevel: "warn", f: f, px: px, replicas: map[int]*replica{}}
	t.Cleanup(c.stopAll)
	return c
}

// config is replica id's configuration: PostgreSQL, Discord through the
// proxy, mediators' queue in #mediateurs (300) for the role Médiateur,
// consent asked before a case is opened.
func (c *cluster) config(id int) string {
	return fmt.Sprintf(`lang: fr
database:
  driver: postgres
  dsn_env: BOUSSOLE_POSTGRES_DSN
  max_conns: 8
  failover_after: %s
log:
  level: %s
admin:
  enabled: false
console:
  enabled: false
discord:
  enabled: true
  token_env: DISCORD_TOKEN
  api_base: %s
  guild_ids: ["%s"]
mediation:
  consent: true
  roles:
    discord: [Médiateur]
  queues:
    default: {platform: discord, channel: "300"}
`, c.failover, c.logLevel, c.px.base(id), discordtest.GuildID)
}

// start starts replica id and waits for it to be ready (/readyz) and
// connected to the gateway, failing the test otherwise.
func (c *cluster) start(id int) {
	c.t.Helper()
	if err := c.startReplica(id); err != nil {
		c.t.Fatal(err)
	}
}

// startReplica is start for any goroutine: it returns what went wrong.
func (c *cluster) startReplica(id int) error {
	cfg := filepath.Join(c.dir, fmt.Sprintf("r%d.yaml", id))
	if err := os.WriteFile(cfg, []byte(c.config(id)), 0o600); err != nil {
		return err
	}
	port, err := freePort()
	if err != nil {
		return err
	}
	logPath := filepath.Join(c.dir, fmt.Sprintf("r%d-%d.log", id, port))
	logf, err := os.Create(logPath)
	if err != nil {
		return err
	}
	c.f.Mu.Lock()
	sessions := c.f.Identifies
	c.f.Mu.Unlock()
	cmd := exec.Command(c.bin, "serve", "--config", cfg, "--listen", fmt.Sprintf("127.0.0.1:%d", port))
	cmd.Dir = c.dir
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + c.dir, "DISCORD_TOKEN=test-token", "BOUSSOLE_POSTGRES_DSN=" + c.dsn, "TZ=UTC"}
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start replica %d: %w", id, err)
	}
	r := &replica{id: id, cmd: cmd, port: port, log: logPath, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); logf.Close(); close(r.done) }()
	c.mu.Lock()
	c.replicas[id] = r
	c.mu.Unlock()
	for deadline := c.now().Add(90 * time.Second); c.now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		select {
		case <-r.done:
			return fmt.Errorf("replica %d stopped at start:\n%s", id, tail(logPath))
		default:
		}
		c.f.Mu.Lock()
		connected := c.f.Identifies > sessions
		c.f.Mu.Unlock()
		if connected && get(fmt.Sprintf("http://127.0.0.1:%d/readyz", port)) == 200 {
			return nil
		}
	}
	return fmt.Errorf("replica %d not ready within 90s:\n%s", id, tail(logPath))
}

// kill ends replica id with SIGKILL: no clean stop, its leases stay
// taken until they expire.
func (c *cluster) kill(id int) {
	c.mu.Lock()
	r := c.replicas[id]
	delete(c.replicas, id)
	c.mu.Unlock()
	_ = r.cmd.Process.Signal(syscall.SIGKILL)
	<-r.done
}

// stopAll stops the replicas still running as an operator does (SIGTERM),
// then kills what has not stopped after 30 s.
func (c *cluster) stopAll() {
	c.mu.Lock()
	rs := c.replicas
	c.replicas = map[int]*replica{}
	c.mu.Unlock()
	for _, r := range rs {
		_ = r.cmd.Process.Signal(syscall.SIGTERM)
	}
	for _, r := range rs {
		select {
		case <-r.done:
		case <-time.After(30 * time.Second):
			c.t.Errorf("replica %d did not stop on SIGTERM:\n%s", r.id, tail(r.log))
			_ = r.cmd.Process.Kill()
			<-r.done
		}
		if c.t.Failed() {
			c.t.Logf("replica %d log:\n%s", r.id, tail(r.log))
		}
	}
}

// logs returns the end of every replica's logs (for a failure message).
func (c *cluster) logs() string {
	files, _ := filepath.Glob(filepath.Join(c.dir, "r*.log"))
	var b strings.Builder
	for _, f := range files {
		fmt.Fprintf(&b, "--- %s\n%s\n", filepath.Base(f), tail(f))
	}
	return b.String()
}

func tail(path string) string {
	b, _ := os.ReadFile(path)
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(bytes.TrimSpace(b))
}

// freePort returns a port free on 127.0.0.1 a moment ago: serve's
// --listen takes an address, and /readyz must be found.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func get(url string) int {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", url, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}
