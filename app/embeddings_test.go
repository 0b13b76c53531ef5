package app_test

import (
	"context"
	"errors"
	"hash/fnv"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/boussole/boussole/app"
	"github.com/boussole/boussole/bot/llm"
	"github.com/boussole/boussole/bot/store"
	"github.com/boussole/boussole/knowledge"
	"github.com/boussole/boussole/knowledge/analysis"
	"github.com/boussole/boussole/knowledge/search"
	"github.com/boussole/boussole/knowledge/vector"
)

// wordsEmbedder is a deterministic bag-of-words embedding (each folded
// word adds one to a dimension picked by its hash) with « taxman » taken
// as « impots », the one thing it knows that the lexical search does not.
// It counts the texts it is sent and fails once failAfter are.
type wordsEmbedder struct {
	dims      int
	mu        sync.Mutex
	texts     int
	failAfter int
}

func (w *wordsEmbedder) Embed(_ context.Context, texts []string) ([][]float32, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.failAfter > 0 && w.texts+len(texts) > w.failAfter {
		return nil, &llm.APIError{Status: 503}
	}
	w.texts += len(texts)
	out := make([][]float32, len(texts))
	for i, t := range texts {
		v := make([]float32, w.dims)
		for _, word := range analysis.Tokens(t) {
			if word == "taxman" {
				word = "impots"
			}
			h := fnv.New32a()
			h.Write([]byte(word))
			v[h.Sum32()%uint32(w.dims)]++
		}
		out[i] = v
	}
	return out, nil
}

func (w *wordsEmbedder) sent() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.texts
}

func embeddingItems() []*knowledge.Item {
	src := []string{"https://www.service-public.fr/"}
	return []*knowledge.Item{
		{ID: "cni", Kind: "procedure", Title: "Carte nationale d'identité", Summary: "Demander ou renouveler sa carte d'identité en mairie.", Sources: src},
		{ID: "impots", Kind: "procedure", Title: "Déclarer ses revenus", Summary: "Déclaration annuelle des impots sur le revenu, en ligne.", Sources: src},
		{ID: "vitale", Kind: "procedure", Title: "Carte Vitale", Summary: "Obtenir ou remplacer sa carte Vitale.", Sources: src},
	}
}

func openEmbeddingStore(t *testing.T) (*store.Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "boussole.db")
	now := func() time.Time { return time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC) }
	st, err := store.Open(context.Background(), path, store.Options{Clock: now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st, path
}

func TestRefreshEmbeddingsAndHybrid(t *testing.T) {
	ctx := context.Background()
	st, _ := openEmbeddingStore(t)
	items := embeddingItems()
	e := &wordsEmbedder{dims: 64}

	computed, kept, err := app.RefreshEmbeddings(ctx, st, e, "m1", items, nil)
	if err != nil || computed != 3 || kept != 0 {
		t.Fatalf("first refresh: computed %d, kept %d, %v", computed, kept, err)
	}
	// Nothing changed: nothing sent.
	before := e.sent()
	computed, kept, err = app.RefreshEmbeddings(ctx, st, e, "m1", items, nil)
	if err != nil || computed != 0 || kept != 3 || e.sent() != before {
		t.Fatalf("second refresh: computed %d, kept %d, sent %d more, %v", computed, kept, e.sent()-before, err)
	}
	// One changed, one gone: one computed, one deleted.
	items[0].Summary += " Sur rendez-vous."
	items = items[:2]
	computed, kept, err = app.RefreshEmbeddings(ctx, st, e, "m1", items, nil)
	if err != nil || computed != 1 || kept != 1 {
		t.Fatalf("third refresh: computed %d, kept %d, %v", computed, kept, err)
	}
	stored, err := st.Embeddings(ctx, "m1")
	if err != nil || len(stored) != 2 || stored["vitale"].ItemID != "" {
		t.Fatalf("stored %v, %v; want cni and impots only", slices.Collect(mapKeys(stored)), err)
	}

	// A caller builds the hybrid search around the lexical one.
	ix, err := app.LoadVectors(ctx, st, "m1")
	if err != nil || ix.Len() != 2 || ix.Dims() != 64 {
		t.Fatalf("LoadVectors: %v, %v", ix, err)
	}
	base := knowledge.NewBase(items, nil, nil)
	// A bag of words spreads a sheet over its dozen words: its
	// similarities are lower than a model's.
	fuse := vector.DefaultFuseOptions()
	fuse.MinSimilarity = 0.2
	h, err := llm.NewHybrid(search.New(base, search.Options{}), ix, e, llm.HybridOptions{
		Keep: func(id string) bool { _, ok := base.Item(id); return ok },
		Fuse: &fuse,
	})
	if err != nil {
		t.Fatal(err)
	}
	hits, err := h.Search(ctx, "taxman", 5)
	if err != nil || len(hits) != 1 || hits[0].ID != "impots" {
		t.Fatalf("taxman: %+v, %v", hits, err)
	}

	// Another model has its own vectors.
	if ix, err := app.LoadVectors(ctx, st, "m2"); err != nil || ix.Len() != 0 {
		t.Errorf("another model: %v, %v", ix, err)
	}
}

func mapKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

func TestRefreshEmbeddingsFailure(t *testing.T) {
	ctx := context.Background()
	st, _ := openEmbeddingStore(t)
	var items []*knowledge.Item
	for i := range 150 {
		items = append(items, &knowledge.Item{ID: "it" + string(rune('a'+i/26)) + string(rune('a'+i%26)), Title: "Fiche numéro " + string(rune('a'+i%26))})
	}
	// Stored before: two items, one of which the import no longer has.
	if err := st.SaveEmbeddings(ctx, "m", []store.Embedding{{ItemID: "gone", ContentHash: "h", Vector: make([]float32, 32)}}); err == nil {
		t.Fatal("a zero vector was saved")
	}
	if err := st.SaveEmbeddings(ctx, "m", []store.Embedding{{ItemID: "gone", ContentHash: "h", Vector: append(make([]float32, 31), 1)}}); err != nil {
		t.Fatal(err)
	}
	// The server fails on the third batch of 64.
	e := &wordsEmbedder{dims: 32, failAfter: 128}
	computed, _, err := app.RefreshEmbeddings(ctx, st, e, "m", items, nil)
	var apiErr *llm.APIError
	if !errors.As(err, &apiErr) || computed != 128 {
		t.Fatalf("computed %d, %v; want 128 and the server's error", computed, err)
	}
	stored, err := st.Embeddings(ctx, "m")
	if err != nil || len(stored) != 129 || stored["gone"].ItemID != "gone" {
		t.Fatalf("after a failure: %d stored (gone kept: %v), %v; want the 128 computed and nothing deleted", len(stored), stored["gone"].ItemID != "", err)
	}
	// Run again once the server is back: it resumes.
	e.failAfter = 0
	computed, kept, err := app.RefreshEmbeddings(ctx, st, e, "m", items, nil)
	if err != nil || computed != 22 || kept != 128 {
		t.Fatalf("resumed: computed %d, kept %d, %v", computed, kept, err)
	}
	if stored, _ := st.Embeddings(ctx, "m"); len(stored) != 150 {
		t.Errorf("%d stored after resuming, want 150 (gone deleted)", len(stored))
	}
}

func TestRefreshEmbeddingsModelResized(t *testing.T) {
	ctx := context.Background()
	st, _ := openEmbeddingStore(t)
	items := embeddingItems()
	if _, _, err := app.RefreshEmbeddings(ctx, st, &wordsEmbedder{dims: 16}, "m", items, nil); err != nil {
		t.Fatal(err)
	}
	// The same model name now answers 24 dimensions: one changed item
	// shows it, and every item is embedded again.
	items[1].Title += " en ligne"
	computed, kept, err := app.RefreshEmbeddings(ctx, st, &wordsEmbedder{dims: 24}, "m", items, nil)
	if err != nil || computed != 3 || kept != 0 {
		t.Fatalf("computed %d, kept %d, %v; want all 3 again", computed, kept, err)
	}
	ix, err := app.LoadVectors(ctx, st, "m")
	if err != nil || ix.Len() != 3 || ix.Dims() != 24 {
		t.Fatalf("LoadVectors: %d of %d dims, %v", ix.Len(), ix.Dims(), err)
	}
	// Rows of two sizes (a refresh that failed half-way after such a
	// change): the most common size is loaded.
	if err := st.SaveEmbeddings(ctx, "m", []store.Embedding{{ItemID: "odd", ContentHash: "h", Vector: []float32{1, 2}}}); err != nil {
		t.Fatal(err)
	}
	ix, err = app.LoadVectors(ctx, st, "m")
	if err != nil || ix.Len() != 3 || ix.Has("odd") {
		t.Fatalf("LoadVectors with an odd row: %d, %v", ix.Len(), err)
	}
}

func TestKnowledgeItems(t *testing.T) {
	ctx := context.Background()
	st, _ := openEmbeddingStore(t)
	demo, err := app.LoadKnowledge(ctx, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	sheet := &knowledge.Item{ID: "F99999", Kind: "procedure", Title: "Fiche importée", Sources: []string{"https://www.service-public.fr/"}}
	if _, err := st.ImportCatalogues(ctx, "service-public", []*knowledge.Item{sheet}, []store.Catalogue{{Name: "particuliers", Read: []string{"F99999"}}}, store.ImportOptions{MaxRetire: 1}); err != nil {
		t.Fatal(err)
	}
	items, err := app.KnowledgeItems(ctx, st, "")
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for _, it := range items {
		ids[it.ID] = true
	}
	if !ids["F99999"] || len(items) != len(demo.Items)+1 {
		t.Fatalf("%d items (imported sheet: %v), want the %d of the demo and the imported one", len(items), ids["F99999"], len(demo.Items))
	}
	for _, it := range demo.Items {
		if !ids[it.ID] {
			t.Errorf("demo item %s missing", it.ID)
		}
	}
}
