package search

import (
	"fmt"
	"slices"
	"strings"
)

// phrase is one side of a synonym group, analysed like indexed text.
type phrase struct {
	key     string   // terms joined by spaces: the lookup key
	display string   // folded words joined by spaces, for Hit.Why
	terms   []uint32 // term ids; a term absent from the index has no postings
}

// synonymTable maps phrases to the groups of equivalent phrases they
// belong to, both ways: "cni" finds "carte nationale identite" and the
// reverse. Phrases are compared as term sequences, so "carte nationale
// d'identité" in a knowledge file and "carte nationale identite" typed by
// a citizen are one key.
type synonymTable struct {
	phrases []phrase
	groups  [][]int32          // group → phrase ids
	targets [][]int32          // group → phrases it expands to, nil if symmetric
	byKey   map[string][]int32 // phrase key → group ids
	// enKey is byKey for English queries: byKey, plus the keys of the
	// phrases analysed as English (analysis.Analyzer.EnglishWords: "book
	// an appointment" is "book appointment", "don't work" is "not work").
	enKey  map[string][]int32
	maxLen int // longest phrase, in terms
	// stems holds every term of every phrase, so that a query word known
	// only to the table counts as known (it is not typo-corrected away).
	stems map[string]bool
}

// maxPhraseLen bounds synonym phrases: an equivalence is a name, not a
// sentence, and query phrase matching tries every length up to the
// longest.
const maxPhraseLen = 12

// synGroup is a group of equivalent phrases (to nil), or a one-way
// expansion: a query naming one of from also means each of to.
type synGroup struct {
	from, to []string
}

// synonyms analyses the groups. A group needs two distinct phrases to say
// anything; phrases are shared between groups by key.
func (bd *builder) synonyms(groups []synGroup) synonymTable {
	st := synonymTable{byKey: make(map[string][]int32), enKey: make(map[string][]int32), stems: make(map[string]bool)}
	phraseID := make(map[string]int32)
	seenGroup := make(map[string]bool)
	analyse := func(texts []string) []int32 {
		var ids []int32
		for _, text := range texts {
			words := bd.p.an.Words(text)
			if len(words) == 0 || len(words) > maxPhraseLen {
				continue
			}
			terms := make([]uint32, len(words))
			stems := make([]string, len(words))
			for i, w := range words {
				terms[i] = bd.term(w)
				stems[i] = bd.terms[terms[i]]
			}
			key := strings.Join(stems, " ")
			id, ok := phraseID[key]
			if !ok {
				id = int32(len(st.phrases))
				phraseID[key] = id
				st.phrases = append(st.phrases, phrase{key: key, display: strings.Join(words, " "), terms: terms})
			}
			if !containsID(ids, id) {
				ids = append(ids, id)
			}
		}
		return ids
	}
	// enKeys returns the keys of texts analysed as English, registering
	// their terms.
	enKeys := func(texts []string) []string {
		var keys []string
		for _, text := range texts {
			words := bd.p.an.EnglishWords(text)
			if len(words) == 0 || len(words) > maxPhraseLen {
				continue
			}
			stems := make([]string, len(words))
			for i, w := range words {
				stems[i] = bd.terms[bd.term(w)]
				st.stems[stems[i]] = true
			}
			st.maxLen = max(st.maxLen, len(words))
			keys = append(keys, strings.Join(stems, " "))
		}
		return keys
	}
	for _, g := range groups {
		ids := analyse(g.from)
		var targets []int32
		if g.to != nil {
			for _, id := range analyse(g.to) {
				if !containsID(ids, id) {
					targets = append(targets, id)
				}
			}
			if len(targets) == 0 {
				continue
			}
		} else if len(ids) < 2 {
			continue
		}
		// An English phrase may have no French words.
		en := enKeys(g.from)
		if len(ids) == 0 && len(en) == 0 {
			continue
		}
		// The same group is often declared many times (every sheet
		// spelling out "CDI" in its glossary): keep one.
		sorted := slices.Clone(ids)
		slices.Sort(sorted)
		gk := fmt.Sprint(sorted, targets)
		if len(ids) == 0 {
			gk += fmt.Sprint(en)
		}
		if seenGroup[gk] {
			continue
		}
		seenGroup[gk] = true
		gid := int32(len(st.groups))
		st.groups = append(st.groups, ids)
		st.targets = append(st.targets, targets)
		for _, id := range ids {
			p := st.phrases[id]
			if !containsID(st.byKey[p.key], gid) {
				st.byKey[p.key] = append(st.byKey[p.key], gid)
			}
			if !containsID(st.enKey[p.key], gid) {
				st.enKey[p.key] = append(st.enKey[p.key], gid)
			}
		}
		for _, key := range en {
			if !containsID(st.enKey[key], gid) {
				st.enKey[key] = append(st.enKey[key], gid)
			}
		}
		for _, id := range append(slices.Clone(ids), targets...) {
			p := st.phrases[id]
			st.maxLen = max(st.maxLen, len(p.terms))
			for _, t := range p.terms {
				st.stems[bd.terms[t]] = true
			}
		}
	}
	return st
}

func containsID(ids []int32, id int32) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

// alternatives returns the phrases equivalent to key (excluding key
// itself), at most limit of them.
func (st *synonymTable) alternatives(key string, limit int, english bool) []int32 {
	byKey := st.byKey
	if english {
		byKey = st.enKey
	}
	var out []int32
	for _, g := range byKey[key] {
		ids := st.groups[g]
		if st.targets[g] != nil {
			ids = st.targets[g]
		}
		for _, id := range ids {
			if st.phrases[id].key == key || containsID(out, id) {
				continue
			}
			if len(out) == limit {
				return out
			}
			out = append(out, id)
		}
	}
	return out
}
