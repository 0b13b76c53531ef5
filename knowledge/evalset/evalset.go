// Package evalset measures orientation quality: it runs a set of questions
// (JSON lines {"q": "...", "expected": ["F1234"]}) through a searcher and
// reports recall@1/3/5, MRR and per-question latency. `boussole eval` and
// CI use it to keep search quality above its targets.
package evalset

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/boussole/boussole/knowledge"
)

// Question is one line of a question set.
type Question struct {
	Q        string   `json:"q"`
	Expected []string `json:"expected"`
	Intent   string   `json:"intent,omitempty"`
	Line     int      `json:"-"`
}

// Read parses a JSON-lines question set. Errors name the line.
func Read(name string, r io.Reader) ([]Question, error) {
	return ReadLines(name, r, "question", func(q *Question, line int) error {
		// An empty "q" is kept: people do submit empty searches, and the
		// published sets count them.
		if len(q.Expected) == 0 {
			return fmt.Errorf("a question needs at least one \"expected\" id")
		}
		q.Line = line
		return nil
	})
}

// ReadLines parses a set of JSON lines, one T each (unknown fields are
// errors; blank lines and lines starting with # are skipped), checking
// each with check. Errors name the file and the line; what is one of the
// set's entries, for the error when there is none.
func ReadLines[T any](name string, r io.Reader, what string, check func(v *T, line int) error) ([]T, error) {
	var out []T
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		var v T
		dec := json.NewDecoder(strings.NewReader(line))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&v); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", name, n, err)
		}
		if err := check(&v, n); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", name, n, err)
		}
		out = append(out, v)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no %s", name, what)
	}
	return out, nil
}

// Searcher is what is measured: knowledge/search's Index, or an engine
// behind a network (hence the context and the error).
type Searcher interface {
	Search(ctx context.Context, query string, k int) ([]knowledge.Hit, error)
}

// Miss is a question whose expected items were not in the first k.
type Miss struct {
	Question
	// Rank of the first expected item (1-based), 0 when not found in the
	// first k.
	Rank int `json:"rank"`
	// Got lists the ids that came first.
	Got []string `json:"got"`
}

// Report is the result of a run. JSON keys are those `boussole eval
// --json` promises.
type Report struct {
	RecallAt1 float64 `json:"recall_at_1"`
	RecallAt3 float64 `json:"recall_at_3"`
	RecallAt5 float64 `json:"recall_at_5"`
	MRR       float64 `json:"mrr"`
	N         int     `json:"n"`
	P50ms     float64 `json:"p50_ms"`
	P99ms     float64 `json:"p99_ms"`
	BuildMs   float64 `json:"build_ms"`
	// Shown is the share of questions for which what the user is shown
	// (the answer, or the hits offered, as Run's Shows decides) holds an
	// expected item. Recall says the engine ranked the item; this says the
	// user saw it.
	Shown  float64 `json:"shown,omitempty"`
	K      int     `json:"k"`
	Misses []Miss  `json:"-"`
}

// Shows says which of a question's hits a user is shown: the bot's
// answer, or the hits it offers (the bot's answer policy, bot/answer), or none.
type Shows func(hits []knowledge.Hit) []knowledge.Hit

// Run asks every question, ranking items only (trees are an orientation
// aid, the sets name official sheets). k bounds the results read; recall@5
// and MRR are computed within the first max(k, 5). With shows, it also
// measures Shown from the same hits. now, the program's clock, times each
// search (P50ms, P99ms); nil leaves the latencies at zero. The first
// search error stops the run: a set measured in part would report figures
// that mean nothing. ctx is passed to every search.
func Run(ctx context.Context, s Searcher, qs []Question, k int, shows Shows, now func() time.Time) (Report, error) {
	depth := max(k, 5)
	r := Report{N: len(qs), K: k}
	durs := make([]time.Duration, 0, len(qs))
	for _, q := range qs {
		var start time.Time
		if now != nil {
			start = now()
		}
		hits, err := s.Search(ctx, q.Q, depth+4) // room for tree hits filtered out below
		if err != nil {
			return Report{}, fmt.Errorf("question %q: %w", q.Q, err)
		}
		if now != nil {
			durs = append(durs, now().Sub(start))
		}
		if shows != nil && slices.ContainsFunc(shows(hits), func(h knowledge.Hit) bool { return slices.Contains(q.Expected, h.ID) }) {
			r.Shown++
		}
		ids := make([]string, 0, depth)
		for _, h := range hits {
			if h.Kind == knowledge.HitItem && len(ids) < depth {
				ids = append(ids, h.ID)
			}
		}
		rank := 0
		for i, id := range ids {
			if slices.Contains(q.Expected, id) {
				rank = i + 1
				break
			}
		}
		if rank == 1 {
			r.RecallAt1++
		}
		if rank >= 1 && rank <= 3 {
			r.RecallAt3++
		}
		if rank >= 1 && rank <= 5 {
			r.RecallAt5++
		}
		if rank > 0 {
			r.MRR += 1 / float64(rank)
		}
		if rank == 0 || rank > k {
			r.Misses = append(r.Misses, Miss{Question: q, Rank: rank, Got: ids[:min(len(ids), 3)]})
		}
	}
	if r.N > 0 {
		n := float64(r.N)
		r.RecallAt1 /= n
		r.RecallAt3 /= n
		r.RecallAt5 /= n
		r.MRR /= n
		r.Shown /= n
	}
	slices.Sort(durs)
	r.P50ms = percentile(durs, 50)
	r.P99ms = percentile(durs, 99)
	return r, nil
}

// percentile returns the nearest-rank percentile in milliseconds.
func percentile(sorted []time.Duration, p int) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := (len(sorted)*p + 99) / 100
	i = min(max(i, 1), len(sorted))
	return float64(sorted[i-1].Nanoseconds()) / 1e6
}
