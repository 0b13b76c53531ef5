package admin

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/boussole/boussole/bot"
	"github.com/boussole/boussole/bot/bottest"
	"github.com/boussole/boussole/bot/store"
	"github.com/boussole/boussole/knowledge"
)

// PreviewChat is the real engine over a draft, on a scratch database
// (app.Preview).
type PreviewChat interface {
	Respond(ctx context.Context, in bot.Incoming) ([]bot.Reply, error)
	Close() error
}

// NewPreview builds a PreviewChat over a draft knowledge base; now is its
// clock (nil: the process's).
type NewPreview func(ctx context.Context, b *knowledge.Base, now func() time.Time) (PreviewChat, error)

// TreeTests are the conversation tests stored for trees (bot/store).
type TreeTests interface {
	SaveTreeTest(ctx context.Context, tt store.TreeTest) error
	TreeTests(ctx context.Context, treeID string) ([]store.TreeTest, error)
	DeleteTreeTest(ctx context.Context, treeID, name string) error
}

// Bounds of the previews kept in memory: one per editor and tree, the
// least recently used closed beyond maxPreviews, any closed after
// previewIdle (checked at each use of a preview and by
// CloseIdlePreviews; Server.Close closes them all).
const (
	maxPreviews    = 32
	previewIdle    = 30 * time.Minute
	maxTranscript  = 200
	maxPreviewText = 2000
	// maxTestSize bounds a conversation test (a long one is a few
	// kilobytes).
	maxTestSize = 64 << 10
)

// previewPlatform is the platform name of preview conversations.
const previewPlatform = "preview"

// errPreviewClosed is a turn sent to a preview closed meanwhile (the
// draft changed, or it was restarted, in another tab).
var errPreviewClosed = errors.New("preview closed")

// maxPreviewTries bounds how often a turn is played again on a chat
// rebuilt because the draft changed under it.
const maxPreviewTries = 5

// previews are the open preview chats.
type previews struct {
	max  int
	idle time.Duration

	mu   sync.Mutex
	open map[string]*previewChat // by editor and tree
}

// previewChat is one editor's preview of one tree. Its mu serializes its
// turns, its transcript and its closing, so that a chat is never closed
// under a turn under way; previews.mu (the map) is never held while a
// chat is built, answers or closes, so one editor's slow turn does not
// hold up the others.
type previewChat struct {
	draft string    // the draft body it was built on
	used  time.Time // under previews.mu

	mu     sync.Mutex
	chat   PreviewChat
	closed bool
	lines  []chatLine
	seq    int
}

// chatLine is one message of a preview transcript.
type chatLine struct {
	Bot     bool
	Text    string
	Choices []bot.Choice
	Note    string // a message sent elsewhere (mediators), described
	// Restarted marks the line saying the trial started again, the draft
	// having changed or the trial having been idle (Text says so).
	Restarted bool
}

func (p *previewChat) close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.closed {
		_ = p.chat.Close()
		p.closed = true
	}
}

// send hands one message to the chat and adds it and the replies to the
// transcript; it returns the lines added.
func (p *previewChat) send(ctx context.Context, in bot.Incoming, shown string, elsewhere func(bot.Address) string) ([]chatLine, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil, errPreviewClosed
	}
	p.seq++
	in.ID = "preview-" + strconv.Itoa(p.seq)
	replies, err := p.chat.Respond(ctx, in)
	if err != nil {
		return nil, err
	}
	added := []chatLine{{Text: shown}}
	for _, rep := range replies {
		if rep.To == in.Address {
			added = append(added, chatLine{Bot: true, Text: rep.Text, Choices: rep.Choices})
		} else {
			added = append(added, chatLine{Bot: true, Note: elsewhere(rep.To), Text: rep.Text})
		}
	}
	p.lines = append(p.lines, added...)
	if over := len(p.lines) - maxTranscript; over > 0 {
		p.lines = p.lines[over:]
	}
	return added, nil
}

func (p *previewChat) transcript() []chatLine {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.lines)
}

func (s *Server) previewRoutes() {
	if s.d.NewPreview == nil || s.d.Library == nil || s.d.Drafts == nil {
		return
	}
	s.pv = &previews{max: maxPreviews, idle: previewIdle, open: map[string]*previewChat{}}
	p := Prefix + "/trees/{id}"
	s.handle("GET "+p+"/preview", PermEdit, s.previewPage)
	s.handle("POST "+p+"/preview", PermEdit, s.previewSend)
	s.handle("POST "+p+"/preview/restart", PermEdit, s.previewRestart)
	if s.d.Tests != nil {
		s.treeTests = s.testsGate
		s.handle("GET "+p+"/tests", PermEdit, s.testsPage)
		s.handle("POST "+p+"/tests", PermEdit, s.testSave)
		s.handle("POST "+p+"/tests/run", PermEdit, s.testsRun)
		s.handle("POST "+p+"/tests/delete", PermEdit, s.testDelete)
	}
}

// draftBody is the JSON the editor's preview is built on (draft or
// published), to tell when it must be rebuilt.
func draftBody(e editing) string {
	if e.Draft != nil {
		return e.Draft.Body
	}
	b, _ := json.Marshal(e.Tree)
	return string(b)
}

// chatFor returns the editor's preview of the tree (fresh: just built),
// built again when the draft changed or on restart; closing idle and
// surplus previews on the way.
func (s *Server) chatFor(ctx context.Context, r *http.Request, sess Session, e editing, restart bool) (p *previewChat, fresh bool, err error) {
	key := sess.User.Login + "\x00" + e.Tree.ID
	now := s.d.Now()
	body := draftBody(e)
	var done []*previewChat
	defer func() {
		for _, d := range done {
			d.close()
		}
	}()
	s.pv.mu.Lock()
	old := s.pv.open[key]
	done = s.pv.idleLocked(now)
	if old != nil && !restart && old.draft == body && s.pv.open[key] == old {
		old.used = now
		s.pv.mu.Unlock()
		return old, false, nil
	}
	s.pv.mu.Unlock()

	chat, err := s.d.NewPreview(ctx, s.d.Library.Base().WithTree(e.Tree), nil)
	if err != nil {
		return nil, false, err
	}
	p = &previewChat{chat: chat, draft: body, used: now}
	if old != nil && !restart {
		p.lines = []chatLine{{Restarted: true, Text: s.T(r, "preview_rebuilt")}}
	}
	s.pv.mu.Lock()
	defer s.pv.mu.Unlock()
	if cur := s.pv.open[key]; cur != nil && cur != old && cur.draft == body {
		// Another request of the editor built the same draft meanwhile.
		done = append(done, p)
		cur.used = now
		return cur, false, nil
	}
	if cur := s.pv.open[key]; cur != nil {
		done = append(done, cur)
		delete(s.pv.open, key)
	}
	for len(s.pv.open) >= s.pv.max {
		var lru string
		for k, o := range s.pv.open {
			if lru == "" || o.used.Before(s.pv.open[lru].used) {
				lru = k
			}
		}
		done = append(done, s.pv.open[lru])
		delete(s.pv.open, lru)
	}
	s.pv.open[key] = p
	return p, true, nil
}

// idleLocked takes out of the map the previews unused for longer than
// the idle time, for the caller to close once the map is unlocked.
func (pv *previews) idleLocked(now time.Time) []*previewChat {
	var out []*previewChat
	for k, o := range pv.open {
		if now.Sub(o.used) > pv.idle {
			out = append(out, o)
			delete(pv.open, k)
		}
	}
	return out
}

// CloseIdlePreviews closes the previews unused for longer than
// previewIdle on the admin's clock. Each use of a preview does it too;
// a process calls it now and then so that an editor who walked away
// does not keep a scratch database open until the next one comes.
func (s *Server) CloseIdlePreviews() {
	if s.pv == nil {
		return
	}
	s.pv.mu.Lock()
	idle := s.pv.idleLocked(s.d.Now())
	s.pv.mu.Unlock()
	for _, p := range idle {
		p.close()
	}
}

// Close closes every open preview (their scratch databases).
func (s *Server) Close() {
	if s.pv == nil {
		return
	}
	s.pv.mu.Lock()
	all := slices.Collect(maps.Values(s.pv.open))
	clear(s.pv.open)
	s.pv.mu.Unlock()
	for _, p := range all {
		p.close()
	}
}

// openPreviews counts the open previews (tests).
func (s *Server) openPreviews() int {
	s.pv.mu.Lock()
	defer s.pv.mu.Unlock()
	return len(s.pv.open)
}

type previewView struct {
	treeView
	Lines []chatLine
}

func (s *Server) previewPage(w http.ResponseWriter, r *http.Request, sess Session) {
	e, ok := s.loadOrFail(w, r, sess)
	if !ok {
		return
	}
	p, _, err := s.chatFor(r.Context(), r, sess, e, false)
	if err != nil {
		s.internal(w, r, sess, err)
		return
	}
	s.render(w, r, sess, http.StatusOK, "preview.html", "preview_title", previewView{treeView: s.treeView(r, e, ""), Lines: p.transcript()})
}

// previewSend hands the editor's message or click to the preview engine:
// JSON lines for the page's script (reset: the transcript started again
// on a changed draft), else back to the page.
func (s *Server) previewSend(w http.ResponseWriter, r *http.Request, sess Session) {
	e, ok := s.loadOrFail(w, r, sess)
	if !ok {
		return
	}
	text := clip(strings.TrimSpace(r.PostFormValue("text")), maxPreviewText)
	payload, label := r.PostFormValue("payload"), clip(r.PostFormValue("label"), maxPreviewText)
	var added []chatLine
	reset := false
	if text != "" || payload != "" {
		in := bot.Incoming{Address: bot.Address{Platform: previewPlatform, Channel: sess.User.Login, User: sess.User.Login},
			Name: sess.User.Name, Text: text, Payload: payload, Lang: s.lang(r)}
		elsewhere := func(to bot.Address) string {
			return s.T(r, "preview_elsewhere", "to", to.Platform+" "+to.Channel)
		}
		// A chat closed between chatFor and the turn (the draft changed
		// in another tab) is built again on the draft now in force; each
		// save closes the chat once, so a few tries outlast quick saves.
		for try := 0; ; try++ {
			p, fresh, err := s.chatFor(r.Context(), r, sess, e, false)
			if err != nil {
				s.internal(w, r, sess, err)
				return
			}
			reset = reset || fresh
			added, err = p.send(r.Context(), in, cmp.Or(text, label), elsewhere)
			if errors.Is(err, errPreviewClosed) && try < maxPreviewTries-1 {
				continue
			}
			if err != nil {
				s.internal(w, r, sess, err)
				return
			}
			if fresh {
				added = p.transcript()
			}
			break
		}
	}
	if wantsJSON(r) {
		if added == nil {
			added = []chatLine{}
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"lines": added, "reset": reset})
		return
	}
	http.Redirect(w, r, Prefix+"/trees/"+url.PathEscape(e.Tree.ID)+"/preview#chat-end", http.StatusSeeOther)
}

// clip is text cut to at most n bytes, on a character boundary.
func clip(text string, n int) string {
	if len(text) <= n {
		return text
	}
	for n > 0 && !utf8.RuneStart(text[n]) {
		n--
	}
	return text[:n]
}

func (s *Server) previewRestart(w http.ResponseWriter, r *http.Request, sess Session) {
	e, ok := s.loadOrFail(w, r, sess)
	if !ok {
		return
	}
	if _, _, err := s.chatFor(r.Context(), r, sess, e, true); err != nil {
		s.internal(w, r, sess, err)
		return
	}
	http.Redirect(w, r, Prefix+"/trees/"+url.PathEscape(e.Tree.ID)+"/preview", http.StatusSeeOther)
}

// TestResult is one conversation test run against a draft.
type TestResult struct {
	Name   string
	Passed bool
	// Error is the file could not be read (a syntax error, at its line)
	// or a step could not be played (a click on a missing button).
	Error string
	// Failures are the expectations not met: line, expected, got.
	Failures []bottest.Failure
}

// TestReport is a run of every conversation test of a tree.
type TestReport struct {
	Tree    string
	Results []TestResult
}

// Passed tells whether every test passed (true when there is none).
func (r TestReport) Passed() bool {
	for _, t := range r.Results {
		if !t.Passed {
			return false
		}
	}
	return true
}

// PassedCount is the number of tests that passed.
func (r TestReport) PassedCount() int {
	return len(r.Results) - len(r.Failed())
}

// Failed names the tests that did not pass.
func (r TestReport) Failed() []string {
	var out []string
	for _, t := range r.Results {
		if !t.Passed {
			out = append(out, t.Name)
		}
	}
	return out
}

// runTreeTests runs every stored test of t against the knowledge with t
// in place of its published version, each on a fresh preview engine (a
// conversation left half-way by one test must not steer the next).
func (s *Server) runTreeTests(ctx context.Context, t *knowledge.Tree) (TestReport, error) {
	rep := TestReport{Tree: t.ID}
	tests, err := s.d.Tests.TreeTests(ctx, t.ID)
	if err != nil {
		return rep, err
	}
	base := s.d.Library.Base().WithTree(t)
	for _, tt := range tests {
		res, err := s.runTreeTest(ctx, base, tt)
		if err != nil {
			return rep, fmt.Errorf("test %s of tree %s: %w", tt.Name, t.ID, err)
		}
		rep.Results = append(rep.Results, res)
	}
	return rep, nil
}

// runTreeTest runs one test as `boussole test` runs a file: at the
// file's clock instruction if any, the participant "vous" on the console.
// err is for the preview engine itself failing.
func (s *Server) runTreeTest(ctx context.Context, base *knowledge.Base, tt store.TreeTest) (TestResult, error) {
	res := TestResult{Name: tt.Name}
	script, err := bottest.Parse(tt.Name, strings.NewReader(tt.Body))
	if err != nil {
		res.Error = err.Error()
		return res, nil
	}
	var now func() time.Time
	if !script.Clock.IsZero() {
		at := script.Clock
		now = func() time.Time { return at }
	}
	chat, err := s.d.NewPreview(ctx, base, now)
	if err != nil {
		return res, err
	}
	defer chat.Close()
	addr := func(user string) bot.Address { return bot.Address{Platform: "console", Channel: "local", User: user} }
	fails, runErr := script.Run(ctx, bottest.Direct{R: chat}, addr, "vous")
	if ctx.Err() != nil {
		return res, ctx.Err()
	}
	if runErr != nil {
		res.Error = runErr.Error()
	}
	res.Failures = fails
	res.Passed = runErr == nil && len(fails) == 0
	return res, nil
}

// testsGate is the publication's gate: every test passes.
func (s *Server) testsGate(ctx context.Context, t *knowledge.Tree) (bool, string, error) {
	rep, err := s.runTreeTests(ctx, t)
	if err != nil {
		return false, "", err
	}
	return rep.Passed(), strings.Join(rep.Failed(), ", "), nil
}

type testsView struct {
	treeView
	Tests  []store.TreeTest
	Report TestReport
	Ran    bool
	Edit   store.TreeTest
	Old    string // the name of the test being edited
	Error  string
}

func (s *Server) testsView(w http.ResponseWriter, r *http.Request, sess Session, e editing) (testsView, bool) {
	tests, err := s.d.Tests.TreeTests(r.Context(), e.Tree.ID)
	if err != nil {
		s.internal(w, r, sess, err)
		return testsView{}, false
	}
	v := testsView{treeView: s.treeView(r, e, ""), Tests: tests}
	if name := r.URL.Query().Get("edit"); name != "" {
		for _, tt := range tests {
			if tt.Name == name {
				v.Edit, v.Old = tt, tt.Name
			}
		}
	}
	return v, true
}

func (s *Server) testsPage(w http.ResponseWriter, r *http.Request, sess Session) {
	e, ok := s.loadOrFail(w, r, sess)
	if !ok {
		return
	}
	v, ok := s.testsView(w, r, sess, e)
	if ok {
		s.render(w, r, sess, http.StatusOK, "tests.html", "tests_title", v)
	}
}

// testSave stores a test after checking it reads.
func (s *Server) testSave(w http.ResponseWriter, r *http.Request, sess Session) {
	e, ok := s.loadOrFail(w, r, sess)
	if !ok {
		return
	}
	name := strings.TrimSpace(r.PostFormValue("name"))
	body := strings.ReplaceAll(r.PostFormValue("body"), "\r\n", "\n")
	v, ok := s.testsView(w, r, sess, e)
	if !ok {
		return
	}
	// old is the name the test had when the form was opened for editing:
	// a new name renames it.
	old := r.PostFormValue("old")
	v.Edit = store.TreeTest{Name: name, Body: body}
	v.Old = old
	refuse := func(msg string) {
		v.Error = msg
		s.render(w, r, sess, http.StatusUnprocessableEntity, "tests.html", "tests_title", v)
	}
	if !nodeIDRe.MatchString(name) {
		refuse(s.T(r, "tests_bad_name"))
		return
	}
	if len(body) > maxTestSize {
		refuse(s.T(r, "tests_too_long"))
		return
	}
	if _, err := bottest.Parse(name, strings.NewReader(body)); err != nil {
		refuse(err.Error())
		return
	}
	if err := s.d.Tests.SaveTreeTest(r.Context(), store.TreeTest{TreeID: e.Tree.ID, Name: name, Body: body, Author: sess.User.Login, UpdatedAt: s.d.Now()}); err != nil {
		s.internal(w, r, sess, err)
		return
	}
	s.audit(r, sess, "tree.test.save", e.Tree.ID, name, "")
	if old != "" && old != name && slices.ContainsFunc(v.Tests, func(tt store.TreeTest) bool { return tt.Name == old }) {
		if err := s.d.Tests.DeleteTreeTest(r.Context(), e.Tree.ID, old); err != nil {
			s.internal(w, r, sess, err)
			return
		}
		s.audit(r, sess, "tree.test.delete", e.Tree.ID, old, "renamed "+name)
	}
	http.Redirect(w, r, Prefix+"/trees/"+url.PathEscape(e.Tree.ID)+"/tests?done=test_saved", http.StatusSeeOther)
}

func (s *Server) testDelete(w http.ResponseWriter, r *http.Request, sess Session) {
	id, name := r.PathValue("id"), r.PostFormValue("name")
	tests, err := s.d.Tests.TreeTests(r.Context(), id)
	if err != nil {
		s.internal(w, r, sess, err)
		return
	}
	if !slices.ContainsFunc(tests, func(tt store.TreeTest) bool { return tt.Name == name }) {
		s.fail(w, r, sess, http.StatusNotFound, "err_not_found")
		return
	}
	if err := s.d.Tests.DeleteTreeTest(r.Context(), id, name); err != nil {
		s.internal(w, r, sess, err)
		return
	}
	s.audit(r, sess, "tree.test.delete", id, name, "")
	http.Redirect(w, r, Prefix+"/trees/"+url.PathEscape(id)+"/tests?done=test_deleted", http.StatusSeeOther)
}

// testsRun runs the tests against the editor's draft and shows the
// results.
func (s *Server) testsRun(w http.ResponseWriter, r *http.Request, sess Session) {
	e, ok := s.loadOrFail(w, r, sess)
	if !ok {
		return
	}
	v, ok := s.testsView(w, r, sess, e)
	if !ok {
		return
	}
	rep, err := s.runTreeTests(r.Context(), e.Tree)
	if err != nil {
		s.internal(w, r, sess, err)
		return
	}
	v.Report, v.Ran = rep, true
	s.render(w, r, sess, http.StatusOK, "tests.html", "tests_title", v)
}

// failureText is a failure in the page's words.
func failureText(f bottest.Failure) string {
	return fmt.Sprintf("%d: %s", f.Line, f.Expect)
}
