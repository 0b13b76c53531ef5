package web_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/boussole/boussole/app/web"
	"github.com/boussole/boussole/bot/store"
)

type oldPending struct{ oldest time.Time }

func (o oldPending) OutboxStats(context.Context) ([]store.OutboxStat, error) {
	return []store.OutboxStat{{Platform: "discord", Pending: 1, Oldest: o.oldest}}, nil
}

// A message waiting past the limit makes the outbox stuck only when
// nothing else was sent to its platform for as long: one message the
// platform keeps refusing, while the others go out, does not take the
// process out of service.
func TestOutboxStuckOnlyWhenNothingGoesOut(t *testing.T) {
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	st := oldPending{oldest: now.Add(-time.Hour)}
	for _, c := range []struct {
		name  string
		sent  time.Time
		stuck bool
	}{
		{"nothing sent since the start", time.Time{}, true},
		{"nothing sent for 10 minutes", now.Add(-10 * time.Minute), true},
		{"a message sent a minute ago", now.Add(-time.Minute), false},
	} {
		check := web.OutboxCheck(st, []string{"discord"}, 5*time.Minute, clock, func(string) time.Time { return c.sent })
		err := check(context.Background())
		if (err != nil) != c.stuck {
			t.Errorf("%s: check = %v, want stuck %v", c.name, err, c.stuck)
		}
		if err != nil && !strings.Contains(err.Error(), "discord: 1 waiting, the oldest for 1h0m0s") {
			t.Errorf("%s: %v", c.name, err)
		}
	}
}
