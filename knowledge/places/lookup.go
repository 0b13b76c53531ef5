package places

import (
	"context"
	"slices"
	"strings"

	"github.com/boussole/boussole/knowledge/analysis"
)

// Lookup reads a whole reply as a place, as to « Dans quelle ville ? »:
// a town's name (« Aubagne », « st tropez », « Saint Tropez »,
// « ste maxime », « Trois-Rivieres », « Digne » for Digne-les-Bains), a
// postal code (« 04000 », « 13400 Aubagne »), an arrondissement
// (« Marseille 11e », « Paris 15 »), a name and its département
// (« Ruffec 36 »), after « à », « près de »… Accents, case, hyphens and
// apostrophes do not matter. When no name matches exactly, typos are
// tolerated: one edit (a letter added, missing, wrong, or two swapped)
// from five letters, two from nine; the nearest names win. It returns
// the towns best first (Ambiguous says whether to ask which), nothing
// when no town is close. The look-up is in memory and fails only when
// ctx is done.
func (g *Gazetteer) Lookup(ctx context.Context, name string, prefer Context) ([]*Town, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	towns, _ := g.whole(name, strings.Fields(analysis.Fold(name)), true)
	return rank(towns, prefer), nil
}

// whole reads words, all of text, as one place and returns the
// candidates and the postal code read. It reads names exactly first:
// all the words, then without each word that leads to a place
// (« à Aubagne », « près de Gap »; all the words first, as a town may be
// named « Vers »). Then, if typos, the words after those, with typos.
func (g *Gazetteer) whole(text string, words []string, typos bool) ([]*Town, string) {
	canon := canonical(words)
	start := 0
	for ; start < len(canon); start++ {
		if towns, postal := g.exact(text, canon[start:], !typos, false); len(towns) > 0 {
			return towns, postal
		}
		if !g.w.leads(words[start], true) {
			break
		}
	}
	if !typos || start == len(canon) {
		return nil, ""
	}
	return g.exact(text, canon[start:], false, true)
}

// exact reads canon as a place: a postal code with or without its town's
// name, a name with an arrondissement or a département, or a name. strict
// asks an ordinary word (« orange ») to be written as a name; typos reads
// names with typos.
func (g *Gazetteer) exact(text string, canon []string, strict, typos bool) ([]*Town, string) {
	n := len(canon)
	if n == 0 {
		return nil, ""
	}
	for _, at := range []int{0, n - 1} {
		code := canon[at]
		if len(code) != 5 || !allDigits(code) {
			continue
		}
		rest := canon[1:]
		if at > 0 {
			rest = canon[:n-1]
		}
		towns := g.postal[code]
		if len(towns) == 0 {
			// A CEDEX or mistyped code: the name, if any, says more.
			if n == 1 {
				return nil, ""
			}
			return g.nameOf(text, rest, strict, typos), ""
		}
		if n == 1 {
			return towns, code
		}
		if named := g.nameOf(text, rest, strict, typos); len(named) > 0 {
			if both := slices.DeleteFunc(slices.Clone(named), func(t *Town) bool { return !slices.Contains(towns, t) }); len(both) > 0 {
				return both, code
			}
		}
		return towns, code // the code says more than a name not its own
	}
	if towns := g.nameOf(text, canon, strict, typos); len(towns) > 0 {
		return towns, ""
	}
	// « Marseille 11e », « Marseille 11 ème arrondissement », « Paris 15 »,
	// « Ruffec 36 »; « Ruffec (Indre) » is not read.
	for k := 1; k <= 3 && k < n; k++ {
		if !isDigit(canon[n-k][0]) {
			continue
		}
		towns := g.nameOf(text, canon[:n-k], strict, typos)
		if len(towns) == 0 {
			continue
		}
		if t, code, read := g.district(canon, n-k, towns, true); read == k {
			return []*Town{t}, code
		}
		if k == 1 {
			if in := inDept(towns, canon[n-1]); len(in) > 0 {
				return in, ""
			}
		}
	}
	return nil, ""
}

// nameOf returns the towns words name, with typos if asked.
func (g *Gazetteer) nameOf(text string, words []string, strict, typos bool) []*Town {
	name := strings.Join(words, " ")
	if !typos {
		towns, _ := g.named(name)
		if strict && g.common[name] && !capitalised(text, name) {
			return nil
		}
		return towns
	}
	keys, _ := g.typos.search(name)
	var towns []*Town
	for _, k := range keys {
		t, _ := g.named(k)
		towns = append(towns, t...)
	}
	return towns
}

// inDept returns the towns of a département: « 36 », « 2a », « 974 »,
// « 6 » for the Alpes-Maritimes.
func inDept(towns []*Town, dept string) []*Town {
	if len(dept) == 1 && isDigit(dept[0]) {
		dept = "0" + dept
	}
	var out []*Town
	for _, t := range towns {
		if strings.EqualFold(t.Dept, dept) {
			out = append(out, t)
		}
	}
	return out
}

// Commune returns the commune of an imported place's address: by its
// INSEE code first; then by its postal code, the commune of that name
// (exactly, or within typos, or whose name begins the given one:
// « Marseille 11e Arrondissement ») or else the code's most populous
// commune, its neighbours being close; then by name alone, when the name
// is not ambiguous (a place put in the wrong Ruffec is worse than a place
// left out). « Cedex » and what follows it are ignored. Québec
// municipalities are found by name.
func (g *Gazetteer) Commune(insee, postal, name string) (*Town, bool) {
	if insee = strings.ToUpper(strings.TrimSpace(insee)); insee != "" {
		if i, ok := slices.BinarySearchFunc(g.communes, insee, func(t *Town, c string) int { return strings.Compare(t.Code, c) }); ok {
			return g.communes[i], true
		}
	}
	words := canonical(strings.Fields(analysis.Fold(name)))
	if i := slices.Index(words, "cedex"); i >= 0 {
		words = words[:i]
	}
	k := strings.Join(words, " ")
	if towns := g.postal[strings.TrimSpace(postal)]; len(towns) > 0 {
		if t := nameIn(towns, k); t != nil {
			return t, true
		}
		return rank(towns, Context{})[0], true
	}
	if k == "" {
		return nil, false
	}
	towns, _ := g.named(k)
	if len(towns) == 0 {
		return nil, false
	}
	towns = rank(towns, Context{})
	if Ambiguous(towns, Context{}) {
		return nil, false
	}
	return towns[0], true
}

// nameIn returns the town of towns that key names, nil if none.
func nameIn(towns []*Town, key string) *Town {
	if key == "" {
		return nil
	}
	for _, t := range towns {
		if t.key == key {
			return t
		}
	}
	for _, t := range towns {
		if strings.HasPrefix(key, t.key+" ") {
			return t
		}
	}
	for _, t := range towns {
		if analysis.Distance(key, t.key, maxEdits(key)) <= maxEdits(key) {
			return t
		}
	}
	return nil
}
