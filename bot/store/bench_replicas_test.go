package store_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/boussole/boussole/bot"
	"github.com/boussole/boussole/bot/store"
	"github.com/boussole/boussole/bot/store/pgtest"
)

// The cost of a turn's storage on both databases, at 10× a town's load
// (DESIGN §8: 1,000 concurrent conversations): what one turn writes in
// its transaction (the handled-message claim, the conversation read under
// its lock, the conversation, two turns and a reply queued), from many
// goroutines, and the outbox claim that sends the replies.
//
//	go test ./bot/store -run XXX -bench 'Turn|Claim' -benchtime 2000x
//
// PostgreSQL needs BOUSSOLE_TEST_POSTGRES (see bot/store/pgtest).

// benchStores opens each database for b: SQLite on a temporary file and,
// when a test server is given, PostgreSQL on a schema of its own.
func benchStores(b *testing.B, fn func(b *testing.B, open func() *store.Store)) {
	b.Run("sqlite", func(b *testing.B) {
		path := filepath.Join(b.TempDir(), "bench.db")
		fn(b, func() *store.Store { return openAt(b, path, store.Options{}) })
	})
	b.Run("postgres", func(b *testing.B) {
		dsn := pgtest.DSN(b)
		fn(b, func() *store.Store { return openPGAt(b, dsn, time.Now) })
	})
}

// BenchmarkTurn is one turn's transaction over 1,000 conversations from
// as many goroutines as GOMAXPROCS×8 (the runner's concurrency), on one
// handle and on three (three replicas).
func BenchmarkTurn(b *testing.B) {
	benchStores(b, func(b *testing.B, open func() *store.Store) {
		for _, replicas := range []int{1, 3} {
			b.Run(fmt.Sprintf("replicas=%d", replicas), func(b *testing.B) {
				hs := make([]*store.Store, replicas)
				for i := range hs {
					hs[i] = open()
				}
				ctx := context.Background()
				var n, msg atomic.Int64
				b.SetParallelism(8)
				b.ReportAllocs()
				b.RunParallel(func(pb *testing.PB) {
					i := n.Add(1)
					s := hs[int(i)%len(hs)]
					for pb.Next() {
						m := msg.Add(1)
						a := addr("discord", "dm", fmt.Sprint("user", m%1000))
						err := s.InTx(ctx, func(ctx context.Context) error {
							// b.N differs between the benchmark's rounds on one
							// database: message ids never repeat.
							if ok, err := s.ClaimHandled(ctx, "discord", fmt.Sprint(replicas, "-", b.N, "-", m)); err != nil || !ok {
								return fmt.Errorf("message %d not claimed (%v, %v)", m, ok, err)
							}
							c, err := s.Conversation(ctx, a)
							if err != nil {
								c = fullConversation(a)
							}
							c.Seq++
							return s.Commit(ctx, c, []bot.Turn{{Text: "j'ai perdu ma carte d'identité"}},
								[]bot.Reply{{To: a, Text: "Quelle est votre situation ?"}})
						})
						if err != nil {
							b.Error(err)
							return
						}
					}
				})
			})
		}
	})
}

// BenchmarkClaimOutgoing is a dispatcher's loop (claim 32, mark each
// sent: one op is 32 messages) over 10,000 pending messages to 1,000
// destinations.
func BenchmarkClaimOutgoing(b *testing.B) {
	benchStores(b, func(b *testing.B, open func() *store.Store) {
		s := open()
		ctx := context.Background()
		var out []bot.Reply
		for i := range 10_000 {
			out = append(out, bot.Reply{To: addr("discord", "dm", fmt.Sprint("user", i%1000)), Text: "Bonjour"})
		}
		if err := s.Enqueue(ctx, out); err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			ms, err := s.ClaimOutgoing(ctx, "bench", []string{"discord"}, time.Now().Add(time.Minute), 32, nil)
			if err != nil {
				b.Fatal(err)
			}
			if len(ms) == 0 {
				if err := s.Enqueue(ctx, out); err != nil {
					b.Fatal(err)
				}
				continue
			}
			for _, m := range ms {
				if err := s.MarkSent(ctx, m.ID, time.Now()); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}
