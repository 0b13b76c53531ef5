package admin

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/boussole/boussole/admin/password"
	"github.com/boussole/boussole/bot/store"
)

// Sign-in: accounts with argon2id passwords (admin/password) and
// server-side sessions. The browser holds a random token in the
// boussole_session cookie; the database holds only its sha256, so a copy
// of the database opens no session. A trusted reverse proxy may vouch for
// the user instead (single sign-on), through a header believed only from
// the proxies' addresses.

// Accounts is what sign-in and the account pages need from the store
// (bot/store implements it).
type Accounts interface {
	CreateAccount(ctx context.Context, a store.Account) (store.Account, error)
	AccountByLogin(ctx context.Context, login string) (store.Account, error)
	AccountByID(ctx context.Context, id int64) (store.Account, error)
	Accounts(ctx context.Context) ([]store.Account, error)
	SetAccountPassword(ctx context.Context, id int64, hash, keep string) error
	SetAccountRole(ctx context.Context, id int64, role string) error
	SetAccountDisabled(ctx context.Context, id int64, disabled bool) error
	CreateSession(ctx context.Context, se store.AuthSession) error
	LiveSession(ctx context.Context, tokenHash string, now time.Time) (store.AuthSession, store.Account, error)
	TouchSession(ctx context.Context, tokenHash string, at time.Time) error
	RevokeSession(ctx context.Context, accountID int64, tokenHash string) error
	RevokeSessions(ctx context.Context, accountID int64, keep string) (int64, error)
	AccountSessions(ctx context.Context, accountID int64, now time.Time) ([]store.AuthSession, error)
}

// Sign-in defaults.
const (
	// DefaultSessionIdle signs out a browser left unused for a working day.
	DefaultSessionIdle = 8 * time.Hour
	// DefaultSessionLifetime asks for the password again every week.
	DefaultSessionLifetime = 7 * 24 * time.Hour
	// DefaultMaxFailures failed sign-ins per address or login…
	DefaultMaxFailures = 5
	// …within DefaultFailureWindow block further tries (HTTP 429).
	DefaultFailureWindow = 15 * time.Minute
	// limiterKeys bounds the failure counter's memory.
	limiterKeys = 10000
	// touchEvery spaces the writes of a session's last use.
	touchEvery = time.Minute
)

const (
	sessionCookie = "boussole_session"
	// loginCookie carries the login form's own token (double submit): a
	// foreign site cannot sign a browser in to an account of its choice.
	loginCookie = "boussole_login"
)

// CookieAuth is the Authenticator of accounts and session cookies, with
// the optional proxy identity. New builds it when Deps.Accounts is set
// and Deps.Auth is not.
type CookieAuth struct {
	store    Accounts
	now      func() time.Time
	log      *slog.Logger
	idle     time.Duration
	lifetime time.Duration
	secure   bool
	header   string
	trusted  []netip.Prefix
	params   password.Params
	limit    *limiter
	// proxyKey signs the CSRF tokens of proxy-identified users, who have
	// no session row; random at start.
	proxyKey []byte

	dummyOnce sync.Once
	dummy     string
}

// NewCookieAuth builds the cookie authenticator from cfg's sign-in
// settings.
func NewCookieAuth(cfg Config, accounts Accounts, now func() time.Time, log *slog.Logger) (*CookieAuth, error) {
	if accounts == nil || now == nil {
		return nil, errors.New("new cookie auth: accounts and clock are required")
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	a := &CookieAuth{store: accounts, now: now, log: log, idle: cfg.SessionIdle, lifetime: cfg.SessionLifetime,
		secure: cfg.SecureCookies, header: http.CanonicalHeaderKey(strings.TrimSpace(cfg.ProxyHeader)),
		trusted: cfg.TrustedProxies, params: cfg.Password}
	if a.idle <= 0 {
		a.idle = DefaultSessionIdle
	}
	if a.lifetime <= 0 {
		a.lifetime = DefaultSessionLifetime
	}
	if a.params == (password.Params{}) {
		a.params = password.Default
	}
	maxFail, window := cfg.MaxLoginFailures, cfg.LoginFailureWindow
	if maxFail <= 0 {
		maxFail = DefaultMaxFailures
	}
	if window <= 0 {
		window = DefaultFailureWindow
	}
	a.limit = newLimiter(maxFail, window, limiterKeys)
	a.proxyKey = make([]byte, 32)
	if _, err := rand.Read(a.proxyKey); err != nil {
		return nil, fmt.Errorf("new cookie auth: %w", err)
	}
	return a, nil
}

var _ Authenticator = (*CookieAuth)(nil)

// ParsePrefixes reads trusted proxy addresses: CIDR prefixes, or single
// addresses.
func ParsePrefixes(list []string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, s := range list {
		s = strings.TrimSpace(s)
		if p, err := netip.ParsePrefix(s); err == nil {
			out = append(out, p.Masked())
			continue
		}
		ip, err := netip.ParseAddr(s)
		if err != nil {
			return nil, fmt.Errorf("%q is not an address or CIDR prefix (e.g. 10.0.0.5 or 10.0.0.0/24)", s)
		}
		ip = ip.Unmap()
		out = append(out, netip.PrefixFrom(ip, ip.BitLen()))
	}
	return out, nil
}

// Identify returns the session of the request: the trusted proxy's user
// when the header comes from a trusted address and names an enabled
// account, else the live session of the cookie.
func (a *CookieAuth) Identify(r *http.Request) (Session, bool) {
	if s, ok := a.proxyIdentity(r); ok {
		return s, true
	}
	hash := a.cookieHash(r)
	if hash == "" {
		return Session{}, false
	}
	now := a.now()
	se, acc, err := a.store.LiveSession(r.Context(), hash, now)
	if err != nil {
		if !errors.Is(err, store.ErrNotFound) {
			a.log.ErrorContext(r.Context(), "admin: read session", "err", err)
		}
		return Session{}, false
	}
	if now.Sub(se.LastSeen) >= a.idle {
		return Session{}, false
	}
	if now.Sub(se.LastSeen) >= touchEvery {
		if err := a.store.TouchSession(r.Context(), hash, now); err != nil {
			a.log.WarnContext(r.Context(), "admin: session last use not recorded", "err", err)
		}
	}
	return Session{User: userOf(acc), CSRF: se.CSRF}, true
}

func userOf(acc store.Account) User {
	return User{ID: acc.ID, Login: acc.Login, Name: acc.Name, Role: Role(acc.Role)}
}

// proxyIdentity is the user a trusted reverse proxy vouches for.
func (a *CookieAuth) proxyIdentity(r *http.Request) (Session, bool) {
	if a.header == "" || len(a.trusted) == 0 {
		return Session{}, false
	}
	login := strings.TrimSpace(r.Header.Get(a.header))
	if login == "" || !a.isTrusted(remoteAddr(r)) {
		return Session{}, false
	}
	acc, err := a.store.AccountByLogin(r.Context(), login)
	if err != nil {
		if !errors.Is(err, store.ErrNotFound) {
			a.log.ErrorContext(r.Context(), "admin: read account of proxy identity", "err", err)
		}
		return Session{}, false
	}
	if acc.Disabled {
		return Session{}, false
	}
	m := hmac.New(sha256.New, a.proxyKey)
	fmt.Fprintf(m, "%d\x00%s", acc.ID, acc.Login)
	return Session{User: userOf(acc), CSRF: base64.RawURLEncoding.EncodeToString(m.Sum(nil))}, true
}

// isTrusted says whether ip is one of the trusted proxies.
func (a *CookieAuth) isTrusted(ip netip.Addr) bool {
	if !ip.IsValid() {
		return false
	}
	for _, p := range a.trusted {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// remoteAddr is the address of the connection's other end.
func remoteAddr(r *http.Request) netip.Addr {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}
	}
	return ip.Unmap()
}

// clientKey is the rate limiter's key for the request's client: the
// connection's address, or behind a trusted proxy the nearest address of
// X-Forwarded-For the proxies did not add; an IPv6 client counts by its
// /64, what one household or server gets.
func (a *CookieAuth) clientKey(r *http.Request) string {
	ip := remoteAddr(r)
	if a.isTrusted(ip) {
		hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
		for i := len(hops) - 1; i >= 0; i-- {
			hop, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
			if err != nil {
				break
			}
			ip = hop.Unmap()
			if !a.isTrusted(ip) {
				break
			}
		}
	}
	if ip.Is6() {
		p, _ := ip.Prefix(64)
		return "addr:" + p.String()
	}
	return "addr:" + ip.String()
}

func loginKey(login string) string { return "login:" + strings.ToLower(strings.TrimSpace(login)) }

// cookieHash is the hex sha256 of the request's session token, "" when
// it carries none that could be one.
func (a *CookieAuth) cookieHash(r *http.Request) string {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return ""
	}
	tok, err := base64.RawURLEncoding.DecodeString(c.Value)
	if err != nil || len(tok) != 32 {
		return ""
	}
	return hashToken(tok)
}

func hashToken(tok []byte) string {
	sum := sha256.Sum256(tok)
	return hex.EncodeToString(sum[:])
}

// randomToken is n random bytes, base64url.
func randomToken(n int) (string, []byte, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", nil, err
	}
	return base64.RawURLEncoding.EncodeToString(b), b, nil
}

// cookie is a cookie of the admin with the attributes every one gets.
func (a *CookieAuth) cookie(r *http.Request, name, value, path string, maxAge int) *http.Cookie {
	return &http.Cookie{Name: name, Value: value, Path: path, MaxAge: maxAge, HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil || a.secure}
}

// start opens a session for acc and sets its cookie. The cookie has no
// expiry of its own: it goes when the browser closes (a counter's shared
// computer), and the server ends the session sooner when idle or old.
func (a *CookieAuth) start(ctx context.Context, w http.ResponseWriter, r *http.Request, acc store.Account) (Session, error) {
	tok, raw, err := randomToken(32)
	if err != nil {
		return Session{}, fmt.Errorf("start session: %w", err)
	}
	csrf, _, err := randomToken(32)
	if err != nil {
		return Session{}, fmt.Errorf("start session: %w", err)
	}
	now := a.now()
	se := store.AuthSession{TokenHash: hashToken(raw), AccountID: acc.ID, CSRF: csrf, CreatedAt: now, LastSeen: now, ExpiresAt: now.Add(a.lifetime)}
	if err := a.store.CreateSession(ctx, se); err != nil {
		return Session{}, err
	}
	http.SetCookie(w, a.cookie(r, sessionCookie, tok, Prefix, 0))
	return Session{User: userOf(acc), CSRF: csrf}, nil
}

// end revokes the request's session, if any, and clears the cookie.
func (a *CookieAuth) end(ctx context.Context, w http.ResponseWriter, r *http.Request, accountID int64) error {
	http.SetCookie(w, a.cookie(r, sessionCookie, "", Prefix, -1))
	if hash := a.cookieHash(r); hash != "" && accountID != 0 {
		if err := a.store.RevokeSession(ctx, accountID, hash); err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
	}
	return nil
}

// checkPassword verifies login's password, taking as long whether the
// account exists or not (no guessing logins by timing). It returns the
// account when the password is right, even when the account is disabled
// (the caller says so: only the password's owner learns it).
func (a *CookieAuth) checkPassword(ctx context.Context, login, pw string) (store.Account, bool, error) {
	acc, err := a.store.AccountByLogin(ctx, login)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return store.Account{}, false, err
	}
	if err != nil || acc.PasswordHash == "" {
		_ = password.Verify(a.dummyHash(), pw)
		return store.Account{}, false, nil
	}
	switch err := password.Verify(acc.PasswordHash, pw); {
	case err == nil:
		return acc, true, nil
	case errors.Is(err, password.ErrMismatch):
		return store.Account{}, false, nil
	default:
		return store.Account{}, false, fmt.Errorf("password of %s: %w", acc.Login, err)
	}
}

// dummyHash is a hash of nothing anyone types, with the configured
// costs: checked when the login does not exist.
func (a *CookieAuth) dummyHash() string {
	a.dummyOnce.Do(func() {
		pw, _, err := randomToken(24)
		if err == nil {
			a.dummy, err = a.params.Hash(pw)
		}
		if err != nil {
			a.log.Error("admin: dummy password hash", "err", err)
		}
	})
	return a.dummy
}

// safeNext is where to go after signing in: next when it is a path of
// the admin on this site, else the admin's home. "//host" and "/\host"
// are other sites to a browser and are refused.
func safeNext(next string) string {
	home := Prefix + "/"
	if next == "" || strings.ContainsAny(next, "\\\r\n\t") || strings.HasPrefix(next, "//") {
		return home
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || !strings.HasPrefix(u.Path, "/") {
		return home
	}
	if p := path.Clean(u.Path); p != Prefix && !strings.HasPrefix(p, Prefix+"/") {
		return home
	}
	return next
}

// authRoutes registers sign-in, sign-out and the account pages, when
// there are accounts.
func (s *Server) authRoutes() {
	s.handle("GET "+Prefix+"/audit", PermAccounts, s.auditPage)
	if s.signIn == nil {
		return
	}
	s.mux.HandleFunc("GET "+Prefix+"/login", s.loginPage)
	s.mux.HandleFunc("POST "+Prefix+"/login", s.loginPost)
	s.mux.HandleFunc("POST "+Prefix+"/logout", s.logout)
	s.accountRoutes()
}

type loginView struct {
	Next, Login string
	// Form is the login form's token (loginCookie).
	Form  string
	Error string
}

// loginForm returns the login form's token, setting its cookie when the
// browser has none yet (several tabs share one).
func (s *Server) loginForm(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(loginCookie); err == nil && len(c.Value) == 43 {
		return c.Value
	}
	tok, _, err := randomToken(32)
	if err != nil {
		s.d.Log.Error("admin: login form token", "err", err)
		return ""
	}
	http.SetCookie(w, s.signIn.cookie(r, loginCookie, tok, Prefix+"/login", 3600))
	return tok
}

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) {
	next := safeNext(r.URL.Query().Get("next"))
	if _, ok := s.d.Auth.Identify(r); ok {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return
	}
	s.renderLogin(w, r, http.StatusOK, loginView{Next: next})
}

func (s *Server) renderLogin(w http.ResponseWriter, r *http.Request, status int, v loginView) {
	v.Form = s.loginForm(w, r)
	s.render(w, r, Session{}, status, "login.html", "login_title", v)
}

func (s *Server) loginPost(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	next := safeNext(r.PostFormValue("next"))
	login := strings.TrimSpace(r.PostFormValue("login"))
	v := loginView{Next: next, Login: login}
	c, err := r.Cookie(loginCookie)
	if err != nil || subtle.ConstantTimeCompare([]byte(c.Value), []byte(r.PostFormValue("form"))) != 1 {
		v.Error = s.T(r, "login_err_form")
		s.renderLogin(w, r, http.StatusForbidden, v)
		return
	}
	a := s.signIn
	now := s.d.Now()
	keys := []string{a.clientKey(r), loginKey(login)}
	if wait, blocked := a.limit.blocked(now, keys...); blocked {
		minutes := int((wait + time.Minute - 1) / time.Minute)
		w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
		v.Error = s.T(r, "login_err_too_many", "minutes", strconv.Itoa(minutes))
		s.renderLogin(w, r, http.StatusTooManyRequests, v)
		return
	}
	acc, ok, err := a.checkPassword(r.Context(), login, r.PostFormValue("password"))
	if err != nil {
		s.d.Log.Error("admin: sign-in", "err", err)
		s.fail(w, r, Session{}, http.StatusInternalServerError, "err_internal")
		return
	}
	if !ok {
		a.limit.fail(now, keys...)
		v.Error = s.T(r, "login_err_wrong")
		s.renderLogin(w, r, http.StatusUnauthorized, v)
		return
	}
	if acc.Disabled {
		v.Error = s.T(r, "login_err_disabled")
		s.renderLogin(w, r, http.StatusForbidden, v)
		return
	}
	a.limit.reset(loginKey(login))
	sess, err := a.start(r.Context(), w, r, acc)
	if err != nil {
		s.d.Log.Error("admin: sign-in", "err", err)
		s.fail(w, r, Session{}, http.StatusInternalServerError, "err_internal")
		return
	}
	http.SetCookie(w, a.cookie(r, loginCookie, "", Prefix+"/login", -1))
	s.audit(r, sess, "session.login", acc.Login, "", "")
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// logout ends the session. Signed out already, it just goes to the login
// page; signed in, the form's CSRF token is required (no foreign page
// signs people out).
func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	sess, ok := s.d.Auth.Identify(r)
	if ok && !csrfOK(r, sess) {
		s.fail(w, r, sess, http.StatusForbidden, "err_csrf")
		return
	}
	if err := s.signIn.end(r.Context(), w, r, sess.User.ID); err != nil {
		s.d.Log.Error("admin: sign out", "err", err)
		s.fail(w, r, sess, http.StatusInternalServerError, "err_internal")
		return
	}
	if ok {
		s.audit(r, sess, "session.logout", sess.User.Login, "", "")
	}
	http.Redirect(w, r, Prefix+"/login?done=logout", http.StatusSeeOther)
}
