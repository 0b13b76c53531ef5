package admin

import (
	"context"
	"net/http"

	"github.com/boussole/boussole/bot/store"
)

// AuditLog is where every change is written: who, when, what, why
// (bot/store implements it).
type AuditLog interface {
	Audit(ctx context.Context, e store.AuditEntry) error
	AuditLog(ctx context.Context, before int64, limit int) ([]store.AuditEntry, error)
}

// audit records a change made by sess's user. A failure is logged, not
// shown: the change itself is already made.
func (s *Server) audit(r *http.Request, sess Session, action, object, detail, reason string) {
	if s.d.Audit == nil {
		return
	}
	e := store.AuditEntry{At: s.d.Now(), Actor: sess.User.Login, Action: action, Object: object, Detail: detail, Reason: reason}
	if err := s.d.Audit.Audit(r.Context(), e); err != nil {
		s.d.Log.Error("admin: audit log not written", "action", action, "err", err)
	}
}
