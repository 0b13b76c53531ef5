package main

import (
	"context"
	"fmt"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/lang/fr"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/boussole/boussole/knowledge"
)

// buildBleve indexes the items in memory (bleve.NewMemOnly) with the
// French analyzer ("fr": unicode tokenizer, lower case, elision, French
// stop words, French light stemmer, which also folds accents) on title,
// summary and body, each also copied into the composite _all field (bleve's
// default). Nothing is stored and no term vectors are kept: only ranking is
// measured. Scoring is bleve's default (TF-IDF).
func buildBleve(items []*knowledge.Item) (bleve.Index, error) {
	text := func() *mapping.FieldMapping {
		fm := bleve.NewTextFieldMapping()
		fm.Analyzer = fr.AnalyzerName
		fm.Store = false
		fm.IncludeTermVectors = false
		return fm
	}
	dm := bleve.NewDocumentStaticMapping()
	dm.AddFieldMappingsAt("title", text())
	dm.AddFieldMappingsAt("summary", text())
	dm.AddFieldMappingsAt("body", text())
	im := bleve.NewIndexMapping()
	im.DefaultMapping = dm
	im.DefaultAnalyzer = fr.AnalyzerName

	idx, err := bleve.NewMemOnly(im)
	if err != nil {
		return nil, fmt.Errorf("bleve: %w", err)
	}
	b := idx.NewBatch()
	for _, d := range docsOf(items) {
		if err := b.Index(d.ID, d); err != nil {
			idx.Close()
			return nil, fmt.Errorf("bleve: index %s: %w", d.ID, err)
		}
		if b.Size() >= 500 {
			if err := idx.Batch(b); err != nil {
				idx.Close()
				return nil, fmt.Errorf("bleve: %w", err)
			}
			b.Reset()
		}
	}
	if err := idx.Batch(b); err != nil {
		idx.Close()
		return nil, fmt.Errorf("bleve: %w", err)
	}
	return idx, nil
}

// bleveSearcher is an evalset.Searcher over a bleve index. With no boosts
// it runs one match query (OR of the analysed words) on _all; with boosts
// it runs a disjunction of match queries on title, summary and body, so a
// document scores the sum of its field matches, the title counting most.
// A query bleve refuses answers nothing and is counted in errors, so that
// one odd question does not stop the comparison; only the end of ctx does.
type bleveSearcher struct {
	idx    bleve.Index
	boosts map[string]float64
	errors int
}

func (s *bleveSearcher) Search(ctx context.Context, q string, k int) ([]knowledge.Hit, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var bq query.Query
	if s.boosts == nil {
		m := bleve.NewMatchQuery(q)
		m.SetField("_all")
		m.Analyzer = fr.AnalyzerName
		bq = m
	} else {
		var qs []query.Query
		for _, f := range []string{"title", "summary", "body"} {
			m := bleve.NewMatchQuery(q)
			m.SetField(f)
			m.Analyzer = fr.AnalyzerName
			m.SetBoost(s.boosts[f])
			qs = append(qs, m)
		}
		bq = bleve.NewDisjunctionQuery(qs...)
	}
	res, err := s.idx.SearchInContext(ctx, bleve.NewSearchRequestOptions(bq, k, 0, false))
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		s.errors++
		return nil, nil
	}
	hits := make([]knowledge.Hit, len(res.Hits))
	for i, h := range res.Hits {
		hits[i] = knowledge.Hit{Kind: knowledge.HitItem, ID: h.ID, Score: h.Score}
	}
	return hits, nil
}
