package storetest

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/boussole/boussole/bot"
)

func testConversations(t *testing.T, open Opener) {
	t.Run("round trip of every field", func(t *testing.T) {
		e := setup(t, open)
		a := addr("discord", "dm-1", "u1")
		k := e.openCase(e.s, bot.Case{Address: a, Queue: "papiers"})
		want := FullConversation(a, k.ID)
		e.save(e.s, want)
		for i, s := range []Store{e.s, e.reopen()} {
			if got := e.conversation(s, a); !equal(got, want) {
				t.Errorf("handle %d read\n got %+v\nwant %+v", i+1, got, want)
			}
		}
	})

	t.Run("saving again replaces every field", func(t *testing.T) {
		e := setup(t, open)
		a := addr("mattermost", "town-hall", "alice")
		k := e.openCase(e.s, bot.Case{Address: a})
		e.save(e.s, FullConversation(a, k.ID))
		want := bot.Conversation{
			Address: a, State: bot.StateAnswered, Lang: "en", Jurisdiction: "FR",
			TreeID: "impots", TreeVersion: 1, Node: "", Path: nil, Misses: 0, Seq: 8,
			Offered: []bot.Offer{{Label: "Oui", Action: "yes", Payload: "8:0"}}, Shown: nil, CaseID: 0,
			CreatedAt: T0.Add(-time.Hour), UpdatedAt: T0.Add(time.Minute),
		}
		e.save(e.s, want)
		if got := e.conversation(e.reopen(), a); !equal(got, want) {
			t.Errorf("got  %+v\nwant %+v", got, want)
		}
	})

	t.Run("a topic is kept until a save without one", func(t *testing.T) {
		e := setup(t, open)
		a := addr("discord", "dm", "u")
		c := simpleConversation(a, T0)
		c.Topic = bot.Topic{Items: []string{"rsa"}}
		e.save(e.s, c)
		if got := e.conversation(e.reopen(), a).Topic; !equal(got, c.Topic) {
			t.Errorf("topic %+v, want %+v", got, c.Topic)
		}
		c.Topic = bot.Topic{}
		e.save(e.s, c)
		if got := e.conversation(e.reopen(), a).Topic; !got.IsZero() {
			t.Errorf("topic %+v after a save without one, want none", got)
		}
	})

	t.Run("unknown address is ErrNoConversation", func(t *testing.T) {
		e := setup(t, open)
		e.save(e.s, simpleConversation(addr("discord", "c", "u"), T0))
		for _, a := range []bot.Address{
			addr("discord", "c", "other"),
			addr("discord", "other", "u"),
			addr("mattermost", "c", "u"),
		} {
			if _, err := e.s.Conversation(e.ctx, a); !errors.Is(err, bot.ErrNoConversation) {
				t.Errorf("Conversation(%v) err = %v, want ErrNoConversation", a, err)
			}
		}
	})

	t.Run("each address is its own conversation", func(t *testing.T) {
		e := setup(t, open)
		as := []bot.Address{addr("discord", "dm", "u"), addr("discord", "general", "u"), addr("mattermost", "dm", "u")}
		for i, a := range as {
			c := simpleConversation(a, T0)
			c.Seq = i + 1
			e.save(e.s, c, in(a, fmt.Sprint("turn ", i), T0))
		}
		for i, a := range as {
			if c := e.conversation(e.s, a); c.Seq != i+1 {
				t.Errorf("%v: seq %d, want %d", a, c.Seq, i+1)
			}
			if ts := texts(e.turns(e.s, a, 10)); len(ts) != 1 || ts[0] != fmt.Sprint("turn ", i) {
				t.Errorf("%v: turns %q, want its own only", a, ts)
			}
		}
	})
}

func testCommit(t *testing.T, open Opener) {
	t.Run("SaveTurn stores the state and the turns", func(t *testing.T) {
		e := setup(t, open)
		a := addr("mattermost", "town-hall", "alice")
		c := FullConversation(a, 0)
		turns := []bot.Turn{in(a, "j'ai perdu ma carte d'identité", T0), {Address: a, Text: "Quelle est votre situation ?", At: T0}}
		e.save(e.s, c, turns...)
		s2 := e.reopen()
		if got := e.conversation(s2, a); !equal(got, c) {
			t.Errorf("conversation\n got %+v\nwant %+v", got, c)
		}
		if got := e.turns(s2, a, 10); !equal(withoutCaseIDs(got), turns) {
			t.Errorf("turns\n got %+v\nwant %+v", got, turns)
		}
	})

	t.Run("RecentTurns returns the n most recent, oldest first", func(t *testing.T) {
		e := setup(t, open)
		a := addr("discord", "c", "u")
		var all []bot.Turn
		for i := range 5 {
			all = append(all, bot.Turn{Address: a, Text: fmt.Sprint("msg ", i), At: T0.Add(time.Duration(i) * time.Second)})
		}
		// Two turns of one millisecond keep the order they were written in.
		all = append(all, bot.Turn{Address: a, Text: "same time", At: all[4].At})
		e.save(e.s, simpleConversation(a, T0), all[:3]...)
		e.save(e.s, simpleConversation(a, T0), all[3:]...)
		// Another user's later turns are not mixed in.
		b := addr("discord", "c", "v")
		e.save(e.s, simpleConversation(b, T0), in(b, "other", T0.Add(time.Hour)))
		for _, tt := range []struct {
			n    int
			want []bot.Turn
		}{
			{1, all[5:]},
			{3, all[3:]},
			{6, all},
			{100, all},
		} {
			if got := e.turns(e.s, a, tt.n); !equal(withoutCaseIDs(got), tt.want) {
				t.Errorf("RecentTurns(%d) = %q, want %q", tt.n, texts(got), texts(tt.want))
			}
		}
		if got := e.turns(e.s, a, 0); len(got) != 0 {
			t.Errorf("RecentTurns(0) = %q, want none", texts(got))
		}
		if got := e.turns(e.s, addr("discord", "c", "nobody"), 5); len(got) != 0 {
			t.Errorf("RecentTurns of an unknown address = %q, want none", texts(got))
		}
	})

	t.Run("Commit stores state, turns and replies together", func(t *testing.T) {
		e := setup(t, open)
		a := addr("discord", "dm", "u")
		c := FullConversation(a, 0)
		turns := []bot.Turn{in(a, "bonjour", T0)}
		out := []bot.Reply{
			{To: a, Text: "Bonjour !", Choices: []bot.Choice{{Label: "Papiers", Payload: "7:0"}}},
			{To: addr("discord", "mediators", "awa"), About: a, Text: "relais"},
		}
		e.commit(e.s, c, turns, out...)
		s2 := e.reopen()
		if got := e.conversation(s2, a); !equal(got, c) {
			t.Errorf("conversation\n got %+v\nwant %+v", got, c)
		}
		if got := e.turns(s2, a, 10); !equal(withoutCaseIDs(got), turns) {
			t.Errorf("turns\n got %+v\nwant %+v", got, turns)
		}
		if got := e.pendingReplies(s2); !equal(got, out) {
			t.Errorf("queued\n got %+v\nwant %+v", got, out)
		}
	})

	t.Run("a failed Commit stores nothing", func(t *testing.T) {
		e := setup(t, open)
		a := addr("discord", "dm", "u")
		before := FullConversation(a, 0)
		e.commit(e.s, before, []bot.Turn{in(a, "bonjour", T0)}, reply(a, "Bonjour !"))
		changed := before
		changed.State, changed.Seq, changed.UpdatedAt = bot.StateAnswered, before.Seq+1, T0.Add(time.Minute)
		// The last reply has no destination: the store refuses it after
		// it wrote the rest.
		err := e.s.Commit(e.ctx, changed, []bot.Turn{in(a, "perte", T0.Add(time.Minute))},
			[]bot.Reply{reply(a, "Voici la démarche."), {Text: "nowhere"}})
		if err == nil {
			t.Fatal("Commit accepted a reply without destination")
		}
		if got := e.conversation(e.s, a); !equal(got, before) {
			t.Errorf("conversation changed by a failed Commit:\n got %+v\nwant %+v", got, before)
		}
		if got := texts(e.turns(e.s, a, 10)); len(got) != 1 {
			t.Errorf("turns after a failed Commit: %q, want the first only", got)
		}
		if got := e.pendingReplies(e.s); !equal(got, []bot.Reply{reply(a, "Bonjour !")}) {
			t.Errorf("queued after a failed Commit: %+v, want the first reply only", got)
		}

		b := addr("discord", "dm", "new")
		if err := e.s.Commit(e.ctx, simpleConversation(b, T0), []bot.Turn{in(b, "x", T0)}, []bot.Reply{{Text: "nowhere"}}); err == nil {
			t.Fatal("Commit accepted a reply without destination")
		}
		if _, err := e.s.Conversation(e.ctx, b); !errors.Is(err, bot.ErrNoConversation) {
			t.Errorf("a failed first Commit left a conversation (err %v)", err)
		}
		if got := e.turns(e.s, b, 10); len(got) != 0 {
			t.Errorf("a failed first Commit left turns %q", texts(got))
		}
	})
}
