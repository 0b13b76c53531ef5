// Package sets holds the small operations on string lists that several
// layers need (danger kinds on a case, themes of merged sheets).
package sets

import "slices"

// Union returns a's elements, then those of b not already there, in
// order; a is not changed.
func Union(a, b []string) []string {
	out := slices.Clone(a)
	for _, v := range b {
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}
