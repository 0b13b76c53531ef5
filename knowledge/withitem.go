package knowledge

import "slices"

// WithItem returns a copy of b in which it takes the place of the item
// of the same id (or comes last when b has none): what the knowledge
// would be if it were published. b is not changed, so the admin can
// check a draft against the knowledge served now without touching it.
func (b *Base) WithItem(it *Item) *Base {
	items := make([]*Item, 0, len(b.Items)+1)
	replaced := false
	for _, old := range b.Items {
		if old != nil && it != nil && old.ID == it.ID && !replaced {
			items = append(items, it)
			replaced = true
			continue
		}
		items = append(items, old)
	}
	if !replaced {
		items = append(items, it)
	}
	nb := NewBase(items, b.Trees, b.Synonyms)
	nb.synonymPos, nb.replacedBy = b.synonymPos, b.replacedBy
	return nb
}

// Audiences are the audience values an item may use, in the order a
// form offers them.
func Audiences() []string { return slices.Clone(audiences) }

// Kinds are the valid item kinds, in the order a form offers them.
func Kinds() []Kind {
	out := make([]Kind, len(kinds))
	for i, k := range kinds {
		out[i] = Kind(k)
	}
	return out
}
