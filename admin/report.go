package admin

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/boussole/boussole/admin/barchart"
	"github.com/boussole/boussole/app/report"
	"github.com/boussole/boussole/bot"
)

// The activity report (« rapport d'activité »): the figures of
// `boussole report` for coordinators and funders, per month,
// jurisdiction and queue, with bar charts drawn on the server (inline
// SVG, each beside a table of its figures). The figures come from the
// report's counters, which hold nothing personal and outlive the
// retention period; the headings are app/report's, in the page's
// language.

// ReportStore is what the activity report reads (bot/store implements
// it).
type ReportStore interface {
	ReportCounters(ctx context.Context, from, to time.Time) ([]bot.TallySum, error)
}

const (
	// defaultReportMonths is the period shown first: the last six months.
	defaultReportMonths = 6
	// maxReportMonths bounds a period (five years of monthly tables).
	maxReportMonths = 60
)

func (s *Server) reportRoutes() {
	s.handle("GET "+Prefix+"/report", PermView, s.reportPage)
	s.handle("GET "+Prefix+"/report/download", PermView, s.reportDownload)
}

// reportChart is a chart and the table of its figures.
type reportChart struct {
	ID, Heading string
	SVG         string
	Table       report.Table
}

type reportDownload struct{ Key, Href string }

type reportView struct {
	// From and To are the form's values (YYYY-MM).
	From, To string
	// Error is the catalogue key of what is wrong with the form.
	Error    string
	Intro    string
	Privacy  string
	Charts   []reportChart
	Sections []report.Section
	// Downloads are the period's files: catalogue key and address.
	Downloads []reportDownload
	NoData    bool
}

// reportPeriod reads the from and to months (YYYY-MM, or a day, which
// stands for its month); the default is the last six months. bad is the
// catalogue key of the error.
func (s *Server) reportPeriod(r *http.Request) (from, to time.Time, fromText, toText, bad string) {
	q := r.URL.Query()
	now := s.d.Now().UTC()
	to = time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	from = to.AddDate(0, 1-defaultReportMonths, 0)
	fromText, toText = q.Get("from"), q.Get("to")
	parse := func(v string) (time.Time, bool) {
		for _, layout := range []string{"2006-01", "2006-01-02"} {
			if t, err := time.Parse(layout, v); err == nil {
				return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC), true
			}
		}
		return time.Time{}, false
	}
	var ok bool
	if fromText != "" {
		if from, ok = parse(fromText); !ok {
			return from, to, fromText, toText, "report_err_from"
		}
	}
	if toText != "" {
		if to, ok = parse(toText); !ok {
			return from, to, fromText, toText, "report_err_to"
		}
	}
	if to.Before(from) {
		return from, to, fromText, toText, "report_err_order"
	}
	if to.After(from.AddDate(0, maxReportMonths-1, 0)) {
		return from, to, fromText, toText, "report_err_span"
	}
	return from, to, report.Month(from), report.Month(to), ""
}

// buildReport reads the counters of the period and makes the report.
func (s *Server) buildReport(ctx context.Context, lang string, from, to time.Time) (report.Report, error) {
	sums, err := s.d.Report.ReportCounters(ctx, from, to)
	if err != nil {
		return report.Report{}, err
	}
	return report.Build(from, to, sums, report.Options{Titles: func(id string) string {
		if t, ok := s.publishedTree(id); ok {
			return treeTitle(t, lang, "")
		}
		return ""
	}}), nil
}

func (s *Server) reportPage(w http.ResponseWriter, r *http.Request, sess Session) {
	lang := s.lang(r)
	texts, err := report.NewTexts(lang)
	if err != nil {
		s.d.Log.Error("admin: report texts", "err", err)
		s.fail(w, r, sess, http.StatusInternalServerError, "err_internal")
		return
	}
	from, to, fromText, toText, bad := s.reportPeriod(r)
	v := reportView{From: fromText, To: toText, Error: bad, Intro: texts.T("intro"), Privacy: texts.T("privacy")}
	if bad != "" {
		s.render(w, r, sess, http.StatusBadRequest, "report.html", "report_title", v)
		return
	}
	if s.d.Report == nil {
		v.NoData = true
		s.render(w, r, sess, http.StatusOK, "report.html", "report_title", v)
		return
	}
	rep, err := s.buildReport(r.Context(), lang, from, to)
	if err != nil {
		s.d.Log.Error("admin: activity report", "err", err)
		s.fail(w, r, sess, http.StatusInternalServerError, "err_internal")
		return
	}
	for _, f := range report.Formats() {
		q := url.Values{"from": {fromText}, "to": {toText}, "format": {f}}
		v.Downloads = append(v.Downloads, reportDownload{Key: "report_download_" + f, Href: Prefix + "/report/download?" + q.Encode()})
	}
	v.Charts = reportCharts(rep, texts)
	v.Sections = report.Sections(rep, texts)
	s.render(w, r, sess, http.StatusOK, "report.html", "report_title", v)
}

// Bar colours: dark enough on white for the bars to stand out (3:1 and
// more), and told apart by the legend, not by colour alone.
const (
	fillBlue   = "#1f5fa8"
	fillOrange = "#a8480f"
	fillGreen  = "#2b7a3d"
)

// reportCharts are the page's charts: people, answers and cases, median
// wait per month, and the period's ratings; each with its table.
func reportCharts(rep report.Report, t report.Texts) []reportChart {
	var months, waitTexts []string
	var people, answered, escalated, waits []float64
	peopleT := report.Table{Keys: 1, Head: []string{t.T("chart_month"), t.T("fig_people")}}
	answersT := report.Table{Keys: 1, Head: []string{t.T("chart_month"), t.T("fig_answered"), t.T("fig_escalated")}}
	waitT := report.Table{Keys: 1, Head: []string{t.T("chart_month"), t.T("fig_claimed"), t.T("fig_wait_median_s"), t.T("fig_wait_mean_s")}}
	for _, o := range rep.Overview {
		if o.Month == report.Total {
			continue
		}
		months = append(months, o.Month)
		people = append(people, float64(o.People))
		answered = append(answered, float64(o.Answered))
		escalated = append(escalated, float64(o.Escalated))
		waits = append(waits, o.Wait.Median)
		waitTexts = append(waitTexts, t.Duration(o.Wait, o.Wait.Median))
		peopleT.Rows = append(peopleT.Rows, []string{o.Month, fmt.Sprint(o.People)})
		answersT.Rows = append(answersT.Rows, []string{o.Month, fmt.Sprint(o.Answered), fmt.Sprint(o.Escalated)})
		waitT.Rows = append(waitT.Rows, []string{o.Month, fmt.Sprint(o.Claimed), t.Duration(o.Wait, o.Wait.Median), t.Duration(o.Wait, o.Wait.Mean)})
	}
	var ratings [5]int64
	if n := len(rep.Overview); n > 0 {
		ratings = rep.Overview[n-1].Ratings
	}
	var ratingLabels []string
	var ratingValues []float64
	ratingT := report.Table{Keys: 1, Head: []string{t.T("chart_rating"), t.T("chart_count")}}
	for i, n := range ratings {
		label := t.T(fmt.Sprintf("fig_rating_%d", i+1))
		ratingLabels = append(ratingLabels, label)
		ratingValues = append(ratingValues, float64(n))
		ratingT.Rows = append(ratingT.Rows, []string{label, fmt.Sprint(n)})
	}
	chart := func(id, title string, labels []string, tb report.Table, series ...barchart.Series) reportChart {
		return reportChart{ID: id, Heading: title, Table: tb,
			SVG: barchart.SVG(barchart.Chart{ID: id, Title: title, Labels: labels, Series: series})}
	}
	return []reportChart{
		chart("chart-people", t.T("chart_people"), months, peopleT,
			barchart.Series{Name: t.T("fig_people"), Fill: fillBlue, Values: people}),
		chart("chart-answers", t.T("chart_answers"), months, answersT,
			barchart.Series{Name: t.T("fig_answered"), Fill: fillBlue, Values: answered},
			barchart.Series{Name: t.T("fig_escalated"), Fill: fillOrange, Values: escalated}),
		chart("chart-wait", t.T("chart_wait"), months, waitT,
			barchart.Series{Name: t.T("fig_wait_median_s"), Fill: fillGreen, Values: waits, Texts: waitTexts}),
		chart("chart-ratings", t.T("chart_satisfaction"), ratingLabels, ratingT,
			barchart.Series{Name: t.T("fig_rated"), Fill: fillBlue, Values: ratingValues}),
	}
}

// reportDownload sends the period's report as a file: csv, json or md.
func (s *Server) reportDownload(w http.ResponseWriter, r *http.Request, sess Session) {
	from, to, _, _, bad := s.reportPeriod(r)
	format := r.URL.Query().Get("format")
	types := map[string]string{"csv": "text/csv; charset=utf-8", "json": "application/json", "md": "text/markdown; charset=utf-8"}
	if bad == "" && types[format] == "" {
		bad = "report_err_format"
	}
	if bad != "" {
		s.fail(w, r, sess, http.StatusBadRequest, bad)
		return
	}
	if s.d.Report == nil {
		s.fail(w, r, sess, http.StatusNotFound, "report_no_data")
		return
	}
	lang := s.lang(r)
	texts, err := report.NewTexts(lang)
	var rep report.Report
	if err == nil {
		rep, err = s.buildReport(r.Context(), lang, from, to)
	}
	var b bytes.Buffer
	if err == nil {
		err = report.Write(&b, rep, format, texts)
	}
	if err != nil {
		s.d.Log.Error("admin: activity report download", "err", err)
		s.fail(w, r, sess, http.StatusInternalServerError, "err_internal")
		return
	}
	h := w.Header()
	h.Set("Content-Type", types[format])
	h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="boussole-report-%s-%s.%s"`, rep.From, rep.To, format))
	h.Set("Cache-Control", "no-store")
	_, _ = w.Write(b.Bytes())
}
