package places

import (
	"cmp"
	"context"
	"slices"
	"strings"
)

// Context is what the conversation already knows of where the person is;
// it puts first, among homonyms, the town that fits it.
type Context struct {
	// Dept is a French département (« 36 », « 2A »), "" when unknown.
	Dept string
	// Jurisdiction is FR or QC, "" when unknown.
	Jurisdiction string
}

// fit is how well t fits c: 2 in its département, 1 on its side, else 0.
func (c Context) fit(t *Town) int {
	switch {
	case c.Dept != "" && strings.EqualFold(t.Dept, c.Dept):
		return 2
	case c.Jurisdiction != "" && t.Jurisdiction == c.Jurisdiction:
		return 1
	}
	return 0
}

// Found is the place a message names.
type Found struct {
	// Towns are the candidates, best first: every homonym, the one that
	// fits the context first, then the most populous. Empty when the
	// message names no town (« près de chez moi »: ask which), or names
	// only a Québec postal code or a territory (Jurisdiction says which).
	Towns []*Town
	// Postal is the postal code read: « 13011 », that of an arrondissement
	// (« Marseille 11e » → « 13011 »), a Canadian « H2X 1Y4 »; "" if none.
	Postal string
	// Jurisdiction is the side of the place: that of every candidate, or
	// of the first when the candidates are not Ambiguous; "" when unknown.
	Jurisdiction string
	// Rest is the message's folded words without the place and the words
	// leading to it (« un fab lab à Lyon » → « un fab lab »).
	Rest string
	// Ambiguous says the candidates are homonyms neither the context nor
	// their sizes tell apart: ask which (see Ambiguous).
	Ambiguous bool
}

// Find reads the place a request for a place names: « à Aubagne »,
// « 13011 », « cp 04000 », « autour de Gap », « vers Digne », « Marseille
// 11e », « France Services à Digne », « un fab lab à Lyon », or a message
// that is only a place's name (« Aubagne »). The engine calls it only when
// the message asks for a place: there « à » alone introduces a town and a
// five-digit number is a postal code, which Locate, reading every
// message, cannot assume. The first place named wins; a postal code
// further on narrows it (« à Ruffec, 36300 »). Typos are left to Lookup:
// in free text a misspelt name is too often another word. The look-up is
// in memory and fails only when ctx is done.
func (g *Gazetteer) Find(ctx context.Context, text string, prefer Context) (Found, error) {
	if err := ctx.Err(); err != nil {
		return Found{}, err
	}
	words, ms := g.read(text, true)
	if len(ms) == 0 {
		if towns, postal := g.whole(text, words, false); len(towns) > 0 {
			return found(towns, postal, "", "", prefer), nil
		}
		return Found{Rest: strings.Join(words, " ")}, nil
	}
	first := slices.IndexFunc(ms, func(m mention) bool { return len(m.towns) > 0 })
	if first < 0 {
		first = 0
	}
	m := ms[first]
	for _, o := range ms[first+1:] {
		if m.postal != "" || o.postal == "" || len(o.towns) == 0 {
			continue
		}
		if both := slices.DeleteFunc(slices.Clone(m.towns), func(t *Town) bool { return !slices.Contains(o.towns, t) }); len(both) > 0 {
			m.towns, m.postal = both, o.postal
		}
	}
	return found(m.towns, m.postal, m.jurisdiction, restOf(words, ms), prefer), nil
}

// found ranks the candidates and says what they leave open. j is the
// side the words name, used when there are no towns.
func found(towns []*Town, postal, j, rest string, prefer Context) Found {
	f := Found{Towns: rank(towns, prefer), Postal: postal, Rest: rest}
	if len(f.Towns) == 0 {
		f.Jurisdiction = j
		return f
	}
	// A postal code places the person whichever of its communes they
	// live in: they are neighbours.
	f.Ambiguous = postal == "" && Ambiguous(f.Towns, prefer)
	f.Jurisdiction = f.Towns[0].Jurisdiction
	if f.Ambiguous && slices.ContainsFunc(f.Towns, func(t *Town) bool { return t.Jurisdiction != f.Jurisdiction }) {
		f.Jurisdiction = ""
	}
	return f
}

// rank returns towns best first: those that fit prefer, then the most
// populous (a Québec municipality counting as bigTown inhabitants), then
// by name and code, so that the order never depends on a map's.
func rank(towns []*Town, prefer Context) []*Town {
	out := slices.Clone(towns)
	slices.SortStableFunc(out, func(a, b *Town) int {
		return cmp.Or(cmp.Compare(prefer.fit(b), prefer.fit(a)), cmp.Compare(weight(b), weight(a)),
			strings.Compare(a.Name, b.Name), strings.Compare(a.Code, b.Code))
	})
	return out
}

// weight is a town's size for ranking homonyms. The data gives no
// population for Québec: a municipality counts as bigTown, the size from
// which side reads a French commune's name as likely meant as Québec's.
func weight(t *Town) int {
	if t.Jurisdiction == QC {
		return bigTown
	}
	return t.Population
}

// Ambiguous says whether towns, ranked best first for prefer (as Find
// and Lookup return them), leave the person to be asked which they mean.
// They do not when there is one, when the first fits the context better
// than the second (Ruffec with a context in the Indre), or when the
// second is less than a tenth of the first: Ruffec (Charente, 3,449
// inhabitants) and Ruffec (Indre, 562) are asked about; Saint-Quentin
// (Aisne, 53,000) is not troubled by a village of the same name. Names on
// both sides are asked about unless side gives them one (« Montréal »:
// Québec's; « Laval »: ask).
func Ambiguous(towns []*Town, prefer Context) bool {
	if len(towns) < 2 {
		return false
	}
	a, b := towns[0], towns[1]
	if prefer.fit(a) != prefer.fit(b) {
		return false
	}
	if a.Jurisdiction != b.Jurisdiction {
		return side(towns) == ""
	}
	return weight(b)*10 >= weight(a)
}
