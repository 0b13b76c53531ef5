package engine_test

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/boussole/boussole/bot"
	"github.com/boussole/boussole/bot/catalog"
	"github.com/boussole/boussole/bot/delivery"
	"github.com/boussole/boussole/bot/delivery/deliverytest"
	"github.com/boussole/boussole/bot/engine"
	"github.com/boussole/boussole/bot/mediation"
	"github.com/boussole/boussole/bot/safety"
	"github.com/boussole/boussole/bot/store"
	"github.com/boussole/boussole/knowledge"
	"github.com/boussole/boussole/knowledge/search"
)

const itemsYAML = `
- id: cni-demande
  kind: procedure
  title: Carte d'identité - première demande ou renouvellement
  summary: Faire ou refaire sa carte nationale d'identité.
  where:
    online: [{label: Pré-demande ANTS, url: "https://ants.gouv.fr/"}]
    office: mairie équipée d'un dispositif de recueil
  documents: [Photo d'identité, Justificatif de domicile]
  cost: Gratuit
  keywords: [cni, renouveler]
  sources: ["https://www.service-public.fr/particuliers/vosdroits/F1342"]
  reviewed: 2026-10-01
- id: cni-perte
  kind: procedure
  title: Carte d'identité perdue
  summary: Déclarer la perte et refaire sa carte.
  where:
    office: mairie équipée d'un dispositif de recueil
  documents: [Photo d'identité]
  cost: 25 € en timbre fiscal
  keywords: [cni, perdu, perte]
  sources: ["https://www.service-public.fr/particuliers/vosdroits/F1341"]
  reviewed: 2026-10-02
- id: passeport
  kind: procedure
  title: Passeport
  summary: Demander un passeport.
  where:
    office: mairie équipée d'un dispositif de recueil
  cost: 86 €
  sources: ["https://www.service-public.fr/particuliers/vosdroits/F1343"]
  reviewed: 2026-10-03
- id: apl
  kind: program
  title: Aides au logement (APL)
  summary: Une aide de la CAF pour payer le loyer.
  where:
    online: [{label: Simulation et demande sur caf.fr, url: "https://www.caf.fr/"}]
  keywords: [apl, loyer, logement]
  sources: ["https://www.service-public.fr/particuliers/vosdroits/F12006"]
  reviewed: 2026-10-04
`

const treeYAML = `
id: papiers
title: Papiers d'identité
triggers: [papiers, "pièce d'identité"]
start: quel-document
nodes:
  quel-document:
    ask: Quel document vous faut-il ?
    choices:
      - {label: Carte d'identité, next: situation-cni, keywords: [cni]}
      - {label: Passeport, answer: passeport}
      - {label: Je ne sais pas, escalate: papiers}
  situation-cni:
    ask: Quelle est votre situation ?
    choices:
      - {label: Première demande ou renouvellement, answer: cni-demande, keywords: [renouveler]}
      - {label: Perte ou vol, answer: cni-perte, keywords: [perdu, perdue, vole]}
`

func fixture(t testing.TB, tree string) *knowledge.Base {
	t.Helper()
	items, err := knowledge.ParseItems("items.yaml", []byte(itemsYAML))
	if err != nil {
		t.Fatal(err)
	}
	tr, err := knowledge.ParseTree("tree.yaml", []byte(tree))
	if err != nil {
		t.Fatal(err)
	}
	b := knowledge.NewBase(items, []*knowledge.Tree{tr}, [][]string{{"cni", "carte nationale d'identité"}})
	if p := knowledge.Validate(b); len(p) > 0 {
		t.Fatal(p)
	}
	return b
}

type harness struct {
	t      testing.TB
	path   string
	store  *store.Store
	engine *engine.Engine
	now    time.Time
}

func newHarness(t testing.TB, path string, b *knowledge.Base) *harness {
	t.Helper()
	if path == "" {
		path = filepath.Join(t.TempDir(), "b.db")
	}
	ctx := context.Background()
	h := &harness{t: t, path: path, now: time.Date(2026, 11, 16, 10, 0, 0, 0, time.UTC)}
	st, err := store.Open(ctx, path, store.Options{Clock: h.clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	h.store = st
	cat, err := catalog.New()
	if err != nil {
		t.Fatal(err)
	}
	eng, err := engine.New(ctx, engine.Config{}, engine.Deps{Store: st, Catalog: cat, Knowledge: b, Searcher: search.New(b, search.Options{}), Danger: mustDanger(t), Now: h.clock})
	if err != nil {
		t.Fatal(err)
	}
	h.engine = eng
	return h
}

// clock is the harness's one clock, given to the store, the engine and
// the dispatchers alike.
func (h *harness) clock() time.Time { return h.now }

// clock is a test's one clock, moved by hand.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

// fixedNow is the clock of tests that never move time.
func fixedNow() time.Time { return time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC) }

var alice = bot.Address{Platform: "test", Channel: "dm", User: "alice"}

func (h *harness) say(a bot.Address, text string) []bot.Reply {
	h.t.Helper()
	rs, err := h.engine.Respond(context.Background(), bot.Incoming{Address: a, Text: text})
	if err != nil {
		h.t.Fatalf("say %q: %v", text, err)
	}
	return rs
}

func (h *harness) click(a bot.Address, payload string) []bot.Reply {
	h.t.Helper()
	rs, err := h.engine.Respond(context.Background(), bot.Incoming{Address: a, Payload: payload})
	if err != nil {
		h.t.Fatalf("click %q: %v", payload, err)
	}
	return rs
}

func (h *harness) conv(a bot.Address) bot.Conversation {
	h.t.Helper()
	c, err := h.store.Conversation(context.Background(), a)
	if err != nil {
		h.t.Fatal(err)
	}
	return c
}

func text(rs []bot.Reply) string {
	var b strings.Builder
	for _, r := range rs {
		b.WriteString(r.Text + "\n")
		for _, c := range r.Choices {
			b.WriteString("  - " + c.Label + "\n")
		}
	}
	return b.String()
}

func choices(rs []bot.Reply) []bot.Choice {
	if len(rs) == 0 {
		return nil
	}
	return rs[len(rs)-1].Choices
}

func payloadOf(t testing.TB, rs []bot.Reply, label string) string {
	t.Helper()
	for _, c := range choices(rs) {
		if c.Label == label {
			return c.Payload
		}
	}
	t.Fatalf("no choice %q in:\n%s", label, text(rs))
	return ""
}

func mustContain(t testing.TB, rs []bot.Reply, subs ...string) {
	t.Helper()
	got := text(rs)
	for _, s := range subs {
		if !strings.Contains(got, s) {
			t.Errorf("reply lacks %q:\n%s", s, got)
		}
	}
}

func TestTreeWithButtonsToAnAnswer(t *testing.T) {
	h := newHarness(t, "", fixture(t, treeYAML))
	rs := h.say(alice, "papiers")
	mustContain(t, rs, "Quel document vous faut-il ?", "Carte d'identité", "Passeport")
	if c := h.conv(alice); c.State != bot.StateInTree || c.Node != "quel-document" || c.TreeVersion != 1 {
		t.Fatalf("state = %+v", c)
	}
	rs = h.click(alice, payloadOf(t, rs, "Carte d'identité"))
	mustContain(t, rs, "Quelle est votre situation ?")
	rs = h.click(alice, payloadOf(t, rs, "Perte ou vol"))
	// Every answer names where to go and the source with its review date;
	// the documents and the cost are a click away.
	mustContain(t, rs, "Carte d'identité perdue", "Sur place : mairie",
		"(https://www.service-public.fr/particuliers/vosdroits/F1341)", "vérifiée le 02/10/2026", "Les documents", "Combien ça coûte ?", "Parler à un médiateur")
	c := h.conv(alice)
	if c.State != bot.StateAnswered || len(c.Path) != 2 || c.Shown[0] != "cni-perte" {
		t.Fatalf("state after answer = %+v", c)
	}
	mustContain(t, h.click(alice, payloadOf(t, rs, "Les documents")), "Photo d'identité")
}

func TestChoiceByNumberLabelKeywordAndTypo(t *testing.T) {
	cases := []struct{ name, first, second, want string }{
		{"number", "1", "2", "Carte d'identité perdue"},
		{"label", "carte d'identite", "perte ou vol", "Carte d'identité perdue"},
		{"keyword", "cni", "je l'ai perdue", "Carte d'identité perdue"},
		{"label words", "la carte", "c'est un renouvellement", "première demande ou renouvellement"},
		{"typo", "passeprt", "", "Demander un passeport"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, "", fixture(t, treeYAML))
			h.say(alice, "papiers")
			rs := h.say(alice, tc.first)
			if tc.second != "" {
				rs = h.say(alice, tc.second)
			}
			mustContain(t, rs, tc.want)
		})
	}
}

func TestExpiredButton(t *testing.T) {
	h := newHarness(t, "", fixture(t, treeYAML))
	first := h.say(alice, "papiers")
	old := payloadOf(t, first, "Passeport")
	h.click(alice, payloadOf(t, first, "Carte d'identité"))
	rs := h.click(alice, old)
	mustContain(t, rs, "Ce choix a expiré", "Perte ou vol")
	if c := h.conv(alice); c.Node != "situation-cni" {
		t.Fatalf("an expired button moved the conversation to %q", c.Node)
	}
	rs = h.click(alice, "forged-payload")
	mustContain(t, rs, "Ce choix a expiré")
}

func TestBackAndRestart(t *testing.T) {
	h := newHarness(t, "", fixture(t, treeYAML))
	h.say(alice, "papiers")
	h.say(alice, "1")
	rs := h.say(alice, "retour")
	mustContain(t, rs, "Quel document vous faut-il ?")
	rs = h.say(alice, "retour")
	mustContain(t, rs, "déjà à la première question")
	h.say(alice, "1")
	h.say(alice, "2") // answer
	rs = h.say(alice, "back")
	mustContain(t, rs, "Quelle est votre situation ?")
	if c := h.conv(alice); c.Lang != "en" || c.State != bot.StateInTree {
		t.Fatalf("after back: %+v", c)
	}
	rs = h.say(alice, "recommencer")
	mustContain(t, rs, "On recommence", "Papiers d'identité")
	if c := h.conv(alice); c.State != bot.StateIdle || c.TreeID != "" || c.Lang != "fr" {
		t.Fatalf("after restart: %+v", c)
	}
}

func TestFreeTextAnswersWithConfidence(t *testing.T) {
	h := newHarness(t, "", fixture(t, treeYAML))
	rs := h.say(alice, "j'ai perdu ma carte d'identité")
	mustContain(t, rs, "Carte d'identité perdue", "F1341")
	if !strings.Contains(text(rs), "sûr") && !strings.Contains(text(rs), "certain") {
		t.Errorf("the answer does not say how sure it is:\n%s", text(rs))
	}
}

func TestTwoMisunderstandingsOfferAMediator(t *testing.T) {
	h := newHarness(t, "", fixture(t, treeYAML))
	rs := h.say(alice, "xqzw vbnk")
	mustContain(t, rs, "Je n'ai pas compris")
	rs = h.say(alice, "plouf grrr")
	mustContain(t, rs, "Voulez-vous parler à un médiateur", "Oui, parler à un médiateur")
	rs = h.say(alice, "oui")
	mustContain(t, rs, "demande n° 1")
	c := h.conv(alice)
	if c.State != bot.StateEscalated || c.CaseID != 1 {
		t.Fatalf("after yes: %+v", c)
	}
	cs, err := h.store.Case(context.Background(), c.CaseID)
	if err != nil {
		t.Fatal(err)
	}
	if cs.Summary.Reason != "misunderstood" || cs.Queue != mediation.DefaultQueue || len(cs.Summary.LastWords) < 2 {
		t.Fatalf("case = %+v", cs)
	}
}

func TestMissesInsideATreeOfferAMediator(t *testing.T) {
	h := newHarness(t, "", fixture(t, treeYAML))
	h.say(alice, "papiers")
	rs := h.say(alice, "bof")
	mustContain(t, rs, "Je n'ai pas compris votre choix", "Quel document")
	rs = h.say(alice, "hmm")
	mustContain(t, rs, "Parler à un médiateur")
	rs = h.click(alice, payloadOf(t, rs, "Parler à un médiateur"))
	mustContain(t, rs, "demande n°")
	cs, _ := h.store.Case(context.Background(), h.conv(alice).CaseID)
	if cs.Queue != "papiers" {
		t.Fatalf("queue = %q, want the tree's queue papiers", cs.Queue)
	}
}

func TestHumanCommandOpensACaseWithSummary(t *testing.T) {
	h := newHarness(t, "", fixture(t, treeYAML))
	h.say(alice, "papiers")
	h.say(alice, "1")
	h.say(alice, "perte ou vol")
	rs := h.say(alice, "je veux parler à quelqu'un")
	mustContain(t, rs, "médiat", "demande n° 1")
	c := h.conv(alice)
	cs, err := h.store.Case(context.Background(), c.CaseID)
	if err != nil {
		t.Fatal(err)
	}
	sum := cs.Summary
	if sum.Topic != "Papiers d'identité" || len(sum.Path) != 2 || sum.Path[1].Choice != "Perte ou vol" ||
		len(sum.Shown) != 1 || sum.Shown[0] != "cni-perte" || sum.Reason != "asked" {
		t.Fatalf("summary = %+v", sum)
	}
	if got := strings.Join(sum.LastWords, "|"); !strings.Contains(got, "papiers") || !strings.Contains(got, "quelqu'un") {
		t.Fatalf("last words = %q", got)
	}
	// While waiting, messages go to the case and the bot does not answer
	// in the mediator's place.
	rs = h.say(alice, "c'est urgent")
	mustContain(t, rs, "J'ai ajouté votre message")
	// One case per conversation at a time.
	h.say(alice, "humain")
	if c2 := h.conv(alice); c2.CaseID != c.CaseID {
		t.Fatalf("second case %d opened", c2.CaseID)
	}
}

func TestForgetMeDeletesEverything(t *testing.T) {
	h := newHarness(t, "", fixture(t, treeYAML))
	other := bot.Address{Platform: "test", Channel: "other", User: "alice"}
	bob := bot.Address{Platform: "test", Channel: "dm", User: "bob"}
	h.say(alice, "papiers")
	h.say(other, "humain")
	h.say(bob, "papiers")
	rs := h.say(alice, "oublie-moi")
	mustContain(t, rs, "j'ai effacé")
	ctx := context.Background()
	for _, a := range []bot.Address{alice, other} {
		if _, err := h.store.Conversation(ctx, a); !errors.Is(err, bot.ErrNoConversation) {
			t.Errorf("conversation %v still stored: %v", a, err)
		}
		if turns, _ := h.store.RecentTurns(ctx, a, 10); len(turns) != 0 {
			t.Errorf("turns of %v still stored: %d", a, len(turns))
		}
	}
	if _, err := h.store.Case(ctx, 1); err == nil {
		t.Error("alice's case is still stored")
	}
	if c := h.conv(bob); c.State != bot.StateInTree {
		t.Errorf("bob's conversation was touched: %+v", c)
	}
}

func TestRestartMidConversationContinues(t *testing.T) {
	b := fixture(t, treeYAML)
	path := filepath.Join(t.TempDir(), "b.db")
	h := newHarness(t, path, b)
	h.say(alice, "papiers")
	rs := h.say(alice, "1")
	pay := payloadOf(t, rs, "Perte ou vol")
	h.store.Close()

	h2 := newHarness(t, path, b)
	rs = h2.click(alice, pay) // a button shown before the restart still works
	mustContain(t, rs, "Carte d'identité perdue")
}

func TestConversationKeepsItsTreeVersion(t *testing.T) {
	h := newHarness(t, "", fixture(t, treeYAML))
	h.say(alice, "papiers")
	v2 := strings.Replace(treeYAML, "Quelle est votre situation ?", "Que vous arrive-t-il ?", 1)
	b2 := fixture(t, v2)
	if err := h.engine.SetKnowledge(context.Background(), b2, search.New(b2, search.Options{})); err != nil {
		t.Fatal(err)
	}
	rs := h.say(alice, "1")
	mustContain(t, rs, "Quelle est votre situation ?") // still version 1
	bob := bot.Address{Platform: "test", Channel: "dm", User: "bob"}
	h.say(bob, "papiers")
	rs = h.say(bob, "1")
	mustContain(t, rs, "Que vous arrive-t-il ?")
	if c := h.conv(bob); c.TreeVersion != 2 {
		t.Fatalf("bob's version = %d", c.TreeVersion)
	}
}

func TestBadInputIsAnsweredPolitely(t *testing.T) {
	h := newHarness(t, "", fixture(t, treeYAML))
	cases := map[string]struct{ in, want string }{
		"empty":      {"", "Votre message est vide"},
		"spaces":     {" \t\n ", "Votre message est vide"},
		"emoji":      {"😀🙏🏽", "Je ne lis que du texte"},
		"binary":     {"\x00\x01\xff\xfe", "Votre message est vide"},
		"huge":       {strings.Repeat("carte d'identité perdue ", 5000), "très long"},
		"everyone":   {"@everyone @here aide", "Je suis Boussole"},
		"mentions":   {"@everyone @here", "Je ne lis que du texte"},
		"control":    {"\u202epapiers\u200b", "Quel document"},
		"only punct": {"?!?!...", "Je ne lis que du texte"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			rs := h.say(bot.Address{Platform: "test", Channel: "c", User: name}, tc.in)
			mustContain(t, rs, tc.want)
			for _, r := range rs {
				if strings.Contains(r.Text, "@everyone") || strings.Contains(r.Text, "@here") || len(r.Text) > 4000 {
					t.Errorf("reply echoes input or is unbounded: %.200q", r.Text)
				}
			}
		})
	}
}

func TestEnglish(t *testing.T) {
	h := newHarness(t, "", fixture(t, treeYAML))
	rs := h.say(alice, "help")
	mustContain(t, rs, "I am Boussole", "Talk to a mediator")
	rs = h.say(alice, "forget me")
	mustContain(t, rs, "I deleted everything")
	rs = h.say(alice, "aide")
	mustContain(t, rs, "Je suis Boussole")
}

// failingStore fails every turn, as a full disk or a read-only file does.
type failingStore struct{ engine.Store }

func (failingStore) Commit(context.Context, bot.Conversation, []bot.Turn, []bot.Reply) error {
	return errors.New("disk I/O error")
}

type recorder struct {
	mu  sync.Mutex
	out []bot.Reply
}

func (r *recorder) Name() string                                 { return "test" }
func (r *recorder) Run(ctx context.Context, _ bot.Handler) error { <-ctx.Done(); return nil }
func (r *recorder) Send(_ context.Context, rep bot.Reply) error {
	r.mu.Lock()
	r.out = append(r.out, rep)
	r.mu.Unlock()
	return nil
}
func (r *recorder) replies() []bot.Reply {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]bot.Reply(nil), r.out...)
}

func TestRunnerSaysSorryWhenStorageFails(t *testing.T) {
	b := fixture(t, treeYAML)
	h := newHarness(t, "", b)
	cat, _ := catalog.New()
	eng, err := engine.New(context.Background(), engine.Config{}, engine.Deps{Store: failingStore{h.store}, Catalog: cat, Knowledge: b, Searcher: search.New(b, search.Options{}), Now: h.clock, Danger: mustDanger(t)})
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	r := delivery.NewRunner(eng, deliverytest.Dispatcher(t, h.store, h.clock), nil)
	r.Register(rec)
	if err := r.Handle(context.Background(), bot.Incoming{Address: alice, Text: "papiers"}); err == nil {
		t.Fatal("want the storage error")
	}
	mustContain(t, rec.replies(), "problème technique")
}

// downSearch is a remote index that does not answer.
type downSearch struct{}

func (downSearch) Search(context.Context, string, int) ([]knowledge.Hit, error) {
	return nil, errors.New("index unreachable")
}

// A search that fails fails the turn: the person gets the « technical
// problem » reply, never « I did not understand », and the conversation
// stays as it was.
func TestRunnerSaysSorryWhenSearchFails(t *testing.T) {
	h := newHarnessWith(t, downSearch{})
	rec := &recorder{}
	r := delivery.NewRunner(h.engine, deliverytest.Dispatcher(t, h.store, h.clock), nil)
	r.Register(rec)
	if err := r.Handle(context.Background(), bot.Incoming{Address: alice, Text: "ma caution n'est pas rendue"}); err == nil {
		t.Fatal("want the search error")
	}
	mustContain(t, rec.replies(), "problème technique")
	if _, err := h.store.Conversation(context.Background(), alice); !errors.Is(err, bot.ErrNoConversation) {
		t.Fatalf("conversation after a failed turn: %v, want none stored", err)
	}
}

// The engine refuses a catalogue that lacks a list of words it
// recognises, naming the key: a language without « aide » would leave
// its speakers without help.
func TestEngineNeedsEveryWordList(t *testing.T) {
	full, err := catalog.New()
	if err != nil {
		t.Fatal(err)
	}
	fsys := fstest.MapFS{}
	for _, lang := range []string{"fr", "en"} {
		var b strings.Builder
		for _, k := range full.Keys(lang) {
			if k == "words_cmd_back" && lang == "en" {
				continue
			}
			v, _ := json.Marshal(full.T(lang, k))
			b.WriteString(k + ": " + string(v) + "\n")
		}
		fsys["m/"+lang+".yaml"] = &fstest.MapFile{Data: []byte(b.String())}
	}
	cat, err := catalog.Load(fsys, "m")
	if err != nil {
		t.Fatal(err)
	}
	b := fixture(t, treeYAML)
	h := newHarness(t, "", b)
	_, err = engine.New(context.Background(), engine.Config{}, engine.Deps{Store: h.store, Catalog: cat, Knowledge: b, Searcher: search.New(b, search.Options{}), Now: h.clock, Danger: mustDanger(t)})
	if err == nil || !strings.Contains(err.Error(), "en:words_cmd_back") {
		t.Fatalf("New = %v, want the missing list named", err)
	}
}

func TestRunnerSerialisesAConversationAndDropsDuplicates(t *testing.T) {
	h := newHarness(t, "", fixture(t, treeYAML))
	rec := &recorder{}
	r := delivery.NewRunner(h.engine, deliverytest.Dispatcher(t, h.store, h.clock), nil)
	r.Register(rec)
	var wg sync.WaitGroup
	for i := range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id := string(rune('a' + i%20)) // every id twice
			if err := r.Handle(context.Background(), bot.Incoming{Address: alice, Text: "aide", ID: id}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	r.Close()
	if c := h.conv(alice); c.Seq != 20 {
		t.Fatalf("seq = %d after 20 distinct messages", c.Seq)
	}
	if err := r.Handle(context.Background(), bot.Incoming{Address: alice, Text: "aide"}); !errors.Is(err, delivery.ErrClosed) {
		t.Fatalf("after close: %v", err)
	}
}

func TestAChoiceThatExplainsLittleYieldsToAConfidentSearch(t *testing.T) {
	h := newHarness(t, "", fixture(t, treeYAML))
	h.say(alice, "papiers")
	// "cni" is a keyword of "Carte d'identité", but the rest is about APL.
	rs := h.say(alice, "cni aide au logement apl loyer")
	mustContain(t, rs, "Aides au logement (APL)")
	// A choice whose subtree holds the best hit is taken.
	h.say(alice, "papiers")
	rs = h.say(alice, "cni perdue dans le bus")
	mustContain(t, rs, "Quelle est votre situation ?")
}

func TestSingleWordOfALabelSelectsIt(t *testing.T) {
	h := newHarness(t, "", fixture(t, treeYAML))
	h.say(alice, "papiers")
	rs := h.say(alice, "identité")
	mustContain(t, rs, "Quelle est votre situation ?")
	rs = h.say(alice, "pertes")
	mustContain(t, rs, "Carte d'identité perdue")
}

func TestGreetingsAndBareChoices(t *testing.T) {
	h := newHarness(t, "", fixture(t, treeYAML))
	rs := h.say(alice, "Bonjour !")
	mustContain(t, rs, "Je suis Boussole", "Papiers d'identité")
	rs = h.say(alice, "1") // picks from the menu the greeting offered
	mustContain(t, rs, "Quel document vous faut-il ?")
	h2 := newHarness(t, "", fixture(t, treeYAML))
	rs = h2.say(alice, "3")
	mustContain(t, rs, "pas de choix en cours")
	rs = h2.say(alice, "non")
	mustContain(t, rs, "pas de choix en cours")
	rs = h2.say(alice, "xqzw vbnk")
	mustContain(t, rs, "Je n'ai pas compris") // greetings and bare choices are not misunderstandings
	rs = h2.say(alice, "merci")
	mustContain(t, rs, "Avec plaisir")
}

// A message a catch-up delivers again after a restart is dropped when an
// earlier run handled it (the store remembers handled ids, marked in each
// turn's transaction).
func TestRunnerDropsAReplayedMessageAnEarlierRunHandled(t *testing.T) {
	h := newHarness(t, "", fixture(t, treeYAML))
	rec := &recorder{}
	first := delivery.NewRunner(h.engine, deliverytest.Dispatcher(t, h.store, h.clock), nil)
	first.Register(rec)
	if err := first.Handle(context.Background(), bot.Incoming{Address: alice, Text: "aide", ID: "m1"}); err != nil {
		t.Fatal(err)
	}
	first.Close()
	seq := h.conv(alice).Seq

	// A new run (empty in-memory memory): the catch-up replays m1 and m2.
	second := delivery.NewRunner(h.engine, deliverytest.Dispatcher(t, h.store, h.clock), nil)
	second.Register(rec)
	for _, id := range []string{"m1", "m2"} {
		if err := second.Handle(context.Background(), bot.Incoming{Address: alice, Text: "aide", ID: id, Replayed: true}); err != nil {
			t.Fatal(err)
		}
	}
	second.Close()
	if got := h.conv(alice).Seq; got != seq+1 {
		t.Errorf("seq %d → %d: want only m2 handled", seq, got)
	}
	if ok, err := h.store.Handled(context.Background(), alice.Platform, "m2"); !ok || err != nil {
		t.Errorf("m2 not remembered: %v %v", ok, err)
	}
}

// fixedHits is a Searcher answering every query with the same hits.
type fixedHits []knowledge.Hit

func (f fixedHits) Search(context.Context, string, int) ([]knowledge.Hit, error) { return f, nil }

func newHarnessWith(t *testing.T, s engine.Searcher) *harness {
	t.Helper()
	h := newHarness(t, "", fixture(t, treeYAML))
	cat, _ := catalog.New()
	eng, err := engine.New(context.Background(), engine.Config{}, engine.Deps{Store: h.store, Catalog: cat, Knowledge: fixture(t, treeYAML), Searcher: s, Now: h.clock, Danger: mustDanger(t)})
	if err != nil {
		t.Fatal(err)
	}
	h.engine = eng
	return h
}

// Several sheets matching well lower each one's confidence: the question
// was understood, the bot offers those that match well (in their order),
// not "I did not understand" because the first one's confidence is low.
func TestAmbiguousQuestionOffersTheHitsThatMatchWell(t *testing.T) {
	h := newHarnessWith(t, fixedHits{
		{Kind: knowledge.HitItem, ID: "depot-garantie", Confidence: 0.08, Match: 0.6},
		{Kind: knowledge.HitItem, ID: "caution-locataire", Confidence: 0.3, Match: 0.5},
		{Kind: knowledge.HitItem, ID: "loin-du-sujet", Confidence: 0.05, Match: 0.1},
	})
	got := text(h.say(alice, "proprietaire garde ma caution"))
	if !strings.Contains(got, "pas sûr") || !strings.Contains(got, "- depot-garantie\n  - caution-locataire\n") || strings.Contains(got, "loin-du-sujet") {
		t.Errorf("reply:\n%s\nwant 'pas sûr' offering depot-garantie then caution-locataire, not loin-du-sujet", got)
	}
}

// The first hit is offered, first, whenever others are, even if it
// matched fewer of the words: it is the search's best guess, and hiding it
// behind lower-ranked sheets would hide the likeliest answer.
func TestTheFirstHitIsOfferedWhenOthersAre(t *testing.T) {
	h := newHarnessWith(t, fixedHits{
		{Kind: knowledge.HitItem, ID: "depot-garantie", Confidence: 0.08, Match: 0.26},
		{Kind: knowledge.HitItem, ID: "caution-locataire", Confidence: 0.12, Match: 0.4},
		{Kind: knowledge.HitItem, ID: "aide-caution", Confidence: 0.15, Match: 0.32},
	})
	got := text(h.say(alice, "mon proprio veu pas me rendre ma caution"))
	if !strings.Contains(got, "- depot-garantie\n  - caution-locataire\n  - aide-caution\n") {
		t.Errorf("reply:\n%s\nwant depot-garantie offered first, then the two others", got)
	}
}

// No hit matching well: not understood, whatever the order.
func TestNothingMatchingWellIsNotUnderstood(t *testing.T) {
	h := newHarnessWith(t, fixedHits{
		{Kind: knowledge.HitItem, ID: "heures-sup", Confidence: 0.1, Match: 0.2},
		{Kind: knowledge.HitItem, ID: "travail-de-nuit", Confidence: 0.1, Match: 0.15},
	})
	got := text(h.say(alice, "quelle heure est il"))
	if !strings.Contains(got, "pas compris") || strings.Contains(got, "heures-sup") {
		t.Errorf("reply:\n%s\nwant 'pas compris' and no sheet offered", got)
	}
}

// mustDanger is the danger layer with its shipped patterns.
func mustDanger(t testing.TB) engine.Danger {
	t.Helper()
	d, err := safety.New()
	if err != nil {
		t.Fatal(err)
	}
	return d
}
