package admin

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"strconv"
	"strings"

	"github.com/boussole/boussole/knowledge"
)

// FileLibrary is how the knowledge goes to and comes from files
// (app.Library implements it).
type FileLibrary interface {
	// Export calls put with each file of the knowledge in force as a
	// knowledge directory.
	Export(put func(name string, data []byte) error) error
	// Import publishes the trees and items of files that changed, all or
	// nothing; a knowledge.Problems error when they do not validate.
	Import(ctx context.Context, files *knowledge.Base, p Publication) (knowledge.Changes, error)
	// Conflicts are the knowledge files that differ from a newer version
	// published on the web, found at start.
	Conflicts() []string
}

// maxImport bounds an uploaded zip: a whole knowledge directory is a few
// hundred kilobytes.
const maxImport = 20 << 20

// filesRoutes registers the export and import of the whole knowledge.
func (s *Server) filesRoutes() {
	if s.d.Files == nil {
		return
	}
	s.handle("GET "+Prefix+"/files", PermView, s.filesPage)
	s.handle("GET "+Prefix+"/files/boussole-knowledge.zip", PermView, s.exportZip)
	s.handle("POST "+Prefix+"/files/import", PermPublish, s.importZip)
}

type filesView struct {
	Conflicts []string
	Problems  []string
	Changes   *knowledge.Changes
	Error     string
}

func (s *Server) filesPage(w http.ResponseWriter, r *http.Request, sess Session) {
	s.render(w, r, sess, http.StatusOK, "files.html", "files_title", filesView{Conflicts: s.d.Files.Conflicts()})
}

// exportZip sends the knowledge in force as a zip of YAML files.
func (s *Server) exportZip(w http.ResponseWriter, r *http.Request, sess Session) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	err := s.d.Files.Export(func(name string, data []byte) error {
		f, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: s.d.Now()})
		if err != nil {
			return err
		}
		_, err = f.Write(data)
		return err
	})
	if err == nil {
		err = zw.Close()
	}
	if err != nil {
		s.d.Log.Error("admin: export knowledge", "err", err)
		s.fail(w, r, sess, http.StatusInternalServerError, "err_internal")
		return
	}
	s.audit(r, sess, "knowledge.export", "", strconv.Itoa(buf.Len())+" bytes", "")
	w.Header().Set("Content-Type", "application/zip")
	w.Header().Set("Content-Disposition", `attachment; filename="boussole-knowledge.zip"`)
	_, _ = w.Write(buf.Bytes())
}

// importZip publishes the trees and items of an uploaded zip, or shows
// every problem with its file and line and changes nothing.
func (s *Server) importZip(w http.ResponseWriter, r *http.Request, sess Session) {
	view := filesView{Conflicts: s.d.Files.Conflicts()}
	show := func(status int) { s.render(w, r, sess, status, "files.html", "files_title", view) }
	r.Body = http.MaxBytesReader(w, r.Body, maxImport)
	f, _, err := r.FormFile("zip")
	if err != nil {
		view.Error = s.T(r, "files_no_zip")
		show(http.StatusBadRequest)
		return
	}
	defer f.Close()
	data, err := io.ReadAll(f)
	if err != nil {
		view.Error = s.T(r, "files_too_big", "max", strconv.Itoa(maxImport>>20))
		show(http.StatusRequestEntityTooLarge)
		return
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		view.Error = s.T(r, "files_not_zip")
		show(http.StatusBadRequest)
		return
	}
	files, err := knowledge.LoadFS(knowledgeRoot(zr))
	if err == nil && len(files.Trees)+len(files.Items) == 0 {
		err = errors.New(s.T(r, "files_empty"))
	}
	var changes knowledge.Changes
	if err == nil {
		msg := r.PostFormValue("message")
		changes, err = s.d.Files.Import(r.Context(), files, Publication{Author: sess.User.Login, Message: msg})
	}
	var probs knowledge.Problems
	switch {
	case errors.As(err, &probs):
		for _, p := range probs {
			view.Problems = append(view.Problems, p.String())
		}
		show(http.StatusUnprocessableEntity)
		return
	case err != nil:
		view.Error = err.Error()
		show(http.StatusUnprocessableEntity)
		return
	}
	s.audit(r, sess, "knowledge.import", "", fmt.Sprintf("%d trees, %d items published, %d unchanged", changes.Trees, changes.Items, changes.Unchanged), r.PostFormValue("message"))
	view.Changes = &changes
	show(http.StatusOK)
}

// knowledgeRoot is the folder of a zip that holds the knowledge: its root,
// or its one top folder when the person zipped the folder itself.
func knowledgeRoot(zr *zip.Reader) fs.FS {
	top := ""
	for _, f := range zr.File {
		name := strings.TrimPrefix(f.Name, "./")
		first, _, nested := strings.Cut(name, "/")
		if !nested {
			return zr // a file at the root
		}
		if first == "trees" || first == "items" {
			return zr
		}
		if top != "" && top != first {
			return zr
		}
		top = first
	}
	if top == "" {
		return zr
	}
	sub, err := fs.Sub(zr, top)
	if err != nil {
		return zr
	}
	return sub
}
