package store_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/boussole/boussole/bot"
	"github.com/boussole/boussole/bot/store"
)

func mediator(name string) *bot.Mediator {
	return &bot.Mediator{Name: name, Address: addr("discord", "mediators", strings.ToLower(name))}
}

func notice(to bot.Address, text string) bot.Reply { return bot.Reply{To: to, Text: text} }

// openCase opens c and returns it as stored.
func openCase(t *testing.T, s *store.Store, c bot.Case) bot.Case {
	t.Helper()
	id, err := s.OpenCase(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Case(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func pending(t *testing.T, s *store.Store) []bot.Reply {
	t.Helper()
	out, err := s.PendingOutgoing(context.Background(), 1000)
	if err != nil {
		t.Fatal(err)
	}
	var rs []bot.Reply
	for _, o := range out {
		o.Reply.Key = ""
		rs = append(rs, o.Reply)
	}
	return rs
}

func notes(t *testing.T, s *store.Store, id int64) []bot.CaseNote {
	t.Helper()
	ns, err := s.CaseNotes(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return ns
}

func TestCaseMediationFieldsRoundTrip(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	for i, in := range []bot.Case{
		{Queue: "papiers", Lang: "fr", Summary: bot.CaseSummary{Topic: "papiers", Reason: "asked"}},
		{Queue: "impots", Status: bot.CaseClaimed, Lang: "en", Summary: bot.CaseSummary{Topic: "impots", Reason: "tree"},
			Consent: true, Mediator: mediator("Awa"), Outcome: "en cours", Satisfaction: 4,
			AnnouncedAt: t0.Add(-time.Minute), CreatedAt: t0.Add(-time.Hour), UpdatedAt: t0.Add(-time.Minute)},
	} {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			in.Address = addr("discord", "dm", fmt.Sprint("u", i))
			id, err := s.OpenCase(ctx, in)
			if err != nil {
				t.Fatal(err)
			}
			got, err := s.Case(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			want := in
			want.ID = id
			if want.Status == "" {
				want.Status = bot.CaseOpen
			}
			if want.CreatedAt.IsZero() {
				want.CreatedAt, want.UpdatedAt = t0, t0
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got  %+v\nwant %+v", got, want)
			}
		})
	}
	if _, err := s.OpenCase(ctx, bot.Case{Address: addr("discord", "dm", "x"), Satisfaction: 6}); err == nil {
		t.Error("OpenCase accepted satisfaction 6")
	}
}

func TestUpdateCase(t *testing.T) {
	ctx := context.Background()
	t1 := t0.Add(5 * time.Minute)
	awa, bob := mediator("Awa"), mediator("Bob")
	anyStatus := []bot.CaseStatus(nil)
	tests := []struct {
		name      string
		start     bot.Case // Address and Summary are filled in
		from      []bot.CaseStatus
		ch        bot.CaseChange
		want      func(c *bot.Case) // applied to the case as opened
		wantNotes []bot.CaseNote
	}{
		{"claim", bot.Case{}, []bot.CaseStatus{bot.CaseOpen},
			bot.CaseChange{Status: bot.CaseClaimed, Mediator: awa, At: t1},
			func(c *bot.Case) { c.Status, c.Mediator, c.UpdatedAt, c.ClaimedAt = bot.CaseClaimed, awa, t1, t1 }, nil},
		{"announce", bot.Case{}, []bot.CaseStatus{bot.CaseOpen},
			bot.CaseChange{Announced: true, At: t1},
			func(c *bot.Case) { c.AnnouncedAt, c.UpdatedAt = t1, t1 }, nil},
		{"zero time is now", bot.Case{CreatedAt: t0.Add(-time.Hour)}, anyStatus,
			bot.CaseChange{Announced: true},
			func(c *bot.Case) { c.AnnouncedAt, c.UpdatedAt = t0, t0 }, nil},
		{"transfer to another queue", bot.Case{Status: bot.CaseClaimed, Mediator: awa, Queue: "papiers"},
			[]bot.CaseStatus{bot.CaseClaimed},
			bot.CaseChange{Status: bot.CaseOpen, ClearMediator: true, Queue: "impots", At: t1},
			func(c *bot.Case) { c.Status, c.Mediator, c.Queue, c.UpdatedAt = bot.CaseOpen, nil, "impots", t1 }, nil},
		{"close with outcome", bot.Case{Status: bot.CaseClaimed, Mediator: awa},
			[]bot.CaseStatus{bot.CaseOpen, bot.CaseClaimed},
			bot.CaseChange{Status: bot.CaseClosed, Outcome: "resolved", At: t1},
			func(c *bot.Case) { c.Status, c.Outcome, c.UpdatedAt = bot.CaseClosed, "resolved", t1 }, nil},
		{"rating after close", bot.Case{Status: bot.CaseClaimed, Outcome: "resolved"}, anyStatus,
			bot.CaseChange{Satisfaction: 5, At: t1},
			func(c *bot.Case) { c.Satisfaction, c.UpdatedAt = 5, t1 }, nil},
		{"empty fields change nothing", bot.Case{Status: bot.CaseClaimed, Mediator: awa, Queue: "q", Outcome: "x", Satisfaction: 3, Consent: true},
			anyStatus, bot.CaseChange{At: t1},
			func(c *bot.Case) { c.UpdatedAt = t1 }, nil},
		{"note by the new mediator", bot.Case{Status: bot.CaseClaimed, Mediator: awa}, anyStatus,
			bot.CaseChange{Mediator: bob, Note: "repris par Bob", At: t1},
			func(c *bot.Case) { c.Mediator, c.UpdatedAt = bob, t1 },
			[]bot.CaseNote{{Author: "Bob", Text: "repris par Bob", At: t1}}},
		{"note by the current mediator", bot.Case{Status: bot.CaseClaimed, Mediator: awa}, anyStatus,
			bot.CaseChange{Note: "rappeler lundi", At: t1},
			func(c *bot.Case) { c.UpdatedAt = t1 },
			[]bot.CaseNote{{Author: "Awa", Text: "rappeler lundi", At: t1}}},
		{"note by nobody", bot.Case{}, anyStatus,
			bot.CaseChange{Note: "doublon", At: t1},
			func(c *bot.Case) { c.UpdatedAt = t1 },
			[]bot.CaseNote{{Author: "", Text: "doublon", At: t1}}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := openTemp(t)
			a := addr("discord", "dm", fmt.Sprint("u", i))
			start := tt.start
			start.Address, start.Summary = a, bot.CaseSummary{Topic: "t", Reason: "asked"}
			want := openCase(t, s, start)
			tt.want(&want)
			out := []bot.Reply{notice(a, "Une médiatrice arrive."), notice(awa.Address, "Cas pris.")}
			got, err := s.UpdateCase(ctx, want.ID, tt.from, tt.ch, out)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("returned %+v\n    want %+v", got, want)
			}
			if stored, err := s.Case(ctx, want.ID); err != nil || !reflect.DeepEqual(stored, want) {
				t.Errorf("stored %+v, %v\n  want %+v", stored, err, want)
			}
			if ns := notes(t, s, want.ID); !reflect.DeepEqual(ns, tt.wantNotes) {
				t.Errorf("notes %+v, want %+v", ns, tt.wantNotes)
			}
			if p := pending(t, s); !reflect.DeepEqual(p, out) {
				t.Errorf("queued %+v, want %+v", p, out)
			}
		})
	}
}

// TestUpdateCaseRefused checks that a refused change writes nothing and
// queues nothing.
func TestUpdateCaseRefused(t *testing.T) {
	ctx := context.Background()
	awa, bob := mediator("Awa"), mediator("Bob")
	tests := []struct {
		name     string
		id       func(claimed int64) int64
		from     []bot.CaseStatus
		ch       bot.CaseChange
		out      []bot.Reply
		wantErr  error // nil: any error
		wantCase bool  // the current case comes back with the error
	}{
		{"already claimed", nil, []bot.CaseStatus{bot.CaseOpen},
			bot.CaseChange{Status: bot.CaseClaimed, Mediator: bob, Note: "à moi"},
			[]bot.Reply{notice(bob.Address, "Cas pris.")}, bot.ErrCaseConflict, true},
		{"closed meanwhile", nil, []bot.CaseStatus{bot.CaseClosed},
			bot.CaseChange{Satisfaction: 2}, nil, bot.ErrCaseConflict, true},
		{"unknown case", func(int64) int64 { return 424242 }, nil,
			bot.CaseChange{Status: bot.CaseClosed}, []bot.Reply{notice(bob.Address, "x")}, store.ErrNotFound, false},
		{"failing queue rolls back", nil, []bot.CaseStatus{bot.CaseClaimed},
			bot.CaseChange{Status: bot.CaseClosed, Outcome: "resolved", Note: "fini", Satisfaction: 5, Announced: true},
			[]bot.Reply{notice(bob.Address, "ok"), {Text: "no destination"}}, nil, false},
		{"unknown status", nil, nil, bot.CaseChange{Status: "lost"}, nil, nil, false},
		{"set and clear mediator", nil, nil, bot.CaseChange{Mediator: bob, ClearMediator: true}, nil, nil, false},
		{"satisfaction out of range", nil, nil, bot.CaseChange{Satisfaction: 6}, nil, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, path := openTemp(t)
			before := openCase(t, s, bot.Case{Address: addr("discord", "dm", "u"), Status: bot.CaseClaimed, Mediator: awa,
				Summary: bot.CaseSummary{Topic: "t"}, CreatedAt: t0.Add(-time.Hour)})
			id := before.ID
			if tt.id != nil {
				id = tt.id(id)
			}
			tt.ch.At = t0.Add(time.Minute)
			got, err := s.UpdateCase(ctx, id, tt.from, tt.ch, tt.out)
			if err == nil || (tt.wantErr != nil && !errors.Is(err, tt.wantErr)) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if !errors.Is(tt.wantErr, bot.ErrCaseConflict) && errors.Is(err, bot.ErrCaseConflict) {
				t.Errorf("err = %v, want no conflict", err)
			}
			if want := map[bool]bot.Case{true: before}[tt.wantCase]; !reflect.DeepEqual(got, want) {
				t.Errorf("returned %+v\n    want %+v", got, want)
			}
			if stored, err := s.Case(ctx, before.ID); err != nil || !reflect.DeepEqual(stored, before) {
				t.Errorf("stored %+v, %v\n  want %+v", stored, err, before)
			}
			if ns := notes(t, s, before.ID); ns != nil {
				t.Errorf("notes written: %+v", ns)
			}
			if p := pending(t, s); p != nil {
				t.Errorf("messages queued: %+v", p)
			}
			if n := count(t, rawDB(t, path), "outbox"); n != 0 {
				t.Errorf("%d outbox rows", n)
			}
		})
	}
}

func TestCloseFreesAddress(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	a := addr("discord", "dm", "u")
	first := openCase(t, s, bot.Case{Address: a})
	if _, err := s.UpdateCase(ctx, first.ID, []bot.CaseStatus{bot.CaseOpen},
		bot.CaseChange{Status: bot.CaseClaimed, Mediator: mediator("Awa")}, nil); err != nil {
		t.Fatal(err)
	}
	if id, err := s.OpenCase(ctx, bot.Case{Address: a}); err != nil || id != first.ID {
		t.Fatalf("OpenCase while claimed = %d, %v; want %d", id, err, first.ID)
	}
	if _, err := s.UpdateCase(ctx, first.ID, []bot.CaseStatus{bot.CaseClaimed},
		bot.CaseChange{Status: bot.CaseClosed, Outcome: "resolved"}, nil); err != nil {
		t.Fatal(err)
	}
	second, err := s.OpenCase(ctx, bot.Case{Address: a})
	if err != nil || second <= first.ID {
		t.Fatalf("OpenCase after close = %d, %v; want a new case", second, err)
	}
	// The first case cannot come back while the second is active.
	_, err = s.UpdateCase(ctx, first.ID, []bot.CaseStatus{bot.CaseClosed}, bot.CaseChange{Status: bot.CaseOpen}, nil)
	if err == nil || errors.Is(err, bot.ErrCaseConflict) || !strings.Contains(err.Error(), "another open or claimed case") {
		t.Errorf("reopening = %v, want the active-case error", err)
	}
	if c, err := s.Case(ctx, first.ID); err != nil || c.Status != bot.CaseClosed {
		t.Errorf("first case = %s, %v; want closed", c.Status, err)
	}
}

func TestCaseNotes(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	c := openCase(t, s, bot.Case{Address: addr("discord", "dm", "u"), Mediator: mediator("Awa"), Status: bot.CaseClaimed})
	other := openCase(t, s, bot.Case{Address: addr("discord", "dm", "v")})
	for _, n := range []struct {
		id   int64
		text string
		at   time.Time
	}{
		{c.ID, "trois", t0.Add(2 * time.Minute)},
		{c.ID, "un", t0.Add(time.Minute)},
		{other.ID, "ailleurs", t0},
		{c.ID, "deux", t0.Add(time.Minute)}, // same time: written order
	} {
		if _, err := s.UpdateCase(ctx, n.id, nil, bot.CaseChange{Note: n.text, At: n.at}, nil); err != nil {
			t.Fatal(err)
		}
	}
	want := []bot.CaseNote{
		{Author: "Awa", Text: "un", At: t0.Add(time.Minute)},
		{Author: "Awa", Text: "deux", At: t0.Add(time.Minute)},
		{Author: "Awa", Text: "trois", At: t0.Add(2 * time.Minute)},
	}
	if got := notes(t, s, c.ID); !reflect.DeepEqual(got, want) {
		t.Errorf("notes %+v\nwant %+v", got, want)
	}
	empty := openCase(t, s, bot.Case{Address: addr("discord", "dm", "w")})
	if got, err := s.CaseNotes(ctx, empty.ID); err != nil || got != nil {
		t.Errorf("notes of a case without any = %+v, %v; want nil, nil", got, err)
	}
	if _, err := s.CaseNotes(ctx, 424242); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("notes of an unknown case: err = %v, want ErrNotFound", err)
	}
}

func TestCases(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	ids := map[string]int64{}
	for i, c := range []struct {
		name, queue string
		status      bot.CaseStatus
		age         time.Duration
	}{
		{"p-open-new", "papiers", bot.CaseOpen, 1 * time.Minute},
		{"p-open-old", "papiers", bot.CaseOpen, 3 * time.Minute},
		{"p-claimed", "papiers", bot.CaseClaimed, 2 * time.Minute},
		{"p-closed", "papiers", bot.CaseClosed, 4 * time.Minute},
		{"i-open", "impots", bot.CaseOpen, 2 * time.Minute}, // same age as p-claimed: id decides
		{"n-open", "", bot.CaseOpen, 5 * time.Minute},
	} {
		st := c.status
		if st == bot.CaseClosed {
			st = bot.CaseClaimed
		}
		id, err := s.OpenCase(ctx, bot.Case{Address: addr("discord", "dm", fmt.Sprint("u", i)), Queue: c.queue, Status: st,
			CreatedAt: t0.Add(-c.age)})
		if err != nil {
			t.Fatal(err)
		}
		if c.status == bot.CaseClosed {
			if _, err := s.UpdateCase(ctx, id, nil, bot.CaseChange{Status: bot.CaseClosed}, nil); err != nil {
				t.Fatal(err)
			}
		}
		ids[c.name] = id
	}
	tests := []struct {
		queue    string
		statuses []bot.CaseStatus
		want     []string
	}{
		{"papiers", nil, []string{"p-open-old", "p-claimed", "p-open-new"}},
		{"papiers", []bot.CaseStatus{bot.CaseOpen}, []string{"p-open-old", "p-open-new"}},
		{"papiers", []bot.CaseStatus{bot.CaseClosed}, []string{"p-closed"}},
		{"papiers", []bot.CaseStatus{bot.CaseOpen, bot.CaseClaimed, bot.CaseClosed},
			[]string{"p-closed", "p-open-old", "p-claimed", "p-open-new"}},
		{"", nil, []string{"n-open", "p-open-old", "p-claimed", "i-open", "p-open-new"}},
		{"", []bot.CaseStatus{bot.CaseOpen}, []string{"n-open", "p-open-old", "i-open", "p-open-new"}},
		{"impots", []bot.CaseStatus{bot.CaseClaimed}, nil},
		{"nowhere", nil, nil},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.queue, tt.statuses), func(t *testing.T) {
			cs, err := s.Cases(ctx, tt.queue, tt.statuses...)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, c := range cs {
				for name, id := range ids {
					if id == c.ID {
						got = append(got, name)
					}
				}
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
	if cs, _ := s.Cases(ctx, "papiers", bot.CaseClosed); len(cs) == 1 && cs[0].Status != bot.CaseClosed {
		t.Errorf("listed case has status %s", cs[0].Status)
	}
}

// TestNotesDeleted checks that notes go with their case when a user is
// forgotten and when the retention period removes closed cases.
func TestNotesDeleted(t *testing.T) {
	ctx := context.Background()
	s, path := openTemp(t)
	db := rawDB(t, path)
	noted := func(a bot.Address, created time.Time, closeAt time.Time) int64 {
		t.Helper()
		c := openCase(t, s, bot.Case{Address: a, CreatedAt: created})
		for _, text := range []string{"un", "deux"} {
			if _, err := s.UpdateCase(ctx, c.ID, nil, bot.CaseChange{Note: text, At: created}, nil); err != nil {
				t.Fatal(err)
			}
		}
		if !closeAt.IsZero() {
			if _, err := s.UpdateCase(ctx, c.ID, nil, bot.CaseChange{Status: bot.CaseClosed, At: closeAt}, nil); err != nil {
				t.Fatal(err)
			}
		}
		return c.ID
	}
	notesOf := func(id int64) int {
		t.Helper()
		var n int
		if err := db.QueryRow(`SELECT COUNT(*) FROM case_notes WHERE case_id = ?`, id).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}

	alice := noted(addr("discord", "dm", "alice"), t0, time.Time{})
	bob := noted(addr("discord", "dm", "bob"), t0, time.Time{})
	n, err := s.ForgetUser(ctx, "discord", "alice")
	if err != nil {
		t.Fatal(err)
	}
	if n != 3 { // 1 case + 2 notes
		t.Errorf("ForgetUser deleted %d rows, want 3", n)
	}
	if notesOf(alice) != 0 || notesOf(bob) != 2 {
		t.Errorf("notes left: alice %d, bob %d; want 0 and 2", notesOf(alice), notesOf(bob))
	}

	cut := t0.Add(-24 * time.Hour)
	oldClosed := noted(addr("discord", "dm", "old"), cut.Add(-2*time.Hour), cut.Add(-time.Hour))
	oldOpen := noted(addr("discord", "dm", "waiting"), cut.Add(-2*time.Hour), time.Time{})
	if _, err := db.Exec(`UPDATE cases SET updated_at = ? WHERE id = ?`, cut.Add(-time.Hour).UnixMilli(), oldOpen); err != nil {
		t.Fatal(err)
	}
	n, err = s.PurgeBefore(ctx, cut)
	if err != nil {
		t.Fatal(err)
	}
	if n != 3 { // 1 closed case + 2 notes
		t.Errorf("PurgeBefore deleted %d rows, want 3", n)
	}
	if notesOf(oldClosed) != 0 || notesOf(oldOpen) != 2 || notesOf(bob) != 2 {
		t.Errorf("notes left: closed %d, open %d, bob %d; want 0, 2, 2", notesOf(oldClosed), notesOf(oldOpen), notesOf(bob))
	}
	if count(t, db, "case_notes") != 4 {
		t.Errorf("%d notes in all, want 4", count(t, db, "case_notes"))
	}
}

func TestUpdateCaseLogsNoPersonalData(t *testing.T) {
	ctx := context.Background()
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	s := openAt(t, filepath.Join(t.TempDir(), "boussole.db"), store.Options{Logger: log})
	a := addr("discord", "chan-secret", "user-secret")
	c := openCase(t, s, bot.Case{Address: a})
	m := &bot.Mediator{Name: "name-secret", Address: addr("discord", "chan-secret", "mediator-secret")}
	change := bot.CaseChange{Status: bot.CaseClaimed, Mediator: m, Note: "note-secret", Outcome: "outcome-secret"}
	out := []bot.Reply{notice(a, "text-secret")}
	if _, err := s.UpdateCase(ctx, c.ID, []bot.CaseStatus{bot.CaseOpen}, change, out); err != nil {
		t.Fatal(err)
	}
	if _, err := s.UpdateCase(ctx, c.ID, []bot.CaseStatus{bot.CaseOpen}, change, out); !errors.Is(err, bot.ErrCaseConflict) {
		t.Fatalf("second claim: %v", err)
	}
	if !strings.Contains(buf.String(), "case updated") {
		t.Fatalf("update not logged:\n%s", buf.String())
	}
	// Every personal value above contains "secret".
	if strings.Contains(buf.String(), "secret") {
		t.Errorf("log contains personal data:\n%s", buf.String())
	}
}
