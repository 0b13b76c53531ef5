package search_test

import (
	"reflect"
	"testing"

	"github.com/boussole/boussole/knowledge"
	"github.com/boussole/boussole/knowledge/demo"
	"github.com/boussole/boussole/knowledge/search"
)

// TestSearchIndependentOfK checks that how many hits are asked for only
// cuts the list: for every k, the hits are the first min(k, n) of those
// asked with a larger k, scores, confidences, matches and explanations
// included. A person cannot explain a sheet moving, or its confidence
// changing, with the number of results requested (the bot asks 8, or 40
// in a known jurisdiction; `boussole eval` asks 9). Checked on the demo
// knowledge (with the default pool, larger than the demo, and with a pool
// of four, smaller than most k) and on the 2,000-item synthetic base,
// whose queries match more documents than the pool holds.
func TestSearchIndependentOfK(t *testing.T) {
	demoBase, err := knowledge.Load(demo.FS())
	if err != nil {
		t.Fatalf("load demo: %v", err)
	}
	// A sample of the question sets: every fourth everyday and labour
	// question, and the benchmark's queries.
	queries := append([]string(nil), benchQueries...)
	for _, path := range []string{"testdata/citizens-check3.jsonl", "testdata/labour-check.jsonl", "testdata/citizens-long.jsonl"} {
		for i, q := range readSet(t, path) {
			if i%4 == 0 {
				queries = append(queries, q.Q)
			}
		}
	}
	type config struct {
		name string
		base *knowledge.Base
		opts search.Options
	}
	configs := []config{
		{"demo", demoBase, search.Options{}},
		{"demo, pool of 4", demoBase, search.Options{CandidatePool: 4}},
	}
	if !testing.Short() {
		configs = append(configs, config{"synthetic", syntheticBase(2000), search.Options{}})
	}
	ks := []int{1, 2, 3, 5, 8, 9, 20, 40, 64, 100}
	for _, c := range configs {
		ix := search.New(c.base, c.opts)
		deep, full := 0, 0 // queries with hits beyond 40; queries filling the pool
		for _, q := range queries {
			all := hitsFor(t, ix, q, ks[len(ks)-1])
			if len(all) > 40 {
				deep++
			}
			pool := c.opts.CandidatePool
			if pool == 0 {
				pool = search.DefaultOptions().CandidatePool
			}
			if len(all) == pool {
				full++
			}
			if len(all) > pool {
				t.Errorf("%s, %q: %d hits, more than the pool of %d", c.name, q, len(all), pool)
			}
			for _, k := range ks {
				got := hitsFor(t, ix, q, k)
				want := all[:min(k, len(all))]
				if !reflect.DeepEqual(got, want) {
					t.Errorf("%s, %q: k=%d gave\n%swhile the first %d of k=%d are\n%s", c.name, q, k, dump(got), len(want), ks[len(ks)-1], dump(want))
				}
			}
		}
		t.Logf("%s: %d queries, %d with more than 40 hits, %d filling the pool", c.name, len(queries), deep, full)
		if c.name != "demo" && full == 0 {
			t.Errorf("%s: no query fills the candidate pool: the test checks nothing beyond it", c.name)
		}
	}
}

// TestCandidatePoolBoundsHits checks that Search returns at most
// Options.CandidatePool hits, however many are asked for.
func TestCandidatePoolBoundsHits(t *testing.T) {
	for _, pool := range []int{1, 3, 7} {
		ix := search.New(testBase(), search.Options{CandidatePool: pool})
		if hits := hitsFor(t, ix, "carte identite perdue passeport loyer", 50); len(hits) != pool {
			t.Errorf("pool %d: %d hits", pool, len(hits))
		}
	}
}
