package engine

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/boussole/boussole/bot"
	"github.com/boussole/boussole/bot/hours"
	"github.com/boussole/boussole/knowledge"
	"github.com/boussole/boussole/knowledge/analysis"
	"github.com/boussole/boussole/knowledge/places"
)

// Nearest places: « France Services à Digne », « un fab lab près de chez
// moi », « 13011 » after « Dans quelle ville ? », or a tree choice with
// a nearest: action, answered with the three nearest places that offer
// what the person needs, and buttons for three more or another town.

// Towns reads the town a message names (knowledge/places' gazetteer).
type Towns interface {
	// Find reads a town or postal code in a message that asks for a
	// place (« France Services à Digne »).
	Find(ctx context.Context, text string, prefer places.Context) (places.Found, error)
	// Lookup reads a whole reply as a town or postal code (« aubagne »,
	// « 04000 », « st tropez »), tolerating typos; best first.
	Lookup(ctx context.Context, name string, prefer places.Context) ([]*places.Town, error)
}

// Nearby finds the places nearest a point (knowledge/places' Index).
type Nearby interface {
	// Len is how many places it knows: 0 means no place data.
	Len() int
	Nearest(lat, lon float64, f knowledge.Filter, skip, k int) []places.Near
	// Centre is where the places of a postal code are, when it knows
	// some: a city's arrondissement (« 13011 ») is placed there rather
	// than at the city's centre.
	Centre(postal string) (latLon [2]float64, ok bool)
}

// Place offers' actions.
const (
	actPlaceMore  = "places-more" // three more places, same search
	actPlaceTown  = "places-town" // ask for another town
	actPlacePick  = "places-pick" // Arg: a bot.Town (JSON), among homonyms
	placesPerPage = 3
	// maxHomonyms bounds the « which one? » buttons.
	maxHomonyms = 5
	// farKm is the distance beyond which the nearest place known is
	// probably not the nearest there is: the answer says the list may
	// not cover the area, and links to the national map.
	farKm = 30
	// maxKm is the distance beyond which a place is not near at all (a
	// Québec town and the places of Provence): not shown.
	maxKm = 100
)

// nearestWords are the words that ask for a place (catalogue
// words_nearest_*).
type nearestWords struct {
	// ask: « près de chez moi », « le plus proche », « near me ».
	ask []string
	// place: « un lieu », « un endroit »: a request for places when
	// the message also says what for (« un endroit pour imprimer »).
	place []string
	// labels and services map a code (knowledge.Label*, Service*) to the
	// words that name it: « france services », « fab lab », « imprimer ».
	labels, services map[string][]string
}

func readNearestWords(list func(key string) []string) nearestWords {
	nw := nearestWords{ask: list("words_nearest_ask"), place: list("words_nearest_place"), labels: map[string][]string{}, services: map[string][]string{}}
	for _, l := range knowledge.Labels {
		nw.labels[l] = list("words_nearest_label_" + l)
	}
	for _, s := range knowledge.Services {
		nw.services[s] = list("words_nearest_service_" + s)
	}
	return nw
}

// hasPhrase reports whether folded holds one of the folded phrases as
// whole words.
func hasPhrase(folded string, phrases []string) bool {
	padded := " " + folded + " "
	for _, p := range phrases {
		if p != "" && strings.Contains(padded, " "+p+" ") {
			return true
		}
	}
	return false
}

// placeRequest reads what kind of place a message asks for. ok is true
// when it names a kind of place (« France Services », « fab lab ») or
// asks for something near (« près de chez moi »).
func (nw nearestWords) placeRequest(folded string) (f knowledge.Filter, ok bool) {
	kind := false
	for _, l := range knowledge.Labels {
		if !hasPhrase(folded, nw.labels[l]) {
			continue
		}
		if s, ok := knowledge.LabelServices[l]; ok {
			// « un fab lab »: the places offering what a fab lab offers.
			kind = true
			f.Services = appendUnique(f.Services, s)
			continue
		}
		f.Labels = append(f.Labels, l)
	}
	for _, s := range knowledge.Services {
		if hasPhrase(folded, nw.services[s]) {
			f.Services = append(f.Services, s)
		}
	}
	switch {
	case len(f.Labels) > 0:
		// « France Services » is the place wanted, whatever it is for.
		f.Services = nil
		return f, true
	case kind:
		if s := f.Services; len(s) > 0 {
			f.Services = s[:1] // the kind of place named, not what else was said
		}
		return f, true
	}
	return f, hasPhrase(folded, nw.ask) || len(f.Services) > 0 && hasPhrase(folded, nw.place)
}

// places handles a message about places: the reply to « Dans quelle
// ville ? » (a town, or a button among homonyms), another town typed
// after places were shown, or a request for places.
func (t *turn) places(folded string) (bool, error) {
	if t.e.towns == nil {
		return false, nil
	}
	f, asks := t.e.words.nearest.placeRequest(folded)
	if asks {
		// A new request, even while a town was asked for.
		return true, t.placeWanted(f)
	}
	if s := t.conv.Search; s.Asked {
		t.placesUsed = true
		if t.townSaid {
			t.conv.Search.Asked = false
			t.showPlaces()
			return true, nil
		}
		if m, ok := t.e.words.matchOffer(t.conv.Offered, folded); ok && m.covered >= 0.5 {
			return true, t.act(m.offer) // « 2 » or « Ruffec (36) »
		}
		if handled, err := t.townAnswer(folded); handled || err != nil {
			return handled, err
		}
		t.placesUsed = false
	} else if !s.IsZero() {
		if m, ok := t.e.words.matchOffer(t.conv.Offered, folded); ok && m.covered >= 0.5 {
			return false, nil // « 3 autres lieux » typed: the offer's
		}
		// « Gap » after the places near Digne: the same search there;
		// « Sherbroke », misspelt, when that is the whole message.
		r, err := t.readTown(true, len(strings.Fields(folded)) <= 2)
		if err != nil {
			return true, err
		}
		if len(r.towns) > 0 {
			t.placesUsed = true
			t.goToTown(r)
			return true, nil
		}
	}
	return false, nil
}

// placeWanted answers a request for places of filter f: near the town the
// message names, else the one the conversation knows, else it asks.
func (t *turn) placeWanted(f knowledge.Filter) error {
	if len(f.Services) == 0 && len(f.Labels) == 0 {
		// « près de chez moi » alone: help with procedures, what the bot
		// is for.
		f.Services = []string{knowledge.ServiceDemarches}
	}
	t.placesUsed = true
	t.conv.Search = bot.PlaceSearch{Services: f.Services, Labels: f.Labels}
	r, err := t.readTown(false, false)
	if err != nil {
		return err
	}
	switch {
	case len(r.towns) > 0:
		t.goToTown(r)
	case !t.conv.Town.IsZero():
		t.showPlaces()
	default:
		t.askTown()
	}
	return nil
}

// rememberTown keeps the town a message says the person is in
// (« j'habite à Aubagne »), for a later « près de chez moi ».
func (t *turn) rememberTown() error {
	if t.e.towns == nil {
		return nil
	}
	found, err := t.e.towns.Find(t.ctx, t.text, t.townContext())
	if err != nil {
		return fmt.Errorf("find town: %w", err)
	}
	if len(found.Towns) > 0 && !found.Ambiguous {
		t.conv.Town = townOf(found.Towns[0], found.Postal)
		t.townSaid = true
	}
	return nil
}

// townAnswer reads a reply to « Dans quelle ville ? ». It returns false
// when the reply is not a town, and the bot stops waiting for one.
func (t *turn) townAnswer(folded string) (bool, error) {
	r, err := t.readTown(false, true)
	if err != nil {
		return true, err
	}
	if len(r.towns) == 0 {
		if len(strings.Fields(folded)) <= 3 && t.conv.Misses == 0 {
			// Probably a town the gazetteer cannot read: once more.
			t.conv.Misses++
			t.say(t.msg("place_town_unknown"))
			return true, nil
		}
		t.conv.Search.Asked = false
		t.conv.Misses = 0
		return false, nil
	}
	t.conv.Misses = 0
	t.goToTown(r)
	return true, nil
}

// townRead is a town a reply names: candidates best first, the postal
// code given, and whether the candidates are homonyms to ask about.
type townRead struct {
	towns     []*places.Town
	postal    string
	ambiguous bool
}

// readTown reads the town a reply names. Find reads a reply that is a
// place, with its postal code (« 13011 », « Marseille 11e »); alone says
// the reply must be nothing else (not a sentence that mentions a town);
// lookup lets Lookup forgive typos when Find reads nothing.
func (t *turn) readTown(alone, lookup bool) (townRead, error) {
	prefer := t.townContext()
	found, err := t.e.towns.Find(t.ctx, t.text, prefer)
	if err != nil {
		return townRead{}, fmt.Errorf("find town: %w", err)
	}
	r := townRead{towns: found.Towns, postal: found.Postal, ambiguous: found.Ambiguous}
	if alone && strings.TrimSpace(found.Rest) != "" {
		r = townRead{}
	}
	if len(r.towns) == 0 && lookup {
		if r.towns, err = t.e.towns.Lookup(t.ctx, t.text, prefer); err != nil {
			return townRead{}, fmt.Errorf("look up town: %w", err)
		}
		r.ambiguous = places.Ambiguous(r.towns, prefer)
	}
	return r, nil
}

// goToTown shows the places near the town read, or asks which one among
// homonyms.
func (t *turn) goToTown(r townRead) {
	if r.ambiguous && len(r.towns) > 1 {
		t.askWhichTown(r.towns)
		return
	}
	t.setTown(r.towns[0], r.postal)
	t.showPlaces()
}

// townContext is what the conversation knows that settles homonyms.
func (t *turn) townContext() places.Context {
	return places.Context{Dept: t.conv.Town.Dept, Jurisdiction: t.toldJurisdiction()}
}

// townOf is what the conversation remembers of a town.
func townOf(tw *places.Town, postal string) bot.Town {
	return bot.Town{Name: tw.Name, Code: tw.Code, Dept: tw.Dept, Postal: postal,
		Jurisdiction: tw.Jurisdiction, Lat: tw.Lat, Lon: tw.Lon}
}

func (t *turn) setTown(tw *places.Town, postal string) {
	t.conv.Town = townOf(tw, postal)
	t.conv.Search.Asked = false
	t.conv.Search.Shown = 0
	if tw.Jurisdiction != "" && t.conv.Jurisdiction == "" {
		t.conv.Jurisdiction = tw.Jurisdiction
	}
}

func (t *turn) askTown() {
	t.conv.Search.Asked = true
	t.conv.Misses = 0
	t.say(t.msg("place_ask_town"))
}

func (t *turn) askWhichTown(towns []*places.Town) {
	t.conv.Search.Asked = true
	t.say(t.msg("place_which_town"))
	for _, tw := range towns[:min(len(towns), maxHomonyms)] {
		bt := townOf(tw, "")
		arg, err := json.Marshal(bt)
		if err != nil {
			continue // a town is plain strings and numbers
		}
		t.offer(bot.Offer{Label: t.townLabel(bt), Action: actPlacePick, Arg: string(arg)})
	}
}

// townLabel names a town with its département, or the postal code the
// person gave: « Ruffec (16) », « Marseille (13011) ».
func (t *turn) townLabel(tw bot.Town) string {
	if c := cmp.Or(tw.Postal, tw.Dept); c != "" {
		return t.msg("place_town_dept", "town", tw.Name, "dept", c)
	}
	return tw.Name
}

// placeAct carries out a place offer.
func (t *turn) placeAct(o bot.Offer) error {
	t.placesUsed = true
	switch o.Action {
	case actPlaceMore:
		t.showPlaces()
	case actPlaceTown:
		t.askTown()
	case actPlacePick:
		var tw bot.Town
		if err := json.Unmarshal([]byte(o.Arg), &tw); err != nil {
			return fmt.Errorf("offer %q: bad town: %w", o.Label, err)
		}
		t.conv.Town = tw
		t.conv.Search.Asked, t.conv.Search.Shown = false, 0
		t.showPlaces()
	}
	return nil
}

// nearestChoice is a tree choice's nearest: action.
func (t *turn) nearestChoice(f knowledge.Filter) {
	t.placesUsed = true
	t.conv.Search = bot.PlaceSearch{Services: f.Services, Labels: f.Labels}
	if t.conv.Town.IsZero() {
		t.askTown()
		return
	}
	t.showPlaces()
}

// showPlaces answers the search under way from the conversation's town:
// the next three places, or why there are none.
func (t *turn) showPlaces() {
	tw, s := t.conv.Town, t.conv.Search
	f := knowledge.Filter{Services: s.Services, Labels: s.Labels}
	town := t.ofTown(tw)
	if t.e.nearby == nil || t.e.nearby.Len() == 0 {
		if tw.IsZero() {
			t.say(t.msg("place_no_data_anywhere") + t.mapLine(tw))
		} else {
			t.say(t.msg("place_no_data", "of_town", town) + t.mapLine(tw))
		}
		t.conv.Search = bot.PlaceSearch{}
		return
	}
	lat, lon := tw.Lat, tw.Lon
	if c, ok := t.e.nearby.Centre(tw.Postal); ok && tw.Postal != "" {
		// « 13011 »: from the arrondissement, not Marseille's town hall.
		lat, lon = c[0], c[1]
	}
	near := t.e.nearby.Nearest(lat, lon, f, s.Shown, placesPerPage)
	near = slices.DeleteFunc(near, func(n places.Near) bool { return n.Km > maxKm })
	if len(near) == 0 {
		if s.Shown > 0 {
			t.say(t.msg("place_no_more", "of_town", town))
		} else {
			t.say(t.msg("place_none", "need", t.need(f), "of_town", town) + t.mapLine(tw))
		}
		t.offer(bot.Offer{Label: t.msg("btn_place_other_town"), Action: actPlaceTown})
		return
	}
	var b strings.Builder
	head := "place_head"
	if s.Shown > 0 {
		head = "place_head_more"
	}
	b.WriteString(t.msg(head, "need", t.need(f), "of_town", town))
	for i, n := range near {
		fmt.Fprintf(&b, "\n%d. %s", s.Shown+i+1, t.placeLine(n))
	}
	if near[0].Km > farKm && s.Shown == 0 {
		b.WriteString("\n" + t.msg("place_far", "km", t.km(near[0].Km)) + t.mapLine(tw))
	}
	t.say(b.String())
	t.conv.Search.Shown = s.Shown + len(near)
	if len(near) == placesPerPage {
		t.offer(bot.Offer{Label: t.msg("btn_place_more"), Action: actPlaceMore})
	}
	t.offer(bot.Offer{Label: t.msg("btn_place_other_town"), Action: actPlaceTown})
}

// ofTown is « de Gap (05) », « d'Aubagne (13) »: the town after « près »
// or « proches ».
func (t *turn) ofTown(tw bot.Town) string {
	key := "place_of_town"
	if r, _ := utf8.DecodeRuneInString(analysis.Fold(tw.Name)); strings.ContainsRune("aeiouy", r) {
		key = "place_of_town_vowel"
	}
	return t.msg(key, "town", t.townLabel(tw))
}

// placeLine is one place of an answer: name, address and distance, then
// today's hours, phone and booking link when known.
func (t *turn) placeLine(n places.Near) string {
	p := n.Place
	addr := strings.TrimSpace(strings.Join(nonEmpty(quieter(p.Address), strings.TrimSpace(p.PostalCode+" "+quieter(p.Commune))), ", "))
	line := t.msg("place_line", "name", bot.DefuseMentions(quieter(p.Name)), "address", bot.DefuseMentions(addr), "km", t.km(n.Km))
	var more []string
	if h := t.placeHours(p); h != "" {
		more = append(more, h)
	}
	if p.Phone != "" {
		more = append(more, t.msg("place_phone", "phone", phoneNumber(p.Phone)))
	}
	if u := cmp.Or(p.Booking, p.Website); u != "" && knowledge.IsWebURL(u) {
		key := "place_booking"
		if p.Booking == "" {
			key = "place_website"
		}
		more = append(more, t.msg(key, "url", u))
	}
	if len(more) > 0 {
		line += "\n   " + strings.Join(more, " · ")
	}
	return line
}

// placeHours is the place's hours for today, or "" when unknown.
func (t *turn) placeHours(p *knowledge.Place) string {
	if p.Hours == "" {
		return ""
	}
	s, err := hours.ParseOSM(p.Hours, t.e.zones.of(p))
	if err != nil {
		// Hours the parser cannot read are typing mistakes of the source
		// (« Mo 9-12:30-13:30-18 »): shown, they would mislead.
		return ""
	}
	d := s.Today(t.now, t.lang())
	switch {
	case d.Open:
		return t.msg("place_open_now", "closes", d.Closes, "hours", d.Ranges)
	case d.Ranges != "" && d.Next != "":
		return t.msg("place_today_later", "hours", d.Ranges, "next", d.Next)
	case d.Ranges != "":
		return t.msg("place_today", "hours", d.Ranges)
	case d.Next != "":
		return t.msg("place_closed_today", "next", d.Next)
	}
	return ""
}

// zones are the time zones of places' opening hours.
type zones struct {
	paris, quebec *time.Location
	// overseas maps a French overseas postal code prefix (« 971 ») to its
	// zone.
	overseas map[string]*time.Location
}

// loadZones reads the zones from the system's zone database.
func loadZones() (zones, error) {
	z := zones{overseas: map[string]*time.Location{}}
	var err error
	if z.paris, err = time.LoadLocation("Europe/Paris"); err != nil {
		return z, fmt.Errorf("time zone: %w", err)
	}
	if z.quebec, err = time.LoadLocation("America/Toronto"); err != nil {
		return z, fmt.Errorf("time zone: %w", err)
	}
	for prefix, name := range map[string]string{"971": "America/Guadeloupe", "972": "America/Martinique", "973": "America/Cayenne",
		"974": "Indian/Reunion", "975": "America/Miquelon", "976": "Indian/Mayotte"} {
		if z.overseas[prefix], err = time.LoadLocation(name); err != nil {
			return z, fmt.Errorf("time zone: %w", err)
		}
	}
	return z, nil
}

// of is the zone of a place's hours: Québec's, an overseas
// département's by its postal code, else mainland France's.
func (z zones) of(p *knowledge.Place) *time.Location {
	if p.Jurisdiction == "QC" {
		return z.quebec
	}
	if len(p.PostalCode) == 5 {
		if loc, ok := z.overseas[p.PostalCode[:3]]; ok {
			return loc
		}
	}
	return z.paris
}

// need names what the search looks for: its labels, else its first
// service.
func (t *turn) need(f knowledge.Filter) string {
	if len(f.Labels) > 0 {
		return t.msg("place_need_label_" + f.Labels[0])
	}
	if len(f.Services) > 0 {
		return t.msg("place_need_service_" + f.Services[0])
	}
	return t.msg("place_need_service_" + knowledge.ServiceDemarches)
}

// km writes a distance: « 800 m », « 2,4 km », « 35 km ».
func (t *turn) km(d float64) string {
	switch {
	case d < 0.95: // 0.96 km is « 1 km », not « 1000 m »
		return strconv.Itoa(max(1, int(math.Round(d*10)))*100) + " m" // « 0 m » reads as a mistake
	case d < 10:
		s := strconv.FormatFloat(math.Round(d*10)/10, 'f', -1, 64)
		if langBase(t.lang()) == "fr" {
			s = strings.Replace(s, ".", ",", 1)
		}
		return s + " km"
	}
	return strconv.Itoa(int(math.Round(d))) + " km"
}

// mapLine links to the national map of digital-mediation places, on the
// town when known: the way to the places Boussole does not know. Only
// France has one.
func (t *turn) mapLine(tw bot.Town) string {
	j := cmp.Or(tw.Jurisdiction, t.jurisdiction())
	if j != "FR" {
		return "\n" + t.msg("place_map_none")
	}
	u := placesMapURL
	if !tw.IsZero() {
		q := url.Values{}
		q.Set("latitude", strconv.FormatFloat(tw.Lat, 'f', 4, 64))
		q.Set("longitude", strconv.FormatFloat(tw.Lon, 'f', 4, 64))
		q.Set("zoom", "12")
		u += "?" + q.Encode()
	}
	return "\n" + t.msg("place_map", "url", u)
}

// placesMapURL is the national map of digital-mediation places (ANCT);
// latitude, longitude and zoom centre it (documented in its repository,
// anct-cartographie-nationale/cartographie, « Intégrer la Cartographie via
// un lien URL »).
const placesMapURL = "https://cartographie.societenumerique.gouv.fr/"

func nonEmpty(s ...string) []string {
	return slices.DeleteFunc(s, func(x string) bool { return strings.TrimSpace(x) == "" })
}

// quieter writes a text published in capitals (« CENTRE COMMUNAL D'ACTION
// SOCIALE ») in sentence case: capitals read as shouting, and are harder
// to read for the people Boussole is for. Mixed case is left alone.
func quieter(s string) string {
	if s == strings.ToLower(s) || s != strings.ToUpper(s) {
		return s
	}
	first, size := utf8.DecodeRuneInString(s)
	return string(first) + strings.ToLower(s[size:])
}

// phoneNumber writes a French number as people dial it: « +33492372594 »
// → « 04 92 37 25 94 ». Other numbers are left as published.
func phoneNumber(n string) string {
	d := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, n)
	switch {
	case strings.HasPrefix(n, "+33") && len(d) == 11:
		d = "0" + d[2:]
	case strings.HasPrefix(d, "0") && len(d) == 10 && !strings.HasPrefix(n, "+"):
	default:
		return n
	}
	return d[0:2] + " " + d[2:4] + " " + d[4:6] + " " + d[6:8] + " " + d[8:10]
}
