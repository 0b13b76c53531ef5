package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// Moving a deployment from SQLite to PostgreSQL (boussole migrate): every
// table is copied as it is, ids included, into an empty PostgreSQL
// database, in one PostgreSQL transaction, then counted on both sides.
//
// The rows go through COPY (pgx's CopyFrom) on the raw pgx connection
// under database/sql: one stream per table, no limit of 65,535
// parameters per statement, several times faster than multi-row INSERTs
// for the millions of turns and usage events of a large deployment. The
// whole transaction runs on that one connection.
//
// The tables and their columns are read from both databases, not listed
// here: a table or column one schema has and the other lacks stops the
// copy with its name, rather than being lost without a word.

// ErrTargetNotEmpty is returned by CopyDatabase when the PostgreSQL
// database already holds data.
var ErrTargetNotEmpty = errors.New("the PostgreSQL database is not empty")

// TableCopy is what CopyDatabase did with one table.
type TableCopy struct {
	Table string
	// Rows is the number of rows copied; Source and Target the counts of
	// the table in SQLite and PostgreSQL afterwards, which CopyDatabase
	// checks are all equal.
	Rows, Source, Target int64
	// NextID is the id PostgreSQL gives the table's next row (its
	// identity column), 0 for a table without one.
	NextID int64
}

// CopyStats sums up a copy.
type CopyStats struct {
	// Tables in the order they were copied (parents before children).
	Tables []TableCopy
	// Rows is the total number of rows copied.
	Rows int64
}

// seedRows are rows the PostgreSQL migrations insert themselves: the
// condition a seeded row meets when nothing has changed it. Such rows do
// not make the target non-empty, and are replaced by the copied ones.
var seedRows = map[string]string{
	"knowledge_revision": "id = 1 AND rev = 0",
}

// pgOwnTables are PostgreSQL tables that are not data (SQLite keeps the
// schema version in PRAGMA user_version).
var pgOwnTables = map[string]bool{"schema_version": true}

// CopyDatabase copies every table of from, a SQLite store, into to, a
// PostgreSQL store opened read-write on an empty database, keeping ids,
// and moves each identity sequence past the highest id SQLite ever gave
// (its sqlite_sequence, not only the rows left), so that no new case or
// outgoing message reuses an id. It reads SQLite in one read transaction
// (a consistent snapshot) and writes PostgreSQL in one transaction, which
// is committed only when every table's count is the same on both sides:
// a failed copy leaves the target as it was. progress, if not nil, is
// called after each table with the rows copied.
//
// The copy writes behind to's back: close to afterwards and open the
// database again before using it.
func CopyDatabase(ctx context.Context, from, to *Store, progress func(table string, rows int64)) (CopyStats, error) {
	switch {
	case from == nil || to == nil:
		return CopyStats{}, errors.New("copy database: no store")
	case from.pg:
		return CopyStats{}, fmt.Errorf("copy database: the source %s is PostgreSQL: copy from a SQLite database", from.path)
	case !to.pg:
		return CopyStats{}, fmt.Errorf("copy database: the target %s is SQLite: copy into a PostgreSQL database", to.path)
	case to.wdb == nil:
		return CopyStats{}, fmt.Errorf("copy database: the target %s is opened read-only", to.path)
	case from.closed.Load() || to.closed.Load():
		return CopyStats{}, errors.New("copy database: a store is closed")
	}
	// Handled marks waiting in memory belong to the source.
	if err := from.flushMarks(ctx); err != nil {
		return CopyStats{}, fmt.Errorf("copy database: %w", err)
	}
	src, err := from.rdb.BeginTx(ctx, nil)
	if err != nil {
		return CopyStats{}, fmt.Errorf("copy database: read %s: %w", from.path, err)
	}
	defer func() { _ = src.Rollback() }()
	lite, err := readSQLiteSchema(ctx, src)
	if err != nil {
		return CopyStats{}, fmt.Errorf("copy database: read %s: %w", from.path, err)
	}
	conn, err := to.wdb.Conn(ctx)
	if err != nil {
		return CopyStats{}, fmt.Errorf("copy database: connect to %s: %w", to.path, err)
	}
	defer conn.Close()
	var stats CopyStats
	err = conn.Raw(func(dc any) error {
		pc, ok := dc.(*pgConn)
		if !ok {
			return fmt.Errorf("unexpected driver connection %T", dc)
		}
		stats, err = copyInto(ctx, src, lite, pc.Conn, progress)
		return err
	})
	if err != nil {
		return CopyStats{}, fmt.Errorf("copy database %s to %s: %w", from.path, to.path, err)
	}
	return stats, nil
}

// table is one table's shape: its columns in order, its primary key and
// the tables its foreign keys refer to.
type table struct {
	name    string
	columns []string
	pk      []string
	parents []string
	// identity is PostgreSQL's identity column, "" when none.
	identity string
}

// sqliteSchema is what CopyDatabase reads of the source.
type sqliteSchema struct {
	tables map[string]*table
	// sequence is sqlite_sequence: the highest id each AUTOINCREMENT
	// table ever gave, deleted rows included.
	sequence map[string]int64
}

func readSQLiteSchema(ctx context.Context, src *sql.Tx) (sqliteSchema, error) {
	var v int
	if err := src.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		return sqliteSchema{}, err
	}
	if known := SchemaVersion(); v != known {
		if v > known {
			return sqliteSchema{}, compareSchema(v, known)
		}
		return sqliteSchema{}, fmt.Errorf("its schema is version %d, older than this program's %d: open it once with this version of Boussole (any command that writes, such as `boussole chat --db FILE`, migrates it), then migrate again", v, known)
	}
	names, err := queryStrings(ctx, src, `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\' ORDER BY name`)
	if err != nil {
		return sqliteSchema{}, err
	}
	sch := sqliteSchema{tables: map[string]*table{}, sequence: map[string]int64{}}
	for _, name := range names {
		t := &table{name: name}
		rows, err := src.QueryContext(ctx, `SELECT name, pk FROM pragma_table_info(?) ORDER BY cid`, name)
		if err != nil {
			return sqliteSchema{}, err
		}
		pks := map[int]string{}
		for rows.Next() {
			var col string
			var pk int
			if err := rows.Scan(&col, &pk); err != nil {
				rows.Close()
				return sqliteSchema{}, err
			}
			t.columns = append(t.columns, col)
			if pk > 0 {
				pks[pk] = col
			}
		}
		if err := closeRows(rows); err != nil {
			return sqliteSchema{}, err
		}
		for i := 1; i <= len(pks); i++ {
			t.pk = append(t.pk, pks[i])
		}
		t.parents, err = queryStrings(ctx, src, `SELECT DISTINCT "table" FROM pragma_foreign_key_list(?)`, name)
		if err != nil {
			return sqliteSchema{}, err
		}
		sch.tables[name] = t
	}
	var hasSeq int
	if err := src.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_master WHERE name = 'sqlite_sequence'`).Scan(&hasSeq); err != nil {
		return sqliteSchema{}, err
	}
	if hasSeq > 0 {
		rows, err := src.QueryContext(ctx, `SELECT name, seq FROM sqlite_sequence`)
		if err != nil {
			return sqliteSchema{}, err
		}
		for rows.Next() {
			var name string
			var seq int64
			if err := rows.Scan(&name, &seq); err != nil {
				rows.Close()
				return sqliteSchema{}, err
			}
			sch.sequence[name] = seq
		}
		if err := closeRows(rows); err != nil {
			return sqliteSchema{}, err
		}
	}
	return sch, nil
}

// copyInto runs the PostgreSQL side in one transaction on c.
func copyInto(ctx context.Context, src *sql.Tx, lite sqliteSchema, sc *stdlib.Conn, progress func(string, int64)) (stats CopyStats, err error) {
	pg := sc.Conn()
	tx, err := pg.Begin(ctx)
	if err != nil {
		return stats, err
	}
	defer func() {
		if err != nil {
			// The caller's context may be what failed: roll back anyway.
			rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
			defer cancel()
			_ = tx.Rollback(rctx)
		}
	}()
	order, err := matchSchemas(ctx, tx, lite)
	if err != nil {
		return stats, err
	}
	// Nobody writes the target while it is checked, filled and counted.
	idents := make([]string, len(order))
	for i, t := range order {
		idents[i] = pgx.Identifier{t.name}.Sanitize()
	}
	if _, err := tx.Exec(ctx, "LOCK TABLE "+strings.Join(idents, ", ")+" IN EXCLUSIVE MODE"); err != nil {
		return stats, fmt.Errorf("lock the tables: %w", err)
	}
	if err := checkEmpty(ctx, tx, order); err != nil {
		return stats, err
	}
	for _, t := range order {
		if _, ok := seedRows[t.name]; ok {
			if _, err := tx.Exec(ctx, "DELETE FROM "+pgx.Identifier{t.name}.Sanitize()); err != nil {
				return stats, fmt.Errorf("%s: %w", t.name, err)
			}
		}
		n, err := copyTable(ctx, src, tx, t)
		if err != nil {
			return stats, fmt.Errorf("copy %s: %w", t.name, err)
		}
		stats.Tables = append(stats.Tables, TableCopy{Table: t.name, Rows: n})
		stats.Rows += n
		if progress != nil {
			progress(t.name, n)
		}
	}
	var diffs []string
	for i, t := range order {
		tc := &stats.Tables[i]
		q := "SELECT COUNT(*) FROM " + pgx.Identifier{t.name}.Sanitize()
		if err := src.QueryRowContext(ctx, q).Scan(&tc.Source); err != nil {
			return stats, fmt.Errorf("count %s in SQLite: %w", t.name, err)
		}
		if err := tx.QueryRow(ctx, q).Scan(&tc.Target); err != nil {
			return stats, fmt.Errorf("count %s in PostgreSQL: %w", t.name, err)
		}
		if tc.Source != tc.Rows || tc.Target != tc.Rows {
			diffs = append(diffs, fmt.Sprintf("%s: %d rows in SQLite, %d copied, %d in PostgreSQL", t.name, tc.Source, tc.Rows, tc.Target))
		}
		if t.identity != "" {
			if tc.NextID, err = moveSequence(ctx, tx, t, lite.sequence[t.name]); err != nil {
				return stats, fmt.Errorf("%s: move the id sequence: %w", t.name, err)
			}
		}
	}
	if len(diffs) > 0 {
		return stats, fmt.Errorf("the counts differ, nothing is kept: %s", strings.Join(diffs, "; "))
	}
	if err := tx.Commit(ctx); err != nil {
		return stats, fmt.Errorf("commit: %w", err)
	}
	return stats, nil
}

// matchSchemas checks that both databases have the same tables and
// columns and returns the tables in an order where each comes after
// those its foreign keys refer to.
func matchSchemas(ctx context.Context, tx pgx.Tx, lite sqliteSchema) ([]*table, error) {
	rows, err := tx.Query(ctx, `SELECT c.table_name::text, c.column_name::text, c.is_identity = 'YES'
		FROM information_schema.columns c
		JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
		WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'`)
	if err != nil {
		return nil, fmt.Errorf("read the PostgreSQL schema: %w", err)
	}
	pgCols := map[string]map[string]bool{}
	identity := map[string]string{}
	for rows.Next() {
		var tbl, col string
		var ident bool
		if err := rows.Scan(&tbl, &col, &ident); err != nil {
			rows.Close()
			return nil, err
		}
		if pgOwnTables[tbl] {
			continue
		}
		if pgCols[tbl] == nil {
			pgCols[tbl] = map[string]bool{}
		}
		pgCols[tbl][col] = true
		if ident {
			identity[tbl] = col
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var problems []string
	for _, name := range sortedKeys(lite.tables) {
		t := lite.tables[name]
		cols, ok := pgCols[name]
		if !ok {
			problems = append(problems, fmt.Sprintf("table %s is in the SQLite database but not in PostgreSQL", name))
			continue
		}
		for _, c := range t.columns {
			if !cols[c] {
				problems = append(problems, fmt.Sprintf("table %s: column %s is in the SQLite database but not in PostgreSQL", name, c))
			}
		}
		for _, c := range sortedKeys(cols) {
			if !slices.Contains(t.columns, c) {
				problems = append(problems, fmt.Sprintf("table %s: column %s is in PostgreSQL but not in the SQLite database", name, c))
			}
		}
		t.identity = identity[name]
	}
	for _, name := range sortedKeys(pgCols) {
		if lite.tables[name] == nil {
			problems = append(problems, fmt.Sprintf("table %s is in PostgreSQL but not in the SQLite database", name))
		}
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("the two schemas differ (the SQLite and PostgreSQL migrations of this version should match; report it): %s", strings.Join(problems, "; "))
	}
	// PostgreSQL's foreign keys are the ones enforced during the copy.
	rows, err = tx.Query(ctx, `SELECT c.relname::text, p.relname::text
		FROM pg_constraint k
		JOIN pg_class c ON c.oid = k.conrelid
		JOIN pg_class p ON p.oid = k.confrelid
		WHERE k.contype = 'f' AND c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema())`)
	if err != nil {
		return nil, fmt.Errorf("read the PostgreSQL foreign keys: %w", err)
	}
	for rows.Next() {
		var child, parent string
		if err := rows.Scan(&child, &parent); err != nil {
			rows.Close()
			return nil, err
		}
		if t := lite.tables[child]; t != nil && !slices.Contains(t.parents, parent) {
			t.parents = append(t.parents, parent)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return parentsFirst(lite.tables)
}

// parentsFirst orders tables so that each comes after the tables it
// refers to; among tables free to go, by name, so the order is stable.
func parentsFirst(tables map[string]*table) ([]*table, error) {
	done := map[string]bool{}
	var order []*table
	for len(order) < len(tables) {
		progressed := false
		for _, name := range sortedKeys(tables) {
			t := tables[name]
			if done[name] {
				continue
			}
			ready := true
			for _, p := range t.parents {
				if p != name && !done[p] && tables[p] != nil {
					ready = false
				}
			}
			if ready {
				done[name] = true
				order = append(order, t)
				progressed = true
			}
		}
		if !progressed {
			var left []string
			for _, name := range sortedKeys(tables) {
				if !done[name] {
					left = append(left, name)
				}
			}
			return nil, fmt.Errorf("foreign keys form a cycle among %s", strings.Join(left, ", "))
		}
	}
	return order, nil
}

// checkEmpty refuses a target that holds any row but the migrations' own.
func checkEmpty(ctx context.Context, tx pgx.Tx, order []*table) error {
	var full []string
	for _, t := range order {
		q := "SELECT COUNT(*) FROM " + pgx.Identifier{t.name}.Sanitize()
		if seed, ok := seedRows[t.name]; ok {
			q += " WHERE NOT (" + seed + ")"
		}
		var n int64
		if err := tx.QueryRow(ctx, q).Scan(&n); err != nil {
			return fmt.Errorf("count %s: %w", t.name, err)
		}
		if n > 0 {
			full = append(full, fmt.Sprintf("%d %s", n, t.name))
		}
	}
	if len(full) > 0 {
		return fmt.Errorf("%w (%s): migrate into a new database", ErrTargetNotEmpty, strings.Join(full, ", "))
	}
	return nil
}

// copyTable streams one table from SQLite into PostgreSQL's COPY.
func copyTable(ctx context.Context, src *sql.Tx, tx pgx.Tx, t *table) (int64, error) {
	q := "SELECT " + quoteAll(t.columns) + " FROM " + quoteLite(t.name)
	if len(t.pk) > 0 {
		// Primary key order: the rows arrive as PostgreSQL's indexes
		// like them, and ids in the order they were given.
		q += " ORDER BY " + quoteAll(t.pk)
	}
	rows, err := src.QueryContext(ctx, q)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	s := &rowSource{rows: rows, vals: make([]any, len(t.columns)), ptrs: make([]any, len(t.columns))}
	for i := range s.vals {
		s.ptrs[i] = &s.vals[i]
	}
	n, err := tx.CopyFrom(ctx, pgx.Identifier{t.name}, t.columns, s)
	if err != nil {
		return n, err
	}
	return n, closeRows(rows)
}

// rowSource feeds SQLite rows to CopyFrom. The driver's values (int64,
// float64, string, []byte, nil) are what pgx encodes into the matching
// PostgreSQL columns: the schemas keep the same types on both sides.
type rowSource struct {
	rows *sql.Rows
	vals []any
	ptrs []any
	err  error
}

func (s *rowSource) Next() bool {
	if !s.rows.Next() {
		return false
	}
	if err := s.rows.Scan(s.ptrs...); err != nil {
		s.err = err
		return false
	}
	return true
}

func (s *rowSource) Values() ([]any, error) { return s.vals, nil }

func (s *rowSource) Err() error {
	if s.err != nil {
		return s.err
	}
	return s.rows.Err()
}

// moveSequence sets t's identity sequence so the next id is above both the
// highest id copied and the highest SQLite ever gave (seq), and returns
// that next id.
func moveSequence(ctx context.Context, tx pgx.Tx, t *table, seq int64) (int64, error) {
	col := pgx.Identifier{t.identity}.Sanitize()
	var maxID int64
	if err := tx.QueryRow(ctx, "SELECT COALESCE(MAX("+col+"), 0) FROM "+pgx.Identifier{t.name}.Sanitize()).Scan(&maxID); err != nil {
		return 0, err
	}
	last := max(maxID, seq)
	if last <= 0 {
		return 1, nil
	}
	// pg_get_serial_sequence reads its first argument as a possibly
	// quoted name; the second is a plain column name.
	if _, err := tx.Exec(ctx, "SELECT setval(pg_get_serial_sequence($1, $2), $3)", pgx.Identifier{t.name}.Sanitize(), t.identity, last); err != nil {
		return 0, err
	}
	return last + 1, nil
}

func queryStrings(ctx context.Context, q *sql.Tx, query string, args ...any) ([]string, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, s)
	}
	return out, closeRows(rows)
}

func closeRows(rows *sql.Rows) error {
	if err := rows.Err(); err != nil {
		rows.Close()
		return err
	}
	return rows.Close()
}

// quoteLite quotes a SQLite identifier.
func quoteLite(name string) string { return `"` + strings.ReplaceAll(name, `"`, `""`) + `"` }

func quoteAll(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = quoteLite(n)
	}
	return strings.Join(q, ", ")
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
