package discord

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/boussole/boussole/adapters/discord/discordtest"
	"github.com/boussole/boussole/bot"
	"github.com/boussole/boussole/bot/catalog"
	"github.com/boussole/boussole/bot/mediation"
)

// A wrong server or channel id stops Run with what the bot can see.
func TestStartupErrorsListWhatTheBotSees(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{"guild", Config{GuildIDs: []string{"999"}}, `Possible guild values: "Tiers-lieu" (100)`},
		{"channel", Config{GuildIDs: []string{discordtest.GuildID}, MediatorChannels: []string{"301"}}, "Possible channel values: #accueil (200), #mediateurs (300), #annonces (403)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a := bareAdapter(t, discordtest.Start(t, time.Now), tt.cfg, "test-token")
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			err := a.Run(ctx, bot.HandlerFunc(func(context.Context, bot.Incoming) error { return nil }))
			if err == nil || !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Run error = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestMissingTokenNamesTheVariable(t *testing.T) {
	cat, _ := catalog.New()
	_, err := New(Config{TokenEnv: "BOUSSOLE_DISCORD"}, Deps{Catalog: cat, Now: time.Now, Getenv: func(string) string { return "" }})
	if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), "BOUSSOLE_DISCORD") {
		t.Fatalf("err = %v", err)
	}
}

// A server error on send is retried by the outbox: nothing is lost.
func TestFailedSendIsRetriedByTheOutbox(t *testing.T) {
	t.Parallel()
	s := newStack(t, Config{}, mediation.Config{})
	f := s.f
	f.Mu.Lock()
	f.Failures = 2
	f.Mu.Unlock()
	f.DM("10", "bonjour")
	// The runner's flush does not wake the dispatcher when a send fails
	// (delivery.Runner drops the retry time): wake it as its one-minute timer
	// would.
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		for {
			select {
			case <-stop:
				return
			case <-time.After(100 * time.Millisecond):
				s.out.Wake()
			}
		}
	}()
	posts := f.WaitPosts(t, "dm-10", 1)
	time.Sleep(200 * time.Millisecond)
	if len(f.PostsTo("dm-10")) != 1 || !strings.HasPrefix(posts[0].Content, "Bonjour") {
		t.Fatalf("posts %+v", f.PostsTo("dm-10"))
	}
}

// Send drops a repeat of the same outbox key, resumes a split message
// where it failed, and reports an unknown channel as undeliverable.
func TestSendKeysAndRefusals(t *testing.T) {
	t.Parallel()
	s := newStack(t, Config{}, mediation.Config{})
	f, a := s.f, s.a
	ctx := context.Background()
	long := strings.Repeat("Premier paragraphe. ", 80) + "\n\n" + strings.Repeat("Second paragraphe. ", 80)
	r := bot.Reply{To: addr("dm-11", "11"), Text: long, Key: "bsl-1"}
	f.Mu.Lock()
	f.Posts = nil
	f.Mu.Unlock()
	if err := a.Send(ctx, r); err != nil {
		t.Fatal(err)
	}
	if err := a.Send(ctx, r); err != nil {
		t.Fatal(err)
	}
	if n := len(f.PostsTo("dm-11")); n != 2 {
		t.Fatalf("%d posts after sending the same key twice, want 2 parts", n)
	}
	// The second part fails once: the retry posts only the second part.
	r.Key = "bsl-2"
	f.Mu.Lock()
	f.Failures, f.FailAfter = 1, 3
	f.Mu.Unlock()
	if err := a.Send(ctx, r); err == nil {
		t.Fatal("send with a failing second part succeeded")
	}
	if err := a.Send(ctx, r); err != nil {
		t.Fatal(err)
	}
	posts := f.PostsTo("dm-11")
	if len(posts) != 4 || posts[2].Content != posts[0].Content || posts[3].Content != posts[1].Content {
		t.Fatalf("%d posts after a partial failure and retry, want 4", len(posts))
	}
	err := a.Send(ctx, bot.Reply{To: addr("404", "11"), Text: "x", Key: "bsl-3"})
	if !errors.Is(err, bot.ErrUndeliverable) {
		t.Fatalf("unknown channel: err = %v, want ErrUndeliverable", err)
	}
}

// An old button from a previous step does not act.
func TestOldButtonHasExpired(t *testing.T) {
	t.Parallel()
	s := newStack(t, Config{}, mediation.Config{})
	f := s.f
	f.DM("12", "bonjour")
	first := f.WaitPosts(t, "dm-12", 1)[0]
	_, ids := first.Buttons()
	f.Click("dm-12", "12", ids[0], false)
	second := f.WaitPosts(t, "dm-12", 2)[1]
	_, ids2 := second.Buttons()
	f.Click("dm-12", "12", ids2[0], false)
	n := len(f.WaitPosts(t, "dm-12", 3))
	f.Click("dm-12", "12", ids[1], false) // from the first message
	posts := f.WaitPosts(t, "dm-12", n+1)
	if !strings.Contains(posts[n].Content, "expiré") {
		t.Errorf("old button: %q", posts[n].Content)
	}
}

// /boussole ask in a public channel: acknowledged privately, then the
// conversation continues in a private thread.
func TestSlashAskInAPublicChannel(t *testing.T) {
	t.Parallel()
	s := newStack(t, Config{}, mediation.Config{})
	f := s.f
	f.Slash("200", "13", "ask", map[string]any{"question": "bonjour"})
	f.WaitFor(t, "the citizen's thread", func() bool { return len(f.Members) == 1 })
	var thread string
	f.Mu.Lock()
	for th := range f.Threads {
		thread = th
	}
	f.Mu.Unlock()
	posts := f.WaitPosts(t, thread, 1)
	if !strings.HasPrefix(posts[0].Content, "Bonjour") {
		t.Fatalf("thread: %q", posts[0].Content)
	}
	cb := f.CallsTo("POST", "/interactions/")
	if len(cb) != 1 || cb[0].Body["type"].(float64) != 5 || cb[0].Body["data"].(map[string]any)["flags"].(float64) != 64 {
		t.Fatalf("callback %+v, want a deferred ephemeral answer", cb)
	}
	f.WaitFor(t, "the edited answer", func() bool {
		for _, c := range f.Calls {
			if c.Method == "PATCH" && strings.Contains(c.Body["content"].(string), "<#"+thread+">") {
				return true
			}
		}
		return false
	})
	if n := len(f.PostsTo("200")); n != 0 {
		t.Errorf("%d public posts for a slash command", n)
	}
}

// After a restart the bot still recognises the private threads it opened:
// a new process on the same database answers the citizen writing in their
// thread without a mention, in the conversation they had.
func TestThreadsAreRecognisedAfterARestart(t *testing.T) {
	t.Parallel()
	f := discordtest.Start(t, time.Now)
	db := filepath.Join(t.TempDir(), "boussole.db")
	_, stop := startStack(t, f, db, Config{}, mediation.Config{})
	f.Say("200", "14", "<@"+discordtest.BotID+"> logement")
	f.WaitFor(t, "the citizen's thread", func() bool { return len(f.Members) == 1 })
	var thread string
	f.Mu.Lock()
	for th := range f.Threads {
		thread = th
	}
	f.Mu.Unlock()
	f.WaitPosts(t, thread, 1)
	time.Sleep(200 * time.Millisecond) // no second part on its way
	stop()

	_, stop2 := startStack(t, f, db, Config{}, mediation.Config{})
	t.Cleanup(stop2)
	// "retour" at the housing tree's first question says so: a new
	// conversation would have no previous question.
	f.Say(thread, "14", "retour")
	f.WaitPostContaining(t, thread, "déjà à la première question")
}

// Clicks are acknowledged before the turn runs, and the gateway gets
// heartbeats.
func TestClickAcknowledgedBeforeTheReply(t *testing.T) {
	t.Parallel()
	s := newStack(t, Config{}, mediation.Config{})
	f := s.f
	f.DM("15", "bonjour")
	_, ids := f.WaitPosts(t, "dm-15", 1)[0].Buttons()
	f.Click("dm-15", "15", ids[0], false)
	f.WaitPosts(t, "dm-15", 2)
	f.Mu.Lock()
	ack, reply := -1, -1
	posts := 0
	for i, c := range f.Calls {
		if c.Method == "POST" && strings.HasPrefix(c.Path, "/interactions/") && ack < 0 {
			ack = i
		}
		if c.Method == "POST" && c.Path == "/channels/dm-15/messages" {
			if posts++; posts == 2 {
				reply = i
			}
		}
	}
	f.Mu.Unlock()
	if ack < 0 || reply < 0 || ack > reply {
		t.Errorf("acknowledgement at call %d, reply at call %d", ack, reply)
	}
	f.WaitFor(t, "a heartbeat", func() bool { return f.Heartbeats > 0 })
}

// Where the bot may not open threads, the conversation goes to a DM.
func TestNoThreadPermissionFallsBackToADirectMessage(t *testing.T) {
	t.Parallel()
	s := newStack(t, Config{}, mediation.Config{})
	f := s.f
	f.Say("403", "16", "<@"+discordtest.BotID+"> bonjour")
	public := f.WaitPosts(t, "403", 1)
	if !strings.Contains(public[0].Content, "message privé") {
		t.Errorf("public notice %q", public[0].Content)
	}
	f.WaitPosts(t, "dm-16", 1)
}

// A resume Discord refuses (op 9) ends in a new session; a reconnect
// request (op 7) in a resume; the bot answers after both.
func TestInvalidSessionAndReconnectRequest(t *testing.T) {
	t.Parallel()
	s := newStack(t, Config{}, mediation.Config{})
	f := s.f
	f.Mu.Lock()
	f.Invalidate = true
	f.Mu.Unlock()
	f.Disconnect()
	f.WaitConnected(t, "READY")
	f.DM("17", "bonjour")
	f.WaitPosts(t, "dm-17", 1)
	f.ReconnectRequest()
	f.WaitConnected(t, "RESUMED")
	f.DM("17", "aide")
	f.WaitPosts(t, "dm-17", 2)
	f.Mu.Lock()
	defer f.Mu.Unlock()
	if f.Identifies != 2 || len(f.Resumes) != 2 {
		t.Errorf("identifies %d, resumes %v; want 2 and 2", f.Identifies, f.Resumes)
	}
}

// A gateway that cannot be reached when Boussole starts (network not up
// yet, Discord outage) is tried again until it answers.
func TestUnreachableGatewayAtStartIsRetried(t *testing.T) {
	t.Parallel()
	f := discordtest.Start(t, time.Now)
	f.Mu.Lock()
	f.Refuse = 2
	f.Mu.Unlock()
	a := bareAdapter(t, f, Config{}, "test-token")
	a.retry = 10 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx, bot.HandlerFunc(func(context.Context, bot.Incoming) error { return nil })) }()
	f.WaitConnected(t, "READY")
	f.Mu.Lock()
	refused := f.Refused
	f.Mu.Unlock()
	if refused != 2 {
		t.Errorf("refused connections = %d, want 2 before the one that worked", refused)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run: %v", err)
	}
}

// A token Discord refuses is reported at once, not retried forever.
func TestRefusedTokenIsNotRetried(t *testing.T) {
	t.Parallel()
	f := discordtest.Start(t, time.Now)
	a := bareAdapter(t, f, Config{}, "wrong-token")
	a.retry = 10 * time.Millisecond
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := a.Run(ctx, bot.HandlerFunc(func(context.Context, bot.Incoming) error { return nil }))
	if err == nil || !strings.Contains(err.Error(), "connect to discord gateway") || ctx.Err() != nil {
		t.Fatalf("Run error = %v, want a connection error before the deadline", err)
	}
	f.Mu.Lock()
	defer f.Mu.Unlock()
	if f.Identifies != 1 {
		t.Errorf("identified %d times, want 1 (no retry)", f.Identifies)
	}
}

// A citizen writes in a DM while Boussole is stopped (a deployment, a
// crash): Discord does not send it to the next session, so the next run
// reads the DM back and answers it once, without answering again what the
// previous run had answered.
func TestRestartAnswersWhatWasPostedWhileStopped(t *testing.T) {
	t.Parallel()
	f := discordtest.Start(t, time.Now)
	db := filepath.Join(t.TempDir(), "boussole.db")
	_, stop := startStack(t, f, db, Config{}, mediation.Config{})
	f.DM("12", "bonjour")
	f.WaitPosts(t, "dm-12", 1)
	time.Sleep(200 * time.Millisecond) // no second part on its way
	welcomed := len(f.PostsTo("dm-12"))
	stop()

	f.OfflineDM("12", "voiture")
	_, stop2 := startStack(t, f, db, Config{}, mediation.Config{})
	t.Cleanup(stop2)
	f.WaitPosts(t, "dm-12", welcomed+1)
	time.Sleep(500 * time.Millisecond) // anything answered twice would be here by now
	posts := f.PostsTo("dm-12")
	var texts []string
	for _, p := range posts[welcomed:] {
		texts = append(texts, p.Content)
	}
	// "voiture" opens the vehicles tree: its first question, once.
	if n := strings.Count(strings.Join(texts, "\n"), "Votre demande concerne"); n != 1 {
		t.Errorf("after the restart the bot said %q, want the vehicles tree's question once", texts)
	}
	for _, p := range posts[welcomed:] {
		if strings.Contains(p.Content, "Je suis Boussole") {
			t.Errorf("the first message was answered again: %q", p.Content)
		}
	}
}

// A mediator answers in their private thread while Boussole is stopped:
// the next run reads the thread back, knows the thread and the mediator's
// role again, and relays the answer to the citizen.
func TestRestartRelaysWhatAMediatorWroteWhileStopped(t *testing.T) {
	t.Parallel()
	f, db, cfg, medThread := mediatorAnsweredThenStopped(t)

	f.OfflineSay(medThread, "7", "Je reviens vers vous demain")
	_, stop2 := startStack(t, f, db, cfg, discordQueue)
	t.Cleanup(stop2)
	f.WaitPostContaining(t, "dm-8", "Je reviens vers vous demain")
	time.Sleep(300 * time.Millisecond)
	if n := f.CountPostsContaining("dm-8", "je suis Marie"); n != 1 {
		t.Errorf("the message relayed before the restart reached the citizen %d times", n)
	}
	if n := f.CountPostsContaining(medThread, "Je suis Boussole"); n != 0 {
		t.Errorf("the mediator was greeted as a citizen %d times: %+v", n, f.PostsTo(medThread))
	}
}

// The same, when Discord refuses the first look-up of the mediator's
// roles during the read-back (a 500 under load): it is tried again, and
// the mediator's words still reach the citizen rather than being taken
// for a citizen's.
func TestRestartRelaysAMediatorsWordsWhenARoleLookupFails(t *testing.T) {
	t.Parallel()
	f, db, cfg, medThread := mediatorAnsweredThenStopped(t)

	f.OfflineSay(medThread, "7", "Je reviens vers vous demain")
	f.Mu.Lock()
	f.FailMembers = 1
	f.Mu.Unlock()
	_, stop2 := startStack(t, f, db, cfg, discordQueue)
	t.Cleanup(stop2)
	f.WaitPostContaining(t, "dm-8", "Je reviens vers vous demain")
	if n := f.CountPostsContaining(medThread, "pas compris"); n != 0 {
		t.Errorf("the mediator's words were taken for a citizen's: %+v", f.PostsTo(medThread))
	}
}

// mediatorAnsweredThenStopped runs a first Boussole on a new database in
// which a citizen (8) asked for a human, mediator 7 (role 50) claimed the
// case and wrote once in their thread, relayed; then stops it. It returns
// what a second run needs.
func mediatorAnsweredThenStopped(t *testing.T) (*discordtest.Server, string, Config, string) {
	t.Helper()
	f := discordtest.Start(t, time.Now)
	f.Mu.Lock()
	f.MemberRoles["7"] = []string{"50"}
	f.Mu.Unlock()
	db := filepath.Join(t.TempDir(), "boussole.db")
	cfg := Config{GuildIDs: []string{discordtest.GuildID}, MediatorChannels: []string{"300"}}
	_, stop := startStack(t, f, db, cfg, discordQueue)
	f.DM("8", "humain")
	queue := f.WaitPosts(t, "300", 1)
	_, ids := queue[0].Buttons()
	f.Click("300", "7", ids[0], true, "50")
	medThread := f.WaitPrivateThread(t, "7")
	f.WaitPosts(t, medThread, 1)
	// The thread is read back after a restart once it was written in.
	f.Say(medThread, "7", "Bonjour, je suis Marie", "50")
	f.WaitPostContaining(t, "dm-8", "je suis Marie")
	stop()
	return f, db, cfg, medThread
}

// bareAdapter is an adapter on the fake server f with the token, outside
// any stack: for start-up behaviour.
func bareAdapter(t *testing.T, f *discordtest.Server, cfg Config, token string) *Adapter {
	t.Helper()
	cat, _ := catalog.New()
	a, err := New(cfg, Deps{Catalog: cat, Now: time.Now, HTTPClient: f.Client(), Getenv: func(string) string { return token }})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// The connection drops and Discord refuses to resume the session (op 9):
// the new session receives nothing of what was posted meanwhile, so the
// bot reads its private places back from the moment the connection was
// lost, answers the new message once and does not answer the old one
// again.
func TestNewSessionAfterAnOutageReadsBackWhatWasMissed(t *testing.T) {
	t.Parallel()
	s := newStack(t, Config{}, mediation.Config{})
	f := s.f
	f.DM("21", "bonjour")
	f.WaitPosts(t, "dm-21", 1)
	time.Sleep(200 * time.Millisecond) // no second part on its way
	welcomed := len(f.PostsTo("dm-21"))
	f.Mu.Lock()
	f.Invalidate = true
	f.Mu.Unlock()
	f.Disconnect()
	f.OfflineDM("21", "voiture") // while the connection is down
	f.WaitConnected(t, "READY")
	f.WaitPosts(t, "dm-21", welcomed+1)
	time.Sleep(500 * time.Millisecond) // anything answered twice would be here by now
	var texts []string
	for _, p := range f.PostsTo("dm-21")[welcomed:] {
		texts = append(texts, p.Content)
	}
	all := strings.Join(texts, "\n")
	if n := strings.Count(all, "Votre demande concerne"); n != 1 || strings.Contains(all, "Je suis Boussole") {
		t.Errorf("after the new session the bot said %q, want the vehicles tree's question once and no second welcome", texts)
	}
}

// Several places read back at once (a few at a time): every citizen who
// wrote while Boussole was stopped is answered, once.
func TestRestartReadsBackManyPlaces(t *testing.T) {
	t.Parallel()
	f := discordtest.Start(t, time.Now)
	db := filepath.Join(t.TempDir(), "boussole.db")
	_, stop := startStack(t, f, db, Config{}, mediation.Config{})
	users := []string{"31", "32", "33", "34", "35", "36", "37", "38", "39"}
	welcomed := map[string]int{}
	for _, u := range users {
		f.DM(u, "bonjour")
		f.WaitPosts(t, "dm-"+u, 1)
	}
	time.Sleep(200 * time.Millisecond)
	for _, u := range users {
		welcomed[u] = len(f.PostsTo("dm-" + u))
	}
	stop()
	for _, u := range users {
		f.OfflineDM(u, "voiture")
	}
	_, stop2 := startStack(t, f, db, Config{}, mediation.Config{})
	t.Cleanup(stop2)
	for _, u := range users {
		f.WaitPosts(t, "dm-"+u, welcomed[u]+1)
	}
	time.Sleep(500 * time.Millisecond)
	for _, u := range users {
		var texts []string
		for _, p := range f.PostsTo("dm-" + u)[welcomed[u]:] {
			texts = append(texts, p.Content)
		}
		if n := strings.Count(strings.Join(texts, "\n"), "Votre demande concerne"); n != 1 {
			t.Errorf("dm-%s after the restart: %q, want the vehicles tree's question once", u, texts)
		}
	}
}

// A mediator configured by role writes to the bot in a DM, where Discord
// sends no roles: the adapter looks the roles up in the guild for what
// reads as a mediator's command, so the mediator can claim and relay from
// the DM; a citizen typing the same command is still refused.
func TestMediatorByRoleCommandsFromADirectMessage(t *testing.T) {
	t.Parallel()
	s := newStack(t, Config{GuildIDs: []string{discordtest.GuildID}, MediatorChannels: []string{"300"}}, discordQueue)
	f := s.f
	f.Mu.Lock()
	f.MemberRoles["7"] = []string{"50"} // Médiateur
	f.Mu.Unlock()
	f.DM("8", "humain")
	f.WaitPosts(t, "300", 1)
	f.DM("9", "prendre 1")
	f.WaitPostContaining(t, "dm-9", "réservée aux médiateurs")
	// The first lookup fails (Discord answers 500): refused this time, but
	// not remembered, so the next message is looked up again.
	f.Mu.Lock()
	f.FailMembers = 1
	f.Mu.Unlock()
	f.DM("7", "prendre 1")
	f.WaitPostContaining(t, "dm-7", "réservée aux médiateurs")
	f.DM("7", "prendre 1")
	f.WaitPostContaining(t, "dm-7", "Vous avez pris la demande n° 1")
	f.DM("7", "Bonjour, je suis Marie")
	f.WaitPostContaining(t, "dm-8", "Bonjour, je suis Marie")
	if n := f.CountPostsContaining("dm-9", "Vous avez pris"); n != 0 {
		t.Errorf("a citizen claimed the case: %+v", f.PostsTo("dm-9"))
	}
	checkNoMentions(t, f)
}
