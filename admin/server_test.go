package admin

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestHomeNeedsSignIn(t *testing.T) {
	s, err := New(Config{}, Deps{Now: testClock, Auth: fixedAuth{}})
	if err != nil {
		t.Fatal(err)
	}
	w := get(t, s, "/admin/")
	if w.Code != http.StatusSeeOther || !strings.HasPrefix(w.Header().Get("Location"), "/admin/login?next=") {
		t.Fatalf("got %d %q, want a redirect to the login page", w.Code, w.Header().Get("Location"))
	}
}

func TestHomeInFrenchThenEnglish(t *testing.T) {
	s, err := New(Config{}, Deps{Now: testClock, Auth: fixedAuth{asUser(RoleViewer)}})
	if err != nil {
		t.Fatal(err)
	}
	w := get(t, s, "/admin/")
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "Administration de Boussole") {
		t.Fatalf("got %d:\n%s", w.Code, w.Body.String())
	}
	if strings.Contains(w.Body.String(), "/admin/accounts") {
		t.Error("a viewer sees the accounts menu")
	}
	w = post(t, s, "/admin/lang", url.Values{"lang": {"en"}, "back": {"/admin/"}})
	c := w.Result().Cookies()
	if len(c) != 1 || c[0].Value != "en" || !c[0].HttpOnly || c[0].SameSite != http.SameSiteStrictMode {
		t.Fatalf("language cookie: %+v", c)
	}
}

func TestRolesAndCSRF(t *testing.T) {
	for _, tc := range []struct {
		role Role
		perm Permission
		csrf string
		want int
	}{
		{RoleViewer, PermEdit, "tok", http.StatusForbidden},
		{RoleEditor, PermEdit, "tok", http.StatusOK},
		{RoleEditor, PermEdit, "", http.StatusForbidden},
		{RoleEditor, PermEdit, "other", http.StatusForbidden},
		{RoleEditor, PermPublish, "tok", http.StatusForbidden},
		{RoleEditor, PermAccounts, "tok", http.StatusForbidden},
		{RoleAdmin, PermAccounts, "tok", http.StatusOK},
	} {
		s, err := New(Config{}, Deps{Now: testClock, Auth: fixedAuth{asUser(tc.role)}})
		if err != nil {
			t.Fatal(err)
		}
		s.handle("POST /admin/x", tc.perm, func(w http.ResponseWriter, _ *http.Request, _ Session) { w.WriteHeader(http.StatusOK) })
		w := post(t, s, "/admin/x", url.Values{"csrf": {tc.csrf}})
		if w.Code != tc.want {
			t.Errorf("%s, permission %d, token %q: got %d, want %d", tc.role, tc.perm, tc.csrf, w.Code, tc.want)
		}
	}
}

// An unknown address under the admin gets the admin's own page.
func TestUnknownAddress(t *testing.T) {
	s, err := New(Config{}, Deps{Now: testClock, Auth: fixedAuth{asUser(RoleViewer)}})
	if err != nil {
		t.Fatal(err)
	}
	w := get(t, s, "/admin/nulle-part")
	if w.Code != http.StatusNotFound || !strings.Contains(w.Body.String(), "Cette page n&#39;existe pas.") {
		t.Fatalf("got %d:\n%s", w.Code, w.Body.String())
	}
}

// An oversized form is refused before anything reads it whole.
func TestOversizedFormRefused(t *testing.T) {
	s, err := New(Config{}, Deps{Now: testClock, Auth: fixedAuth{asUser(RoleAdmin)}})
	if err != nil {
		t.Fatal(err)
	}
	s.handle("POST /admin/big", PermView, func(w http.ResponseWriter, _ *http.Request, _ Session) { w.WriteHeader(http.StatusOK) })
	w := post(t, s, "/admin/big", url.Values{"csrf": {"tok"}, "x": {strings.Repeat("a", maxForm+10)}})
	if w.Code == http.StatusOK {
		t.Fatalf("a %d-byte form was accepted", maxForm+10)
	}
}
