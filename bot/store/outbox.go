package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/boussole/boussole/bot"
)

// Commit stores c, appends turns and queues out for sending, in one
// transaction: the state a turn reached and the messages it sends are
// never separated by a crash.
func (s *Store) Commit(ctx context.Context, c bot.Conversation, turns []bot.Turn, out []bot.Reply) error {
	return s.saveTurn(ctx, c, turns, out)
}

// Enqueue queues messages that belong to no stored turn (the confirmation
// sent after a user's data is deleted).
func (s *Store) Enqueue(ctx context.Context, out []bot.Reply) error {
	if len(out) == 0 {
		return nil
	}
	err := s.write(ctx, func(tx *sql.Tx) error { return s.queue(ctx, tx, out) })
	if err != nil {
		return fmt.Errorf("enqueue: %w", err)
	}
	return nil
}

const insertOutboxSQL = `INSERT INTO outbox (platform, channel, user_id, body_json, created_at, next_at, about_platform, about_user)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?)`

// queue inserts out into the outbox within tx.
func (s *Store) queue(ctx context.Context, tx *sql.Tx, out []bot.Reply) error {
	if len(out) == 0 {
		return nil
	}
	ins := tx.StmtContext(ctx, s.stmts.insertOutbox)
	defer ins.Close()
	now := millis(s.now())
	for _, r := range out {
		if r.To.Platform == "" {
			return errors.New("queue message: no destination platform")
		}
		r.Key = ""
		body, err := json.Marshal(r)
		if err != nil {
			return fmt.Errorf("queue message: encode: %w", err)
		}
		if _, err := ins.ExecContext(ctx, r.To.Platform, r.To.Channel, r.To.User, string(body), now, now, r.About.Platform, r.About.User); err != nil {
			return err
		}
	}
	return nil
}

// PendingOutgoing returns up to limit messages not yet sent (nor refused
// for good), oldest first, due or not: the dispatcher keeps each
// destination's order by not sending past one that is waiting.
func (s *Store) PendingOutgoing(ctx context.Context, limit int) ([]bot.Outgoing, error) {
	rows, err := s.reader(ctx).QueryContext(ctx, `SELECT id, body_json, attempts, next_at, created_at FROM outbox
		WHERE sent_at IS NULL AND dead = 0 ORDER BY id LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("read outbox: %w", err)
	}
	defer rows.Close()
	var out []bot.Outgoing
	for rows.Next() {
		var (
			o             bot.Outgoing
			body          string
			next, created int64
		)
		if err := rows.Scan(&o.ID, &body, &o.Attempts, &next, &created); err != nil {
			return nil, fmt.Errorf("read outbox: %w", err)
		}
		if err := json.Unmarshal([]byte(body), &o.Reply); err != nil {
			return nil, fmt.Errorf("read outbox message %d: %w", o.ID, err)
		}
		o.Reply.Key = bot.OutboxKey(o.ID)
		o.NextAt, o.CreatedAt = fromMillis(next), fromMillis(created)
		out = append(out, o)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read outbox: %w", err)
	}
	return out, nil
}

// ClaimOutgoing leases to owner, until the given time, up to limit unsent
// messages of the given platforms whose destination owns accepts, oldest
// first, and returns them. A destination with a message leased to another
// owner (lease not expired) is skipped whole, so that its messages keep
// their order whichever process sends them.
func (s *Store) ClaimOutgoing(ctx context.Context, owner string, platforms []string, until time.Time, limit int, owns func(bot.Address) bool) ([]bot.Outgoing, error) {
	if len(platforms) == 0 {
		return nil, nil
	}
	if s.pg {
		return s.claimOutgoingPG(ctx, owner, platforms, until, limit, owns)
	}
	var out []bot.Outgoing
	err := s.write(ctx, func(tx *sql.Tx) error {
		out = out[:0]
		now := millis(s.now())
		skip := map[bot.Address]bool{}
		var ids []any
		// Read in pages until limit messages are claimed: rows skipped
		// (another owner's destinations, addresses not owned) must not
		// use up the limit.
		for after := int64(0); len(out) < limit; {
			args := make([]any, 0, len(platforms)+2)
			args = append(args, after)
			for _, p := range platforms {
				args = append(args, p)
			}
			// The placeholders are built from the count only, never from input.
			rows, err := tx.QueryContext(ctx, `SELECT id, platform, channel, user_id, body_json, attempts, next_at, created_at, lease_owner, lease_until
				FROM outbox WHERE sent_at IS NULL AND dead = 0 AND id > ? AND platform IN (?`+strings.Repeat(", ?", len(platforms)-1)+`)
				ORDER BY id LIMIT ?`, append(args, limit)...)
			if err != nil {
				return err
			}
			read := 0
			for rows.Next() {
				read++
				var (
					o                       bot.Outgoing
					a                       bot.Address
					body, leaseOwner        string
					next, created, leaseEnd int64
				)
				if err := rows.Scan(&o.ID, &a.Platform, &a.Channel, &a.User, &body, &o.Attempts, &next, &created, &leaseOwner, &leaseEnd); err != nil {
					rows.Close()
					return err
				}
				after = o.ID
				if skip[a] || len(out) == limit {
					continue
				}
				if (leaseOwner != owner && leaseEnd > now) || (owns != nil && !owns(a)) {
					skip[a] = true
					continue
				}
				if err := json.Unmarshal([]byte(body), &o.Reply); err != nil {
					rows.Close()
					return fmt.Errorf("read outbox message %d: %w", o.ID, err)
				}
				o.Reply.Key = bot.OutboxKey(o.ID)
				o.NextAt, o.CreatedAt = fromMillis(next), fromMillis(created)
				out = append(out, o)
				ids = append(ids, o.ID)
				if next > now {
					// Waiting for a retry: the rest of this destination
					// waits behind it and must not use up the limit.
					skip[a] = true
				}
			}
			if err := errors.Join(rows.Err(), rows.Close()); err != nil {
				return err
			}
			if read < limit {
				break
			}
		}
		if len(ids) == 0 {
			return nil
		}
		_, err := tx.ExecContext(ctx, `UPDATE outbox SET lease_owner = ?, lease_until = ? WHERE id IN (?`+strings.Repeat(", ?", len(ids)-1)+`)`,
			append([]any{owner, millis(until)}, ids...)...)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("claim outbox: %w", err)
	}
	return out, nil
}

// ReleaseOutgoing gives back owner's leases on unsent messages.
func (s *Store) ReleaseOutgoing(ctx context.Context, owner string) error {
	return s.updateOutbox(ctx, "release outbox", `UPDATE outbox SET lease_owner = '', lease_until = 0
		WHERE lease_owner = ? AND sent_at IS NULL AND dead = 0`, owner)
}

// MarkSent records that message id was delivered.
func (s *Store) MarkSent(ctx context.Context, id int64, at time.Time) error {
	return s.updateOutbox(ctx, "mark sent", `UPDATE outbox SET sent_at = ?, attempts = attempts + 1 WHERE id = ?`, millis(at), id)
}

// MarkFailed records a failed attempt; the message is due again at next.
func (s *Store) MarkFailed(ctx context.Context, id int64, next time.Time, reason string) error {
	return s.updateOutbox(ctx, "mark failed", `UPDATE outbox SET attempts = attempts + 1, next_at = ?, last_error = ? WHERE id = ?`,
		millis(next), truncate(reason, 500), id)
}

// MarkDead records that the platform refused message id for good.
func (s *Store) MarkDead(ctx context.Context, id int64, reason string) error {
	return s.updateOutbox(ctx, "mark dead", `UPDATE outbox SET dead = 1, attempts = attempts + 1, last_error = ? WHERE id = ?`,
		truncate(reason, 500), id)
}

func (s *Store) updateOutbox(ctx context.Context, what, query string, args ...any) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, query, args...)
		return err
	})
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
