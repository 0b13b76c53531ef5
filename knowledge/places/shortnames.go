package places

import "strings"

// People call a town with a long name by its head: « Digne » for
// Digne-les-Bains, « Cherbourg » for Cherbourg-en-Cotentin, « Boulogne »,
// « Charleville ». The gazetteer knows the head of every French commune
// of shortMinPopulation inhabitants or more, and reads it as the town:
// alone when no town bears that name, with the towns of that name when
// they are all smaller (« Aix » is Aix-en-Provence or Aix-les-Bains before
// the hamlet of Aix in Corrèze; « Saint-Quentin » stays the Aisne's). In a
// message a head written in lower case counts only for a town of bigTown
// inhabitants or more (« à digne », not « à la ville »). Québec names are
// left whole: the data gives no population to tell a town from a village.

// shortMinPopulation is the smallest commune known by its head.
const shortMinPopulation = 5000

// shortForms indexes the heads of the communes' names.
func (g *Gazetteer) shortForms() {
	for _, t := range g.communes {
		if t.Population < shortMinPopulation {
			continue
		}
		h := shortName(t.key)
		if h == "" {
			continue
		}
		if _, seen := g.short[h]; !seen && maxPopulation(g.byName[h]) < minPopulation {
			g.typoKeys = append(g.typoKeys, h) // for typos: « digen »
		}
		g.short[h] = append(g.short[h], t)
	}
}

// shortName returns the head of a folded name, "" when it has none: the
// words before its first linking word (« digne » of « digne les bains »,
// « les sables » of « les sables d olonne », « saint die » of « saint die
// des vosges »), or the first of two joined names (« charleville » of
// « charleville mezieres »). An article or « Saint » is never a head by
// itself, nor is an ordinary word (shortStop).
func shortName(key string) string {
	words := strings.Fields(key)
	i := 0
	for i < len(words) && articles[words[i]] {
		i++
	}
	if i < len(words) && (words[i] == "saint" || words[i] == "sainte") {
		i++
	}
	if i >= len(words)-1 {
		return "" // « Le Mans », « Saint-Denis »: nothing to leave out
	}
	j := i + 1
	for j < len(words) && !links[words[j]] {
		j++
	}
	if j == len(words) {
		j = i + 1 // « Charleville-Mézières »
	}
	if shortStop[strings.Join(words[i:j], " ")] || len(words[j-1]) < 3 {
		return ""
	}
	return strings.Join(words[:j], " ")
}

var articles = map[string]bool{"la": true, "le": true, "les": true, "l": true}

// links are the words that join the parts of a name.
var links = map[string]bool{
	"de": true, "des": true, "du": true, "d": true, "en": true, "sur": true, "sous": true, "les": true, "lez": true,
	"la": true, "le": true, "l": true, "aux": true, "au": true, "et": true, "a": true, "saint": true, "sainte": true,
}

// shortStop are heads that are ordinary words or numbers (« Fort » of
// Fort-de-France, « Queue » of La Queue-en-Brie, « Grande » of
// Grande-Synthe, « Porto » of Porto-Vecchio, « Trois » of Trois-Bassins):
// « je suis à la queue », « I live in Porto » name no French town. Heads
// that are also a town's whole name are left to common-names.txt.
var shortStop = map[string]bool{
	"baie": true, "bain": true, "bains": true, "basse": true, "bois": true, "bon": true, "bons": true, "bouc": true,
	"camp": true, "champ": true, "champs": true, "chasse": true, "cinq": true, "croix": true, "deux": true, "entre": true,
	"etang": true, "etoile": true, "fontaine": true, "fontaines": true, "fort": true, "grand": true, "grande": true,
	"gros": true, "haute": true, "hauts": true, "ile": true, "mont": true, "morne": true, "moulins": true, "murs": true,
	"neuf": true, "notre": true, "petit": true, "petite": true, "pointe": true, "pont": true, "ponts": true, "port": true,
	"porto": true, "pre": true, "quatre": true, "queue": true, "rive": true, "rives": true, "riviere": true, "roche": true,
	"sable": true, "sept": true, "sin": true, "six": true, "trois": true, "val": true, "vieux": true, "ville": true,
}
