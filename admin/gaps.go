package admin

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/boussole/boussole/admin/gapgroup"
	"github.com/boussole/boussole/bot"
	"github.com/boussole/boussole/bot/pii"
	"github.com/boussole/boussole/bot/store"
	"github.com/boussole/boussole/knowledge"
	"github.com/boussole/boussole/knowledge/analysis"
)

// The gap report (« remontées d'usages »): what the bot did not
// understand or answered with a doubt, grouped by similarity; where people
// stop in each tree; why cases were opened and how people rated them, per
// topic. From a group of questions an editor starts a draft sheet, or adds
// a keyword to a tree's choice, in one click.
//
// Privacy: the questions were masked when stored (bot/pii) and are masked
// again here, in case a rule was added since; no query of the report
// returns a conversation's address; periods stop at the retention period.

// GapStore is what the gap report reads, and the drafts it starts
// (bot/store implements it).
type GapStore interface {
	UsageQuestions(ctx context.Context, since time.Time, limit int) ([]store.UsageQuestion, error)
	NodeStats(ctx context.Context, since time.Time) ([]store.NodeStat, error)
	EscalationReasons(ctx context.Context, since time.Time) ([]store.EscalationStat, error)
	Satisfaction(ctx context.Context, since time.Time) ([]store.SatisfactionStat, error)
	Draft(ctx context.Context, kind, id, author string) (store.Draft, error)
	Drafts(ctx context.Context, kind, id string) ([]store.Draft, error)
	SaveDraft(ctx context.Context, d store.Draft) error
}

const (
	// maxGapQuestions bounds the questions grouped for one page: the most
	// recent ones; a few thousand are read and grouped in milliseconds.
	maxGapQuestions = 2000
	// maxExamples is how many different questions a group shows.
	maxExamples = 3
	// maxQuestion and maxKeyword bound what the draft actions accept.
	maxQuestion = 300
	maxKeyword  = 60
	// defaultRetentionDays is retention.days when the admin is not told.
	defaultRetentionDays = 90
)

// gapPeriods are the periods the report offers, in days.
var gapPeriods = []int{7, 30, 90}

func (s *Server) gapsRoutes() {
	s.handle("GET "+Prefix+"/gaps", PermView, s.gaps)
	s.handle("POST "+Prefix+"/gaps/item", PermEdit, s.gapItem)
	s.handle("GET "+Prefix+"/gaps/keyword", PermEdit, s.gapKeywordForm)
	s.handle("POST "+Prefix+"/gaps/keyword", PermEdit, s.gapKeyword)
}

// periods are the offered periods within the retention period (the
// retention period itself when it is shorter than all of them).
func (s *Server) periods() []int {
	keep := cmp.Or(s.cfg.RetentionDays, defaultRetentionDays)
	var out []int
	for _, d := range gapPeriods {
		if d <= keep {
			out = append(out, d)
		}
	}
	if len(out) == 0 {
		out = []int{keep}
	}
	return out
}

// period reads the days parameter: one of the offered periods; a longer
// one is cut to the longest offered (a bookmark kept after the retention
// period was shortened), anything that is not a number is an error.
func (s *Server) period(r *http.Request) (int, bool) {
	ps := s.periods()
	def := ps[len(ps)-1]
	if slices.Contains(ps, 30) {
		def = 30
	}
	v := r.URL.Query().Get("days")
	if v == "" {
		return def, true
	}
	d, err := strconv.Atoi(v)
	if err != nil || d < 1 {
		return 0, false
	}
	if d > ps[len(ps)-1] {
		return ps[len(ps)-1], true
	}
	for _, p := range ps {
		if d <= p {
			return p, true
		}
	}
	return def, true
}

type periodLink struct {
	Days    int
	Current bool
}

// gapGroupView is a group of similar questions as the page shows it.
type gapGroupView struct {
	N             int
	Count         int
	NotUnderstood int
	Unsure        int
	Examples      []string
	Langs         []string
	Jurisdictions []string
	// Question is the seed's masked text (placeholders untranslated), for
	// the draft actions; Jurisdiction and Lang are the group's when it has
	// only one.
	Question     string
	Jurisdiction string
	Lang         string
	// KeywordQuery is the query of the keyword form's link.
	KeywordQuery string
}

type nodeDrop struct {
	ID, Ask             string
	Shown, Chose, Stops int
	Share               string
}

type treeDrop struct {
	ID, Title string
	Nodes     []nodeDrop
}

type escalationRow struct {
	Topic  string
	Counts []int
	Total  int
}

type satisfactionRow struct {
	Topic   string
	Count   int
	Average string
	Ratings [5]int
}

type gapsPage struct {
	Days         int
	Periods      []periodLink
	Groups       []gapGroupView
	Trees        []treeDrop
	Reasons      []string
	Escalations  []escalationRow
	Satisfaction []satisfactionRow
}

func (s *Server) gaps(w http.ResponseWriter, r *http.Request, sess Session) {
	days, ok := s.period(r)
	if !ok {
		s.fail(w, r, sess, http.StatusBadRequest, "gaps_err_period")
		return
	}
	page := gapsPage{Days: days}
	for _, p := range s.periods() {
		page.Periods = append(page.Periods, periodLink{Days: p, Current: p == days})
	}
	if s.d.Gaps == nil {
		s.render(w, r, sess, http.StatusOK, "gaps.html", "gaps_title", page)
		return
	}
	ctx := r.Context()
	since := s.d.Now().Add(-time.Duration(days) * 24 * time.Hour)
	qs, err := s.d.Gaps.UsageQuestions(ctx, since, maxGapQuestions)
	var (
		nodes []store.NodeStat
		esc   []store.EscalationStat
		sat   []store.SatisfactionStat
	)
	if err == nil {
		nodes, err = s.d.Gaps.NodeStats(ctx, since)
	}
	if err == nil {
		esc, err = s.d.Gaps.EscalationReasons(ctx, since)
	}
	if err == nil {
		sat, err = s.d.Gaps.Satisfaction(ctx, since)
	}
	if err != nil {
		s.d.Log.Error("admin: gap report", "err", err)
		s.fail(w, r, sess, http.StatusInternalServerError, "err_internal")
		return
	}
	lang := s.lang(r)
	page.Groups = s.gapGroups(r, qs)
	page.Trees = s.dropOff(lang, nodes)
	page.Reasons, page.Escalations = s.escalations(r, lang, esc)
	page.Satisfaction = s.satisfaction(r, lang, sat)
	s.render(w, r, sess, http.StatusOK, "gaps.html", "gaps_title", page)
}

// gapGroups groups the questions and describes each group.
func (s *Server) gapGroups(r *http.Request, qs []store.UsageQuestion) []gapGroupView {
	texts := make([]string, len(qs))
	for i, q := range qs {
		texts[i] = pii.Mask(q.Text)
	}
	var out []gapGroupView
	for n, g := range gapgroup.Cluster(texts) {
		v := gapGroupView{N: n + 1, Count: len(g.Members)}
		seed := qs[g.Members[0]]
		v.Question = texts[g.Members[0]]
		tree, node := seed.TreeID, seed.Node
		for _, i := range g.Members {
			q := qs[i]
			switch q.Kind {
			case bot.UsageNotUnderstood:
				v.NotUnderstood++
			case bot.UsageUnsure:
				v.Unsure++
			}
			if shown := s.showMasked(r, texts[i]); len(v.Examples) < maxExamples && !slices.Contains(v.Examples, shown) {
				v.Examples = append(v.Examples, shown)
			}
			if l := cmp.Or(q.Lang, "?"); !slices.Contains(v.Langs, l) {
				v.Langs = append(v.Langs, l)
			}
			if j := cmp.Or(q.Jurisdiction, "?"); !slices.Contains(v.Jurisdictions, j) {
				v.Jurisdictions = append(v.Jurisdictions, j)
			}
			if tree == "" && q.TreeID != "" {
				tree, node = q.TreeID, q.Node
			}
		}
		slices.Sort(v.Langs)
		slices.Sort(v.Jurisdictions)
		if len(v.Jurisdictions) == 1 && v.Jurisdictions[0] != "?" {
			v.Jurisdiction = v.Jurisdictions[0]
		}
		if len(v.Langs) == 1 && v.Langs[0] != "?" {
			v.Lang = v.Langs[0]
		}
		kq := url.Values{"q": {v.Question}}
		if tree != "" {
			kq.Set("tree", tree)
			kq.Set("node", node)
		}
		v.KeywordQuery = kq.Encode()
		out = append(out, v)
	}
	return out
}

// showMasked masks text again and writes its placeholders in the page's
// language.
func (s *Server) showMasked(r *http.Request, text string) string {
	text = pii.Mask(text)
	for _, p := range pii.Placeholders() {
		if strings.Contains(text, p) {
			text = strings.ReplaceAll(text, p, s.T(r, "gaps_pii_"+strings.Trim(p, "[]")))
		}
	}
	return text
}

// tree is a published tree of the library, if any.
func (s *Server) publishedTree(id string) (*knowledge.Tree, bool) {
	if s.d.Library == nil {
		return nil, false
	}
	b := s.d.Library.Base()
	if b == nil {
		return nil, false
	}
	return b.Tree(id)
}

// treeTitle is a tree's title in the page's language, else fallback.
func treeTitle(t *knowledge.Tree, lang, fallback string) string {
	if t == nil {
		return fallback
	}
	if strings.HasPrefix(lang, "en") && t.TitleEN != "" {
		return t.TitleEN
	}
	return cmp.Or(t.Title, fallback)
}

func nodeAsk(n *knowledge.Node, lang string) string {
	if strings.HasPrefix(lang, "en") && n.AskEN != "" {
		return n.AskEN
	}
	return n.Ask
}

// dropOff turns node figures into each tree's drop-off: shown, went on,
// stopped there and the share that stopped, the worst node first.
func (s *Server) dropOff(lang string, stats []store.NodeStat) []treeDrop {
	byTree := map[string]*treeDrop{}
	var order []string
	for _, st := range stats {
		td, ok := byTree[st.TreeID]
		if !ok {
			t, _ := s.publishedTree(st.TreeID)
			td = &treeDrop{ID: st.TreeID, Title: treeTitle(t, lang, st.TreeID)}
			byTree[st.TreeID] = td
			order = append(order, st.TreeID)
		}
		nd := nodeDrop{ID: st.Node, Ask: st.Node, Shown: st.Shown, Chose: st.Chose}
		if t, ok := s.publishedTree(st.TreeID); ok {
			if n := t.Nodes[st.Node]; n != nil && nodeAsk(n, lang) != "" {
				nd.Ask = nodeAsk(n, lang)
			}
		}
		// A choice taken at a node reached before the period counts
		// without its arrival: never a negative stop.
		nd.Stops = max(0, st.Shown-st.Chose)
		if st.Shown > 0 {
			nd.Share = strconv.Itoa((nd.Stops*100+st.Shown/2)/st.Shown) + " %"
		} else {
			nd.Share = "–"
		}
		td.Nodes = append(td.Nodes, nd)
	}
	out := make([]treeDrop, 0, len(order))
	for _, id := range order {
		td := byTree[id]
		slices.SortStableFunc(td.Nodes, func(a, b nodeDrop) int {
			// The largest share of people stopping first, then the most seen.
			if c := cmp.Compare(b.Stops*max(a.Shown, 1), a.Stops*max(b.Shown, 1)); c != 0 {
				return c
			}
			return cmp.Compare(b.Shown, a.Shown)
		})
		out = append(out, *td)
	}
	slices.SortStableFunc(out, func(a, b treeDrop) int { return strings.Compare(analysis.Fold(a.Title), analysis.Fold(b.Title)) })
	return out
}

// topicTitle names a case's topic: the published tree's title, else
// what the case summary wrote, else « general request ».
func (s *Server) topicTitle(r *http.Request, lang, treeID, written string) string {
	if treeID == "" {
		return cmp.Or(written, s.T(r, "gaps_topic_general"))
	}
	t, _ := s.publishedTree(treeID)
	return treeTitle(t, lang, cmp.Or(written, treeID))
}

// escalations lays reasons out as columns and topics as rows.
func (s *Server) escalations(r *http.Request, lang string, stats []store.EscalationStat) ([]string, []escalationRow) {
	// bot.CaseReasons in their order; an unknown one gets a column of its
	// own after them.
	reasons := bot.CaseReasons()
	for _, st := range stats {
		if !slices.Contains(reasons, st.Reason) {
			reasons = append(reasons, st.Reason)
		}
	}
	rows := map[string]*escalationRow{}
	var order []string
	for _, st := range stats {
		row, ok := rows[st.TreeID]
		if !ok {
			row = &escalationRow{Topic: s.topicTitle(r, lang, st.TreeID, st.Topic), Counts: make([]int, len(reasons))}
			rows[st.TreeID] = row
			order = append(order, st.TreeID)
		}
		row.Counts[slices.Index(reasons, st.Reason)] += st.Count
		row.Total += st.Count
	}
	out := make([]escalationRow, 0, len(order))
	for _, id := range order {
		out = append(out, *rows[id])
	}
	slices.SortStableFunc(out, func(a, b escalationRow) int { return cmp.Compare(b.Total, a.Total) })
	headers := make([]string, len(reasons))
	for i, reason := range reasons {
		key := "gaps_reason_" + reason
		if s.cat.Has(lang, key) {
			headers[i] = s.T(r, key)
		} else {
			headers[i] = cmp.Or(reason, "?")
		}
	}
	return headers, out
}

func (s *Server) satisfaction(r *http.Request, lang string, stats []store.SatisfactionStat) []satisfactionRow {
	out := make([]satisfactionRow, 0, len(stats))
	for _, st := range stats {
		avg := strconv.FormatFloat(st.Average(), 'f', 1, 64)
		if !strings.HasPrefix(lang, "en") {
			avg = strings.Replace(avg, ".", ",", 1) // French decimal comma
		}
		out = append(out, satisfactionRow{Topic: s.topicTitle(r, lang, st.TreeID, st.Topic), Count: st.Count, Average: avg, Ratings: st.Ratings})
	}
	return out
}

// gapQuestion reads and masks the question a draft action is about.
func gapQuestion(v string) string {
	q := strings.Join(strings.Fields(pii.Mask(v)), " ")
	return analysis.Truncate(q, maxQuestion)
}

// validJurisdiction accepts a jurisdiction code (FR, QC, a territory
// code): capitals and digits, short.
func validJurisdiction(j string) bool {
	if j == "" || len(j) > 8 {
		return false
	}
	for _, r := range j {
		if !unicode.IsUpper(r) && !unicode.IsDigit(r) && r != '-' {
			return false
		}
	}
	return true
}

// gapItem starts a draft sheet from a question: its words as keywords,
// the question as title, the group's jurisdiction; the editor completes
// it in the item editor.
func (s *Server) gapItem(w http.ResponseWriter, r *http.Request, sess Session) {
	if s.d.Gaps == nil {
		s.fail(w, r, sess, http.StatusServiceUnavailable, "gaps_err_no_store")
		return
	}
	q := gapQuestion(r.PostFormValue("q"))
	words := gapgroup.Words(q)
	if len(words) == 0 {
		s.fail(w, r, sess, http.StatusBadRequest, "gaps_err_no_question")
		return
	}
	ctx := r.Context()
	id, err := s.newItemID(ctx, words)
	if err != nil {
		s.d.Log.Error("admin: new item id", "err", err)
		s.fail(w, r, sess, http.StatusInternalServerError, "err_internal")
		return
	}
	it := knowledge.Item{ID: id, Kind: knowledge.KindProcedure, Title: capitalise(q), Keywords: words}
	if j := r.PostFormValue("jurisdiction"); validJurisdiction(j) {
		it.Jurisdiction = j
	}
	if strings.HasPrefix(r.PostFormValue("lang"), "en") {
		it.Lang = "en"
	}
	body, err := json.Marshal(it)
	if err == nil {
		err = s.d.Gaps.SaveDraft(ctx, store.Draft{Kind: "item", ObjectID: id, Author: sess.User.Login, Body: string(body), UpdatedAt: s.d.Now()})
	}
	if err != nil {
		s.d.Log.Error("admin: save draft item from a gap", "err", err)
		s.fail(w, r, sess, http.StatusInternalServerError, "err_internal")
		return
	}
	s.audit(r, sess, "item.draft_from_gap", id, q, "")
	http.Redirect(w, r, Prefix+"/items/"+url.PathEscape(id)+"/edit?done=gap_item", http.StatusSeeOther)
}

// newItemID makes an id from the question's words that no published item
// and nobody's draft uses yet.
func (s *Server) newItemID(ctx context.Context, words []string) (string, error) {
	var parts []string
	n := 0
	for _, w := range words {
		w = strings.Map(func(r rune) rune {
			if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
				return r
			}
			return -1
		}, w)
		if w == "" {
			continue
		}
		if n+len(w) > 40 || len(parts) == 5 {
			break
		}
		parts = append(parts, w)
		n += len(w) + 1
	}
	base := cmp.Or(strings.Join(parts, "-"), "question")
	for i := 1; i < 1000; i++ {
		id := base
		if i > 1 {
			id += "-" + strconv.Itoa(i)
		}
		if s.d.Library != nil && s.d.Library.Base() != nil {
			if _, ok := s.d.Library.Base().Item(id); ok {
				continue
			}
		}
		ds, err := s.d.Gaps.Drafts(ctx, "item", id)
		if err != nil {
			return "", err
		}
		if len(ds) == 0 {
			return id, nil
		}
	}
	return "", fmt.Errorf("no free item id from %q", base)
}

// capitalise puts the first letter in capitals (a title).
func capitalise(s string) string {
	for i, r := range s {
		return s[:i] + string(unicode.ToUpper(r)) + s[i+len(string(r)):]
	}
	return s
}

// editableTree is the tree an editor's change applies to: their draft,
// else the published tree (a copy: the library's is shared).
func (s *Server) editableTree(ctx context.Context, id, author string) (*knowledge.Tree, int, error) {
	d, err := s.d.Gaps.Draft(ctx, "tree", id, author)
	if err == nil {
		t := new(knowledge.Tree)
		if err := json.Unmarshal([]byte(d.Body), t); err != nil {
			return nil, 0, fmt.Errorf("decode draft of tree %s: %w", id, err)
		}
		return t, d.BaseVersion, nil
	}
	if !errors.Is(err, store.ErrNotFound) {
		return nil, 0, err
	}
	pub, ok := s.publishedTree(id)
	if !ok {
		return nil, 0, fmt.Errorf("tree %s: %w", id, store.ErrNotFound)
	}
	body, err := json.Marshal(pub)
	if err != nil {
		return nil, 0, fmt.Errorf("copy tree %s: %w", id, err)
	}
	t := new(knowledge.Tree)
	if err := json.Unmarshal(body, t); err != nil {
		return nil, 0, fmt.Errorf("copy tree %s: %w", id, err)
	}
	version := 0
	if vs, err := s.d.Library.TreeVersions(ctx, id); err != nil {
		return nil, 0, fmt.Errorf("versions of tree %s: %w", id, err)
	} else if len(vs) > 0 {
		version = vs[0].Version
	}
	return t, version, nil
}

type choiceOption struct {
	Value, Label string
	Selected     bool
}

type nodeOptions struct {
	Label   string
	Choices []choiceOption
}

type keywordPage struct {
	Question string
	Keyword  string
	Nodes    []nodeOptions
}

// choiceValue encodes a tree, node and choice as one select value.
func choiceValue(tree, node string, i int) string {
	return url.Values{"tree": {tree}, "node": {node}, "choice": {strconv.Itoa(i)}}.Encode()
}

// gapKeywordForm asks which tree choice the question's words should
// select: every choice of every tree the editor can change (their drafts
// first, else the published trees), grouped by tree and question.
func (s *Server) gapKeywordForm(w http.ResponseWriter, r *http.Request, sess Session) {
	if s.d.Gaps == nil || s.d.Library == nil {
		s.fail(w, r, sess, http.StatusServiceUnavailable, "gaps_err_no_store")
		return
	}
	ctx := r.Context()
	lang := s.lang(r)
	qv := r.URL.Query()
	q := gapQuestion(qv.Get("q"))
	words := gapgroup.Words(q)
	page := keywordPage{Question: s.showMasked(r, q), Keyword: analysis.Truncate(strings.Join(words[:min(len(words), 4)], " "), maxKeyword)}
	wantTree, wantNode := qv.Get("tree"), qv.Get("node")
	selected := false
	var trees []*knowledge.Tree
	if b := s.d.Library.Base(); b != nil {
		for _, pub := range b.Trees {
			t, _, err := s.editableTree(ctx, pub.ID, sess.User.Login)
			if err != nil {
				s.d.Log.Error("admin: tree for a keyword", "tree", pub.ID, "err", err)
				s.fail(w, r, sess, http.StatusInternalServerError, "err_internal")
				return
			}
			trees = append(trees, t)
		}
	}
	slices.SortStableFunc(trees, func(a, b *knowledge.Tree) int {
		return strings.Compare(analysis.Fold(treeTitle(a, lang, a.ID)), analysis.Fold(treeTitle(b, lang, b.ID)))
	})
	for _, t := range trees {
		ids := make([]string, 0, len(t.Nodes))
		for id, n := range t.Nodes {
			if n != nil && len(n.Choices) > 0 {
				ids = append(ids, id)
			}
		}
		// The start node first, then by id: the order people meet them,
		// roughly, and always the same.
		slices.SortFunc(ids, func(a, b string) int {
			if a == t.Start || b == t.Start {
				return cmp.Compare(boolInt(b == t.Start), boolInt(a == t.Start))
			}
			return strings.Compare(a, b)
		})
		for _, id := range ids {
			n := t.Nodes[id]
			no := nodeOptions{Label: treeTitle(t, lang, t.ID) + " › " + cmp.Or(nodeAsk(n, lang), id)}
			for i, c := range n.Choices {
				label := c.Label
				if strings.HasPrefix(lang, "en") && c.LabelEN != "" {
					label = c.LabelEN
				}
				o := choiceOption{Value: choiceValue(t.ID, id, i), Label: label}
				if !selected && t.ID == wantTree && id == wantNode {
					o.Selected, selected = true, true
				}
				no.Choices = append(no.Choices, o)
			}
			page.Nodes = append(page.Nodes, no)
		}
	}
	s.render(w, r, sess, http.StatusOK, "gaps_keyword.html", "gaps_keyword_title", page)
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// gapKeyword adds a keyword to a tree choice in the editor's draft of
// the tree (started from the published tree when they have none).
func (s *Server) gapKeyword(w http.ResponseWriter, r *http.Request, sess Session) {
	if s.d.Gaps == nil || s.d.Library == nil {
		s.fail(w, r, sess, http.StatusServiceUnavailable, "gaps_err_no_store")
		return
	}
	kw := strings.Join(strings.Fields(r.PostFormValue("keyword")), " ")
	switch {
	case kw == "" || len(kw) > maxKeyword:
		s.fail(w, r, sess, http.StatusBadRequest, "gaps_err_keyword")
		return
	case pii.Mask(kw) != kw:
		s.fail(w, r, sess, http.StatusBadRequest, "gaps_err_keyword_personal")
		return
	}
	sel, err := url.ParseQuery(r.PostFormValue("choice"))
	treeID, nodeID := sel.Get("tree"), sel.Get("node")
	idx, ierr := strconv.Atoi(sel.Get("choice"))
	if err != nil || ierr != nil || treeID == "" || nodeID == "" {
		s.fail(w, r, sess, http.StatusBadRequest, "gaps_err_choice")
		return
	}
	ctx := r.Context()
	t, base, err := s.editableTree(ctx, treeID, sess.User.Login)
	if errors.Is(err, store.ErrNotFound) {
		s.fail(w, r, sess, http.StatusBadRequest, "gaps_err_choice")
		return
	}
	if err != nil {
		s.d.Log.Error("admin: tree for a keyword", "tree", treeID, "err", err)
		s.fail(w, r, sess, http.StatusInternalServerError, "err_internal")
		return
	}
	n := t.Nodes[nodeID]
	if n == nil || idx < 0 || idx >= len(n.Choices) {
		s.fail(w, r, sess, http.StatusBadRequest, "gaps_err_choice")
		return
	}
	c := &n.Choices[idx]
	target := Prefix + "/trees/" + url.PathEscape(treeID) + "/nodes/" + url.PathEscape(nodeID)
	if slices.ContainsFunc(c.Keywords, func(k string) bool { return analysis.Fold(k) == analysis.Fold(kw) }) {
		http.Redirect(w, r, target, http.StatusSeeOther) // already there: nothing to change
		return
	}
	c.Keywords = append(c.Keywords, kw)
	body, err := json.Marshal(t)
	if err == nil {
		err = s.d.Gaps.SaveDraft(ctx, store.Draft{Kind: "tree", ObjectID: treeID, Author: sess.User.Login, Body: string(body), BaseVersion: base, UpdatedAt: s.d.Now()})
	}
	if err != nil {
		s.d.Log.Error("admin: save tree draft with a keyword", "tree", treeID, "err", err)
		s.fail(w, r, sess, http.StatusInternalServerError, "err_internal")
		return
	}
	s.audit(r, sess, "tree.keyword_from_gap", treeID, fmt.Sprintf("%s / %s: %s", nodeID, c.Label, kw), "")
	http.Redirect(w, r, target+"?done=gap_keyword", http.StatusSeeOther)
}
