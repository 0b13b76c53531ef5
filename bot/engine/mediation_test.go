package engine_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/boussole/boussole/bot"
	"github.com/boussole/boussole/bot/catalog"
	"github.com/boussole/boussole/bot/delivery"
	"github.com/boussole/boussole/bot/delivery/deliverytest"
	"github.com/boussole/boussole/bot/engine"
	"github.com/boussole/boussole/bot/hours"
	"github.com/boussole/boussole/bot/mediation"
	"github.com/boussole/boussole/bot/store"
	"github.com/boussole/boussole/knowledge"
	"github.com/boussole/boussole/knowledge/search"
)

// desk is a mediation set-up on one SQLite file: the engine, the outbox
// dispatcher and a platform recording every delivered message. reopen
// simulates a process restart.
type desk struct {
	t     *testing.T
	path  string
	base  *knowledge.Base
	med   mediation.Config
	clock *clock
	st    *store.Store
	eng   *engine.Engine
	out   *delivery.Dispatcher
	plat  *deliverytest.Platform
	// tallied, when set, gets each committed turn's tallies.
	tallied func([]bot.Tally)
}

var (
	citizen = bot.Address{Platform: "test", Channel: "dm", User: "alice"}
	marie   = bot.Address{Platform: "test", Channel: "dm", User: "marie"}
	paul    = bot.Address{Platform: "test", Channel: "dm", User: "paul"}
	queueCh = bot.Address{Platform: "test", Channel: "mediateurs"}
	logeCh  = bot.Address{Platform: "test", Channel: "logement"}
)

func newDesk(t *testing.T, h mediation.Hours) *desk {
	d := &desk{t: t, path: filepath.Join(t.TempDir(), "m.db"), base: fixture(t, treeYAML), plat: &deliverytest.Platform{},
		clock: &clock{time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)}}
	d.med = mediation.Config{
		Mediators: map[string][]string{"test": {"marie", "paul"}},
		Queues: map[string]mediation.Queue{
			mediation.DefaultQueue: {Channel: queueCh, Hours: h},
			"papiers":              {Channel: queueCh, Hours: h},
			"logement":             {Channel: logeCh},
		},
	}
	d.open()
	return d
}

func (d *desk) open() {
	ctx := context.Background()
	st, err := store.Open(ctx, d.path, store.Options{Clock: d.clock.now})
	if err != nil {
		d.t.Fatal(err)
	}
	cat, _ := catalog.New()
	eng, err := engine.New(ctx, engine.Config{Mediation: d.med}, engine.Deps{Store: st, Catalog: cat, Knowledge: d.base, Searcher: search.New(d.base, search.Options{}), Danger: mustDanger(d.t), Now: d.clock.now, Tallied: d.tallied})
	if err != nil {
		d.t.Fatal(err)
	}
	d.st, d.eng = st, eng
	d.out = deliverytest.Dispatcher(d.t, st, d.clock.now)
	d.out.Register(d.plat)
	d.t.Cleanup(func() { st.Close() })
}

// reopen is a crash and restart: the store is closed without sending
// what is queued; the new process's dispatcher sends it.
func (d *desk) reopen() {
	d.st.Close()
	d.open()
}

// send handles a message and returns what was delivered because of it.
func (d *desk) send(in bot.Incoming) []bot.Reply {
	d.t.Helper()
	before := len(d.plat.Delivered())
	if _, err := d.eng.Respond(context.Background(), in); err != nil {
		d.t.Fatalf("%s says %q: %v", in.Address.User, in.Text, err)
	}
	if _, err := d.out.Flush(context.Background()); err != nil {
		d.t.Fatal(err)
	}
	return d.plat.Delivered()[before:]
}

func (d *desk) say(a bot.Address, text string) []bot.Reply {
	d.t.Helper()
	return d.send(bot.Incoming{Address: a, Text: text, Name: a.User})
}

func (d *desk) click(a bot.Address, payload string) []bot.Reply {
	d.t.Helper()
	return d.send(bot.Incoming{Address: a, Payload: payload, Name: a.User})
}

// textTo returns the texts delivered to a, joined.
func textTo(rs []bot.Reply, a bot.Address) string {
	var b strings.Builder
	for _, r := range rs {
		if r.To == a {
			b.WriteString(r.Text + "\n")
			for _, c := range r.Choices {
				b.WriteString("  - " + c.Label + " [" + c.Payload + "]\n")
			}
		}
	}
	return b.String()
}

func expect(t *testing.T, rs []bot.Reply, a bot.Address, subs ...string) {
	t.Helper()
	got := textTo(rs, a)
	for _, s := range subs {
		if !strings.Contains(got, s) {
			t.Errorf("to %s/%s: lacks %q in:\n%s\n(all: %+v)", a.Channel, a.User, s, got, rs)
		}
	}
}

func payloadFor(t *testing.T, rs []bot.Reply, a bot.Address, label string) string {
	t.Helper()
	for _, r := range rs {
		if r.To != a {
			continue
		}
		for _, c := range r.Choices {
			if c.Label == label {
				return c.Payload
			}
		}
	}
	t.Fatalf("no button %q for %s in %+v", label, a.User, rs)
	return ""
}

func TestMediationFullFlow(t *testing.T) {
	d := newDesk(t, nil)
	d.say(citizen, "papiers")
	d.say(citizen, "1")
	rs := d.say(citizen, "je veux parler à quelqu'un")
	expect(t, rs, citizen, "Acceptez-vous", "Oui, partager", "Non, seulement le sujet")
	rs = d.click(citizen, payloadFor(t, rs, citizen, "Oui, partager"))
	expect(t, rs, citizen, "demande n° 1", "position 1")
	expect(t, rs, queueCh, "Nouvelle demande n° 1 (file papiers)", "Papiers d'identité", "Parcours : Carte d'identité", "papiers", "Prendre en charge [m:claim:1]")

	rs = d.say(citizen, "mon rendez-vous est lundi")
	expect(t, rs, citizen, "demande n° 1", "position 1")

	rs = d.click(marie, "m:claim:1")
	expect(t, rs, citizen, "marie, médiateur ou médiatrice numérique, a pris votre demande")
	expect(t, rs, marie, "Vous avez pris la demande n° 1", "mon rendez-vous est lundi")
	expect(t, rs, queueCh, "Demande n° 1 prise par marie")

	// Relay both ways; mentions are defused; the bot stays silent.
	rs = d.say(citizen, "merci, @everyone je suis perdue")
	if len(rs) != 1 || rs[0].To != marie || !strings.Contains(rs[0].Text, "[n° 1] Citoyen : merci, @\u200beveryone je suis perdue") {
		t.Fatalf("citizen → mediator relay = %+v", rs)
	}
	rs = d.say(marie, "Bonjour, avez-vous votre ancien passeport ?")
	if len(rs) != 1 || rs[0].To != citizen || rs[0].Text != "marie (médiation) : Bonjour, avez-vous votre ancien passeport ?" {
		t.Fatalf("mediator → citizen relay = %+v", rs)
	}
	rs = d.say(marie, "fiche cni-perte")
	expect(t, rs, citizen, "Carte d'identité perdue", "F1341", "vérifiée le")
	expect(t, rs, marie, "envoyée au citoyen de la demande n° 1")

	rs = d.say(marie, "!note 1 rappeler jeudi")
	expect(t, rs, marie, "Note ajoutée")
	rs = d.say(marie, "voir 1")
	expect(t, rs, marie, "Note de marie : rappeler jeudi", "prise par marie")

	rs = d.say(marie, "!fermer 1 dossier déposé")
	expect(t, rs, marie, "Demande n° 1 close")
	expect(t, rs, citizen, "de 1 (pas satisfait) à 5", "  - 4 [s:1:4]")
	rs = d.click(citizen, "s:1:4")
	expect(t, rs, citizen, "Merci pour votre avis")
	c, err := d.st.Case(context.Background(), 1)
	if err != nil || c.Status != bot.CaseClosed || c.Satisfaction != 4 || c.Outcome != "dossier déposé" {
		t.Fatalf("case = %+v %v", c, err)
	}
	// Back with the bot.
	rs = d.say(citizen, "papiers")
	expect(t, rs, citizen, "Quel document vous faut-il ?")
}

func TestClaimRace(t *testing.T) {
	d := newDesk(t, nil)
	d.med.Mediators["test"] = nil
	names := make([]string, 20)
	for i := range names {
		names[i] = fmt.Sprintf("m%02d", i)
	}
	d.med.Mediators["test"] = names
	d.reopen()
	rs := d.say(citizen, "humain")
	d.click(citizen, payloadFor(t, rs, citizen, "Oui, partager"))

	var wg sync.WaitGroup
	results := make([][]bot.Reply, len(names))
	for i, n := range names {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a := bot.Address{Platform: "test", Channel: "dm", User: n}
			rs, err := d.eng.Respond(context.Background(), bot.Incoming{Address: a, Payload: "m:claim:1", Name: n})
			if err != nil {
				t.Error(err)
			}
			results[i] = rs
		}()
	}
	wg.Wait()
	won, told := 0, 0
	for _, rs := range results {
		txt := textTo(rs, rs[0].To)
		switch {
		case strings.Contains(txt, "Vous avez pris la demande n° 1"):
			won++
		case strings.Contains(txt, "déjà prise par m"):
			told++
		}
	}
	if won != 1 || told != len(names)-1 {
		t.Fatalf("won %d, told %d", won, told)
	}
}

func TestConsentRefusedSharesOnlyTheTopic(t *testing.T) {
	d := newDesk(t, nil)
	d.say(citizen, "papiers")
	d.say(citizen, "mon secret est 1234")
	rs := d.say(citizen, "humain")
	rs = d.click(citizen, payloadFor(t, rs, citizen, "Non, seulement le sujet"))
	expect(t, rs, queueCh, "Papiers d'identité", "n'a pas accepté de partager")
	if strings.Contains(textTo(rs, queueCh), "1234") {
		t.Fatal("the conversation was shared without consent")
	}
	d.click(marie, "m:claim:1")
	rs = d.say(marie, "voir 1")
	if strings.Contains(textTo(rs, marie), "1234") {
		t.Fatal("the mediator sees what the citizen did not share")
	}
}

func TestNonMediatorGetsNothingAboutCases(t *testing.T) {
	d := newDesk(t, nil)
	rs := d.say(citizen, "humain")
	d.click(citizen, payloadFor(t, rs, citizen, "Oui, partager"))
	bob := bot.Address{Platform: "test", Channel: "dm", User: "bob"}
	for _, in := range []bot.Incoming{{Address: bob, Text: "prendre 1"}, {Address: bob, Payload: "m:claim:1"}, {Address: bob, Text: "voir 1"}, {Address: bob, Text: "claim 1"}} {
		rs := d.send(in)
		got := textTo(rs, bob)
		if !strings.Contains(got, "réservée aux médiateurs") || strings.Contains(got, "Papiers") || strings.Contains(got, "alice") {
			t.Errorf("%+v → %q", in, got)
		}
	}
	if c, _ := d.st.Case(context.Background(), 1); c.Status != bot.CaseOpen {
		t.Fatalf("a non-mediator changed the case: %+v", c)
	}
}

func TestMediatorByRole(t *testing.T) {
	d := newDesk(t, nil)
	d.med.Roles = map[string][]string{"test": {"Médiation"}}
	d.reopen()
	rs := d.say(citizen, "humain")
	d.click(citizen, payloadFor(t, rs, citizen, "Oui, partager"))
	zoe := bot.Address{Platform: "test", Channel: "dm", User: "zoe"}
	rs = d.send(bot.Incoming{Address: zoe, Payload: "m:claim:1", Name: "Zoé", Roles: []string{"Bénévoles", "Médiation"}})
	expect(t, rs, zoe, "Vous avez pris la demande n° 1")
	expect(t, rs, citizen, "Zoé, médiateur ou médiatrice numérique")
	rs = d.send(bot.Incoming{Address: bot.Address{Platform: "test", Channel: "dm", User: "eve"}, Text: "voir 1", Roles: []string{"Bénévoles"}})
	if !strings.Contains(textTo(rs, rs[0].To), "réservée aux médiateurs") {
		t.Fatalf("a member of another role: %+v", rs)
	}
}

func TestTransferAndHandBack(t *testing.T) {
	d := newDesk(t, nil)
	rs := d.say(citizen, "humain")
	d.click(citizen, payloadFor(t, rs, citizen, "Oui, partager"))
	d.click(marie, "m:claim:1")
	rs = d.say(marie, "!transferer 1 logement")
	expect(t, rs, logeCh, "Nouvelle demande n° 1 (file logement)", "Prendre en charge")
	expect(t, rs, citizen, "transmise à une autre équipe")
	expect(t, rs, marie, "transférée à logement")
	rs = d.say(marie, "bonjour ?")
	if len(textTo(rs, citizen)) != 0 {
		t.Fatal("a mediator who transferred the case still talks to the citizen")
	}
	rs = d.click(paul, "m:claim:1")
	expect(t, rs, paul, "Vous avez pris la demande n° 1")
	rs = d.say(paul, "!transferer 1 @marie")
	expect(t, rs, marie, "vous est transférée par paul")
	rs = d.say(marie, "rendre 1")
	expect(t, rs, citizen, "vous reparlez avec Boussole")
	rs = d.say(citizen, "papiers")
	expect(t, rs, citizen, "Quel document")
	rs = d.say(marie, "fermer 1")
	expect(t, rs, marie, "Vous ne tenez pas la demande n° 1")
}

func TestCitizenCancels(t *testing.T) {
	d := newDesk(t, nil)
	rs := d.say(citizen, "humain")
	d.click(citizen, payloadFor(t, rs, citizen, "Oui, partager"))
	rs = d.say(citizen, "annuler")
	expect(t, rs, citizen, "Votre demande est annulée")
	expect(t, rs, queueCh, "Demande n° 1 annulée par le citoyen")
	rs = d.click(marie, "m:claim:1")
	expect(t, rs, marie, "déjà close")
}

func TestOutsideOpeningHours(t *testing.T) {
	h, err := hours.Parse(hours.Spec{TimeZone: "Europe/Paris", Week: map[string]string{"mon": "09:00-17:00", "tue": "09:00-17:00"}})
	if err != nil {
		t.Fatal(err)
	}
	d := newDesk(t, h)
	d.clock.t = time.Date(2026, 11, 24, 18, 30, 0, 0, time.UTC) // Tuesday 19:30 in Paris
	rs := d.say(citizen, "humain")
	rs = d.click(citizen, payloadFor(t, rs, citizen, "Oui, partager"))
	expect(t, rs, citizen, "Les médiateurs répondent", "Prochaine ouverture : lundi 30 novembre à 9 h 00")
}

func TestReannounce(t *testing.T) {
	d := newDesk(t, nil)
	rs := d.say(citizen, "humain")
	d.click(citizen, payloadFor(t, rs, citizen, "Oui, partager"))
	if n, _ := d.eng.Reannounce(context.Background(), 15*time.Minute); n != 0 {
		t.Fatalf("re-announced too early: %d", n)
	}
	d.clock.t = d.clock.t.Add(20 * time.Minute)
	before := len(d.plat.Delivered())
	if n, err := d.eng.Reannounce(context.Background(), 15*time.Minute); n != 1 || err != nil {
		t.Fatalf("re-announced %d, %v", n, err)
	}
	d.out.Flush(context.Background())
	expect(t, d.plat.Delivered()[before:], queueCh, "Toujours en attente depuis 20 min", "m:claim:1")
}

// TestRestartAtEveryStep stops the process between every step of the
// workflow (and before the dispatcher sent anything) and checks, at the
// end, that each participant received every message exactly once.
func TestRestartAtEveryStep(t *testing.T) {
	run := func(restart bool) map[string][]string {
		d := newDesk(t, nil)
		steps := []bot.Incoming{
			{Address: citizen, Text: "papiers"},
			{Address: citizen, Text: "humain"},
			{Address: citizen, Text: "oui"},
			{Address: citizen, Text: "je suis là"},
			{Address: marie, Payload: "m:claim:1"},
			{Address: citizen, Text: "bonjour marie"},
			{Address: marie, Text: "bonjour alice"},
			{Address: marie, Text: "fiche passeport"},
			{Address: marie, Text: "fermer 1"},
			{Address: citizen, Text: "5"},
		}
		for _, in := range steps {
			in.Name = in.Address.User
			if _, err := d.eng.Respond(context.Background(), in); err != nil {
				t.Fatal(err)
			}
			if restart {
				d.reopen() // nothing sent yet: the new process must send it
			}
			if _, err := d.out.Flush(context.Background()); err != nil {
				t.Fatal(err)
			}
			if restart {
				d.reopen()
			}
		}
		got := map[string][]string{}
		for _, r := range d.plat.Delivered() {
			k := r.To.User + "#" + r.To.Channel
			got[k] = append(got[k], r.Text)
		}
		return got
	}
	want, got := run(false), run(true)
	if fmt.Sprint(want) != fmt.Sprint(got) {
		t.Fatalf("with restarts:\n%v\nwithout:\n%v", got, want)
	}
	if len(want["alice#dm"]) < 8 || len(want["marie#dm"]) < 4 || len(want["#mediateurs"]) != 2 {
		t.Fatalf("deliveries: %v", want)
	}
}

func TestForgetMeErasesWhatMediatorsWereSent(t *testing.T) {
	d := newDesk(t, nil)
	ctx := context.Background()
	rs := d.say(citizen, "humain")
	d.click(citizen, payloadFor(t, rs, citizen, "Oui, partager"))
	d.click(marie, "m:claim:1")
	// Queued, not yet sent, to the mediator: the citizen's words.
	if _, err := d.eng.Respond(ctx, bot.Incoming{Address: citizen, Text: "mon adresse est 3 rue des Lilas"}); err != nil {
		t.Fatal(err)
	}
	pending, _ := d.st.PendingOutgoing(ctx, 10)
	if len(pending) != 1 || pending[0].Reply.To != marie {
		t.Fatalf("pending = %+v", pending)
	}
	if _, err := d.eng.Respond(ctx, bot.Incoming{Address: citizen, Text: "oublie-moi"}); err != nil {
		t.Fatal(err)
	}
	pending, _ = d.st.PendingOutgoing(ctx, 10)
	for _, p := range pending {
		if strings.Contains(p.Reply.Text, "Lilas") || p.Reply.About == citizen {
			t.Fatalf("the citizen's words survive in the outbox: %+v", p)
		}
	}
	if _, err := d.st.Case(ctx, 1); err == nil {
		t.Fatal("the case survives")
	}
}

func TestCloseWithOutcomeAndPrivateNote(t *testing.T) {
	d := newDesk(t, nil)
	rs := d.say(citizen, "humain")
	d.click(citizen, payloadFor(t, rs, citizen, "Oui, partager"))
	d.click(marie, "m:claim:1")
	rs = d.say(marie, "!fermer 1 orienté vers la CAF : rappeler lundi")
	if strings.Contains(textTo(rs, citizen), "rappeler") {
		t.Fatal("the private note reached the citizen")
	}
	c, _ := d.st.Case(context.Background(), 1)
	notes, _ := d.st.CaseNotes(context.Background(), 1)
	if c.Outcome != "orienté vers la CAF" || len(notes) != 1 || notes[0].Text != "rappeler lundi" || notes[0].Author != "marie" {
		t.Fatalf("case %+v notes %+v", c, notes)
	}
}

func TestCitizensWordsAreNotMediatorCommands(t *testing.T) {
	d := newDesk(t, nil)
	for _, text := range []string{"dossier 123456", "fiche paie", "note 12 sur 20"} {
		rs := d.say(citizen, text)
		if strings.Contains(textTo(rs, citizen), "réservée aux médiateurs") {
			t.Errorf("%q refused as a mediator command", text)
		}
	}
}

// TestCrossPlatform: the citizen is on one platform, the mediators' queue
// and the mediators on another; each platform receives only its own
// messages, through its own adapter.
func TestCrossPlatform(t *testing.T) {
	ctx := context.Background()
	base := fixture(t, treeYAML)
	c := &clock{fixedNow()}
	st := deliverytest.OpenStore(t, filepath.Join(t.TempDir(), "x.db"), c.now)
	cat, _ := catalog.New()
	med := mediation.Config{
		Mediators: map[string][]string{"mm": {"marie"}},
		Queues:    map[string]mediation.Queue{mediation.DefaultQueue: {Channel: bot.Address{Platform: "mm", Channel: "mediateurs"}}},
	}
	eng, err := engine.New(ctx, engine.Config{Mediation: med}, engine.Deps{Store: st, Catalog: cat, Knowledge: base, Searcher: search.New(base, search.Options{}), Danger: mustDanger(t), Now: c.now})
	if err != nil {
		t.Fatal(err)
	}
	discord, mattermost := &named{name: "dc"}, &named{name: "mm"}
	out := deliverytest.Dispatcher(t, st, c.now)
	out.Register(discord)
	out.Register(mattermost)
	cit := bot.Address{Platform: "dc", Channel: "dm-1", User: "alice"}
	mar := bot.Address{Platform: "mm", Channel: "dm-9", User: "marie"}
	step := func(in bot.Incoming) {
		t.Helper()
		if _, err := eng.Respond(ctx, in); err != nil {
			t.Fatal(err)
		}
		if _, err := out.Flush(ctx); err != nil {
			t.Fatal(err)
		}
	}
	step(bot.Incoming{Address: cit, Text: "humain"})
	step(bot.Incoming{Address: cit, Text: "oui"})
	step(bot.Incoming{Address: mar, Text: "prendre 1", Name: "Marie"})
	step(bot.Incoming{Address: cit, Text: "bonjour"})
	step(bot.Incoming{Address: mar, Text: "bonjour Alice"})
	for _, r := range discord.got {
		if r.To.Platform != "dc" {
			t.Fatalf("the citizen's platform was sent %+v", r)
		}
	}
	dc, mm := textTo(discord.got, cit), textTo(mattermost.got, mar)+textTo(mattermost.got, med.Queues[mediation.DefaultQueue].Channel)
	for _, want := range []string{"Nouvelle demande n° 1", "Vous avez pris la demande n° 1", "[n° 1] Citoyen : bonjour"} {
		if !strings.Contains(mm, want) {
			t.Errorf("mediators' platform lacks %q:\n%s", want, mm)
		}
	}
	for _, want := range []string{"Marie, médiateur ou médiatrice", "Marie (médiation) : bonjour Alice"} {
		if !strings.Contains(dc, want) {
			t.Errorf("citizen's platform lacks %q:\n%s", want, dc)
		}
	}
}

// named is a platform that records what it is sent.
type named struct {
	name string
	got  []bot.Reply
}

func (n *named) Name() string                                 { return n.name }
func (n *named) Run(ctx context.Context, _ bot.Handler) error { <-ctx.Done(); return nil }
func (n *named) Send(_ context.Context, r bot.Reply) error {
	if r.To.Platform != n.name {
		return fmt.Errorf("%s asked to send to %s", n.name, r.To.Platform)
	}
	n.got = append(n.got, r)
	return nil
}

// A message cut because it is too long reaches the mediator marked as cut.
func TestCutMessageIsMarked(t *testing.T) {
	d := newDesk(t, nil)
	rs := d.say(citizen, "humain")
	d.click(citizen, payloadFor(t, rs, citizen, "Oui, partager"))
	d.click(marie, "m:claim:1")
	rs = d.say(citizen, strings.Repeat("je vous explique ma situation ", 400)+"LA FIN")
	got := textTo(rs, marie)
	if !strings.Contains(got, "message coupé") || strings.Contains(got, "LA FIN") {
		t.Fatalf("relayed: %q", got[max(0, len(got)-200):])
	}
	rs = d.say(citizen, "court")
	if strings.Contains(textTo(rs, marie), "coupé") {
		t.Fatal("a short message marked as cut")
	}
}

// A private note to a request that does not exist (a typo) never reaches
// the citizen of the request the mediator holds: the mediator is asked.
func TestNoteToAnUnknownRequestIsNotRelayed(t *testing.T) {
	d := newDesk(t, nil)
	rs := d.say(citizen, "humain")
	d.click(citizen, payloadFor(t, rs, citizen, "Oui, partager"))
	d.click(marie, "m:claim:1")
	rs = d.say(marie, "note 7 violence du conjoint, ne pas appeler chez elle")
	if got := textTo(rs, citizen); got != "" {
		t.Fatalf("the citizen got %q", got)
	}
	if got := textTo(rs, marie); !strings.Contains(got, "ressemble à une commande") {
		t.Fatalf("the mediator was not asked: %q", got)
	}
}

// A danger answer in a tree where a mediator button is already on offer
// (after two misses) makes that button open an urgent case.
func TestDangerMakesTheOfferedMediatorButtonUrgent(t *testing.T) {
	d := newDesk(t, nil)
	d.say(citizen, "papiers")
	d.say(citizen, "xqzw")
	d.say(citizen, "vbnk")
	rs := d.say(citizen, "je veux mourir")
	rs = d.click(citizen, payloadFor(t, rs, citizen, "Parler à un médiateur"))
	if p := payloadFor(t, rs, citizen, "Oui, partager"); p != "" {
		d.click(citizen, p)
	}
	c, err := d.st.Case(context.Background(), 1)
	if err != nil || len(c.Urgent) == 0 || c.Summary.Reason != "danger" {
		t.Fatalf("case = %+v, %v", c, err)
	}
}
