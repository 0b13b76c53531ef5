package bot

import (
	"context"
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
// by the Runner's memory of handled messages).
const (
	MaxCatchUp    = 24 * time.Hour
	CatchUpMargin = 2 * time.Minute
)

// CatchUpFrom is where a catch-up starts (Unix ms), given the moment an
// earlier run saved as seen up to.
func CatchUpFrom(seen int64, now time.Time) int64 {
	return min(now.UnixMilli(), max(seen-CatchUpMargin.Milliseconds(), now.Add(-MaxCatchUp).UnixMilli()))
}

// Tick calls fn at once and every d until ctx is done.
func Tick(ctx context.Context, d time.Duration, fn func(context.Context)) {
	fn(ctx)
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			fn(ctx)
		}
	}
}

// Every is Tick, then fn once more with a short context of its own when
// ctx is done: an adapter's last save as it stops.
func Every(ctx context.Context, d time.Duration, fn func(context.Context)) {
	Tick(ctx, d, fn)
	last, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	fn(last)
}
