package adapterdeps

import (
	"strings"
	"testing"
	"time"

	"github.com/boussole/boussole/bot/catalog"
)

func TestCheckedAndToken(t *testing.T) {
	if _, err := (Deps{}).Checked(); err == nil || !strings.Contains(err.Error(), "catalogue") {
		t.Fatalf("no catalogue: %v", err)
	}
	cat, err := catalog.New()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := (Deps{Catalog: cat}).Checked(); err == nil || !strings.Contains(err.Error(), "clock") {
		t.Fatalf("no clock: %v", err)
	}
	now := func() time.Time { return time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC) }
	d, err := Deps{Catalog: cat, Now: now, Getenv: func(k string) string {
		if k == "T" {
			return " secret \n"
		}
		return ""
	}}.Checked()
	if err != nil || d.Logger == nil {
		t.Fatalf("defaults: %+v %v", d, err)
	}
	if tok, err := d.Token("T"); tok != "secret" || err != nil {
		t.Errorf("Token(T) = %q, %v", tok, err)
	}
	if _, err := d.Token("MISSING_TOKEN"); err == nil || !strings.Contains(err.Error(), "MISSING_TOKEN") {
		t.Errorf("missing token: %v", err)
	}
}
