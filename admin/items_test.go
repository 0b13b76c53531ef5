package admin

import (
	"context"
	"encoding/json"
	"errors"
	"html"
	"html/template"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/boussole/boussole/app"
	"github.com/boussole/boussole/bot"
	"github.com/boussole/boussole/bot/catalog"
	"github.com/boussole/boussole/bot/store"
	"github.com/boussole/boussole/knowledge"
)

// itemsClock is the item tests' one clock: after the demo's review dates.
func itemsClock() time.Time { return time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC) }

// swapAuth signs requests in as whoever the test says.
type swapAuth struct{ sess *Session }

func (a swapAuth) Identify(*http.Request) (Session, bool) {
	return *a.sess, a.sess.User.Login != ""
}

// itemsEnv is the admin over a real store and the real Library, on the
// demo knowledge and one imported sheet.
type itemsEnv struct {
	t    *testing.T
	core *app.Core
	srv  *Server
	sess *Session
}

// sheet is an imported service-public sheet.
var sheet = &knowledge.Item{ID: "F9999", Kind: knowledge.KindProcedure, Title: "Fiche importée de test",
	Summary: "Une fiche du catalogue officiel.", Jurisdiction: "FR", Origin: "service-public",
	Sources: []string{"https://www.service-public.fr/particuliers/vosdroits/F9999"}}

func newItemsEnv(t *testing.T) *itemsEnv {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "b.db")
	st, err := store.Open(ctx, path, store.Options{Clock: itemsClock})
	if err != nil {
		t.Fatal(err)
	}
	sheet.Reviewed, _ = knowledge.ParseDate("2026-06-01")
	if _, err := st.ImportCatalogues(ctx, "service-public", []*knowledge.Item{sheet},
		[]store.Catalogue{{Name: "particuliers", Read: []string{sheet.ID}}}, store.ImportOptions{MaxRetire: 1}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	core, err := testParts.OpenCore(ctx, app.CoreConfig{Database: path}, nil, itemsClock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { core.Close() })
	e := &itemsEnv{t: t, core: core}
	admin := asUser(RoleAdmin)
	e.sess = &admin
	e.srv, err = New(Config{}, Deps{Now: itemsClock, Auth: swapAuth{e.sess}, Audit: core.Store, Library: core.Library, Drafts: core.Store})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// as signs the next requests in with role r.
func (e *itemsEnv) as(r Role) { *e.sess = asUser(r) }

// item is the published item of id.
func (e *itemsEnv) item(id string) *knowledge.Item {
	e.t.Helper()
	for _, it := range e.core.Library.Base().Items {
		if it.ID == id {
			return it
		}
	}
	e.t.Fatalf("no item %s", id)
	return nil
}

// publish publishes it through the Library, as a file would be.
func (e *itemsEnv) publish(it *knowledge.Item, msg string) int {
	e.t.Helper()
	v, err := e.core.Library.PublishItem(context.Background(), it, Publication{Author: "test", Message: msg})
	if err != nil {
		e.t.Fatal(err)
	}
	return v
}

// form is the edit form of it as the page would send it.
func form(it *knowledge.Item) url.Values {
	v := url.Values{"csrf": {"tok"}, "kind": {string(it.Kind)}, "title": {it.Title}, "summary": {it.Summary},
		"title_en": {it.TitleEN}, "summary_en": {it.SummaryEN}, "jurisdiction": {it.Jurisdiction},
		"steps": {strings.Join(it.Steps, "\n")}, "steps_en": {strings.Join(it.StepsEN, "\n")},
		"documents": {strings.Join(it.Documents, "\n")}, "office": {it.Where.Office}, "phone": {it.Where.Phone},
		"cost": {it.Cost}, "delay": {it.Delay}, "keywords": {strings.Join(it.Keywords, "\n")},
		"synonyms": {strings.Join(it.Synonyms, "\n")}, "sources": {strings.Join(it.Sources, "\n")},
		"reviewed": {it.Reviewed.String()}, "replaces": {strings.Join(it.Replaces, "\n")}}
	if it.ReviewEvery > 0 {
		v.Set("review_every", "6")
	}
	v["audience"] = it.Audience
	for _, l := range it.Where.Online {
		v.Add("online_label", l.Label)
		v.Add("online_url", l.URL)
	}
	return v
}

// fieldProblemsOf is the text of the problems list beside field name.
func fieldProblemsOf(t *testing.T, page, name string) string {
	t.Helper()
	m := regexp.MustCompile(`(?s)<ul class="field-problems[^"]*" id="p-` + regexp.QuoteMeta(name) + `"[^>]*>(.*?)</ul>`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no problems list for field %s", name)
	}
	return html.UnescapeString(m[1])
}

func TestItemListFilters(t *testing.T) {
	e := newItemsEnv(t)
	old := *e.item("cni-perte")
	old.Reviewed, _ = knowledge.ParseDate("2025-01-10")
	e.publish(&old, "old review date")

	w := get(t, e.srv, "/admin/items?jurisdiction=QC")
	body := html.UnescapeString(w.Body.String())
	if w.Code != http.StatusOK || !strings.Contains(body, "Renouveler sa carte d'assurance maladie (RAMQ)") {
		t.Fatalf("Québec items not listed: %d\n%s", w.Code, body)
	}
	if strings.Contains(body, "Carte d'identité perdue") {
		t.Error("a France item is listed under Québec")
	}

	w = get(t, e.srv, "/admin/items?due=1&jurisdiction=FR")
	body = html.UnescapeString(w.Body.String())
	if !strings.Contains(body, "Carte d'identité perdue") {
		t.Error("an item reviewed over a year ago is not listed as due")
	}
	if strings.Contains(body, "Carte d'identité, première demande ou renouvellement") {
		t.Error("an item reviewed two weeks ago is listed as due")
	}

	w = get(t, e.srv, "/admin/items?source=imported")
	body = html.UnescapeString(w.Body.String())
	if !strings.Contains(body, sheet.Title) || strings.Contains(body, "Carte d'identité perdue") {
		t.Errorf("source=imported lists:\n%s", body)
	}
	w = get(t, e.srv, "/admin/items?source=hand")
	if strings.Contains(html.UnescapeString(w.Body.String()), sheet.Title) {
		t.Error("source=hand lists the imported sheet")
	}
}

func TestItemSearchFoldsAccents(t *testing.T) {
	e := newItemsEnv(t)
	for _, q := range []string{"carte d'identité perdue", "CARTE IDENTITE perdue", "cni-perte"} {
		w := get(t, e.srv, "/admin/items?q="+url.QueryEscape(q))
		body := html.UnescapeString(w.Body.String())
		if !strings.Contains(body, "Carte d'identité perdue") {
			t.Errorf("search %q does not find the lost identity card", q)
		}
		if strings.Contains(body, "Renouveler sa carte d'assurance maladie") {
			t.Errorf("search %q finds the RAMQ card", q)
		}
	}
	// Keywords count: « ramq » is in no French title.
	w := get(t, e.srv, "/admin/items?q=ramq")
	if !strings.Contains(html.UnescapeString(w.Body.String()), "Carte d'assurance maladie perdue ou volée (RAMQ)") {
		t.Error("search by keyword finds nothing")
	}
}

func TestItemEditWritesADraftAndShowsProblemsByField(t *testing.T) {
	e := newItemsEnv(t)
	e.as(RoleEditor)
	it := *e.item("cni-perte")
	f := form(&it)
	f.Set("title", "Carte d'identité égarée")
	f.Set("sources", "")
	w := post(t, e.srv, "/admin/items/cni-perte/edit", f)
	if w.Code != http.StatusOK {
		t.Fatalf("save: %d\n%s", w.Code, w.Body.String())
	}
	if got := fieldProblemsOf(t, w.Body.String(), "sources"); !strings.Contains(got, "no official source URL") {
		t.Errorf("the missing source is not shown at the sources field: %q", got)
	}
	if got := fieldProblemsOf(t, w.Body.String(), "title"); strings.TrimSpace(got) != "" {
		t.Errorf("the title field shows %q", got)
	}
	d, err := e.core.Store.Draft(context.Background(), "item", "cni-perte", "camille")
	if err != nil {
		t.Fatal(err)
	}
	var saved knowledge.Item
	if err := json.Unmarshal([]byte(d.Body), &saved); err != nil {
		t.Fatal(err)
	}
	if saved.Title != "Carte d'identité égarée" || len(saved.Sources) != 0 || saved.Steps[0] != it.Steps[0] {
		t.Errorf("draft: %+v", saved)
	}
	vs, _ := e.core.Library.ItemVersions(context.Background(), "cni-perte")
	if d.BaseVersion != vs[0].Version {
		t.Errorf("draft based on version %d, latest is %d", d.BaseVersion, vs[0].Version)
	}
	if e.item("cni-perte").Title != "Carte d'identité perdue" {
		t.Error("saving a draft changed the published item")
	}

	// Reloaded, the form shows the draft, its problems and its preview.
	w = get(t, e.srv, "/admin/items/cni-perte/edit")
	body := w.Body.String()
	if !strings.Contains(body, `value="Carte d&#39;identité égarée"`) || !strings.Contains(fieldProblemsOf(t, body, "sources"), "no official source") {
		t.Errorf("the reloaded form does not show the draft:\n%s", body)
	}
	if !strings.Contains(body, "Abandonner mon brouillon") {
		t.Error("no way to discard the draft")
	}

	// Another editor sees that camille has a draft.
	*e.sess = Session{User: User{ID: 2, Login: "dominique", Role: RoleEditor}, CSRF: "tok"}
	w = get(t, e.srv, "/admin/items/cni-perte/edit")
	if !strings.Contains(w.Body.String(), "camille a aussi un brouillon") || strings.Contains(w.Body.String(), "égarée") {
		t.Errorf("another editor's page:\n%s", w.Body.String())
	}
}

func TestItemAutoSaveAnswersJSON(t *testing.T) {
	e := newItemsEnv(t)
	e.as(RoleEditor)
	f := form(e.item("cni-perte"))
	f.Del("csrf")
	f.Set("sources", "pas-une-adresse")
	f.Set("reviewed", "demain")
	r := httptest.NewRequest(http.MethodPost, "/admin/items/cni-perte/edit", strings.NewReader(f.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("Accept", "application/json")
	r.Header.Set("X-CSRF-Token", "tok")
	w := httptest.NewRecorder()
	e.srv.ServeHTTP(w, r)
	if w.Code != http.StatusOK || !strings.HasPrefix(w.Header().Get("Content-Type"), "application/json") {
		t.Fatalf("auto-save: %d %s\n%s", w.Code, w.Header().Get("Content-Type"), w.Body.String())
	}
	var reply struct {
		Fields  map[string][]string `json:"fields"`
		Saved   string              `json:"saved"`
		Preview string              `json:"preview"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &reply); err != nil {
		t.Fatal(err)
	}
	if len(reply.Fields["sources"]) != 1 || !strings.Contains(reply.Fields["sources"][0], "not a full web address") {
		t.Errorf("sources: %v", reply.Fields)
	}
	if len(reply.Fields["reviewed"]) == 0 || !strings.Contains(reply.Fields["reviewed"][0], "demain") {
		t.Errorf("reviewed: %v", reply.Fields)
	}
	if !strings.Contains(reply.Preview, `class="msg bot"`) || !strings.Contains(html.UnescapeString(reply.Preview), "Carte d'identité perdue") {
		t.Errorf("preview: %s", reply.Preview)
	}
	if reply.Saved == "" {
		t.Error("no saved notice")
	}
}

func TestItemCSRF(t *testing.T) {
	e := newItemsEnv(t)
	e.as(RoleEditor)
	for _, tok := range []string{"", "autre"} {
		f := form(e.item("cni-perte"))
		f.Set("csrf", tok)
		f.Set("title", "changé")
		if w := post(t, e.srv, "/admin/items/cni-perte/edit", f); w.Code != http.StatusForbidden {
			t.Errorf("token %q: %d", tok, w.Code)
		}
	}
	if _, err := e.core.Store.Draft(context.Background(), "item", "cni-perte", "camille"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a draft was written without the token: %v", err)
	}
	e.as(RoleAdmin)
	if w := post(t, e.srv, "/admin/items/cni-perte/review", url.Values{"csrf": {"autre"}}); w.Code != http.StatusForbidden {
		t.Errorf("review with a wrong token: %d", w.Code)
	}
}

func TestItemPublishRefusedThenAccepted(t *testing.T) {
	e := newItemsEnv(t)
	it := *e.item("cni-perte")
	f := form(&it)
	f.Set("sources", "")
	f.Set("message", "coût 2027")
	f.Set("cost", "30 € en timbre fiscal")
	w := post(t, e.srv, "/admin/items/cni-perte/publish", f)
	if w.Code != http.StatusUnprocessableEntity || !strings.Contains(fieldProblemsOf(t, w.Body.String(), "sources"), "no official source") {
		t.Fatalf("an item without source: %d\n%s", w.Code, w.Body.String())
	}
	if !strings.Contains(w.Body.String(), "Publication refusée") {
		t.Error("the refusal is not said")
	}
	if e.item("cni-perte").Cost == "30 € en timbre fiscal" {
		t.Fatal("an invalid item was published")
	}

	f = form(&it)
	f.Set("cost", "30 € en timbre fiscal")
	f.Set("message", "")
	if w := post(t, e.srv, "/admin/items/cni-perte/publish", f); w.Code != http.StatusUnprocessableEntity ||
		!strings.Contains(html.UnescapeString(w.Body.String()), "dites en quelques mots ce qui change") {
		t.Fatalf("without a message: %d", w.Code)
	}

	f.Set("message", "coût 2027")
	w = post(t, e.srv, "/admin/items/cni-perte/publish", f)
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/admin/items/cni-perte?done=item_published" {
		t.Fatalf("publish: %d %s\n%s", w.Code, w.Header().Get("Location"), w.Body.String())
	}
	if got := e.item("cni-perte"); got.Cost != "30 € en timbre fiscal" || got.Title != it.Title {
		t.Errorf("published: %+v", got)
	}
	vs, err := e.core.Library.ItemVersions(context.Background(), "cni-perte")
	if err != nil || vs[0].Author != "camille" || vs[0].Message != "coût 2027" || vs[0].Source != store.SourceWeb {
		t.Errorf("latest version: %+v %v", vs, err)
	}
	if _, err := e.core.Store.Draft(context.Background(), "item", "cni-perte", "camille"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the published draft is kept: %v", err)
	}
	log := audit(t, e)
	if len(log) != 1 || log[0].Action != "item.publish" || log[0].Object != "cni-perte" || log[0].Reason != "coût 2027" || log[0].Actor != "camille" {
		t.Errorf("audit: %+v", log)
	}
	if w := get(t, e.srv, "/admin/items/cni-perte?done=item_published"); !strings.Contains(w.Body.String(), "Fiche publiée") {
		t.Error("the item page does not say it was published")
	}
}

// audit is the audit log, newest first.
func audit(t *testing.T, e *itemsEnv) []store.AuditEntry {
	t.Helper()
	log, err := e.core.Store.AuditLog(context.Background(), 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	return log
}

func TestItemEditorCannotPublish(t *testing.T) {
	e := newItemsEnv(t)
	e.as(RoleEditor)
	f := form(e.item("cni-perte"))
	f.Set("message", "essai")
	f.Set("cost", "1 €")
	if w := post(t, e.srv, "/admin/items/cni-perte/publish", f); w.Code != http.StatusForbidden {
		t.Errorf("an editor publishes: %d", w.Code)
	}
	if w := post(t, e.srv, "/admin/items/cni-perte/review", url.Values{"csrf": {"tok"}}); w.Code != http.StatusForbidden {
		t.Errorf("an editor marks reviewed: %d", w.Code)
	}
	if w := post(t, e.srv, "/admin/items/cni-perte/rollback", url.Values{"csrf": {"tok"}, "version": {"1"}}); w.Code != http.StatusForbidden {
		t.Errorf("an editor rolls back: %d", w.Code)
	}
	if e.item("cni-perte").Cost == "1 €" {
		t.Error("published")
	}
	w := get(t, e.srv, "/admin/items/cni-perte/edit")
	if strings.Contains(w.Body.String(), "/publish") {
		t.Error("an editor is offered to publish")
	}
	e.as(RoleViewer)
	if w := get(t, e.srv, "/admin/items/cni-perte/edit"); w.Code != http.StatusForbidden {
		t.Errorf("a viewer opens the form: %d", w.Code)
	}
}

func TestItemMarkReviewedToday(t *testing.T) {
	e := newItemsEnv(t)
	before := *e.item("cni-perte")
	w := post(t, e.srv, "/admin/items/cni-perte/review", url.Values{"csrf": {"tok"}})
	if w.Code != http.StatusSeeOther {
		t.Fatalf("review: %d\n%s", w.Code, w.Body.String())
	}
	got := e.item("cni-perte")
	if got.Reviewed.String() != "2026-12-01" || got.Title != before.Title || len(got.Steps) != len(before.Steps) {
		t.Errorf("reviewed item: %s %q", got.Reviewed, got.Title)
	}
	vs, _ := e.core.Library.ItemVersions(context.Background(), "cni-perte")
	if vs[0].Message != "Relue le 2026-12-01, sans changement." {
		t.Errorf("message: %q", vs[0].Message)
	}
	if log := audit(t, e); len(log) != 1 || log[0].Action != "item.review" || log[0].Object != "cni-perte" {
		t.Errorf("audit: %+v", log)
	}
	if w := post(t, e.srv, "/admin/items/"+sheet.ID+"/review", url.Values{"csrf": {"tok"}}); w.Code != http.StatusForbidden {
		t.Errorf("an imported sheet marked reviewed: %d", w.Code)
	}
}

func TestItemImportedIsReadOnly(t *testing.T) {
	e := newItemsEnv(t)
	w := get(t, e.srv, "/admin/items/"+sheet.ID)
	body := w.Body.String()
	if w.Code != http.StatusOK || !strings.Contains(body, `href="`+sheet.Sources[0]+`"`) || strings.Contains(body, "/edit") {
		t.Errorf("imported sheet page: %d\n%s", w.Code, body)
	}
	if w := get(t, e.srv, "/admin/items/"+sheet.ID+"/edit"); w.Code != http.StatusForbidden {
		t.Errorf("an imported sheet's form: %d", w.Code)
	}
	if w := post(t, e.srv, "/admin/items/"+sheet.ID+"/publish", form(sheet)); w.Code != http.StatusForbidden {
		t.Errorf("publishing over an imported sheet: %d", w.Code)
	}
}

func TestItemPreviewIsWhatTheEngineSends(t *testing.T) {
	e := newItemsEnv(t)
	ctx := context.Background()
	tr, err := knowledge.ParseTree("apercu.yaml", []byte(`
id: apercu
title: Aperçu
jurisdiction: FR
triggers: [zorglub]
start: q
nodes:
  q:
    ask: Quoi ?
    choices:
      - {label: La carte perdue, answer: cni-perte}
      - {label: Autre chose, escalate: general}
`))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.core.Library.PublishTree(ctx, tr, Publication{Author: "test"}); err != nil {
		t.Fatal(err)
	}
	a := bot.Address{Platform: "test", Channel: "dm", User: "alice"}
	rs, err := e.core.Engine.Respond(ctx, bot.Incoming{Address: a, Text: "zorglub"})
	if err != nil {
		t.Fatal(err)
	}
	var payload string
	for _, r := range rs {
		for _, c := range r.Choices {
			if c.Label == "La carte perdue" {
				payload = c.Payload
			}
		}
	}
	if payload == "" {
		t.Fatalf("the tree is not offered: %+v", rs)
	}
	rs, err = e.core.Engine.Respond(ctx, bot.Incoming{Address: a, Payload: payload})
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) < 2 {
		t.Fatalf("replies: %+v", rs)
	}

	page := get(t, e.srv, "/admin/items/cni-perte").Body.String()
	fr := page[strings.Index(page, `<section class="chat preview" lang="fr">`):]
	fr = fr[:strings.Index(fr, "</section>")]
	bubbles := regexp.MustCompile(`(?s)<p class="msg bot">(.*?)</p>`).FindAllStringSubmatch(fr, -1)
	if len(bubbles) < 2 || bubbles[0][1] != string(chatHTML(rs[0].Text)) || html.UnescapeString(bubbles[1][1]) != rs[1].Text {
		t.Fatalf("the preview differs from the engine's answer:\nengine: %q\npreview: %q", rs[0].Text, bubbles)
	}
	cat, _ := catalog.New()
	var want []string
	for _, c := range rs[len(rs)-1].Choices {
		if c.Label != cat.T("fr", "btn_back") { // the preview is not inside a tree
			want = append(want, c.Label)
		}
	}
	var got []string
	for _, m := range regexp.MustCompile(`<li class="chip">(.*?)</li>`).FindAllStringSubmatch(fr, -1) {
		got = append(got, html.UnescapeString(m[1]))
	}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("buttons: preview %q, engine %q", got, want)
	}
	// Each part's button shows what the engine shows when clicked.
	var docs string
	for _, c := range rs[len(rs)-1].Choices {
		if c.Label == got[2] {
			docs = c.Payload
		}
	}
	prs, err := e.core.Engine.Respond(ctx, bot.Incoming{Address: a, Payload: docs})
	if err != nil || len(prs) == 0 {
		t.Fatal(err)
	}
	if !strings.Contains(fr, "<summary>"+template.HTMLEscapeString(got[2])+"</summary>") || !strings.Contains(fr, string(chatHTML(prs[0].Text))) {
		t.Errorf("part %q: engine %q not in the preview", got[2], prs[0].Text)
	}
	if !strings.Contains(page, `<section class="chat preview" lang="en">`) {
		t.Error("no English preview of an item written in English")
	}
}

func TestItemHistoryAndRollback(t *testing.T) {
	e := newItemsEnv(t)
	it := *e.item("cni-perte")
	first := it.Title
	for _, title := range []string{"Carte d'identité perdue (v2)", "Carte d'identité perdue (v3)"} {
		f := form(&it)
		f.Set("title", title)
		f.Set("message", "titre "+title)
		if w := post(t, e.srv, "/admin/items/cni-perte/publish", f); w.Code != http.StatusSeeOther {
			t.Fatalf("publish: %d\n%s", w.Code, w.Body.String())
		}
	}
	vs, _ := e.core.Library.ItemVersions(context.Background(), "cni-perte")
	if len(vs) != 3 {
		t.Fatalf("versions: %+v", vs)
	}
	w := get(t, e.srv, "/admin/items/cni-perte/history")
	body := html.UnescapeString(w.Body.String())
	i2, i3 := strings.Index(body, "titre Carte d'identité perdue (v2)"), strings.Index(body, "titre Carte d'identité perdue (v3)")
	if w.Code != http.StatusOK || i2 < 0 || i3 < 0 || i3 > i2 || !strings.Contains(body, "admin web") {
		t.Fatalf("history, newest first: %d\n%s", w.Code, body)
	}

	// By default the last change, side by side, as YAML.
	page := w.Body.String()
	if !regexp.MustCompile(`<td class="del"><span class="visually-hidden">retiré : </span>title: Carte d&#39;identité perdue \(v2\)</td>\s*<td>3</td><td class="ins"><span class="visually-hidden">ajouté : </span>title: Carte d&#39;identité perdue \(v3\)</td>`).MatchString(page) {
		t.Errorf("the last change is not shown:\n%s", page)
	}
	if strings.Count(page, `class="del"`) != 1 || !regexp.MustCompile(`<td>kind: procedure</td>\s*<td>2</td><td>kind: procedure</td>`).MatchString(page) {
		t.Error("unchanged lines are marked, or missing")
	}
	if w := get(t, e.srv, "/admin/items/cni-perte/history?a=1&b=1"); !strings.Contains(w.Body.String(), "identiques") {
		t.Error("a version compared with itself")
	}
	if w := get(t, e.srv, "/admin/items/cni-perte/history?a=1&b=99"); w.Code != http.StatusNotFound {
		t.Errorf("a missing version compared: %d", w.Code)
	}

	w = post(t, e.srv, "/admin/items/cni-perte/rollback", url.Values{"csrf": {"tok"}, "version": {"1"}})
	if w.Code != http.StatusSeeOther {
		t.Fatalf("rollback: %d\n%s", w.Code, w.Body.String())
	}
	if got := e.item("cni-perte").Title; got != first {
		t.Errorf("after rollback: %q", got)
	}
	vs, _ = e.core.Library.ItemVersions(context.Background(), "cni-perte")
	if len(vs) != 4 || vs[0].Message != "Retour à la version 1." {
		t.Errorf("versions after rollback: %+v", vs)
	}
	if log := audit(t, e); log[0].Action != "item.rollback" || log[0].Detail != "version 1 as version 4" {
		t.Errorf("audit: %+v", log[0])
	}
	if w := post(t, e.srv, "/admin/items/cni-perte/rollback", url.Values{"csrf": {"tok"}, "version": {"99"}}); w.Code != http.StatusNotFound {
		t.Errorf("rollback to a missing version: %d", w.Code)
	}
	if w := post(t, e.srv, "/admin/items/cni-perte/rollback", url.Values{"csrf": {"tok"}, "version": {"x"}}); w.Code != http.StatusBadRequest {
		t.Errorf("rollback to no version: %d", w.Code)
	}
}

func TestItemNewAndDiscard(t *testing.T) {
	e := newItemsEnv(t)
	e.as(RoleEditor)
	if w := get(t, e.srv, "/admin/items/new"); w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `name="id"`) {
		t.Fatalf("new form: %d", w.Code)
	}
	for _, id := range []string{"", "avec espace", "cni-perte", "new"} {
		if w := post(t, e.srv, "/admin/items/new", url.Values{"csrf": {"tok"}, "id": {id}, "title": {"X"}}); w.Code != http.StatusUnprocessableEntity {
			t.Errorf("id %q: %d", id, w.Code)
		}
	}
	w := post(t, e.srv, "/admin/items/new", url.Values{"csrf": {"tok"}, "id": {"cheque-energie-2027"}, "title": {"Chèque énergie 2027"}, "kind": {"program"}})
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/admin/items/cheque-energie-2027/edit" {
		t.Fatalf("create: %d %s", w.Code, w.Header().Get("Location"))
	}
	w = get(t, e.srv, "/admin/items/cheque-energie-2027/edit")
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "Chèque énergie 2027") ||
		!strings.Contains(fieldProblemsOf(t, w.Body.String(), "summary"), "no summary") {
		t.Fatalf("the new item's form: %d\n%s", w.Code, w.Body.String())
	}
	if w := get(t, e.srv, "/admin/items"); !strings.Contains(w.Body.String(), "/admin/items/cheque-energie-2027/edit") {
		t.Error("the list does not show the new item's draft")
	}
	w = post(t, e.srv, "/admin/items/cheque-energie-2027/discard", url.Values{"csrf": {"tok"}})
	if w.Code != http.StatusSeeOther {
		t.Fatalf("discard: %d", w.Code)
	}
	if w := get(t, e.srv, "/admin/items/cheque-energie-2027/edit"); w.Code != http.StatusNotFound {
		t.Errorf("a discarded new item: %d", w.Code)
	}
	if log := audit(t, e); len(log) != 2 || log[0].Action != "item.discard" || log[1].Action != "item.create" {
		t.Errorf("audit: %+v", log)
	}
}

// The gap report starts a draft with an id and a title; an editor opens
// it and goes on in a draft of their own.
func TestItemDraftStartedElsewhere(t *testing.T) {
	e := newItemsEnv(t)
	body, _ := json.Marshal(knowledge.Item{ID: "aide-velo", Title: "Aide à l'achat d'un vélo"})
	if err := e.core.Store.SaveDraft(context.Background(), store.Draft{Kind: "item", ObjectID: "aide-velo", Author: "dominique", Body: string(body)}); err != nil {
		t.Fatal(err)
	}
	e.as(RoleEditor)
	w := get(t, e.srv, "/admin/items/aide-velo/edit")
	page := html.UnescapeString(w.Body.String())
	if w.Code != http.StatusOK || !strings.Contains(page, "Aide à l'achat d'un vélo") || !strings.Contains(page, "dominique a aussi un brouillon") {
		t.Fatalf("%d\n%s", w.Code, page)
	}
	f := url.Values{"csrf": {"tok"}, "kind": {"program"}, "title": {"Aide à l'achat d'un vélo"}, "summary": {"Une aide."}}
	if w := post(t, e.srv, "/admin/items/aide-velo/edit", f); w.Code != http.StatusOK {
		t.Fatalf("save: %d", w.Code)
	}
	if _, err := e.core.Store.Draft(context.Background(), "item", "aide-velo", "camille"); err != nil {
		t.Errorf("no draft of camille's own: %v", err)
	}
}

func TestItemTitleIsText(t *testing.T) {
	e := newItemsEnv(t)
	it := *e.item("cni-perte")
	it.Title = `<script>alert(1)</script> perdue`
	e.publish(&it, "xss")
	for _, target := range []string{"/admin/items?q=perdue", "/admin/items/cni-perte", "/admin/items/cni-perte/edit"} {
		w := get(t, e.srv, target)
		if w.Code != http.StatusOK {
			t.Fatalf("%s: %d", target, w.Code)
		}
		if strings.Contains(w.Body.String(), "<script>alert") {
			t.Errorf("%s runs the title", target)
		}
		if !strings.Contains(w.Body.String(), "&lt;script&gt;alert(1)&lt;/script&gt; perdue") {
			t.Errorf("%s does not show the title as text", target)
		}
	}
	page := get(t, e.srv, "/admin/items/cni-perte").Body.String()
	if !strings.Contains(page, `<p class="msg bot">&lt;script&gt;alert(1)&lt;/script&gt; perdue`) {
		t.Error("the preview does not show the title as text")
	}
}

func TestChatHTML(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Titre\n[ANTS](https://ants.gouv.fr/x?a=1&b=2) · mairie", `Titre` + "\n" + `<a href="https://ants.gouv.fr/x?a=1&amp;b=2" rel="noopener noreferrer">ANTS</a> · mairie`},
		{"[clic](javascript:alert(1))", "[clic](javascript:alert(1))"},
		{"<b>gras</b> [x](https://e.org/)", `&lt;b&gt;gras&lt;/b&gt; <a href="https://e.org/" rel="noopener noreferrer">x</a>`},
		{`[a"b](https://e.org/")`, `<a href="https://e.org/&#34;" rel="noopener noreferrer">a&#34;b</a>`},
	} {
		if got := string(chatHTML(tc.in)); got != tc.want {
			t.Errorf("chatHTML(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestProblemField(t *testing.T) {
	for _, tc := range []struct{ id, msg, want string }{
		{"x", `item "x" has no official source URL (sources:)`, "sources"},
		{"x", `item "x": source "y" is not a full web address starting with https:// or http://`, "sources"},
		{"x", `item "x": online link 1 (where.online) url "z" is not a full web address starting with https:// or http://`, "online"},
		{"x", `item "x" has no review date (reviewed: YYYY-MM-DD): write the day`, "reviewed"},
		{"x", `item "x" has no title (title:)`, "title"},
		{"has no title", `item "has no title" has no summary (summary:): one sentence`, "summary"},
		{"x", `item "x" has an unknown audience "p": use particulier`, "audience"},
		{"x", `item "x" replaces itself: write the id`, "replaces"},
		{"x", `jurisdiction BE has no emergency number: add an item`, "jurisdiction"},
		{"x", `item "x" lists dangers but is not an emergency number (kind: emergency)`, ""},
	} {
		if got := problemField(tc.msg, tc.id); got != tc.want {
			t.Errorf("problemField(%q) = %q, want %q", tc.msg, got, tc.want)
		}
	}
}

func TestItemNewPublished(t *testing.T) {
	e := newItemsEnv(t)
	w := post(t, e.srv, "/admin/items/new", url.Values{"csrf": {"tok"}, "id": {"aide-velo"}, "title": {"Aide vélo"}})
	if w.Code != http.StatusSeeOther {
		t.Fatalf("create: %d", w.Code)
	}
	page := get(t, e.srv, "/admin/items/aide-velo/edit").Body.String()
	for _, want := range []string{`action="/admin/items/aide-velo/edit"`, "data-autosave", `formaction="/admin/items/aide-velo/publish"`} {
		if !strings.Contains(page, want) {
			t.Errorf("the new item's form lacks %s", want)
		}
	}
	if strings.Contains(page, `name="id"`) {
		t.Error("the id of a created item can be changed")
	}
	f := url.Values{"csrf": {"tok"}, "kind": {"program"}, "title": {"Aide à l'achat d'un vélo"}, "summary": {"Une aide de l'État pour acheter un vélo."},
		"jurisdiction": {"FR"}, "audience": {"particulier"}, "sources": {"https://www.service-public.fr/particuliers/vosdroits/F36311"},
		"reviewed": {"2026-11-30"}, "review_every": {"6"}, "message": {"nouvelle aide"}}
	w = post(t, e.srv, "/admin/items/aide-velo/publish", f)
	if w.Code != http.StatusSeeOther {
		t.Fatalf("publish: %d\n%s", w.Code, w.Body.String())
	}
	it := e.item("aide-velo")
	if it.Title != "Aide à l'achat d'un vélo" || it.ReviewEvery != 6 || it.Audience[0] != "particulier" || it.Pos != (knowledge.Pos{}) {
		t.Errorf("published: %+v", it)
	}
	if w := get(t, e.srv, "/admin/items/aide-velo/history"); !strings.Contains(w.Body.String(), "nouvelle aide") {
		t.Error("no history of the new item")
	}
}

func TestItemListPages(t *testing.T) {
	e := newItemsEnv(t)
	all := len(e.core.Library.Base().Items)
	pages := (all + itemsPerPage - 1) / itemsPerPage
	if pages < 2 {
		t.Fatalf("%d items: one page", all)
	}
	w := get(t, e.srv, "/admin/items?source=hand&page=2")
	body := w.Body.String()
	hand := all - 1 // the imported sheet
	want := "Page 2 sur " + strconv.Itoa((hand+itemsPerPage-1)/itemsPerPage)
	if !strings.Contains(body, want) || !strings.Contains(body, `href="/admin/items?source=hand"`) {
		t.Errorf("page 2 lacks %q or a link back keeping the filter:\n%s", want, body)
	}
	if n := strings.Count(body, "<tr>") - 1; n != min(itemsPerPage, hand-itemsPerPage) {
		t.Errorf("page 2 has %d rows", n)
	}
	if w := get(t, e.srv, "/admin/items?page=999"); !strings.Contains(w.Body.String(), "Page "+strconv.Itoa(pages)+" sur "+strconv.Itoa(pages)) {
		t.Error("a page past the end does not show the last one")
	}
}

// An editor whose draft began before a publication is told so.
func TestItemDraftBehindAPublication(t *testing.T) {
	e := newItemsEnv(t)
	e.as(RoleEditor)
	it := *e.item("cni-perte")
	if w := post(t, e.srv, "/admin/items/cni-perte/edit", form(&it)); w.Code != http.StatusOK {
		t.Fatal(w.Code)
	}
	if strings.Contains(get(t, e.srv, "/admin/items/cni-perte/edit").Body.String(), "depuis le début de votre brouillon") {
		t.Fatal("behind before any publication")
	}
	it.Cost = "40 €"
	v := e.publish(&it, "someone else")
	page := html.UnescapeString(get(t, e.srv, "/admin/items/cni-perte/edit").Body.String())
	if !strings.Contains(page, "a été publiée (version "+strconv.Itoa(v)+") depuis le début de votre brouillon") {
		t.Errorf("the editor is not told of the publication:\n%s", page)
	}
}
