// Package discord connects Boussole to Discord: citizens write to the bot
// in direct messages, by mentioning it or with the /boussole command in a
// server (the conversation then continues in a private thread or a DM),
// and mediators take cases from a mediators' channel with a Claim button
// and talk to the citizen through a private thread of that channel.
//
// discord.go holds the configuration, connection and sending;
// handlers.go translates gateway events; helpers.go the pure rendering and
// parsing helpers.
package discord

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"

	"github.com/boussole/boussole/adapters/adapterdeps"
	"github.com/boussole/boussole/adapters/internal/catchup"
	"github.com/boussole/boussole/adapters/internal/link"
	"github.com/boussole/boussole/adapters/internal/recent"
	"github.com/boussole/boussole/adapters/internal/salt"
	"github.com/boussole/boussole/bot"
	"github.com/boussole/boussole/bot/catalog"
	"github.com/boussole/boussole/bot/mediation"
)

// Platform is the platform name of Discord addresses.
const Platform = "discord"

// Private modes: where a question asked in a public channel continues.
const (
	PrivateThread = "thread"
	PrivateDM     = "dm"
)

// ErrConfig is wrapped by configuration errors (missing token, unknown
// guild or channel).
var ErrConfig = errors.New("discord configuration")

// Config configures the adapter: Settings.Config builds it from the
// configuration file; an empty field takes its DefaultSettings value. The
// bot token is never in it: it is read from the environment variable
// TokenEnv.
type Config struct {
	// TokenEnv, GuildIDs and PrivateMode are as in Settings.
	TokenEnv    string
	GuildIDs    []string
	PrivateMode string
	// ShardID and ShardCount are as in Settings (0 of 1: no sharding).
	ShardID, ShardCount int
	// MediatorChannels are the channel ids of mediators' queues on
	// Discord; a mediator's relay happens in a private thread of them.
	MediatorChannels []string
	// Lang is the language of the adapter's own notices (default fr).
	Lang string
	// APIBase is as in Settings ("": Discord's own).
	APIBase string
}

// Deps are the adapter's collaborators (HTTPClient: default
// http.DefaultClient; State: the moment and the private places to read
// back after a restart).
type Deps = adapterdeps.Deps

// Adapter is the Discord adapter.
type Adapter struct {
	cfg Config
	log *slog.Logger
	cat *catalog.Catalog
	now func() time.Time
	s   *discordgo.Session

	mu       sync.Mutex
	h        bot.Handler
	ctx      context.Context
	self     string
	appID    string
	seen     *recent.Set                  // event ids already handled
	sent     *recent.Set                  // reply key → parts already posted
	looked   *recent.Set                  // channels whose kind was looked up
	commands *mediation.Grammar           // reads mediators' commands (role look-ups)
	roles    map[string]map[string]string // guild → role id → name
	// dmRoles are the role names users hold in the configured guilds,
	// looked up for direct messages (which carry none).
	dmRoles map[string]heldRoles

	salt *salt.Salt // of idempotency keys, per database

	threadMu   sync.Mutex           // serialises thread creation
	citizenTh  map[[2]string]string // (channel, user) → citizen's thread
	threadUser map[string]string    // citizen's thread → its citizen
	medTh      map[[2]string]string // (mediators' channel, user) → thread
	medParent  map[string][2]string // mediator's thread → (channel, user)
	medChans   map[string]bool

	// retry is the first delay before connecting again when the gateway
	// cannot be reached; it doubles up to maxRetry.
	retry time.Duration

	state     catchup.StateStore // nil: no catch-up after a restart
	places    map[string]watched // private places, for the catch-up
	saveEvery time.Duration
	down      int64          // Unix ms the gateway connection was lost, 0 while up
	first     int64          // Unix ms of the first run with this store (catchup.FirstRun)
	live      bool           // the start-up catch-up is done: later READYs read back
	bg        sync.WaitGroup // read-backs after a new session
	link      *link.Link     // connected to the gateway now
}

var _ bot.Adapter = (*Adapter)(nil)

// maxRetry bounds the delay between two connection attempts.
const maxRetry = time.Minute

// keep bounds the memories of events and sent keys: duplicates and
// retries come within minutes, far fewer than this.
const keep = 8192

// New checks the configuration and prepares the session; Run connects.
func New(cfg Config, d Deps) (*Adapter, error) {
	cfg = cfg.withDefaults()
	if err := errors.Join(checkPrivateMode(cfg.PrivateMode), checkShard(cfg.ShardID, cfg.ShardCount)); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrConfig, err)
	}
	if cfg.Lang == "" {
		cfg.Lang = catalog.Default
	}
	d, err := d.Checked()
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrConfig, err)
	}
	token, err := d.Token(cfg.TokenEnv)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrConfig, err)
	}
	token = strings.TrimPrefix(token, "Bot ")
	if d.HTTPClient, err = withAPIBase(cfg.APIBase, d.HTTPClient); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrConfig, err)
	}
	s, err := discordgo.New("Bot " + token)
	if err != nil {
		return nil, fmt.Errorf("create discord session: %w", err)
	}
	if d.HTTPClient != nil {
		s.Client = d.HTTPClient
	}
	// discordgo sends shard [ShardID, ShardCount] in IDENTIFY when the
	// count is above 1; Discord then sends this session the events of the
	// guilds whose (id >> 22) % count is ShardID, and those without a
	// guild (DMs) to shard 0.
	s.ShardID, s.ShardCount = cfg.ShardID, cfg.ShardCount
	s.Identify.Intents = discordgo.IntentsGuildMessages | discordgo.IntentsDirectMessages | discordgo.IntentsMessageContent
	// Handlers run in the gateway's order; they only translate, ack and
	// enqueue, the turns run elsewhere.
	s.SyncEvents = true
	s.StateEnabled = false
	s.LogLevel = discordgo.LogError
	commands, err := mediation.NewGrammar(d.Catalog)
	if err != nil {
		return nil, fmt.Errorf("discord: %w", err)
	}
	a := &Adapter{
		cfg: cfg, log: d.Logger, cat: d.Catalog, now: d.Now, s: s, commands: commands,
		seen: recent.New(keep), sent: recent.New(keep), looked: recent.New(keep),
		roles: map[string]map[string]string{}, dmRoles: map[string]heldRoles{}, citizenTh: map[[2]string]string{}, threadUser: map[string]string{},
		medTh: map[[2]string]string{}, medParent: map[string][2]string{}, medChans: map[string]bool{}, retry: time.Second,
		state: d.State, salt: salt.New(d.State, saltKey), places: map[string]watched{}, saveEvery: 30 * time.Second,
		link: link.New(Platform, d.Connection),
	}
	for _, c := range cfg.MediatorChannels {
		a.medChans[c] = true
	}
	return a, nil
}

// Name implements bot.Adapter.
func (a *Adapter) Name() string { return Platform }

// IsConnected reports whether a gateway session is open now (readiness):
// false before the first READY, between a disconnect and the session
// resumed or opened again, and once Run returned.
func (a *Adapter) IsConnected() bool { return a.link.Up() }

func addr(channel, user string) bot.Address {
	return bot.Address{Platform: Platform, Channel: channel, User: user}
}

// Run connects to the gateway, checks the configured guilds and channels,
// registers /boussole and hands events to h until ctx is done. discordgo
// resumes or reconnects after a disconnect.
func (a *Adapter) Run(ctx context.Context, h bot.Handler) error {
	a.mu.Lock()
	a.h, a.ctx = h, ctx
	a.mu.Unlock()
	ready := make(chan struct{}, 1)
	defer a.s.AddHandler(func(_ *discordgo.Session, r *discordgo.Ready) {
		a.mu.Lock()
		if r.User != nil {
			a.self = r.User.ID
			a.appID = r.User.ID
		}
		if r.Application != nil && r.Application.ID != "" {
			a.appID = r.Application.ID
		}
		a.mu.Unlock()
		a.link.Set(true)
		a.back(ctx, true)
		select {
		case ready <- struct{}{}:
		default:
		}
	})()
	defer a.s.AddHandler(func(_ *discordgo.Session, _ *discordgo.Disconnect) { a.link.Set(false); a.lost() })()
	defer a.s.AddHandler(func(_ *discordgo.Session, _ *discordgo.Resumed) { a.link.Set(true); a.back(ctx, false) })()
	// Once Run returns, the gateway is not listened to.
	defer a.link.Set(false)
	defer a.s.AddHandler(func(_ *discordgo.Session, m *discordgo.MessageCreate) { a.onMessage(m.Message, false) })()
	defer a.s.AddHandler(func(_ *discordgo.Session, i *discordgo.InteractionCreate) { a.onInteraction(i.Interaction) })()
	if err := a.open(ctx); err != nil {
		return stopped(ctx, err)
	}
	defer func() {
		_ = a.s.Close()
		a.bg.Wait()
	}()
	select {
	case <-ready:
	case <-ctx.Done():
		return nil
	}
	if err := a.check(ctx); err != nil {
		return stopped(ctx, err)
	}
	if a.cfg.ShardID == 0 {
		// One registration is enough (it is a REST call, not tied to a
		// shard), and replicas overwriting each other's would race.
		if err := a.registerCommands(ctx); err != nil {
			return stopped(ctx, err)
		}
	}
	if a.state != nil {
		a.catchUp(ctx)
		a.mu.Lock()
		a.live = true
		a.mu.Unlock()
		saved := make(chan struct{})
		go func() { defer close(saved); a.keepSeen(ctx) }()
		defer func() { <-saved }()
	}
	a.log.Info("discord connected", "guilds", len(a.cfg.GuildIDs), "private_mode", a.cfg.PrivateMode, "shard", a.cfg.ShardID, "shards", a.cfg.ShardCount)
	<-ctx.Done()
	return nil
}

// check verifies the configured guilds and mediators' channels, listing
// what the bot can see when one is wrong.
func (a *Adapter) check(ctx context.Context) error {
	if len(a.cfg.GuildIDs) == 0 && len(a.cfg.MediatorChannels) == 0 {
		return nil
	}
	guilds, err := a.s.UserGuilds(200, "", "", false, discordgo.WithContext(ctx))
	if err != nil {
		return fmt.Errorf("list discord servers: %w", err)
	}
	var names, ids []string
	for _, g := range guilds {
		names = append(names, fmt.Sprintf("%q (%s)", g.Name, g.ID))
		ids = append(ids, g.ID)
	}
	var errs []error
	for _, g := range a.cfg.GuildIDs {
		if !slices.Contains(ids, g) {
			errs = append(errs, fmt.Errorf("%w: discord.guild_ids: the bot is not in server %q. Possible guild values: %s", ErrConfig, g, strings.Join(names, ", ")))
		}
	}
	if len(a.cfg.MediatorChannels) > 0 {
		search := a.cfg.GuildIDs
		if len(search) == 0 {
			search = ids
		}
		var chans []string
		found := map[string]bool{}
		for _, g := range search {
			if !slices.Contains(ids, g) {
				continue
			}
			cs, err := a.s.GuildChannels(g, discordgo.WithContext(ctx))
			if err != nil {
				return fmt.Errorf("list channels of discord server %s: %w", g, err)
			}
			for _, c := range cs {
				if c.Type == discordgo.ChannelTypeGuildText {
					chans = append(chans, fmt.Sprintf("#%s (%s)", c.Name, c.ID))
					found[c.ID] = true
				}
			}
		}
		for _, c := range a.cfg.MediatorChannels {
			if !found[c] {
				errs = append(errs, fmt.Errorf("%w: mediators' channel %q is not a text channel the bot can see. Possible channel values: %s", ErrConfig, c, strings.Join(chans, ", ")))
			}
		}
	}
	return errors.Join(errs...)
}

// open connects to the gateway. A network failure or a server error is
// retried with a growing delay (Boussole may start before the network, or
// during a Discord outage) until ctx is done; a refusal that a retry
// cannot fix (wrong token, intents not allowed) is returned at once.
func (a *Adapter) open(ctx context.Context) error {
	delay := a.retry
	for {
		err := a.s.Open()
		if err == nil {
			return nil
		}
		if permanent(err) {
			return fmt.Errorf("connect to discord gateway: %w", err)
		}
		a.log.Warn("discord gateway not reachable, retrying", "in", delay, "err", err)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(delay):
		}
		delay = min(2*delay, maxRetry)
	}
}

// permanent reports a connection failure that retrying cannot fix: the
// gateway closing with an authentication, sharding or intents error, or
// the API refusing the token.
func permanent(err error) bool {
	var ce *websocket.CloseError
	if errors.As(err, &ce) {
		return ce.Code == 4004 || (ce.Code >= 4010 && ce.Code <= 4014)
	}
	var re *discordgo.RESTError
	if errors.As(err, &re) && re.Response != nil {
		return re.Response.StatusCode == http.StatusUnauthorized || re.Response.StatusCode == http.StatusForbidden
	}
	return false
}

// stopped returns err, or nil when it comes from ctx being cancelled: a
// stop asked for while starting is not a failure to start.
func stopped(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return nil
	}
	return err
}

// registerCommands installs /boussole in each configured guild, or
// globally.
func (a *Adapter) registerCommands(ctx context.Context) error {
	cmd := command(a.cfg.Lang, func(lang, key string) string { return a.cat.T(lang, key) })
	a.mu.Lock()
	app := a.appID
	a.mu.Unlock()
	guilds := a.cfg.GuildIDs
	if len(guilds) == 0 {
		guilds = []string{""}
	}
	for _, g := range guilds {
		if _, err := a.s.ApplicationCommandBulkOverwrite(app, g, []*discordgo.ApplicationCommand{cmd}, discordgo.WithContext(ctx)); err != nil {
			return fmt.Errorf("register /boussole command (server %q): %w", g, err)
		}
	}
	return nil
}

// Send posts a reply: to the channel of its address (a DM, a citizen's
// thread, a mediators' channel), or, for a mediator in a mediators'
// channel, to their private thread there. A failure is returned so the
// outbox retries; parts already posted are not posted again: this process
// remembers them, and each part carries a nonce derived from r.Key that
// Discord itself de-duplicates for a few minutes, so that a retry after a
// crash (the part was posted, the outbox did not record it) does not post
// it twice either.
func (a *Adapter) Send(ctx context.Context, r bot.Reply) error {
	channel := r.To.Channel
	if r.To.User != "" && a.medChans[channel] {
		th, err := a.mediatorThread(ctx, channel, r.To.User)
		if err != nil {
			return fmt.Errorf("open mediator thread: %w", classify(err))
		}
		channel = th
	}
	msgs := render(r, a.cat.T(a.cfg.Lang, "discord_choose"))
	if r.ReplyTo != "" {
		// Under the message it answers; a question deleted meanwhile
		// must not stop the notice.
		msgs[0].Reference = &discordgo.MessageReference{MessageID: r.ReplyTo, ChannelID: channel, FailIfNotExists: new(false)}
	}
	done := 0
	salt := ""
	if r.Key != "" {
		a.mu.Lock()
		done, _ = a.sent.Get(r.Key)
		a.mu.Unlock()
		var err error
		if salt, err = a.nonceSalt(ctx); err != nil {
			return fmt.Errorf("send discord message: %w", err)
		}
	}
	for i := done; i < len(msgs); i++ {
		if _, err := a.post(ctx, channel, msgs[i], nonce(salt, r.Key, i)); err != nil {
			if channel != r.To.Channel && unknownChannel(err) {
				// The mediator's thread was deleted: forgotten, the
				// outbox's retry opens another.
				if ferr := a.forgetThread(ctx, r.To.Channel, r.To.User, channel); ferr != nil {
					a.log.Warn("discord: deleted mediator thread not forgotten", "thread", channel, "err", ferr)
				}
				return fmt.Errorf("send discord message: the mediator's thread is gone: %w", err)
			}
			return fmt.Errorf("send discord message: %w", classify(err))
		}
		if r.Key != "" {
			a.mu.Lock()
			a.sent.Set(r.Key, i+1)
			a.mu.Unlock()
		}
	}
	return nil
}

// saltKey names the database's salt of idempotency keys in the adapter
// state (adapters/internal/salt).
const saltKey = "discord.nonce_salt"

func (a *Adapter) nonceSalt(ctx context.Context) (string, error) { return a.salt.Get(ctx) }

// messageCreate is the body of Create Message: discordgo v0.29.0's
// MessageSend has no nonce nor enforce_nonce field, so they are added
// here (the embedded struct's fields are marshalled inline).
type messageCreate struct {
	*discordgo.MessageSend
	Nonce        string `json:"nonce,omitempty"`
	EnforceNonce bool   `json:"enforce_nonce,omitempty"`
}

// post creates message m in channel with nonce as its idempotency key
// ("": none). Discord documents (Create Message, JSON params, in
// discord/discord-api-docs developers/resources/message.mdx; change log
// of 12 February 2024 « Enforced Nonces on Create Message Endpoint »):
// nonce is "up to 25 characters", and with enforce_nonce "if true and
// nonce is present, it will be checked for uniqueness in the past few
// minutes. If another message was created by the same author with the
// same nonce, that message will be returned and no new message will be
// created." The window is not specified beyond "a few minutes".
//
// m carries neither files nor the deprecated Embed field (render makes
// neither), which ChannelMessageSendComplex would have handled.
func (a *Adapter) post(ctx context.Context, channel string, m *discordgo.MessageSend, nonce string) (*discordgo.Message, error) {
	if nonce == "" {
		return a.s.ChannelMessageSendComplex(channel, m, discordgo.WithContext(ctx))
	}
	endpoint := discordgo.EndpointChannelMessages(channel)
	body, err := a.s.RequestWithBucketID(http.MethodPost, endpoint, messageCreate{MessageSend: m, Nonce: nonce, EnforceNonce: true}, endpoint, discordgo.WithContext(ctx))
	if err != nil {
		return nil, err
	}
	var msg discordgo.Message
	if err := discordgo.Unmarshal(body, &msg); err != nil {
		return nil, fmt.Errorf("%w: %w", discordgo.ErrJSONUnmarshal, err)
	}
	return &msg, nil
}

// classify marks Discord's permanent refusals (unknown channel, missing
// access, user who blocked DMs) as undeliverable; the rest is retried.
func classify(err error) error {
	var re *discordgo.RESTError
	if errors.As(err, &re) && re.Response != nil {
		switch re.Response.StatusCode {
		case http.StatusBadRequest, http.StatusForbidden, http.StatusNotFound:
			return fmt.Errorf("%w: %w", bot.ErrUndeliverable, err)
		}
	}
	return err
}

// mediatorThread returns the private thread of channel where user's relay
// happens, creating it the first time (threads.go: shared by replicas).
func (a *Adapter) mediatorThread(ctx context.Context, channel, user string) (string, error) {
	a.threadMu.Lock()
	defer a.threadMu.Unlock()
	k := [2]string{channel, user}
	a.mu.Lock()
	th, ok := a.medTh[k]
	a.mu.Unlock()
	if ok {
		return th, nil
	}
	th, err := a.sharedThread(ctx, channel, user, a.cat.T(a.cfg.Lang, "discord_mediator_thread"))
	if err != nil {
		return "", err
	}
	a.mu.Lock()
	a.medTh[k] = th
	a.medParent[th] = k
	a.mu.Unlock()
	return th, nil
}

// citizenPlace returns where a citizen who wrote in a public channel
// continues: their private thread there or their DM channel, and the
// notice saying so.
func (a *Adapter) citizenPlace(ctx context.Context, channel, user, lang string) (place, notice string, err error) {
	if lang == "" {
		lang = a.cfg.Lang
	}
	dm := func() (string, string, error) {
		ch, err := a.s.UserChannelCreate(user, discordgo.WithContext(ctx))
		if err != nil {
			return "", "", fmt.Errorf("open direct message: %w", err)
		}
		return ch.ID, a.cat.T(lang, "discord_moved_dm"), nil
	}
	if a.cfg.PrivateMode == PrivateDM {
		return dm()
	}
	a.threadMu.Lock()
	defer a.threadMu.Unlock()
	k := [2]string{channel, user}
	a.mu.Lock()
	th, ok := a.citizenTh[k]
	a.mu.Unlock()
	if !ok {
		th, err = a.sharedThread(ctx, channel, user, a.cat.T(lang, "discord_thread_name"))
		if err != nil {
			// No right to open threads here: a DM is private too.
			a.log.Warn("private thread not created, answering in a direct message", "channel", channel, "err", err)
			return dm()
		}
		a.mu.Lock()
		a.citizenTh[k] = th
		a.threadUser[th] = user
		a.mu.Unlock()
	}
	return th, a.cat.T(lang, "discord_moved_thread", "place", "<#"+th+">"), nil
}
