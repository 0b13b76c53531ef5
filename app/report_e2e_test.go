package app_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/boussole/boussole/app/apptest"
	"github.com/boussole/boussole/app/report"
	"github.com/boussole/boussole/bot"
	"github.com/boussole/boussole/bot/mediation"
)

// The funders' report of real conversations (the demo knowledge, a
// mediator, a person in danger) gives the figures counted by hand below,
// and still gives them once the retention purge and « oublie-moi » have
// erased every conversation and case they came from.
func TestReportOfRealConversationsSurvivesThePurge(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	queue := bot.Address{Platform: "test", Channel: "mediateurs"}
	med := mediation.Config{SkipConsent: true, Mediators: map[string][]string{"test": {"marie"}},
		Queues: map[string]mediation.Queue{mediation.DefaultQueue: {Channel: queue}}}
	s := apptest.New(t, filepath.Join(t.TempDir(), "r.db"), med, clock)
	defer s.Close()
	alice := bot.Address{Platform: "test", Channel: "dm-a", User: "alice"}
	bob := bot.Address{Platform: "test", Channel: "dm-b", User: "bob"}
	marie := bot.Address{Platform: "test", Channel: "dm-m", User: "marie"}
	say := func(a bot.Address, text, payload string) {
		t.Helper()
		if _, err := s.Engine.Respond(ctx, bot.Incoming{Address: a, Text: text, Payload: payload, Name: a.User}); err != nil {
			t.Fatal(err)
		}
	}
	// November: by hand, 2 people, 4 citizens' messages, 1 answer found
	// by the search, 1 danger, 1 case waiting 10 minutes and closed after
	// 1 hour, rated 5.
	say(alice, "combien coute un passeport ?", "") // message 1, person 1, answered
	say(bob, "je veux mourir", "")                 // message 2, person 2, danger
	say(alice, "je veux parler a quelqu'un", "")   // message 3, case 1 opened
	now = now.Add(10 * time.Minute)
	say(marie, "", "m:claim:1") // a mediator's: no message, no person
	now = now.Add(50 * time.Minute)
	say(marie, "!fermer 1 orientée vers la mairie", "")
	say(alice, "", "s:1:5") // message 4, rated 5
	// December: alice again, a new month: 1 person, 1 message, not
	// understood.
	now = time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	say(alice, "blorf zquix", "")

	// Everything personal goes: the period and the erasure.
	if _, err := s.Store.ForgetUser(ctx, "test", "alice"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Store.PurgeBefore(ctx, now.Add(24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Store.Conversation(ctx, bob); err == nil {
		t.Fatal("the purge left bob's conversation")
	}

	from, to := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC)
	sums, err := s.Store.ReportCounters(ctx, from, to)
	if err != nil {
		t.Fatal(err)
	}
	r := report.Build(from, to, sums, report.Options{})
	if len(r.Overview) != 3 {
		t.Fatalf("overview rows = %+v", r.Overview)
	}
	nov, dec := r.Overview[0], r.Overview[1]
	type fig struct {
		name      string
		got, want float64
	}
	for _, f := range []fig{
		{"nov people", float64(nov.People), 2}, {"nov messages", float64(nov.Messages), 4},
		{"nov answered", float64(nov.Answered), 1}, {"nov danger", float64(nov.Danger), 1},
		{"nov not understood", float64(nov.NotUnderstood), 0},
		{"nov escalated", float64(nov.Escalated), 1}, {"nov claimed", float64(nov.Claimed), 1},
		{"nov wait", nov.Wait.Mean, 600}, {"nov closed", float64(nov.Closed), 1}, {"nov time to close", nov.Close.Mean, 3600},
		{"nov rated", float64(nov.Rated), 1}, {"nov rating", nov.Rating, 5},
		{"dec people", float64(dec.People), 1}, {"dec messages", float64(dec.Messages), 1},
		{"dec not understood", float64(dec.NotUnderstood), 1}, {"dec escalated", float64(dec.Escalated), 0},
	} {
		if f.got != f.want {
			t.Errorf("%s = %v, want %v", f.name, f.got, f.want)
		}
	}
	// The passport's sheet is in the demo's « papiers » tree, whose queue
	// the case went to; the answer said where alice is.
	var resolved int64
	for _, c := range r.Cases {
		if c.Month == "2026-11" && c.Queue == "papiers" && c.Jurisdiction == "FR" {
			resolved += c.Resolved
		}
	}
	if resolved != 1 {
		t.Errorf("resolved cases of November in papiers (FR) = %d, want 1 (%+v)", resolved, r.Cases)
	}
}
