package admin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/boussole/boussole/admin/textdiff"
	"github.com/boussole/boussole/admin/treegraph"
	"github.com/boussole/boussole/bot/store"
	"github.com/boussole/boussole/knowledge"
	"github.com/boussole/boussole/knowledge/analysis"
)

// treeRoutes registers the orientation-tree editor: list, graph, node
// forms saved as the editor's draft, publication, history.
func (s *Server) treeRoutes() {
	if s.d.Library == nil || s.d.Drafts == nil {
		return
	}
	p := Prefix + "/trees"
	s.handle("GET "+p, PermView, s.treeList)
	s.handle("POST "+p, PermEdit, s.treeCreate)
	s.handle("GET "+p+"/{id}", PermView, s.treePage)
	s.handle("POST "+p+"/{id}/settings", PermEdit, s.treeSettings)
	s.handle("POST "+p+"/{id}/nodes", PermEdit, s.nodeAdd)
	s.handle("GET "+p+"/{id}/nodes/{node}", PermView, s.nodePage)
	s.handle("POST "+p+"/{id}/nodes/{node}", PermEdit, s.nodeSave)
	s.handle("POST "+p+"/{id}/nodes/{node}/delete", PermEdit, s.nodeDelete)
	s.handle("POST "+p+"/{id}/discard", PermEdit, s.treeDiscard)
	s.handle("POST "+p+"/{id}/publish", PermPublish, s.treePublish)
	s.handle("GET "+p+"/{id}/history", PermView, s.treeHistory)
	s.handle("POST "+p+"/{id}/rollback", PermPublish, s.treeRollback)
}

// treeDraftKind is the drafts' kind for trees.
const treeDraftKind = "tree"

// TreeTester runs a tree's conversation tests against a draft (the
// preview, preview.go); nil: trees have no tests to pass.
type TreeTester func(ctx context.Context, t *knowledge.Tree) (passed bool, summary string, err error)

// editing is a tree as one editor sees it: their draft when they have
// one, else the published tree.
type editing struct {
	Tree      *knowledge.Tree
	Draft     *store.Draft // nil: no draft
	Published *knowledge.Tree
	Version   int // latest published version, 0 if never
	Others    []store.Draft
}

// loadEditing reads the tree id for sess's user.
func (s *Server) loadEditing(ctx context.Context, sess Session, id string) (editing, error) {
	var e editing
	if t, ok := s.d.Library.Base().Tree(id); ok {
		e.Published, e.Tree = t, t
	}
	vs, err := s.d.Library.TreeVersions(ctx, id)
	if err != nil {
		return e, err
	}
	if len(vs) > 0 {
		e.Version = vs[0].Version
	}
	all, err := s.d.Drafts.Drafts(ctx, treeDraftKind, id)
	if err != nil {
		return e, err
	}
	for _, d := range all {
		if d.Author == sess.User.Login {
			t := new(knowledge.Tree)
			if err := json.Unmarshal([]byte(d.Body), t); err != nil {
				return e, fmt.Errorf("read draft of tree %s: %w", id, err)
			}
			dc := d
			e.Draft, e.Tree = &dc, t
			continue
		}
		e.Others = append(e.Others, d)
	}
	if e.Tree == nil {
		return e, store.ErrNotFound
	}
	return e, nil
}

// saveDraft stores t as sess's draft of the tree.
func (s *Server) saveDraft(ctx context.Context, sess Session, e editing, t *knowledge.Tree) error {
	body, err := json.Marshal(t)
	if err != nil {
		return err
	}
	base := e.Version
	if e.Draft != nil {
		base = e.Draft.BaseVersion
	}
	return s.d.Drafts.SaveDraft(ctx, store.Draft{Kind: treeDraftKind, ObjectID: t.ID, Author: sess.User.Login, Body: string(body),
		BaseVersion: base, UpdatedAt: s.d.Now()})
}

// nodeProblem is a validation problem placed in the tree: at a node, at
// one of its choices (from 0) or at the tree's settings.
type nodeProblem struct {
	Node   string // "" for the tree's settings
	Choice int    // -1: the node itself
	Msg    string
}

// treeProblems validates the knowledge with t in place of its published
// version and places each problem about t at its node and choice (see
// problemCheck).
func (s *Server) treeProblems(t *knowledge.Tree) []nodeProblem {
	return s.problemCheck().of(t)
}

// problemCheck validates drafts of trees against the knowledge in force.
// The problems the knowledge already has without the draft are known so
// that one the draft causes elsewhere (a jurisdiction left without an
// emergency number, say) is still shown, at the tree's settings.
type problemCheck struct {
	base   *knowledge.Base
	before map[string]bool // Problem.String() of the knowledge in force
}

func (s *Server) problemCheck() *problemCheck {
	b := s.d.Library.Base()
	pc := &problemCheck{base: b, before: map[string]bool{}}
	for _, p := range knowledge.Validate(b) {
		pc.before[p.String()] = true
	}
	return pc
}

// of validates t. The draft is given positions of its own for that (a
// node's file is "node:ID" and a choice's line is its index + 1), which
// say where each problem is.
func (pc *problemCheck) of(t *knowledge.Tree) []nodeProblem {
	c := cloneTree(t)
	c.Pos = knowledge.Pos{File: "tree:" + c.ID}
	for id, n := range c.Nodes {
		if n == nil {
			continue
		}
		n.ID = id
		n.Pos = knowledge.Pos{File: "node:" + id}
		for i := range n.Choices {
			n.Choices[i].Pos = knowledge.Pos{File: "node:" + id, Line: i + 1}
		}
	}
	var out []nodeProblem
	for _, p := range knowledge.Validate(pc.base.WithTree(c)) {
		switch {
		case p.Pos.File == "tree:"+c.ID:
			out = append(out, nodeProblem{Choice: -1, Msg: p.Msg})
		case strings.HasPrefix(p.Pos.File, "node:"):
			out = append(out, nodeProblem{Node: strings.TrimPrefix(p.Pos.File, "node:"), Choice: p.Pos.Line - 1, Msg: p.Msg})
		case !pc.before[p.String()]:
			out = append(out, nodeProblem{Choice: -1, Msg: p.String()})
		}
	}
	return out
}

// cloneTree is a deep copy of t (drafts are edited in place).
func cloneTree(t *knowledge.Tree) *knowledge.Tree {
	c := *t
	c.Triggers = slices.Clone(t.Triggers)
	c.Nodes = make(map[string]*knowledge.Node, len(t.Nodes))
	for id, n := range t.Nodes {
		if n == nil {
			continue
		}
		nc := *n
		nc.Choices = slices.Clone(n.Choices)
		for i := range nc.Choices {
			nc.Choices[i].Keywords = slices.Clone(n.Choices[i].Keywords)
			nc.Choices[i].Answer = slices.Clone(n.Choices[i].Answer)
		}
		nc.Route = maps.Clone(n.Route)
		c.Nodes[id] = &nc
	}
	return &c
}

// newTreeRow is a tree only drafts hold yet.
type newTreeRow struct {
	ID      string
	Authors []string
	Mine    bool
}

type treeRow struct {
	Tree     *knowledge.Tree
	Version  int
	At       time.Time
	Author   string
	Drafts   []string
	Mine     bool // Problems are of the viewer's draft, not of the published tree
	Problems int
}

func (s *Server) treeList(w http.ResponseWriter, r *http.Request, sess Session) {
	ctx := r.Context()
	drafts, err := s.d.Drafts.Drafts(ctx, treeDraftKind, "")
	if err != nil {
		s.internal(w, r, sess, err)
		return
	}
	pc := s.problemCheck()
	var rows []treeRow
	for _, t := range s.d.Library.Base().Trees {
		row := treeRow{Tree: t}
		vs, err := s.d.Library.TreeVersions(ctx, t.ID)
		if err != nil {
			s.internal(w, r, sess, err)
			return
		}
		if len(vs) > 0 {
			row.Version, row.At, row.Author = vs[0].Version, vs[0].PublishedAt, vs[0].Author
		}
		shown := t
		for _, d := range drafts {
			if d.ObjectID != t.ID {
				continue
			}
			row.Drafts = append(row.Drafts, d.Author)
			if d.Author == sess.User.Login {
				mine := new(knowledge.Tree)
				if err := json.Unmarshal([]byte(d.Body), mine); err == nil {
					shown, row.Mine = mine, true
				}
			}
		}
		row.Problems = len(pc.of(shown))
		rows = append(rows, row)
	}
	// Drafts of trees not published yet: only their authors open them
	// (another editor has nothing published to start from).
	var fresh []newTreeRow
	for _, d := range drafts {
		if _, ok := s.d.Library.Base().Tree(d.ObjectID); ok {
			continue
		}
		i := slices.IndexFunc(fresh, func(n newTreeRow) bool { return n.ID == d.ObjectID })
		if i < 0 {
			fresh = append(fresh, newTreeRow{ID: d.ObjectID})
			i = len(fresh) - 1
		}
		fresh[i].Authors = append(fresh[i].Authors, d.Author)
		fresh[i].Mine = fresh[i].Mine || d.Author == sess.User.Login
	}
	s.render(w, r, sess, http.StatusOK, "trees.html", "trees_title", map[string]any{"Rows": rows, "New": fresh,
		"Error": r.URL.Query().Get("error")})
}

var treeIDRe = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,60}$`)

// treeCreate starts a new tree as the editor's draft: a title, an id, and
// a first question to write.
func (s *Server) treeCreate(w http.ResponseWriter, r *http.Request, sess Session) {
	id := strings.TrimSpace(r.PostFormValue("id"))
	title := strings.TrimSpace(r.PostFormValue("title"))
	back := func(key string) {
		http.Redirect(w, r, Prefix+"/trees?error="+key, http.StatusSeeOther)
	}
	if !treeIDRe.MatchString(id) || title == "" {
		back("trees_bad_new")
		return
	}
	if _, ok := s.d.Library.Base().Tree(id); ok {
		back("trees_exists")
		return
	}
	t := &knowledge.Tree{ID: id, Title: title, Lang: "fr", Start: "debut",
		Nodes: map[string]*knowledge.Node{"debut": {Ask: ""}}}
	if err := s.saveDraft(r.Context(), sess, editing{}, t); err != nil {
		s.internal(w, r, sess, err)
		return
	}
	s.audit(r, sess, "tree.create", id, "", "")
	http.Redirect(w, r, Prefix+"/trees/"+url.PathEscape(id)+"/nodes/debut", http.StatusSeeOther)
}

// treeView is what the tree page shows.
type treeView struct {
	editing
	ID        string
	Graph     string // trusted SVG, built with every text escaped
	Nodes     []nodeRow
	Problems  []nodeProblem
	Settings  []nodeProblem
	Triggers  string
	NodeIDs   []string
	TestsLink bool
	Message   string
}

type nodeRow struct {
	ID       string
	Ask      string
	Problems int
	Start    bool
}

// loadOrFail reads the tree for the page, answering 404 or 500 itself.
func (s *Server) loadOrFail(w http.ResponseWriter, r *http.Request, sess Session) (editing, bool) {
	e, err := s.loadEditing(r.Context(), sess, r.PathValue("id"))
	switch {
	case errors.Is(err, store.ErrNotFound):
		s.fail(w, r, sess, http.StatusNotFound, "err_not_found")
		return e, false
	case err != nil:
		s.internal(w, r, sess, err)
		return e, false
	}
	return e, true
}

func (s *Server) treeView(r *http.Request, e editing, selected string) treeView {
	t := e.Tree
	v := treeView{editing: e, ID: t.ID, Triggers: strings.Join(t.Triggers, "\n"), Message: r.URL.Query().Get("msg")}
	v.Problems = s.treeProblems(t)
	count := map[string]int{}
	for _, p := range v.Problems {
		if p.Node == "" {
			v.Settings = append(v.Settings, p)
		} else {
			count[p.Node]++
		}
	}
	v.NodeIDs = nodeIDs(t)
	for _, id := range v.NodeIDs {
		v.Nodes = append(v.Nodes, nodeRow{ID: id, Ask: t.Nodes[id].Ask, Problems: count[id], Start: id == t.Start})
	}
	v.Graph = treegraph.SVG(t, treegraph.Options{
		Labels: treegraph.Labels{Title: s.T(r, "tree_graph_title", "title", t.Title), Answer: s.T(r, "graph_answer"),
			Escalate: s.T(r, "graph_escalate"), Nearest: s.T(r, "graph_nearest"), Missing: s.T(r, "graph_missing"),
			Unreachable: s.T(r, "graph_unreachable"), Problems: s.T(r, "graph_problems"), Start: s.T(r, "graph_start"),
			Desc: s.T(r, "tree_graph_desc", "n", strconv.Itoa(len(t.Nodes)))},
		Link: func(n string) string {
			return Prefix + "/trees/" + url.PathEscape(t.ID) + "/nodes/" + url.PathEscape(n)
		},
		Problems: count, Selected: selected,
	})
	return v
}

// nodeIDs are t's nodes, the start first, then by id.
func nodeIDs(t *knowledge.Tree) []string {
	ids := slices.Sorted(maps.Keys(t.Nodes))
	if i := slices.Index(ids, t.Start); i > 0 {
		ids = append([]string{t.Start}, slices.Delete(ids, i, i+1)...)
	}
	return ids
}

func (s *Server) treePage(w http.ResponseWriter, r *http.Request, sess Session) {
	e, ok := s.loadOrFail(w, r, sess)
	if !ok {
		return
	}
	v := s.treeView(r, e, "")
	v.TestsLink = s.treeTests != nil
	s.render(w, r, sess, http.StatusOK, "tree.html", "tree_title", v)
}

// wantsJSON says the page's script asked (auto-save): it gets the
// problems as JSON instead of a redirect.
func wantsJSON(r *http.Request) bool {
	return strings.Contains(r.Header.Get("Accept"), "application/json")
}

// afterSave answers a save: JSON problems for the script, else back to
// the page.
func (s *Server) afterSave(w http.ResponseWriter, r *http.Request, t *knowledge.Tree, next string) {
	if wantsJSON(r) {
		probs := s.treeProblems(t)
		if probs == nil {
			probs = []nodeProblem{}
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"saved": true, "problems": probs})
		return
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (s *Server) treeSettings(w http.ResponseWriter, r *http.Request, sess Session) {
	e, ok := s.loadOrFail(w, r, sess)
	if !ok {
		return
	}
	t := cloneTree(e.Tree)
	t.Title = strings.TrimSpace(r.PostFormValue("title"))
	t.TitleEN = strings.TrimSpace(r.PostFormValue("title_en"))
	t.Lang = strings.TrimSpace(r.PostFormValue("lang"))
	t.Jurisdiction = strings.TrimSpace(r.PostFormValue("jurisdiction"))
	t.Triggers = lines(r.PostFormValue("triggers"))
	if st := strings.TrimSpace(r.PostFormValue("start")); st != "" {
		t.Start = st
	}
	if err := s.saveDraft(r.Context(), sess, e, t); err != nil {
		s.internal(w, r, sess, err)
		return
	}
	s.afterSave(w, r, t, Prefix+"/trees/"+url.PathEscape(t.ID)+"?done=draft_saved")
}

// lines splits a text area into trimmed non-empty lines (commas too, for
// short lists typed on one line).
func lines(s string) []string {
	var out []string
	for _, l := range strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == ',' }) {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

var nodeIDRe = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,60}$`)

func (s *Server) nodeAdd(w http.ResponseWriter, r *http.Request, sess Session) {
	e, ok := s.loadOrFail(w, r, sess)
	if !ok {
		return
	}
	id := strings.TrimSpace(r.PostFormValue("node"))
	if !nodeIDRe.MatchString(id) {
		http.Redirect(w, r, Prefix+"/trees/"+url.PathEscape(e.Tree.ID)+"?msg=tree_bad_node", http.StatusSeeOther)
		return
	}
	t := cloneTree(e.Tree)
	if _, exists := t.Nodes[id]; !exists {
		t.Nodes[id] = &knowledge.Node{ID: id}
		if err := s.saveDraft(r.Context(), sess, e, t); err != nil {
			s.internal(w, r, sess, err)
			return
		}
		s.audit(r, sess, "tree.node.add", t.ID, id, "")
	}
	http.Redirect(w, r, Prefix+"/trees/"+url.PathEscape(t.ID)+"/nodes/"+url.PathEscape(id), http.StatusSeeOther)
}

func (s *Server) nodeDelete(w http.ResponseWriter, r *http.Request, sess Session) {
	e, ok := s.loadOrFail(w, r, sess)
	if !ok {
		return
	}
	t := cloneTree(e.Tree)
	id := r.PathValue("node")
	if _, ok := t.Nodes[id]; !ok {
		s.fail(w, r, sess, http.StatusNotFound, "err_not_found")
		return
	}
	delete(t.Nodes, id)
	if err := s.saveDraft(r.Context(), sess, e, t); err != nil {
		s.internal(w, r, sess, err)
		return
	}
	// Auto-saves are not audited (one a keystroke pause); removing a
	// whole question is.
	s.audit(r, sess, "tree.node.delete", t.ID, id, "")
	http.Redirect(w, r, Prefix+"/trees/"+url.PathEscape(t.ID)+"?done=draft_saved", http.StatusSeeOther)
}

// choiceForm is one choice as the node form shows it.
type choiceForm struct {
	Index                                    int
	Label, LabelEN, Keywords                 string
	Action                                   string // next | answer | escalate | nearest
	Next, Answer, Escalate, Services, Labels string
	// NextMissing: Next names no question of the tree; the select
	// still offers it, so that saving the form keeps it to be fixed.
	NextMissing bool
	Used        bool // the slot holds a choice (it may be removed)
	Problems    []string
}

type nodeView struct {
	treeView
	Node      string
	Ask       string
	AskEN     string
	Route     map[string]string
	Choices   []choiceForm
	NodeProbs []string
	Found     []foundItem
	Query     string
}

type foundItem struct{ ID, Title, Jurisdiction string }

func (s *Server) nodePage(w http.ResponseWriter, r *http.Request, sess Session) {
	e, ok := s.loadOrFail(w, r, sess)
	if !ok {
		return
	}
	id := r.PathValue("node")
	n, exists := e.Tree.Nodes[id]
	if !exists || n == nil {
		s.fail(w, r, sess, http.StatusNotFound, "err_not_found")
		return
	}
	v := nodeView{treeView: s.treeView(r, e, id), Node: id, Ask: n.Ask, AskEN: n.AskEN, Route: n.Route}
	for _, p := range v.Problems {
		if p.Node == id && p.Choice < 0 {
			v.NodeProbs = append(v.NodeProbs, p.Msg)
		}
	}
	for i := range knowledge.MaxChoices {
		cf := choiceForm{Index: i, Action: "next"}
		if i < len(n.Choices) {
			c := n.Choices[i]
			cf.Used = true
			cf.Label, cf.LabelEN, cf.Keywords = c.Label, c.LabelEN, strings.Join(c.Keywords, ", ")
			cf.Next, cf.Answer, cf.Escalate = c.Next, strings.Join(c.Answer, ", "), c.Escalate
			cf.NextMissing = c.Next != "" && e.Tree.Nodes[c.Next] == nil
			switch c.Target() {
			case knowledge.TargetAnswer:
				cf.Action = "answer"
			case knowledge.TargetEscalate:
				cf.Action = "escalate"
			case knowledge.TargetNearest:
				cf.Action = "nearest"
				cf.Services, cf.Labels = strings.Join(c.Nearest.Services, ", "), strings.Join(c.Nearest.Labels, ", ")
			}
		}
		for _, p := range v.Problems {
			if p.Node == id && p.Choice == i {
				cf.Problems = append(cf.Problems, p.Msg)
			}
		}
		v.Choices = append(v.Choices, cf)
	}
	if q := strings.TrimSpace(r.URL.Query().Get("q")); q != "" {
		v.Query, v.Found = q, s.findItems(q, 12)
		if wantsJSON(r) { // the page's script searches without leaving the form
			found := v.Found
			if found == nil {
				found = []foundItem{}
			}
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(map[string]any{"found": found})
			return
		}
	}
	s.render(w, r, sess, http.StatusOK, "node.html", "node_title", v)
}

// findItems finds items by id, title or keyword (accents and case
// ignored), for picking a choice's answer.
func (s *Server) findItems(q string, limit int) []foundItem {
	words := strings.Fields(analysis.Fold(q))
	if len(words) == 0 {
		return nil
	}
	var out []foundItem
	for _, it := range s.d.Library.Base().Items {
		if itemMatches(it, words) {
			out = append(out, foundItem{it.ID, it.Title, it.Jurisdiction})
			if len(out) == limit {
				break
			}
		}
	}
	return out
}

// nodeSave writes the node form into the editor's draft.
func (s *Server) nodeSave(w http.ResponseWriter, r *http.Request, sess Session) {
	e, ok := s.loadOrFail(w, r, sess)
	if !ok {
		return
	}
	id := r.PathValue("node")
	t := cloneTree(e.Tree)
	old, exists := t.Nodes[id]
	if !exists || old == nil {
		s.fail(w, r, sess, http.StatusNotFound, "err_not_found")
		return
	}
	n := &knowledge.Node{ID: id, Ask: strings.TrimSpace(r.PostFormValue("ask")), AskEN: strings.TrimSpace(r.PostFormValue("ask_en")), Route: old.Route}
	for i := range knowledge.MaxChoices {
		f := func(name string) string {
			return strings.TrimSpace(r.PostFormValue("c" + strconv.Itoa(i) + "_" + name))
		}
		c := knowledge.Choice{Label: f("label"), LabelEN: f("label_en"), Keywords: lines(f("keywords"))}
		switch f("action") {
		case "answer":
			c.Answer = lines(f("answer"))
		case "escalate":
			c.Escalate = f("escalate")
		case "nearest":
			c.Nearest = &knowledge.Filter{Services: lines(f("services")), Labels: lines(f("labels"))}
		default:
			c.Next = f("next")
			if nn := f("next_new"); nn != "" {
				c.Next = nn
			}
		}
		empty := c.Label == "" && c.LabelEN == "" && len(c.Keywords) == 0
		for _, name := range []string{"next", "next_new", "answer", "escalate", "services", "labels"} {
			empty = empty && f(name) == ""
		}
		if empty || f("remove") != "" {
			continue // a slot left blank, or a choice removed
		}
		// A new node named on a choice is created empty, to be written.
		if c.Next != "" && t.Nodes[c.Next] == nil && nodeIDRe.MatchString(c.Next) && f("next_new") != "" {
			t.Nodes[c.Next] = &knowledge.Node{ID: c.Next}
		}
		n.Choices = append(n.Choices, c)
	}
	t.Nodes[id] = n
	if err := s.saveDraft(r.Context(), sess, e, t); err != nil {
		s.internal(w, r, sess, err)
		return
	}
	s.afterSave(w, r, t, Prefix+"/trees/"+url.PathEscape(t.ID)+"/nodes/"+url.PathEscape(id)+"?done=draft_saved")
}

func (s *Server) treeDiscard(w http.ResponseWriter, r *http.Request, sess Session) {
	id := r.PathValue("id")
	if err := s.d.Drafts.DeleteDraft(r.Context(), treeDraftKind, id, sess.User.Login); err != nil {
		s.internal(w, r, sess, err)
		return
	}
	s.audit(r, sess, "tree.discard", id, "", "")
	if _, ok := s.d.Library.Base().Tree(id); !ok {
		http.Redirect(w, r, Prefix+"/trees?done=draft_discarded", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, Prefix+"/trees/"+url.PathEscape(id)+"?done=draft_discarded", http.StatusSeeOther)
}

// treePublish publishes the editor's draft as a new version when it
// validates and the tree's tests pass.
func (s *Server) treePublish(w http.ResponseWriter, r *http.Request, sess Session) {
	e, ok := s.loadOrFail(w, r, sess)
	if !ok {
		return
	}
	msg := strings.TrimSpace(r.PostFormValue("message"))
	page := func(status int, key string, extra ...string) {
		v := s.treeView(r, e, "")
		v.TestsLink = s.treeTests != nil
		v.Message = key
		if len(extra) > 0 {
			v.Message = key + ":" + extra[0]
		}
		s.render(w, r, sess, status, "tree.html", "tree_title", v)
	}
	switch {
	case e.Draft == nil:
		page(http.StatusConflict, "tree_no_draft")
		return
	case msg == "":
		page(http.StatusUnprocessableEntity, "tree_need_message")
		return
	case len(s.treeProblems(e.Tree)) > 0:
		page(http.StatusUnprocessableEntity, "tree_has_problems")
		return
	}
	if s.treeTests != nil {
		passed, summary, err := s.treeTests(r.Context(), e.Tree)
		if err != nil {
			s.internal(w, r, sess, err)
			return
		}
		if !passed {
			page(http.StatusUnprocessableEntity, "tree_tests_failed", summary)
			return
		}
	}
	v, err := s.d.Library.PublishTree(r.Context(), e.Tree, Publication{Author: sess.User.Login, Message: msg})
	var probs knowledge.Problems
	if errors.As(err, &probs) {
		page(http.StatusUnprocessableEntity, "tree_has_problems")
		return
	}
	if err != nil {
		s.internal(w, r, sess, err)
		return
	}
	if err := s.d.Drafts.DeleteDraft(r.Context(), treeDraftKind, e.Tree.ID, sess.User.Login); err != nil {
		s.d.Log.Warn("admin: published draft not deleted", "tree", e.Tree.ID, "err", err)
	}
	s.audit(r, sess, "tree.publish", e.Tree.ID, "version "+strconv.Itoa(v), msg)
	http.Redirect(w, r, Prefix+"/trees/"+url.PathEscape(e.Tree.ID)+"/history?done=published", http.StatusSeeOther)
}

type historyView struct {
	ID       string
	Title    string
	Versions []store.TreeVersionInfo
	A, B     int
	Rows     []textdiff.Row
	Diffed   bool
}

func (s *Server) treeHistory(w http.ResponseWriter, r *http.Request, sess Session) {
	ctx := r.Context()
	id := r.PathValue("id")
	vs, err := s.d.Library.TreeVersions(ctx, id)
	if err != nil {
		s.internal(w, r, sess, err)
		return
	}
	if len(vs) == 0 {
		s.fail(w, r, sess, http.StatusNotFound, "err_not_found")
		return
	}
	v := historyView{ID: id, Versions: vs}
	if t, ok := s.d.Library.Base().Tree(id); ok {
		v.Title = t.Title
	}
	v.A, _ = strconv.Atoi(r.URL.Query().Get("a"))
	v.B, _ = strconv.Atoi(r.URL.Query().Get("b"))
	if v.A == 0 && len(vs) > 1 {
		v.A, v.B = vs[1].Version, vs[0].Version
	}
	if v.A > 0 && v.B > 0 {
		left, lerr := s.treeYAML(ctx, id, v.A)
		right, rerr := s.treeYAML(ctx, id, v.B)
		if lerr != nil || rerr != nil {
			s.fail(w, r, sess, http.StatusNotFound, "err_not_found")
			return
		}
		v.Rows, v.Diffed = textdiff.Lines(left, right), true
	}
	s.render(w, r, sess, http.StatusOK, "tree_history.html", "history_title", v)
}

// treeYAML is a published version of a tree as YAML lines.
func (s *Server) treeYAML(ctx context.Context, id string, version int) ([]string, error) {
	t, err := s.d.Library.TreeVersion(ctx, id, version)
	if err != nil {
		return nil, err
	}
	data, err := knowledge.MarshalTreeYAML(t)
	if err != nil {
		return nil, err
	}
	return strings.Split(strings.TrimRight(string(data), "\n"), "\n"), nil
}

// treeRollback publishes an old version as a new one.
func (s *Server) treeRollback(w http.ResponseWriter, r *http.Request, sess Session) {
	ctx := r.Context()
	id := r.PathValue("id")
	version, _ := strconv.Atoi(r.PostFormValue("version"))
	old, err := s.d.Library.TreeVersion(ctx, id, version)
	if err != nil {
		s.fail(w, r, sess, http.StatusNotFound, "err_not_found")
		return
	}
	msg := strings.TrimSpace(s.T(r, "rollback_message", "n", strconv.Itoa(version)) + " " + strings.TrimSpace(r.PostFormValue("message")))
	v, err := s.d.Library.PublishTree(ctx, old, Publication{Author: sess.User.Login, Message: msg})
	var probs knowledge.Problems
	if errors.As(err, &probs) {
		s.render(w, r, sess, http.StatusUnprocessableEntity, "error.html", "error_title", map[string]any{"Status": 422,
			"Message": s.T(r, "rollback_invalid") + " " + probs.Error()})
		return
	}
	if err != nil {
		s.internal(w, r, sess, err)
		return
	}
	s.audit(r, sess, "tree.rollback", id, fmt.Sprintf("version %d as version %d", version, v), msg)
	http.Redirect(w, r, Prefix+"/trees/"+url.PathEscape(id)+"/history?done=rolled_back", http.StatusSeeOther)
}

// internal logs err and shows the technical-problem page.
func (s *Server) internal(w http.ResponseWriter, r *http.Request, sess Session, err error) {
	s.d.Log.Error("admin: request failed", "path", r.URL.Path, "err", err)
	s.fail(w, r, sess, http.StatusInternalServerError, "err_internal")
}

// messageKey splits a page message "key:detail".
func messageKey(m string) (string, string) {
	k, d, _ := strings.Cut(m, ":")
	return k, d
}
