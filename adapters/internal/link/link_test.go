package link

import (
	"slices"
	"testing"
)

// The watcher hears each change once, in order; repeated states are not
// changes.
func TestLink(t *testing.T) {
	var heard []bool
	l := New("discord", func(p string, up bool) {
		if p != "discord" {
			t.Errorf("platform %q", p)
		}
		heard = append(heard, up)
	})
	if l.Up() {
		t.Fatal("a new link is up")
	}
	for _, up := range []bool{true, true, false, false, true} {
		l.Set(up)
		if l.Up() != up {
			t.Fatalf("Up = %v after Set(%v)", l.Up(), up)
		}
	}
	if want := []bool{true, false, true}; !slices.Equal(heard, want) {
		t.Errorf("heard %v, want %v", heard, want)
	}
	var quiet Link // no watcher
	quiet.Set(true)
	if !quiet.Up() {
		t.Error("zero link not set")
	}
}
