package mattermost

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/boussole/boussole/bot/catalog"
)

func newTestAdapter(t *testing.T) *Adapter {
	t.Helper()
	cat, err := catalog.New()
	if err != nil {
		t.Fatal(err)
	}
	a, err := New(Config{URL: "http://127.0.0.1:1"}, Deps{Catalog: cat, Now: time.Now, Getenv: func(k string) string {
		if k == "MATTERMOST_TOKEN" {
			return "tok"
		}
		return ""
	}})
	if err != nil {
		t.Fatal(err)
	}
	a.cmdTokens = []string{"cmdtok"}
	return a
}

func TestNewNeedsTokenAndURL(t *testing.T) {
	cat, _ := catalog.New()
	if _, err := New(Config{URL: "http://x"}, Deps{Catalog: cat, Now: time.Now, Getenv: func(string) string { return "" }}); err == nil || !strings.Contains(err.Error(), "MATTERMOST_TOKEN") {
		t.Errorf("missing token: %v", err)
	}
	if _, err := New(Config{URL: "chat.example.org"}, Deps{Catalog: cat, Now: time.Now, Getenv: func(string) string { return "t" }}); err == nil || !strings.Contains(err.Error(), "http://") {
		t.Errorf("bad url: %v", err)
	}
}

func TestCommandWithABadTokenIsRefused(t *testing.T) {
	a := newTestAdapter(t)
	for _, tok := range []string{"", "other"} {
		form := url.Values{"token": {tok}, "user_id": {"u1"}, "channel_id": {"c1"}, "text": {"claim 1"}}
		req := httptest.NewRequest(http.MethodPost, CommandPath, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		w := httptest.NewRecorder()
		a.onCommand(w, req)
		if w.Code != http.StatusUnauthorized || w.Header().Get("Content-Type") != "application/json" {
			t.Errorf("token %q: status %d, content type %q", tok, w.Code, w.Header().Get("Content-Type"))
		}
	}
}

func TestForgedClickIsRefused(t *testing.T) {
	a := newTestAdapter(t)
	good := signed{Payload: "3:0", User: "u1", Channel: "c1", Step: "k"}.context(a.secret)
	good["sig"] = strings.Repeat("0", 64)
	for name, body := range map[string]string{
		"unsigned":  `{"user_id":"u1","channel_id":"c1","context":{"p":"3:0","u":"u1","c":"c1"}}`,
		"bad json":  `{`,
		"wrong sig": `{"user_id":"u1","channel_id":"c1","context":{"p":"3:0","u":"u1","c":"c1","s":"k","sig":"` + good["sig"].(string) + `"}}`,
	} {
		w := httptest.NewRecorder()
		a.onAction(w, httptest.NewRequest(http.MethodPost, ActionPath, strings.NewReader(body)))
		if w.Code == http.StatusOK || w.Header().Get("Content-Type") != "application/json" {
			t.Errorf("%s: status %d", name, w.Code)
		}
	}
}
