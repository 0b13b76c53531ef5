package store_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/boussole/boussole/bot"
	"github.com/boussole/boussole/bot/store"
)

// BenchmarkCommit measures one engine step: the conversation upsert and
// two turns (the citizen's message and the bot's reply) in one transaction,
// spread over 100 conversations.
func BenchmarkCommit(b *testing.B) {
	ctx := context.Background()
	s := openAt(b, filepath.Join(b.TempDir(), "bench.db"), store.Options{})
	convs := make([]bot.Conversation, 100)
	for i := range convs {
		convs[i] = fullConversation(addr("discord", "c", fmt.Sprint("user", i)))
	}
	turns := []bot.Turn{
		{Text: "j'ai perdu ma carte d'identité, je fais comment ?"},
		{Text: "Quelle est votre situation ? 1. Première demande 2. Perte ou vol"},
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		c := convs[i%len(convs)]
		c.Seq = i
		if err := s.Commit(ctx, c, turns, nil); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkCommitParallel is Commit from many goroutines: writes are
// serialised on the single writer connection.
func BenchmarkCommitParallel(b *testing.B) {
	ctx := context.Background()
	s := openAt(b, filepath.Join(b.TempDir(), "bench.db"), store.Options{})
	turns := []bot.Turn{{Text: "bonjour"}, {Text: "Bonjour ! Que puis-je faire pour vous ?"}}
	var n atomic.Int64
	b.RunParallel(func(pb *testing.PB) {
		c := fullConversation(addr("discord", "c", fmt.Sprint("user", n.Add(1))))
		for pb.Next() {
			c.Seq++
			if err := s.Commit(ctx, c, turns, nil); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkConversation measures loading a conversation (reader pool).
func BenchmarkConversation(b *testing.B) {
	ctx := context.Background()
	s := openAt(b, filepath.Join(b.TempDir(), "bench.db"), store.Options{})
	a := addr("discord", "c", "u")
	if err := s.Commit(ctx, fullConversation(a), nil, nil); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Conversation(ctx, a); err != nil {
			b.Fatal(err)
		}
	}
}
