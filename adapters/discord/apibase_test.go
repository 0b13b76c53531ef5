package discord

import (
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/boussole/boussole/adapters/discord/discordtest"
	"github.com/boussole/boussole/adapters/internal/settingstest"
	"github.com/boussole/boussole/app/apptest"
	"github.com/boussole/boussole/bot/catalog"
	"github.com/boussole/boussole/bot/mediation"
)

func TestAPIBaseValidate(t *testing.T) {
	cases := map[string]struct {
		base string
		want []string
	}{
		"default":     {"", nil},
		"proxy":       {"http://nirn-proxy:8080/api", nil},
		"https":       {"https://discord.example.org/api/", nil},
		"no scheme":   {"nirn-proxy:8080/api", []string{`discord.api_base: "nirn-proxy:8080/api" is not an http(s) URL`}},
		"websocket":   {"wss://gateway.discord.gg", []string{"discord.api_base"}},
		"no host":     {"http:///api", []string{"discord.api_base"}},
		"query":       {"http://proxy/api?x=1", []string{"discord.api_base"}},
		"not a URL":   {"http://[::1", []string{"discord.api_base"}},
		"with spaces": {" http://proxy/api", []string{"discord.api_base"}},
	}
	for name, tc := range cases {
		s := DefaultSettings()
		s.APIBase = tc.base
		settingstest.Check(t, name, s.Validate(), tc.want, "")
	}
	cat, err := catalog.New()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := New(Config{APIBase: "ftp://x"}, Deps{Catalog: cat, Now: time.Now, Getenv: func(string) string { return "t" }}); err == nil || !strings.Contains(err.Error(), "discord.api_base") {
		t.Errorf("New with a bad api_base: %v", err)
	}
}

// Only Discord's REST calls are rewritten: the path after /api is kept,
// other hosts (the CDN) are left alone.
func TestAPIBaseRewrites(t *testing.T) {
	var got []string
	next := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		got = append(got, r.URL.String())
		return &http.Response{StatusCode: 204, Body: http.NoBody, Request: r}, nil
	})
	c, err := withAPIBase("http://proxy:8080/api/", &http.Client{Transport: next})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{"https://discord.com/api/v9/gateway/bot", "https://discord.com/api/v9/channels/1/messages?limit=2", "https://cdn.discordapp.com/a.png", "https://discord.com/apix"} {
		resp, err := c.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	want := []string{"http://proxy:8080/api/v9/gateway/bot", "http://proxy:8080/api/v9/channels/1/messages?limit=2", "https://cdn.discordapp.com/a.png", "https://discord.com/apix"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("requests went to\n%v\nwant\n%v", got, want)
	}
	if same, _ := withAPIBase("", http.DefaultClient); same != http.DefaultClient {
		t.Error("an empty api_base replaced the client")
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// With api_base and no client of its own, the adapter finds the gateway and
// talks to a Discord-compatible server, as `boussole serve` in another
// process does against the fake server.
func TestAPIBaseReachesAServer(t *testing.T) {
	t.Parallel()
	f := discordtest.Start(t, time.Now)
	b := apptest.New(t, filepath.Join(t.TempDir(), "boussole.db"), mediation.Config{}, time.Now)
	a, err := New(Config{APIBase: f.APIBase()}, Deps{Catalog: b.Catalog, Now: time.Now, Getenv: func(string) string { return "test-token" }, State: b.Store})
	if err != nil {
		b.Stop()
		t.Fatal(err)
	}
	b.Run(a)
	t.Cleanup(b.Stop)
	f.WaitConnected(t, "READY")
	f.DM("1", "bonjour")
	if posts := f.WaitPosts(t, "dm-1", 1); !strings.Contains(posts[0].Content, "Boussole") {
		t.Fatalf("welcome: %q", posts[0].Content)
	}
}
