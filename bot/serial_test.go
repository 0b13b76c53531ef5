package bot_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/boussole/boussole/bot"
)

// TestSerialKeepsEachConversationInOrder: messages of one conversation are
// handled one at a time in arrival order; conversations run side by side.
func TestSerialKeepsEachConversationInOrder(t *testing.T) {
	var (
		mu      sync.Mutex
		got     = map[string][]string{}
		running = map[string]int{}
		overlap bool
	)
	h := bot.HandlerFunc(func(_ context.Context, in bot.Incoming) error {
		u := in.Address.User
		mu.Lock()
		running[u]++
		overlap = overlap || running[u] > 1
		mu.Unlock()
		time.Sleep(time.Millisecond)
		mu.Lock()
		got[u] = append(got[u], in.Text)
		running[u]--
		mu.Unlock()
		return nil
	})
	s := bot.NewSerial(h, "test", nil)
	for i := range 50 {
		for _, u := range []string{"a", "b", "c"} {
			s.Enqueue(context.Background(), bot.Incoming{Address: bot.Address{Platform: "t", User: u}, Text: fmt.Sprint(i)})
		}
	}
	s.Wait()
	if overlap {
		t.Fatal("two messages of one conversation ran at once")
	}
	for _, u := range []string{"a", "b", "c"} {
		for i, text := range got[u] {
			if text != fmt.Sprint(i) {
				t.Fatalf("%s: message %d is %q", u, i, text)
			}
		}
		if len(got[u]) != 50 {
			t.Fatalf("%s: %d messages handled", u, len(got[u]))
		}
	}
}
