package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/boussole/boussole/bot"
)

// Usage events and the gap report's figures: the questions the bot did
// not understand or was unsure of (masked by the engine before they get
// here), how far people go in each tree, why cases were opened and how
// people rated them, per topic. The report reads aggregates and masked
// text only: no query below returns a conversation's address.

// RecordUsage appends usage events; inside a turn's transaction (InTx)
// they commit with the turn. A zero At means now.
func (s *Store) RecordUsage(ctx context.Context, events []bot.UsageEvent) error {
	if len(events) == 0 {
		return nil
	}
	now := s.now()
	err := s.write(ctx, func(tx *sql.Tx) error {
		ins, err := tx.PrepareContext(ctx, `INSERT INTO usage_events
			(at, kind, platform, channel, user_id, jurisdiction, lang, tree_id, node, text, score)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		defer ins.Close()
		for _, e := range events {
			at := e.At
			if at.IsZero() {
				at = now
			}
			a := e.Address
			if _, err := ins.ExecContext(ctx, millis(at), string(e.Kind), a.Platform, a.Channel, a.User,
				e.Jurisdiction, e.Lang, e.TreeID, e.Node, e.Text, e.Score); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("record usage: %w", err)
	}
	return nil
}

// UsageQuestion is a message the bot did not understand or answered
// with a doubt, as the report shows it: masked text, no address.
type UsageQuestion struct {
	At           time.Time
	Kind         bot.UsageKind
	Text         string
	Jurisdiction string
	Lang         string
	// TreeID and Node say where in a tree the person was, if they were.
	TreeID string
	Node   string
	Score  float64
}

// UsageQuestions returns up to limit questions (not understood, unsure)
// asked since since, newest first.
func (s *Store) UsageQuestions(ctx context.Context, since time.Time, limit int) ([]UsageQuestion, error) {
	var out []UsageQuestion
	err := s.retry(ctx, func() error {
		out = nil
		rows, err := s.reader(ctx).QueryContext(ctx, `SELECT at, kind, text, jurisdiction, lang, tree_id, node, score
			FROM usage_events WHERE kind IN (?, ?) AND at >= ? ORDER BY at DESC, id DESC LIMIT ?`,
			string(bot.UsageNotUnderstood), string(bot.UsageUnsure), millis(since), limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var (
				q    UsageQuestion
				at   int64
				kind string
			)
			if err := rows.Scan(&at, &kind, &q.Text, &q.Jurisdiction, &q.Lang, &q.TreeID, &q.Node, &q.Score); err != nil {
				return err
			}
			q.At, q.Kind = fromMillis(at), bot.UsageKind(kind)
			out = append(out, q)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("read usage questions: %w", err)
	}
	return out, nil
}

// NodeStat says how often a tree's question was shown and how often a
// choice was taken there since a date.
type NodeStat struct {
	TreeID string
	Node   string
	Shown  int
	Chose  int
}

// NodeStats returns the figures of every node shown or chosen at since
// since, by tree and node.
func (s *Store) NodeStats(ctx context.Context, since time.Time) ([]NodeStat, error) {
	var out []NodeStat
	err := s.retry(ctx, func() error {
		out = nil
		rows, err := s.reader(ctx).QueryContext(ctx, `SELECT tree_id, node,
				SUM(CASE WHEN kind = ? THEN 1 ELSE 0 END), SUM(CASE WHEN kind = ? THEN 1 ELSE 0 END)
			FROM usage_events WHERE kind IN (?, ?) AND at >= ?
			GROUP BY tree_id, node ORDER BY tree_id, node`,
			string(bot.UsageNode), string(bot.UsageChose), string(bot.UsageNode), string(bot.UsageChose), millis(since))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var n NodeStat
			if err := rows.Scan(&n.TreeID, &n.Node, &n.Shown, &n.Chose); err != nil {
				return err
			}
			out = append(out, n)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("read node statistics: %w", err)
	}
	return out, nil
}

// EscalationStat counts the cases opened since a date for one topic and
// reason (bot.CaseSummary: asked, tree, misunderstood, danger).
type EscalationStat struct {
	// TreeID is the topic's tree ("" for a general request); Topic its
	// title as the case summary wrote it.
	TreeID string
	Topic  string
	Reason string
	Count  int
}

// EscalationReasons counts the cases opened since since by topic and
// reason, the largest first.
func (s *Store) EscalationReasons(ctx context.Context, since time.Time) ([]EscalationStat, error) {
	var out []EscalationStat
	err := s.retry(ctx, func() error {
		out = nil
		rows, err := s.reader(ctx).QueryContext(ctx, `SELECT
				COALESCE(`+s.jsonText("summary_json", "tree_id")+`, ''),
				MAX(COALESCE(`+s.jsonText("summary_json", "topic")+`, '')),
				COALESCE(`+s.jsonText("summary_json", "reason")+`, ''),
				COUNT(*) AS n
			FROM cases WHERE created_at >= ?
			GROUP BY 1, 3 ORDER BY n DESC, 1, 3`, millis(since))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var e EscalationStat
			if err := rows.Scan(&e.TreeID, &e.Topic, &e.Reason, &e.Count); err != nil {
				return err
			}
			out = append(out, e)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("read escalation reasons: %w", err)
	}
	return out, nil
}

// SatisfactionStat is how the people of one topic rated their cases.
type SatisfactionStat struct {
	TreeID string
	Topic  string
	// Count is the number of rated cases, Sum the sum of their ratings.
	Count int
	Sum   int
	// Ratings[i] is the number of cases rated i+1.
	Ratings [5]int
}

// Average is the mean rating (0 without any).
func (st SatisfactionStat) Average() float64 {
	if st.Count == 0 {
		return 0
	}
	return float64(st.Sum) / float64(st.Count)
}

// Satisfaction returns the ratings of cases opened since since, by topic
// (only rated cases count), the most rated topic first.
func (s *Store) Satisfaction(ctx context.Context, since time.Time) ([]SatisfactionStat, error) {
	var out []SatisfactionStat
	err := s.retry(ctx, func() error {
		out = nil
		rows, err := s.reader(ctx).QueryContext(ctx, `SELECT
				COALESCE(`+s.jsonText("summary_json", "tree_id")+`, ''),
				MAX(COALESCE(`+s.jsonText("summary_json", "topic")+`, '')),
				COUNT(*) AS n, SUM(satisfaction),
				SUM(CASE WHEN satisfaction = 1 THEN 1 ELSE 0 END), SUM(CASE WHEN satisfaction = 2 THEN 1 ELSE 0 END), SUM(CASE WHEN satisfaction = 3 THEN 1 ELSE 0 END), SUM(CASE WHEN satisfaction = 4 THEN 1 ELSE 0 END), SUM(CASE WHEN satisfaction = 5 THEN 1 ELSE 0 END)
			FROM cases WHERE satisfaction BETWEEN 1 AND 5 AND created_at >= ?
			GROUP BY 1 ORDER BY n DESC, 1`, millis(since))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var st SatisfactionStat
			r := &st.Ratings
			if err := rows.Scan(&st.TreeID, &st.Topic, &st.Count, &st.Sum, &r[0], &r[1], &r[2], &r[3], &r[4]); err != nil {
				return err
			}
			out = append(out, st)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("read satisfaction: %w", err)
	}
	return out, nil
}
