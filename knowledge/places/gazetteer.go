// Package places knows where people and places are: a gazetteer of French
// communes and Québec municipalities (embedded, from ../shared/data/geo)
// that reads a town name or a postal code in a message.
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
	// Lat and Lon are 0 when the source has no coordinates.
	Lat, Lon float64
}

// Gazetteer finds towns and postal codes. It is immutable once built and
// safe for concurrent use.
type Gazetteer struct {
	// byName maps a folded name to its towns (several communes share a
	// name: « Saint-Martin »).
	byName map[string][]*Town
	// postal maps a French postal code to its communes.
	postal map[string][]*Town
	// common are names that are also ordinary words (« orange », « rue »):
	// read as a town only when written with a capital.
	common map[string]bool
	// longest is the most words a name has.
	longest int
}

// minPopulation is the smallest French commune whose name alone, after
// « à » or « près de », says the person is in France: below it, names
// of hamlets collide with ordinary words and phrases too often.
const minPopulation = 1000

// New reads the embedded gazetteer.
func New() (*Gazetteer, error) {
	g := &Gazetteer{byName: map[string][]*Town{}, postal: map[string][]*Town{}, common: map[string]bool{}}
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
	k := analysis.Fold(t.Name)
	g.byName[k] = append(g.byName[k], t)
	g.longest = max(g.longest, len(strings.Fields(k)))
}

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
func (g *Gazetteer) Towns(name string) []*Town { return g.byName[analysis.Fold(name)] }

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
	words := strings.Fields(analysis.Fold(text))
	found := ""
	drop := make([]bool, len(words))
	span := func(from, to int) {
		for from > 0 && (placeWords[words[from-1]] || atWords[words[from-1]] || nearWords[words[from-1]] || words[from-1] == "de" || beingWords[words[from-1]] || postalWords[words[from-1]] || leadWords[words[from-1]]) {
			from--
		}
		for k := from; k < to; k++ {
			drop[k] = true
		}
	}
	for i := 0; i < len(words); i++ {
		j, n := "", 0
		switch w := words[i]; {
		case quebecPostal(words, i):
			j, n = QC, 1
			if len(w) == 3 {
				n = 2
			}
		case len(w) == 5 && allDigits(w) && len(g.postal[w]) > 0 && postalBefore(words, i):
			// « 13000 » alone may be an amount; after « à », « cp », « au »
			// it is a postal code.
			j, n = FR, 1
		case placeBefore(words, i):
			j, n = g.townAt(text, words, i)
		}
		if n == 0 {
			continue
		}
		if j != "" {
			if found != "" && found != j {
				return "", strings.Join(words, " ")
			}
			found = j
		}
		span(i, i+n)
		i += n - 1
	}
	kept := words[:0]
	for i, w := range words {
		if !drop[i] {
			kept = append(kept, w)
		}
	}
	return found, strings.Join(kept, " ")
}

// townAt reads the longest town name starting at words[i] and returns its
// jurisdiction ("" when the name is on both sides) and its length in
// words (0 when no name starts there).
func (g *Gazetteer) townAt(text string, words []string, i int) (string, int) {
	for n := min(g.longest, len(words)-i); n > 0; n-- {
		name := strings.Join(words[i:i+n], " ")
		towns := g.byName[name]
		if len(towns) == 0 {
			continue
		}
		if g.common[name] && !capitalised(text, name) {
			return "", 0
		}
		if frenchTerritories[name] {
			return FR, n
		}
		j := side(towns)
		if j == "" && !slices.ContainsFunc(towns, func(t *Town) bool { return t.Jurisdiction == QC || t.Population >= minPopulation }) {
			// A hamlet's name is more likely an ordinary word.
			return "", 0
		}
		return j, n
	}
	return "", 0
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

// A town's name counts only where the words say the person is there:
// « j'habite à Aubagne », « je suis à Rimouski », « près de Manosque »,
// « I live in Sherbrooke ». « j'ai parlé à Nancy », « écrit à Mathieu »,
// « un revenu de 20000 » name no place.

// placeWords introduce a place by themselves.
var placeWords = map[string]bool{
	"habite": true, "habites": true, "habitons": true, "habitez": true, "reside": true, "residons": true,
	"in": true, "near": true,
}

// atWords (« à », « au ») introduce a place after a word of being or
// living there: « je suis à », « je vis à », « on est au ».
var atWords = map[string]bool{"a": true, "au": true, "aux": true}

var beingWords = map[string]bool{
	"suis": true, "sommes": true, "est": true, "sont": true, "vis": true, "vit": true, "vivons": true, "vivent": true,
	"habite": true, "habites": true, "habitons": true, "reside": true, "installe": true, "installee": true, "installes": true,
	"demenage": true, "arrive": true, "arrivee": true, "travaille": true, "live": true, "lives": true, "living": true, "based": true,
}

// nearWords are « près de », « proche de », « région de », « ville de »
// (two words: the first, then « de » or « d »).
var nearWords = map[string]bool{"pres": true, "proche": true, "region": true, "ville": true, "banlieue": true, "cote": true}

// postalWords introduce a postal code: « cp 13001 », « à 75011 »,
// « code postal 13001 », « mon code postal est 13001 ».
var postalWords = map[string]bool{"a": true, "au": true, "cp": true, "postal": true}

func placeBefore(words []string, i int) bool {
	if i == 0 {
		return false
	}
	prev := words[i-1]
	switch {
	case placeWords[prev]:
		return true
	case atWords[prev]:
		return i >= 2 && beingWords[words[i-2]]
	case prev == "de" || prev == "d":
		return i >= 2 && nearWords[words[i-2]]
	}
	return false
}

func postalBefore(words []string, i int) bool {
	if i == 0 {
		return false
	}
	prev := words[i-1]
	return postalWords[prev] || prev == "est" && i >= 2 && words[i-2] == "postal" || placeBefore(words, i)
}

// leadWords lead to a place without introducing one on their own (« mon
// code postal est », « je suis à »): they go with the place when it is
// taken out of the message.
var leadWords = map[string]bool{
	"je": true, "j": true, "on": true, "nous": true, "mon": true, "ma": true, "notre": true, "code": true,
	"i": true, "am": true, "m": true, "we": true, "are": true, "my": true, "is": true, "zip": true, "postcode": true,
}

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
