package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/boussole/boussole/admin/password"
	"github.com/boussole/boussole/bot/store"
)

// openDB opens the test database the commands wrote, after them.
func openDB(t *testing.T, db string) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), db, store.Options{Clock: testClock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func TestAdminAccounts(t *testing.T) {
	db := filepath.Join(t.TempDir(), "b.db")
	const pw = "une phrase assez longue"

	// The first account creates the database; flags may follow the login.
	code, out, errs := runCmd(t, pw+"\n", "admin", "create-user", "camille", "--role", "admin", "--name", "Camille Durand", "--password-stdin", "--db", db)
	if code != 0 || !strings.Contains(out, "account camille created (admin)") {
		t.Fatalf("create-user: exit %d\n%s%s", code, out, errs)
	}
	for _, tc := range []struct {
		name  string
		stdin string
		args  []string
		says  string
	}{
		{"existing login, other case", pw, []string{"create-user", "CAMILLE", "--role", "viewer", "--password-stdin"}, `an account "CAMILLE" already exists`},
		{"unknown role", pw, []string{"create-user", "awa", "--role", "boss", "--password-stdin"}, "valid roles: admin, editor, viewer"},
		{"no role", pw, []string{"create-user", "awa", "--password-stdin"}, "--role is required"},
		{"short password", "court\n", []string{"create-user", "awa", "--role", "editor", "--password-stdin"}, "at least 12 characters"},
		{"bad login", pw, []string{"create-user", "a/b", "--role", "editor", "--password-stdin"}, "only letters, digits"},
		{"no terminal", "", []string{"create-user", "awa", "--role", "editor"}, "--password-stdin"},
		{"unknown account", "", []string{"disable", "nobody"}, `no account "nobody"`},
	} {
		code, out, errs := runCmd(t, tc.stdin, append(append([]string{"admin"}, tc.args...), "--db", db)...)
		if code != 1 || !strings.Contains(errs, tc.says) {
			t.Errorf("%s: exit %d, want 1 saying %q\n%s%s", tc.name, code, tc.says, out, errs)
		}
	}

	st := openDB(t, db)
	ctx := context.Background()
	acc, err := st.AccountByLogin(ctx, "camille")
	if err != nil {
		t.Fatal(err)
	}
	if acc.Role != "admin" || acc.Name != "Camille Durand" || password.Verify(acc.PasswordHash, pw) != nil || password.Default.NeedsRehash(acc.PasswordHash) {
		t.Fatalf("stored account %+v", acc)
	}
	if _, err := st.AccountByLogin(ctx, "awa"); err == nil {
		t.Error("a refused create-user created the account")
	}
	open := func(hash string) {
		t.Helper()
		if err := st.CreateSession(ctx, store.AuthSession{TokenHash: hash, AccountID: acc.ID, CSRF: "c", ExpiresAt: testClock().Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}
	live := func() int {
		t.Helper()
		list, err := st.AccountSessions(ctx, acc.ID, testClock())
		if err != nil {
			t.Fatal(err)
		}
		return len(list)
	}

	open("s1")
	const pw2 = "une autre phrase longue"
	code, out, errs = runCmd(t, pw2+"\n", "admin", "set-password", "Camille", "--password-stdin", "--db", db)
	if code != 0 || !strings.Contains(out, "password of camille changed") {
		t.Fatalf("set-password: exit %d\n%s%s", code, out, errs)
	}
	if acc, _ = st.AccountByLogin(ctx, "camille"); password.Verify(acc.PasswordHash, pw2) != nil {
		t.Error("the new password does not verify")
	}
	if n := live(); n != 0 {
		t.Errorf("%d sessions live after set-password", n)
	}

	open("s2")
	open("s3")
	code, out, errs = runCmd(t, "", "admin", "revoke-sessions", "camille", "--db", db)
	if code != 0 || !strings.Contains(out, "2 sessions of camille closed") || live() != 0 {
		t.Fatalf("revoke-sessions: exit %d\n%s%s", code, out, errs)
	}

	open("s4")
	code, out, errs = runCmd(t, "", "admin", "disable", "camille", "--db", db)
	if code != 0 || live() != 0 {
		t.Fatalf("disable: exit %d, %d sessions live\n%s%s", code, live(), out, errs)
	}
	code, out, _ = runCmd(t, "", "admin", "list", "--db", db)
	if code != 0 || !strings.Contains(out, "camille") || !strings.Contains(out, "disabled") || !strings.Contains(out, "Camille Durand") {
		t.Fatalf("list: exit %d\n%s", code, out)
	}
	code, _, errs = runCmd(t, "", "admin", "enable", "camille", "--db", db)
	if acc, _ = st.AccountByLogin(ctx, "camille"); code != 0 || acc.Disabled {
		t.Fatalf("enable: exit %d, disabled %t\n%s", code, acc.Disabled, errs)
	}

	log, err := st.AuditLog(ctx, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range log {
		if e.Actor != "cli" || e.Object != "camille" {
			t.Errorf("audit entry %+v: want actor cli on camille", e)
		}
		got = append(got, e.Action)
	}
	if strings.Join(got, " ") != "account.enable account.disable session.revoke account.password account.create" {
		t.Errorf("audit log %v", got)
	}
}

func TestAdminUsage(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "absent.db")
	code, _, errs := runCmd(t, "", "admin", "list", "--db", db)
	if code != 1 || !strings.Contains(errs, "no database at") || !strings.Contains(errs, "create-user") {
		t.Errorf("list without a database: exit %d\n%s", code, errs)
	}
	if _, err := os.Stat(db); err == nil {
		t.Error("list created a database")
	}
	if code, _, errs := runCmd(t, "", "admin", "frobnicate"); code != 2 || !strings.Contains(errs, "create-user") {
		t.Errorf("unknown sub-command: exit %d\n%s", code, errs)
	}
	if code, _, _ := runCmd(t, "", "admin", "disable", "--db", db); code != 2 {
		t.Errorf("disable without a login: exit %d, want 2", code)
	}
	if code, _, _ := runCmd(t, "", "admin"); code != 2 {
		t.Errorf("admin alone: exit %d, want 2", code)
	}
}
