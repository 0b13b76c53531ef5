package delivery

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/boussole/boussole/bot"
)

// Outbox is the durable queue of outgoing messages.
type Outbox interface {
	// Enqueue queues replies that belong to no stored turn (the runner's
	// apology when a turn failed).
	Enqueue(ctx context.Context, out []bot.Reply) error
	// ClaimOutgoing leases to owner, until the given time, up to limit
	// unsent messages of the platforms whose destination owns accepts
	// (nil: every destination), oldest first, skipping destinations
	// another owner holds a live lease on, and returns them.
	ClaimOutgoing(ctx context.Context, owner string, platforms []string, until time.Time, limit int, owns func(bot.Address) bool) ([]bot.Outgoing, error)
	// ReleaseOutgoing gives back owner's leases on unsent messages (a
	// dispatcher stopping), so another process sends them at once.
	ReleaseOutgoing(ctx context.Context, owner string) error
	MarkSent(ctx context.Context, id int64, at time.Time) error
	MarkFailed(ctx context.Context, id int64, next time.Time, reason string) error
	MarkDead(ctx context.Context, id int64, reason string) error
}

// Dispatcher sends queued messages through the adapters: in order per
// destination, retried with backoff while a platform is down, never
// dropped unless the platform refuses a message for good. Each platform is
// flushed on its own, so a slow or rate-limited platform delays only its
// own messages; messages are leased before they are sent, so several
// processes on one database never send the same one.
type Dispatcher struct {
	box   Outbox
	log   *slog.Logger
	now   func() time.Time
	owner string // this dispatcher's lease name
	lease time.Duration

	mu       sync.Mutex
	adapters map[string]bot.Adapter
	flushMu  map[string]*sync.Mutex   // per platform: one flush at a time keeps destinations in order
	wake     map[string]chan struct{} // per platform: Run's loop for it
	meter    Meter                    // nil: noMeter (SetMeter)
}

// defaultLease is how long a claimed message is this dispatcher's unless
// SetFailover says otherwise: long enough to send a claim of claimBatch
// messages, and shorter than the shortest platform de-duplication window
// (Mattermost's 30 s), so that a message a dead process sent but did not
// record is sent again by another within it, and dropped by the platform.
const (
	defaultLease = 10 * time.Second
	claimBatch   = 32
)

// SetFailover bounds how long the messages of a dispatcher that died wait
// before another process's dispatcher sends them: leases last two thirds
// of it and idle dispatchers look every third, so a dead process's lease
// has expired and been seen within d. d is kept between 3 s and 40 s (a
// lease must stay under Mattermost's 30 s de-duplication window). Call it
// before Run.
func (d *Dispatcher) SetFailover(f time.Duration) {
	d.lease = min(max(f, 3*time.Second), 40*time.Second) * 2 / 3
}

// Backoff bounds: a platform outage is retried every 30 s at most, so a
// message goes out soon after the platform comes back.
const (
	retryFirst = 500 * time.Millisecond
	retryMax   = 30 * time.Second
)

// NewDispatcher returns a dispatcher over box. now is the program's one
// clock (required): it must be the store's, or rows stamped by one are
// never due by the other.
func NewDispatcher(box Outbox, log *slog.Logger, now func() time.Time) (*Dispatcher, error) {
	if box == nil || now == nil {
		return nil, errors.New("new dispatcher: an outbox and a clock are required")
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	var id [8]byte
	if _, err := rand.Read(id[:]); err != nil {
		return nil, fmt.Errorf("new dispatcher: %w", err)
	}
	return &Dispatcher{box: box, log: log, now: now, owner: hex.EncodeToString(id[:]), lease: defaultLease,
		adapters: map[string]bot.Adapter{}, flushMu: map[string]*sync.Mutex{}, wake: map[string]chan struct{}{}}, nil
}

// Register makes a the sender for its platform.
func (d *Dispatcher) Register(a bot.Adapter) {
	d.mu.Lock()
	d.adapters[a.Name()] = a
	if d.flushMu[a.Name()] == nil {
		d.flushMu[a.Name()] = &sync.Mutex{}
		d.wake[a.Name()] = make(chan struct{}, 1)
	}
	d.mu.Unlock()
}

// Wake asks Run to flush every platform now.
func (d *Dispatcher) Wake() {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, w := range d.wake {
		select {
		case w <- struct{}{}:
		default:
		}
	}
}

// Flush sends every message that is due on every platform, each platform
// on its own, and returns when each has been sent or rescheduled. It
// returns the earliest time a waiting message is due again (zero when none
// waits).
func (d *Dispatcher) Flush(ctx context.Context) (time.Time, error) {
	d.mu.Lock()
	platforms := make([]string, 0, len(d.adapters))
	for p := range d.adapters {
		platforms = append(platforms, p)
	}
	d.mu.Unlock()
	return d.FlushPlatforms(ctx, platforms...)
}

// FlushPlatforms is Flush for some platforms only (those a turn wrote to).
func (d *Dispatcher) FlushPlatforms(ctx context.Context, platforms ...string) (time.Time, error) {
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		next time.Time
		errs []error
	)
	for _, p := range slices.Compact(slices.Sorted(slices.Values(platforms))) {
		wg.Go(func() {
			n, err := d.flushPlatform(ctx, p)
			mu.Lock()
			defer mu.Unlock()
			errs = append(errs, err)
			if !n.IsZero() && (next.IsZero() || n.Before(next)) {
				next = n
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return time.Time{}, err
	}
	return next, nil
}

func (d *Dispatcher) flushPlatform(ctx context.Context, p string) (time.Time, error) {
	d.mu.Lock()
	a, mu := d.adapters[p], d.flushMu[p]
	d.mu.Unlock()
	if a == nil {
		return time.Time{}, nil // messages for it wait for a process that has it
	}
	mu.Lock()
	defer mu.Unlock()
	var owns func(bot.Address) bool
	if o, ok := a.(bot.Owner); ok {
		owns = o.Owns
	}
	var next time.Time
	for {
		pending, err := d.box.ClaimOutgoing(ctx, d.owner, []string{p}, d.now().Add(d.lease), claimBatch, owns)
		if err != nil {
			return time.Time{}, fmt.Errorf("flush outbox: %w", err)
		}
		blocked := map[bot.Address]bool{} // destinations waiting for an earlier message
		progress := false
		now := d.now()
		for _, o := range pending {
			to := o.Reply.To
			if blocked[to] {
				continue
			}
			if o.NextAt.After(now) {
				blocked[to] = true
				if next.IsZero() || o.NextAt.Before(next) {
					next = o.NextAt
				}
				continue
			}
			retryAt, err := d.send(ctx, o)
			if err != nil {
				return time.Time{}, err
			}
			if !retryAt.IsZero() {
				blocked[to] = true
				if next.IsZero() || retryAt.Before(next) {
					next = retryAt
				}
				continue
			}
			progress = true
		}
		if len(pending) < claimBatch || !progress {
			return next, nil
		}
	}
}

// send delivers one message; it returns the retry time when the platform
// failed, or a storage error.
func (d *Dispatcher) send(ctx context.Context, o bot.Outgoing) (time.Time, error) {
	d.mu.Lock()
	a, ok := d.adapters[o.Reply.To.Platform]
	d.mu.Unlock()
	m := d.meterOf()
	if o.Attempts > 0 {
		m.Retried(o.Reply.To.Platform)
	}
	var err error
	if !ok {
		err = fmt.Errorf("no adapter for platform %q", o.Reply.To.Platform)
	} else {
		err = a.Send(ctx, o.Reply)
	}
	if err != nil {
		m.Failed(o.Reply.To.Platform)
	} else {
		m.Sent(o.Reply.To.Platform)
	}
	switch {
	case err == nil:
		if merr := d.box.MarkSent(ctx, o.ID, d.now()); merr != nil {
			return time.Time{}, merr
		}
		return time.Time{}, nil
	case errors.Is(err, bot.ErrUndeliverable):
		d.log.ErrorContext(ctx, "message refused by the platform, not retried", "platform", o.Reply.To.Platform, "id", o.ID, "err", err)
		return time.Time{}, d.box.MarkDead(ctx, o.ID, err.Error())
	}
	wait := backoff(o.Attempts)
	retryAt := d.now().Add(wait)
	d.log.WarnContext(ctx, "send failed, will retry", "platform", o.Reply.To.Platform, "id", o.ID, "attempt", o.Attempts+1, "retry_in", wait, "err", err)
	if merr := d.box.MarkFailed(ctx, o.ID, retryAt, err.Error()); merr != nil {
		return time.Time{}, merr
	}
	return retryAt, nil
}

func backoff(attempts int) time.Duration {
	d := retryFirst
	for i := 0; i < attempts && d < retryMax; i++ {
		d *= 2
	}
	return min(d, retryMax)
}

// Run flushes on Wake and whenever a waiting message falls due, until ctx
// is done, each registered platform in its own loop. Messages left by a
// previous process are sent at start.
func (d *Dispatcher) Run(ctx context.Context) {
	d.mu.Lock()
	wake := make(map[string]chan struct{}, len(d.wake))
	maps.Copy(wake, d.wake)
	d.mu.Unlock()
	var wg sync.WaitGroup
	for p, w := range wake {
		wg.Go(func() { d.runPlatform(ctx, p, w) })
	}
	wg.Wait()
	// What this process claimed and did not send is another's at once.
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := d.box.ReleaseOutgoing(rctx, d.owner); err != nil {
		d.log.Warn("outbox leases not released (they expire by themselves)", "err", err)
	}
}

func (d *Dispatcher) runPlatform(ctx context.Context, p string, wake <-chan struct{}) {
	for {
		next, err := d.FlushPlatforms(ctx, p)
		if err != nil && ctx.Err() == nil {
			d.log.Error("outbox flush failed", "platform", p, "err", err)
			next = d.now().Add(retryMax)
		}
		// Messages another process holds fall free within a lease: look
		// twice per lease.
		wait := d.lease / 2
		if !next.IsZero() {
			wait = max(next.Sub(d.now()), 10*time.Millisecond)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-wake:
		case <-t.C:
		}
		t.Stop()
	}
}
