package places

import (
	"bytes"
	"compress/gzip"
	"encoding/csv"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/boussole/boussole/knowledge"
)

// BenchmarkNearest measures lookups at ten times today's scale (DESIGN
// §8: 100,000 places) and on the real PACA export, for the filters trees
// use. Besides ns/op it reports p99-ns: the 99th percentile of the
// lookups' durations, which the design bounds at a millisecond.
func BenchmarkNearest(b *testing.B) {
	r := rand.New(rand.NewPCG(2026, 19))
	national, queries := nationalPlaces(b, r, 100_000)
	rare := knowledge.Filter{Labels: []string{knowledge.LabelAidantsConnect}}
	b.Run("national-100k", func(b *testing.B) {
		x := NewIndex(national)
		benchFilters(b, x, queries, knowledge.Filter{Services: []string{knowledge.ServiceDemarches}}, rare)
		// A Québec office asked for from France: the search crosses the
		// Atlantic through regions that have none.
		b.Run("quebec-label-from-france", func(b *testing.B) {
			benchQueries(b, x, queries, knowledge.Filter{Labels: []string{knowledge.LabelServicesQuebec}}, 0)
		})
	})
	b.Run("paca", func(b *testing.B) {
		ps := pacaPlaces(b)
		x := NewIndex(ps)
		// Queries near real places, as people ask from where they live.
		var qs [][2]float64
		for len(qs) < 1024 {
			p := ps[r.IntN(len(ps))]
			if p.Lat != 0 || p.Lon != 0 {
				qs = append(qs, [2]float64{p.Lat + r.NormFloat64()*0.05, p.Lon + r.NormFloat64()*0.05})
			}
		}
		// Santé is the PACA export's rare service: 8 places in 792.
		benchFilters(b, x, qs, knowledge.Filter{Services: []string{knowledge.ServiceDemarches}},
			knowledge.Filter{Services: []string{knowledge.ServiceSante}})
	})
}

func benchFilters(b *testing.B, x *Index, qs [][2]float64, service, rare knowledge.Filter) {
	for _, c := range []struct {
		name string
		f    knowledge.Filter
		skip int
	}{
		{"all", knowledge.Filter{}, 0},
		{"service", service, 0},
		{"rare", rare, 0},
		{"skip3", service, 3},
	} {
		b.Run(c.name, func(b *testing.B) { benchQueries(b, x, qs, c.f, c.skip) })
	}
}

func benchQueries(b *testing.B, x *Index, qs [][2]float64, f knowledge.Filter, skip int) {
	durs := make([]time.Duration, 0, 1<<16)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		q := qs[i%len(qs)]
		start := time.Now()
		got := x.Nearest(q[0], q[1], f, skip, 3)
		if len(durs) < cap(durs) {
			durs = append(durs, time.Since(start))
		}
		if len(got) == 0 {
			b.Fatal("no place found")
		}
	}
	slices.Sort(durs)
	b.ReportMetric(float64(durs[len(durs)*99/100]), "p99-ns")
}

// nationalPlaces generates n places spread like the population: around
// French communes (weighted by population), Québec municipalities and the
// overseas départements' main towns, with queries drawn the same way.
// Services and labels follow the PACA export's proportions, plus a rare
// label (aidants-connect, 2 %) and Services Québec offices in Québec.
func nationalPlaces(tb testing.TB, r *rand.Rand, n int) ([]*knowledge.Place, [][2]float64) {
	type town struct {
		lat, lon float64
		weight   float64
		qc       bool
	}
	var towns []town
	for _, t := range readTowns(tb, "geodata/communes-fr.csv.gz", "population") {
		towns = append(towns, town{t[0], t[1], t[2], false})
	}
	// Overseas communes have no coordinates in the gazetteer: their main
	// towns, with the population of their département.
	for _, t := range [][3]float64{
		{-20.882, 55.451, 870_000}, {16.241, -61.533, 380_000}, {14.605, -61.073, 350_000},
		{4.938, -52.335, 290_000}, {-12.781, 45.228, 300_000},
	} {
		towns = append(towns, town{t[0], t[1], t[2], false})
	}
	// Québec: 8.9 million people over its municipalities, evenly.
	qc := readTowns(tb, "geodata/municipalites-qc.csv.gz", "")
	for _, t := range qc {
		towns = append(towns, town{t[0], t[1], 8.9e6 / float64(len(qc)), true})
	}
	cum := make([]float64, len(towns))
	total := 0.0
	for i, t := range towns {
		total += t.weight
		cum[i] = total
	}
	draw := func() (lat, lon float64, qc bool) {
		i, _ := slices.BinarySearch(cum, r.Float64()*total)
		t := towns[min(i, len(towns)-1)]
		// A few kilometres around the town's centre.
		return t.lat + r.NormFloat64()*0.03, t.lon + r.NormFloat64()*0.04, t.qc
	}
	// Proportions of the PACA export (places offering each service).
	shares := []float64{0.27, 0.6, 0.2, 0.01, 0.33, 0.57, 0.02, 0.08, 0.07, 0.01}
	ps := make([]*knowledge.Place, n)
	for i := range ps {
		lat, lon, inQC := draw()
		p := &knowledge.Place{ID: fmt.Sprintf("gen-%06d", i), Lat: lat, Lon: lon}
		for j, s := range knowledge.Services {
			if r.Float64() < shares[j] {
				p.Services = append(p.Services, s)
			}
		}
		switch v := r.Float64(); {
		case inQC && v < 0.05:
			p.Labels = append(p.Labels, knowledge.LabelServicesQuebec)
		case inQC:
		case v < 0.35:
			p.Labels = append(p.Labels, knowledge.LabelFranceServices)
		case v < 0.85:
			p.Labels = append(p.Labels, knowledge.LabelConseillerNumerique)
		}
		if r.Float64() < 0.02 {
			p.Labels = append(p.Labels, knowledge.LabelAidantsConnect)
		}
		ps[i] = p
	}
	qs := make([][2]float64, 4096)
	for i := range qs {
		for {
			lat, lon, inQC := draw()
			if !inQC { // the Québec-label query asks from France
				qs[i] = [2]float64{lat, lon}
				break
			}
		}
	}
	return ps, qs
}

// readTowns reads the latitude, longitude and the weight column (1 when
// weight is "") of a gazetteer file's rows that have coordinates.
func readTowns(tb testing.TB, name, weight string) [][3]float64 {
	tb.Helper()
	raw, err := os.ReadFile(name)
	if err != nil {
		tb.Fatal(err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		tb.Fatal(err)
	}
	rows, err := csv.NewReader(zr).ReadAll()
	if err != nil || len(rows) == 0 {
		tb.Fatalf("%s: %v", name, err)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	var out [][3]float64
	for _, row := range rows[1:] {
		lat, err1 := strconv.ParseFloat(row[col["latitude"]], 64)
		lon, err2 := strconv.ParseFloat(row[col["longitude"]], 64)
		if err1 != nil || err2 != nil {
			continue
		}
		w := 1.0
		if weight != "" {
			if w, err = strconv.ParseFloat(row[col[weight]], 64); err != nil || w <= 0 || math.IsNaN(w) {
				continue
			}
		}
		out = append(out, [3]float64{lat, lon, w})
	}
	if len(out) == 0 {
		tb.Fatalf("%s: no rows with coordinates", name)
	}
	return out
}

// TestNationalSetMatchesBruteForce checks the index on the benchmark's
// own data, with its clusters and rare labels.
func TestNationalSetMatchesBruteForce(t *testing.T) {
	r := rand.New(rand.NewPCG(2026, 19))
	ps, qs := nationalPlaces(t, r, 20_000)
	x := NewIndex(ps)
	for i, q := range qs[:50] {
		for _, f := range []knowledge.Filter{
			{}, {Labels: []string{knowledge.LabelAidantsConnect}}, {Labels: []string{knowledge.LabelServicesQuebec}},
			{Services: []string{knowledge.ServiceSante}, Labels: []string{knowledge.LabelFranceServices}},
		} {
			got := x.Nearest(q[0], q[1], f, i%4, 3)
			if want := bruteNearest(ps, q[0], q[1], f, i%4, 3); !sameNear(got, want) {
				t.Fatalf("query %d %v filter %+v:\ngot  %s\nwant %s", i, q, f, nearString(got), nearString(want))
			}
		}
	}
}

// BenchmarkNewIndex is the cost of indexing a national set, paid when the
// places are (re)loaded.
func BenchmarkNewIndex(b *testing.B) {
	ps, _ := nationalPlaces(b, rand.New(rand.NewPCG(2026, 19)), 100_000)
	b.ReportAllocs()
	for b.Loop() {
		NewIndex(ps)
	}
}
