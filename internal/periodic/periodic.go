// Package periodic runs the background jobs of a process (a checkpoint,
// a purge, an adapter's save) on a ticker until the process stops.
package periodic

import (
	"context"
	"time"
)

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
