package store_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/boussole/boussole/bot/store"
)

func TestAccounts(t *testing.T) {
	ctx := context.Background()
	s, path := openTemp(t)

	camille, err := s.CreateAccount(ctx, store.Account{Login: " Camille ", Name: "Camille Durand", Role: "admin", PasswordHash: "$argon2id$x"})
	if err != nil {
		t.Fatal(err)
	}
	if camille.ID == 0 || camille.Login != "Camille" || !camille.CreatedAt.Equal(t0) {
		t.Fatalf("created %+v", camille)
	}
	if _, err := s.CreateAccount(ctx, store.Account{Login: "CAMILLE", Role: "viewer"}); !errors.Is(err, store.ErrLoginTaken) {
		t.Fatalf("same login in capitals: %v, want ErrLoginTaken", err)
	}
	for _, bad := range []string{"", "a b", "x/y", "<script>", strings.Repeat("a", 65)} {
		if _, err := s.CreateAccount(ctx, store.Account{Login: bad, Role: "viewer"}); err == nil {
			t.Errorf("login %q accepted", bad)
		}
	}
	if _, err := s.CreateAccount(ctx, store.Account{Login: "norole"}); err == nil {
		t.Error("an account without a role was created")
	}
	if _, err := s.CreateAccount(ctx, store.Account{Login: "awa.diallo@mairie.fr", Role: "editor"}); err != nil {
		t.Fatalf("an e-mail address as login: %v", err)
	}

	got, err := s.AccountByLogin(ctx, "cAmIlLe")
	if err != nil || got != camille {
		t.Fatalf("AccountByLogin = %+v, %v; want %+v", got, err, camille)
	}
	if got, err := s.AccountByID(ctx, camille.ID); err != nil || got != camille {
		t.Fatalf("AccountByID = %+v, %v", got, err)
	}
	if _, err := s.AccountByLogin(ctx, "nobody"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("missing login: %v", err)
	}
	if _, err := s.AccountByID(ctx, 999); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("missing id: %v", err)
	}

	if err := s.SetAccountRole(ctx, camille.ID, "editor"); err != nil {
		t.Fatal(err)
	}
	if err := s.SetAccountRole(ctx, 999, "editor"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("role of a missing account: %v", err)
	}
	if err := s.SetAccountPassword(ctx, camille.ID, "$argon2id$y", ""); err != nil {
		t.Fatal(err)
	}
	if err := s.SetAccountDisabled(ctx, camille.ID, true); err != nil {
		t.Fatal(err)
	}

	// Everything survives a reopen of the file.
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openAt(t, path, store.Options{})
	list, err := s.Accounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].Login != "awa.diallo@mairie.fr" || list[1].Login != "Camille" {
		t.Fatalf("Accounts = %+v", list)
	}
	if c := list[1]; c.Role != "editor" || c.PasswordHash != "$argon2id$y" || !c.Disabled || c.Name != "Camille Durand" {
		t.Errorf("after changes: %+v", c)
	}
	if err := s.SetAccountDisabled(ctx, camille.ID, false); err != nil {
		t.Fatal(err)
	}
	if c, _ := s.AccountByID(ctx, camille.ID); c.Disabled {
		t.Error("enabled account still disabled")
	}
}

// sessionsFixture is a store with two accounts and a clock tests move.
type sessionsFixture struct {
	ctx      context.Context
	s        *store.Store
	path     string
	now      time.Time
	alice    store.Account
	bob      store.Account
	lifetime time.Duration
}

func newSessions(t *testing.T) *sessionsFixture {
	f := &sessionsFixture{ctx: context.Background(), now: t0, lifetime: 7 * 24 * time.Hour}
	f.path = filepath.Join(t.TempDir(), "b.db")
	f.s = openAt(t, f.path, store.Options{Clock: func() time.Time { return f.now }})
	var err error
	if f.alice, err = f.s.CreateAccount(f.ctx, store.Account{Login: "alice", Role: "admin"}); err != nil {
		t.Fatal(err)
	}
	if f.bob, err = f.s.CreateAccount(f.ctx, store.Account{Login: "bob", Role: "viewer"}); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *sessionsFixture) open(t *testing.T, a store.Account, hash string) {
	t.Helper()
	if err := f.s.CreateSession(f.ctx, store.AuthSession{TokenHash: hash, AccountID: a.ID, CSRF: "csrf-" + hash, ExpiresAt: f.now.Add(f.lifetime)}); err != nil {
		t.Fatal(err)
	}
}

func (f *sessionsFixture) live(hash string) bool {
	_, _, err := f.s.LiveSession(f.ctx, hash, f.now)
	return err == nil
}

func TestSessions(t *testing.T) {
	f := newSessions(t)
	f.open(t, f.alice, "a1")
	f.open(t, f.alice, "a2")
	f.open(t, f.bob, "b1")
	if err := f.s.CreateSession(f.ctx, store.AuthSession{TokenHash: "x", AccountID: f.alice.ID}); err == nil {
		t.Error("a session without CSRF token nor expiry was created")
	}

	se, acc, err := f.s.LiveSession(f.ctx, "a1", f.now)
	if err != nil {
		t.Fatal(err)
	}
	if se.AccountID != f.alice.ID || se.CSRF != "csrf-a1" || !se.CreatedAt.Equal(t0) || !se.LastSeen.Equal(t0) ||
		!se.ExpiresAt.Equal(t0.Add(f.lifetime)) || !se.RevokedAt.IsZero() || acc != f.alice {
		t.Fatalf("LiveSession = %+v, %+v", se, acc)
	}
	if _, _, err := f.s.LiveSession(f.ctx, "nope", f.now); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown token: %v", err)
	}

	f.now = t0.Add(time.Hour)
	if err := f.s.TouchSession(f.ctx, "a1", f.now); err != nil {
		t.Fatal(err)
	}
	// A late touch does not move last seen back.
	if err := f.s.TouchSession(f.ctx, "a1", t0); err != nil {
		t.Fatal(err)
	}
	se, _, _ = f.s.LiveSession(f.ctx, "a1", f.now)
	if !se.LastSeen.Equal(f.now) {
		t.Errorf("last seen %v, want %v", se.LastSeen, f.now)
	}
	list, err := f.s.AccountSessions(f.ctx, f.alice.ID, f.now)
	if err != nil || len(list) != 2 || list[0].TokenHash != "a1" || list[1].TokenHash != "a2" {
		t.Fatalf("AccountSessions = %+v, %v (want a1, the last used, first)", list, err)
	}

	// One account cannot revoke another's session.
	if err := f.s.RevokeSession(f.ctx, f.alice.ID, "b1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("alice revoking bob's session: %v", err)
	}
	if !f.live("b1") {
		t.Error("bob's session died")
	}
	if err := f.s.RevokeSession(f.ctx, f.alice.ID, "a2"); err != nil {
		t.Fatal(err)
	}
	if f.live("a2") || !f.live("a1") {
		t.Error("revoking a2: a2 live or a1 dead")
	}
	if err := f.s.RevokeSession(f.ctx, f.alice.ID, "a2"); err != nil {
		t.Errorf("revoking twice: %v", err)
	}

	// Expiry: past ExpiresAt the session is dead, and not listed.
	f.now = t0.Add(f.lifetime)
	if f.live("a1") {
		t.Error("session live at its expiry")
	}
	if list, _ := f.s.AccountSessions(f.ctx, f.alice.ID, f.now); len(list) != 0 {
		t.Errorf("expired sessions listed: %+v", list)
	}
}

func TestSessionsDieWithPasswordAndDisable(t *testing.T) {
	f := newSessions(t)
	f.open(t, f.alice, "a1")
	f.open(t, f.alice, "a2")
	f.open(t, f.alice, "a3")
	f.open(t, f.bob, "b1")

	// A password change keeps the session that made it.
	if err := f.s.SetAccountPassword(f.ctx, f.alice.ID, "$argon2id$new", "a1"); err != nil {
		t.Fatal(err)
	}
	if !f.live("a1") || f.live("a2") || f.live("a3") || !f.live("b1") {
		t.Error("after alice's password change from a1: want a1 and b1 live only")
	}
	f.open(t, f.alice, "a4")
	if n, err := f.s.RevokeSessions(f.ctx, f.alice.ID, ""); err != nil || n != 2 {
		t.Errorf("RevokeSessions = %d, %v; want 2 (a1, a4)", n, err)
	}
	if f.live("a1") || f.live("a4") {
		t.Error("sessions live after RevokeSessions")
	}

	// Disabling kills the sessions, and an enabled account does not get
	// them back.
	if err := f.s.SetAccountDisabled(f.ctx, f.bob.ID, true); err != nil {
		t.Fatal(err)
	}
	if f.live("b1") {
		t.Error("a disabled account's session is live")
	}
	f.open(t, f.bob, "b2")
	if f.live("b2") {
		t.Error("a new session of a disabled account is live")
	}
	if err := f.s.SetAccountDisabled(f.ctx, f.bob.ID, false); err != nil {
		t.Fatal(err)
	}
	if f.live("b1") {
		t.Error("re-enabling brought a revoked session back")
	}
	if !f.live("b2") {
		t.Error("b2 (not revoked, only refused while disabled) is not live after re-enabling")
	}
}

func TestPurgeDeletesDeadSessions(t *testing.T) {
	f := newSessions(t)
	f.lifetime = time.Hour
	f.open(t, f.alice, "expired")
	f.open(t, f.alice, "revoked")
	if err := f.s.RevokeSession(f.ctx, f.alice.ID, "revoked"); err != nil {
		t.Fatal(err)
	}
	f.now = t0.Add(2 * time.Hour)
	f.lifetime = 24 * time.Hour
	f.open(t, f.alice, "live")
	f.open(t, f.alice, "revoked-late")
	if err := f.s.RevokeSession(f.ctx, f.alice.ID, "revoked-late"); err != nil {
		t.Fatal(err)
	}
	n, err := f.s.PurgeBefore(f.ctx, t0.Add(90*time.Minute))
	if err != nil || n != 2 {
		t.Fatalf("PurgeBefore = %d, %v; want 2 sessions deleted", n, err)
	}
	db := rawDB(t, f.path)
	var left []string
	rows, err := db.Query(`SELECT token_hash FROM sessions ORDER BY token_hash`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var h string
		if err := rows.Scan(&h); err != nil {
			t.Fatal(err)
		}
		left = append(left, h)
	}
	if strings.Join(left, ",") != "live,revoked-late" {
		t.Errorf("sessions left: %v", left)
	}
}
