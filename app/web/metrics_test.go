package web_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/boussole/boussole/app"
	"github.com/boussole/boussole/bot"
	"github.com/boussole/boussole/bot/delivery/deliverytest"
	"github.com/boussole/boussole/bot/mediation"
)

// Boussole's process with a platform that fails its sends: a citizen's
// message goes through the runner and the engine, the replies wait in
// the outbox while the platform fails, and /metrics, scraped over HTTP,
// counts the message, the turn, the failed sends and their retries, and
// shows the outbox's depth and age; /readyz says the outbox is stuck once
// the oldest reply waited past http.outbox_stuck_minutes, and ready again
// once the platform accepts them. No label carries the citizen's id or
// words.
func TestMetricsOfAFailingPlatform(t *testing.T) {
	const (
		citizen = "citizen-4242"
		words   = "bonjour je cherche ma carte vitale"
	)
	clk := newClock()
	a := openApp(t, app.Default(), clk.now)
	p := &deliverytest.Platform{Failures: 1000}
	base := serve(t, a, p)
	proc, err := a.NewProcess()
	if err != nil {
		t.Fatal(err)
	}
	proc.Runner.Register(p)
	ctx := context.Background()
	in := bot.Incoming{Address: bot.Address{Platform: p.Name(), Channel: "dm-" + citizen, User: citizen}, Text: words, ID: "m1"}
	// The turn's sends fail: the replies stay queued for a retry.
	if err := proc.Runner.Handle(ctx, in); err != nil {
		t.Fatal(err)
	}
	// Time passes; the dispatcher retries and fails again.
	for range 3 {
		clk.add(40 * time.Second)
		if _, err := proc.Out.Flush(ctx); err != nil {
			t.Fatal(err)
		}
	}
	mfs, body := metrics(t, base)
	if v := sample(mfs, "boussole_messages_received_total", "platform", "test"); v != 1 {
		t.Errorf("messages received = %v, want 1", v)
	}
	if v := sample(mfs, "boussole_turn_duration_seconds", "platform", "test"); v != 1 {
		t.Errorf("turns timed = %v, want 1", v)
	}
	pending := sample(mfs, "boussole_outbox_pending", "platform", "test")
	if pending < 1 {
		t.Fatalf("outbox pending = %v, want the turn's replies", pending)
	}
	calls := float64(p.Calls())
	t.Logf("%v sends failed, %v replies pending, %v retries", calls, pending, sample(mfs, "boussole_delivery_retries_total", "platform", "test"))
	if v := sample(mfs, "boussole_delivery_errors_total", "platform", "test"); v != calls {
		t.Errorf("delivery errors = %v, want %v (every send failed)", v, calls)
	}
	// Every send after the first of each message is a retry.
	if v := sample(mfs, "boussole_delivery_retries_total", "platform", "test"); v < 3 || v != calls-pending {
		t.Errorf("delivery retries = %v, want the %v sends less the %v first ones", v, calls, pending)
	}
	if v := sample(mfs, "boussole_outbox_oldest_seconds", "platform", "test"); v != 120 {
		t.Errorf("oldest pending = %v s, want 120 (the test clock)", v)
	}
	if v := sample(mfs, "boussole_messages_sent_total", "platform", "test"); v != -1 {
		t.Errorf("messages sent = %v while the platform fails", v)
	}
	for _, leak := range []string{citizen, "carte vitale", "dm-"} {
		if strings.Contains(body, leak) {
			t.Errorf("/metrics carries %q", leak)
		}
	}
	waitReady(t, base, 200, "ready")
	clk.add(4 * time.Minute)
	waitReady(t, base, 503, "outbox: messages not sent")
	if _, body := get(t, base+"/readyz"); strings.Contains(body, citizen) {
		t.Errorf("/readyz names the citizen: %q", body)
	}

	// The platform is back: the replies go out, the outbox empties.
	p.Failures = 0
	for range 5 {
		clk.add(40 * time.Second)
		if _, err := proc.Out.Flush(ctx); err != nil {
			t.Fatal(err)
		}
	}
	waitReady(t, base, 200, "ready")
	mfs, _ = metrics(t, base)
	if v := sample(mfs, "boussole_outbox_pending", "platform", "test"); v != 0 {
		t.Errorf("outbox pending = %v after the platform came back", v)
	}
	if v := sample(mfs, "boussole_outbox_oldest_seconds", "platform", "test"); v != 0 {
		t.Errorf("oldest pending = %v after the platform came back", v)
	}
	if v := sample(mfs, "boussole_messages_sent_total", "platform", "test"); v != pending {
		t.Errorf("messages sent = %v, want the %v replies", v, pending)
	}
	proc.Runner.Close()
}

// A scripted mediation (the demo knowledge, a person in danger, a case
// claimed after 10 minutes and closed after an hour, rated 5) gives the
// tally-driven metrics counted by hand, scraped over HTTP. The tallies
// reach the metrics as serve wires them (openCore), counted once.
func TestMetricsOfAScriptedMediation(t *testing.T) {
	clk := newClock()
	cfg := app.Default()
	cfg.Mediation.Consent = false
	cfg.Mediation.Mediators = map[string][]string{"test": {"marie"}}
	cfg.Mediation.Queues = map[string]app.QueueConfig{mediation.DefaultQueue: {Platform: "test", Channel: "mediateurs"}}
	a := openApp(t, cfg, clk.now)
	base := serve(t, a)
	ctx := context.Background()
	alice := bot.Address{Platform: "test", Channel: "dm-alice", User: "alice"}
	bob := bot.Address{Platform: "test", Channel: "dm-bob", User: "bob"}
	marie := bot.Address{Platform: "test", Channel: "dm-marie", User: "marie"}
	say := func(who bot.Address, text, payload string) {
		t.Helper()
		if _, err := a.Engine.Respond(ctx, bot.Incoming{Address: who, Text: text, Payload: payload, Name: who.User}); err != nil {
			t.Fatal(err)
		}
	}
	say(alice, "combien coute un passeport ?", "") // a person, an answer found by the search
	say(bob, "je veux mourir", "")                 // a person, danger
	say(alice, "je veux parler a quelqu'un", "")   // a case in the passport's queue (papiers)
	mfs, _ := metrics(t, base)
	if v := sample(mfs, "boussole_open_cases", "queue", "papiers", "status", "open"); v != 1 {
		t.Errorf("open cases in papiers = %v, want 1", v)
	}
	clk.add(10 * time.Minute)
	say(marie, "", "m:claim:1")
	mfs, _ = metrics(t, base)
	if v := sample(mfs, "boussole_open_cases", "queue", "papiers", "status", "claimed"); v != 1 {
		t.Errorf("claimed cases in papiers = %v, want 1", v)
	}
	clk.add(50 * time.Minute)
	say(marie, "!fermer 1 orientée vers la mairie", "")
	say(alice, "", "s:1:5")
	say(alice, "blorf zquix", "") // not understood

	mfs, body := metrics(t, base)
	for _, f := range []struct {
		name   string
		labels []string
		want   float64
	}{
		{"boussole_people_total", []string{"jurisdiction", "FR"}, 2},
		{"boussole_answers_total", []string{"confidence", "sure"}, 1},
		{"boussole_danger_total", []string{"category", "suicide"}, 1},
		{"boussole_escalations_total", []string{"queue", "papiers", "reason", "asked"}, 1},
		{"boussole_case_claim_wait_seconds", []string{"queue", "papiers"}, 1},
		{"boussole_cases_closed_total", []string{"queue", "papiers", "outcome", "resolved"}, 1},
		{"boussole_case_close_seconds", []string{"queue", "papiers"}, 1},
		{"boussole_satisfaction_total", []string{"rating", "5"}, 1},
		{"boussole_not_understood_total", []string{"jurisdiction", "FR"}, 1},
		// No case is active: a configured queue reads 0, a queue only a
		// tree names is absent.
		{"boussole_open_cases", []string{"queue", mediation.DefaultQueue, "status", "open"}, 0},
		{"boussole_open_cases", []string{"queue", mediation.DefaultQueue, "status", "claimed"}, 0},
		{"boussole_open_cases", []string{"queue", "papiers", "status", "open"}, -1},
	} {
		if got := sample(mfs, f.name, f.labels...); got != f.want {
			t.Errorf("%s%v = %v, want %v", f.name, f.labels, got, f.want)
		}
	}
	for _, h := range []struct {
		name string
		sum  float64
	}{{"boussole_case_claim_wait_seconds", 600}, {"boussole_case_close_seconds", 3600}} {
		for _, m := range mfs[h.name].GetMetric() {
			if got := m.GetHistogram().GetSampleSum(); got != h.sum {
				t.Errorf("%s sum = %v, want %v", h.name, got, h.sum)
			}
		}
	}
	for _, leak := range []string{"alice", "bob", "marie", "passeport", "mourir", "mairie", "dm-"} {
		if strings.Contains(body, leak) {
			t.Errorf("/metrics carries %q", leak)
		}
	}
}
