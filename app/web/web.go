// Package web mounts Boussole's web parts on the process's one HTTP
// server: the readiness checks and the web admin, built on an App.
package web

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/boussole/boussole/admin"
	"github.com/boussole/boussole/app"
	"github.com/boussole/boussole/app/httpserver"
	"github.com/boussole/boussole/knowledge"
)

// Mount adds a's readiness checks (the store answers, the knowledge is
// loaded), its Prometheus metrics at /metrics and, when enabled, the web
// admin to srv. The returned close releases the admin's previews (their
// scratch databases).
func Mount(srv *httpserver.Server, a *app.App) (func(), error) {
	srv.Handle("GET /metrics", a.Metrics.Handler())
	srv.AddCheck("store", a.Store.Ping)
	srv.AddCheck("knowledge", func(context.Context) error {
		if a.Library.Base() == nil {
			return errors.New("not loaded")
		}
		return nil
	})
	if !a.Config.Admin.Enabled {
		return func() {}, nil
	}
	adm, err := NewAdmin(a)
	if err != nil {
		return nil, err
	}
	srv.Handle(admin.Prefix+"/", adm)
	srv.Handle(admin.Prefix, adm)
	return adm.Close, nil
}

// NewAdmin builds the web admin on a's store, knowledge and engine.
func NewAdmin(a *app.App) (*admin.Server, error) {
	cfg := admin.Config{Lang: a.Config.Lang, RetentionDays: a.Config.Retention.Days}
	if err := authConfig(&cfg, a.Config.Admin); err != nil {
		return nil, err
	}
	s, err := admin.New(cfg, admin.Deps{
		Log: a.Log, Now: a.Now, Audit: a.Store, Library: a.Library, Files: a.Library, Drafts: a.Store, Tests: a.Store, Gaps: a.Store, Report: a.Store,
		NewPreview: func(ctx context.Context, b *knowledge.Base, now func() time.Time) (admin.PreviewChat, error) {
			return a.Preview(ctx, b, "", now)
		},
		Accounts: a.Store,
	})
	if err != nil {
		return nil, fmt.Errorf("web admin: %w", err)
	}
	return s, nil
}

// authConfig copies the admin section's sign-in settings into cfg.
func authConfig(cfg *admin.Config, c app.AdminConfig) error {
	cfg.SecureCookies, cfg.ProxyHeader = c.SecureCookies, c.ProxyHeader
	prefixes, err := admin.ParsePrefixes(c.TrustedProxies)
	if err != nil {
		return fmt.Errorf("admin.trusted_proxies: %w", err)
	}
	cfg.TrustedProxies = prefixes
	return nil
}
