package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// The web admin's accounts and their sign-in sessions (tables of
// migration 0016). Passwords arrive hashed (admin/password) and session
// tokens as their sha256: the store never sees a secret that opens
// anything.

// ErrLoginTaken is returned by CreateAccount when another account has the
// login, whatever its case.
var ErrLoginTaken = errors.New("login already taken")

// maxLogin bounds a login's length, in characters.
const maxLogin = 64

// Account is a web admin account.
type Account struct {
	ID    int64
	Login string
	Name  string
	// Role is admin, editor or viewer (checked by the admin).
	Role string
	// PasswordHash is an argon2id PHC string; "" for an account that
	// signs in only through a trusted proxy.
	PasswordHash string
	Disabled     bool
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// AuthSession is a signed-in browser: its cookie's token hash, its CSRF
// token, and its times.
type AuthSession struct {
	// TokenHash is the hex sha256 of the cookie's token.
	TokenHash string
	AccountID int64
	CSRF      string
	CreatedAt time.Time
	LastSeen  time.Time
	// ExpiresAt is the absolute end of the session.
	ExpiresAt time.Time
	// RevokedAt is zero while the session has not been revoked.
	RevokedAt time.Time
}

// CheckLogin says whether login may name an account: 1 to 64 letters,
// digits and . _ - @ + (an e-mail address fits, so a single sign-on
// proxy's user name usually does too).
func CheckLogin(login string) error {
	if login == "" || utf8.RuneCountInString(login) > maxLogin {
		return fmt.Errorf("a login has 1 to %d characters", maxLogin)
	}
	for _, r := range login {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && !strings.ContainsRune("._-@+", r) {
			return fmt.Errorf("a login has only letters, digits and . _ - @ + (not %q)", r)
		}
	}
	return nil
}

const accountColumns = `id, login, name, role, password_hash, disabled, created_at, updated_at`

// accountColumnsOf is accountColumns qualified by a table alias.
func accountColumnsOf(alias string) string {
	return alias + "." + strings.ReplaceAll(accountColumns, ", ", ", "+alias+".")
}

// accountRow receives a row of accountColumns.
type accountRow struct {
	a        Account
	disabled int
	c, u     int64
}

func (ar *accountRow) dest() []any {
	return []any{&ar.a.ID, &ar.a.Login, &ar.a.Name, &ar.a.Role, &ar.a.PasswordHash, &ar.disabled, &ar.c, &ar.u}
}

func (ar *accountRow) account() Account {
	a := ar.a
	a.Disabled = ar.disabled != 0
	a.CreatedAt, a.UpdatedAt = fromMillis(ar.c), fromMillis(ar.u)
	return a
}

// CreateAccount adds an account and returns it with its id and times. The
// login is unique whatever its case (ErrLoginTaken).
func (s *Store) CreateAccount(ctx context.Context, a Account) (Account, error) {
	a.Login = strings.TrimSpace(a.Login)
	if err := CheckLogin(a.Login); err != nil {
		return Account{}, fmt.Errorf("create account %q: %w", a.Login, err)
	}
	if a.Role == "" {
		return Account{}, fmt.Errorf("create account %s: no role", a.Login)
	}
	now := s.now()
	a.CreatedAt, a.UpdatedAt = now, now
	err := s.write(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `INSERT INTO accounts (login, name, role, password_hash, disabled, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			a.Login, a.Name, a.Role, a.PasswordHash, boolInt(a.Disabled), millis(now), millis(now)).Scan(&a.ID)
	})
	if isUnique(err) {
		return Account{}, fmt.Errorf("create account %s: %w", a.Login, ErrLoginTaken)
	}
	if err != nil {
		return Account{}, fmt.Errorf("create account %s: %w", a.Login, err)
	}
	a.CreatedAt, a.UpdatedAt = fromMillis(millis(now)), fromMillis(millis(now))
	return a, nil
}

// AccountByLogin returns the account of login, whatever its case, or an
// error wrapping ErrNotFound.
func (s *Store) AccountByLogin(ctx context.Context, login string) (Account, error) {
	return s.account(ctx, "login = ?", strings.TrimSpace(login), "account "+login)
}

// AccountByID returns the account id, or an error wrapping ErrNotFound.
func (s *Store) AccountByID(ctx context.Context, id int64) (Account, error) {
	return s.account(ctx, "id = ?", id, fmt.Sprintf("account #%d", id))
}

func (s *Store) account(ctx context.Context, where string, arg any, what string) (Account, error) {
	var a Account
	err := s.retry(ctx, func() error {
		var ar accountRow
		if err := s.reader(ctx).QueryRowContext(ctx, `SELECT `+accountColumns+` FROM accounts WHERE `+where, arg).Scan(ar.dest()...); err != nil {
			return err
		}
		a = ar.account()
		return nil
	})
	if errors.Is(err, sql.ErrNoRows) {
		return Account{}, fmt.Errorf("load %s: %w", what, ErrNotFound)
	}
	if err != nil {
		return Account{}, fmt.Errorf("load %s: %w", what, err)
	}
	return a, nil
}

// Accounts lists every account by login.
func (s *Store) Accounts(ctx context.Context) ([]Account, error) {
	var out []Account
	err := s.retry(ctx, func() error {
		out = nil
		rows, err := s.reader(ctx).QueryContext(ctx, `SELECT `+accountColumns+` FROM accounts ORDER BY login`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var ar accountRow
			if err := rows.Scan(ar.dest()...); err != nil {
				return err
			}
			out = append(out, ar.account())
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("list accounts: %w", err)
	}
	return out, nil
}

// SetAccountPassword stores a new password hash and revokes every session
// of the account but keep (the token hash of the session making the
// change, "" for none), in one transaction: whoever knew the old password
// is signed out.
func (s *Store) SetAccountPassword(ctx context.Context, id int64, hash, keep string) error {
	now := millis(s.now())
	err := s.write(ctx, func(tx *sql.Tx) error {
		if err := updateAccount(ctx, tx, id, `password_hash = ?, updated_at = ?`, hash, now); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE sessions SET revoked_at = ? WHERE account_id = ? AND revoked_at IS NULL AND token_hash <> ?`, now, id, keep)
		return err
	})
	if err != nil {
		return fmt.Errorf("set password of account #%d: %w", id, err)
	}
	return nil
}

// SetAccountRole changes an account's role.
func (s *Store) SetAccountRole(ctx context.Context, id int64, role string) error {
	if role == "" {
		return fmt.Errorf("set role of account #%d: no role", id)
	}
	err := s.write(ctx, func(tx *sql.Tx) error {
		return updateAccount(ctx, tx, id, `role = ?, updated_at = ?`, role, millis(s.now()))
	})
	if err != nil {
		return fmt.Errorf("set role of account #%d: %w", id, err)
	}
	return nil
}

// SetAccountDisabled disables or enables an account. Disabling revokes
// all its sessions in the same transaction.
func (s *Store) SetAccountDisabled(ctx context.Context, id int64, disabled bool) error {
	now := millis(s.now())
	err := s.write(ctx, func(tx *sql.Tx) error {
		if err := updateAccount(ctx, tx, id, `disabled = ?, updated_at = ?`, boolInt(disabled), now); err != nil {
			return err
		}
		if !disabled {
			return nil
		}
		_, err := tx.ExecContext(ctx, `UPDATE sessions SET revoked_at = ? WHERE account_id = ? AND revoked_at IS NULL`, now, id)
		return err
	})
	if err != nil {
		return fmt.Errorf("set account #%d disabled=%t: %w", id, disabled, err)
	}
	return nil
}

// updateAccount sets columns of account id, or returns ErrNotFound.
func updateAccount(ctx context.Context, tx *sql.Tx, id int64, set string, args ...any) error {
	res, err := tx.ExecContext(ctx, `UPDATE accounts SET `+set+` WHERE id = ?`, append(args, id)...)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return ErrNotFound
	}
	return nil
}

// CreateSession stores a new session (its times from the store's clock
// when zero, except ExpiresAt which is required).
func (s *Store) CreateSession(ctx context.Context, se AuthSession) error {
	if se.TokenHash == "" || se.CSRF == "" || se.ExpiresAt.IsZero() {
		return errors.New("create session: token hash, CSRF token and expiry are required")
	}
	now := s.now()
	if se.CreatedAt.IsZero() {
		se.CreatedAt = now
	}
	if se.LastSeen.IsZero() {
		se.LastSeen = se.CreatedAt
	}
	err := s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO sessions (token_hash, account_id, csrf, created_at, last_seen_at, expires_at)
			VALUES (?, ?, ?, ?, ?, ?)`, se.TokenHash, se.AccountID, se.CSRF, millis(se.CreatedAt), millis(se.LastSeen), millis(se.ExpiresAt))
		return err
	})
	if err != nil {
		return fmt.Errorf("create session of account #%d: %w", se.AccountID, err)
	}
	return nil
}

const sessionColumns = `s.token_hash, s.account_id, s.csrf, s.created_at, s.last_seen_at, s.expires_at, COALESCE(s.revoked_at, 0)`

// sessionRow receives a row of sessionColumns.
type sessionRow struct {
	se         AuthSession
	c, l, e, r int64
}

func (sr *sessionRow) dest() []any {
	return []any{&sr.se.TokenHash, &sr.se.AccountID, &sr.se.CSRF, &sr.c, &sr.l, &sr.e, &sr.r}
}

func (sr *sessionRow) session() AuthSession {
	se := sr.se
	se.CreatedAt, se.LastSeen, se.ExpiresAt, se.RevokedAt = fromMillis(sr.c), fromMillis(sr.l), fromMillis(sr.e), fromMillis(sr.r)
	return se
}

// LiveSession returns the session of tokenHash with its account when the
// session is neither revoked nor expired at now and the account is not
// disabled; otherwise an error wrapping ErrNotFound. The idle timeout is
// the caller's to check (LastSeen).
func (s *Store) LiveSession(ctx context.Context, tokenHash string, now time.Time) (AuthSession, Account, error) {
	var (
		se AuthSession
		a  Account
	)
	err := s.retry(ctx, func() error {
		var (
			sr sessionRow
			ar accountRow
		)
		err := s.reader(ctx).QueryRowContext(ctx, `SELECT `+sessionColumns+`, `+accountColumnsOf("a")+`
			FROM sessions s JOIN accounts a ON a.id = s.account_id
			WHERE s.token_hash = ? AND s.revoked_at IS NULL AND s.expires_at > ? AND a.disabled = 0`,
			tokenHash, millis(now)).Scan(append(sr.dest(), ar.dest()...)...)
		if err != nil {
			return err
		}
		se, a = sr.session(), ar.account()
		return nil
	})
	if errors.Is(err, sql.ErrNoRows) {
		return AuthSession{}, Account{}, fmt.Errorf("load session: %w", ErrNotFound)
	}
	if err != nil {
		return AuthSession{}, Account{}, fmt.Errorf("load session: %w", err)
	}
	return se, a, nil
}

// TouchSession records that the session was used at at.
func (s *Store) TouchSession(ctx context.Context, tokenHash string, at time.Time) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE sessions SET last_seen_at = ? WHERE token_hash = ? AND last_seen_at < ?`, millis(at), tokenHash, millis(at))
		return err
	})
	if err != nil {
		return fmt.Errorf("touch session: %w", err)
	}
	return nil
}

// RevokeSession revokes one session of account accountID (a session of
// another account is not touched: ErrNotFound). Revoking a revoked session
// is not an error.
func (s *Store) RevokeSession(ctx context.Context, accountID int64, tokenHash string) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE sessions SET revoked_at = COALESCE(revoked_at, ?) WHERE token_hash = ? AND account_id = ?`,
			millis(s.now()), tokenHash, accountID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return ErrNotFound
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("revoke session of account #%d: %w", accountID, err)
	}
	return nil
}

// RevokeSessions revokes every live session of the account but keep (""
// for none) and returns how many it revoked.
func (s *Store) RevokeSessions(ctx context.Context, accountID int64, keep string) (int64, error) {
	var n int64
	err := s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE sessions SET revoked_at = ? WHERE account_id = ? AND revoked_at IS NULL AND token_hash <> ?`,
			millis(s.now()), accountID, keep)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("revoke sessions of account #%d: %w", accountID, err)
	}
	return n, nil
}

// AccountSessions lists the account's sessions neither revoked nor
// expired at now, most recently used first.
func (s *Store) AccountSessions(ctx context.Context, accountID int64, now time.Time) ([]AuthSession, error) {
	var out []AuthSession
	err := s.retry(ctx, func() error {
		out = nil
		rows, err := s.reader(ctx).QueryContext(ctx, `SELECT `+sessionColumns+` FROM sessions s
			WHERE s.account_id = ? AND s.revoked_at IS NULL AND s.expires_at > ?
			ORDER BY s.last_seen_at DESC, s.created_at DESC`, accountID, millis(now))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var sr sessionRow
			if err := rows.Scan(sr.dest()...); err != nil {
				return err
			}
			out = append(out, sr.session())
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("list sessions of account #%d: %w", accountID, err)
	}
	return out, nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
