// Package barchart draws simple bar charts as inline SVG for the admin's
// pages: one bar per category and series, the value written above each
// bar, the category under it, a legend when there are several series.
// The chart is an image with a title (role="img", <title>, <desc>): the
// page puts a table of the same figures beside it, which is what screen
// readers and people who copy the numbers use.
package barchart

import (
	"fmt"
	"html"
	"strings"
)

// Series is one set of bars, a value per category.
type Series struct {
	Name string
	// Fill is the bars' colour (#rrggbb).
	Fill   string
	Values []float64
	// Texts, when set, are written above the bars instead of the values
	// (a duration, « – » for none).
	Texts []string
}

// Chart is what SVG draws.
type Chart struct {
	// ID makes the title's and description's ids unique in the page.
	ID    string
	Title string
	// Desc says in words what the chart shows (e.g. the largest bar).
	Desc string
	// Labels name the categories, in order.
	Labels []string
	Series []Series
	// Format writes a value above its bar (nil: a whole number).
	Format func(float64) string
}

const (
	// Small enough that the texts stay readable on a phone, where the
	// chart is shrunk to the screen's width.
	width   = 480
	plotH   = 150
	top     = 28 // room for the values above the bars
	bottom  = 28 // room for the categories' labels
	legendH = 24
	side    = 8
)

// SVG returns the chart as an SVG element, every text escaped.
func SVG(c Chart) string {
	format := c.Format
	if format == nil {
		format = func(v float64) string { return fmt.Sprintf("%.0f", v) }
	}
	var most float64
	for _, s := range c.Series {
		for _, v := range s.Values {
			most = max(most, v)
		}
	}
	legend := 0
	if len(c.Series) > 1 {
		legend = legendH
	}
	height := legend + top + plotH + bottom
	var b strings.Builder
	desc := ""
	if c.Desc != "" {
		desc = fmt.Sprintf(` aria-describedby="%s-desc"`, esc(c.ID))
	}
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" class="bar-chart" width="100%%" viewBox="0 0 %d %d" role="img" aria-labelledby="%s-title"%s>`,
		width, height, esc(c.ID), desc)
	fmt.Fprintf(&b, `<title id="%s-title">%s</title>`, esc(c.ID), esc(c.Title))
	if c.Desc != "" {
		fmt.Fprintf(&b, `<desc id="%s-desc">%s</desc>`, esc(c.ID), esc(c.Desc))
	}
	if legend > 0 {
		x := side
		for _, s := range c.Series {
			fmt.Fprintf(&b, `<rect x="%d" y="6" width="14" height="14" fill="%s"/><text x="%d" y="18" font-size="15" fill="#1b1b1b">%s</text>`,
				x, esc(s.Fill), x+20, esc(s.Name))
			x += 20 + 8*len([]rune(s.Name)) + 20
		}
	}
	base := legend + top + plotH
	fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#555" stroke-width="1"/>`, side, base, width-side, base)
	n := len(c.Labels)
	if n == 0 {
		b.WriteString(`</svg>`)
		return b.String()
	}
	slot := float64(width-2*side) / float64(n)
	group := slot * 0.8
	bar := group / float64(max(len(c.Series), 1))
	for i, label := range c.Labels {
		x0 := float64(side) + slot*float64(i) + (slot-group)/2
		for j, s := range c.Series {
			v := 0.0
			if i < len(s.Values) {
				v = s.Values[i]
			}
			h := 0.0
			if most > 0 {
				h = v / most * plotH
			}
			x := x0 + bar*float64(j)
			fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"/>`, x+1, float64(base)-h, bar-2, h, esc(s.Fill))
			text := format(v)
			if i < len(s.Texts) {
				text = s.Texts[i]
			}
			fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="15" fill="#1b1b1b" text-anchor="middle">%s</text>`, x+bar/2, float64(base)-h-6, esc(text))
		}
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" font-size="15" fill="#1b1b1b" text-anchor="middle">%s</text>`, x0+group/2, base+19, esc(label))
	}
	b.WriteString(`</svg>`)
	return b.String()
}

func esc(s string) string { return html.EscapeString(s) }
