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

// Places imported from national exports follow the discipline of
// imported items (items.go), with one owner per place instead of a set
// of catalogues: a place belongs to the import source that last
// delivered it. A whole import of a source inserts new places, updates
// changed ones, leaves unchanged ones untouched and retires the source's
// places it lacks; other sources are never touched, except that a place
// now delivered by this source moves to it.

// PlaceImportOptions are the rules of a places import.
type PlaceImportOptions struct {
	// MaxRetire is the largest share of the source's current places an
	// import may retire: 0.10 lets it retire 10 %, 1 all of them, 0 none.
	// Above it, the import fails with a *RetireError and changes nothing.
	MaxRetire float64
	// Keep are the ids of places whose rows were malformed this time:
	// they keep their stored version and are not retired.
	Keep []string
	// Partial says the import also had malformed rows without an id: any
	// stored place may be one of them, so none is retired.
	Partial bool
}

// PlaceImportStats says what an import did to one source.
type PlaceImportStats struct {
	Source string
	// Imported are places seen for the first time, Updated those whose
	// content changed (or that came back after being retired), Unchanged
	// those left as they were, Retired those the source no longer has,
	// Kept the source's places whose rows were malformed (Keep), left
	// as they were.
	Imported, Updated, Unchanged, Retired, Kept int
	// Moved are places another source had delivered before, now this
	// one's (also counted as Updated or Unchanged).
	Moved int
	// Before and After count the source's current places.
	Before, After int
	// Partial: nothing was retired (see PlaceImportOptions.Partial).
	Partial bool
}

// storedPlace is a place as the database has it.
type storedPlace struct {
	source  string
	hash    string
	retired bool
}

// ImportPlaces stores a whole import of source in one transaction (in
// ctx's, under InTx: several sources then commit together or not at
// all). On any error nothing is changed; an import that would retire
// more than opts.MaxRetire of the source fails with a *RetireError.
func (s *Store) ImportPlaces(ctx context.Context, source string, ps []*knowledge.Place, opts PlaceImportOptions) (PlaceImportStats, error) {
	if !validCatalogue(source) {
		return PlaceImportStats{}, fmt.Errorf("import places: invalid source name %q", source)
	}
	read := make(map[string]bool, len(ps))
	for _, p := range ps {
		if p == nil || p.ID == "" {
			return PlaceImportStats{}, errors.New("import places: place without id")
		}
		if read[p.ID] {
			return PlaceImportStats{}, fmt.Errorf("import places: duplicate id %s", p.ID)
		}
		read[p.ID] = true
	}
	now := millis(s.now())
	var st PlaceImportStats
	err := s.write(ctx, func(tx *sql.Tx) error {
		var err error
		st, err = importPlacesTx(ctx, tx, now, source, ps, read, opts)
		return err
	})
	if err != nil {
		if re := (*RetireError)(nil); errors.As(err, &re) {
			return PlaceImportStats{}, err
		}
		return PlaceImportStats{}, fmt.Errorf("import places of %s: %w", source, err)
	}
	s.log.InfoContext(ctx, "store: places imported", "source", source, "new", st.Imported, "updated", st.Updated,
		"unchanged", st.Unchanged, "retired", st.Retired, "kept", st.Kept, "moved", st.Moved)
	return st, nil
}

// importPlacesTx is ImportPlaces' transaction: it reads what is stored,
// plans, checks the share retired, then writes.
func importPlacesTx(ctx context.Context, tx *sql.Tx, now int64, source string, ps []*knowledge.Place, read map[string]bool,
	opts PlaceImportOptions) (PlaceImportStats, error) {
	st := PlaceImportStats{Source: source, Partial: opts.Partial}
	// Every stored place: the import needs the source's to retire, and
	// any other's to tell a new place from one moving between sources.
	// One scan costs less than a lookup per place.
	have := map[string]storedPlace{}
	rows, err := tx.QueryContext(ctx, `SELECT id, source, hash, retired_at IS NOT NULL FROM places`)
	if err != nil {
		return st, err
	}
	for rows.Next() {
		var id string
		var c storedPlace
		if err := rows.Scan(&id, &c.source, &c.hash, &c.retired); err != nil {
			rows.Close()
			return st, err
		}
		have[id] = c
	}
	if err := rows.Close(); err != nil {
		return st, err
	}

	keep := make(map[string]bool, len(opts.Keep))
	for _, id := range opts.Keep {
		keep[id] = true
	}
	var retire []string
	for id, c := range have {
		if c.source != source || c.retired {
			continue
		}
		st.Before++
		switch {
		case read[id]:
		case keep[id]:
			st.Kept++
		case !opts.Partial:
			retire = append(retire, id)
		}
	}
	st.Retired = len(retire)
	st.After = st.Before - st.Retired
	if st.Retired > 0 && float64(st.Retired) > opts.MaxRetire*float64(st.Before) {
		return st, &RetireError{Max: opts.MaxRetire, What: "places of source",
			Over: []CatalogueStats{{Name: source, Before: st.Before, After: st.After, Retired: st.Retired}}}
	}

	upsert, err := tx.PrepareContext(ctx, `INSERT INTO places (id, source, hash, body_json, imported_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET source = excluded.source, hash = excluded.hash,
			body_json = excluded.body_json, updated_at = excluded.updated_at, retired_at = NULL`)
	if err != nil {
		return st, err
	}
	defer upsert.Close()
	move, err := tx.PrepareContext(ctx, `UPDATE places SET source = ? WHERE id = ?`)
	if err != nil {
		return st, err
	}
	defer move.Close()
	for _, p := range ps {
		body, hash, err := encodePlace(p)
		if err != nil {
			return st, err
		}
		c, ok := have[p.ID]
		moved := ok && !c.retired && c.source != source
		if moved {
			st.Moved++
		}
		if !ok || c.retired || c.source != source {
			st.After++
		}
		switch {
		case ok && !c.retired && c.hash == hash:
			st.Unchanged++
			if moved {
				if _, err := move.ExecContext(ctx, source, p.ID); err != nil {
					return st, fmt.Errorf("store %s: %w", p.ID, err)
				}
			}
			continue
		case ok:
			st.Updated++
		default:
			st.Imported++
		}
		if _, err := upsert.ExecContext(ctx, p.ID, source, hash, body, now, now); err != nil {
			return st, fmt.Errorf("store %s: %w", p.ID, err)
		}
	}
	ret, err := tx.PrepareContext(ctx, `UPDATE places SET retired_at = ?, updated_at = ? WHERE id = ?`)
	if err != nil {
		return st, err
	}
	defer ret.Close()
	for _, id := range retire {
		if _, err := ret.ExecContext(ctx, now, now, id); err != nil {
			return st, fmt.Errorf("retire %s: %w", id, err)
		}
	}
	return st, nil
}

// encodePlace returns the stored JSON of a place and its hash.
func encodePlace(p *knowledge.Place) (string, string, error) {
	body, err := json.Marshal(p)
	if err != nil {
		return "", "", fmt.Errorf("import places: encode %s: %w", p.ID, err)
	}
	sum := sha256.Sum256(body)
	return string(body), hex.EncodeToString(sum[:]), nil
}

// Places returns the current (not retired) imported places, ordered by
// id.
func (s *Store) Places(ctx context.Context) ([]*knowledge.Place, error) {
	return readBodies[knowledge.Place](ctx, s.reader(ctx), "places", `SELECT body_json FROM places WHERE retired_at IS NULL ORDER BY id`)
}
