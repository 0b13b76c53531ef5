// Package mattermost connects Boussole to Mattermost: citizens write to
// the bot in direct messages, by mentioning it or with the /boussole slash
// command in a channel (the conversation then continues in a direct
// message), choices are interactive buttons whose clicks come to
// Boussole's own HTTP endpoint with a signed context, and mediators take
// cases from a mediators' channel with a Claim button and talk to the
// citizen in the case's thread.
//
// mattermost.go holds the configuration, connection and sending;
// handlers.go translates websocket events and HTTP callbacks; helpers.go
// the pure rendering, filtering and signing helpers.
package mattermost

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/boussole/boussole/adapters/adapterdeps"
	"github.com/boussole/boussole/adapters/internal/catchup"
	"github.com/boussole/boussole/adapters/internal/link"
	"github.com/boussole/boussole/adapters/internal/recent"
	"github.com/boussole/boussole/adapters/internal/salt"
	"github.com/boussole/boussole/bot"
	"github.com/boussole/boussole/bot/catalog"
	"github.com/boussole/boussole/internal/periodic"
)

// Platform is the platform name of Mattermost addresses.
const Platform = "mattermost"

// Paths of Boussole's HTTP endpoints for Mattermost.
const (
	ActionPath  = "/mattermost/action"
	CommandPath = "/mattermost/command"
)

// ErrConfig is wrapped by configuration errors (missing token, unknown
// team or channel).
var ErrConfig = errors.New("mattermost configuration")

// Config configures the adapter: Settings.Config builds it from the
// configuration file; an empty field takes its DefaultSettings value,
// except PublicURL (empty: http://<the address Listen got>) and
// CommandTokenEnv (empty: no hand-made command). Secrets are never in it:
// they are read from the environment variables it names.
type Config struct {
	// URL, Team, TokenEnv, Listen, PublicURL, SecretEnv, CommandTokenEnv
	// and NumberedChoices are as in Settings.
	URL             string
	TokenEnv        string
	Team            string
	Listen          string
	PublicURL       string
	SecretEnv       string
	CommandTokenEnv string
	NumberedChoices bool
	// MediatorChannels are the mediators' channels (ids or names in
	// Team), as the mediation queues name them.
	MediatorChannels []string
	// Lang is the language of the adapter's own notices (default fr).
	Lang string
	// Router, when set, is the process's one HTTP server: the button and
	// command callbacks are mounted on it (at ActionPath and CommandPath)
	// and Listen is not used; PublicURL is then how Mattermost reaches
	// that server. Nil: the adapter listens on Listen itself (tests,
	// programs embedding the adapter alone).
	Router Router
}

// Router is where HTTP handlers are mounted (an *http.ServeMux).
type Router interface {
	Handle(pattern string, h http.Handler)
}

// Deps are the adapter's collaborators (HTTPClient: default the
// Mattermost client's own; State: the moment up to which posts were seen).
type Deps = adapterdeps.Deps

// Adapter is the Mattermost adapter.
type Adapter struct {
	cfg       Config
	log       *slog.Logger
	cat       *catalog.Catalog
	now       func() time.Time
	c         *model.Client4
	token     string
	secret    []byte
	envCmdTok string
	backoff   time.Duration // first reconnect delay
	// gate, when set (tests), is waited for before each reconnection.
	gate func(ctx context.Context)

	mu           sync.Mutex
	h            bot.Handler
	ctx          context.Context
	self         string
	selfName     string
	teamID       string
	cmdTokens    []string
	publicURL    string
	mount        sync.Once // Router routes, mounted once
	addr         net.Addr
	seen         *recent.Set // post and click ids already handled
	sent         *recent.Set // reply key → parts already posted
	roots        map[bot.Address]string
	caseRootHash map[string]string // hash of citizen address → case post in a mediators' channel
	caseTh       map[string]bool   // case posts
	threads      []string          // case posts, oldest first (routing.go)
	medLastKey   map[string]string // mediator (addrKey) → case thread they last worked in
	medKey       map[string]string // mediators' channel id → its configured name
	medID        map[string]string // configured name → channel id
	chanType     map[string]string
	lastAt       map[string]int64 // channel → create_at of the last post seen
	aliveAt      int64            // create_at of the last post seen anywhere
	caughtUp     int              // posts read by catch-ups
	live         bool             // the websocket is open: every post is seen
	state        catchup.StateStore
	salt         *salt.Salt     // of idempotency keys, per database
	saveEvery    time.Duration  // how often the moment seen up to is saved
	saving       sync.WaitGroup // keepSeen, waited for when Run returns
	roles        map[string][]string
	connected    chan struct{}
	link         *link.Link // the websocket is open now
}

var _ bot.Adapter = (*Adapter)(nil)

const keep = 8192

// New checks the configuration; Run connects.
func New(cfg Config, d Deps) (*Adapter, error) {
	cfg = cfg.withDefaults()
	if cfg.Lang == "" {
		cfg.Lang = catalog.Default
	}
	d, err := d.Checked()
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrConfig, err)
	}
	if err := checkURL(settingKey("url"), cfg.URL, "the server's address"); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrConfig, err)
	}
	cfg.URL = strings.TrimRight(cfg.URL, "/")
	token, err := d.Token(cfg.TokenEnv)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrConfig, err)
	}
	secret := []byte(d.Getenv(cfg.SecretEnv))
	if len(secret) == 0 {
		d.Logger.Warn("no button signing key: using a random one, buttons expire when Boussole restarts", "env", cfg.SecretEnv)
		secret = make([]byte, 32)
		_, _ = rand.Read(secret)
	}
	c := model.NewAPIv4Client(cfg.URL)
	c.SetToken(token)
	if d.HTTPClient != nil {
		c.HTTPClient = d.HTTPClient
	}
	a := &Adapter{
		cfg: cfg, log: d.Logger, cat: d.Catalog, now: d.Now, c: c, token: token, secret: secret, backoff: time.Second,
		seen: recent.New(keep), sent: recent.New(keep), roots: map[bot.Address]string{},
		caseTh: map[string]bool{}, medLastKey: map[string]string{}, caseRootHash: map[string]string{}, medKey: map[string]string{}, medID: map[string]string{}, chanType: map[string]string{},
		lastAt: map[string]int64{}, roles: map[string][]string{}, connected: make(chan struct{}),
		state: d.State, salt: salt.New(d.State, saltKey), saveEvery: 30 * time.Second,
		link: link.New(Platform, d.Connection),
	}
	if cfg.CommandTokenEnv != "" {
		a.envCmdTok = strings.TrimSpace(d.Getenv(cfg.CommandTokenEnv))
	}
	return a, nil
}

// Name implements bot.Adapter.
func (a *Adapter) Name() string { return Platform }

// Addr is where the HTTP endpoint listens, once Run started it.
func (a *Adapter) Addr() net.Addr {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.addr
}

// Connected is closed once Run is connected and ready.
func (a *Adapter) Connected() <-chan struct{} { return a.connected }

// IsConnected reports whether the websocket is open now (readiness):
// false before the first connection, while reconnecting, and once Run
// returned.
func (a *Adapter) IsConnected() bool { return a.link.Up() }

func addr(channel, user string) bot.Address {
	return bot.Address{Platform: Platform, Channel: channel, User: user}
}

// Run checks the team and channels, starts the HTTP endpoint, registers
// /boussole and listens on the websocket until ctx is done, reconnecting
// with backoff and catching up on the posts missed meanwhile.
func (a *Adapter) Run(ctx context.Context, h bot.Handler) error {
	a.mu.Lock()
	a.h, a.ctx = h, ctx
	a.mu.Unlock()
	me, _, err := a.c.GetMe(ctx, "")
	if err != nil {
		return fmt.Errorf("connect to mattermost %s: %w", a.cfg.URL, err)
	}
	a.mu.Lock()
	a.self, a.selfName = me.Id, me.Username
	a.mu.Unlock()
	if err := a.check(ctx); err != nil {
		return err
	}
	a.loadRouting(ctx)
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	served := make(chan error, 1)
	if a.cfg.Router != nil {
		a.mu.Lock()
		a.publicURL = strings.TrimRight(a.cfg.PublicURL, "/")
		a.mu.Unlock()
		a.mount.Do(func() {
			a.cfg.Router.Handle("POST "+ActionPath, http.HandlerFunc(a.onAction))
			a.cfg.Router.Handle("POST "+CommandPath, http.HandlerFunc(a.onCommand))
		})
	} else {
		shutdown, err := a.listenCallbacks(stop, served)
		if err != nil {
			return err
		}
		defer shutdown()
	}
	a.registerCommand(ctx)
	a.log.Info("mattermost connected", "url", a.cfg.URL, "team", a.cfg.Team, "bot", me.Username)
	a.listen(ctx)
	a.saving.Wait()
	select {
	case err := <-served:
		return err
	default:
		return nil
	}
}

// listenCallbacks serves the button and command callbacks on Listen
// until the returned shutdown is called; a server that fails sends its
// error to served and stops the adapter (buttons and /boussole would fail
// silently otherwise).
func (a *Adapter) listenCallbacks(stop context.CancelFunc, served chan<- error) (shutdown func(), err error) {
	ln, err := net.Listen("tcp", a.cfg.Listen)
	if err != nil {
		return nil, fmt.Errorf("listen for mattermost callbacks: %w", err)
	}
	pub := strings.TrimRight(a.cfg.PublicURL, "/")
	if pub == "" {
		pub = "http://" + ln.Addr().String()
	}
	a.mu.Lock()
	a.addr, a.publicURL = ln.Addr(), pub
	a.mu.Unlock()
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+ActionPath, a.onAction)
	mux.HandleFunc("POST "+CommandPath, a.onCommand)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		err := srv.Serve(ln)
		if !errors.Is(err, http.ErrServerClosed) {
			served <- fmt.Errorf("mattermost callbacks server on %s: %w", ln.Addr(), err)
			stop()
		}
	}()
	return func() {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}, nil
}

// check resolves the team and the mediators' channels, listing the valid
// names when one is wrong.
func (a *Adapter) check(ctx context.Context) error {
	if a.cfg.Team == "" {
		if len(a.cfg.MediatorChannels) > 0 {
			return fmt.Errorf("%w: team is required to find the mediators' channels", ErrConfig)
		}
		return nil
	}
	teams, _, err := a.c.GetTeamsForUser(ctx, a.self, "")
	if err != nil {
		return fmt.Errorf("list mattermost teams: %w", err)
	}
	var names []string
	for _, t := range teams {
		names = append(names, t.Name)
		if t.Name == a.cfg.Team || t.Id == a.cfg.Team {
			a.teamID = t.Id
		}
	}
	if a.teamID == "" {
		return fmt.Errorf("%w: mattermost.team: the bot is not in team %q. Possible team values: %s", ErrConfig, a.cfg.Team, strings.Join(names, ", "))
	}
	if len(a.cfg.MediatorChannels) == 0 {
		return nil
	}
	chans, _, err := a.c.GetChannelsForTeamForUser(ctx, a.teamID, a.self, false, "")
	if err != nil {
		return fmt.Errorf("list mattermost channels: %w", err)
	}
	var cnames []string
	for _, c := range chans {
		if c.Type == model.ChannelTypeOpen || c.Type == model.ChannelTypePrivate {
			cnames = append(cnames, c.Name)
		}
	}
	sort.Strings(cnames)
	var errs []error
	for _, want := range a.cfg.MediatorChannels {
		found := false
		for _, c := range chans {
			if (c.Id == want || c.Name == want) && (c.Type == model.ChannelTypeOpen || c.Type == model.ChannelTypePrivate) {
				a.medKey[c.Id], a.medID[want] = want, c.Id
				found = true
			}
		}
		if !found {
			errs = append(errs, fmt.Errorf("%w: mediators' channel %q is not a channel of team %s the bot is in. Possible channel values: %s", ErrConfig, want, a.cfg.Team, strings.Join(cnames, ", ")))
		}
	}
	return errors.Join(errs...)
}

// registerCommand installs /boussole in the team, or reuses the one the
// bot installed before; without the right to, it says how an
// administrator does it.
func (a *Adapter) registerCommand(ctx context.Context) {
	a.mu.Lock()
	url := a.publicURL + CommandPath
	if a.envCmdTok != "" {
		a.cmdTokens = append(a.cmdTokens, a.envCmdTok)
	}
	a.mu.Unlock()
	if a.teamID == "" {
		return
	}
	want := &model.Command{
		TeamId: a.teamID, Trigger: "boussole", Method: model.CommandMethodPost, URL: url, AutoComplete: true,
		DisplayName: "Boussole", AutoCompleteDesc: a.cat.T(a.cfg.Lang, "mattermost_cmd"), AutoCompleteHint: a.cat.T(a.cfg.Lang, "mattermost_cmd_hint"),
		Username: a.selfName,
	}
	var cmd *model.Command
	cmds, _, err := a.c.ListCommands(ctx, a.teamID, true)
	if err == nil {
		for _, c := range cmds {
			if c.Trigger == "boussole" && c.CreatorId == a.self {
				cmd = c
			}
		}
	}
	switch {
	case cmd != nil && cmd.URL != url:
		cmd.URL = url
		cmd, _, err = a.c.UpdateCommand(ctx, cmd)
	case cmd == nil:
		cmd, _, err = a.c.CreateCommand(ctx, want)
	}
	if err != nil || cmd == nil {
		a.log.Warn("/boussole not registered: ask an administrator to create a slash command (trigger boussole, method POST, the request URL given here) and put its token in the environment variable named by mattermost.command_token_env", "request_url", url, "err", err)
		return
	}
	a.mu.Lock()
	a.cmdTokens = append(a.cmdTokens, cmd.Token)
	a.mu.Unlock()
}

// stateKey names the saved moment for this server.
func (a *Adapter) stateKey() string { return "mattermost.seen " + a.cfg.URL }

// resumeFrom is where catch-ups of this run start: the moment an earlier
// run saw the server's posts up to, or now.
func (a *Adapter) resumeFrom(ctx context.Context) int64 {
	now := a.now()
	if a.state == nil {
		return now.UnixMilli()
	}
	v, ok, err := a.state.AdapterState(ctx, a.stateKey())
	if err != nil {
		a.log.Warn("mattermost: where the last run stopped is unknown, posts made meanwhile are not caught up", "err", err)
	}
	seen, perr := strconv.ParseInt(v, 10, 64)
	resumed := ok && perr == nil && seen > 0
	first, err := catchup.FirstRun(ctx, a.state, "mattermost.first "+a.cfg.URL, resumed, now)
	if err != nil {
		a.log.Warn("mattermost: first run not recorded", "err", err)
	}
	if !resumed {
		return now.UnixMilli()
	}
	from := catchup.CatchUpFrom(seen, first, now)
	a.log.Info("mattermost: catching up on the posts made since the last run", "since", time.UnixMilli(from).UTC().Format(time.RFC3339))
	return from
}

// keepSeen saves, while the websocket is open, the moment up to which
// every post was seen, and once more when the adapter stops.
func (a *Adapter) keepSeen(ctx context.Context) {
	if a.state == nil {
		return
	}
	periodic.Every(ctx, a.saveEvery, func(ctx context.Context) {
		a.mu.Lock()
		live := a.live
		a.mu.Unlock()
		if !live {
			return // posts since the disconnection are not seen yet
		}
		if err := a.state.SetAdapterState(ctx, a.stateKey(), strconv.FormatInt(a.now().UnixMilli(), 10)); err != nil {
			a.log.Warn("mattermost: moment seen up to not saved", "err", err)
		}
	})
}

// firstCatchUpDelay is when, after the first connection, posts the new
// websocket may have missed are looked up.
const firstCatchUpDelay = 2 * time.Second

// listen keeps a websocket open until ctx is done.
func (a *Adapter) listen(ctx context.Context) {
	wsURL := "ws" + strings.TrimPrefix(a.cfg.URL, "http")
	delay := a.backoff
	first := true
	for ctx.Err() == nil {
		if !first && a.gate != nil {
			a.gate(ctx)
		}
		ws, err := model.NewWebSocketClient4(wsURL, a.token)
		if err != nil {
			a.log.Warn("mattermost websocket not connected, retrying", "in", delay, "err", err)
			select {
			case <-ctx.Done():
				return
			case <-time.After(delay):
			}
			delay = min(delay*2, 15*time.Second)
			continue
		}
		delay = a.backoff
		ws.Listen()
		a.link.Set(true)
		if first {
			// Catch-ups start where an earlier run stopped seeing posts,
			// or from now: without a saved moment, earlier posts may have
			// been answered by a previous process.
			from := a.resumeFrom(ctx)
			a.mu.Lock()
			if a.aliveAt == 0 {
				a.aliveAt = from
			}
			a.live = true
			a.mu.Unlock()
			a.saving.Add(1)
			go func() { defer a.saving.Done(); a.keepSeen(ctx) }()
			close(a.connected)
			first = false
			// A post made while the server was still registering this
			// websocket is not pushed to it: one catch-up shortly after
			// connecting recovers it (posts already handled are skipped).
			time.AfterFunc(firstCatchUpDelay, func() {
				if ctx.Err() == nil {
					a.catchUp(ctx, from)
				}
			})
		} else {
			a.log.Info("mattermost websocket reconnected, catching up")
			a.catchUp(ctx, 0)
			a.mu.Lock()
			a.live = true
			a.mu.Unlock()
		}
		a.read(ctx, ws)
		a.link.Set(false)
		if ctx.Err() == nil {
			// Disconnected: posts from now on are not seen (on a stop, the
			// moment is saved once more, as seen up to the stop).
			a.mu.Lock()
			a.live = false
			a.mu.Unlock()
		}
		ws.Close()
		if ctx.Err() == nil {
			a.log.Warn("mattermost websocket closed, reconnecting", "err", ws.ListenError)
		}
	}
}

// read handles the events of one websocket until it closes.
func (a *Adapter) read(ctx context.Context, ws *model.WebSocketClient) {
	for {
		select {
		case <-ctx.Done():
			return
		case ev, ok := <-ws.EventChannel:
			if !ok {
				return
			}
			if ev.EventType() == model.WebsocketEventPosted {
				a.onPostedEvent(ev)
			}
		case _, ok := <-ws.ResponseChannel:
			if !ok {
				return
			}
		case <-ws.PingTimeoutChannel:
			return
		}
	}
}

// catchUp hands over the posts made while the websocket was down, in each
// channel the bot is in, oldest first; those already handled are skipped.
// With from set (the first catch-up of a run), every channel is read from
// that moment: a live post seen since the connection says nothing of
// those posted before it, while Boussole was stopped.
func (a *Adapter) catchUp(ctx context.Context, from int64) {
	chans, _, err := a.c.GetChannelsForUserWithLastDeleteAt(ctx, a.self, 0)
	if err != nil {
		a.log.Warn("catch-up: channels not listed", "err", err)
		return
	}
	for _, ch := range chans {
		a.mu.Lock()
		since, ok := a.lastAt[ch.Id]
		if !ok {
			since = a.aliveAt
		}
		if from > 0 {
			since = from
		}
		a.chanType[ch.Id] = string(ch.Type)
		a.mu.Unlock()
		if since == 0 || ch.LastPostAt <= since {
			continue
		}
		list, _, err := a.c.GetPostsSince(ctx, ch.Id, since, false)
		if err != nil {
			a.log.Warn("catch-up: posts not read", "channel", ch.Id, "err", err)
			continue
		}
		var posts []*model.Post
		for _, p := range list.Posts {
			if p.CreateAt > since {
				posts = append(posts, p)
			}
		}
		sort.Slice(posts, func(i, j int) bool { return posts[i].CreateAt < posts[j].CreateAt })
		for _, p := range posts {
			a.onPost(p, string(ch.Type), "", true)
		}
		a.mu.Lock()
		a.caughtUp += len(posts)
		a.mu.Unlock()
	}
}

// Send posts a reply in its conversation: in the thread of the question,
// or, for a mediator, in the thread of the case. A failure is returned so
// the outbox retries; parts already posted are not posted again: this
// process remembers them, and each part carries a pending_post_id derived
// from r.Key that the server de-duplicates for 30 seconds, so that a
// retry soon after a crash (the part was posted, the outbox did not
// record it) does not post it twice either.
func (a *Adapter) Send(ctx context.Context, r bot.Reply) error {
	self := ""
	salt, err := a.pendingSalt(ctx) // keys, and the hash of a case's citizen
	if err != nil {
		return fmt.Errorf("send mattermost post: %w", err)
	}
	if r.Key != "" {
		if self, err = a.selfID(ctx); err != nil {
			return fmt.Errorf("send mattermost post: %w", err)
		}
	}
	a.mu.Lock()
	channel := r.To.Channel
	if id, ok := a.medID[channel]; ok {
		channel = id
	}
	_, isMed := a.medKey[channel]
	changed := false // routing to save once sent
	root := a.roots[r.To]
	casePost := isMed && r.To.User == ""
	if isMed {
		// A new case (with its Claim button) opens a thread; what follows
		// about it, for a mediator or the queue, goes in that thread.
		root = ""
		if r.About != (bot.Address{}) && (!casePost || len(r.Choices) == 0) {
			root = a.caseRootHash[addrHash(salt, r.About)]
		}
		if !casePost {
			// A mediator's answer about no case in particular (a command's
			// result) follows them in the thread they last worked in.
			if root == "" {
				root = a.medLastKey[addrKey(r.To)]
			} else if a.medLastKey[addrKey(r.To)] != root {
				a.medLastKey[addrKey(r.To)] = root
				changed = true
			}
		}
		casePost = casePost && root == ""
	}
	done := 0
	if r.Key != "" {
		done, _ = a.sent.Get(r.Key)
	}
	url := a.publicURL + ActionPath
	a.mu.Unlock()
	step := r.Key
	if step == "" {
		step = model.NewId()
	}
	posts := render(r, channel, root, url, step, !a.cfg.NumberedChoices, a.secret)
	for i := done; i < len(posts); i++ {
		posts[i].PendingPostId = pendingPostID(self, salt, r.Key, i)
		p, _, err := a.c.CreatePost(ctx, posts[i])
		if err != nil {
			return fmt.Errorf("send mattermost post: %w", classify(err))
		}
		a.mu.Lock()
		if r.Key != "" {
			a.sent.Set(r.Key, i+1)
		}
		if casePost && i == 0 && r.About != (bot.Address{}) {
			// The newest case post is the person's thread: a new case
			// of someone who had one before gets its own.
			a.caseRootHash[addrHash(salt, r.About)] = p.Id
			a.caseTh[p.Id] = true
			a.threads = append(a.threads, p.Id)
			changed = true
		}
		a.mu.Unlock()
	}
	if changed {
		a.saveRouting(ctx)
	}
	return nil
}

// saltKey names the database's salt of idempotency keys in the adapter
// state (adapters/internal/salt).
const saltKey = "mattermost.pending_post_id_salt"

func (a *Adapter) pendingSalt(ctx context.Context) (string, error) { return a.salt.Get(ctx) }

// selfID returns the bot's user id, asking the server when Run has not
// yet (the outbox may send before Run connected).
func (a *Adapter) selfID(ctx context.Context) (string, error) {
	a.mu.Lock()
	self := a.self
	a.mu.Unlock()
	if self != "" {
		return self, nil
	}
	me, _, err := a.c.GetMe(ctx, "")
	if err != nil {
		return "", fmt.Errorf("who is the bot: %w", err)
	}
	a.mu.Lock()
	if a.self == "" {
		a.self, a.selfName = me.Id, me.Username
	}
	a.mu.Unlock()
	return me.Id, nil
}

// classify marks Mattermost's permanent refusals (unknown channel, no
// permission, invalid post) as undeliverable; the rest is retried.
func classify(err error) error {
	var ae *model.AppError
	if errors.As(err, &ae) {
		switch ae.StatusCode {
		case http.StatusBadRequest, http.StatusForbidden, http.StatusNotFound:
			return fmt.Errorf("%w: %w", bot.ErrUndeliverable, err)
		}
	}
	return err
}

// directChannel opens (or finds) the DM between the bot and user.
func (a *Adapter) directChannel(ctx context.Context, user string) (string, error) {
	a.mu.Lock()
	self := a.self
	a.mu.Unlock()
	ch, _, err := a.c.CreateDirectChannel(ctx, self, user)
	if err != nil {
		return "", fmt.Errorf("open direct message: %w", err)
	}
	a.mu.Lock()
	a.chanType[ch.Id] = string(model.ChannelTypeDirect)
	a.mu.Unlock()
	return ch.Id, nil
}

// channelType returns the type of channel ("D", "O", "P", "G").
func (a *Adapter) channelType(ctx context.Context, channel string) string {
	a.mu.Lock()
	t, ok := a.chanType[channel]
	a.mu.Unlock()
	if ok {
		return t
	}
	ch, _, err := a.c.GetChannel(ctx, channel)
	if err != nil {
		a.log.Debug("channel lookup failed", "channel", channel, "err", err)
		return ""
	}
	a.mu.Lock()
	a.chanType[channel] = string(ch.Type)
	a.mu.Unlock()
	return string(ch.Type)
}

// userRoles returns user's Mattermost roles (system_user, system_admin…),
// for mediators configured by role.
func (a *Adapter) userRoles(ctx context.Context, user string) []string {
	a.mu.Lock()
	r, ok := a.roles[user]
	a.mu.Unlock()
	if ok {
		return r
	}
	u, _, err := a.c.GetUser(ctx, user, "")
	if err != nil {
		return nil
	}
	r = strings.Fields(u.Roles)
	a.mu.Lock()
	a.roles[user] = r
	a.mu.Unlock()
	return r
}
