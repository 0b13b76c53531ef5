package knowledge

import (
	"fmt"
	"slices"

	"gopkg.in/yaml.v3"
)

// MarshalTreeYAML writes t in the format LoadDir reads, nodes in the
// order a reader follows them (the start, then breadth first, then the
// unreachable ones by id), so that an exported tree reads like a written
// one and diffs between versions stay small.
func MarshalTreeYAML(t *Tree) ([]byte, error) {
	type choice struct {
		Label    string   `yaml:"label"`
		LabelEN  string   `yaml:"label_en,omitempty"`
		Keywords []string `yaml:"keywords,omitempty,flow"`
		Next     string   `yaml:"next,omitempty"`
		Answer   []string `yaml:"answer,omitempty,flow"`
		Escalate string   `yaml:"escalate,omitempty"`
		Nearest  *Filter  `yaml:"nearest,omitempty"`
	}
	type node struct {
		Ask     string            `yaml:"ask"`
		AskEN   string            `yaml:"ask_en,omitempty"`
		Choices []choice          `yaml:"choices"`
		Route   map[string]string `yaml:"route,omitempty"`
	}
	type head struct {
		ID           string   `yaml:"id"`
		Title        string   `yaml:"title"`
		TitleEN      string   `yaml:"title_en,omitempty"`
		Lang         string   `yaml:"lang,omitempty"`
		Jurisdiction string   `yaml:"jurisdiction,omitempty"`
		Triggers     []string `yaml:"triggers,flow"`
		Start        string   `yaml:"start"`
	}
	doc := &yaml.Node{}
	if err := doc.Encode(head{t.ID, t.Title, t.TitleEN, t.Lang, t.Jurisdiction, t.Triggers, t.Start}); err != nil {
		return nil, fmt.Errorf("marshal tree %s: %w", t.ID, err)
	}
	nodes := &yaml.Node{Kind: yaml.MappingNode}
	for _, id := range nodeOrder(t) {
		n := t.Nodes[id]
		if n == nil {
			continue
		}
		out := node{Ask: n.Ask, AskEN: n.AskEN, Route: n.Route, Choices: []choice{}}
		for _, c := range n.Choices {
			out.Choices = append(out.Choices, choice{c.Label, c.LabelEN, c.Keywords, c.Next, c.Answer, c.Escalate, c.Nearest})
		}
		v := &yaml.Node{}
		if err := v.Encode(out); err != nil {
			return nil, fmt.Errorf("marshal tree %s node %s: %w", t.ID, id, err)
		}
		nodes.Content = append(nodes.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: id}, v)
	}
	doc.Content = append(doc.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: "nodes"}, nodes)
	return encodeYAML(doc)
}

// nodeOrder is the start node, then the nodes reached from it breadth
// first, then the others by id.
func nodeOrder(t *Tree) []string {
	seen := map[string]bool{}
	var order []string
	queue := []string{t.Start}
	for len(queue) > 0 {
		id := queue[0]
		queue = queue[1:]
		n, ok := t.Nodes[id]
		if !ok || seen[id] {
			continue
		}
		seen[id] = true
		order = append(order, id)
		if n != nil {
			queue = append(queue, n.Nexts()...)
		}
	}
	var rest []string
	for id := range t.Nodes {
		if !seen[id] {
			rest = append(rest, id)
		}
	}
	slices.Sort(rest)
	return append(order, rest...)
}

// MarshalItemYAML writes it in the format LoadDir reads.
func MarshalItemYAML(it *Item) ([]byte, error) {
	doc := &yaml.Node{}
	if err := doc.Encode(it); err != nil {
		return nil, fmt.Errorf("marshal item %s: %w", it.ID, err)
	}
	for i := 0; i+1 < len(doc.Content); i += 2 {
		if doc.Content[i].Value == "review_every" {
			// Written as a period (« 6m », « 1y »), as admins write it.
			p := fmt.Sprintf("%dm", it.ReviewEvery)
			if it.ReviewEvery%12 == 0 {
				p = fmt.Sprintf("%dy", it.ReviewEvery/12)
			}
			doc.Content[i+1] = &yaml.Node{Kind: yaml.ScalarNode, Value: p}
		}
	}
	if !it.Reviewed.IsZero() {
		// Reviewed is a Date, read from "YYYY-MM-DD" by the decoder.
		k := &yaml.Node{Kind: yaml.ScalarNode, Value: "reviewed"}
		v := &yaml.Node{Kind: yaml.ScalarNode, Value: it.Reviewed.String()}
		at := len(doc.Content)
		for i := 0; i+1 < len(doc.Content); i += 2 {
			if doc.Content[i].Value == "sources" {
				at = i + 2
			}
		}
		doc.Content = slices.Insert(doc.Content, at, k, v)
	}
	return encodeYAML(doc)
}

func encodeYAML(doc *yaml.Node) ([]byte, error) {
	out, err := yaml.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("marshal yaml: %w", err)
	}
	return out, nil
}
