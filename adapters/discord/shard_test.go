package discord

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/boussole/boussole/adapters/discord/discordtest"
	"github.com/boussole/boussole/app/apptest"
	"github.com/boussole/boussole/bot"
	"github.com/boussole/boussole/bot/catalog"
	"github.com/boussole/boussole/bot/mediation"
	"github.com/boussole/boussole/bot/store"
)

// otherGuild is a second server the bot is in, with the channel 210: its
// id is on shard 1 of 2 ((834567890123456789 >> 22) % 2 = 1), GuildID's
// ("100") on shard 0.
const otherGuild = "834567890123456789"

func TestShardOf(t *testing.T) {
	for _, tc := range []struct {
		guild        string
		count, shard int
	}{
		{"", 4, 0},                   // a DM: shard 0
		{"100", 2, 0},                // 100 >> 22 = 0
		{otherGuild, 2, 1},           // >> 22 = 198976490527
		{otherGuild, 3, 1},           //
		{"834567890127650000", 2, 0}, // >> 22 = 198976490528
		{"834567890127650000", 3, 2}, //
		{fmt.Sprint(uint64(5) << 22), 4, 1},
		{fmt.Sprint(uint64(5)<<22 | 0x3fffff), 4, 1}, // the low 22 bits do not count
		{otherGuild, 1, 0},
	} {
		if got := shardOf(tc.guild, tc.count); got != tc.shard {
			t.Errorf("shardOf(%s, %d) = %d, want %d", tc.guild, tc.count, got, tc.shard)
		}
		if fake := discordtest.ShardOf(tc.guild, tc.count); fake != tc.shard {
			t.Errorf("the fake server's ShardOf(%s, %d) = %d, want %d", tc.guild, tc.count, fake, tc.shard)
		}
	}
}

// recorder is a Handler keeping what an adapter hands over.
type recorder struct {
	mu  sync.Mutex
	got []bot.Incoming
}

func (r *recorder) Enqueue(_ context.Context, in bot.Incoming) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, in)
}

func (r *recorder) Handle(ctx context.Context, in bot.Incoming) error {
	r.Enqueue(ctx, in)
	return nil
}

// senders returns "user@guild" of each message handed over, sorted.
func (r *recorder) senders() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, in := range r.got {
		out = append(out, in.Address.User+"@"+in.Space)
	}
	slices.Sort(out)
	return out
}

// runShard runs an adapter of cfg on f, logging to the returned buffer,
// until the test ends.
func runShard(t *testing.T, f *discordtest.Server, cfg Config, h bot.Handler) *apptest.SyncBuffer {
	t.Helper()
	cat, err := catalog.New()
	if err != nil {
		t.Fatal(err)
	}
	logs := &apptest.SyncBuffer{}
	a, err := New(cfg, Deps{Logger: slog.New(slog.NewTextHandler(logs, nil)), Catalog: cat, Now: time.Now, HTTPClient: f.Client(), Getenv: func(string) string { return "test-token" }})
	if err != nil {
		t.Fatal(err)
	}
	runUntilEnd(t, a, h)
	return logs
}

// waitLog waits for a line of logs containing text.
func waitLog(t *testing.T, f *discordtest.Server, logs *apptest.SyncBuffer, text string) {
	t.Helper()
	f.WaitFor(t, "the log line "+text, func() bool { return strings.Contains(logs.String(), text) })
}

// Two replicas, shards 0 and 1 of 2, on one bot in two servers: each
// message and click reaches exactly the replica whose shard Discord sends
// its server's events to, DMs shard 0; only shard 0 registers /boussole.
func TestShardsSplitEventsBetweenReplicas(t *testing.T) {
	t.Parallel()
	f := discordtest.Start(t, time.Now)
	f.AddGuild(otherGuild, "Centre social", "210")

	// Shard 1 alone first: once it says it is connected (after the
	// registration it would have made), no command was registered.
	r1 := &recorder{}
	logs1 := runShard(t, f, Config{ShardID: 1, ShardCount: 2}, r1)
	f.WaitConnected(t, "READY")
	waitLog(t, f, logs1, "discord connected")
	if calls := f.CallsTo("PUT", "/applications/"); len(calls) != 0 {
		t.Fatalf("shard 1 registered /boussole: %+v", calls)
	}
	r0 := &recorder{}
	logs0 := runShard(t, f, Config{ShardID: 0, ShardCount: 2}, r0)
	f.WaitConnected(t, "READY")
	waitLog(t, f, logs0, "discord connected")
	if calls := f.CallsTo("PUT", "/applications/"); len(calls) != 1 {
		t.Fatalf("/boussole registered %d times, want once (by shard 0)", len(calls))
	}
	f.Mu.Lock()
	shards := slices.Clone(f.Shards)
	f.Mu.Unlock()
	if want := [][2]int{{1, 2}, {0, 2}}; !reflect.DeepEqual(shards, want) {
		t.Fatalf("IDENTIFY shards %v, want %v", shards, want)
	}

	mention := "<@" + discordtest.BotID + "> bonjour"
	f.Say("200", "61", mention)        // server 100: shard 0
	f.Say("210", "62", mention)        // the other server: shard 1
	f.DM("63", "bonjour")              // a DM: shard 0
	f.Click("210", "64", "x", true)    // a click in the other server
	f.Click("dm-65", "65", "x", false) // a click in a DM
	th := f.WaitPrivateThread(t, "62")
	if g := f.GuildOf(th); g != otherGuild {
		t.Fatalf("the citizen's thread is in server %s, want %s", g, otherGuild)
	}
	f.Say(th, "62", "voiture") // its private thread: the same shard
	// Events reach a replica in order: once the last one is there,
	// everything sent before it was handled.
	f.DM("69", "fin")
	f.Say("210", "69", "<@"+discordtest.BotID+"> fin")
	f.WaitFor(t, "the last events", func() bool {
		return slices.Contains(r0.senders(), "69@") && slices.Contains(r1.senders(), "69@"+otherGuild)
	})
	if got, want := r0.senders(), []string{"61@100", "63@", "65@", "69@"}; !reflect.DeepEqual(got, want) {
		t.Errorf("shard 0 received %v, want %v", got, want)
	}
	o := "@" + otherGuild
	if got, want := r1.senders(), []string{"62" + o, "62" + o, "64" + o, "69" + o}; !reflect.DeepEqual(got, want) {
		t.Errorf("shard 1 received %v, want %v", got, want)
	}
}

// startReplica runs Boussole with the adapter of cfg on the database db,
// and returns once its catch-up is done (its log says it is connected).
func startReplica(t *testing.T, f *discordtest.Server, db string, cfg Config) func() {
	t.Helper()
	b := apptest.New(t, db, mediation.Config{}, time.Now)
	logs := &apptest.SyncBuffer{}
	a, err := New(cfg, Deps{Logger: slog.New(slog.NewTextHandler(logs, nil)), Catalog: b.Catalog, Now: time.Now, HTTPClient: f.Client(),
		Getenv: func(string) string { return "test-token" }, State: b.Store})
	if err != nil {
		b.Stop()
		t.Fatal(err)
	}
	b.Run(a)
	f.WaitConnected(t, "READY")
	waitLog(t, f, logs, "discord connected")
	return b.Stop
}

// A deployment goes from one process to two shards while citizens write:
// a thread in each server and a DM. Each shard reads back, after its
// start, only the places of its servers (DMs: shard 0), so every missed
// message is answered once, by one replica.
func TestCatchUpReadsBackOnlyTheShardsPlaces(t *testing.T) {
	t.Parallel()
	f := discordtest.Start(t, time.Now)
	f.AddGuild(otherGuild, "Centre social", "210")
	db := filepath.Join(t.TempDir(), "boussole.db")

	stop := startReplica(t, f, db, Config{})
	mention := "<@" + discordtest.BotID + "> bonjour"
	f.Say("200", "41", mention)
	f.Say("210", "42", mention)
	thA, thB := f.WaitPrivateThread(t, "41"), f.WaitPrivateThread(t, "42")
	f.WaitPosts(t, thA, 1)
	f.WaitPosts(t, thB, 1)
	// Writing in the thread makes it a place the bot reads back.
	f.Say(thA, "41", "bonjour")
	f.Say(thB, "42", "bonjour")
	f.DM("43", "bonjour")
	f.WaitPosts(t, thA, 2)
	f.WaitPosts(t, thB, 2)
	f.WaitPosts(t, "dm-43", 1)
	time.Sleep(200 * time.Millisecond) // no second part on its way
	places := []string{thA, thB, "dm-43"}
	before := map[string]int{}
	for _, p := range places {
		before[p] = len(f.PostsTo(p))
	}
	stop()

	f.OfflineSay(thA, "41", "voiture")
	f.OfflineSay(thB, "42", "voiture")
	f.OfflineDM("43", "voiture")
	reads := func(ch string) int { return len(f.CallsTo("GET", "/channels/"+ch+"/messages")) }

	stop1 := startReplica(t, f, db, Config{ShardID: 1, ShardCount: 2})
	if reads(thA) != 0 || reads("dm-43") != 0 || reads(thB) != 1 {
		t.Errorf("shard 1 read back server 100's thread %d times, the DM %d times, its own server's thread %d times; want 0, 0, 1",
			reads(thA), reads("dm-43"), reads(thB))
	}
	f.WaitPostContaining(t, thB, "Votre demande concerne")
	stop1()

	stop0 := startReplica(t, f, db, Config{ShardID: 0, ShardCount: 2})
	if reads(thA) != 1 || reads("dm-43") != 1 || reads(thB) != 1 {
		t.Errorf("after shard 0's start: server 100's thread read %d times, the DM %d times, the other server's thread %d times; want 1, 1, 1",
			reads(thA), reads("dm-43"), reads(thB))
	}
	f.WaitPostContaining(t, thA, "Votre demande concerne")
	f.WaitPostContaining(t, "dm-43", "Votre demande concerne")
	time.Sleep(500 * time.Millisecond) // anything answered twice would be here by now
	stop0()

	for _, p := range places {
		var texts []string
		for _, post := range f.PostsTo(p)[before[p]:] {
			texts = append(texts, post.Content)
		}
		if n := strings.Count(strings.Join(texts, "\n"), "Votre demande concerne"); n != 1 {
			t.Errorf("%s after the restarts: %q, want the vehicles tree's question once", p, texts)
		}
	}
}

// The states saved by the shards of an earlier deployment are found, and
// their places shared out, whatever the count was: a deployment that went
// from three shards to two still reads back what the third watched.
func TestSavedStatesOfAnotherShardCount(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	now := time.Now()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "b.db"), store.Options{Clock: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	at := now.Add(-time.Hour).UnixMilli()
	save := func(key string, s seenState) {
		b, _ := json.Marshal(s)
		if err := st.SetAdapterState(ctx, key, string(b)); err != nil {
			t.Fatal(err)
		}
	}
	// An unsharded run, then three shards: shard 2 saw a thread in the
	// other server (shard 1 of 2 now) and one in server 100 (shard 0).
	save("discord.seen", seenState{At: at - 1000, Places: map[string]watched{"dm-1": {At: at}, "t-old": {Guild: otherGuild, At: at}}})
	save("discord.seen.0", seenState{At: at, Shards: 3, Places: map[string]watched{"dm-2": {At: at}}})
	save("discord.seen.2", seenState{At: at + 1000, Shards: 3, Places: map[string]watched{"t-b": {Guild: otherGuild, At: at}, "t-a": {Guild: "100", At: at}, "t-old": {Guild: otherGuild, At: at}}})
	cat, _ := catalog.New()
	for shard, want := range map[int]map[int64][]string{
		0: {at - 1000: {"dm-1"}, at: {"dm-2"}, at + 1000: {"t-a"}},
		1: {at - 1000: {"t-old"}, at + 1000: {"t-b"}}, // t-old from the earliest moment
	} {
		a, err := New(Config{ShardID: shard, ShardCount: 2}, Deps{Catalog: cat, Now: time.Now, Getenv: func(string) string { return "t" }, State: st})
		if err != nil {
			t.Fatal(err)
		}
		got := map[int64][]string{}
		for _, s := range a.ownPlaces(a.savedStates(ctx)) {
			for ch := range s.Places {
				got[s.At] = append(got[s.At], ch)
			}
			slices.Sort(got[s.At])
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("shard %d of 2 reads back %v, want %v", shard, got, want)
		}
	}
}
