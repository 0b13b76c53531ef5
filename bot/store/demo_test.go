package store_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/boussole/boussole/knowledge"
	"github.com/boussole/boussole/knowledge/demo"
)

// TestPublishDemoTrees round-trips the real demo trees (answers lists,
// keywords, escalations) through the store.
func TestPublishDemoTrees(t *testing.T) {
	ctx := context.Background()
	base, err := knowledge.LoadFS(demo.FS())
	if err != nil {
		t.Fatalf("load demo knowledge: %v", err)
	}
	if len(base.Trees) == 0 {
		t.Fatal("no demo trees")
	}
	s, _ := openTemp(t)
	for _, tree := range base.Trees {
		t.Run(tree.ID, func(t *testing.T) {
			v, err := s.PublishTree(ctx, tree)
			if err != nil || v != 1 {
				t.Fatalf("PublishTree = %d, %v", v, err)
			}
			got, err := s.TreeVersion(ctx, tree.ID, v)
			if err != nil {
				t.Fatal(err)
			}
			// Stored versions carry no file positions.
			tree.Pos = knowledge.Pos{}
			for _, n := range tree.Nodes {
				n.Pos = knowledge.Pos{}
				for i := range n.Choices {
					n.Choices[i].Pos = knowledge.Pos{}
				}
			}
			if !reflect.DeepEqual(got, tree) {
				t.Errorf("round trip differs:\n got %+v\nwant %+v", got, tree)
			}
			if v, err := s.PublishTree(ctx, tree); err != nil || v != 1 {
				t.Errorf("republish without positions = %d, %v; want 1", v, err)
			}
		})
	}
}
