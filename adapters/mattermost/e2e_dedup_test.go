package mattermost

import (
	"context"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/boussole/boussole/adapters/internal/catchup"
	"github.com/boussole/boussole/bot"
	"github.com/boussole/boussole/bot/catalog"
	"github.com/boussole/boussole/bot/store"
)

// openDB opens a new Boussole database, closed when the test ends.
func openDB(t *testing.T) *store.Store {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "boussole.db"), store.Options{Clock: time.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// sender is a new adapter instance on the real server and the database
// db, as after a restart: its memory of the keys it sent is empty. Send
// needs neither the websocket nor Run.
func (s *server) sender(t *testing.T, db catchup.StateStore) *Adapter {
	t.Helper()
	cat, err := catalog.New()
	if err != nil {
		t.Fatal(err)
	}
	a, err := New(Config{URL: s.url, Team: s.team, Listen: "127.0.0.1:0"}, Deps{Catalog: cat, Now: time.Now, State: db, Getenv: func(k string) string {
		switch k {
		case "MATTERMOST_TOKEN":
			return s.botToken
		case "MATTERMOST_ACTION_SECRET":
			return "e2e-secret"
		}
		return ""
	}})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func messages(ps []*model.Post) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Id+" "+p.Message[:min(len(p.Message), 30)])
	}
	return out
}

// Boussole crashed after Mattermost created a reply and before the outbox
// recorded it as sent: the next run (a new adapter instance on the same
// database) sends the same reply, with the same key, again. Each part
// carries the same pending_post_id both times, and the server returns the
// posts it already created: the citizen sees the reply, in its two parts,
// once. A new database numbering its messages from the same key is not
// taken for the old one.
func TestE2ESameReplyTwiceFromTwoAdaptersPostsOnce(t *testing.T) {
	s := mmServer(t)
	dm := s.dm(t)
	since := now()
	db := openDB(t)
	run := strconv.FormatInt(time.Now().UnixNano(), 36)
	marker := "dedup-" + run
	text := marker + " " + strings.Repeat("Premier paragraphe. ", 600) + "\n\n" + strings.Repeat("Second paragraphe. ", 600)
	r := bot.Reply{To: addr(dm, s.citizenID), Text: text, Key: "bsl-1"}
	ctx := context.Background()

	if err := s.sender(t, db).Send(ctx, r); err != nil {
		t.Fatalf("first send: %v", err)
	}
	first := s.botPosts(t, s.citizen, dm, since)
	if len(first) != 2 || !strings.HasPrefix(first[0].Message, marker) {
		t.Fatalf("bot posts after the first send: %q, want the reply in 2 parts", messages(first))
	}
	if err := s.sender(t, db).Send(ctx, r); err != nil {
		t.Fatalf("second send, from a new adapter: %v", err)
	}
	again := s.botPosts(t, s.citizen, dm, since)
	if len(again) != 2 || again[0].Id != first[0].Id || again[1].Id != first[1].Id {
		t.Fatalf("bot posts after sending the same reply from a second adapter: %q, want the 2 parts once", messages(again))
	}

	// Another database's first reply has the same key: it is posted.
	other := bot.Reply{To: addr(dm, s.citizenID), Text: "autre base " + marker, Key: "bsl-1"}
	if err := s.sender(t, openDB(t)).Send(ctx, other); err != nil {
		t.Fatalf("send from a new database: %v", err)
	}
	if got := s.botPosts(t, s.citizen, dm, since); len(got) != 3 || got[2].Message != other.Text {
		t.Fatalf("bot posts after a new database's reply with the same key: %q, want it posted", messages(got))
	}
}
