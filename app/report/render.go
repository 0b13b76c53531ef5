package report

import (
	"cmp"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Formats are the formats Write knows.
func Formats() []string { return []string{"csv", "json", "md"} }

// Write writes r in format (csv, json or md) with the texts t.
func Write(w io.Writer, r Report, format string, t Texts) error {
	switch format {
	case "csv":
		return writeCSV(w, r, t)
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	case "md":
		return writeMarkdown(w, r, t)
	}
	return fmt.Errorf("unknown report format %q (valid formats: %s)", format, strings.Join(Formats(), ", "))
}

// Figure is one column of a table: a stable code (the CSV's code column,
// the catalogue's key "fig_"+Code) and the row's value as text.
type Figure struct {
	Code  string
	Value string
}

func count(n int64) string { return strconv.FormatInt(n, 10) }

// seconds writes a duration in whole seconds, empty without any.
func seconds(d Duration, v float64) string {
	if d.Count == 0 {
		return ""
	}
	return strconv.FormatInt(int64(math.Round(v)), 10)
}

// OverviewFigures are an Overview row's columns.
func OverviewFigures(o Overview) []Figure {
	c := Cases{Wait: o.Wait, Close: o.Close, Rated: o.Rated, Rating: o.Rating}
	mean := CloseFigures(c)[8]
	return []Figure{
		{"people", count(o.People)},
		{"messages", count(o.Messages)},
		{"answered", count(o.Answered)},
		{"not_understood", count(o.NotUnderstood)},
		{"danger", count(o.Danger)},
		{"escalated", count(o.Escalated)},
		{"claimed", count(o.Claimed)},
		{"wait_mean_s", seconds(o.Wait, o.Wait.Mean)},
		{"wait_median_s", seconds(o.Wait, o.Wait.Median)},
		{"closed", count(o.Closed)},
		{"close_median_s", seconds(o.Close, o.Close.Median)},
		{"rated", count(o.Rated)},
		mean,
	}
}

// ReachFigures are a Reach row's columns.
func ReachFigures(r Reach) []Figure {
	return []Figure{
		{"people", count(r.People)},
		{"messages", count(r.Messages)},
		{"answered", count(r.Answered)},
		{"answered_tree", count(r.AnsweredTree)},
		{"answered_sure", count(r.AnsweredSure)},
		{"answered_unsure", count(r.AnsweredUnsure)},
		{"answered_other", count(r.AnsweredOther)},
		{"not_understood", count(r.NotUnderstood)},
		{"danger", count(r.Danger)},
		{"escalated", count(r.Escalated)},
	}
}

// CaseFigures are the columns of a Cases row about cases opened and
// claimed; durations in seconds.
func CaseFigures(c Cases) []Figure {
	return []Figure{
		{"escalated", count(c.Escalated)},
		{"reason_asked", count(c.Asked)},
		{"reason_tree", count(c.Tree)},
		{"reason_misunderstood", count(c.Misunderstood)},
		{"reason_danger", count(c.DangerReason)},
		{"reason_other", count(c.OtherReason)},
		{"claimed", count(c.Claimed)},
		{"wait_mean_s", seconds(c.Wait, c.Wait.Mean)},
		{"wait_median_s", seconds(c.Wait, c.Wait.Median)},
		{"wait_max_s", seconds(c.Wait, c.Wait.Max)},
	}
}

// CloseFigures are the columns of a Cases row about cases closed and
// rated.
func CloseFigures(c Cases) []Figure {
	mean := ""
	if c.Rated > 0 {
		mean = strconv.FormatFloat(c.Rating, 'f', 2, 64)
	}
	f := []Figure{
		{"closed", count(c.Closed)},
		{"resolved", count(c.Resolved)},
		{"handed_back", count(c.HandedBack)},
		{"cancelled", count(c.Cancelled)},
		{"other_outcome", count(c.OtherOutcome)},
		{"close_mean_s", seconds(c.Close, c.Close.Mean)},
		{"close_median_s", seconds(c.Close, c.Close.Median)},
		{"rated", count(c.Rated)},
		{"rating_mean", mean},
	}
	for i, n := range c.Ratings {
		f = append(f, Figure{"rating_" + strconv.Itoa(i+1), count(n)})
	}
	return f
}

// writeCSV writes one figure per line (month, jurisdiction, queue,
// topic, code, label, value): one table whatever the figure, which a
// spreadsheet's pivot table lays out as the reader wants.
func writeCSV(w io.Writer, r Report, t Texts) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{t.T("col_month"), t.T("col_jurisdiction"), t.T("col_queue"), t.T("col_topic"), t.T("col_code"), t.T("col_figure"), t.T("col_value")})
	line := func(month, j, q, topic string, f Figure) {
		_ = cw.Write([]string{month, j, q, topic, f.Code, t.T("fig_" + f.Code), f.Value})
	}
	for _, o := range r.Overview {
		for _, f := range OverviewFigures(o) {
			line(o.Month, all, all, "", f)
		}
		for i, n := range o.Ratings {
			line(o.Month, all, all, "", Figure{"rating_" + strconv.Itoa(i+1), count(n)})
		}
	}
	for _, row := range r.Reach {
		for _, f := range ReachFigures(row) {
			line(row.Month, row.Jurisdiction, "", "", f)
		}
	}
	for _, c := range r.Cases {
		for _, f := range append(CaseFigures(c), CloseFigures(c)...) {
			line(c.Month, c.Jurisdiction, c.Queue, "", f)
		}
	}
	for _, tp := range r.Topics {
		line(tp.Month, tp.Jurisdiction, "", tp.Topic, Figure{"topic_answered", count(tp.Answered)})
		line(tp.Month, tp.Jurisdiction, "", tp.Topic, Figure{"topic_escalated", count(tp.Escalated)})
	}
	for _, d := range r.Danger {
		_ = cw.Write([]string{d.Month, d.Jurisdiction, "", "", "danger:" + d.Category, t.T("fig_danger") + " : " + t.Label("danger", d.Category), count(d.Count)})
	}
	cw.Flush()
	return cw.Error()
}

// Duration writes seconds for a reader: « 45 s », « 12 min », « 1 h 05 »,
// « 2 j 3 h » (the catalogue's units).
func (t Texts) Duration(d Duration, v float64) string {
	if d.Count == 0 {
		return "–"
	}
	s := int64(math.Round(v))
	switch {
	case s < 60:
		return t.T("dur_s", "s", count(s))
	case s < 3600:
		return t.T("dur_min", "m", count((s+30)/60))
	case s < 86400:
		m := (s + 30) / 60
		return t.T("dur_h", "h", count(m/60), "m", fmt.Sprintf("%02d", m%60))
	}
	h := (s + 1800) / 3600
	return t.T("dur_d", "d", count(h/24), "h", count(h%24))
}

// Section is a part of the report as people read it: the overview, then
// each month, then the period's total, each with its tables.
type Section struct {
	// Month is the section's month ("" for the overview, Total for the
	// period's total); Heading its title.
	Month   string
	Heading string
	Tables  []Table
	// Empty says there was no activity (no table).
	Empty bool
}

// Table is a table of figures: Keys leading columns name the row, the
// others are figures.
type Table struct {
	Heading string
	Keys    int
	Head    []string
	// Codes are the figures' codes (fig_ keys), one per figure column.
	Codes []string
	Rows  [][]string
}

// Sections lays the report out for reading (Markdown, the admin page):
// durations written for a reader, labels in t's language.
func Sections(r Report, t Texts) []Section {
	out := []Section{{Heading: t.T("section_overview"), Tables: []Table{
		makeTable("", []string{t.T("col_month")}, t, len(r.Overview), func(i int) ([]string, []Figure) {
			o := r.Overview[i]
			return []string{t.Label("month", o.Month)}, readableOverview(t, o)
		}),
	}}}
	for _, month := range append(slices.Clone(r.Months), Total) {
		sec := Section{Month: month, Heading: t.Label("month", month)}
		reach := rowsOf(r.Reach, month, func(x Reach) string { return x.Month })
		if len(reach) == 0 {
			sec.Empty = true
			out = append(out, sec)
			continue
		}
		sec.Tables = append(sec.Tables, makeTable(t.T("section_reach"), []string{t.T("col_jurisdiction")}, t, len(reach), func(i int) ([]string, []Figure) {
			return []string{t.Label("jurisdiction", reach[i].Jurisdiction)}, ReachFigures(reach[i])
		}))
		if cases := rowsOf(r.Cases, month, func(x Cases) string { return x.Month }); len(cases) > 0 {
			keys := func(i int) []string {
				return []string{t.Label("jurisdiction", cases[i].Jurisdiction), t.Label("queue", cases[i].Queue)}
			}
			head := []string{t.T("col_jurisdiction"), t.T("col_queue")}
			sec.Tables = append(sec.Tables,
				makeTable(t.T("section_cases"), head, t, len(cases), func(i int) ([]string, []Figure) { return keys(i), readable(t, cases[i], CaseFigures(cases[i])) }),
				makeTable(t.T("section_close"), head, t, len(cases), func(i int) ([]string, []Figure) { return keys(i), readable(t, cases[i], CloseFigures(cases[i])) }))
		}
		if topics := rowsOf(r.Topics, month, func(x Topic) string { return x.Month }); len(topics) > 0 {
			sec.Tables = append(sec.Tables, makeTable(t.T("section_topics"), []string{t.T("col_jurisdiction"), t.T("col_topic")}, t, len(topics), func(i int) ([]string, []Figure) {
				x := topics[i]
				name := x.Topic
				if x.Title != "" {
					name = x.Title + " (" + x.Topic + ")"
				}
				return []string{t.Label("jurisdiction", x.Jurisdiction), name},
					[]Figure{{"topic_answered", count(x.Answered)}, {"topic_escalated", count(x.Escalated)}}
			}))
		}
		if danger := rowsOf(r.Danger, month, func(x Danger) string { return x.Month }); len(danger) > 0 {
			sec.Tables = append(sec.Tables, makeTable(t.T("section_danger"), []string{t.T("col_jurisdiction"), t.T("col_category")}, t, len(danger), func(i int) ([]string, []Figure) {
				return []string{t.Label("jurisdiction", danger[i].Jurisdiction), t.Label("danger", danger[i].Category)},
					[]Figure{{"danger", count(danger[i].Count)}}
			}))
		}
		out = append(out, sec)
	}
	return out
}

func rowsOf[T any](rows []T, month string, of func(T) string) []T {
	var out []T
	for _, x := range rows {
		if of(x) == month {
			out = append(out, x)
		}
	}
	return out
}

// makeTable builds a table of n rows whose first columns are keys and
// the others figures.
func makeTable(heading string, keys []string, t Texts, n int, row func(i int) ([]string, []Figure)) Table {
	tb := Table{Heading: heading, Keys: len(keys), Head: slices.Clone(keys)}
	for i := range n {
		ks, fs := row(i)
		if i == 0 {
			for _, f := range fs {
				tb.Head = append(tb.Head, t.T("fig_"+f.Code))
				tb.Codes = append(tb.Codes, f.Code)
			}
		}
		cells := slices.Clone(ks)
		for _, f := range fs {
			cells = append(cells, f.Value)
		}
		tb.Rows = append(tb.Rows, cells)
	}
	return tb
}

// writeMarkdown writes the sections as Markdown.
func writeMarkdown(w io.Writer, r Report, t Texts) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n\n%s\n\n%s\n", t.T("title", "from", r.From, "to", r.To), t.T("intro"), t.T("privacy"))
	for _, sec := range Sections(r, t) {
		fmt.Fprintf(&b, "\n## %s\n", sec.Heading)
		if sec.Empty {
			fmt.Fprintf(&b, "\n%s\n", t.T("empty"))
		}
		for _, tb := range sec.Tables {
			if tb.Heading != "" {
				fmt.Fprintf(&b, "\n### %s\n", tb.Heading)
			}
			b.WriteString("\n")
			markdownTable(&b, tb)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// readableOverview is OverviewFigures for a reader.
func readableOverview(t Texts, o Overview) []Figure {
	return readable(t, Cases{Wait: o.Wait, Close: o.Close}, OverviewFigures(o))
}

// readable writes a Cases row's durations for a reader instead of in
// seconds (the codes stay).
func readable(t Texts, c Cases, fs []Figure) []Figure {
	out := make([]Figure, len(fs))
	for i, f := range fs {
		switch f.Code {
		case "wait_mean_s":
			f.Value = t.Duration(c.Wait, c.Wait.Mean)
		case "wait_median_s":
			f.Value = t.Duration(c.Wait, c.Wait.Median)
		case "wait_max_s":
			f.Value = t.Duration(c.Wait, c.Wait.Max)
		case "close_mean_s":
			f.Value = t.Duration(c.Close, c.Close.Mean)
		case "close_median_s":
			f.Value = t.Duration(c.Close, c.Close.Median)
		case "rating_mean":
			f.Value = strings.Replace(cmp.Or(f.Value, "–"), ".", t.T("decimal_point"), 1)
		}
		out[i] = f
	}
	return out
}

// markdownTable writes tb, keys left-aligned and figures right-aligned.
func markdownTable(b *strings.Builder, tb Table) {
	if len(tb.Rows) == 0 {
		return
	}
	align := make([]string, len(tb.Head))
	for i := range align {
		align[i] = "---:"
		if i < tb.Keys {
			align[i] = "---"
		}
	}
	fmt.Fprintf(b, "| %s |\n|%s|\n", strings.Join(escapeAll(tb.Head), " | "), strings.Join(align, "|"))
	for _, row := range tb.Rows {
		fmt.Fprintf(b, "| %s |\n", strings.Join(escapeAll(row), " | "))
	}
}

func escapeAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = strings.ReplaceAll(s, "|", `\|`)
	}
	return out
}
