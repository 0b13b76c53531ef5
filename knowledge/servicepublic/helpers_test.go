package servicepublic_test

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
	"unicode/utf8"

	"github.com/boussole/boussole/knowledge"
)

// audiences are the three zips of the shared data, in the order Read is
// given them.
var audiences = []string{"particuliers", "professionnels", "associations"}

// dataDir is the shared service-public data, next to the checkout: tests
// read it in place and never copy it into the repository.
func dataDir() string {
	return filepath.Join("..", "..", "..", "shared", "data", "service-public")
}

// zipPaths returns the three zips, or skips the test when the shared data
// is absent.
func zipPaths(tb testing.TB) []string {
	tb.Helper()
	var paths []string
	for _, a := range audiences {
		p := filepath.Join(dataDir(), "vosdroits-"+a+"-2020.zip")
		if _, err := os.Stat(p); err != nil {
			tb.Skipf("service-public data not available (%v): these tests read the DILA zips from ../shared/data next to the checkout", err)
		}
		paths = append(paths, p)
	}
	return paths
}

// realSheet returns the file of a sheet from the first zip holding it.
func realSheet(tb testing.TB, id string) []byte {
	tb.Helper()
	zipPaths(tb)
	b, err := findSheet(id)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// findSheet returns the file of a sheet from the first zip holding it.
func findSheet(id string) ([]byte, error) {
	for _, a := range audiences {
		b, ok, err := zipEntry(filepath.Join(dataDir(), "vosdroits-"+a+"-2020.zip"), id+".xml")
		if err != nil || ok {
			return b, err
		}
	}
	return nil, fmt.Errorf("sheet %s not found in the service-public zips", id)
}

func zipEntry(path, name string) ([]byte, bool, error) {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return nil, false, err
	}
	defer zr.Close()
	for _, f := range zr.File {
		if f.Name != name {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return nil, false, err
		}
		defer rc.Close()
		b, err := io.ReadAll(rc)
		return b, err == nil, err
	}
	return nil, false, nil
}

// goldenJSON renders an item for a golden file: indented JSON of every
// field but Pos. The body is summarised (size, hash, beginning and end)
// rather than copied: a golden file must not become a copy of DILA's
// text, and the hash still catches any change of the extraction.
func goldenJSON(tb testing.TB, it *knowledge.Item) []byte {
	tb.Helper()
	c := *it
	c.Pos = knowledge.Pos{}
	if c.Body != "" {
		sum := sha256.Sum256([]byte(c.Body))
		c.Body = fmt.Sprintf("[%d bytes, sha256 %s] %s … %s", len(c.Body), hex.EncodeToString(sum[:8]),
			prefix(c.Body, 240), suffix(c.Body, 120))
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(&c); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

func prefix(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func suffix(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := len(s) - n
	for i < len(s) && !utf8.RuneStart(s[i]) {
		i++
	}
	return s[i:]
}
