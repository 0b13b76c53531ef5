package admin

// Knowledge items in the admin: the list with its search and filters,
// one item's page with the bot's answer as a citizen sees it, the form
// that edits a hand-written item as a draft checked as the editor types,
// publication, « mark reviewed today », history and rollback. Imported
// sheets (Origin set) are shown, never edited: a new import refreshes
// them.

import (
	"cmp"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/boussole/boussole/bot/catalog"
	"github.com/boussole/boussole/bot/store"
	"github.com/boussole/boussole/knowledge"
	"github.com/boussole/boussole/knowledge/analysis"
)

// draftKind is the drafts table's kind for items.
const draftKind = "item"

// itemsPerPage is the length of a page of the list: the imported
// catalogue holds thousands of sheets.
const itemsPerPage = 50

// itemPages serves the item pages.
type itemPages struct {
	s *Server
	// bot is the bot's own catalogue: the preview writes the answer with
	// the words the bot uses.
	bot *catalog.Catalog
}

// itemRoutes registers the item pages.
func (s *Server) itemRoutes() {
	bot, err := catalog.New()
	if err != nil {
		// The embedded catalogue is checked by its tests; without it the
		// pages still list and edit, the preview says it cannot be shown.
		s.d.Log.Error("admin: bot catalogue not loaded, item previews disabled", "err", err)
	}
	p := &itemPages{s: s, bot: bot}
	// The item pages share the preview's template (item_preview.html).
	for _, page := range []string{"item.html", "item_edit.html"} {
		t, err := template.New(page).Funcs(funcs()).ParseFS(assets, "templates/layout.html", "templates/item_preview.html", "templates/"+page)
		if err != nil {
			s.d.Log.Error("admin: parse item page", "page", page, "err", err)
			continue
		}
		s.pages[page] = t
	}
	s.handle("GET "+Prefix+"/items", PermView, p.list)
	s.handle("GET "+Prefix+"/items/new", PermEdit, p.newForm)
	s.handle("POST "+Prefix+"/items/new", PermEdit, p.create)
	s.handle("GET "+Prefix+"/items/{id}", PermView, p.view)
	s.handle("GET "+Prefix+"/items/{id}/edit", PermEdit, p.edit)
	s.handle("POST "+Prefix+"/items/{id}/edit", PermEdit, p.save)
	s.handle("POST "+Prefix+"/items/{id}/discard", PermEdit, p.discard)
	s.handle("POST "+Prefix+"/items/{id}/publish", PermPublish, p.publish)
	s.handle("POST "+Prefix+"/items/{id}/review", PermPublish, p.review)
	s.handle("GET "+Prefix+"/items/{id}/history", PermView, p.history)
	s.handle("POST "+Prefix+"/items/{id}/rollback", PermPublish, p.rollback)
}

// itemFilter is the list's search and filters, read from the query.
type itemFilter struct {
	Q            string
	Jurisdiction string // "" any, "-" none, else a code
	Kind         string
	Audience     string
	Due          bool
	Source       string // "" any, "hand", "imported"
	Page         int
}

func readItemFilter(q url.Values) itemFilter {
	f := itemFilter{Q: strings.TrimSpace(q.Get("q")), Jurisdiction: q.Get("jurisdiction"), Kind: q.Get("kind"),
		Audience: q.Get("audience"), Due: q.Get("due") == "1", Source: q.Get("source")}
	f.Page, _ = strconv.Atoi(q.Get("page"))
	f.Page = max(f.Page, 1)
	return f
}

// query is the filter as a query string, on page.
func (f itemFilter) query(page int) string {
	v := url.Values{}
	set := func(k, val string) {
		if val != "" {
			v.Set(k, val)
		}
	}
	set("q", f.Q)
	set("jurisdiction", f.Jurisdiction)
	set("kind", f.Kind)
	set("audience", f.Audience)
	if f.Due {
		v.Set("due", "1")
	}
	set("source", f.Source)
	if page > 1 {
		v.Set("page", strconv.Itoa(page))
	}
	if len(v) == 0 {
		return ""
	}
	return "?" + v.Encode()
}

// itemRow is one line of the list.
type itemRow struct {
	Item     *knowledge.Item
	Imported bool
	Due      bool
	Drafts   int
	// sortKey is the folded title the list is sorted by.
	sortKey string
}

// itemList is the list page's data.
type itemList struct {
	Filter        itemFilter
	Rows          []itemRow
	Total         int
	Page, Pages   int
	Prev, Next    string
	Jurisdictions []string
	Kinds         []knowledge.Kind
	Audiences     []string
	// NewDrafts are drafts of items not published yet (started here or
	// from the gap report).
	NewDrafts []store.Draft
}

// list is the paged, searchable list of every item.
func (p *itemPages) list(w http.ResponseWriter, r *http.Request, sess Session) {
	b := p.base()
	f := readItemFilter(r.URL.Query())
	all := p.allDrafts(r)
	drafts := map[string]int{}
	for _, d := range all {
		drafts[d.ObjectID]++
	}
	today := p.s.d.Now()
	words := strings.Fields(analysis.Fold(f.Q))
	data := itemList{Filter: f, Kinds: knowledge.Kinds(), Audiences: knowledge.Audiences()}
	seen := map[string]bool{}
	var rows []itemRow
	for _, it := range b.Items {
		if it == nil {
			continue
		}
		if j := it.Jurisdiction; j != "" && !seen[j] {
			seen[j] = true
			data.Jurisdictions = append(data.Jurisdictions, j)
		}
		row := itemRow{Item: it, Imported: it.Origin != "", Drafts: drafts[it.ID]}
		if !row.Imported {
			row.Due = reviewDue(it, today)
		}
		if f.keeps(row, words) {
			row.sortKey = analysis.Fold(it.Title)
			rows = append(rows, row)
		}
	}
	slices.Sort(data.Jurisdictions)
	// Hand-written items first (those the staff look after), then by title.
	slices.SortStableFunc(rows, func(a, b itemRow) int {
		if a.Imported != b.Imported {
			if a.Imported {
				return 1
			}
			return -1
		}
		return cmp.Or(cmp.Compare(a.sortKey, b.sortKey), cmp.Compare(a.Item.ID, b.Item.ID))
	})
	data.Total = len(rows)
	data.Pages = max(1, (len(rows)+itemsPerPage-1)/itemsPerPage)
	data.Page = min(f.Page, data.Pages)
	from := (data.Page - 1) * itemsPerPage
	data.Rows = rows[from:min(from+itemsPerPage, len(rows))]
	if data.Page > 1 {
		data.Prev = Prefix + "/items" + f.query(data.Page-1)
	}
	if data.Page < data.Pages {
		data.Next = Prefix + "/items" + f.query(data.Page+1)
	}
	for _, d := range all {
		if _, ok := p.published(d.ObjectID); !ok {
			data.NewDrafts = append(data.NewDrafts, d)
		}
	}
	p.s.render(w, r, sess, http.StatusOK, "items.html", "items_title", data)
}

// keeps says whether row passes the filter; words are the folded search.
func (f itemFilter) keeps(row itemRow, words []string) bool {
	it := row.Item
	switch {
	case f.Jurisdiction == "-" && it.Jurisdiction != "",
		f.Jurisdiction != "" && f.Jurisdiction != "-" && it.Jurisdiction != f.Jurisdiction,
		f.Kind != "" && string(it.Kind) != f.Kind,
		f.Audience != "" && !slices.Contains(it.Audience, f.Audience),
		f.Due && !row.Due,
		f.Source == "hand" && row.Imported,
		f.Source == "imported" && !row.Imported:
		return false
	}
	return itemMatches(it, words)
}

// itemMatches says whether every folded word of a search is in the item's
// id, titles, keywords or synonyms, accents folded: « carte identite »
// finds « Carte d'identité ». The items page and the tree editor's item
// search both use it.
func itemMatches(it *knowledge.Item, words []string) bool {
	if len(words) == 0 {
		return true
	}
	hay := " " + analysis.Fold(strings.Join(append(append([]string{it.ID, it.Title, it.TitleEN}, it.Keywords...), it.Synonyms...), " ")) + " "
	for _, w := range words {
		if !strings.Contains(hay, w) {
			return false
		}
	}
	return true
}

// reviewDue says whether knowledge.Review asks to check the hand-written
// item it again on the day of now (a review date too old, due under
// review_every, or in the future).
func reviewDue(it *knowledge.Item, now time.Time) bool {
	// The item alone: replaces: is checked against the imported sheets
	// by Review on the whole base, not a matter of dates.
	return len(knowledge.Review(knowledge.NewBase([]*knowledge.Item{it}, nil, nil), now)) > 0
}

// allDrafts are every item draft, newest first (none when the drafts
// cannot be read: the list still shows the published items).
func (p *itemPages) allDrafts(r *http.Request) []store.Draft {
	if p.s.d.Drafts == nil {
		return nil
	}
	all, err := p.s.d.Drafts.Drafts(r.Context(), draftKind, "")
	if err != nil {
		p.s.d.Log.Error("admin: list item drafts", "err", err)
		return nil
	}
	return all
}

// base is the published knowledge (an empty one without a library).
func (p *itemPages) base() *knowledge.Base {
	if p.s.d.Library == nil {
		return knowledge.NewBase(nil, nil, nil)
	}
	if b := p.s.d.Library.Base(); b != nil {
		return b
	}
	return knowledge.NewBase(nil, nil, nil)
}

// published is the item of this id the bot serves now, if any.
func (p *itemPages) published(id string) (*knowledge.Item, bool) {
	b := p.base()
	// Base.Item would give the hand-written item shown instead of a
	// replaced sheet: the page of an id is that id's item.
	for _, it := range b.Items {
		if it != nil && it.ID == id {
			return it, true
		}
	}
	return nil, false
}
