package app

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/boussole/boussole/bot/catalog"
	"github.com/boussole/boussole/bot/safety"
	"github.com/boussole/boussole/knowledge"
	"github.com/boussole/boussole/knowledge/places"
	"github.com/boussole/boussole/knowledge/search"
)

// Parts keeps the costly parts of a Core that never change once built —
// the catalogue, the danger layer, the gazetteer, and the knowledge and
// search index of a knowledge directory — so that the Cores one process
// opens share them: `boussole test` opens one Core per conversation file
// (each on its own database), and the gazetteer and the index took most
// of its time. A nil *Parts builds everything afresh. It is safe for
// concurrent use.
type Parts struct {
	mu     sync.Mutex
	cat    *catalog.Catalog
	danger *safety.Detector
	gaz    *places.Gazetteer
	dirs   map[string]indexed // by knowledge directory, without imported items
}

type indexed struct {
	base  *knowledge.Base
	index *search.Index
}

// Open is app.Open with the parts p already built.
func (p *Parts) Open(ctx context.Context, cfg Config, log *slog.Logger, now func() time.Time) (*App, error) {
	return open(ctx, cfg, log, now, p)
}

// fixed returns the catalogue, the danger layer and the gazetteer.
func (p *Parts) fixed() (*catalog.Catalog, *safety.Detector, *places.Gazetteer, error) {
	if p != nil {
		p.mu.Lock()
		defer p.mu.Unlock()
		if p.cat != nil {
			return p.cat, p.danger, p.gaz, nil
		}
	}
	cat, err := catalog.New()
	if err != nil {
		return nil, nil, nil, err
	}
	danger, err := safety.New()
	if err != nil {
		return nil, nil, nil, err
	}
	gaz, err := places.New(places.WordsFrom(cat.AllWords))
	if err != nil {
		return nil, nil, nil, err
	}
	if p != nil {
		p.cat, p.danger, p.gaz = cat, danger, gaz
	}
	return cat, danger, gaz, nil
}

// Gazetteer returns the gazetteer, built once (the import of places
// places a row without coordinates at its commune with it).
func (p *Parts) Gazetteer() (*places.Gazetteer, error) {
	_, _, gaz, err := p.fixed()
	return gaz, err
}

// knowledge loads dir with the imported items, makes it what is served
// (serve) and indexes that; without imported items (whose set is the
// store's, and changes, and which alone serve replaces or dates), the
// result is kept for dir.
func (p *Parts) knowledge(ctx context.Context, dir string, imported []*knowledge.Item, serve func(*knowledge.Base) *knowledge.Base) (*knowledge.Base, *search.Index, error) {
	shared := p != nil && len(imported) == 0
	if shared {
		p.mu.Lock()
		defer p.mu.Unlock()
		if k, ok := p.dirs[dir]; ok {
			return k.base, k.index, nil
		}
	}
	base, err := LoadKnowledge(ctx, dir, imported)
	if err != nil {
		return nil, nil, err
	}
	base = serve(base)
	ix := search.New(base, search.Options{})
	if shared {
		if p.dirs == nil {
			p.dirs = map[string]indexed{}
		}
		p.dirs[dir] = indexed{base, ix}
	}
	return base, ix, nil
}
