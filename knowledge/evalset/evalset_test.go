package evalset

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/boussole/boussole/knowledge"
)

type fixed map[string][]knowledge.Hit

func (f fixed) Search(_ context.Context, q string, k int) ([]knowledge.Hit, error) {
	return f[q], nil
}

func item(id string) knowledge.Hit { return knowledge.Hit{Kind: knowledge.HitItem, ID: id} }

func TestRunComputesRecallAndMRR(t *testing.T) {
	s := fixed{
		"first":  {item("A"), item("B")},
		"second": {{Kind: knowledge.HitTree, ID: "T"}, item("X"), item("A")}, // trees are not ranked
		"fourth": {item("X"), item("Y"), item("Z"), item("A")},
		"none":   {item("X")},
	}
	qs := []Question{
		{Q: "first", Expected: []string{"A"}},
		{Q: "second", Expected: []string{"A", "Q"}},
		{Q: "fourth", Expected: []string{"A"}},
		{Q: "none", Expected: []string{"A"}},
	}
	// A clock that moves 1 ms each time it is read: every search takes
	// 1 ms.
	at := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	tick := func() time.Time { at = at.Add(time.Millisecond); return at }
	r, err := Run(t.Context(), s, qs, 3, nil, tick)
	if err != nil {
		t.Fatal(err)
	}
	if r.P50ms != 1 || r.P99ms != 1 {
		t.Errorf("latencies = %v / %v ms, want 1 / 1", r.P50ms, r.P99ms)
	}
	if r.N != 4 || r.RecallAt1 != 0.25 || r.RecallAt3 != 0.5 || r.RecallAt5 != 0.75 {
		t.Fatalf("report = %+v", r)
	}
	if want := (1 + 0.5 + 0.25) / 4; r.MRR != want {
		t.Fatalf("mrr = %v, want %v", r.MRR, want)
	}
	if len(r.Misses) != 2 || r.Misses[0].Q != "fourth" || r.Misses[0].Rank != 4 || r.Misses[1].Rank != 0 {
		t.Fatalf("misses = %+v", r.Misses)
	}
}

func TestReadErrorsNameTheLine(t *testing.T) {
	cases := map[string]string{
		"{\"q\": \"a\", \"expected\": [\"F1\"]}\n{\"q\": \"b\"}\n": "x.jsonl:2",
		"{\"q\": \"a\", \"expected\": [\"F1\"], \"extra\": 1}\n":   "x.jsonl:1",
		"not json\n": "x.jsonl:1",
		"\n\n":       "no question",
	}
	for in, want := range cases {
		if _, err := Read("x.jsonl", strings.NewReader(in)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Read(%q) = %v, want %q", in, err, want)
		}
	}
	qs, err := Read("x.jsonl", strings.NewReader("{\"q\": \"a\", \"expected\": [\"F1\"], \"intent\": \"i\"}\n\n{\"q\": \"b\", \"expected\": [\"F2\"]}\n"))
	if err != nil || len(qs) != 2 || qs[1].Line != 3 || qs[0].Intent != "i" {
		t.Fatalf("qs = %+v, %v", qs, err)
	}
}

func TestPercentile(t *testing.T) {
	if p := percentile(nil, 99); p != 0 {
		t.Fatal(p)
	}
}

func TestShownCountsWhatTheUserSees(t *testing.T) {
	s := fixed{
		"answered": {item("A"), item("B")},
		"offered":  {item("X"), item("A")},
		"hidden":   {item("X"), item("Y"), item("A")},
	}
	qs := []Question{
		{Q: "answered", Expected: []string{"A"}},
		{Q: "offered", Expected: []string{"A"}},
		{Q: "hidden", Expected: []string{"A"}},
	}
	r, err := Run(t.Context(), s, qs, 5, func(hits []knowledge.Hit) []knowledge.Hit { return hits[:min(2, len(hits))] }, nil)
	if err != nil {
		t.Fatal(err)
	}
	if r.P50ms != 0 {
		t.Errorf("no clock, yet p50 = %v ms", r.P50ms)
	}
	if r.Shown != 2.0/3 {
		t.Fatalf("shown = %v, want 2/3", r.Shown)
	}
}

// failing answers its first questions, then fails as a remote engine
// would.
type failing struct {
	ok    int
	asked int
	err   error
}

func (f *failing) Search(ctx context.Context, q string, k int) ([]knowledge.Hit, error) {
	f.asked++
	if f.asked > f.ok {
		return nil, f.err
	}
	return []knowledge.Hit{item("A")}, ctx.Err()
}

// TestRunStopsAtTheFirstError: figures over part of a set mean nothing,
// so the run stops and says which question failed.
func TestRunStopsAtTheFirstError(t *testing.T) {
	qs := []Question{{Q: "a", Expected: []string{"A"}}, {Q: "b", Expected: []string{"A"}}, {Q: "c", Expected: []string{"A"}}}
	errDown := errors.New("engine down")
	s := &failing{ok: 1, err: errDown}
	_, err := Run(t.Context(), s, qs, 3, nil, nil)
	if !errors.Is(err, errDown) || !strings.Contains(err.Error(), `"b"`) || s.asked != 2 {
		t.Fatalf("err = %v after %d searches, want errDown at the second", err, s.asked)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := Run(ctx, &failing{ok: 3}, qs, 3, nil, nil); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: err = %v", err)
	}
}
