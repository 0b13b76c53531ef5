package knowledge

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// ErrInvalid matches (with errors.Is) every Problems error, so callers can
// tell "the knowledge files are wrong" (show the list to the admin) from an
// I/O failure.
var ErrInvalid = errors.New("invalid knowledge files")

// Problem is one issue found in knowledge files: where, and what is wrong in
// words an admin who does not program can act on.
type Problem struct {
	Pos Pos
	Msg string
}

// String formats the problem as "file:line: msg", the shape editors and
// terminals turn into clickable links. Without a line it is "file: msg".
func (p Problem) String() string {
	switch {
	case p.Pos.File == "" && p.Pos.Line == 0:
		return p.Msg
	case p.Pos.Line == 0:
		return p.Pos.File + ": " + p.Msg
	}
	return p.Pos.String() + ": " + p.Msg
}

// Problems is a list of problems. It is an error so that loaders can return
// every problem at once instead of stopping at the first one.
type Problems []Problem

// Error lists the problems one per line, sorted by file then line.
func (p Problems) Error() string {
	s := slices.Clone(p)
	s.sort()
	lines := make([]string, len(s))
	for i, pr := range s {
		lines[i] = pr.String()
	}
	return strings.Join(lines, "\n")
}

// Is makes errors.Is(err, ErrInvalid) true for any Problems.
func (p Problems) Is(target error) bool { return target == ErrInvalid }

// sort orders problems by file, then line, keeping the discovery order of
// problems on the same line (it follows the file's own order).
func (p Problems) sort() {
	slices.SortStableFunc(p, func(a, b Problem) int {
		return cmp.Or(cmp.Compare(a.Pos.File, b.Pos.File), cmp.Compare(a.Pos.Line, b.Pos.Line))
	})
}

// add appends a problem.
func (p *Problems) add(pos Pos, format string, args ...any) {
	*p = append(*p, Problem{Pos: pos, Msg: fmt.Sprintf(format, args...)})
}

// err returns the sorted problems as an error, or nil when there are none
// (a nil Problems stored in an error would not compare equal to nil).
func (p Problems) err() error {
	if len(p) == 0 {
		return nil
	}
	p.sort()
	return p
}

// suggest returns the valid word closest to word, or "" when none is close
// enough to be a likely typo. French admins also write field names in
// French, so known translations are suggested too.
func suggest(word string, valid []string) string {
	w := strings.ToLower(strings.TrimSpace(word))
	if en, ok := frenchFieldNames[foldText(w)]; ok && slices.Contains(valid, en) {
		return en
	}
	// One edit for short words, two for longer ones: beyond that the
	// "suggestion" is usually an unrelated field and only confuses.
	limit := 1
	n := utf8.RuneCountInString(w)
	if n >= 4 {
		limit = 2
	}
	best, bestDist := "", 0
	for _, v := range valid {
		// Words whose lengths differ by more than the limit cannot be
		// close; skipping them keeps this cheap on long lists and keys.
		if diff := n - utf8.RuneCountInString(v); diff > limit || -diff > limit {
			continue
		}
		d := editDistance(w, v)
		if best == "" || d < bestDist {
			best, bestDist = v, d
		}
	}
	if best == "" || bestDist > limit || bestDist >= len([]rune(best)) {
		return ""
	}
	return best
}

// didYouMean formats a suggestion as " (did you mean "x"?)" or "".
func didYouMean(word string, valid []string) string {
	if s := suggest(word, valid); s != "" {
		return fmt.Sprintf(" (did you mean %q?)", s)
	}
	return ""
}

// frenchFieldNames maps French words admins naturally type (folded) to the
// field name they meant.
var frenchFieldNames = map[string]string{
	"titre": "title", "resume": "summary", "type": "kind", "genre": "kind",
	"public": "audience", "langue": "lang", "territoire": "jurisdiction",
	"etapes": "steps", "pieces": "documents", "justificatifs": "documents",
	"ou": "where", "en ligne": "online", "guichet": "office", "telephone": "phone",
	"cout": "cost", "prix": "cost", "delai": "delay", "mots cles": "keywords",
	"motscles": "keywords", "synonymes": "synonyms", "source": "sources",
	"revu": "reviewed", "verifie": "reviewed", "relu": "reviewed",
	"lien": "url", "libelle": "label", "declencheurs": "triggers",
	"debut": "start", "depart": "start", "noeuds": "nodes", "question": "ask",
	"choix": "choices", "suivant": "next", "reponse": "answer",
	"reponses": "answer", "mediateur": "escalate", "escalade": "escalate",
	"corps": "body", "texte": "body", "remplace": "replaces", "remplacer": "replaces",
	"lieu": "place", "nom": "name", "adresse": "address", "code postal": "postal_code",
	"latitude": "lat", "longitude": "lon", "horaires": "hours", "courriel": "email",
	"site": "website", "site web": "website", "rendez vous": "booking", "rdv": "booking",
	"labels nationaux": "labels", "etiquettes": "labels",
}

// editDistance is the optimal-string-alignment distance between a and b:
// Levenshtein plus transposition of adjacent letters, the commonest typo
// ("titel" for "title").
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	// Three rolling rows are enough for the transposition look-back.
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}
