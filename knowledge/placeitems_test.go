package knowledge

import (
	"strings"
	"testing"
)

// placeProblems parses one items file and returns its problems, of
// decoding or of validation, one "file:line: msg" per entry. An
// emergency item keeps jurisdictions from being reported as without one.
func placeProblems(t *testing.T, src string) []string {
	t.Helper()
	items, err := ParseItems("items/lieux.yaml", []byte(src))
	var ps Problems
	if err != nil {
		ps = err.(Problems)
	} else {
		urgence := validItem("urgence")
		urgence.Kind, urgence.Danger, urgence.Where.Phone = KindEmergency, []string{DangerUrgence}, "112"
		ps = Validate(NewBase(append(items, urgence), nil, nil))
	}
	var out []string
	for _, p := range ps {
		out = append(out, p.String())
	}
	return out
}

const placeHead = `id: sq-rimouski
kind: place
title: Bureau de Services Québec de Rimouski
summary: Renseignements et aide pour les démarches du gouvernement du Québec.
jurisdiction: QC
sources: ["https://www.quebec.ca/"]
reviewed: 2026-11-20
`

func TestPlaceItems(t *testing.T) {
	for _, c := range []struct {
		name, src string
		want      []string // substrings, one per problem, in order
	}{
		{name: "coordinates", src: placeHead + `place:
  address: 1 rue de l'Exemple
  commune: Rimouski
  lat: 48.4496
  lon: -68.5235
  services: [demarches, acces]
  labels: [services-quebec]
  hours: Mo-Fr 08:30-12:00,13:00-16:30
  website: https://www.quebec.ca/
`},
		{name: "commune only", src: placeHead + "place: {commune: Rimouski}\n"},
		{name: "insee only", src: strings.Replace(placeHead, "QC", "FR", 1) + "place: {insee: \"13055\"}\n"},
		{name: "no place block", src: placeHead, want: []string{
			`items/lieux.yaml:1: item "sq-rimouski" is a place (kind: place) without a place: block`}},
		{name: "empty place block", src: placeHead + "place:\n", want: []string{
			`items/lieux.yaml:1: item "sq-rimouski" is a place (kind: place) without a place: block`}},
		{name: "nowhere", src: placeHead + "place: {name: Bureau, services: [demarches]}\n", want: []string{
			`items/lieux.yaml:1: item "sq-rimouski" does not say where the place is: write its commune (place.commune) or its coordinates`}},
		{name: "unknown codes", src: placeHead + `place:
  commune: Rimouski
  services:
    - demarches
    - demarche
    - ""
  labels: [france-service, bibliotheque]
`, want: []string{
			`items/lieux.yaml:12: item "sq-rimouski": place.services: unknown service "demarche" (did you mean "demarches"?); the services are demarches, quotidien, acces, equipement, emploi, culture, parentalite, creation, entreprise, sante`,
			`items/lieux.yaml:13: item "sq-rimouski" has an empty entry in place.services: remove it`,
			`items/lieux.yaml:14: item "sq-rimouski": place.labels: unknown label "france-service" (did you mean "france-services"?); the labels are france-services, conseiller-numerique, aidants-connect, tiers-lieu, fab-lab, epn, services-quebec`,
			`items/lieux.yaml:14: item "sq-rimouski": place.labels: unknown label "bibliotheque"; the labels are`,
		}},
		{name: "longitude without its sign", src: placeHead + "place:\n  lat: 48.4496\n  lon: 68.5235\n", want: []string{
			`items/lieux.yaml:9: item "sq-rimouski": place.lat 48.4496, place.lon 68.5235 is not in QC: check that lat: is the latitude and lon: the longitude, and their signs`}},
		{name: "swapped in France", src: strings.Replace(placeHead, "QC", "FR", 1) + "place: {lat: 5.3698, lon: 43.2965}\n", want: []string{
			`items/lieux.yaml:8: item "sq-rimouski": place.lat 5.3698, place.lon 43.2965 is not in FR`}},
		{name: "overseas France", src: strings.Replace(placeHead, "QC", "FR", 1) + "place: {lat: -20.8823, lon: 55.4504}\n"},
		{name: "lat without lon", src: placeHead + "place:\n  commune: Rimouski\n  lat: 48.4496\n", want: []string{
			`items/lieux.yaml:10: item "sq-rimouski" has place.lat but no place.lon`}},
		{name: "zero", src: placeHead + "place: {lat: 0, lon: 0}\n", want: []string{
			`item "sq-rimouski": place.lat and place.lon are 0, 0, in the Gulf of Guinea`}},
		{name: "off the globe", src: placeHead + "place:\n  lat: 148.4\n  lon: -68.5\n", want: []string{
			`items/lieux.yaml:9: item "sq-rimouski": place.lat 148.4 is not a latitude`}},
		{name: "decimal comma", src: placeHead + "place:\n  lat: 48,4496\n  lon: -68.5235\n", want: []string{
			`items/lieux.yaml:9: field "place.lat" must be a number of degrees with a dot for the decimal point, such as 48.4496, not the text "48,4496"`}},
		{name: "unknown key", src: placeHead + "place:\n  commune: Rimouski\n  horaires: Mo-Fr 09:00-12:00\n", want: []string{
			`items/lieux.yaml:10: unknown field "horaires" in "place" (did you mean "hours"?)`}},
		{name: "not a mapping", src: placeHead + "place: Rimouski\n", want: []string{
			`items/lieux.yaml:8: field "place" must list the place's name:, address:, commune:, lat:, lon:… on the lines below it, not the text "Rimouski"`}},
		{name: "bad website", src: placeHead + "place: {commune: Rimouski, website: www.quebec.ca, booking: \"https://rdv.example\"}\n", want: []string{
			`items/lieux.yaml:8: item "sq-rimouski": place.website "www.quebec.ca" is not a full web address`}},
		{name: "a procedure with a place", src: strings.Replace(placeHead, "kind: place", "kind: procedure", 1) + "place:\n  commune: Rimouski\n", want: []string{
			`items/lieux.yaml:9: item "sq-rimouski" has a place: block but is a procedure: only places (kind: place) have one`}},
		{name: "unknown kind with a place", src: strings.Replace(placeHead, "kind: place", "kind: lieu", 1) + "place:\n  commune: Rimouski\n", want: []string{
			`item "sq-rimouski" has an unknown kind "lieu"`}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := placeProblems(t, c.src)
			if len(got) != len(c.want) {
				t.Fatalf("got %d problems, want %d:\n%s", len(got), len(c.want), strings.Join(got, "\n"))
			}
			for i, w := range c.want {
				if !strings.Contains(got[i], w) {
					t.Errorf("problem %d:\ngot  %s\nwant %s", i, got[i], w)
				}
			}
		})
	}
}

func TestPlaceItemDecodes(t *testing.T) {
	items, err := ParseItems("lieux.yaml", []byte(placeHead+`place:
  name: Services Québec
  address: 1 rue de l'Exemple
  postal_code: G5L 0A1
  commune: Rimouski
  lat: 48.4496
  lon: -68.5235
  services: [demarches]
  labels: [services-quebec]
  hours: Mo-Fr 08:30-16:30
  phone: 1 877 644-4545
  email: info@example.org
  website: https://www.quebec.ca/
  booking: https://www.quebec.ca/rdv
`))
	if err != nil {
		t.Fatal(err)
	}
	p := items[0].Place
	want := Place{Name: "Services Québec", Address: "1 rue de l'Exemple", PostalCode: "G5L 0A1", Commune: "Rimouski",
		Lat: 48.4496, Lon: -68.5235, Services: []string{"demarches"}, Labels: []string{"services-quebec"},
		Hours: "Mo-Fr 08:30-16:30", Phone: "1 877 644-4545", Email: "info@example.org",
		Website: "https://www.quebec.ca/", Booking: "https://www.quebec.ca/rdv"}
	if p == nil || p.Name != want.Name || p.Address != want.Address || p.PostalCode != want.PostalCode ||
		p.Commune != want.Commune || p.Lat != want.Lat || p.Lon != want.Lon || p.Hours != want.Hours ||
		p.Phone != want.Phone || p.Email != want.Email || p.Website != want.Website || p.Booking != want.Booking ||
		strings.Join(p.Services, ",") != "demarches" || strings.Join(p.Labels, ",") != "services-quebec" {
		t.Errorf("place = %+v\nwant    %+v", p, want)
	}
	if got := items[0].PlaceLine("hours"); got.Line != 17 || got.File != "lieux.yaml" {
		t.Errorf("PlaceLine(hours) = %v, want lieux.yaml:17", got)
	}
	if got := (&Item{Pos: Pos{File: "f", Line: 3}}).PlaceLine("hours"); got.Line != 3 {
		t.Errorf("PlaceLine of an item built in code = %v, want its own line", got)
	}
}
