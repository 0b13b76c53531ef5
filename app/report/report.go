// Package report turns the report's counters (bot.TallySum, kept by the
// store whatever the retention period) into the figures coordinators and
// funders ask for — people reached, answers, cases, waits, outcomes,
// satisfaction, danger, topics — per month, jurisdiction and queue, and
// writes them as CSV, JSON or Markdown. `boussole report` and the admin's
// /admin/report page show the same Report.
//
// Every heading and label lives in this package's catalogue (messages/),
// French first: the command's files and the admin page name the figures
// alike. docs/report.md says what each figure means.
package report

import (
	"cmp"
	"embed"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/boussole/boussole/bot"
	"github.com/boussole/boussole/bot/catalog"
)

//go:embed messages/*.yaml
var messages embed.FS

// Total is the Month of the rows that sum up the whole period.
const Total = "total"

// Report is the figures of a period of whole months.
type Report struct {
	// From and To are the first and last months ("2026-11"), Months every
	// month between them, both included.
	From   string   `json:"from"`
	To     string   `json:"to"`
	Months []string `json:"months"`
	// Overview sums up each month, every jurisdiction and queue together
	// (a row for every month, active or not), then the period (Total).
	Overview []Overview `json:"overview"`
	// Reach is what the bot did, per month and jurisdiction; the rows of
	// Month Total sum up the period per jurisdiction.
	Reach []Reach `json:"reach"`
	// Cases is what mediators did, per month, jurisdiction and queue,
	// then the period's totals (Month Total).
	Cases []Cases `json:"cases"`
	// Topics are the most asked-about trees, per month and jurisdiction
	// (at most Options.TopTopics each), then over the period.
	Topics []Topic `json:"topics"`
	// Danger counts the messages the danger layer answered, per month,
	// jurisdiction and category, then over the period.
	Danger []Danger `json:"danger"`
}

// Reach is the bot's own work in one month and jurisdiction ("" when it
// was not known).
type Reach struct {
	Month        string `json:"month"`
	Jurisdiction string `json:"jurisdiction"`
	// People counts conversations that wrote in the month: a person is
	// counted once a month per conversation, without being identified.
	People   int64 `json:"people"`
	Messages int64 `json:"messages"`
	// Answered counts answers from a knowledge item, by how they were
	// found (bot.Confidence*; AnsweredOther for any other value).
	Answered       int64 `json:"answered"`
	AnsweredTree   int64 `json:"answered_tree"`
	AnsweredSure   int64 `json:"answered_sure"`
	AnsweredUnsure int64 `json:"answered_unsure"`
	AnsweredOther  int64 `json:"answered_other"`
	NotUnderstood  int64 `json:"not_understood"`
	// Danger counts danger answers (one per category a message raised).
	Danger int64 `json:"danger"`
	// Escalated counts the cases opened, all queues together.
	Escalated int64 `json:"escalated"`
}

// Overview is a month's main figures, all jurisdictions and queues
// together.
type Overview struct {
	Month         string   `json:"month"`
	People        int64    `json:"people"`
	Messages      int64    `json:"messages"`
	Answered      int64    `json:"answered"`
	NotUnderstood int64    `json:"not_understood"`
	Danger        int64    `json:"danger"`
	Escalated     int64    `json:"escalated"`
	Claimed       int64    `json:"claimed"`
	Wait          Duration `json:"wait"`
	Closed        int64    `json:"closed"`
	Close         Duration `json:"time_to_close"`
	Rated         int64    `json:"rated"`
	Rating        float64  `json:"rating_mean"`
	Ratings       [5]int64 `json:"ratings"`
}

// Duration sums up durations (claim waits, times to close), in seconds.
type Duration struct {
	Count int64   `json:"count"`
	Mean  float64 `json:"mean_seconds"`
	// Median is estimated from the counters' buckets (bot.WaitBounds):
	// exact to within the width of the bucket it falls in.
	Median float64 `json:"median_seconds"`
	Max    float64 `json:"max_seconds"`
}

// Cases is what became of the cases of one month, jurisdiction and queue.
type Cases struct {
	Month        string `json:"month"`
	Jurisdiction string `json:"jurisdiction"`
	Queue        string `json:"queue"`
	// Escalated counts cases opened, by why (bot.CaseSummary reasons).
	Escalated     int64 `json:"escalated"`
	Asked         int64 `json:"reason_asked"`
	Tree          int64 `json:"reason_tree"`
	Misunderstood int64 `json:"reason_misunderstood"`
	DangerReason  int64 `json:"reason_danger"`
	OtherReason   int64 `json:"reason_other"`
	// Claimed counts cases a mediator claimed; Wait is the time they had
	// waited since they opened.
	Claimed int64    `json:"claimed"`
	Wait    Duration `json:"wait"`
	// Closed counts cases closed, by outcome; Close is the time from
	// opening to closing.
	Closed       int64    `json:"closed"`
	Close        Duration `json:"time_to_close"`
	Resolved     int64    `json:"resolved"`
	HandedBack   int64    `json:"handed_back"`
	Cancelled    int64    `json:"cancelled"`
	OtherOutcome int64    `json:"other_outcome"`
	// Rated counts satisfaction ratings, Ratings[i] those of i+1 (1–5).
	Rated   int64    `json:"rated"`
	Rating  float64  `json:"rating_mean"`
	Ratings [5]int64 `json:"ratings"`
}

// Topic is one tree's answers and cases.
type Topic struct {
	Month        string `json:"month"`
	Jurisdiction string `json:"jurisdiction"`
	// Topic is the tree's id, Title its title when the caller knew it.
	Topic     string `json:"topic"`
	Title     string `json:"title,omitempty"`
	Answered  int64  `json:"answered"`
	Escalated int64  `json:"escalated"`
}

// Danger is the danger answers of one category.
type Danger struct {
	Month        string `json:"month"`
	Jurisdiction string `json:"jurisdiction"`
	Category     string `json:"category"`
	Count        int64  `json:"count"`
}

// Options shape a Report.
type Options struct {
	// Titles names trees by id (nil: ids only).
	Titles func(id string) string
	// TopTopics bounds the topics of each month and jurisdiction
	// (default 10).
	TopTopics int
}

// Month is a month's key ("2026-12") in UTC.
func Month(t time.Time) string { return t.UTC().Format("2006-01") }

// Build makes the report of the months from from's to to's (UTC, both
// included) out of the counters sums, which may hold other months (left
// out).
func Build(from, to time.Time, sums []bot.TallySum, opts Options) Report {
	r := Report{From: Month(from), To: Month(to)}
	for m := time.Date(from.UTC().Year(), from.UTC().Month(), 1, 0, 0, 0, 0, time.UTC); Month(m) <= r.To; m = m.AddDate(0, 1, 0) {
		r.Months = append(r.Months, Month(m))
	}
	b := builder{reach: map[key]*Reach{}, cases: map[key]*caseSums{}, topics: map[key]*Topic{}, danger: map[key]*Danger{}}
	// The overview is the rows of jurisdiction and queue "*", which no
	// counter has (a jurisdiction is a code, a queue a configured name).
	for _, s := range sums {
		if s.Month < r.From || s.Month > r.To {
			continue
		}
		for _, m := range []string{s.Month, Total} {
			b.add(m, s)
			every := s
			every.Key.Jurisdiction, every.Key.Queue = all, all
			b.add(m, every)
		}
	}
	for _, m := range append(slices.Clone(r.Months), Total) {
		o := Overview{Month: m}
		if x := b.reach[key{m, all, ""}]; x != nil {
			o.People, o.Messages, o.Answered, o.NotUnderstood, o.Danger, o.Escalated = x.People, x.Messages, x.Answered, x.NotUnderstood, x.Danger, x.Escalated
		}
		if c := b.cases[key{m, all, all}]; c != nil {
			c.finish()
			o.Claimed, o.Wait, o.Closed, o.Close, o.Rated, o.Rating, o.Ratings = c.Claimed, c.Wait, c.Closed, c.Close, c.Rated, c.Rating, c.Ratings
		}
		r.Overview = append(r.Overview, o)
		delete(b.reach, key{m, all, ""})
		delete(b.cases, key{m, all, all})
		for k := range b.topics {
			if k.jurisdiction == all {
				delete(b.topics, k)
			}
		}
		for k := range b.danger {
			if k.jurisdiction == all {
				delete(b.danger, k)
			}
		}
	}
	for _, x := range sortedValues(b.reach, func(a, b *Reach) int { return cmpRow(a.Month, b.Month, a.Jurisdiction, b.Jurisdiction, "", "") }) {
		r.Reach = append(r.Reach, *x)
	}
	for _, c := range sortedValues(b.cases, func(a, b *caseSums) int {
		return cmpRow(a.Month, b.Month, a.Jurisdiction, b.Jurisdiction, a.Queue, b.Queue)
	}) {
		c.finish()
		r.Cases = append(r.Cases, c.Cases)
	}
	top := cmp.Or(opts.TopTopics, 10)
	topics := sortedValues(b.topics, func(a, b *Topic) int {
		return cmp.Or(cmpRow(a.Month, b.Month, a.Jurisdiction, b.Jurisdiction, "", ""),
			cmp.Compare(b.Answered+b.Escalated, a.Answered+a.Escalated), cmp.Compare(a.Topic, b.Topic))
	})
	for i, t := range topics {
		if i >= top && topics[i-top].Month == t.Month && topics[i-top].Jurisdiction == t.Jurisdiction {
			continue // beyond the top of its month and jurisdiction
		}
		if opts.Titles != nil {
			t.Title = opts.Titles(t.Topic)
		}
		r.Topics = append(r.Topics, *t)
	}
	for _, d := range sortedValues(b.danger, func(a, b *Danger) int {
		return cmp.Or(cmpRow(a.Month, b.Month, a.Jurisdiction, b.Jurisdiction, "", ""), cmp.Compare(b.Count, a.Count), cmp.Compare(a.Category, b.Category))
	}) {
		r.Danger = append(r.Danger, *d)
	}
	return r
}

// all is the jurisdiction and queue of the overview's rows.
const all = "*"

// key is a row's place in the report.
type key struct{ month, jurisdiction, queue string }

type caseSums struct {
	Cases
	wait, close buckets
}

// finish computes the durations' figures and the mean rating.
func (c *caseSums) finish() {
	c.Wait, c.Close = c.wait.summary(), c.close.summary()
	if c.Rated > 0 {
		sum := int64(0)
		for i, n := range c.Ratings {
			sum += int64(i+1) * n
		}
		c.Rating = float64(sum) / float64(c.Rated)
	}
}

// buckets are durations as the counters keep them.
type buckets struct {
	n        int64
	sum, max float64
	waits    [bot.NumWaitBuckets]int64
}

func (b *buckets) add(s bot.TallySum) {
	b.n += s.N
	b.sum += s.Seconds
	b.max = max(b.max, s.SecondsMax)
	for i, w := range s.Waits {
		b.waits[i] += w
	}
}

// summary gives the mean, the largest and the median, estimated as a
// Prometheus histogram's quantile is: the bucket where half the durations
// are reached, then a straight line across that bucket (its upper bound
// no further than the largest duration seen).
func (b buckets) summary() Duration {
	if b.n == 0 {
		return Duration{}
	}
	d := Duration{Count: b.n, Mean: b.sum / float64(b.n), Max: b.max}
	if b.n == 1 {
		// One wait is its own median: no estimate beside the exact figure.
		d.Median = d.Mean
		return d
	}
	var total int64
	for _, w := range b.waits {
		total += w
	}
	if total == 0 {
		return d
	}
	half := float64(total) / 2
	bounds := bot.WaitBounds()
	var below int64
	lower := 0.0
	for i, w := range b.waits {
		if float64(below+w) >= half && w > 0 {
			upper := min(bounds[i], b.max)
			lower = min(lower, upper)
			d.Median = lower + (upper-lower)*(half-float64(below))/float64(w)
			return d
		}
		below += w
		lower = bounds[i]
	}
	return d
}

type builder struct {
	reach  map[key]*Reach
	cases  map[key]*caseSums
	topics map[key]*Topic
	danger map[key]*Danger
}

func (b *builder) reachRow(month, j string) *Reach {
	k := key{month, j, ""}
	if b.reach[k] == nil {
		b.reach[k] = &Reach{Month: month, Jurisdiction: j}
	}
	return b.reach[k]
}

func (b *builder) caseRow(month, j, q string) *caseSums {
	k := key{month, j, q}
	if b.cases[k] == nil {
		b.cases[k] = &caseSums{Cases: Cases{Month: month, Jurisdiction: j, Queue: q}}
	}
	return b.cases[k]
}

func (b *builder) topic(month, j, id string) *Topic {
	k := key{month, j, id}
	if b.topics[k] == nil {
		b.topics[k] = &Topic{Month: month, Jurisdiction: j, Topic: id}
	}
	return b.topics[k]
}

// add counts s in the rows of month.
func (b *builder) add(month string, s bot.TallySum) {
	k, n, j := s.Key, s.N, s.Key.Jurisdiction
	switch k.Kind {
	case bot.TallyPerson:
		b.reachRow(month, j).People += n
	case bot.TallyMessage:
		b.reachRow(month, j).Messages += n
	case bot.TallyAnswered:
		r := b.reachRow(month, j)
		r.Answered += n
		switch k.Confidence {
		case bot.ConfidenceTree:
			r.AnsweredTree += n
		case bot.ConfidenceSure:
			r.AnsweredSure += n
		case bot.ConfidenceUnsure:
			r.AnsweredUnsure += n
		default:
			r.AnsweredOther += n
		}
		if k.Topic != "" {
			b.topic(month, j, k.Topic).Answered += n
		}
	case bot.TallyNotUnderstood:
		b.reachRow(month, j).NotUnderstood += n
	case bot.TallyDanger:
		b.reachRow(month, j).Danger += n
		dk := key{month, j, k.Category}
		if b.danger[dk] == nil {
			b.danger[dk] = &Danger{Month: month, Jurisdiction: j, Category: k.Category}
		}
		b.danger[dk].Count += n
	case bot.TallyEscalated:
		b.reachRow(month, j).Escalated += n
		c := b.caseRow(month, j, k.Queue)
		c.Escalated += n
		switch k.Reason {
		case bot.ReasonAsked:
			c.Asked += n
		case bot.ReasonTree:
			c.Tree += n
		case bot.ReasonMisunderstood:
			c.Misunderstood += n
		case bot.ReasonDanger:
			c.DangerReason += n
		default:
			c.OtherReason += n
		}
		if k.Topic != "" {
			b.topic(month, j, k.Topic).Escalated += n
		}
	case bot.TallyClaimed:
		c := b.caseRow(month, j, k.Queue)
		c.Claimed += n
		c.wait.add(s)
	case bot.TallyClosed:
		c := b.caseRow(month, j, k.Queue)
		c.Closed += n
		c.close.add(s)
		switch k.Outcome {
		case bot.OutcomeResolved:
			c.Resolved += n
		case bot.OutcomeHandedBack:
			c.HandedBack += n
		case bot.OutcomeCancelled:
			c.Cancelled += n
		default:
			c.OtherOutcome += n
		}
	case bot.TallyRating:
		if k.Value >= 1 && k.Value <= 5 {
			c := b.caseRow(month, j, k.Queue)
			c.Rated += n
			c.Ratings[k.Value-1] += n
		}
	}
}

// cmpRow orders rows by month (the period's total last), jurisdiction
// (unknown last) and queue.
func cmpRow(m1, m2, j1, j2, q1, q2 string) int {
	last := func(s, after string) string {
		if s == after {
			return "\xff"
		}
		return s
	}
	return cmp.Or(cmp.Compare(last(m1, Total), last(m2, Total)), cmp.Compare(last(j1, ""), last(j2, "")), cmp.Compare(q1, q2))
}

func sortedValues[V any](m map[key]*V, less func(a, b *V) int) []*V {
	out := make([]*V, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	slices.SortFunc(out, less)
	return out
}

// Texts are the report's headings and labels in one language.
type Texts struct {
	cat  *catalog.Catalog
	lang string
}

// NewTexts loads the catalogue in lang (fr or en; anything else is
// French).
func NewTexts(lang string) (Texts, error) {
	cat, err := catalog.Load(messages, "messages")
	if err != nil {
		return Texts{}, fmt.Errorf("report texts: %w", err)
	}
	if !cat.Supported(lang) {
		lang = catalog.Default
	}
	return Texts{cat: cat, lang: lang}, nil
}

// Lang is the texts' language.
func (t Texts) Lang() string { return t.lang }

// T is the text of key.
func (t Texts) T(key string, kv ...string) string { return t.cat.T(t.lang, key, kv...) }

// Label names a value of a field (month, jurisdiction, queue, reason,
// outcome, confidence, danger category): its catalogue text, else the
// value itself.
func (t Texts) Label(field, value string) string {
	k := field + "_" + strings.ReplaceAll(value, "-", "_")
	if field == "month" && value != Total {
		return value
	}
	if t.cat.Has(t.lang, k) {
		return t.T(k)
	}
	if value == "" {
		return t.T("unknown")
	}
	return value
}
