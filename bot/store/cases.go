package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

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
	if c.Satisfaction < 0 || c.Satisfaction > 5 {
		return 0, fmt.Errorf("open case: satisfaction %d, want 0 (none) to 5", c.Satisfaction)
	}
	summary, err := json.Marshal(c.Summary)
	if err != nil {
		return 0, fmt.Errorf("open case: encode summary: %w", err)
	}
	mediator, err := encodeMediator(c.Mediator)
	if err != nil {
		return 0, fmt.Errorf("open case: %w", err)
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
		// Replicas: the check and the insert of one address's case in
		// one go (the unique index would refuse the second insert).
		if err := s.lockKey(ctx, tx, "case\x00"+a.Platform+"\x00"+a.Channel+"\x00"+a.User); err != nil {
			return err
		}
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
			(platform, channel, user_id, queue, status, lang, summary_json, consent, mediator_json,
			outcome, satisfaction, announced_at, created_at, updated_at, urgent)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			a.Platform, a.Channel, a.User, c.Queue, string(status), c.Lang, string(summary),
			c.Consent, mediator, c.Outcome, c.Satisfaction, millis(c.AnnouncedAt),
			millis(created), millis(updated), strings.Join(c.Urgent, ",")).Scan(&id)
	})
	if err != nil {
		return 0, fmt.Errorf("open case: %w", err)
	}
	s.log.DebugContext(ctx, "store: case opened", "case", id, "existing", existing, "queue", c.Queue)
	return id, nil
}

// Case returns the case with this id, or an error wrapping ErrNotFound.
func (s *Store) Case(ctx context.Context, id int64) (bot.Case, error) {
	var c bot.Case
	err := s.retry(ctx, func() error {
		var err error
		c, err = loadCase(ctx, s.reader(ctx), id)
		return err
	})
	if err != nil {
		return bot.Case{}, fmt.Errorf("load case %d: %w", id, err)
	}
	return c, nil
}

// caseColumns are the columns scanCase reads, in its order.
const caseColumns = `id, platform, channel, user_id, queue, status, lang, summary_json,
	consent, mediator_json, outcome, satisfaction, announced_at, created_at, updated_at, urgent, claimed_at`

// loadCase reads case id through q; a missing case is ErrNotFound.
func loadCase(ctx context.Context, q queryer, id int64) (bot.Case, error) {
	c, err := scanCase(q.QueryRowContext(ctx, `SELECT `+caseColumns+` FROM cases WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return bot.Case{}, ErrNotFound
	}
	return c, err
}

// scanCase decodes one row of caseColumns.
func scanCase(row interface{ Scan(...any) error }) (bot.Case, error) {
	var (
		c                           bot.Case
		summary                     string
		mediator                    sql.NullString
		announced, created, updated int64
		claimed                     int64
		urgent                      string
	)
	err := row.Scan(&c.ID, &c.Address.Platform, &c.Address.Channel, &c.Address.User, &c.Queue, &c.Status, &c.Lang,
		&summary, &c.Consent, &mediator, &c.Outcome, &c.Satisfaction, &announced, &created, &updated, &urgent, &claimed)
	if err != nil {
		return bot.Case{}, err
	}
	if err := json.Unmarshal([]byte(summary), &c.Summary); err != nil {
		return bot.Case{}, fmt.Errorf("decode case %d summary: %w", c.ID, err)
	}
	if mediator.Valid {
		c.Mediator = new(bot.Mediator)
		if err := json.Unmarshal([]byte(mediator.String), c.Mediator); err != nil {
			return bot.Case{}, fmt.Errorf("decode case %d mediator: %w", c.ID, err)
		}
	}
	c.AnnouncedAt, c.CreatedAt, c.UpdatedAt = fromMillis(announced), fromMillis(created), fromMillis(updated)
	c.ClaimedAt = fromMillis(claimed)
	if urgent != "" {
		c.Urgent = strings.Split(urgent, ",")
	}
	return c, nil
}

// encodeMediator returns the mediator_json value of m: NULL for nil, so
// that "nobody holds the case" is not a JSON document.
func encodeMediator(m *bot.Mediator) (sql.NullString, error) {
	if m == nil {
		return sql.NullString{}, nil
	}
	b, err := json.Marshal(m)
	if err != nil {
		return sql.NullString{}, fmt.Errorf("encode mediator: %w", err)
	}
	return sql.NullString{String: string(b), Valid: true}, nil
}
