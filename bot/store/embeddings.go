package store

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// Embedding is the vector an embedding model gave for an item's text.
type Embedding struct {
	ItemID string
	// ContentHash identifies the text embedded (llm.ContentHash): when
	// an item's text hashes the same, its vector is still good.
	ContentHash string
	Vector      []float32
}

// Embeddings returns the stored embeddings of model, by item id.
func (s *Store) Embeddings(ctx context.Context, model string) (map[string]Embedding, error) {
	rows, err := s.reader(ctx).QueryContext(ctx,
		`SELECT item_id, content_hash, dims, vector FROM item_embeddings WHERE model = ?`, model)
	if err != nil {
		return nil, fmt.Errorf("read embeddings: %w", err)
	}
	defer rows.Close()
	out := map[string]Embedding{}
	for rows.Next() {
		var (
			e    Embedding
			dims int
			blob []byte
		)
		if err := rows.Scan(&e.ItemID, &e.ContentHash, &dims, &blob); err != nil {
			return nil, fmt.Errorf("read embeddings: %w", err)
		}
		if dims <= 0 || len(blob) != 4*dims {
			return nil, fmt.Errorf("read embeddings: %s (%s): %d bytes for %d dimensions", e.ItemID, model, len(blob), dims)
		}
		e.Vector = make([]float32, dims)
		for i := range e.Vector {
			e.Vector[i] = math.Float32frombits(binary.LittleEndian.Uint32(blob[4*i:]))
		}
		out[e.ItemID] = e
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read embeddings: %w", err)
	}
	return out, nil
}

// SaveEmbeddings stores embeddings of model, replacing those of the same
// items, in one transaction: on any error none is saved.
func (s *Store) SaveEmbeddings(ctx context.Context, model string, es []Embedding) error {
	if model == "" {
		return errors.New("save embeddings: no model name")
	}
	blobs := make([][]byte, len(es))
	for i, e := range es {
		if e.ItemID == "" || e.ContentHash == "" || len(e.Vector) == 0 {
			return fmt.Errorf("save embeddings: item %q: id, hash and vector are required", e.ItemID)
		}
		b := make([]byte, 4*len(e.Vector))
		zero := true
		for j, x := range e.Vector {
			if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
				return fmt.Errorf("save embeddings: item %s: component %d is not finite", e.ItemID, j)
			}
			zero = zero && x == 0
			binary.LittleEndian.PutUint32(b[4*j:], math.Float32bits(x))
		}
		if zero {
			// It has no direction: no similarity can be computed with it.
			return fmt.Errorf("save embeddings: item %s: zero vector", e.ItemID)
		}
		blobs[i] = b
	}
	err := s.write(ctx, func(tx *sql.Tx) error {
		st, err := tx.PrepareContext(ctx, `INSERT INTO item_embeddings (item_id, model, content_hash, dims, vector) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (item_id, model) DO UPDATE SET content_hash = excluded.content_hash, dims = excluded.dims, vector = excluded.vector`)
		if err != nil {
			return err
		}
		defer st.Close()
		for i, e := range es {
			if _, err := st.ExecContext(ctx, e.ItemID, model, e.ContentHash, len(e.Vector), blobs[i]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("save embeddings: %w", err)
	}
	return nil
}

// DeleteEmbeddingsExcept deletes the embeddings of model whose item is not
// in keep (items retired or removed), in one transaction, and returns how
// many it deleted.
func (s *Store) DeleteEmbeddingsExcept(ctx context.Context, model string, keep []string) (int, error) {
	want := make(map[string]bool, len(keep))
	for _, id := range keep {
		want[id] = true
	}
	n := 0
	err := s.write(ctx, func(tx *sql.Tx) error {
		n = 0
		rows, err := tx.QueryContext(ctx, `SELECT item_id FROM item_embeddings WHERE model = ?`, model)
		if err != nil {
			return err
		}
		var gone []string
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			if !want[id] {
				gone = append(gone, id)
			}
		}
		if err := errors.Join(rows.Err(), rows.Close()); err != nil {
			return err
		}
		for _, id := range gone {
			if _, err := tx.ExecContext(ctx, `DELETE FROM item_embeddings WHERE item_id = ? AND model = ?`, id, model); err != nil {
				return err
			}
		}
		n = len(gone)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("delete embeddings: %w", err)
	}
	return n, nil
}
