package httpserver

import (
	"context"
	"net/http"
	"testing"

	"github.com/boussole/boussole/internal/logctx"
)

// Each request has an id in its context and its response: the proxy's
// when it is a plain token, else a new one (a forged header with spaces
// or newlines is not taken into the logs).
func TestRequestIDs(t *testing.T) {
	s := New("127.0.0.1:0", nil)
	if err := s.Listen(); err != nil {
		t.Fatal(err)
	}
	seen := make(chan string, 3)
	s.Handle("GET /id", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { seen <- logctx.ID(r.Context()) }))
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	go func() { _ = s.Serve(ctx) }()
	get := func(header string) (string, string) {
		req, _ := http.NewRequest("GET", "http://"+s.Addr().String()+"/id", nil)
		if header != "" {
			req.Header.Set("X-Request-Id", header)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.Header.Get("X-Request-Id"), <-seen
	}
	if out, in := get("lb-42_a"); out != "lb-42_a" || in != "lb-42_a" {
		t.Errorf("proxy id: response %q, context %q", out, in)
	}
	if out, in := get("x y\tz"); out == "x y\tz" || len(out) != 12 || in != out {
		t.Errorf("forged id: response %q, context %q", out, in)
	}
	if out, in := get(""); len(out) != 12 || in != out {
		t.Errorf("no id: response %q, context %q", out, in)
	}
}
