package store_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/boussole/boussole/bot"
	"github.com/boussole/boussole/bot/store"
)

func TestUsageQuestionsAndNodeStats(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	alice, bob := addr("discord", "dm", "alice"), addr("mattermost", "town", "bob")
	old := t0.Add(-40 * 24 * time.Hour)
	events := []bot.UsageEvent{
		{At: old, Kind: bot.UsageNotUnderstood, Address: alice, Text: "trop vieux", Jurisdiction: "FR", Lang: "fr"},
		{At: t0.Add(-time.Hour), Kind: bot.UsageNotUnderstood, Address: alice, Text: "carte grise perdue [tel]", Jurisdiction: "FR", Lang: "fr", Score: 0.12},
		{At: t0, Kind: bot.UsageUnsure, Address: bob, Text: "apl etudiant", Jurisdiction: "QC", Lang: "fr-CA", TreeID: "logement", Node: "start", Score: 0.4},
		{At: t0, Kind: bot.UsageNode, Address: alice, TreeID: "papiers", Node: "quel-document"},
		{At: t0, Kind: bot.UsageNode, Address: bob, TreeID: "papiers", Node: "quel-document"},
		{At: t0, Kind: bot.UsageChose, Address: alice, TreeID: "papiers", Node: "quel-document", Text: "Passeport"},
		{At: old, Kind: bot.UsageNode, Address: bob, TreeID: "papiers", Node: "situation"},
	}
	if err := s.RecordUsage(ctx, events); err != nil {
		t.Fatal(err)
	}
	since := t0.Add(-30 * 24 * time.Hour)
	qs, err := s.UsageQuestions(ctx, since, 100)
	if err != nil {
		t.Fatal(err)
	}
	want := []store.UsageQuestion{
		{At: t0, Kind: bot.UsageUnsure, Text: "apl etudiant", Jurisdiction: "QC", Lang: "fr-CA", TreeID: "logement", Node: "start", Score: 0.4},
		{At: t0.Add(-time.Hour), Kind: bot.UsageNotUnderstood, Text: "carte grise perdue [tel]", Jurisdiction: "FR", Lang: "fr", Score: 0.12},
	}
	if !reflect.DeepEqual(qs, want) {
		t.Errorf("questions:\n got %+v\nwant %+v", qs, want)
	}
	if qs, err := s.UsageQuestions(ctx, since, 1); err != nil || len(qs) != 1 {
		t.Errorf("limit 1: %d questions, %v", len(qs), err)
	}
	nodes, err := s.NodeStats(ctx, since)
	if err != nil {
		t.Fatal(err)
	}
	if want := []store.NodeStat{{TreeID: "papiers", Node: "quel-document", Shown: 2, Chose: 1}}; !reflect.DeepEqual(nodes, want) {
		t.Errorf("nodes: got %+v, want %+v", nodes, want)
	}
}

func TestEscalationsAndSatisfactionByTopic(t *testing.T) {
	ctx := context.Background()
	s, path := openTemp(t)
	open := func(user, tree, topic, reason string, rating int, at time.Time) {
		t.Helper()
		_, err := s.OpenCase(ctx, bot.Case{Address: addr("discord", "dm", user), Status: bot.CaseOpen,
			Summary: bot.CaseSummary{Topic: topic, TreeID: tree, Reason: reason}, Satisfaction: rating, CreatedAt: at})
		if err != nil {
			t.Fatal(err)
		}
	}
	open("a", "papiers", "Papiers d'identité", "tree", 5, t0)
	open("b", "papiers", "Papiers d'identité", "tree", 3, t0)
	open("c", "papiers", "Papiers d'identité", "asked", 0, t0)
	open("d", "", "Question générale", "misunderstood", 1, t0)
	open("e", "papiers", "Papiers d'identité", "tree", 1, t0.Add(-100*24*time.Hour)) // before the period
	since := t0.Add(-7 * 24 * time.Hour)
	esc, err := s.EscalationReasons(ctx, since)
	if err != nil {
		t.Fatal(err)
	}
	wantEsc := []store.EscalationStat{
		{TreeID: "papiers", Topic: "Papiers d'identité", Reason: "tree", Count: 2},
		{TreeID: "", Topic: "Question générale", Reason: "misunderstood", Count: 1},
		{TreeID: "papiers", Topic: "Papiers d'identité", Reason: "asked", Count: 1},
	}
	if !reflect.DeepEqual(esc, wantEsc) {
		t.Errorf("escalations:\n got %+v\nwant %+v", esc, wantEsc)
	}
	sat, err := s.Satisfaction(ctx, since)
	if err != nil {
		t.Fatal(err)
	}
	wantSat := []store.SatisfactionStat{
		{TreeID: "papiers", Topic: "Papiers d'identité", Count: 2, Sum: 8, Ratings: [5]int{0, 0, 1, 0, 1}},
		{TreeID: "", Topic: "Question générale", Count: 1, Sum: 1, Ratings: [5]int{1, 0, 0, 0, 0}},
	}
	if !reflect.DeepEqual(sat, wantSat) {
		t.Errorf("satisfaction:\n got %+v\nwant %+v", sat, wantSat)
	}
	if avg := sat[0].Average(); avg != 4 {
		t.Errorf("average %v, want 4", avg)
	}
	// A summary without a tree id (older cases) counts as general.
	db := rawDB(t, path)
	if _, err := db.Exec(`INSERT INTO cases (platform, channel, user_id, status, summary_json, satisfaction, created_at, updated_at)
		VALUES ('discord', 'dm', 'f', 'closed', '{"topic":"Question générale","reason":"asked"}', 4, ?, ?)`, t0.UnixMilli(), t0.UnixMilli()); err != nil {
		t.Fatal(err)
	}
	sat, err = s.Satisfaction(ctx, since)
	// Two topics of two ratings each: ordered by tree id, general first.
	if err != nil || len(sat) != 2 || sat[0].TreeID != "" || sat[0].Count != 2 || sat[0].Sum != 5 {
		t.Errorf("after an old summary: %+v, %v", sat, err)
	}
}

func TestForgetUserAndPurgeEraseUsage(t *testing.T) {
	ctx := context.Background()
	s, path := openTemp(t)
	alice, aliceElsewhere, bob := addr("discord", "dm", "alice"), addr("discord", "server", "alice"), addr("discord", "dm", "bob")
	old := t0.Add(-100 * 24 * time.Hour)
	if err := s.RecordUsage(ctx, []bot.UsageEvent{
		{At: t0, Kind: bot.UsageNotUnderstood, Address: alice, Text: "a"},
		{At: t0, Kind: bot.UsageNode, Address: aliceElsewhere, TreeID: "t", Node: "n"},
		{At: t0, Kind: bot.UsageNotUnderstood, Address: bob, Text: "b"},
		{At: old, Kind: bot.UsageUnsure, Address: bob, Text: "old"},
	}); err != nil {
		t.Fatal(err)
	}
	db := rawDB(t, path)
	n, err := s.ForgetUser(ctx, "discord", "alice")
	if err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Errorf("ForgetUser deleted %d rows, want 2 (alice's two events)", n)
	}
	var left int
	if err := db.QueryRow(`SELECT COUNT(*) FROM usage_events WHERE user_id = 'alice'`).Scan(&left); err != nil || left != 0 {
		t.Fatalf("alice's events left: %d (%v)", left, err)
	}
	if n, err := s.PurgeBefore(ctx, t0.Add(-90*24*time.Hour)); err != nil || n != 1 {
		t.Fatalf("purge deleted %d rows (%v), want 1", n, err)
	}
	qs, err := s.UsageQuestions(ctx, time.Time{}, 10)
	if err != nil || len(qs) != 1 || qs[0].Text != "b" {
		t.Fatalf("after the purge: %+v, %v", qs, err)
	}
}

func TestRecordUsageInTransaction(t *testing.T) {
	ctx := context.Background()
	s, path := openTemp(t)
	err := s.InTx(ctx, func(ctx context.Context) error {
		if err := s.RecordUsage(ctx, []bot.UsageEvent{{Kind: bot.UsageNotUnderstood, Address: addr("d", "c", "u"), Text: "x"}}); err != nil {
			return err
		}
		return context.Canceled // the turn fails: nothing is kept
	})
	if err == nil {
		t.Fatal("InTx returned no error")
	}
	if n := count(t, rawDB(t, path), "usage_events"); n != 0 {
		t.Fatalf("%d events kept from a rolled-back turn", n)
	}
	if err := s.RecordUsage(ctx, []bot.UsageEvent{{Kind: bot.UsageNotUnderstood, Text: "y"}}); err != nil {
		t.Fatal(err)
	}
	qs, err := s.UsageQuestions(ctx, time.Time{}, 10)
	if err != nil || len(qs) != 1 || !qs[0].At.Equal(t0) {
		t.Fatalf("zero At is now: %+v, %v", qs, err)
	}
}
