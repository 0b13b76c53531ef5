package web

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/boussole/boussole/app"
	"github.com/boussole/boussole/app/httpserver"
	"github.com/boussole/boussole/bot"
	"github.com/boussole/boussole/bot/store"
)

// connection is an adapter that knows whether it is connected to its
// platform now (Discord's gateway, Mattermost's websocket).
type connection interface {
	IsConnected() bool
}

// outboxStats is the store's view of what waits to be sent.
type outboxStats interface {
	OutboxStats(ctx context.Context) ([]store.OutboxStat, error)
}

// MountPlatforms adds the readiness checks of the adapters a process
// runs: one per adapter that keeps a connection ("platform discord": not
// ready while disconnected), and "outbox": not ready while a message for
// one of their platforms has waited longer than http.outbox_stuck_minutes.
// The platforms are declared to the metrics, so that their gauges read 0
// before anything happens.
func MountPlatforms(srv *httpserver.Server, a *app.App, adapters []bot.Adapter) {
	var names []string
	for _, ad := range adapters {
		names = append(names, ad.Name())
		a.Metrics.Enable(ad.Name())
		if c, ok := ad.(connection); ok {
			a.Metrics.Connects(ad.Name())
			srv.AddCheck("platform "+ad.Name(), func(context.Context) error {
				if !c.IsConnected() {
					return errors.New("not connected")
				}
				return nil
			})
		}
	}
	after := time.Duration(a.Config.HTTP.OutboxStuckMinutes) * time.Minute
	srv.AddCheck("outbox", OutboxCheck(a.Store, names, after, a.Now, a.Metrics.LastSent))
}

// OutboxCheck is not ready while a message for one of platforms has
// waited more than after and nothing was sent there for as long (now is
// the program's clock, sent the time of the last message sent to a
// platform, zero when none): that platform is not accepting messages, or
// nothing sends them. One message failing again and again while the
// others go out is the dispatcher's to retry, and the metrics' to show
// (boussole_outbox_oldest_seconds): it does not take the process out of
// service.
func OutboxCheck(st outboxStats, platforms []string, after time.Duration, now func() time.Time, sent func(platform string) time.Time) httpserver.Check {
	return func(ctx context.Context) error {
		stats, err := st.OutboxStats(ctx)
		if err != nil {
			return err
		}
		t := now()
		var stuck []string
		for _, s := range stats {
			if slices.Contains(platforms, s.Platform) && t.Sub(s.Oldest) > after && t.Sub(sent(s.Platform)) > after {
				stuck = append(stuck, fmt.Sprintf("%s: %d waiting, the oldest for %s", s.Platform, s.Pending, t.Sub(s.Oldest).Round(time.Second)))
			}
		}
		if len(stuck) > 0 {
			return fmt.Errorf("messages not sent (over %s): %s", after, strings.Join(stuck, "; "))
		}
		return nil
	}
}
