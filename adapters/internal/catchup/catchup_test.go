package catchup_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/boussole/boussole/adapters/internal/catchup"
	"github.com/boussole/boussole/bot/store"
)

func TestCatchUpFrom(t *testing.T) {
	now := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	ms := func(d time.Duration) int64 { return now.Add(d).UnixMilli() }
	for _, tc := range []struct {
		seen, first, want int64
	}{
		{ms(-time.Hour), 0, ms(-time.Hour - catchup.CatchUpMargin)},                  // the margin before the saved moment
		{ms(-72 * time.Hour), 0, ms(-catchup.MaxCatchUp)},                            // at most a day back
		{ms(time.Hour), 0, ms(0)},                                                    // a clock gone back: not after now
		{ms(-time.Hour), ms(-time.Hour - time.Minute), ms(-time.Hour - time.Minute)}, // not before the first run
	} {
		if got := catchup.CatchUpFrom(tc.seen, tc.first, now); got != tc.want {
			t.Errorf("CatchUpFrom(%d, %d) = %d, want %d", tc.seen, tc.first, got, tc.want)
		}
	}
}

func TestFirstRunIsRecordedOnceAndUnboundedForOlderStores(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "b.db"), store.Options{Clock: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	first, err := catchup.FirstRun(ctx, st, "x.first", false, now)
	if err != nil || first != now.UnixMilli() {
		t.Fatalf("first run = %d, %v; want now", first, err)
	}
	if again, _ := catchup.FirstRun(ctx, st, "x.first", true, now.Add(time.Hour)); again != first {
		t.Errorf("second run = %d, want the first run's moment %d", again, first)
	}
	// A store saved by a version that did not record its first run.
	if got, _ := catchup.FirstRun(ctx, st, "y.first", true, now); got != 0 {
		t.Errorf("older store: %d, want 0 (no bound)", got)
	}
	if v, _, _ := st.AdapterState(ctx, "y.first"); v != "0" {
		t.Errorf("older store: saved %q, want 0", v)
	}
}
