package servicepublic_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/boussole/boussole/knowledge"
	"github.com/boussole/boussole/knowledge/servicepublic"
)

// FuzzParseSheet checks that no input makes ParseSheet panic, that every
// failure is one of the package's errors, and that every success is a
// usable item. Seeds: a few small real sheets of different types when the
// shared data is there (large seeds make the fuzzer spend its time
// minimizing them), the hand-written fixtures always.
func FuzzParseSheet(f *testing.F) {
	for _, id := range []string{"F31421", "F1972", "N358", "R13630", "R45668"} {
		if b, err := findSheet(id); err == nil {
			f.Add(b)
		}
	}
	for _, dir := range []string{"sheets", "malformed"} {
		files, err := filepath.Glob(filepath.Join("testdata", dir, "*.xml"))
		if err != nil {
			f.Fatal(err)
		}
		for _, p := range files {
			b, err := os.ReadFile(p)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
		}
	}
	f.Add([]byte(`<Publication ID="F1"><dc:title>t</dc:title><dc:date>modified 2020-01-01</dc:date></Publication>`))
	f.Add([]byte(`<ServiceComplementaire ID="R1" type="Formulaire"><dc:title>t</dc:title><dc:date>modified 2020-01-01</dc:date><LienWeb URL="https://a.b/c"/></ServiceComplementaire>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		it, err := servicepublic.ParseSheet("fuzz.xml", data)
		if err != nil {
			if it != nil {
				t.Fatal("item and error")
			}
			if !errors.Is(err, servicepublic.ErrMalformed) && !errors.Is(err, servicepublic.ErrUnsupported) && !errors.Is(err, servicepublic.ErrTooLarge) {
				t.Fatalf("error outside the package's kinds: %v", err)
			}
			return
		}
		if it.ID == "" || it.Title == "" || it.Reviewed.IsZero() || len(it.Sources) != 1 || !strings.HasPrefix(it.Sources[0], "https://") {
			t.Fatalf("incomplete item %+v", it)
		}
		if len(it.Body) > servicepublic.MaxBody {
			t.Fatalf("body of %d bytes", len(it.Body))
		}
		if servicepublic.Hash(it) == "" {
			t.Fatal("no hash")
		}
		if problems := knowledge.Validate(knowledge.NewBase([]*knowledge.Item{it}, nil, nil)); len(problems) > 0 {
			t.Fatalf("invalid item: %v", problems)
		}
	})
}
