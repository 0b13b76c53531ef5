package barchart

import (
	"encoding/xml"
	"strings"
	"testing"
)

// The chart is well-formed SVG with its title and description, bars in
// proportion to the values, and every text escaped.
func TestSVG(t *testing.T) {
	svg := SVG(Chart{
		ID: "people", Title: "Personnes <par> mois", Desc: "Le plus : 2026-11",
		Labels: []string{"2026-11", "2026-12", "<b>"},
		Series: []Series{{Name: "Réponses", Fill: "#2a5db0", Values: []float64{8, 2, 0}}, {Name: "Mises en relation", Fill: "#b34a00", Values: []float64{4, 1, 0}}},
	})
	if err := xml.Unmarshal([]byte(svg), new(struct{})); err != nil {
		t.Fatalf("not well-formed: %v\n%s", err, svg)
	}
	for _, want := range []string{
		`role="img" aria-labelledby="people-title" aria-describedby="people-desc"`,
		`<title id="people-title">Personnes &lt;par&gt; mois</title>`,
		`<desc id="people-desc">Le plus : 2026-11</desc>`,
		// The largest bar is the plot's height, the others in proportion.
		`height="150.0" fill="#2a5db0"`, `height="37.5" fill="#2a5db0"`, `height="75.0" fill="#b34a00"`,
		`>8</text>`, `>&lt;b&gt;</text>`, `>Mises en relation</text>`,
	} {
		if !strings.Contains(svg, want) {
			t.Errorf("the chart lacks %q:\n%s", want, svg)
		}
	}
	if strings.Contains(svg, "<b>") || strings.Contains(svg, "<par>") {
		t.Error("a text is not escaped")
	}
	// Nothing to draw: no division by zero, no bar.
	empty := SVG(Chart{ID: "e", Title: "Rien", Labels: []string{"a"}, Series: []Series{{Name: "x", Fill: "#000", Values: []float64{0}}},
		Format: func(v float64) string { return "–" }})
	if !strings.Contains(empty, `height="0.0"`) || strings.Contains(empty, "NaN") {
		t.Errorf("empty chart:\n%s", empty)
	}
}
