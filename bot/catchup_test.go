package bot_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/boussole/boussole/bot"
)

func TestCatchUpFrom(t *testing.T) {
	now := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	ms := func(d time.Duration) int64 { return now.Add(d).UnixMilli() }
	for _, tc := range []struct {
		seen, want int64
	}{
		{ms(-time.Hour), ms(-time.Hour - bot.CatchUpMargin)}, // the margin before the saved moment
		{ms(-72 * time.Hour), ms(-bot.MaxCatchUp)},           // at most a day back
		{ms(time.Hour), ms(0)},                               // a clock gone back: not after now
	} {
		if got := bot.CatchUpFrom(tc.seen, now); got != tc.want {
			t.Errorf("CatchUpFrom(%d) = %d, want %d", tc.seen, got, tc.want)
		}
	}
}

func TestEveryCallsAtOnceRegularlyAndOnceMoreAfterTheStop(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var calls, dead, after atomic.Int32
	done := make(chan struct{})
	go func() {
		defer close(done)
		bot.Every(ctx, 10*time.Millisecond, func(c context.Context) {
			calls.Add(1)
			if c.Err() != nil {
				dead.Add(1)
			}
			if ctx.Err() != nil {
				after.Add(1)
			}
		})
	}()
	for calls.Load() < 3 {
		time.Sleep(time.Millisecond)
	}
	cancel()
	<-done
	if d, a := dead.Load(), after.Load(); d != 0 || a != 1 {
		t.Errorf("%d calls with a dead context, %d after the stop: want 0 and 1 (the last save)", d, a)
	}
}
