package places

import "slices"

// postalCentres places each postal code at the median of its places'
// coordinates. A city of several postal codes (Marseille's 13001 to
// 13016, Paris's arrondissements) has one point in the gazetteer, its
// centre; a person who gives « 13011 » is better measured from where
// that code's places are. The median keeps one mislocated place from
// moving the centre.
func postalCentres(pts []point) map[string][2]float64 {
	byCode := map[string][]*point{}
	for i := range pts {
		if c := pts[i].p.PostalCode; c != "" {
			byCode[c] = append(byCode[c], &pts[i])
		}
	}
	out := make(map[string][2]float64, len(byCode))
	var lats, lons []float64
	for c, ps := range byCode {
		lats, lons = lats[:0], lons[:0]
		for _, p := range ps {
			lats, lons = append(lats, p.p.Lat), append(lons, p.p.Lon)
		}
		out[c] = [2]float64{median(lats), median(lons)}
	}
	return out
}

func median(xs []float64) float64 {
	slices.Sort(xs)
	n := len(xs)
	if n%2 == 1 {
		return xs[n/2]
	}
	return (xs[n/2-1] + xs[n/2]) / 2
}

// Centre is where the indexed places of a postal code are (their median
// latitude and longitude); ok is false when none has that code.
func (x *Index) Centre(postal string) (latLon [2]float64, ok bool) {
	if x == nil {
		return latLon, false
	}
	latLon, ok = x.centres[postal]
	return latLon, ok
}
