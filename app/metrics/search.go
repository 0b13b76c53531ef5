package metrics

import (
	"context"

	"github.com/boussole/boussole/knowledge"
)

// Searcher is the knowledge search the engine asks.
type Searcher interface {
	Search(ctx context.Context, query string, k int) ([]knowledge.Hit, error)
}

// TimeSearch returns s timed into boussole_search_duration_seconds; a nil
// m returns s itself.
func (m *Metrics) TimeSearch(s Searcher) Searcher {
	if m == nil {
		return s
	}
	return timedSearch{s: s, m: m}
}

type timedSearch struct {
	s Searcher
	m *Metrics
}

func (t timedSearch) Search(ctx context.Context, query string, k int) ([]knowledge.Hit, error) {
	start := t.m.now()
	hits, err := t.s.Search(ctx, query, k)
	t.m.search.Observe(t.m.now().Sub(start).Seconds())
	return hits, err
}
