package admin

import (
	"context"
	"database/sql"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/boussole/boussole/app"
	"github.com/boussole/boussole/bot"
	"github.com/boussole/boussole/bot/store"
	"github.com/boussole/boussole/knowledge"
)

// previewFixture is the admin on a real Core (demo knowledge) whose
// production database and previews' scratch folder the test can look
// into, on a clock the test moves.
type previewFixture struct {
	s       *Server
	c       *app.Core
	db      string // the production database file
	scratch string // where previews make their scratch databases
	at      time.Time
}

func newPreviewFixture(t *testing.T, r Role) *previewFixture {
	t.Helper()
	f := &previewFixture{db: filepath.Join(t.TempDir(), "b.db"), scratch: t.TempDir(), at: testClock()}
	c, err := testParts.OpenCore(context.Background(), app.CoreConfig{Database: f.db}, nil, testClock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	f.c = c
	f.s = f.serverAs(t, r)
	return f
}

// serverAs is another admin server on the same Core, signed in with r.
func (f *previewFixture) serverAs(t *testing.T, r Role) *Server {
	t.Helper()
	c := f.c
	s, err := New(Config{}, Deps{Now: func() time.Time { return f.at }, Auth: fixedAuth{asUser(r)}, Audit: c.Store, Library: c.Library, Drafts: c.Store,
		Tests: c.Store, NewPreview: func(ctx context.Context, b *knowledge.Base, now func() time.Time) (PreviewChat, error) {
			return c.Preview(ctx, b, f.scratch, now)
		}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// scratchDirs counts the previews' scratch folders left on disk.
func (f *previewFixture) scratchDirs(t *testing.T) int {
	t.Helper()
	es, err := os.ReadDir(f.scratch)
	if err != nil {
		t.Fatal(err)
	}
	return len(es)
}

// rows counts what conversations leave in the production database.
func (f *previewFixture) rows(t *testing.T) map[string]int {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+f.db+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	out := map[string]int{}
	for _, table := range []string{"conversations", "turns", "usage_events", "outbox", "cases"} {
		var n int
		if err := db.QueryRow("SELECT COUNT(*) FROM " + table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		out[table] = n
	}
	return out
}

// payloadOf is the payload of the page's button labelled label.
func payloadOf(t *testing.T, page, label string) string {
	t.Helper()
	i := strings.Index(page, `name="label" value="`+label+`"`)
	if i < 0 {
		t.Fatalf("no button %q in the preview:\n%s", label, page)
	}
	const p = `name="payload" value="`
	j := strings.LastIndex(page[:i], p)
	v := page[j+len(p):]
	return v[:strings.IndexByte(v, '"')]
}

// sendJSON posts a message or click as the page's script does.
func sendJSON(t *testing.T, s *Server, tree string, form url.Values) (lines []chatLine, reset bool) {
	t.Helper()
	req := newPost("/admin/trees/"+tree+"/preview", strings.NewReader(form.Encode()))
	req.Header.Set("Accept", "application/json")
	w := serve(s, req)
	if w.Code != 200 {
		t.Fatalf("send: %d %s", w.Code, w.Body.String())
	}
	var got struct {
		Lines []chatLine `json:"lines"`
		Reset bool       `json:"reset"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	return got.Lines, got.Reset
}

func botSaid(lines []chatLine) string {
	var b strings.Builder
	for _, l := range lines {
		if l.Bot {
			b.WriteString(l.Text + "\n")
		}
	}
	return b.String()
}

// The preview talks to the editor's draft with the real engine: the
// draft's question comes back while the published tree keeps its own, a
// button follows its choice, labels stay text, and the production
// database gets nothing.
func TestPreviewTalksToTheDraft(t *testing.T) {
	t.Parallel()
	f := newPreviewFixture(t, RoleEditor)
	ed, ctx := f.s, context.Background()
	// A real conversation, so that the count below can see one.
	if _, err := f.c.Engine.Respond(ctx, bot.Incoming{Address: bot.Address{Platform: "console", Channel: "local", User: "vous"}, Text: "papiers d'identité", ID: "1"}); err != nil {
		t.Fatal(err)
	}
	before := f.rows(t)
	if before["conversations"] != 1 || before["turns"] == 0 {
		t.Fatalf("the production conversation is not counted: %v", before)
	}
	post(t, ed, "/admin/trees/papiers-identite/nodes/quel-document", nodeForm("tok", map[string]string{
		"ask": "Quel papier <b>cherchez</b>-vous ?", "c1_label": "Passeport <script>x</script>"}))
	if w := get(t, ed, "/admin/trees/papiers-identite/preview"); w.Code != 200 || !strings.Contains(w.Body.String(), `aria-live="polite"`) {
		t.Fatalf("preview page: %d", w.Code)
	}
	w := post(t, ed, "/admin/trees/papiers-identite/preview", url.Values{"csrf": {"tok"}, "text": {"papiers d'identité"}})
	if w.Code != http.StatusSeeOther {
		t.Fatalf("send: %d %s", w.Code, w.Body.String())
	}
	page := get(t, ed, "/admin/trees/papiers-identite/preview").Body.String()
	if !strings.Contains(page, "Quel papier &lt;b&gt;cherchez&lt;/b&gt;-vous ?") {
		t.Fatalf("the draft's question is not in the preview, or not escaped:\n%s", page)
	}
	if !strings.Contains(page, ">Passeport &lt;script&gt;x&lt;/script&gt;</button>") || strings.Contains(page, "<script>x") {
		t.Fatalf("the label with a script is not shown as text:\n%s", page)
	}
	if pub, _ := f.c.Library.Base().Tree("papiers-identite"); pub.Nodes["quel-document"].Ask != "Quel document vous faut-il ?" {
		t.Errorf("the published tree changed: %q", pub.Nodes["quel-document"].Ask)
	}
	// A click, as the script sends it.
	lines, reset := sendJSON(t, ed, "papiers-identite", url.Values{"payload": {payloadOf(t, page, "Carte d&#39;identité")}, "label": {"Carte d'identité"}})
	if reset || len(lines) < 2 || lines[0].Bot || lines[0].Text != "Carte d'identité" || !strings.Contains(botSaid(lines), "Quelle est votre situation ?") {
		t.Fatalf("a click does not follow its choice: %+v", lines)
	}
	// And the same without the script: the page shows the whole transcript.
	page = get(t, ed, "/admin/trees/papiers-identite/preview").Body.String()
	w = post(t, ed, "/admin/trees/papiers-identite/preview", url.Values{"csrf": {"tok"}, "payload": {payloadOf(t, page, "Je l&#39;ai perdue")}, "label": {"Je l'ai perdue"}})
	if w.Code != http.StatusSeeOther {
		t.Fatalf("a click without script: %d", w.Code)
	}
	page = get(t, ed, "/admin/trees/papiers-identite/preview").Body.String()
	for _, want := range []string{"Quel papier &lt;b&gt;", "Quelle est votre situation ?", "Je l&#39;ai perdue", "perte"} {
		if !strings.Contains(page, want) {
			t.Errorf("the transcript lacks %q", want)
		}
	}
	if after := f.rows(t); after["conversations"] != before["conversations"] || after["turns"] != before["turns"] ||
		after["usage_events"] != before["usage_events"] || after["outbox"] != before["outbox"] || after["cases"] != before["cases"] {
		t.Errorf("the preview wrote into the production database: %v, then %v", before, after)
	}
}

// The preview follows the draft: changed, the trial starts again and
// says so (to the page and to the script); Restart empties it.
func TestPreviewRebuiltWhenTheDraftChanges(t *testing.T) {
	t.Parallel()
	f := newPreviewFixture(t, RoleEditor)
	ed := f.s
	get(t, ed, "/admin/trees/papiers-identite/preview")
	if lines, _ := sendJSON(t, ed, "papiers-identite", url.Values{"text": {"papiers d'identité"}}); !strings.Contains(botSaid(lines), "Quel document vous faut-il ?") {
		t.Fatalf("published question: %+v", lines)
	}
	post(t, ed, "/admin/trees/papiers-identite/nodes/quel-document", nodeForm("tok", map[string]string{"ask": "Quel papier ?"}))
	lines, reset := sendJSON(t, ed, "papiers-identite", url.Values{"text": {"papiers d'identité"}})
	if !reset || len(lines) == 0 || !lines[0].Restarted || !strings.Contains(botSaid(lines), "Quel papier ?") {
		t.Fatalf("after a change of the draft: reset %v %+v", reset, lines)
	}
	page := get(t, ed, "/admin/trees/papiers-identite/preview").Body.String()
	if !strings.Contains(page, "L&#39;essai recommence") || strings.Contains(page, "Quel document vous faut-il ?") {
		t.Fatalf("the page still shows the old trial, or does not say it started again:\n%s", page)
	}
	if w := post(t, ed, "/admin/trees/papiers-identite/preview/restart", url.Values{"csrf": {"tok"}}); w.Code != http.StatusSeeOther {
		t.Fatalf("restart: %d", w.Code)
	}
	page = get(t, ed, "/admin/trees/papiers-identite/preview").Body.String()
	if strings.Contains(page, "Quel papier ?") || strings.Contains(page, "recommence") || !strings.Contains(page, `id="chat-empty"`) {
		t.Errorf("the trial is not empty after Restart:\n%s", page)
	}
	if n := f.scratchDirs(t); n != 1 {
		t.Errorf("%d scratch databases on disk, want the one open", n)
	}
}

// Previews idle for longer than previewIdle are closed (on the injected
// clock) with their scratch databases; beyond the bound, the least
// recently used goes.
func TestIdleAndSurplusPreviewsClosed(t *testing.T) {
	t.Parallel()
	f := newPreviewFixture(t, RoleEditor)
	s := f.s
	if w := get(t, s, "/admin/trees/papiers-identite/preview"); w.Code != 200 {
		t.Fatal(w.Code)
	}
	f.at = f.at.Add(previewIdle - time.Minute)
	get(t, s, "/admin/trees/logement/preview")
	if n := s.openPreviews(); n != 2 {
		t.Fatalf("%d previews open before the idle time, want 2", n)
	}
	f.at = f.at.Add(2 * time.Minute) // the first is now idle, not the second
	get(t, s, "/admin/trees/emploi/preview")
	if n, d := s.openPreviews(), f.scratchDirs(t); n != 2 || d != 2 {
		t.Errorf("%d previews open and %d scratch databases after the first went idle, want 2", n, d)
	}
	// Nobody uses a preview: the process's sweep closes them.
	f.at = f.at.Add(previewIdle - time.Minute)
	s.CloseIdlePreviews()
	if n, d := s.openPreviews(), f.scratchDirs(t); n != 1 || d != 1 {
		t.Errorf("%d previews open and %d scratch databases after the sweep, want the emploi one", n, d)
	}
	get(t, s, "/admin/trees/emploi/preview")
	s.pv.max = 2
	f.at = f.at.Add(time.Minute)
	get(t, s, "/admin/trees/logement/preview") // used: emploi is now the least recent
	f.at = f.at.Add(time.Minute)
	get(t, s, "/admin/trees/sante/preview")
	s.pv.mu.Lock()
	_, emploi := s.pv.open["camille\x00emploi"]
	_, logement := s.pv.open["camille\x00logement"]
	s.pv.mu.Unlock()
	if emploi || !logement || s.openPreviews() != 2 || f.scratchDirs(t) != 2 {
		t.Errorf("beyond the bound: emploi open %v, logement open %v, %d open, %d on disk", emploi, logement, s.openPreviews(), f.scratchDirs(t))
	}
	s.Close()
	if d := f.scratchDirs(t); d != 0 {
		t.Errorf("%d scratch databases left after Close", d)
	}
}

// The preview and the tests are for editors, with a CSRF token.
func TestPreviewPermissionsAndCSRF(t *testing.T) {
	t.Parallel()
	f := newPreviewFixture(t, RoleEditor)
	ed := f.s
	get(t, ed, "/admin/trees/papiers-identite/preview")
	if w := post(t, ed, "/admin/trees/papiers-identite/preview", url.Values{"text": {"x"}}); w.Code != http.StatusForbidden {
		t.Errorf("a message without CSRF token: %d", w.Code)
	}
	req := newPost("/admin/trees/papiers-identite/preview", strings.NewReader("text=x"))
	req.Header.Set("X-CSRF-Token", "autre")
	if w := serve(ed, req); w.Code != http.StatusForbidden {
		t.Errorf("a script's message with a wrong token: %d", w.Code)
	}
	if w := post(t, ed, "/admin/trees/papiers-identite/tests/run", url.Values{}); w.Code != http.StatusForbidden {
		t.Errorf("a run without CSRF token: %d", w.Code)
	}
	view := f.serverAs(t, RoleViewer)
	for _, c := range []struct{ method, path string }{
		{"GET", "/admin/trees/papiers-identite/preview"}, {"POST", "/admin/trees/papiers-identite/preview"},
		{"POST", "/admin/trees/papiers-identite/preview/restart"}, {"GET", "/admin/trees/papiers-identite/tests"},
		{"POST", "/admin/trees/papiers-identite/tests"}, {"POST", "/admin/trees/papiers-identite/tests/run"},
		{"POST", "/admin/trees/papiers-identite/tests/delete"},
	} {
		var w interface{ Result() *http.Response }
		if c.method == "GET" {
			w = get(t, view, c.path)
		} else {
			w = post(t, view, c.path, url.Values{"csrf": {"tok"}, "text": {"x"}, "name": {"t"}, "body": {"> x\n"}})
		}
		if code := w.Result().StatusCode; code != http.StatusForbidden {
			t.Errorf("a viewer: %s %s: %d", c.method, c.path, code)
		}
	}
	if w := get(t, ed, "/admin/trees/nulle-part/preview"); w.Code != http.StatusNotFound {
		t.Errorf("the preview of a tree that does not exist: %d", w.Code)
	}
	if w := post(t, ed, "/admin/trees/papiers-identite/preview", url.Values{"csrf": {"tok"}, "text": {strings.Repeat("é", maxPreviewText)}}); w.Code != http.StatusSeeOther {
		t.Errorf("a long message: %d", w.Code)
	}
}

// Conversation tests are written, read back for editing, checked at
// their line, run against the draft (a failure said with its line, what
// was expected and what the bot said), deleted, audited; and they gate
// the publication.
func TestTreeTestsInThePage(t *testing.T) {
	t.Parallel()
	f := newPreviewFixture(t, RoleAdmin)
	adm, c, ctx := f.s, f.c, context.Background()
	page := get(t, adm, "/admin/trees/papiers-identite/tests").Body.String()
	if !strings.Contains(page, "Comment écrire un test") || !strings.Contains(page, "&gt; carte d&#39;identité") {
		t.Fatalf("no help or example on the tests page:\n%s", page)
	}
	w := post(t, adm, "/admin/trees/papiers-identite/tests", url.Values{"csrf": {"tok"}, "name": {"bad"}, "body": {"> papiers\n<count deux\n"}})
	if w.Code != http.StatusUnprocessableEntity || !strings.Contains(w.Body.String(), "bad:2:") || !strings.Contains(w.Body.String(), "&lt;count deux") {
		t.Fatalf("a test with a syntax error: %d\n%s", w.Code, w.Body.String())
	}
	if w := post(t, adm, "/admin/trees/papiers-identite/tests", url.Values{"csrf": {"tok"}, "name": {"Mauvais Nom"}, "body": {"> x\n"}}); w.Code != http.StatusUnprocessableEntity {
		t.Errorf("a bad test name: %d", w.Code)
	}
	test := "# the first question\n> papiers d'identité\n< Quel document vous faut-il ?\nclick Carte d'identité\n< Quelle est votre situation ?\n"
	if w := post(t, adm, "/admin/trees/papiers-identite/tests", url.Values{"csrf": {"tok"}, "name": {"cni"}, "body": {strings.ReplaceAll(test, "\n", "\r\n")}}); w.Code != http.StatusSeeOther {
		t.Fatalf("save: %d %s", w.Code, w.Body.String())
	}
	if tests, _ := c.Store.TreeTests(ctx, "papiers-identite"); len(tests) != 1 || tests[0].Body != test || tests[0].Author != "camille" {
		t.Fatalf("stored: %+v", tests)
	}
	if page := get(t, adm, "/admin/trees/papiers-identite/tests?edit=cni").Body.String(); !strings.Contains(page, `value="cni"`) || !strings.Contains(page, "click Carte d&#39;identité") {
		t.Errorf("the test is not in the form for editing:\n%s", page)
	}
	w = post(t, adm, "/admin/trees/papiers-identite/tests/run", url.Values{"csrf": {"tok"}})
	if !strings.Contains(w.Body.String(), "✓") || strings.Contains(w.Body.String(), "✗") || !strings.Contains(w.Body.String(), "Tests réussis : 1 sur 1.") {
		t.Fatalf("the test fails on the published tree:\n%s", w.Body.String())
	}
	// A draft that changes the question breaks the test at its line 3.
	post(t, adm, "/admin/trees/papiers-identite/nodes/quel-document", nodeForm("tok", map[string]string{"ask": "Quel papier ?"}))
	body := post(t, adm, "/admin/trees/papiers-identite/tests/run", url.Values{"csrf": {"tok"}}).Body.String()
	for _, want := range []string{"✗", "Ligne 3 : attendu « &lt; Quel document vous faut-il ? »", "Quel papier ?", "Tests réussis : 0 sur 1."} {
		if !strings.Contains(body, want) {
			t.Errorf("the failing test's report lacks %q:\n%s", want, body)
		}
	}
	w = post(t, adm, "/admin/trees/papiers-identite/publish", url.Values{"csrf": {"tok"}, "message": {"plus court"}})
	if w.Code != http.StatusUnprocessableEntity || !strings.Contains(w.Body.String(), "cni") {
		t.Fatalf("publish with a failing test: %d", w.Code)
	}
	if vs, _ := c.Library.TreeVersions(ctx, "papiers-identite"); len(vs) != 1 {
		t.Errorf("published despite the failing test: %d versions", len(vs))
	}
	if w := post(t, adm, "/admin/trees/papiers-identite/tests/delete", url.Values{"csrf": {"tok"}, "name": {"cni"}}); w.Code != http.StatusSeeOther {
		t.Fatalf("delete: %d", w.Code)
	}
	if tests, _ := c.Store.TreeTests(ctx, "papiers-identite"); len(tests) != 0 {
		t.Errorf("deleted test still stored: %+v", tests)
	}
	log, _ := c.Store.AuditLog(ctx, 0, 20)
	var actions []string
	for _, e := range log {
		if e.Object == "papiers-identite" {
			actions = append(actions, e.Action+" "+e.Detail)
		}
	}
	if got := strings.Join(actions, ","); !strings.Contains(got, "tree.test.save cni") || !strings.Contains(got, "tree.test.delete cni") {
		t.Errorf("audit: %s", got)
	}
}

// runTreeTests, the publication's gate, runs every stored test of a tree
// against the knowledge with that tree: one passing, one failing at its
// line, one clicking a button that is not there, one that does not read;
// each on its own engine and at its own clock.
func TestRunTreeTests(t *testing.T) {
	t.Parallel()
	f := newPreviewFixture(t, RoleEditor)
	s, c, ctx := f.s, f.c, context.Background()
	for name, body := range map[string]string{
		"a-passe":   "> papiers d'identité\n< Quel document vous faut-il ?\n",
		"b-echoue":  "> papiers d'identité\n<! Quel document\n< Quel papier ?\n",
		"c-bouton":  "> papiers d'identité\nclick Permis de pêche\n",
		"d-illisib": "> papiers d'identité\n<count beaucoup\n",
		"e-horloge": "clock 2026-11-23T10:00:00Z\n> papiers d'identité\n< Quel document\n",
	} {
		if err := c.Store.SaveTreeTest(ctx, store.TreeTest{TreeID: "papiers-identite", Name: name, Body: body, Author: "camille", UpdatedAt: testClock()}); err != nil {
			t.Fatal(err)
		}
	}
	pub, _ := c.Library.Base().Tree("papiers-identite")
	rep, err := s.runTreeTests(ctx, pub)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Passed() || len(rep.Results) != 5 || strings.Join(rep.Failed(), ",") != "b-echoue,c-bouton,d-illisib" {
		t.Fatalf("on the published tree: %+v", rep)
	}
	b := rep.Results[1]
	if len(b.Failures) != 2 || b.Failures[0].Line != 2 || b.Failures[1].Line != 3 || b.Failures[1].Expect != "< Quel papier ?" || !strings.Contains(b.Failures[1].Got, "Quel document vous faut-il ?") {
		t.Errorf("the failing test: %+v", b)
	}
	if e := rep.Results[2].Error; !strings.Contains(e, "c-bouton:2") {
		t.Errorf("a click on a missing button: %q", e)
	}
	if e := rep.Results[3].Error; !strings.Contains(e, "d-illisib:2") {
		t.Errorf("a test that does not read: %q", e)
	}
	// The draft makes b pass and a fail.
	draft := *pub
	draft.Nodes = map[string]*knowledge.Node{}
	for id, n := range pub.Nodes {
		cp := *n
		draft.Nodes[id] = &cp
	}
	draft.Nodes["quel-document"].Ask = "Quel papier ?"
	rep, err = s.runTreeTests(ctx, &draft)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(rep.Failed(), ",") != "a-passe,c-bouton,d-illisib,e-horloge" {
		t.Errorf("on the draft: failed %v", rep.Failed())
	}
	if (TestReport{}).Passed() != true || f.scratchDirs(t) != 0 {
		t.Errorf("no test passes; %d scratch databases left", f.scratchDirs(t))
	}
	post(t, s, "/admin/trees/papiers-identite/nodes/quel-document", nodeForm("tok", map[string]string{"ask": "Quel papier ?"}))
	if body := post(t, s, "/admin/trees/papiers-identite/tests/run", url.Values{"csrf": {"tok"}}).Body.String(); !strings.Contains(body, "Tests réussis : 1 sur 5.") {
		t.Errorf("the page runs on the editor's draft:\n%s", body)
	}
}

// Turns sent at once, while the draft changes under them, all get an
// answer: a chat is not closed under a turn, and a turn that finds its
// chat replaced is played on the new one.
func TestPreviewConcurrentTurns(t *testing.T) {
	t.Parallel()
	f := newPreviewFixture(t, RoleEditor)
	ed := f.s
	get(t, ed, "/admin/trees/papiers-identite/preview")
	codes := make(chan int, 9)
	for i := range 9 {
		go func() {
			if i%3 == 0 {
				w := post(t, ed, "/admin/trees/papiers-identite/nodes/quel-document", nodeForm("tok", map[string]string{"ask": "Quel papier " + strings.Repeat("?", i+1)}))
				codes <- w.Code / 100 * 100 // a save answers 303
				return
			}
			w := serve(ed, newPost("/admin/trees/papiers-identite/preview", strings.NewReader("text=papiers+d%27identit%C3%A9")))
			codes <- w.Code
		}()
	}
	for range 9 {
		if code := <-codes; code >= 400 {
			t.Errorf("a turn or a save during the others: %d", code)
		}
	}
	if n := ed.openPreviews(); n != 1 {
		t.Errorf("%d previews open for one editor and tree", n)
	}
	ed.Close()
	if d := f.scratchDirs(t); d != 0 {
		t.Errorf("%d scratch databases left", d)
	}
}

// A test opened for editing and saved under a new name is renamed; one
// too long is refused; deleting a test that is not there is not found.
func TestTreeTestRenameAndDelete(t *testing.T) {
	t.Parallel()
	f := newPreviewFixture(t, RoleEditor)
	ed, ctx := f.s, context.Background()
	body := "> papiers d'identité\n< Quel document\n"
	post(t, ed, "/admin/trees/papiers-identite/tests", url.Values{"csrf": {"tok"}, "name": {"cni"}, "body": {body}})
	if page := get(t, ed, "/admin/trees/papiers-identite/tests?edit=cni").Body.String(); !strings.Contains(page, `name="old" value="cni"`) {
		t.Fatalf("the form does not know which test it edits:\n%s", page)
	}
	if w := post(t, ed, "/admin/trees/papiers-identite/tests", url.Values{"csrf": {"tok"}, "old": {"cni"}, "name": {"carte"}, "body": {body}}); w.Code != http.StatusSeeOther {
		t.Fatalf("rename: %d", w.Code)
	}
	if tests, _ := f.c.Store.TreeTests(ctx, "papiers-identite"); len(tests) != 1 || tests[0].Name != "carte" {
		t.Errorf("after a rename: %+v", tests)
	}
	if w := post(t, ed, "/admin/trees/papiers-identite/tests", url.Values{"csrf": {"tok"}, "name": {"long"}, "body": {strings.Repeat("> bonjour\n", maxTestSize/10+1)}}); w.Code != http.StatusUnprocessableEntity || !strings.Contains(w.Body.String(), "trop long") {
		t.Errorf("a test too long: %d", w.Code)
	}
	if w := post(t, ed, "/admin/trees/papiers-identite/tests/delete", url.Values{"csrf": {"tok"}, "name": {"cni"}}); w.Code != http.StatusNotFound {
		t.Errorf("deleting a test that is not there: %d", w.Code)
	}
	if tests, _ := f.c.Store.TreeTests(ctx, "papiers-identite"); len(tests) != 1 {
		t.Errorf("tests: %+v", tests)
	}
}
