package places

import (
	"testing"

	"github.com/boussole/boussole/knowledge"
)

func TestFromItems(t *testing.T) {
	reviewed, err := knowledge.ParseDate("2026-11-20")
	if err != nil {
		t.Fatal(err)
	}
	items := []*knowledge.Item{
		nil,
		{ID: "cni-perte", Kind: knowledge.KindProcedure, Title: "Carte perdue",
			Place: &knowledge.Place{Commune: "Paris"}}, // not a place: Validate's problem
		{ID: "france-services", Kind: knowledge.KindPlace, Title: "France Services"}, // no block
		{ID: "sq-rimouski", Kind: knowledge.KindPlace, Title: "Services Québec de Rimouski", Jurisdiction: "QC",
			Cost: "Gratuit", Reviewed: reviewed, Place: &knowledge.Place{
				Commune: "Rimouski", Lat: 48.4496, Lon: -68.5235,
				Services: []string{knowledge.ServiceDemarches}, Labels: []string{knowledge.LabelServicesQuebec}}},
		{ID: "fs-aubagne", Kind: knowledge.KindPlace, Title: "France Services d'Aubagne", Jurisdiction: "FR",
			Reviewed: reviewed, Place: &knowledge.Place{Name: "Maison France Services", PostalCode: "13400",
				Commune: "Aubagne", Cost: "Payant", Updated: "2026-01-02"}},
		{ID: "fs-nowhere", Kind: knowledge.KindPlace, Title: "Quelque part", Jurisdiction: "FR",
			Place: &knowledge.Place{Commune: "Inconnue-sur-Mer"}},
	}
	var asked [][3]string
	locate := func(insee, postal, commune string) (float64, float64, bool) {
		asked = append(asked, [3]string{insee, postal, commune})
		if commune == "Aubagne" {
			return 43.2927, 5.5708, true
		}
		return 0, 0, false
	}
	ps := FromItems(items, locate)
	if len(ps) != 3 {
		t.Fatalf("got %d places, want 3: %+v", len(ps), ps)
	}
	sq, fs, nowhere := ps[0], ps[1], ps[2]
	if sq.ID != "sq-rimouski" || sq.Source != "knowledge" || sq.Name != "Services Québec de Rimouski" ||
		sq.Jurisdiction != "QC" || sq.Cost != "Gratuit" || sq.Updated != "2026-11-20" ||
		sq.Lat != 48.4496 || sq.Lon != -68.5235 || sq.Commune != "Rimouski" {
		t.Errorf("Rimouski: %+v", sq)
	}
	if fs.ID != "fs-aubagne" || fs.Name != "Maison France Services" || fs.Cost != "Payant" || fs.Updated != "2026-01-02" ||
		fs.Lat != 43.2927 || fs.Lon != 5.5708 || fs.Jurisdiction != "FR" {
		t.Errorf("Aubagne: %+v", fs)
	}
	if nowhere.Lat != 0 || nowhere.Lon != 0 || nowhere.Updated != "" {
		t.Errorf("unknown commune: %+v", nowhere)
	}
	if len(asked) != 2 || asked[0] != [3]string{"", "13400", "Aubagne"} {
		t.Errorf("locate asked %v, want Aubagne (13400) then Inconnue-sur-Mer only", asked)
	}
	// The places are copies: the items are left as written.
	sq.Services[0] = "changed"
	if items[3].Place.Services[0] != knowledge.ServiceDemarches || items[4].Place.Lat != 0 || items[3].Place.ID != "" {
		t.Error("FromItems changed the items")
	}
	// Without locate, a place without coordinates stays at 0, 0, and the
	// index leaves it out.
	ps = FromItems(items, nil)
	if ps[1].Lat != 0 || NewIndex(ps).Len() != 1 {
		t.Errorf("without locate: %+v", ps[1])
	}
}
