// Package knowledge holds Boussole's domain model: items (procedures,
// support programs, places) and orientation trees, with their YAML loaders
// and validators. It imports only the standard library and a YAML decoder so
// that every other layer can depend on it.
package knowledge

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"
)

// Kind says what an item describes.
type Kind string

// Item kinds.
const (
	KindProcedure Kind = "procedure"
	KindProgram   Kind = "program"
	KindPlace     Kind = "place"
	// KindEmergency is an emergency number (17, 3919, 911, 9-8-8…): the
	// danger layer answers with these before anything else.
	KindEmergency Kind = "emergency"
)

// Danger categories: what the danger layer recognises, and what an
// emergency item serves (its danger: list). Urgence is a general
// emergency number (112, 17, 911): the one given when no number of a
// category exists in a jurisdiction, so every jurisdiction needs one.
const (
	DangerUrgence         = "urgence"
	DangerViolenceCouple  = "violence-couple"
	DangerViolenceSexuel  = "violence-sexuelle"
	DangerMenaceVie       = "menace-vie"
	DangerSuicide         = "suicide"
	DangerEnfant          = "enfant-danger"
	DangerSansAbri        = "sans-abri"
	DangerUrgenceMedicale = "urgence-medicale"
	DangerSourd           = "sourd"
)

// DangerCategories lists the categories in the order in which an answer
// gives their numbers: a deaf person's text line first (they cannot call
// the others), then the most urgent.
var DangerCategories = []string{
	DangerSourd, DangerMenaceVie, DangerUrgenceMedicale, DangerSuicide, DangerEnfant, DangerViolenceSexuel,
	DangerViolenceCouple, DangerSansAbri, DangerUrgence,
}

// ErrNotFound is returned when an item or tree id is unknown.
var ErrNotFound = errors.New("not found")

// Date is a calendar day (YYYY-MM-DD) without time zone, as written in
// knowledge files ("reviewed: 2026-09-01").
type Date struct{ time.Time }

// ParseDate parses YYYY-MM-DD.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("parse date %q: want YYYY-MM-DD", s)
	}
	return Date{t}, nil
}

// String formats the date as YYYY-MM-DD, or "" for the zero date.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return d.Format(time.DateOnly)
}

// Link is an online service, form or page.
type Link struct {
	Label string `yaml:"label"`
	URL   string `yaml:"url"`
}

// Where says where a citizen should go: online services and/or a counter.
type Where struct {
	// Online services or forms, best first.
	Online []Link `yaml:"online,omitempty"`
	// Office is the type of counter in plain words ("mairie", "CAF",
	// "France Services"), not a specific address.
	Office string `yaml:"office,omitempty"`
	// Phone is an official phone line, if useful ("3949", "211").
	Phone string `yaml:"phone,omitempty"`
}

// Item is a procedure sheet, a support program or a place.
type Item struct {
	ID      string `yaml:"id"`
	Kind    Kind   `yaml:"kind"`
	Title   string `yaml:"title"`
	Summary string `yaml:"summary"`
	// TitleEN and SummaryEN are the English text, when written.
	TitleEN   string `yaml:"title_en,omitempty"`
	SummaryEN string `yaml:"summary_en,omitempty"`
	// StepsEN are the steps in English, when written.
	StepsEN []string `yaml:"steps_en,omitempty"`
	// Danger lists the danger categories an emergency item serves.
	Danger       []string `yaml:"danger,omitempty"`
	Audience     []string `yaml:"audience,omitempty"`
	Jurisdiction string   `yaml:"jurisdiction,omitempty"`
	Lang         string   `yaml:"lang,omitempty"`
	Steps        []string `yaml:"steps,omitempty"`
	Documents    []string `yaml:"documents,omitempty"`
	Where        Where    `yaml:"where,omitempty"`
	Cost         string   `yaml:"cost,omitempty"`
	Delay        string   `yaml:"delay,omitempty"`
	Keywords     []string `yaml:"keywords,omitempty"`
	Synonyms     []string `yaml:"synonyms,omitempty"`
	Sources      []string `yaml:"sources"`
	// Reviewed is the day the item was last checked: by an admin for a
	// hand-written item, by its publisher (the sheet's last update) for an
	// imported one.
	Reviewed Date `yaml:"-"`
	// ReviewEvery, in months, is how often a hand-written item must be
	// checked again (review_every: 6m): a programme that may end, an
	// amount that changes each year. Review warns when it is due.
	ReviewEvery int `yaml:"review_every,omitempty" json:",omitempty"`
	// Replaces lists the ids of imported sheets this hand-written item
	// stands for, besides those its sources name (see PreferCurated).
	// Left out of JSON when empty, as on every imported item: the store's
	// content hashes of imported items stay what they were.
	Replaces []string `yaml:"replaces,omitempty" json:",omitempty"`
	// Body is free text used only for search (imported sheets put their
	// content here); it is not shown as is.
	Body string `yaml:"body,omitempty"`
	// Attribution is the licence notice a source requires, shown with the
	// answer ("Direction de l'information légale et administrative").
	Attribution string `yaml:"attribution,omitempty"`
	// Place is where a place item is (kind: place): address,
	// coordinates, hours, services.
	Place *Place `yaml:"place,omitempty" json:",omitempty"`
	// placeLines are the lines of the place: block's keys, for
	// Validate's messages (see PlaceLine).
	placeLines map[string]int

	// The fields below are filled by importers of official catalogues
	// (service-public.fr); hand-written YAML items do not use them.

	// Origin names the catalogue an item was imported from
	// ("service-public"); empty for hand-written items.
	Origin string `yaml:"-"`
	// SheetType is the official sheet type ("Fiche d'information",
	// "Fiche Question-réponse", "Dossier", "Comment faire si…", resource).
	SheetType string `yaml:"-"`
	// Themes is the breadcrumb, broadest first.
	Themes []string `yaml:"-"`
	// Situations are the cases a sheet distinguishes ("En ligne",
	// "En mairie").
	Situations []string `yaml:"-"`
	// Related lists the ids of related items (sheets of a dossier,
	// "questions-réponses" linked from a sheet).
	Related []string `yaml:"-"`
	// Glossary holds abbreviations and definitions found in the item; search
	// uses them as synonyms.
	Glossary []Term `yaml:"-"`
	// Mentions are the item's links to other items with the words of its
	// text that carry them ("faute grave" linking to the sheet on faults):
	// how editors name the linked item. Search gives it those words.
	Mentions []Mention `yaml:"-"`
	// StaleMonths, when above zero, says the imported item's date was more
	// than this many months old when the knowledge was loaded (MarkStale):
	// the answer says so. Never stored: it depends on the day.
	StaleMonths int `yaml:"-" json:"-"`

	// Pos is where the item was defined, for error messages.
	Pos Pos `yaml:"-"`
}

// Term is a glossary entry: an abbreviation ("CNI") or a defined word,
// with its expansion or definition.
type Term struct {
	Term string `json:"term"`
	// Expansion is the full form of an abbreviation ("carte nationale
	// d'identité"); empty for a definition.
	Expansion  string `json:"expansion,omitempty"`
	Definition string `json:"definition,omitempty"`
}

// Mention is a link from one item's text to another item, with its words.
type Mention struct {
	To   string `json:"to"`
	Text string `json:"text"`
}

// Tree is an orientation tree: short questions with choices leading to
// another node, to items, or to an escalation.
type Tree struct {
	ID    string `yaml:"id"`
	Title string `yaml:"title"`
	// TitleEN is the English title, when written.
	TitleEN      string           `yaml:"title_en,omitempty"`
	Lang         string           `yaml:"lang,omitempty"`
	Jurisdiction string           `yaml:"jurisdiction,omitempty"`
	Triggers     []string         `yaml:"triggers"`
	Start        string           `yaml:"start"`
	Nodes        map[string]*Node `yaml:"nodes"`

	Pos Pos `yaml:"-"`
}

// Node is one question of a tree.
type Node struct {
	ID  string `yaml:"-"`
	Ask string `yaml:"ask"`
	// AskEN is the question in English, when written.
	AskEN   string   `yaml:"ask_en,omitempty"`
	Choices []Choice `yaml:"choices"`
	// Route makes the node a silent branch on the conversation's
	// jurisdiction (FR → one node, QC → another) instead of a question:
	// a shared tree words each side its own way. A route node has no
	// ask and no choices; the person is asked where they are only when
	// nothing has told it yet.
	Route map[string]string `yaml:"route,omitempty"`

	Pos Pos `yaml:"-"`
}

// Nexts are the nodes n leads to: its choices' next nodes and its routes,
// in a stable order.
func (n *Node) Nexts() []string {
	var out []string
	for _, c := range n.Choices {
		if c.Next != "" {
			out = append(out, c.Next)
		}
	}
	for _, j := range slices.Sorted(maps.Keys(n.Route)) {
		out = append(out, n.Route[j])
	}
	return out
}

// Choice is one answer to a node's question. Exactly one of Next, Answer,
// Escalate and Nearest is set.
type Choice struct {
	Label string `yaml:"label"`
	// LabelEN is the button's English text, when written.
	LabelEN string `yaml:"label_en,omitempty"`
	// Keywords are extra words that select this choice when typed.
	Keywords []string `yaml:"keywords,omitempty"`
	Next     string   `yaml:"next,omitempty"`
	// Answer lists item ids; YAML accepts a single id or a list.
	Answer   []string `yaml:"-"`
	Escalate string   `yaml:"escalate,omitempty"`
	// Nearest answers with the places nearest the person that offer
	// these services or carry these labels (asking where they are first
	// when the conversation does not know).
	Nearest *Filter `yaml:"nearest,omitempty"`

	Pos Pos `yaml:"-"`
}

// Pos is a position in a knowledge file.
type Pos struct {
	File string
	Line int
}

func (p Pos) String() string {
	if p.File == "" {
		return fmt.Sprintf("line %d", p.Line)
	}
	return fmt.Sprintf("%s:%d", p.File, p.Line)
}

// MaxChoices is the most choices a node may offer: a chat button row holds
// five buttons (Discord) and longer lists are hard to read in a terminal.
const MaxChoices = 5

// Base is a loaded, indexed set of items and trees.
type Base struct {
	Items []*Item
	Trees []*Tree
	// Synonyms are curated equivalences for search ("cni" ↔ "carte
	// nationale d'identité"), each group a list of equivalent phrases.
	Synonyms [][]string

	items map[string]*Item
	trees map[string]*Tree
	// replacedBy maps the id of an imported item left out by PreferCurated
	// to the hand-written item shown instead of it.
	replacedBy map[string]string
	// synonymPos is where each Synonyms group was written, when loaded
	// from a file, so that Validate can point at the line.
	synonymPos []Pos
}

// NewBase indexes items and trees by id. Later duplicates are ignored here;
// Validate reports them.
func NewBase(items []*Item, trees []*Tree, synonyms [][]string) *Base {
	b := &Base{Items: items, Trees: trees, Synonyms: synonyms,
		items: make(map[string]*Item, len(items)), trees: make(map[string]*Tree, len(trees))}
	for _, it := range items {
		if _, dup := b.items[it.ID]; !dup {
			b.items[it.ID] = it
		}
	}
	for _, t := range trees {
		if _, dup := b.trees[t.ID]; !dup {
			b.trees[t.ID] = t
		}
	}
	return b
}

// WithItems returns a copy of b with extra items appended (imported from an
// official catalogue). Items already in b come first and win on duplicate
// ids; Validate reports such duplicates.
func (b *Base) WithItems(extra []*Item) *Base {
	items := make([]*Item, 0, len(b.Items)+len(extra))
	items = append(append(items, b.Items...), extra...)
	nb := NewBase(items, b.Trees, b.Synonyms)
	nb.synonymPos, nb.replacedBy = b.synonymPos, b.replacedBy
	return nb
}

// Item returns the item with this id. The id of an imported sheet that
// PreferCurated left out gives the hand-written item shown instead of it.
func (b *Base) Item(id string) (*Item, bool) {
	it, ok := b.items[id]
	if !ok {
		if by, replaced := b.replacedBy[id]; replaced {
			it, ok = b.items[by]
		}
	}
	return it, ok
}

// Tree returns the tree with this id.
func (b *Base) Tree(id string) (*Tree, bool) {
	t, ok := b.trees[id]
	return t, ok
}

// Target says where a choice leads.
type Target int

// Choice targets.
const (
	TargetNone Target = iota
	TargetNode
	TargetAnswer
	TargetEscalate
	TargetNearest
)

// Target reports where the choice leads.
func (c Choice) Target() Target {
	switch {
	case c.Next != "":
		return TargetNode
	case len(c.Answer) > 0:
		return TargetAnswer
	case c.Escalate != "":
		return TargetEscalate
	case c.Nearest != nil:
		return TargetNearest
	}
	return TargetNone
}
