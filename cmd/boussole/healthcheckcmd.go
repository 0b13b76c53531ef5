package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// defaultHealthURL is where the container's HEALTHCHECK asks: the image
// runs `serve --listen 0.0.0.0:8080`, reachable on loopback.
const defaultHealthURL = "http://127.0.0.1:8080/readyz"

// healthBodyMax bounds what is read of the answer: /readyz lists the
// failing checks, one short line each.
const healthBodyMax = 4 << 10

// runHealthcheck asks a running server's /readyz (or /healthz) and exits
// 0 when it answers 2xx, 1 otherwise. It exists because the container
// image has no shell and no curl: Docker's HEALTHCHECK runs the binary
// itself.
func runHealthcheck(ctx context.Context, e env, args []string) error {
	fs := flag.NewFlagSet("healthcheck", flag.ContinueOnError)
	rawURL := fs.String("url", defaultHealthURL, "the URL to GET: a serve process's /readyz (ready to answer) or /healthz (alive)")
	timeout := fs.Duration("timeout", 5*time.Second, "how long to wait for the answer")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: boussole healthcheck [--url URL] [--timeout 5s]\n\n"+
			"Asks a running `boussole serve` whether it is ready (exit 0) or not (exit 1, with its reasons).")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, e, args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		fs.Usage()
		return errUsage
	}
	u, err := url.Parse(*rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		fmt.Fprintf(e.stderr, "healthcheck: --url %q: want http://HOST:PORT/readyz\n", *rawURL)
		return errUsage
	}
	if *timeout <= 0 {
		fmt.Fprintf(e.stderr, "healthcheck: --timeout %s: want a positive duration\n", *timeout)
		return errUsage
	}
	status, body, err := getHealth(ctx, u.String(), *timeout)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	if status/100 != 2 {
		fmt.Fprintf(e.stderr, "healthcheck: %s answered %d\n%s", u.Redacted(), status, body)
		return errSilent
	}
	fmt.Fprint(e.stdout, body)
	return nil
}

// getHealth GETs u and returns the status code and the start of the body
// (ending with a newline when not empty).
func getHealth(ctx context.Context, u string, timeout time.Duration) (int, string, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, "", fmt.Errorf("build request: %w", err)
	}
	// No proxy from the environment: the server asked is this host's or
	// this pod's own.
	client := &http.Client{
		Transport: &http.Transport{Proxy: nil, DisableKeepAlives: true},
		// A redirect would mean the URL is not a health endpoint.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	resp, err := client.Do(req)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			return 0, "", fmt.Errorf("get %s: no answer within %s: %w", req.URL.Redacted(), timeout, err)
		}
		return 0, "", fmt.Errorf("get %s: %w", req.URL.Redacted(), err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, healthBodyMax))
	if err != nil {
		return 0, "", fmt.Errorf("read %s: %w", req.URL.Redacted(), err)
	}
	body := string(b)
	if body != "" && !strings.HasSuffix(body, "\n") {
		body += "\n"
	}
	return resp.StatusCode, body, nil
}
