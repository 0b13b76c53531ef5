package places

import (
	"cmp"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/boussole/boussole/knowledge"
)

// bruteNearest is what Nearest must return, by scanning every place.
func bruteNearest(ps []*knowledge.Place, lat, lon float64, f knowledge.Filter, skip, k int) []Near {
	var all []Near
	for _, p := range ps {
		if p == nil || (p.Lat == 0 && p.Lon == 0) || !f.Match(p) {
			continue
		}
		all = append(all, Near{p, DistanceKm(lat, lon, p.Lat, p.Lon)})
	}
	slices.SortStableFunc(all, func(a, b Near) int {
		return cmp.Or(cmp.Compare(a.Km, b.Km), cmp.Compare(a.Place.ID, b.Place.ID))
	})
	if skip >= len(all) {
		return nil
	}
	all = all[skip:]
	return all[:min(k, len(all))]
}

// randomPlaces scatters n places: most in mainland France, some in Québec
// and overseas, with services and labels drawn at random, some of them
// rare.
func randomPlaces(r *rand.Rand, n int) []*knowledge.Place {
	ps := make([]*knowledge.Place, n)
	for i := range ps {
		p := &knowledge.Place{ID: fmt.Sprintf("p%05d", r.IntN(n*4))} // IDs may repeat
		switch v := r.Float64(); {
		case v < 0.8:
			p.Lat, p.Lon = 42.3+r.Float64()*8.8, -4.8+r.Float64()*13
		case v < 0.95:
			p.Lat, p.Lon = 45+r.Float64()*5, -79+r.Float64()*15
		default:
			p.Lat, p.Lon = -21.4+r.Float64()*0.6, 55.2+r.Float64()*0.6
		}
		for _, s := range knowledge.Services {
			if r.IntN(3) == 0 {
				p.Services = append(p.Services, s)
			}
		}
		if r.IntN(50) == 0 {
			p.Services = append(p.Services, "inconnu")
		}
		for j, l := range knowledge.Labels {
			if r.IntN(4+j*6) == 0 { // later labels rarer
				p.Labels = append(p.Labels, l)
			}
		}
		ps[i] = p
	}
	return ps
}

var testFilters = []knowledge.Filter{
	{},
	{Services: []string{knowledge.ServiceDemarches}},
	{Services: []string{knowledge.ServiceSante, knowledge.ServiceEmploi}},
	{Labels: []string{knowledge.LabelServicesQuebec}},
	{Labels: []string{knowledge.LabelFranceServices, knowledge.LabelFabLab}},
	{Services: []string{knowledge.ServiceCreation}, Labels: []string{knowledge.LabelEPN}},
	{Services: []string{"inconnu"}},
	{Services: []string{"inconnu"}, Labels: []string{knowledge.LabelConseillerNumerique}},
	{Services: []string{"nobody-offers-this"}},
}

func TestNearestMatchesBruteForce(t *testing.T) {
	r := rand.New(rand.NewPCG(19, 3))
	for _, n := range []int{1, 7, 100, 3000} {
		ps := randomPlaces(r, n)
		ps = append(ps, nil, &knowledge.Place{ID: "nowhere", Services: knowledge.Services})
		x := NewIndex(ps)
		if x.Len() != n {
			t.Fatalf("n=%d: Len() = %d", n, x.Len())
		}
		for q := range 40 {
			lat, lon := 41+r.Float64()*10, -80+r.Float64()*90
			if q%5 == 0 { // exactly on a place
				p := ps[r.IntN(n)]
				lat, lon = p.Lat, p.Lon
			}
			for fi, f := range testFilters {
				for _, sk := range [][2]int{{0, 1}, {0, 3}, {3, 3}, {2, 10}, {n - 1, 5}, {0, n + 5}} {
					got := x.Nearest(lat, lon, f, sk[0], sk[1])
					want := bruteNearest(ps, lat, lon, f, sk[0], sk[1])
					if !sameNear(got, want) {
						t.Fatalf("n=%d query %d (%.4f, %.4f) filter %d %+v skip %d k %d:\ngot  %s\nwant %s",
							n, q, lat, lon, fi, f, sk[0], sk[1], nearString(got), nearString(want))
					}
				}
			}
		}
	}
}

func sameNear(a, b []Near) bool {
	return slices.EqualFunc(a, b, func(x, y Near) bool {
		return x.Place == y.Place && math.Abs(x.Km-y.Km) < 1e-9
	})
}

func nearString(ns []Near) string {
	s := make([]string, len(ns))
	for i, n := range ns {
		s[i] = fmt.Sprintf("%s@%.6f", n.Place.ID, n.Km)
	}
	return "[" + strings.Join(s, " ") + "]"
}

func TestNearestTiesAndPages(t *testing.T) {
	// Ten places at the same spot, in no particular order of IDs, and
	// one a little further: pages come in ID order and never repeat.
	var ps []*knowledge.Place
	for _, id := range []string{"g", "c", "j", "a", "e", "i", "b", "h", "d", "f"} {
		ps = append(ps, &knowledge.Place{ID: id, Lat: 43.2965, Lon: 5.3698})
	}
	ps = append(ps, &knowledge.Place{ID: "0-far", Lat: 43.3, Lon: 5.4})
	x := NewIndex(ps)
	var ids []string
	for skip := 0; ; skip += 3 {
		page := x.Nearest(43.2965, 5.3698, knowledge.Filter{}, skip, 3)
		if len(page) == 0 {
			break
		}
		for _, n := range page {
			ids = append(ids, n.Place.ID)
		}
	}
	if got, want := strings.Join(ids, ","), "a,b,c,d,e,f,g,h,i,j,0-far"; got != want {
		t.Errorf("pages gave %s, want %s", got, want)
	}
	if got := x.Nearest(43.2965, 5.3698, knowledge.Filter{}, 0, 1); got[0].Km != 0 {
		t.Errorf("distance to a place at the point = %v, want 0", got[0].Km)
	}
}

func TestNearestEmptyAndNoMatch(t *testing.T) {
	for _, x := range []*Index{nil, NewIndex(nil), NewIndex([]*knowledge.Place{{ID: "no-coords"}})} {
		if x.Len() != 0 {
			t.Errorf("Len() = %d, want 0", x.Len())
		}
		if got := x.Nearest(45, 5, knowledge.Filter{}, 0, 3); got != nil {
			t.Errorf("empty index: Nearest = %v", got)
		}
	}
	x := NewIndex([]*knowledge.Place{
		{ID: "a", Lat: 45.5, Lon: -73.6, Services: []string{knowledge.ServiceDemarches}},
		{ID: "b", Lat: 48.45, Lon: -68.52, Labels: []string{knowledge.LabelServicesQuebec}},
	})
	for _, c := range []struct {
		f       knowledge.Filter
		skip, k int
	}{
		{knowledge.Filter{Services: []string{knowledge.ServiceSante}}, 0, 3},
		{knowledge.Filter{Services: []string{knowledge.ServiceDemarches}, Labels: []string{knowledge.LabelServicesQuebec}}, 0, 3},
		{knowledge.Filter{}, 2, 3},
		{knowledge.Filter{}, 0, 0},
		{knowledge.Filter{}, math.MaxInt, math.MaxInt},
	} {
		if got := x.Nearest(45, -73, c.f, c.skip, c.k); got != nil {
			t.Errorf("Nearest(%+v, skip %d, k %d) = %s, want none", c.f, c.skip, c.k, nearString(got))
		}
	}
	if got := x.Nearest(45, -73, knowledge.Filter{}, 1, math.MaxInt); len(got) != 1 || got[0].Place.ID != "b" {
		t.Errorf("Nearest(skip 1, k max) = %s, want [b]", nearString(got))
	}
	for _, q := range [][2]float64{{math.NaN(), -73}, {45, math.NaN()}, {91, -73}, {45, math.Inf(1)}} {
		if got := x.Nearest(q[0], q[1], knowledge.Filter{}, 0, 1); got != nil {
			t.Errorf("Nearest(%v) = %s, want none", q, nearString(got))
		}
	}
}

func TestDistance(t *testing.T) {
	// Paris (Notre-Dame) to Marseille (Vieux-Port): 661 km as the crow
	// flies; Montréal to Québec: 233 km.
	for _, c := range []struct {
		a, b [2]float64
		km   float64
	}{
		{[2]float64{48.8530, 2.3499}, [2]float64{43.2951, 5.3740}, 661},
		{[2]float64{45.5017, -73.5673}, [2]float64{46.8139, -71.2080}, 233},
		{[2]float64{0, 0}, [2]float64{0, 180}, math.Pi * EarthKm},
	} {
		if got := DistanceKm(c.a[0], c.a[1], c.b[0], c.b[1]); math.Abs(got-c.km) > 1 {
			t.Errorf("DistanceKm(%v, %v) = %.1f km, want %.0f", c.a, c.b, got, c.km)
		}
	}
}

func TestNearestPACA(t *testing.T) {
	ps := pacaPlaces(t)
	x := NewIndex(ps)
	if x.Len() != 788 {
		t.Errorf("Len() = %d, want the 788 places with coordinates", x.Len())
	}
	// From Marseille's Vieux-Port, the nearest France Services.
	got := x.Nearest(43.2951, 5.3740, knowledge.Filter{Labels: []string{knowledge.LabelFranceServices}}, 0, 3)
	want := bruteNearest(ps, 43.2951, 5.3740, knowledge.Filter{Labels: []string{knowledge.LabelFranceServices}}, 0, 3)
	if len(got) != 3 || !sameNear(got, want) {
		t.Errorf("got %s, want %s", nearString(got), nearString(want))
	}
	for _, n := range got {
		if n.Km > 15 {
			t.Errorf("%s (%s) is %.1f km from the Vieux-Port: Marseille has nearer ones", n.Place.ID, n.Place.Commune, n.Km)
		}
	}
}

// pacaFile is the real export of digital-mediation places in
// Provence-Alpes-Côte d'Azur (LaMednum standard, 2023-05-16).
const pacaFile = "../../../shared/data/places/lieux-mediation-numerique-paca-2023-05-16.json"

// pacaServices maps the export's services to service codes. It is a
// minimal reading for the index's tests; the importer is the real one.
var pacaServices = map[string]string{
	"Devenir autonome dans les démarches administratives":           knowledge.ServiceDemarches,
	"Réaliser des démarches administratives avec un accompagnement": knowledge.ServiceDemarches,
	"Utiliser le numérique au quotidien":                            knowledge.ServiceQuotidien,
	"Prendre en main un smartphone ou une tablette":                 knowledge.ServiceQuotidien,
	"Prendre en main un ordinateur":                                 knowledge.ServiceQuotidien,
	"Accéder à du matériel":                                         knowledge.ServiceAcces,
	"Accéder à une connexion internet":                              knowledge.ServiceAcces,
	"S'équiper en matériel informatique":                            knowledge.ServiceEquipement,
	"Favoriser mon insertion professionnelle":                       knowledge.ServiceEmploi,
	"Approfondir ma culture numérique":                              knowledge.ServiceCulture,
	"Promouvoir la citoyenneté numérique":                           knowledge.ServiceCulture,
	"Soutenir la parentalité et l'éducation avec le numérique":      knowledge.ServiceParentalite,
	"Créer avec le numérique":                                       knowledge.ServiceCreation,
	"Créer et développer mon entreprise":                            knowledge.ServiceEntreprise,
	"Accompagner les démarches de santé":                            knowledge.ServiceSante,
}

var pacaLabels = map[string]string{
	"France Services": knowledge.LabelFranceServices,
	"CNFS":            knowledge.LabelConseillerNumerique,
}

// pacaPlaces reads the PACA export, skipping the test when the shared
// data is not there.
func pacaPlaces(tb testing.TB) []*knowledge.Place {
	tb.Helper()
	raw, err := os.ReadFile(pacaFile)
	if os.IsNotExist(err) {
		tb.Skipf("no shared data: %v", err)
	}
	if err != nil {
		tb.Fatal(err)
	}
	var rows []struct {
		ID        string   `json:"id"`
		Nom       string   `json:"nom"`
		Commune   string   `json:"commune"`
		Latitude  *float64 `json:"latitude"`
		Longitude *float64 `json:"longitude"`
		Services  string   `json:"services"`
		Labels    string   `json:"labels_nationaux"`
		Horaires  string   `json:"horaires"`
	}
	if err := json.Unmarshal(raw, &rows); err != nil {
		tb.Fatal(err)
	}
	ps := make([]*knowledge.Place, 0, len(rows))
	for _, r := range rows {
		p := &knowledge.Place{ID: r.ID, Name: r.Nom, Commune: r.Commune, Hours: r.Horaires}
		if r.Latitude != nil && r.Longitude != nil {
			p.Lat, p.Lon = *r.Latitude, *r.Longitude
		}
		for _, s := range strings.Split(r.Services, ";") {
			if c, ok := pacaServices[s]; ok && !slices.Contains(p.Services, c) {
				p.Services = append(p.Services, c)
			}
		}
		for _, l := range strings.Split(r.Labels, ";") {
			if c, ok := pacaLabels[l]; ok {
				p.Labels = append(p.Labels, c)
			}
		}
		ps = append(ps, p)
	}
	return ps
}
