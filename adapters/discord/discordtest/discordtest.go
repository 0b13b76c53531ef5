// Package discordtest is a fake Discord server for tests: it speaks the real
// gateway and REST protocols to the real discordgo client, on 127.0.0.1, and
// records what it receives.
package discordtest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// Server is a Discord server on 127.0.0.1 speaking the real gateway
// and REST protocols to the real discordgo client, and recording what it
// receives. Hold Mu to read or change its exported fields while the
// adapter runs.
//
// Several clients may connect at once, each as a shard: an event is sent
// to the connections whose shard Discord would send it to (Dispatch).
type Server struct {
	t   testing.TB
	srv *httptest.Server
	now func() time.Time // the test's clock: snowflakes and timestamps

	Mu         sync.Mutex
	Seq        int64
	sessions   []*session
	conn       *websocket.Conn // the latest connection
	Identifies int
	// Shards are the shard arrays of the IDENTIFYs received, [0, 1] for
	// one without (discordgo sends none when unsharded).
	Shards     [][2]int
	Resumes    []int64 // sequence numbers the client resumed from
	Heartbeats int
	connected  chan string // "READY" or "RESUMED" after each handshake
	Invalidate bool        // refuse the next resume (op 9)
	Refuse     int         // next gateway connections refused (503)
	Refused    int         // gateway connections refused
	ids        int
	RateLimit  int // next message posts answered 429
	Failures   int // next message posts answered 500...
	FailAfter  int // ...once this many were posted
	Limited    int // 429s returned
	Posts      []Post
	// NonceWindow is how long a nonce sent with enforce_nonce makes a
	// repeat return the message already created (default 2 minutes,
	// by the test's clock): Discord documents "the past few minutes".
	NonceWindow time.Duration
	// Deduplicated counts the message posts answered with an existing
	// message because of their nonce.
	Deduplicated int
	nonces       map[string]nonced // author + nonce → message
	Calls        []Call
	Threads      map[string]string // thread id → parent channel
	Members      map[string][]string
	// Messages are the users' messages per channel, newest last, as the
	// REST API lists them back.
	Messages map[string][]map[string]any
	// MemberRoles are the guild roles of users, for the members route.
	MemberRoles map[string][]string
	// FailMembers: the next member lookups answer 500.
	FailMembers int
	changed     chan struct{}

	guilds   []map[string]any
	channels map[string][]map[string]any
	roles    map[string][]map[string]any
}

// session is a gateway session: the shard it identified as, its
// connection (nil while down) and the events it gets again after its next
// resume.
type session struct {
	id     string
	shard  [2]int
	conn   *websocket.Conn
	replay []Frame
}

// Frame is a gateway payload; S is the sequence number of a dispatch.
type Frame struct {
	Op int             `json:"op"`
	S  int64           `json:"s,omitempty"`
	T  string          `json:"t,omitempty"`
	D  json.RawMessage `json:"d"`
}

// Post is a message the bot created.
type Post struct {
	ID      string
	Channel string
	Content string
	Body    map[string]any
}

// nonced is a message created with enforce_nonce, and when.
type nonced struct {
	msg map[string]any
	at  time.Time
}

// Buttons returns the labels and custom ids of a post's buttons and menu
// options.
func (p Post) Buttons() (labels, ids []string) {
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

// Call is any REST request.
type Call struct {
	Method, Path string
	Body         map[string]any
}

// Ids of the fake's bot user, application and only guild. The guild has
// the channels #accueil (200), #mediateurs (300) and #annonces (403, where
// the bot may not open threads), and the roles Médiateur (50) and Membre
// (51).
const (
	BotID   = "900"
	AppID   = "900"
	GuildID = "100"
)

// Start starts a fake Discord server, closed when the test ends. now is
// the test's clock, the one the adapter under test is given: snowflakes
// and timestamps carry its time, as Discord's carry the real one.
func Start(t testing.TB, now func() time.Time) *Server {
	f := &Server{
		t: t, now: now, connected: make(chan string, 16), Threads: map[string]string{}, Members: map[string][]string{}, Messages: map[string][]map[string]any{}, MemberRoles: map[string][]string{},
		NonceWindow: 2 * time.Minute, nonces: map[string]nonced{},
		changed: make(chan struct{}, 1),
		guilds:  []map[string]any{{"id": GuildID, "name": "Tiers-lieu"}},
		channels: map[string][]map[string]any{GuildID: {
			{"id": "200", "name": "accueil", "type": 0, "guild_id": GuildID},
			{"id": "300", "name": "mediateurs", "type": 0, "guild_id": GuildID},
			{"id": "403", "name": "annonces", "type": 0, "guild_id": GuildID},
		}},
		roles: map[string][]map[string]any{GuildID: {{"id": "50", "name": "Médiateur"}, {"id": "51", "name": "Membre"}}},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/gw/", f.gateway)
	mux.HandleFunc("/api/", f.rest)
	f.srv = httptest.NewServer(mux)
	t.Cleanup(func() {
		f.Mu.Lock()
		for _, ss := range f.sessions {
			if ss.conn != nil {
				ss.conn.Close()
			}
		}
		if f.conn != nil {
			f.conn.Close()
		}
		f.Mu.Unlock()
		f.srv.Close()
	})
	return f
}

// AddGuild adds a server the bot is in, with text channels (named
// "salon-" and their id) and the roles of GuildID; messages and clicks in
// its channels and their threads carry its id. A bot in several servers
// with several shards: each shard receives the events of its servers.
func (f *Server) AddGuild(id, name string, channels ...string) {
	ShardOf(id, 1) // a snowflake
	f.Mu.Lock()
	defer f.Mu.Unlock()
	f.guilds = append(f.guilds, map[string]any{"id": id, "name": name})
	var cs []map[string]any
	for _, c := range channels {
		cs = append(cs, map[string]any{"id": c, "name": "salon-" + c, "type": 0, "guild_id": id})
	}
	f.channels[id] = cs
	f.roles[id] = f.roles[GuildID]
}

// guildOf is the guild of a channel or thread (GuildID when unknown), under
// Mu.
func (f *Server) guildOf(channel string) string {
	if parent, ok := f.Threads[channel]; ok {
		channel = parent
	}
	for g, cs := range f.channels {
		for _, c := range cs {
			if c["id"] == channel {
				return g
			}
		}
	}
	return GuildID
}

// GuildOf is the guild of a channel or thread (GuildID when unknown).
func (f *Server) GuildOf(channel string) string {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	return f.guildOf(channel)
}

// Client is the http.Client the adapter uses: it sends Discord's REST
// calls to the fake server.
func (f *Server) Client() *http.Client {
	u, _ := url.Parse(f.srv.URL)
	return &http.Client{Transport: rewrite{host: u.Host}, Timeout: 30 * time.Second}
}

type rewrite struct{ host string }

func (r rewrite) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context())
	req.URL.Scheme, req.URL.Host, req.Host = "http", r.host, ""
	return http.DefaultTransport.RoundTrip(req)
}

var upgrader = websocket.Upgrader{}

func (f *Server) gateway(w http.ResponseWriter, r *http.Request) {
	f.Mu.Lock()
	if f.Refuse > 0 {
		f.Refuse--
		f.Refused++
		f.Mu.Unlock()
		http.Error(w, "service unavailable", http.StatusServiceUnavailable)
		return
	}
	f.Mu.Unlock()
	c, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	f.Mu.Lock()
	f.conn = c
	f.Mu.Unlock()
	defer f.bind(c, nil)
	f.send(c, Frame{Op: 10, D: raw(map[string]any{"heartbeat_interval": 500})})
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
			f.Mu.Lock()
			f.Heartbeats++
			f.Mu.Unlock()
			f.send(c, Frame{Op: 11})
		case 2:
			var id struct {
				Token   string  `json:"token"`
				Intents int     `json:"intents"`
				Shard   *[2]int `json:"shard"`
			}
			_ = json.Unmarshal(in.D, &id)
			shard := [2]int{0, 1}
			if id.Shard != nil {
				shard = *id.Shard
			}
			f.Mu.Lock()
			f.Identifies++
			f.Shards = append(f.Shards, shard)
			f.Mu.Unlock()
			if id.Token != "Bot test-token" {
				f.close(c, 4004, "Authentication failed.")
				return
			}
			if shard[1] < 1 || shard[0] < 0 || shard[0] >= shard[1] {
				f.close(c, 4010, "Invalid shard.")
				return
			}
			f.Mu.Lock()
			ss := &session{id: fmt.Sprintf("sess-%d", len(f.sessions)+1), shard: shard}
			f.sessions = append(f.sessions, ss)
			var guilds []any
			for _, g := range f.guilds {
				if gid := g["id"].(string); ShardOf(gid, shard[1]) == shard[0] {
					guilds = append(guilds, map[string]any{"id": gid, "unavailable": true})
				}
			}
			f.Mu.Unlock()
			f.bind(c, ss)
			f.dispatchOn(c, "READY", map[string]any{
				"v": 10, "session_id": ss.id, "user": map[string]any{"id": BotID, "username": "Boussole", "bot": true},
				"guilds": guilds, "application": map[string]any{"id": AppID}, "shard": shard[:],
			})
			f.connected <- "READY"
		case 6:
			var res struct {
				SessionID string `json:"session_id"`
				Seq       int64  `json:"seq"`
			}
			_ = json.Unmarshal(in.D, &res)
			f.Mu.Lock()
			f.Resumes = append(f.Resumes, res.Seq)
			var ss *session
			for _, s := range f.sessions {
				if s.id == res.SessionID {
					ss = s
				}
			}
			var replay []Frame
			if ss != nil {
				replay, ss.replay = ss.replay, nil
			}
			refuse := f.Invalidate
			f.Invalidate = false
			f.Mu.Unlock()
			if refuse || ss == nil {
				f.send(c, Frame{Op: 9, D: raw(false)})
				continue
			}
			f.bind(c, ss)
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

// bind makes c the connection of session ss (nil: of none), the one
// events for ss's shard go to; a connection serves one session at a time.
func (f *Server) bind(c *websocket.Conn, ss *session) {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	for _, s := range f.sessions {
		if s.conn == c {
			s.conn = nil
		}
	}
	if ss != nil {
		ss.conn = c
	}
}

// close ends c with a gateway close code, as Discord refuses a session.
func (f *Server) close(c *websocket.Conn, code int, text string) {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	_ = c.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(code, text))
}

// ShardOf is the shard, of count, that Discord sends the events of guild
// to: "shard_id = (guild_id >> 22) % num_shards"; events without a guild
// (DMs) go to shard 0 (discord/discord-api-docs,
// developers/events/gateway.mdx, « Sharding »).
func ShardOf(guild string, count int) int {
	if guild == "" || count < 1 {
		return 0
	}
	id, err := strconv.ParseUint(guild, 10, 64)
	if err != nil {
		panic(fmt.Sprintf("discordtest: guild id %q is not a snowflake", guild))
	}
	return int((id >> 22) % uint64(count))
}

func raw(v any) json.RawMessage {
	if r, ok := v.(json.RawMessage); ok {
		return r
	}
	b, _ := json.Marshal(v)
	return b
}

func (f *Server) send(c *websocket.Conn, fr Frame) {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	if fr.D == nil {
		fr.D = json.RawMessage("null")
	}
	_ = c.WriteJSON(fr)
}

// dispatchOn sends an op 0 event with the next sequence number.
func (f *Server) dispatchOn(c *websocket.Conn, typ string, d any) Frame {
	f.Mu.Lock()
	f.Seq++
	fr := Frame{Op: 0, S: f.Seq, T: typ, D: raw(d)}
	err := c.WriteJSON(fr)
	f.Mu.Unlock()
	if err != nil {
		f.t.Logf("dispatch %s: %v", typ, err)
	}
	return fr
}

// Dispatch sends an event to the sessions Discord would send it to: those
// whose shard is the one of the event's guild_id, shard 0 for an event
// without one (a DM). It returns the frame last sent, with no sequence
// number when no session was connected to receive it.
func (f *Server) Dispatch(typ string, d any) Frame {
	fr := Frame{Op: 0, T: typ, D: raw(d)}
	var g struct {
		GuildID string `json:"guild_id"`
	}
	_ = json.Unmarshal(fr.D, &g)
	f.Mu.Lock()
	var to []*websocket.Conn
	for _, ss := range f.sessions {
		if ss.conn != nil && ShardOf(g.GuildID, ss.shard[1]) == ss.shard[0] {
			to = append(to, ss.conn)
		}
	}
	f.Mu.Unlock()
	if len(to) == 0 {
		f.t.Logf("dispatch %s: no session receives guild %q", typ, g.GuildID)
	}
	for _, c := range to {
		fr = f.dispatchOn(c, typ, fr.D)
	}
	return fr
}

// ReconnectRequest asks the client to reconnect (op 7).
func (f *Server) ReconnectRequest() {
	f.Mu.Lock()
	c := f.conn
	f.Mu.Unlock()
	f.send(c, Frame{Op: 7})
}

// Disconnect drops the latest gateway connection without a close frame;
// events in replay are sent again after its client resumes.
func (f *Server) Disconnect(replay ...Frame) {
	f.Mu.Lock()
	c := f.conn
	for _, ss := range f.sessions {
		if ss.conn == c {
			ss.replay = replay
		}
	}
	f.Mu.Unlock()
	c.UnderlyingConn().Close()
}

// WaitConnected waits for the next handshake, "READY" or "RESUMED".
func (f *Server) WaitConnected(t testing.TB, want string) {
	t.Helper()
	select {
	case got := <-f.connected:
		if got != want {
			t.Fatalf("gateway handshake: got %s, want %s", got, want)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("no %s within 30s", want)
	}
}

// NextID returns a new snowflake: the time since Discord's epoch in the
// high bits, as Discord's, so that "messages after a moment" works; a
// counter in the low bits keeps them unique and increasing.
func (f *Server) NextID() string {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	return f.nextID()
}

// nextID is NextID under Mu.
func (f *Server) nextID() string {
	f.ids++
	return fmt.Sprint(uint64(f.now().UnixMilli()-1420070400000)<<22 | uint64(f.ids&0x3fffff))
}

func (f *Server) rest(w http.ResponseWriter, r *http.Request) {
	path := strings.TrimPrefix(r.URL.Path, "/api/v9")
	var body map[string]any
	if b, _ := io.ReadAll(r.Body); len(b) > 0 {
		_ = json.Unmarshal(b, &body)
	}
	f.Mu.Lock()
	f.Calls = append(f.Calls, Call{r.Method, path, body})
	f.Mu.Unlock()
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
	case r.Method == "GET" && len(p) == 4 && p[0] == "guilds" && p[2] == "members":
		f.Mu.Lock()
		roles := f.MemberRoles[p[3]]
		fail := f.FailMembers > 0
		if fail {
			f.FailMembers--
		}
		f.Mu.Unlock()
		if fail {
			w.WriteHeader(http.StatusInternalServerError)
			w.Write([]byte(`{"message": "Internal Server Error", "code": 0}`))
			return
		}
		if roles == nil {
			roles = []string{}
		}
		reply(map[string]any{"user": User(p[3]), "roles": roles})
	case r.Method == "GET" && len(p) == 3 && p[0] == "guilds" && p[2] == "roles":
		reply(f.roles[p[1]])
	case r.Method == "PUT" && p[0] == "applications":
		reply(body["commands"])
	case r.Method == "POST" && len(p) == 3 && p[0] == "channels" && p[2] == "messages":
		f.Mu.Lock()
		if f.RateLimit > 0 {
			f.RateLimit--
			f.Limited++
			f.Mu.Unlock()
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Retry-After", "0.2")
			w.WriteHeader(http.StatusTooManyRequests)
			_, _ = io.WriteString(w, `{"message": "You are being rate limited.", "retry_after": 0.2, "global": false}`)
			return
		}
		if f.Failures > 0 && len(f.Posts) >= f.FailAfter {
			f.Failures--
			f.Mu.Unlock()
			w.WriteHeader(http.StatusInternalServerError)
			reply(map[string]any{"message": "Internal Server Error", "code": 0})
			return
		}
		if p[1] == "404" {
			f.Mu.Unlock()
			w.WriteHeader(http.StatusNotFound)
			reply(map[string]any{"message": "Unknown Channel", "code": 10003})
			return
		}
		// Discord's Create Message (developers/resources/message.mdx):
		// nonce is "up to 25 characters"; with enforce_nonce, "if another
		// message was created by the same author with the same nonce [in
		// the past few minutes], that message will be returned and no new
		// message will be created". The author is the bot here; the
		// documentation names no channel, so a nonce counts across
		// channels.
		nonce, hasNonce := body["nonce"]
		ns := fmt.Sprint(nonce)
		if hasNonce && len(ns) > 25 {
			f.Mu.Unlock()
			w.WriteHeader(http.StatusBadRequest)
			reply(map[string]any{"message": "Invalid Form Body", "code": 50035, "errors": map[string]any{"nonce": map[string]any{"_errors": []any{map[string]any{"code": "BASE_TYPE_MAX_LENGTH", "message": "Must be 25 or fewer in length."}}}}})
			return
		}
		key := ""
		if hasNonce && body["enforce_nonce"] == true {
			key = BotID + "\x00" + ns
			if old, ok := f.nonces[key]; ok && f.now().Sub(old.at) < f.NonceWindow {
				f.Deduplicated++
				f.Mu.Unlock()
				reply(old.msg)
				return
			}
		}
		content, _ := body["content"].(string)
		msg := map[string]any{"id": f.nextID(), "channel_id": p[1], "content": content, "author": map[string]any{"id": BotID, "bot": true}}
		if hasNonce {
			msg["nonce"] = nonce
		}
		if key != "" {
			f.nonces[key] = nonced{msg: msg, at: f.now()}
		}
		f.Posts = append(f.Posts, Post{ID: msg["id"].(string), Channel: p[1], Content: content, Body: body})
		f.Mu.Unlock()
		reply(msg)
	case r.Method == "GET" && len(p) == 3 && p[0] == "channels" && p[2] == "messages":
		after := r.URL.Query().Get("after")
		f.Mu.Lock()
		var out []map[string]any
		for _, m := range f.Messages[p[1]] {
			if id := m["id"].(string); after == "" || len(id) > len(after) || (len(id) == len(after) && id > after) {
				out = append([]map[string]any{m}, out...) // newest first, as Discord
			}
		}
		f.Mu.Unlock()
		if out == nil {
			out = []map[string]any{}
		}
		reply(out)
	case r.Method == "GET" && len(p) == 2 && p[0] == "channels":
		f.Mu.Lock()
		parent, isThread := f.Threads[p[1]]
		guild := f.guildOf(p[1])
		f.Mu.Unlock()
		if isThread {
			reply(map[string]any{"id": p[1], "type": 12, "parent_id": parent, "guild_id": guild, "owner_id": BotID})
			return
		}
		reply(map[string]any{"id": p[1], "type": 0, "guild_id": guild})
	case r.Method == "POST" && len(p) == 3 && p[0] == "channels" && p[2] == "threads":
		if p[1] == "403" {
			w.WriteHeader(http.StatusForbidden)
			reply(map[string]any{"message": "Missing Permissions", "code": 50013})
			return
		}
		id := f.NextID()
		f.Mu.Lock()
		f.Threads[id] = p[1]
		guild := f.guildOf(p[1])
		f.Mu.Unlock()
		reply(map[string]any{"id": id, "type": 12, "parent_id": p[1], "guild_id": guild, "name": body["name"]})
	case r.Method == "PUT" && len(p) == 4 && p[2] == "thread-members":
		f.Mu.Lock()
		f.Members[p[1]] = append(f.Members[p[1]], p[3])
		f.Mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	case r.Method == "POST" && path == "/users/@me/channels":
		reply(map[string]any{"id": "dm-" + fmt.Sprint(body["recipient_id"]), "type": 1})
	case r.Method == "POST" && len(p) == 4 && p[0] == "interactions" && p[3] == "callback":
		w.WriteHeader(http.StatusNoContent)
	case r.Method == "PATCH" && p[0] == "webhooks":
		content, _ := body["content"].(string)
		reply(map[string]any{"id": f.NextID(), "content": content})
	default:
		f.t.Logf("fake discord: unhandled %s %s", r.Method, path)
		w.WriteHeader(http.StatusNotFound)
		reply(map[string]any{"message": "Unknown route", "code": 0})
	}
}

func (f *Server) poke() {
	select {
	case f.changed <- struct{}{}:
	default:
	}
}

// WaitFor polls until cond holds under Mu, failing t after 30s (generous:
// CI runs every package at once on two cores).
func (f *Server) WaitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	timeout := time.NewTimer(30 * time.Second)
	defer timeout.Stop()
	for {
		f.Mu.Lock()
		ok := cond()
		f.Mu.Unlock()
		if ok {
			return
		}
		select {
		case <-f.changed:
		case <-time.After(20 * time.Millisecond):
		case <-timeout.C:
			f.Mu.Lock()
			defer f.Mu.Unlock()
			t.Fatalf("timed out waiting for %s; posts: %+v", what, f.Posts)
		}
	}
}

// WaitPostContaining waits for a post to channel whose text contains text.
func (f *Server) WaitPostContaining(t testing.TB, channel, text string) {
	t.Helper()
	f.WaitFor(t, fmt.Sprintf("a post to %s saying %q", channel, text), func() bool {
		return f.countContaining(channel, text) > 0
	})
}

// CountPostsContaining returns how many posts to channel contain text.
func (f *Server) CountPostsContaining(channel, text string) int {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	return f.countContaining(channel, text)
}

// countContaining counts under Mu.
func (f *Server) countContaining(channel, text string) int {
	n := 0
	for _, p := range f.Posts {
		if p.Channel == channel && strings.Contains(p.Content, text) {
			n++
		}
	}
	return n
}

// WaitPrivateThread waits for a thread whose only member is user (the
// private thread opened for a mediator who claimed a case) and returns it.
func (f *Server) WaitPrivateThread(t testing.TB, user string) string {
	t.Helper()
	var thread string
	f.WaitFor(t, "a private thread for "+user, func() bool {
		for th, m := range f.Members {
			if len(m) == 1 && m[0] == user {
				thread = th
				return true
			}
		}
		return false
	})
	return thread
}

// PostsTo returns the messages posted to channel.
func (f *Server) PostsTo(channel string) []Post {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	var out []Post
	for _, p := range f.Posts {
		if p.Channel == channel {
			out = append(out, p)
		}
	}
	return out
}

// WaitPosts waits until channel has at least n posts and returns them.
func (f *Server) WaitPosts(t testing.TB, channel string, n int) []Post {
	t.Helper()
	f.WaitFor(t, fmt.Sprintf("%d posts in %s", n, channel), func() bool {
		c := 0
		for _, p := range f.Posts {
			if p.Channel == channel {
				c++
			}
		}
		return c >= n
	})
	return f.PostsTo(channel)
}

// CallsTo returns the REST calls with method whose path starts with prefix.
func (f *Server) CallsTo(method, prefix string) []Call {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	var out []Call
	for _, c := range f.Calls {
		if c.Method == method && strings.HasPrefix(c.Path, prefix) {
			out = append(out, c)
		}
	}
	return out
}

// Events the fake sends.

// User is the user object of id.
func User(id string) map[string]any { return map[string]any{"id": id, "username": "u" + id} }

// DM is a MESSAGE_CREATE from user from in its DM channel "dm-"+from.
func (f *Server) DM(from, text string) Frame {
	return f.Dispatch("MESSAGE_CREATE", f.keep(f.dmMessage(from, text)))
}

// OfflineDM is a message from user from in its DM channel that no session
// receives (posted while the bot was not connected); only the REST API
// lists it.
func (f *Server) OfflineDM(from, text string) {
	f.keep(f.dmMessage(from, text))
}

func (f *Server) dmMessage(from, text string) map[string]any {
	return map[string]any{
		"id": f.NextID(), "channel_id": "dm-" + from, "author": User(from), "content": text, "type": 0,
		"timestamp": f.now().UTC().Format(time.RFC3339),
	}
}

// keep stores a user's message for the REST API, as REST returns it
// (without guild or member).
func (f *Server) keep(m map[string]any) map[string]any {
	stored := make(map[string]any, len(m))
	for k, v := range m {
		if k != "guild_id" && k != "member" {
			stored[k] = v
		}
	}
	f.Mu.Lock()
	ch := m["channel_id"].(string)
	f.Messages[ch] = append(f.Messages[ch], stored)
	f.Mu.Unlock()
	return m
}

// Say is a MESSAGE_CREATE from user from with roles in a guild channel
// (or thread: the guild is the channel's);
// "<@900>" in text mentions the bot.
func (f *Server) Say(channel, from, text string, roles ...string) Frame {
	var mentions []any
	if strings.Contains(text, "<@"+BotID+">") {
		mentions = append(mentions, map[string]any{"id": BotID, "username": "Boussole", "bot": true})
	}
	if roles == nil {
		roles = []string{}
	}
	return f.Dispatch("MESSAGE_CREATE", f.keep(map[string]any{
		"id": f.NextID(), "channel_id": channel, "guild_id": f.GuildOf(channel), "author": User(from), "content": text, "type": 0,
		"mentions": mentions, "member": map[string]any{"roles": roles}, "timestamp": f.now().UTC().Format(time.RFC3339),
	}))
}

// OfflineSay is a message from user from in a guild channel or thread
// that no session receives (posted while the bot was not connected); only
// the REST API lists it.
func (f *Server) OfflineSay(channel, from, text string) {
	f.keep(map[string]any{
		"id": f.NextID(), "channel_id": channel, "guild_id": f.GuildOf(channel), "author": User(from), "content": text, "type": 0,
		"timestamp": f.now().UTC().Format(time.RFC3339),
	})
}

// Click is a button click (INTERACTION_CREATE) by user in channel (a DM when guild is false).
func (f *Server) Click(channel, from, customID string, guild bool, roles ...string) Frame {
	d := map[string]any{
		"id": f.NextID(), "application_id": AppID, "type": 3, "token": "tok-" + from, "version": 1, "channel_id": channel,
		"data": map[string]any{"custom_id": customID, "component_type": 2}, "locale": "fr",
	}
	if guild {
		if roles == nil {
			roles = []string{}
		}
		d["guild_id"] = f.GuildOf(channel)
		d["member"] = map[string]any{"user": User(from), "roles": roles}
	} else {
		d["user"] = User(from)
	}
	return f.Dispatch("INTERACTION_CREATE", d)
}

// Slash is /boussole <sub> with options, in a guild channel.
func (f *Server) Slash(channel, from, sub string, opts map[string]any, roles ...string) Frame {
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
	return f.Dispatch("INTERACTION_CREATE", map[string]any{
		"id": f.NextID(), "application_id": AppID, "type": 2, "token": "tok-" + from, "version": 1, "channel_id": channel,
		"guild_id": f.GuildOf(channel), "member": map[string]any{"user": User(from), "roles": roles}, "locale": "fr",
		"data": map[string]any{"id": "1", "name": "boussole", "type": 1, "options": []any{map[string]any{"name": sub, "type": 1, "options": os}}},
	})
}
