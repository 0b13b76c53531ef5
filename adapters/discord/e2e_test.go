package discord

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/boussole/boussole/adapters/console"
	"github.com/boussole/boussole/adapters/discord/discordtest"
	"github.com/boussole/boussole/app/apptest"
	"github.com/boussole/boussole/bot"
	"github.com/boussole/boussole/bot/delivery"
	"github.com/boussole/boussole/bot/mediation"
)

// stack is Boussole wired as `boussole serve` wires it, with the Discord
// adapter talking to a fake Discord server.
type stack struct {
	f   *discordtest.Server
	a   *Adapter
	out *delivery.Dispatcher
}

func newStack(t *testing.T, cfg Config, med mediation.Config, extra ...bot.Adapter) *stack {
	t.Helper()
	s, stop := startStack(t, discordtest.Start(t, time.Now), filepath.Join(t.TempDir(), "boussole.db"), cfg, med, extra...)
	t.Cleanup(stop)
	return s
}

// startStack starts Boussole on the database file db against the fake
// server f; stop ends it as a SIGTERM ends `boussole serve`.
func startStack(t *testing.T, f *discordtest.Server, db string, cfg Config, med mediation.Config, extra ...bot.Adapter) (*stack, func()) {
	t.Helper()
	b := apptest.New(t, db, med, time.Now)
	a, err := New(cfg, Deps{Catalog: b.Catalog, Now: time.Now, HTTPClient: f.Client(), Getenv: func(k string) string {
		if k == "DISCORD_TOKEN" {
			return "test-token"
		}
		return ""
	}, State: b.Store})
	if err != nil {
		b.Stop()
		t.Fatal(err)
	}
	b.Run(a, extra...)
	f.WaitConnected(t, "READY")
	f.WaitFor(t, "command registration", func() bool {
		for _, c := range f.Calls {
			if c.Method == "PUT" && strings.HasPrefix(c.Path, "/applications/") {
				return true
			}
		}
		return false
	})
	return &stack{f: f, a: a, out: b.Out}, b.Stop
}

// checkNoMentions asserts every message the bot posted allows no mention.
func checkNoMentions(t *testing.T, f *discordtest.Server) {
	t.Helper()
	f.Mu.Lock()
	defer f.Mu.Unlock()
	for _, p := range f.Posts {
		am, ok := p.Body["allowed_mentions"].(map[string]any)
		parse, isList := am["parse"].([]any)
		if !ok || !isList || len(parse) != 0 || am["users"] != nil || am["roles"] != nil || am["replied_user"] == true {
			t.Errorf("post to %s has allowed_mentions %v, want {parse: []}", p.Channel, p.Body["allowed_mentions"])
		}
		if n := len([]rune(p.Content)); n > maxMessage {
			t.Errorf("post to %s has %d characters", p.Channel, n)
		}
	}
}

func TestDMConversationThroughATreeWithButtons(t *testing.T) {
	t.Parallel()
	s := newStack(t, Config{}, mediation.Config{})
	f := s.f
	f.DM("1", "bonjour")
	posts := f.WaitPosts(t, "dm-1", 1)
	labels, ids := posts[0].Buttons()
	if len(ids) < 6 || !strings.Contains(posts[0].Content, "Boussole") {
		t.Fatalf("welcome: %q with buttons %v", posts[0].Content, labels)
	}
	if rows := posts[0].Body["components"].([]any); len(rows) != (len(ids)+4)/5 {
		t.Errorf("%d buttons in %d rows, want 5 per row", len(ids), len(rows))
	}
	// Click the first choice until an answer with a link comes.
	answered := false
	for step := 0; step < 6 && !answered; step++ {
		before := f.PostsTo("dm-1")
		n := len(before)
		last := before[n-1]
		_, ids := last.Buttons()
		if len(ids) == 0 {
			t.Fatalf("step %d: no buttons on %q", step, last.Content)
		}
		f.Click("dm-1", "1", ids[0], false)
		f.WaitPosts(t, "dm-1", n+1)
		time.Sleep(100 * time.Millisecond) // let a split answer finish
		for _, p := range f.PostsTo("dm-1")[n:] {
			if strings.Contains(p.Content, "https://") {
				answered = true
			}
		}
	}
	if !answered {
		t.Fatalf("no answer after clicking through the tree: %+v", f.PostsTo("dm-1"))
	}
	// Every click was acknowledged with a deferred update.
	cbs := f.CallsTo("POST", "/interactions/")
	if len(cbs) == 0 {
		t.Fatal("no interaction callback")
	}
	for _, c := range cbs {
		if c.Body["type"].(float64) != 6 {
			t.Errorf("callback type %v, want 6 (deferred update)", c.Body["type"])
		}
	}
	checkNoMentions(t, f)
}

func TestPublicMentionContinuesInAPrivateThread(t *testing.T) {
	t.Parallel()
	s := newStack(t, Config{}, mediation.Config{})
	f := s.f
	f.Say("200", "2", "hello everyone") // no mention: ignored
	f.Say("200", "2", "<@"+discordtest.BotID+"> @everyone bonjour")
	f.WaitFor(t, "a thread with its citizen", func() bool { return len(f.Threads) == 1 && len(f.Members) == 1 })
	var thread string
	f.Mu.Lock()
	for id, parent := range f.Threads {
		if parent != "200" {
			t.Errorf("thread of channel %s, want 200", parent)
		}
		thread = id
	}
	if got := f.Members[thread]; len(got) != 1 || got[0] != "2" {
		t.Errorf("thread members %v, want [2]", got)
	}
	f.Mu.Unlock()
	th := f.CallsTo("POST", "/channels/200/threads")[0]
	if th.Body["type"].(float64) != 12 || th.Body["invitable"] != false {
		t.Errorf("thread request %v, want a private, non-invitable thread", th.Body)
	}
	public := f.WaitPosts(t, "200", 1)
	if len(public) != 1 || !strings.Contains(public[0].Content, "<#"+thread+">") || strings.Contains(public[0].Content, "bonjour") {
		t.Fatalf("public notice %+v", public)
	}
	if public[0].Body["message_reference"] == nil {
		t.Error("public notice does not reply to the question")
	}
	in := f.WaitPosts(t, thread, 1)
	if !strings.Contains(in[0].Content, "Boussole") {
		t.Fatalf("thread reply %q", in[0].Content)
	}
	// The conversation goes on in the thread without mentioning the bot;
	// someone else writing there is ignored.
	f.Say(thread, "3", "logement")
	time.Sleep(300 * time.Millisecond)
	if n := len(f.PostsTo(thread)); n != 1 {
		t.Errorf("answered someone else in the citizen's thread: %+v", f.PostsTo(thread))
	}
	f.Say(thread, "2", "aide")
	f.WaitPosts(t, thread, 2)
	if n := len(f.PostsTo("200")); n != 1 {
		t.Errorf("%d posts in the public channel, want 1", n)
	}
	checkNoMentions(t, f)
}

func TestEveryoneInInputIsNeverAMention(t *testing.T) {
	t.Parallel()
	s := newStack(t, Config{PrivateMode: PrivateDM}, mediation.Config{})
	f := s.f
	f.Say("200", "4", "<@"+discordtest.BotID+"> @everyone @here <@&51> aide")
	f.WaitPosts(t, "200", 1)
	f.WaitPosts(t, "dm-4", 1)
	f.DM("4", "@everyone logement")
	f.WaitPosts(t, "dm-4", 2)
	checkNoMentions(t, f)
}

func TestResumeAfterDisconnectAnswersAReplayedEventOnce(t *testing.T) {
	t.Parallel()
	s := newStack(t, Config{}, mediation.Config{})
	f := s.f
	ev := f.DM("5", "bonjour")
	f.WaitPosts(t, "dm-5", 1)
	f.Disconnect(ev)
	f.WaitConnected(t, "RESUMED")
	f.Mu.Lock()
	resumed, identifies, seq := f.Resumes, f.Identifies, f.Seq
	f.Mu.Unlock()
	if len(resumed) != 1 || resumed[0] < ev.S || identifies != 1 {
		t.Fatalf("resumes %v (event seq %d), identifies %d", resumed, ev.S, identifies)
	}
	// A new event after the resume has a higher sequence and is answered.
	after := f.DM("5", "aide")
	if after.S <= seq {
		t.Errorf("sequence %d after resume, want > %d", after.S, seq)
	}
	f.WaitFor(t, "the answer to the new message", func() bool {
		for _, p := range f.Posts {
			if p.Channel == "dm-5" && strings.Contains(p.Content, "aide") {
				return true
			}
		}
		return len(f.Posts) >= 3
	})
	time.Sleep(300 * time.Millisecond)
	welcomes := 0
	for _, p := range f.PostsTo("dm-5") {
		if strings.HasPrefix(p.Content, "Bonjour") {
			welcomes++
		}
	}
	if welcomes != 1 {
		t.Errorf("replayed greeting answered %d times, want once", welcomes)
	}
}

func TestRateLimitedSendIsDeliveredOnce(t *testing.T) {
	t.Parallel()
	s := newStack(t, Config{}, mediation.Config{})
	f := s.f
	f.Mu.Lock()
	f.RateLimit = 1
	f.Mu.Unlock()
	f.DM("6", "bonjour")
	posts := f.WaitPosts(t, "dm-6", 1)
	time.Sleep(300 * time.Millisecond)
	f.Mu.Lock()
	limited := f.Limited
	f.Mu.Unlock()
	if limited != 1 || len(f.PostsTo("dm-6")) != 1 || !strings.HasPrefix(posts[0].Content, "Bonjour") {
		t.Fatalf("429s %d, posts %+v", limited, f.PostsTo("dm-6"))
	}
}

var discordQueue = mediation.Config{
	SkipConsent: true,
	Roles:       map[string][]string{Platform: {"Médiateur"}},
	Queues:      map[string]mediation.Queue{mediation.DefaultQueue: {Channel: bot.Address{Platform: Platform, Channel: "300"}}},
}

func TestEscalationClaimedByAMediatorAndRelayedBothWays(t *testing.T) {
	t.Parallel()
	s := newStack(t, Config{GuildIDs: []string{discordtest.GuildID}, MediatorChannels: []string{"300"}}, discordQueue)
	f := s.f
	f.DM("8", "humain")
	queue := f.WaitPosts(t, "300", 1)
	labels, ids := queue[0].Buttons()
	if len(ids) != 1 || ids[0] != "m:claim:1" || labels[0] != "Prendre en charge" {
		t.Fatalf("queue post %q with buttons %v %v", queue[0].Content, labels, ids)
	}
	// Someone without the mediator role cannot claim.
	f.Click("300", "66", ids[0], true, "51")
	// The mediator claims with the button.
	f.Click("300", "7", ids[0], true, "50")
	medThread := f.WaitPrivateThread(t, "7")
	claimed := f.WaitPosts(t, medThread, 1)
	if !strings.Contains(claimed[0].Content, "Vous avez pris la demande n° 1") {
		t.Fatalf("mediator thread: %q", claimed[0].Content)
	}
	f.WaitPostContaining(t, "dm-8", "a pris votre demande")
	// Mediator → citizen, written in the thread without a mention.
	f.Say(medThread, "7", "Bonjour, je suis Marie", "50")
	f.WaitPostContaining(t, "dm-8", "Bonjour, je suis Marie")
	// Citizen → mediator.
	f.DM("8", "J'ai un souci avec la CAF @everyone")
	f.WaitPostContaining(t, medThread, "souci avec la CAF")
	// Closing with the slash subcommand in the mediators' channel.
	f.Slash("300", "7", "close", map[string]any{"case": 1}, "50")
	f.WaitPostContaining(t, medThread, "Demande n° 1 close")
	if n := f.CountPostsContaining(medThread, "u66"); n != 0 {
		t.Errorf("non-mediator claimed: %+v", f.PostsTo(medThread))
	}
	checkNoMentions(t, f)
}

func TestCitizenOnDiscordMediatorsOnConsole(t *testing.T) {
	t.Parallel()
	in, w := io.Pipe()
	out := &apptest.SyncBuffer{}
	con := console.New(console.Config{In: in, Out: out})
	t.Cleanup(func() { w.Close() })
	med := mediation.Config{
		SkipConsent: true,
		Mediators:   map[string][]string{console.Platform: {"marie"}},
		Queues:      map[string]mediation.Queue{mediation.DefaultQueue: {Channel: bot.Address{Platform: console.Platform, Channel: "mediateurs"}}},
	}
	s := newStack(t, Config{}, med, con)
	f := s.f
	waitOut := func(want string) {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for !strings.Contains(out.String(), want) {
			if time.Now().After(deadline) {
				t.Fatalf("console never showed %q:\n%s", want, out.String())
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	f.DM("9", "humain")
	waitOut("[#mediateurs] Nouvelle demande n° 1")
	fmt.Fprintln(w, "@marie prendre 1")
	waitOut("Vous avez pris la demande n° 1")
	fmt.Fprintln(w, "@marie Bonjour, ici Marie")
	f.WaitPostContaining(t, "dm-9", "Bonjour, ici Marie")
	f.DM("9", "Merci, mon dossier CAF est bloqué")
	waitOut("mon dossier CAF est bloqué")
	checkNoMentions(t, f)
}
