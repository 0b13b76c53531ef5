package places

import (
	"testing"

	"github.com/boussole/boussole/knowledge"
)

func TestCentre(t *testing.T) {
	x := NewIndex([]*knowledge.Place{
		{ID: "a", PostalCode: "13011", Lat: 43.29, Lon: 5.48},
		{ID: "b", PostalCode: "13011", Lat: 43.30, Lon: 5.49},
		// Mislocated at the city's town hall: the median ignores it.
		{ID: "c", PostalCode: "13011", Lat: 43.2965, Lon: 5.3698},
		{ID: "d", PostalCode: "13001", Lat: 43.30, Lon: 5.38},
		{ID: "e", Lat: 44, Lon: 6},
	})
	if c, ok := x.Centre("13011"); !ok || c != [2]float64{43.2965, 5.48} {
		t.Errorf("Centre(13011) = %v, %v; want the median of its places", c, ok)
	}
	if c, ok := x.Centre("13001"); !ok || c != [2]float64{43.30, 5.38} {
		t.Errorf("Centre(13001) = %v, %v", c, ok)
	}
	if _, ok := x.Centre("75015"); ok {
		t.Error("Centre of a code without places is known")
	}
	if _, ok := (*Index)(nil).Centre("13011"); ok {
		t.Error("a nil index knows a centre")
	}
}
