package places

import (
	"math"
	"testing"
)

// km is the great-circle distance between two points.
func km(lat1, lon1, lat2, lon2 float64) float64 {
	const r = 6371
	rad := math.Pi / 180
	dlat, dlon := (lat2-lat1)*rad, (lon2-lon1)*rad
	a := math.Sin(dlat/2)*math.Sin(dlat/2) + math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dlon/2)*math.Sin(dlon/2)
	return 2 * r * math.Asin(math.Sqrt(a))
}

func TestEveryTownHasCoordinates(t *testing.T) {
	g := gazetteer(t)
	approx, people, approxPeople := 0, 0, 0
	for _, towns := range g.byName {
		for _, tw := range towns {
			if tw.Lat == 0 && tw.Lon == 0 || math.Abs(tw.Lat) > 90 || math.Abs(tw.Lon) > 180 {
				t.Errorf("%s (%s): no coordinates (%v, %v)", tw.Name, tw.Dept, tw.Lat, tw.Lon)
			}
			people += tw.Population
			if tw.Approx {
				approx++
				approxPeople += tw.Population
			}
		}
	}
	// The source locates 8,147 communes, 77 % of the population.
	if approx < 26000 || approx > 27000 || share(approxPeople, people) > 0.25 {
		t.Errorf("%d towns approximate, %.0f %% of the people", approx, 100*share(approxPeople, people))
	}
	// Every mainland approximation stays in its département: within
	// 150 km of the département's located communes' centre.
	type sum struct{ lat, lon, n float64 }
	depts := map[string]*sum{}
	for _, tw := range g.communes {
		if located(tw) {
			s := depts[tw.Dept]
			if s == nil {
				s = &sum{}
				depts[tw.Dept] = s
			}
			s.lat, s.lon, s.n = s.lat+tw.Lat, s.lon+tw.Lon, s.n+1
		}
	}
	for _, tw := range g.communes {
		if s := depts[tw.Dept]; tw.Approx && s != nil {
			if d := km(tw.Lat, tw.Lon, s.lat/s.n, s.lon/s.n); d > 150 {
				t.Errorf("%s (%s) placed %.0f km from its département", tw.Name, tw.Dept, d)
			}
		}
	}
}

func share(a, b int) float64 { return float64(a) / float64(b) }

func TestApproximate(t *testing.T) {
	g := gazetteer(t)
	for _, c := range []struct {
		name, dept string
		lat, lon   float64 // where it really is
		within     float64 // km
	}{
		// Only its postal code's neighbours have coordinates.
		{"Dunkerque", "59", 51.034, 2.377, 25},
		{"Ruffec", "36", 46.62, 1.19, 25},
		{"La Robine-sur-Galabre", "04", 44.17, 6.23, 15},
		// Overseas: the territory's centre.
		{"Saint-Denis", "974", -20.88, 55.45, 40},
		{"Cayenne", "973", 4.93, -52.33, 5},
	} {
		var town *Town
		for _, tw := range g.Towns(c.name) {
			if tw.Dept == c.dept {
				town = tw
			}
		}
		if town == nil {
			t.Fatalf("no %s in %s", c.name, c.dept)
		}
		if !town.Approx {
			t.Errorf("%s (%s): not marked Approx", c.name, c.dept)
		}
		if d := km(town.Lat, town.Lon, c.lat, c.lon); d > c.within {
			t.Errorf("%s (%s) placed at %.3f, %.3f: %.0f km from where it is", c.name, c.dept, town.Lat, town.Lon, d)
		}
	}
	// A postal code none of whose communes the source locates still
	// gives a place, approximately: the département's centre.
	towns, err := g.Lookup(t.Context(), "93400", Context{})
	if err != nil || len(towns) != 1 || towns[0].Name != "Saint-Ouen-sur-Seine" || !towns[0].Approx ||
		km(towns[0].Lat, towns[0].Lon, 48.912, 2.334) > 15 {
		t.Fatalf("Lookup(93400) = %+v, %v", towns, err)
	}
	f, err := g.Find(t.Context(), "un fab lab cp 93400", Context{})
	if err != nil || len(f.Towns) != 1 || f.Towns[0] != towns[0] || f.Postal != "93400" {
		t.Fatalf("Find(cp 93400) = %+v, %v", f, err)
	}
	// The source's coordinates are kept.
	if m := g.Towns("Marseille")[0]; m.Approx || math.Abs(m.Lat-43.29695) > 1e-6 {
		t.Errorf("Marseille: %+v", m)
	}
}
