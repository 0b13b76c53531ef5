package periodic_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/boussole/boussole/internal/periodic"
)

func TestEveryCallsAtOnceRegularlyAndOnceMoreAfterTheStop(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var calls, dead, after atomic.Int32
	done := make(chan struct{})
	go func() {
		defer close(done)
		periodic.Every(ctx, 10*time.Millisecond, func(c context.Context) {
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
