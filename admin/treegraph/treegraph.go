// Package treegraph draws an orientation tree as an SVG graph the admin
// shows on the server, readable without JavaScript: one box per question
// (node), laid out by depth from the start, an arrow per choice that
// leads to another question, labelled with the choice, and a small leaf
// per choice that ends the path (items shown, a mediator, places near
// the person). Each box links to its node's form. Nodes with problems are
// marked by colour and by a written sign, never by colour alone.
package treegraph

import (
	"fmt"
	"html"
	"maps"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/boussole/boussole/knowledge"
)

// Labels are the words the graph writes, in the page's language.
type Labels struct {
	Title       string // the graph's accessible name, e.g. "Graphe du parcours Carte"
	Desc        string // how to read it, for screen readers ("" for none)
	Answer      string // leaf of a choice that shows items, e.g. "Fiches"
	Escalate    string // leaf of a choice that hands to a mediator
	Nearest     string // leaf of a choice that shows places
	Missing     string // a box for a next node that does not exist
	Unreachable string // sign on a node no path reaches
	Problems    string // sign on a node with problems, with {n}
	Start       string // sign on the start node
}

// Options say how to draw.
type Options struct {
	Labels Labels
	// Link is the address of a node's form.
	Link func(node string) string
	// Problems counts problems per node id.
	Problems map[string]int
	// Selected is the node being edited, drawn thicker.
	Selected string
}

// Sizes, in SVG user units (pixels at 100 %).
const (
	boxW, boxH = 220, 62
	gapX, gapY = 36, 70
	margin     = 16
	maxAsk     = 60 // characters of the question shown in a box
	maxChoice  = 22 // characters of a choice label on an arrow
)

type box struct {
	id           string
	x, y         int
	layer        int
	missing      bool
	unreachable  bool
	leaves       []leaf
	askTruncated string
}

type leaf struct {
	kind  knowledge.Target
	label string // the choice
}

// SVG returns the graph of t as an SVG element (no XML prolog), every
// text escaped.
func SVG(t *knowledge.Tree, o Options) string {
	layers, boxes := layout(t)
	width, y := margin*2, margin
	layerY := make([]int, len(layers))
	for li, ids := range layers {
		layerY[li] = y
		x, tallest := margin, 0
		for _, id := range ids {
			b := boxes[id]
			b.x, b.y = x, y
			x += boxW + gapX
			tallest = max(tallest, b.height())
		}
		width = max(width, x-gapX+margin)
		y += tallest + gapY
	}
	height := y - gapY + margin

	var s strings.Builder
	// A group, not an img: an img's children are hidden from screen
	// readers, and the boxes are links to the forms.
	described := ""
	if o.Labels.Desc != "" {
		described = ` aria-describedby="tree-graph-desc"`
	}
	fmt.Fprintf(&s, `<svg xmlns="http://www.w3.org/2000/svg" class="tree-graph" width="%d" height="%d" viewBox="0 0 %d %d" role="group" aria-labelledby="tree-graph-title"%s>`, width, height, width, height, described)
	fmt.Fprintf(&s, `<title id="tree-graph-title">%s</title>`, esc(o.Labels.Title))
	if o.Labels.Desc != "" {
		fmt.Fprintf(&s, `<desc id="tree-graph-desc">%s</desc>`, esc(o.Labels.Desc))
	}
	s.WriteString(`<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#333"/></marker></defs>`)
	// Arrows first, under the boxes; their labels last, over everything.
	var labelsSVG strings.Builder
	for _, id := range slices.Sorted(maps.Keys(boxes)) {
		b := boxes[id]
		n := t.Nodes[id]
		if n == nil {
			continue
		}
		k := 0
		for _, c := range n.Choices {
			if c.Next == "" {
				continue
			}
			to, ok := boxes[c.Next]
			if !ok {
				continue
			}
			k++
			x1, y1 := b.x+boxW*k/(countNext(n)+1), b.y+b.height()
			x2, y2 := to.x+boxW/2, to.y
			if to.layer <= b.layer { // back or sideways: to the box's side
				y2, x2 = to.y+to.height()/2, to.x+boxW
			}
			fmt.Fprintf(&s, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#333" stroke-width="1.5" marker-end="url(#arrow)"/>`, x1, y1, x2, y2)
			lx, ly := x1+(x2-x1)/3, y1+(y2-y1)/3+4
			fmt.Fprintf(&labelsSVG, `<text x="%d" y="%d" font-size="12" fill="#1b1b1b" text-anchor="middle" paint-order="stroke" stroke="#fff" stroke-width="4">%s</text>`,
				lx, ly, esc(cut(c.Label, maxChoice)))
		}
	}
	for _, id := range slices.Sorted(maps.Keys(boxes)) {
		drawBox(&s, boxes[id], id == t.Start, o)
	}
	s.WriteString(labelsSVG.String())
	s.WriteString(`</svg>`)
	return s.String()
}

func countNext(n *knowledge.Node) int {
	c := 0
	for _, ch := range n.Choices {
		if ch.Next != "" {
			c++
		}
	}
	return c
}

// height is the box's height: the id, two lines of question, one line
// per choice that ends here, and a line of signs.
func (b *box) height() int { return boxH + len(b.leaves)*lineH }

const lineH = 15

func drawBox(s *strings.Builder, b *box, start bool, o Options) {
	fill, stroke, width := "#ffffff", "#003d8f", 1.5
	var signs []string
	if start {
		signs = append(signs, o.Labels.Start)
	}
	if b.unreachable {
		fill = "#fff4d6"
		signs = append(signs, o.Labels.Unreachable)
	}
	if n := o.Problems[b.id]; n > 0 {
		fill, stroke = "#fdecec", "#a00000"
		signs = append(signs, "⚠ "+strings.ReplaceAll(o.Labels.Problems, "{n}", fmt.Sprint(n)))
	}
	if b.missing {
		fill, stroke = "#fdecec", "#a00000"
		signs = append(signs, "⚠ "+o.Labels.Missing)
	}
	if b.id == o.Selected {
		width = 4
	}
	open, closeTag := "", ""
	if o.Link != nil && !b.missing {
		// The link's name is its visible text (id, question, signs).
		open = fmt.Sprintf(`<a href="%s">`, esc(o.Link(b.id)))
		closeTag = `</a>`
	}
	s.WriteString(open)
	fmt.Fprintf(s, `<rect x="%d" y="%d" width="%d" height="%d" rx="6" fill="%s" stroke="%s" stroke-width="%g"/>`, b.x, b.y, boxW, b.height(), fill, stroke, width)
	fmt.Fprintf(s, `<text x="%d" y="%d" font-size="12" font-weight="700" fill="#1b1b1b">%s</text>`, b.x+8, b.y+16, esc(cut(b.id, 28)))
	for i, l := range wrap(b.askTruncated, 30, 2) {
		fmt.Fprintf(s, `<text x="%d" y="%d" font-size="12" fill="#1b1b1b">%s</text>`, b.x+8, b.y+31+i*14, esc(l))
	}
	for i, l := range b.leaves {
		word := o.Labels.Answer
		switch l.kind {
		case knowledge.TargetEscalate:
			word = o.Labels.Escalate
		case knowledge.TargetNearest:
			word = o.Labels.Nearest
		}
		fmt.Fprintf(s, `<text x="%d" y="%d" font-size="11" fill="#185c1d"><tspan font-weight="700">→ %s :</tspan> <tspan fill="#1b1b1b">%s</tspan></text>`,
			b.x+8, b.y+boxH-4+i*lineH, esc(word), esc(cut(l.label, 22)))
	}
	if len(signs) > 0 {
		fmt.Fprintf(s, `<text x="%d" y="%d" font-size="11" fill="%s" text-anchor="end">%s</text>`, b.x+boxW-8, b.y+16, signColor(stroke), esc(cut(strings.Join(signs, " · "), 34)))
	}
	s.WriteString(closeTag)
}

func signColor(stroke string) string {
	if stroke == "#a00000" {
		return "#a00000"
	}
	return "#4a4a4a"
}

// layout puts each node in the layer of its depth from the start
// (breadth first, choices in order); nodes no path reaches go in a last
// layer, and next nodes that do not exist get a box marked missing.
func layout(t *knowledge.Tree) ([][]string, map[string]*box) {
	boxes := map[string]*box{}
	var layers [][]string
	add := func(id string, layer int) *box {
		b := &box{id: id, layer: layer}
		if n, ok := t.Nodes[id]; ok && n != nil {
			b.askTruncated = cut(n.Ask, maxAsk)
			for _, c := range n.Choices {
				if k := c.Target(); k != knowledge.TargetNode && k != knowledge.TargetNone {
					b.leaves = append(b.leaves, leaf{kind: k, label: c.Label})
				}
			}
		} else {
			b.missing = true
		}
		boxes[id] = b
		for len(layers) <= layer {
			layers = append(layers, nil)
		}
		layers[layer] = append(layers[layer], id)
		return b
	}
	if t.Start != "" {
		add(t.Start, 0)
		for li := 0; li < len(layers); li++ {
			for _, id := range layers[li] {
				n := t.Nodes[id]
				if n == nil {
					continue
				}
				for _, next := range n.Nexts() {
					if _, seen := boxes[next]; !seen {
						add(next, li+1)
					}
				}
			}
		}
	}
	var rest []string
	for id := range t.Nodes {
		if _, seen := boxes[id]; !seen {
			rest = append(rest, id)
		}
	}
	slices.Sort(rest)
	last := len(layers)
	for _, id := range rest {
		add(id, last).unreachable = true
	}
	// Nodes reached from the unreachable ones.
	for _, id := range rest {
		if n := t.Nodes[id]; n != nil {
			for _, next := range n.Nexts() {
				if _, seen := boxes[next]; !seen {
					add(next, last+1)
				}
			}
		}
	}
	return layers, boxes
}

// cut shortens s to n characters with an ellipsis.
func cut(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:n-1])) + "…"
}

// wrap splits s into at most lines lines of about width characters.
func wrap(s string, width, lines int) []string {
	var out []string
	cur := ""
	for _, w := range strings.Fields(s) {
		if cur != "" && utf8.RuneCountInString(cur)+1+utf8.RuneCountInString(w) > width {
			out = append(out, cur)
			cur = ""
			if len(out) == lines {
				out[lines-1] = cut(out[lines-1]+" …", width)
				return out
			}
		}
		if cur != "" {
			cur += " "
		}
		cur += w
	}
	if cur != "" {
		out = append(out, cur)
	}
	return out
}

// esc escapes text for SVG content and attributes.
func esc(s string) string { return html.EscapeString(s) }
