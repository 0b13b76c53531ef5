package app

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/boussole/boussole/bot"
	"github.com/boussole/boussole/bot/engine"
	"github.com/boussole/boussole/bot/store"
	"github.com/boussole/boussole/knowledge"
	"github.com/boussole/boussole/knowledge/search"
)

// Preview is a throw-away engine over a draft of the knowledge: the real
// engine, the Core's catalogue, danger layer, gazetteer and places, on a
// scratch database of its own, so that an admin trying a draft never
// touches the production conversations, cases or outbox.
type Preview struct {
	eng *engine.Engine
	st  *store.Store
	dir string
}

// Preview builds a preview engine for b (a draft: the knowledge in force
// with a tree or an item changed) on a scratch database in a new folder
// under dir ("" : the system's temporary folder), removed by Close. now is
// its clock (nil: the Core's; a conversation test sets its own instant).
func (c *Core) Preview(ctx context.Context, b *knowledge.Base, dir string, now func() time.Time) (*Preview, error) {
	if now == nil {
		now = c.Now
	}
	tmp, err := os.MkdirTemp(dir, "boussole-preview-")
	if err != nil {
		return nil, fmt.Errorf("preview: %w", err)
	}
	p := &Preview{dir: tmp}
	fail := func(err error) (*Preview, error) {
		_ = p.Close()
		return nil, fmt.Errorf("preview: %w", err)
	}
	// The preview's own database: its log says nothing to the
	// production log (a draft's conversations are the admin's tries).
	if p.st, err = store.Open(ctx, filepath.Join(tmp, "preview.db"), store.Options{Clock: now}); err != nil {
		return fail(err)
	}
	served := ServedKnowledge(b, now(), c.staleMonths, slog.New(slog.DiscardHandler))
	ix := c.Library.indexFor(b, served)
	if p.eng, err = engine.New(ctx, c.engineCfg, engine.Deps{Store: p.st, Catalog: c.Catalog, Now: now, Knowledge: served,
		Searcher: ix, Danger: c.danger, Places: c.gaz, Towns: c.gaz, Nearby: c.nearby}); err != nil {
		return fail(err)
	}
	return p, nil
}

// Respond hands one message to the preview's engine and returns every
// reply it sends (to the person, and to mediators' channels when the
// draft escalates).
func (p *Preview) Respond(ctx context.Context, in bot.Incoming) ([]bot.Reply, error) {
	return p.eng.Respond(ctx, in)
}

// Close removes the scratch database.
func (p *Preview) Close() error {
	var err error
	if p.st != nil {
		err = p.st.Close()
	}
	return cmp.Or(err, os.RemoveAll(p.dir))
}

// indexFor is the search index of draft (served as served): the index in
// force when the draft's items and synonym groups are those in force and
// its trees have the same titles and triggers (all that search.New reads
// of a base), so that trying a tree on the whole catalogue costs no
// re-indexing (BenchmarkPreview: a few milliseconds instead of a second);
// a new index otherwise.
func (l *Library) indexFor(draft, served *knowledge.Base) *search.Index {
	// Both under mu: a reload stores them together, and an index paired
	// with the other revision's base would answer from the wrong items.
	l.mu.Lock()
	ix, cur := l.index, l.loaded.Load()
	l.mu.Unlock()
	if cur != nil && ix != nil && sameItems(cur.Items, draft.Items) &&
		sameTreeHeads(cur.Trees, draft.Trees) && slices.EqualFunc(cur.Synonyms, draft.Synonyms, slices.Equal) {
		return ix
	}
	return search.New(served, search.Options{})
}

func sameItems(a, b []*knowledge.Item) bool {
	return slices.Equal(a, b) // the same item values, shared by WithTree
}

func sameTreeHeads(a, b []*knowledge.Tree) bool {
	return slices.EqualFunc(a, b, func(x, y *knowledge.Tree) bool {
		return x.ID == y.ID && x.Title == y.Title && slices.Equal(x.Triggers, y.Triggers)
	})
}
