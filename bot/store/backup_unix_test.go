//go:build unix

package store_test

import (
	"os"
	"syscall"
	"testing"

	"github.com/boussole/boussole/bot/store"
)

// TestRestoreKeepsTheOwner: restored by root, the database still belongs
// to the service's user, who could not open a file of mode 0600 owned by
// root.
func TestRestoreKeepsTheOwner(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("changing a file's owner needs root")
	}
	target, good := liveDatabase(t)
	const uid, gid = 4321, 4322
	if err := os.Chown(target, uid, gid); err != nil {
		t.Fatal(err)
	}
	if _, err := store.Restore(t.Context(), good, target, store.RestoreOptions{Clock: backupClock}); err != nil {
		t.Fatalf("Restore: %v", err)
	}
	fi, err := os.Stat(target)
	if err != nil {
		t.Fatal(err)
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok || st.Uid != uid || st.Gid != gid {
		t.Errorf("restored database owned by %+v, want %d:%d", fi.Sys(), uid, gid)
	}
}
