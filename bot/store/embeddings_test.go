package store

import (
	"context"
	"errors"
	"math"
	"path/filepath"
	"slices"
	"testing"
)

func TestEmbeddingsRoundTrip(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "b.db")
	s, err := Open(ctx, path, Options{Clock: fixedClock})
	if err != nil {
		t.Fatal(err)
	}
	tiny := float32(math.SmallestNonzeroFloat32)
	saved := []Embedding{
		{ItemID: "F1342", ContentHash: "h1", Vector: []float32{1, -0.5, tiny, 3.25e7}},
		{ItemID: "cni-perte", ContentHash: "h2", Vector: []float32{0, 0, 1, 0}},
	}
	if err := s.SaveEmbeddings(ctx, "bge-m3", saved); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveEmbeddings(ctx, "other", []Embedding{{ItemID: "F1342", ContentHash: "x", Vector: []float32{9, 9}}}); err != nil {
		t.Fatal(err)
	}
	// Reopened: what was committed is on disk.
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = Open(ctx, path, Options{Clock: fixedClock})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got, err := s.Embeddings(ctx, "bge-m3")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("%d embeddings, want 2: %v", len(got), got)
	}
	for _, e := range saved {
		g := got[e.ItemID]
		if g.ItemID != e.ItemID || g.ContentHash != e.ContentHash || !slices.Equal(g.Vector, e.Vector) {
			t.Errorf("%s: got %+v, want %+v", e.ItemID, g, e)
		}
	}
	// The bytes are little-endian float32, as the migration says.
	var blob []byte
	if err := s.rdb.QueryRow(`SELECT vector FROM item_embeddings WHERE item_id = 'F1342' AND model = 'bge-m3'`).Scan(&blob); err != nil {
		t.Fatal(err)
	}
	if want := []byte{0, 0, 0x80, 0x3f}; !slices.Equal(blob[:4], want) { // 1.0
		t.Errorf("first component stored as % x, want % x", blob[:4], want)
	}
	other, err := s.Embeddings(ctx, "other")
	if err != nil || len(other) != 1 || !slices.Equal(other["F1342"].Vector, []float32{9, 9}) {
		t.Errorf("the other model's embeddings: %v, %v", other, err)
	}

	// Upsert: a changed item replaces its vector and hash, dimension too.
	if err := s.SaveEmbeddings(ctx, "bge-m3", []Embedding{{ItemID: "F1342", ContentHash: "h1b", Vector: []float32{2, 2}}}); err != nil {
		t.Fatal(err)
	}
	got, _ = s.Embeddings(ctx, "bge-m3")
	if g := got["F1342"]; g.ContentHash != "h1b" || !slices.Equal(g.Vector, []float32{2, 2}) || len(got) != 2 {
		t.Errorf("after update: %+v (%d rows)", g, len(got))
	}

	// Items gone lose theirs, for this model only.
	n, err := s.DeleteEmbeddingsExcept(ctx, "bge-m3", []string{"cni-perte", "never-embedded"})
	if err != nil || n != 1 {
		t.Fatalf("deleted %d, %v; want 1", n, err)
	}
	got, _ = s.Embeddings(ctx, "bge-m3")
	if _, ok := got["F1342"]; ok || len(got) != 1 {
		t.Errorf("after delete: %v", got)
	}
	if other, _ := s.Embeddings(ctx, "other"); len(other) != 1 {
		t.Errorf("the other model lost its embeddings: %v", other)
	}
	if none, err := s.Embeddings(ctx, "unknown"); err != nil || len(none) != 0 {
		t.Errorf("unknown model: %v, %v", none, err)
	}
}

func TestSaveEmbeddingsAllOrNothing(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "b.db"), Options{Clock: fixedClock})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	good := Embedding{ItemID: "a", ContentHash: "h", Vector: []float32{1}}
	for name, bad := range map[string]Embedding{
		"no id":     {ContentHash: "h", Vector: []float32{1}},
		"no hash":   {ItemID: "b", Vector: []float32{1}},
		"no vector": {ItemID: "b", ContentHash: "h"},
		"NaN":       {ItemID: "b", ContentHash: "h", Vector: []float32{float32(math.NaN())}},
		"zero":      {ItemID: "b", ContentHash: "h", Vector: []float32{0, 0}},
	} {
		if err := s.SaveEmbeddings(ctx, "m", []Embedding{good, bad}); err == nil {
			t.Errorf("%s: saved", name)
		}
	}
	if err := s.SaveEmbeddings(ctx, "", []Embedding{good}); err == nil {
		t.Error("saved without a model name")
	}
	// A failure inside the transaction (here: the caller's transaction
	// fails after saving) leaves nothing either.
	boom := errors.New("boom")
	err = s.InTx(ctx, func(ctx context.Context) error {
		if err := s.SaveEmbeddings(ctx, "m", []Embedding{good}); err != nil {
			return err
		}
		if _, err := s.DeleteEmbeddingsExcept(ctx, "m", nil); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("InTx: %v", err)
	}
	if got, err := s.Embeddings(ctx, "m"); err != nil || len(got) != 0 {
		t.Errorf("after failed saves: %v, %v", got, err)
	}
}

func TestEmbeddingsRejectsTruncatedRow(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "b.db"), Options{Clock: fixedClock})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.wdb.Exec(`INSERT INTO item_embeddings VALUES ('a', 'm', 'h', 3, x'0000803f')`); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Embeddings(ctx, "m"); err == nil {
		t.Error("a row of 4 bytes for 3 dimensions was read")
	}
}
