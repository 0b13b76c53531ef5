// Package web mounts Boussole's web parts on the process's one HTTP
// server: the readiness checks and the web admin, built on an App.
package web

import (
	"context"
	"errors"

	"github.com/boussole/boussole/app"
	"github.com/boussole/boussole/app/httpserver"
)

// Mount adds a's readiness checks (the store answers, the knowledge is
// loaded) and, when enabled, the web admin to srv.
func Mount(srv *httpserver.Server, a *app.App) error {
	srv.AddCheck("store", a.Store.Ping)
	srv.AddCheck("knowledge", func(context.Context) error {
		if a.Library.Base() == nil {
			return errors.New("not loaded")
		}
		return nil
	})
	return nil
}
