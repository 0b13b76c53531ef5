package store_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/boussole/boussole/bot"
	"github.com/boussole/boussole/bot/store"
	"github.com/boussole/boussole/bot/store/storetest"
	"github.com/boussole/boussole/knowledge"
)

// t0 is the tests' "now"; millisecond precision, as stored.
var t0 = time.Date(2026, 3, 14, 9, 26, 53, 589_000_000, time.UTC)

// clock0 is the clock of tests that never move time.
func clock0() time.Time { return t0 }

func openAt(t testing.TB, path string, opts store.Options) *store.Store {
	t.Helper()
	if opts.Clock == nil {
		opts.Clock = clock0
	}
	s, err := store.Open(context.Background(), path, opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

func openTemp(t testing.TB) (*store.Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "boussole.db")
	return openAt(t, path, store.Options{}), path
}

// rawDB opens the file directly, for checks and fault injection the store's
// API does not offer.
func rawDB(t testing.TB, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)&_pragma=foreign_keys(ON)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func count(t testing.TB, db *sql.DB, table string) int {
	t.Helper()
	var n int
	if err := db.QueryRow("SELECT COUNT(*) FROM " + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func addr(platform, channel, user string) bot.Address {
	return bot.Address{Platform: platform, Channel: channel, User: user}
}

// fullConversation is the contract's conversation with every field set.
func fullConversation(a bot.Address) bot.Conversation { return storetest.FullConversation(a, 0) }

func TestConversationRoundTrip(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	a := addr("discord", "dm-1", "u1")

	caseID, err := s.OpenCase(ctx, bot.Case{Address: a, Queue: "papiers"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		conv bot.Conversation
	}{
		{"full", fullConversation(a)},
		{"with case", func() bot.Conversation {
			c := fullConversation(a)
			c.State, c.CaseID = bot.StateEscalated, caseID
			return c
		}()},
		{"empty slices", func() bot.Conversation {
			c := fullConversation(a)
			c.Path, c.Offered, c.Shown = []bot.Step{}, []bot.Offer{}, []string{}
			return c
		}()},
		{"nil slices", func() bot.Conversation {
			c := fullConversation(a)
			c.State, c.TreeID, c.TreeVersion, c.Node = bot.StateIdle, "", 0, ""
			c.Path, c.Offered, c.Shown = nil, nil, nil
			return c
		}()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := s.Commit(ctx, tt.conv, nil, nil); err != nil {
				t.Fatal(err)
			}
			got, err := s.Conversation(ctx, a)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.conv) {
				t.Errorf("round trip:\n got %+v\nwant %+v", got, tt.conv)
			}
		})
	}

	t.Run("created_at kept, zero times filled", func(t *testing.T) {
		b := addr("discord", "dm-2", "u2")
		c := fullConversation(b)
		c.CreatedAt, c.UpdatedAt = time.Time{}, time.Time{}
		if err := s.Commit(ctx, c, nil, nil); err != nil {
			t.Fatal(err)
		}
		c.CreatedAt = t0.Add(time.Hour) // ignored: the first save wins
		c.UpdatedAt = t0.Add(2 * time.Hour)
		if err := s.Commit(ctx, c, nil, nil); err != nil {
			t.Fatal(err)
		}
		got, err := s.Conversation(ctx, b)
		if err != nil {
			t.Fatal(err)
		}
		if !got.CreatedAt.Equal(t0) || !got.UpdatedAt.Equal(t0.Add(2*time.Hour)) {
			t.Errorf("times = %v, %v; want %v, %v", got.CreatedAt, got.UpdatedAt, t0, t0.Add(2*time.Hour))
		}
	})
}

func TestConversationMissing(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	if err := s.Commit(ctx, fullConversation(addr("discord", "c", "u")), nil, nil); err != nil {
		t.Fatal(err)
	}
	for _, a := range []bot.Address{
		addr("discord", "c", "other"),
		addr("discord", "other", "u"),
		addr("mattermost", "c", "u"),
	} {
		t.Run(fmt.Sprint(a), func(t *testing.T) {
			_, err := s.Conversation(ctx, a)
			if !errors.Is(err, bot.ErrNoConversation) {
				t.Fatalf("err = %v, want ErrNoConversation", err)
			}
		})
	}
}

func TestCommit(t *testing.T) {
	ctx := context.Background()
	s, path := openTemp(t)
	a := addr("mattermost", "town-hall", "alice")

	t.Run("state and turns together", func(t *testing.T) {
		c := fullConversation(a)
		turns := []bot.Turn{
			{Text: "j'ai perdu ma carte d'identité", At: t0},
			{Address: a, Text: "Quelle est votre situation ?"}, // zero At: now
		}
		if err := s.Commit(ctx, c, turns, nil); err != nil {
			t.Fatal(err)
		}
		got, err := s.RecentTurns(ctx, a, 10)
		if err != nil {
			t.Fatal(err)
		}
		want := []bot.Turn{
			{Address: a, Text: "j'ai perdu ma carte d'identité", At: t0},
			{Address: a, Text: "Quelle est votre situation ?", At: t0},
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("turns:\n got %+v\nwant %+v", got, want)
		}
	})

	t.Run("failure stores neither", func(t *testing.T) {
		// A trigger makes the second turn's insert fail, after the
		// conversation's upsert and the first turn succeeded.
		db := rawDB(t, path)
		if _, err := db.Exec(`CREATE TRIGGER test_fail BEFORE INSERT ON turns WHEN NEW.text = 'boom'
			BEGIN SELECT RAISE(ABORT, 'injected failure'); END`); err != nil {
			t.Fatal(err)
		}
		defer db.Exec(`DROP TRIGGER test_fail`)

		before, err := s.Conversation(ctx, a)
		if err != nil {
			t.Fatal(err)
		}
		c := before
		c.State, c.Node, c.Seq = bot.StateAnswered, "", c.Seq+1
		c.UpdatedAt = t0.Add(time.Minute)
		err = s.Commit(ctx, c, []bot.Turn{{Text: "perte"}, {Text: "boom"}}, nil)
		if err == nil {
			t.Fatal("Commit succeeded despite the failing insert")
		}
		after, err := s.Conversation(ctx, a)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(after, before) {
			t.Errorf("conversation changed by a failed Commit:\n got %+v\nwant %+v", after, before)
		}
		turns, err := s.RecentTurns(ctx, a, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(turns) != 2 {
			t.Errorf("%d turns after a failed Commit, want 2", len(turns))
		}
	})

	t.Run("turn of another address is refused", func(t *testing.T) {
		err := s.Commit(ctx, fullConversation(a), []bot.Turn{{Address: addr("mattermost", "x", "bob")}}, nil)
		if err == nil {
			t.Fatal("Commit accepted a turn of another conversation")
		}
	})

	t.Run("unknown case id is refused", func(t *testing.T) {
		c := fullConversation(a)
		c.CaseID = 999
		if err := s.Commit(ctx, c, nil, nil); err == nil {
			t.Fatal("Commit accepted a case id that does not exist")
		}
	})
}

func TestRecentTurns(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	a := addr("discord", "c", "u")
	var all []bot.Turn
	for i := range 5 {
		all = append(all, bot.Turn{Address: a, Text: fmt.Sprint("msg ", i), At: t0.Add(time.Duration(i) * time.Second)})
	}
	// Two turns in the same millisecond keep their insertion order.
	all = append(all, bot.Turn{Address: a, Text: "same time", At: all[4].At})
	if err := s.Commit(ctx, fullConversation(a), all[:3], nil); err != nil {
		t.Fatal(err)
	}
	if err := s.Commit(ctx, fullConversation(a), all[3:], nil); err != nil {
		t.Fatal(err)
	}
	// Noise: another user's turns.
	if err := s.Commit(ctx, fullConversation(addr("discord", "c", "v")), []bot.Turn{{Text: "x", At: t0.Add(time.Hour)}}, nil); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		n    int
		want []bot.Turn
	}{
		{0, nil},
		{-1, nil},
		{1, all[5:]},
		{3, all[3:]},
		{6, all},
		{100, all},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint("n=", tt.n), func(t *testing.T) {
			got, err := s.RecentTurns(ctx, a, tt.n)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tt.want) || (len(got) > 0 && !reflect.DeepEqual(got, tt.want)) {
				t.Errorf("got %+v\nwant %+v", got, tt.want)
			}
		})
	}
	t.Run("unknown address", func(t *testing.T) {
		got, err := s.RecentTurns(ctx, addr("discord", "c", "nobody"), 5)
		if err != nil || len(got) != 0 {
			t.Errorf("got %v, %v; want nothing", got, err)
		}
	})
}

func TestForgetUser(t *testing.T) {
	ctx := context.Background()
	s, path := openTemp(t)
	alice1, alice2 := addr("discord", "dm-alice", "alice"), addr("discord", "server-general", "alice")
	aliceMM := addr("mattermost", "dm", "alice") // same user id, other platform
	bob := addr("discord", "server-general", "bob")
	for _, a := range []bot.Address{alice1, alice2, aliceMM, bob} {
		turns := []bot.Turn{{Text: "bonjour"}, {Text: "Bonjour !"}}
		if err := s.Commit(ctx, fullConversation(a), turns, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := s.OpenCase(ctx, bot.Case{Address: a, Queue: "general"}); err != nil {
			t.Fatal(err)
		}
	}
	n, err := s.ForgetUser(ctx, "discord", "alice")
	if err != nil {
		t.Fatal(err)
	}
	// 2 conversations + 4 turns + 2 cases.
	if n != 8 {
		t.Errorf("ForgetUser deleted %d rows, want 8", n)
	}
	for _, tt := range []struct {
		a    bot.Address
		kept bool
	}{{alice1, false}, {alice2, false}, {aliceMM, true}, {bob, true}} {
		t.Run(fmt.Sprint(tt.a), func(t *testing.T) {
			_, err := s.Conversation(ctx, tt.a)
			if tt.kept != (err == nil) {
				t.Errorf("conversation kept = %v, want %v (err %v)", err == nil, tt.kept, err)
			}
			turns, err := s.RecentTurns(ctx, tt.a, 10)
			if err != nil {
				t.Fatal(err)
			}
			if want := map[bool]int{true: 2, false: 0}[tt.kept]; len(turns) != want {
				t.Errorf("%d turns, want %d", len(turns), want)
			}
		})
	}
	db := rawDB(t, path)
	var cases int
	if err := db.QueryRow(`SELECT COUNT(*) FROM cases WHERE platform = 'discord' AND user_id = 'alice'`).Scan(&cases); err != nil {
		t.Fatal(err)
	}
	if cases != 0 || count(t, db, "cases") != 2 {
		t.Errorf("alice has %d cases left, %d cases in all; want 0 and 2", cases, count(t, db, "cases"))
	}
	if n, err := s.ForgetUser(ctx, "discord", "alice"); err != nil || n != 0 {
		t.Errorf("second ForgetUser = %d, %v; want 0, nil", n, err)
	}
}

func TestPurgeBefore(t *testing.T) {
	ctx := context.Background()
	s, path := openTemp(t)
	cut := t0.Add(-30 * 24 * time.Hour)
	old, recent := cut.Add(-time.Hour), cut.Add(time.Hour)

	save := func(a bot.Address, updated time.Time, turnTimes ...time.Time) {
		t.Helper()
		c := fullConversation(a)
		c.CreatedAt, c.UpdatedAt = old.Add(-time.Hour), updated
		var turns []bot.Turn
		for _, at := range turnTimes {
			turns = append(turns, bot.Turn{Text: "x", At: at})
		}
		if err := s.Commit(ctx, c, turns, nil); err != nil {
			t.Fatal(err)
		}
	}
	stale := addr("discord", "c", "stale")             // deleted with its turns
	active := addr("discord", "c", "active")           // kept, its old turn deleted
	waiting := addr("discord", "c", "waiting")         // stale but has an open case: kept
	closedOld := addr("discord", "c", "closed-old")    // stale, closed case: all deleted
	closedRecent := addr("discord", "c", "closed-new") // recent conversation, recently closed case: kept
	save(stale, old, old, old)
	save(active, recent, old, recent)
	save(waiting, old, old)
	save(closedOld, old)
	save(closedRecent, recent)
	if _, err := s.OpenCase(ctx, bot.Case{Address: waiting, CreatedAt: old}); err != nil {
		t.Fatal(err)
	}
	db := rawDB(t, path)
	closeCase := func(a bot.Address, at time.Time) int64 {
		t.Helper()
		id, err := s.OpenCase(ctx, bot.Case{Address: a, CreatedAt: old.Add(-time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(`UPDATE cases SET status = 'closed', updated_at = ? WHERE id = ?`, at.UnixMilli(), id); err != nil {
			t.Fatal(err)
		}
		return id
	}
	oldCase := closeCase(closedOld, old)
	recentCase := closeCase(closedRecent, recent)

	n, err := s.PurgeBefore(ctx, cut)
	if err != nil {
		t.Fatal(err)
	}
	// turns: stale 2 + active 1 + waiting 1; conversations: stale, closedOld; cases: oldCase.
	if n != 7 {
		t.Errorf("PurgeBefore deleted %d rows, want 7", n)
	}
	for _, tt := range []struct {
		a     bot.Address
		kept  bool
		turns int
	}{
		{stale, false, 0}, {active, true, 1}, {waiting, true, 0}, {closedOld, false, 0}, {closedRecent, true, 0},
	} {
		t.Run(tt.a.User, func(t *testing.T) {
			_, err := s.Conversation(ctx, tt.a)
			if tt.kept != (err == nil) {
				t.Errorf("conversation kept = %v, want %v (err %v)", err == nil, tt.kept, err)
			}
			turns, err := s.RecentTurns(ctx, tt.a, 10)
			if err != nil {
				t.Fatal(err)
			}
			if len(turns) != tt.turns {
				t.Errorf("%d turns left, want %d", len(turns), tt.turns)
			}
		})
	}
	if _, err := s.Case(ctx, oldCase); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("old closed case: err = %v, want ErrNotFound", err)
	}
	if _, err := s.Case(ctx, recentCase); err != nil {
		t.Errorf("recent closed case: %v", err)
	}
	if count(t, db, "cases") != 2 {
		t.Errorf("%d cases left, want 2 (open + recently closed)", count(t, db, "cases"))
	}
}

func TestOpenCase(t *testing.T) {
	ctx := context.Background()
	s, path := openTemp(t)
	a := addr("discord", "dm", "u")
	summary := bot.CaseSummary{
		Topic: "papiers", TreeID: "papiers-identite",
		Path:      []bot.Step{{Node: "quel-document", Choice: "Je ne sais pas"}},
		Shown:     []string{"cni-demande"},
		LastWords: []string{"je comprends rien", "je veux parler à quelqu'un"},
		Reason:    "asked",
	}
	in := bot.Case{Address: a, Queue: "papiers", Lang: "fr", Summary: summary}
	id, err := s.OpenCase(ctx, in)
	if err != nil {
		t.Fatal(err)
	}

	t.Run("round trip", func(t *testing.T) {
		got, err := s.Case(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		want := in
		want.ID, want.Status, want.CreatedAt, want.UpdatedAt = id, bot.CaseOpen, t0, t0
		if !reflect.DeepEqual(got, want) {
			t.Errorf("got %+v\nwant %+v", got, want)
		}
	})

	t.Run("idempotent per address", func(t *testing.T) {
		for _, status := range []bot.CaseStatus{"", bot.CaseOpen, bot.CaseClaimed} {
			again, err := s.OpenCase(ctx, bot.Case{Address: a, Queue: "other", Status: status})
			if err != nil || again != id {
				t.Errorf("OpenCase again = %d, %v; want %d", again, err, id)
			}
		}
		other, err := s.OpenCase(ctx, bot.Case{Address: addr("discord", "dm", "v")})
		if err != nil || other == id {
			t.Errorf("OpenCase for another user = %d, %v; want a new id", other, err)
		}
	})

	t.Run("claimed case still counts", func(t *testing.T) {
		db := rawDB(t, path)
		if _, err := db.Exec(`UPDATE cases SET status = 'claimed' WHERE id = ?`, id); err != nil {
			t.Fatal(err)
		}
		again, err := s.OpenCase(ctx, bot.Case{Address: a})
		if err != nil || again != id {
			t.Errorf("OpenCase = %d, %v; want %d", again, err, id)
		}
		// Once closed, a new case opens; ids are never reused.
		if _, err := db.Exec(`UPDATE cases SET status = 'closed' WHERE id = ?`, id); err != nil {
			t.Fatal(err)
		}
		next, err := s.OpenCase(ctx, bot.Case{Address: a})
		if err != nil || next <= id {
			t.Errorf("OpenCase after close = %d, %v; want a new id > %d", next, err, id)
		}
	})

	t.Run("closed status refused", func(t *testing.T) {
		if _, err := s.OpenCase(ctx, bot.Case{Address: addr("discord", "dm", "w"), Status: bot.CaseClosed}); err == nil {
			t.Error("OpenCase accepted a closed case")
		}
	})

	t.Run("unknown id", func(t *testing.T) {
		_, err := s.Case(ctx, 424242)
		if !errors.Is(err, store.ErrNotFound) || !errors.Is(err, knowledge.ErrNotFound) {
			t.Errorf("err = %v, want ErrNotFound", err)
		}
	})
}

func TestOpenCaseConcurrent(t *testing.T) {
	ctx := context.Background()
	s, path := openTemp(t)
	a := addr("mattermost", "town", "u")
	const n = 20
	ids := make([]int64, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			ids[i], errs[i] = s.OpenCase(ctx, bot.Case{Address: a, Queue: "q", Summary: bot.CaseSummary{Topic: fmt.Sprint(i)}})
		})
	}
	close(start)
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("goroutine %d: %v", i, errs[i])
		}
		if ids[i] != ids[0] {
			t.Fatalf("goroutine %d got case %d, goroutine 0 got %d", i, ids[i], ids[0])
		}
	}
	if c := count(t, rawDB(t, path), "cases"); c != 1 {
		t.Errorf("%d cases stored, want 1", c)
	}
}

// TestConcurrentUse mixes writers and readers of several conversations (run
// with -race).
func TestConcurrentUse(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	var wg sync.WaitGroup
	for g := range 8 {
		a := addr("discord", "c", fmt.Sprint("user", g))
		wg.Go(func() {
			c := fullConversation(a)
			for i := range 25 {
				c.Seq = i
				if err := s.Commit(ctx, c, []bot.Turn{{Text: "x"}}, nil); err != nil {
					t.Error(err)
					return
				}
				got, err := s.Conversation(ctx, a)
				if err != nil || got.Seq != i {
					t.Errorf("read back seq %d, %v; want %d", got.Seq, err, i)
					return
				}
			}
			if turns, err := s.RecentTurns(ctx, a, 100); err != nil || len(turns) != 25 {
				t.Errorf("%d turns, %v; want 25", len(turns), err)
			}
		})
	}
	wg.Wait()
}

func sampleTree() *knowledge.Tree {
	return &knowledge.Tree{
		ID: "papiers-identite", Title: "Papiers d'identité", Lang: "fr", Jurisdiction: "FR",
		Triggers: []string{"carte d'identité", "cni", "passeport"},
		Start:    "quel-document",
		Nodes: map[string]*knowledge.Node{
			"quel-document": {ID: "quel-document", Ask: "Quel document vous faut-il ?", Choices: []knowledge.Choice{
				{Label: "Carte d'identité", Next: "situation-cni", Keywords: []string{"cni"}},
				{Label: "Passeport", Answer: []string{"passeport-demande"}},
				{Label: "Je ne sais pas", Escalate: "papiers"},
			}},
			"situation-cni": {ID: "situation-cni", Ask: "Quelle est votre situation ?", Choices: []knowledge.Choice{
				{Label: "Première demande ou renouvellement", Answer: []string{"cni-demande"}},
				{Label: "Perte ou vol", Answer: []string{"cni-perte", "declaration-perte"}},
			}},
		},
	}
}

func TestPublishTree(t *testing.T) {
	ctx := context.Background()
	s, path := openTemp(t)
	tree := sampleTree()

	steps := []struct {
		name   string
		edit   func(t *knowledge.Tree)
		want   int
		latest int
	}{
		{"first publish", nil, 1, 1},
		{"same content", nil, 1, 1},
		{"positions differ only", func(t *knowledge.Tree) {
			t.Pos = knowledge.Pos{File: "trees/papiers.yaml", Line: 3}
			t.Nodes["quel-document"].Pos = knowledge.Pos{File: "trees/papiers.yaml", Line: 9}
			t.Nodes["quel-document"].Choices[0].Pos.Line = 12
		}, 1, 1},
		{"changed label", func(t *knowledge.Tree) { t.Nodes["situation-cni"].Choices[1].Label = "Perte, vol" }, 2, 2},
		{"same as v2", nil, 2, 2},
		{"back to v1 content is a new version", func(t *knowledge.Tree) { t.Nodes["situation-cni"].Choices[1].Label = "Perte ou vol" }, 3, 3},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			if st.edit != nil {
				st.edit(tree)
			}
			v, err := s.PublishTree(ctx, tree)
			if err != nil || v != st.want {
				t.Fatalf("PublishTree = %d, %v; want %d", v, err, st.want)
			}
			latest, err := s.LatestTreeVersion(ctx, tree.ID)
			if err != nil || latest != st.latest {
				t.Errorf("LatestTreeVersion = %d, %v; want %d", latest, err, st.latest)
			}
		})
	}

	t.Run("old versions readable and exact", func(t *testing.T) {
		want := sampleTree()
		for v, label := range map[int]string{1: "Perte ou vol", 2: "Perte, vol", 3: "Perte ou vol"} {
			got, err := s.TreeVersion(ctx, want.ID, v)
			if err != nil {
				t.Fatal(err)
			}
			want.Nodes["situation-cni"].Choices[1].Label = label
			if !reflect.DeepEqual(got, want) {
				t.Errorf("version %d:\n got %+v\nwant %+v", v, got, want)
			}
			if got.Nodes["quel-document"].ID != "quel-document" {
				t.Errorf("version %d: Node.ID not restored", v)
			}
			again, _ := s.TreeVersion(ctx, want.ID, v)
			if again != got {
				t.Errorf("version %d decoded twice, want it cached", v)
			}
		}
	})

	t.Run("history", func(t *testing.T) {
		h, err := s.TreeHistory(ctx, tree.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(h) != 3 || h[0].Version != 1 || h[2].Version != 3 || !h[0].PublishedAt.Equal(t0) {
			t.Fatalf("history = %+v", h)
		}
		if h[0].Hash != h[2].Hash || h[0].Hash == h[1].Hash || len(h[0].Hash) != 64 {
			t.Errorf("hashes = %q %q %q; want v1 = v3 ≠ v2, hex sha256", h[0].Hash, h[1].Hash, h[2].Hash)
		}
		if h, err := s.TreeHistory(ctx, "never"); err != nil || len(h) != 0 {
			t.Errorf("history of an unknown tree = %v, %v", h, err)
		}
	})

	t.Run("not found", func(t *testing.T) {
		for _, tt := range []struct {
			id string
			v  int
		}{{"papiers-identite", 4}, {"papiers-identite", 0}, {"unknown", 1}} {
			if _, err := s.TreeVersion(ctx, tt.id, tt.v); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("TreeVersion(%s, %d) err = %v, want ErrNotFound", tt.id, tt.v, err)
			}
		}
		if _, err := s.LatestTreeVersion(ctx, "unknown"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("LatestTreeVersion err = %v, want ErrNotFound", err)
		}
	})

	t.Run("versions are immutable", func(t *testing.T) {
		db := rawDB(t, path)
		if _, err := db.Exec(`UPDATE tree_versions SET body_json = '{}' WHERE version = 1`); err == nil {
			t.Error("a published version could be updated")
		}
	})

	t.Run("tampered version detected", func(t *testing.T) {
		db := rawDB(t, path)
		if _, err := db.Exec(`DROP TRIGGER tree_versions_immutable;
			UPDATE tree_versions SET body_json = replace(body_json, 'Passeport', 'Visa') WHERE version = 2`); err != nil {
			t.Fatal(err)
		}
		fresh := openAt(t, path, store.Options{}) // empty cache
		if _, err := fresh.TreeVersion(ctx, tree.ID, 2); !errors.Is(err, store.ErrCorrupt) {
			t.Errorf("err = %v, want ErrCorrupt", err)
		}
	})

	t.Run("invalid", func(t *testing.T) {
		for _, tr := range []*knowledge.Tree{nil, {Title: "no id"}} {
			if _, err := s.PublishTree(ctx, tr); err == nil {
				t.Errorf("PublishTree(%v) succeeded", tr)
			}
		}
	})
}

func TestReopen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "boussole.db")
	a := addr("discord", "dm", "u")
	func() {
		s, err := store.Open(ctx, path, store.Options{Clock: clock0})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		if err := s.Commit(ctx, fullConversation(a), []bot.Turn{{Text: "bonjour"}}, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := s.OpenCase(ctx, bot.Case{Address: a}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.PublishTree(ctx, sampleTree()); err != nil {
			t.Fatal(err)
		}
	}()

	s := openAt(t, path, store.Options{})
	if got, err := s.Conversation(ctx, a); err != nil || !reflect.DeepEqual(got, fullConversation(a)) {
		t.Errorf("conversation after restart = %+v, %v", got, err)
	}
	if turns, err := s.RecentTurns(ctx, a, 5); err != nil || len(turns) != 1 {
		t.Errorf("turns after restart = %+v, %v", turns, err)
	}
	if id, err := s.OpenCase(ctx, bot.Case{Address: a}); err != nil || id != 1 {
		t.Errorf("case after restart = %d, %v; want the existing case 1", id, err)
	}
	if tree, err := s.TreeVersion(ctx, "papiers-identite", 1); err != nil || !reflect.DeepEqual(tree, sampleTree()) {
		t.Errorf("tree after restart = %+v, %v", tree, err)
	}
	if v, err := s.PublishTree(ctx, sampleTree()); err != nil || v != 1 {
		t.Errorf("republish after restart = %d, %v; want 1", v, err)
	}
}

func TestContextCancelled(t *testing.T) {
	s, _ := openTemp(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	a := addr("discord", "c", "u")
	if err := s.Commit(ctx, fullConversation(a), nil, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("Commit err = %v, want context.Canceled", err)
	}
	if _, err := s.Conversation(ctx, a); !errors.Is(err, context.Canceled) {
		t.Errorf("Conversation err = %v, want context.Canceled", err)
	}
}

// TestLogsNoPersonalData runs every method with a debug logger and checks
// that neither message text nor user ids reach the log.
func TestLogsNoPersonalData(t *testing.T) {
	ctx := context.Background()
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	s := openAt(t, filepath.Join(t.TempDir(), "boussole.db"), store.Options{Logger: log})
	a := addr("discord", "chan-secret", "user-secret")
	c := fullConversation(a)
	if err := s.Commit(ctx, c, []bot.Turn{{Text: "text-secret"}}, nil); err != nil {
		t.Fatal(err)
	}
	id, err := s.OpenCase(ctx, bot.Case{Address: a, Summary: bot.CaseSummary{LastWords: []string{"text-secret"}}})
	if err != nil {
		t.Fatal(err)
	}
	s.Conversation(ctx, a)
	s.RecentTurns(ctx, a, 5)
	s.Case(ctx, id)
	s.PublishTree(ctx, sampleTree())
	s.PurgeBefore(ctx, t0)
	if _, err := s.ForgetUser(ctx, "discord", "user-secret"); err != nil {
		t.Fatal(err)
	}
	if buf.Len() == 0 {
		t.Fatal("nothing logged at debug level")
	}
	for _, secret := range []string{"text-secret", "user-secret", "chan-secret"} {
		if strings.Contains(buf.String(), secret) {
			t.Errorf("log contains %q:\n%s", secret, buf.String())
		}
	}
}
