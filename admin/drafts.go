package admin

import (
	"context"

	"github.com/boussole/boussole/bot/store"
)

// Drafts keeps what editors are writing, one draft per object and
// author, saved as they type (bot/store implements it).
type Drafts interface {
	SaveDraft(ctx context.Context, d store.Draft) error
	Draft(ctx context.Context, kind, id, author string) (store.Draft, error)
	Drafts(ctx context.Context, kind, id string) ([]store.Draft, error)
	DeleteDraft(ctx context.Context, kind, id, author string) error
}
