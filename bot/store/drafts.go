package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Draft is an object (a tree or an item) being edited in the admin by
// one author: one draft per object and author, saved as they type.
type Draft struct {
	Kind     string // tree | item
	ObjectID string
	Author   string
	// Body is the JSON of the edited object.
	Body string
	// BaseVersion is the published version the draft started from (0:
	// a new object).
	BaseVersion int
	UpdatedAt   time.Time
}

// SaveDraft creates or replaces the author's draft of the object.
func (s *Store) SaveDraft(ctx context.Context, d Draft) error {
	if d.Kind == "" || d.ObjectID == "" || d.Author == "" {
		return errors.New("save draft: kind, object and author are required")
	}
	at := d.UpdatedAt
	if at.IsZero() {
		at = s.now()
	}
	err := s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO drafts (kind, object_id, author, body_json, base_version, updated_at)
			VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (kind, object_id, author) DO UPDATE SET body_json = excluded.body_json,
				base_version = excluded.base_version, updated_at = excluded.updated_at`,
			d.Kind, d.ObjectID, d.Author, d.Body, d.BaseVersion, millis(at))
		return err
	})
	if err != nil {
		return fmt.Errorf("save draft of %s %s: %w", d.Kind, d.ObjectID, err)
	}
	return nil
}

// Draft returns the author's draft of the object, or an error wrapping
// ErrNotFound.
func (s *Store) Draft(ctx context.Context, kind, id, author string) (Draft, error) {
	d := Draft{Kind: kind, ObjectID: id, Author: author}
	var at int64
	err := s.retry(ctx, func() error {
		return s.reader(ctx).QueryRowContext(ctx, `SELECT body_json, base_version, updated_at FROM drafts
			WHERE kind = ? AND object_id = ? AND author = ?`, kind, id, author).Scan(&d.Body, &d.BaseVersion, &at)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return Draft{}, fmt.Errorf("load draft of %s %s: %w", kind, id, ErrNotFound)
	}
	if err != nil {
		return Draft{}, fmt.Errorf("load draft of %s %s: %w", kind, id, err)
	}
	d.UpdatedAt = fromMillis(at)
	return d, nil
}

// Drafts lists the drafts of kind (of one object when id is not empty),
// newest first: the admin shows who else is editing.
func (s *Store) Drafts(ctx context.Context, kind, id string) ([]Draft, error) {
	var out []Draft
	err := s.retry(ctx, func() error {
		out = nil
		rows, err := s.reader(ctx).QueryContext(ctx, `SELECT object_id, author, body_json, base_version, updated_at FROM drafts
			WHERE kind = ? AND (? = '' OR object_id = ?) ORDER BY updated_at DESC, author`, kind, id, id)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			d := Draft{Kind: kind}
			var at int64
			if err := rows.Scan(&d.ObjectID, &d.Author, &d.Body, &d.BaseVersion, &at); err != nil {
				return err
			}
			d.UpdatedAt = fromMillis(at)
			out = append(out, d)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("list drafts of %s: %w", kind, err)
	}
	return out, nil
}

// DeleteDraft removes the author's draft of the object (published or
// abandoned); deleting a missing draft is not an error.
func (s *Store) DeleteDraft(ctx context.Context, kind, id, author string) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM drafts WHERE kind = ? AND object_id = ? AND author = ?`, kind, id, author)
		return err
	})
	if err != nil {
		return fmt.Errorf("delete draft of %s %s: %w", kind, id, err)
	}
	return nil
}

// TreeTest is a conversation test (the `boussole test` format) written
// for a tree in the admin.
type TreeTest struct {
	TreeID    string
	Name      string
	Body      string
	Author    string
	UpdatedAt time.Time
}

// SaveTreeTest creates or replaces a tree's test of that name.
func (s *Store) SaveTreeTest(ctx context.Context, tt TreeTest) error {
	if tt.TreeID == "" || tt.Name == "" {
		return errors.New("save tree test: tree and name are required")
	}
	at := tt.UpdatedAt
	if at.IsZero() {
		at = s.now()
	}
	err := s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO tree_tests (tree_id, name, body, author, updated_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (tree_id, name) DO UPDATE SET body = excluded.body, author = excluded.author, updated_at = excluded.updated_at`,
			tt.TreeID, tt.Name, tt.Body, tt.Author, millis(at))
		return err
	})
	if err != nil {
		return fmt.Errorf("save test %s of tree %s: %w", tt.Name, tt.TreeID, err)
	}
	return nil
}

// TreeTests lists a tree's tests by name.
func (s *Store) TreeTests(ctx context.Context, treeID string) ([]TreeTest, error) {
	var out []TreeTest
	err := s.retry(ctx, func() error {
		out = nil
		rows, err := s.reader(ctx).QueryContext(ctx, `SELECT name, body, author, updated_at FROM tree_tests
			WHERE tree_id = ? ORDER BY name`, treeID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			tt := TreeTest{TreeID: treeID}
			var at int64
			if err := rows.Scan(&tt.Name, &tt.Body, &tt.Author, &at); err != nil {
				return err
			}
			tt.UpdatedAt = fromMillis(at)
			out = append(out, tt)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("list tests of tree %s: %w", treeID, err)
	}
	return out, nil
}

// DeleteTreeTest removes a tree's test.
func (s *Store) DeleteTreeTest(ctx context.Context, treeID, name string) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM tree_tests WHERE tree_id = ? AND name = ?`, treeID, name)
		return err
	})
	if err != nil {
		return fmt.Errorf("delete test %s of tree %s: %w", name, treeID, err)
	}
	return nil
}
