package bot

import (
	"context"
	"log/slog"
	"sync"
)

// Serial hands incoming messages to a Handler without blocking the
// platform's event loop (a platform callback never blocks: it enqueues),
// one at a time per conversation and in arrival order. Adapters share it.
type Serial struct {
	h        Handler
	platform string
	log      *slog.Logger

	mu     sync.Mutex
	queues map[Address][]Incoming
	wg     sync.WaitGroup
}

// NewSerial returns a Serial over h; platform names the adapter in logs.
func NewSerial(h Handler, platform string, log *slog.Logger) *Serial {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Serial{h: h, platform: platform, log: log, queues: map[Address][]Incoming{}}
}

// Enqueue queues in behind the messages of its conversation still being
// handled, and returns at once.
func (s *Serial) Enqueue(ctx context.Context, in Incoming) {
	s.mu.Lock()
	if q, busy := s.queues[in.Address]; busy {
		s.queues[in.Address] = append(q, in)
		s.mu.Unlock()
		return
	}
	s.queues[in.Address] = nil
	s.wg.Add(1)
	s.mu.Unlock()
	go func() {
		defer s.wg.Done()
		for {
			if err := s.h.Handle(ctx, in); err != nil {
				s.log.Error("message not handled", "platform", s.platform, "channel", in.Address.Channel, "err", err)
			}
			s.mu.Lock()
			q := s.queues[in.Address]
			if len(q) == 0 {
				delete(s.queues, in.Address)
				s.mu.Unlock()
				return
			}
			in, s.queues[in.Address] = q[0], q[1:]
			s.mu.Unlock()
		}
	}()
}

// Wait returns when every queued message has been handled.
func (s *Serial) Wait() { s.wg.Wait() }
