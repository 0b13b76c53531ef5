package admin

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

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
// oldest closed beyond maxPreviews, any closed after previewIdle.
const (
	maxPreviews    = 32
	previewIdle    = 30 * time.Minute
	maxTranscript  = 200
	maxPreviewText = 2000
)

// previewPlatform is the platform name of preview conversations.
const previewPlatform = "preview"

// previews are the open preview chats.
type previews struct {
	mu   sync.Mutex
	open map[string]*previewChat // by editor and tree
}

type previewChat struct {
	chat    PreviewChat
	draft   string // the draft body it was built on
	lines   []chatLine
	used    time.Time
	turnSeq int
}

// chatLine is one message of a preview transcript.
type chatLine struct {
	Bot     bool
	Text    string
	Choices []bot.Choice
	Note    string // a message sent elsewhere (mediators), described
}

func (s *Server) previewRoutes() {
	if s.d.NewPreview == nil || s.d.Library == nil || s.d.Drafts == nil {
		return
	}
	s.pv = &previews{open: map[string]*previewChat{}}
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

// chatFor returns the editor's preview of the tree, built again when the
// draft changed; closing idle and surplus previews on the way.
func (s *Server) chatFor(ctx context.Context, sess Session, e editing, restart bool) (*previewChat, error) {
	key := sess.User.Login + "\x00" + e.Tree.ID
	now := s.d.Now()
	body := draftBody(e)
	s.pv.mu.Lock()
	defer s.pv.mu.Unlock()
	for k, p := range s.pv.open {
		if now.Sub(p.used) > previewIdle {
			_ = p.chat.Close()
			delete(s.pv.open, k)
		}
	}
	p := s.pv.open[key]
	if p != nil && (restart || p.draft != body) {
		_ = p.chat.Close()
		delete(s.pv.open, key)
		p = nil
	}
	if p == nil {
		if len(s.pv.open) >= maxPreviews {
			var oldest string
			for k, o := range s.pv.open {
				if oldest == "" || o.used.Before(s.pv.open[oldest].used) {
					oldest = k
				}
			}
			_ = s.pv.open[oldest].chat.Close()
			delete(s.pv.open, oldest)
		}
		chat, err := s.d.NewPreview(ctx, s.d.Library.Base().WithTree(e.Tree), nil)
		if err != nil {
			return nil, err
		}
		p = &previewChat{chat: chat, draft: body}
		s.pv.open[key] = p
	}
	p.used = now
	return p, nil
}

// Close closes every open preview (their scratch databases).
func (s *Server) Close() {
	if s.pv == nil {
		return
	}
	s.pv.mu.Lock()
	defer s.pv.mu.Unlock()
	for k, p := range s.pv.open {
		_ = p.chat.Close()
		delete(s.pv.open, k)
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
	Built bool
}

func (s *Server) previewPage(w http.ResponseWriter, r *http.Request, sess Session) {
	e, ok := s.loadOrFail(w, r, sess)
	if !ok {
		return
	}
	p, err := s.chatFor(r.Context(), sess, e, false)
	if err != nil {
		s.internal(w, r, sess, err)
		return
	}
	s.pv.mu.Lock()
	lines := append([]chatLine(nil), p.lines...)
	s.pv.mu.Unlock()
	s.render(w, r, sess, http.StatusOK, "preview.html", "preview_title", previewView{treeView: s.treeView(r, e, ""), Lines: lines, Built: true})
}

// previewSend hands the editor's message or click to the preview engine.
func (s *Server) previewSend(w http.ResponseWriter, r *http.Request, sess Session) {
	e, ok := s.loadOrFail(w, r, sess)
	if !ok {
		return
	}
	p, err := s.chatFor(r.Context(), sess, e, false)
	if err != nil {
		s.internal(w, r, sess, err)
		return
	}
	text := strings.TrimSpace(r.PostFormValue("text"))
	if len(text) > maxPreviewText {
		text = text[:maxPreviewText]
	}
	payload, label := r.PostFormValue("payload"), r.PostFormValue("label")
	who := bot.Address{Platform: previewPlatform, Channel: sess.User.Login, User: sess.User.Login}
	var added []chatLine
	if text != "" || payload != "" {
		s.pv.mu.Lock()
		p.turnSeq++
		seq := p.turnSeq
		s.pv.mu.Unlock()
		in := bot.Incoming{Address: who, Text: text, Payload: payload, ID: "preview-" + strconv.Itoa(seq), Lang: s.lang(r)}
		added = append(added, chatLine{Text: cmp.Or(text, label)})
		replies, err := p.chat.Respond(r.Context(), in)
		if err != nil {
			s.internal(w, r, sess, err)
			return
		}
		for _, rep := range replies {
			if rep.To == who {
				added = append(added, chatLine{Bot: true, Text: rep.Text, Choices: rep.Choices})
			} else {
				added = append(added, chatLine{Bot: true, Note: s.T(r, "preview_elsewhere", "to", rep.To.Platform+" "+rep.To.Channel), Text: rep.Text})
			}
		}
		s.pv.mu.Lock()
		p.lines = append(p.lines, added...)
		if over := len(p.lines) - maxTranscript; over > 0 {
			p.lines = p.lines[over:]
		}
		s.pv.mu.Unlock()
	}
	if wantsJSON(r) {
		if added == nil {
			added = []chatLine{}
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"lines": added})
		return
	}
	http.Redirect(w, r, Prefix+"/trees/"+url.PathEscape(e.Tree.ID)+"/preview#chat-end", http.StatusSeeOther)
}

func (s *Server) previewRestart(w http.ResponseWriter, r *http.Request, sess Session) {
	e, ok := s.loadOrFail(w, r, sess)
	if !ok {
		return
	}
	if _, err := s.chatFor(r.Context(), sess, e, true); err != nil {
		s.internal(w, r, sess, err)
		return
	}
	http.Redirect(w, r, Prefix+"/trees/"+url.PathEscape(e.Tree.ID)+"/preview", http.StatusSeeOther)
}

// TestResult is one conversation test run against a draft.
type TestResult struct {
	Name     string
	Passed   bool
	Error    string // the file could not be read or run
	Failures []bottest.Failure
}

// runTreeTests runs every stored test of t against the knowledge with t
// in place of its published version, each on a fresh preview engine.
func (s *Server) runTreeTests(ctx context.Context, t *knowledge.Tree) ([]TestResult, error) {
	tests, err := s.d.Tests.TreeTests(ctx, t.ID)
	if err != nil {
		return nil, err
	}
	base := s.d.Library.Base().WithTree(t)
	var out []TestResult
	for _, tt := range tests {
		res := TestResult{Name: tt.Name}
		script, err := bottest.Parse(tt.Name, strings.NewReader(tt.Body))
		if err != nil {
			res.Error = err.Error()
			out = append(out, res)
			continue
		}
		var now func() time.Time
		if !script.Clock.IsZero() {
			at := script.Clock
			now = func() time.Time { return at }
		}
		chat, err := s.d.NewPreview(ctx, base, now)
		if err != nil {
			return nil, err
		}
		addr := func(user string) bot.Address { return bot.Address{Platform: "console", Channel: "local", User: user} }
		fails, runErr := script.Run(ctx, bottest.Direct{R: chat}, addr, "vous")
		_ = chat.Close()
		if runErr != nil {
			res.Error = runErr.Error()
		}
		res.Failures = fails
		res.Passed = runErr == nil && len(fails) == 0
		out = append(out, res)
	}
	return out, nil
}

// testsGate is the publication's gate: every test passes.
func (s *Server) testsGate(ctx context.Context, t *knowledge.Tree) (bool, string, error) {
	results, err := s.runTreeTests(ctx, t)
	if err != nil {
		return false, "", err
	}
	var failed []string
	for _, r := range results {
		if !r.Passed {
			failed = append(failed, r.Name)
		}
	}
	return len(failed) == 0, strings.Join(failed, ", "), nil
}

type testsView struct {
	treeView
	Tests   []store.TreeTest
	Results []TestResult
	Ran     bool
	Edit    store.TreeTest
	Error   string
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
				v.Edit = tt
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
	v.Edit = store.TreeTest{Name: name, Body: body}
	if !nodeIDRe.MatchString(name) {
		v.Error = s.T(r, "tests_bad_name")
		s.render(w, r, sess, http.StatusUnprocessableEntity, "tests.html", "tests_title", v)
		return
	}
	if _, err := bottest.Parse(name, strings.NewReader(body)); err != nil {
		v.Error = err.Error()
		s.render(w, r, sess, http.StatusUnprocessableEntity, "tests.html", "tests_title", v)
		return
	}
	if err := s.d.Tests.SaveTreeTest(r.Context(), store.TreeTest{TreeID: e.Tree.ID, Name: name, Body: body, Author: sess.User.Login, UpdatedAt: s.d.Now()}); err != nil {
		s.internal(w, r, sess, err)
		return
	}
	s.audit(r, sess, "tree.test.save", e.Tree.ID, name, "")
	http.Redirect(w, r, Prefix+"/trees/"+url.PathEscape(e.Tree.ID)+"/tests?done=test_saved", http.StatusSeeOther)
}

func (s *Server) testDelete(w http.ResponseWriter, r *http.Request, sess Session) {
	id, name := r.PathValue("id"), r.PostFormValue("name")
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
	results, err := s.runTreeTests(r.Context(), e.Tree)
	if err != nil && !errors.Is(err, context.Canceled) {
		s.internal(w, r, sess, err)
		return
	}
	v.Results, v.Ran = results, true
	s.render(w, r, sess, http.StatusOK, "tests.html", "tests_title", v)
}

// failureText is a failure in the page's words.
func failureText(f bottest.Failure) string {
	return fmt.Sprintf("%d: %s", f.Line, f.Expect)
}
