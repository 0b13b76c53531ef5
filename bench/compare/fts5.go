package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"

	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/boussole/boussole/knowledge"
)

// ftsIndex is a plain SQLite FTS5 table in a temporary database file.
type ftsIndex struct {
	db   *sql.DB
	dir  string
	path string
}

// buildFTS5 creates the database, inserts every item in one transaction
// and merges the index segments ('optimize'), as one would for a
// read-only catalogue.
func buildFTS5(ctx context.Context, items []*knowledge.Item) (*ftsIndex, error) {
	dir, err := os.MkdirTemp("", "boussole-compare-fts5-")
	if err != nil {
		return nil, fmt.Errorf("fts5: %w", err)
	}
	ix := &ftsIndex{dir: dir, path: filepath.Join(dir, "sheets.db")}
	ix.db, err = sql.Open("sqlite", ix.path)
	if err != nil {
		ix.close()
		return nil, fmt.Errorf("fts5: %w", err)
	}
	// One connection: queries are measured one at a time, and every
	// statement then sees the same page cache.
	ix.db.SetMaxOpenConns(1)
	if err := ix.load(ctx, items); err != nil {
		ix.close()
		return nil, fmt.Errorf("fts5: %w", err)
	}
	return ix, nil
}

func (ix *ftsIndex) load(ctx context.Context, items []*knowledge.Item) error {
	if _, err := ix.db.ExecContext(ctx,
		`CREATE VIRTUAL TABLE sheets USING fts5(id UNINDEXED, title, summary, body, tokenize="unicode61 remove_diacritics 2")`); err != nil {
		return err
	}
	tx, err := ix.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	ins, err := tx.PrepareContext(ctx, `INSERT INTO sheets(id, title, summary, body) VALUES (?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	for _, d := range docsOf(items) {
		if _, err := ins.ExecContext(ctx, d.ID, d.Title, d.Summary, d.Body); err != nil {
			return fmt.Errorf("insert %s: %w", d.ID, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	_, err = ix.db.ExecContext(ctx, `INSERT INTO sheets(sheets) VALUES ('optimize')`)
	return err
}

// size is the database file size in bytes.
func (ix *ftsIndex) size() int64 {
	st, err := os.Stat(ix.path)
	if err != nil {
		return 0
	}
	return st.Size()
}

func (ix *ftsIndex) close() {
	if ix.db != nil {
		ix.db.Close()
	}
	os.RemoveAll(ix.dir)
}

// searcher ranks by bm25(sheets, weights…): one weight per column, the
// UNINDEXED id column included (it never matches). No weights means 1 for
// every column, SQLite's default.
func (ix *ftsIndex) searcher(weights ...float64) (*ftsSearcher, error) {
	rank := "bm25(sheets)"
	if len(weights) > 0 {
		rank = "bm25(sheets, 0"
		for _, w := range weights {
			rank += fmt.Sprintf(", %g", w)
		}
		rank += ")"
	}
	st, err := ix.db.Prepare(`SELECT id FROM sheets WHERE sheets MATCH ? ORDER BY ` + rank + ` LIMIT ?`)
	if err != nil {
		return nil, fmt.Errorf("fts5: %w", err)
	}
	return &ftsSearcher{st: st}, nil
}

// ftsSearcher is an evalset.Searcher over the FTS5 table. Rank order is
// bm25 order (SQLite's bm25 is negative, better first in ascending order).
// A query SQLite refuses answers nothing and is counted in errors, so that
// one odd question does not stop the comparison; only the end of ctx does.
type ftsSearcher struct {
	st     *sql.Stmt
	errors int
}

func (s *ftsSearcher) Search(ctx context.Context, query string, k int) ([]knowledge.Hit, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m := ftsQuery(query)
	if m == "" {
		return nil, nil
	}
	rows, err := s.st.QueryContext(ctx, m, k)
	if err != nil {
		return nil, s.refused(ctx)
	}
	defer rows.Close()
	var hits []knowledge.Hit
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return hits, s.refused(ctx)
		}
		hits = append(hits, knowledge.Hit{Kind: knowledge.HitItem, ID: id})
	}
	if rows.Err() != nil {
		return hits, s.refused(ctx)
	}
	return hits, nil
}

// refused counts a query that failed, unless ctx ended: then its error is
// returned.
func (s *ftsSearcher) refused(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.errors++
	return nil
}
