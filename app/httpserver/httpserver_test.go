package httpserver

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
)

func getBody(t *testing.T, url string) (int, string) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// The server answers /healthz, flips /readyz with its checks, serves
// what is mounted even after it started, and stops with its context.
func TestServer(t *testing.T) {
	s := New("127.0.0.1:0", nil)
	if err := s.Listen(); err != nil {
		t.Fatal(err)
	}
	var storeErr error
	s.AddCheck("store", func(context.Context) error { return storeErr })
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx) }()
	base := "http://" + s.Addr().String()

	if code, body := getBody(t, base+"/healthz"); code != 200 || body != "ok\n" {
		t.Errorf("/healthz = %d %q", code, body)
	}
	if code, _ := getBody(t, base+"/readyz"); code != 200 {
		t.Errorf("/readyz = %d, want 200", code)
	}
	storeErr = errors.New("database: locked")
	if code, body := getBody(t, base+"/readyz"); code != 503 || !strings.Contains(body, "store: database: locked") {
		t.Errorf("/readyz with the store down = %d %q", code, body)
	}
	s.Handle("GET /late", http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("mounted")) }))
	if code, body := getBody(t, base+"/late"); code != 200 || body != "mounted" {
		t.Errorf("/late = %d %q", code, body)
	}
	stop()
	if err := <-done; err != nil {
		t.Errorf("Serve = %v", err)
	}
}

// A taken port is an error at Listen, naming the setting.
func TestListenTaken(t *testing.T) {
	a := New("127.0.0.1:0", nil)
	if err := a.Listen(); err != nil {
		t.Fatal(err)
	}
	defer a.ln.Close()
	b := New(a.Addr().String(), nil)
	if err := b.Listen(); err == nil || !strings.Contains(err.Error(), "http.listen") {
		t.Errorf("Listen on a taken port = %v", err)
	}
}
