package knowledge

import (
	"net/url"
	"slices"
	"strings"
	"time"
)

// PreferCurated returns a copy of b without the imported sheets that a
// hand-written item stands for, and how many it left out. An admin who
// wrote an item for the need a sheet serves (the lost identity card: the
// cost, the documents, the steps) wants it shown instead of the sheet, not
// beside it. A hand-written item stands for:
//
//   - the imported items its replaces: list names;
//   - the imported items whose source is its first source (compared by sourceKey:
//     scheme, « www. », a trailing slash and the audience part of a
//     service-public.fr path do not count).
//
// An item for one jurisdiction stands for no sheet of another. An id that
// is not an imported item is ignored here (Review reports it).
// b itself is left as it was: `boussole eval` and `ask` measure the
// catalogue whole, and Validate checks trees against every sheet.
//
// The sheets left out keep working by id: Base.Item gives the item shown
// instead of them, so a tree, a stored conversation or a mediator's
// « envoyer F1344 » written with the sheet's id leads to the admins' item
// rather than to « fiche introuvable ». Imported items' links to a sheet
// left out (Related, Mentions) are moved to that item, so the words and
// links other sheets give it are not lost to search. When several items
// stand for one sheet, its id leads to the one that names it in replaces:,
// then to one whose first source it is (the sheet it was written from),
// then to the first in file order.
func (b *Base) PreferCurated() (*Base, int) {
	// Each imported item under each of its keys: its id and its sources.
	sheets := map[string][]*Item{}
	for _, it := range b.Items {
		if it == nil || it.Origin == "" {
			continue
		}
		for _, s := range it.Sources {
			if k := sourceKey(s); k != "" {
				sheets[k] = append(sheets[k], it)
			}
		}
	}
	type claim struct {
		by   string
		rank int // lower wins: replaces:, then first source
	}
	claims := map[string]claim{}
	stake := func(sheet, by *Item, rank int) {
		// The people a sheet serves must be able to see the item shown
		// instead: a Québec item citing a French sheet leaves it be.
		if by.Jurisdiction != "" && sheet.Jurisdiction != "" && by.Jurisdiction != sheet.Jurisdiction {
			return
		}
		if c, ok := claims[sheet.ID]; !ok || rank < c.rank {
			claims[sheet.ID] = claim{by.ID, rank}
		}
	}
	for _, it := range b.Items {
		if it == nil || it.Origin != "" || it.ID == "" {
			continue
		}
		for _, id := range it.Replaces {
			if sheet := b.items[id]; sheet != nil && sheet.Origin != "" {
				stake(sheet, it, 0)
			}
		}
		// Only the first source says what need the item meets: the others
		// are often wider sheets it borrows from (« all papers stolen »
		// cited by the lost card), which must stay answerable on their own;
		// replaces: names any other sheet the item stands for.
		if len(it.Sources) > 0 {
			for _, sheet := range sheets[sourceKey(it.Sources[0])] {
				stake(sheet, it, 1)
			}
		}
	}
	if len(claims) == 0 {
		return b, 0
	}
	replacedBy := make(map[string]string, len(claims)+len(b.replacedBy))
	for id, c := range claims {
		replacedBy[id] = c.by
	}
	for id, by := range b.replacedBy {
		replacedBy[id] = by
	}
	items := make([]*Item, 0, len(b.Items)-len(claims))
	for _, it := range b.Items {
		if it == nil || it.Origin == "" {
			items = append(items, it)
			continue
		}
		if _, gone := claims[it.ID]; gone {
			continue
		}
		items = append(items, relink(it, replacedBy))
	}
	nb := NewBase(items, b.Trees, b.Synonyms)
	nb.synonymPos, nb.replacedBy = b.synonymPos, replacedBy
	return nb, len(claims)
}

// relink returns it with its links to replaced sheets moved to the items
// shown instead, or it itself when it links to none. The item is copied:
// the base PreferCurated was given keeps its own.
func relink(it *Item, replacedBy map[string]string) *Item {
	moved := func(id string) bool { _, ok := replacedBy[id]; return ok }
	links := slices.ContainsFunc(it.Related, moved)
	for _, m := range it.Mentions {
		links = links || moved(m.To)
	}
	if !links {
		return it
	}
	c := *it
	c.Related = make([]string, 0, len(it.Related))
	for _, id := range it.Related {
		if by, ok := replacedBy[id]; ok {
			id = by
		}
		if !slices.Contains(c.Related, id) {
			c.Related = append(c.Related, id)
		}
	}
	c.Mentions = make([]Mention, len(it.Mentions))
	for i, m := range it.Mentions {
		if by, ok := replacedBy[m.To]; ok {
			m.To = by
		}
		c.Mentions[i] = m
	}
	return &c
}

// servicePublicHosts are the service-public sites: the catalogue moved
// from service-public.fr to service-public.gouv.fr in 2024, and an admin
// copies today's address while the imported sheet may carry the old one.
var servicePublicHosts = []string{"service-public.fr", "service-public.gouv.fr"}

// sourceKey is what two source addresses of the same page share, or ""
// for text that is not a web address. The scheme, « www. », the case of
// the host, a trailing slash and a #fragment do not count. A
// service-public sheet is its id: the site publishes it under each
// audience's path (/particuliers/vosdroits/F1344,
// /professionnels-entreprises/vosdroits/F1344), and an admin may cite any.
func sourceKey(s string) string {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil || u.Hostname() == "" {
		return ""
	}
	host := strings.TrimPrefix(strings.ToLower(u.Hostname()), "www.")
	path := strings.TrimRight(u.Path, "/")
	if slices.Contains(servicePublicHosts, host) {
		parts := strings.Split(path, "/")
		if n := len(parts); n >= 2 && parts[n-2] == "vosdroits" && parts[n-1] != "" {
			return "service-public:" + strings.ToUpper(parts[n-1])
		}
		host = servicePublicHosts[0]
	}
	key := host + path
	if u.RawQuery != "" {
		key += "?" + u.RawQuery
	}
	return key
}

// MarkStale returns a copy of b where each imported item dated more than
// months months before today says so (StaleMonths), and how many do. The
// answer then tells the citizen to check the official site: a sheet
// imported years ago may give an old amount or a closed procedure.
// Hand-written items are left out: their date is an admin's review, which
// Review asks them to renew every year.
//
// today comes from the program's clock; the age is that of the day the
// knowledge is loaded (at start, with the sheets imported so far). b's
// items are not changed: the marked ones are copies.
func (b *Base) MarkStale(today time.Time, months int) (*Base, int) {
	if months < 1 {
		return b, 0
	}
	day := calendarDay(today)
	items := make([]*Item, len(b.Items))
	stale := 0
	for i, it := range b.Items {
		items[i] = it
		if it == nil || it.Origin == "" || it.Reviewed.IsZero() || !day.After(it.Reviewed.AddDate(0, months, 0)) {
			continue
		}
		c := *it
		c.StaleMonths = months
		items[i] = &c
		stale++
	}
	if stale == 0 {
		return b, 0
	}
	nb := NewBase(items, b.Trees, b.Synonyms)
	nb.synonymPos, nb.replacedBy = b.synonymPos, b.replacedBy
	return nb, stale
}
