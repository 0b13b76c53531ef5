package app

import (
	"context"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/boussole/boussole/bot/engine"
	"github.com/boussole/boussole/knowledge/search"

	"github.com/boussole/boussole/bot/llm"
	"github.com/boussole/boussole/bot/store"
	"github.com/boussole/boussole/knowledge"
	"github.com/boussole/boussole/knowledge/vector"
)

// Item embeddings (optional: an llm section with an embeddings model).
// The import computes them for the items whose text changed and stores
// them (RefreshEmbeddings); a core loads them (LoadVectors) and completes
// its lexical search with them (llm.NewHybrid). Without a model, nothing
// of this runs and the search is the lexical one.

// RefreshEmbeddings embeds, with e's embedding model named model, the items
// whose text is new or changed since their stored embedding, stores the
// new vectors and deletes those of items no longer in items, in one
// transaction. It returns how many vectors it computed and how many
// stored ones still fit. When the model fails part-way, the vectors
// computed before the failure are stored (they are good: a run again
// resumes from there), nothing is deleted, and the error is returned.
// When the stored vectors have another dimension than the model's now (a
// model changed under the same name), every item is embedded again.
//
// items should be every item of the knowledge (lib.Base().Items: imported
// sheets and hand-written items alike); e is usually the llm.Client.
func RefreshEmbeddings(ctx context.Context, st *store.Store, e llm.Embedder, model string, items []*knowledge.Item, log *slog.Logger) (computed, kept int, err error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if model == "" {
		return 0, 0, fmt.Errorf("refresh embeddings: no embedding model name")
	}
	stored, err := st.Embeddings(ctx, model)
	if err != nil {
		return 0, 0, fmt.Errorf("refresh embeddings: %w", err)
	}
	have := make(map[string]string, len(stored))
	for id, s := range stored {
		have[id] = s.ContentHash
	}
	dims, _ := mostDims(stored)
	progress := func(done, total int) {
		log.Debug("embeddings computed", "model", model, "done", done, "total", total)
	}
	// Each batch is bounded: a server that hangs stops the refresh (the
	// next one resumes) instead of holding an import or serve's start.
	e = batchTimeout{e, embedBatchTimeout}
	vecs, kept, rerr := llm.Refresh(ctx, e, items, have, llm.DefaultBatch, progress)
	if rerr == nil && len(vecs) > 0 && dims != 0 && len(vecs[0].Vector) != dims {
		log.Warn("the embedding model's vectors changed size: every item is embedded again", "model", model, "stored_dims", dims, "dims", len(vecs[0].Vector))
		vecs, kept, rerr = llm.Refresh(ctx, e, items, nil, llm.DefaultBatch, progress)
	}
	save := make([]store.Embedding, len(vecs))
	for i, v := range vecs {
		save[i] = store.Embedding{ItemID: v.ItemID, ContentHash: v.Hash, Vector: v.Vector}
	}
	ids := make([]string, 0, len(items))
	for _, it := range items {
		if it != nil {
			ids = append(ids, it.ID)
		}
	}
	deleted := 0
	err = st.InTx(ctx, func(ctx context.Context) error {
		if err := st.SaveEmbeddings(ctx, model, save); err != nil {
			return err
		}
		if rerr != nil {
			return nil
		}
		n, err := st.DeleteEmbeddingsExcept(ctx, model, ids)
		deleted = n
		return err
	})
	if err != nil {
		// The context may be what failed both: say the model's error too.
		if rerr != nil {
			err = fmt.Errorf("%w (and %w)", rerr, err)
		}
		return 0, kept, fmt.Errorf("refresh embeddings: %w", err)
	}
	if rerr != nil {
		return len(vecs), kept, fmt.Errorf("refresh embeddings: %d computed and stored before: %w", len(vecs), rerr)
	}
	log.Info("embeddings refreshed", "model", model, "computed", len(vecs), "kept", kept, "deleted", deleted)
	return len(vecs), kept, nil
}

// LoadVectors returns the stored embeddings of model as an index (empty
// when there are none: the caller then keeps the lexical search alone).
// Stored vectors of a size other than the most common one (left by a
// model changed under the same name, until the next import replaces
// them) are left out.
func LoadVectors(ctx context.Context, st *store.Store, model string) (*vector.Index, error) {
	stored, err := st.Embeddings(ctx, model)
	if err != nil {
		return nil, fmt.Errorf("load embeddings: %w", err)
	}
	dims, _ := mostDims(stored)
	vecs := make(map[string][]float32, len(stored))
	for id, s := range stored {
		if len(s.Vector) == dims {
			vecs[id] = s.Vector
		}
	}
	ix, err := vector.New(vecs)
	if err != nil {
		return nil, fmt.Errorf("load embeddings of %s: %w", model, err)
	}
	return ix, nil
}

// mostDims is the most common vector size among stored embeddings (the
// larger on a tie) and how many have it.
func mostDims(stored map[string]store.Embedding) (dims, n int) {
	count := map[int]int{}
	for _, s := range stored {
		count[len(s.Vector)]++
	}
	for d, c := range count {
		if c > n || c == n && d > dims {
			dims, n = d, c
		}
	}
	return dims, n
}

// KnowledgeItems are every item of the knowledge in force, as a core
// would load it: the hand-written items of dir (the embedded demo when
// dir is empty), replaced or completed by their versions published on the
// web, and the sheets imported into st. It is what RefreshEmbeddings must
// be given outside a running core (the import command): given fewer
// items, it would delete the embeddings of the others. The files are not
// validated here; the core does that when it loads them.
func KnowledgeItems(ctx context.Context, st *store.Store, dir string) ([]*knowledge.Item, error) {
	files, err := readKnowledge(dir)
	if err != nil {
		return nil, err
	}
	imported, err := st.Items(ctx)
	if err != nil {
		return nil, err
	}
	lv, err := readLatest(ctx, st)
	if err != nil {
		return nil, err
	}
	b, _ := compose(files, lv, imported)
	return b.Items, nil
}

// embeddings are a core's item vectors, when the model has an
// embeddings model: loaded at start, completed by Refresh (serve, for
// items published on the web since the last import).
type embeddings struct {
	model *Model
	st    *store.Store
	log   *slog.Logger
	vecs  atomic.Pointer[vector.Index]
}

// on reports whether embeddings are configured.
func (e *embeddings) on() bool { return e.model != nil && e.model.EmbeddingsModel != "" }

// load reads the stored vectors.
func (e *embeddings) load(ctx context.Context) error {
	if !e.on() {
		return nil
	}
	v, err := LoadVectors(ctx, e.st, e.model.EmbeddingsModel)
	if err != nil {
		return err
	}
	e.vecs.Store(v)
	if v.Len() == 0 {
		e.log.Warn("no item embeddings stored yet: run boussole import (or serve computes them at start)", "model", e.model.EmbeddingsModel)
	}
	return nil
}

// searcher is the search the engine asks for served: the word search ix,
// fused with the item vectors when there are some. A query's embedding
// goes through the turn's memo and the model's guard; any failure leaves
// the word search's hits.
func (e *embeddings) searcher(served *knowledge.Base, ix *search.Index) engine.Searcher {
	v := e.vecs.Load()
	if !e.on() || v == nil || v.Len() == 0 {
		return ix
	}
	h, err := llm.NewHybrid(ix, v, e.model.Guard, llm.HybridOptions{Log: e.log,
		Keep: func(id string) bool { _, ok := served.Item(id); return ok }})
	if err != nil {
		e.log.Warn("embeddings not used", "err", err)
		return ix
	}
	return h
}

// RefreshEmbeddings embeds the items in force that have no vector yet or
// changed (published on the web since the last import), stores them and
// serves the knowledge again with them. Without embeddings it does
// nothing.
func (c *Core) RefreshEmbeddings(ctx context.Context) error {
	e := c.emb
	if e == nil || !e.on() {
		return nil
	}
	computed, kept, err := RefreshEmbeddings(ctx, c.Store, e.model.Client, e.model.EmbeddingsModel, c.Library.Base().Items, c.Log)
	if err != nil {
		return err
	}
	c.Log.Info("item embeddings", "model", e.model.EmbeddingsModel, "computed", computed, "unchanged", kept)
	if computed == 0 && e.vecs.Load() != nil && e.vecs.Load().Len() > 0 {
		return nil
	}
	if err := e.load(ctx); err != nil {
		return err
	}
	return c.Library.Reload(ctx, true)
}

// embedBatchTimeout bounds one batch of item embeddings (64 texts): far
// more than a working server needs, far less than forever.
const embedBatchTimeout = 2 * time.Minute

// batchTimeout bounds each call of an Embedder.
type batchTimeout struct {
	e llm.Embedder
	d time.Duration
}

func (b batchTimeout) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	ctx, cancel := context.WithTimeout(ctx, b.d)
	defer cancel()
	return b.e.Embed(ctx, texts)
}
