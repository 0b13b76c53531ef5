package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/boussole/boussole/bot"
)

// claimOutgoingPG is ClaimOutgoing on PostgreSQL, where several
// dispatchers claim at the same moment. It finds destinations with
// messages it may take (FOR UPDATE SKIP LOCKED: rows another dispatcher
// is claiming are passed over, so dispatchers spread over destinations
// instead of queueing behind each other), then, for each destination,
// takes a transaction lock on it without waiting (another dispatcher in
// the middle of claiming it: skipped) and reads that destination's
// pending messages from the first, in order: a destination whose first
// message another owner holds is skipped whole, so messages keep their
// order whichever process sends them.
func (s *Store) claimOutgoingPG(ctx context.Context, owner string, platforms []string, until time.Time, limit int, owns func(bot.Address) bool) ([]bot.Outgoing, error) {
	var out []bot.Outgoing
	err := s.write(ctx, func(tx *sql.Tx) error {
		out = out[:0]
		now := millis(s.now())
		dests, err := claimCandidates(ctx, tx, owner, platforms, now, limit)
		if err != nil {
			return err
		}
		var ids []any
		for _, a := range dests {
			if len(out) == limit {
				break
			}
			if owns != nil && !owns(a) {
				continue
			}
			ok, err := s.tryLockKey(ctx, tx, "outbox\x00"+a.Platform+"\x00"+a.Channel+"\x00"+a.User)
			if err != nil {
				return err
			}
			if !ok {
				continue
			}
			got, err := claimDestination(ctx, tx, a, owner, now, limit-len(out))
			if err != nil {
				return err
			}
			for _, o := range got {
				out = append(out, o)
				ids = append(ids, o.ID)
			}
		}
		if len(ids) == 0 {
			return nil
		}
		// Oldest first across destinations, as on SQLite.
		slices.SortFunc(out, func(a, b bot.Outgoing) int { return cmp.Compare(a.ID, b.ID) })
		_, err = tx.ExecContext(ctx, `UPDATE outbox SET lease_owner = ?, lease_until = ? WHERE id IN (?`+strings.Repeat(", ?", len(ids)-1)+`)`,
			append([]any{owner, millis(until)}, ids...)...)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("claim outbox: %w", err)
	}
	return out, nil
}

// claimCandidates returns, oldest first, the destinations of up to
// 4×limit pending messages that owner may take and nobody is claiming.
func claimCandidates(ctx context.Context, tx *sql.Tx, owner string, platforms []string, now int64, limit int) ([]bot.Address, error) {
	args := make([]any, 0, len(platforms)+3)
	for _, p := range platforms {
		args = append(args, p)
	}
	args = append(args, owner, now, 4*limit)
	// The placeholders are built from the count only, never from input.
	rows, err := tx.QueryContext(ctx, `SELECT platform, channel, user_id FROM outbox
		WHERE sent_at IS NULL AND dead = 0 AND platform IN (?`+strings.Repeat(", ?", len(platforms)-1)+`)
			AND (lease_owner = ? OR lease_until <= ?)
		ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	seen := map[bot.Address]bool{}
	var dests []bot.Address
	for rows.Next() {
		var a bot.Address
		if err := rows.Scan(&a.Platform, &a.Channel, &a.User); err != nil {
			return nil, err
		}
		if !seen[a] {
			seen[a] = true
			dests = append(dests, a)
		}
	}
	return dests, rows.Err()
}

// claimDestination reads a's pending messages in order, under the
// destination's lock, and returns those owner may take: from the first,
// up to limit, stopping at one another owner holds or another
// transaction has locked (a dispatcher recording a send), and after one
// that is waiting for a retry (the rest wait behind it). Rows are locked
// with SKIP LOCKED and compared with the destination's pending ids, so a
// claim never waits for another (no deadlock between dispatchers) and
// never takes a message past one it could not see.
func claimDestination(ctx context.Context, tx *sql.Tx, a bot.Address, owner string, now int64, limit int) ([]bot.Outgoing, error) {
	var order []int64
	rows, err := tx.QueryContext(ctx, `SELECT id FROM outbox
		WHERE platform = ? AND channel = ? AND user_id = ? AND sent_at IS NULL AND dead = 0
		ORDER BY id LIMIT ?`, a.Platform, a.Channel, a.User, limit)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		order = append(order, id)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return nil, err
	}
	rows, err = tx.QueryContext(ctx, `SELECT id, body_json, attempts, next_at, created_at, lease_owner, lease_until FROM outbox
		WHERE platform = ? AND channel = ? AND user_id = ? AND sent_at IS NULL AND dead = 0
		ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED`, a.Platform, a.Channel, a.User, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []bot.Outgoing
	for i := 0; rows.Next() && i < len(order); i++ {
		var (
			o                       bot.Outgoing
			body, leaseOwner        string
			next, created, leaseEnd int64
		)
		if err := rows.Scan(&o.ID, &body, &o.Attempts, &next, &created, &leaseOwner, &leaseEnd); err != nil {
			return nil, err
		}
		if o.ID != order[i] || (leaseOwner != owner && leaseEnd > now) {
			break
		}
		if err := json.Unmarshal([]byte(body), &o.Reply); err != nil {
			return nil, fmt.Errorf("read outbox message %d: %w", o.ID, err)
		}
		o.Reply.Key = bot.OutboxKey(o.ID)
		o.NextAt, o.CreatedAt = fromMillis(next), fromMillis(created)
		out = append(out, o)
		if next > now {
			break
		}
	}
	return out, rows.Err()
}
