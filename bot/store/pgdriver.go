package store

import (
	"context"
	"database/sql/driver"
	"strconv"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5/stdlib"
)

// The PostgreSQL store runs the same SQL text as the SQLite store, through
// pgx's database/sql driver. pgConnector wraps that driver so the text
// needs no second copy: it rewrites SQLite's ? placeholders into
// PostgreSQL's $1, $2… and passes Go booleans as 0/1, as SQLite stores
// them (the schema keeps integer flags on both sides). Everything else
// is pgx's own.

// pgConnector opens pgx connections whose queries are rebound.
type pgConnector struct {
	inner driver.Connector
	binds *bindCache
}

func (c pgConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.inner.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &pgConn{Conn: conn.(*stdlib.Conn), binds: c.binds}, nil
}

func (c pgConnector) Driver() driver.Driver { return c.inner.Driver() }

// pgConn is a pgx connection that rebinds placeholders.
type pgConn struct {
	*stdlib.Conn
	binds *bindCache
}

var (
	_ driver.ConnPrepareContext = (*pgConn)(nil)
	_ driver.ExecerContext      = (*pgConn)(nil)
	_ driver.QueryerContext     = (*pgConn)(nil)
	_ driver.ConnBeginTx        = (*pgConn)(nil)
	_ driver.NamedValueChecker  = (*pgConn)(nil)
	_ driver.SessionResetter    = (*pgConn)(nil)
	_ driver.Pinger             = (*pgConn)(nil)
)

func (c *pgConn) Prepare(query string) (driver.Stmt, error) {
	return c.Conn.Prepare(c.binds.rebind(query))
}

func (c *pgConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	return c.Conn.PrepareContext(ctx, c.binds.rebind(query))
}

func (c *pgConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	return c.Conn.ExecContext(ctx, c.binds.rebind(query), args)
}

func (c *pgConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	return c.Conn.QueryContext(ctx, c.binds.rebind(query), args)
}

// CheckNamedValue passes booleans as 0/1: flags are integers in both
// schemas, and pgx refuses to write a bool into an integer column.
func (c *pgConn) CheckNamedValue(nv *driver.NamedValue) error {
	if b, ok := nv.Value.(bool); ok {
		nv.Value = int64(0)
		if b {
			nv.Value = int64(1)
		}
	}
	return c.Conn.CheckNamedValue(nv)
}

// bindCache remembers rebound queries: the store's queries are constants
// or built from counts, so the cache stays small; it is bounded anyway.
type bindCache struct {
	mu sync.Mutex
	m  map[string]string
}

const bindCacheMax = 4096

func (b *bindCache) rebind(query string) string {
	b.mu.Lock()
	out, ok := b.m[query]
	b.mu.Unlock()
	if ok {
		return out
	}
	out = rebind(query)
	b.mu.Lock()
	if b.m == nil || len(b.m) >= bindCacheMax {
		b.m = make(map[string]string)
	}
	b.m[query] = out
	b.mu.Unlock()
	return out
}

// rebind turns each ? outside quotes and comments into $1, $2… and
// each ?N into $N.
func rebind(query string) string {
	if !strings.Contains(query, "?") {
		return query
	}
	var b strings.Builder
	b.Grow(len(query) + 16)
	n := 0
	for i := 0; i < len(query); i++ {
		switch ch := query[i]; ch {
		case '\'', '"':
			// A quoted string or name, '' or "" inside it included.
			j := i + 1
			for j < len(query) && query[j] != ch {
				j++
			}
			if j >= len(query) {
				j = len(query) - 1
			}
			b.WriteString(query[i : j+1])
			i = j
		case '-':
			if i+1 < len(query) && query[i+1] == '-' {
				j := strings.IndexByte(query[i:], '\n')
				if j < 0 {
					j = len(query) - i - 1
				}
				b.WriteString(query[i : i+j+1])
				i += j
				continue
			}
			b.WriteByte(ch)
		case '?':
			// ?NNN (SQLite's numbered parameter) keeps its number.
			j := i + 1
			for j < len(query) && '0' <= query[j] && query[j] <= '9' {
				j++
			}
			b.WriteByte('$')
			if j > i+1 {
				b.WriteString(query[i+1 : j])
				i = j - 1
				continue
			}
			n++
			b.WriteString(strconv.Itoa(n))
		default:
			b.WriteByte(ch)
		}
	}
	return b.String()
}
