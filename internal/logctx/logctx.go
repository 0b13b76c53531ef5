// Package logctx carries a request id in a context and adds it to every
// log record made with that context, so that an operator can follow one
// turn (or one admin request) across the engine, the store and the
// adapters without any message text being logged.
package logctx

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
)

// Key is the attribute name of the request id in log records.
const Key = "req"

type idKey struct{}

// With returns ctx carrying id; an empty id returns ctx unchanged.
func With(ctx context.Context, id string) context.Context {
	if id == "" {
		return ctx
	}
	return context.WithValue(ctx, idKey{}, id)
}

// ID is the request id ctx carries, "" when none.
func ID(ctx context.Context) string {
	if ctx == nil {
		return ""
	}
	id, _ := ctx.Value(idKey{}).(string)
	return id
}

// New returns a fresh request id: 12 hex digits, random so that ids of
// several replicas do not collide, short enough to grep.
func New() string {
	var b [6]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	return hex.EncodeToString(b[:])
}

// Handler adds the context's request id to each record it passes on.
type Handler struct{ next slog.Handler }

// Wrap returns h adding request ids.
func Wrap(h slog.Handler) *Handler { return &Handler{next: h} }

// Enabled reports whether the wrapped handler handles level.
func (h *Handler) Enabled(ctx context.Context, l slog.Level) bool { return h.next.Enabled(ctx, l) }

// Handle adds the request id, if ctx has one, and passes r on.
func (h *Handler) Handle(ctx context.Context, r slog.Record) error {
	if id := ID(ctx); id != "" {
		r = r.Clone()
		r.AddAttrs(slog.String(Key, id))
	}
	return h.next.Handle(ctx, r)
}

// WithAttrs returns a handler with attrs, still adding request ids.
func (h *Handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &Handler{next: h.next.WithAttrs(attrs)}
}

// WithGroup returns a handler with a group, still adding request ids.
func (h *Handler) WithGroup(name string) slog.Handler { return &Handler{next: h.next.WithGroup(name)} }
