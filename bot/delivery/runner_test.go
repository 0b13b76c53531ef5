package delivery_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/boussole/boussole/bot"
	"github.com/boussole/boussole/bot/delivery"
	"github.com/boussole/boussole/bot/delivery/deliverytest"
)

// ordered is a Responder that records the messages of each conversation
// and notices two of one conversation handled at once.
type ordered struct {
	mu      sync.Mutex
	got     map[string][]string
	running map[string]int
	overlap bool
}

func (o *ordered) Respond(_ context.Context, in bot.Incoming) ([]bot.Reply, error) {
	u := in.Address.User
	o.mu.Lock()
	o.running[u]++
	o.overlap = o.overlap || o.running[u] > 1
	o.mu.Unlock()
	time.Sleep(time.Millisecond)
	o.mu.Lock()
	o.got[u] = append(o.got[u], in.Text)
	o.running[u]--
	o.mu.Unlock()
	if in.Text == "boom" {
		return nil, errors.New("boom")
	}
	return nil, nil
}

func (o *ordered) Sorry(a bot.Address) bot.Reply { return bot.Reply{To: a, Text: "désolé"} }

func newRunner(t *testing.T, resp delivery.Responder) *delivery.Runner {
	t.Helper()
	c := &clock{time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)}
	st := deliverytest.OpenStore(t, filepath.Join(t.TempDir(), "r.db"), c.now)
	r := delivery.NewRunner(resp, deliverytest.Dispatcher(t, st, c.now), nil)
	r.Register(&deliverytest.Platform{})
	return r
}

// The runner is the one place messages are put in order: messages of one
// conversation are handled one at a time, in the order they were
// enqueued, whether enqueued (a platform's event loop) or handed with
// Handle (the local chat); conversations run side by side, and Close
// waits for everything enqueued.
func TestRunnerKeepsEachConversationInOrder(t *testing.T) {
	o := &ordered{got: map[string][]string{}, running: map[string]int{}}
	r := newRunner(t, o)
	ctx := context.Background()
	var wg sync.WaitGroup
	for i := range 50 {
		for _, u := range []string{"a", "b", "c"} {
			in := bot.Incoming{Address: bot.Address{Platform: "test", User: u}, Text: fmt.Sprint(i)}
			if i%10 == 9 {
				// Handle waits its turn behind what was enqueued before.
				wg.Add(1)
				if err := r.Handle(ctx, in); err != nil {
					t.Fatal(err)
				}
				wg.Done()
				continue
			}
			r.Enqueue(ctx, in)
		}
	}
	wg.Wait()
	r.Close()
	if o.overlap {
		t.Fatal("two messages of one conversation ran at once")
	}
	for _, u := range []string{"a", "b", "c"} {
		if len(o.got[u]) != 50 {
			t.Fatalf("%s: %d messages handled, want 50", u, len(o.got[u]))
		}
		for i, text := range o.got[u] {
			if text != fmt.Sprint(i) {
				t.Fatalf("%s: message %d is %q", u, i, text)
			}
		}
	}
}

// Handle returns the turn's error; after Close nothing is taken.
func TestRunnerHandleReportsAndCloseRefuses(t *testing.T) {
	o := &ordered{got: map[string][]string{}, running: map[string]int{}}
	r := newRunner(t, o)
	ctx := context.Background()
	a := bot.Address{Platform: "test", User: "a"}
	if err := r.Handle(ctx, bot.Incoming{Address: a, Text: "boom"}); err == nil || err.Error() != "boom" {
		t.Fatalf("Handle = %v, want the turn's error", err)
	}
	if err := r.Handle(ctx, bot.Incoming{Address: bot.Address{Platform: "nowhere"}, Text: "x"}); err == nil {
		t.Fatal("a message of a platform without adapter was taken")
	}
	r.Close()
	if err := r.Handle(ctx, bot.Incoming{Address: a, Text: "late"}); !errors.Is(err, delivery.ErrClosed) {
		t.Fatalf("after Close: %v, want ErrClosed", err)
	}
}
