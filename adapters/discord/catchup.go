package discord

import (
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/boussole/boussole/adapters/internal/catchup"
	"github.com/boussole/boussole/internal/periodic"
)

// Discord does not send again, to a new session, the messages posted while
// no session was open. The adapter therefore saves, while it runs, the
// moment up to which it received messages and the private places it talks
// in (DMs, citizens' and mediators' threads), and on its next start reads
// those places' messages since that moment. What the previous run had
// answered is dropped by the runner, which remembers handled messages.
//
// The same happens inside a run: when Discord refuses to resume a dropped
// session (op 9) the new session does not receive what was posted while
// the connection was down, so the places are read back from the moment it
// was lost; while it is down, that moment is what is saved.

const (
	// stateKey is where an unsharded run saves; shards add their number
	// (seenKey).
	stateKey = "discord.seen"
	firstKey = "discord.first"
	// maxWatched bounds the places remembered, the most recent kept.
	maxWatched = 1000
	// discordEpoch is the origin of snowflake timestamps, in Unix ms.
	discordEpoch = 1420070400000
)

// seenState is what is saved: the moment (Unix ms), the places, and the
// number of shards of the run that saved it (0 before sharding: 1).
type seenState struct {
	At     int64              `json:"at"`
	Places map[string]watched `json:"places"`
	Shards int                `json:"shards,omitempty"`
}

// watched is a private place: its guild (empty for a DM, needed to tell a
// thread's messages read back, which carry none) and when it last spoke.
type watched struct {
	Guild string `json:"guild,omitempty"`
	At    int64  `json:"at"`
}

// watch remembers a private place a message was received in.
func (a *Adapter) watch(channel, guild string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.places[channel] = watched{Guild: guild, At: a.now().UnixMilli()}
	if len(a.places) <= maxWatched {
		return
	}
	oldest, at := "", int64(0)
	for ch, w := range a.places {
		if oldest == "" || w.At < at {
			oldest, at = ch, w.At
		}
	}
	delete(a.places, oldest)
}

// saveSeen saves the moment and the places.
func (a *Adapter) saveSeen(ctx context.Context) {
	now := a.now()
	old := now.Add(-catchup.MaxCatchUp).UnixMilli()
	a.mu.Lock()
	st := seenState{At: now.UnixMilli(), Places: make(map[string]watched, len(a.places)), Shards: a.cfg.ShardCount}
	if a.down > 0 {
		st.At = a.down // nothing was received since
	}
	for ch, w := range a.places {
		if w.At < old {
			// Silent for a day: nothing to read back, and a citizen's DM
			// is not kept longer than needed.
			delete(a.places, ch)
			continue
		}
		st.Places[ch] = w
	}
	a.mu.Unlock()
	b, err := json.Marshal(st)
	if err == nil {
		err = a.state.SetAdapterState(ctx, seenKey(a.cfg.ShardID, a.cfg.ShardCount), string(b))
	}
	if err != nil {
		a.log.Warn("discord: moment seen up to not saved", "err", err)
	}
}

// keepSeen saves the state every saveEvery while the adapter runs, and
// once more when it stops.
func (a *Adapter) keepSeen(ctx context.Context) {
	periodic.Every(ctx, a.saveEvery, a.saveSeen)
}

// catchUp reads the saved states and hands over, oldest first, the
// messages posted in the saved places of this shard's guilds since the
// saved moment (less the margin).
func (a *Adapter) catchUp(ctx context.Context) {
	states := a.savedStates(ctx)
	resumed := len(states) > 0
	first, err := catchup.FirstRun(ctx, a.state, firstKey, resumed, a.now())
	if err != nil {
		a.log.Warn("discord: first run not recorded", "err", err)
	}
	a.mu.Lock()
	a.first = first
	a.mu.Unlock()
	if !resumed {
		return
	}
	n := 0
	for _, st := range a.ownPlaces(states) {
		n += a.readBack(ctx, st.At, st.Places)
	}
	if n > 0 {
		a.log.Info("discord: caught up on the messages posted since the last run", "messages", n)
	}
}

// lost notes the moment the gateway connection was lost (the first
// disconnect of an outage counts).
func (a *Adapter) lost() {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.down == 0 {
		a.down = a.now().UnixMilli()
	}
}

// back is called when a session is open again: resumed, Discord replays
// what was missed; a new session (READY) after a loss gets nothing, so the
// known places are read back from the moment the connection was lost.
func (a *Adapter) back(ctx context.Context, newSession bool) {
	a.mu.Lock()
	since := a.down
	a.down = 0
	live := a.live
	places := make(map[string]watched, len(a.places))
	for ch, w := range a.places {
		places[ch] = w
	}
	a.mu.Unlock()
	if !newSession || !live || since == 0 || a.state == nil {
		return
	}
	a.bg.Add(1)
	go func() {
		defer a.bg.Done()
		if n := a.readBack(ctx, since, places); n > 0 {
			a.log.Info("discord: caught up on the messages posted while the connection was down", "messages", n)
		}
	}()
}

// readBack hands over, oldest first in each place, the messages posted in
// places since the moment at (Unix ms, less the margin), and returns how
// many. Places are read a few at a time: a large server may have hundreds
// of recent DMs and threads, each one REST call.
func (a *Adapter) readBack(ctx context.Context, at int64, places map[string]watched) int {
	now := a.now()
	a.mu.Lock()
	first := a.first
	a.mu.Unlock()
	after := snowflakeAt(catchup.CatchUpFrom(at, first, now))
	todo := make(chan string)
	var (
		n       atomic.Int64
		wg      sync.WaitGroup
		members = memberCache{m: map[string]*discordgo.Member{}}
	)
	for range readers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ch := range todo {
				n.Add(int64(a.readPlace(ctx, ch, places[ch], after, &members)))
			}
		}()
	}
	for ch, w := range places {
		if w.At < now.Add(-catchup.MaxCatchUp).UnixMilli() {
			continue
		}
		a.mu.Lock()
		if _, known := a.places[ch]; !known {
			a.places[ch] = w
		}
		a.mu.Unlock()
		todo <- ch
	}
	close(todo)
	wg.Wait()
	return int(n.Load())
}

// readers is how many places are read back at once.
const readers = 4

// readPlace hands over the messages of one place posted after the
// snowflake after, oldest first, and returns how many.
func (a *Adapter) readPlace(ctx context.Context, ch string, w watched, after string, members *memberCache) int {
	msgs, err := a.s.ChannelMessages(ch, 100, "", after, "", discordgo.WithContext(ctx))
	if err != nil {
		a.log.Warn("discord catch-up: messages not read", "channel", ch, "err", err)
		return 0
	}
	slices.SortFunc(msgs, func(x, y *discordgo.Message) int { return compareSnowflakes(x.ID, y.ID) })
	for _, m := range msgs {
		if m.GuildID == "" {
			m.GuildID = w.Guild
		}
		if m.GuildID != "" && m.Member == nil && m.Author != nil {
			// Messages read back carry no member: a mediator's roles
			// come from the guild.
			m.Member = a.member(ctx, m.GuildID, m.Author.ID, members)
		}
		a.onMessage(m, true)
	}
	return len(msgs)
}

// memberCache holds the members looked up during one read-back.
type memberCache struct {
	mu sync.Mutex
	m  map[string]*discordgo.Member
}

// member looks up (once per read-back, mostly) the member user of guild.
func (a *Adapter) member(ctx context.Context, guild, user string, cache *memberCache) *discordgo.Member {
	cache.mu.Lock()
	m, ok := cache.m[user]
	cache.mu.Unlock()
	if ok {
		return m
	}
	// The roles say who is a mediator: a look-up Discord refuses once
	// (a 429 or 500 under load) is tried again, else a mediator's words
	// read back from their thread would be taken for a citizen's.
	var err error
	for try := range lookupTries {
		if m, err = a.s.GuildMember(guild, user, discordgo.WithContext(ctx)); err == nil || ctx.Err() != nil {
			break
		}
		a.sleep(ctx, time.Duration(try+1)*lookupPause)
	}
	if err != nil {
		a.log.Warn("discord catch-up: member not read, their roles are unknown for what they wrote meanwhile", "guild", guild, "err", err)
		m = nil
	}
	cache.mu.Lock()
	cache.m[user] = m
	cache.mu.Unlock()
	return m
}

// snowflakeAt is the smallest snowflake of a moment (Unix ms): messages
// "after" it were posted at that moment or later.
func snowflakeAt(ms int64) string {
	if ms < discordEpoch {
		return "0"
	}
	return strconv.FormatUint(uint64(ms-discordEpoch)<<22, 10)
}

// compareSnowflakes orders two snowflakes as numbers.
func compareSnowflakes(x, y string) int {
	if len(x) != len(y) {
		return len(x) - len(y)
	}
	switch {
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return 0
}
