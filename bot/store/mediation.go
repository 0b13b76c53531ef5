package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/boussole/boussole/bot"
	"github.com/boussole/boussole/internal/sets"
)

// UpdateCase applies ch to case id if its status is one of from (any
// status when from is empty), and queues out, in one write transaction:
// the change and the notices it sends are never separated by a crash, and
// two mediators claiming at once cannot both win, because the status is
// read and changed under the single write lock.
//
// When the status is not one of from, nothing is written nor queued, and
// the case as it is comes back with an error wrapping bot.ErrCaseConflict,
// so the loser can be told who won. A missing case is an error wrapping
// ErrNotFound.
//
// Of ch, only what is set changes: Status and Queue when not empty,
// Mediator when not nil (ClearMediator removes it), Outcome when not empty,
// Satisfaction when above 0; Announced sets AnnouncedAt to ch.At. A
// non-empty Note is appended to the case's notes, written by ch.Mediator,
// else by the case's mediator, else by nobody (""). UpdatedAt becomes ch.At;
// a zero ch.At means now.
//
// A closed case no longer counts as the address's active case, so
// OpenCase opens a new one; reopening a case while its address has
// another active case fails.
func (s *Store) UpdateCase(ctx context.Context, id int64, from []bot.CaseStatus, ch bot.CaseChange, out []bot.Reply) (bot.Case, error) {
	if err := checkChange(ch); err != nil {
		return bot.Case{}, fmt.Errorf("update case %d: %w", id, err)
	}
	mediator, err := encodeMediator(ch.Mediator)
	if err != nil {
		return bot.Case{}, fmt.Errorf("update case %d: %w", id, err)
	}
	at := ch.At
	if at.IsZero() {
		at = s.now()
	}
	var (
		c        bot.Case
		was      bot.CaseStatus
		conflict bool
	)
	err = s.write(ctx, func(tx *sql.Tx) error {
		conflict = false
		// Replicas: the status read below is the one the change applies
		// to (two mediators claiming at once: one wins).
		if err := s.lockKey(ctx, tx, "case\x00"+strconv.FormatInt(id, 10)); err != nil {
			return err
		}
		cur, err := loadCase(ctx, tx, id)
		if err != nil {
			return err
		}
		c, was = cur, cur.Status
		if len(from) > 0 && !slices.Contains(from, cur.Status) {
			conflict = true
			return fmt.Errorf("status is %s, want %s: %w", cur.Status, joinStatuses(from), bot.ErrCaseConflict)
		}

		set := []string{"updated_at = ?"}
		args := []any{millis(at)}
		add := func(col string, v any) {
			set = append(set, col+" = ?")
			args = append(args, v)
		}
		if ch.Status != "" {
			add("status", string(ch.Status))
		}
		if ch.Status == bot.CaseClaimed && cur.ClaimedAt.IsZero() {
			add("claimed_at", millis(at))
		}
		switch {
		case ch.Mediator != nil:
			add("mediator_json", mediator)
		case ch.ClearMediator:
			add("mediator_json", nil)
		}
		if ch.Queue != "" {
			add("queue", ch.Queue)
		}
		if ch.Outcome != "" {
			add("outcome", ch.Outcome)
		}
		if ch.Satisfaction > 0 {
			add("satisfaction", ch.Satisfaction)
		}
		if ch.Announced {
			add("announced_at", millis(at))
		}
		if len(ch.Urgent) > 0 {
			// Kinds of danger accumulate: a case once urgent stays so.
			add("urgent", strings.Join(sets.Union(cur.Urgent, ch.Urgent), ","))
		}
		// set holds column names written above, never input.
		if _, err := tx.ExecContext(ctx, `UPDATE cases SET `+strings.Join(set, ", ")+` WHERE id = ?`,
			append(args, id)...); err != nil {
			if isUnique(err) {
				return fmt.Errorf("the address has another open or claimed case (%w)", err)
			}
			return err
		}

		if ch.Note != "" {
			author := ""
			switch {
			case ch.Mediator != nil:
				author = ch.Mediator.Name
			case cur.Mediator != nil:
				author = cur.Mediator.Name
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO case_notes (case_id, author, text, at) VALUES (?, ?, ?, ?)`,
				id, author, ch.Note, millis(at)); err != nil {
				return fmt.Errorf("add note: %w", err)
			}
		}
		if err := s.queue(ctx, tx, out); err != nil {
			return err
		}
		// Read back rather than patch cur, so what is returned is what is
		// stored.
		c, err = loadCase(ctx, tx, id)
		return err
	})
	if conflict {
		s.log.DebugContext(ctx, "store: case changed meanwhile", "case", id, "status", was)
		return c, fmt.Errorf("update case %d: %w", id, err)
	}
	if err != nil {
		return bot.Case{}, fmt.Errorf("update case %d: %w", id, err)
	}
	s.log.DebugContext(ctx, "store: case updated", "case", id, "from", was, "to", c.Status,
		"queue", c.Queue, "note", ch.Note != "", "messages", len(out))
	return c, nil
}

// checkChange refuses changes the schema would refuse anyway, with a
// clearer message, and contradictory ones.
func checkChange(ch bot.CaseChange) error {
	switch ch.Status {
	case "", bot.CaseOpen, bot.CaseClaimed, bot.CaseClosed:
	default:
		return fmt.Errorf("unknown status %q", ch.Status)
	}
	if ch.Mediator != nil && ch.ClearMediator {
		return errors.New("change both sets and clears the mediator")
	}
	if ch.Satisfaction < 0 || ch.Satisfaction > 5 {
		return fmt.Errorf("satisfaction %d, want 1 to 5 (0: unchanged)", ch.Satisfaction)
	}
	return nil
}

func joinStatuses(ss []bot.CaseStatus) string {
	var b strings.Builder
	for i, st := range ss {
		if i > 0 {
			b.WriteString(" or ")
		}
		b.WriteString(string(st))
	}
	return b.String()
}

// Cases lists the cases of queue ("" for every queue) whose status is one
// of statuses (open and claimed when none is given), oldest first.
func (s *Store) Cases(ctx context.Context, queue string, statuses ...bot.CaseStatus) ([]bot.Case, error) {
	if len(statuses) == 0 {
		statuses = []bot.CaseStatus{bot.CaseOpen, bot.CaseClaimed}
	}
	var (
		where []string
		args  []any
	)
	if queue != "" {
		where = append(where, "queue = ?")
		args = append(args, queue)
	}
	// One placeholder per status; the query text holds no input.
	where = append(where, "status IN (?"+strings.Repeat(", ?", len(statuses)-1)+")")
	for _, st := range statuses {
		args = append(args, string(st))
	}
	query := `SELECT ` + caseColumns + ` FROM cases WHERE ` + strings.Join(where, " AND ") + ` ORDER BY created_at, id`
	var cases []bot.Case
	err := s.retry(ctx, func() error {
		cases = cases[:0]
		rows, err := s.reader(ctx).QueryContext(ctx, query, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			c, err := scanCase(rows)
			if err != nil {
				return err
			}
			cases = append(cases, c)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("list cases: %w", err)
	}
	return cases, nil
}

// CaseNotes returns the private notes of case id, oldest first, or an
// error wrapping ErrNotFound when there is no such case (a mediator may
// type any number).
func (s *Store) CaseNotes(ctx context.Context, id int64) ([]bot.CaseNote, error) {
	var notes []bot.CaseNote
	err := s.retry(ctx, func() error {
		notes = notes[:0]
		// One statement, so the notes and the case's existence are read
		// from the same snapshot: a case without notes yields one row of
		// NULLs, a missing case no row.
		rows, err := s.reader(ctx).QueryContext(ctx, `SELECT n.author, n.text, n.at FROM cases c
			LEFT JOIN case_notes n ON n.case_id = c.id
			WHERE c.id = ? ORDER BY n.at, n.id`, id)
		if err != nil {
			return err
		}
		defer rows.Close()
		found := false
		for rows.Next() {
			found = true
			var (
				author, text sql.NullString
				at           sql.NullInt64
			)
			if err := rows.Scan(&author, &text, &at); err != nil {
				return err
			}
			if !text.Valid {
				continue
			}
			notes = append(notes, bot.CaseNote{Author: author.String, Text: text.String, At: fromMillis(at.Int64)})
		}
		if err := rows.Err(); err != nil {
			return err
		}
		if !found {
			return ErrNotFound
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load notes of case %d: %w", id, err)
	}
	if len(notes) == 0 {
		return nil, nil
	}
	return notes, nil
}
