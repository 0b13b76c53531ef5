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

	"github.com/boussole/boussole/knowledge"
)

// bumpRevision moves the knowledge revision, in the publishing
// transaction: a process that reads the new revision finds the version.
func bumpRevision(ctx context.Context, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx, `UPDATE knowledge_revision SET rev = rev + 1 WHERE id = 1`)
	return err
}

// KnowledgeRevision is a number that moves each time a tree or item
// version is published: each running process compares it with the one it
// loaded and reloads the knowledge when it moved.
func (s *Store) KnowledgeRevision(ctx context.Context) (int64, error) {
	var rev int64
	err := s.retry(ctx, func() error {
		return s.reader(ctx).QueryRowContext(ctx, `SELECT rev FROM knowledge_revision WHERE id = 1`).Scan(&rev)
	})
	if err != nil {
		return 0, fmt.Errorf("read knowledge revision: %w", err)
	}
	return rev, nil
}

// LatestTree is the newest published version of a tree.
type LatestTree struct {
	Tree *knowledge.Tree
	Info TreeVersionInfo
}

// LatestTrees returns the newest version of every tree ever published,
// ordered by id.
func (s *Store) LatestTrees(ctx context.Context) ([]LatestTree, error) {
	var out []LatestTree
	err := s.retry(ctx, func() error {
		out = nil
		rows, err := s.reader(ctx).QueryContext(ctx, `SELECT v.tree_id, v.version, v.hash, v.body_json, v.published_at, v.author, v.message, v.source
			FROM tree_versions v
			WHERE v.version = (SELECT MAX(version) FROM tree_versions w WHERE w.tree_id = v.tree_id)
			ORDER BY v.tree_id`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var (
				id, body string
				at       int64
				l        LatestTree
			)
			if err := rows.Scan(&id, &l.Info.Version, &l.Info.Hash, &body, &at, &l.Info.Author, &l.Info.Message, &l.Info.Source); err != nil {
				return err
			}
			l.Info.PublishedAt = fromMillis(at)
			l.Tree = new(knowledge.Tree)
			if err := json.Unmarshal([]byte(body), l.Tree); err != nil {
				return fmt.Errorf("decode tree %s version %d: %w", id, l.Info.Version, err)
			}
			out = append(out, l)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("load latest trees: %w", err)
	}
	return out, nil
}

// TreeHash is the hash PublishTree gives t's content: equal hashes, same
// tree.
func TreeHash(t *knowledge.Tree) (string, error) {
	body, err := json.Marshal(withoutPositions(t))
	if err != nil {
		return "", fmt.Errorf("encode tree %s: %w", t.ID, err)
	}
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:]), nil
}

// ItemHash is the hash PublishItemAs gives it's content.
func ItemHash(it *knowledge.Item) (string, error) {
	_, h, err := encodeItem(it)
	return h, err
}

// PublishItemAs stores a hand-written item as version latest+1 unless the
// latest version has the same content (and is not a deletion); it
// returns the version in force and whether it was made, and moves the
// knowledge revision when it was.
func (s *Store) PublishItemAs(ctx context.Context, it *knowledge.Item, p Publication) (int, bool, error) {
	return s.putItemVersion(ctx, it, p, false)
}

// DeleteItemAs publishes the removal of a hand-written item: a version
// that keeps its last content, marked deleted.
func (s *Store) DeleteItemAs(ctx context.Context, it *knowledge.Item, p Publication) (int, bool, error) {
	return s.putItemVersion(ctx, it, p, true)
}

func (s *Store) putItemVersion(ctx context.Context, it *knowledge.Item, p Publication, deleted bool) (int, bool, error) {
	if it == nil || it.ID == "" {
		return 0, false, errors.New("publish item: item without id")
	}
	body, hash, err := encodeItem(it)
	if err != nil {
		return 0, false, err
	}
	if p.Source == "" {
		p.Source = SourceFile
	}
	now := s.now()
	var version int
	created := false
	err = s.write(ctx, func(tx *sql.Tx) error {
		created = false
		if err := s.lockKey(ctx, tx, "item\x00"+it.ID); err != nil {
			return err
		}
		var (
			latest     int
			latestHash string
			wasDeleted bool
		)
		err := tx.QueryRowContext(ctx, `SELECT version, hash, deleted FROM item_versions
			WHERE item_id = ? ORDER BY version DESC LIMIT 1`, it.ID).Scan(&latest, &latestHash, &wasDeleted)
		switch {
		case err == nil && latestHash == hash && wasDeleted == deleted:
			version = latest
			return nil
		case err != nil && !errors.Is(err, sql.ErrNoRows):
			return err
		case errors.Is(err, sql.ErrNoRows) && deleted:
			return fmt.Errorf("delete item %s: %w", it.ID, ErrNotFound)
		}
		version = latest + 1
		created = true
		if _, err := tx.ExecContext(ctx, `INSERT INTO item_versions
			(item_id, version, hash, body_json, deleted, author, message, source, published_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			it.ID, version, hash, string(body), deleted, p.Author, p.Message, p.Source, millis(now)); err != nil {
			return err
		}
		return bumpRevision(ctx, tx)
	})
	if err != nil {
		return 0, false, fmt.Errorf("publish item %s: %w", it.ID, err)
	}
	if created {
		lvl := slog.LevelDebug // as for trees
		if p.Source == SourceWeb {
			lvl = slog.LevelInfo
		}
		s.log.Log(ctx, lvl, "store: item published", "item", it.ID, "version", version, "source", p.Source, "deleted", deleted)
	}
	return version, created, nil
}

// ItemVersion returns a published version of a hand-written item, or an
// error wrapping ErrNotFound.
func (s *Store) ItemVersion(ctx context.Context, id string, version int) (*knowledge.Item, ItemVersionInfo, error) {
	var (
		body string
		at   int64
		info ItemVersionInfo
	)
	err := s.retry(ctx, func() error {
		return s.reader(ctx).QueryRowContext(ctx, `SELECT version, hash, body_json, published_at, author, message, source, deleted
			FROM item_versions WHERE item_id = ? AND version = ?`, id, version).
			Scan(&info.Version, &info.Hash, &body, &at, &info.Author, &info.Message, &info.Source, &info.Deleted)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ItemVersionInfo{}, fmt.Errorf("load item %s version %d: %w", id, version, ErrNotFound)
	}
	if err != nil {
		return nil, ItemVersionInfo{}, fmt.Errorf("load item %s version %d: %w", id, version, err)
	}
	info.PublishedAt = fromMillis(at)
	it := new(knowledge.Item)
	if err := json.Unmarshal([]byte(body), it); err != nil {
		return nil, ItemVersionInfo{}, fmt.Errorf("decode item %s version %d: %w", id, version, err)
	}
	return it, info, nil
}

// ItemHistory lists a hand-written item's versions, oldest first.
func (s *Store) ItemHistory(ctx context.Context, id string) ([]ItemVersionInfo, error) {
	var out []ItemVersionInfo
	err := s.retry(ctx, func() error {
		out = nil
		rows, err := s.reader(ctx).QueryContext(ctx, `SELECT version, hash, published_at, author, message, source, deleted
			FROM item_versions WHERE item_id = ? ORDER BY version`, id)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var (
				v  ItemVersionInfo
				at int64
			)
			if err := rows.Scan(&v.Version, &v.Hash, &at, &v.Author, &v.Message, &v.Source, &v.Deleted); err != nil {
				return err
			}
			v.PublishedAt = fromMillis(at)
			out = append(out, v)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("load history of item %s: %w", id, err)
	}
	return out, nil
}

// LatestItem is the newest version of a hand-written item.
type LatestItem struct {
	Item *knowledge.Item
	Info ItemVersionInfo
}

// LatestItems returns the newest version of every hand-written item ever
// published (deleted ones included, marked), ordered by id.
func (s *Store) LatestItems(ctx context.Context) ([]LatestItem, error) {
	var out []LatestItem
	err := s.retry(ctx, func() error {
		out = nil
		rows, err := s.reader(ctx).QueryContext(ctx, `SELECT v.item_id, v.version, v.hash, v.body_json, v.published_at, v.author, v.message, v.source, v.deleted
			FROM item_versions v
			WHERE v.version = (SELECT MAX(version) FROM item_versions w WHERE w.item_id = v.item_id)
			ORDER BY v.item_id`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var (
				id, body string
				at       int64
				l        LatestItem
			)
			if err := rows.Scan(&id, &l.Info.Version, &l.Info.Hash, &body, &at, &l.Info.Author, &l.Info.Message, &l.Info.Source, &l.Info.Deleted); err != nil {
				return err
			}
			l.Info.PublishedAt = fromMillis(at)
			l.Item = new(knowledge.Item)
			if err := json.Unmarshal([]byte(body), l.Item); err != nil {
				return fmt.Errorf("decode item %s version %d: %w", id, l.Info.Version, err)
			}
			out = append(out, l)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("load latest items: %w", err)
	}
	return out, nil
}
