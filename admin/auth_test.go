package admin

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/boussole/boussole/admin/password"
	"github.com/boussole/boussole/bot/store"
)

// authFixture is the admin over a real database with accounts, on a
// clock the test moves.
type authFixture struct {
	t   *testing.T
	st  *store.Store
	srv *Server
	now time.Time
}

func (f *authFixture) clock() time.Time { return f.now }

func newAuth(t *testing.T, cfg Config) *authFixture {
	t.Helper()
	f := &authFixture{t: t, now: testClock()}
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "b.db"), store.Options{Clock: f.clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	f.st = st
	cfg.Password = password.Fast
	if f.srv, err = New(cfg, Deps{Now: f.clock, Accounts: st, Audit: st}); err != nil {
		t.Fatal(err)
	}
	return f
}

const goodPassword = "un mot de passe solide"

// account creates an account with goodPassword.
func (f *authFixture) account(login string, role Role) store.Account {
	f.t.Helper()
	h, err := password.Fast.Hash(goodPassword)
	if err != nil {
		f.t.Fatal(err)
	}
	a, err := f.st.CreateAccount(context.Background(), store.Account{Login: login, Name: strings.ToUpper(login[:1]) + login[1:], Role: string(role), PasswordHash: h})
	if err != nil {
		f.t.Fatal(err)
	}
	return a
}

// browser keeps cookies between requests, as one browser does.
type browser struct {
	f       *authFixture
	cookies map[string]*http.Cookie
	remote  string
	scheme  string
	header  http.Header
}

func (f *authFixture) browser() *browser {
	return &browser{f: f, cookies: map[string]*http.Cookie{}, remote: "192.0.2.10:40000", scheme: "http", header: http.Header{}}
}

func (b *browser) do(method, target string, form url.Values) *httptest.ResponseRecorder {
	b.f.t.Helper()
	var r *http.Request
	if form != nil {
		r = httptest.NewRequest(method, b.scheme+"://boussole.example"+target, strings.NewReader(form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else {
		r = httptest.NewRequest(method, b.scheme+"://boussole.example"+target, nil)
	}
	r.RemoteAddr = b.remote
	for k, v := range b.header {
		r.Header[k] = v
	}
	for _, c := range b.cookies {
		r.AddCookie(c)
	}
	w := httptest.NewRecorder()
	b.f.srv.ServeHTTP(w, r)
	for _, c := range w.Result().Cookies() {
		if c.MaxAge < 0 {
			delete(b.cookies, c.Name)
		} else {
			b.cookies[c.Name] = c
		}
	}
	return w
}

func (b *browser) get(target string) *httptest.ResponseRecorder {
	return b.do(http.MethodGet, target, nil)
}

func (b *browser) post(target string, form url.Values) *httptest.ResponseRecorder {
	return b.do(http.MethodPost, target, form)
}

var formToken = regexp.MustCompile(`name="form" value="([^"]+)"`)

// signIn opens the login page (for its form token) and posts it.
func (b *browser) signIn(login, pw, next string) *httptest.ResponseRecorder {
	b.f.t.Helper()
	page := b.get("/admin/login?next=" + url.QueryEscape(next))
	m := formToken.FindStringSubmatch(page.Body.String())
	if m == nil {
		b.f.t.Fatalf("login page without form token (%d):\n%s", page.Code, page.Body.String())
	}
	return b.post("/admin/login", url.Values{"form": {m[1]}, "login": {login}, "password": {pw}, "next": {next}})
}

var csrfAttr = regexp.MustCompile(`data-csrf="([^"]+)"`)

// csrf is the session's CSRF token, read from a page as the script does.
func (b *browser) csrf() string {
	b.f.t.Helper()
	w := b.get("/admin/me")
	m := csrfAttr.FindStringSubmatch(w.Body.String())
	if m == nil {
		b.f.t.Fatalf("no CSRF token on /admin/me (%d %s)", w.Code, w.Header().Get("Location"))
	}
	return m[1]
}

func (f *authFixture) auditActions() []string {
	f.t.Helper()
	list, err := f.st.AuditLog(context.Background(), 0, 100)
	if err != nil {
		f.t.Fatal(err)
	}
	var out []string
	for _, e := range list {
		out = append(out, e.Actor+" "+e.Action+" "+e.Object)
	}
	return out
}

func wantCode(t *testing.T, what string, w *httptest.ResponseRecorder, code int) {
	t.Helper()
	if w.Code != code {
		t.Fatalf("%s: got %d (Location %q), want %d\n%s", what, w.Code, w.Header().Get("Location"), code, w.Body.String())
	}
}

func TestSignInAndCookie(t *testing.T) {
	f := newAuth(t, Config{})
	f.account("camille", RoleEditor)
	b := f.browser()

	w := b.signIn("camille", "pas le bon mot de passe", "/admin/me")
	wantCode(t, "wrong password", w, http.StatusUnauthorized)
	if !strings.Contains(w.Body.String(), "Identifiant ou mot de passe incorrect") {
		t.Errorf("wrong password page:\n%s", w.Body.String())
	}
	if _, ok := b.cookies[sessionCookie]; ok {
		t.Fatal("a session cookie after a wrong password")
	}
	// An unknown login gets the same answer as a wrong password.
	w = b.signIn("nobody", goodPassword, "/admin/me")
	wantCode(t, "unknown login", w, http.StatusUnauthorized)

	w = b.signIn("Camille", goodPassword, "/admin/me")
	wantCode(t, "sign-in", w, http.StatusSeeOther)
	if loc := w.Header().Get("Location"); loc != "/admin/me" {
		t.Errorf("after sign-in, sent to %q, want /admin/me", loc)
	}
	c := b.cookies[sessionCookie]
	if c == nil {
		t.Fatal("no session cookie")
	}
	if !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.Path != "/admin" || c.Secure || len(c.Value) != 43 {
		t.Errorf("session cookie %+v: want HttpOnly, SameSite=Strict, Path=/admin, not Secure over plain HTTP, 32 bytes base64url", c)
	}
	if _, ok := b.cookies[loginCookie]; ok {
		t.Error("the login form's cookie outlives the sign-in")
	}
	w = b.get("/admin/me")
	wantCode(t, "my account", w, http.StatusOK)
	if !strings.Contains(w.Body.String(), "camille") || !strings.Contains(w.Body.String(), `href="/admin/me" aria-current="page"`) {
		t.Errorf("my account page does not name me, or the menu does not link it:\n%s", w.Body.String())
	}
	// Only the token's hash is stored.
	live, err := f.st.AccountSessions(context.Background(), 1, f.now)
	if err != nil || len(live) != 1 || live[0].TokenHash == c.Value || len(live[0].TokenHash) != 64 {
		t.Errorf("stored sessions %+v, %v: want one, keyed by a sha256", live, err)
	}
	if got := f.auditActions(); len(got) != 1 || got[0] != "camille session.login camille" {
		t.Errorf("audit log %q", got)
	}
}

func TestSecureCookie(t *testing.T) {
	for _, tc := range []struct {
		name   string
		cfg    Config
		scheme string
	}{
		{"request over TLS", Config{}, "https"},
		{"configured HTTPS behind a proxy", Config{SecureCookies: true}, "http"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newAuth(t, tc.cfg)
			f.account("camille", RoleViewer)
			b := f.browser()
			b.scheme = tc.scheme
			wantCode(t, "sign-in", b.signIn("camille", goodPassword, ""), http.StatusSeeOther)
			if c := b.cookies[sessionCookie]; c == nil || !c.Secure || !c.HttpOnly || c.SameSite != http.SameSiteStrictMode {
				t.Errorf("session cookie %+v, want Secure", c)
			}
		})
	}
}

func TestLoginFormToken(t *testing.T) {
	f := newAuth(t, Config{})
	f.account("camille", RoleViewer)
	b := f.browser()
	// A form posted from elsewhere has no token: refused, no session.
	w := b.post("/admin/login", url.Values{"login": {"camille"}, "password": {goodPassword}})
	wantCode(t, "sign-in without the form's token", w, http.StatusForbidden)
	if _, ok := b.cookies[sessionCookie]; ok {
		t.Error("signed in without the form's token")
	}
}

func TestLoginRateLimit(t *testing.T) {
	f := newAuth(t, Config{})
	f.account("camille", RoleViewer)
	f.account("awa", RoleViewer)

	t.Run("per address", func(t *testing.T) {
		b := f.browser()
		b.remote = "198.51.100.7:1234"
		for i := range DefaultMaxFailures {
			wantCode(t, fmt.Sprint("failure ", i+1), b.signIn("awa", "mauvais mot de passe", ""), http.StatusUnauthorized)
		}
		// Blocked, even with the right password of another account.
		w := b.signIn("camille", goodPassword, "")
		wantCode(t, "after 5 failures", w, http.StatusTooManyRequests)
		if !strings.Contains(w.Body.String(), "Trop de tentatives") || w.Header().Get("Retry-After") == "" {
			t.Errorf("429 without a sentence or Retry-After:\n%s", w.Body.String())
		}
		// Another address is not blocked for another login.
		other := f.browser()
		other.remote = "203.0.113.9:1"
		wantCode(t, "another address", other.signIn("camille", goodPassword, ""), http.StatusSeeOther)
		// After the window, the address may try again.
		f.now = f.now.Add(DefaultFailureWindow + time.Second)
		wantCode(t, "after the window", b.signIn("camille", goodPassword, ""), http.StatusSeeOther)
	})

	t.Run("per login, from many addresses", func(t *testing.T) {
		for i := range DefaultMaxFailures {
			b := f.browser()
			b.remote = fmt.Sprintf("10.9.0.%d:1", i+1)
			wantCode(t, fmt.Sprint("failure ", i+1), b.signIn("awa", "mauvais mot de passe", ""), http.StatusUnauthorized)
		}
		b := f.browser()
		b.remote = "10.9.1.1:1"
		wantCode(t, "awa from a new address", b.signIn("AWA", goodPassword, ""), http.StatusTooManyRequests)
	})
}

func TestLimiterIsBounded(t *testing.T) {
	l := newLimiter(2, time.Minute, 3)
	t0 := testClock()
	l.fail(t0, "target")
	l.fail(t0.Add(time.Second), "target")
	for i := range 10 {
		// A flood of other keys, older than the target's last failure.
		l.fail(t0, fmt.Sprint("spray", i))
	}
	if n := l.size(); n > 3 {
		t.Errorf("limiter holds %d keys, bound 3", n)
	}
	if _, blocked := l.blocked(t0.Add(2*time.Second), "target"); !blocked {
		t.Error("the flood pushed out the key under attack")
	}
	if _, blocked := l.blocked(t0.Add(2*time.Minute), "target"); blocked {
		t.Error("still blocked after the window")
	}
}

func TestDisabledAccount(t *testing.T) {
	f := newAuth(t, Config{})
	admin := f.account("chef", RoleAdmin)
	camille := f.account("camille", RoleEditor)
	staff := f.browser()
	wantCode(t, "camille signs in", staff.signIn("camille", goodPassword, ""), http.StatusSeeOther)

	boss := f.browser()
	boss.remote = "192.0.2.20:1"
	wantCode(t, "admin signs in", boss.signIn("chef", goodPassword, ""), http.StatusSeeOther)
	w := boss.post(fmt.Sprintf("/admin/accounts/%d/disable", camille.ID), url.Values{"csrf": {boss.csrf()}})
	wantCode(t, "disable", w, http.StatusSeeOther)

	// Camille's session is dead, and signing in again is refused with why.
	wantCode(t, "camille's old session", staff.get("/admin/me"), http.StatusSeeOther)
	w = staff.signIn("camille", goodPassword, "")
	wantCode(t, "camille signs in again", w, http.StatusForbidden)
	if !strings.Contains(w.Body.String(), "désactivé") {
		t.Errorf("refusal does not say the account is disabled:\n%s", w.Body.String())
	}
	// The admin cannot disable themselves.
	w = boss.post(fmt.Sprintf("/admin/accounts/%d/disable", admin.ID), url.Values{"csrf": {boss.csrf()}})
	wantCode(t, "self-disable", w, http.StatusConflict)

	w = boss.post(fmt.Sprintf("/admin/accounts/%d/enable", camille.ID), url.Values{"csrf": {boss.csrf()}})
	wantCode(t, "enable", w, http.StatusSeeOther)
	wantCode(t, "camille after enable", staff.signIn("camille", goodPassword, ""), http.StatusSeeOther)
	got := strings.Join(f.auditActions(), "\n")
	for _, want := range []string{"chef account.disable camille", "chef account.enable camille"} {
		if !strings.Contains(got, want) {
			t.Errorf("audit log lacks %q:\n%s", want, got)
		}
	}
}

func TestLogoutRevokes(t *testing.T) {
	f := newAuth(t, Config{})
	f.account("camille", RoleViewer)
	b := f.browser()
	wantCode(t, "sign-in", b.signIn("camille", goodPassword, ""), http.StatusSeeOther)
	old := *b.cookies[sessionCookie]
	tok := b.csrf()

	wantCode(t, "logout without token", b.post("/admin/logout", url.Values{}), http.StatusForbidden)
	w := b.post("/admin/logout", url.Values{"csrf": {tok}})
	wantCode(t, "logout", w, http.StatusSeeOther)
	if loc := w.Header().Get("Location"); loc != "/admin/login?done=logout" {
		t.Errorf("after logout, sent to %q", loc)
	}
	if _, ok := b.cookies[sessionCookie]; ok {
		t.Error("session cookie not cleared")
	}
	// A copy of the old cookie opens nothing: the session is revoked.
	b.cookies[sessionCookie] = &old
	wantCode(t, "old cookie", b.get("/admin/me"), http.StatusSeeOther)
	if got := b.get("/admin/login?done=logout"); !strings.Contains(got.Body.String(), "Vous êtes déconnecté") {
		t.Errorf("logout confirmation missing:\n%s", got.Body.String())
	}
}

func TestSessionLimits(t *testing.T) {
	t.Run("idle", func(t *testing.T) {
		f := newAuth(t, Config{})
		f.account("camille", RoleViewer)
		b := f.browser()
		wantCode(t, "sign-in", b.signIn("camille", goodPassword, ""), http.StatusSeeOther)
		f.now = f.now.Add(DefaultSessionIdle - time.Minute)
		wantCode(t, "just before the idle limit", b.get("/admin/me"), http.StatusOK)
		f.now = f.now.Add(DefaultSessionIdle - time.Minute)
		wantCode(t, "used again in time", b.get("/admin/me"), http.StatusOK)
		f.now = f.now.Add(DefaultSessionIdle)
		w := b.get("/admin/me")
		wantCode(t, "idle too long", w, http.StatusSeeOther)
		if loc := w.Header().Get("Location"); loc != "/admin/login?next=%2Fadmin%2Fme" {
			t.Errorf("sent to %q, want the login page coming back here", loc)
		}
	})
	t.Run("absolute, configured", func(t *testing.T) {
		f := newAuth(t, Config{SessionIdle: time.Hour, SessionLifetime: 3 * time.Hour})
		f.account("camille", RoleViewer)
		b := f.browser()
		wantCode(t, "sign-in", b.signIn("camille", goodPassword, ""), http.StatusSeeOther)
		for range 2 {
			f.now = f.now.Add(50 * time.Minute)
			wantCode(t, "in use", b.get("/admin/me"), http.StatusOK)
		}
		f.now = f.now.Add(61 * time.Minute)
		wantCode(t, "idle over an hour", b.get("/admin/me"), http.StatusSeeOther)
		wantCode(t, "sign-in", b.signIn("camille", goodPassword, ""), http.StatusSeeOther)
		for range 3 {
			f.now = f.now.Add(55 * time.Minute)
			wantCode(t, "in use", b.get("/admin/me"), http.StatusOK)
		}
		f.now = f.now.Add(20 * time.Minute)
		wantCode(t, "past the lifetime though in use", b.get("/admin/me"), http.StatusSeeOther)
	})
}

func TestProxyIdentity(t *testing.T) {
	f := newAuth(t, Config{ProxyHeader: "X-Remote-User", TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}})
	f.account("camille", RoleAdmin)
	gone := f.account("parti", RoleAdmin)
	if err := f.st.SetAccountDisabled(context.Background(), gone.ID, true); err != nil {
		t.Fatal(err)
	}
	via := func(remote, user string) *browser {
		b := f.browser()
		b.remote = remote
		b.header.Set("X-Remote-User", user)
		return b
	}
	b := via("10.1.2.3:5000", "camille")
	w := b.get("/admin/accounts")
	wantCode(t, "from the trusted proxy", w, http.StatusOK)
	if !strings.Contains(w.Body.String(), "camille") {
		t.Errorf("not signed in as camille:\n%s", w.Body.String())
	}
	// The proxy user's forms work: their CSRF token is accepted…
	w = b.post("/admin/accounts", url.Values{"csrf": {b.csrf()}, "login": {"awa"}, "role": {"viewer"}, "password": {goodPassword}, "confirm": {goodPassword}})
	wantCode(t, "proxy user creates an account", w, http.StatusSeeOther)
	// …and only theirs.
	wantCode(t, "proxy user, wrong token", b.post("/admin/accounts", url.Values{"csrf": {"x"}, "login": {"eve"}, "role": {"viewer"}}), http.StatusForbidden)

	for name, b := range map[string]*browser{
		"from an untrusted address": via("192.0.2.66:5000", "camille"),
		"IPv4-mapped outside":       via("[::ffff:192.0.2.66]:5000", "camille"),
		"unknown login":             via("10.1.2.3:5000", "nobody"),
		"disabled account":          via("10.1.2.3:5000", "parti"),
	} {
		if w := b.get("/admin/accounts"); w.Code != http.StatusSeeOther {
			t.Errorf("%s: got %d, want the login page", name, w.Code)
		}
	}
}

func TestClientKeyBehindProxy(t *testing.T) {
	f := newAuth(t, Config{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}})
	for _, tc := range []struct{ remote, xff, want string }{
		{"192.0.2.1:1", "203.0.113.5", "addr:192.0.2.1"},                     // not a proxy: its header is not believed
		{"10.0.0.2:1", "203.0.113.5", "addr:203.0.113.5"},                    // the proxy's client
		{"10.0.0.2:1", "1.2.3.4, 203.0.113.5, 10.0.0.9", "addr:203.0.113.5"}, // nearest hop the proxies did not add
		{"[2001:db8:1:2:3:4:5:6]:1", "", "addr:2001:db8:1:2::/64"},           // IPv6 by /64
	} {
		r := httptest.NewRequest(http.MethodPost, "/admin/login", nil)
		r.RemoteAddr = tc.remote
		if tc.xff != "" {
			r.Header.Set("X-Forwarded-For", tc.xff)
		}
		if got := f.srv.signIn.clientKey(r); got != tc.want {
			t.Errorf("%s via %q: key %q, want %q", tc.remote, tc.xff, got, tc.want)
		}
	}
}

func TestNextStaysInTheAdmin(t *testing.T) {
	for next, want := range map[string]string{
		"/admin/trees?x=1":            "/admin/trees?x=1",
		"/admin":                      "/admin",
		"":                            "/admin/",
		"//evil.example":              "/admin/",
		"//evil.example/admin/":       "/admin/",
		"/\\evil.example":             "/admin/",
		"https://evil.example/admin/": "/admin/",
		"/admin/../elsewhere":         "/admin/",
		"/administration":             "/admin/",
		"javascript:alert(1)":         "/admin/",
	} {
		if got := safeNext(next); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", next, got, want)
		}
	}
	f := newAuth(t, Config{})
	f.account("camille", RoleViewer)
	b := f.browser()
	page := b.get("/admin/login?next=" + url.QueryEscape("//evil.example"))
	if !strings.Contains(page.Body.String(), `name="next" value="/admin/"`) {
		t.Errorf("the login page carries the foreign next:\n%s", page.Body.String())
	}
	w := b.signIn("camille", goodPassword, "//evil.example")
	wantCode(t, "sign-in", w, http.StatusSeeOther)
	if loc := w.Header().Get("Location"); loc != "/admin/" {
		t.Errorf("sent to %q after sign-in with next=//evil.example", loc)
	}
}

func TestEditorKeptOutOfAccounts(t *testing.T) {
	f := newAuth(t, Config{})
	admin := f.account("chef", RoleAdmin)
	f.account("camille", RoleEditor)
	b := f.browser()
	wantCode(t, "sign-in", b.signIn("camille", goodPassword, ""), http.StatusSeeOther)
	tok := b.csrf()
	if strings.Contains(b.get("/admin/me").Body.String(), `href="/admin/accounts"`) {
		t.Error("an editor sees the accounts menu")
	}
	for _, target := range []string{"/admin/accounts", fmt.Sprintf("/admin/accounts/%d", admin.ID), "/admin/audit"} {
		wantCode(t, "GET "+target, b.get(target), http.StatusForbidden)
	}
	for target, form := range map[string]url.Values{
		"/admin/accounts": {"login": {"eve"}, "role": {"admin"}, "password": {goodPassword}, "confirm": {goodPassword}},
		fmt.Sprintf("/admin/accounts/%d/role", admin.ID):     {"role": {"viewer"}},
		fmt.Sprintf("/admin/accounts/%d/disable", admin.ID):  {},
		fmt.Sprintf("/admin/accounts/%d/password", admin.ID): {"password": {"nouveau mot de passe"}, "confirm": {"nouveau mot de passe"}},
	} {
		form.Set("csrf", tok)
		wantCode(t, "POST "+target, b.post(target, form), http.StatusForbidden)
	}
	if _, err := f.st.AccountByLogin(context.Background(), "eve"); err == nil {
		t.Error("an editor created an account")
	}
	if a, _ := f.st.AccountByID(context.Background(), admin.ID); a.Role != "admin" || a.Disabled {
		t.Errorf("an editor changed the admin: %+v", a)
	}
}

func TestAccountChangesNeedCSRF(t *testing.T) {
	f := newAuth(t, Config{})
	f.account("chef", RoleAdmin)
	camille := f.account("camille", RoleEditor)
	b := f.browser()
	wantCode(t, "sign-in", b.signIn("chef", goodPassword, ""), http.StatusSeeOther)
	for _, tok := range []string{"", "not-the-token"} {
		form := url.Values{"login": {"eve"}, "role": {"admin"}, "password": {goodPassword}, "confirm": {goodPassword}}
		if tok != "" {
			form.Set("csrf", tok)
		}
		wantCode(t, fmt.Sprintf("create with token %q", tok), b.post("/admin/accounts", form), http.StatusForbidden)
		form = url.Values{"role": {"admin"}}
		if tok != "" {
			form.Set("csrf", tok)
		}
		wantCode(t, fmt.Sprintf("role with token %q", tok), b.post(fmt.Sprintf("/admin/accounts/%d/role", camille.ID), form), http.StatusForbidden)
	}
	if _, err := f.st.AccountByLogin(context.Background(), "eve"); err == nil {
		t.Error("account created without a CSRF token")
	}
	if a, _ := f.st.AccountByID(context.Background(), camille.ID); a.Role != "editor" {
		t.Errorf("role changed without a CSRF token: %s", a.Role)
	}
}

func TestManageAccounts(t *testing.T) {
	f := newAuth(t, Config{})
	chef := f.account("chef", RoleAdmin)
	b := f.browser()
	wantCode(t, "sign-in", b.signIn("chef", goodPassword, ""), http.StatusSeeOther)
	tok := b.csrf()
	create := func(login, name, role, pw, confirm string) *httptest.ResponseRecorder {
		return b.post("/admin/accounts", url.Values{"csrf": {tok}, "login": {login}, "name": {name}, "role": {role}, "password": {pw}, "confirm": {confirm}})
	}

	// Refusals say why, keep what was typed, and create nothing.
	for _, tc := range []struct {
		login, role, pw, confirm string
		code                     int
		says                     string
	}{
		{"awa", "editor", "court", "court", http.StatusBadRequest, "au moins 12 caractères"},
		{"awa", "editor", goodPassword, goodPassword + "x", http.StatusBadRequest, "pas identiques"},
		{"awa", "chef", goodPassword, goodPassword, http.StatusBadRequest, "administrateur, rédacteur ou lecteur"},
		{"a w a", "editor", goodPassword, goodPassword, http.StatusBadRequest, "pas valable"},
		{"CHEF", "editor", goodPassword, goodPassword, http.StatusConflict, "existe déjà"},
	} {
		w := create(tc.login, "Awa", tc.role, tc.pw, tc.confirm)
		wantCode(t, "create "+tc.login+"/"+tc.role, w, tc.code)
		if !strings.Contains(w.Body.String(), tc.says) {
			t.Errorf("create %s: the page does not say %q:\n%s", tc.login, tc.says, w.Body.String())
		}
	}

	// A name with markup is shown as text.
	w := create("awa", `Awa <script>alert(1)</script>`, "editor", goodPassword, goodPassword)
	wantCode(t, "create awa", w, http.StatusSeeOther)
	awa, err := f.st.AccountByLogin(context.Background(), "awa")
	if err != nil {
		t.Fatal(err)
	}
	for _, page := range []string{"/admin/accounts", fmt.Sprintf("/admin/accounts/%d", awa.ID)} {
		body := b.get(page).Body.String()
		if strings.Contains(body, "<script>alert") || !strings.Contains(body, "&lt;script&gt;alert(1)&lt;/script&gt;") {
			t.Errorf("%s: the name is not escaped:\n%s", page, body)
		}
	}

	// Awa signs in twice; a password reset closes both sessions.
	awaB, awaPhone := f.browser(), f.browser()
	wantCode(t, "awa signs in", awaB.signIn("awa", goodPassword, ""), http.StatusSeeOther)
	wantCode(t, "awa signs in on her phone", awaPhone.signIn("awa", goodPassword, ""), http.StatusSeeOther)
	page := b.get(fmt.Sprintf("/admin/accounts/%d", awa.ID)).Body.String()
	if n := strings.Count(page, `name="session"`); n != 2 {
		t.Errorf("awa's page lists %d sessions, want 2", n)
	}
	// One session revoked by the admin.
	phoneHash := f.srv.signIn.cookieHash(httptestWithCookie(awaPhone.cookies[sessionCookie]))
	w = b.post(fmt.Sprintf("/admin/accounts/%d/sessions/revoke", awa.ID), url.Values{"csrf": {tok}, "session": {phoneHash}})
	wantCode(t, "revoke the phone", w, http.StatusSeeOther)
	wantCode(t, "phone after revoke", awaPhone.get("/admin/me"), http.StatusSeeOther)
	wantCode(t, "awa's desk after revoke", awaB.get("/admin/me"), http.StatusOK)
	// A session of another account cannot be revoked through awa's page.
	chefHash := f.srv.signIn.cookieHash(httptestWithCookie(b.cookies[sessionCookie]))
	wantCode(t, "revoke chef's session on awa's page", b.post(fmt.Sprintf("/admin/accounts/%d/sessions/revoke", awa.ID), url.Values{"csrf": {tok}, "session": {chefHash}}), http.StatusNotFound)

	const newPw = "une autre phrase secrète"
	w = b.post(fmt.Sprintf("/admin/accounts/%d/password", awa.ID), url.Values{"csrf": {tok}, "password": {newPw}, "confirm": {newPw}})
	wantCode(t, "reset awa's password", w, http.StatusSeeOther)
	wantCode(t, "awa's old session", awaB.get("/admin/me"), http.StatusSeeOther)
	wantCode(t, "old password", awaB.signIn("awa", goodPassword, ""), http.StatusUnauthorized)
	wantCode(t, "new password", awaB.signIn("awa", newPw, ""), http.StatusSeeOther)

	// Roles: the last admin keeps theirs.
	w = b.post(fmt.Sprintf("/admin/accounts/%d/role", chef.ID), url.Values{"csrf": {tok}, "role": {"viewer"}})
	wantCode(t, "demote the last admin", w, http.StatusConflict)
	w = b.post(fmt.Sprintf("/admin/accounts/%d/role", awa.ID), url.Values{"csrf": {tok}, "role": {"admin"}})
	wantCode(t, "awa becomes admin", w, http.StatusSeeOther)
	if a, _ := f.st.AccountByID(context.Background(), awa.ID); a.Role != "admin" {
		t.Errorf("awa's role %q", a.Role)
	}
	wantCode(t, "awa opens the accounts", awaB.get("/admin/accounts"), http.StatusOK)
	wantCode(t, "unknown account", b.get("/admin/accounts/999"), http.StatusNotFound)
	wantCode(t, "bad id", b.get("/admin/accounts/x"), http.StatusNotFound)

	// Revoke all of awa's sessions.
	w = b.post(fmt.Sprintf("/admin/accounts/%d/sessions/revoke-all", awa.ID), url.Values{"csrf": {tok}})
	wantCode(t, "revoke all", w, http.StatusSeeOther)
	wantCode(t, "awa after revoke-all", awaB.get("/admin/me"), http.StatusSeeOther)

	got := strings.Join(f.auditActions(), "\n")
	for _, want := range []string{"chef account.create awa", "chef account.password awa", "chef account.role awa", "chef session.revoke awa"} {
		if !strings.Contains(got, want) {
			t.Errorf("audit log lacks %q:\n%s", want, got)
		}
	}
}

// httptestWithCookie is a request carrying c.
func httptestWithCookie(c *http.Cookie) *http.Request {
	r := httptest.NewRequest(http.MethodGet, "/admin/", nil)
	r.AddCookie(c)
	return r
}

func TestMyAccount(t *testing.T) {
	f := newAuth(t, Config{})
	f.account("camille", RoleViewer)
	desk, phone := f.browser(), f.browser()
	wantCode(t, "desk", desk.signIn("camille", goodPassword, ""), http.StatusSeeOther)
	wantCode(t, "phone", phone.signIn("camille", goodPassword, ""), http.StatusSeeOther)
	tok := desk.csrf()
	const newPw = "ma nouvelle phrase secrète"

	w := desk.post("/admin/me/password", url.Values{"csrf": {tok}, "current": {"pas le bon"}, "password": {newPw}, "confirm": {newPw}})
	wantCode(t, "wrong current password", w, http.StatusBadRequest)
	if !strings.Contains(w.Body.String(), "pas le bon") {
		t.Errorf("no reason given:\n%s", w.Body.String())
	}
	w = desk.post("/admin/me/password", url.Values{"csrf": {tok}, "current": {goodPassword}, "password": {"court"}, "confirm": {"court"}})
	wantCode(t, "too short", w, http.StatusBadRequest)
	w = desk.post("/admin/me/password", url.Values{"csrf": {tok}, "current": {goodPassword}, "password": {newPw}, "confirm": {newPw}})
	wantCode(t, "change", w, http.StatusSeeOther)
	wantCode(t, "desk keeps its session", desk.get("/admin/me"), http.StatusOK)
	wantCode(t, "phone signed out", phone.get("/admin/me"), http.StatusSeeOther)

	// Closing the current session from the list signs out.
	page := desk.get("/admin/me").Body.String()
	if !strings.Contains(page, "cette session") {
		t.Errorf("the current session is not marked:\n%s", page)
	}
	own := f.srv.signIn.cookieHash(httptestWithCookie(desk.cookies[sessionCookie]))
	w = desk.post("/admin/me/sessions/revoke", url.Values{"csrf": {tok}, "session": {own}})
	wantCode(t, "close my session", w, http.StatusSeeOther)
	wantCode(t, "after closing my session", desk.get("/admin/me"), http.StatusSeeOther)
	if got := f.auditActions(); len(got) < 2 || got[0] != "camille session.revoke camille" {
		t.Errorf("audit log %q", got)
	}
}

func TestAuditPage(t *testing.T) {
	f := newAuth(t, Config{})
	f.account("chef", RoleAdmin)
	for i := range auditPageSize + 5 {
		f.now = f.now.Add(time.Minute)
		if err := f.st.Audit(context.Background(), store.AuditEntry{At: f.now, Actor: "cli", Action: "account.create", Object: fmt.Sprintf("user%03d", i), Detail: "<b>x</b>"}); err != nil {
			t.Fatal(err)
		}
	}
	b := f.browser()
	wantCode(t, "sign-in", b.signIn("chef", goodPassword, ""), http.StatusSeeOther)
	w := b.get("/admin/audit")
	wantCode(t, "audit", w, http.StatusOK)
	body := w.Body.String()
	// Newest first: the sign-in, then user054, 053…
	if i, j := strings.Index(body, "session.login"), strings.Index(body, "user054"); i < 0 || j < 0 || i > j || !strings.Contains(body, "user053") {
		t.Fatalf("audit page not newest first:\n%s", body)
	}
	if strings.Contains(body, "user004") || strings.Contains(body, "<b>x</b>") {
		t.Errorf("first page shows an old entry or unescaped detail")
	}
	m := regexp.MustCompile(`/admin/audit\?before=(\d+)`).FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no link to older entries")
	}
	body = b.get("/admin/audit?before=" + m[1]).Body.String()
	if !strings.Contains(body, "user000") || strings.Contains(body, "user054") || strings.Contains(body, `href="/admin/audit?before=`) {
		t.Errorf("second page:\n%s", body)
	}
	wantCode(t, "bad before", b.get("/admin/audit?before=zz"), http.StatusOK)
}

func TestParsePrefixes(t *testing.T) {
	got, err := ParsePrefixes([]string{"10.0.0.0/8", " 192.0.2.7 ", "2001:db8::/32", "::ffff:198.51.100.1", "10.1.2.3/8"})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"10.0.0.0/8", "192.0.2.7/32", "2001:db8::/32", "198.51.100.1/32", "10.0.0.0/8"}
	for i, p := range got {
		if p.String() != want[i] {
			t.Errorf("prefix %d = %s, want %s", i, p, want[i])
		}
	}
	if _, err := ParsePrefixes([]string{"proxy.local"}); err == nil || !strings.Contains(err.Error(), "CIDR") {
		t.Errorf("a host name: %v", err)
	}
}
