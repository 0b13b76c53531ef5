package web

import (
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/boussole/boussole/admin/password"
	"github.com/boussole/boussole/app"
	"github.com/boussole/boussole/app/httpserver"
	"github.com/boussole/boussole/bot"
	"github.com/boussole/boussole/bot/store"
	"github.com/boussole/boussole/internal/browsertest"
)

// clock is the journey's one clock: a fixed day, moved by hand.
type clock struct{ at time.Time }

func (c *clock) now() time.Time { return c.at }

// stack is serve as an admin meets it: the app on a database file, the
// one HTTP server with the admin, and a browser.
type stack struct {
	t    *testing.T
	a    *app.App
	url  string
	ctx  context.Context
	clk  *clock
	seen map[string]bool
}

func newStack(t *testing.T) *stack {
	t.Helper()
	clk := &clock{at: time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)}
	cfg := app.Default()
	cfg.Database.Path = filepath.Join(t.TempDir(), "b.db")
	a, err := app.Open(context.Background(), cfg, slog.New(slog.DiscardHandler), clk.now)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	srv := httpserver.New("127.0.0.1:0", nil)
	closeWeb, err := Mount(srv, a)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(closeWeb)
	if err := srv.Listen(); err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = srv.Serve(ctx); close(done) }()
	t.Cleanup(func() { stop(); <-done })
	return &stack{t: t, a: a, url: "http://" + srv.Addr().String(), ctx: browsertest.Start(t), clk: clk, seen: map[string]bool{}}
}

// do runs browser steps, failing the test on error.
func (s *stack) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	s.t.Helper()
	if err := browsertest.Do(s.ctx, steps...); err != nil {
		s.t.Fatalf("%s: %v", what, err)
	}
}

// retype clears the field sel and types text in it, as a person does
// (the page's script sees the keystrokes).
func (s *stack) retype(sel, text string) {
	s.t.Helper()
	if _, err := browsertest.Get(s.ctx, chromedp.Evaluate[bool](`(() => { const el = document.querySelector("`+sel+`"); el.value = ""; el.focus(); return true })()`)); err != nil {
		s.t.Fatalf("clear %s: %v", sel, err)
	}
	s.do("type in "+sel, chromedp.SendKeys(chromedp.CSS(sel), text))
}

// until waits for a JavaScript condition, failing the test on timeout.
func (s *stack) until(what, expr string) {
	s.t.Helper()
	if err := browsertest.Until(s.ctx, expr); err != nil {
		s.t.Fatalf("%s: %v", what, err)
	}
}

// open navigates to an admin path and waits for the page.
func (s *stack) open(path string) {
	s.t.Helper()
	s.do("open "+path, chromedp.Navigate(s.url+path), chromedp.WaitReady(chromedp.CSS("main")))
}

// check runs axe-core on the page (once per path) and takes the picture.
func (s *stack) check(picture string) {
	s.t.Helper()
	loc, _ := browsertest.Get(s.ctx, chromedp.Location())
	if !s.seen[loc] {
		s.seen[loc] = true
		for _, v := range browsertest.Axe(s.ctx, s.t) {
			s.t.Errorf("%s: %s", loc, v)
		}
	}
	if picture != "" {
		browsertest.Screenshot(s.ctx, s.t, picture)
	}
}

// text is the page's visible text.
func (s *stack) text() string {
	s.t.Helper()
	got, err := browsertest.Get(s.ctx, chromedp.Evaluate[string](`document.body.innerText`))
	if err != nil {
		s.t.Fatal(err)
	}
	return got
}

// chat is one local-chat (console) message to the running bot; it returns
// what the bot answered.
func (s *stack) chat(user, text, payload string) []bot.Reply {
	s.t.Helper()
	rs, err := s.a.Engine.Respond(context.Background(), bot.Incoming{Address: bot.Address{Platform: "console", Channel: "local", User: user}, Text: text, Payload: payload})
	if err != nil {
		s.t.Fatal(err)
	}
	return rs
}

func joined(rs []bot.Reply) string {
	var b strings.Builder
	for _, r := range rs {
		b.WriteString(r.Text + "\n")
	}
	return b.String()
}

// The whole admin journey of the issue, in a real browser, every page
// checked by axe-core: sign in, open a tree, make a mistake and see it at
// its choice, fix it, try the draft, write and run a conversation test,
// publish (a new local-chat conversation takes the new version, one under
// way keeps the old), compare, roll back, and read the gap report after
// questions the bot did not understand.
func TestAdminJourney(t *testing.T) {
	s := newStack(t)
	signIn(s)

	s.open("/admin/trees")
	s.check("02-trees.png")
	s.open("/admin/trees/papiers-identite")
	s.check("03-tree.png")

	// A mistake: a choice answering with an item that does not exist.
	s.open("/admin/trees/papiers-identite/nodes/situation-cni")
	s.retype("#c1_answer", "cni-perdu")
	s.until("the problem shown at choice 2", `document.querySelector('#choice-1 .choice-problems').innerText.includes("cni-perdu")`)
	s.until("the problem listed", `document.getElementById("problems").innerText.includes("cni-perdu")`)
	s.check("04-problem.png")
	s.do("reload", chromedp.Reload())
	s.until("the graph marks the node after a reload", `document.querySelector(".graph svg").textContent.includes("⚠")`)
	// Fixed: the problem goes.
	s.retype("#c1_answer", "cni-perte")
	s.until("the problem cleared", `document.querySelector('#choice-1 .choice-problems').innerText === "" && document.querySelector("#problems .ok") !== null`)

	// A change people will see: the first question.
	s.open("/admin/trees/papiers-identite/nodes/quel-document")
	s.retype("#ask", "Quel papier vous faut-il ?")
	s.until("saved", `document.getElementById("draft-status").innerText.includes("automatiquement")`)

	// The preview chat talks to the draft.
	s.open("/admin/trees/papiers-identite/preview")
	s.do("say hello", chromedp.SendKeys(chromedp.CSS("#chat-text"), "papiers d'identité"), chromedp.Click(chromedp.CSS("form.send button")))
	s.until("the draft's question", `document.getElementById("chat-log").innerText.includes("Quel papier vous faut-il ?")`)
	s.do("click a button", chromedp.Click(chromedp.CSS("#chat-log .buttons button")))
	s.until("the next question", `document.getElementById("chat-log").innerText.includes("Quelle est votre situation ?")`)
	s.check("05-preview.png")

	// A conversation test, run against the draft.
	s.open("/admin/trees/papiers-identite/tests")
	s.do("write a test", chromedp.SendKeys(chromedp.CSS("#test-name"), "premiere-question"),
		chromedp.SendKeys(chromedp.CSS("#test-body"), ""))
	if _, err := browsertest.Get(s.ctx, chromedp.Evaluate[bool](`(() => { document.querySelector("#test-body").value = "> papiers d'identité\n< Quel papier vous faut-il ?\nclick Carte d'identité\n< Quelle est votre situation ?\n"; return true })()`)); err != nil {
		t.Fatal(err)
	}
	s.do("save the test", chromedp.Click(chromedp.CSS(`form[action$="/tests"] button`)))
	s.until("saved", `document.body.innerText.includes("premiere-question")`)
	s.do("run the tests", chromedp.Click(chromedp.CSS(`form[action$="/tests/run"] button`)))
	s.until("passed", `document.body.innerText.includes("✓")`)
	s.check("06-tests.png")

	// A conversation under way before the publication keeps its version.
	early := s.chat("early", "papiers d'identité", "")
	if !strings.Contains(joined(early), "Quel document vous faut-il ?") {
		t.Fatalf("before publishing: %s", joined(early))
	}
	s.open("/admin/trees/papiers-identite")
	s.do("publish", chromedp.SendKeys(chromedp.CSS("#pub-msg"), "question plus simple"), chromedp.Click(chromedp.CSS(`form[action$="/publish"] button`)))
	s.until("published", `document.body.innerText.includes("question plus simple")`)
	if got := joined(s.chat("late", "papiers d'identité", "")); !strings.Contains(got, "Quel papier vous faut-il ?") {
		t.Errorf("a new conversation after publishing: %s", got)
	}
	last := early[len(early)-1]
	if got := joined(s.chat("early", "", last.Choices[0].Payload)); !strings.Contains(got, "Quelle est votre situation ?") {
		t.Errorf("the conversation under way, on its old version: %s", got)
	}

	// History, diff, rollback.
	s.until("the diff", `document.querySelector("table.diff td.ins") !== null && document.querySelector("table.diff").innerText.includes("Quel papier")`)
	s.check("07-history.png")
	s.do("roll back", chromedp.SendKeys(chromedp.CSS("#rb-1"), "on garde l'ancienne"), chromedp.Click(chromedp.CSS(`form[action$="/rollback"] button`)))
	s.until("rolled back", `document.body.innerText.includes("Retour à la version 1")`)
	if got := joined(s.chat("after", "papiers d'identité", "")); !strings.Contains(got, "Quel document vous faut-il ?") {
		t.Errorf("a new conversation after the rollback: %s", got)
	}

	s.open("/admin/items")
	s.check("")
	s.open("/admin/items/cni-perte")
	s.check("08-item.png")

	// The gap report after questions the bot did not understand.
	for _, q := range []string{"zorglub blorp fnarg", "je cherche le zorglub blorp, mon numéro 06 12 34 56 78", "on m'a dit zorglub blorp"} {
		s.chat("gap", q, "")
		s.chat("gap", "recommencer", "")
	}
	s.open("/admin/gaps")
	page := s.text()
	if !strings.Contains(page, "zorglub") || strings.Contains(page, "06 12 34 56 78") {
		t.Errorf("gap report:\n%s", page)
	}
	s.check("09-gaps.png")
	s.open("/admin/files")
	s.check("")
}

// signIn creates an admin account as `boussole admin create-user` does and
// signs in through the login page.
func signIn(s *stack) {
	s.t.Helper()
	hash, err := password.Default.Hash("une phrase de passe longue")
	if err != nil {
		s.t.Fatal(err)
	}
	if _, err := s.a.Store.CreateAccount(context.Background(), store.Account{Login: "camille", Name: "Camille Martin", Role: "admin", PasswordHash: hash}); err != nil {
		s.t.Fatal(err)
	}
	// The browser asks for English; the staff read French.
	s.do("open the admin", chromedp.Navigate(s.url+"/admin/"), chromedp.WaitReady(chromedp.CSS("#login")),
		chromedp.SetValue(chromedp.CSS("#lang-switch"), "fr"), chromedp.Click(chromedp.CSS(`form[action="/admin/lang"] button`)))
	s.until("the login page in French", `document.documentElement.lang === "fr" && document.querySelector("#login") !== null`)
	s.check("01-login.png")
	s.do("sign in", chromedp.SendKeys(chromedp.CSS("#login"), "camille"), chromedp.SendKeys(chromedp.CSS("#password"), "une phrase de passe longue"),
		chromedp.Click(chromedp.CSS(`form[action="/admin/login"] button`)))
	s.until("signed in", `location.pathname === "/admin/" && document.body.innerText.includes("camille")`)
	// The language chosen on the login page (the browser asks for
	// English; the staff read French) stays.
	s.until("in French", `document.documentElement.lang === "fr"`)
}
