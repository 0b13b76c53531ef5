package admin

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/boussole/boussole/admin/password"
	"github.com/boussole/boussole/bot/store"
)

// The pages of accounts: my account (password, sessions) for everyone,
// every account for administrators, and the audit log.

// auditPageSize is how many audit entries a page shows.
const auditPageSize = 50

func (s *Server) accountRoutes() {
	s.handle("GET "+Prefix+"/me", PermView, s.mePage)
	s.handle("POST "+Prefix+"/me/password", PermView, s.myPassword)
	s.handle("POST "+Prefix+"/me/sessions/revoke", PermView, s.mySessionRevoke)
	s.handle("GET "+Prefix+"/accounts", PermAccounts, s.accountsPage)
	s.handle("POST "+Prefix+"/accounts", PermAccounts, s.accountCreate)
	s.handle("GET "+Prefix+"/accounts/{id}", PermAccounts, s.accountPage)
	s.handle("POST "+Prefix+"/accounts/{id}/role", PermAccounts, s.accountRole)
	s.handle("POST "+Prefix+"/accounts/{id}/disable", PermAccounts, s.accountDisable)
	s.handle("POST "+Prefix+"/accounts/{id}/enable", PermAccounts, s.accountEnable)
	s.handle("POST "+Prefix+"/accounts/{id}/password", PermAccounts, s.accountPassword)
	s.handle("POST "+Prefix+"/accounts/{id}/sessions/revoke", PermAccounts, s.accountSessionRevoke)
	s.handle("POST "+Prefix+"/accounts/{id}/sessions/revoke-all", PermAccounts, s.accountSessionsRevokeAll)
}

// sessionView is a session as listed; its hash only goes in the revoke
// form (it opens nothing: the cookie holds the token, not its hash).
type sessionView struct {
	Hash                       string
	Created, LastSeen, Expires time.Time
	Current                    bool
}

type accountView struct {
	Account  store.Account
	Roles    []Role
	Sessions []sessionView
	// Self: the page is about the signed-in user's own account.
	Self  bool
	Error string
}

type accountsView struct {
	Accounts []store.Account
	Roles    []Role
	Error    string
	// The create form's values, kept when it is refused.
	Login, Name, Role string
}

// sessions lists acc's live sessions, marking the request's own.
func (s *Server) sessions(r *http.Request, acc store.Account) ([]sessionView, error) {
	list, err := s.d.Accounts.AccountSessions(r.Context(), acc.ID, s.d.Now())
	if err != nil {
		return nil, err
	}
	cur := s.signIn.cookieHash(r)
	out := make([]sessionView, 0, len(list))
	for _, se := range list {
		out = append(out, sessionView{Hash: se.TokenHash, Created: se.CreatedAt, LastSeen: se.LastSeen, Expires: se.ExpiresAt, Current: se.TokenHash == cur})
	}
	return out, nil
}

// passwordError is the catalogue sentence for a refused new password.
func (s *Server) passwordError(r *http.Request, pw, confirm string) string {
	if err := password.Check(pw); errors.Is(err, password.ErrTooShort) {
		return s.T(r, "acc_err_short", "min", strconv.Itoa(password.MinLength))
	} else if err != nil {
		return s.T(r, "acc_err_long")
	}
	if pw != confirm {
		return s.T(r, "acc_err_confirm")
	}
	return ""
}

// --- My account

func (s *Server) mePage(w http.ResponseWriter, r *http.Request, sess Session) {
	s.renderMe(w, r, sess, http.StatusOK, "")
}

func (s *Server) renderMe(w http.ResponseWriter, r *http.Request, sess Session, status int, msg string) {
	acc, err := s.d.Accounts.AccountByID(r.Context(), sess.User.ID)
	if err != nil {
		s.internal(w, r, sess, fmt.Errorf("my account: %w", err))
		return
	}
	list, err := s.sessions(r, acc)
	if err != nil {
		s.internal(w, r, sess, fmt.Errorf("my sessions: %w", err))
		return
	}
	s.render(w, r, sess, status, "me.html", "me_title", accountView{Account: acc, Sessions: list, Self: true, Error: msg})
}

// myPassword changes the signed-in user's password, given the current
// one; every other session of the account is signed out.
func (s *Server) myPassword(w http.ResponseWriter, r *http.Request, sess Session) {
	a := s.signIn
	now := s.d.Now()
	key := loginKey(sess.User.Login)
	if wait, blocked := a.limit.blocked(now, key); blocked {
		w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
		s.renderMe(w, r, sess, http.StatusTooManyRequests, s.T(r, "login_err_too_many", "minutes", strconv.Itoa(int((wait+time.Minute-1)/time.Minute))))
		return
	}
	_, ok, err := a.checkPassword(r.Context(), sess.User.Login, r.PostFormValue("current"))
	if err != nil {
		s.internal(w, r, sess, fmt.Errorf("check password: %w", err))
		return
	}
	if !ok {
		a.limit.fail(now, key)
		s.renderMe(w, r, sess, http.StatusBadRequest, s.T(r, "me_err_current"))
		return
	}
	pw := r.PostFormValue("password")
	if msg := s.passwordError(r, pw, r.PostFormValue("confirm")); msg != "" {
		s.renderMe(w, r, sess, http.StatusBadRequest, msg)
		return
	}
	hash, err := a.params.Hash(pw)
	if err != nil {
		s.internal(w, r, sess, fmt.Errorf("hash password: %w", err))
		return
	}
	if err := s.d.Accounts.SetAccountPassword(r.Context(), sess.User.ID, hash, a.cookieHash(r)); err != nil {
		s.internal(w, r, sess, fmt.Errorf("set password: %w", err))
		return
	}
	s.audit(r, sess, "account.password", sess.User.Login, "changed by the account", "")
	http.Redirect(w, r, Prefix+"/me?done=my_password", http.StatusSeeOther)
}

// mySessionRevoke signs out one of the user's sessions; the current one
// signs the user out here too.
func (s *Server) mySessionRevoke(w http.ResponseWriter, r *http.Request, sess Session) {
	hash := r.PostFormValue("session")
	err := s.d.Accounts.RevokeSession(r.Context(), sess.User.ID, hash)
	if errors.Is(err, store.ErrNotFound) {
		s.fail(w, r, sess, http.StatusNotFound, "acc_err_no_session")
		return
	}
	if err != nil {
		s.internal(w, r, sess, fmt.Errorf("revoke session: %w", err))
		return
	}
	s.audit(r, sess, "session.revoke", sess.User.Login, "1 session", "")
	if hash == s.signIn.cookieHash(r) {
		http.SetCookie(w, s.signIn.cookie(r, sessionCookie, "", Prefix, -1))
		http.Redirect(w, r, Prefix+"/login?done=logout", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, Prefix+"/me?done=session_revoked", http.StatusSeeOther)
}

// --- Every account (administrators)

func (s *Server) accountsPage(w http.ResponseWriter, r *http.Request, sess Session) {
	s.renderAccounts(w, r, sess, http.StatusOK, accountsView{Role: string(RoleEditor)})
}

func (s *Server) renderAccounts(w http.ResponseWriter, r *http.Request, sess Session, status int, v accountsView) {
	list, err := s.d.Accounts.Accounts(r.Context())
	if err != nil {
		s.internal(w, r, sess, fmt.Errorf("list accounts: %w", err))
		return
	}
	v.Accounts, v.Roles = list, Roles()
	s.render(w, r, sess, status, "accounts.html", "accounts_title", v)
}

func (s *Server) accountCreate(w http.ResponseWriter, r *http.Request, sess Session) {
	v := accountsView{Login: strings.TrimSpace(r.PostFormValue("login")), Name: strings.TrimSpace(r.PostFormValue("name")), Role: r.PostFormValue("role")}
	refuse := func(msg string) { v.Error = msg; s.renderAccounts(w, r, sess, http.StatusBadRequest, v) }
	if err := store.CheckLogin(v.Login); err != nil {
		refuse(s.T(r, "acc_err_login"))
		return
	}
	role, err := ParseRole(v.Role)
	if err != nil {
		refuse(s.T(r, "acc_err_role"))
		return
	}
	pw := r.PostFormValue("password")
	if msg := s.passwordError(r, pw, r.PostFormValue("confirm")); msg != "" {
		refuse(msg)
		return
	}
	hash, err := s.signIn.params.Hash(pw)
	if err != nil {
		s.internal(w, r, sess, fmt.Errorf("hash password: %w", err))
		return
	}
	acc, err := s.d.Accounts.CreateAccount(r.Context(), store.Account{Login: v.Login, Name: v.Name, Role: string(role), PasswordHash: hash})
	if errors.Is(err, store.ErrLoginTaken) {
		v.Error = s.T(r, "acc_err_taken", "login", v.Login)
		s.renderAccounts(w, r, sess, http.StatusConflict, v)
		return
	}
	if err != nil {
		s.internal(w, r, sess, fmt.Errorf("create account: %w", err))
		return
	}
	s.audit(r, sess, "account.create", acc.Login, "role "+string(role), "")
	http.Redirect(w, r, Prefix+"/accounts/"+strconv.FormatInt(acc.ID, 10)+"?done=account_created", http.StatusSeeOther)
}

// target is the account of the path's {id}, or false after an error page.
func (s *Server) target(w http.ResponseWriter, r *http.Request, sess Session) (store.Account, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		s.fail(w, r, sess, http.StatusNotFound, "err_not_found")
		return store.Account{}, false
	}
	acc, err := s.d.Accounts.AccountByID(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		s.fail(w, r, sess, http.StatusNotFound, "err_not_found")
		return store.Account{}, false
	}
	if err != nil {
		s.internal(w, r, sess, fmt.Errorf("load account: %w", err))
		return store.Account{}, false
	}
	return acc, true
}

func (s *Server) accountPage(w http.ResponseWriter, r *http.Request, sess Session) {
	if acc, ok := s.target(w, r, sess); ok {
		s.renderAccount(w, r, sess, http.StatusOK, acc, "")
	}
}

func (s *Server) renderAccount(w http.ResponseWriter, r *http.Request, sess Session, status int, acc store.Account, msg string) {
	list, err := s.sessions(r, acc)
	if err != nil {
		s.internal(w, r, sess, fmt.Errorf("account sessions: %w", err))
		return
	}
	s.render(w, r, sess, status, "account.html", "account_title", accountView{Account: acc, Roles: Roles(), Sessions: list, Self: acc.ID == sess.User.ID, Error: msg})
}

// doneAccount goes back to the account's page with a confirmation.
func doneAccount(w http.ResponseWriter, r *http.Request, acc store.Account, done string) {
	http.Redirect(w, r, Prefix+"/accounts/"+strconv.FormatInt(acc.ID, 10)+"?done="+done, http.StatusSeeOther)
}

// lastAdmin says whether acc is the only enabled administrator: taking
// its role or disabling it would leave nobody to manage accounts (only
// the command line could then).
func (s *Server) lastAdmin(ctx context.Context, acc store.Account) (bool, error) {
	if acc.Role != string(RoleAdmin) || acc.Disabled {
		return false, nil
	}
	list, err := s.d.Accounts.Accounts(ctx)
	if err != nil {
		return false, err
	}
	for _, o := range list {
		if o.ID != acc.ID && o.Role == string(RoleAdmin) && !o.Disabled {
			return false, nil
		}
	}
	return true, nil
}

func (s *Server) accountRole(w http.ResponseWriter, r *http.Request, sess Session) {
	acc, ok := s.target(w, r, sess)
	if !ok {
		return
	}
	role, err := ParseRole(r.PostFormValue("role"))
	if err != nil {
		s.renderAccount(w, r, sess, http.StatusBadRequest, acc, s.T(r, "acc_err_role"))
		return
	}
	if string(role) == acc.Role {
		doneAccount(w, r, acc, "role")
		return
	}
	if role != RoleAdmin {
		if last, err := s.lastAdmin(r.Context(), acc); err != nil {
			s.internal(w, r, sess, fmt.Errorf("count administrators: %w", err))
			return
		} else if last {
			s.renderAccount(w, r, sess, http.StatusConflict, acc, s.T(r, "acc_err_last_admin"))
			return
		}
	}
	if err := s.d.Accounts.SetAccountRole(r.Context(), acc.ID, string(role)); err != nil {
		s.internal(w, r, sess, fmt.Errorf("set role: %w", err))
		return
	}
	s.audit(r, sess, "account.role", acc.Login, acc.Role+" → "+string(role), "")
	doneAccount(w, r, acc, "role")
}

func (s *Server) accountDisable(w http.ResponseWriter, r *http.Request, sess Session) {
	acc, ok := s.target(w, r, sess)
	if !ok {
		return
	}
	if acc.ID == sess.User.ID {
		s.renderAccount(w, r, sess, http.StatusConflict, acc, s.T(r, "acc_err_self_disable"))
		return
	}
	if last, err := s.lastAdmin(r.Context(), acc); err != nil {
		s.internal(w, r, sess, fmt.Errorf("count administrators: %w", err))
		return
	} else if last {
		s.renderAccount(w, r, sess, http.StatusConflict, acc, s.T(r, "acc_err_last_admin"))
		return
	}
	if err := s.d.Accounts.SetAccountDisabled(r.Context(), acc.ID, true); err != nil {
		s.internal(w, r, sess, fmt.Errorf("disable account: %w", err))
		return
	}
	s.audit(r, sess, "account.disable", acc.Login, "sessions revoked", "")
	doneAccount(w, r, acc, "disabled")
}

func (s *Server) accountEnable(w http.ResponseWriter, r *http.Request, sess Session) {
	acc, ok := s.target(w, r, sess)
	if !ok {
		return
	}
	if err := s.d.Accounts.SetAccountDisabled(r.Context(), acc.ID, false); err != nil {
		s.internal(w, r, sess, fmt.Errorf("enable account: %w", err))
		return
	}
	s.audit(r, sess, "account.enable", acc.Login, "", "")
	doneAccount(w, r, acc, "enabled")
}

// accountPassword sets a new password chosen by an administrator (the
// person forgot theirs): every session of the account is signed out, but
// the administrator's own when it is their account.
func (s *Server) accountPassword(w http.ResponseWriter, r *http.Request, sess Session) {
	acc, ok := s.target(w, r, sess)
	if !ok {
		return
	}
	pw := r.PostFormValue("password")
	if msg := s.passwordError(r, pw, r.PostFormValue("confirm")); msg != "" {
		s.renderAccount(w, r, sess, http.StatusBadRequest, acc, msg)
		return
	}
	hash, err := s.signIn.params.Hash(pw)
	if err != nil {
		s.internal(w, r, sess, fmt.Errorf("hash password: %w", err))
		return
	}
	keep := ""
	if acc.ID == sess.User.ID {
		keep = s.signIn.cookieHash(r)
	}
	if err := s.d.Accounts.SetAccountPassword(r.Context(), acc.ID, hash, keep); err != nil {
		s.internal(w, r, sess, fmt.Errorf("set password: %w", err))
		return
	}
	s.audit(r, sess, "account.password", acc.Login, "reset by an administrator; sessions revoked", "")
	doneAccount(w, r, acc, "password")
}

func (s *Server) accountSessionRevoke(w http.ResponseWriter, r *http.Request, sess Session) {
	acc, ok := s.target(w, r, sess)
	if !ok {
		return
	}
	err := s.d.Accounts.RevokeSession(r.Context(), acc.ID, r.PostFormValue("session"))
	if errors.Is(err, store.ErrNotFound) {
		s.renderAccount(w, r, sess, http.StatusNotFound, acc, s.T(r, "acc_err_no_session"))
		return
	}
	if err != nil {
		s.internal(w, r, sess, fmt.Errorf("revoke session: %w", err))
		return
	}
	s.audit(r, sess, "session.revoke", acc.Login, "1 session", "")
	doneAccount(w, r, acc, "session_revoked")
}

func (s *Server) accountSessionsRevokeAll(w http.ResponseWriter, r *http.Request, sess Session) {
	acc, ok := s.target(w, r, sess)
	if !ok {
		return
	}
	keep := ""
	if acc.ID == sess.User.ID {
		keep = s.signIn.cookieHash(r)
	}
	n, err := s.d.Accounts.RevokeSessions(r.Context(), acc.ID, keep)
	if err != nil {
		s.internal(w, r, sess, fmt.Errorf("revoke sessions: %w", err))
		return
	}
	s.audit(r, sess, "session.revoke", acc.Login, "all sessions ("+strconv.FormatInt(n, 10)+")", "")
	doneAccount(w, r, acc, "sessions_revoked")
}

// --- Audit log

type auditView struct {
	Entries []store.AuditEntry
	// Older is the id to page on from (0: no older entry).
	Older int64
	// First says the page starts at the newest entry.
	First bool
}

func (s *Server) auditPage(w http.ResponseWriter, r *http.Request, sess Session) {
	v := auditView{First: true}
	if s.d.Audit != nil {
		before, _ := strconv.ParseInt(r.URL.Query().Get("before"), 10, 64)
		before = max(before, 0)
		v.First = before == 0
		list, err := s.d.Audit.AuditLog(r.Context(), before, auditPageSize+1)
		if err != nil {
			s.internal(w, r, sess, fmt.Errorf("read audit log: %w", err))
			return
		}
		if len(list) > auditPageSize {
			list = list[:auditPageSize]
			v.Older = list[len(list)-1].ID
		}
		v.Entries = list
	}
	s.render(w, r, sess, http.StatusOK, "audit.html", "audit_title", v)
}

// MyAccount says whether the layout links the user's name to their
// account page (there is none without accounts: tests with a fixed
// user).
func (v view) MyAccount() bool { return v.srv != nil && v.srv.signIn != nil }
