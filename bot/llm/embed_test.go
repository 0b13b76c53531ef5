package llm_test

import (
	"context"
	"errors"
	"hash/fnv"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/boussole/boussole/bot/answer"
	"github.com/boussole/boussole/bot/llm"
	"github.com/boussole/boussole/knowledge"
	"github.com/boussole/boussole/knowledge/analysis"
	"github.com/boussole/boussole/knowledge/search"
	"github.com/boussole/boussole/knowledge/vector"
)

// concepts stand for what an embedding model knows and the lexical
// search does not: « taxman » is about declaring one's income, a
// « wallet » stolen is about identity papers.
var concepts = map[string]int{
	"declarer": 0, "declaration": 0, "revenus": 0, "impots": 0, "taxman": 0,
	"carte": 1, "identite": 1, "wallet": 1, "papiers": 1,
	"depot": 2, "garantie": 2, "bailleur": 2, "caution": 2,
}

const conceptDims, dims = 3, 16

// conceptEmbed is a deterministic embedding: one dimension per concept
// word, and the other words hashed, lightly, into the rest, so unrelated
// texts are far apart but not orthogonal.
func conceptEmbed(text string) []float32 {
	v := make([]float32, dims)
	for _, w := range analysis.Tokens(text) {
		if d, ok := concepts[w]; ok {
			v[d]++
			continue
		}
		if analysis.IsStopWord(w) {
			continue
		}
		h := fnv.New32a()
		h.Write([]byte(w))
		v[conceptDims+int(h.Sum32()%(dims-conceptDims))] += 0.3
	}
	return v
}

// fakeEmbedder embeds with conceptEmbed, records what it was sent, and
// fails when fail is set.
type fakeEmbedder struct {
	mu    sync.Mutex
	calls [][]string
	fail  error
	// resize changes the vectors' size (a model swapped).
	resize int
}

func (f *fakeEmbedder) Embed(_ context.Context, texts []string) ([][]float32, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, slices.Clone(texts))
	if f.fail != nil {
		return nil, f.fail
	}
	out := make([][]float32, len(texts))
	for i, t := range texts {
		out[i] = conceptEmbed(t)
		if f.resize > 0 {
			out[i] = append(out[i], make([]float32, f.resize)...)
		}
	}
	return out, nil
}

func (f *fakeEmbedder) sent() [][]string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.calls)
}

func testItems() []*knowledge.Item {
	src := []string{"https://www.service-public.fr/"}
	return []*knowledge.Item{
		{ID: "cni", Kind: "procedure", Title: "Carte nationale d'identité", Summary: "Demander ou renouveler sa carte d'identité en mairie.", Sources: src},
		{ID: "depot-garantie", Kind: "procedure", Title: "Récupérer le dépôt de garantie", Summary: "Le bailleur restitue le dépôt de garantie après l'état des lieux de sortie.", Keywords: []string{"caution"}, Sources: src},
		{ID: "impots", Kind: "procedure", Title: "Déclarer ses revenus", Summary: "La déclaration de revenus se fait en ligne chaque printemps.", Sources: src},
	}
}

// hybrid builds the lexical index of items and a Hybrid over the vectors
// Refresh computes for them.
func hybrid(t *testing.T, e llm.Embedder, o llm.HybridOptions) (*search.Index, *llm.Hybrid) {
	t.Helper()
	items := testItems()
	vecs, _, err := llm.Refresh(context.Background(), &fakeEmbedder{}, items, nil, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	m := map[string][]float32{}
	for _, v := range vecs {
		m[v.ItemID] = v.Vector
	}
	ix, err := vector.New(m)
	if err != nil {
		t.Fatal(err)
	}
	lex := search.New(knowledge.NewBase(items, nil, nil), search.Options{})
	h, err := llm.NewHybrid(lex, ix, e, o)
	if err != nil {
		t.Fatal(err)
	}
	return lex, h
}

func hitIDs(hits []knowledge.Hit) string {
	s := make([]string, len(hits))
	for i, h := range hits {
		s[i] = h.ID
	}
	return strings.Join(s, " ")
}

func TestHybridFindsByMeaning(t *testing.T) {
	ctx := context.Background()
	lex, h := hybrid(t, &fakeEmbedder{}, llm.HybridOptions{})
	// The lexical search knows no « taxman ».
	if hits, err := lex.Search(ctx, "taxman", 5); err != nil || len(hits) != 0 {
		t.Fatalf("the lexical search found %v, %v: pick another word", hits, err)
	}
	hits, err := h.Search(ctx, "taxman", 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) != 1 || hits[0].ID != "impots" || hits[0].Kind != knowledge.HitItem {
		t.Fatalf("hits %+v, want the income declaration only", hits)
	}
	if !strings.HasPrefix(hits[0].Why[0], "embeddings only: rank 1") {
		t.Errorf("Why %q", hits[0].Why)
	}
	// The answer policy offers it, and does not answer it as if sure.
	sure, offered := answer.DefaultPolicy().Decide(hits)
	if sure || len(offered) != 1 || offered[0].ID != "impots" {
		t.Errorf("Decide: answer %v, offered %+v; want offered, not answered", sure, offered)
	}

	// A greeting is near nothing: nothing is offered for it.
	if hits, err := h.Search(ctx, "bonjour", 5); err != nil || len(hits) != 0 {
		t.Errorf("bonjour: %+v, %v", hits, err)
	}

	// Words both searches understand: the lexical first stays first and
	// is answered.
	hits, err = h.Search(ctx, "carte d'identité", 5)
	if err != nil || len(hits) == 0 || hits[0].ID != "cni" {
		t.Fatalf("carte d'identité: %+v, %v", hits, err)
	}
	if sure, _ := answer.DefaultPolicy().Decide(hits); !sure {
		t.Errorf("carte d'identité not answered: %+v", hits)
	}
	if !slices.ContainsFunc(hits[0].Why, func(w string) bool { return strings.HasPrefix(w, "embeddings rank 1") }) {
		t.Errorf("Why %q does not say the embeddings agree", hits[0].Why)
	}
}

func TestHybridKeep(t *testing.T) {
	_, h := hybrid(t, &fakeEmbedder{}, llm.HybridOptions{Keep: func(id string) bool { return id != "impots" }})
	if hits, err := h.Search(context.Background(), "taxman", 5); err != nil || len(hits) != 0 {
		t.Errorf("an item not served was found: %+v, %v", hits, err)
	}
}

func TestHybridUnderMemo(t *testing.T) {
	f := &fakeEmbedder{}
	lex, h := hybrid(t, f, llm.HybridOptions{})
	m := llm.NewMemo()
	ctx := llm.WithMemo(context.Background(), m)
	want, _ := lex.Search(ctx, "wallet carte", 5)

	// Inside a turn: the call is recorded, not made, and the lexical hits
	// come back as they are.
	hits, err := h.Search(ctx, "wallet carte", 5)
	if err != nil {
		t.Fatal(err)
	}
	if hitIDs(hits) != hitIDs(want) || len(hits) != 1 {
		t.Fatalf("before Resolve: %s, want the lexical %s", hitIDs(hits), hitIDs(want))
	}
	if m.Pending() != 1 || len(f.sent()) != 0 {
		t.Fatalf("pending %d, calls %d; want 1 pending and no call", m.Pending(), len(f.sent()))
	}
	m.Resolve(context.Background())
	if len(f.sent()) != 1 {
		t.Fatalf("%d calls after Resolve, want 1", len(f.sent()))
	}
	hits, err = h.Search(ctx, "wallet carte", 5)
	if err != nil {
		t.Fatal(err)
	}
	if hits[0].ID != "cni" || !slices.ContainsFunc(hits[0].Why, func(w string) bool { return strings.HasPrefix(w, "embeddings rank 1") }) {
		t.Errorf("after Resolve: %+v", hits)
	}
	if m.Pending() != 0 || len(f.sent()) != 1 {
		t.Errorf("the second run called the model again: pending %d, calls %d", m.Pending(), len(f.sent()))
	}
}

func TestHybridFallsBackToLexical(t *testing.T) {
	ctx := context.Background()
	for name, f := range map[string]*fakeEmbedder{
		"server error":    {fail: &llm.APIError{Status: 503}},
		"unavailable":     {fail: llm.ErrUnavailable},
		"model swapped":   {resize: 8},
		"no response":     {fail: llm.ErrNoResponse},
		"context timeout": {fail: context.DeadlineExceeded},
	} {
		t.Run(name, func(t *testing.T) {
			lex, h := hybrid(t, f, llm.HybridOptions{})
			for _, q := range []string{"taxman", "dépôt de garantie"} {
				want, _ := lex.Search(ctx, q, 5)
				got, err := h.Search(ctx, q, 5)
				if err != nil {
					t.Fatalf("%s: %v", q, err)
				}
				if !slices.EqualFunc(got, want, func(a, b knowledge.Hit) bool { return a.ID == b.ID && slices.Equal(a.Why, b.Why) }) {
					t.Errorf("%s: %+v, want the lexical %+v", q, got, want)
				}
			}
			if len(f.sent()) == 0 {
				t.Error("the embedder was not asked")
			}
		})
	}
}

// failingSearch is a lexical search that fails (a remote index down).
type failingSearch struct{}

func (failingSearch) Search(context.Context, string, int) ([]knowledge.Hit, error) {
	return nil, errors.New("index down")
}

func TestHybridLexicalErrorIsAnError(t *testing.T) {
	ix, _ := vector.New(map[string][]float32{"a": {1}})
	h, err := llm.NewHybrid(failingSearch{}, ix, &fakeEmbedder{}, llm.HybridOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.Search(context.Background(), "x", 5); err == nil {
		t.Error("a failing lexical search gave no error")
	}
	if _, err := llm.NewHybrid(nil, ix, &fakeEmbedder{}, llm.HybridOptions{}); err == nil {
		t.Error("NewHybrid without a lexical search")
	}
}

func TestHybridMasksTheQuery(t *testing.T) {
	f := &fakeEmbedder{}
	_, h := hybrid(t, f, llm.HybridOptions{})
	if _, err := h.Search(context.Background(), "taxman, appelez-moi au 06 12 34 56 78 ou jean.dupont@example.fr", 5); err != nil {
		t.Fatal(err)
	}
	sent := f.sent()
	if len(sent) != 1 || len(sent[0]) != 1 {
		t.Fatalf("sent %q", sent)
	}
	if q := sent[0][0]; strings.Contains(q, "56 78") || strings.Contains(q, "@") || !strings.Contains(q, "taxman") {
		t.Errorf("sent %q: personal data not masked", q)
	}
}

func TestRefreshEmbedsOnlyWhatChanged(t *testing.T) {
	ctx := context.Background()
	items := testItems()
	f := &fakeEmbedder{}
	var progress [][2]int
	vecs, kept, err := llm.Refresh(ctx, f, items, nil, 2, func(done, total int) { progress = append(progress, [2]int{done, total}) })
	if err != nil || kept != 0 || len(vecs) != 3 {
		t.Fatalf("first run: %d vectors, kept %d, %v", len(vecs), kept, err)
	}
	if calls := f.sent(); len(calls) != 2 || len(calls[0]) != 2 || len(calls[1]) != 1 {
		t.Errorf("batches %v, want 2 then 1", calls)
	}
	if !slices.Equal(progress, [][2]int{{2, 3}, {3, 3}}) {
		t.Errorf("progress %v", progress)
	}
	have := map[string]string{}
	for _, v := range vecs {
		if v.Hash != llm.ContentHash(llm.ItemText(itemByID(items, v.ItemID))) {
			t.Errorf("%s: hash %s", v.ItemID, v.Hash)
		}
		have[v.ItemID] = v.Hash
	}
	items[1].Summary += " Sous deux mois."
	items = append(items, &knowledge.Item{ID: "new", Title: "Nouvelle fiche"}, &knowledge.Item{ID: "empty"})
	f2 := &fakeEmbedder{}
	vecs, kept, err = llm.Refresh(ctx, f2, items, have, 0, nil)
	if err != nil || kept != 2 {
		t.Fatalf("second run: kept %d, %v", kept, err)
	}
	if got := []string{vecs[0].ItemID, vecs[1].ItemID}; len(vecs) != 2 || !slices.Equal(got, []string{"depot-garantie", "new"}) {
		t.Errorf("second run computed %v", vecs)
	}
	if calls := f2.sent(); len(calls) != 1 {
		t.Errorf("second run: %d calls, want 1", len(calls))
	}
}

func itemByID(items []*knowledge.Item, id string) *knowledge.Item {
	for _, it := range items {
		if it.ID == id {
			return it
		}
	}
	return nil
}

// wrongEmbedder answers with what its function returns.
type wrongEmbedder func(texts []string) [][]float32

func (f wrongEmbedder) Embed(_ context.Context, texts []string) ([][]float32, error) {
	return f(texts), nil
}

func TestRefreshRejectsBadAnswers(t *testing.T) {
	ctx := context.Background()
	items := testItems()
	for name, e := range map[string]wrongEmbedder{
		"too few":     func(t []string) [][]float32 { return make([][]float32, len(t)-1) },
		"empty":       func(t []string) [][]float32 { return make([][]float32, len(t)) },
		"zero":        func(t []string) [][]float32 { return [][]float32{{0, 0}, {0, 0}, {0, 0}} },
		"mixed sizes": func(t []string) [][]float32 { return [][]float32{{1, 0}, {1, 0, 0}, {1, 0}} },
	} {
		t.Run(name, func(t *testing.T) {
			if _, _, err := llm.Refresh(ctx, e, items, nil, 10, nil); !errors.Is(err, llm.ErrNoResponse) {
				t.Errorf("got %v, want ErrNoResponse", err)
			}
		})
	}
	// A failure half-way returns the vectors computed before it.
	calls := 0
	half := wrongEmbedder(func(t []string) [][]float32 {
		calls++
		if calls > 1 {
			return nil
		}
		out := make([][]float32, len(t))
		for i := range out {
			out[i] = []float32{1, 2}
		}
		return out
	})
	vecs, _, err := llm.Refresh(ctx, half, items, nil, 2, nil)
	if err == nil || len(vecs) != 2 {
		t.Errorf("half-way failure: %d vectors, %v; want 2 and an error", len(vecs), err)
	}
}

func TestItemText(t *testing.T) {
	it := &knowledge.Item{ID: "x", Title: "Carte  d'identité", TitleEN: "Identity card", Summary: "En mairie.\n", Keywords: []string{"cni", "papiers"}, Synonyms: []string{"carte nationale"},
		Steps: []string{"never embedded"}, Body: "never embedded either"}
	want := "Carte d'identité\nIdentity card\nEn mairie.\nMots-clés : cni, papiers\nSynonymes : carte nationale"
	if got := llm.ItemText(it); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	long := &knowledge.Item{ID: "y", Title: "Titre", Summary: strings.Repeat("é mot ", 1000)}
	got := llm.ItemText(long)
	if len(got) > 2000 || len(got) < 1600 || !strings.HasPrefix(got, "Titre\n") || strings.HasSuffix(got, " ") {
		t.Errorf("long text cut to %d bytes: …%q", len(got), got[max(0, len(got)-20):])
	}
	if !utf8Valid(got) {
		t.Error("cut inside a character")
	}
	if llm.ItemText(nil) != "" || llm.ItemText(&knowledge.Item{ID: "z"}) != "" {
		t.Error("an item without text has text")
	}
	if llm.ContentHash("a") == llm.ContentHash("b") || len(llm.ContentHash("a")) != 64 {
		t.Error("ContentHash")
	}
}

func utf8Valid(s string) bool { return strings.ToValidUTF8(s, "\uFFFD") == s }
