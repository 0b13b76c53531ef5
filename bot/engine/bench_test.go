package engine_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/boussole/boussole/bot"
	"github.com/boussole/boussole/bot/catalog"
	"github.com/boussole/boussole/bot/engine"
	"github.com/boussole/boussole/bot/store"
	"github.com/boussole/boussole/knowledge"
	"github.com/boussole/boussole/knowledge/demo"
	"github.com/boussole/boussole/knowledge/search"
)

// BenchmarkTurn measures one full turn through the engine with the SQLite
// store on the demo knowledge: a free-text question, searched, answered,
// and the state and turns stored. It reports turns/s and the p99 latency.
func BenchmarkTurn(b *testing.B) {
	base, err := knowledge.Load(demo.FS())
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(b.TempDir(), "bench.db"), store.Options{Clock: fixedNow})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	cat, err := catalog.New()
	if err != nil {
		b.Fatal(err)
	}
	eng, err := engine.New(ctx, engine.Config{}, engine.Deps{Store: st, Catalog: cat, Knowledge: base, Searcher: search.New(base, search.Options{}), Danger: mustDanger(b), Now: fixedNow})
	if err != nil {
		b.Fatal(err)
	}
	questions := []string{"carte d'identité perdue", "apl etudiant", "prime d'activité", "inscription france travail", "carte vitale"}
	durs := make([]time.Duration, 0, b.N)
	i := 0
	b.ReportAllocs()
	for b.Loop() {
		// A new conversation every 50 turns keeps the turns table growing
		// as in real use without one conversation's history dominating.
		a := bot.Address{Platform: "bench", Channel: "dm", User: fmt.Sprint(i / 50)}
		start := time.Now()
		if _, err := eng.Respond(ctx, bot.Incoming{Address: a, Text: questions[i%len(questions)]}); err != nil {
			b.Fatal(err)
		}
		durs = append(durs, time.Since(start))
		i++
	}
	slices.Sort(durs)
	if len(durs) > 0 {
		b.ReportMetric(float64(durs[len(durs)*99/100].Microseconds()), "p99-µs")
		b.ReportMetric(float64(len(durs))/b.Elapsed().Seconds(), "turns/s")
	}
}
