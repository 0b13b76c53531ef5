package main

import (
	"context"
	"time"

	"github.com/boussole/boussole/app"
	"github.com/boussole/boussole/knowledge"
)

// loadKnowledge is app.LoadKnowledge, for the ask and eval commands.
func loadKnowledge(ctx context.Context, dir string, imported []*knowledge.Item) (*knowledge.Base, error) {
	return app.LoadKnowledge(ctx, dir, imported)
}

// importedItems is app.ImportedItems, for the ask and eval commands.
func importedItems(ctx context.Context, path string, now func() time.Time) ([]*knowledge.Item, error) {
	return app.ImportedItems(ctx, path, now)
}
