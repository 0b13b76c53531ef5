package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/boussole/boussole/knowledge"
)

// TreeVersionInfo describes one published version of a tree.
type TreeVersionInfo struct {
	Version     int
	Hash        string // hex sha256 of the stored JSON
	PublishedAt time.Time
	// Author is the admin account that published it ("" from files).
	Author string
	// Message says why (the admin's words).
	Message string
	// Source is SourceFile or SourceWeb.
	Source string
}

// ItemVersionInfo describes one published version of a hand-written item.
type ItemVersionInfo struct {
	Version     int
	Hash        string
	PublishedAt time.Time
	Author      string
	Message     string
	Source      string
	// Deleted says this version removed the item.
	Deleted bool
}

// Where a published version came from.
const (
	// SourceFile is a knowledge directory (or the embedded demo) read at
	// start.
	SourceFile = "file"
	// SourceWeb is the web admin.
	SourceWeb = "web"
)

// PublishTree stores t as version latest+1 unless the latest version has
// the same content, and returns the version in force. Content is the JSON
// of t without file positions, so the same tree loaded from a reformatted
// file does not make a new version. Publishing a tree identical to an
// older (not the latest) version makes a new version: that is a rollback.
// The version is recorded as read from a file (SourceFile).
func (s *Store) PublishTree(ctx context.Context, t *knowledge.Tree) (int, error) {
	v, _, err := s.PublishTreeAs(ctx, t, Publication{Source: SourceFile})
	return v, err
}

// Publication says who publishes a version, why, and from where.
type Publication struct {
	Author  string
	Message string
	// Source is SourceFile or SourceWeb ("" means SourceFile).
	Source string
}

// PublishTreeAs is PublishTree recording p with the version; it also
// says whether a new version was made, and when one was, moves the
// knowledge revision every running process watches.
func (s *Store) PublishTreeAs(ctx context.Context, t *knowledge.Tree, p Publication) (int, bool, error) {
	if t == nil || t.ID == "" {
		return 0, false, errors.New("publish tree: tree without id")
	}
	body, err := json.Marshal(withoutPositions(t))
	if err != nil {
		return 0, false, fmt.Errorf("publish tree %s: encode: %w", t.ID, err)
	}
	sum := sha256.Sum256(body)
	hash := hex.EncodeToString(sum[:])
	now := s.now()
	if p.Source == "" {
		p.Source = SourceFile
	}

	var version int
	created := false
	err = s.write(ctx, func(tx *sql.Tx) error {
		created = false
		// Replicas starting together publish the same files: one at a
		// time, so the second finds the first's version.
		if err := s.lockKey(ctx, tx, "tree\x00"+t.ID); err != nil {
			return err
		}
		var (
			latest     int
			latestHash string
		)
		err := tx.QueryRowContext(ctx, `SELECT version, hash FROM tree_versions
			WHERE tree_id = ? ORDER BY version DESC LIMIT 1`, t.ID).Scan(&latest, &latestHash)
		switch {
		case err == nil && latestHash == hash:
			version = latest
			return nil
		case err != nil && !errors.Is(err, sql.ErrNoRows):
			return err
		}
		version = latest + 1
		created = true
		if _, err = tx.ExecContext(ctx, `INSERT INTO tree_versions
			(tree_id, version, hash, body_json, published_at, author, message, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			t.ID, version, hash, string(body), millis(now), p.Author, p.Message, p.Source); err != nil {
			return err
		}
		return bumpRevision(ctx, tx)
	})
	if err != nil {
		return 0, false, fmt.Errorf("publish tree %s: %w", t.ID, err)
	}
	if created {
		// Files are published in bulk at start (said once by the
		// caller); a web publication is an event of its own.
		lvl := slog.LevelDebug
		if p.Source == SourceWeb {
			lvl = slog.LevelInfo
		}
		s.log.Log(ctx, lvl, "store: tree published", "tree", t.ID, "version", version, "source", p.Source)
	}
	return version, created, nil
}

// TreeVersion returns a published version of a tree, or an error wrapping
// ErrNotFound. Versions are immutable and cached: callers share the
// returned tree and must not modify it.
func (s *Store) TreeVersion(ctx context.Context, id string, version int) (*knowledge.Tree, error) {
	key := treeKey{id, version}
	if t, ok := s.trees.get(key); ok {
		return t, nil
	}
	var body, hash string
	err := s.retry(ctx, func() error {
		return s.reader(ctx).QueryRowContext(ctx, `SELECT body_json, hash FROM tree_versions
			WHERE tree_id = ? AND version = ?`, id, version).Scan(&body, &hash)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("load tree %s version %d: %w", id, version, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("load tree %s version %d: %w", id, version, err)
	}
	if sum := sha256.Sum256([]byte(body)); hex.EncodeToString(sum[:]) != hash {
		return nil, fmt.Errorf("load tree %s version %d: %w: content does not match its hash", id, version, ErrCorrupt)
	}
	t := new(knowledge.Tree)
	if err := json.Unmarshal([]byte(body), t); err != nil {
		return nil, fmt.Errorf("decode tree %s version %d: %w", id, version, err)
	}
	if txFrom(ctx) == nil {
		// Read inside a transaction, the version may yet be rolled back.
		s.trees.put(key, t)
	}
	return t, nil
}

// LatestTreeVersion returns the newest published version of a tree, or an
// error wrapping ErrNotFound if it was never published.
func (s *Store) LatestTreeVersion(ctx context.Context, id string) (int, error) {
	var v sql.NullInt64
	err := s.retry(ctx, func() error {
		return s.reader(ctx).QueryRowContext(ctx, `SELECT MAX(version) FROM tree_versions WHERE tree_id = ?`, id).Scan(&v)
	})
	if err != nil {
		return 0, fmt.Errorf("load latest version of tree %s: %w", id, err)
	}
	if !v.Valid {
		return 0, fmt.Errorf("load latest version of tree %s: %w", id, ErrNotFound)
	}
	return int(v.Int64), nil
}

// TreeHistory lists the published versions of a tree, oldest first; it is
// empty for a tree never published.
func (s *Store) TreeHistory(ctx context.Context, id string) ([]TreeVersionInfo, error) {
	var out []TreeVersionInfo
	err := s.retry(ctx, func() error {
		out = out[:0]
		rows, err := s.reader(ctx).QueryContext(ctx, `SELECT version, hash, published_at, author, message, source FROM tree_versions
			WHERE tree_id = ? ORDER BY version`, id)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var (
				v  TreeVersionInfo
				at int64
			)
			if err := rows.Scan(&v.Version, &v.Hash, &at, &v.Author, &v.Message, &v.Source); err != nil {
				return err
			}
			v.PublishedAt = fromMillis(at)
			out = append(out, v)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("load history of tree %s: %w", id, err)
	}
	return out, nil
}

// withoutPositions returns a copy of t with every knowledge.Pos cleared:
// positions describe the draft file, not the published content.
func withoutPositions(t *knowledge.Tree) *knowledge.Tree {
	c := *t
	c.Pos = knowledge.Pos{}
	if t.Nodes != nil {
		c.Nodes = make(map[string]*knowledge.Node, len(t.Nodes))
		for id, n := range t.Nodes {
			if n == nil {
				c.Nodes[id] = nil
				continue
			}
			nc := *n
			nc.Pos = knowledge.Pos{}
			if n.Choices != nil {
				nc.Choices = make([]knowledge.Choice, len(n.Choices))
				for i, ch := range n.Choices {
					ch.Pos = knowledge.Pos{}
					nc.Choices[i] = ch
				}
			}
			c.Nodes[id] = &nc
		}
	}
	return &c
}
