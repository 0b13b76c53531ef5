package storetest

import (
	"fmt"
	"strings"
	"time"

	"github.com/boussole/boussole/bot"
	"github.com/boussole/boussole/knowledge"
)

// Helpers that fail the test on a storage error. Each takes the handle
// to use, so that tests of several processes say which one acts.

func (e *env) save(s Store, c bot.Conversation, turns ...bot.Turn) {
	e.t.Helper()
	if err := s.Commit(e.ctx, c, turns, nil); err != nil {
		e.t.Fatalf("Commit %v: %v", c.Address, err)
	}
}

func (e *env) commit(s Store, c bot.Conversation, turns []bot.Turn, out ...bot.Reply) {
	e.t.Helper()
	if err := s.Commit(e.ctx, c, turns, out); err != nil {
		e.t.Fatalf("Commit %v: %v", c.Address, err)
	}
}

func (e *env) enqueue(s Store, out ...bot.Reply) {
	e.t.Helper()
	if err := s.Enqueue(e.ctx, out); err != nil {
		e.t.Fatalf("Enqueue: %v", err)
	}
}

func (e *env) conversation(s Store, a bot.Address) bot.Conversation {
	e.t.Helper()
	c, err := s.Conversation(e.ctx, a)
	if err != nil {
		e.t.Fatalf("Conversation %v: %v", a, err)
	}
	return c
}

func (e *env) turns(s Store, a bot.Address, n int) []bot.Turn {
	e.t.Helper()
	ts, err := s.RecentTurns(e.ctx, a, n)
	if err != nil {
		e.t.Fatalf("RecentTurns %v: %v", a, err)
	}
	return ts
}

// openCase opens c and returns it as stored.
func (e *env) openCase(s Store, c bot.Case) bot.Case {
	e.t.Helper()
	id, err := s.OpenCase(e.ctx, c)
	if err != nil {
		e.t.Fatalf("OpenCase %v: %v", c.Address, err)
	}
	if id <= 0 {
		e.t.Fatalf("OpenCase %v = %d, want a positive id", c.Address, id)
	}
	return e.caseOf(s, id)
}

func (e *env) caseOf(s Store, id int64) bot.Case {
	e.t.Helper()
	c, err := s.Case(e.ctx, id)
	if err != nil {
		e.t.Fatalf("Case %d: %v", id, err)
	}
	return c
}

func (e *env) update(s Store, id int64, from []bot.CaseStatus, ch bot.CaseChange, out ...bot.Reply) bot.Case {
	e.t.Helper()
	c, err := s.UpdateCase(e.ctx, id, from, ch, out)
	if err != nil {
		e.t.Fatalf("UpdateCase %d: %v", id, err)
	}
	return c
}

func (e *env) notes(s Store, id int64) []bot.CaseNote {
	e.t.Helper()
	ns, err := s.CaseNotes(e.ctx, id)
	if err != nil {
		e.t.Fatalf("CaseNotes %d: %v", id, err)
	}
	return ns
}

func (e *env) cases(s Store, queue string, statuses ...bot.CaseStatus) []bot.Case {
	e.t.Helper()
	cs, err := s.Cases(e.ctx, queue, statuses...)
	if err != nil {
		e.t.Fatalf("Cases %q %v: %v", queue, statuses, err)
	}
	return cs
}

func (e *env) pending(s Store) []bot.Outgoing {
	e.t.Helper()
	out, err := s.PendingOutgoing(e.ctx, 10_000)
	if err != nil {
		e.t.Fatalf("PendingOutgoing: %v", err)
	}
	return out
}

// pendingReplies is pending without the outbox's keys, to compare with
// what was queued.
func (e *env) pendingReplies(s Store) []bot.Reply {
	e.t.Helper()
	var rs []bot.Reply
	for _, o := range e.pending(s) {
		o.Reply.Key = ""
		rs = append(rs, o.Reply)
	}
	return rs
}

func (e *env) claim(s Store, owner string, platforms []string, until time.Time, limit int, owns func(bot.Address) bool) []bot.Outgoing {
	e.t.Helper()
	out, err := s.ClaimOutgoing(e.ctx, owner, platforms, until, limit, owns)
	if err != nil {
		e.t.Fatalf("ClaimOutgoing by %s: %v", owner, err)
	}
	return out
}

func (e *env) publish(s Store, tree *knowledge.Tree) int {
	e.t.Helper()
	v, err := s.PublishTree(e.ctx, tree)
	if err != nil {
		e.t.Fatalf("PublishTree %s: %v", tree.ID, err)
	}
	return v
}

// FullConversation sets every field of a conversation; caseID must be a
// case of the store (or 0).
func FullConversation(a bot.Address, caseID int64) bot.Conversation {
	return bot.Conversation{
		Address:      a,
		State:        bot.StateInTree,
		Lang:         "fr",
		Jurisdiction: "QC",
		TreeID:       "papiers-identite",
		TreeVersion:  3,
		Node:         "situation-cni",
		Path:         []bot.Step{{Node: "quel-document", Choice: "Carte d'identité"}},
		Misses:       2,
		Seq:          7,
		Offered: []bot.Offer{
			{Label: "Première demande", Action: "choose", Arg: "0", Keys: []string{"nouvelle", "1re"}, Payload: "7:0"},
			{Label: "Perte ou vol", Action: "choose", Arg: "1", Payload: "7:1"},
		},
		Shown:     []string{"cni-demande", "cni-perte"},
		CaseID:    caseID,
		CreatedAt: T0.Add(-time.Hour),
		UpdatedAt: T0,
		Topic: bot.Topic{Items: []string{"cni-perte", "cni-vol"}, Offered: true,
			TreeID: "papiers-identite", TreeVersion: 3, Node: "situation-cni", Idle: 2},
		Town:   bot.Town{Name: "Rimouski", Jurisdiction: "QC", Lat: 48.44879, Lon: -68.52396},
		Search: bot.PlaceSearch{Services: []string{"demarches"}, Labels: []string{"services-quebec"}, Shown: 3},
	}
}

// simpleConversation is a conversation with nothing but its address and
// times.
func simpleConversation(a bot.Address, updated time.Time) bot.Conversation {
	return bot.Conversation{Address: a, State: bot.StateIdle, Lang: "fr", CreatedAt: updated, UpdatedAt: updated}
}

func in(a bot.Address, text string, at time.Time) bot.Turn {
	return bot.Turn{Address: a, Text: text, At: at}
}

func reply(to bot.Address, text string) bot.Reply { return bot.Reply{To: to, Text: text} }

func mediator(name string) *bot.Mediator {
	return &bot.Mediator{Name: name, Address: addr("discord", "mediators", strings.ToLower(name))}
}

// withoutCaseIDs drops Turn.CaseID and Turn.Relayed, which RecentTurns
// need not return (the engine reads turns for their words).
func withoutCaseIDs(ts []bot.Turn) []bot.Turn {
	out := make([]bot.Turn, len(ts))
	for i, t := range ts {
		t.CaseID, t.Relayed = 0, false
		out[i] = t
	}
	return out
}

func texts(ts []bot.Turn) []string {
	var out []string
	for _, t := range ts {
		out = append(out, t.Text)
	}
	return out
}

func replyTexts(os []bot.Outgoing) []string {
	var out []string
	for _, o := range os {
		out = append(out, o.Reply.Text)
	}
	return out
}

func caseIDs(cs []bot.Case) []int64 {
	var out []int64
	for _, c := range cs {
		out = append(out, c.ID)
	}
	return out
}

func describe(c bot.Case) string {
	return fmt.Sprintf("case %d %s by %+v", c.ID, c.Status, c.Mediator)
}
