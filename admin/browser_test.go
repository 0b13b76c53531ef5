package admin

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/boussole/boussole/internal/browsertest"
)

// pagesToCheck are the admin's pages axe-core checks at both sizes.
var pagesToCheck = []string{
	"/admin/", "/admin/trees", "/admin/trees/papiers-identite", "/admin/trees/papiers-identite/nodes/quel-document",
	"/admin/trees/papiers-identite/nodes/quel-document?q=passeport",
	"/admin/trees/papiers-identite/preview", "/admin/trees/papiers-identite/tests", "/admin/trees/papiers-identite/history",
	"/admin/files",
	"/admin/items", "/admin/items?q=carte&jurisdiction=FR&due=1", "/admin/items/new", "/admin/items/cni-perte",
	"/admin/items/cni-perte/edit", "/admin/items/cni-perte/history", "/admin/items/cni-perte/history?a=1&b=1",
}

// Every page passes axe-core with no serious or critical violation on a
// laptop and on a phone, and fits the phone's width.
func TestPagesAccessible(t *testing.T) {
	ctx := browsertest.Start(t)
	s, _ := filesServer(t, RoleAdmin)
	srv := httptest.NewServer(s)
	defer srv.Close()
	for _, vp := range []browsertest.Viewport{browsertest.Laptop, browsertest.Phone} {
		for _, p := range pagesToCheck {
			if err := browsertest.Do(ctx, browsertest.SetViewport(vp), chromedp.Navigate(srv.URL+p), chromedp.WaitReady(chromedp.CSS("main"))); err != nil {
				t.Fatalf("%s: %v", p, err)
			}
			for _, v := range browsertest.Axe(ctx, t) {
				t.Errorf("%s at %dx%d: %s", p, vp.W, vp.H, v)
			}
			if vp.Mobile {
				over, err := browsertest.Get(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth + 1`))
				if err != nil {
					t.Fatal(err)
				}
				if over && !strings.Contains(p, "/history") {
					t.Errorf("%s is wider than a phone", p)
				}
			}
		}
	}
}

// The skip link is the first stop of the keyboard, and the language
// switch turns the pages into English.
func TestKeyboardAndLanguage(t *testing.T) {
	ctx := browsertest.Start(t)
	s, _ := filesServer(t, RoleAdmin)
	srv := httptest.NewServer(s)
	defer srv.Close()
	if err := browsertest.Do(ctx, chromedp.Navigate(srv.URL+"/admin/"), chromedp.WaitReady(chromedp.CSS("main")),
		chromedp.KeyEvent("\t")); err != nil {
		t.Fatal(err)
	}
	focused, err := browsertest.Get(ctx, chromedp.Evaluate[string](`document.activeElement.className`))
	if err != nil || focused != "skip" {
		t.Errorf("first Tab stop = %q, %v; want the skip link", focused, err)
	}
	for lang, heading := range map[string]string{"fr": "Administration de Boussole", "en": "Boussole administration"} {
		if err := browsertest.Do(ctx, chromedp.SetValue(chromedp.CSS("#lang-switch"), lang),
			chromedp.Click(chromedp.CSS(`form[action="/admin/lang"] button`))); err != nil {
			t.Fatal(err)
		}
		if err := browsertest.Until(ctx, `document.documentElement.lang === "`+lang+`" && document.querySelector("main h1").textContent === "`+heading+`"`); err != nil {
			t.Errorf("after switching to %s: %v", lang, err)
		}
	}
}
