package admin

import (
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/boussole/boussole/internal/browsertest"
)

// With the script, the preview answers in place: the first message
// removes the hint, the replies come into the log and focus returns to
// the message field; a button is used from the keyboard; when the draft
// changed, the log starts again and says so. The page with a
// transcript, and the tests page with a failed run, pass axe-core.
func TestPreviewChatInTheBrowser(t *testing.T) {
	ctx := browsertest.Start(t)
	f := newPreviewFixture(t, RoleEditor)
	srv := httptest.NewServer(f.s)
	defer srv.Close()
	until := func(what, expr string) {
		t.Helper()
		if err := browsertest.Until(ctx, expr); err != nil {
			log, _ := browsertest.Get(ctx, chromedp.Evaluate[string](`document.querySelector("main").innerText`))
			t.Fatalf("%s: %v\n%s", what, err, log)
		}
	}
	do := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := browsertest.Do(ctx, steps...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	do("open", chromedp.Navigate(srv.URL+"/admin/trees/papiers-identite/preview"), chromedp.WaitReady(chromedp.CSS("#chat-empty")))
	do("send", chromedp.SendKeys(chromedp.CSS("#chat-text"), "papiers d'identité"), chromedp.Click(chromedp.CSS("form.send button")))
	until("the question in the log", `document.getElementById("chat-log").innerText.includes("Quel document vous faut-il ?")`)
	until("hint gone, field empty and focused", `!document.getElementById("chat-empty") && document.getElementById("chat-text").value === "" && document.activeElement.id === "chat-text"`)
	do("a button from the keyboard", chromedp.Focus(chromedp.CSS(`#chat-log .buttons button`)), chromedp.KeyEvent("\r"))
	until("the next question", `document.getElementById("chat-log").innerText.includes("Quelle est votre situation ?")`)
	for _, v := range browsertest.Axe(ctx, t) {
		t.Errorf("preview with a transcript: %s", v)
	}
	// The draft changes in another tab.
	post(t, f.s, "/admin/trees/papiers-identite/nodes/quel-document", nodeForm("tok", map[string]string{"ask": "Quel papier ?"}))
	do("send again", chromedp.SendKeys(chromedp.CSS("#chat-text"), "papiers d'identité"), chromedp.Click(chromedp.CSS("form.send button")))
	until("the trial started again", `(() => { const l = document.getElementById("chat-log").innerText;
		return document.querySelector("#chat-log .restarted") !== null && l.includes("Quel papier ?") && !l.includes("Quelle est votre situation ?") })()`)

	post(t, f.s, "/admin/trees/papiers-identite/tests", url.Values{"csrf": {"tok"}, "name": {"cni"}, "body": {"> papiers d'identité\n< Quel document vous faut-il ?\n"}})
	do("run the tests", chromedp.Navigate(srv.URL+"/admin/trees/papiers-identite/tests"), chromedp.WaitReady(chromedp.CSS("main")),
		chromedp.Click(chromedp.CSS(`form[action$="/tests/run"] button`)))
	until("failed", `document.querySelector("section[role=status] .problem") !== null`)
	for _, vp := range []browsertest.Viewport{browsertest.Laptop, browsertest.Phone} {
		do("viewport", browsertest.SetViewport(vp))
		for _, v := range browsertest.Axe(ctx, t) {
			t.Errorf("tests page with a failure at %dx%d: %s", vp.W, vp.H, v)
		}
	}
}
