package admin

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/boussole/boussole/bot"
)

// The preview talks to the editor's draft with the real engine: the
// draft's question comes back, a button follows its choice, labels stay
// text, and the production database gets no conversation.
func TestPreviewTalksToTheDraft(t *testing.T) {
	ed, c := filesServer(t, RoleEditor)
	post(t, ed, "/admin/trees/papiers-identite/nodes/quel-document", nodeForm("tok", map[string]string{
		"ask": "Quel papier <b>cherchez</b>-vous ?", "c0_label": "Carte <script>x</script>"}))
	if w := get(t, ed, "/admin/trees/papiers-identite/preview"); w.Code != 200 {
		t.Fatalf("preview page: %d", w.Code)
	}
	w := post(t, ed, "/admin/trees/papiers-identite/preview", url.Values{"csrf": {"tok"}, "text": {"papiers d'identité"}})
	if w.Code != http.StatusSeeOther {
		t.Fatalf("send: %d %s", w.Code, w.Body.String())
	}
	page := get(t, ed, "/admin/trees/papiers-identite/preview").Body.String()
	if !strings.Contains(page, "Quel papier &lt;b&gt;cherchez&lt;/b&gt;-vous ?") || strings.Contains(page, "<script>x") {
		t.Fatalf("the draft's question is not in the preview, or not escaped:\n%s", page)
	}
	i := strings.Index(page, `name="payload" value="`)
	if i < 0 {
		t.Fatal("no button in the preview")
	}
	payload := page[i+len(`name="payload" value="`):]
	payload = payload[:strings.IndexByte(payload, '"')]
	req := newPost("/admin/trees/papiers-identite/preview", strings.NewReader(url.Values{"payload": {payload}, "label": {"Carte"}}.Encode()))
	req.Header.Set("Accept", "application/json")
	jw := serve(ed, req)
	if jw.Code != 200 || !strings.Contains(jw.Body.String(), "Quelle est votre situation") {
		t.Fatalf("a click: %d %s", jw.Code, jw.Body.String())
	}
	if _, err := c.Store.Conversation(context.Background(), bot.Address{Platform: previewPlatform, Channel: "camille", User: "camille"}); !errors.Is(err, bot.ErrNoConversation) {
		t.Errorf("the preview wrote into the production database: %v", err)
	}
	if w := post(t, ed, "/admin/trees/papiers-identite/preview", url.Values{"text": {"x"}}); w.Code != http.StatusForbidden {
		t.Errorf("a message without CSRF token: %d", w.Code)
	}
	view, _ := filesServerOn(t, c, RoleViewer)
	if w := get(t, view, "/admin/trees/papiers-identite/preview"); w.Code != http.StatusForbidden {
		t.Errorf("a viewer opens the preview: %d", w.Code)
	}
}

// Conversation tests are saved after a syntax check, run against the
// draft, and gate the publication.
func TestTreeTestsGatePublication(t *testing.T) {
	adm, c := filesServer(t, RoleAdmin)
	w := post(t, adm, "/admin/trees/papiers-identite/tests", url.Values{"csrf": {"tok"}, "name": {"bad"}, "body": {"> papiers\n<count deux\n"}})
	if w.Code != http.StatusUnprocessableEntity || !strings.Contains(w.Body.String(), "bad:2:") {
		t.Fatalf("a test with a syntax error: %d\n%s", w.Code, w.Body.String())
	}
	test := "> papiers d'identité\n< Quel document vous faut-il ?\nclick Carte d'identité\n< Quelle est votre situation ?\n"
	if w := post(t, adm, "/admin/trees/papiers-identite/tests", url.Values{"csrf": {"tok"}, "name": {"cni"}, "body": {test}}); w.Code != http.StatusSeeOther {
		t.Fatalf("save: %d %s", w.Code, w.Body.String())
	}
	w = post(t, adm, "/admin/trees/papiers-identite/tests/run", url.Values{"csrf": {"tok"}})
	if !strings.Contains(w.Body.String(), "✓") {
		t.Fatalf("the test fails on the published tree:\n%s", w.Body.String())
	}
	// A draft that changes the question breaks the test: no publication.
	post(t, adm, "/admin/trees/papiers-identite/nodes/quel-document", nodeForm("tok", map[string]string{"ask": "Quel papier ?"}))
	w = post(t, adm, "/admin/trees/papiers-identite/tests/run", url.Values{"csrf": {"tok"}})
	if !strings.Contains(w.Body.String(), "✗") || !strings.Contains(w.Body.String(), "Quel papier ?") {
		t.Fatalf("the failing test is not reported with what the bot said:\n%s", w.Body.String())
	}
	w = post(t, adm, "/admin/trees/papiers-identite/publish", url.Values{"csrf": {"tok"}, "message": {"plus court"}})
	if w.Code != http.StatusUnprocessableEntity || !strings.Contains(w.Body.String(), "cni") {
		t.Fatalf("publish with a failing test: %d", w.Code)
	}
	if vs, _ := c.Library.TreeVersions(context.Background(), "papiers-identite"); len(vs) != 1 {
		t.Errorf("published despite the failing test: %d versions", len(vs))
	}
}

// Previews idle for longer than previewIdle are closed (on the injected
// clock), with their scratch databases.
func TestIdlePreviewsClosed(t *testing.T) {
	s, _ := filesServer(t, RoleEditor)
	at := testClock()
	s.d.Now = func() time.Time { return at }
	if w := get(t, s, "/admin/trees/papiers-identite/preview"); w.Code != 200 {
		t.Fatal(w.Code)
	}
	if n := s.openPreviews(); n != 1 {
		t.Fatalf("%d previews open", n)
	}
	at = at.Add(previewIdle + time.Minute)
	if w := get(t, s, "/admin/trees/logement/preview"); w.Code != 200 {
		t.Fatal(w.Code)
	}
	if n := s.openPreviews(); n != 1 {
		t.Errorf("%d previews open after the first went idle, want 1", n)
	}
}
