package deploy

import (
	"context"
	"io"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	appmetrics "github.com/boussole/boussole/app/metrics"
	"github.com/boussole/boussole/bot"
	"github.com/boussole/boussole/bot/llm"
	"github.com/boussole/boussole/bot/store"
)

// notOnDashboard are metrics the process exports that the dashboard and
// alerts leave out, with why.
var notOnDashboard = map[string]string{
	// The mean call time is rate(sum)/rate(count); the dashboard shows
	// calls and tokens, enough to see a model server failing.
	"boussole_llm_call_duration_seconds": "a summary of the model's call time",
}

type fakeStats struct{}

func (fakeStats) OutboxStats(context.Context) ([]store.OutboxStat, error) {
	return []store.OutboxStat{{Platform: "discord", Pending: 2, Oldest: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)}}, nil
}

func (fakeStats) OpenCaseStats(context.Context) ([]store.CaseStat, error) {
	return []store.CaseStat{{Queue: "default", Status: "open", Cases: 1}}, nil
}

type fakeModel struct{}

func (fakeModel) Stats() llm.Stats {
	return llm.Stats{Chat: llm.CallStats{Calls: 3, Failures: 1, PromptTokens: 100, CompletionTokens: 20, Latency: time.Second, Timed: 2}}
}

// The metric names and labels this folder's dashboard and alerts are
// checked against are the ones the real metrics package exports: every
// family of a process with every part at work is scraped, and each must
// be in the list with the same labels (or said to be left out), and each
// listed one must be exported.
func TestMetricListMatchesTheRegistry(t *testing.T) {
	now := func() time.Time { return time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC) }
	m := appmetrics.New(appmetrics.Options{Now: now, Platforms: []string{"discord"}, Queues: []string{"default"}, Version: "v1"})
	m.WatchStore(fakeStats{})
	m.WatchModel(fakeModel{})
	m.Connects("discord")
	m.Connection("discord", true)
	m.Connection("discord", false) // lost, then back: a reconnect
	m.Connection("discord", true)
	m.Received("discord")
	m.Turned("discord", time.Second)
	m.Sent("discord")
	m.Failed("discord")
	m.Retried("discord")
	m.StoreError("write")
	m.Tallied([]bot.Tally{
		{Kind: bot.TallyPerson, Jurisdiction: "FR"}, {Kind: bot.TallyAnswered, Confidence: bot.ConfidenceSure},
		{Kind: bot.TallyNotUnderstood, Jurisdiction: "FR"}, {Kind: bot.TallyDanger, Category: "suicide"},
		{Kind: bot.TallyEscalated, Queue: "default", Reason: "asked"}, {Kind: bot.TallyClaimed, Queue: "default", Seconds: 60},
		{Kind: bot.TallyClosed, Queue: "default", Outcome: bot.OutcomeResolved, Seconds: 600}, {Kind: bot.TallyRating, Queue: "default", Value: 4},
	})
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	res, err := srv.Client().Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	p := expfmt.NewTextParser(model.UTF8Validation)
	mfs, err := p.TextToMetricFamilies(strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	// The search histogram is observed by a wrapped searcher: present
	// with no sample.
	for name, mf := range mfs {
		if !strings.HasPrefix(name, "boussole_") {
			continue
		}
		want, listed := metrics[name]
		if !listed {
			if _, ok := notOnDashboard[name]; !ok {
				t.Errorf("%s is exported but neither in the dashboard's list nor left out with a reason", name)
			}
			continue
		}
		for _, s := range mf.GetMetric() {
			var got []string
			for _, l := range s.GetLabel() {
				got = append(got, l.GetName())
			}
			slices.Sort(got)
			w := slices.Sorted(slices.Values(want.labels))
			if !slices.Equal(got, w) {
				t.Errorf("%s has labels %v, the list says %v", name, got, w)
			}
		}
	}
	for name := range metrics {
		if mfs[name] == nil {
			t.Errorf("%s is in the dashboard's list but not exported", name)
		}
	}
}
