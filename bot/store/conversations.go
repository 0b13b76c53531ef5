package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"
	"unicode/utf8"

	"github.com/boussole/boussole/bot"
)

const conversationColumns = `state, lang, tree_id, tree_version, node, path_json, misses, seq,
	offered_json, shown_json, case_id, created_at, updated_at, jurisdiction, topic_json, place_json`

// Queries run for every message, prepared once (see statements).
const (
	loadConversationSQL = `SELECT ` + conversationColumns + `
		FROM conversations WHERE platform = ? AND channel = ? AND user_id = ?`
	saveConversationSQL = `INSERT INTO conversations (platform, channel, user_id, ` + conversationColumns + `)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (platform, channel, user_id) DO UPDATE SET
			state = excluded.state, lang = excluded.lang,
			tree_id = excluded.tree_id, tree_version = excluded.tree_version,
			node = excluded.node, path_json = excluded.path_json,
			misses = excluded.misses, seq = excluded.seq,
			offered_json = excluded.offered_json, shown_json = excluded.shown_json,
			case_id = excluded.case_id, updated_at = excluded.updated_at,
			jurisdiction = excluded.jurisdiction, topic_json = excluded.topic_json,
			place_json = excluded.place_json`
	insertTurnSQL = `INSERT INTO turns (platform, channel, user_id, text, at, case_id, relayed) VALUES (?, ?, ?, ?, ?, ?, ?)`
)

// conversationPlace is a conversation's place_json column.
type conversationPlace struct {
	Town   bot.Town        `json:"town,omitzero"`
	Search bot.PlaceSearch `json:"search,omitzero"`
}

// Conversation returns the stored conversation of a, or an error wrapping
// bot.ErrNoConversation.
func (s *Store) Conversation(ctx context.Context, a bot.Address) (bot.Conversation, error) {
	c := bot.Conversation{Address: a}
	var (
		path, offered, shown, topic, place string
		caseID                             sql.NullInt64
		created, updated                   int64
	)
	var placeJSON conversationPlace
	// A turn reads its conversation first: on PostgreSQL it waits here
	// for another process's turn of the same conversation to commit, so
	// turns of one conversation never interleave across replicas.
	if err := s.lockKey(ctx, nil, conversationLock(a.Platform, a.Channel, a.User)); err != nil {
		return bot.Conversation{}, fmt.Errorf("load conversation: %w", err)
	}
	err := s.retry(ctx, func() error {
		return s.queryRow(ctx, s.stmts.loadConversation, loadConversationSQL, a.Platform, a.Channel, a.User).Scan(&c.State, &c.Lang, &c.TreeID, &c.TreeVersion, &c.Node, &path, &c.Misses, &c.Seq,
			&offered, &shown, &caseID, &created, &updated, &c.Jurisdiction, &topic, &place)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return bot.Conversation{}, fmt.Errorf("load conversation: %w", bot.ErrNoConversation)
	}
	if err != nil {
		return bot.Conversation{}, fmt.Errorf("load conversation: %w", err)
	}
	if err := errors.Join(
		json.Unmarshal([]byte(path), &c.Path),
		json.Unmarshal([]byte(offered), &c.Offered),
		json.Unmarshal([]byte(shown), &c.Shown),
		json.Unmarshal([]byte(topic), &c.Topic),
		json.Unmarshal([]byte(place), &placeJSON),
	); err != nil {
		return bot.Conversation{}, fmt.Errorf("decode conversation: %w", err)
	}
	c.Town, c.Search = placeJSON.Town, placeJSON.Search
	c.CaseID = caseID.Int64
	c.CreatedAt, c.UpdatedAt = fromMillis(created), fromMillis(updated)
	return c, nil
}

// saveTurn stores c, appends turns and queues out (see Commit). A zero
// c.UpdatedAt means now; c.CreatedAt is kept from the first save (now if
// zero). A turn with a zero Address belongs to c; a zero At means now.
func (s *Store) saveTurn(ctx context.Context, c bot.Conversation, turns []bot.Turn, out []bot.Reply) error {
	if c.Address.Platform == "" {
		return errors.New("save turn: conversation has no platform")
	}
	now := s.now()
	updated := c.UpdatedAt
	if updated.IsZero() {
		updated = now
	}
	created := c.CreatedAt
	if created.IsZero() {
		created = updated
	}
	path, err := json.Marshal(c.Path)
	if err != nil {
		return fmt.Errorf("save turn: encode path: %w", err)
	}
	offered, err := json.Marshal(c.Offered)
	if err != nil {
		return fmt.Errorf("save turn: encode offers: %w", err)
	}
	shown, err := json.Marshal(c.Shown)
	if err != nil {
		return fmt.Errorf("save turn: encode shown items: %w", err)
	}
	topic := []byte("null")
	if !c.Topic.IsZero() {
		if topic, err = json.Marshal(c.Topic); err != nil {
			return fmt.Errorf("save turn: encode topic: %w", err)
		}
	}
	place, err := json.Marshal(conversationPlace{Town: c.Town, Search: c.Search})
	if err != nil {
		return fmt.Errorf("save turn: encode place: %w", err)
	}
	for _, t := range turns {
		if t.Address != (bot.Address{}) && t.Address != c.Address {
			return errors.New("save turn: a turn's address differs from the conversation's")
		}
	}
	a := c.Address
	err = s.write(ctx, func(tx *sql.Tx) error {
		// A change made for another conversation (a mediator's turn
		// moving the citizen's) waits for that conversation's turn.
		if err := s.lockKey(ctx, tx, conversationLock(a.Platform, a.Channel, a.User)); err != nil {
			return err
		}
		_, err := tx.StmtContext(ctx, s.stmts.saveConversation).ExecContext(ctx,
			a.Platform, a.Channel, a.User,
			string(c.State), c.Lang, c.TreeID, c.TreeVersion, c.Node, string(path), c.Misses, c.Seq,
			string(offered), string(shown), sql.NullInt64{Int64: c.CaseID, Valid: c.CaseID != 0},
			millis(created), millis(updated), c.Jurisdiction, string(topic), string(place))
		if err != nil {
			return err
		}
		if err := s.queue(ctx, tx, out); err != nil {
			return err
		}
		if len(turns) == 0 {
			return nil
		}
		insert := tx.StmtContext(ctx, s.stmts.insertTurn)
		defer insert.Close()
		for _, t := range turns {
			at := t.At
			if at.IsZero() {
				at = now
			}
			caseID := sql.NullInt64{Int64: t.CaseID, Valid: t.CaseID != 0}
			if _, err := insert.ExecContext(ctx, a.Platform, a.Channel, a.User, t.Text, millis(at), caseID, t.Relayed); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("save turn: %w", err)
	}
	return nil
}

// RecentTurns returns up to n most recent turns of a, oldest first.
func (s *Store) RecentTurns(ctx context.Context, a bot.Address, n int) ([]bot.Turn, error) {
	if n <= 0 {
		return nil, nil
	}
	var turns []bot.Turn
	err := s.retry(ctx, func() error {
		turns = turns[:0]
		rows, err := s.reader(ctx).QueryContext(ctx, `SELECT text, at FROM turns
			WHERE platform = ? AND channel = ? AND user_id = ?
			ORDER BY at DESC, id DESC LIMIT ?`, a.Platform, a.Channel, a.User, n)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			t := bot.Turn{Address: a}
			var at int64
			if err := rows.Scan(&t.Text, &at); err != nil {
				return err
			}
			t.At = fromMillis(at)
			turns = append(turns, t)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("load recent turns: %w", err)
	}
	slices.Reverse(turns)
	return turns, nil
}

// CaseMessages returns up to n most recent relayed turns of case id, the
// citizen's and the mediators', oldest first.
func (s *Store) CaseMessages(ctx context.Context, id int64, n int) ([]bot.Turn, error) {
	if n <= 0 {
		return nil, nil
	}
	var turns []bot.Turn
	err := s.retry(ctx, func() error {
		turns = turns[:0]
		rows, err := s.reader(ctx).QueryContext(ctx, `SELECT platform, channel, user_id, text, at FROM turns
			WHERE case_id = ? AND relayed = 1
			ORDER BY at DESC, id DESC LIMIT ?`, id, n)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			t := bot.Turn{CaseID: id, Relayed: true}
			var at int64
			if err := rows.Scan(&t.Address.Platform, &t.Address.Channel, &t.Address.User, &t.Text, &at); err != nil {
				return err
			}
			t.At = fromMillis(at)
			turns = append(turns, t)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("load case %d messages: %w", id, err)
	}
	slices.Reverse(turns)
	return turns, nil
}

// ForgetUser deletes the user's conversations, turns and usage events in
// every channel of the platform, and their cases whatever their status
// with the cases' notes. It returns the number of rows deleted. A migration that adds a
// table keyed by user must add it here.
func (s *Store) ForgetUser(ctx context.Context, platform, user string) (int64, error) {
	userKey := bot.UserStateKey(platform, user)
	var total int64
	err := s.write(ctx, func(tx *sql.Tx) error {
		total = 0
		return execAll(ctx, tx, &total,
			stmt{`DELETE FROM turns WHERE (platform, channel, user_id) IN
				(SELECT platform, channel, user_id FROM conversations WHERE platform = ? AND user_id = ?)`,
				[]any{platform, user}},
			// The mediators' side of the person's cases: their messages to
			// the person, their notes and commands about the case.
			stmt{`DELETE FROM turns WHERE case_id IN
				(SELECT id FROM cases WHERE platform = ? AND user_id = ?)`, []any{platform, user}},
			// Buttons offered to a mediator about these cases may hold
			// their words (« send it to the person? »).
			stmt{`UPDATE conversations SET offered_json = 'null' WHERE case_id IN
				(SELECT id FROM cases WHERE platform = ? AND user_id = ?)`, []any{platform, user}},
			stmt{`DELETE FROM conversations WHERE platform = ? AND user_id = ?`, []any{platform, user}},
			// Notes would go by cascade, but deleting them here counts them.
			stmt{`DELETE FROM case_notes WHERE case_id IN
				(SELECT id FROM cases WHERE platform = ? AND user_id = ?)`, []any{platform, user}},
			stmt{`DELETE FROM cases WHERE platform = ? AND user_id = ?`, []any{platform, user}},
			stmt{`DELETE FROM outbox WHERE platform = ? AND user_id = ?`, []any{platform, user}},
			stmt{`DELETE FROM outbox WHERE about_platform = ? AND about_user = ?`, []any{platform, user}},
			// The gap report's events: masked, but theirs.
			stmt{`DELETE FROM usage_events WHERE platform = ? AND user_id = ?`, []any{platform, user}},
			// What adapters keep about the person (the private thread opened
			// for them): keys under bot.UserStateKey name them.
			stmt{`DELETE FROM adapter_state WHERE substr(key, 1, ?) = ?`, []any{utf8.RuneCountInString(userKey), userKey}},
		)
	})
	if err != nil {
		return 0, fmt.Errorf("forget user: %w", err)
	}
	if st := txFrom(ctx); st != nil {
		st.scrub = true // once the turn's transaction commits
	} else if s.ckpt != nil {
		if err := s.ckpt.scrub(ctx); err != nil {
			// The rows are gone; their old pages leave the WAL at the next
			// full checkpoint (at the latest when the store closes).
			s.log.WarnContext(ctx, "store: WAL not emptied after an erasure", "err", err)
		}
	}
	s.log.DebugContext(ctx, "store: user forgotten", "platform", platform, "rows", total)
	return total, nil
}

// PurgeBefore applies the retention period: it deletes turns and usage
// events older than t, conversations not updated since t with their
// turns, and closed cases not updated since t with their notes. Open and
// claimed cases are kept, and so are their conversations: a mediator
// still needs them. Admin sessions that expired or were revoked before t
// go too. The report's counters (counters.go) hold nothing personal and
// are kept. It returns the number of rows deleted.
func (s *Store) PurgeBefore(ctx context.Context, t time.Time) (int64, error) {
	cut := millis(t)
	var total int64
	err := s.write(ctx, func(tx *sql.Tx) error {
		total = 0
		const stale = `SELECT platform, channel, user_id FROM conversations c
			WHERE c.updated_at < ? AND NOT EXISTS (SELECT 1 FROM cases k
				WHERE k.platform = c.platform AND k.channel = c.channel AND k.user_id = c.user_id
				AND k.status IN ('open', 'claimed'))`
		return execAll(ctx, tx, &total,
			stmt{`DELETE FROM turns WHERE at < ?`, []any{cut}},
			stmt{`DELETE FROM turns WHERE (platform, channel, user_id) IN (` + stale + `)`, []any{cut}},
			stmt{`DELETE FROM conversations WHERE (platform, channel, user_id) IN (` + stale + `)`, []any{cut}},
			stmt{`DELETE FROM case_notes WHERE case_id IN
				(SELECT id FROM cases WHERE status = 'closed' AND updated_at < ?)`, []any{cut}},
			stmt{`DELETE FROM cases WHERE status = 'closed' AND updated_at < ?`, []any{cut}},
			stmt{`DELETE FROM outbox WHERE (sent_at IS NOT NULL OR dead = 1) AND created_at < ?`, []any{cut}},
			stmt{`DELETE FROM handled WHERE at < ?`, []any{cut}},
			stmt{`DELETE FROM usage_events WHERE at < ?`, []any{cut}},
			stmt{`DELETE FROM sessions WHERE expires_at < ? OR revoked_at < ?`, []any{cut, cut}},
		)
	})
	if err != nil {
		return 0, fmt.Errorf("purge before %s: %w", t.UTC().Format(time.RFC3339), err)
	}
	if s.ckpt != nil && total > 0 {
		if err := s.ckpt.scrub(ctx); err != nil {
			s.log.WarnContext(ctx, "store: WAL not emptied after the retention purge", "err", err)
		}
	}
	s.log.DebugContext(ctx, "store: purged", "before", t, "rows", total)
	return total, nil
}

type stmt struct {
	query string
	args  []any
}

// execAll runs statements in tx and adds the rows they affected to total.
func execAll(ctx context.Context, tx *sql.Tx, total *int64, stmts ...stmt) error {
	for _, st := range stmts {
		res, err := tx.ExecContext(ctx, st.query, st.args...)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		*total += n
	}
	return nil
}
