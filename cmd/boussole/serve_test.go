package main

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/boussole/boussole/app/apptest"
)

func TestServeRunsUntilStoppedThenShutsDownCleanly(t *testing.T) {
	db := filepath.Join(t.TempDir(), "b.db")
	pr, pw := io.Pipe()
	defer pw.Close()
	var out, errs apptest.SyncBuffer
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, env{stdin: pr, stdout: &out, stderr: &errs, getenv: func(string) string { return "" }, now: testClock}, []string{"serve", "--db", db, "--listen", "127.0.0.1:0"})
	}()
	if _, err := io.WriteString(pw, "aide\n"); err != nil {
		t.Fatal(err)
	}
	// The one HTTP server answers beside the chat.
	waitFor(t, &errs, "http server listening", 1)
	m := regexp.MustCompile(`addr=(127\.0\.0\.1:\d+)`).FindStringSubmatch(errs.String())
	if m == nil {
		t.Fatalf("no address in the log:\n%s", errs.String())
	}
	for path, want := range map[string]int{"/healthz": 200, "/readyz": 200} {
		res, err := http.Get("http://" + m[1] + path)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != want {
			t.Errorf("GET %s = %d, want %d", path, res.StatusCode, want)
		}
	}
	waitFor(t, &out, "Je suis Boussole", 1)
	if _, err := io.WriteString(pw, "mon voisin zorglubien m'a vole ma carte\n"); err != nil {
		t.Fatal(err)
	}
	// Every reply to a question ends by offering a mediator: the second
	// offer is the answer to the second message.
	waitFor(t, &out, "Parler à un médiateur", 2)
	// The metrics count the two messages, and carry none of their words.
	res, err := http.Get("http://" + m[1] + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if !strings.Contains(string(metrics), `boussole_messages_received_total{platform="console"} 2`) || strings.Contains(string(metrics), "zorglub") {
		t.Errorf("/metrics after two messages:\n%s", metrics)
	}
	cancel() // as SIGTERM does
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errs.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not stop")
	}
	if !strings.Contains(errs.String(), "boussole stopped") {
		t.Errorf("no shutdown log:\n%s", errs.String())
	}
	if strings.Contains(errs.String(), "zorglub") {
		t.Errorf("message text logged at info:\n%s", errs.String())
	}
}

func TestServeWithoutAdapters(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "c.yaml")
	must(t, os.WriteFile(cfg, []byte("console:\n  enabled: false\n"), 0o600))
	code, _, errs := runCmd(t, "", "serve", "--config", cfg, "--db", filepath.Join(t.TempDir(), "b.db"), "--listen", "none")
	if code != 1 || !strings.Contains(errs, "no adapter is enabled") {
		t.Fatalf("exit %d: %s", code, errs)
	}
}

// waitFor waits until want appears n times in b.
func waitFor(t *testing.T, b *apptest.SyncBuffer, want string, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for strings.Count(b.String(), want) < n {
		if time.Now().After(deadline) {
			t.Fatalf("never saw %q in:\n%s", want, b.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}
