// Package settingstest checks what an adapter's configuration section
// says about a bad value, the same way for every adapter.
package settingstest

import (
	"strings"
	"testing"
)

// Check reports, for the case name, an error where none was wanted, none
// where keys were wanted, an error that misses one of the want keys, and
// an error that repeats secret (a token pasted where a variable's name
// belongs must never reach a log or a terminal).
func Check(t testing.TB, name string, err error, want []string, secret string) {
	t.Helper()
	switch {
	case want == nil && err != nil:
		t.Errorf("%s: %v", name, err)
	case want != nil && err == nil:
		t.Errorf("%s: no error, want %q", name, want)
	case err != nil && secret != "" && strings.Contains(err.Error(), secret):
		t.Errorf("%s: the secret is repeated: %v", name, err)
	}
	for _, w := range want {
		if err != nil && !strings.Contains(err.Error(), w) {
			t.Errorf("%s: error %q lacks %q", name, err, w)
		}
	}
}
