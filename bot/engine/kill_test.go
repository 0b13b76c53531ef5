package engine_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/boussole/boussole/bot"
	"github.com/boussole/boussole/bot/catalog"
	"github.com/boussole/boussole/bot/delivery"
	"github.com/boussole/boussole/bot/delivery/deliverytest"
	"github.com/boussole/boussole/bot/engine"
	"github.com/boussole/boussole/bot/mediation"
	"github.com/boussole/boussole/bot/store"
	"github.com/boussole/boussole/knowledge/search"
)

// The kill test runs a whole mediation with the citizen on one platform
// and the mediator on another, each served by its own process on one
// database, and kills both processes with SIGKILL at random moments at
// every step. Each platform here is a file: what was posted, with the
// idempotency key, dropping a key it has seen (as Discord's nonce and
// Mattermost's pending_post_id do). At the end, each person must have
// received exactly what a run without kills delivers: every message once,
// in order.

const (
	killChildEnv = "BOUSSOLE_KILL_CHILD"
	killReady    = "KILL-CHILD-READY"
)

// killStep is one message of the flow: who writes, on which platform.
type killStep struct {
	Platform, User, Text string
}

var killFlow = []killStep{
	{"cit", "alice", "bonjour"},
	{"cit", "alice", "humain"},
	{"med", "marie", "prendre 1"},
	{"cit", "alice", "j'ai perdu ma carte d'identité et mon passeport"},
	{"med", "marie", "Bonjour, avez-vous fait une déclaration de perte ?"},
	{"cit", "alice", "👍 oui"},
	{"med", "marie", "!note 1 rappeler lundi"},
	{"med", "marie", "!fermer 1 orienté mairie"},
	{"cit", "alice", "5"},
}

func killAddr(platform, user string) bot.Address {
	return bot.Address{Platform: platform, Channel: "dm-" + user, User: user}
}

func TestKillAtEveryStepDeliversEachMessageOnce(t *testing.T) {
	if os.Getenv(killChildEnv) != "" {
		t.Skip("child process")
	}
	if testing.Short() {
		t.Skip("starts processes")
	}
	want := killRun(t, t.TempDir(), nil)
	rng := rand.New(rand.NewPCG(20261206, 7))
	got := killRun(t, t.TempDir(), rng)
	for _, who := range slices.Sorted(maps.Keys(want)) {
		if !slices.Equal(got[who], want[who]) {
			t.Errorf("%s received, with kills:\n  %s\nwithout:\n  %s", who, strings.Join(got[who], "\n  "), strings.Join(want[who], "\n  "))
		}
	}
	if len(want["cit/alice"]) < 5 || len(want["med/marie"]) < 4 || len(want["med/"]) < 2 {
		t.Fatalf("the flow did not run: %v", want)
	}
	t.Logf("delivered once each: %d to the citizen, %d to the mediator, %d to the queue", len(got["cit/alice"]), len(got["med/marie"]), len(got["med/"]))
}

// killRun plays the flow in dir. With rng, each step is followed by two
// rounds where both processes are killed after a random delay, then a
// round where they finish; without, by one round that finishes. It
// returns what each destination received, in order.
func killRun(t *testing.T, dir string, rng *rand.Rand) map[string][]string {
	t.Helper()
	round := 0
	var mu sync.Mutex
	start := func(p string) (*exec.Cmd, *strings.Builder) {
		cmd := exec.Command(os.Args[0], "-test.run=^TestKillChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), killChildEnv+"=1", "KILL_DIR="+dir, "KILL_PLATFORM="+p, "KILL_ROUND="+strconv.Itoa(round))
		out := &strings.Builder{}
		cmd.Stdout, cmd.Stderr = out, out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd, out
	}
	// finish runs each process to its end, one after the other (the
	// citizen's again last: what the mediator's turns queued for them).
	finish := func() {
		for _, p := range []string{"cit", "med", "cit"} {
			round++
			cmd, out := start(p)
			if err := cmd.Wait(); err != nil {
				t.Fatalf("child %s round %d: %v\n%s", p, round, err, out.String())
			}
		}
	}
	// kill runs both processes at once and kills each after a random
	// delay (or lets it end, if it is quicker).
	kills := 0
	kill := func() {
		round++
		var wg sync.WaitGroup
		for _, p := range []string{"cit", "med"} {
			cmd := exec.Command(os.Args[0], "-test.run=^TestKillChild$", "-test.count=1")
			cmd.Env = append(os.Environ(), killChildEnv+"=1", "KILL_DIR="+dir, "KILL_PLATFORM="+p, "KILL_ROUND="+strconv.Itoa(round))
			stdout, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			// Killed a few milliseconds after it is ready: while it sends
			// what was left, answers, commits or marks sent.
			delay := time.Duration(rng.IntN(15000)) * time.Microsecond
			wg.Go(func() {
				sc := bufio.NewScanner(stdout)
				for sc.Scan() && sc.Text() != killReady {
				}
				time.Sleep(delay)
				if cmd.Process.Signal(syscall.SIGKILL) == nil {
					mu.Lock()
					kills++
					mu.Unlock()
				}
				_, _ = io.Copy(io.Discard, stdout)
				_ = cmd.Wait()
			})
		}
		wg.Wait()
	}
	for i, s := range killFlow {
		in := bot.Incoming{Address: killAddr(s.Platform, s.User), Text: s.Text, Name: s.User, ID: fmt.Sprintf("%s-%d", s.Platform, i)}
		appendJSON(t, filepath.Join(dir, s.Platform+".inbox"), in)
		if rng != nil {
			kill()
			kill()
		}
		finish()
	}
	if rng != nil {
		t.Logf("%d processes killed", kills)
	}
	got := map[string][]string{}
	for _, p := range []string{"cit", "med"} {
		for _, post := range readPosts(t, filepath.Join(dir, p+".posts")) {
			who := post.To.Platform + "/" + post.To.User
			got[who] = append(got[who], minutes.ReplaceAllString(post.Text, "N min"))
		}
	}
	return got
}

// minutes are waits that depend on how many restarts a run had.
var minutes = regexp.MustCompile(`\d+ min`)

type killPost struct {
	Key  string
	To   bot.Address
	Text string
}

func appendJSON(t *testing.T, path string, v any) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b, _ := json.Marshal(v)
	if _, err := f.Write(append(b, '\n')); err != nil {
		t.Fatal(err)
	}
}

func readPosts(t *testing.T, path string) []killPost {
	t.Helper()
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []killPost
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var p killPost
		// A line cut by a kill is a post the platform never accepted.
		if json.Unmarshal(sc.Bytes(), &p) == nil {
			out = append(out, p)
		}
	}
	return out
}

// filePlatform is a platform whose posts are lines of a file; like
// Discord and Mattermost, it drops a post whose key it has seen.
type filePlatform struct {
	name, path string
	mu         sync.Mutex
	seen       map[string]bool
}

func (p *filePlatform) Name() string                                 { return p.name }
func (p *filePlatform) Run(ctx context.Context, _ bot.Handler) error { <-ctx.Done(); return nil }
func (p *filePlatform) Send(_ context.Context, r bot.Reply) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if r.Key != "" && p.seen[r.Key] {
		return nil
	}
	f, err := os.OpenFile(p.path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	defer f.Close()
	b, _ := json.Marshal(killPost{Key: r.Key, To: r.To, Text: r.Text})
	if _, err := f.Write(append(b, '\n')); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	p.seen[r.Key] = true
	return nil
}

// TestKillChild is the process the kill test starts and kills: it serves
// one platform on the shared database, handles every message of its inbox
// (those already answered are dropped) and sends what is queued for it.
func TestKillChild(t *testing.T) {
	if os.Getenv(killChildEnv) == "" {
		t.Skip("run by TestKillAtEveryStepDeliversEachMessageOnce")
	}
	dir, platform := os.Getenv("KILL_DIR"), os.Getenv("KILL_PLATFORM")
	round, _ := strconv.Atoi(os.Getenv("KILL_ROUND"))
	ctx := context.Background()
	// Each round is two minutes after the last: leases of a killed
	// process (one minute) have expired when the next round starts.
	at := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC).Add(time.Duration(round) * 2 * time.Minute)
	now := func() time.Time { return at }
	st, err := store.Open(ctx, filepath.Join(dir, "shared.db"), store.Options{Clock: now})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	cat, err := catalog.New()
	if err != nil {
		t.Fatal(err)
	}
	base := fixture(t, treeYAML)
	med := mediation.Config{
		SkipConsent: true,
		Mediators:   map[string][]string{"med": {"marie"}},
		Queues:      map[string]mediation.Queue{mediation.DefaultQueue: {Channel: bot.Address{Platform: "med", Channel: "mediateurs"}}},
	}
	eng, err := engine.New(ctx, engine.Config{Mediation: med}, engine.Deps{Store: st, Catalog: cat, Knowledge: base, Searcher: search.New(base, search.Options{}), Danger: mustDanger(t), Now: now})
	if err != nil {
		t.Fatal(err)
	}
	pf := &filePlatform{name: platform, path: filepath.Join(dir, platform+".posts"), seen: map[string]bool{}}
	for _, p := range readPosts(t, pf.path) {
		pf.seen[p.Key] = true
	}
	out := deliverytest.Dispatcher(t, st, now)
	out.Register(pf)
	r := delivery.NewRunner(eng, out, nil)
	r.Register(pf)
	fmt.Println(killReady)
	// What an earlier, killed process queued goes out first.
	if _, err := out.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(filepath.Join(dir, platform+".inbox"))
	if os.IsNotExist(err) {
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var in bot.Incoming
		if err := json.Unmarshal(sc.Bytes(), &in); err != nil {
			t.Fatal(err)
		}
		in.Replayed = true
		if err := r.Handle(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := out.Flush(ctx); err != nil {
		t.Fatal(err)
	}
}
