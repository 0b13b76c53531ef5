package store_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/boussole/boussole/bot/store"
)

// helperEnv names the path TestOpenHelper opens when TestOpenNotWritable
// runs it as an unprivileged user.
const helperEnv = "BOUSSOLE_STORE_OPEN_HELPER"

// TestOpenHelper is not a test on its own: TestOpenNotWritable runs the
// test binary as user nobody with this test selected, because root may
// write a 0444 file or a 0555 directory.
func TestOpenHelper(t *testing.T) {
	path := os.Getenv(helperEnv)
	if path == "" {
		t.Skip("helper process for TestOpenNotWritable")
	}
	s, err := store.Open(context.Background(), path, store.Options{Clock: clock0})
	if err == nil {
		s.Close()
		fmt.Println("RESULT\tok\tfalse")
		return
	}
	fmt.Printf("RESULT\t%v\t%v\n", err, errors.Is(err, store.ErrNotWritable))
}

func TestOpenNotWritable(t *testing.T) {
	const nobody = 65534
	root := os.Geteuid() == 0
	base := t.TempDir()
	if root {
		// The unprivileged helper must reach the files: t.TempDir is 0700.
		var err error
		base, err = os.MkdirTemp("", "boussole-store-test-*")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			filepath.WalkDir(base, func(p string, d os.DirEntry, err error) error {
				if err == nil && d.IsDir() {
					os.Chmod(p, 0o755)
				}
				return nil
			})
			os.RemoveAll(base)
		})
		if err := os.Chmod(base, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	mkdb := func(path string) {
		t.Helper()
		s, err := store.Open(context.Background(), path, store.Options{Clock: clock0})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
	mkdir := func(path string) {
		t.Helper()
		if err := os.Mkdir(path, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	chmod := func(path string, mode os.FileMode) {
		t.Helper()
		if err := os.Chmod(path, mode); err != nil {
			t.Fatal(err)
		}
	}

	// A read-only database file in a writable directory.
	rwDir := filepath.Join(base, "rw-dir")
	mkdir(rwDir)
	roFile := filepath.Join(rwDir, "readonly.db")
	mkdb(roFile)
	chmod(roFile, 0o444)
	chmod(rwDir, 0o777)
	// A read-only directory, with a writable database in it.
	roDir := filepath.Join(base, "ro-dir")
	mkdir(roDir)
	existing := filepath.Join(roDir, "existing.db")
	mkdb(existing)
	chmod(existing, 0o666)
	chmod(roDir, 0o555)

	tests := []struct {
		name, path, want string
	}{
		{"read-only file", roFile, "open database " + roFile + ": file cannot be written (permission denied)"},
		{"new file in read-only directory", filepath.Join(roDir, "new.db"), "open database " + filepath.Join(roDir, "new.db") + ": directory " + roDir + " cannot be written (permission denied)"},
		{"existing database in read-only directory", existing, "open database " + existing + ": directory " + roDir + " cannot be written (permission denied)"},
	}

	var exe string
	if root {
		self, err := os.Executable()
		if err != nil {
			t.Fatal(err)
		}
		exe = filepath.Join(base, "store.test")
		if err := copyFile(exe, self, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var msg string
			var isNotWritable bool
			if !root {
				s, err := store.Open(context.Background(), tt.path, store.Options{Clock: clock0})
				if err == nil {
					s.Close()
					t.Fatal("Open succeeded")
				}
				msg, isNotWritable = err.Error(), errors.Is(err, store.ErrNotWritable)
			} else {
				cmd := exec.Command(exe, "-test.run=^TestOpenHelper$", "-test.v")
				// GORACE: a -race binary otherwise sleeps 1 s at exit.
				cmd.Env = append(os.Environ(), helperEnv+"="+tt.path, "GORACE=atexit_sleep_ms=0")
				cmd.Dir = base
				cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: nobody, Gid: nobody}}
				out, err := cmd.CombinedOutput()
				if err != nil && !strings.Contains(string(out), "RESULT") {
					t.Skipf("running as root and cannot run the check as user nobody (%v): %s", err, out)
				}
				for line := range strings.Lines(string(out)) {
					if f := strings.Split(strings.TrimSpace(line), "\t"); len(f) == 3 && f[0] == "RESULT" {
						msg, isNotWritable = f[1], f[2] == "true"
					}
				}
				if msg == "" {
					t.Fatalf("helper printed no result:\n%s", out)
				}
			}
			t.Logf("error: %s", msg)
			if msg == "ok" {
				t.Fatal("Open succeeded")
			}
			if !strings.HasPrefix(msg, tt.want) || !isNotWritable {
				t.Errorf("error %q (ErrNotWritable: %v), want it to start with %q", msg, isNotWritable, tt.want)
			}
		})
	}
	// Nothing was created in the read-only directory, nothing was changed.
	entries, _ := os.ReadDir(roDir)
	if len(entries) != 1 {
		t.Errorf("read-only directory holds %d entries, want 1", len(entries))
	}
}

func copyFile(dst, src string, mode os.FileMode) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, mode)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
