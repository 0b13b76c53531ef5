package loadtest

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/boussole/boussole/adapters/discord/discordtest"
	"github.com/boussole/boussole/bot/store/pgtest"
)

// The short form runs in CI; the full one is
// `go test ./loadtest -run TestLoad -load.conversations=1000 -timeout 60m`.
var (
	conversationsFlag = flag.Int("load.conversations", 60, "concurrent citizen conversations per run of TestLoad")
	outFlag           = flag.String("load.out", "", "file to write TestLoad's figures to")
	failoverFlag      = flag.Duration("load.failover", 3*time.Second, "database.failover_after of the replicas")
	replicasFlag      = flag.String("load.replicas", "1,3", "the runs of TestLoad: numbers of replicas, comma-separated (several: the last is killed and restarted)")
	logFlag           = flag.String("load.log", "warn", "the replicas' log level")
	dirFlag           = flag.String("load.dir", "", "folder kept for the replicas' configurations and logs (default: a temporary one)")
	// stepWithin bounds one turn's wait: generous, never a measure.
	stepWithin = flag.Duration("load.step_timeout", 2*time.Minute, "how long one turn may wait for its answer before TestLoad fails")
)

// mediatorRole is the fake guild's Médiateur role.
const mediatorRole = "50"

// run is one measured run: its conversations' turns.
type run struct {
	replicas int
	now      func() time.Time

	mu        sync.Mutex
	latencies []time.Duration
	turns     []turnAt // dispatch and reply moments, for the takeover
	done      atomic.Int64
}

type turnAt struct{ sent, answered time.Time }

func (r *run) record(sent, answered time.Time) {
	r.mu.Lock()
	r.latencies = append(r.latencies, answered.Sub(sent))
	r.turns = append(r.turns, turnAt{sent, answered})
	r.mu.Unlock()
	r.done.Add(1)
}

// turnsPerConversation is what converse counts as turns: six citizen
// messages or clicks before the case, the claim, one relay each way and
// the close.
const turnsPerConversation = 10

// TestLoad runs concurrent conversations — a greeting, a tree choice by
// button, « recommencer », a question answered from the demo knowledge, « je veux parler à
// quelqu'un » with consent, a mediator's claim in #mediateurs, a relay
// each way, the close — against one replica, then against three of which
// one is killed with SIGKILL a third of the way and started again at two
// thirds. Every message is counted at both ends: each conversation's
// messages, mediator's thread and case are the same as every other's (no
// message lost, none twice), every case is posted and claimed once, and no
// nonce is posted twice. Throughput, p99 turn latency and the time the
// turns in flight at the kill took to be answered are reported, never
// asserted.
func TestLoad(t *testing.T) {
	pgtest.Server(t) // skip (or fail in CI) before building anything
	n := *conversationsFlag
	bin := buildBoussole(t)
	var report strings.Builder
	fmt.Fprintf(&report, "conversations: %d, turns per conversation: %d, failover_after: %s\n", n, turnsPerConversation, *failoverFlag)
	var runs []int
	for _, r := range strings.Split(*replicasFlag, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(r))
		if err != nil || n < 1 {
			t.Fatalf("-load.replicas: %q is not a number of replicas", r)
		}
		runs = append(runs, n)
	}
	for _, replicas := range runs {
		t.Run(fmt.Sprintf("%d replicas", replicas), func(t *testing.T) {
			line := loadRun(t, bin, n, replicas)
			report.WriteString(line + "\n")
		})
	}
	t.Log("\n" + report.String())
	if *outFlag != "" {
		if err := os.WriteFile(*outFlag, []byte(report.String()), 0o644); err != nil {
			t.Error(err)
		}
	}
}

func loadRun(t *testing.T, bin string, n, replicas int) string {
	now := time.Now // the test's clock
	dsn := pgtest.DSN(t)
	f := discordtest.Start(t, now)
	// The mediators hold the mediators' role on the server, as the REST
	// API tells it: a replica started again reads back missed thread
	// messages there, without the member the gateway sends, and looks the
	// author's roles up (without them a mediator's words would be taken
	// for a citizen's).
	f.Mu.Lock()
	for i := range n {
		f.MemberRoles[mediator(i)] = []string{mediatorRole}
	}
	f.Mu.Unlock()
	px := startProxy(t, f.APIBase(), now)
	c := newCluster(t, bin, dsn, *failoverFlag, f, px)
	c.logLevel = *logFlag
	if *dirFlag != "" {
		c.dir = filepath.Join(*dirFlag, fmt.Sprintf("%d-replicas", replicas))
		if err := os.MkdirAll(c.dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for id := range replicas {
		c.start(id)
	}
	r := &run{replicas: replicas, now: now}
	total := int64(n * turnsPerConversation)
	// With several replicas, the last is killed a third of the way and
	// started again at two thirds.
	var killedAt time.Time
	var chaos sync.WaitGroup
	chaosErr := make(chan error, 1)
	if replicas > 1 {
		victim := replicas - 1
		chaos.Go(func() {
			for r.done.Load() < total/3 {
				time.Sleep(10 * time.Millisecond)
			}
			killedAt = now()
			c.kill(victim)
			for r.done.Load() < 2*total/3 {
				time.Sleep(10 * time.Millisecond)
			}
			if err := c.startReplica(victim); err != nil {
				chaosErr <- err
			}
		})
	}
	start := now()
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			if err := converse(f, px, r, i); err != nil {
				errs <- fmt.Errorf("conversation %d: %w", i, err)
			}
		})
	}
	wg.Wait()
	elapsed := now().Sub(start)
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if t.Failed() {
		// The chaos goroutine waits for turns that will not come.
		r.done.Store(total)
	}
	chaos.Wait()
	select {
	case err := <-chaosErr:
		t.Fatal(err)
	default:
	}
	if t.Failed() {
		t.Fatalf("replica logs:\n%s", c.logs())
	}
	// Anything sent twice would come within another failover period.
	time.Sleep(2 * *failoverFlag)
	checkCounts(t, f, px, n)

	lat := slices.Clone(r.latencies)
	slices.Sort(lat)
	p := func(q float64) time.Duration { return lat[min(len(lat)-1, int(q*float64(len(lat))))] }
	line := fmt.Sprintf("%d replica(s): %d turns in %.1fs = %.1f turns/s; turn latency p50 %s, p99 %s, max %s",
		replicas, len(lat), elapsed.Seconds(), float64(len(lat))/elapsed.Seconds(), p(0.5).Round(time.Millisecond), p(0.99).Round(time.Millisecond), lat[len(lat)-1].Round(time.Millisecond))
	if !killedAt.IsZero() {
		inFlight, last := 0, time.Duration(0)
		for _, tu := range r.turns {
			if tu.sent.Before(killedAt) && tu.answered.After(killedAt) {
				inFlight++
				last = max(last, tu.answered.Sub(killedAt))
			}
		}
		px.mu.Lock()
		dupes := px.dupes
		px.mu.Unlock()
		line += fmt.Sprintf("; replica killed (SIGKILL) at %.1fs: %d turns in flight, all answered within %s of the kill; %d repeats dropped by nonce",
			killedAt.Sub(start).Seconds(), inFlight, last.Round(time.Millisecond), dupes)
	}
	t.Log(line)
	return line
}

var caseNo = regexp.MustCompile(`demande n° (\d+)`)

// converse plays conversation i: citizen(i) in a DM, mediator(i) in
// #mediateurs (300) and the private thread the bot opens for them.
func converse(f *discordtest.Server, px *proxy, r *run, i int) error {
	me, med := citizen(i), mediator(i)
	dm := "dm-" + me
	hasButtons := func(p posted) bool { return len(p.buttons) > 0 }
	// turn sends what act does and waits for a message to ch satisfying
	// ok; the latency runs to the first message posted to ch.
	turn := func(name, ch string, act func(), ok func(posted) bool) (posted, error) {
		before := px.count(ch)
		sent := r.now()
		act()
		hit, first, found := px.waitPost(ch, before, *stepWithin, ok)
		if !found {
			return posted{}, fmt.Errorf("%s: no answer in %s within %s; posts there: %s; in %s: %s", name, ch, *stepWithin, contents(px.postsTo(ch)), dm, contents(px.postsTo(dm)))
		}
		r.record(sent, first.at)
		return hit, nil
	}
	welcome, err := turn("greeting", dm, func() { f.DM(me, "bonjour") }, hasButtons)
	if err != nil {
		return err
	}
	if _, err := turn("tree choice", dm, func() { f.Click(dm, me, welcome.buttons[0], false) }, hasButtons); err != nil {
		return err
	}
	if _, err := turn("restart", dm, func() { f.DM(me, "recommencer") }, hasButtons); err != nil {
		return err
	}
	// Each turn waits for its last message, the one with the buttons or
	// the words the next turn needs: an answer comes in parts.
	before := px.count(dm)
	if _, err := turn("question", dm, func() { f.DM(me, "combien coûte un passeport ?") }, hasButtons); err != nil {
		return err
	}
	if !slices.ContainsFunc(px.postsTo(dm)[before:], func(p posted) bool { return strings.Contains(p.content, "https://") }) {
		return fmt.Errorf("question: not answered with a sheet and its source: %s", contents(px.postsTo(dm)[before:]))
	}
	consent, err := turn("escalation", dm, func() { f.DM(me, "je veux parler à quelqu'un") }, hasButtons)
	if err != nil {
		return err
	}
	opened, err := turn("consent", dm, func() { f.Click(dm, me, consent.buttons[0], false) }, func(p posted) bool { return caseNo.MatchString(p.content) })
	if err != nil {
		return err
	}
	n := caseNo.FindStringSubmatch(opened.content)[1]
	claim := "m:claim:" + n
	queued, _, found := px.waitPost("300", 0, *stepWithin, func(p posted) bool { return slices.Contains(p.buttons, claim) })
	if !found {
		return fmt.Errorf("case %s never posted to #mediateurs", n)
	}
	if _, err := turn("claim", dm, func() { f.Click(queued.channel, med, claim, true, mediatorRole) }, func(p posted) bool { return strings.Contains(p.content, "a pris votre demande") }); err != nil {
		return err
	}
	thread, ok := px.waitThread(med, *stepWithin)
	if !ok {
		return fmt.Errorf("no private thread for mediator %s", med)
	}
	hello := "Bonjour, ici " + med
	if _, err := turn("relay to the citizen", dm, func() { f.Say(thread, med, hello, mediatorRole) }, func(p posted) bool { return strings.Contains(p.content, hello) }); err != nil {
		return err
	}
	thanks := "Merci, je suis " + me
	if _, err := turn("relay to the mediator", thread, func() { f.DM(me, thanks) }, func(p posted) bool { return strings.Contains(p.content, thanks) }); err != nil {
		return err
	}
	closed := "Demande n° " + n + " close"
	if _, err := turn("close", thread, func() { f.Slash("300", med, "close", map[string]any{"case": atoiMust(n)}, mediatorRole) }, func(p posted) bool { return strings.Contains(p.content, closed) }); err != nil {
		return err
	}
	return nil
}

// mediator is the Discord user id of the i-th conversation's mediator.
func mediator(i int) string { return fmt.Sprint(500000 + i) }

// checkCounts compares every conversation with the first: the same
// messages in the citizen's DM and in the mediator's thread, digits
// aside (ids, case numbers, queue positions). A message lost or sent
// twice in one conversation makes it differ. Every case is posted once to
// #mediateurs, and Discord holds no nonce twice.
func checkCounts(t *testing.T, f *discordtest.Server, px *proxy, n int) {
	t.Helper()
	digits := regexp.MustCompile(`[0-9]+`)
	shape := func(ps []posted) string {
		var b strings.Builder
		for _, p := range ps {
			b.WriteString(digits.ReplaceAllString(p.content, "#") + "\n")
		}
		return b.String()
	}
	px.mu.Lock()
	threads := maps(px.thrds)
	px.mu.Unlock()
	var refDM, refThread string
	for i := range n {
		dm, th := shape(px.postsTo("dm-"+citizen(i))), shape(px.postsTo(threads[mediator(i)]))
		if i == 0 {
			refDM, refThread = dm, th
			continue
		}
		if dm != refDM {
			t.Errorf("conversation %d's DM differs from conversation 0's:\n%s\nwant\n%s", i, dm, refDM)
		}
		if th != refThread {
			t.Errorf("conversation %d's mediator thread differs from conversation 0's:\n%s\nwant\n%s", i, th, refThread)
		}
	}
	cases := map[string]int{}
	for _, p := range px.postsTo("300") {
		if m := regexp.MustCompile(`^Nouvelle demande n° (\d+)`).FindStringSubmatch(p.content); m != nil {
			cases[m[1]]++
		}
	}
	if len(cases) != n {
		t.Errorf("%d cases posted to #mediateurs, want %d", len(cases), n)
	}
	for c, k := range cases {
		if k != 1 {
			t.Errorf("case %s posted %d times", c, k)
		}
	}
	f.Mu.Lock()
	defer f.Mu.Unlock()
	nonces := map[string]int{}
	for _, p := range f.Posts {
		nonces[fmt.Sprint(p.Body["nonce"])]++
	}
	for nc, k := range nonces {
		if k != 1 || nc == "<nil>" {
			t.Errorf("nonce %s on %d messages", nc, k)
		}
	}
	px.mu.Lock()
	recorded := len(px.posts)
	px.mu.Unlock()
	if len(f.Posts) != recorded {
		t.Errorf("Discord holds %d messages, the proxy saw %d created", len(f.Posts), recorded)
	}
}

func maps(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func contents(ps []posted) string {
	var out []string
	for _, p := range ps {
		c := p.content
		if len(c) > 60 {
			c = c[:60] + "…"
		}
		out = append(out, fmt.Sprintf("[r%d %s %s] %q%v", p.replica, p.at.Format("15:04:05.000"), p.nonce, c, p.buttons))
	}
	return strings.Join(out, ", ")
}

func atoiMust(s string) int {
	var n int
	fmt.Sscan(s, &n)
	return n
}
