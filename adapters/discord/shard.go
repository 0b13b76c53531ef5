package discord

import (
	"cmp"
	"context"
	"encoding/json"
	"slices"
	"strconv"
)

// Several replicas split a bot's servers with Discord's sharding: each
// connects as shard ShardID of ShardCount, and Discord sends it only the
// events of its share of the guilds. discord/discord-api-docs,
// developers/events/gateway.mdx, « Sharding »: "shard_id = (guild_id >>
// 22) % num_shards", and "Gateway events that do not contain a guild_id
// will only be sent to the first shard (shard_id: 0). This includes Direct
// Message (DM) [...] events."
//
// What a replica does on its own initiative, rather than in answer to an
// event, must follow the same split, or two replicas would do it twice: the
// catch-up after a restart reads back only the places of its guilds (and
// DMs on shard 0), and only shard 0 registers /boussole. Sending is not
// split: Discord's REST API takes a message from any replica.

// shardOf is the shard, of count, that Discord sends guild's events to; ""
// (a DM) is shard 0's.
func shardOf(guild string, count int) int {
	if guild == "" || count <= 1 {
		return 0
	}
	id, err := strconv.ParseUint(guild, 10, 64)
	if err != nil {
		return 0 // not a snowflake: still exactly one owner
	}
	return int((id >> 22) % uint64(count))
}

// owns reports whether this replica's shard receives guild's events.
func (a *Adapter) owns(guild string) bool {
	return shardOf(guild, a.cfg.ShardCount) == a.cfg.ShardID
}

// maxShards bounds the shard states read back: a count saved by a broken
// or hostile value must not make a start read millions of keys.
const maxShards = 1 << 14

// seenKey is where shard id of count saves its moment and places: the key
// of the versions before sharding when unsharded, one per shard otherwise
// (replicas on one database must not overwrite each other's).
func seenKey(id, count int) string {
	if count <= 1 {
		return stateKey
	}
	return stateKey + "." + strconv.Itoa(id)
}

// savedStates reads what earlier runs saved: the unsharded key and every
// shard's, up to the larger of this run's count and the counts the states
// recorded, so that a deployment which changed its number of shards still
// finds the places the old shards watched. A state not read is logged and
// skipped: the catch-up does what it can.
func (a *Adapter) savedStates(ctx context.Context) []seenState {
	var out []seenState
	read := func(key string) int {
		v, ok, err := a.state.AdapterState(ctx, key)
		if err != nil {
			a.log.Warn("discord: where the last run stopped is unknown, messages posted meanwhile are not caught up", "key", key, "err", err)
			return 0
		}
		var st seenState
		if !ok || json.Unmarshal([]byte(v), &st) != nil || st.At <= 0 {
			return 0
		}
		out = append(out, st)
		return st.Shards
	}
	read(stateKey)
	n := a.cfg.ShardCount
	for id := 0; id < n; id++ {
		if saved := read(seenKey(id, maxShards)); saved > n && saved <= maxShards {
			n = saved
		}
	}
	return out
}

// ownPlaces splits the saved states' places by the moment to read each
// from, keeping those of this shard's guilds: a place in several states
// is read from the earliest moment (reading a message twice is harmless,
// the runner drops what was handled; missing one is not).
func (a *Adapter) ownPlaces(states []seenState) []seenState {
	slices.SortFunc(states, func(x, y seenState) int { return cmp.Compare(x.At, y.At) })
	taken := map[string]bool{}
	var out []seenState
	for _, st := range states {
		mine := seenState{At: st.At, Places: map[string]watched{}}
		for ch, w := range st.Places {
			if !taken[ch] && a.owns(w.Guild) {
				taken[ch] = true
				mine.Places[ch] = w
			}
		}
		if len(mine.Places) > 0 {
			out = append(out, mine)
		}
	}
	return out
}
