package admin

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// nodeForm is the node form of papiers-identite's start node as the page
// sends it, with changes.
func nodeForm(csrf string, set map[string]string) url.Values {
	f := url.Values{"csrf": {csrf}, "ask": {"Quel document vous faut-il ?"},
		"c0_label": {"Carte d'identité"}, "c0_action": {"next"}, "c0_next": {"situation-cni"},
		"c1_label": {"Passeport"}, "c1_action": {"next"}, "c1_next": {"situation-passeport"},
		"c2_label": {"Un autre papier"}, "c2_action": {"next"}, "c2_next": {"autre-papier"},
		"c3_label": {"Je ne sais pas"}, "c3_action": {"escalate"}, "c3_escalate": {"papiers"}}
	for k, v := range set {
		f.Set(k, v)
	}
	return f
}

// An editor's change goes to their draft; a dangling next is shown at
// its node and choice in the form and the graph; fixing it clears it;
// the editor cannot publish; an admin publishes, and the history, the
// diff and a rollback follow.
func TestTreeEditorJourney(t *testing.T) {
	ed, c := filesServer(t, RoleEditor)
	ctx := context.Background()
	w := get(t, ed, "/admin/trees")
	if w.Code != 200 || !strings.Contains(w.Body.String(), "/admin/trees/papiers-identite") {
		t.Fatalf("list: %d", w.Code)
	}
	w = get(t, ed, "/admin/trees/papiers-identite")
	if w.Code != 200 || !strings.Contains(w.Body.String(), "<svg") || !strings.Contains(w.Body.String(), "Aucun problème") {
		t.Fatalf("tree page: %d\n%s", w.Code, w.Body.String())
	}
	w = post(t, ed, "/admin/trees/papiers-identite/nodes/quel-document", nodeForm("tok", map[string]string{"c1_next": "situation-pasport"}))
	if w.Code != http.StatusSeeOther {
		t.Fatalf("save: %d %s", w.Code, w.Body.String())
	}
	if _, err := c.Store.Draft(ctx, "tree", "papiers-identite", "camille"); err != nil {
		t.Fatalf("no draft: %v", err)
	}
	w = get(t, ed, "/admin/trees/papiers-identite/nodes/quel-document")
	body := w.Body.String()
	if !strings.Contains(body, `situation-pasport`) || !strings.Contains(body, "does not exist") {
		t.Fatalf("the dangling next is not shown:\n%s", body)
	}
	choice2 := body[strings.Index(body, `id="choice-1"`):]
	choice2 = choice2[:strings.Index(choice2, "</fieldset>")]
	if !strings.Contains(choice2, "does not exist") {
		t.Errorf("the problem is not at choice 2:\n%s", choice2)
	}
	if !strings.Contains(body, "⚠ 1 problème(s)") {
		t.Error("the graph does not mark the node")
	}
	// The script's auto-save gets the problems as JSON.
	r := strings.NewReader(nodeForm("tok", nil).Encode())
	req := newPost("/admin/trees/papiers-identite/nodes/quel-document", r)
	req.Header.Set("Accept", "application/json")
	jw := serve(ed, req)
	if jw.Code != 200 || !strings.Contains(jw.Body.String(), `"problems":[]`) {
		t.Fatalf("auto-save: %d %s", jw.Code, jw.Body.String())
	}
	// The published tree is untouched, and an editor may not publish.
	if tr, _ := c.Library.Base().Tree("papiers-identite"); tr.Nodes["quel-document"].Choices[1].Next != "situation-passeport" {
		t.Error("a draft changed the published tree")
	}
	if w := post(t, ed, "/admin/trees/papiers-identite/publish", url.Values{"csrf": {"tok"}, "message": {"x"}}); w.Code != http.StatusForbidden {
		t.Errorf("an editor publishes: %d", w.Code)
	}
	if w := post(t, ed, "/admin/trees/papiers-identite/nodes/quel-document", nodeForm("bad", nil)); w.Code != http.StatusForbidden {
		t.Errorf("a save with a wrong CSRF token: %d", w.Code)
	}

	adm, _ := filesServerOn(t, c, RoleAdmin)
	post(t, adm, "/admin/trees/papiers-identite/nodes/quel-document", nodeForm("tok", map[string]string{"ask": "Quel papier <script>alert(1)</script> ?"}))
	w = get(t, adm, "/admin/trees/papiers-identite")
	if strings.Contains(w.Body.String(), "<script>alert") || !strings.Contains(w.Body.String(), "&lt;script&gt;") {
		t.Error("a question's markup is not escaped in the graph or the page")
	}
	w = post(t, adm, "/admin/trees/papiers-identite/publish", url.Values{"csrf": {"tok"}, "message": {"question plus courte"}})
	if w.Code != http.StatusSeeOther {
		t.Fatalf("publish: %d\n%s", w.Code, w.Body.String())
	}
	if tr, _ := c.Library.Base().Tree("papiers-identite"); !strings.HasPrefix(tr.Nodes["quel-document"].Ask, "Quel papier") {
		t.Error("the publication is not served")
	}
	w = get(t, adm, "/admin/trees/papiers-identite/history")
	if !strings.Contains(w.Body.String(), "question plus courte") || !strings.Contains(w.Body.String(), `class="ins"`) {
		t.Fatalf("history and diff:\n%s", w.Body.String())
	}
	w = post(t, adm, "/admin/trees/papiers-identite/rollback", url.Values{"csrf": {"tok"}, "version": {"1"}, "message": {"erreur"}})
	if w.Code != http.StatusSeeOther {
		t.Fatalf("rollback: %d %s", w.Code, w.Body.String())
	}
	if tr, _ := c.Library.Base().Tree("papiers-identite"); tr.Nodes["quel-document"].Ask != "Quel document vous faut-il ?" {
		t.Errorf("after rollback: %q", tr.Nodes["quel-document"].Ask)
	}
	log, _ := c.Store.AuditLog(ctx, 0, 10)
	if len(log) < 2 || log[0].Action != "tree.rollback" || log[1].Action != "tree.publish" {
		t.Errorf("audit: %+v", log)
	}
}

// Publishing is refused while the draft has problems.
func TestPublishRefusedWithProblems(t *testing.T) {
	adm, c := filesServer(t, RoleAdmin)
	post(t, adm, "/admin/trees/papiers-identite/nodes/quel-document", nodeForm("tok", map[string]string{"c1_next": "nulle-part"}))
	w := post(t, adm, "/admin/trees/papiers-identite/publish", url.Values{"csrf": {"tok"}, "message": {"x"}})
	if w.Code != http.StatusUnprocessableEntity || !strings.Contains(w.Body.String(), "Impossible de publier") {
		t.Fatalf("publish with problems: %d", w.Code)
	}
	if vs, _ := c.Library.TreeVersions(context.Background(), "papiers-identite"); len(vs) != 1 {
		t.Errorf("%d versions", len(vs))
	}
}
