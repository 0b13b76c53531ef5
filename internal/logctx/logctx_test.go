package logctx_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"testing"

	"github.com/boussole/boussole/internal/logctx"
)

// A record made with a context carrying an id has it; one without, and
// one made with the non-context methods, do not; attributes and groups
// added later keep the id.
func TestHandlerAddsTheRequestID(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(logctx.Wrap(slog.NewJSONHandler(&buf, nil))).With("part", "test")
	ctx := logctx.With(context.Background(), "abc123")
	log.InfoContext(ctx, "with id")
	log.Info("without id")
	log.WithGroup("g").WarnContext(ctx, "grouped", "k", 1)
	var lines []map[string]any
	dec := json.NewDecoder(&buf)
	for dec.More() {
		var m map[string]any
		if err := dec.Decode(&m); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, m)
	}
	if len(lines) != 3 || lines[0][logctx.Key] != "abc123" || lines[0]["part"] != "test" || lines[1][logctx.Key] != nil {
		t.Fatalf("records = %v", lines)
	}
	if g, _ := lines[2]["g"].(map[string]any); g == nil || g[logctx.Key] != "abc123" {
		t.Fatalf("grouped record = %v", lines[2])
	}
	if a, b := logctx.New(), logctx.New(); len(a) != 12 || a == b {
		t.Fatalf("ids %q %q", a, b)
	}
	if logctx.ID(context.Background()) != "" || logctx.With(context.Background(), "") != context.Background() {
		t.Fatal("an empty id is no id")
	}
}
