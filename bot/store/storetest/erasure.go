package storetest

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/boussole/boussole/bot"
	"github.com/boussole/boussole/knowledge"
)

func testErasure(t *testing.T, open Opener) {
	t.Run("ForgetUser deletes everything about the user and nothing else", func(t *testing.T) {
		e := setup(t, open)
		aliceDM, aliceGeneral := addr("discord", "dm-alice", "alice"), addr("discord", "general", "alice")
		aliceMM := addr("mattermost", "dm", "alice") // the same user id on another platform: someone else
		bob := addr("discord", "general", "bob")
		marie := mediator("Marie")
		queueChannel := addr("discord", "queue-papiers", "")

		// Conversations, each with a topic under discussion, and the
		// citizens' turns.
		for _, a := range []bot.Address{aliceDM, aliceGeneral, aliceMM, bob} {
			c := simpleConversation(a, T0)
			c.Topic = bot.Topic{Items: []string{"rsa"}, TreeID: "argent-aides", TreeVersion: 1, Node: "revenus"}
			e.save(e.s, c, in(a, "bonjour "+a.User, T0), in(a, "aide", T0.Add(time.Second)))
		}
		// Cases: alice's current one, claimed by Marie with a note, and
		// an old closed one; bob's and the other alice's.
		aliceOld := e.openCase(e.s, bot.Case{Address: aliceGeneral, Queue: "impots", Status: bot.CaseOpen, CreatedAt: T0.Add(-time.Hour)})
		e.update(e.s, aliceOld.ID, nil, bot.CaseChange{Status: bot.CaseClosed, Outcome: "resolved", Note: "ancienne", At: T0.Add(-time.Minute)})
		aliceCase := e.openCase(e.s, bot.Case{Address: aliceDM, Queue: "papiers", Status: bot.CaseOpen, CreatedAt: T0,
			Summary: bot.CaseSummary{Topic: "papiers", LastWords: []string{"bonjour alice"}}})
		e.update(e.s, aliceCase.ID, []bot.CaseStatus{bot.CaseOpen}, bot.CaseChange{Status: bot.CaseClaimed, Mediator: marie, Note: "rappeler alice", At: T0})
		bobCase := e.openCase(e.s, bot.Case{Address: bob, Queue: "papiers", Status: bot.CaseOpen, CreatedAt: T0})
		bobCase = e.update(e.s, bobCase.ID, nil, bot.CaseChange{Note: "note sur bob", At: T0})
		mmCase := e.openCase(e.s, bot.Case{Address: aliceMM, Queue: "papiers", Status: bot.CaseOpen, CreatedAt: T0})
		c := simpleConversation(aliceDM, T0)
		c.State, c.CaseID = bot.StateWithMediator, aliceCase.ID
		c.Topic = bot.Topic{Items: []string{"cni-perte"}}
		e.save(e.s, c, bot.Turn{Address: aliceDM, Text: "dans le cas", At: T0.Add(2 * time.Second), CaseID: aliceCase.ID, Relayed: true})

		// The mediator's side: her words in alice's case, in bob's, and
		// a command about no case.
		e.save(e.s, simpleConversation(marie.Address, T0),
			bot.Turn{Address: marie.Address, Text: "bonjour alice, ici Marie", At: T0, CaseID: aliceCase.ID, Relayed: true},
			bot.Turn{Address: marie.Address, Text: "bonjour bob", At: T0.Add(time.Second), CaseID: bobCase.ID, Relayed: true},
			bot.Turn{Address: marie.Address, Text: "!cases", At: T0.Add(2 * time.Second)},
		)
		// Messages to alice, about her, and to or about others.
		e.enqueue(e.s,
			reply(aliceDM, "to alice dm"),
			reply(aliceGeneral, "to alice general"),
			bot.Reply{To: marie.Address, About: aliceDM, Text: "relay of alice"},
			bot.Reply{To: queueChannel, About: aliceDM, Text: "alice's case posted"},
			reply(bob, "to bob"),
			bot.Reply{To: marie.Address, About: bob, Text: "relay of bob"},
			reply(aliceMM, "to the other alice"),
			bot.Reply{To: marie.Address, About: aliceMM, Text: "relay of the other alice"},
		)
		bobBefore, mmBefore := e.conversation(e.s, bob), e.conversation(e.s, aliceMM)
		mmCase = e.caseOf(e.s, mmCase.ID)

		n, err := e.s.ForgetUser(e.ctx, "discord", "alice")
		if err != nil {
			t.Fatalf("ForgetUser: %v", err)
		}
		if n <= 0 {
			t.Errorf("ForgetUser = %d, want the number of rows deleted", n)
		}

		for h, s := range []Store{e.s, e.reopen()} {
			for _, a := range []bot.Address{aliceDM, aliceGeneral} {
				if _, err := s.Conversation(e.ctx, a); !errors.Is(err, bot.ErrNoConversation) {
					t.Errorf("handle %d: conversation %v kept (err %v)", h+1, a, err)
				}
				if got := e.turns(s, a, 10); len(got) != 0 {
					t.Errorf("handle %d: turns of %v kept: %q", h+1, a, texts(got))
				}
			}
			for _, id := range []int64{aliceCase.ID, aliceOld.ID} {
				if _, err := s.Case(e.ctx, id); !errors.Is(err, knowledge.ErrNotFound) {
					t.Errorf("handle %d: case %d: err = %v, want ErrNotFound", h+1, id, err)
				}
				if _, err := s.CaseNotes(e.ctx, id); !errors.Is(err, knowledge.ErrNotFound) {
					t.Errorf("handle %d: notes of case %d: err = %v, want ErrNotFound", h+1, id, err)
				}
			}
			if got := caseIDs(e.cases(s, "", bot.CaseOpen, bot.CaseClaimed, bot.CaseClosed)); !slices.Equal(got, []int64{bobCase.ID, mmCase.ID}) {
				t.Errorf("handle %d: cases %v left, want bob's %d and the other alice's %d", h+1, got, bobCase.ID, mmCase.ID)
			}
			if got := texts(e.turns(s, marie.Address, 10)); !slices.Equal(got, []string{"bonjour bob", "!cases"}) {
				t.Errorf("handle %d: the mediator's turns %q, want those not in alice's case", h+1, got)
			}
			if got, err := s.CaseMessages(e.ctx, aliceCase.ID, 10); err != nil || len(got) != 0 {
				t.Errorf("handle %d: messages of alice's case kept: %q, %v", h+1, texts(got), err)
			}
			if got, err := s.CaseMessages(e.ctx, bobCase.ID, 10); err != nil || !slices.Equal(texts(got), []string{"bonjour bob"}) {
				t.Errorf("handle %d: messages of bob's case %q, %v; want the mediator's", h+1, texts(got), err)
			}
			if got := replyTexts(e.pending(s)); !slices.Equal(got, []string{"to bob", "relay of bob", "to the other alice", "relay of the other alice"}) {
				t.Errorf("handle %d: queued %q, want nothing to or about alice", h+1, got)
			}
			// Others are untouched.
			if got := e.conversation(s, bob); !equal(got, bobBefore) {
				t.Errorf("handle %d: bob's conversation changed:\n got %+v\nwant %+v", h+1, got, bobBefore)
			}
			if got := e.conversation(s, aliceMM); !equal(got, mmBefore) {
				t.Errorf("handle %d: the other alice's conversation changed:\n got %+v\nwant %+v", h+1, got, mmBefore)
			}
			for _, a := range []bot.Address{bob, aliceMM} {
				if got := e.turns(s, a, 10); len(got) != 2 {
					t.Errorf("handle %d: turns of %v: %q, want 2", h+1, a, texts(got))
				}
			}
			if got := e.caseOf(s, bobCase.ID); !equal(got, bobCase) {
				t.Errorf("handle %d: bob's case changed:\n got %+v\nwant %+v", h+1, got, bobCase)
			}
			if got := e.caseOf(s, mmCase.ID); !equal(got, mmCase) {
				t.Errorf("handle %d: the other alice's case changed:\n got %+v\nwant %+v", h+1, got, mmCase)
			}
			if got := e.notes(s, bobCase.ID); len(got) != 1 {
				t.Errorf("handle %d: bob's notes %+v, want 1", h+1, got)
			}
			e.conversation(s, marie.Address)
		}

		if n, err := e.s.ForgetUser(e.ctx, "discord", "alice"); err != nil || n != 0 {
			t.Errorf("ForgetUser again = %d, %v; want 0, nil", n, err)
		}

		// Alice writing again starts afresh: no topic comes back from
		// wherever a store keeps it.
		e.save(e.s, simpleConversation(aliceDM, T0.Add(time.Minute)))
		if got := e.conversation(e.reopen(), aliceDM).Topic; !got.IsZero() {
			t.Errorf("alice's topic %+v came back after the erasure", got)
		}
	})

	t.Run("ForgetUser of an unknown user deletes nothing", func(t *testing.T) {
		e := setup(t, open)
		a := addr("discord", "dm", "u")
		e.commit(e.s, simpleConversation(a, T0), []bot.Turn{in(a, "x", T0)}, reply(a, "y"))
		if n, err := e.s.ForgetUser(e.ctx, "discord", "nobody"); err != nil || n != 0 {
			t.Errorf("ForgetUser = %d, %v; want 0, nil", n, err)
		}
		e.conversation(e.s, a)
		if got := e.pending(e.s); len(got) != 1 {
			t.Errorf("queued %q, want 1 message", replyTexts(got))
		}
	})
}
