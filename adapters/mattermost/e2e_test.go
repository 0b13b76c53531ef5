package mattermost

import (
	"context"
	"fmt"
	"github.com/boussole/boussole/app/httpserver"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/boussole/boussole/adapters/console"
	"github.com/boussole/boussole/adapters/discord"
	"github.com/boussole/boussole/adapters/discord/discordtest"
	"github.com/boussole/boussole/app/apptest"
	"github.com/boussole/boussole/bot"
	"github.com/boussole/boussole/bot/catalog"
	"github.com/boussole/boussole/bot/mediation"
)

// The end-to-end tests run against a real Mattermost server started by
// scripts/mattermost/up.sh, which writes the variables read here to
// /tmp/boussole-mm/env. They share one bot account, so they run one at a
// time; each starts from a fresh Boussole store.

// server is the Mattermost server of the end-to-end tests.
type server struct {
	url, team                string
	botID, botName, botToken string
	citizenID, m1ID, m2ID    string
	pubID, medID, medName    string
	citizen, m1, m2          *model.Client4
	restart                  string
}

func mmServer(t *testing.T) *server {
	t.Helper()
	url := os.Getenv("BOUSSOLE_MM_URL")
	if url == "" {
		t.Skip("no Mattermost server: run scripts/mattermost/up.sh and source /tmp/boussole-mm/env")
	}
	client := func(tokenVar string) *model.Client4 {
		c := model.NewAPIv4Client(url)
		c.SetToken(os.Getenv(tokenVar))
		return c
	}
	return &server{
		url: url, team: os.Getenv("BOUSSOLE_MM_TEAM"),
		botID: os.Getenv("BOUSSOLE_MM_BOT_ID"), botName: os.Getenv("BOUSSOLE_MM_BOT_USERNAME"), botToken: os.Getenv("BOUSSOLE_MM_BOT_TOKEN"),
		citizenID: os.Getenv("BOUSSOLE_MM_CITIZEN_ID"), m1ID: os.Getenv("BOUSSOLE_MM_MEDIATOR1_ID"), m2ID: os.Getenv("BOUSSOLE_MM_MEDIATOR2_ID"),
		pubID: os.Getenv("BOUSSOLE_MM_PUBLIC_CHANNEL_ID"), medID: os.Getenv("BOUSSOLE_MM_MEDIATORS_CHANNEL_ID"), medName: os.Getenv("BOUSSOLE_MM_MEDIATORS_CHANNEL"),
		citizen: client("BOUSSOLE_MM_CITIZEN_TOKEN"), m1: client("BOUSSOLE_MM_MEDIATOR1_TOKEN"), m2: client("BOUSSOLE_MM_MEDIATOR2_TOKEN"),
		restart: os.Getenv("BOUSSOLE_MM_RESTART"),
	}
}

// stack is Boussole wired as `boussole serve` wires it, with the
// Mattermost adapter talking to the real server.
type stack struct {
	*server
	a *Adapter
	// http is Boussole's one HTTP server, where the adapter mounts its
	// callbacks (as serve does).
	http string
}

func newStack(t *testing.T, med mediation.Config, setup func(*Adapter), extra ...bot.Adapter) *stack {
	t.Helper()
	s, stop := startStack(t, filepath.Join(t.TempDir(), "boussole.db"), med, setup, extra...)
	t.Cleanup(stop)
	return s
}

// startStack starts Boussole on the database file db; stop ends it as a
// SIGTERM ends `boussole serve`.
func startStack(t *testing.T, db string, med mediation.Config, setup func(*Adapter), extra ...bot.Adapter) (*stack, func()) {
	t.Helper()
	srv := mmServer(t)
	b := apptest.New(t, db, med, time.Now)
	var chans []string
	for _, q := range med.Queues {
		if q.Channel.Platform == Platform {
			chans = append(chans, q.Channel.Channel)
		}
	}
	// The callbacks come to the process's one HTTP server, as in serve.
	web := httpserver.New("127.0.0.1:0", nil)
	if err := web.Listen(); err != nil {
		b.Stop()
		t.Fatal(err)
	}
	wctx, stopWeb := context.WithCancel(context.Background())
	webDone := make(chan struct{})
	go func() { _ = web.Serve(wctx); close(webDone) }()
	addr := web.Addr().String()
	a, err := New(Config{URL: srv.url, Team: srv.team, Router: web, PublicURL: "http://" + addr, MediatorChannels: chans}, Deps{Catalog: b.Catalog, Now: time.Now, Getenv: func(k string) string {
		switch k {
		case "MATTERMOST_TOKEN":
			return srv.botToken
		case "MATTERMOST_ACTION_SECRET":
			return "e2e-secret"
		}
		return ""
	}, State: b.Store})
	if err != nil {
		b.Stop()
		t.Fatal(err)
	}
	if setup != nil {
		setup(a)
	}
	b.Run(a, extra...)
	select {
	case <-a.Connected():
		if !a.IsConnected() {
			t.Error("Connected is closed but IsConnected is false")
		}
	case err := <-b.Err():
		b.Err() <- err
		b.Stop()
		t.Fatalf("Run: %v", err)
	case <-time.After(30 * time.Second):
		b.Stop()
		t.Fatal("adapter not connected after 30s")
	}
	return &stack{server: srv, a: a, http: addr}, func() {
		b.Stop()
		stopWeb()
		<-webDone
	}
}

func now() int64 { return time.Now().UnixMilli() - 1 }

// dm is the direct channel between the citizen and the bot.
func (s *server) dm(t *testing.T) string {
	t.Helper()
	ch, _, err := s.citizen.CreateDirectChannel(context.Background(), s.citizenID, s.botID)
	if err != nil {
		t.Fatal(err)
	}
	return ch.Id
}

func say(t *testing.T, c *model.Client4, channel, root, text string) *model.Post {
	t.Helper()
	p, _, err := c.CreatePost(context.Background(), &model.Post{ChannelId: channel, RootId: root, Message: text})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// botPosts are the bot's posts in channel since, oldest first.
func (s *server) botPosts(t *testing.T, c *model.Client4, channel string, since int64) []*model.Post {
	t.Helper()
	list, _, err := c.GetPostsSince(context.Background(), channel, since, false)
	if err != nil {
		t.Fatalf("read posts: %v", err)
	}
	var out []*model.Post
	for _, p := range list.Posts {
		if p.UserId == s.botID && p.CreateAt >= since && p.DeleteAt == 0 {
			out = append(out, p)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].CreateAt < out[j].CreateAt })
	return out
}

// waitBot waits until the bot's posts in channel since satisfy ok.
func (s *server) waitBot(t *testing.T, c *model.Client4, channel string, since int64, what string, ok func([]*model.Post) bool) []*model.Post {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		ps := s.botPosts(t, c, channel, since)
		if ok(ps) {
			return ps
		}
		if time.Now().After(deadline) {
			var texts []string
			for _, p := range ps {
				texts = append(texts, p.Message)
			}
			t.Fatalf("%s: not seen after 30s; bot posts: %q", what, texts)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// inThread reports a bot post in the thread of root.
func inThread(root string) func([]*model.Post) bool {
	return func(ps []*model.Post) bool {
		for _, p := range ps {
			if p.RootId == root {
				return true
			}
		}
		return false
	}
}

func containing(want string) func([]*model.Post) bool {
	return func(ps []*model.Post) bool {
		for _, p := range ps {
			if strings.Contains(p.Message, want) {
				return true
			}
		}
		return false
	}
}

func withButtons(p *model.Post) []*model.PostAction {
	var out []*model.PostAction
	for _, a := range p.Attachments() {
		out = append(out, a.Actions...)
	}
	return out
}

// noRawMentions checks that no bot post carries a live @-mention.
func noRawMentions(t *testing.T, ps []*model.Post) {
	t.Helper()
	for _, p := range ps {
		for _, m := range []string{"@channel", "@all", "@here"} {
			if strings.Contains(strings.ToLower(p.Message), m) {
				t.Errorf("bot post %q contains %s", p.Message, m)
			}
		}
	}
}

func TestE2EDMConversationThroughATreeWithButtons(t *testing.T) {
	s := newStack(t, mediation.Config{}, nil)
	ctx := context.Background()
	dm := s.dm(t)
	since := now()
	q := say(t, s.citizen, dm, "", "bonjour")
	posts := s.waitBot(t, s.citizen, dm, since, "welcome with buttons", func(ps []*model.Post) bool {
		return len(ps) > 0 && len(withButtons(ps[len(ps)-1])) > 0
	})
	welcome := posts[len(posts)-1]
	if welcome.RootId != q.Id {
		t.Errorf("welcome root %q, want the question %q", welcome.RootId, q.Id)
	}
	answered := false
	for step := 0; step < 6 && !answered; step++ {
		ps := s.botPosts(t, s.citizen, dm, since)
		last := ps[len(ps)-1]
		acts := withButtons(last)
		if len(acts) == 0 {
			t.Fatalf("step %d: no buttons on %q", step, last.Message)
		}
		if _, err := s.citizen.DoPostAction(ctx, last.Id, acts[0].Id); err != nil {
			t.Fatalf("click %q: %v", acts[0].Name, err)
		}
		n := len(ps)
		got := s.waitBot(t, s.citizen, dm, since, "reply to a click", func(ps []*model.Post) bool { return len(ps) > n })
		time.Sleep(300 * time.Millisecond) // let a split answer finish
		for _, p := range s.botPosts(t, s.citizen, dm, since)[n:] {
			if strings.Contains(p.Message, "https://") {
				answered = true
			}
		}
		_ = got
	}
	if !answered {
		t.Fatal("no answer with a link after clicking through the tree")
	}
	// The first button again: this choice has expired.
	n := len(s.botPosts(t, s.citizen, dm, since))
	if _, err := s.citizen.DoPostAction(ctx, welcome.Id, withButtons(welcome)[0].Id); err != nil {
		t.Fatalf("stale click: %v", err)
	}
	s.waitBot(t, s.citizen, dm, since, "expired notice", func(ps []*model.Post) bool {
		return len(ps) > n && containing("a expiré")(ps[n:])
	})
	// A click forged straight to Boussole's endpoint is refused.
	body := fmt.Sprintf(`{"user_id":%q,"channel_id":%q,"context":{"p":"m:claim:1","u":"","c":%q,"s":"x","sig":"00"}}`, s.citizenID, dm, dm)
	resp, err := http.Post("http://"+s.http+ActionPath, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("forged click: status %d, want 403", resp.StatusCode)
	}
}

func TestE2EChannelMentionContinuesInADM(t *testing.T) {
	s := newStack(t, mediation.Config{}, nil)
	dm := s.dm(t)
	since := now()
	say(t, s.citizen, s.pubID, "", "hello everyone, no bot here")
	q := say(t, s.citizen, s.pubID, "", "@"+s.botName+" @channel bonjour")
	public := s.waitBot(t, s.citizen, s.pubID, since, "public notice", containing("message privé"))
	if len(public) != 1 || public[0].RootId != q.Id || strings.Contains(public[0].Message, "bonjour") {
		t.Fatalf("public notice %q in thread %q, want one in %q", public[0].Message, public[0].RootId, q.Id)
	}
	s.waitBot(t, s.citizen, dm, since, "reply in the DM", containing("Boussole"))
	time.Sleep(500 * time.Millisecond)
	if ps := s.botPosts(t, s.citizen, s.pubID, since); len(ps) != 1 {
		t.Errorf("%d bot posts in the public channel, want 1", len(ps))
	}
	noRawMentions(t, s.botPosts(t, s.citizen, dm, since))
}

func TestE2ESlashCommand(t *testing.T) {
	s := newStack(t, mediation.Config{}, nil)
	dm := s.dm(t)
	since := now()
	resp, _, err := s.citizen.ExecuteCommand(context.Background(), s.pubID, "/boussole carte grise")
	if err != nil {
		t.Fatalf("/boussole: %v", err)
	}
	if !strings.Contains(resp.Text, "message privé") {
		t.Errorf("command response %q", resp.Text)
	}
	s.waitBot(t, s.citizen, dm, since, "answer in the DM", func(ps []*model.Post) bool { return len(ps) > 0 })
	if ps := s.botPosts(t, s.citizen, s.pubID, since); len(ps) != 0 {
		t.Errorf("bot posted in the public channel: %q", ps[0].Message)
	}
}

func TestE2EEscalationClaimedRelayedAndClosed(t *testing.T) {
	srv := mmServer(t)
	med := mediation.Config{
		SkipConsent: true,
		Mediators:   map[string][]string{Platform: {srv.m1ID}},
		Queues:      map[string]mediation.Queue{mediation.DefaultQueue: {Channel: bot.Address{Platform: Platform, Channel: srv.medName}}},
	}
	s := newStack(t, med, nil)
	ctx := context.Background()
	dm := s.dm(t)
	since := now()
	say(t, s.citizen, dm, "", "humain")
	queue := s.waitBot(t, s.m1, s.medID, since, "case with a Claim button", func(ps []*model.Post) bool {
		return len(ps) > 0 && len(withButtons(ps[0])) == 1
	})
	casePost := queue[0]
	if casePost.RootId != "" || !strings.Contains(casePost.Message, "n° 1") {
		t.Fatalf("case post %q (root %q)", casePost.Message, casePost.RootId)
	}
	claim := withButtons(casePost)[0]
	// Someone who is not a mediator cannot claim.
	if _, err := s.m2.DoPostAction(ctx, casePost.Id, claim.Id); err != nil {
		t.Fatalf("click by a non-mediator: %v", err)
	}
	time.Sleep(time.Second)
	if _, err := s.m1.DoPostAction(ctx, casePost.Id, claim.Id); err != nil {
		t.Fatalf("claim: %v", err)
	}
	inThread := func(want string) func([]*model.Post) bool {
		return func(ps []*model.Post) bool {
			for _, p := range ps {
				if p.RootId == casePost.Id && strings.Contains(p.Message, want) {
					return true
				}
			}
			return false
		}
	}
	s.waitBot(t, s.m1, s.medID, since, "claimed, in the case's thread", inThread("Vous avez pris la demande n° 1"))
	s.waitBot(t, s.citizen, dm, since, "citizen told", containing("a pris votre demande"))
	say(t, s.m1, s.medID, casePost.Id, "Bonjour, je suis Marie")
	s.waitBot(t, s.citizen, dm, since, "relay to the citizen", containing("Bonjour, je suis Marie"))
	say(t, s.citizen, dm, "", "J'ai un souci avec la CAF @channel")
	s.waitBot(t, s.m1, s.medID, since, "relay to the mediator", inThread("souci avec la CAF"))
	if _, _, err := s.m1.ExecuteCommand(ctx, s.medID, "/boussole close 1"); err != nil {
		t.Fatalf("/boussole close: %v", err)
	}
	ps := s.waitBot(t, s.m1, s.medID, since, "case closed", inThread("Demande n° 1 close"))
	noRawMentions(t, ps)
	for _, p := range ps {
		if strings.Contains(p.Message, "mediateur2") && strings.Contains(p.Message, "prise par") {
			t.Errorf("a non-mediator claimed: %q", p.Message)
		}
	}
}

func TestE2EServerRestartCatchUpWithoutDuplicates(t *testing.T) {
	srv := mmServer(t)
	if srv.restart == "" {
		t.Skip("BOUSSOLE_MM_RESTART is not set: source /tmp/boussole-mm/env")
	}
	// The adapter reconnects only once the citizen has written while it
	// was away, so that the answer can only come from the catch-up.
	written := make(chan struct{})
	s := newStack(t, mediation.Config{}, func(a *Adapter) {
		a.backoff = 200 * time.Millisecond
		a.gate = func(ctx context.Context) {
			if a.IsConnected() {
				t.Error("IsConnected while the websocket is down (readiness would say ready)")
			}
			select {
			case <-written:
			case <-ctx.Done():
			}
		}
	})
	dm := s.dm(t)
	since := now()
	say(t, s.citizen, dm, "", "bonjour")
	s.waitBot(t, s.citizen, dm, since, "welcome", func(ps []*model.Post) bool { return len(ps) > 0 })
	start := time.Now()
	out, err := exec.Command(srv.restart).CombinedOutput()
	if err != nil {
		t.Fatalf("restart: %v\n%s", err, out)
	}
	t.Logf("server restarted in %v", time.Since(start).Round(time.Millisecond))
	since2 := now()
	q := say(t, s.citizen, dm, "", "carte grise")
	close(written)
	s.waitBot(t, s.citizen, dm, since2, "answer after the restart", func(ps []*model.Post) bool {
		for _, p := range ps {
			if p.RootId == q.Id {
				return true
			}
		}
		return false
	})
	time.Sleep(3 * time.Second)
	seen := map[string]bool{}
	for _, p := range s.botPosts(t, s.citizen, dm, since2) {
		k := p.RootId + "|" + p.Message
		if seen[k] {
			t.Errorf("answered twice: %q", p.Message)
		}
		seen[k] = true
	}
	s.a.mu.Lock()
	caught := s.a.caughtUp
	s.a.mu.Unlock()
	if caught == 0 {
		t.Error("the answer did not come from the catch-up")
	}
	// And the live connection works again.
	since3 := now()
	say(t, s.citizen, dm, "", "logement")
	s.waitBot(t, s.citizen, dm, since3, "live answer after reconnecting", func(ps []*model.Post) bool { return len(ps) > 0 })
	if !s.a.IsConnected() {
		t.Error("IsConnected is false after the websocket reconnected")
	}
}

func TestE2ECitizenOnMattermostMediatorOnConsole(t *testing.T) {
	mmServer(t)
	in, w := io.Pipe()
	out := &apptest.SyncBuffer{}
	con := console.New(console.Config{In: in, Out: out})
	t.Cleanup(func() { w.Close() })
	med := mediation.Config{
		SkipConsent: true,
		Mediators:   map[string][]string{console.Platform: {"marie"}},
		Queues:      map[string]mediation.Queue{mediation.DefaultQueue: {Channel: bot.Address{Platform: console.Platform, Channel: "mediateurs"}}},
	}
	s := newStack(t, med, nil, con)
	waitOut := func(want string) {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for !strings.Contains(out.String(), want) {
			if time.Now().After(deadline) {
				t.Fatalf("console never showed %q:\n%s", want, out.String())
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	dm := s.dm(t)
	since := now()
	say(t, s.citizen, dm, "", "humain")
	waitOut("[#mediateurs] Nouvelle demande n° 1")
	fmt.Fprintln(w, "@marie prendre 1")
	waitOut("Vous avez pris la demande n° 1")
	fmt.Fprintln(w, "@marie Bonjour, ici Marie")
	s.waitBot(t, s.citizen, dm, since, "relay to the Mattermost citizen", containing("Bonjour, ici Marie"))
	say(t, s.citizen, dm, "", "Merci, mon dossier CAF est bloqué")
	waitOut("mon dossier CAF est bloqué")
}

func TestE2EStartupErrorsListValidNames(t *testing.T) {
	srv := mmServer(t)
	cat, err := catalog.New()
	if err != nil {
		t.Fatal(err)
	}
	getenv := func(k string) string {
		if k == "MATTERMOST_TOKEN" {
			return srv.botToken
		}
		return ""
	}
	cases := map[string]struct {
		cfg  Config
		want []string
	}{
		"team":    {Config{URL: srv.url, Team: "nope", Listen: "127.0.0.1:0"}, []string{`team "nope"`, "Possible team values: " + srv.team}},
		"channel": {Config{URL: srv.url, Team: srv.team, Listen: "127.0.0.1:0", MediatorChannels: []string{"nope"}}, []string{`channel "nope"`, "Possible channel values:", srv.medName}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			a, err := New(tc.cfg, Deps{Catalog: cat, Now: time.Now, Getenv: getenv})
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			err = a.Run(ctx, bot.HandlerFunc(func(context.Context, bot.Incoming) error { return nil }))
			if err == nil {
				t.Fatal("Run accepted a wrong configuration")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestE2ENumberedChoicesWithoutButtons(t *testing.T) {
	s := newStack(t, mediation.Config{}, func(a *Adapter) { a.cfg.NumberedChoices = true })
	dm := s.dm(t)
	since := now()
	say(t, s.citizen, dm, "", "bonjour")
	ps := s.waitBot(t, s.citizen, dm, since, "numbered welcome", containing("\n1. "))
	for _, p := range ps {
		if len(withButtons(p)) > 0 {
			t.Fatalf("buttons on %q", p.Message)
		}
	}
	since2 := now()
	say(t, s.citizen, dm, "", "1")
	got := s.waitBot(t, s.citizen, dm, since2, "reply to a number", func(ps []*model.Post) bool { return len(ps) > 0 })
	if containing("Je n'ai pas compris votre choix")(got) {
		t.Fatalf("number not understood: %q", got[0].Message)
	}
}

func TestE2ECitizenOnMattermostMediatorOnDiscord(t *testing.T) {
	mmServer(t)
	f := discordtest.Start(t, time.Now)
	cat, err := catalog.New()
	if err != nil {
		t.Fatal(err)
	}
	dc, err := discord.New(discord.Config{GuildIDs: []string{discordtest.GuildID}, MediatorChannels: []string{"300"}},
		discord.Deps{Catalog: cat, Now: time.Now, HTTPClient: f.Client(), Getenv: func(k string) string {
			if k == "DISCORD_TOKEN" {
				return "test-token"
			}
			return ""
		}})
	if err != nil {
		t.Fatal(err)
	}
	med := mediation.Config{
		Mediators: map[string][]string{discord.Platform: {"7"}},
		Queues:    map[string]mediation.Queue{mediation.DefaultQueue: {Channel: bot.Address{Platform: discord.Platform, Channel: "300"}}},
	}
	s := newStack(t, med, nil, dc)
	f.WaitConnected(t, "READY")
	ctx := context.Background()
	dm := s.dm(t)
	since := now()
	say(t, s.citizen, dm, "", "humain")
	// The citizen agrees to share the conversation, with the button.
	ps := s.waitBot(t, s.citizen, dm, since, "consent question", containing("Acceptez-vous"))
	var consent *model.Post
	var yes *model.PostAction
	for _, p := range ps {
		for _, a := range withButtons(p) {
			if a.Name == "Oui, partager" {
				consent, yes = p, a
			}
		}
	}
	if yes == nil {
		t.Fatal("no consent button")
	}
	if _, err := s.citizen.DoPostAction(ctx, consent.Id, yes.Id); err != nil {
		t.Fatalf("consent: %v", err)
	}
	// The case reaches the Discord mediators' channel with a Claim button.
	queue := f.WaitPosts(t, "300", 1)
	labels, ids := queue[0].Buttons()
	if len(ids) != 1 || ids[0] != "m:claim:1" || labels[0] != "Prendre en charge" || !strings.Contains(queue[0].Content, "n° 1") || strings.Contains(queue[0].Content, "pas accepté") {
		t.Fatalf("queue post %q with buttons %v %v", queue[0].Content, labels, ids)
	}
	f.Click("300", "7", ids[0], true)
	medThread := f.WaitPrivateThread(t, "7")
	inThread := func(want string) {
		t.Helper()
		f.WaitFor(t, fmt.Sprintf("%q in the mediator's thread", want), func() bool {
			for _, p := range f.Posts {
				if p.Channel == medThread && strings.Contains(p.Content, want) {
					return true
				}
			}
			return false
		})
	}
	inThread("Vous avez pris la demande n° 1")
	s.waitBot(t, s.citizen, dm, since, "citizen told", containing("a pris votre demande"))
	// Discord mediator → Mattermost citizen.
	f.Say(medThread, "7", "Bonjour, je suis Marie")
	s.waitBot(t, s.citizen, dm, since, "relay to the Mattermost citizen", containing("Bonjour, je suis Marie"))
	// Mattermost citizen → Discord mediator.
	say(t, s.citizen, dm, "", "J'ai un souci avec la CAF @channel @everyone")
	inThread("souci avec la CAF")
	// The mediator closes the case from the mediators' channel.
	f.Slash("300", "7", "close", map[string]any{"case": 1})
	inThread("Demande n° 1 close")
	noRawMentions(t, s.botPosts(t, s.citizen, dm, since))
	f.Mu.Lock()
	defer f.Mu.Unlock()
	for _, p := range f.Posts {
		am, _ := p.Body["allowed_mentions"].(map[string]any)
		if parse, ok := am["parse"].([]any); !ok || len(parse) != 0 || am["users"] != nil || am["roles"] != nil {
			t.Errorf("post to %s allows mentions: %v", p.Channel, p.Body["allowed_mentions"])
		}
	}
}

// A citizen writes while Boussole itself is stopped (a deployment, a
// crash): the next run answers, once, and does not answer again what the
// previous run had answered.
func TestE2EBoussoleRestartAnswersWhatWasPostedWhileStopped(t *testing.T) {
	db := filepath.Join(t.TempDir(), "boussole.db")
	s, stop := startStack(t, db, mediation.Config{}, nil)
	dm := s.dm(t)
	since := now()
	hello := say(t, s.citizen, dm, "", "bonjour")
	s.waitBot(t, s.citizen, dm, since, "welcome", inThread(hello.Id))
	time.Sleep(time.Second) // the welcome may come in several posts
	count := func(root string) int {
		n := 0
		for _, p := range s.botPosts(t, s.citizen, dm, since) {
			if p.RootId == root {
				n++
			}
		}
		return n
	}
	welcomed := count(hello.Id)
	stop()

	q := say(t, s.citizen, dm, "", "carte grise")
	s2, stop2 := startStack(t, db, mediation.Config{}, nil)
	t.Cleanup(stop2)
	s2.waitBot(t, s2.citizen, dm, since, "answer to what was posted while Boussole was stopped", inThread(q.Id))
	time.Sleep(3 * time.Second) // past the first catch-up, which replays "bonjour" too
	if n := count(hello.Id); n != welcomed {
		t.Errorf("the message answered before the restart got %d replies, want %d (answered again)", n, welcomed)
	}
	seen := map[string]bool{}
	for _, p := range s.botPosts(t, s.citizen, dm, since) {
		if p.RootId == q.Id {
			if seen[p.Message] {
				t.Errorf("answered twice: %q", p.Message)
			}
			seen[p.Message] = true
		}
	}
}

// TestE2EBoussoleRestartLeavesWhatWasPostedBeforeItsFirstRun: a catch-up
// reads again a margin before the moment saved, but never what was posted
// before Boussole first ran with its store — that was never its to answer
// (a bot added to a busy server, or, here, other tests in the same DM).
func TestE2EBoussoleRestartLeavesWhatWasPostedBeforeItsFirstRun(t *testing.T) {
	db := filepath.Join(t.TempDir(), "boussole.db")
	srv := mmServer(t)
	dm := srv.dm(t)
	since := now()
	old := say(t, srv.citizen, dm, "", "carte grise")
	time.Sleep(100 * time.Millisecond)
	_, stop := startStack(t, db, mediation.Config{}, nil)
	time.Sleep(firstCatchUpDelay + time.Second) // past the first catch-up
	stop()

	s2, stop2 := startStack(t, db, mediation.Config{}, nil)
	t.Cleanup(stop2)
	q := say(t, s2.citizen, dm, "", "bonjour")
	s2.waitBot(t, s2.citizen, dm, since, "answer after the restart", inThread(q.Id))
	time.Sleep(firstCatchUpDelay + time.Second) // past the restart's catch-up
	if inThread(old.Id)(s2.botPosts(t, s2.citizen, dm, since)) {
		t.Error("a message posted before Boussole's first run was answered at its restart")
	}
}
