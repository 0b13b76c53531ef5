package app

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"
)

// Periodic jobs that one process at a time runs, whichever of several
// replicas on one database holds the job's lease (docs/scale.md).
const (
	jobRetention  = "retention"
	jobReannounce = "reannounce"
)

// leaseOwner names this process in the leases table: random, so two
// replicas started from one configuration never share a name.
func leaseOwner() (string, error) {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("lease owner: %w", err)
	}
	return hex.EncodeToString(b[:]), nil
}

// leased returns fn, run at each tick only while this process holds the
// lease name. The holder renews it at every tick (period) for a period
// and the failover time: alive, it keeps the job; dead, another process
// takes the job within a period and the failover time.
func (c *Core) leased(name string, period time.Duration, fn func(context.Context)) func(context.Context) {
	return func(ctx context.Context) {
		held, err := c.Store.TryLease(ctx, name, c.owner, c.Now().Add(period+c.failover))
		switch {
		case err != nil:
			c.Log.Warn("periodic job skipped: its lease could not be taken", "job", name, "err", err)
		case !held:
			c.Log.Debug("periodic job left to the process holding its lease", "job", name)
		default:
			fn(ctx)
		}
	}
}

// releaseLeases gives the jobs' leases back at a clean stop, so another
// replica takes them at its next tick rather than after the failover.
func (c *Core) releaseLeases(ctx context.Context, names ...string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	for _, n := range names {
		if err := c.Store.ReleaseLease(ctx, n, c.owner); err != nil {
			c.Log.Warn("lease not released (it expires by itself)", "job", n, "err", err)
		}
	}
}
