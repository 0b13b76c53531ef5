// Package password hashes and checks the web admin's account passwords
// with argon2id (RFC 9106), stored as PHC strings
// ($argon2id$v=19$m=65536,t=2,p=2$salt$hash) so that the parameters can
// be raised later without breaking the hashes already stored: a hash is
// checked with the parameters it carries.
package password

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// MinLength is the shortest password accepted, in characters.
const MinLength = 12

// maxLength bounds what is hashed: argon2 takes any length, but a
// megabyte "password" posted to the login page should not cost anything.
const maxLength = 1024

// Errors returned by the package. Check them with errors.Is.
var (
	// ErrTooShort is returned by Hash for a password under MinLength
	// characters.
	ErrTooShort = fmt.Errorf("the password must have at least %d characters", MinLength)
	// ErrTooLong is returned by Hash for a password over 1024 bytes.
	ErrTooLong = fmt.Errorf("the password must have at most %d bytes", maxLength)
	// ErrMismatch is returned by Verify when the password is wrong.
	ErrMismatch = errors.New("wrong password")
	// ErrMalformed is returned by Verify for a stored hash it cannot read.
	ErrMalformed = errors.New("malformed password hash")
)

// Params are argon2id's costs.
type Params struct {
	// Memory in KiB.
	Memory uint32
	// Time is the number of passes.
	Time uint32
	// Threads is the parallelism.
	Threads uint8
	// SaltLen and KeyLen in bytes.
	SaltLen, KeyLen uint32
}

// Default is for production: 64 MiB, two passes, two lanes (OWASP's
// second argon2id configuration is m=19 MiB t=2; more memory makes an
// offline attack on a stolen database dearer and a sign-in still takes
// well under a second).
var Default = Params{Memory: 64 * 1024, Time: 2, Threads: 2, SaltLen: 16, KeyLen: 32}

// Fast is for tests only: the same format at a tiny cost.
var Fast = Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

// maxMemory bounds the memory a stored hash may ask for (1 GiB): a
// tampered row must not make a sign-in allocate without limit.
const maxMemory = 1 << 20

// Hash returns the PHC string of pw's argon2id hash with a fresh salt.
func (p Params) Hash(pw string) (string, error) {
	if err := Check(pw); err != nil {
		return "", err
	}
	salt := make([]byte, p.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	key := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// Check says whether pw is long enough to be set, without hashing it.
func Check(pw string) error {
	if utf8.RuneCountInString(pw) < MinLength {
		return ErrTooShort
	}
	if len(pw) > maxLength {
		return ErrTooLong
	}
	return nil
}

// Verify checks pw against a PHC string made by Hash, in constant time.
// It returns nil, ErrMismatch, or an error wrapping ErrMalformed.
func Verify(phc, pw string) error {
	p, salt, want, err := parse(phc)
	if err != nil {
		return err
	}
	if len(pw) > maxLength {
		return ErrMismatch
	}
	got := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, uint32(len(want)))
	if subtle.ConstantTimeCompare(got, want) != 1 {
		return ErrMismatch
	}
	return nil
}

// NeedsRehash says whether phc was made with parameters other than p
// (a sign-in may then store a new hash).
func (p Params) NeedsRehash(phc string) bool {
	q, salt, key, err := parse(phc)
	return err != nil || q.Memory != p.Memory || q.Time != p.Time || q.Threads != p.Threads ||
		uint32(len(salt)) != p.SaltLen || uint32(len(key)) != p.KeyLen
}

// parse reads $argon2id$v=19$m=..,t=..,p=..$salt$hash.
func parse(phc string) (Params, []byte, []byte, error) {
	bad := func(why string) (Params, []byte, []byte, error) {
		return Params{}, nil, nil, fmt.Errorf("%w: %s", ErrMalformed, why)
	}
	f := strings.Split(phc, "$")
	if len(f) != 6 || f[0] != "" {
		return bad("not a PHC string")
	}
	if f[1] != "argon2id" {
		return bad("algorithm " + f[1] + " is not argon2id")
	}
	var v int
	if _, err := fmt.Sscanf(f[2], "v=%d", &v); err != nil || v != argon2.Version {
		return bad("unsupported version " + f[2])
	}
	var p Params
	if n, err := fmt.Sscanf(f[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil || n != 3 {
		return bad("parameters " + f[3])
	}
	if p.Memory < 8*uint32(p.Threads) || p.Memory > maxMemory || p.Time < 1 || p.Time > 100 || p.Threads < 1 {
		return bad("parameters out of range " + f[3])
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(f[4])
	if err != nil || len(salt) < 8 {
		return bad("salt")
	}
	key, err := b64.DecodeString(f[5])
	if err != nil || len(key) < 16 || len(key) > 64 {
		return bad("hash")
	}
	p.SaltLen, p.KeyLen = uint32(len(salt)), uint32(len(key))
	return p, salt, key, nil
}
