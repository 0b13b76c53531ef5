package places

import (
	"strings"

	"github.com/boussole/boussole/internal/sets"
	"github.com/boussole/boussole/knowledge"
	"github.com/boussole/boussole/knowledge/analysis"
)

// Dedupe merges the places that are one place published by several
// sources: the national map lists a France Services counter once as
// France Services and again as the place of its conseiller numérique,
// at the same address. An answer listing it twice wastes one of its
// three lines. Places with the same street address and postal code are
// one: the most complete record is kept (hours, phone, booking), with
// every label and service of the others. The order of the first of each
// is kept; ps is not modified.
func Dedupe(ps []*knowledge.Place) []*knowledge.Place {
	out := make([]*knowledge.Place, 0, len(ps))
	at := make(map[string]int, len(ps))
	for _, p := range ps {
		k := addressKey(p)
		i, dup := at[k]
		if k == "" || !dup {
			if k != "" {
				at[k] = len(out)
			}
			out = append(out, p)
			continue
		}
		out[i] = merge(out[i], p)
	}
	return out
}

// addressKey is a place's folded street address and postal code; ""
// when either is unknown (such places are never merged).
func addressKey(p *knowledge.Place) string {
	a := strings.Join(strings.Fields(analysis.Fold(p.Address)), " ")
	if a == "" || p.PostalCode == "" {
		return ""
	}
	return p.PostalCode + "|" + a
}

// merge returns one place for a and b: the more complete one, with the
// labels and services of both.
func merge(a, b *knowledge.Place) *knowledge.Place {
	keep, other := a, b
	if completeness(b) > completeness(a) {
		keep, other = b, a
	}
	m := *keep
	m.Labels = sets.Union(keep.Labels, other.Labels)
	m.Services = sets.Union(keep.Services, other.Services)
	return &m
}

// completeness weighs what an answer shows of a place: hours, a phone
// and a booking link help a person go there more than a website.
func completeness(p *knowledge.Place) int {
	n := 0
	for _, f := range []struct {
		v string
		w int
	}{{p.Hours, 2}, {p.Phone, 2}, {p.Booking, 2}, {p.Website, 1}, {p.Email, 1}} {
		if f.v != "" {
			n += f.w
		}
	}
	return n
}
