package servicepublic

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
)

// maxDepth bounds element nesting. Real sheets nest about 20 deep
// (Cas inside BlocCas inside Cas…); a deeper file is not a sheet, and the
// bound keeps the recursive walks of the mapping safe.
const maxDepth = 200

// node is an element or, when name is "", a run of text. The mapping needs
// mixed content in document order (a Paragraphe interleaves text and links),
// which encoding/xml's struct decoding does not keep, so the file is first
// read into this small tree.
type node struct {
	space, name string // prefix as written ("dc") and local name
	attr        []xml.Attr
	kids        []*node
	text        string
}

// decodeTree reads one XML document. It checks what encoding/xml's
// RawToken leaves to the caller: matching end tags, a single root, no text
// outside it, a bounded depth and a complete document.
func decodeTree(data []byte) (*node, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, errors.New("empty file")
	}
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Strict = true
	var root *node
	stack := make([]*node, 0, 32)
	// Nodes are carved from slabs: a sheet has thousands of them, and one
	// allocation per node is most of the garbage of a whole import.
	// Real sheets hold about one node per 40 bytes.
	var slab []node
	chunk := min(max(len(data)/40, 16), 1024)
	newNode := func() *node {
		if len(slab) == cap(slab) {
			slab = make([]node, 0, chunk)
		}
		slab = slab[:len(slab)+1]
		return &slab[len(slab)-1]
	}
	for {
		tok, err := d.RawToken()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("invalid XML: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if len(stack) == 0 && root != nil {
				return nil, fmt.Errorf("invalid XML: second root element <%s> after <%s>", qname(t.Name), root.name)
			}
			if len(stack) >= maxDepth {
				return nil, fmt.Errorf("invalid XML: elements nested deeper than %d", maxDepth)
			}
			n := newNode()
			n.space, n.name, n.attr = t.Name.Space, t.Name.Local, t.Attr
			if len(stack) > 0 {
				p := stack[len(stack)-1]
				p.kids = append(p.kids, n)
			}
			stack = append(stack, n)
		case xml.EndElement:
			if len(stack) == 0 {
				return nil, fmt.Errorf("invalid XML: unexpected </%s> on line %d", qname(t.Name), line(d))
			}
			top := stack[len(stack)-1]
			if top.name != t.Name.Local || top.space != t.Name.Space {
				return nil, fmt.Errorf("invalid XML: <%s> closed by </%s> on line %d", top.qname(), qname(t.Name), line(d))
			}
			stack = stack[:len(stack)-1]
			if len(stack) == 0 {
				root = top
			}
		case xml.CharData:
			if len(stack) == 0 {
				if len(bytes.TrimSpace(t)) > 0 {
					return nil, errors.New("invalid XML: text outside the root element")
				}
				continue
			}
			// RawToken reuses its buffer: the text must be copied. Runs
			// split by comments stay separate nodes (joining them would be
			// quadratic on a file of many comments); readers concatenate.
			p := stack[len(stack)-1]
			n := newNode()
			n.text = string(t)
			p.kids = append(p.kids, n)
		}
	}
	if len(stack) > 0 {
		return nil, fmt.Errorf("truncated XML: <%s> is not closed at the end of the file", stack[len(stack)-1].qname())
	}
	if root == nil {
		return nil, errors.New("invalid XML: no root element")
	}
	return root, nil
}

func line(d *xml.Decoder) int {
	l, _ := d.InputPos()
	return l
}

func qname(n xml.Name) string {
	if n.Space == "" {
		return n.Local
	}
	return n.Space + ":" + n.Local
}

func (n *node) qname() string { return qname(xml.Name{Space: n.space, Local: n.name}) }

// isElem reports whether n is an element named name, without prefix.
func (n *node) isElem(name string) bool { return n.name == name && n.space == "" }

// attrVal returns the value of an unprefixed attribute, or "". Like
// the other accessors it accepts a nil node, so that the mapping can chain
// them over optional elements.
func (n *node) attrVal(name string) string {
	if n == nil {
		return ""
	}
	for _, a := range n.attr {
		if a.Name.Local == name && a.Name.Space == "" {
			return a.Value
		}
	}
	return ""
}

// child returns the first child element with this unprefixed name.
func (n *node) child(name string) *node {
	if n == nil {
		return nil
	}
	for _, k := range n.kids {
		if k.isElem(name) {
			return k
		}
	}
	return nil
}

// children returns the child elements with this unprefixed name.
func (n *node) children(name string) []*node {
	if n == nil {
		return nil
	}
	var out []*node
	for _, k := range n.kids {
		if k.isElem(name) {
			out = append(out, k)
		}
	}
	return out
}

// dc returns the text of the first Dublin Core child (dc:title…).
func (n *node) dc(name string) string {
	for _, k := range n.kids {
		if k.name == name && k.space == "dc" {
			return k.textContent()
		}
	}
	return ""
}

// textContent is all text under n, whitespace collapsed.
func (n *node) textContent() string {
	if n == nil {
		return ""
	}
	var b []byte
	b = n.appendText(b)
	return collapse(b)
}

func (n *node) appendText(b []byte) []byte {
	if n.name == "" {
		return append(b, n.text...)
	}
	for _, k := range n.kids {
		b = k.appendText(b)
	}
	return b
}

// walk calls f for n and every element below it, in document order; f
// returns false to skip an element's descendants.
func (n *node) walk(f func(*node) bool) {
	if n.name == "" || !f(n) {
		return
	}
	for _, k := range n.kids {
		k.walk(f)
	}
}
