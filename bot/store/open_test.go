package store_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/boussole/boussole/bot"
	"github.com/boussole/boussole/bot/store"
)

func TestOpenBadFiles(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	random := make([]byte, 8192)
	rand.Read(random)
	sub := filepath.Join(dir, "a-directory")
	if err := os.Mkdir(sub, 0o700); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name     string
		path     string
		is       error  // errors.Is target, if any
		contains string // in the message, after "open database PATH: "
	}{
		{"random bytes", write("random.db", random), store.ErrNotDatabase, "file is not a SQLite database ("},
		{"text file", write("notes.txt", []byte("# Boussole\nthis is not a database\n")), store.ErrNotDatabase, "file is not a SQLite database ("},
		{"short file", write("short.db", []byte("SQLite")), store.ErrNotDatabase, "file is not a SQLite database ("},
		{"header only", write("header.db", append([]byte("SQLite format 3\x00"), bytes.Repeat([]byte{0xff}, 84)...)), store.ErrNotDatabase, "not a SQLite database"},
		{"missing directory", filepath.Join(dir, "nope", "deeper", "boussole.db"), fs.ErrNotExist, "directory " + filepath.Join(dir, "nope", "deeper") + " does not exist"},
		{"a directory", sub, nil, "is a directory"},
		{"parent is a file", filepath.Join(write("plain", []byte("x")), "boussole.db"), nil, "is not a directory"},
		{"empty path", "", nil, "empty path"},
		{"memory", ":memory:", nil, "want a file path"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var before []byte
			if fi, err := os.Stat(tt.path); err == nil && fi.Mode().IsRegular() {
				before, _ = os.ReadFile(tt.path)
			}
			s, err := store.Open(ctx, tt.path, store.Options{Clock: clock0})
			if err == nil {
				s.Close()
				t.Fatal("Open succeeded")
			}
			t.Logf("error: %v", err)
			if prefix := "open database " + tt.path + ": "; !strings.HasPrefix(err.Error(), prefix) {
				t.Errorf("error %q does not start with %q", err, prefix)
			}
			if !strings.Contains(err.Error(), tt.contains) {
				t.Errorf("error %q does not contain %q", err, tt.contains)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("error %q is not %v", err, tt.is)
			}
			if before != nil {
				after, _ := os.ReadFile(tt.path)
				if !bytes.Equal(before, after) {
					t.Error("the file was modified")
				}
				for _, suffix := range []string{"-wal", "-shm", "-journal"} {
					if _, err := os.Stat(tt.path + suffix); err == nil {
						t.Errorf("%s created next to a file that is not a database", suffix)
					}
				}
			}
		})
	}
	if _, err := os.Stat(filepath.Join(dir, "nope")); err == nil {
		t.Error("Open created the missing directory")
	}
}

// TestOpenCorruptPages damages a real database past its header: the
// integrity check at Open must catch it.
func TestOpenCorruptPages(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "boussole.db")
	s := openAt(t, path, store.Options{Clock: clock0})
	for i := range 200 {
		a := addr("discord", "c", strings.Repeat("u", i%50+1))
		if err := s.Commit(ctx, fullConversation(a), []bot.Turn{{Text: strings.Repeat("texte ", 50)}}, nil); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil { // checkpoints the WAL into the file
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(data) < 5*4096 {
		t.Fatalf("database only %d bytes", len(data))
	}
	for i := 4096; i < len(data); i += 4096 { // page 1 (header, schema) intact, the others garbled
		copy(data[i+8:i+4096], bytes.Repeat([]byte{0xa5}, 4088))
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	s2, err := store.Open(ctx, path, store.Options{Clock: clock0})
	if err == nil {
		s2.Close()
		t.Fatal("Open accepted a corrupt database")
	}
	t.Logf("error: %v", err)
	if !errors.Is(err, store.ErrCorrupt) || !strings.HasPrefix(err.Error(), "open database "+path+": ") {
		t.Errorf("error %q, want ErrCorrupt naming the path", err)
	}
}

func TestMigrations(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "boussole.db")
	version := func() int {
		t.Helper()
		var v int
		if err := rawDB(t, path).QueryRow("PRAGMA user_version").Scan(&v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	schema := func() string {
		t.Helper()
		rows, err := rawDB(t, path).Query("SELECT type, name, sql FROM sqlite_schema ORDER BY name")
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var b strings.Builder
		for rows.Next() {
			var typ, name string
			var sql *string
			if err := rows.Scan(&typ, &name, &sql); err != nil {
				t.Fatal(err)
			}
			b.WriteString(typ + " " + name + "\n")
		}
		return b.String()
	}

	t.Run("empty database", func(t *testing.T) {
		s, err := store.Open(ctx, path, store.Options{Clock: clock0})
		if err != nil {
			t.Fatal(err)
		}
		s.Close()
		if v := version(); v != store.SchemaVersion() {
			t.Errorf("user_version = %d, want %d", v, store.SchemaVersion())
		}
		for _, table := range []string{"conversations", "turns", "cases", "tree_versions"} {
			if !strings.Contains(schema(), "table "+table+"\n") {
				t.Errorf("table %s missing", table)
			}
		}
		if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("new database file mode = %v, %v; want 0600", fi.Mode().Perm(), err)
		}
		var mode string
		if err := rawDB(t, path).QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
			t.Errorf("journal_mode = %q, %v; want wal", mode, err)
		}
	})

	t.Run("reopen is idempotent", func(t *testing.T) {
		before := schema()
		for range 2 {
			s, err := store.Open(ctx, path, store.Options{Clock: clock0})
			if err != nil {
				t.Fatal(err)
			}
			s.Close()
		}
		if after := schema(); after != before || version() != store.SchemaVersion() {
			t.Errorf("schema changed on reopen:\n%s\nvs\n%s", after, before)
		}
	})

	t.Run("empty existing file", func(t *testing.T) {
		p := filepath.Join(t.TempDir(), "empty.db")
		if err := os.WriteFile(p, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		s, err := store.Open(ctx, p, store.Options{Clock: clock0})
		if err != nil {
			t.Fatalf("Open of an empty file: %v", err)
		}
		s.Close()
	})

	t.Run("schema newer than code", func(t *testing.T) {
		if _, err := rawDB(t, path).Exec("PRAGMA user_version = 99"); err != nil {
			t.Fatal(err)
		}
		for _, ro := range []bool{false, true} {
			s, err := store.Open(ctx, path, store.Options{ReadOnly: ro, Clock: clock0})
			if err == nil {
				s.Close()
				t.Fatal("Open accepted a newer schema")
			}
			t.Logf("error: %v", err)
			if !errors.Is(err, store.ErrSchemaTooNew) || !strings.Contains(err.Error(), "schema version 99") ||
				!strings.HasPrefix(err.Error(), "open database "+path+": ") {
				t.Errorf("error %q, want ErrSchemaTooNew naming the path and version", err)
			}
		}
		if version() != 99 {
			t.Error("Open changed the version of a newer database")
		}
	})
}

func TestReadOnlyOption(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "boussole.db")
	a := addr("discord", "c", "u")
	rw := openAt(t, path, store.Options{Clock: clock0})
	if err := rw.Commit(ctx, fullConversation(a), []bot.Turn{{Text: "bonjour"}}, nil); err != nil {
		t.Fatal(err)
	}

	ro := openAt(t, path, store.Options{ReadOnly: true, Clock: clock0})
	if _, err := ro.Conversation(ctx, a); err != nil {
		t.Errorf("read through a read-only store: %v", err)
	}
	writes := map[string]func() error{
		"Commit":      func() error { return ro.Commit(ctx, fullConversation(a), nil, nil) },
		"OpenCase":    func() error { _, err := ro.OpenCase(ctx, bot.Case{Address: a}); return err },
		"ForgetUser":  func() error { _, err := ro.ForgetUser(ctx, "discord", "u"); return err },
		"PurgeBefore": func() error { _, err := ro.PurgeBefore(ctx, t0); return err },
		"PublishTree": func() error { _, err := ro.PublishTree(ctx, sampleTree()); return err },
	}
	for name, write := range writes {
		t.Run(name, func(t *testing.T) {
			if err := write(); !errors.Is(err, store.ErrReadOnly) {
				t.Errorf("err = %v, want ErrReadOnly", err)
			}
		})
	}

	t.Run("missing file is not created", func(t *testing.T) {
		p := filepath.Join(t.TempDir(), "missing.db")
		s, err := store.Open(ctx, p, store.Options{ReadOnly: true, Clock: clock0})
		if err == nil {
			s.Close()
			t.Fatal("Open succeeded")
		}
		if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), "file does not exist") {
			t.Errorf("err = %v", err)
		}
		if _, err := os.Stat(p); err == nil {
			t.Error("read-only Open created the file")
		}
	})
}
