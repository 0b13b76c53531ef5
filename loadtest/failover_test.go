package loadtest

import (
	"fmt"
	"testing"
	"time"

	"github.com/boussole/boussole/adapters/discord/discordtest"
	"github.com/boussole/boussole/bot/store/pgtest"
)

// A replica killed (SIGKILL) while it holds outgoing messages: one it had
// posted without learning so (Discord's answer never came back), the rest
// claimed and not yet sent. The other replica sends them once their lease
// has expired — within database.failover_after — and Discord drops the
// repeat of the one already posted by its nonce: every citizen gets one
// welcome, no more.
func TestFailover(t *testing.T) {
	now := time.Now // the test's clock, the one the fake server is given
	dsn := pgtest.DSN(t)
	bin := buildBoussole(t)
	f := discordtest.Start(t, now)
	px := startProxy(t, f.APIBase(), now)
	const failover = 3 * time.Second
	c := newCluster(t, bin, dsn, failover, f, px)
	c.start(0)
	c.start(1)
	// Replica 1's posts wait; replica 0's reach Discord, the answer does
	// not come back.
	px.setMode(0, "swallow")
	px.setMode(1, "hang")
	const n = 12
	for i := range n {
		f.DM(citizen(i), "bonjour")
	}
	// Replica 0 claims what it handled, and what replica 1 claimed once
	// that lease expired: it holds messages.
	if !px.waitHeld(0, 1, 60*time.Second) {
		t.Fatalf("replica 0 never sent a message:\n%s", c.logs())
	}
	killed := now()
	c.kill(0)
	px.setMode(1, "")
	var last time.Time
	for i := range n {
		p, _, ok := px.waitPost("dm-"+citizen(i), 0, failover+60*time.Second, func(p posted) bool { return len(p.buttons) > 0 })
		if !ok {
			t.Fatalf("citizen %d got no welcome after the kill:\n%s", i, c.logs())
		}
		last = maxTime(last, p.at)
	}
	// Anything sent twice would come within another failover period.
	time.Sleep(2 * failover)
	f.Mu.Lock()
	perChannel := map[string]int{}
	for _, p := range f.Posts {
		perChannel[p.Channel]++
	}
	deduplicated := f.Deduplicated
	f.Mu.Unlock()
	for i := range n {
		if got := perChannel["dm-"+citizen(i)]; got != 1 {
			t.Errorf("citizen %d: %d welcomes, want 1: %+v", i, got, px.postsTo("dm-"+citizen(i)))
		}
	}
	px.mu.Lock()
	by0, by1, dupes := px.sent[0], px.sent[1], px.dupes
	px.mu.Unlock()
	if by1 == 0 {
		t.Errorf("replica 1 sent nothing: replica 0's messages were not taken over")
	}
	if dupes != deduplicated || (by0 > 0 && dupes == 0) {
		// replica 0's posts were swallowed: replica 1 sent them again,
		// and Discord answered with the message already created.
		t.Errorf("%d repeats answered by nonce (fake server: %d); replica 0 posted %d", dupes, deduplicated, by0)
	}
	t.Logf("failover_after %s: every message sent %.2fs after the kill (replica 0 posted %d before dying, replica 1 %d; %d repeats dropped by nonce)",
		failover, last.Sub(killed).Seconds(), by0, by1, dupes)
}

// citizen is the Discord user id of the i-th citizen.
func citizen(i int) string { return fmt.Sprint(100000 + i) }

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
