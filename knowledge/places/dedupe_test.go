package places

import (
	"slices"
	"testing"

	"github.com/boussole/boussole/knowledge"
)

func TestDedupe(t *testing.T) {
	// Two records of the national map for one counter at Saint-Auban
	// (France Services, and its conseiller numérique), one elsewhere, and
	// two with no address, never merged.
	fs := &knowledge.Place{ID: "fs", Name: "France services Val de Durance", Address: "7 cours Péchiney", PostalCode: "04600",
		Hours: "Mo-Fr 08:30-12:00", Phone: "+33492372594", Labels: []string{knowledge.LabelFranceServices}, Services: []string{knowledge.ServiceDemarches}}
	cn := &knowledge.Place{ID: "cn", Name: "Maison France Services", Address: "7  Cours  Pechiney", PostalCode: "04600",
		Labels: []string{knowledge.LabelConseillerNumerique, knowledge.LabelFranceServices}, Services: []string{knowledge.ServiceQuotidien}}
	other := &knowledge.Place{ID: "other", Address: "7 cours Péchiney", PostalCode: "04000"}
	bare1, bare2 := &knowledge.Place{ID: "b1"}, &knowledge.Place{ID: "b2"}
	in := []*knowledge.Place{cn, other, fs, bare1, bare2}
	got := Dedupe(in)
	var ids []string
	for _, p := range got {
		ids = append(ids, p.ID)
	}
	if !slices.Equal(ids, []string{"fs", "other", "b1", "b2"}) {
		t.Fatalf("ids = %v, want the complete record in the first one's place", ids)
	}
	m := got[0]
	if !slices.Equal(m.Labels, []string{knowledge.LabelFranceServices, knowledge.LabelConseillerNumerique}) ||
		!slices.Equal(m.Services, []string{knowledge.ServiceDemarches, knowledge.ServiceQuotidien}) || m.Phone == "" {
		t.Errorf("merged = %+v, want fs's fields with both labels and services", m)
	}
	if len(cn.Labels) != 2 || len(fs.Labels) != 1 || in[0] != cn {
		t.Error("Dedupe modified its input")
	}
}
