package engine

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"time"

	"github.com/boussole/boussole/bot"
	"github.com/boussole/boussole/bot/answer"
	"github.com/boussole/boussole/bot/catalog"
	"github.com/boussole/boussole/bot/llm"
	"github.com/boussole/boussole/bot/mediation"
	"github.com/boussole/boussole/knowledge"
)

// Searcher finds trees and items matching free text, best first, at most
// k. knowledge/search provides the default implementation; a remote index
// or a model-backed re-ranker can sit behind the same interface, which is
// why it takes the turn's context and may fail.
type Searcher interface {
	Search(ctx context.Context, query string, k int) ([]knowledge.Hit, error)
}

// Config tunes the engine. The zero value is usable: see defaults.
type Config struct {
	// Lang is the default language ("fr", "fr-CA", "en").
	Lang string
	// Jurisdiction is where citizens are by default (FR, QC…) when
	// neither their words, nor the content they chose, nor the channel,
	// nor the language (fr-CA) says it; "" means unknown: the bot asks,
	// once, when an answer depends on it.
	Jurisdiction string
	// Jurisdictions set it by platform and channel: platform → channel
	// → jurisdiction, "*" for every channel of a platform (a Québec
	// community's server, a France Services counter's channel).
	Jurisdictions map[string]map[string]string
	// AnswerThreshold is the search confidence above which the bot
	// answers directly. UnsureThreshold is the match (knowledge.Hit.Match)
	// a hit needs to be offered when the bot is not sure; when none of the
	// first hits matches that well, the bot says it did not understand.
	AnswerThreshold float64
	UnsureThreshold float64
	// MaxInputBytes bounds the part of a message the bot reads.
	MaxInputBytes int
	// MissesBeforeMediator is how many misunderstandings in a row make
	// the bot offer a mediator.
	MissesBeforeMediator int
	// LastWords is how many of the citizen's messages go in a case
	// summary.
	LastWords int
	// Mediation configures the hand-off to human mediators; without
	// queues, an escalation is only recorded.
	Mediation mediation.Config
	// ModelBudget bounds how long a turn waits for the language model,
	// all its calls together (Deps.Model); past it the bot answers
	// without. 0 means 4 s.
	ModelBudget time.Duration
}

func (c Config) withDefaults() Config {
	if c.Lang == "" {
		c.Lang = catalog.Default
	}
	def := answer.DefaultPolicy()
	if c.AnswerThreshold == 0 {
		c.AnswerThreshold = def.AnswerThreshold
	}
	if c.UnsureThreshold == 0 {
		c.UnsureThreshold = def.UnsureThreshold
	}
	if c.MaxInputBytes == 0 {
		c.MaxInputBytes = 2000
	}
	if c.MissesBeforeMediator == 0 {
		c.MissesBeforeMediator = 2
	}
	if c.LastWords == 0 {
		c.LastWords = 5
	}
	if c.ModelBudget <= 0 {
		c.ModelBudget = 4 * time.Second
	}
	return c
}

// Deps are the engine's collaborators.
type Deps struct {
	Store   Store
	Catalog *catalog.Catalog
	Logger  *slog.Logger
	// Now is the program's one clock (required): turns, cases and
	// opening hours read the time from it only.
	Now       func() time.Time
	Knowledge *knowledge.Base
	Searcher  Searcher
	// Danger recognises people in danger (required: bot/safety).
	Danger Danger
	// Places reads town names and postal codes (knowledge/places); nil
	// reads none.
	Places Places
	// Towns and Nearby answer « where can I go near me? » (nearby.go);
	// with Towns nil the bot does not read such requests, with Nearby nil
	// or empty it says it has no list of places.
	Towns  Towns
	Nearby Nearby
	// Model is the optional language model (model.go); nil: none.
	Model Model
	// Tallied, when set, gets the tallies of each turn once its
	// transaction committed (the process's metrics); it must not block.
	Tallied func([]bot.Tally)
}

// Places says where a message's words place the person: a town, a
// postal code.
type Places interface {
	// Locate returns the jurisdiction the words name (FR, QC…; "" when
	// they name no place or places on both sides) and the message's
	// folded words without the place and the words introducing it.
	Locate(ctx context.Context, text string) (jurisdiction, rest string, err error)
}

// snapshot is one consistent view of the knowledge: a conversation turn
// reads one snapshot from start to end, so publishing new knowledge never
// mixes two versions within a turn.
type snapshot struct {
	base     *knowledge.Base
	search   Searcher
	versions map[string]int // tree id → published version in force
}

// Engine turns incoming messages into replies. It is safe for concurrent
// use, but messages of one conversation must be handled one at a time
// (the Runner does that).
type Engine struct {
	cfg    Config
	store  Store
	med    MediationStore
	cat    *catalog.Catalog
	log    *slog.Logger
	now    func() time.Time
	danger Danger
	places Places
	towns  Towns
	nearby Nearby
	model  Model
	zones  zones
	snap   atomic.Pointer[snapshot]

	// policy decides what to do with search hits.
	policy answer.Policy
	// words are the words the engine recognises (catalogue).
	words words
	// grammar reads mediators' commands.
	grammar *mediation.Grammar
	// marker holds each language's marker words (messageLang).
	marker map[string]map[string]bool
	// onTally gets each committed turn's tallies (Deps.Tallied).
	onTally func([]bot.Tally)
}

// New returns an engine and publishes the knowledge's trees so that new
// conversations use their latest version.
func New(ctx context.Context, cfg Config, d Deps) (*Engine, error) {
	if d.Store == nil || d.Catalog == nil || d.Knowledge == nil || d.Searcher == nil || d.Now == nil || d.Danger == nil {
		return nil, errors.New("new engine: Store, Catalog, Knowledge, Searcher, Now and Danger are required")
	}
	cfg = cfg.withDefaults()
	if !d.Catalog.Supported(cfg.Lang) && !d.Catalog.Supported(langBase(cfg.Lang)) {
		return nil, fmt.Errorf("new engine: unsupported language %q (have %s)", cfg.Lang, strings.Join(d.Catalog.Langs(), ", "))
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	g, err := mediation.NewGrammar(d.Catalog)
	if err != nil {
		return nil, fmt.Errorf("new engine: %w", err)
	}
	w, err := readWords(d.Catalog)
	if err != nil {
		return nil, fmt.Errorf("new engine: %w", err)
	}
	z, err := loadZones()
	if err != nil {
		return nil, fmt.Errorf("new engine: %w", err)
	}
	e := &Engine{cfg: cfg, onTally: d.Tallied, store: d.Store, med: d.Store, cat: d.Catalog, log: d.Logger, now: d.Now, danger: d.Danger, places: d.Places,
		towns: d.Towns, nearby: d.Nearby, model: d.Model,
		policy: answer.Policy{AnswerThreshold: cfg.AnswerThreshold, UnsureThreshold: cfg.UnsureThreshold},
		words:  w, grammar: g, marker: markerWords(d.Catalog), zones: z}
	if err := e.SetKnowledge(ctx, d.Knowledge, d.Searcher); err != nil {
		return nil, err
	}
	return e, nil
}

// SetKnowledge publishes b's trees (a new immutable version for each tree
// whose content changed) and makes b the knowledge for new conversations.
// Conversations under way keep the tree versions they started with.
func (e *Engine) SetKnowledge(ctx context.Context, b *knowledge.Base, s Searcher) error {
	versions := make(map[string]int, len(b.Trees))
	for _, t := range b.Trees {
		v, err := e.store.PublishTree(ctx, t)
		if err != nil {
			return fmt.Errorf("publish tree %s: %w", t.ID, err)
		}
		versions[t.ID] = v
	}
	e.snap.Store(&snapshot{base: b, search: s, versions: versions})
	return nil
}

// tree returns the pinned version of a conversation's tree: the current
// knowledge's when it is that version, else the published version from
// the store (which keeps a bounded cache of decoded versions: one cache,
// bounded, for the rare conversations started on an older version).
func (e *Engine) tree(ctx context.Context, snap *snapshot, id string, v int) (*knowledge.Tree, error) {
	if snap.versions[id] == v {
		if t, ok := snap.base.Tree(id); ok {
			return t, nil
		}
	}
	t, err := e.store.TreeVersion(ctx, id, v)
	if err != nil {
		return nil, fmt.Errorf("load tree %s version %d: %w", id, v, err)
	}
	return t, nil
}

// Respond handles one incoming message: it stores the new conversation
// state, the turns and the replies (queued in the outbox) in one
// transaction, and returns the replies. The Runner's dispatcher sends
// them; callers that only read replies (conversation tests) may ignore the
// outbox.
func (e *Engine) Respond(ctx context.Context, in bot.Incoming) ([]bot.Reply, error) {
	hs, _ := e.store.(HandledStore)
	tx, ok := e.store.(Transactional)
	if !ok {
		// Without transactions: looked up before, marked after (a crash in
		// between answers the message again rather than never).
		if hs != nil && in.ID != "" {
			if done, err := hs.Handled(ctx, in.Address.Platform, in.ID); err != nil {
				return nil, fmt.Errorf("look up handled message: %w", err)
			} else if done {
				return nil, nil
			}
		}
		replies, tallies, err := e.respond(ctx, in, e.now())
		if err == nil && hs != nil && in.ID != "" {
			if err := hs.MarkHandled(ctx, in.Address.Platform, in.ID); err != nil {
				e.log.WarnContext(ctx, "message not marked handled", "platform", in.Address.Platform, "err", err)
			}
		}
		if err == nil {
			e.tallied(tallies)
		}
		return replies, err
	}
	var (
		replies []bot.Reply
		tallies []bot.Tally
	)
	// One time for every attempt of the turn (model.go runs it again).
	now := e.now()
	turn := func(ctx context.Context, last bool, memo *llm.Memo) error {
		return tx.InTx(ctx, func(ctx context.Context) error {
			var err error
			replies, tallies, err = e.respondOnce(ctx, in, hs, now)
			if err == nil && !last && memo != nil && memo.Pending() > 0 {
				return errModelPending
			}
			return err
		})
	}
	var err error
	if e.model == nil {
		err = turn(ctx, true, nil)
	} else {
		memo := llm.NewMemo()
		err = e.respondWithModel(ctx, func(ctx context.Context, last bool) error { return turn(ctx, last, memo) }, memo)
	}
	if err != nil {
		return nil, err
	}
	// Counted once committed: the last attempt's are the turn's.
	e.tallied(tallies)
	return replies, nil
}

// tallied hands a committed turn's tallies to the metrics, if any.
func (e *Engine) tallied(ts []bot.Tally) {
	if e.onTally != nil && len(ts) > 0 {
		e.onTally(ts)
	}
}

// respondOnce is one attempt of a turn in its transaction.
func (e *Engine) respondOnce(ctx context.Context, in bot.Incoming, hs HandledStore, now time.Time) ([]bot.Reply, []bot.Tally, error) {
	// A message with a platform id is handled once: checked and marked
	// in the turn's transaction, so a crash after the commit (or a second
	// process given the same message) never answers it twice, and a crash
	// before it answers it again.
	if hs != nil && in.ID != "" {
		claimed, err := hs.ClaimHandled(ctx, in.Address.Platform, in.ID)
		if err != nil {
			return nil, nil, fmt.Errorf("claim handled message: %w", err)
		}
		if !claimed {
			return nil, nil, nil
		}
	}
	return e.respond(ctx, in, now)
}

// respond is one turn; with a Transactional store, ctx carries its
// transaction and every store call below is part of it.
func (e *Engine) respond(ctx context.Context, in bot.Incoming, now time.Time) ([]bot.Reply, []bot.Tally, error) {
	conv, err := e.store.Conversation(ctx, in.Address)
	isNew := errors.Is(err, bot.ErrNoConversation)
	switch {
	case isNew:
		conv = bot.Conversation{Address: in.Address, State: bot.StateIdle, Lang: e.startLang(in), CreatedAt: now}
	case err != nil:
		return nil, nil, fmt.Errorf("load conversation: %w", err)
	}
	t := &turn{e: e, ctx: ctx, snap: e.snap.Load(), conv: conv, in: in, now: now}
	t.usage.begin(conv)
	t.tallyVisit(conv, isNew)
	if err := t.run(); err != nil {
		return nil, nil, err
	}
	for i := range t.replies {
		if t.replies[i].To == (bot.Address{}) {
			t.replies[i].To = in.Address
		}
	}
	for _, n := range in.Notices {
		if n.To.Platform == in.Address.Platform && n.Text != "" {
			t.replies = append([]bot.Reply{n}, t.replies...)
		}
	}
	if t.forgotten {
		// Nothing of the conversation is stored any more; only the
		// confirmation waits in the outbox until it is sent.
		if err := e.store.Enqueue(ctx, t.replies); err != nil {
			return nil, nil, fmt.Errorf("queue replies: %w", err)
		}
		if err := t.storeTallies(); err != nil {
			return nil, nil, err
		}
		return t.replies, t.tallies, nil
	}
	t.conv.UpdatedAt = now
	caseID := cmp.Or(t.caseID, t.conv.CaseID)
	// A citizen's own messages about their case already say so (relays
	// carry About); a mediator's replies to themselves do not.
	if caseID != 0 && t.e.cfg.Mediation.IsMediatorIn(in) {
		if err := t.tagAbout(caseID); err != nil {
			return nil, nil, err
		}
	}
	// The citizen's words are kept for the mediator's summary; what the
	// bot said is in the outbox (until the retention period), not stored
	// twice.
	var turns []bot.Turn
	if t.text != "" {
		turns = []bot.Turn{{Address: in.Address, Text: t.text, At: now, CaseID: caseID, Relayed: t.forCase}}
	}
	if err := e.store.Commit(ctx, t.conv, turns, t.replies); err != nil {
		return nil, nil, fmt.Errorf("save conversation: %w", err)
	}
	if err := t.recordUsage(); err != nil {
		return nil, nil, err
	}
	if err := t.storeTallies(); err != nil {
		return nil, nil, err
	}
	return t.replies, t.tallies, nil
}

func (e *Engine) startLang(in bot.Incoming) string {
	if in.Lang != "" && (e.cat.Supported(in.Lang) || e.cat.Supported(langBase(in.Lang))) {
		return in.Lang
	}
	return e.cfg.Lang
}

func langBase(l string) string {
	if i := strings.IndexAny(l, "-_"); i > 0 {
		return l[:i]
	}
	return l
}

// Sorry is the reply sent when a turn fails (storage down, …): the
// citizen is told, in their language, to try again.
func (e *Engine) Sorry(a bot.Address) bot.Reply {
	return bot.Reply{To: a, Text: e.cat.T(e.cfg.Lang, "sorry")}
}

// Welcome is the greeting shown when a local chat opens.
func (e *Engine) Welcome() string { return e.cat.T(e.cfg.Lang, "welcome") }

// tagAbout marks the turn's messages to anyone but the case's citizen
// (mediators, queues) as being about that citizen: erasing them erases
// those messages too while they wait in the outbox.
func (t *turn) tagAbout(caseID int64) error {
	c, err := t.e.store.Case(t.ctx, caseID)
	if errors.Is(err, knowledge.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("load case %d: %w", caseID, err)
	}
	for i, r := range t.replies {
		if r.About == (bot.Address{}) && r.To != c.Address {
			t.replies[i].About = c.Address
		}
	}
	return nil
}
