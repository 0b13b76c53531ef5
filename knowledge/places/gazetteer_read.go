package places

import (
	"slices"
	"strconv"
	"strings"

	"github.com/boussole/boussole/knowledge/analysis"
)

// Reading places in a message, shared by Locate and Find.
//
// A town's name counts only where the words say the person is there:
// « j'habite à Aubagne », « je suis à Rimouski », « près de Manosque »,
// « I live in Sherbrooke ». « j'ai parlé à Nancy », « écrit à Mathieu »,
// « un revenu de 20000 » name no place. Find, called only when the
// message asks for a place, reads more: « à » alone (« un fab lab à
// Lyon »), the Search words (« vers Gap », « autour de Gap ») and a postal
// code anywhere.

// mention is a place read in a message.
type mention struct {
	// from and to are the words [from, to) taken out of the rest: the
	// place and the words that lead to it.
	from, to int
	// towns are the candidates (nil for a Québec postal code or a French
	// territory's name).
	towns []*Town
	// postal is the postal code read (« 13011 », « H2X 1Y4 »), with a
	// town's arrondissement too (« Marseille 11e »).
	postal string
	// jurisdiction is the side the words name, as Locate reads it: ""
	// for a name on both sides or a hamlet's.
	jurisdiction string
}

// read returns the message's folded words and the places it names, in
// order. find widens what introduces a place (see above).
func (g *Gazetteer) read(text string, find bool) (words []string, ms []mention) {
	words = strings.Fields(analysis.Fold(text))
	canon := canonical(words)
	for i := 0; i < len(words); i++ {
		var m mention
		n, back := 0, 0
		switch w := words[i]; {
		case quebecPostal(words, i):
			n, m.jurisdiction = 1, QC
			if len(w) == 3 {
				n, w = 2, w+words[i+1]
			}
			m.postal = strings.ToUpper(w[:3] + " " + w[3:])
		case len(w) == 5 && allDigits(w) && len(g.postal[w]) > 0 && (find || g.w.postalBefore(words, i)):
			// « 13000 » alone may be an amount; after « à », « cp », « au »
			// it is a postal code. A request for a place has no amounts.
			m.towns, m.postal, m.jurisdiction, n = g.postal[w], w, FR, 1
			// « 13011 Marseille », « Aubagne 13400 »: the name goes too.
			n += g.nameAt(canon, i+1, m.towns)
			back = g.nameBefore(canon, i, m.towns)
		case g.w.placeBefore(words, i, find):
			m.towns, m.jurisdiction, n = g.townAt(text, canon, i, find)
			if n == 0 || len(m.towns) == 0 {
				break
			}
			if t, code, k := g.district(words, i+n, m.towns, false); k > 0 {
				m.towns, m.postal = []*Town{t}, code
				n += k
			}
		}
		if n == 0 {
			continue
		}
		m.from, m.to = i-back, i+n
		for m.from > 0 && g.w.leads(words[m.from-1], find) {
			m.from--
		}
		ms = append(ms, m)
		i += n - 1
	}
	return words, ms
}

// restOf returns the words outside the places read, joined.
func restOf(words []string, ms []mention) string {
	drop := make([]bool, len(words))
	for _, m := range ms {
		for k := m.from; k < m.to; k++ {
			drop[k] = true
		}
	}
	kept := make([]string, 0, len(words))
	for i, w := range words {
		if !drop[i] {
			kept = append(kept, w)
		}
	}
	return strings.Join(kept, " ")
}

// townAt reads the longest town name starting at canon[i]: its towns, its
// jurisdiction ("" when the name is on both sides or a hamlet's) and its
// length in words (0 when no name starts there or the name is more likely
// an ordinary word).
func (g *Gazetteer) townAt(text string, canon []string, i int, find bool) ([]*Town, string, int) {
	for n := min(g.longest, len(canon)-i); n > 0; n-- {
		name := strings.Join(canon[i:i+n], " ")
		towns, short := g.named(name)
		if len(towns) == 0 {
			continue
		}
		if g.common[name] && !capitalised(text, name) {
			return nil, "", 0
		}
		if short && !capitalised(text, name) && maxPopulation(towns) < bigTown {
			// « à la ville », « au pont »: a small town's head only when
			// written as a name.
			return nil, "", 0
		}
		if frenchTerritories[name] {
			return nil, FR, n
		}
		j := side(towns)
		if j == "" && !slices.ContainsFunc(towns, func(t *Town) bool { return t.Jurisdiction == QC || t.Population >= minPopulation }) {
			// A hamlet's name is more likely an ordinary word; in a request
			// for a place, written as a name it is one.
			if !find || !capitalised(text, name) {
				return nil, "", 0
			}
		}
		return towns, j, n
	}
	return nil, "", 0
}

// named returns the towns a key names: the towns of that name, and the
// towns whose name's head it is (shortName) when they are larger than
// all of those (« aix »: Aix-en-Provence before the hamlet of Aix).
// short says the key is only a head.
func (g *Gazetteer) named(key string) (towns []*Town, short bool) {
	exact, heads := g.byName[key], g.short[key]
	if len(heads) == 0 {
		return exact, false
	}
	if len(exact) == 0 {
		return heads, true
	}
	top := maxPopulation(exact)
	towns = slices.Clip(exact)
	for _, t := range heads {
		if t.Population > top {
			towns = append(towns, t)
		}
	}
	return towns, false
}

// maxPopulation is the largest weight among towns (a Québec municipality,
// whose population the data lacks, counts as a big town).
func maxPopulation(towns []*Town) int {
	top := 0
	for _, t := range towns {
		top = max(top, weight(t))
	}
	return top
}

// nameAt returns how many words from canon[j] name one of towns (0 if
// none).
func (g *Gazetteer) nameAt(canon []string, j int, towns []*Town) int {
	for n := min(g.longest, len(canon)-j); n > 0; n-- {
		if isNameOf(strings.Join(canon[j:j+n], " "), towns) {
			return n
		}
	}
	return 0
}

// nameBefore returns how many words before canon[i] name one of towns.
func (g *Gazetteer) nameBefore(canon []string, i int, towns []*Town) int {
	for n := min(g.longest, i); n > 0; n-- {
		if isNameOf(strings.Join(canon[i-n:i], " "), towns) {
			return n
		}
	}
	return 0
}

func isNameOf(key string, towns []*Town) bool {
	return slices.ContainsFunc(towns, func(t *Town) bool { return t.key == key })
}

// district reads an arrondissement's number at words[j] (« 11e », « 1er
// arrondissement », « 15 » when bare) and returns the town of towns that
// has the arrondissement, its postal code and the number of words read.
// The arrondissement of Paris, Lyon and Marseille is the postal code's
// last two digits (75015, 69003, 13011): a commune with several postal
// codes that has the code its first code's three digits and the number
// make has that arrondissement, which keeps Toulouse's 31200 from reading
// « Toulouse 2e ». In a message the number needs an ending (« 11e ») or
// the word « arrondissement »: « à Paris 2 jours » is not the 2nd.
func (g *Gazetteer) district(words []string, j int, towns []*Town, bare bool) (*Town, string, int) {
	if j >= len(words) {
		return nil, "", 0
	}
	w := words[j]
	d := 0
	for d < len(w) && isDigit(w[d]) {
		d++
	}
	if d == 0 || d > 2 {
		return nil, "", 0
	}
	num, _ := strconv.Atoi(w[:d])
	if num < 1 || num > 20 {
		return nil, "", 0
	}
	k := 1
	switch next := j + 1; {
	case d < len(w):
		if !g.w.ordinal[w[d:]] {
			return nil, "", 0
		}
	case next < len(words) && g.w.ordinal[words[next]]:
		k = 2 // « 11 ème »
	case bare || next < len(words) && g.w.district[words[next]]:
	default:
		return nil, "", 0
	}
	if j+k < len(words) && g.w.district[words[j+k]] {
		k++
	}
	for _, t := range towns {
		if len(t.PostalCodes) < 2 || len(t.PostalCodes[0]) != 5 {
			continue
		}
		code := t.PostalCodes[0][:3] + strconv.Itoa(num/10) + strconv.Itoa(num%10)
		if slices.Contains(t.PostalCodes, code) {
			return t, code, k
		}
	}
	return nil, "", 0
}

// leads reports whether w goes with a place taken out of a message.
func (ws wordSets) leads(w string, find bool) bool {
	return ws.alone[w] || ws.at[w] || ws.near[w] || ws.nearLink[w] || ws.being[w] || ws.postal[w] || ws.postalLink[w] || ws.lead[w] ||
		find && (ws.search[w] || ws.searchNear[w])
}

// placeBefore reports whether the words before words[i] introduce a
// place.
func (ws wordSets) placeBefore(words []string, i int, find bool) bool {
	if i == 0 {
		return false
	}
	prev, prev2 := words[i-1], ""
	if i >= 2 {
		prev2 = words[i-2]
	}
	return ws.alone[prev] || find && ws.search[prev] ||
		ws.at[prev] && (find || ws.being[prev2]) ||
		ws.nearLink[prev] && (ws.near[prev2] || find && ws.searchNear[prev2])
}

func (ws wordSets) postalBefore(words []string, i int) bool {
	if i == 0 {
		return false
	}
	prev := words[i-1]
	return ws.postal[prev] || ws.postalLink[prev] && i >= 2 && ws.postal[words[i-2]] || ws.placeBefore(words, i, false)
}
