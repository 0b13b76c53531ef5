package admin

import (
	"crypto/subtle"
	"net/http"
	"net/url"
)

// csrfOK says whether r carries sess's CSRF token, in the csrf form
// field or the X-CSRF-Token header (the page's script). SameSite=Strict
// cookies already stop most cross-site posts; the token stops the rest
// (older browsers, a sibling sub-domain).
func csrfOK(r *http.Request, sess Session) bool {
	if sess.CSRF == "" {
		return false
	}
	got := r.Header.Get("X-CSRF-Token")
	if got == "" {
		got = r.PostFormValue("csrf")
	}
	return subtle.ConstantTimeCompare([]byte(got), []byte(sess.CSRF)) == 1
}

// urlQueryEscape escapes s for a query value.
func urlQueryEscape(s string) string { return url.QueryEscape(s) }
