package knowledge

import (
	"bytes"
	"fmt"
	"strconv"
)

// Changes says what publishing a set of knowledge files changed.
type Changes struct {
	// Trees and Items are the new versions published.
	Trees, Items int
	// Unchanged counts trees and items identical to the version in force.
	Unchanged int
	// SynonymsIgnored says the files' synonyms differ from the ones in
	// force: synonyms change with the knowledge directory only.
	SynonymsIgnored bool
}

// MarshalSynonymsYAML writes synonym groups as a synonyms.yaml file the
// loader reads back to the same groups.
func MarshalSynonymsYAML(groups [][]string) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString("# Équivalences pour la recherche : chaque groupe liste des expressions équivalentes.\nsynonyms:\n")
	for _, g := range groups {
		if len(g) == 0 {
			return nil, fmt.Errorf("marshal synonyms: an empty group")
		}
		b.WriteString("  - [")
		for i, s := range g {
			if i > 0 {
				b.WriteString(", ")
			}
			// A double-quoted YAML scalar is a JSON string: strconv
			// quotes it safely (accents kept as they are).
			b.WriteString(strconv.Quote(s))
		}
		b.WriteString("]\n")
	}
	return b.Bytes(), nil
}
