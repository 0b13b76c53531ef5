package discord

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// fakeDiscord is a Discord server on 127.0.0.1 speaking the real gateway
// and REST protocols to the real discordgo client, and recording what it
// receives.
type fakeDiscord struct {
	t   testing.TB
	srv *httptest.Server

	mu         sync.Mutex
	seq        int64
	sessionID  string
	conn       *websocket.Conn
	identifies int
	resumes    []int64 // sequence numbers the client resumed from
	heartbeats int
	connected  chan string // "READY" or "RESUMED" after each handshake
	replay     []frame     // dispatched again after the next resume
	invalidate bool        // refuse the next resume (op 9)
	ids        int
	rateLimit  int // next message posts answered 429
	failures   int // next message posts answered 500...
	failAfter  int // ...once this many were posted
	limited    int // 429s returned
	posts      []post
	calls      []call
	threads    map[string]string // thread id → parent channel
	members    map[string][]string
	changed    chan struct{}

	guilds   []map[string]any
	channels map[string][]map[string]any
	roles    map[string][]map[string]any
}

type frame struct {
	Op int             `json:"op"`
	S  int64           `json:"s,omitempty"`
	T  string          `json:"t,omitempty"`
	D  json.RawMessage `json:"d"`
}

// post is a message the bot created.
type post struct {
	Channel string
	Content string
	Body    map[string]any
}

// buttons returns the custom ids of a post's buttons and menu options.
func (p post) buttons() (labels, ids []string) {
	rows, _ := p.Body["components"].([]any)
	for _, r := range rows {
		comps, _ := r.(map[string]any)["components"].([]any)
		for _, c := range comps {
			m := c.(map[string]any)
			if id, ok := m["custom_id"].(string); ok && m["type"].(float64) == 2 {
				labels = append(labels, m["label"].(string))
				ids = append(ids, id)
			}
			opts, _ := m["options"].([]any)
			for _, o := range opts {
				labels = append(labels, o.(map[string]any)["label"].(string))
				ids = append(ids, o.(map[string]any)["value"].(string))
			}
		}
	}
	return labels, ids
}

// call is any REST request.
type call struct {
	Method, Path string
	Body         map[string]any
}

const (
	botID   = "900"
	appID   = "900"
	guildID = "100"
)

func newFakeDiscord(t testing.TB) *fakeDiscord {
	f := &fakeDiscord{
		t: t, sessionID: "sess-1", connected: make(chan string, 16), threads: map[string]string{}, members: map[string][]string{},
		changed: make(chan struct{}, 1),
		guilds:  []map[string]any{{"id": guildID, "name": "Tiers-lieu"}},
		channels: map[string][]map[string]any{guildID: {
			{"id": "200", "name": "accueil", "type": 0, "guild_id": guildID},
			{"id": "300", "name": "mediateurs", "type": 0, "guild_id": guildID},
			{"id": "403", "name": "annonces", "type": 0, "guild_id": guildID},
		}},
		roles: map[string][]map[string]any{guildID: {{"id": "50", "name": "Médiateur"}, {"id": "51", "name": "Membre"}}},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/gw/", f.gateway)
	mux.HandleFunc("/api/", f.rest)
	f.srv = httptest.NewServer(mux)
	t.Cleanup(func() {
		f.mu.Lock()
		if f.conn != nil {
			f.conn.Close()
		}
		f.mu.Unlock()
		f.srv.Close()
	})
	return f
}

// client is the http.Client the adapter uses: it sends Discord's REST
// calls to the fake server.
func (f *fakeDiscord) client() *http.Client {
	u, _ := url.Parse(f.srv.URL)
	return &http.Client{Transport: rewrite{host: u.Host}, Timeout: 10 * time.Second}
}

type rewrite struct{ host string }

func (r rewrite) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context())
	req.URL.Scheme, req.URL.Host, req.Host = "http", r.host, ""
	return http.DefaultTransport.RoundTrip(req)
}

var upgrader = websocket.Upgrader{}

func (f *fakeDiscord) gateway(w http.ResponseWriter, r *http.Request) {
	c, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	f.mu.Lock()
	f.conn = c
	f.mu.Unlock()
	f.send(c, frame{Op: 10, D: raw(map[string]any{"heartbeat_interval": 500})})
	for {
		var in struct {
			Op int             `json:"op"`
			D  json.RawMessage `json:"d"`
		}
		if err := c.ReadJSON(&in); err != nil {
			return
		}
		switch in.Op {
		case 1:
			f.mu.Lock()
			f.heartbeats++
			f.mu.Unlock()
			f.send(c, frame{Op: 11})
		case 2:
			var id struct {
				Token   string `json:"token"`
				Intents int    `json:"intents"`
			}
			_ = json.Unmarshal(in.D, &id)
			f.mu.Lock()
			f.identifies++
			f.mu.Unlock()
			if id.Token != "Bot test-token" {
				_ = c.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(4004, "Authentication failed."))
				return
			}
			f.dispatchOn(c, "READY", map[string]any{
				"v": 10, "session_id": f.sessionID, "user": map[string]any{"id": botID, "username": "Boussole", "bot": true},
				"guilds": []any{map[string]any{"id": guildID, "unavailable": true}}, "application": map[string]any{"id": appID},
			})
			f.connected <- "READY"
		case 6:
			var res struct {
				SessionID string `json:"session_id"`
				Seq       int64  `json:"seq"`
			}
			_ = json.Unmarshal(in.D, &res)
			f.mu.Lock()
			f.resumes = append(f.resumes, res.Seq)
			replay := f.replay
			f.replay = nil
			f.mu.Unlock()
			f.mu.Lock()
			refuse := f.invalidate
			f.invalidate = false
			f.mu.Unlock()
			if refuse || res.SessionID != f.sessionID {
				f.send(c, frame{Op: 9, D: raw(false)})
				continue
			}
			f.dispatchOn(c, "RESUMED", map[string]any{})
			// Discord replays what the client missed; replaying an event it
			// already had checks duplicates are dropped.
			for _, e := range replay {
				f.dispatchOn(c, e.T, e.D)
			}
			f.connected <- "RESUMED"
		}
	}
}

func raw(v any) json.RawMessage {
	if r, ok := v.(json.RawMessage); ok {
		return r
	}
	b, _ := json.Marshal(v)
	return b
}

func (f *fakeDiscord) send(c *websocket.Conn, fr frame) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if fr.D == nil {
		fr.D = json.RawMessage("null")
	}
	_ = c.WriteJSON(fr)
}

// dispatchOn sends an op 0 event with the next sequence number.
func (f *fakeDiscord) dispatchOn(c *websocket.Conn, typ string, d any) frame {
	f.mu.Lock()
	f.seq++
	fr := frame{Op: 0, S: f.seq, T: typ, D: raw(d)}
	err := c.WriteJSON(fr)
	f.mu.Unlock()
	if err != nil {
		f.t.Logf("dispatch %s: %v", typ, err)
	}
	return fr
}

// dispatch sends an event on the current connection.
func (f *fakeDiscord) dispatch(typ string, d any) frame {
	f.mu.Lock()
	c := f.conn
	f.mu.Unlock()
	return f.dispatchOn(c, typ, d)
}

// reconnectRequest asks the client to reconnect (op 7).
func (f *fakeDiscord) reconnectRequest() {
	f.mu.Lock()
	c := f.conn
	f.mu.Unlock()
	f.send(c, frame{Op: 7})
}

// disconnect drops the gateway connection without a close frame; events
// in replay are sent again after the client resumes.
func (f *fakeDiscord) disconnect(replay ...frame) {
	f.mu.Lock()
	f.replay = replay
	c := f.conn
	f.mu.Unlock()
	c.UnderlyingConn().Close()
}

func (f *fakeDiscord) waitConnected(t *testing.T, want string) {
	t.Helper()
	select {
	case got := <-f.connected:
		if got != want {
			t.Fatalf("gateway handshake: got %s, want %s", got, want)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("no %s within 10s", want)
	}
}

func (f *fakeDiscord) nextID() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.ids++
	return fmt.Sprint(5000 + f.ids)
}

func (f *fakeDiscord) rest(w http.ResponseWriter, r *http.Request) {
	path := strings.TrimPrefix(r.URL.Path, "/api/v9")
	var body map[string]any
	if b, _ := io.ReadAll(r.Body); len(b) > 0 {
		_ = json.Unmarshal(b, &body)
	}
	f.mu.Lock()
	f.calls = append(f.calls, call{r.Method, path, body})
	f.mu.Unlock()
	defer f.poke()
	p := strings.Split(strings.Trim(path, "/"), "/")
	reply := func(v any) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(v)
	}
	switch {
	case r.Method == "GET" && (path == "/gateway" || path == "/gateway/bot"):
		reply(map[string]any{"url": "ws" + strings.TrimPrefix(f.srv.URL, "http") + "/gw", "shards": 1})
	case r.Method == "GET" && path == "/users/@me/guilds":
		reply(f.guilds)
	case r.Method == "GET" && len(p) == 3 && p[0] == "guilds" && p[2] == "channels":
		reply(f.channels[p[1]])
	case r.Method == "GET" && len(p) == 3 && p[0] == "guilds" && p[2] == "roles":
		reply(f.roles[p[1]])
	case r.Method == "PUT" && p[0] == "applications":
		reply(body["commands"])
	case r.Method == "POST" && len(p) == 3 && p[0] == "channels" && p[2] == "messages":
		f.mu.Lock()
		if f.rateLimit > 0 {
			f.rateLimit--
			f.limited++
			f.mu.Unlock()
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Retry-After", "0.2")
			w.WriteHeader(http.StatusTooManyRequests)
			_, _ = io.WriteString(w, `{"message": "You are being rate limited.", "retry_after": 0.2, "global": false}`)
			return
		}
		if f.failures > 0 && len(f.posts) >= f.failAfter {
			f.failures--
			f.mu.Unlock()
			w.WriteHeader(http.StatusInternalServerError)
			reply(map[string]any{"message": "Internal Server Error", "code": 0})
			return
		}
		if p[1] == "404" {
			f.mu.Unlock()
			w.WriteHeader(http.StatusNotFound)
			reply(map[string]any{"message": "Unknown Channel", "code": 10003})
			return
		}
		content, _ := body["content"].(string)
		f.posts = append(f.posts, post{Channel: p[1], Content: content, Body: body})
		f.mu.Unlock()
		reply(map[string]any{"id": f.nextID(), "channel_id": p[1], "content": content, "author": map[string]any{"id": botID, "bot": true}})
	case r.Method == "GET" && len(p) == 2 && p[0] == "channels":
		f.mu.Lock()
		parent, isThread := f.threads[p[1]]
		f.mu.Unlock()
		if isThread {
			reply(map[string]any{"id": p[1], "type": 12, "parent_id": parent, "guild_id": guildID, "owner_id": botID})
			return
		}
		reply(map[string]any{"id": p[1], "type": 0, "guild_id": guildID})
	case r.Method == "POST" && len(p) == 3 && p[0] == "channels" && p[2] == "threads":
		if p[1] == "403" {
			w.WriteHeader(http.StatusForbidden)
			reply(map[string]any{"message": "Missing Permissions", "code": 50013})
			return
		}
		id := f.nextID()
		f.mu.Lock()
		f.threads[id] = p[1]
		f.mu.Unlock()
		reply(map[string]any{"id": id, "type": 12, "parent_id": p[1], "guild_id": guildID, "name": body["name"]})
	case r.Method == "PUT" && len(p) == 4 && p[2] == "thread-members":
		f.mu.Lock()
		f.members[p[1]] = append(f.members[p[1]], p[3])
		f.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	case r.Method == "POST" && path == "/users/@me/channels":
		reply(map[string]any{"id": "dm-" + fmt.Sprint(body["recipient_id"]), "type": 1})
	case r.Method == "POST" && len(p) == 4 && p[0] == "interactions" && p[3] == "callback":
		w.WriteHeader(http.StatusNoContent)
	case r.Method == "PATCH" && p[0] == "webhooks":
		content, _ := body["content"].(string)
		reply(map[string]any{"id": f.nextID(), "content": content})
	default:
		f.t.Logf("fake discord: unhandled %s %s", r.Method, path)
		w.WriteHeader(http.StatusNotFound)
		reply(map[string]any{"message": "Unknown route", "code": 0})
	}
}

func (f *fakeDiscord) poke() {
	select {
	case f.changed <- struct{}{}:
	default:
	}
}

// waitFor polls until cond holds under the lock.
func (f *fakeDiscord) waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		f.mu.Lock()
		ok := cond()
		f.mu.Unlock()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			f.mu.Lock()
			defer f.mu.Unlock()
			t.Fatalf("timed out waiting for %s; posts: %+v", what, f.posts)
		}
		select {
		case <-f.changed:
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// postsTo returns the messages posted to channel.
func (f *fakeDiscord) postsTo(channel string) []post {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []post
	for _, p := range f.posts {
		if p.Channel == channel {
			out = append(out, p)
		}
	}
	return out
}

// waitPosts waits until channel has at least n posts and returns them.
func (f *fakeDiscord) waitPosts(t *testing.T, channel string, n int) []post {
	t.Helper()
	f.waitFor(t, fmt.Sprintf("%d posts in %s", n, channel), func() bool {
		c := 0
		for _, p := range f.posts {
			if p.Channel == channel {
				c++
			}
		}
		return c >= n
	})
	return f.postsTo(channel)
}

func (f *fakeDiscord) callsTo(method, prefix string) []call {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []call
	for _, c := range f.calls {
		if c.Method == method && strings.HasPrefix(c.Path, prefix) {
			out = append(out, c)
		}
	}
	return out
}

// Events the fake sends.

func user(id string) map[string]any { return map[string]any{"id": id, "username": "u" + id} }

func (f *fakeDiscord) dm(from, text string) frame {
	return f.dispatch("MESSAGE_CREATE", map[string]any{
		"id": f.nextID(), "channel_id": "dm-" + from, "author": user(from), "content": text, "type": 0,
		"timestamp": time.Now().UTC().Format(time.RFC3339),
	})
}

func (f *fakeDiscord) say(channel, from, text string, roles ...string) frame {
	var mentions []any
	if strings.Contains(text, "<@"+botID+">") {
		mentions = append(mentions, map[string]any{"id": botID, "username": "Boussole", "bot": true})
	}
	if roles == nil {
		roles = []string{}
	}
	return f.dispatch("MESSAGE_CREATE", map[string]any{
		"id": f.nextID(), "channel_id": channel, "guild_id": guildID, "author": user(from), "content": text, "type": 0,
		"mentions": mentions, "member": map[string]any{"roles": roles}, "timestamp": time.Now().UTC().Format(time.RFC3339),
	})
}

// click is a button click by user in channel (a DM when guild is false).
func (f *fakeDiscord) click(channel, from, customID string, guild bool, roles ...string) frame {
	d := map[string]any{
		"id": f.nextID(), "application_id": appID, "type": 3, "token": "tok-" + from, "version": 1, "channel_id": channel,
		"data": map[string]any{"custom_id": customID, "component_type": 2}, "locale": "fr",
	}
	if guild {
		if roles == nil {
			roles = []string{}
		}
		d["guild_id"] = guildID
		d["member"] = map[string]any{"user": user(from), "roles": roles}
	} else {
		d["user"] = user(from)
	}
	return f.dispatch("INTERACTION_CREATE", d)
}

// slash is /boussole <sub> with options, in a guild channel.
func (f *fakeDiscord) slash(channel, from, sub string, opts map[string]any, roles ...string) frame {
	var os []any
	for k, v := range opts {
		typ := 3
		if _, ok := v.(int); ok {
			typ = 4
		}
		os = append(os, map[string]any{"name": k, "type": typ, "value": v})
	}
	if roles == nil {
		roles = []string{}
	}
	return f.dispatch("INTERACTION_CREATE", map[string]any{
		"id": f.nextID(), "application_id": appID, "type": 2, "token": "tok-" + from, "version": 1, "channel_id": channel,
		"guild_id": guildID, "member": map[string]any{"user": user(from), "roles": roles}, "locale": "fr",
		"data": map[string]any{"id": "1", "name": "boussole", "type": 1, "options": []any{map[string]any{"name": sub, "type": 1, "options": os}}},
	})
}
