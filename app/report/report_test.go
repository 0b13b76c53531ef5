package report_test

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/boussole/boussole/app/report"
	"github.com/boussole/boussole/app/report/reporttest"
	"github.com/boussole/boussole/bot"
	"github.com/boussole/boussole/bot/store"
	"github.com/boussole/boussole/bot/store/pgtest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// counters is what the report reads from a store.
type counters interface {
	Count(ctx context.Context, tallies []bot.Tally) error
	ReportCounters(ctx context.Context, from, to time.Time) ([]bot.TallySum, error)
}

func clock() time.Time { return time.Date(2027, 2, 1, 12, 0, 0, 0, time.UTC) }

// seed counts reporttest's tallies into a real database, in a few
// batches as turns would.
func seed(t *testing.T, s counters) {
	t.Helper()
	ts := reporttest.Tallies()
	for len(ts) > 0 {
		n := min(7, len(ts))
		if err := s.Count(t.Context(), ts[:n]); err != nil {
			t.Fatalf("Count: %v", err)
		}
		ts = ts[n:]
	}
}

func titles(id string) string {
	if id == "papiers-identite" {
		return "Papiers d'identité"
	}
	return ""
}

// handCounted is the report of reporttest's tallies, counted by hand
// (reporttest.Tallies says how); durations in seconds.
func handCounted() report.Report {
	return report.Report{
		From: "2026-11", To: "2026-12", Months: []string{"2026-11", "2026-12"},
		Overview: []report.Overview{
			// Waits 30, 90, 600, 4000, 45 s; closings after 1200, 3000,
			// 700, 100 s.
			{Month: "2026-11", People: 5, Messages: 15, Answered: 8, NotUnderstood: 3, Danger: 2, Escalated: 5,
				Claimed: 5, Wait: report.Duration{Count: 5, Mean: 953, Median: 180, Max: 4000},
				Closed: 4, Close: report.Duration{Count: 4, Mean: 1250, Median: 900, Max: 3000},
				Rated: 3, Rating: 11.0 / 3, Ratings: [5]int64{0, 1, 0, 1, 1}},
			{Month: "2026-12", People: 3, Messages: 7, Answered: 2, Escalated: 2,
				Claimed: 1, Wait: report.Duration{Count: 1, Mean: 7200, Median: 7200, Max: 7200},
				Closed: 1, Close: report.Duration{Count: 1, Mean: 90000, Median: 90000, Max: 90000},
				Rated: 2, Rating: 5, Ratings: [5]int64{0, 0, 0, 0, 2}},
			{Month: "total", People: 8, Messages: 22, Answered: 10, NotUnderstood: 3, Danger: 2, Escalated: 7,
				Claimed: 6, Wait: report.Duration{Count: 6, Mean: 11965.0 / 6, Median: 300, Max: 7200},
				Closed: 5, Close: report.Duration{Count: 5, Mean: 19000, Median: 1350, Max: 90000},
				Rated: 5, Rating: 4.2, Ratings: [5]int64{0, 1, 0, 1, 3}},
		},
		Reach: []report.Reach{
			{Month: "2026-11", Jurisdiction: "FR", People: 3, Messages: 10, Answered: 7, AnsweredTree: 4, AnsweredSure: 2, AnsweredUnsure: 1, NotUnderstood: 2, Danger: 1, Escalated: 4},
			{Month: "2026-11", Jurisdiction: "QC", People: 2, Messages: 5, Answered: 1, AnsweredSure: 1, NotUnderstood: 1, Danger: 1, Escalated: 1},
			{Month: "2026-12", Jurisdiction: "FR", People: 1, Messages: 4, Answered: 2, AnsweredTree: 2, Escalated: 1},
			{Month: "2026-12", Jurisdiction: "QC", People: 1, Messages: 2, Escalated: 1},
			{Month: "2026-12", Jurisdiction: "", People: 1, Messages: 1},
			{Month: "total", Jurisdiction: "FR", People: 4, Messages: 14, Answered: 9, AnsweredTree: 6, AnsweredSure: 2, AnsweredUnsure: 1, NotUnderstood: 2, Danger: 1, Escalated: 5},
			{Month: "total", Jurisdiction: "QC", People: 3, Messages: 7, Answered: 1, AnsweredSure: 1, NotUnderstood: 1, Danger: 1, Escalated: 2},
			{Month: "total", Jurisdiction: "", People: 1, Messages: 1},
		},
		Cases: []report.Cases{
			{Month: "2026-11", Jurisdiction: "FR", Queue: "impots", Escalated: 1, Misunderstood: 1, Claimed: 1,
				Wait: report.Duration{Count: 1, Mean: 4000, Median: 4000, Max: 4000}},
			{Month: "2026-11", Jurisdiction: "FR", Queue: "papiers", Escalated: 3, Asked: 2, Tree: 1, Claimed: 3,
				Wait:   report.Duration{Count: 3, Mean: 240, Median: 180, Max: 600},
				Closed: 3, Close: report.Duration{Count: 3, Mean: 4900.0 / 3, Median: 1350, Max: 3000}, Resolved: 2, HandedBack: 1,
				Rated: 3, Rating: 11.0 / 3, Ratings: [5]int64{0, 1, 0, 1, 1}},
			{Month: "2026-11", Jurisdiction: "QC", Queue: "aines", Escalated: 1, DangerReason: 1, Claimed: 1,
				Wait:   report.Duration{Count: 1, Mean: 45, Median: 45, Max: 45},
				Closed: 1, Close: report.Duration{Count: 1, Mean: 100, Median: 100, Max: 100}, Cancelled: 1},
			{Month: "2026-12", Jurisdiction: "FR", Queue: "papiers", Escalated: 1, Asked: 1, Claimed: 1,
				Wait:   report.Duration{Count: 1, Mean: 7200, Median: 7200, Max: 7200},
				Closed: 1, Close: report.Duration{Count: 1, Mean: 90000, Median: 90000, Max: 90000}, OtherOutcome: 1,
				Rated: 2, Rating: 5, Ratings: [5]int64{0, 0, 0, 0, 2}},
			{Month: "2026-12", Jurisdiction: "QC", Queue: "papiers", Escalated: 1, Asked: 1},
			{Month: "total", Jurisdiction: "FR", Queue: "impots", Escalated: 1, Misunderstood: 1, Claimed: 1,
				Wait: report.Duration{Count: 1, Mean: 4000, Median: 4000, Max: 4000}},
			{Month: "total", Jurisdiction: "FR", Queue: "papiers", Escalated: 4, Asked: 3, Tree: 1, Claimed: 4,
				Wait:   report.Duration{Count: 4, Mean: 1980, Median: 300, Max: 7200},
				Closed: 4, Close: report.Duration{Count: 4, Mean: 23725, Median: 1800, Max: 90000}, Resolved: 2, HandedBack: 1, OtherOutcome: 1,
				Rated: 5, Rating: 4.2, Ratings: [5]int64{0, 1, 0, 1, 3}},
			{Month: "total", Jurisdiction: "QC", Queue: "aines", Escalated: 1, DangerReason: 1, Claimed: 1,
				Wait:   report.Duration{Count: 1, Mean: 45, Median: 45, Max: 45},
				Closed: 1, Close: report.Duration{Count: 1, Mean: 100, Median: 100, Max: 100}, Cancelled: 1},
			{Month: "total", Jurisdiction: "QC", Queue: "papiers", Escalated: 1, Asked: 1},
		},
		Topics: []report.Topic{
			{Month: "2026-11", Jurisdiction: "FR", Topic: "papiers-identite", Title: "Papiers d'identité", Answered: 5, Escalated: 3},
			{Month: "2026-11", Jurisdiction: "FR", Topic: "impots", Answered: 1},
			{Month: "2026-11", Jurisdiction: "QC", Topic: "aines-soutien", Answered: 1},
			{Month: "2026-12", Jurisdiction: "FR", Topic: "papiers-identite", Title: "Papiers d'identité", Answered: 2, Escalated: 1},
			{Month: "total", Jurisdiction: "FR", Topic: "papiers-identite", Title: "Papiers d'identité", Answered: 7, Escalated: 4},
			{Month: "total", Jurisdiction: "FR", Topic: "impots", Answered: 1},
			{Month: "total", Jurisdiction: "QC", Topic: "aines-soutien", Answered: 1},
		},
		Danger: []report.Danger{
			{Month: "2026-11", Jurisdiction: "FR", Category: "violence-couple", Count: 1},
			{Month: "2026-11", Jurisdiction: "QC", Category: "suicide", Count: 1},
			{Month: "total", Jurisdiction: "FR", Category: "violence-couple", Count: 1},
			{Month: "total", Jurisdiction: "QC", Category: "suicide", Count: 1},
		},
	}
}

// close reports whether two reports are equal, floats to a millionth
// (a sum of seconds may differ in its last bit from the hand's fraction).
func close(a, b report.Report) bool {
	round := func(r report.Report) report.Report {
		f := func(v float64) float64 { return float64(int64(v*1e6+0.5)) / 1e6 }
		d := func(x report.Duration) report.Duration {
			x.Mean, x.Median, x.Max = f(x.Mean), f(x.Median), f(x.Max)
			return x
		}
		r.Overview = append([]report.Overview(nil), r.Overview...)
		for i := range r.Overview {
			o := &r.Overview[i]
			o.Wait, o.Close, o.Rating = d(o.Wait), d(o.Close), f(o.Rating)
		}
		r.Cases = append([]report.Cases(nil), r.Cases...)
		for i := range r.Cases {
			c := &r.Cases[i]
			c.Wait, c.Close, c.Rating = d(c.Wait), d(c.Close), f(c.Rating)
		}
		return r
	}
	return reflect.DeepEqual(round(a), round(b))
}

func stores(t *testing.T) map[string]func(t *testing.T) counters {
	return map[string]func(t *testing.T) counters{
		"sqlite": func(t *testing.T) counters {
			s, err := store.Open(t.Context(), filepath.Join(t.TempDir(), "b.db"), store.Options{Clock: clock})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return s
		},
		"postgres": func(t *testing.T) counters {
			s, err := store.OpenPostgres(t.Context(), pgtest.DSN(t), store.PostgresOptions{Clock: clock})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return s
		},
	}
}

// The report of a seeded database has the figures counted by hand, on
// both stores, and renders them as the golden files say.
func TestReportHandCounted(t *testing.T) {
	from, to := reporttest.Period()
	for name, open := range stores(t) {
		t.Run(name, func(t *testing.T) {
			s := open(t)
			seed(t, s)
			sums, err := s.ReportCounters(t.Context(), from, to)
			if err != nil {
				t.Fatal(err)
			}
			got := report.Build(from, to, sums, report.Options{Titles: titles})
			if want := handCounted(); !close(got, want) {
				t.Errorf("report:\n got %+v\nwant %+v", got, want)
			}
			for _, tt := range []struct{ format, lang, golden string }{
				{"csv", "fr", "report.csv"},
				{"json", "fr", "report.json"},
				{"md", "fr", "report.md"},
				{"md", "en", "report.en.md"},
			} {
				texts, err := report.NewTexts(tt.lang)
				if err != nil {
					t.Fatal(err)
				}
				var b bytes.Buffer
				if err := report.Write(&b, got, tt.format, texts); err != nil {
					t.Fatalf("%s: %v", tt.format, err)
				}
				golden(t, tt.golden, b.Bytes())
			}
		})
	}
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	p := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(p, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test -update rewrites it):\n%s", name, got)
	}
}

// The hand-counted figures appear in the files as a coordinator reads
// them: spot checks that do not trust the golden files.
func TestReportFilesSayTheFigures(t *testing.T) {
	from, to := reporttest.Period()
	r := handCounted()
	fr, err := report.NewTexts("fr")
	if err != nil {
		t.Fatal(err)
	}
	var csv, md bytes.Buffer
	if err := report.Write(&csv, r, "csv", fr); err != nil {
		t.Fatal(err)
	}
	if err := report.Write(&md, r, "md", fr); err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{
		"Mois,Territoire,File,Sujet,Code,Indicateur,Valeur",
		"total,FR,,,people,Personnes,4",
		"2026-11,QC,,,people,Personnes,2",
		"total,*,*,,people,Personnes,8",
		"2026-11,*,*,,wait_median_s,Attente médiane (estimée),180",
		"total,*,*,,close_median_s,Durée médiane (estimée),1350",
		"total,*,*,,rating_4,4/5,1",
		"total,FR,papiers,,wait_median_s,Attente médiane (estimée),300",
		"total,FR,papiers,,wait_mean_s,Attente moyenne,1980",
		"total,FR,papiers,,close_mean_s,Durée moyenne jusqu'à la clôture,23725",
		"total,FR,papiers,,rating_mean,Note moyenne (sur 5),4.20",
		"total,FR,papiers,,rating_5,5/5,3",
		"2026-11,FR,papiers,,resolved,résolues,2",
		"total,FR,,papiers-identite,topic_answered,Réponses,7",
		"2026-11,QC,,,danger:suicide,Danger : idées suicidaires,1",
		"2026-12,,,,people,Personnes,1",
	} {
		if !strings.Contains(csv.String(), line+"\n") {
			t.Errorf("the CSV lacks %q", line)
		}
	}
	for _, s := range []string{
		"# Rapport d'activité de Boussole, 2026-11 à 2026-12",
		"## Total de la période",
		"## Vue d'ensemble",
		"| 2026-11 | 5 | 15 | 8 | 3 | 2 | 5 | 5 | 16 min | 3 min | 4 | 15 min | 3 | 3,67 |",
		"| Total de la période | 8 | 22 | 10 | 3 | 2 | 7 | 6 | 33 min | 5 min | 5 | 23 min | 5 | 4,20 |",
		"| France | 4 | 14 | 9 | 6 | 2 | 1 | 0 | 2 | 1 | 5 |",
		"| France | papiers | 4 | 3 | 1 | 0 | 0 | 0 | 4 | 33 min | 5 min | 2 h 00 |",
		"| Québec | aines | 1 | 0 | 0 | 0 | 1 | 0 | 1 | 45 s | 45 s | 45 s |",
		"| France | papiers | 1 | 0 | 0 | 0 | 1 | 1 j 1 h | 1 j 1 h | 2 | 5,00 | 0 | 0 | 0 | 0 | 2 |",
		"| France | papiers | 4 | 2 | 1 | 0 | 1 | 6 h 35 | 30 min | 5 | 4,20 | 0 | 1 | 0 | 1 | 3 |",
		"| France | Papiers d'identité (papiers-identite) | 7 | 4 |",
		"| territoire inconnu | 1 | 1 | 0 |",
	} {
		if !strings.Contains(md.String(), s) {
			t.Errorf("the Markdown lacks %q", s)
		}
	}
	if r.From != report.Month(from) || r.To != report.Month(to) {
		t.Errorf("period %s–%s", r.From, r.To)
	}
}

// Months without activity are listed; counters outside the period are
// left out; topics are cut to the top of each month.
func TestReportEdges(t *testing.T) {
	from := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	to := time.Date(2027, 1, 31, 0, 0, 0, 0, time.UTC)
	sums := []bot.TallySum{
		{Month: "2026-09", Key: bot.Tally{Kind: bot.TallyPerson, Jurisdiction: "FR"}, N: 100},
		{Month: "2026-11", Key: bot.Tally{Kind: bot.TallyAnswered, Jurisdiction: "FR", Topic: "a"}, N: 1},
		{Month: "2026-11", Key: bot.Tally{Kind: bot.TallyAnswered, Jurisdiction: "FR", Topic: "b"}, N: 3},
		{Month: "2026-11", Key: bot.Tally{Kind: bot.TallyAnswered, Jurisdiction: "FR", Topic: "c"}, N: 2},
		{Month: "2026-11", Key: bot.Tally{Kind: bot.TallyRating, Queue: "q", Value: 9}, N: 4},
	}
	r := report.Build(from, to, sums, report.Options{TopTopics: 2})
	if want := []string{"2026-10", "2026-11", "2026-12", "2027-01"}; !reflect.DeepEqual(r.Months, want) {
		t.Errorf("months %v, want %v", r.Months, want)
	}
	var topics []string
	for _, tp := range r.Topics {
		topics = append(topics, tp.Month+":"+tp.Topic)
	}
	if want := []string{"2026-11:b", "2026-11:c", "total:b", "total:c"}; !reflect.DeepEqual(topics, want) {
		t.Errorf("topics %v, want %v", topics, want)
	}
	for _, x := range r.Reach {
		if x.People != 0 {
			t.Errorf("September's people counted: %+v", x)
		}
	}
	// A rating outside 1–5 is not a rating.
	for _, c := range r.Cases {
		if c.Rated != 0 {
			t.Errorf("a rating of 9 counted: %+v", c)
		}
	}
	fr, _ := report.NewTexts("fr")
	var b bytes.Buffer
	if err := report.Write(&b, r, "md", fr); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "## 2026-10\n\nAucune activité comptée.") {
		t.Errorf("an empty month is not said:\n%s", b.String())
	}
	if err := report.Write(&b, r, "xml", fr); err == nil || !strings.Contains(err.Error(), "csv, json, md") {
		t.Errorf("format xml: %v", err)
	}
}
