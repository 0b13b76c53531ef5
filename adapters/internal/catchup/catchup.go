// Package catchup holds what the adapters share to read again, after a
// stop, the messages posted meanwhile: where a catch-up starts, and the
// first run it never goes before.
package catchup

import (
	"context"
	"fmt"
	"strconv"
	"time"
)

// StateStore keeps small values an adapter needs between runs (the store):
// where its catch-up starts after a stop.
type StateStore interface {
	AdapterState(ctx context.Context, key string) (string, bool, error)
	SetAdapterState(ctx context.Context, key, value string) error
}

// A catch-up after a stop goes back at most MaxCatchUp, and reads again
// the last CatchUpMargin before the moment saved: messages received then
// may not have been answered before the stop (those that were are dropped
// by the engine's memory of handled messages).
const (
	MaxCatchUp    = 24 * time.Hour
	CatchUpMargin = 2 * time.Minute
)

// CatchUpFrom is where a catch-up starts (Unix ms), given the moment an
// earlier run saved as seen up to and the moment of the first run with
// this store (FirstRun).
func CatchUpFrom(seen, first int64, now time.Time) int64 {
	return min(now.UnixMilli(), max(seen-CatchUpMargin.Milliseconds(), now.Add(-MaxCatchUp).UnixMilli(), first))
}

// FirstRun returns when Boussole first ran with this store against the
// platform named by key (Unix ms), recording now on that first run. A
// catch-up never reaches before it, margin included: what was posted
// earlier was never Boussole's to answer (a bot added to a busy server, a
// store started afresh). resumed reports a moment saved by an earlier run:
// a store from a version that did not record its first run gets 0, no
// bound, so its first catch-up is not cut short.
func FirstRun(ctx context.Context, st StateStore, key string, resumed bool, now time.Time) (int64, error) {
	v, ok, err := st.AdapterState(ctx, key)
	if err != nil {
		return 0, fmt.Errorf("first run: %w", err)
	}
	if first, err := strconv.ParseInt(v, 10, 64); ok && err == nil && first >= 0 {
		return first, nil
	}
	first := now.UnixMilli()
	if resumed {
		first = 0
	}
	if err := st.SetAdapterState(ctx, key, strconv.FormatInt(first, 10)); err != nil {
		return 0, fmt.Errorf("first run: %w", err)
	}
	return first, nil
}
