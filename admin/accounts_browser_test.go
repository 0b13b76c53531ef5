package admin

import (
	"fmt"
	"net/http/httptest"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/boussole/boussole/internal/browsertest"
)

// The sign-in and account pages pass axe-core at both sizes and fit a
// phone, signed in through the real login form.
func TestAccountPagesAccessible(t *testing.T) {
	ctx := browsertest.Start(t)
	f := newAuth(t, Config{})
	f.account("chef", RoleAdmin)
	awa := f.account("awa", RoleEditor)
	srv := httptest.NewServer(f.srv)
	defer srv.Close()

	check := func(p string) {
		t.Helper()
		for _, vp := range []browsertest.Viewport{browsertest.Laptop, browsertest.Phone} {
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
				if over {
					t.Errorf("%s is wider than a phone", p)
				}
			}
		}
	}
	check("/admin/login")
	if err := browsertest.Do(ctx, chromedp.Navigate(srv.URL+"/admin/login?next=%2Fadmin%2Faccounts"), chromedp.WaitReady(chromedp.CSS("#login")),
		chromedp.SetValue(chromedp.CSS("#login"), "chef"), chromedp.SetValue(chromedp.CSS("#password"), goodPassword),
		chromedp.Click(chromedp.CSS(`form[action="/admin/login"] button`))); err != nil {
		t.Fatal(err)
	}
	if err := browsertest.Until(ctx, `location.pathname === "/admin/accounts" && !!document.querySelector("#new-login")`); err != nil {
		loc, _ := browsertest.Get(ctx, chromedp.Evaluate[string](`location.href + " " + document.querySelector("main").innerText`))
		t.Fatalf("after signing in: %v\n%s", err, loc)
	}
	for _, p := range []string{"/admin/me", "/admin/accounts", fmt.Sprintf("/admin/accounts/%d", awa.ID), "/admin/audit"} {
		check(p)
	}
	// The refusal of a short password is read out (role=alert) and the page
	// stays accessible.
	// (minlength is removed first: the browser would refuse before the
	// server does.)
	if err := browsertest.Do(ctx, chromedp.Navigate(srv.URL+"/admin/accounts"), chromedp.WaitReady(chromedp.CSS("#new-login"))); err != nil {
		t.Fatal(err)
	}
	if _, err := browsertest.Get(ctx, chromedp.Evaluate[bool](`for (const el of document.querySelectorAll("input[minlength]")) el.removeAttribute("minlength"); true`)); err != nil {
		t.Fatal(err)
	}
	if err := browsertest.Do(ctx, chromedp.SetValue(chromedp.CSS("#new-login"), "eve"),
		chromedp.SetValue(chromedp.CSS("#new-password"), "court"), chromedp.SetValue(chromedp.CSS("#new-confirm"), "court"),
		chromedp.Click(chromedp.CSS(`form[action="/admin/accounts"] button`))); err != nil {
		t.Fatal(err)
	}
	if err := browsertest.Until(ctx, `(document.querySelector('[role="alert"]') || {}).textContent?.includes("12")`); err != nil {
		t.Errorf("refused account creation: %v", err)
	}
	for _, v := range browsertest.Axe(ctx, t) {
		t.Errorf("accounts page with an error: %s", v)
	}
}
