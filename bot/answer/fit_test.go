package answer_test

import (
	"bufio"
	"cmp"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/boussole/boussole/bot/answer"
	"github.com/boussole/boussole/knowledge"
	"github.com/boussole/boussole/knowledge/demo"
	"github.com/boussole/boussole/knowledge/evalset"
	"github.com/boussole/boussole/knowledge/search"
	"github.com/boussole/boussole/knowledge/servicepublic"
)

// sharedData is the project's shared data directory, beside the checkout.
const sharedData = "../../../shared"

// questions are what people ask in the shared question set and in every
// conversation test file (their « > » lines).
func questions(t *testing.T) []string {
	t.Helper()
	var qs []string
	if f, err := os.Open(filepath.Join(sharedData, "eval", "citizens-dev.jsonl")); err == nil {
		set, err := evalset.Read("citizens-dev.jsonl", f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range set {
			qs = append(qs, q.Q)
		}
	} else {
		t.Logf("no shared question set (%v): conversation test files only", err)
	}
	files, err := filepath.Glob("../../testdata/*/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no conversation test files: %v", err)
	}
	for _, path := range files {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			line, ok := strings.CutPrefix(sc.Text(), "> ")
			if !ok {
				continue
			}
			if name, rest, ok := strings.Cut(line, " "); ok && strings.HasPrefix(name, "@") {
				line = rest // another participant speaking
			}
			qs = append(qs, line)
		}
		f.Close()
	}
	return qs
}

func demoBase(t *testing.T) *knowledge.Base {
	t.Helper()
	b, err := knowledge.LoadFS(demo.FS())
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// fullBase is the demo with the whole service-public catalogue imported,
// as `boussole chat --db` serves it; the test is skipped without the
// shared data.
func fullBase(t *testing.T) *knowledge.Base {
	t.Helper()
	var paths []string
	for _, z := range []string{"particuliers", "professionnels", "associations"} {
		p := filepath.Join(sharedData, "data", "service-public", "vosdroits-"+z+"-2020.zip")
		if _, err := os.Stat(p); err != nil {
			t.Skipf("skipping: the service-public catalogue is not in %s (%v)", filepath.Join(sharedData, "data", "service-public"), err)
		}
		paths = append(paths, p)
	}
	res, err := servicepublic.Read(context.Background(), paths, nil)
	if err != nil {
		t.Fatal(err)
	}
	// The store returns imported items by id.
	slices.SortFunc(res.Items, func(a, b *knowledge.Item) int { return cmp.Compare(a.ID, b.ID) })
	return demoBase(t).WithItems(res.Items)
}

// checkMessages renders the answer to every question, as the bot does
// for its first item, then every part of it on demand, and fails when a
// message holds more than MaxChars (as Size counts) or MaxLinks links.
// It also renders every item of the knowledge, in each language.
func checkMessages(t *testing.T, b *knowledge.Base) {
	cat := newCatalog(t)
	ix := search.New(b, search.Options{})
	fr := answer.NewWriter(cat, "fr")
	var firsts []int
	for _, q := range questions(t) {
		hits, err := ix.Search(context.Background(), q, 10)
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range hits {
			if h.Kind != knowledge.HitItem {
				continue
			}
			it, ok := b.Item(h.ID)
			if !ok {
				t.Fatalf("%q: hit %s is no item", q, h.ID)
			}
			text := fr.Short(it)
			n, links := answer.Size(text)
			firsts = append(firsts, n)
			if !answer.Fits(text) {
				t.Errorf("%q → %s: first message of %d characters, %d links:\n%s", q, it.ID, n, links, text)
			}
			break
		}
	}
	slices.Sort(firsts)
	if len(firsts) == 0 {
		t.Fatal("no question found an item")
	}
	t.Logf("%d answers: first message median %d, max %d characters (limit %d)", len(firsts), firsts[len(firsts)/2], firsts[len(firsts)-1], answer.MaxChars)
	for _, lang := range []string{"fr", "fr-CA", "en"} {
		w := answer.NewWriter(cat, lang)
		for _, it := range b.Items {
			if text := w.Short(it); !answer.Fits(text) {
				n, links := answer.Size(text)
				t.Errorf("%s %s: first message of %d characters, %d links:\n%s", lang, it.ID, n, links, text)
			}
			for _, d := range answer.Details(it) {
				for from, pages := 0, 0; ; pages++ {
					text, next := w.Detail(it, d, from)
					if !answer.Fits(text) {
						n, links := answer.Size(text)
						t.Errorf("%s %s %s from %d: %d characters, %d links:\n%s", lang, it.ID, d, from, n, links, text)
					}
					if next == 0 || pages > 100 {
						break
					}
					from = next
				}
			}
		}
	}
}

// Every answer the bot gives on the embedded demo fits a phone's screen.
func TestAnswersFitAChatDemo(t *testing.T) { checkMessages(t, demoBase(t)) }

// And on the whole imported service-public catalogue.
func TestAnswersFitAChatFullCatalogue(t *testing.T) { checkMessages(t, fullBase(t)) }
