package discord

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/boussole/boussole/adapters/discord/discordtest"
	"github.com/boussole/boussole/adapters/internal/catchup"
	"github.com/boussole/boussole/bot"
	"github.com/boussole/boussole/bot/catalog"
	"github.com/boussole/boussole/bot/mediation"
	"github.com/boussole/boussole/bot/store"
)

// testClock is the clock the fake server and the adapters share; tests
// move it instead of sleeping.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func newTestClock() *testClock {
	return &testClock{t: time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)}
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// openDB opens a new Boussole database, closed when the test ends.
func openDB(t *testing.T, now func() time.Time) *store.Store {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "boussole.db"), store.Options{Clock: now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// freshAdapter is a new adapter instance on f and the database db, as
// after a restart: its memory of the keys it sent is empty. Send needs no
// gateway connection.
func freshAdapter(t *testing.T, f *discordtest.Server, db catchup.StateStore, now func() time.Time) *Adapter {
	t.Helper()
	cat, err := catalog.New()
	if err != nil {
		t.Fatal(err)
	}
	a, err := New(Config{}, Deps{Catalog: cat, Now: now, HTTPClient: f.Client(), State: db, Getenv: func(string) string { return "test-token" }})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestNonceIsStableShortAndDistinct(t *testing.T) {
	if n := nonce("s", "", 0); n != "" {
		t.Errorf("a reply without a key has nonce %q, want none", n)
	}
	long := "bsl-" + strings.Repeat("9", 40)
	seen := map[string]string{}
	for _, salt := range []string{"", "0f1e", "a17c"} {
		for _, key := range []string{"bsl-1", "bsl-2", "bsl-10", "bsl-9223372036854775807", long} {
			for part := range 3 {
				n := nonce(salt, key, part)
				if n != nonce(salt, key, part) {
					t.Fatalf("nonce(%q, %q, %d) differs between calls", salt, key, part)
				}
				if len(n) == 0 || len(n) > maxNonce {
					t.Errorf("nonce(%q, %q, %d) = %q: %d characters, Discord takes 1 to %d", salt, key, part, n, len(n), maxNonce)
				}
				if strings.Trim(n, "0123456789") == "" {
					t.Errorf("nonce(%q, %q, %d) = %q reads as a number", salt, key, part, n)
				}
				id := fmt.Sprintf("%s/%s#%d", salt, key, part)
				if other, dup := seen[n]; dup {
					t.Errorf("%s and %s share nonce %q", other, id, n)
				}
				seen[n] = id
			}
		}
	}
}

// postsWithNonce counts the posts whose body carries nonce n.
func postsWithNonce(f *discordtest.Server, n any) int {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	c := 0
	for _, p := range f.Posts {
		if p.Body["nonce"] == n {
			c++
		}
	}
	return c
}

// Boussole crashed after Discord created a reply and before the outbox
// recorded it as sent: the next run (a new adapter, with an empty memory
// of sent keys) sends it again, and Discord, honouring the nonce, returns
// the messages it already has instead of posting them twice. Within the
// window only: past it, the same reply is posted again.
func TestSameReplyTwiceAfterACrashPostsOnce(t *testing.T) {
	t.Parallel()
	clk := newTestClock()
	f := discordtest.Start(t, clk.Now)
	db := openDB(t, clk.Now)
	ctx := context.Background()
	long := strings.Repeat("Premier paragraphe. ", 80) + "\n\n" + strings.Repeat("Second paragraphe. ", 80)
	r := bot.Reply{To: addr("dm-31", "31"), Text: long, Key: "bsl-31", Choices: []bot.Choice{{Label: "Oui", Payload: "p:oui"}}}

	if err := freshAdapter(t, f, db, clk.Now).Send(ctx, r); err != nil {
		t.Fatal(err)
	}
	first := f.PostsTo("dm-31")
	if len(first) != 2 {
		t.Fatalf("%d posts for a reply in two parts, want 2", len(first))
	}
	for i, p := range first {
		n, _ := p.Body["nonce"].(string)
		if n == "" || len(n) > maxNonce || p.Body["enforce_nonce"] != true {
			t.Errorf("part %d: nonce %v, enforce_nonce %v; want a nonce and true", i, p.Body["nonce"], p.Body["enforce_nonce"])
		}
	}
	if first[0].Body["nonce"] == first[1].Body["nonce"] {
		t.Errorf("both parts have nonce %v", first[0].Body["nonce"])
	}

	clk.Advance(time.Minute) // the restart, well within Discord's window
	if err := freshAdapter(t, f, db, clk.Now).Send(ctx, r); err != nil {
		t.Fatal(err)
	}
	if got := f.PostsTo("dm-31"); len(got) != 2 {
		t.Fatalf("%d posts after sending the same reply again from a new adapter, want the 2 parts once", len(got))
	}
	f.Mu.Lock()
	dedup := f.Deduplicated
	f.Mu.Unlock()
	if dedup != 2 {
		t.Errorf("%d posts answered with the existing message, want 2", dedup)
	}

	// Past the window, Discord no longer knows the nonce: a retry that
	// late posts the reply again (what the README says).
	f.Mu.Lock()
	window := f.NonceWindow
	f.Mu.Unlock()
	clk.Advance(window)
	if err := freshAdapter(t, f, db, clk.Now).Send(ctx, r); err != nil {
		t.Fatal(err)
	}
	if got := f.PostsTo("dm-31"); len(got) != 4 {
		t.Fatalf("%d posts after a resend past the nonce window, want 4", len(got))
	}
}

// The crash came between the two parts of a reply: the next run posts
// the second part and gets the first one back, so each part is there
// once.
func TestCrashBetweenPartsPostsEachPartOnce(t *testing.T) {
	t.Parallel()
	clk := newTestClock()
	f := discordtest.Start(t, clk.Now)
	db := openDB(t, clk.Now)
	ctx := context.Background()
	long := strings.Repeat("Premier paragraphe. ", 80) + "\n\n" + strings.Repeat("Second paragraphe. ", 80)
	r := bot.Reply{To: addr("dm-32", "32"), Text: long, Key: "bsl-32"}
	f.Mu.Lock()
	f.Failures, f.FailAfter = 1, 1 // the second part fails
	f.Mu.Unlock()
	if err := freshAdapter(t, f, db, clk.Now).Send(ctx, r); err == nil {
		t.Fatal("send with a failing second part succeeded")
	}
	if n := len(f.PostsTo("dm-32")); n != 1 {
		t.Fatalf("%d posts before the crash, want the first part", n)
	}
	if err := freshAdapter(t, f, db, clk.Now).Send(ctx, r); err != nil {
		t.Fatal(err)
	}
	posts := f.PostsTo("dm-32")
	if len(posts) != 2 || posts[0].Content == posts[1].Content {
		t.Fatalf("%d posts after the retry from a new adapter, want the 2 distinct parts once", len(posts))
	}
	for i, p := range posts {
		if n := postsWithNonce(f, p.Body["nonce"]); n != 1 {
			t.Errorf("part %d posted %d times", i, n)
		}
	}
}

// Boussole starts on a new database, whose outbox numbers its messages
// from 1 again, within Discord's window: its replies are not taken for
// the old database's replies with the same keys, and are posted.
func TestNewDatabaseRepliesAreNotTakenForOldOnes(t *testing.T) {
	t.Parallel()
	clk := newTestClock()
	f := discordtest.Start(t, clk.Now)
	ctx := context.Background()
	old := bot.Reply{To: addr("dm-34", "34"), Text: "ancienne réponse", Key: "bsl-1"}
	if err := freshAdapter(t, f, openDB(t, clk.Now), clk.Now).Send(ctx, old); err != nil {
		t.Fatal(err)
	}
	clk.Advance(10 * time.Second)
	fresh := bot.Reply{To: addr("dm-34", "34"), Text: "nouvelle réponse", Key: "bsl-1"}
	if err := freshAdapter(t, f, openDB(t, clk.Now), clk.Now).Send(ctx, fresh); err != nil {
		t.Fatal(err)
	}
	if n := f.CountPostsContaining("dm-34", "nouvelle réponse"); n != 1 {
		t.Fatalf("the new database's first reply was posted %d times, want 1; posts %+v", n, f.PostsTo("dm-34"))
	}
}

// Every message the bot posts in a conversation, the public notice
// included, carries a nonce Discord enforces.
func TestEveryPostCarriesAnEnforcedNonce(t *testing.T) {
	t.Parallel()
	s := newStack(t, Config{}, mediation.Config{})
	f := s.f
	f.Say("200", "33", "<@900> bonjour")
	th := f.WaitPrivateThread(t, "33")
	f.WaitPosts(t, th, 1)
	f.WaitPosts(t, "200", 1)
	f.Mu.Lock()
	defer f.Mu.Unlock()
	for _, p := range f.Posts {
		n, _ := p.Body["nonce"].(string)
		if n == "" || len(n) > maxNonce || p.Body["enforce_nonce"] != true {
			t.Errorf("post to %s %q: nonce %v, enforce_nonce %v", p.Channel, p.Content, p.Body["nonce"], p.Body["enforce_nonce"])
		}
	}
}
