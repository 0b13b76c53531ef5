package app_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/boussole/boussole/app"
	"github.com/boussole/boussole/bot/llm"
	"github.com/boussole/boussole/bot/llm/llmtest"
	"github.com/boussole/boussole/bot/llm/openai"
	"github.com/boussole/boussole/knowledge"
	"github.com/boussole/boussole/knowledge/search"
	"github.com/boussole/boussole/knowledge/vector"
)

// TestEmbeddingsOverHTTP runs the whole path against a fake
// OpenAI-compatible server on 127.0.0.1: the import's refresh, the
// vectors loaded from the database, and a search inside a turn (under a
// Memo) that first gets the lexical hits, then, once the call is made,
// the sheet found by meaning.
func TestEmbeddingsOverHTTP(t *testing.T) {
	ctx := context.Background()
	hash := llmtest.HashEmbed(64)
	// The model's one piece of knowledge the lexical search lacks.
	embed := func(s string) []float32 { return hash(strings.ReplaceAll(s, "taxman", "impots")) }
	srv := llmtest.New(t, llmtest.WithKey("sk-test"), llmtest.WithEmbed(llmtest.EmbedWith(embed)))
	defer srv.Close()
	client, err := openai.New(openai.Config{BaseURL: srv.BaseURL(), Model: "chat", EmbeddingsModel: "bge-m3", APIKey: "sk-test"}, srv.Client())
	if err != nil {
		t.Fatal(err)
	}
	now := func() time.Time { return time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC) }
	guard := llm.NewGuard(client, llm.GuardConfig{}, now, nil)

	st, _ := openEmbeddingStore(t)
	items := embeddingItems()
	computed, kept, err := app.RefreshEmbeddings(ctx, st, client, "bge-m3", items, nil)
	if err != nil || computed != 3 || kept != 0 {
		t.Fatalf("refresh: computed %d, kept %d, %v", computed, kept, err)
	}
	if n := srv.Calls(llmtest.EmbeddingsPath); n != 1 {
		t.Fatalf("%d embeddings calls for 3 items, want 1", n)
	}
	ix, err := app.LoadVectors(ctx, st, "bge-m3")
	if err != nil || ix.Len() != 3 {
		t.Fatalf("LoadVectors: %v, %v", ix, err)
	}
	base := knowledge.NewBase(items, nil, nil)
	fuse := vector.DefaultFuseOptions()
	fuse.MinSimilarity = 0.2 // a bag of words spreads a sheet over its words
	h, err := llm.NewHybrid(search.New(base, search.Options{}), ix, guard, llm.HybridOptions{Fuse: &fuse})
	if err != nil {
		t.Fatal(err)
	}

	memo := llm.NewMemo()
	turn := llm.WithMemo(ctx, memo)
	const q = "taxman, rappelez-moi au 06 12 34 56 78"
	hits, err := h.Search(turn, q, 5)
	if err != nil || len(hits) != 0 || memo.Pending() != 1 || srv.Calls(llmtest.EmbeddingsPath) != 1 {
		t.Fatalf("inside the turn: %+v, %v, pending %d, calls %d", hits, err, memo.Pending(), srv.Calls(llmtest.EmbeddingsPath))
	}
	memo.Resolve(ctx)
	hits, err = h.Search(turn, q, 5)
	if err != nil || len(hits) != 1 || hits[0].ID != "impots" {
		t.Fatalf("after Resolve: %+v, %v", hits, err)
	}
	if srv.Calls(llmtest.EmbeddingsPath) != 2 || !srv.Sent("taxman") || srv.Sent("56 78") || srv.Sent("0612345678") {
		t.Errorf("calls %d; the phone number reached the server or the query did not", srv.Calls(llmtest.EmbeddingsPath))
	}

	// The server fails: the lexical hits, no error.
	srv.SetEmbed(func(llmtest.EmbedRequest) llmtest.Reply { return llmtest.ServerError() })
	hits, err = h.Search(ctx, "carte d'identité", 5)
	if err != nil || len(hits) == 0 || hits[0].ID != "cni" {
		t.Fatalf("server down: %+v, %v", hits, err)
	}
	for _, w := range hits[0].Why {
		if strings.HasPrefix(w, "embeddings") {
			t.Errorf("server down, yet %q", w)
		}
	}
}
