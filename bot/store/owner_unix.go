//go:build unix

package store

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"syscall"
)

// sameOwner gives path the owner and group of like, so that a database
// restored by root is still the service's: its user could not open a
// file of mode 0600 owned by another. Changing the owner needs root, and
// nothing when they are already the same.
func sameOwner(path, like string) error {
	fi, err := os.Stat(like)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return reason(err)
	}
	want, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return nil
	}
	fp, err := os.Stat(path)
	if err != nil {
		return reason(err)
	}
	if have, ok := fp.Sys().(*syscall.Stat_t); ok && have.Uid == want.Uid && have.Gid == want.Gid {
		return nil
	}
	if err := os.Chown(path, int(want.Uid), int(want.Gid)); err != nil {
		return fmt.Errorf("give the restored database the owner of the current one (uid %d, gid %d), so the service can open it: run restore as that user or as root (%w)",
			want.Uid, want.Gid, reason(err))
	}
	return nil
}
