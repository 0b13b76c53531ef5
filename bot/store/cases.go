package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/boussole/boussole/bot"
)

// OpenCase records c and returns its id, or returns the id of the
// address's case that is already open or claimed (one at a time per
// conversation). The check and the insert happen in one write
// transaction, and a partial unique index guards the rule. An empty
// c.Status means open; zero times mean now. c.ID is ignored.
func (s *Store) OpenCase(ctx context.Context, c bot.Case) (int64, error) {
	if c.Address.Platform == "" {
		return 0, errors.New("open case: case has no platform")
	}
	status := c.Status
	if status == "" {
		status = bot.CaseOpen
	}
	if status != bot.CaseOpen && status != bot.CaseClaimed {
		return 0, fmt.Errorf("open case: status %q, want %q or %q", status, bot.CaseOpen, bot.CaseClaimed)
	}
	summary, err := json.Marshal(c.Summary)
	if err != nil {
		return 0, fmt.Errorf("open case: encode summary: %w", err)
	}
	now := s.now()
	created, updated := c.CreatedAt, c.UpdatedAt
	if created.IsZero() {
		created = now
	}
	if updated.IsZero() {
		updated = created
	}
	a := c.Address
	var id int64
	existing := false
	err = s.write(ctx, func(tx *sql.Tx) error {
		existing = false
		err := tx.QueryRowContext(ctx, `SELECT id FROM cases
			WHERE platform = ? AND channel = ? AND user_id = ? AND status IN ('open', 'claimed')`,
			a.Platform, a.Channel, a.User).Scan(&id)
		if err == nil {
			existing = true
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		return tx.QueryRowContext(ctx, `INSERT INTO cases
			(platform, channel, user_id, queue, status, lang, summary_json, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			a.Platform, a.Channel, a.User, c.Queue, string(status), c.Lang, string(summary),
			millis(created), millis(updated)).Scan(&id)
	})
	if err != nil {
		return 0, fmt.Errorf("open case: %w", err)
	}
	s.log.DebugContext(ctx, "store: case opened", "case", id, "existing", existing, "queue", c.Queue)
	return id, nil
}

// Case returns the case with this id, or an error wrapping ErrNotFound.
func (s *Store) Case(ctx context.Context, id int64) (bot.Case, error) {
	c := bot.Case{ID: id}
	var (
		summary          string
		created, updated int64
	)
	err := s.retry(ctx, func() error {
		return s.rdb.QueryRowContext(ctx, `SELECT platform, channel, user_id, queue, status, lang,
			summary_json, created_at, updated_at FROM cases WHERE id = ?`, id,
		).Scan(&c.Address.Platform, &c.Address.Channel, &c.Address.User, &c.Queue, &c.Status, &c.Lang,
			&summary, &created, &updated)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return bot.Case{}, fmt.Errorf("load case %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return bot.Case{}, fmt.Errorf("load case %d: %w", id, err)
	}
	if err := json.Unmarshal([]byte(summary), &c.Summary); err != nil {
		return bot.Case{}, fmt.Errorf("decode case %d: %w", id, err)
	}
	c.CreatedAt, c.UpdatedAt = fromMillis(created), fromMillis(updated)
	return c, nil
}
