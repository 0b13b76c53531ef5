// Package admin is Boussole's web admin, served under /admin by the
// process's one HTTP server: the staff of a town hall, a France Services
// counter or an association edit orientation trees and knowledge items as
// drafts checked as they type, try them in a preview chat, publish,
// compare and roll back versions, and read the gap report.
//
// Pages are rendered on the server (html/template, SVG for tree graphs)
// and work without JavaScript; the little script in static/ only adds
// validation as you type and the preview chat's live replies. Every
// template, style sheet and script is embedded in the binary: nothing is
// fetched at run time. Every sentence of the pages lives in the admin's
// message catalogue (messages/), French first, English second.
package admin

import (
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/netip"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/boussole/boussole/admin/password"
	"github.com/boussole/boussole/bot/catalog"
)

//go:embed templates/*.html static/* messages/*.yaml
var assets embed.FS

// Prefix is where the admin is mounted on the HTTP server.
const Prefix = "/admin"

// Role is what an account may do.
type Role string

// Roles, from the most to the least powerful.
const (
	// RoleAdmin manages accounts and settings and publishes.
	RoleAdmin Role = "admin"
	// RoleEditor writes drafts and tests and proposes them.
	RoleEditor Role = "editor"
	// RoleViewer reads.
	RoleViewer Role = "viewer"
)

// Roles lists the valid roles.
func Roles() []Role { return []Role{RoleAdmin, RoleEditor, RoleViewer} }

// ParseRole reads a role name, listing the valid ones when it is wrong.
func ParseRole(s string) (Role, error) {
	for _, r := range Roles() {
		if string(r) == strings.TrimSpace(s) {
			return r, nil
		}
	}
	return "", fmt.Errorf("unknown role %q (valid roles: admin, editor, viewer)", s)
}

// Permission is one thing a role may be allowed to do.
type Permission int

// Permissions, checked on every route.
const (
	// PermView reads pages.
	PermView Permission = iota
	// PermEdit writes drafts and tests, runs the preview.
	PermEdit
	// PermPublish publishes, rolls back, imports.
	PermPublish
	// PermAccounts manages accounts and sessions.
	PermAccounts
)

// Can says whether r has permission p.
func (r Role) Can(p Permission) bool {
	switch r {
	case RoleAdmin:
		return true
	case RoleEditor:
		return p == PermView || p == PermEdit
	case RoleViewer:
		return p == PermView
	}
	return false
}

// User is a signed-in account.
type User struct {
	ID    int64
	Login string
	Name  string
	Role  Role
}

// Session is a signed-in user's session: who, and the token every
// state-changing request must carry (CSRF).
type Session struct {
	User User
	CSRF string
}

// Authenticator tells who makes a request. The accounts (auth.go)
// implement it with session cookies and, when configured, a trusted
// reverse proxy's header; tests may give a fixed one.
type Authenticator interface {
	// Identify returns the session of the request's signed-in user, or
	// ok false when nobody is signed in.
	Identify(r *http.Request) (s Session, ok bool)
}

// Config is the admin's part of the configuration.
type Config struct {
	// Lang is the pages' language when the browser asks for none we
	// have (default fr).
	Lang string
	// RetentionDays is how long conversations and usage events are kept
	// (retention.days): the gap report offers no longer period (default
	// 90).
	RetentionDays int

	// Sign-in (auth.go).

	// SecureCookies marks cookies Secure even on plain-HTTP requests: the
	// admin is served over HTTPS by a reverse proxy (requests seen over
	// TLS get Secure anyway).
	SecureCookies bool
	// SessionIdle and SessionLifetime end a session unused for that long,
	// or that old (default 8 h and 7 days).
	SessionIdle, SessionLifetime time.Duration
	// ProxyHeader names a header a trusted reverse proxy sets to the
	// signed-in login (single sign-on); "" disables it.
	ProxyHeader string
	// TrustedProxies are the addresses ProxyHeader and X-Forwarded-For
	// are believed from (ParsePrefixes reads them).
	TrustedProxies []netip.Prefix
	// MaxLoginFailures failed sign-ins per client address or login within
	// LoginFailureWindow block further tries (default 5 in 15 minutes).
	MaxLoginFailures   int
	LoginFailureWindow time.Duration
	// Password are the argon2id costs of new hashes (zero:
	// password.Default; tests use password.Fast).
	Password password.Params
}

// Deps are the admin's collaborators.
type Deps struct {
	Log *slog.Logger
	// Now is the program's one clock.
	Now func() time.Time
	// Auth tells who makes a request; nil: the accounts' session cookies
	// (Accounts is then required).
	Auth Authenticator
	// Accounts are the admin accounts and their sessions (nil: no
	// sign-in and account pages, for tests given a fixed Auth).
	Accounts Accounts
	// Audit records every change (nil: none recorded, in tests of pages
	// that change nothing).
	Audit AuditLog
	// Library is the published knowledge.
	Library Library
	// Drafts are the editors' drafts of trees and items.
	Drafts Drafts
	// NewPreview builds the preview chat over a draft (nil: no preview).
	NewPreview NewPreview
	// Tests are the trees' conversation tests (nil: no tests page).
	Tests TreeTests
	// Files exports and imports the knowledge as files (nil: no files
	// page).
	Files FileLibrary
	// Gaps are the gap report's figures and the drafts it starts
	// (gaps.go; nil: the report says it has no data).
	Gaps GapStore
	// Report are the activity report's counters (report.go; nil: the
	// page says it has no data).
	Report ReportStore
}

// Server serves the admin pages.
type Server struct {
	cfg Config
	d   Deps
	// treeTests runs a tree's conversation tests before it is published.
	treeTests TreeTester
	pv        *previews
	cat       *catalog.Catalog
	mux       *http.ServeMux
	pages     map[string]*template.Template
	// signIn is the cookie authenticator (nil without Accounts).
	signIn *CookieAuth
}

// New builds the admin's pages and routes.
func New(cfg Config, d Deps) (*Server, error) {
	if d.Now == nil || (d.Auth == nil && d.Accounts == nil) {
		return nil, errors.New("new admin: Now, and Auth or Accounts, are required")
	}
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	var signIn *CookieAuth
	if d.Accounts != nil {
		var err error
		if signIn, err = NewCookieAuth(cfg, d.Accounts, d.Now, d.Log); err != nil {
			return nil, fmt.Errorf("new admin: %w", err)
		}
		if d.Auth == nil {
			d.Auth = signIn
		}
	}
	if cfg.Lang == "" {
		cfg.Lang = catalog.Default
	}
	cat, err := catalog.Load(assets, "messages")
	if err != nil {
		return nil, fmt.Errorf("new admin: %w", err)
	}
	s := &Server{cfg: cfg, d: d, cat: cat, mux: http.NewServeMux(), signIn: signIn}
	if s.pages, err = parsePages(); err != nil {
		return nil, fmt.Errorf("new admin: %w", err)
	}
	s.routes()
	return s, nil
}

// ServeHTTP serves a request whose path starts with Prefix.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	// Pages are the project's own: no frame, no foreign script, no
	// referrer leaking a case or a tree id.
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
	s.mux.ServeHTTP(w, r)
}

// routes registers every page. Each part of the admin adds its own in
// its file's routes function.
func (s *Server) routes() {
	static, _ := fs.Sub(assets, "static")
	s.mux.Handle("GET "+Prefix+"/static/", http.StripPrefix(Prefix+"/static/", http.FileServerFS(static)))
	s.handle("GET "+Prefix+"/{$}", PermView, s.home)
	// Any other address under the admin: its own page, in its language.
	s.handle("GET "+Prefix+"/", PermView, func(w http.ResponseWriter, r *http.Request, sess Session) {
		s.fail(w, r, sess, http.StatusNotFound, "err_not_found")
	})
	s.mux.HandleFunc("GET "+Prefix, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, Prefix+"/", http.StatusMovedPermanently)
	})
	s.mux.HandleFunc("POST "+Prefix+"/lang", s.setLang)
	s.itemRoutes()
	s.treeRoutes()
	s.previewRoutes()
	s.filesRoutes()
	s.gapsRoutes()
	s.reportRoutes()
	s.authRoutes()
}

// handler is a page handler for a signed-in user.
type handler func(w http.ResponseWriter, r *http.Request, sess Session)

// handle registers h behind authentication: a visitor not signed in is
// sent to the login page, a user without perm gets 403, and every
// request that changes something must carry the session's CSRF token
// (form field or X-CSRF-Token header).
func (s *Server) handle(pattern string, perm Permission, h handler) {
	limit := int64(maxForm)
	if strings.HasSuffix(pattern, "/files/import") {
		limit = maxImport
	}
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		// Bounded before the CSRF check reads the form.
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		sess, ok := s.d.Auth.Identify(r)
		if !ok {
			if r.Method == http.MethodGet {
				http.Redirect(w, r, Prefix+"/login?next="+urlQueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
			s.fail(w, r, Session{}, http.StatusUnauthorized, "err_signed_out")
			return
		}
		if !sess.User.Role.Can(perm) {
			s.fail(w, r, sess, http.StatusForbidden, "err_forbidden")
			return
		}
		if changes(r.Method) && !csrfOK(r, sess) {
			s.fail(w, r, sess, http.StatusForbidden, "err_csrf")
			return
		}
		h(w, r, sess)
	})
}

// maxForm bounds an admin form's body: a tree's node or an item is a
// few kilobytes; the knowledge import (maxImport) is the exception.
const maxForm = 1 << 20

// changes says whether a request of this method may change state.
func changes(method string) bool {
	return method != http.MethodGet && method != http.MethodHead && method != http.MethodOptions
}

// home is the admin's first page: what there is to do.
func (s *Server) home(w http.ResponseWriter, r *http.Request, sess Session) {
	s.render(w, r, sess, http.StatusOK, "home.html", "home_title", nil)
}

// setLang remembers the pages' language in a cookie (no sign-in
// needed: the login page has the switch too).
func (s *Server) setLang(w http.ResponseWriter, r *http.Request) {
	lang := r.PostFormValue("lang")
	if !s.cat.Supported(lang) {
		lang = s.cfg.Lang
	}
	http.SetCookie(w, &http.Cookie{Name: "boussole_lang", Value: lang, Path: Prefix, HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil, MaxAge: 365 * 24 * 3600})
	back := r.PostFormValue("back")
	if !strings.HasPrefix(back, Prefix) || strings.HasPrefix(back, "//") {
		back = Prefix + "/"
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
}

// lang is the request's page language: the cookie, else the browser's
// first language we have, else the configured one.
func (s *Server) lang(r *http.Request) string {
	if c, err := r.Cookie("boussole_lang"); err == nil && s.cat.Supported(c.Value) {
		return c.Value
	}
	for part := range strings.SplitSeq(r.Header.Get("Accept-Language"), ",") {
		l := strings.TrimSpace(strings.SplitN(part, ";", 2)[0])
		l = strings.ToLower(strings.SplitN(l, "-", 2)[0])
		if l != "" && s.cat.Supported(l) {
			return l
		}
	}
	return s.cfg.Lang
}

// T is the admin's sentence key in the request's language.
func (s *Server) T(r *http.Request, key string, kv ...string) string {
	return s.cat.T(s.lang(r), key, kv...)
}

// view is what every page template gets: the page's own data and what
// the layout needs.
type view struct {
	Lang    string
	Title   string
	User    *User
	CSRF    string
	Path    string
	Data    any
	Flash   string
	srv     *Server
	Section string
}

// T is a sentence of the catalogue in the page's language, with {name}
// placeholders filled from kv pairs.
func (v view) T(key string, kv ...string) string { return v.srv.cat.T(v.Lang, key, kv...) }

// Can says whether the signed-in user has a permission (menus hide what
// they cannot do; routes check it again).
func (v view) Can(p string) bool {
	if v.User == nil {
		return false
	}
	switch p {
	case "edit":
		return v.User.Role.Can(PermEdit)
	case "publish":
		return v.User.Role.Can(PermPublish)
	case "accounts":
		return v.User.Role.Can(PermAccounts)
	}
	return v.User.Role.Can(PermView)
}

// render writes page with the layout. title is a catalogue key.
func (s *Server) render(w http.ResponseWriter, r *http.Request, sess Session, status int, page, title string, data any) {
	t, ok := s.pages[page]
	if !ok {
		s.d.Log.Error("admin: no such page template", "page", page)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	v := view{Lang: s.lang(r), Path: r.URL.RequestURI(), Data: data, srv: s, CSRF: sess.CSRF,
		Flash: r.URL.Query().Get("done"), Section: section(r.URL.Path)}
	if sess.User.Login != "" {
		u := sess.User
		v.User = &u
	}
	v.Title = v.T(title)
	var b strings.Builder
	if err := t.ExecuteTemplate(&b, "layout", v); err != nil {
		s.d.Log.Error("admin: render page", "page", page, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(b.String()))
}

// fail shows an error page with the catalogue's sentence for key.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, sess Session, status int, key string) {
	s.render(w, r, sess, status, "error.html", "error_title", map[string]any{"Status": status, "Message": s.T(r, key)})
}

// section is the menu entry a path belongs to (highlighted in the menu).
func section(p string) string {
	rest := strings.TrimPrefix(p, Prefix+"/")
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		rest = rest[:i]
	}
	return rest
}

// parsePages parses each page template of templates/ with the layout, one
// set per page so that every page defines its own "content".
func parsePages() (map[string]*template.Template, error) {
	names, err := fs.Glob(assets, "templates/*.html")
	if err != nil {
		return nil, err
	}
	// Partials (*_parts.html) are shared by every page.
	shared := []string{"templates/layout.html"}
	for _, n := range names {
		if strings.HasSuffix(n, "_parts.html") {
			shared = append(shared, n)
		}
	}
	out := map[string]*template.Template{}
	for _, n := range names {
		base := path.Base(n)
		if base == "layout.html" || strings.HasSuffix(base, "_parts.html") {
			continue
		}
		t, err := template.New(base).Funcs(funcs()).ParseFS(assets, append(slices.Clone(shared), n)...)
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", n, err)
		}
		out[base] = t
	}
	return out, nil
}

// funcs are the template helpers every page may use.
func funcs() template.FuncMap {
	return template.FuncMap{
		"date": func(t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return t.UTC().Format("2006-01-02 15:04")
		},
		"add":  func(a, b int) int { return a + b },
		"join": strings.Join,
		// svg marks a graph built by treegraph (every text in it escaped)
		// as safe to embed.
		"svg": func(s string) template.HTML { return template.HTML(s) },
		// split reads a page message "key:detail".
		"split":   func(m string) []string { k, d := messageKey(m); return []string{k, d} },
		"failure": failureText,
	}
}
