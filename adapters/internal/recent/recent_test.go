package recent_test

import (
	"testing"

	"github.com/boussole/boussole/adapters/internal/recent"
)

func TestRecentForgetsOldest(t *testing.T) {
	r := recent.New(2)
	if !r.Add("a") || !r.Add("b") || r.Add("a") {
		t.Fatal("duplicates not detected")
	}
	r.Set("b", 3)
	if v, ok := r.Get("b"); !ok || v != 3 {
		t.Fatalf("b = %d, %v", v, ok)
	}
	r.Add("c")
	if _, ok := r.Get("a"); ok {
		t.Error("oldest key still remembered")
	}
	if !r.Add("a") {
		t.Error("a forgotten key is not new again")
	}
}
