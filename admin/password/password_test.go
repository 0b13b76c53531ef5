package password

import (
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
)

func TestHashThenVerify(t *testing.T) {
	const pw = "correct horse battery"
	h, err := Fast.Hash(pw)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Fatalf("PHC string %q", h)
	}
	if err := Verify(h, pw); err != nil {
		t.Fatalf("the right password: %v", err)
	}
	for _, wrong := range []string{"correct horse batterY", "", pw + " ", strings.Repeat("x", 2000)} {
		if err := Verify(h, wrong); !errors.Is(err, ErrMismatch) {
			t.Errorf("Verify(%q) = %v, want ErrMismatch", wrong, err)
		}
	}
	h2, err := Fast.Hash(pw)
	if err != nil {
		t.Fatal(err)
	}
	if h2 == h {
		t.Error("two hashes of one password are equal: the salt is not random")
	}
}

// TestKnownAnswer checks Verify against the reference implementation's
// output (phc-winner-argon2: password "password", salt "somesalt", t=2,
// m=64 KiB, p=2, 24-byte key), so the PHC fields are read the way other
// argon2id libraries write them.
func TestKnownAnswer(t *testing.T) {
	key, _ := hex.DecodeString("350ac37222f436ccb5c0972f1ebd3bf6b958bf2071841362")
	b64 := base64.RawStdEncoding
	phc := "$argon2id$v=19$m=64,t=2,p=2$" + b64.EncodeToString([]byte("somesalt")) + "$" + b64.EncodeToString(key)
	if err := Verify(phc, "password"); err != nil {
		t.Fatalf("reference hash refused: %v", err)
	}
	if err := Verify(phc, "Password"); !errors.Is(err, ErrMismatch) {
		t.Fatalf("wrong password: %v", err)
	}
}

func TestTooShort(t *testing.T) {
	for _, pw := range []string{"", "onze-lettre", "ééééééééééé"} {
		if _, err := Fast.Hash(pw); !errors.Is(err, ErrTooShort) {
			t.Errorf("Hash(%q) = %v, want ErrTooShort", pw, err)
		}
	}
	// Twelve characters, counted as characters, not bytes.
	if _, err := Fast.Hash("éééééééééééé"); err != nil {
		t.Errorf("twelve accented letters: %v", err)
	}
	if !strings.Contains(ErrTooShort.Error(), "12") {
		t.Errorf("the error does not say the minimum: %v", ErrTooShort)
	}
	if _, err := Fast.Hash(strings.Repeat("a", 1025)); !errors.Is(err, ErrTooLong) {
		t.Errorf("a 1025-byte password: %v", err)
	}
}

func TestMalformed(t *testing.T) {
	good, err := Fast.Hash("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	f := strings.Split(good, "$")
	for name, phc := range map[string]string{
		"empty":        "",
		"bcrypt":       "$2a$10$abcdefghijklmnopqrstuv",
		"argon2i":      strings.Replace(good, "argon2id", "argon2i", 1),
		"version":      strings.Replace(good, "v=19", "v=16", 1),
		"params":       strings.Replace(good, "m=64,t=1,p=1", "m=64,t=1", 1),
		"huge memory":  strings.Replace(good, "m=64", "m=99999999", 1),
		"zero time":    strings.Replace(good, "t=1", "t=0", 1),
		"salt":         strings.Join([]string{"", f[1], f[2], f[3], "!!", f[5]}, "$"),
		"short hash":   strings.Join([]string{"", f[1], f[2], f[3], f[4], "AAAA"}, "$"),
		"extra fields": good + "$x",
	} {
		if err := Verify(phc, "correct horse battery"); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: Verify = %v, want ErrMalformed", name, err)
		}
	}
}

func TestNeedsRehash(t *testing.T) {
	h, err := Fast.Hash("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if Fast.NeedsRehash(h) {
		t.Error("a hash made with Fast needs a rehash under Fast")
	}
	if !Default.NeedsRehash(h) {
		t.Error("a hash made with Fast does not need a rehash under Default")
	}
	if !Default.NeedsRehash("garbage") {
		t.Error("a malformed hash does not need a rehash")
	}
}

func TestDefaultIsStrong(t *testing.T) {
	if Default.Memory < 19*1024 || Default.Time < 2 || Default.KeyLen < 32 || Default.SaltLen < 16 {
		t.Errorf("Default %+v is below OWASP's argon2id minimum (m=19 MiB, t=2)", Default)
	}
}

func TestDefaultRoundTrip(t *testing.T) {
	if testing.Short() {
		t.Skip("64 MiB hash skipped in -short")
	}
	h, err := Default.Hash("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=65536,t=2,p=2$") {
		t.Fatalf("PHC string %q", h)
	}
	if err := Verify(h, "correct horse battery"); err != nil {
		t.Fatal(err)
	}
}
