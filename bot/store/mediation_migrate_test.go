package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"path/filepath"
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/boussole/boussole/bot"
)

// TestMigrateMediation opens a database left at schema version 3 (before
// the mediators' workflow) that holds cases: they must come through with
// every column they had, and the new ones at their defaults.
func TestMigrateMediation(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "boussole.db")
	ms, err := loadMigrations(migrationFS, "migrations")
	if err != nil {
		t.Fatal(err)
	}
	const before = 3
	if len(ms) <= before {
		t.Fatalf("%d migrations, want more than %d", len(ms), before)
	}

	db, err := sql.Open(driverName, "file:"+path+"?_pragma=foreign_keys(ON)")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms[:before] {
		if _, err := db.Exec(m.sql); err != nil {
			t.Fatalf("apply %s: %v", m.name, err)
		}
	}
	created := time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC)
	updated := created.Add(time.Hour)
	if _, err := db.Exec(`PRAGMA user_version = ` + strconv.Itoa(before)); err != nil {
		t.Fatal(err)
	}
	old := []bot.Case{
		{Address: bot.Address{Platform: "discord", Channel: "dm", User: "u1"}, Queue: "papiers", Status: bot.CaseOpen, Lang: "fr",
			Summary: bot.CaseSummary{Topic: "papiers", Reason: "asked", LastWords: []string{"bonjour"}}},
		{Address: bot.Address{Platform: "mattermost", Channel: "town", User: "u2"}, Queue: "", Status: bot.CaseClosed, Lang: "en",
			Summary: bot.CaseSummary{Topic: "impots", Reason: "tree"}},
	}
	for i := range old {
		c := &old[i]
		c.CreatedAt, c.UpdatedAt = created.Add(time.Duration(i)*time.Minute), updated
		err := db.QueryRow(`INSERT INTO cases (platform, channel, user_id, queue, status, lang, summary_json, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			c.Address.Platform, c.Address.Channel, c.Address.User, c.Queue, string(c.Status), c.Lang,
			mustJSON(t, c.Summary), c.CreatedAt.UnixMilli(), c.UpdatedAt.UnixMilli()).Scan(&c.ID)
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	s, err := Open(ctx, path, Options{Clock: fixedClock})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var v int
	if err := s.wdb.QueryRow("PRAGMA user_version").Scan(&v); err != nil || v != len(ms) {
		t.Fatalf("user_version = %d, %v; want %d", v, err, len(ms))
	}
	for _, want := range old {
		got, err := s.Case(ctx, want.ID)
		if err != nil {
			t.Fatal(err)
		}
		// want has the new fields at their zero values: the defaults.
		if !reflect.DeepEqual(got, want) {
			t.Errorf("case %d after migration:\n got %+v\nwant %+v", want.ID, got, want)
		}
		if notes, err := s.CaseNotes(ctx, want.ID); err != nil || notes != nil {
			t.Errorf("CaseNotes(%d) = %v, %v; want none", want.ID, notes, err)
		}
	}
	// The migrated cases work with the new operations.
	open, err := s.Cases(ctx, "")
	if err != nil || len(open) != 1 || open[0].ID != old[0].ID {
		t.Errorf("Cases = %+v, %v; want case %d only", open, err, old[0].ID)
	}
	m := &bot.Mediator{Name: "Awa", Address: bot.Address{Platform: "discord", Channel: "mediators", User: "awa"}}
	c, err := s.UpdateCase(ctx, old[0].ID, []bot.CaseStatus{bot.CaseOpen},
		bot.CaseChange{Status: bot.CaseClaimed, Mediator: m, Note: "rappeler lundi"}, nil)
	if err != nil || c.Status != bot.CaseClaimed || !reflect.DeepEqual(c.Mediator, m) {
		t.Errorf("claim after migration = %+v, %v", c, err)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
