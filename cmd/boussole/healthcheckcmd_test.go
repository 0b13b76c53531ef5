package main

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/boussole/boussole/app/httpserver"
)

// serveHealth runs serve's own HTTP server on 127.0.0.1 with one
// readiness check that fails while *down is set, until the test ends.
func serveHealth(t *testing.T, down *error, mu *sync.Mutex) string {
	t.Helper()
	srv := httpserver.New("127.0.0.1:0", nil)
	srv.AddCheck("store", func(context.Context) error {
		mu.Lock()
		defer mu.Unlock()
		return *down
	})
	if err := srv.Listen(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	})
	return "http://" + srv.Addr().String()
}

func TestHealthcheckAgainstServeServer(t *testing.T) {
	var (
		mu   sync.Mutex
		down error
	)
	base := serveHealth(t, &down, &mu)

	code, out, errs := runCmd(t, "", "healthcheck", "--url", base+"/readyz")
	if code != 0 || out != "ready\n" {
		t.Fatalf("ready: exit %d, stdout %q, stderr %q", code, out, errs)
	}

	mu.Lock()
	down = errors.New("database unreachable")
	mu.Unlock()
	code, out, errs = runCmd(t, "", "healthcheck", "--url", base+"/readyz")
	if code != 1 || out != "" || !strings.Contains(errs, "answered 503") || !strings.Contains(errs, "store: database unreachable") {
		t.Fatalf("not ready: exit %d, stdout %q, stderr %q", code, out, errs)
	}
	// Alive all the same.
	if code, out, errs = runCmd(t, "", "healthcheck", "--url", base+"/healthz"); code != 0 || out != "ok\n" {
		t.Fatalf("healthz: exit %d, stdout %q, stderr %q", code, out, errs)
	}
	// A path that is not a health endpoint is a failure, not a success.
	if code, _, errs = runCmd(t, "", "healthcheck", "--url", base+"/nope"); code != 1 || !strings.Contains(errs, "answered 404") {
		t.Fatalf("404: exit %d, stderr %q", code, errs)
	}
}

func TestHealthcheckNoServer(t *testing.T) {
	// A port that was just free: nobody listens there.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	code, _, errs := runCmd(t, "", "healthcheck", "--url", "http://"+addr+"/readyz")
	if code != 1 || !strings.Contains(errs, "healthcheck: get http://"+addr+"/readyz") {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
}

func TestHealthcheckServerThatDoesNotAnswer(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) })
	code, _, errs := runCmd(t, "", "healthcheck", "--url", srv.URL+"/readyz", "--timeout", "200ms")
	if code != 1 || !strings.Contains(errs, "no answer within 200ms") {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
}

func TestHealthcheckRedirectIsAFailure(t *testing.T) {
	srv := httptest.NewServer(http.RedirectHandler("/login", http.StatusFound))
	t.Cleanup(srv.Close)
	if code, _, errs := runCmd(t, "", "healthcheck", "--url", srv.URL+"/readyz"); code != 1 || !strings.Contains(errs, "answered 302") {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
}

func TestHealthcheckUsage(t *testing.T) {
	for _, args := range [][]string{
		{"--url", "127.0.0.1:8080/readyz"},
		{"--url", "ftp://127.0.0.1/readyz"},
		{"--timeout", "0s"},
		{"extra"},
	} {
		code, _, errs := runCmd(t, "", append([]string{"healthcheck"}, args...)...)
		if code != 2 || errs == "" {
			t.Errorf("%q: exit %d, stderr %q", args, code, errs)
		}
	}
}
