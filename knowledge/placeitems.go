package knowledge

import (
	"math"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// placeFields are the keys of a place item's place: block. The place's
// id, jurisdiction, cost and date are the item's own (id:, jurisdiction:,
// cost:, reviewed:): they are not written twice.
var placeFields = []string{"name", "address", "postal_code", "commune", "insee", "lat", "lon",
	"services", "labels", "hours", "phone", "email", "website", "booking"}

// place decodes an item's place: block. It remembers the line of each key
// and of each service and label in it.Place's lines, for Validate's
// messages.
func (d *decoder) place(it *Item, n *yaml.Node) *Place {
	if isNull(n) {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		d.errorf(n, "field \"place\" must list the place's name:, address:, commune:, lat:, lon:… on the lines below it, not %s", describe(n))
		return nil
	}
	p := &Place{}
	it.placeLines = map[string]int{"place": n.Line}
	d.fields(n, `"place"`, placeFields, func(key string, v *yaml.Node) {
		it.placeLines[key] = v.Line
		field := "place." + key
		switch key {
		case "name":
			p.Name = d.text(field, v)
		case "address":
			p.Address = d.text(field, v)
		case "postal_code":
			p.PostalCode = d.text(field, v)
		case "commune":
			p.Commune = d.text(field, v)
		case "insee":
			p.INSEE = d.text(field, v)
		case "lat":
			p.Lat = d.degrees(field, v)
		case "lon":
			p.Lon = d.degrees(field, v)
		case "services", "labels":
			codes := d.texts(field, v)
			if v.Kind == yaml.SequenceNode {
				for _, e := range v.Content {
					it.placeLines[key+"/"+strings.TrimSpace(e.Value)] = e.Line
				}
			}
			if key == "services" {
				p.Services = codes
			} else {
				p.Labels = codes
			}
		case "hours":
			p.Hours = d.text(field, v)
		case "phone":
			p.Phone = d.text(field, v)
		case "email":
			p.Email = d.text(field, v)
		case "website":
			p.Website = d.text(field, v)
		case "booking":
			p.Booking = d.text(field, v)
		}
	})
	return p
}

// degrees decodes a latitude or a longitude. A comma for the decimal
// point, as French writes numbers, is the likely mistake: it is named.
func (d *decoder) degrees(field string, v *yaml.Node) float64 {
	s := d.text(field, v)
	if s == "" {
		return 0
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		d.errorf(v, "field %q must be a number of degrees with a dot for the decimal point, such as 48.4496, not %s", field, describe(v))
		return 0
	}
	return f
}

// PlaceLine returns the line where key of the item's place: block was
// written ("hours", "lat", or "services/demarches" for one code), or the
// item's line when unknown (an item built in code).
func (it *Item) PlaceLine(key string) Pos {
	p := it.Pos
	if l, ok := it.placeLines[key]; ok {
		p.Line = l
	}
	return p
}

// box is a range of latitudes and longitudes, in degrees.
type box struct{ lat0, lat1, lon0, lon1 float64 }

func (b box) holds(lat, lon float64) bool {
	return b.lat0 <= lat && lat <= b.lat1 && b.lon0 <= lon && lon <= b.lon1
}

// territories are rough boxes around each jurisdiction's land: a place
// outside them has its latitude and longitude swapped, or a sign lost
// (Québec's longitudes are negative), far likelier than it being there.
var territories = map[string][]box{
	"QC": {{44.9, 62.7, -80, -57}},
	"FR": {
		{41.2, 51.2, -5.3, 9.7},      // mainland and Corsica
		{15.8, 18.2, -63.2, -60.9},   // Guadeloupe, Saint-Martin, Saint-Barthélemy
		{14.3, 15, -61.3, -60.7},     // Martinique
		{2, 6, -54.7, -51.5},         // Guyane
		{-21.5, -20.8, 55.1, 55.9},   // La Réunion
		{-13.1, -12.5, 44.9, 45.4},   // Mayotte
		{46.7, 47.2, -56.5, -56.1},   // Saint-Pierre-et-Miquelon
		{-28, -7, -155, -134},        // Polynésie française
		{-23, -19, 163, 169},         // Nouvelle-Calédonie
		{-14.4, -13.1, -178.3, -176}, // Wallis-et-Futuna
	},
}

// checkPlace checks the place: block of an item: only place items have
// one, and a place item needs one saying where the place is, with known
// service and label codes, so that « the nearest place that helps with
// online procedures » can find it.
func (v *validator) checkPlace(it *Item, name string) {
	p := it.Place
	switch {
	case it.Kind == KindPlace && p == nil:
		v.add(it.Pos, "%s is a place (kind: place) without a place: block: write where it is (place: with address: and commune:, or lat: and lon:), or make it kind: program if it describes a kind of place or a network rather than one place", name)
		return
	case p == nil:
		return
	case it.Kind != KindPlace:
		if slices.Contains(kinds, string(it.Kind)) { // else its kind is reported
			v.add(it.PlaceLine("place"), "%s has a place: block but is a %s: only places (kind: place) have one", name, it.Kind)
		}
		return
	}

	_, hasLat := it.placeLines["lat"]
	_, hasLon := it.placeLines["lon"]
	hasLat, hasLon = hasLat || p.Lat != 0, hasLon || p.Lon != 0
	switch {
	case hasLat && !hasLon:
		v.add(it.PlaceLine("lat"), "%s has place.lat but no place.lon: write both, or neither and the commune", name)
	case hasLon && !hasLat:
		v.add(it.PlaceLine("lon"), "%s has place.lon but no place.lat: write both, or neither and the commune", name)
	case hasLat:
		v.checkCoordinates(it, name)
	case p.Commune == "" && p.INSEE == "":
		v.add(it.Pos, "%s does not say where the place is: write its commune (place.commune) or its coordinates (place.lat and place.lon)", name)
	}

	for _, c := range []struct {
		key, what string
		have      []string
		known     []string
	}{
		{"services", "service", p.Services, Services},
		{"labels", "label", p.Labels, Labels},
	} {
		for _, code := range c.have {
			switch {
			case code == "":
				v.add(it.PlaceLine(c.key+"/"), "%s has an empty entry in place.%s: remove it", name, c.key)
			case !slices.Contains(c.known, code):
				v.add(it.PlaceLine(c.key+"/"+code), "%s: place.%s: unknown %s %q%s; the %ss are %s", name, c.key, c.what, code,
					didYouMean(code, c.known), c.what, strings.Join(c.known, ", "))
			}
		}
	}
	for _, u := range []struct{ key, url string }{{"website", p.Website}, {"booking", p.Booking}} {
		if u.url != "" && !IsWebURL(u.url) {
			v.add(it.PlaceLine(u.key), "%s: place.%s %q is not a full web address starting with https:// or http://", name, u.key, shorten(u.url, 80))
		}
	}
}

// checkCoordinates checks that a place's coordinates are on Earth, not at
// 0, 0 (what an export writes when it has none), and in the item's
// jurisdiction when it has one that territories knows.
func (v *validator) checkCoordinates(it *Item, name string) {
	p := it.Place
	switch {
	case !(math.Abs(p.Lat) <= 90):
		v.add(it.PlaceLine("lat"), "%s: place.lat %v is not a latitude (from -90 to 90 degrees)", name, p.Lat)
		return
	case !(math.Abs(p.Lon) <= 180):
		v.add(it.PlaceLine("lon"), "%s: place.lon %v is not a longitude (from -180 to 180 degrees)", name, p.Lon)
		return
	case p.Lat == 0 && p.Lon == 0:
		v.add(it.PlaceLine("lat"), "%s: place.lat and place.lon are 0, 0, in the Gulf of Guinea: write the place's coordinates, or leave them out and write its commune", name)
		return
	}
	boxes, ok := territories[it.Jurisdiction]
	if !ok || slices.ContainsFunc(boxes, func(b box) bool { return b.holds(p.Lat, p.Lon) }) {
		return
	}
	v.add(it.PlaceLine("lat"), "%s: place.lat %v, place.lon %v is not in %s: check that lat: is the latitude and lon: the longitude, and their signs (west of Greenwich, longitudes are negative)",
		name, p.Lat, p.Lon, it.Jurisdiction)
}
