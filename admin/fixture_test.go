package admin

import (
	"github.com/boussole/boussole/app"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

// fixedAuth signs every request in as one user (tests of pages that are
// not about signing in).
type fixedAuth struct{ sess Session }

func (f fixedAuth) Identify(*http.Request) (Session, bool) { return f.sess, f.sess.User.Login != "" }

// testClock is a fixed instant: no wall clock in tests.
func testClock() time.Time { return time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC) }

// asUser is a session of a user with role r and CSRF token "tok".
func asUser(r Role) Session {
	return Session{User: User{ID: 1, Login: "camille", Name: "Camille", Role: r}, CSRF: "tok"}
}

// get serves a GET of target and returns the response.
func get(t *testing.T, h http.Handler, target string) *httptest.ResponseRecorder {
	t.Helper()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, target, nil))
	return w
}

// post serves a form POST of target and returns the response.
func post(t *testing.T, h http.Handler, target string, form url.Values) *httptest.ResponseRecorder {
	t.Helper()
	w := httptest.NewRecorder()
	r := httptest.NewRequest(http.MethodPost, target, strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	h.ServeHTTP(w, r)
	return w
}

func newPost(target string, body *strings.Reader) *http.Request {
	r := httptest.NewRequest(http.MethodPost, target, body)
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("X-CSRF-Token", "tok")
	return r
}

func serve(h http.Handler, r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// testParts are the costly parts (gazetteer, the demo's index) the
// package's tests share: each test still has its own database.
var testParts = &app.Parts{}
