// Package places knows where people and places are: a gazetteer of French
// communes and Québec municipalities (embedded, from ../shared/data/geo)
// that reads a town name or a postal code in a message and gives every
// town coordinates.
//
// Three readings share one index:
//   - Locate (and Jurisdiction) reads where a message says the person is,
//     only after words saying so (« j'habite à », « près de »), on every
//     message: it must not mistake a word for a town.
//   - Find reads the place a request for a place names (« un fab lab à
//     Lyon », « autour de Gap », « 13011 », « Marseille 11e »); the engine
//     calls it only for such requests, so « à » alone introduces a town.
//   - Lookup reads a whole reply as a place (« st tropez », « marseile »,
//     « 04000 »), typos included.
//
// Names are compared folded (no accents, no capitals, hyphens and
// apostrophes as spaces) with « St », « Ste » read as « Saint », « Sainte ».
// A long name's head stands for it (« Digne » is Digne-les-Bains,
// « Cherbourg » Cherbourg-en-Cotentin): see shortnames.go. Homonyms are
// ranked by a conversation's Context, then population; Ambiguous says
// when to ask which one is meant.
package places

import (
	"bytes"
	"compress/gzip"
	"context"
	"embed"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/boussole/boussole/knowledge/analysis"
)

//go:embed geodata/communes-fr.csv.gz geodata/municipalites-qc.csv.gz geodata/common-names.txt
var geodata embed.FS

// Jurisdiction codes the gazetteer places towns in.
const (
	FR = "FR"
	QC = "QC"
)

// Town is a French commune or a Québec municipality.
type Town struct {
	Name         string
	Jurisdiction string
	// Code is the INSEE code of a French commune ("" in Québec).
	Code string
	// Dept is the French département ("13", "2A", "971").
	Dept        string
	Population  int
	PostalCodes []string
	// Lat and Lon are WGS84 degrees, for every town: where the source has
	// none they are approximate (Approx), see approximate.
	Lat, Lon float64
	// Approx says Lat and Lon are an estimate: the mean of the communes
	// sharing a postal code, or the département's or territory's centre.
	Approx bool
	// key is the folded name, « St » read « Saint »: the index's key.
	key string
}

// Gazetteer finds towns and postal codes. It is immutable once built and
// safe for concurrent use.
type Gazetteer struct {
	// byName maps a town's key (Town.key) to its towns (several communes
	// share a name: « Saint-Martin »).
	byName map[string][]*Town
	// short maps the head of a long name to its towns: « digne »,
	// « cherbourg » (shortName).
	short map[string][]*Town
	// postal maps a French postal code to its communes.
	postal map[string][]*Town
	// communes are the French communes by INSEE code.
	communes []*Town
	// common are names that are also ordinary words (« orange », « rue »):
	// read as a town only when written with a capital.
	common map[string]bool
	// longest is the most words a name has.
	longest int
	// typos finds names within typos of a misspelt one. Only names of a
	// town of minPopulation inhabitants or more are there: a misspelt
	// name is that of a town many people write, not a hamlet's, whose
	// people write it right (« merci » is no typo for Mercy, Allier).
	typos *typoIndex
	// typoKeys are its keys, in the files' order, while New builds it.
	typoKeys []string
	// w are the words that say a place follows (Words, folded).
	w wordSets
}

// Words are the words that say where the person is, by what they do in a
// message; the message catalogue holds them (words_place_*), for every
// language, and the wiring passes them here. Matching is on folded words
// (no accents, no capitals; « d' » is « d »).
type Words struct {
	// Alone introduce a place by themselves: « j'habite Aubagne », « in
	// Sherbrooke ».
	Alone []string
	// At (« à », « au ») introduce a place after a Being word: « je suis
	// à », « je vis à »; in a request for a place (Find), by themselves:
	// « un fab lab à Lyon ».
	At    []string
	Being []string
	// Near, then a NearLink (« de », « d' »), introduce a place: « près
	// de », « région de ».
	Near     []string
	NearLink []string
	// Postal introduce a postal code: « cp 13001 », « à 75011 »; after
	// PostalLink too when it follows « postal » (« code postal est »).
	Postal     []string
	PostalLink []string
	// Lead go with the place when it is taken out of the message (« mon
	// code postal est », « je suis à ») without introducing one.
	Lead []string
	// Search introduce a place by themselves in a request for a place
	// (Find only): « vers Gap », « sur Marseille », « around Lyon ».
	Search []string
	// SearchNear, then a NearLink, introduce one there (Find only):
	// « autour de Gap », « aux alentours de Digne ».
	SearchNear []string
	// Ordinal are the endings of an arrondissement's number (« 11e »,
	// « 1er », « 15ème », « 3rd »); District the word that may follow it
	// (« arrondissement »). Without them, « Marseille 11e » is Marseille.
	Ordinal  []string
	District []string
}

// WordsFrom reads Words from a list of words per catalogue key
// (words_place_alone, words_place_at…), every language together.
func WordsFrom(list func(key string) []string) Words {
	return Words{
		Alone: list("words_place_alone"), At: list("words_place_at"), Being: list("words_place_being"),
		Near: list("words_place_near"), NearLink: list("words_place_near_link"),
		Postal: list("words_place_postal"), PostalLink: list("words_place_postal_link"), Lead: list("words_place_lead"),
		Search: list("words_place_search"), SearchNear: list("words_place_search_near"),
		Ordinal: list("words_place_ordinal"), District: list("words_place_district"),
	}
}

type wordSets struct {
	alone, at, being, near, nearLink, postal, postalLink, lead map[string]bool
	search, searchNear, ordinal, district                      map[string]bool
}

func setOf(ws []string) map[string]bool {
	m := make(map[string]bool, len(ws))
	for _, w := range ws {
		if f := analysis.Fold(w); f != "" {
			m[f] = true
		}
	}
	return m
}

// minPopulation is the smallest French commune whose name alone, after
// « à » or « près de », says the person is in France: below it, names
// of hamlets collide with ordinary words and phrases too often.
const minPopulation = 1000

// Sizes of the embedded files, to size the maps once.
const (
	communeCount = 35000
	postalCount  = 6400
)

// New reads the embedded gazetteer; w are the words that introduce a
// place (the catalogue's words_place_*; Search, SearchNear, Ordinal and
// District may be empty: Find then reads fewer forms).
func New(w Words) (*Gazetteer, error) {
	if len(w.Alone) == 0 || len(w.At) == 0 || len(w.Being) == 0 || len(w.Postal) == 0 {
		return nil, errors.New("gazetteer: no words introduce a place (words_place_alone, _at, _being, _postal)")
	}
	g := &Gazetteer{byName: make(map[string][]*Town, communeCount),
		short: map[string][]*Town{}, postal: make(map[string][]*Town, postalCount),
		communes: make([]*Town, 0, communeCount), common: map[string]bool{},
		w: wordSets{alone: setOf(w.Alone), at: setOf(w.At), being: setOf(w.Being), near: setOf(w.Near), nearLink: setOf(w.NearLink),
			postal: setOf(w.Postal), postalLink: setOf(w.PostalLink), lead: setOf(w.Lead),
			search: setOf(w.Search), searchNear: setOf(w.SearchNear), ordinal: setOf(w.Ordinal), district: setOf(w.District)}}
	if err := g.readCSV("geodata/communes-fr.csv.gz", g.addCommune); err != nil {
		return nil, err
	}
	if err := g.readCSV("geodata/municipalites-qc.csv.gz", g.addMunicipality); err != nil {
		return nil, err
	}
	words, err := geodata.ReadFile("geodata/common-names.txt")
	if err != nil {
		return nil, fmt.Errorf("gazetteer: %w", err)
	}
	for _, l := range strings.Split(string(words), "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			g.common[l] = true
		}
	}
	// Commune finds INSEE codes by binary search; the file is sorted, so
	// this costs one pass.
	byCode := func(a, b *Town) int { return strings.Compare(a.Code, b.Code) }
	if !slices.IsSortedFunc(g.communes, byCode) {
		slices.SortFunc(g.communes, byCode)
	}
	g.approximate()
	g.shortForms()
	g.typos = newTypoIndex(g.typoKeys)
	g.typoKeys = nil
	return g, nil
}

// row is a CSV record read by column name.
type row struct {
	rec []string
	col map[string]int
}

func (r row) get(name string) string {
	if i, ok := r.col[name]; ok && i < len(r.rec) {
		return r.rec[i]
	}
	return ""
}

func (g *Gazetteer) readCSV(name string, add func(row) error) error {
	raw, err := geodata.ReadFile(name)
	if err != nil {
		return fmt.Errorf("gazetteer: %w", err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		return fmt.Errorf("gazetteer %s: %w", name, err)
	}
	r := csv.NewReader(zr)
	r.ReuseRecord = true
	head, err := r.Read()
	if err != nil {
		return fmt.Errorf("gazetteer %s: header: %w", name, err)
	}
	col := make(map[string]int, len(head))
	for i, h := range head {
		col[h] = i
	}
	for line := 2; ; line++ {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("gazetteer %s: %w", name, err)
		}
		if err := add(row{rec, col}); err != nil {
			return fmt.Errorf("gazetteer %s line %d: %w", name, line, err)
		}
	}
}

func (g *Gazetteer) addCommune(r row) error {
	t := &Town{Name: r.get("nom"), Jurisdiction: FR, Code: r.get("code_insee"), Dept: r.get("departement")}
	var err error
	if p := r.get("population"); p != "" {
		if t.Population, err = strconv.Atoi(p); err != nil {
			return fmt.Errorf("population: %w", err)
		}
	}
	if t.Lat, t.Lon, err = coords(r); err != nil {
		return err
	}
	for _, p := range strings.Fields(strings.ReplaceAll(r.get("codes_postaux"), "|", " ")) {
		t.PostalCodes = append(t.PostalCodes, p)
		g.postal[p] = append(g.postal[p], t)
	}
	g.communes = append(g.communes, t)
	g.add(t)
	return nil
}

func (g *Gazetteer) addMunicipality(r row) error {
	t := &Town{Name: r.get("nom"), Jurisdiction: QC}
	var err error
	if t.Lat, t.Lon, err = coords(r); err != nil {
		return err
	}
	g.add(t)
	return nil
}

func (g *Gazetteer) add(t *Town) {
	t.key = key(t.Name)
	towns, seen := g.byName[t.key]
	if !seen {
		g.longest = max(g.longest, strings.Count(t.key, " ")+1)
	}
	if weight(t) >= minPopulation && maxPopulation(towns) < minPopulation {
		g.typoKeys = append(g.typoKeys, t.key) // its first town of that size
	}
	g.byName[t.key] = append(towns, t)
}

// key folds a name and reads the abbreviations « St », « Ste » as the
// words they stand for: « St-Jean-Port-Joli », « st tropez ».
func key(name string) string {
	f := analysis.Fold(name)
	if !strings.HasPrefix(f, "st") && !strings.Contains(f, " st") {
		return f // most names: no need to split
	}
	return strings.Join(canonical(strings.Fields(f)), " ")
}

// canonical returns folded words with « st », « ste » written out; words
// itself when there is none.
func canonical(words []string) []string {
	out, copied := words, false
	for i, w := range words {
		long, ok := abbreviations[w]
		if !ok {
			continue
		}
		if !copied {
			out, copied = slices.Clone(words), true
		}
		out[i] = long
	}
	return out
}

// abbreviations are the abbreviated words of town names.
var abbreviations = map[string]string{"st": "saint", "ste": "sainte", "sts": "saints", "stes": "saintes"}

func coords(r row) (lat, lon float64, err error) {
	la, lo := r.get("latitude"), r.get("longitude")
	if la == "" || lo == "" {
		return 0, 0, nil
	}
	if lat, err = strconv.ParseFloat(la, 64); err != nil {
		return 0, 0, fmt.Errorf("latitude: %w", err)
	}
	if lon, err = strconv.ParseFloat(lo, 64); err != nil {
		return 0, 0, fmt.Errorf("longitude: %w", err)
	}
	return lat, lon, nil
}

// Towns returns the towns of that name (any case and accents).
func (g *Gazetteer) Towns(name string) []*Town { return g.byName[key(name)] }

// Postal returns the French communes of a postal code.
func (g *Gazetteer) Postal(code string) []*Town { return g.postal[code] }

// Jurisdiction returns where the message's words place the person: a
// French postal code or a Canadian one of Québec (G, H, J), a town name
// after a word such as « à », « près de », « j'habite », « in ». It
// returns "" when the message names no place, or places on both sides.
func (g *Gazetteer) Jurisdiction(text string) string {
	j, _ := g.locate(text)
	return j
}

// Locate is Jurisdiction, with the rest of the message: its folded words
// without the place and the words introducing it (« j'habite à Rimouski,
// mon permis » → « j mon permis »), so that a town's name does not steer
// a search. The look-up is in memory and fails only when ctx is done;
// the context and error let a remote gazetteer sit behind the same
// interface.
func (g *Gazetteer) Locate(ctx context.Context, text string) (jurisdiction, rest string, err error) {
	if err := ctx.Err(); err != nil {
		return "", "", err
	}
	jurisdiction, rest = g.locate(text)
	return jurisdiction, rest, nil
}

func (g *Gazetteer) locate(text string) (jurisdiction, rest string) {
	words, ms := g.read(text, false)
	for _, m := range ms {
		if m.jurisdiction == "" {
			continue
		}
		if jurisdiction != "" && jurisdiction != m.jurisdiction {
			return "", strings.Join(words, " ")
		}
		jurisdiction = m.jurisdiction
	}
	return jurisdiction, restOf(words, ms)
}

// side is the one jurisdiction a name belongs to. A name on both sides
// counts for Québec when every French commune of that name is small and
// in mainland France (« Montréal » in the Aude), and for no side
// otherwise (« Laval »,
// « Trois-Rivières » in Guadeloupe,
// « Verdun »).
func side(towns []*Town) string {
	fr, qc := 0, false
	for _, t := range towns {
		switch {
		case t.Jurisdiction == QC:
			qc = true
		case strings.HasPrefix(t.Dept, "97"):
			// Overseas, a commune's name is what its people say
			// (« Trois-Rivières », « Saint-Philippe »): never Québec's.
			fr = max(fr, bigTown)
		default:
			fr = max(fr, t.Population)
		}
	}
	switch {
	case qc && fr < bigTown:
		return QC
	case qc:
		return ""
	case fr >= minPopulation:
		return FR
	}
	return ""
}

// bigTown is the population from which a French commune's name is as
// likely meant as a Québec municipality's of the same name.
const bigTown = 10000

// frenchTerritories are names of French regions overseas that are also
// Québec municipalities' (« La Guadeloupe »): France.
var frenchTerritories = map[string]bool{
	"guadeloupe": true, "la guadeloupe": true, "martinique": true, "la martinique": true, "guyane": true,
	"la reunion": true, "reunion": true, "mayotte": true,
}

// quebecPostal reads a Canadian postal code of Québec at words[i]: « H2X
// 1Y4 » or « h2x1y4 » (Québec's codes start with G, H or J).
func quebecPostal(words []string, i int) bool {
	w := words[i]
	if len(w) == 6 {
		return fsa(w[:3]) && ldu(w[3:])
	}
	return len(w) == 3 && fsa(w) && i+1 < len(words) && ldu(words[i+1])
}

func fsa(s string) bool {
	return len(s) == 3 && (s[0] == 'g' || s[0] == 'h' || s[0] == 'j') && isDigit(s[1]) && isLetter(s[2])
}

func ldu(s string) bool { return len(s) == 3 && isDigit(s[0]) && isLetter(s[1]) && isDigit(s[2]) }

func isDigit(c byte) bool  { return '0' <= c && c <= '9' }
func isLetter(c byte) bool { return 'a' <= c && c <= 'z' }

func allDigits(s string) bool {
	for i := range len(s) {
		if !isDigit(s[i]) {
			return false
		}
	}
	return s != ""
}

// capitalised says whether the message writes the folded name with an
// initial capital somewhere (« à Orange », not « une orange »).
func capitalised(text, name string) bool {
	for i, r := range text {
		if !unicode.IsUpper(r) {
			continue
		}
		if strings.HasPrefix(analysis.Fold(text[i:]), name) && (i == 0 || !isWordRune(text, i)) {
			return true
		}
	}
	return false
}

// isWordRune says whether the rune before byte i of text is a letter.
func isWordRune(text string, i int) bool {
	r, _ := utf8.DecodeLastRuneInString(text[:i])
	return i > 0 && unicode.IsLetter(r)
}
