package delivery

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/boussole/boussole/bot"
	"github.com/boussole/boussole/internal/logctx"
)

// Responder turns an incoming message into replies (the engine).
type Responder interface {
	Respond(ctx context.Context, in bot.Incoming) ([]bot.Reply, error)
	// Sorry is the reply sent when Respond fails.
	Sorry(a bot.Address) bot.Reply
}

// Runner connects adapters to the engine. It is the one place messages
// are put in order: each conversation has a queue, handled by one
// goroutine at a time, so two quick messages never race on its state and
// a platform's event loop never waits for a turn. It has the dispatcher
// send the replies each turn queued, and lets shutdown wait for what was
// enqueued. Duplicate deliveries are dropped by the engine, in the turn's
// transaction, where a restart cannot forget them.
type Runner struct {
	resp Responder
	out  *Dispatcher
	log  *slog.Logger

	mu       sync.Mutex
	adapters map[string]bot.Adapter
	queues   map[bot.Address][]job // conversations being handled: what waits
	closed   bool
	pending  sync.WaitGroup // enqueued and not yet handled

	meter Meter            // nil: nothing counted (SetMeter)
	now   func() time.Time // the meter's clock
}

// job is one message waiting its turn; done, when set, gets the result.
type job struct {
	ctx  context.Context
	in   bot.Incoming
	done chan error
}

// ErrClosed is returned by Handle after Close.
var ErrClosed = errors.New("runner closed")

// NewRunner returns a runner over resp whose replies out sends.
func NewRunner(resp Responder, out *Dispatcher, log *slog.Logger) *Runner {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Runner{resp: resp, out: out, log: log, adapters: map[string]bot.Adapter{}, queues: map[bot.Address][]job{}}
}

// Register makes a the receiver and sender for its platform.
func (r *Runner) Register(a bot.Adapter) {
	r.mu.Lock()
	r.adapters[a.Name()] = a
	r.mu.Unlock()
	r.out.Register(a)
}

// Enqueue queues in behind the messages of its conversation and returns
// at once; a failure is logged (the citizen got the apology).
func (r *Runner) Enqueue(ctx context.Context, in bot.Incoming) {
	if err := r.enqueue(ctx, in, nil); err != nil {
		r.log.Error("message not handled", "platform", in.Address.Platform, "err", err)
	}
}

// Handle queues in like Enqueue, then waits until it is handled and
// returns the turn's error.
func (r *Runner) Handle(ctx context.Context, in bot.Incoming) error {
	done := make(chan error, 1)
	if err := r.enqueue(ctx, in, done); err != nil {
		return err
	}
	return <-done
}

func (r *Runner) enqueue(ctx context.Context, in bot.Incoming, done chan error) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return ErrClosed
	}
	if _, ok := r.adapters[in.Address.Platform]; !ok {
		return fmt.Errorf("handle message: no adapter for platform %q", in.Address.Platform)
	}
	r.pending.Add(1)
	j := job{ctx: ctx, in: in, done: done}
	if q, busy := r.queues[in.Address]; busy {
		r.queues[in.Address] = append(q, j)
		return nil
	}
	r.queues[in.Address] = nil
	go r.drain(j)
	return nil
}

// drain handles j, then the messages queued behind it in its
// conversation, until none is left.
func (r *Runner) drain(j job) {
	for {
		err := r.turn(j.ctx, j.in)
		if j.done != nil {
			j.done <- err
		} else if err != nil {
			r.log.Error("message not handled", "platform", j.in.Address.Platform, "err", err)
		}
		r.pending.Done()
		r.mu.Lock()
		q := r.queues[j.in.Address]
		if len(q) == 0 {
			delete(r.queues, j.in.Address)
			r.mu.Unlock()
			return
		}
		j, r.queues[j.in.Address] = q[0], q[1:]
		r.mu.Unlock()
	}
}

// turn processes in and sends the replies before returning.
func (r *Runner) turn(ctx context.Context, in bot.Incoming) error {
	if m, now := r.metered(); m != nil {
		m.Received(in.Address.Platform)
		start := now()
		defer func() { m.Turned(in.Address.Platform, now().Sub(start)) }()
	}
	r.mu.Lock()
	a := r.adapters[in.Address.Platform]
	r.mu.Unlock()
	// A turn in flight finishes even when shutdown starts: the state and
	// turns are stored together, and the citizen gets the reply.
	ctx = context.WithoutCancel(ctx)
	// One id per turn in every log line it causes (engine, store,
	// dispatcher), never the message's text.
	ctx = logctx.With(ctx, logctx.New())
	// The engine drops a message an earlier process already answered (a
	// catch-up after a restart delivers again what was posted around it)
	// and marks this one, in the turn's transaction.
	replies, err := r.resp.Respond(ctx, in)
	if err != nil {
		r.log.ErrorContext(ctx, "turn failed", "platform", in.Address.Platform, "err", err)
		sorry := r.resp.Sorry(in.Address)
		if qerr := r.out.box.Enqueue(ctx, []bot.Reply{sorry}); qerr != nil {
			// Storage is down: tell the citizen directly, best effort.
			if serr := a.Send(ctx, sorry); serr != nil {
				r.log.ErrorContext(ctx, "apology not sent", "platform", in.Address.Platform, "err", serr)
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

// Close refuses new messages and waits until every message enqueued
// before it is handled.
func (r *Runner) Close() {
	r.mu.Lock()
	r.closed = true
	r.mu.Unlock()
	r.pending.Wait()
}

// platformsOf lists the platforms replies go to (with the sender's, where
// an apology may wait).
func platformsOf(replies []bot.Reply) []string {
	var out []string
	for _, r := range replies {
		out = append(out, r.To.Platform)
	}
	return out
}
