package engine_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	"github.com/boussole/boussole/bot"
	"github.com/boussole/boussole/bot/store"
)

// usage returns every usage event of the harness's database, oldest
// first, read as they are stored.
func (h *harness) usage() []bot.UsageEvent {
	h.t.Helper()
	db, err := sql.Open("sqlite", "file:"+h.path+"?mode=ro")
	if err != nil {
		h.t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT kind, platform, channel, user_id, jurisdiction, lang, tree_id, node, text FROM usage_events ORDER BY id`)
	if err != nil {
		h.t.Fatal(err)
	}
	defer rows.Close()
	var out []bot.UsageEvent
	for rows.Next() {
		var e bot.UsageEvent
		if err := rows.Scan(&e.Kind, &e.Address.Platform, &e.Address.Channel, &e.Address.User, &e.Jurisdiction, &e.Lang, &e.TreeID, &e.Node, &e.Text); err != nil {
			h.t.Fatal(err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		h.t.Fatal(err)
	}
	return out
}

// A message the bot does not understand is kept for the gap report with
// the phone number masked; the conversation's key is kept for erasure.
func TestNotUnderstoodIsRecordedMasked(t *testing.T) {
	h := newHarness(t, "", fixture(t, treeYAML))
	mustContain(t, h.say(alice, "blorf zquix rappelez-moi au 06 12 34 56 78"), "Je n'ai pas compris")
	evs := h.usage()
	if len(evs) != 1 {
		t.Fatalf("events = %+v", evs)
	}
	e := evs[0]
	if e.Kind != bot.UsageNotUnderstood || e.Text != "blorf zquix rappelez-moi au [tel]" || e.Address != alice || e.Lang != "fr" {
		t.Fatalf("event = %+v", e)
	}
	qs, err := h.store.UsageQuestions(context.Background(), time.Time{}, 10)
	if err != nil || len(qs) != 1 || strings.Contains(qs[0].Text, "06 12") {
		t.Fatalf("report questions = %+v, %v", qs, err)
	}
}

// A doubtful answer and an offer of several sheets are both « unsure »;
// a sure answer is not recorded.
func TestUnsureIsRecorded(t *testing.T) {
	h := newHarness(t, "", fixture(t, treeYAML))
	mustContain(t, h.say(alice, "carte"), "Je ne suis pas sûr d'avoir compris")
	mustContain(t, h.say(alice, "passeport vole"), "je n'en suis pas certain")
	mustContain(t, h.say(alice, "ma carte perdue"), "j'en suis sûr")
	evs := h.usage()
	if len(evs) != 2 || evs[0].Kind != bot.UsageUnsure || evs[0].Text != "carte" || evs[1].Kind != bot.UsageUnsure || evs[1].Text != "passeport vole" {
		t.Fatalf("events = %+v", evs)
	}
}

// Nothing is recorded of a message the danger layer answered, even with
// words the bot would not otherwise understand.
func TestDangerRecordsNothing(t *testing.T) {
	h := newHarness(t, "", emergencyFixture(t))
	rs := h.say(alice, "je veux mourir blorf 06 12 34 56 78")
	mustContain(t, rs, "112")
	if evs := h.usage(); len(evs) != 0 {
		t.Fatalf("a danger message was recorded: %+v", evs)
	}
}

// A tree's questions shown and the choices taken are counted once per
// arrival: a question asked again after a miss is not shown anew, and the
// miss itself is recorded where it happened.
func TestTreeNodesAndChoicesAreRecorded(t *testing.T) {
	h := newHarness(t, "", fixture(t, treeYAML))
	rs := h.say(alice, "papiers")
	mustContain(t, h.click(alice, payloadOf(t, rs, "Carte d'identité")), "Quelle est votre situation ?")
	mustContain(t, h.say(alice, "blorf zquix"), "Je n'ai pas compris votre choix")
	mustContain(t, h.say(alice, "aide"), "Quelle est votre situation ?")
	rs = h.say(alice, "retour")
	mustContain(t, rs, "Quel document vous faut-il ?")
	h.click(alice, payloadOf(t, rs, "Passeport"))
	type ev struct {
		kind       bot.UsageKind
		tree, node string
		text       string
	}
	var got []ev
	for _, e := range h.usage() {
		got = append(got, ev{e.Kind, e.TreeID, e.Node, e.Text})
	}
	want := []ev{
		{bot.UsageNode, "papiers", "quel-document", ""},
		{bot.UsageChose, "papiers", "quel-document", "Carte d'identité"},
		{bot.UsageNode, "papiers", "situation-cni", ""},
		{bot.UsageNotUnderstood, "papiers", "situation-cni", "blorf zquix"},
		{bot.UsageNode, "papiers", "quel-document", ""},
		{bot.UsageChose, "papiers", "quel-document", "Passeport"},
	}
	if len(got) != len(want) {
		t.Fatalf("events:\n got %+v\nwant %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("event %d: got %+v, want %+v", i, got[i], want[i])
		}
	}
	stats, err := h.store.NodeStats(context.Background(), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	wantStats := []store.NodeStat{{TreeID: "papiers", Node: "quel-document", Shown: 2, Chose: 2}, {TreeID: "papiers", Node: "situation-cni", Shown: 1}}
	if len(stats) != 2 || stats[0] != wantStats[0] || stats[1] != wantStats[1] {
		t.Errorf("node stats = %+v, want %+v", stats, wantStats)
	}
}

// « oublie-moi » erases the person's usage events with everything else;
// another person's stay.
func TestForgetMeErasesUsage(t *testing.T) {
	h := newHarness(t, "", fixture(t, treeYAML))
	bob := bot.Address{Platform: "test", Channel: "dm", User: "bob"}
	h.say(alice, "blorf zquix")
	h.say(alice, "papiers")
	h.say(bob, "blorf zquix")
	if n := len(h.usage()); n != 3 {
		t.Fatalf("%d events before, want 3", n)
	}
	h.say(alice, "oublie-moi")
	evs := h.usage()
	if len(evs) != 1 || evs[0].Address != bob {
		t.Fatalf("after « oublie-moi »: %+v", evs)
	}
}
