package search_test

import (
	"os"
	"strings"
	"testing"

	"github.com/boussole/boussole/knowledge/search"
)

func TestDebugDump(t *testing.T) {
	qs := os.Getenv("Q")
	if qs == "" {
		t.Skip()
	}
	ix := search.New(testBase(), search.Options{})
	for _, q := range strings.Split(qs, ";") {
		t.Logf("%q\n%s", q, dump(ix.Search(q, 4)))
	}
}
