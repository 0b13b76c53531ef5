package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/boussole/boussole/internal/periodic"
)

// checkpointInterval is how often the WAL is copied back into the
// database. Passive checkpoints never block the writer or readers, so a
// short interval keeps the WAL small without costing a turn anything.
const checkpointInterval = 250 * time.Millisecond

// checkpointer runs passive WAL checkpoints on its own connection, so that
// no commit pays for one (automatic checkpoints are off on the writer).
type checkpointer struct {
	db     *sql.DB
	log    *slog.Logger
	cancel context.CancelFunc
	done   chan struct{}
}

func startCheckpointer(db *sql.DB, log *slog.Logger) *checkpointer {
	ctx, cancel := context.WithCancel(context.Background())
	c := &checkpointer{db: db, log: log, cancel: cancel, done: make(chan struct{})}
	go c.run(ctx)
	return c
}

func (c *checkpointer) run(ctx context.Context) {
	defer close(c.done)
	periodic.Tick(ctx, checkpointInterval, func(ctx context.Context) {
		if err := c.checkpoint(ctx, "PASSIVE"); err != nil && ctx.Err() == nil {
			c.log.Warn("store: background checkpoint failed", "err", err)
		}
	})
}

func (c *checkpointer) checkpoint(ctx context.Context, mode string) error {
	var busy, logFrames, done int
	if err := c.db.QueryRowContext(ctx, "PRAGMA wal_checkpoint("+mode+")").Scan(&busy, &logFrames, &done); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	if busy != 0 {
		return errCheckpointBusy
	}
	return nil
}

var errCheckpointBusy = errors.New("checkpoint: readers kept part of the WAL")

// scrub empties the WAL after an erasure: its frames still hold the pages
// as they were before the delete. A reader may hold the WAL for a moment,
// so it tries twice; each try waits at most the busy timeout, during which
// writers wait too: a reader holding the WAL longer (a backup) leaves the
// frames to the next full checkpoint, at the latest when the store closes.
func (c *checkpointer) scrub(ctx context.Context) error {
	var err error
	for range 2 {
		if err = c.checkpoint(ctx, "TRUNCATE"); !errors.Is(err, errCheckpointBusy) {
			return err
		}
	}
	return err
}

// stop ends the loop and leaves the database file complete and the WAL
// empty, as a clean shutdown should.
func (c *checkpointer) stop() error {
	c.cancel()
	<-c.done
	err := c.checkpoint(context.Background(), "TRUNCATE")
	if errors.Is(err, errCheckpointBusy) {
		err = nil // another process reads the file: it will checkpoint
	}
	return errors.Join(err, c.db.Close())
}
