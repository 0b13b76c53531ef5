package admin

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/boussole/boussole/app"
	"github.com/boussole/boussole/bot/store"
	"github.com/boussole/boussole/knowledge"
)

// treeServerAs is the admin on c signed in as login with role r (two
// people editing the same tree need two logins).
func treeServerAs(t *testing.T, c *app.Core, login string, r Role) *Server {
	t.Helper()
	sess := Session{User: User{ID: int64(len(login)), Login: login, Name: login, Role: r}, CSRF: "tok"}
	s, err := New(Config{}, Deps{Now: testClock, Auth: fixedAuth{sess}, Audit: c.Store, Library: c.Library, Drafts: c.Store})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// draftOf reads login's draft of tree id.
func draftOf(t *testing.T, c *app.Core, id, login string) *knowledge.Tree {
	t.Helper()
	d, err := c.Store.Draft(context.Background(), "tree", id, login)
	if err != nil {
		t.Fatalf("draft of %s by %s: %v", id, login, err)
	}
	tr := new(knowledge.Tree)
	if err := json.Unmarshal([]byte(d.Body), tr); err != nil {
		t.Fatal(err)
	}
	return tr
}

func auditActions(t *testing.T, c *app.Core) []string {
	t.Helper()
	log, err := c.Store.AuditLog(context.Background(), 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range log {
		out = append(out, e.Action+" "+e.Object+" "+e.Detail)
	}
	return out
}

// between returns the part of s from the first from to the next to.
func between(t *testing.T, s, from, to string) string {
	t.Helper()
	i := strings.Index(s, from)
	if i < 0 {
		t.Fatalf("%q not in the page", from)
	}
	s = s[i:]
	if j := strings.Index(s, to); j >= 0 {
		return s[:j]
	}
	return s
}

// The list shows each tree's titles, jurisdiction, version and who
// published it, who has drafts, and the problems of the viewer's draft.
func TestTreeListShowsDraftsAndProblems(t *testing.T) {
	t.Parallel()
	_, c := filesServer(t, RoleEditor)
	ed := treeServerAs(t, c, "camille", RoleEditor)
	other := treeServerAs(t, c, "dominique", RoleEditor)
	post(t, other, "/admin/trees/papiers-identite/nodes/quel-document", nodeForm("tok", nil))
	post(t, ed, "/admin/trees/papiers-identite/nodes/quel-document", nodeForm("tok", map[string]string{"c1_next": "nulle-part"}))

	w := get(t, ed, "/admin/trees")
	if w.Code != 200 {
		t.Fatalf("list: %d", w.Code)
	}
	row := between(t, w.Body.String(), `href="/admin/trees/papiers-identite"`, "</tr>")
	for _, want := range []string{"Papiers d&#39;identité", "Identity papers", "FR", "version 1", "dominique", "camille", "⚠ 2 problème(s)", "dans votre brouillon"} {
		if !strings.Contains(row, want) {
			t.Errorf("the row lacks %q:\n%s", want, row)
		}
	}
	// Dominique's draft is fine (a dangling next and the question it
	// no longer reaches are two problems of Camille's alone).
	row = between(t, get(t, other, "/admin/trees").Body.String(), `href="/admin/trees/papiers-identite"`, "</tr>")
	if strings.Contains(row, "⚠") || !strings.Contains(row, "aucun problème") {
		t.Errorf("another editor's problems counted in dominique's list:\n%s", row)
	}
}

// A new tree starts as its author's draft, is written from the settings
// and node forms, shows in the list as never published, and an admin
// publishes it as version 1.
func TestNewTreeFromScratch(t *testing.T) {
	t.Parallel()
	_, c := filesServer(t, RoleAdmin)
	adm := treeServerAs(t, c, "alex", RoleAdmin)
	for _, bad := range []url.Values{
		{"csrf": {"tok"}, "id": {"Aide Numérique"}, "title": {"Aide"}},
		{"csrf": {"tok"}, "id": {"aide-numerique"}, "title": {" "}},
	} {
		if w := post(t, adm, "/admin/trees", bad); w.Code != http.StatusSeeOther || !strings.Contains(w.Header().Get("Location"), "error=trees_bad_new") {
			t.Errorf("bad new tree %v: %d %s", bad, w.Code, w.Header().Get("Location"))
		}
	}
	if w := post(t, adm, "/admin/trees", url.Values{"csrf": {"tok"}, "id": {"papiers-identite"}, "title": {"Doublon"}}); !strings.Contains(w.Header().Get("Location"), "error=trees_exists") {
		t.Errorf("a taken id: %s", w.Header().Get("Location"))
	}
	if w := get(t, adm, "/admin/trees?error=trees_exists"); !strings.Contains(w.Body.String(), "Un parcours porte déjà cet identifiant.") {
		t.Error("the list does not say why the tree was not created")
	}
	w := post(t, adm, "/admin/trees", url.Values{"csrf": {"tok"}, "id": {"aide-numerique"}, "title": {"Aide numérique"}})
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/admin/trees/aide-numerique/nodes/debut" {
		t.Fatalf("create: %d %s", w.Code, w.Header().Get("Location"))
	}
	if w := get(t, adm, "/admin/trees"); !strings.Contains(w.Body.String(), `href="/admin/trees/aide-numerique"`) || !strings.Contains(w.Body.String(), "jamais publié") {
		t.Error("the new draft is not in the list")
	}
	// Another editor sees the draft and its author, without a link to a
	// page they could not open (nothing is published to start from).
	other := treeServerAs(t, c, "dominique", RoleEditor)
	list := get(t, other, "/admin/trees").Body.String()
	if !strings.Contains(list, "<code>aide-numerique</code>") || strings.Contains(list, `href="/admin/trees/aide-numerique"`) || !strings.Contains(between(t, list, "<code>aide-numerique</code>", "</tr>"), "alex") {
		t.Error("another editor's list of new drafts")
	}
	if w := get(t, other, "/admin/trees/aide-numerique"); w.Code != http.StatusNotFound {
		t.Errorf("another editor opens a new tree's draft: %d", w.Code)
	}
	page := get(t, adm, "/admin/trees/aide-numerique").Body.String()
	for _, want := range []string{"has no triggers", "has no question"} {
		if !strings.Contains(page, want) {
			t.Errorf("the new tree's page lacks the problem %q", want)
		}
	}
	w = post(t, adm, "/admin/trees/aide-numerique/settings", url.Values{"csrf": {"tok"}, "title": {"Aide numérique"}, "title_en": {"Digital help"},
		"jurisdiction": {"FR"}, "lang": {"fr"}, "triggers": {"ordinateur\naide numérique\n\n  internet  "}, "start": {"debut"}})
	if w.Code != http.StatusSeeOther {
		t.Fatalf("settings: %d", w.Code)
	}
	if tr := draftOf(t, c, "aide-numerique", "alex"); !slices.Equal(tr.Triggers, []string{"ordinateur", "aide numérique", "internet"}) || tr.TitleEN != "Digital help" || tr.Jurisdiction != "FR" {
		t.Errorf("settings saved as %+v", tr)
	}
	w = post(t, adm, "/admin/trees/aide-numerique/nodes/debut", url.Values{"csrf": {"tok"}, "ask": {"Que vous faut-il ?"},
		"c0_label": {"Une démarche en ligne"}, "c0_action": {"next"}, "c0_next_new": {"demarche"},
		"c1_label": {"Parler à quelqu'un"}, "c1_action": {"escalate"}, "c1_escalate": {"numerique"}})
	if w.Code != http.StatusSeeOther {
		t.Fatalf("node: %d", w.Code)
	}
	tr := draftOf(t, c, "aide-numerique", "alex")
	if n := tr.Nodes["demarche"]; n == nil {
		t.Fatal("the new question named on a choice was not created")
	}
	// The new question is empty: its problems are at it, and publishing
	// is refused.
	page = get(t, adm, "/admin/trees/aide-numerique/nodes/demarche").Body.String()
	if !strings.Contains(between(t, page, `id="form-h"`, `id="choice-0"`), "has no question") {
		t.Error("the empty question's problem is not at its form")
	}
	if w := post(t, adm, "/admin/trees/aide-numerique/publish", url.Values{"csrf": {"tok"}, "message": {"premier jet"}}); w.Code != http.StatusUnprocessableEntity {
		t.Fatalf("publish of an unfinished tree: %d", w.Code)
	}
	post(t, adm, "/admin/trees/aide-numerique/nodes/demarche", url.Values{"csrf": {"tok"}, "ask": {"Laquelle ?"},
		"c0_label": {"Pièce d'identité"}, "c0_action": {"answer"}, "c0_answer": {"cni-demande, passeport-demande"},
		"c1_label": {"Autre"}, "c1_action": {"escalate"}, "c1_escalate": {"numerique"}})
	if probs := adm.treeProblems(draftOf(t, c, "aide-numerique", "alex")); len(probs) != 0 {
		t.Fatalf("the finished tree has problems: %+v", probs)
	}
	if w := post(t, adm, "/admin/trees/aide-numerique/publish", url.Values{"csrf": {"tok"}, "message": {"premier jet"}}); w.Code != http.StatusSeeOther {
		t.Fatalf("publish: %d\n%s", w.Code, w.Body.String())
	}
	pub, ok := c.Library.Base().Tree("aide-numerique")
	if !ok || !slices.Equal(pub.Nodes["demarche"].Choices[0].Answer, []string{"cni-demande", "passeport-demande"}) {
		t.Fatalf("the new tree is not served: %v", ok)
	}
	if _, err := c.Store.Draft(context.Background(), "tree", "aide-numerique", "alex"); err == nil {
		t.Error("the published draft was kept")
	}
	acts := auditActions(t, c)
	if !slices.Contains(acts, "tree.publish aide-numerique version 1") || !slices.Contains(acts, "tree.create aide-numerique ") {
		t.Errorf("audit: %q", acts)
	}
}

// Markup typed in a tree's title or a choice's label is shown as text in
// the list, the pages and the SVG graph.
func TestTreeMarkupShownAsText(t *testing.T) {
	t.Parallel()
	_, c := filesServer(t, RoleEditor)
	ed := treeServerAs(t, c, "camille", RoleEditor)
	post(t, ed, "/admin/trees/papiers-identite/settings", url.Values{"csrf": {"tok"}, "title": {"Papiers <script>alert(1)</script>"},
		"lang": {"fr"}, "jurisdiction": {"FR"}, "triggers": {"cni"}, "start": {"quel-document"}})
	post(t, ed, "/admin/trees/papiers-identite/nodes/quel-document", nodeForm("tok", map[string]string{"c0_label": `"><script>alert(2)</script>`}))
	for _, page := range []string{"/admin/trees/papiers-identite", "/admin/trees/papiers-identite/nodes/quel-document", "/admin/trees/papiers-identite/nodes/situation-cni"} {
		body := get(t, ed, page).Body.String()
		if strings.Contains(body, "<script>alert") {
			t.Errorf("%s: markup reached the page", page)
		}
		svg := between(t, body, "<svg", "</svg>")
		if !strings.Contains(svg, "Papiers &lt;script&gt;alert(1)&lt;/script&gt;") {
			t.Errorf("%s: the graph's title is not the escaped tree title", page)
		}
		if !strings.Contains(svg, "&#34;&gt;&lt;script&gt;alert(2)") {
			t.Errorf("%s: the graph's arrow does not carry the escaped label", page)
		}
	}
	body := get(t, ed, "/admin/trees/papiers-identite/nodes/quel-document").Body.String()
	if !strings.Contains(body, `value="&#34;&gt;&lt;script&gt;alert(2)&lt;/script&gt;"`) {
		t.Error("the label is not in its field as text")
	}
}

// A save without the CSRF token, or with a wrong one, is refused and
// writes no draft; a viewer may not save at all.
func TestTreeSaveNeedsCSRFAndEditor(t *testing.T) {
	t.Parallel()
	_, c := filesServer(t, RoleEditor)
	ed := treeServerAs(t, c, "camille", RoleEditor)
	f := nodeForm("tok", map[string]string{"ask": "Changé ?"})
	f.Del("csrf")
	for _, target := range []string{"/admin/trees/papiers-identite/nodes/quel-document", "/admin/trees/papiers-identite/settings",
		"/admin/trees/papiers-identite/nodes", "/admin/trees/papiers-identite/nodes/autre-papier/delete", "/admin/trees"} {
		if w := post(t, ed, target, f); w.Code != http.StatusForbidden {
			t.Errorf("%s without a token: %d", target, w.Code)
		}
	}
	req := newPost("/admin/trees/papiers-identite/nodes/quel-document", strings.NewReader(f.Encode()))
	req.Header.Set("X-CSRF-Token", "tok-not")
	if w := serve(ed, req); w.Code != http.StatusForbidden {
		t.Errorf("a script's save with a wrong token: %d", w.Code)
	}
	viewer := treeServerAs(t, c, "sam", RoleViewer)
	if w := post(t, viewer, "/admin/trees/papiers-identite/nodes/quel-document", nodeForm("tok", nil)); w.Code != http.StatusForbidden {
		t.Errorf("a viewer saves: %d", w.Code)
	}
	if ds, _ := c.Store.Drafts(context.Background(), "tree", "papiers-identite"); len(ds) != 0 {
		t.Errorf("refused saves left drafts: %+v", ds)
	}
	// The viewer reads the pages, without the forms' buttons.
	w := get(t, viewer, "/admin/trees/papiers-identite/nodes/quel-document")
	if w.Code != 200 || strings.Contains(w.Body.String(), "Supprimer cette question") || strings.Contains(w.Body.String(), "/delete\"") {
		t.Errorf("viewer's node page: %d", w.Code)
	}
}

// Each editor has their own draft; the others' are named on the page; a
// version published after a draft began is pointed out; discarding a
// draft leaves the others'.
func TestTreeDraftsOfSeveralEditors(t *testing.T) {
	t.Parallel()
	_, c := filesServer(t, RoleEditor)
	cam := treeServerAs(t, c, "camille", RoleEditor)
	dom := treeServerAs(t, c, "dominique", RoleAdmin)
	post(t, cam, "/admin/trees/papiers-identite/nodes/quel-document", nodeForm("tok", map[string]string{"ask": "Version de Camille ?"}))
	post(t, dom, "/admin/trees/papiers-identite/nodes/quel-document", nodeForm("tok", map[string]string{"ask": "Version de Dominique ?"}))
	if a, b := draftOf(t, c, "papiers-identite", "camille"), draftOf(t, c, "papiers-identite", "dominique"); a.Nodes["quel-document"].Ask != "Version de Camille ?" || b.Nodes["quel-document"].Ask != "Version de Dominique ?" {
		t.Fatal("the drafts are mixed")
	}
	page := get(t, cam, "/admin/trees/papiers-identite").Body.String()
	if !strings.Contains(page, "dominique a aussi un brouillon") || !strings.Contains(page, "Vous modifiez un brouillon") || !strings.Contains(page, "Version de Camille ?") {
		t.Error("Camille's page does not show her draft and Dominique's")
	}
	if strings.Contains(page, "a été publiée depuis") {
		t.Error("a stale warning on a fresh draft")
	}
	if w := post(t, dom, "/admin/trees/papiers-identite/publish", url.Values{"csrf": {"tok"}, "message": {"question de Dominique"}}); w.Code != http.StatusSeeOther {
		t.Fatalf("publish: %d", w.Code)
	}
	page = get(t, cam, "/admin/trees/papiers-identite/nodes/quel-document").Body.String()
	if !strings.Contains(page, "la version 2 a été publiée depuis que vous avez commencé ce brouillon (à partir de la version 1)") {
		t.Error("Camille is not told that her draft predates version 2")
	}
	if w := post(t, cam, "/admin/trees/papiers-identite/discard", url.Values{"csrf": {"tok"}}); w.Code != http.StatusSeeOther {
		t.Fatalf("discard: %d", w.Code)
	}
	if _, err := c.Store.Draft(context.Background(), "tree", "papiers-identite", "camille"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the discarded draft: %v", err)
	}
	if page := get(t, cam, "/admin/trees/papiers-identite").Body.String(); !strings.Contains(page, "Version de Dominique ?") || !strings.Contains(page, "Vous voyez la version publiée") {
		t.Error("after discarding, Camille does not see the published tree")
	}
	if acts := auditActions(t, c); !slices.Contains(acts, "tree.discard papiers-identite ") {
		t.Errorf("audit: %q", acts)
	}
}

// Questions are added (a bad name refused) and deleted, both audited;
// a question no choice leads to is flagged unreachable in the graph.
func TestTreeAddAndDeleteQuestion(t *testing.T) {
	t.Parallel()
	_, c := filesServer(t, RoleEditor)
	ed := treeServerAs(t, c, "camille", RoleEditor)
	w := post(t, ed, "/admin/trees/papiers-identite/nodes", url.Values{"csrf": {"tok"}, "node": {"Mauvais Nom"}})
	if !strings.Contains(w.Header().Get("Location"), "msg=tree_bad_node") {
		t.Errorf("a bad name: %s", w.Header().Get("Location"))
	}
	if page := get(t, ed, "/admin/trees/papiers-identite?msg=tree_bad_node").Body.String(); !strings.Contains(page, "Le nom d&#39;une question est fait de lettres minuscules") {
		t.Error("the page does not say what a name is made of")
	}
	w = post(t, ed, "/admin/trees/papiers-identite/nodes", url.Values{"csrf": {"tok"}, "node": {"seule"}})
	if w.Header().Get("Location") != "/admin/trees/papiers-identite/nodes/seule" {
		t.Fatalf("add: %s", w.Header().Get("Location"))
	}
	page := get(t, ed, "/admin/trees/papiers-identite").Body.String()
	svg := between(t, page, "<svg", "</svg>")
	if !strings.Contains(svg, `href="/admin/trees/papiers-identite/nodes/seule"`) || !strings.Contains(svg, "jamais atteinte") {
		t.Error("the graph does not show the new question as unreachable")
	}
	if !strings.Contains(page, "can never be reached") {
		t.Error("the unreachable question is not listed as a problem")
	}
	if w := post(t, ed, "/admin/trees/papiers-identite/nodes/absente/delete", url.Values{"csrf": {"tok"}}); w.Code != http.StatusNotFound {
		t.Errorf("delete a missing question: %d", w.Code)
	}
	if w := post(t, ed, "/admin/trees/papiers-identite/nodes/seule/delete", url.Values{"csrf": {"tok"}}); w.Code != http.StatusSeeOther {
		t.Fatalf("delete: %d", w.Code)
	}
	if tr := draftOf(t, c, "papiers-identite", "camille"); tr.Nodes["seule"] != nil {
		t.Error("the question is still in the draft")
	}
	if probs := ed.treeProblems(draftOf(t, c, "papiers-identite", "camille")); len(probs) != 0 {
		t.Errorf("problems after deleting: %+v", probs)
	}
	acts := auditActions(t, c)
	if !slices.Contains(acts, "tree.node.add papiers-identite seule") || !slices.Contains(acts, "tree.node.delete papiers-identite seule") {
		t.Errorf("audit: %q", acts)
	}
	if w := get(t, ed, "/admin/trees/nulle-part"); w.Code != http.StatusNotFound {
		t.Errorf("an unknown tree: %d", w.Code)
	}
	if w := get(t, ed, "/admin/trees/papiers-identite/nodes/absente"); w.Code != http.StatusNotFound {
		t.Errorf("an unknown question: %d", w.Code)
	}
}

// The item search of a node's page finds items by words of their title
// or keywords, accents aside, as a page and for the page's script.
func TestTreeNodeItemSearch(t *testing.T) {
	t.Parallel()
	_, c := filesServer(t, RoleEditor)
	ed := treeServerAs(t, c, "camille", RoleEditor)
	page := get(t, ed, "/admin/trees/papiers-identite/nodes/situation-cni?q=carte+identite+perdue").Body.String()
	found := between(t, page, `id="found"`, "</ul>")
	if !strings.Contains(found, `data-item="cni-perte"`) || strings.Contains(found, "passeport-demande") {
		t.Errorf("search results:\n%s", found)
	}
	req := newGet("/admin/trees/papiers-identite/nodes/situation-cni?q=passeport")
	req.Header.Set("Accept", "application/json")
	w := serve(ed, req)
	var got struct{ Found []foundItem }
	if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil || w.Code != 200 {
		t.Fatalf("search for the script: %d %v %s", w.Code, err, w.Body.String())
	}
	ids := make([]string, 0, len(got.Found))
	for _, f := range got.Found {
		ids = append(ids, f.ID)
	}
	if !slices.Contains(ids, "passeport-demande") || !slices.Contains(ids, "passeport-perte-vol") {
		t.Errorf("found %q", ids)
	}
	req = newGet("/admin/trees/papiers-identite/nodes/situation-cni?q=zzzz")
	req.Header.Set("Accept", "application/json")
	if w := serve(ed, req); !strings.Contains(w.Body.String(), `"found":[]`) {
		t.Errorf("nothing found: %s", w.Body.String())
	}
	if page := get(t, ed, "/admin/trees/papiers-identite/nodes/situation-cni?q=zzzz").Body.String(); !strings.Contains(page, "Aucune fiche ne contient ces mots.") {
		t.Error("the page does not say nothing was found")
	}
}

// Any two versions are compared side by side; a version that does not
// exist is a clear 404; the rollback's message says which version came
// back and why; an editor may not roll back.
func TestTreeHistoryDiffAndRollback(t *testing.T) {
	t.Parallel()
	_, c := filesServer(t, RoleAdmin)
	adm := treeServerAs(t, c, "alex", RoleAdmin)
	for i, ask := range []string{"Deuxième ?", "Troisième ?"} {
		post(t, adm, "/admin/trees/papiers-identite/nodes/quel-document", nodeForm("tok", map[string]string{"ask": ask}))
		if w := post(t, adm, "/admin/trees/papiers-identite/publish", url.Values{"csrf": {"tok"}, "message": {"étape " + ask}}); w.Code != http.StatusSeeOther {
			t.Fatalf("publish %d: %d", i, w.Code)
		}
	}
	page := get(t, adm, "/admin/trees/papiers-identite/history?a=1&b=3").Body.String()
	diff := between(t, page, `<table class="diff">`, "</table>")
	for _, want := range []string{"<th scope=\"col\">Version 1</th>", "<th scope=\"col\">Version 3</th>", "Quel document vous faut-il ?", "Troisième ?", `class="del"`, `class="ins"`} {
		if !strings.Contains(diff, want) {
			t.Errorf("the diff of 1 and 3 lacks %q", want)
		}
	}
	if strings.Contains(diff, "Deuxième") {
		t.Error("version 2 appears in the diff of 1 and 3")
	}
	hist := between(t, page, "<tbody>", "</tbody>")
	if strings.Index(hist, "étape Troisième") > strings.Index(hist, "étape Deuxième") || !strings.Contains(hist, "alex <span class=\"hint\">(admin web)</span>") || !strings.Contains(hist, "(fichier)") {
		t.Errorf("versions not newest first with author and source:\n%s", hist)
	}
	if w := get(t, adm, "/admin/trees/papiers-identite/history?a=1&b=9"); w.Code != http.StatusNotFound {
		t.Errorf("a diff with a missing version: %d", w.Code)
	}
	if w := get(t, adm, "/admin/trees/nulle-part/history"); w.Code != http.StatusNotFound {
		t.Errorf("history of an unknown tree: %d", w.Code)
	}
	ed := treeServerAs(t, c, "camille", RoleEditor)
	if w := post(t, ed, "/admin/trees/papiers-identite/rollback", url.Values{"csrf": {"tok"}, "version": {"1"}, "message": {"x"}}); w.Code != http.StatusForbidden {
		t.Errorf("an editor rolls back: %d", w.Code)
	}
	if w := post(t, adm, "/admin/trees/papiers-identite/rollback", url.Values{"csrf": {"tok"}, "version": {"7"}, "message": {"x"}}); w.Code != http.StatusNotFound {
		t.Errorf("rollback to a missing version: %d", w.Code)
	}
	if w := post(t, adm, "/admin/trees/papiers-identite/rollback", url.Values{"csrf": {"tok"}, "version": {"2"}, "message": {"la 3 était fausse"}}); w.Code != http.StatusSeeOther {
		t.Fatalf("rollback: %d", w.Code)
	}
	vs, _ := c.Library.TreeVersions(context.Background(), "papiers-identite")
	if len(vs) != 4 || vs[0].Message != "Retour à la version 2. la 3 était fausse" || vs[0].Author != "alex" {
		t.Errorf("versions after rollback: %+v", vs[0])
	}
	if tr, _ := c.Library.Base().Tree("papiers-identite"); tr.Nodes["quel-document"].Ask != "Deuxième ?" {
		t.Errorf("served after rollback: %q", tr.Nodes["quel-document"].Ask)
	}
	if acts := auditActions(t, c); acts[0] != "tree.rollback papiers-identite version 2 as version 4" {
		t.Errorf("audit: %q", acts)
	}
	// Versions 2 and 4 are the same tree: the diff has no change.
	diff = between(t, get(t, adm, "/admin/trees/papiers-identite/history?a=2&b=4").Body.String(), `<table class="diff">`, "</table>")
	if strings.Contains(diff, `class="del"`) || strings.Contains(diff, `class="ins"`) {
		t.Error("the same tree shows changes")
	}
}

func newGet(target string) *http.Request { return httptest.NewRequest(http.MethodGet, target, nil) }

// A choice whose next question does not exist keeps it in its select,
// marked, so that saving the form again (without the script, or any
// other field typed) does not silently drop the mistake; choosing a real
// question fixes it.
func TestTreeDanglingNextKeptInTheForm(t *testing.T) {
	t.Parallel()
	_, c := filesServer(t, RoleEditor)
	ed := treeServerAs(t, c, "camille", RoleEditor)
	post(t, ed, "/admin/trees/papiers-identite/nodes/quel-document", nodeForm("tok", map[string]string{"c1_next": "situation-pasport"}))
	page := get(t, ed, "/admin/trees/papiers-identite/nodes/quel-document").Body.String()
	sel := between(t, page, `<select id="c1_next"`, "</select>")
	if !strings.Contains(sel, `<option value="situation-pasport" selected>situation-pasport (n&#39;existe pas)</option>`) {
		t.Fatalf("the select does not keep the dangling next:\n%s", sel)
	}
	if !strings.Contains(page, `<desc id="tree-graph-desc">4 questions. Chaque case`) {
		t.Error("the graph has no description")
	}
	// The form sent back as shown, with another field changed.
	post(t, ed, "/admin/trees/papiers-identite/nodes/quel-document", nodeForm("tok", map[string]string{"c1_next": "situation-pasport", "ask": "Quel papier ?"}))
	if n := draftOf(t, c, "papiers-identite", "camille").Nodes["quel-document"]; n.Choices[1].Next != "situation-pasport" || n.Ask != "Quel papier ?" {
		t.Errorf("saved as %+v", n.Choices[1])
	}
	post(t, ed, "/admin/trees/papiers-identite/nodes/quel-document", nodeForm("tok", map[string]string{"ask": "Quel papier ?"}))
	page = get(t, ed, "/admin/trees/papiers-identite/nodes/quel-document").Body.String()
	if strings.Contains(page, "n&#39;existe pas)</option>") || !strings.Contains(page, "Aucun problème") {
		t.Error("the fixed choice still shows the mistake")
	}
}

// A choice is removed with its box; a choice with only places to show
// (no label yet) is kept, its missing label flagged, not dropped.
func TestTreeChoiceRemovedOrKept(t *testing.T) {
	t.Parallel()
	_, c := filesServer(t, RoleEditor)
	ed := treeServerAs(t, c, "camille", RoleEditor)
	page := get(t, ed, "/admin/trees/papiers-identite/nodes/quel-document").Body.String()
	if !strings.Contains(page, `<input type="checkbox" id="c4_remove" name="c4_remove" value="1">`) || strings.Contains(page, `id="c5_remove"`) {
		t.Error("the used slots have no remove box")
	}
	post(t, ed, "/admin/trees/papiers-identite/nodes/quel-document", nodeForm("tok", map[string]string{"c2_remove": "1",
		"c4_action": "nearest", "c4_services": "mairie"}))
	n := draftOf(t, c, "papiers-identite", "camille").Nodes["quel-document"]
	var labels []string
	for _, ch := range n.Choices {
		labels = append(labels, ch.Label)
	}
	if !slices.Equal(labels, []string{"Carte d'identité", "Passeport", "Je ne sais pas", ""}) {
		t.Fatalf("choices %q", labels)
	}
	if n.Choices[3].Nearest == nil || !slices.Equal(n.Choices[3].Nearest.Services, []string{"mairie"}) {
		t.Errorf("the places choice: %+v", n.Choices[3])
	}
	page = get(t, ed, "/admin/trees/papiers-identite/nodes/quel-document").Body.String()
	if !strings.Contains(between(t, page, `id="choice-3"`, `class="row"`), "has no label") {
		t.Error("the label missing is not shown at choice 4")
	}
}
