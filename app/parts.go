package app

import (
	"context"
	"fmt"
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
	dirs   map[string]indexed         // by knowledge directory, without imported items
	read   map[string]*knowledge.Base // files, by directory
}

type indexed struct {
	loaded, base *knowledge.Base
	index        *search.Index
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

// files reads the knowledge directory dir (the embedded demo when dir
// is ""), without validating it; the result is kept for dir.
func (p *Parts) files(dir string) (*knowledge.Base, error) {
	if p != nil {
		p.mu.Lock()
		defer p.mu.Unlock()
		if b, ok := p.read[dir]; ok {
			return b, nil
		}
	}
	b, err := readKnowledge(dir)
	if err != nil {
		return nil, err
	}
	if p != nil {
		if p.read == nil {
			p.read = map[string]*knowledge.Base{}
		}
		p.read[dir] = b
	}
	return b, nil
}

// knowledge validates the loaded knowledge b of dir with the imported
// items, makes it what is served (serve) and indexes that; without
// imported items and web versions (fromFiles: b is dir's files as they
// are), the result is kept for dir. It returns the loaded knowledge (with
// every imported sheet), the served one and its index.
func (p *Parts) knowledge(dir string, b *knowledge.Base, fromFiles bool, imported []*knowledge.Item, serve func(*knowledge.Base) *knowledge.Base) (*knowledge.Base, *knowledge.Base, *search.Index, error) {
	shared := p != nil && len(imported) == 0 && fromFiles
	if shared {
		p.mu.Lock()
		defer p.mu.Unlock()
		if k, ok := p.dirs[dir]; ok {
			return k.loaded, k.base, k.index, nil
		}
	}
	loaded := b.WithItems(imported)
	if probs := knowledge.Validate(loaded); len(probs) > 0 {
		return nil, nil, nil, fmt.Errorf("%s has %d problem(s):\n%w", knowledgeName(dir), len(probs), probs)
	}
	base := serve(loaded)
	ix := search.New(base, search.Options{})
	if shared {
		if p.dirs == nil {
			p.dirs = map[string]indexed{}
		}
		p.dirs[dir] = indexed{loaded, base, ix}
	}
	return loaded, base, ix, nil
}

// OpenCore is app.OpenCore with the parts p already built (tests that
// open many Cores share the gazetteer and the demo's index).
func (p *Parts) OpenCore(ctx context.Context, cc CoreConfig, log *slog.Logger, now func() time.Time) (*Core, error) {
	return openCore(ctx, cc, log, now, p)
}
