package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
)

// Responder turns an incoming message into replies (the Engine).
type Responder interface {
	Respond(ctx context.Context, in Incoming) ([]Reply, error)
	// Sorry is the reply sent when Respond fails.
	Sorry(a Address) Reply
}

// Runner connects adapters to the engine: it serialises the messages of
// one conversation (so two quick messages never race on its state), drops
// duplicate deliveries, has the dispatcher send the replies the turn
// queued, and lets shutdown wait for turns in flight.
type Runner struct {
	resp Responder
	out  *Dispatcher
	log  *slog.Logger

	mu       sync.Mutex
	adapters map[string]Adapter
	convs    map[Address]*convLock
	seen     *Recent
	closed   bool
	inflight sync.WaitGroup
}

type convLock struct {
	mu   sync.Mutex
	refs int
}

// ErrClosed is returned by Handle after Close.
var ErrClosed = errors.New("runner closed")

// NewRunner returns a runner over resp whose replies out sends.
func NewRunner(resp Responder, out *Dispatcher, log *slog.Logger) *Runner {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Runner{resp: resp, out: out, log: log, adapters: map[string]Adapter{}, convs: map[Address]*convLock{}, seen: NewRecent(4096)}
}

// Register makes a the receiver and sender for its platform.
func (r *Runner) Register(a Adapter) {
	r.mu.Lock()
	r.adapters[a.Name()] = a
	r.mu.Unlock()
	r.out.Register(a)
}

// Handle processes in and sends the replies before returning. Messages of
// one conversation are handled in arrival order, one at a time.
func (r *Runner) Handle(ctx context.Context, in Incoming) error {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return ErrClosed
	}
	if in.ID != "" && !r.seen.Add(in.Address.Platform+"\x00"+in.ID) {
		r.mu.Unlock()
		r.log.Debug("duplicate message dropped", "platform", in.Address.Platform, "id", in.ID)
		return nil
	}
	a, ok := r.adapters[in.Address.Platform]
	if !ok {
		r.mu.Unlock()
		return fmt.Errorf("handle message: no adapter for platform %q", in.Address.Platform)
	}
	l := r.convs[in.Address]
	if l == nil {
		l = &convLock{}
		r.convs[in.Address] = l
	}
	l.refs++
	r.inflight.Add(1)
	r.mu.Unlock()

	defer func() {
		r.mu.Lock()
		if l.refs--; l.refs == 0 {
			delete(r.convs, in.Address)
		}
		r.mu.Unlock()
		r.inflight.Done()
	}()
	l.mu.Lock()
	defer l.mu.Unlock()

	// A turn in flight finishes even when shutdown starts: the state and
	// turns are stored together, and the citizen gets the reply.
	ctx = context.WithoutCancel(ctx)
	// The engine drops a message an earlier process already answered (a
	// catch-up after a restart delivers again what was posted around it)
	// and marks this one, in the turn's transaction.
	replies, err := r.resp.Respond(ctx, in)
	if err != nil {
		r.log.Error("turn failed", "platform", in.Address.Platform, "err", err)
		sorry := r.resp.Sorry(in.Address)
		if qerr := r.out.box.Enqueue(ctx, []Reply{sorry}); qerr != nil {
			// Storage is down: tell the citizen directly, best effort.
			if serr := a.Send(ctx, sorry); serr != nil {
				r.log.Error("apology not sent", "platform", in.Address.Platform, "err", serr)
			}
			return err
		}
	}
	// Sending now keeps a conversation's replies before its next message;
	// what fails here is retried by the dispatcher's Run.
	_, ferr := r.out.FlushPlatforms(ctx, append(platformsOf(replies), in.Address.Platform)...)
	// The turn may also have queued messages for other platforms (a case
	// announced in a queue on another platform): each platform's loop in
	// Run sends them, and reschedules what failed here.
	r.out.Wake()
	if ferr != nil {
		return errors.Join(err, ferr)
	}
	return err
}

// Close refuses new messages and waits for the turns in flight.
func (r *Runner) Close() {
	r.mu.Lock()
	r.closed = true
	r.mu.Unlock()
	r.inflight.Wait()
}

// platformsOf lists the platforms replies go to (with the sender's, where
// an apology may wait).
func platformsOf(replies []Reply) []string {
	var out []string
	for _, r := range replies {
		out = append(out, r.To.Platform)
	}
	return out
}
