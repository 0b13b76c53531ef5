package loadtest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// proxy stands between the replicas and the fake Discord server: each
// replica's api_base is the proxy under its own prefix (/r0/api, /r1/api…),
// so the proxy knows which replica made a call, records every message
// posted with the moment Discord answered, and can make one replica's
// message posts hang (to kill it while it holds outgoing messages).
type proxy struct {
	t   testing.TB
	srv *httptest.Server
	to  *url.URL
	now func() time.Time

	mu    sync.Mutex
	cond  *sync.Cond
	posts []posted          // in the order Discord answered
	byCh  map[string][]int  // channel → indexes in posts
	ids   map[string]bool   // message ids seen (a repeat nonce returns the same)
	mode  map[int]string    // replica → "hang" or "swallow" for message posts
	held  map[int]int       // replica → message posts held now
	dupes int               // posts answered with a message already created
	thrds map[string]string // mediator → private thread
	sent  map[int]int       // replica → messages it posted
}

// posted is a message Discord created.
type posted struct {
	id, channel, content, nonce string
	buttons                     []string // custom ids
	replica                     int
	at                          time.Time
}

func startProxy(t testing.TB, fakeAPIBase string, now func() time.Time) *proxy {
	to, err := url.Parse(strings.TrimSuffix(fakeAPIBase, "/api"))
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{t: t, to: to, now: now, byCh: map[string][]int{}, ids: map[string]bool{}, mode: map[int]string{}, held: map[int]int{}, thrds: map[string]string{}, sent: map[int]int{}}
	p.cond = sync.NewCond(&p.mu)
	p.srv = httptest.NewServer(http.HandlerFunc(p.serve))
	t.Cleanup(p.srv.Close)
	return p
}

// base is replica r's discord.api_base.
func (p *proxy) base(r int) string { return p.srv.URL + "/r" + strconv.Itoa(r) + "/api" }

// setMode makes replica r's message posts "hang" (never reach Discord),
// "swallow" (reach Discord, the answer never comes back) or pass ("").
func (p *proxy) setMode(r int, mode string) {
	p.mu.Lock()
	p.mode[r] = mode
	p.mu.Unlock()
	p.cond.Broadcast()
}

func (p *proxy) serve(w http.ResponseWriter, r *http.Request) {
	rest := strings.TrimPrefix(r.URL.Path, "/r")
	i := strings.IndexByte(rest, '/')
	if i < 1 {
		http.NotFound(w, r)
		return
	}
	replica, err := strconv.Atoi(rest[:i])
	if err != nil {
		http.NotFound(w, r)
		return
	}
	r.URL.Path = rest[i:]
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	seg := strings.Split(strings.Trim(r.URL.Path, "/"), "/") // api v9 channels X messages
	isPost := r.Method == "POST" && len(seg) == 5 && seg[2] == "channels" && seg[4] == "messages"
	if isPost && p.holdIf(r, replica, "hang") {
		return // the replica died or gave up: the message never reached Discord
	}
	rec := httptest.NewRecorder()
	httputil.NewSingleHostReverseProxy(p.to).ServeHTTP(rec, r)
	if r.Method == "PUT" && len(seg) == 6 && seg[4] == "thread-members" && rec.Code < 300 {
		p.mu.Lock()
		p.thrds[seg[5]] = seg[3]
		p.mu.Unlock()
		p.cond.Broadcast()
	}
	if isPost && rec.Code == 200 {
		p.record(replica, seg[3], body, rec.Body.Bytes())
		if p.holdIf(r, replica, "swallow") {
			return // posted, but the replica never learns it
		}
	}
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	_, _ = w.Write(rec.Body.Bytes())
}

// holdIf blocks a request of replica while its mode is mode, until the
// replica goes away; it reports whether it held the request to its end.
func (p *proxy) holdIf(r *http.Request, replica int, mode string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.mode[replica] != mode {
		return false
	}
	p.held[replica]++
	p.cond.Broadcast()
	stop := context.AfterFunc(r.Context(), p.cond.Broadcast)
	defer stop()
	for p.mode[replica] == mode && r.Context().Err() == nil {
		p.cond.Wait()
	}
	p.held[replica]--
	return r.Context().Err() != nil
}

func (p *proxy) record(replica int, channel string, reqBody, respBody []byte) {
	var req struct {
		Content    string `json:"content"`
		Nonce      any    `json:"nonce"`
		Components []struct {
			Components []struct {
				CustomID string `json:"custom_id"`
				Options  []struct {
					Value string `json:"value"`
				} `json:"options"`
			} `json:"components"`
		} `json:"components"`
	}
	_ = json.Unmarshal(reqBody, &req)
	var resp struct {
		ID string `json:"id"`
	}
	_ = json.Unmarshal(respBody, &resp)
	var buttons []string
	for _, row := range req.Components {
		for _, c := range row.Components {
			if c.CustomID != "" && len(c.Options) == 0 {
				buttons = append(buttons, c.CustomID)
			}
			for _, o := range c.Options {
				buttons = append(buttons, o.Value)
			}
		}
	}
	at := p.now()
	p.mu.Lock()
	defer p.mu.Unlock()
	defer p.cond.Broadcast()
	if p.ids[resp.ID] {
		p.dupes++
		return
	}
	p.ids[resp.ID] = true
	p.sent[replica]++
	p.byCh[channel] = append(p.byCh[channel], len(p.posts))
	p.posts = append(p.posts, posted{id: resp.ID, channel: channel, content: req.Content, nonce: fmt.Sprint(req.Nonce), buttons: buttons, replica: replica, at: at})
}

// count is the number of messages posted to channel.
func (p *proxy) count(channel string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.byCh[channel])
}

// postsTo returns channel's messages.
func (p *proxy) postsTo(channel string) []posted {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]posted, 0, len(p.byCh[channel]))
	for _, i := range p.byCh[channel] {
		out = append(out, p.posts[i])
	}
	return out
}

// waitPost waits for a message to channel, after the first from of them,
// that satisfies ok, and returns it with the first message posted after
// from (the start of the answer); false after within.
func (p *proxy) waitPost(channel string, from int, within time.Duration, ok func(posted) bool) (hit, first posted, found bool) {
	deadline := p.now().Add(within)
	timer := time.AfterFunc(within, p.cond.Broadcast)
	defer timer.Stop()
	p.mu.Lock()
	defer p.mu.Unlock()
	for {
		idx := p.byCh[channel]
		for k := from; k < len(idx); k++ {
			if ok(p.posts[idx[k]]) {
				return p.posts[idx[k]], p.posts[idx[from]], true
			}
		}
		if !p.now().Before(deadline) {
			return posted{}, posted{}, false
		}
		p.cond.Wait()
	}
}

// waitThread waits for the private thread opened for mediator.
func (p *proxy) waitThread(mediator string, within time.Duration) (string, bool) {
	deadline := p.now().Add(within)
	timer := time.AfterFunc(within, p.cond.Broadcast)
	defer timer.Stop()
	p.mu.Lock()
	defer p.mu.Unlock()
	for {
		if th, ok := p.thrds[mediator]; ok {
			return th, true
		}
		if !p.now().Before(deadline) {
			return "", false
		}
		p.cond.Wait()
	}
}

// waitHeld waits until replica holds n message posts.
func (p *proxy) waitHeld(replica, n int, within time.Duration) bool {
	deadline := p.now().Add(within)
	timer := time.AfterFunc(within, p.cond.Broadcast)
	defer timer.Stop()
	p.mu.Lock()
	defer p.mu.Unlock()
	for p.held[replica] < n {
		if !p.now().Before(deadline) {
			return false
		}
		p.cond.Wait()
	}
	return true
}
