package llm

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"strings"
	"unicode/utf8"

	"github.com/boussole/boussole/bot/pii"
	"github.com/boussole/boussole/knowledge"
	"github.com/boussole/boussole/knowledge/vector"
)

// Embeddings: each item's text is embedded once, at import (Refresh), and
// stored with the hash of that text; at each search the query is embedded
// (through the turn's Memo, so never inside its transaction) and the
// nearest items are fused with the lexical hits (Hybrid). Without a
// model, or when it fails, the search is the lexical one, unchanged.

// Embedder turns texts into vectors, one per text, in order. Client is
// one.
type Embedder interface {
	Embed(ctx context.Context, texts []string) ([][]float32, error)
}

// maxItemText bounds the text embedded for an item, in bytes: a sheet is
// told by its name, summary and words, and the rest (the steps, the body)
// would drown them, and cost tokens, at every import.
const maxItemText = 2000

// ItemText is what is embedded for an item: its titles, summary, keywords
// and synonyms, at most maxItemText bytes, cut between words.
func ItemText(it *knowledge.Item) string {
	if it == nil {
		return ""
	}
	var b strings.Builder
	line := func(prefix, s string) {
		s = strings.Join(strings.Fields(s), " ")
		if s == "" {
			return
		}
		if b.Len() > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(prefix)
		b.WriteString(s)
	}
	line("", it.Title)
	if it.TitleEN != it.Title {
		line("", it.TitleEN)
	}
	line("", it.Summary)
	line("Mots-clés : ", strings.Join(it.Keywords, ", "))
	line("Synonymes : ", strings.Join(it.Synonyms, ", "))
	return cut(b.String(), maxItemText)
}

// cut returns s cut to at most n bytes, at a space when there is one in
// the last fifth, never inside a character.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = s[:n]
	for !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	if i := strings.LastIndexAny(s, " \n"); i > n*4/5 {
		s = s[:i]
	}
	return s
}

// ContentHash identifies an embedded text: a stored vector whose hash is
// the item's ContentHash(ItemText(it)) is still good.
func ContentHash(text string) string {
	sum := sha256.Sum256([]byte(text))
	return hex.EncodeToString(sum[:])
}

// ItemVector is an item's embedding and the hash of the text embedded.
type ItemVector struct {
	ItemID string
	Hash   string
	Vector []float32
}

// DefaultBatch is how many texts Refresh sends per call: few enough for
// any server's request limit, enough that 7,000 sheets take about a
// hundred calls.
const DefaultBatch = 64

// Refresh embeds the items whose text is new or changed: those not in
// have (item id → hash of the text stored), or with another hash. It
// sends batch texts per call (DefaultBatch when batch ≤ 0) and reports
// after each call with progress (may be nil): done and total count the
// items to embed. It returns the new vectors and how many items kept
// theirs. On an error it returns the vectors computed so far with it:
// they are good, and storing them lets the next run resume. Every vector
// must have the same, non-zero dimension and finite components.
func Refresh(ctx context.Context, e Embedder, items []*knowledge.Item, have map[string]string, batch int, progress func(done, total int)) (computed []ItemVector, kept int, err error) {
	if batch <= 0 {
		batch = DefaultBatch
	}
	type todo struct{ id, text, hash string }
	var work []todo
	seen := map[string]bool{}
	for _, it := range items {
		if it == nil || it.ID == "" || seen[it.ID] {
			continue
		}
		seen[it.ID] = true
		text := ItemText(it)
		if text == "" {
			continue
		}
		h := ContentHash(text)
		if have[it.ID] == h {
			kept++
			continue
		}
		work = append(work, todo{it.ID, text, h})
	}
	dims := 0
	for start := 0; start < len(work); start += batch {
		if err := ctx.Err(); err != nil {
			return computed, kept, fmt.Errorf("embed items: %w", err)
		}
		part := work[start:min(start+batch, len(work))]
		texts := make([]string, len(part))
		for i, w := range part {
			texts[i] = w.text
		}
		vecs, err := e.Embed(ctx, texts)
		if err != nil {
			return computed, kept, fmt.Errorf("embed items %d–%d of %d: %w", start+1, start+len(part), len(work), err)
		}
		if len(vecs) != len(part) {
			return computed, kept, fmt.Errorf("embed items: %d vectors for %d texts: %w", len(vecs), len(part), ErrNoResponse)
		}
		for i, v := range vecs {
			if dims == 0 {
				dims = len(v)
			}
			if err := checkVector(v, dims); err != nil {
				return computed, kept, fmt.Errorf("embed items: %s: %w", part[i].id, err)
			}
			computed = append(computed, ItemVector{ItemID: part[i].id, Hash: part[i].hash, Vector: v})
		}
		if progress != nil {
			progress(len(computed), len(work))
		}
	}
	return computed, kept, nil
}

// checkVector accepts a vector of dims finite components, not all zero.
func checkVector(v []float32, dims int) error {
	if len(v) == 0 || len(v) != dims {
		return fmt.Errorf("vector of %d dimensions, want %d: %w", len(v), dims, ErrNoResponse)
	}
	zero := true
	for _, x := range v {
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			return fmt.Errorf("non-finite component: %w", ErrNoResponse)
		}
		zero = zero && x == 0
	}
	if zero {
		return fmt.Errorf("zero vector: %w", ErrNoResponse)
	}
	return nil
}

// Searcher is the lexical search Hybrid completes (knowledge/search.Index).
type Searcher interface {
	Search(ctx context.Context, query string, k int) ([]knowledge.Hit, error)
}

// HybridOptions tune a Hybrid.
type HybridOptions struct {
	// Keep says which item ids may be hits: those of the knowledge
	// served now (stored vectors may outlive an item, or belong to an
	// imported sheet a hand-written item replaces). nil keeps every
	// item that has a vector.
	Keep func(id string) bool
	// Fuse says how far an item found by meaning alone is trusted; nil
	// is vector.DefaultFuseOptions().
	Fuse *vector.FuseOptions
	// Log gets why the embeddings were not used (never the query); nil
	// discards.
	Log *slog.Logger
}

// Hybrid is the lexical search completed by embeddings: the query is
// embedded, its nearest items found in the index, and the two lists fused
// by reciprocal rank (vector.Fuse). It satisfies the engine's Searcher.
// Whenever the embedding is not there — recorded for later under a Memo,
// the server down, an answer of the wrong size — it returns the lexical
// hits unchanged: the model never fails a search. It is safe for
// concurrent use.
type Hybrid struct {
	lexical Searcher
	index   *vector.Index
	embed   Embedder
	keep    func(string) bool
	fuse    vector.FuseOptions
	log     *slog.Logger
}

// NewHybrid returns lexical completed by the vectors of index, queries
// being embedded by e (usually a Guard around the Client, with the same
// embedding model as the vectors).
func NewHybrid(lexical Searcher, index *vector.Index, e Embedder, o HybridOptions) (*Hybrid, error) {
	if lexical == nil || index == nil || e == nil {
		return nil, errors.New("new hybrid search: a lexical search, an index and an embedder are required")
	}
	h := &Hybrid{lexical: lexical, index: index, embed: e, keep: o.Keep, fuse: vector.DefaultFuseOptions(), log: o.Log}
	if o.Fuse != nil {
		h.fuse = *o.Fuse
	}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	return h, nil
}

// embedKeyPrefix starts the Memo key of a query's embedding.
const embedKeyPrefix = "embed:"

// Search returns up to k hits: the lexical ones fused with the items
// nearest to the query's embedding. Only a failure of the lexical search
// is an error. The query leaves for the server masked (bot/pii).
func (h *Hybrid) Search(ctx context.Context, query string, k int) ([]knowledge.Hit, error) {
	lex, err := h.lexical.Search(ctx, query, k)
	if err != nil || k <= 0 || h.index.Len() == 0 {
		return lex, err
	}
	q := strings.Join(strings.Fields(pii.Mask(query)), " ")
	if q == "" {
		return lex, nil
	}
	v, err := Do(ctx, embedKeyPrefix+q, func(ctx context.Context) ([]float32, error) {
		vs, err := h.embed.Embed(ctx, []string{q})
		if err != nil {
			return nil, err
		}
		if len(vs) != 1 {
			return nil, fmt.Errorf("embed query: %d vectors for 1 text: %w", len(vs), ErrNoResponse)
		}
		return vs[0], nil
	})
	switch {
	case errors.Is(err, ErrPending):
		// Recorded: the engine resolves it outside the transaction and
		// runs the turn again, which then finds it.
		return lex, nil
	case errors.Is(err, ErrUnavailable):
		h.log.DebugContext(ctx, "embeddings not used", "err", err)
		return lex, nil
	case err != nil:
		// The error may quote the server, which may echo the (masked)
		// query: at debug only.
		h.log.DebugContext(ctx, "embeddings not used: the query was not embedded", "err", err)
		return lex, nil
	}
	if err := checkVector(v, h.index.Dims()); err != nil {
		h.log.WarnContext(ctx, "embeddings not used: the query's vector does not fit the stored ones (embedding model changed? run the import again)",
			"err", err, "stored_dims", h.index.Dims())
		return lex, nil
	}
	return vector.Fuse(lex, h.index.Nearest(v, k, h.keep), k, h.fuse), nil
}
