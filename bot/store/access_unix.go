//go:build unix

package store

import "syscall"

// access(2) modes.
const (
	accessRead   = 0x4
	accessWrite  = 0x2
	accessSearch = 0x1
)

// access reports whether this process may access path in mode, without
// opening it (see checkFile).
func access(path string, mode uint32) error {
	return syscall.Access(path, mode)
}
