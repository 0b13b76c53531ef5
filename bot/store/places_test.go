package store

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/boussole/boussole/knowledge"
)

func place(id, name string) *knowledge.Place {
	return &knowledge.Place{ID: id, Source: "dora", Name: name, Commune: "Gap", PostalCode: "05000", Jurisdiction: "FR",
		Lat: 44.56, Lon: 6.08, Services: []string{knowledge.ServiceDemarches}, Labels: []string{knowledge.LabelFranceServices}}
}

func placesOf(prefix string, n int) []*knowledge.Place {
	var out []*knowledge.Place
	for i := 1; i <= n; i++ {
		out = append(out, place(fmt.Sprintf("%s%d", prefix, i), fmt.Sprintf("Lieu %s%d", prefix, i)))
	}
	return out
}

// openPlaces opens a new database whose clock moves a minute at each
// reading, so that a row written again shows it.
func openPlaces(t *testing.T) *Store {
	t.Helper()
	var tick atomic.Int64
	clock := func() time.Time { return fixedClock().Add(time.Duration(tick.Add(1)) * time.Minute) }
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "b.db"), Options{Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// placeRows returns every row of the places table, retired ones too, with
// their dates: what an import that changes nothing leaves as it was.
func placeRows(t *testing.T, s *Store) string {
	t.Helper()
	rows, err := s.rdb.Query(`SELECT id, source, hash, imported_at, updated_at, coalesce(retired_at, 0) FROM places ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var id, source, hash string
		var imp, upd, ret int64
		if err := rows.Scan(&id, &source, &hash, &imp, &upd, &ret); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "%s %s %s %d %d %d\n", id, source, hash, imp, upd, ret)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func servedPlaces(t *testing.T, s *Store) map[string]string {
	t.Helper()
	ps, err := s.Places(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, p := range ps {
		out[p.ID] = p.Name
	}
	return out
}

type placeTally struct{ Imported, Updated, Unchanged, Retired, Kept, Moved, Before, After int }

func ptally(st PlaceImportStats) placeTally {
	return placeTally{st.Imported, st.Updated, st.Unchanged, st.Retired, st.Kept, st.Moved, st.Before, st.After}
}

func TestImportPlacesIsIdempotentAndRetires(t *testing.T) {
	ctx := context.Background()
	s := openPlaces(t)
	all := PlaceImportOptions{MaxRetire: 1}
	st, err := s.ImportPlaces(ctx, "paca", placesOf("p", 3), all)
	if err != nil || ptally(st) != (placeTally{Imported: 3, After: 3}) || st.Source != "paca" {
		t.Fatalf("first import: %+v %v", st, err)
	}
	before := placeRows(t, s)
	// The same places again: nothing is written.
	st, err = s.ImportPlaces(ctx, "paca", placesOf("p", 3), all)
	if err != nil || ptally(st) != (placeTally{Unchanged: 3, Before: 3, After: 3}) {
		t.Fatalf("re-import: %+v %v", st, err)
	}
	if after := placeRows(t, s); after != before {
		t.Fatalf("an unchanged import wrote:\n%s\nwas\n%s", after, before)
	}
	// p2 changed, p3 gone, p4 new.
	next := []*knowledge.Place{place("p1", "Lieu p1"), place("p2", "Lieu p2 déménagé"), place("p4", "Lieu p4")}
	st, err = s.ImportPlaces(ctx, "paca", next, all)
	if err != nil || ptally(st) != (placeTally{Imported: 1, Updated: 1, Unchanged: 1, Retired: 1, Before: 3, After: 3}) {
		t.Fatalf("changed import: %+v %v", st, err)
	}
	served := servedPlaces(t, s)
	if len(served) != 3 || served["p2"] != "Lieu p2 déménagé" || served["p3"] != "" || served["p4"] != "Lieu p4" {
		t.Fatalf("served: %v", served)
	}
	// p3 comes back: updated, served again.
	st, err = s.ImportPlaces(ctx, "paca", append(next, place("p3", "Lieu p3")), all)
	if err != nil || ptally(st) != (placeTally{Updated: 1, Unchanged: 3, Before: 3, After: 4}) {
		t.Fatalf("p3 back: %+v %v", st, err)
	}
	// The places read back are those imported, in id order.
	ps, err := s.Places(ctx)
	if err != nil || len(ps) != 4 || ps[0].ID != "p1" || ps[0].Lat != 44.56 || ps[0].Services[0] != knowledge.ServiceDemarches || ps[3].ID != "p4" {
		t.Fatalf("Places: %v %v", ps, err)
	}
}

// Retiring is per source: importing one source never retires another's.
func TestImportPlacesRetiresPerSource(t *testing.T) {
	ctx := context.Background()
	s := openPlaces(t)
	all := PlaceImportOptions{MaxRetire: 1}
	if _, err := s.ImportPlaces(ctx, "a", placesOf("a", 3), all); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ImportPlaces(ctx, "b", placesOf("b", 2), all); err != nil {
		t.Fatal(err)
	}
	st, err := s.ImportPlaces(ctx, "a", placesOf("a", 2), all)
	if err != nil || ptally(st) != (placeTally{Unchanged: 2, Retired: 1, Before: 3, After: 2}) {
		t.Fatalf("a without a3: %+v %v", st, err)
	}
	served := servedPlaces(t, s)
	if len(served) != 4 || served["a3"] != "" || served["b1"] == "" || served["b2"] == "" {
		t.Fatalf("served: %v", served)
	}
	// An empty import of b retires all of b's places, and only them.
	st, err = s.ImportPlaces(ctx, "b", nil, all)
	if err != nil || ptally(st) != (placeTally{Retired: 2, Before: 2}) {
		t.Fatalf("empty b: %+v %v", st, err)
	}
	if served := servedPlaces(t, s); len(served) != 2 || served["a1"] == "" || served["a2"] == "" {
		t.Fatalf("served: %v", served)
	}
}

// A place another source delivered moves to the source importing it now;
// the first source's later imports no longer retire it.
func TestImportPlacesMovesBetweenSources(t *testing.T) {
	ctx := context.Background()
	s := openPlaces(t)
	all := PlaceImportOptions{MaxRetire: 1}
	if _, err := s.ImportPlaces(ctx, "region", placesOf("p", 3), all); err != nil {
		t.Fatal(err)
	}
	national := append(placesOf("p", 1), place("p2", "Lieu p2 renommé"), place("n1", "Lieu n1"))
	st, err := s.ImportPlaces(ctx, "national", national, all)
	if err != nil || ptally(st) != (placeTally{Imported: 1, Updated: 1, Unchanged: 1, Moved: 2, After: 3}) {
		t.Fatalf("national: %+v %v", st, err)
	}
	st, err = s.ImportPlaces(ctx, "region", placesOf("p", 3)[2:], all)
	if err != nil || ptally(st) != (placeTally{Unchanged: 1, Before: 1, After: 1}) {
		t.Fatalf("region again without p1, p2: %+v %v", st, err)
	}
	if served := servedPlaces(t, s); len(served) != 4 || served["p2"] != "Lieu p2 renommé" {
		t.Fatalf("served: %v", served)
	}
}

// Retiring more than MaxRetire of a source fails and changes nothing.
func TestImportPlacesMaxRetire(t *testing.T) {
	ctx := context.Background()
	s := openPlaces(t)
	twenty := placesOf("p", 20)
	if _, err := s.ImportPlaces(ctx, "paca", twenty, PlaceImportOptions{MaxRetire: 0.1}); err != nil {
		t.Fatal(err)
	}
	before := placeRows(t, s)
	changed := append(twenty[:14:14], place("p15", "Lieu p15 changé"))
	_, err := s.ImportPlaces(ctx, "paca", changed, PlaceImportOptions{MaxRetire: 0.1})
	var re *RetireError
	if !errors.As(err, &re) || err.Error() != "would retire 5 of the 20 places of source paca (25 %), more than 10 %" {
		t.Fatalf("err = %v", err)
	}
	if after := placeRows(t, s); after != before {
		t.Fatalf("a refused import changed the database:\n%s\nwas\n%s", after, before)
	}
	st, err := s.ImportPlaces(ctx, "paca", twenty[:18], PlaceImportOptions{MaxRetire: 0.1})
	if err != nil || st.Retired != 2 {
		t.Fatalf("2 of 20: %+v %v", st, err)
	}
}

// Places whose rows were malformed keep their version; rows without id
// keep the whole source from retiring anything.
func TestImportPlacesKeepAndPartial(t *testing.T) {
	ctx := context.Background()
	s := openPlaces(t)
	if _, err := s.ImportPlaces(ctx, "paca", placesOf("p", 10), PlaceImportOptions{}); err != nil {
		t.Fatal(err)
	}
	st, err := s.ImportPlaces(ctx, "paca", placesOf("p", 8), PlaceImportOptions{Keep: []string{"p9", "p10", "other"}})
	if err != nil || ptally(st) != (placeTally{Unchanged: 8, Kept: 2, Before: 10, After: 10}) {
		t.Fatalf("keep: %+v %v", st, err)
	}
	st, err = s.ImportPlaces(ctx, "paca", placesOf("p", 5), PlaceImportOptions{Partial: true})
	if err != nil || ptally(st) != (placeTally{Unchanged: 5, Before: 10, After: 10}) || !st.Partial {
		t.Fatalf("partial: %+v %v", st, err)
	}
	if served := servedPlaces(t, s); len(served) != 10 {
		t.Fatalf("served: %v", served)
	}
}

// Under InTx the imports of several sources commit together or not at
// all.
func TestImportPlacesOfSeveralSourcesInOneTransaction(t *testing.T) {
	ctx := context.Background()
	s := openPlaces(t)
	if _, err := s.ImportPlaces(ctx, "b", placesOf("b", 10), PlaceImportOptions{}); err != nil {
		t.Fatal(err)
	}
	before := placeRows(t, s)
	err := s.InTx(ctx, func(ctx context.Context) error {
		if _, err := s.ImportPlaces(ctx, "a", placesOf("a", 5), PlaceImportOptions{}); err != nil {
			return err
		}
		_, err := s.ImportPlaces(ctx, "b", placesOf("b", 2), PlaceImportOptions{MaxRetire: 0.1})
		return err
	})
	var re *RetireError
	if !errors.As(err, &re) {
		t.Fatalf("err = %v", err)
	}
	if after := placeRows(t, s); after != before {
		t.Fatalf("a failed import changed the database:\n%s\nwas\n%s", after, before)
	}
}

func TestImportPlacesErrors(t *testing.T) {
	ctx := context.Background()
	s := openPlaces(t)
	for name, tc := range map[string]struct {
		source string
		ps     []*knowledge.Place
		want   string
	}{
		"bad source": {"a:b", placesOf("p", 1), `invalid source name "a:b"`},
		"no source":  {"", placesOf("p", 1), `invalid source name ""`},
		"no id":      {"a", []*knowledge.Place{{Name: "x"}}, "place without id"},
		"nil":        {"a", []*knowledge.Place{nil}, "place without id"},
		"duplicate":  {"a", append(placesOf("p", 2), place("p1", "encore")), "duplicate id p1"},
	} {
		if _, err := s.ImportPlaces(ctx, tc.source, tc.ps, PlaceImportOptions{}); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", name, err, tc.want)
		}
	}
	if rows := placeRows(t, s); rows != "" {
		t.Errorf("rows written: %s", rows)
	}
}
