package browsertest

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// page has one field whose keystrokes the page counts, a button that
// writes what was typed, and (on /bad) an image without a text
// alternative, which axe-core rates critical.
const page = `<!doctype html><html lang="en"><head><meta name="viewport" content="width=device-width, initial-scale=1"><title>t</title></head><body>
<main><h1>Test</h1>
<label for="f">Field</label><input id="f" value="old">
<button id="b" type="button">Show</button>
<p id="out">nothing</p><p><a id="next" href="/next">Next</a></p><p id="keys">0</p>
%BAD%
<script>
let n = 0;
document.getElementById("f").addEventListener("input", () => { document.getElementById("keys").textContent = String(++n) });
document.getElementById("b").addEventListener("click", () => { document.getElementById("out").textContent = "typed: " + document.getElementById("f").value });
</script></main></body></html>`

func serve(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		bad := ""
		if r.URL.Path == "/bad" {
			bad = `<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" width="20" height="20">`
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(strings.Replace(page, "%BAD%", bad, 1)))
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// The helpers drive a real page: Fill replaces the value key by key,
// Click runs the page's script, Text reads it back, Follow goes to the
// next page, SetViewport resizes.
func TestHelpers(t *testing.T) {
	ctx := Start(t)
	url := serve(t)
	if err := Do(ctx, SetViewport(Phone), Open(url+"/"), Fill("#f", "abc"), Click("#b")); err != nil {
		t.Fatal(err)
	}
	if err := Until(ctx, `document.getElementById("out").textContent === "typed: abc"`); err != nil {
		t.Fatal(err)
	}
	if got, err := Text(ctx, "#keys"); err != nil || got != "3" {
		t.Errorf("input events = %q, %v; want 3 (one a key)", got, err)
	}
	if _, err := Text(ctx, "#nowhere"); err == nil {
		t.Error("Text of a missing element: no error")
	}
	// Follow waits for the next page, not for something on this one.
	if err := Follow(ctx, "#next"); err != nil {
		t.Fatal(err)
	}
	if got, err := Get(ctx, chromedp.Evaluate[string](`location.pathname + " " + document.getElementById("out").textContent`)); err != nil || got != "/next nothing" {
		t.Errorf("after Follow: %q, %v", got, err)
	}
	w, err := Get(ctx, chromedp.Evaluate[int](`window.innerWidth`))
	if err != nil || w != int(Phone.W) {
		t.Errorf("width = %d, %v; want %d", w, err, Phone.W)
	}
}

// Axe finds a real violation, with its rule and where it is, and none on
// a clean page: the admin's checks cannot pass for want of looking.
func TestAxe(t *testing.T) {
	ctx := Start(t)
	url := serve(t)
	if err := Do(ctx, Open(url+"/")); err != nil {
		t.Fatal(err)
	}
	if vs := Axe(ctx, t); len(vs) != 0 {
		t.Errorf("clean page: %v", vs)
	}
	if err := Do(ctx, Open(url+"/bad")); err != nil {
		t.Fatal(err)
	}
	vs := Axe(ctx, t)
	if len(vs) != 1 || vs[0].ID != "image-alt" || vs[0].Impact != "critical" || len(vs[0].Nodes) != 1 || vs[0].Nodes[0] != "img" {
		t.Fatalf("violations = %v; want image-alt at img", vs)
	}
	if s := vs[0].String(); !strings.Contains(s, "image-alt (critical): ") || !strings.HasSuffix(s, " at img") {
		t.Errorf("reported as %q", s)
	}
}

// Screenshot writes a PNG only when BOUSSOLE_SCREENSHOTS names a folder,
// so that ordinary runs leave the committed pictures alone.
func TestScreenshot(t *testing.T) {
	ctx := Start(t)
	url := serve(t)
	if err := Do(ctx, Open(url+"/")); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	t.Chdir(dir) // where an empty folder name would write
	t.Setenv("BOUSSOLE_SCREENSHOTS", "")
	Screenshot(ctx, t, "none.png")
	t.Setenv("BOUSSOLE_SCREENSHOTS", filepath.Join(dir, "docs"))
	Screenshot(ctx, t, "page.png")
	if _, err := os.Stat(filepath.Join(dir, "none.png")); err == nil {
		t.Error("written without BOUSSOLE_SCREENSHOTS")
	}
	png, err := os.ReadFile(filepath.Join(dir, "docs", "page.png"))
	if err != nil || !bytes.HasPrefix(png, []byte("\x89PNG\r\n\x1a\n")) {
		t.Errorf("picture: %d bytes, %v", len(png), err)
	}
}
