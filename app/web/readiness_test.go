package web_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/boussole/boussole/adapters/adapterdeps"
	"github.com/boussole/boussole/adapters/discord"
	"github.com/boussole/boussole/adapters/discord/discordtest"
	"github.com/boussole/boussole/app"
	"github.com/boussole/boussole/app/httpserver"
	"github.com/boussole/boussole/app/web"
	"github.com/boussole/boussole/bot"
	"github.com/boussole/boussole/bot/store/pgtest"
)

// clock is a test's one clock, moved by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func newClock() *clock { return &clock{t: time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)} }

// openApp opens Boussole on cfg (a SQLite file in t's directory unless
// cfg says otherwise), without the admin.
func openApp(t *testing.T, cfg app.Config, now func() time.Time) *app.App {
	t.Helper()
	if cfg.Database.Path == "" || cfg.Database.Path == app.Default().Database.Path {
		cfg.Database.Path = filepath.Join(t.TempDir(), "b.db")
	}
	cfg.Admin.Enabled = false
	a, err := app.Open(context.Background(), cfg, slog.New(slog.DiscardHandler), now)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return a
}

// serve runs the one HTTP server on 127.0.0.1 with a's checks and
// metrics, and the platform checks of adapters; it returns its base URL.
func serve(t *testing.T, a *app.App, adapters ...bot.Adapter) string {
	t.Helper()
	srv := httpserver.New("127.0.0.1:0", nil)
	closeWeb, err := web.Mount(srv, a)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(closeWeb)
	web.MountPlatforms(srv, a, adapters)
	if err := srv.Listen(); err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = srv.Serve(ctx); close(done) }()
	t.Cleanup(func() { stop(); <-done })
	return "http://" + srv.Addr().String()
}

func get(t *testing.T, u string) (int, string) {
	t.Helper()
	res, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// waitReady polls /readyz until it answers code with a body containing
// part, failing after 30 s (generous: CI runs every package at once).
func waitReady(t *testing.T, base string, code int, part string) {
	t.Helper()
	var (
		got  int
		body string
	)
	for range 600 {
		got, body = get(t, base+"/readyz")
		if got == code && strings.Contains(body, part) {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("/readyz = %d %q, want %d with %q", got, body, code, part)
}

// metrics scrapes /metrics over HTTP and parses it.
func metrics(t *testing.T, base string) (map[string]*dto.MetricFamily, string) {
	t.Helper()
	code, body := get(t, base+"/metrics")
	if code != 200 {
		t.Fatalf("/metrics = %d %s", code, body)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	mfs, err := p.TextToMetricFamilies(strings.NewReader(body))
	if err != nil {
		t.Fatalf("parse /metrics: %v", err)
	}
	return mfs, body
}

// sample is the value of family name's sample with exactly labels
// (name, value, …), -1 when absent.
func sample(mfs map[string]*dto.MetricFamily, name string, labels ...string) float64 {
next:
	for _, m := range mfs[name].GetMetric() {
		if len(m.Label) != len(labels)/2 {
			continue
		}
		for i := 0; i+1 < len(labels); i += 2 {
			found := false
			for _, l := range m.Label {
				found = found || l.GetName() == labels[i] && l.GetValue() == labels[i+1]
			}
			if !found {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			return m.Counter.GetValue()
		case m.Gauge != nil:
			return m.Gauge.GetValue()
		case m.Histogram != nil:
			return float64(m.Histogram.GetSampleCount())
		}
	}
	return -1
}

// A SQLite store that goes away (closed under the running server) makes
// /readyz answer 503 naming it, and the failed reads are counted.
func TestReadyStoreClosed(t *testing.T) {
	clk := newClock()
	a := openApp(t, app.Default(), clk.now)
	base := serve(t, a)
	waitReady(t, base, 200, "ready")
	if code, _ := get(t, base+"/healthz"); code != 200 {
		t.Fatalf("/healthz = %d", code)
	}
	if err := a.Store.Close(); err != nil {
		t.Fatal(err)
	}
	waitReady(t, base, 503, "store: database")
	if code, _ := get(t, base+"/healthz"); code != 200 {
		t.Errorf("/healthz = %d with the store down: the process is alive", code)
	}
	mfs, _ := metrics(t, base)
	if n := sample(mfs, "boussole_store_errors_total", "op", "read"); n < 1 {
		t.Errorf("boussole_store_errors_total{op=read} = %v, want at least 1", n)
	}
}

// proxy is a TCP relay to a database: down drops every connection and
// refuses new ones until up, as a database server that goes away and
// comes back.
type proxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	down   bool
	conns  map[net.Conn]bool
}

func startProxy(t *testing.T, target string) *proxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{ln: ln, target: target, conns: map[net.Conn]bool{}}
	t.Cleanup(func() { ln.Close(); p.setDown(true) })
	go p.accept()
	return p
}

func (p *proxy) accept() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		down := p.down
		p.mu.Unlock()
		if down {
			c.Close()
			continue
		}
		s, err := net.Dial("tcp", p.target)
		if err != nil {
			c.Close()
			continue
		}
		p.mu.Lock()
		p.conns[c], p.conns[s] = true, true
		p.mu.Unlock()
		go func() { _, _ = io.Copy(s, c); s.Close() }()
		go func() { _, _ = io.Copy(c, s); c.Close() }()
	}
}

func (p *proxy) setDown(down bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = down
	if down {
		for c := range p.conns {
			c.Close()
		}
		clear(p.conns)
	}
}

// A PostgreSQL server that goes away makes /readyz answer 503 naming the
// store, and 200 again once it is back: readiness flips both ways.
func TestReadyStorePostgresAwayAndBack(t *testing.T) {
	dsn := pgtest.DSN(t)
	u, err := url.Parse(dsn)
	if err != nil || u.Host == "" {
		t.Skipf("the test DSN is not a URL with a host: %v", err)
	}
	px := startProxy(t, u.Host)
	u.Host = px.ln.Addr().String()
	t.Setenv("BOUSSOLE_READY_TEST_DSN", u.String())
	cfg := app.Default()
	cfg.Database.Driver, cfg.Database.DSNEnv = app.DriverPostgres, "BOUSSOLE_READY_TEST_DSN"
	clk := newClock()
	a := openApp(t, cfg, clk.now)
	base := serve(t, a)
	waitReady(t, base, 200, "ready")
	px.setDown(true)
	waitReady(t, base, 503, "store: database")
	px.setDown(false)
	waitReady(t, base, 200, "ready")
	mfs, _ := metrics(t, base)
	if n := sample(mfs, "boussole_store_errors_total", "op", "read"); n < 1 {
		t.Errorf("boussole_store_errors_total{op=read} = %v, want at least 1", n)
	}
}

// Discord's gateway going away makes /readyz answer 503 naming the
// platform, and 200 again once the adapter has reconnected; the metrics
// count the reconnection and show the connection up.
func TestReadyDiscordAwayAndBack(t *testing.T) {
	clk := newClock()
	a := openApp(t, app.Default(), clk.now)
	f := discordtest.Start(t, clk.now)
	d, err := discord.New(discord.Config{}, adapterdeps.Deps{Catalog: a.Catalog, Now: clk.now, HTTPClient: f.Client(), State: a.Store,
		Connection: a.Metrics.Connection,
		Getenv: func(k string) string {
			if k == "DISCORD_TOKEN" {
				return "test-token"
			}
			return ""
		}})
	if err != nil {
		t.Fatal(err)
	}
	base := serve(t, a, d)
	if code, body := get(t, base+"/readyz"); code != 503 || !strings.Contains(body, "platform discord: not connected") {
		t.Errorf("/readyz before the adapter runs = %d %q", code, body)
	}
	ctx, stop := context.WithCancel(context.Background())
	ran := make(chan error, 1)
	go func() { ran <- a.Run(ctx, d) }()
	t.Cleanup(func() {
		stop()
		if err := <-ran; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	f.WaitConnected(t, "READY")
	waitReady(t, base, 200, "ready")
	mfs, _ := metrics(t, base)
	if v := sample(mfs, "boussole_platform_connected", "platform", "discord"); v != 1 {
		t.Errorf("boussole_platform_connected{discord} = %v, want 1", v)
	}

	// The gateway goes away: the connection drops and new ones are
	// refused until it comes back.
	f.Mu.Lock()
	f.Refuse = 1000
	f.Mu.Unlock()
	f.Disconnect()
	waitReady(t, base, 503, "platform discord: not connected")
	mfs, _ = metrics(t, base)
	if v := sample(mfs, "boussole_platform_connected", "platform", "discord"); v != 0 {
		t.Errorf("boussole_platform_connected{discord} = %v while down, want 0", v)
	}
	f.WaitFor(t, "a refused reconnection", func() bool { return f.Refused > 0 })
	f.Mu.Lock()
	f.Refuse = 0
	f.Mu.Unlock()
	waitReady(t, base, 200, "ready")
	mfs, _ = metrics(t, base)
	if v := sample(mfs, "boussole_platform_reconnects_total", "platform", "discord"); v != 1 {
		t.Errorf("boussole_platform_reconnects_total{discord} = %v, want 1", v)
	}
	if v := sample(mfs, "boussole_platform_connected", "platform", "discord"); v != 1 {
		t.Errorf("boussole_platform_connected{discord} = %v, want 1", v)
	}
}
