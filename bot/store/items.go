package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/boussole/boussole/knowledge"
)

// ImportStats says what an import changed.
type ImportStats struct {
	// Imported are items seen for the first time, Updated those whose
	// content changed (or that came back after being retired), Unchanged
	// those left untouched, Retired those of the same origin absent from
	// this import.
	Imported, Updated, Unchanged, Retired int
}

// ImportItems makes items the current content of origin, in one
// transaction: new items are inserted, changed ones updated, unchanged ones
// left untouched, and items of that origin missing from the list retired
// (kept, but no longer served). An import is the whole catalogue.
func (s *Store) ImportItems(ctx context.Context, origin string, items []*knowledge.Item) (ImportStats, error) {
	var st ImportStats
	if origin == "" {
		return st, errors.New("import items: empty origin")
	}
	type encoded struct {
		id, hash string
		body     []byte
	}
	enc := make([]encoded, 0, len(items))
	seen := make(map[string]bool, len(items))
	for _, it := range items {
		if it == nil || it.ID == "" {
			return st, errors.New("import items: item without id")
		}
		if seen[it.ID] {
			return st, fmt.Errorf("import items: duplicate id %s", it.ID)
		}
		seen[it.ID] = true
		c := *it
		c.Pos = knowledge.Pos{}
		body, err := json.Marshal(&c)
		if err != nil {
			return st, fmt.Errorf("import items: encode %s: %w", it.ID, err)
		}
		sum := sha256.Sum256(body)
		enc = append(enc, encoded{it.ID, hex.EncodeToString(sum[:]), body})
	}
	now := millis(s.now())
	err := s.write(ctx, func(tx *sql.Tx) error {
		st = ImportStats{}
		type current struct {
			hash    string
			retired bool
		}
		have := map[string]current{}
		rows, err := tx.QueryContext(ctx, `SELECT id, hash, retired_at IS NOT NULL FROM items WHERE origin = ?`, origin)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id string
			var c current
			if err := rows.Scan(&id, &c.hash, &c.retired); err != nil {
				rows.Close()
				return err
			}
			have[id] = c
		}
		if err := rows.Close(); err != nil {
			return err
		}
		ins, err := tx.PrepareContext(ctx, `INSERT INTO items (id, origin, hash, body_json, imported_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET origin = excluded.origin, hash = excluded.hash,
				body_json = excluded.body_json, updated_at = excluded.updated_at, retired_at = NULL`)
		if err != nil {
			return err
		}
		defer ins.Close()
		for _, e := range enc {
			c, ok := have[e.id]
			switch {
			case ok && c.hash == e.hash && !c.retired:
				st.Unchanged++
				continue
			case ok:
				st.Updated++
			default:
				st.Imported++
			}
			if _, err := ins.ExecContext(ctx, e.id, origin, e.hash, string(e.body), now, now); err != nil {
				return fmt.Errorf("store %s: %w", e.id, err)
			}
		}
		ret, err := tx.PrepareContext(ctx, `UPDATE items SET retired_at = ?, updated_at = ? WHERE id = ?`)
		if err != nil {
			return err
		}
		defer ret.Close()
		for id, c := range have {
			if seen[id] || c.retired {
				continue
			}
			if _, err := ret.ExecContext(ctx, now, now, id); err != nil {
				return fmt.Errorf("retire %s: %w", id, err)
			}
			st.Retired++
		}
		return nil
	})
	if err != nil {
		return ImportStats{}, fmt.Errorf("import items of %s: %w", origin, err)
	}
	s.log.InfoContext(ctx, "store: items imported", "origin", origin, "new", st.Imported, "updated", st.Updated, "unchanged", st.Unchanged, "retired", st.Retired)
	return st, nil
}

// Items returns the current (not retired) imported items, ordered by id.
func (s *Store) Items(ctx context.Context) ([]*knowledge.Item, error) {
	rows, err := s.rdb.QueryContext(ctx, `SELECT body_json FROM items WHERE retired_at IS NULL ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("read items: %w", err)
	}
	defer rows.Close()
	var out []*knowledge.Item
	for rows.Next() {
		var body []byte
		if err := rows.Scan(&body); err != nil {
			return nil, fmt.Errorf("read items: %w", err)
		}
		it := new(knowledge.Item)
		if err := json.Unmarshal(body, it); err != nil {
			return nil, fmt.Errorf("read items: decode: %w", err)
		}
		out = append(out, it)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read items: %w", err)
	}
	return out, nil
}
