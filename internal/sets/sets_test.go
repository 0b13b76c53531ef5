package sets

import (
	"slices"
	"testing"
)

func TestUnionKeepsOrderAndLeavesItsArgumentsAlone(t *testing.T) {
	a := []string{"violence", "suicide"}
	got := Union(a, []string{"suicide", "enfance", "enfance"})
	if want := []string{"violence", "suicide", "enfance"}; !slices.Equal(got, want) {
		t.Fatalf("Union = %v, want %v", got, want)
	}
	if len(a) != 2 {
		t.Fatal("Union changed its first argument")
	}
	if got := Union(nil, nil); len(got) != 0 {
		t.Fatalf("Union(nil, nil) = %v", got)
	}
}
