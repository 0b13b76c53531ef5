package places

import "slices"

// approximate gives coordinates to the communes the source has none for
// (GeoNames matched about a quarter of them, 77 % of the population):
// the mean of the communes that share one of their postal codes and have
// coordinates (a postal code covers a few neighbouring communes), else
// their département's centre, weighted by population, else the centre of
// their overseas territory (overseas, the source has no coordinates at
// all). It runs once, in New.
func (g *Gazetteer) approximate() {
	type sum struct{ lat, lon, w float64 }
	depts := map[string]*sum{}
	for _, t := range g.communes {
		if !located(t) {
			continue
		}
		s := depts[t.Dept]
		if s == nil {
			s = &sum{}
			depts[t.Dept] = s
		}
		w := float64(max(t.Population, 1))
		s.lat, s.lon, s.w = s.lat+w*t.Lat, s.lon+w*t.Lon, s.w+w
	}
	var near []*Town
	for _, t := range g.communes {
		if t.Lat != 0 || t.Lon != 0 {
			continue
		}
		near = near[:0]
		for _, p := range t.PostalCodes {
			for _, o := range g.postal[p] {
				if located(o) && !slices.Contains(near, o) {
					near = append(near, o)
				}
			}
		}
		switch s, ok := depts[t.Dept]; {
		case len(near) > 0:
			for _, o := range near {
				t.Lat += o.Lat
				t.Lon += o.Lon
			}
			t.Lat /= float64(len(near))
			t.Lon /= float64(len(near))
		case ok:
			t.Lat, t.Lon = s.lat/s.w, s.lon/s.w
		default:
			c := overseas[t.Dept]
			t.Lat, t.Lon = c[0], c[1]
		}
		t.Approx = true
	}
}

// located says t has the source's coordinates.
func located(t *Town) bool { return !t.Approx && (t.Lat != 0 || t.Lon != 0) }

// overseas are the approximate centres (latitude, longitude) of the
// territories where no commune has coordinates in the source: the main
// town, or the island's centre. One point for a whole territory is rough
// (French Guiana, Polynesia are vast), but it keeps a nearest-place
// answer on the right territory.
var overseas = map[string][2]float64{
	"971": {16.24, -61.58},   // Guadeloupe
	"972": {14.64, -61.02},   // Martinique
	"973": {4.93, -52.33},    // Guyane: Cayenne, where most people live
	"974": {-21.11, 55.53},   // La Réunion
	"975": {46.78, -56.18},   // Saint-Pierre-et-Miquelon
	"976": {-12.82, 45.15},   // Mayotte
	"977": {17.90, -62.83},   // Saint-Barthélemy
	"978": {18.07, -63.05},   // Saint-Martin
	"984": {-49.35, 70.22},   // Terres australes: Port-aux-Français
	"986": {-13.28, -176.17}, // Wallis-et-Futuna: Mata-Utu
	"987": {-17.54, -149.57}, // Polynésie française: Papeete
	"988": {-22.27, 166.45},  // Nouvelle-Calédonie: Nouméa
	"989": {10.30, -109.22},  // Clipperton
}
