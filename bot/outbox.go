package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"
)

// ErrUndeliverable is returned (wrapped) by an adapter's Send when the
// platform refused a message for good (unknown channel, user who blocked
// the bot): the dispatcher stops retrying it.
var ErrUndeliverable = errors.New("undeliverable")

// Outgoing is a queued message.
type Outgoing struct {
	ID        int64
	Reply     Reply // Reply.Key is set: pass it to platforms that dedupe
	Attempts  int
	NextAt    time.Time
	CreatedAt time.Time
}

// OutboxKey is the idempotency key of outbox message id.
func OutboxKey(id int64) string { return "bsl-" + strconv.FormatInt(id, 10) }

// Outbox is the durable queue of outgoing messages.
type Outbox interface {
	// Commit stores the conversation, appends the turns and queues the
	// replies in one transaction.
	Commit(ctx context.Context, c Conversation, turns []Turn, out []Reply) error
	// Enqueue queues replies that belong to no stored turn.
	Enqueue(ctx context.Context, out []Reply) error
	// PendingOutgoing returns up to limit unsent messages, oldest first.
	PendingOutgoing(ctx context.Context, limit int) ([]Outgoing, error)
	MarkSent(ctx context.Context, id int64, at time.Time) error
	MarkFailed(ctx context.Context, id int64, next time.Time, reason string) error
	MarkDead(ctx context.Context, id int64, reason string) error
}

// Dispatcher sends queued messages through the adapters: in order per
// destination, retried with backoff while a platform is down, never
// dropped unless the platform refuses a message for good.
type Dispatcher struct {
	box Outbox
	log *slog.Logger
	now func() time.Time

	mu       sync.Mutex
	adapters map[string]Adapter

	flushMu sync.Mutex // one flush at a time keeps destinations in order
	wake    chan struct{}
}

// Backoff bounds: a platform outage is retried every 30 s at most, so a
// message goes out soon after the platform comes back.
const (
	retryFirst = 500 * time.Millisecond
	retryMax   = 30 * time.Second
	batchSize  = 256
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
	return &Dispatcher{box: box, log: log, now: now, adapters: map[string]Adapter{}, wake: make(chan struct{}, 1)}, nil
}

// Register makes a the sender for its platform.
func (d *Dispatcher) Register(a Adapter) {
	d.mu.Lock()
	d.adapters[a.Name()] = a
	d.mu.Unlock()
}

// Wake asks Run to flush now.
func (d *Dispatcher) Wake() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// Flush sends every message that is due, and returns when each has been
// sent or rescheduled. It returns the earliest time a waiting message is
// due again (zero when none waits).
func (d *Dispatcher) Flush(ctx context.Context) (time.Time, error) {
	d.flushMu.Lock()
	defer d.flushMu.Unlock()
	var next time.Time
	for {
		pending, err := d.box.PendingOutgoing(ctx, batchSize)
		if err != nil {
			return time.Time{}, fmt.Errorf("flush outbox: %w", err)
		}
		blocked := map[Address]bool{} // destinations waiting for an earlier message
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
		if len(pending) < batchSize || !progress {
			return next, nil
		}
	}
}

// send delivers one message; it returns the retry time when the platform
// failed, or a storage error.
func (d *Dispatcher) send(ctx context.Context, o Outgoing) (time.Time, error) {
	d.mu.Lock()
	a, ok := d.adapters[o.Reply.To.Platform]
	d.mu.Unlock()
	var err error
	if !ok {
		err = fmt.Errorf("no adapter for platform %q", o.Reply.To.Platform)
	} else {
		err = a.Send(ctx, o.Reply)
	}
	switch {
	case err == nil:
		if merr := d.box.MarkSent(ctx, o.ID, d.now()); merr != nil {
			return time.Time{}, merr
		}
		return time.Time{}, nil
	case errors.Is(err, ErrUndeliverable):
		d.log.Error("message refused by the platform, not retried", "platform", o.Reply.To.Platform, "id", o.ID, "err", err)
		return time.Time{}, d.box.MarkDead(ctx, o.ID, err.Error())
	}
	wait := backoff(o.Attempts)
	retryAt := d.now().Add(wait)
	d.log.Warn("send failed, will retry", "platform", o.Reply.To.Platform, "id", o.ID, "attempt", o.Attempts+1, "retry_in", wait, "err", err)
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
// is done. Messages left by a previous process are sent at start.
func (d *Dispatcher) Run(ctx context.Context) {
	for {
		next, err := d.Flush(ctx)
		if err != nil && ctx.Err() == nil {
			d.log.Error("outbox flush failed", "err", err)
			next = d.now().Add(retryMax)
		}
		wait := time.Minute
		if !next.IsZero() {
			wait = max(next.Sub(d.now()), 10*time.Millisecond)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-d.wake:
		case <-t.C:
		}
		t.Stop()
	}
}
