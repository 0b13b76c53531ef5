package store

import (
	"cmp"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/boussole/boussole/knowledge"
)

// Catalogue is one catalogue taking part in an import. An origin may
// publish several (service-public.fr has one zip per audience), and
// importing one of them says nothing of the others: an item leaves a
// catalogue only when a whole import of that catalogue lacks it, and is
// retired only when it belongs to no catalogue any more.
type Catalogue struct {
	// Name, e.g. "associations": letters, digits, '.', '-' and '_'.
	Name string
	// Read are the ids of its sheets that were read: their items are in
	// the import.
	Read []string
	// Broken are the ids of its sheets that could not be read: they stay
	// in the catalogue and keep their stored version.
	Broken []string
	// Partial says it also holds unreadable sheets whose id is unknown:
	// any item may be one of them, so none leaves the catalogue.
	Partial bool
}

// ImportOptions are the rules of an import.
type ImportOptions struct {
	// MaxRetire is the largest share of a catalogue's current items an
	// import may retire: 0.10 lets it retire 10 %, 1 all of them, 0 none.
	// Above it, the import fails with a *RetireError and changes nothing.
	MaxRetire float64
	// Membership guesses the catalogues of an item stored before they
	// were recorded; nil, or no catalogue, means unknown: such an item is
	// never retired, only updated when read again.
	Membership func(*knowledge.Item) []string
	// Merge combines the stored version of an item with the one read now,
	// when the item stays in a catalogue that gave no readable copy of it
	// this time (one not imported, or where its sheet is broken); nil: the
	// read one replaces the stored one.
	Merge func(stored, read *knowledge.Item) *knowledge.Item
}

// ImportStats says what an import changed.
type ImportStats struct {
	// Imported are items seen for the first time, Updated those whose
	// content changed (or that came back after being retired), Unchanged
	// those left untouched, Retired those that belong to no catalogue any
	// more, Kept the stored items of broken sheets, left as they were.
	Imported, Updated, Unchanged, Retired, Kept int
	// Catalogues, in the order given.
	Catalogues []CatalogueStats
}

// CatalogueStats says what an import did to one catalogue.
type CatalogueStats struct {
	Name string
	// Before and After count its current items; Retired are those
	// retired because they left it.
	Before, After, Retired int
	// Partial: nothing left it (see Catalogue.Partial).
	Partial bool
}

// RetireError is returned when an import would retire more of a catalogue
// than ImportOptions.MaxRetire allows; nothing was changed.
type RetireError struct {
	Max float64
	// Over are the catalogues concerned.
	Over []CatalogueStats
	// What a catalogue holds, for the message: "items of catalogue" when
	// empty, "places of source" for places (places.go).
	What string
}

func (e *RetireError) Error() string {
	what := cmp.Or(e.What, "items of catalogue")
	parts := make([]string, len(e.Over))
	for i, c := range e.Over {
		parts[i] = fmt.Sprintf("would retire %d of the %d %s %s (%s), more than %s",
			c.Retired, c.Before, what, c.Name, percent(float64(c.Retired)/float64(c.Before)), percent(e.Max))
	}
	return strings.Join(parts, "; ")
}

// percent writes a share as a percentage with at most one decimal.
func percent(f float64) string {
	return strconv.FormatFloat(math.Round(1000*f)/10, 'f', -1, 64) + " %"
}

// The catalogues an item belongs to are recorded in its origin column,
// after the origin and a colon, sorted and comma-separated:
// "service-public:associations,particuliers"; a retired item belongs to
// none ("service-public:"). A bare origin ("service-public") is an item
// stored before catalogues were recorded.
func originColumn(origin string, cats map[string]bool) string {
	names := make([]string, 0, len(cats))
	for c := range cats {
		names = append(names, c)
	}
	slices.Sort(names)
	return origin + ":" + strings.Join(names, ",")
}

// validCatalogue reports whether name can be recorded in the origin column.
func validCatalogue(name string) bool {
	if name == "" || len(name) > 64 {
		return false
	}
	for _, r := range name {
		if !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '.' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// ImportCatalogues stores a whole import of the given catalogues of
// origin, in one transaction: new items are inserted, changed ones
// updated, unchanged ones left untouched. An item missing from a
// catalogue imported (and not Partial) leaves it; an item that belongs to
// no catalogue any more is retired (kept, but no longer served). Items of
// catalogues not imported, and broken sheets, are left as they were. An
// import that would retire more than opts.MaxRetire of a catalogue fails
// with a *RetireError; on any error nothing is changed.
func (s *Store) ImportCatalogues(ctx context.Context, origin string, items []*knowledge.Item, cats []Catalogue, opts ImportOptions) (ImportStats, error) {
	if origin == "" || strings.Contains(origin, ":") {
		return ImportStats{}, fmt.Errorf("import items: invalid origin %q", origin)
	}
	byID := make(map[string]*knowledge.Item, len(items))
	for _, it := range items {
		if it == nil || it.ID == "" {
			return ImportStats{}, errors.New("import items: item without id")
		}
		if byID[it.ID] != nil {
			return ImportStats{}, fmt.Errorf("import items: duplicate id %s", it.ID)
		}
		byID[it.ID] = it
	}
	if len(cats) == 0 {
		return ImportStats{}, errors.New("import items: no catalogue")
	}
	imported := make(map[string]*Catalogue, len(cats))
	holds := map[string]map[string]bool{} // id → catalogues of this import holding it
	good := map[string]map[string]bool{}  // id → catalogues of this import where it was read
	add := func(m map[string]map[string]bool, id, cat string) {
		if m[id] == nil {
			m[id] = map[string]bool{}
		}
		m[id][cat] = true
	}
	for i := range cats {
		c := &cats[i]
		if !validCatalogue(c.Name) {
			return ImportStats{}, fmt.Errorf("import items: invalid catalogue name %q", c.Name)
		}
		if imported[c.Name] != nil {
			return ImportStats{}, fmt.Errorf("import items: catalogue %s given twice", c.Name)
		}
		imported[c.Name] = c
		for _, id := range c.Read {
			if byID[id] == nil {
				return ImportStats{}, fmt.Errorf("import items: %s read from catalogue %s but not imported", id, c.Name)
			}
			add(holds, id, c.Name)
			add(good, id, c.Name)
		}
		for _, id := range c.Broken {
			add(holds, id, c.Name)
		}
	}
	for id := range byID {
		if good[id] == nil {
			return ImportStats{}, fmt.Errorf("import items: %s is in no catalogue", id)
		}
	}

	now := millis(s.now())
	var st ImportStats
	err := s.write(ctx, func(tx *sql.Tx) error {
		var err error
		st, err = importTx(ctx, tx, now, origin, byID, cats, imported, holds, good, opts)
		return err
	})
	if err != nil {
		var re *RetireError
		if errors.As(err, &re) {
			return ImportStats{}, err
		}
		return ImportStats{}, fmt.Errorf("import items of %s: %w", origin, err)
	}
	s.log.InfoContext(ctx, "store: items imported", "origin", origin, "new", st.Imported, "updated", st.Updated,
		"unchanged", st.Unchanged, "retired", st.Retired, "kept", st.Kept)
	return st, nil
}

// storedItem is an item of the origin as the database has it.
type storedItem struct {
	col     string // origin column
	hash    string
	retired bool
	known   bool            // its catalogues are recorded, or guessed
	cats    map[string]bool // its catalogues
}

// importTx is ImportCatalogues' transaction: it plans every change, checks
// the share retired, then writes.
func importTx(ctx context.Context, tx *sql.Tx, now int64, origin string, byID map[string]*knowledge.Item, cats []Catalogue,
	imported map[string]*Catalogue, holds, good map[string]map[string]bool, opts ImportOptions) (ImportStats, error) {
	var st ImportStats
	have := map[string]*storedItem{}
	rows, err := tx.QueryContext(ctx, `SELECT id, origin, hash, retired_at IS NOT NULL,
			CASE WHEN origin = ?1 AND retired_at IS NULL THEN body_json END
		FROM items WHERE origin = ?1 OR (origin >= ?2 AND origin < ?3)`, origin, origin+":", origin+";")
	if err != nil {
		return st, err
	}
	for rows.Next() {
		var id string
		var body sql.NullString
		c := &storedItem{cats: map[string]bool{}}
		if err := rows.Scan(&id, &c.col, &c.hash, &c.retired, &body); err != nil {
			rows.Close()
			return st, err
		}
		if list, ok := strings.CutPrefix(c.col, origin+":"); ok {
			c.known = true
			for _, name := range strings.Split(list, ",") {
				if name != "" {
					c.cats[name] = true
				}
			}
		} else if body.Valid && opts.Membership != nil {
			it := new(knowledge.Item)
			if err := json.Unmarshal([]byte(body.String), it); err != nil {
				rows.Close()
				return st, fmt.Errorf("decode %s: %w", id, err)
			}
			for _, name := range opts.Membership(it) {
				c.cats[name] = true
			}
			c.known = len(c.cats) > 0
		}
		have[id] = c
	}
	if err := rows.Close(); err != nil {
		return st, err
	}

	// Plan: the catalogues of every item after the import.
	before := map[string]int{}
	retiredBy := map[string]int{}
	after := map[string]map[string]bool{} // id → catalogues, for current items after the import
	var retire []string
	membership := func(id string, c *storedItem) map[string]bool {
		next := map[string]bool{}
		if c != nil && !c.retired && c.known {
			for name := range c.cats {
				if ic := imported[name]; ic == nil || ic.Partial || holds[id][name] {
					next[name] = true
				}
			}
		}
		for name := range holds[id] {
			next[name] = true
		}
		return next
	}
	for id, c := range have {
		if c.retired {
			continue
		}
		for name := range c.cats {
			if imported[name] != nil {
				before[name]++
			}
		}
		next := membership(id, c)
		if byID[id] == nil && holds[id] == nil && len(next) == 0 && c.known {
			retire = append(retire, id)
			st.Retired++
			for name := range c.cats {
				if imported[name] != nil {
					retiredBy[name]++
				}
			}
			continue
		}
		if byID[id] == nil && holds[id] != nil {
			st.Kept++
		}
		if !c.known && holds[id] == nil {
			continue // unknown catalogues, not in this import: left alone
		}
		after[id] = next
	}
	for id := range byID {
		if c := have[id]; c == nil || c.retired {
			after[id] = membership(id, nil)
		}
	}
	var over []CatalogueStats
	for _, c := range cats {
		cs := CatalogueStats{Name: c.Name, Before: before[c.Name], Retired: retiredBy[c.Name], Partial: c.Partial}
		for _, m := range after {
			if m[c.Name] {
				cs.After++
			}
		}
		st.Catalogues = append(st.Catalogues, cs)
		if cs.Retired > 0 && float64(cs.Retired) > opts.MaxRetire*float64(cs.Before) {
			over = append(over, cs)
		}
	}
	if len(over) > 0 {
		return st, &RetireError{Max: opts.MaxRetire, Over: over}
	}

	// Write.
	ins, err := tx.PrepareContext(ctx, `INSERT INTO items (id, origin, hash, body_json, imported_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET origin = excluded.origin, hash = excluded.hash,
			body_json = excluded.body_json, updated_at = excluded.updated_at, retired_at = NULL`)
	if err != nil {
		return st, err
	}
	defer ins.Close()
	setOrigin, err := tx.PrepareContext(ctx, `UPDATE items SET origin = ? WHERE id = ?`)
	if err != nil {
		return st, err
	}
	defer setOrigin.Close()
	for id, next := range after {
		col := originColumn(origin, next)
		c := have[id]
		it := byID[id]
		if it == nil {
			if col != c.col {
				if _, err := setOrigin.ExecContext(ctx, col, id); err != nil {
					return st, fmt.Errorf("store %s: %w", id, err)
				}
			}
			continue
		}
		if c != nil && !c.retired && opts.Merge != nil && !subset(next, good[id]) {
			var stored string
			if err := tx.QueryRowContext(ctx, `SELECT body_json FROM items WHERE id = ?`, id).Scan(&stored); err != nil {
				return st, fmt.Errorf("read %s: %w", id, err)
			}
			old := new(knowledge.Item)
			if err := json.Unmarshal([]byte(stored), old); err != nil {
				return st, fmt.Errorf("decode %s: %w", id, err)
			}
			it = opts.Merge(old, it)
		}
		body, hash, err := encodeItem(it)
		if err != nil {
			return st, err
		}
		switch {
		case c != nil && !c.retired && c.hash == hash:
			st.Unchanged++
			if col != c.col {
				if _, err := setOrigin.ExecContext(ctx, col, id); err != nil {
					return st, fmt.Errorf("store %s: %w", id, err)
				}
			}
			continue
		case c != nil:
			st.Updated++
		default:
			st.Imported++
		}
		if _, err := ins.ExecContext(ctx, id, col, hash, string(body), now, now); err != nil {
			return st, fmt.Errorf("store %s: %w", id, err)
		}
	}
	ret, err := tx.PrepareContext(ctx, `UPDATE items SET retired_at = ?, updated_at = ?, origin = ? WHERE id = ?`)
	if err != nil {
		return st, err
	}
	defer ret.Close()
	for _, id := range retire {
		if _, err := ret.ExecContext(ctx, now, now, origin+":", id); err != nil {
			return st, fmt.Errorf("retire %s: %w", id, err)
		}
	}
	return st, nil
}

// subset reports whether every key of a is in b.
func subset(a, b map[string]bool) bool {
	for k := range a {
		if !b[k] {
			return false
		}
	}
	return true
}

// encodeItem returns the stored JSON of an item (without its file
// position) and its hash.
func encodeItem(it *knowledge.Item) ([]byte, string, error) {
	c := *it
	c.Pos = knowledge.Pos{}
	body, err := json.Marshal(&c)
	if err != nil {
		return nil, "", fmt.Errorf("import items: encode %s: %w", it.ID, err)
	}
	sum := sha256.Sum256(body)
	return body, hex.EncodeToString(sum[:]), nil
}

// Items returns the current (not retired) imported items, ordered by id.
func (s *Store) Items(ctx context.Context) ([]*knowledge.Item, error) {
	return readBodies[knowledge.Item](ctx, s.rdb, "items", `SELECT body_json FROM items WHERE retired_at IS NULL ORDER BY id`)
}

// readBodies decodes the JSON body of each row query returns (imported
// items, places); what names them in errors.
func readBodies[T any](ctx context.Context, q queryer, what, query string) ([]*T, error) {
	rows, err := q.QueryContext(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", what, err)
	}
	defer rows.Close()
	var out []*T
	for rows.Next() {
		var body []byte
		if err := rows.Scan(&body); err != nil {
			return nil, fmt.Errorf("read %s: %w", what, err)
		}
		v := new(T)
		if err := json.Unmarshal(body, v); err != nil {
			return nil, fmt.Errorf("read %s: decode: %w", what, err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", what, err)
	}
	return out, nil
}
