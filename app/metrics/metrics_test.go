package metrics

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/prometheus/client_golang/prometheus/testutil/promlint"

	"github.com/boussole/boussole/bot"
	"github.com/boussole/boussole/bot/llm"
	"github.com/boussole/boussole/bot/store"
	"github.com/boussole/boussole/knowledge"
)

var t0 = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *testClock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// scrape gets /metrics from h over HTTP and parses it.
func scrape(t *testing.T, h http.Handler) (map[string]*dto.MetricFamily, string) {
	t.Helper()
	srv := httptest.NewServer(h)
	defer srv.Close()
	res, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 {
		t.Fatalf("/metrics = %d %s", res.StatusCode, body)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	mfs, err := p.TextToMetricFamilies(strings.NewReader(string(body)))
	if err != nil {
		t.Fatalf("parse /metrics: %v\n%s", err, body)
	}
	return mfs, string(body)
}

// value is the value of the sample of family name with exactly labels
// (counter, gauge, or a histogram's or summary's count), and whether it
// exists.
func value(mfs map[string]*dto.MetricFamily, name string, labels ...string) (float64, bool) {
	mf := mfs[name]
	if mf == nil {
		return 0, false
	}
next:
	for _, m := range mf.Metric {
		got := map[string]string{}
		for _, l := range m.Label {
			got[l.GetName()] = l.GetValue()
		}
		if len(got) != len(labels)/2 {
			continue
		}
		for i := 0; i+1 < len(labels); i += 2 {
			if got[labels[i]] != labels[i+1] {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			return m.Counter.GetValue(), true
		case m.Gauge != nil:
			return m.Gauge.GetValue(), true
		case m.Histogram != nil:
			return float64(m.Histogram.GetSampleCount()), true
		case m.Summary != nil:
			return float64(m.Summary.GetSampleCount()), true
		}
	}
	return 0, false
}

func want(t *testing.T, mfs map[string]*dto.MetricFamily, v float64, name string, labels ...string) {
	t.Helper()
	got, ok := value(mfs, name, labels...)
	if !ok {
		t.Errorf("%s%v: absent", name, labels)
		return
	}
	if got != v {
		t.Errorf("%s%v = %v, want %v", name, labels, got, v)
	}
}

func sum(mfs map[string]*dto.MetricFamily, name string, labels ...string) float64 {
	for _, m := range mfs[name].GetMetric() {
		got := map[string]string{}
		for _, l := range m.Label {
			got[l.GetName()] = l.GetValue()
		}
		ok := true
		for i := 0; i+1 < len(labels); i += 2 {
			ok = ok && got[labels[i]] == labels[i+1]
		}
		if ok && m.Histogram != nil {
			return m.Histogram.GetSampleSum()
		}
		if ok && m.Summary != nil {
			return m.Summary.GetSampleSum()
		}
	}
	return -1
}

func newTest(t *testing.T) (*Metrics, *testClock) {
	t.Helper()
	c := &testClock{t: t0}
	return New(Options{Version: "v1.2.3", Now: c.now, Platforms: []string{"discord", "mattermost"}, Queues: []string{"social", "papiers"}}), c
}

// Tallied maps each kind of tally to its metric, with bounded labels:
// unknown queues, reasons, outcomes, categories and confidences become
// "other", a missing jurisdiction "unknown", a rating out of 1–5 is
// dropped.
func TestTallied(t *testing.T) {
	m, _ := newTest(t)
	m.Tallied([]bot.Tally{
		{Kind: bot.TallyPerson, Jurisdiction: "FR"},
		{Kind: bot.TallyPerson, Jurisdiction: "QC"},
		{Kind: bot.TallyPerson, Jurisdiction: "FR"},
		{Kind: bot.TallyPerson},
		{Kind: bot.TallyPerson, Jurisdiction: "not a code"},
		{Kind: bot.TallyMessage, Platform: "discord"},
		{Kind: bot.TallyAnswered, Confidence: bot.ConfidenceTree},
		{Kind: bot.TallyAnswered, Confidence: bot.ConfidenceSure},
		{Kind: bot.TallyAnswered, Confidence: bot.ConfidenceSure},
		{Kind: bot.TallyAnswered, Confidence: bot.ConfidenceUnsure},
		{Kind: bot.TallyAnswered, Confidence: "made up"},
		{Kind: bot.TallyNotUnderstood, Jurisdiction: "QC"},
		{Kind: bot.TallyDanger, Category: knowledge.DangerSuicide},
		{Kind: bot.TallyDanger, Category: "quelque chose"},
		{Kind: bot.TallyEscalated, Queue: "social", Reason: "asked"},
		{Kind: bot.TallyEscalated, Queue: "social", Reason: "danger"},
		{Kind: bot.TallyEscalated, Queue: "Jean Dupont 06 12 34 56 78", Reason: "because I said so"},
		{Kind: bot.TallyEscalated, Queue: "logement", Reason: "misunderstood"},
		{Kind: bot.TallyEscalated, Reason: "tree"},
		{Kind: bot.TallyClaimed, Queue: "social", Seconds: 90},
		{Kind: bot.TallyClaimed, Queue: "social", Seconds: 7200},
		{Kind: bot.TallyClosed, Queue: "papiers", Outcome: bot.OutcomeResolved, Seconds: 86400},
		{Kind: bot.TallyClosed, Queue: "papiers", Outcome: "le médiateur a dit merci", Seconds: 600},
		{Kind: bot.TallyRating, Queue: "papiers", Value: 5},
		{Kind: bot.TallyRating, Value: 3},
		{Kind: bot.TallyRating, Value: 5},
		{Kind: bot.TallyRating, Value: 9},
	})
	mfs, body := scrape(t, m.Handler())
	want(t, mfs, 2, "boussole_people_total", "jurisdiction", "FR")
	want(t, mfs, 1, "boussole_people_total", "jurisdiction", "QC")
	want(t, mfs, 1, "boussole_people_total", "jurisdiction", "unknown")
	want(t, mfs, 1, "boussole_people_total", "jurisdiction", "other")
	want(t, mfs, 1, "boussole_answers_total", "confidence", "tree")
	want(t, mfs, 2, "boussole_answers_total", "confidence", "sure")
	want(t, mfs, 1, "boussole_answers_total", "confidence", "unsure")
	want(t, mfs, 1, "boussole_answers_total", "confidence", "other")
	want(t, mfs, 1, "boussole_not_understood_total", "jurisdiction", "QC")
	want(t, mfs, 1, "boussole_danger_total", "category", "suicide")
	want(t, mfs, 1, "boussole_danger_total", "category", "other")
	want(t, mfs, 1, "boussole_escalations_total", "queue", "social", "reason", "asked")
	want(t, mfs, 1, "boussole_escalations_total", "queue", "social", "reason", "danger")
	want(t, mfs, 1, "boussole_escalations_total", "queue", "other", "reason", "other")
	want(t, mfs, 1, "boussole_escalations_total", "queue", "none", "reason", "tree")
	want(t, mfs, 1, "boussole_escalations_total", "queue", "logement", "reason", "misunderstood")
	want(t, mfs, 2, "boussole_case_claim_wait_seconds", "queue", "social")
	if s := sum(mfs, "boussole_case_claim_wait_seconds", "queue", "social"); s != 7290 {
		t.Errorf("claim wait sum = %v, want 7290", s)
	}
	want(t, mfs, 1, "boussole_cases_closed_total", "queue", "papiers", "outcome", "resolved")
	want(t, mfs, 1, "boussole_cases_closed_total", "queue", "papiers", "outcome", "other")
	want(t, mfs, 2, "boussole_case_close_seconds", "queue", "papiers")
	want(t, mfs, 2, "boussole_satisfaction_total", "rating", "5")
	want(t, mfs, 1, "boussole_satisfaction_total", "rating", "3")
	if _, ok := value(mfs, "boussole_satisfaction_total", "rating", "9"); ok {
		t.Error("a rating of 9 is counted")
	}
	for _, leak := range []string{"Dupont", "06 12", "because I said so", "merci", "quelque chose", "not a code", "made up"} {
		if strings.Contains(body, leak) {
			t.Errorf("/metrics carries %q", leak)
		}
	}
	var nilM *Metrics
	nilM.Tallied([]bot.Tally{{Kind: bot.TallyPerson}}) // counts nothing, does not panic
}

// The delivery and adapter hooks, the store's error hook and the timed
// search each feed their metric; a platform that is not a plain name is
// "other".
func TestHooks(t *testing.T) {
	m, c := newTest(t)
	m.Received("discord")
	m.Received("discord")
	m.Received("Discord <script>")
	m.Turned("discord", 40*time.Millisecond)
	m.Turned("discord", 3*time.Second)
	m.Sent("mattermost")
	m.Failed("mattermost")
	m.Failed("mattermost")
	m.Retried("mattermost")
	m.Connection("discord", true)
	m.Connection("discord", false)
	m.Connection("discord", true)
	m.Connection("discord", false)
	m.Connection("discord", true)
	m.Connection("mattermost", true)
	m.StoreError("write")
	m.StoreError("commit")
	m.StoreError("read")
	m.StoreError("read")
	m.StoreError("drop table")
	s := m.TimeSearch(searchFunc(func() { c.add(25 * time.Millisecond) }))
	if _, err := s.Search(context.Background(), "carte grise", 5); err != nil {
		t.Fatal(err)
	}
	mfs, body := scrape(t, m.Handler())
	want(t, mfs, 2, "boussole_messages_received_total", "platform", "discord")
	want(t, mfs, 1, "boussole_messages_received_total", "platform", "other")
	want(t, mfs, 2, "boussole_turn_duration_seconds", "platform", "discord")
	if s := sum(mfs, "boussole_turn_duration_seconds", "platform", "discord"); s < 3.039 || s > 3.041 {
		t.Errorf("turn duration sum = %v, want 3.04", s)
	}
	want(t, mfs, 1, "boussole_messages_sent_total", "platform", "mattermost")
	want(t, mfs, 2, "boussole_delivery_errors_total", "platform", "mattermost")
	want(t, mfs, 1, "boussole_delivery_retries_total", "platform", "mattermost")
	want(t, mfs, 2, "boussole_platform_reconnects_total", "platform", "discord")
	want(t, mfs, 1, "boussole_platform_connected", "platform", "discord")
	want(t, mfs, 1, "boussole_platform_connected", "platform", "mattermost")
	if _, ok := value(mfs, "boussole_platform_reconnects_total", "platform", "mattermost"); ok {
		t.Error("a first connection counts as a reconnection")
	}
	want(t, mfs, 1, "boussole_store_errors_total", "op", "write")
	want(t, mfs, 1, "boussole_store_errors_total", "op", "commit")
	want(t, mfs, 2, "boussole_store_errors_total", "op", "read")
	want(t, mfs, 1, "boussole_store_errors_total", "op", "other")
	want(t, mfs, 1, "boussole_search_duration_seconds")
	if s := sum(mfs, "boussole_search_duration_seconds"); s < 0.0249 || s > 0.0251 {
		t.Errorf("search duration sum = %v, want 0.025 (the test clock)", s)
	}
	want(t, mfs, 1, "boussole_build_info", "version", "v1.2.3", "goversion", goVersion(mfs))
	if _, ok := mfs["go_goroutines"]; !ok {
		t.Error("no Go runtime metrics")
	}
	if strings.Contains(body, "carte grise") {
		t.Error("the search query is in /metrics")
	}
	// Names, help and units as Prometheus recommends.
	problems, err := promlint.New(strings.NewReader(body)).Lint()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		if strings.HasPrefix(p.Metric, "boussole_") {
			t.Errorf("lint: %s: %s", p.Metric, p.Text)
		}
	}
}

func goVersion(mfs map[string]*dto.MetricFamily) string {
	for _, l := range mfs["boussole_build_info"].GetMetric()[0].GetLabel() {
		if l.GetName() == "goversion" {
			return l.GetValue()
		}
	}
	return ""
}

// searchFunc is a search that runs f (moving the clock) and finds
// nothing.
type searchFunc func()

func (f searchFunc) Search(context.Context, string, int) ([]knowledge.Hit, error) {
	f()
	return nil, nil
}

type fakeStats struct {
	out   []store.OutboxStat
	cases []store.CaseStat
	err   error
}

func (f *fakeStats) OutboxStats(context.Context) ([]store.OutboxStat, error) { return f.out, f.err }
func (f *fakeStats) OpenCaseStats(context.Context) ([]store.CaseStat, error) { return f.cases, f.err }

// The outbox and case gauges are read at each scrape: enabled platforms
// and configured queues read 0 rather than being absent; a store that
// fails leaves them out and the rest is still served.
func TestStoreGauges(t *testing.T) {
	m, c := newTest(t)
	st := &fakeStats{
		out: []store.OutboxStat{{Platform: "discord", Pending: 3, Oldest: t0.Add(-90 * time.Second)}},
		cases: []store.CaseStat{{Queue: "social", Status: "open", Cases: 2}, {Queue: "social", Status: "claimed", Cases: 1},
			{Queue: "Gone Queue!", Status: "open", Cases: 4}, {Queue: "", Status: "open", Cases: 1}},
	}
	m.WatchStore(st)
	mfs, _ := scrape(t, m.Handler())
	want(t, mfs, 3, "boussole_outbox_pending", "platform", "discord")
	want(t, mfs, 90, "boussole_outbox_oldest_seconds", "platform", "discord")
	want(t, mfs, 0, "boussole_outbox_pending", "platform", "mattermost")
	want(t, mfs, 0, "boussole_outbox_oldest_seconds", "platform", "mattermost")
	want(t, mfs, 2, "boussole_open_cases", "queue", "social", "status", "open")
	want(t, mfs, 1, "boussole_open_cases", "queue", "social", "status", "claimed")
	want(t, mfs, 0, "boussole_open_cases", "queue", "papiers", "status", "open")
	want(t, mfs, 4, "boussole_open_cases", "queue", "other", "status", "open")
	want(t, mfs, 1, "boussole_open_cases", "queue", "none", "status", "open")
	c.add(time.Minute)
	mfs, _ = scrape(t, m.Handler())
	want(t, mfs, 150, "boussole_outbox_oldest_seconds", "platform", "discord")

	st.err = errors.New("database: closed")
	mfs, _ = scrape(t, m.Handler())
	if _, ok := mfs["boussole_outbox_pending"]; ok {
		t.Error("outbox gauges served from a failing store")
	}
	want(t, mfs, 1, "boussole_build_info", "version", "v1.2.3", "goversion", goVersion(mfs))
}

type fakeGuard struct{ s llm.Stats }

func (g fakeGuard) Stats() llm.Stats { return g.s }

// The language model's counters are read from its guard at each scrape.
func TestModelMetrics(t *testing.T) {
	m, _ := newTest(t)
	m.WatchModel(fakeGuard{llm.Stats{
		Chat:  llm.CallStats{Calls: 10, Failures: 2, Rejected: 1, PromptTokens: 1200, CompletionTokens: 300, Latency: 7 * time.Second, Timed: 9},
		Embed: llm.CallStats{Calls: 4, Latency: 200 * time.Millisecond, Timed: 4},
	}})
	mfs, _ := scrape(t, m.Handler())
	want(t, mfs, 7, "boussole_llm_calls_total", "kind", "chat", "result", "ok")
	want(t, mfs, 2, "boussole_llm_calls_total", "kind", "chat", "result", "failed")
	want(t, mfs, 1, "boussole_llm_calls_total", "kind", "chat", "result", "rejected")
	want(t, mfs, 4, "boussole_llm_calls_total", "kind", "embed", "result", "ok")
	want(t, mfs, 9, "boussole_llm_call_duration_seconds", "kind", "chat")
	if s := sum(mfs, "boussole_llm_call_duration_seconds", "kind", "chat"); s != 7 {
		t.Errorf("chat latency sum = %v", s)
	}
	want(t, mfs, 1200, "boussole_llm_tokens_total", "kind", "prompt")
	want(t, mfs, 300, "boussole_llm_tokens_total", "kind", "completion")

	// Without a model, no llm metric at all.
	m2, _ := newTest(t)
	mfs, _ = scrape(t, m2.Handler())
	for name := range mfs {
		if strings.HasPrefix(name, "boussole_llm") {
			t.Errorf("%s without a model", name)
		}
	}
}

// Only an adapter that keeps a connection has a connection gauge: the
// local chat never reads « disconnected » (an alert would fire on it);
// a platform reads 0 until it connects, and the version is the one the
// command gives.
func TestConnectionGaugesAndVersion(t *testing.T) {
	m := New(Options{Now: (&testClock{t: t0}).now, Version: "v1.2.3"})
	m.Enable("console")
	m.Enable("discord")
	m.Connects("discord")
	mfs, _ := scrape(t, m.Handler())
	if _, ok := value(mfs, "boussole_platform_connected", "platform", "console"); ok {
		t.Error("the local chat has a connection gauge")
	}
	if v, ok := value(mfs, "boussole_platform_connected", "platform", "discord"); !ok || v != 0 {
		t.Errorf("discord before connecting = %v %v, want 0", v, ok)
	}
	if v, ok := value(mfs, "boussole_outbox_pending", "platform", "console"); ok && v != 0 {
		t.Errorf("console outbox = %v", v)
	}
	m.Connection("discord", true)
	mfs, _ = scrape(t, m.Handler())
	if v, _ := value(mfs, "boussole_platform_connected", "platform", "discord"); v != 1 {
		t.Errorf("discord connected = %v, want 1", v)
	}
	if _, ok := value(mfs, "boussole_build_info", "version", "v1.2.3", "goversion", runtime.Version()); !ok {
		t.Errorf("build info lacks the given version: %v", mfs["boussole_build_info"])
	}
}
