package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
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
		done <- run(ctx, env{stdin: pr, stdout: &out, stderr: &errs, getenv: func(string) string { return "" }, now: testClock}, []string{"serve", "--db", db})
	}()
	if _, err := io.WriteString(pw, "aide\n"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, &out, "Je suis Boussole", 1)
	if _, err := io.WriteString(pw, "mon voisin zorglubien m'a vole ma carte\n"); err != nil {
		t.Fatal(err)
	}
	// Every reply to a question ends by offering a mediator: the second
	// offer is the answer to the second message.
	waitFor(t, &out, "Parler à un médiateur", 2)
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
	code, _, errs := runCmd(t, "", "serve", "--config", cfg, "--db", filepath.Join(t.TempDir(), "b.db"))
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
