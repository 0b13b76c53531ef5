package admin

import (
	"context"
	"fmt"
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
	"/admin/files", "/admin/trees/nulle-part", "/admin/items/nulle-part",
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
	checkPages(ctx, t, srv.URL, pagesToCheck)
}

// checkPages opens each path at both sizes and reports axe-core's serious
// and critical violations, and pages wider than a phone (history pages
// excepted: a diff's table scrolls sideways in its own frame).
func checkPages(ctx context.Context, t *testing.T, base string, paths []string) {
	t.Helper()
	for _, vp := range []browsertest.Viewport{browsertest.Laptop, browsertest.Phone} {
		for _, p := range paths {
			if err := browsertest.Do(ctx, browsertest.SetViewport(vp), browsertest.Open(base+p)); err != nil {
				t.Fatalf("%s: %v", p, err)
			}
			checkPage(ctx, t, fmt.Sprintf("%s at %dx%d", p, vp.W, vp.H), vp.Mobile && !strings.Contains(p, "/history"))
		}
	}
}

// checkPage checks the page open in the browser, as checkPages does.
func checkPage(ctx context.Context, t *testing.T, where string, narrow bool) {
	t.Helper()
	for _, v := range browsertest.Axe(ctx, t) {
		t.Errorf("%s: %s", where, v)
	}
	if !narrow {
		return
	}
	over, err := browsertest.Get(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth + 1`))
	if err != nil {
		t.Fatal(err)
	}
	if over {
		t.Errorf("%s is wider than a phone", where)
	}
}

// The gap report with figures in it, and the keyword form it leads to,
// pass axe-core at both sizes.
func TestGapPagesAccessible(t *testing.T) {
	ctx := browsertest.Start(t)
	srv := httptest.NewServer(newGaps(t).server(t, RoleEditor))
	defer srv.Close()
	if err := browsertest.Do(ctx, browsertest.Open(srv.URL+"/admin/gaps?days=30")); err != nil {
		t.Fatal(err)
	}
	keyword, err := browsertest.Get(ctx, chromedp.Evaluate[string](`document.querySelector('a[href^="/admin/gaps/keyword?"]').getAttribute("href")`))
	if err != nil {
		t.Fatalf("the report offers no keyword to add: %v", err)
	}
	checkPages(ctx, t, srv.URL, []string{"/admin/gaps", "/admin/gaps?days=30", keyword})
}

// The layout at both sizes: the title, the menu (visible, in order), the
// skip link as the first stop of the keyboard taking the focus to the
// content, and the language switch turning the page into English and
// back.
func TestLayoutKeyboardAndLanguage(t *testing.T) {
	ctx := browsertest.Start(t)
	s, _ := filesServer(t, RoleAdmin)
	srv := httptest.NewServer(s)
	defer srv.Close()
	type words struct{ title, heading, skip, menu string }
	lang := map[string]words{
		"fr": {"Administration de Boussole · Boussole", "Administration de Boussole", "Aller au contenu", "Menu principal:Parcours|Fiches|Remontées|Rapport|Fichiers|Comptes|Journal"},
		"en": {"Boussole administration · Boussole", "Boussole administration", "Skip to content", "Main menu:Trees|Items|Gaps|Report|Files|Accounts|Audit log"},
	}
	// The menu's name, then its visible entries.
	const menu = `(n => n.getAttribute("aria-label") + ":" + [...n.querySelectorAll("a")].filter(a => a.offsetParent !== null).map(a => a.innerText).join("|"))(document.querySelector("header nav"))`
	for _, vp := range []browsertest.Viewport{browsertest.Laptop, browsertest.Phone} {
		for _, l := range []string{"fr", "en", "fr"} {
			where := fmt.Sprintf("%s at %dx%d", l, vp.W, vp.H)
			want := lang[l]
			// The language is chosen with the form, as a person does (the
			// page it comes back to is the one it was sent from).
			if err := browsertest.Do(ctx, browsertest.SetViewport(vp), browsertest.Open(srv.URL+"/admin/"),
				chromedp.SetValue(chromedp.CSS("#lang-switch"), l)); err != nil {
				t.Fatal(err)
			}
			if err := browsertest.Follow(ctx, `form[action="/admin/lang"] button`); err != nil {
				t.Fatal(err)
			}
			if err := browsertest.Until(ctx, `document.documentElement.lang === "`+l+`" && location.pathname === "/admin/"`); err != nil {
				t.Fatalf("%s: switching: %v", where, err)
			}
			if got, err := browsertest.Get(ctx, chromedp.Evaluate[string](`document.title`)); err != nil || got != want.title {
				t.Errorf("%s: title %q, %v", where, got, err)
			}
			if got, err := browsertest.Text(ctx, "main h1"); err != nil || got != want.heading {
				t.Errorf("%s: heading %q, %v", where, got, err)
			}
			if got, err := browsertest.Get(ctx, chromedp.Evaluate[string](menu)); err != nil || got != want.menu {
				t.Errorf("%s: menu %q, %v; want %q", where, got, err, want.menu)
			}
			// From the top of a fresh page, Tab reaches the skip link
			// first, and Enter on it takes the focus to the content.
			if err := browsertest.Do(ctx, browsertest.Open(srv.URL+"/admin/"), chromedp.KeyEvent("\t")); err != nil {
				t.Fatal(err)
			}
			if got, err := browsertest.Get(ctx, chromedp.Evaluate[string](`(e => e.className + ":" + e.innerText)(document.activeElement)`)); err != nil || got != "skip:"+want.skip {
				t.Errorf("%s: first Tab stop %q, %v; want the skip link", where, got, err)
			}
			if err := browsertest.Do(ctx, chromedp.KeyEvent("\r")); err != nil {
				t.Fatal(err)
			}
			if err := browsertest.Until(ctx, `document.activeElement.id === "main"`); err != nil {
				t.Errorf("%s: the skip link does not move the focus to the content: %v", where, err)
			}
		}
	}
}
