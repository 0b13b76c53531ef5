// Package browsertest drives Debian's Chromium headless (chromedp) for the
// web admin's browser tests, and runs axe-core in the page for
// accessibility. Chromium and axe-core are test tools only: .ci/run
// installs Chromium with apt and fetches axe-core with npm; nothing here is
// built into Boussole.
package browsertest

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// Chromium is where Debian installs the browser.
const Chromium = "/usr/bin/chromium"

// Viewports the admin must work on.
var (
	Laptop = Viewport{1280, 800, false}
	Phone  = Viewport{390, 844, true}
)

// Viewport is a window size.
type Viewport struct {
	W, H   int64
	Mobile bool
}

// required says the browser tests must run (CI): a missing browser or
// axe-core then fails instead of skipping.
func required() bool { return os.Getenv("BOUSSOLE_REQUIRE_BROWSER") == "1" }

// unavailable skips the test, or fails it when the browser is required.
func unavailable(t testing.TB, why string) {
	t.Helper()
	if required() {
		t.Fatalf("browser test: %s (BOUSSOLE_REQUIRE_BROWSER=1)", why)
	}
	t.Skipf("browser test skipped: %s (.ci/run installs what it needs)", why)
}

// Start launches a headless Chromium for the test and returns a context
// driving one tab of it; the browser stops with the test.
func Start(t testing.TB) context.Context {
	t.Helper()
	if _, err := os.Stat(Chromium); err != nil {
		unavailable(t, "no "+Chromium)
	}
	// The closed network refuses Chromium's background connections;
	// without these flags it keeps trying (and logs it).
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(Chromium),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(int(Laptop.W), int(Laptop.H)),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	// The first run starts the browser and must not carry a timeout (a
	// context with a deadline would stop the browser with it): a watchdog
	// bounds it instead, cancelling the browser if it never answers.
	watchdog := time.AfterFunc(startTimeout, cancel)
	err := chromedp.Do(ctx, chromedp.Navigate("about:blank"))
	if !watchdog.Stop() {
		err = fmt.Errorf("no answer within %v (%v)", startTimeout, err)
	}
	if err != nil {
		unavailable(t, "Chromium does not start: "+err.Error())
	}
	return ctx
}

// startTimeout bounds the browser's start (a cold start on a busy CI
// machine takes a few seconds).
const startTimeout = 60 * time.Second

// stepTimeout bounds every browser step: a page that never loads fails
// the test instead of hanging it.
const stepTimeout = 60 * time.Second

// Do runs steps in order, in a bounded time.
func Do(ctx context.Context, steps ...chromedp.Action[chromedp.Void]) error {
	sctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	return chromedp.Do(sctx, steps...)
}

// Get runs one action that returns a value, in a bounded time.
func Get[T any](ctx context.Context, a chromedp.Action[T]) (T, error) {
	sctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	return chromedp.Run(sctx, a)
}

// SetViewport resizes the page to v.
func SetViewport(v Viewport) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetDeviceMetricsOverride,
			emulation.SetDeviceMetricsOverrideParams{Width: v.W, Height: v.H, DeviceScaleFactor: 1, Mobile: v.Mobile})
		return err
	})
}

// Open navigates to url and waits for the page's main landmark (every
// admin page has one, and it comes after the menu).
func Open(url string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(chromedp.Navigate(url), chromedp.WaitReady(chromedp.CSS("main")))
}

// Fill empties the field the CSS selector sel names and types text in it
// key by key, as a person does: the page's scripts see the keystrokes
// (chromedp.SetValue changes the value without them).
func Fill(sel, text string) chromedp.Action[chromedp.Void] {
	q, _ := json.Marshal(sel)
	empty := chromedp.Evaluate[bool](`(el => { el.value = ""; el.focus(); return true })(document.querySelector(` + string(q) + `))`)
	return chromedp.Steps(
		chromedp.WaitReady(chromedp.CSS(sel)),
		func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
			_, err := empty(ctx, t)
			return chromedp.Void{}, err
		},
		chromedp.SendKeys(chromedp.CSS(sel), text))
}

// Click clicks the first element the CSS selector sel names, once it is
// visible.
func Click(sel string) chromedp.Action[chromedp.Void] {
	return chromedp.Click(chromedp.CSS(sel))
}

// Follow clicks the element the CSS selector sel names and waits until
// the page it leads to has loaded (a link followed, a form posted and its
// answer, redirects included). Waiting on the content alone could read
// the old page, still there while the new one comes.
func Follow(ctx context.Context, sel string) error {
	if _, err := Get(ctx, chromedp.Evaluate[bool](`window.browsertestLeft = true`)); err != nil {
		return fmt.Errorf("mark the page: %w", err)
	}
	if err := Do(ctx, Click(sel)); err != nil {
		return err
	}
	// A new page has a new window, without the mark.
	return Until(ctx, `window.browsertestLeft !== true && document.readyState === "complete"`)
}

// Text is the visible text (innerText) of the first element the CSS
// selector sel names, read in a bounded time.
func Text(ctx context.Context, sel string) (string, error) {
	q, _ := json.Marshal(sel)
	return Get(ctx, chromedp.Evaluate[string](`(el => el ? el.innerText : (() => { throw new Error("no element " + `+string(q)+`) })())(document.querySelector(`+string(q)+`))`))
}

// Violation is one axe-core finding.
type Violation struct {
	ID     string   `json:"id"`
	Impact string   `json:"impact"`
	Help   string   `json:"help"`
	Nodes  []string `json:"nodes"`
}

func (v Violation) String() string {
	return fmt.Sprintf("%s (%s): %s at %s", v.ID, v.Impact, v.Help, strings.Join(v.Nodes, "; "))
}

// Axe runs axe-core (the file BOUSSOLE_AXE_JS names) in the current page
// and returns its serious and critical violations.
func Axe(ctx context.Context, t testing.TB) []Violation {
	t.Helper()
	path := os.Getenv("BOUSSOLE_AXE_JS")
	if path == "" {
		unavailable(t, "BOUSSOLE_AXE_JS does not name axe.min.js")
	}
	src, err := os.ReadFile(path)
	if err != nil {
		unavailable(t, "read axe-core: "+err.Error())
	}
	// Injected through the DevTools protocol, so the page's own
	// Content-Security-Policy does not apply to it.
	script := string(src) + `;
		axe.run(document, {resultTypes: ["violations"]}).then(r => JSON.stringify(r.violations
			.filter(v => v.impact === "serious" || v.impact === "critical")
			.map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.target.join(" "))}))))`
	out, err := Get(ctx, chromedp.Evaluate[string](script, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("axe-core: %v", err)
	}
	var vs []Violation
	if err := json.Unmarshal([]byte(out), &vs); err != nil {
		t.Fatalf("axe-core result: %v", err)
	}
	return vs
}

// Screenshot writes a full-page PNG of the current page as name in the
// folder BOUSSOLE_SCREENSHOTS names (the docs' pictures: set it to
// docs/admin to refresh them); without it, nothing is written.
func Screenshot(ctx context.Context, t testing.TB, name string) {
	t.Helper()
	dir := os.Getenv("BOUSSOLE_SCREENSHOTS")
	if dir == "" {
		return
	}
	png, err := Get(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// Until waits, within the step timeout, for the JavaScript expression to
// be true in the page, across navigations (a form posted and its answer
// loaded).
func Until(ctx context.Context, expr string) error {
	sctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	var last error
	for {
		ok, err := chromedp.Run(sctx, chromedp.Evaluate[bool](expr))
		if err == nil && ok {
			return nil
		}
		last = err
		select {
		case <-sctx.Done():
			return fmt.Errorf("waiting for %s: %w (last: %v)", expr, sctx.Err(), last)
		case <-time.After(50 * time.Millisecond):
		}
	}
}
