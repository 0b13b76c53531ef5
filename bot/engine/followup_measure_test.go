package engine_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/boussole/boussole/bot"
	"github.com/boussole/boussole/bot/answer"
	"github.com/boussole/boussole/bot/catalog"
	"github.com/boussole/boussole/knowledge"
	"github.com/boussole/boussole/knowledge/demo"
)

// followPair is one line of testdata/followup (its README says what each
// field means).
type followPair struct {
	Say    []string `json:"say"`
	Then   string   `json:"then"`
	Expect string   `json:"expect"`
	Item   string   `json:"item"`
	New    bool     `json:"new"`
}

// TestFollowUpMeasure measures follow-ups on the demo knowledge: how many
// follow-ups get what they ask of the sheet under discussion, and how
// many new questions are answered as such. Both halves are printed (go
// test -run TestFollowUpMeasure -v); the floors catch a regression, they
// are not targets.
func TestFollowUpMeasure(t *testing.T) {
	if testing.Short() {
		t.Skip("measure")
	}
	base, err := knowledge.Load(demo.FS())
	if err != nil {
		t.Fatal(err)
	}
	cat, err := catalog.New()
	if err != nil {
		t.Fatal(err)
	}
	h := demoHarness(t, "")
	for _, set := range []struct {
		file string
		// floor is the share of pairs right below which the test fails.
		floor   float64
		heldOut bool
	}{
		{"followup-dev.jsonl", 0.85, false},
		{"followup-dev2.jsonl", 0.85, false},
		{"followup-heldout.jsonl", 0.75, true},
	} {
		pairs := readPairs(t, set.file)
		var follow, followOK, fresh, freshOK int
		for i, p := range pairs {
			a := bot.Address{Platform: "test", Channel: "dm", User: fmt.Sprintf("%s-%d", set.file, i)}
			for _, s := range p.Say {
				h.say(a, s)
			}
			got := text(h.say(a, p.Then))
			why := judgeFollowUp(base, answer.NewWriter(cat, h.conv(a).Lang), cat, h.conv(a).Lang, p, got)
			if p.Expect == "fresh" {
				// What the same conversation answers without its topic.
				a.User += "-without"
				for _, s := range p.Say {
					h.say(a, s)
				}
				c := h.conv(a)
				c.Topic = bot.Topic{}
				if err := h.store.Commit(context.Background(), c, nil, nil); err != nil {
					t.Fatal(err)
				}
				if want := text(h.say(a, p.Then)); got != want {
					why = "want what it gets without a topic:\n" + indent(want)
				}
				p.New = true
			}
			if p.New {
				fresh++
			} else {
				follow++
			}
			if why == "" {
				if p.New {
					freshOK++
				} else {
					followOK++
				}
				continue
			}
			if !set.heldOut { // held-out misses are counted, not read
				t.Logf("%s: %q → %q: %s\n%s", set.file, p.Say, p.Then, why, indent(got))
			}
		}
		share := float64(followOK+freshOK) / float64(len(pairs))
		t.Logf("%s: follow-ups understood %d/%d, new questions left alone %d/%d, all %.2f",
			set.file, followOK, follow, freshOK, fresh, share)
		if share < set.floor {
			t.Errorf("%s: %.2f of the pairs right, floor %.2f", set.file, share, set.floor)
		}
	}
}

// judgeFollowUp returns why the reply got is not what p expects, or "".
func judgeFollowUp(b *knowledge.Base, w answer.Writer, cat *catalog.Catalog, lang string, p followPair, got string) string {
	if p.Expect == "fresh" {
		return "" // compared by the caller
	}
	it, ok := b.Item(p.Item)
	if !ok {
		return "no item " + p.Item
	}
	whole := w.Short(it)
	switch p.Expect {
	case "item":
		if !strings.Contains(got, whole) {
			return "want the whole sheet " + p.Item
		}
		return ""
	case "novariant":
		if want := cat.T(lang, "followup_no_variant", "title", w.ItemTitle(it)); !strings.Contains(got, want) {
			return "want « no more specific sheet than " + p.Item + " »"
		}
		return ""
	}
	if strings.Contains(got, whole) {
		return "the whole sheet again, want its " + p.Expect
	}
	var want string
	first := func(ss []string) string {
		if len(ss) > 0 {
			return ss[0]
		}
		return ""
	}
	switch p.Expect {
	case "how":
		want = first(w.ItemSteps(it))
	case "where":
		want = it.Where.Office
		if len(it.Where.Online) > 0 {
			want = it.Where.Online[0].Label
		}
	case "documents":
		want = first(it.Documents)
	case "cost":
		want = it.Cost
	case "delay":
		want = it.Delay
	default:
		return "unknown expectation " + p.Expect
	}
	if want == "" || !strings.Contains(got, want) || !strings.Contains(got, w.ItemTitle(it)) {
		return fmt.Sprintf("want the %s of %s (%q)", p.Expect, p.Item, want)
	}
	return ""
}

func readPairs(t *testing.T, name string) []followPair {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "..", "testdata", "followup", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []followPair
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var p followPair
		if err := json.Unmarshal(sc.Bytes(), &p); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out = append(out, p)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func indent(s string) string {
	return "\t" + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n\t")
}
