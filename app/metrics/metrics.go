// Package metrics is Boussole's Prometheus metrics: one registry per
// process (no global one), counters and histograms fed by the runner,
// the dispatcher, the adapters, the store and the engine's tallies, and
// gauges read from the store and the language model's guard when
// /metrics is scraped.
//
// Every label value is bounded: a platform name, a configured queue, a
// jurisdiction code or a fixed word. A value outside its set is counted
// as "other"; a person's id or words never become a label.
package metrics

import (
	"log/slog"
	"net/http"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/boussole/boussole/bot"
	"github.com/boussole/boussole/knowledge"
)

// Options configure New.
type Options struct {
	// Version is the build's version; "" reads the main module's from
	// the binary's build information.
	Version string
	// Now is the program's one clock: search durations and the age of
	// the oldest pending message are measured with it. Required.
	Now func() time.Time
	// Platforms are the enabled platforms: their outbox gauges read 0
	// when nothing waits, rather than being absent.
	Platforms []string
	// Queues are the configured mediation queues: their gauges read 0
	// when no case waits. A case's queue that is neither one of them nor
	// reads as a queue name (the knowledge's trees name theirs) is
	// counted under "other".
	Queues []string
	// Log hears scrape errors (a store that does not answer).
	Log *slog.Logger
}

// Other is the label value standing for any value outside a label's
// bounded set.
const Other = "other"

// noQueue is the label of a case without a queue.
const noQueue = "none"

// Metrics is one process's metrics. Its methods are safe for concurrent
// use and never block on I/O; a nil *Metrics counts nothing.
type Metrics struct {
	reg *prometheus.Registry
	now func() time.Time
	// lastSent is platform → time of the last message sent (LastSent).
	lastSent sync.Map
	log      *slog.Logger
	queues   []string

	platMu sync.Mutex
	plats  []string // enabled platforms (Enable), guarded by platMu

	received, sent, deliveryErrors, deliveryRetries *prometheus.CounterVec
	turn                                            *prometheus.HistogramVec

	answers, notUnderstood, danger, people *prometheus.CounterVec
	escalations, closed, satisfaction      *prometheus.CounterVec
	claimWait, closeTime                   *prometheus.HistogramVec

	reconnects *prometheus.CounterVec
	connected  *prometheus.GaugeVec
	upMu       sync.Mutex      // Connection is called from the adapters' goroutines
	everUp     map[string]bool // guarded by upMu

	search      prometheus.Histogram
	storeErrors *prometheus.CounterVec
}

// Buckets. A turn is milliseconds without a language model and seconds
// with one; a mediator claims a case within minutes or days.
var (
	turnBuckets   = []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30}
	searchBuckets = []float64{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5}
	caseBuckets   = []float64{30, 60, 120, 300, 600, 1800, 3600, 7200, 14400, 28800, 86400, 172800, 259200}
)

// New returns the metrics, registered with the Go runtime's and the
// process's collectors and the build information.
func New(o Options) *Metrics {
	if o.Now == nil {
		panic("metrics.New: a clock is required") // a wiring mistake, caught by every test that builds the app
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	m := &Metrics{reg: prometheus.NewRegistry(), now: o.Now, log: o.Log, everUp: map[string]bool{}}
	m.queues = slices.Clone(o.Queues)
	counter := func(name, help string, labels ...string) *prometheus.CounterVec {
		c := prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, labels)
		m.reg.MustRegister(c)
		return c
	}
	histogram := func(name, help string, buckets []float64, labels ...string) *prometheus.HistogramVec {
		h := prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: name, Help: help, Buckets: buckets}, labels)
		m.reg.MustRegister(h)
		return h
	}
	m.received = counter("boussole_messages_received_total", "Messages handed to the bot, per platform.", "platform")
	m.sent = counter("boussole_messages_sent_total", "Messages the platform accepted, per platform.", "platform")
	m.turn = histogram("boussole_turn_duration_seconds", "Time from a message's turn start to its replies sent.", turnBuckets, "platform")
	m.answers = counter("boussole_answers_total", "Answers given from a knowledge item, by how they were found (tree; sure; unsure: given with a doubt or picked among sheets offered).", "confidence")
	m.notUnderstood = counter("boussole_not_understood_total", "Messages the bot did not understand, per jurisdiction.", "jurisdiction")
	m.danger = counter("boussole_danger_total", "Messages the danger layer answered, per kind of danger.", "category")
	m.people = counter("boussole_people_total", "People who wrote (a conversation's first message in a month), per jurisdiction.", "jurisdiction")
	m.escalations = counter("boussole_escalations_total", "Cases opened, per queue and reason.", "queue", "reason")
	m.closed = counter("boussole_cases_closed_total", "Cases closed, per queue and outcome.", "queue", "outcome")
	m.claimWait = histogram("boussole_case_claim_wait_seconds", "Time from a case opened to a mediator claiming it.", caseBuckets, "queue")
	m.closeTime = histogram("boussole_case_close_seconds", "Time from a case opened to its close.", caseBuckets, "queue")
	m.satisfaction = counter("boussole_satisfaction_total", "Citizens' ratings of closed cases (1 to 5).", "rating")
	m.deliveryErrors = counter("boussole_delivery_errors_total", "Sends a platform failed or refused.", "platform")
	m.deliveryRetries = counter("boussole_delivery_retries_total", "Send attempts of messages that failed before.", "platform")
	m.reconnects = counter("boussole_platform_reconnects_total", "Connections to a platform made again after being lost.", "platform")
	m.connected = prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "boussole_platform_connected", Help: "1 while connected to the platform, else 0."}, []string{"platform"})
	m.reg.MustRegister(m.connected)
	m.search = prometheus.NewHistogram(prometheus.HistogramOpts{Name: "boussole_search_duration_seconds", Help: "Time of one knowledge search.", Buckets: searchBuckets})
	m.reg.MustRegister(m.search)
	m.storeErrors = counter("boussole_store_errors_total", "Database operations that failed (read, write, commit).", "op")
	for _, p := range o.Platforms {
		m.Enable(p)
	}
	version := o.Version
	if version == "" {
		version = "unknown"
		if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
			version = bi.Main.Version
		}
	}
	info := prometheus.NewGauge(prometheus.GaugeOpts{Name: "boussole_build_info", Help: "Always 1: the running build's version.",
		ConstLabels: prometheus.Labels{"version": version, "goversion": runtime.Version()}})
	info.Set(1)
	m.reg.MustRegister(info,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Enable declares p an enabled platform: its outbox gauges read 0 while
// nothing waits, rather than being absent.
func (m *Metrics) Enable(p string) {
	if m == nil {
		return
	}
	p = platform(p)
	m.platMu.Lock()
	defer m.platMu.Unlock()
	if slices.Contains(m.plats, p) {
		return
	}
	m.plats = append(m.plats, p)
}

// Connects declares that p's adapter keeps a connection (Discord's
// gateway, Mattermost's websocket): its gauge reads 0 until it connects.
// A platform without one (the local chat) has no connection gauge, so
// that no « disconnected » alert ever fires for it.
func (m *Metrics) Connects(p string) {
	if m == nil {
		return
	}
	p = platform(p)
	m.upMu.Lock()
	defer m.upMu.Unlock()
	if !m.everUp[p] {
		m.connected.WithLabelValues(p).Set(0)
	}
}

// platforms are the enabled platforms.
func (m *Metrics) platforms() []string {
	m.platMu.Lock()
	defer m.platMu.Unlock()
	return slices.Clone(m.plats)
}

// Handler serves the metrics in Prometheus's text format. A part that
// cannot be read (the store down) is left out and logged; the rest is
// served.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{
		ErrorLog:      slog.NewLogLogger(m.log.Handler(), slog.LevelWarn),
		ErrorHandling: promhttp.ContinueOnError,
	})
}

// Received implements delivery.Meter.
func (m *Metrics) Received(p string) {
	if m != nil {
		m.received.WithLabelValues(platform(p)).Inc()
	}
}

// Turned implements delivery.Meter.
func (m *Metrics) Turned(p string, d time.Duration) {
	if m != nil {
		m.turn.WithLabelValues(platform(p)).Observe(d.Seconds())
	}
}

// Sent implements delivery.Meter.
func (m *Metrics) Sent(p string) {
	if m != nil {
		m.sent.WithLabelValues(platform(p)).Inc()
		m.lastSent.Store(platform(p), m.now())
	}
}

// LastSent is when this process last sent a message to platform p (zero:
// never): readiness tells a platform refusing everything from one
// message failing again and again.
func (m *Metrics) LastSent(p string) time.Time {
	if m == nil {
		return time.Time{}
	}
	v, _ := m.lastSent.Load(platform(p))
	t, _ := v.(time.Time)
	return t
}

// Failed implements delivery.Meter.
func (m *Metrics) Failed(p string) {
	if m != nil {
		m.deliveryErrors.WithLabelValues(platform(p)).Inc()
	}
}

// Retried implements delivery.Meter.
func (m *Metrics) Retried(p string) {
	if m != nil {
		m.deliveryRetries.WithLabelValues(platform(p)).Inc()
	}
}

// Connection is told by an adapter that its connection came up or went
// down (adapterdeps.Deps.Connection): the gauge follows, and a
// connection up again after one was up counts as a reconnection.
func (m *Metrics) Connection(p string, up bool) {
	if m == nil {
		return
	}
	p = platform(p)
	m.upMu.Lock()
	defer m.upMu.Unlock()
	if !up {
		m.connected.WithLabelValues(p).Set(0)
		return
	}
	if m.everUp[p] {
		m.reconnects.WithLabelValues(p).Inc()
	}
	m.everUp[p] = true
	m.connected.WithLabelValues(p).Set(1)
}

// StoreError is told that the database failed an operation
// (store.Options.OnError); op is read, write or commit.
func (m *Metrics) StoreError(op string) {
	if m == nil {
		return
	}
	switch op {
	case "read", "write", "commit":
	default:
		op = Other
	}
	m.storeErrors.WithLabelValues(op).Inc()
}

// Tallied counts the tallies of a committed turn (the engine's
// after-commit hook): people, answers, misunderstandings, dangers, cases
// opened, claimed and closed, ratings. A message tally is not counted
// here: the runner counts messages received.
func (m *Metrics) Tallied(ts []bot.Tally) {
	if m == nil {
		return
	}
	for _, t := range ts {
		switch t.Kind {
		case bot.TallyPerson:
			m.people.WithLabelValues(jurisdiction(t.Jurisdiction)).Inc()
		case bot.TallyAnswered:
			m.answers.WithLabelValues(oneOf(t.Confidence, bot.ConfidenceTree, bot.ConfidenceSure, bot.ConfidenceUnsure)).Inc()
		case bot.TallyNotUnderstood:
			m.notUnderstood.WithLabelValues(jurisdiction(t.Jurisdiction)).Inc()
		case bot.TallyDanger:
			m.danger.WithLabelValues(oneOf(t.Category, knowledge.DangerCategories...)).Inc()
		case bot.TallyEscalated:
			m.escalations.WithLabelValues(m.queue(t.Queue), oneOf(t.Reason, bot.CaseReasons()...)).Inc()
		case bot.TallyClaimed:
			if t.Seconds >= 0 {
				m.claimWait.WithLabelValues(m.queue(t.Queue)).Observe(t.Seconds)
			}
		case bot.TallyClosed:
			q := m.queue(t.Queue)
			m.closed.WithLabelValues(q, oneOf(t.Outcome, bot.OutcomeResolved, bot.OutcomeHandedBack, bot.OutcomeCancelled)).Inc()
			if t.Seconds >= 0 {
				m.closeTime.WithLabelValues(q).Observe(t.Seconds)
			}
		case bot.TallyRating:
			if t.Value >= 1 && t.Value <= 5 {
				m.satisfaction.WithLabelValues(strconv.Itoa(t.Value)).Inc()
			}
		}
	}
}

// queue is q as a label: "none" for no queue, the queue's name when it
// is a configured one or reads as a queue name (a tree of the knowledge
// may name its own), else "other". Queue names are written by the
// admins, in the configuration and the knowledge, never by a citizen
// (a mediator's transfer is checked against the configured queues).
func (m *Metrics) queue(q string) string {
	switch {
	case q == "":
		return noQueue
	case slices.Contains(m.queues, q), queueName(q):
		return q
	}
	return Other
}

// queueName reports whether q reads as a queue's name: a short
// lower-case word, digits, '-' or '_' allowed.
func queueName(q string) bool {
	if utf8.RuneCountInString(q) > 40 {
		return false
	}
	for _, r := range q {
		if !unicode.IsLower(r) && !unicode.IsDigit(r) && r != '-' && r != '_' {
			return false
		}
	}
	return true
}

// oneOf is v when it is one of the allowed values, else "other".
func oneOf(v string, allowed ...string) string {
	if slices.Contains(allowed, v) {
		return v
	}
	return Other
}

// platform is an adapter's name as a label: short lower-case words
// (discord, mattermost, console, web), anything else "other".
func platform(p string) string {
	if p == "" || len(p) > 24 {
		return Other
	}
	for _, r := range p {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '-' && r != '_' {
			return Other
		}
	}
	return p
}

// jurisdiction is a jurisdiction code as a label (FR, QC…: two or three
// upper-case letters, as the configuration allows), "unknown" while
// unknown, else "other".
func jurisdiction(j string) string {
	if j == "" {
		return "unknown"
	}
	if len(j) < 2 || len(j) > 3 {
		return Other
	}
	for _, r := range j {
		if r < 'A' || r > 'Z' {
			return Other
		}
	}
	return j
}
