package knowledge

// HitKind says whether a search hit is an item or a tree.
type HitKind string

// Hit kinds.
const (
	HitItem HitKind = "item"
	HitTree HitKind = "tree"
)

// Hit is one search result.
type Hit struct {
	Kind HitKind `json:"kind"`
	ID   string  `json:"id"`
	// Score is the engine's raw relevance score (comparable within one
	// query only).
	Score float64 `json:"score"`
	// Confidence in [0,1] is comparable across queries: the engine
	// thresholds it to decide between answering and saying "not sure".
	Confidence float64 `json:"confidence"`
	// Match in [0,1] is how well the hit matches the query on its own,
	// before the competition among hits that lowers Confidence: several
	// hits matching well (a low Confidence, a good Match) is a question
	// understood but ambiguous; no hit matching well is a question not
	// understood.
	Match float64 `json:"match"`
	// Why explains the match in short phrases ("titre: carte, identite"),
	// for the bot to show and tests to check.
	Why []string `json:"why,omitempty"`
}

// Describe returns the title and jurisdiction of what a hit names, or the
// hit's id and "" when b does not have it.
func (b *Base) Describe(h Hit) (title, jurisdiction string) {
	if h.Kind == HitTree {
		if t, ok := b.Tree(h.ID); ok {
			return t.Title, t.Jurisdiction
		}
	} else if it, ok := b.Item(h.ID); ok {
		return it.Title, it.Jurisdiction
	}
	return h.ID, ""
}
