package knowledge

// WithTree returns the knowledge as it would be with t published: t in
// place of the tree with its id (in the same place in the list), or
// added. b is not changed; items and synonyms are shared.
func (b *Base) WithTree(t *Tree) *Base {
	trees := make([]*Tree, 0, len(b.Trees)+1)
	replaced := false
	for _, old := range b.Trees {
		if old != nil && t != nil && old.ID == t.ID && !replaced {
			trees = append(trees, t)
			replaced = true
			continue
		}
		trees = append(trees, old)
	}
	if !replaced && t != nil {
		trees = append(trees, t)
	}
	nb := NewBase(b.Items, trees, b.Synonyms)
	nb.synonymPos, nb.replacedBy = b.synonymPos, b.replacedBy
	return nb
}
