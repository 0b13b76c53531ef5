package admin

import (
	"fmt"
	"net/http"
)

// itemDiff is two versions of an item side by side.
type itemDiff struct{}

// diff compares versions a and b of item id.
func (p *itemPages) diff(r *http.Request, id string, a, b int) (*itemDiff, error) {
	return nil, fmt.Errorf("diff of item %s versions %d and %d: not written yet", id, a, b)
}
