package engine_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/boussole/boussole/bot"
	"github.com/boussole/boussole/bot/catalog"
	"github.com/boussole/boussole/bot/delivery/deliverytest"
	"github.com/boussole/boussole/bot/engine"
	"github.com/boussole/boussole/bot/mediation"
	"github.com/boussole/boussole/bot/store"
	"github.com/boussole/boussole/knowledge/search"
)

// counter is a platform that counts deliveries per recipient.
type counter struct {
	mu  sync.Mutex
	got map[bot.Address]int
	n   atomic.Int64
}

func (c *counter) Name() string                                 { return "bench" }
func (c *counter) Run(ctx context.Context, _ bot.Handler) error { <-ctx.Done(); return nil }
func (c *counter) Send(_ context.Context, r bot.Reply) error {
	c.mu.Lock()
	c.got[r.To]++
	c.mu.Unlock()
	c.n.Add(1)
	return nil
}

// BenchmarkRelay measures the mediator relay: 1,000 conversations
// escalated and claimed by 20 mediators, then b.N messages relayed
// concurrently, half citizen → mediator, half mediator → citizen, through
// the engine, the SQLite store, the outbox and the dispatcher. It checks
// every message arrived exactly once and reports relayed messages/s and
// the p99 latency from message in to delivery queued. Each message is
// marked in the handled-message memory, as serve's runner does.
func BenchmarkRelay(b *testing.B) {
	const convs, mediators = 1000, 20
	ctx := context.Background()
	base := fixture(b, treeYAML)
	st, err := store.Open(ctx, filepath.Join(b.TempDir(), "relay.db"), store.Options{Clock: fixedNow})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	cat, _ := catalog.New()
	names := make([]string, mediators)
	for i := range names {
		names[i] = fmt.Sprintf("med%02d", i)
	}
	med := mediation.Config{Mediators: map[string][]string{"bench": names}, SkipConsent: true,
		Queues: map[string]mediation.Queue{mediation.DefaultQueue: {Channel: bot.Address{Platform: "bench", Channel: "mediateurs"}}}}
	eng, err := engine.New(ctx, engine.Config{Mediation: med}, engine.Deps{Store: st, Catalog: cat, Knowledge: base, Searcher: search.New(base, search.Options{}), Danger: mustDanger(b), Now: fixedNow})
	if err != nil {
		b.Fatal(err)
	}
	plat := &counter{got: map[bot.Address]int{}}
	out := deliverytest.Dispatcher(b, st, fixedNow)
	out.Register(plat)

	citizens := make([]bot.Address, convs)
	mediatorOf := make([]bot.Address, convs)
	for i := range citizens {
		citizens[i] = bot.Address{Platform: "bench", Channel: "dm", User: fmt.Sprintf("c%04d", i)}
		if _, err := eng.Respond(ctx, bot.Incoming{Address: citizens[i], Text: "humain"}); err != nil {
			b.Fatal(err)
		}
		m := bot.Address{Platform: "bench", Channel: "dm", User: names[i%mediators]}
		mediatorOf[i] = m
		if _, err := eng.Respond(ctx, bot.Incoming{Address: m, Text: fmt.Sprintf("prendre %d", i+1), Name: m.User}); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := out.Flush(ctx); err != nil {
		b.Fatal(err)
	}
	plat.mu.Lock()
	clear(plat.got)
	plat.mu.Unlock()
	plat.n.Store(0)

	// Each mediator holds the case of their last claim; relay from the
	// citizens of those cases and from the mediators. Mediator messages go
	// to their current case, so one mediator's messages are serialised
	// like the runner does per conversation.
	held := make([]int, mediators) // conversation index held by each mediator
	for i := range citizens {
		held[i%mediators] = i
	}
	var senders []bot.Address
	var targets []bot.Address
	for m := 0; m < mediators; m++ {
		senders = append(senders, mediatorOf[held[m]])
		targets = append(targets, citizens[held[m]])
		senders = append(senders, citizens[held[m]])
		targets = append(targets, mediatorOf[held[m]])
	}
	// The other citizens (waiting on cases claimed by a mediator busy
	// elsewhere) talk to their mediator too: their messages are relayed.
	for i := range citizens {
		if held[i%mediators] != i {
			senders = append(senders, citizens[i])
			targets = append(targets, mediatorOf[i])
		}
	}

	dctx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { out.Run(dctx); close(done) }()

	var next atomic.Int64
	lat := make([][]time.Duration, len(senders))
	b.ResetTimer()
	var wg sync.WaitGroup
	for s := range senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				n := next.Add(1)
				if n > int64(b.N) {
					return
				}
				t0 := time.Now()
				// As the runner does in serve: a handled message is
				// remembered (live messages are not looked up there).
				id := fmt.Sprintf("m%d", n)
				if _, err := eng.Respond(ctx, bot.Incoming{Address: senders[s], Text: fmt.Sprintf("message %d", n), Name: senders[s].User, ID: id}); err != nil {
					b.Error(err)
					return
				}
				if err := st.MarkHandled(ctx, "bench", id); err != nil {
					b.Error(err)
					return
				}
				lat[s] = append(lat[s], time.Since(t0))
				out.Wake()
			}
		}()
	}
	wg.Wait()
	for plat.n.Load() < int64(b.N) {
		out.Wake()
		time.Sleep(time.Millisecond)
	}
	b.StopTimer()
	stop()
	<-done

	// Count at both ends: every message sent arrived once, to its target.
	sent := map[bot.Address]int{}
	var all []time.Duration
	for s := range senders {
		sent[targets[s]] += len(lat[s])
		all = append(all, lat[s]...)
	}
	plat.mu.Lock()
	for a, n := range sent {
		if plat.got[a] != n {
			b.Fatalf("%v: sent %d, delivered %d", a, n, plat.got[a])
		}
	}
	if got := plat.n.Load(); got != int64(b.N) {
		b.Fatalf("delivered %d of %d", got, b.N)
	}
	plat.mu.Unlock()
	slices.Sort(all)
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "relayed/s")
	b.ReportMetric(float64(all[len(all)*99/100].Microseconds()), "p99-µs")
}
