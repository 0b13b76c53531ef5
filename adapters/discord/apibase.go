package discord

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// discordAPI is the prefix of every REST call discordgo makes: its
// endpoints are package variables fixed at start-up, so another base is
// reached by rewriting requests in the HTTP transport rather than by
// changing them.
const discordAPI = "https://discord.com/api"

// defaultTimeout is discordgo's own client timeout, kept when api_base
// brings a client of its own.
const defaultTimeout = 20 * time.Second

// checkAPIBase reports an api_base that is not an http or https URL with
// a host (empty: Discord's own, valid).
func checkAPIBase(base string) error {
	if base == "" {
		return nil
	}
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("%s: %q is not an http(s) URL such as http://nirn-proxy:8080/api (the base standing for %s)", settingKey("api_base"), base, discordAPI)
	}
	return nil
}

// withAPIBase returns the client discordgo should use so that its calls
// to Discord's REST API go to base instead (a proxy shared by shards, such
// as nirn-proxy, or a test server): c (nil: a client of its own with
// discordgo's timeout) with a transport rewriting the URLs. An empty base
// leaves c as it is.
func withAPIBase(base string, c *http.Client) (*http.Client, error) {
	if base == "" {
		return c, nil
	}
	if err := checkAPIBase(base); err != nil {
		return nil, err
	}
	u, _ := url.Parse(base)
	out := &http.Client{Timeout: defaultTimeout}
	if c != nil {
		cp := *c
		out = &cp
	}
	next := out.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	out.Transport = apiBase{base: u, next: next}
	return out, nil
}

// apiBase sends requests for Discord's REST API to base, leaving others
// (attachments on Discord's CDN) as they are.
type apiBase struct {
	base *url.URL
	next http.RoundTripper
}

func (r apiBase) RoundTrip(req *http.Request) (*http.Response, error) {
	rest, ok := strings.CutPrefix(req.URL.String(), discordAPI)
	if !ok || (rest != "" && rest[0] != '/' && rest[0] != '?') {
		return r.next.RoundTrip(req)
	}
	to, err := url.Parse(strings.TrimSuffix(r.base.String(), "/") + rest)
	if err != nil {
		return nil, fmt.Errorf("discord api_base: rewrite %s: %w", req.URL.Path, err)
	}
	req = req.Clone(req.Context())
	req.URL, req.Host = to, ""
	return r.next.RoundTrip(req)
}
