// Package httpserver is a serve process's one HTTP server: it hosts the
// web admin, the Mattermost callbacks, /healthz and /readyz on one
// address, so an operator opens one port and puts one reverse proxy in
// front of Boussole.
package httpserver

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/boussole/boussole/internal/logctx"
)

// Check is one readiness check: nil when that part is ready, else why
// not (said on /readyz, so no secret in it).
type Check func(ctx context.Context) error

// Server is the HTTP server. Handlers may be mounted while it serves
// (the Mattermost adapter mounts its callbacks once connected).
type Server struct {
	addr   string
	log    *slog.Logger
	mux    *http.ServeMux
	mu     sync.Mutex
	checks map[string]Check
	ln     net.Listener
}

// New returns a server for addr (host:port; port 0 picks one).
func New(addr string, log *slog.Logger) *Server {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Server{addr: addr, log: log, mux: http.NewServeMux(), checks: map[string]Check{}}
	s.mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok\n"))
	})
	s.mux.HandleFunc("GET /readyz", s.ready)
	return s
}

// Handle mounts h at pattern (http.ServeMux patterns).
func (s *Server) Handle(pattern string, h http.Handler) { s.mux.Handle(pattern, h) }

// AddCheck adds a readiness check under name.
func (s *Server) AddCheck(name string, c Check) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.checks[name] = c
}

// ready answers 200 when every check passes, else 503 with the failing
// ones, one per line.
func (s *Server) ready(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	checks := make(map[string]Check, len(s.checks))
	for n, c := range s.checks {
		checks[n] = c
	}
	s.mu.Unlock()
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	var failed []string
	for n, c := range checks {
		if err := c(ctx); err != nil {
			failed = append(failed, n+": "+err.Error())
		}
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if len(failed) > 0 {
		w.WriteHeader(http.StatusServiceUnavailable)
		slices.Sort(failed)
		for _, f := range failed {
			_, _ = w.Write([]byte(f + "\n"))
		}
		return
	}
	_, _ = w.Write([]byte("ready\n"))
}

// withRequestID gives each request an id, the proxy's X-Request-Id when
// it is a plain token, in the context (the logs of what it causes carry
// it) and in the response.
func withRequestID(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get("X-Request-Id")
		if !plainToken(id) {
			id = logctx.New()
		}
		w.Header().Set("X-Request-Id", id)
		h.ServeHTTP(w, r.WithContext(logctx.With(r.Context(), id)))
	})
}

// plainToken is 1–64 letters, digits, '-' or '_': nothing a log reader
// could be fooled by.
func plainToken(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// Listen binds the address now, so that a taken port stops the start
// with a clear error before any adapter connects.
func (s *Server) Listen() error {
	ln, err := net.Listen("tcp", s.addr)
	if err != nil {
		return fmt.Errorf("http server: listen on %s (http.listen): %w", s.addr, err)
	}
	s.ln = ln
	return nil
}

// Addr is the address the server listens on, once Listen succeeded.
func (s *Server) Addr() net.Addr {
	if s.ln == nil {
		return nil
	}
	return s.ln.Addr()
}

// Serve serves until ctx is done, then lets requests in flight finish
// (at most 5 seconds). Listen must have been called.
func (s *Server) Serve(ctx context.Context) error {
	if s.ln == nil {
		return errors.New("http server: Serve before Listen")
	}
	srv := &http.Server{Handler: withRequestID(s.mux), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 60 * time.Second, IdleTimeout: 2 * time.Minute, MaxHeaderBytes: 64 << 10,
		ErrorLog: slog.NewLogLogger(s.log.Handler(), slog.LevelWarn)}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(s.ln) }()
	s.log.Info("http server listening", "addr", s.ln.Addr().String())
	select {
	case err := <-errc:
		return fmt.Errorf("http server on %s: %w", s.ln.Addr(), err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("http server: shut down: %w", err)
	}
	return nil
}
