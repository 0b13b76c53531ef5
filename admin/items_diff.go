package admin

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/boussole/boussole/admin/textdiff"
	"github.com/boussole/boussole/knowledge"
)

// itemDiff is two versions of an item side by side, as YAML (the format
// of the knowledge files, knowledge.MarshalItemYAML), line against line.
type itemDiff struct {
	Rows []textdiff.Row
	// Same says the two versions are identical.
	Same bool
}

// diff compares versions a and b of item id.
func (p *itemPages) diff(r *http.Request, id string, a, b int) (*itemDiff, error) {
	yamlOf := func(v int) ([]string, error) {
		it, err := p.s.d.Library.ItemVersion(r.Context(), id, v)
		if err != nil {
			return nil, err
		}
		y, err := knowledge.MarshalItemYAML(it)
		if err != nil {
			return nil, err
		}
		return strings.Split(strings.TrimRight(string(y), "\n"), "\n"), nil
	}
	left, err := yamlOf(a)
	if err != nil {
		return nil, fmt.Errorf("diff item %s: version %d: %w", id, a, err)
	}
	right, err := yamlOf(b)
	if err != nil {
		return nil, fmt.Errorf("diff item %s: version %d: %w", id, b, err)
	}
	rows := textdiff.Lines(left, right)
	return &itemDiff{Rows: rows, Same: !textdiff.Changed(rows)}, nil
}
