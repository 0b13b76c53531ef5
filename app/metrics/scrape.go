package metrics

import (
	"context"
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/boussole/boussole/bot/llm"
	"github.com/boussole/boussole/bot/store"
)

// Stats is what the gauges read from the store when /metrics is scraped.
type Stats interface {
	OutboxStats(ctx context.Context) ([]store.OutboxStat, error)
	OpenCaseStats(ctx context.Context) ([]store.CaseStat, error)
}

// scrapeTimeout bounds the store's reads of one scrape (Prometheus gives
// up after 10 s by default): the collector API carries no context.
const scrapeTimeout = 5 * time.Second

// WatchStore has the outbox and open-case gauges read from st at each
// scrape. Call it once.
func (m *Metrics) WatchStore(st Stats) {
	m.reg.MustRegister(&storeCollector{m: m, st: st,
		pending: prometheus.NewDesc("boussole_outbox_pending", "Messages waiting to be sent, per destination platform.", []string{"platform"}, nil),
		oldest:  prometheus.NewDesc("boussole_outbox_oldest_seconds", "Age of the oldest message waiting to be sent, 0 when none waits.", []string{"platform"}, nil),
		cases:   prometheus.NewDesc("boussole_open_cases", "Active cases per queue: open (waiting for a mediator) or claimed.", []string{"queue", "status"}, nil),
	})
}

type storeCollector struct {
	m                      *Metrics
	st                     Stats
	pending, oldest, cases *prometheus.Desc
}

func (c *storeCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.pending
	ch <- c.oldest
	ch <- c.cases
}

func (c *storeCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), scrapeTimeout)
	defer cancel()
	if stats, err := c.st.OutboxStats(ctx); err != nil {
		ch <- prometheus.NewInvalidMetric(c.pending, fmt.Errorf("outbox gauges: %w", err))
	} else {
		pending, oldest := map[string]float64{}, map[string]float64{}
		for _, p := range c.m.platforms() {
			pending[p], oldest[p] = 0, 0
		}
		now := c.m.now()
		for _, s := range stats {
			p := platform(s.Platform)
			pending[p] += float64(s.Pending)
			oldest[p] = max(oldest[p], now.Sub(s.Oldest).Seconds())
		}
		for p, n := range pending {
			ch <- prometheus.MustNewConstMetric(c.pending, prometheus.GaugeValue, n, p)
			ch <- prometheus.MustNewConstMetric(c.oldest, prometheus.GaugeValue, oldest[p], p)
		}
	}
	stats, err := c.st.OpenCaseStats(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(c.cases, fmt.Errorf("open case gauges: %w", err))
		return
	}
	type key struct{ queue, status string }
	n := map[key]float64{}
	for _, q := range c.m.queues {
		n[key{q, "open"}], n[key{q, "claimed"}] = 0, 0
	}
	for _, s := range stats {
		n[key{c.m.queue(s.Queue), oneOf(s.Status, "open", "claimed")}] += float64(s.Cases)
	}
	for k, v := range n {
		ch <- prometheus.MustNewConstMetric(c.cases, prometheus.GaugeValue, v, k.queue, k.status)
	}
}

// Model is the language model's counters, read at each scrape.
type Model interface {
	Stats() llm.Stats
}

// WatchModel has the language model's calls, latency and tokens read
// from g at each scrape. Call it once, only when a model is configured.
func (m *Metrics) WatchModel(g Model) {
	m.reg.MustRegister(&modelCollector{g: g,
		calls:    prometheus.NewDesc("boussole_llm_calls_total", "Calls to the language model server, per kind (chat, embed) and result (ok, failed, rejected: refused while the breaker was open).", []string{"kind", "result"}, nil),
		duration: prometheus.NewDesc("boussole_llm_call_duration_seconds", "Time of the calls that reached the server, per kind.", []string{"kind"}, nil),
		tokens:   prometheus.NewDesc("boussole_llm_tokens_total", "Tokens the server counted, per kind (prompt, completion).", []string{"kind"}, nil),
	})
}

type modelCollector struct {
	g                       Model
	calls, duration, tokens *prometheus.Desc
}

func (c *modelCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.calls
	ch <- c.duration
	ch <- c.tokens
}

func (c *modelCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.g.Stats()
	for kind, cs := range map[string]llm.CallStats{"chat": s.Chat, "embed": s.Embed} {
		ok := max(cs.Calls-cs.Failures-cs.Rejected, 0)
		ch <- prometheus.MustNewConstMetric(c.calls, prometheus.CounterValue, float64(ok), kind, "ok")
		ch <- prometheus.MustNewConstMetric(c.calls, prometheus.CounterValue, float64(cs.Failures), kind, "failed")
		ch <- prometheus.MustNewConstMetric(c.calls, prometheus.CounterValue, float64(cs.Rejected), kind, "rejected")
		ch <- prometheus.MustNewConstSummary(c.duration, uint64(max(cs.Timed, 0)), cs.Latency.Seconds(), nil, kind)
	}
	ch <- prometheus.MustNewConstMetric(c.tokens, prometheus.CounterValue, float64(s.Chat.PromptTokens), "prompt")
	ch <- prometheus.MustNewConstMetric(c.tokens, prometheus.CounterValue, float64(s.Chat.CompletionTokens), "completion")
}
