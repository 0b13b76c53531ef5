package admin

import (
	"context"

	"github.com/boussole/boussole/bot/store"
	"github.com/boussole/boussole/knowledge"
)

// Library is the knowledge as published and the way to publish it
// (app.Library implements it): a publication is a new immutable version,
// taken by new conversations of every running process without a restart.
type Library interface {
	// Base is the knowledge new conversations are served now (published
	// trees and hand-written items, imported sheets).
	Base() *knowledge.Base
	// TreeVersions lists a tree's published versions, newest first.
	TreeVersions(ctx context.Context, id string) ([]store.TreeVersionInfo, error)
	// TreeVersion is one published version of a tree.
	TreeVersion(ctx context.Context, id string, version int) (*knowledge.Tree, error)
	// PublishTree checks the knowledge with t in place of its published
	// version (a knowledge.Problems error when invalid: nothing is
	// published) and publishes t as a new version, returned.
	PublishTree(ctx context.Context, t *knowledge.Tree, p Publication) (int, error)
	// ItemVersions lists a hand-written item's versions, newest first.
	ItemVersions(ctx context.Context, id string) ([]store.ItemVersionInfo, error)
	// ItemVersion is one published version of a hand-written item.
	ItemVersion(ctx context.Context, id string, version int) (*knowledge.Item, error)
	// PublishItem is PublishTree for a hand-written item.
	PublishItem(ctx context.Context, it *knowledge.Item, p Publication) (int, error)
	// Conflicts are the knowledge files that differ from a newer version
	// published on the web, found at start: the web version was kept.
	Conflicts() []string
}

// Publication says who publishes and why (the Library records the
// source, web).
type Publication = store.Publication
