package app

import (
	"context"
	"os"
	"testing"

	"github.com/boussole/boussole/bot/store"
	"github.com/boussole/boussole/knowledge"
)

// BenchmarkPublishTree measures a publication from the web on the
// database BOUSSOLE_BENCH_DB (e.g. the whole imported catalogue): the
// version written, the knowledge recomposed, validated and re-indexed.
func BenchmarkPublishTree(b *testing.B) {
	db := os.Getenv("BOUSSOLE_BENCH_DB")
	if db == "" {
		b.Skip("BOUSSOLE_BENCH_DB names a database copy to publish into")
	}
	c, err := OpenCore(context.Background(), CoreConfig{Database: db}, nil, testClock)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	tr, _ := c.Library.Base().Tree("papiers-identite")
	b.ResetTimer()
	for i := range b.N {
		cp := *tr
		cp.Title = tr.Title + string(rune('a'+i%26))
		if _, err := c.Library.PublishTree(context.Background(), &cp, store.Publication{Author: "bench"}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkValidateDraft measures what an admin's auto-save costs on the
// database BOUSSOLE_BENCH_DB: the whole knowledge validated with one
// tree replaced.
func BenchmarkValidateDraft(b *testing.B) {
	db := os.Getenv("BOUSSOLE_BENCH_DB")
	if db == "" {
		b.Skip("BOUSSOLE_BENCH_DB names a database copy")
	}
	c, err := OpenCore(context.Background(), CoreConfig{Database: db}, nil, testClock)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	base := c.Library.Base()
	tr, _ := base.Tree("papiers-identite")
	b.ResetTimer()
	for range b.N {
		if probs := knowledge.Validate(base.WithTree(tr)); len(probs) > 0 {
			b.Fatal(probs)
		}
	}
}
