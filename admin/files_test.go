package admin

import (
	"archive/zip"
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/boussole/boussole/app"
	"github.com/boussole/boussole/bot/store"
	"github.com/boussole/boussole/knowledge"
)

// filesServer is the admin on a real Core (demo knowledge, a database
// file), signed in with role r.
func filesServer(t *testing.T, r Role) (*Server, *app.Core) {
	t.Helper()
	c, err := testParts.OpenCore(context.Background(), app.CoreConfig{Database: filepath.Join(t.TempDir(), "b.db")}, nil, testClock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return filesServerOn(t, c, r)
}

// filesServerOn is the admin on c, signed in with role r.
func filesServerOn(t *testing.T, c *app.Core, r Role) (*Server, *app.Core) {
	t.Helper()
	dir := t.TempDir()
	s, err := New(Config{}, Deps{Now: testClock, Auth: fixedAuth{asUser(r)}, Audit: c.Store, Library: c.Library, Files: c.Library, Drafts: c.Store,
		Tests: c.Store, NewPreview: func(ctx context.Context, b *knowledge.Base, now func() time.Time) (PreviewChat, error) {
			return c.Preview(ctx, b, dir, now)
		}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s, c
}

func upload(t *testing.T, h http.Handler, csrf string, zipped []byte) *httptest.ResponseRecorder {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("csrf", csrf)
	_ = mw.WriteField("message", "reprise des fichiers")
	fw, _ := mw.CreateFormFile("zip", "k.zip")
	_, _ = fw.Write(zipped)
	_ = mw.Close()
	r := httptest.NewRequest(http.MethodPost, "/admin/files/import", &body)
	r.Header.Set("Content-Type", mw.FormDataContentType())
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// rezip returns the zip with each file passed through edit (nil drops it),
// under the folder prefix.
func rezip(t *testing.T, data []byte, prefix string, edit func(name string, b []byte) []byte) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range zr.File {
		rc, _ := f.Open()
		var b bytes.Buffer
		_, _ = b.ReadFrom(rc)
		rc.Close()
		nb := edit(f.Name, b.Bytes())
		if nb == nil {
			continue
		}
		w, _ := zw.Create(prefix + f.Name)
		_, _ = w.Write(nb)
	}
	_ = zw.Close()
	return out.Bytes()
}

// The whole journey of files: export, a broken import refused with its
// file and line and nothing changed, a good one published and audited,
// and an editor may not import.
func TestExportThenImport(t *testing.T) {
	s, c := filesServer(t, RoleAdmin)
	w := get(t, s, "/admin/files/boussole-knowledge.zip")
	if w.Code != 200 || w.Header().Get("Content-Type") != "application/zip" {
		t.Fatalf("export: %d %s", w.Code, w.Header().Get("Content-Type"))
	}
	exported := w.Body.Bytes()
	broken := rezip(t, exported, "", func(name string, b []byte) []byte {
		if name == "trees/papiers-identite.yaml" {
			return bytes.Replace(b, []byte("start: "), []byte("start: nulle-part\nx_start: "), 1)
		}
		return b
	})
	w = upload(t, s, "tok", broken)
	if w.Code != http.StatusUnprocessableEntity || !strings.Contains(w.Body.String(), "trees/papiers-identite.yaml:") {
		t.Fatalf("broken import: %d\n%s", w.Code, w.Body.String())
	}
	if hist, _ := c.Store.TreeHistory(context.Background(), "papiers-identite"); len(hist) != 1 {
		t.Errorf("a broken import published: %d versions", len(hist))
	}
	// The person zipped the folder itself: its top folder is the root.
	good := rezip(t, exported, "connaissances/", func(name string, b []byte) []byte {
		if name == "trees/papiers-identite.yaml" {
			return bytes.Replace(b, []byte("title: "), []byte("title: Mes papiers <script>alert(1)</script> - "), 1)
		}
		return b
	})
	w = upload(t, s, "tok", good)
	if w.Code != 200 || !strings.Contains(w.Body.String(), "1 parcours et 0 fiches mis à jour") {
		t.Fatalf("import: %d\n%s", w.Code, w.Body.String())
	}
	if tr, _ := c.Library.Base().Tree("papiers-identite"); !strings.HasPrefix(tr.Title, "Mes papiers") {
		t.Errorf("served title %q", tr.Title)
	}
	log, _ := c.Store.AuditLog(context.Background(), 0, 10)
	if len(log) == 0 || log[0].Action != "knowledge.import" || log[0].Actor != "camille" || log[0].Reason != "reprise des fichiers" {
		t.Errorf("audit log: %+v", log)
	}
	if hist, _ := c.Store.TreeHistory(context.Background(), "papiers-identite"); len(hist) != 2 || hist[1].Source != store.SourceWeb {
		t.Errorf("history after import: %+v", hist)
	}

	ed, _ := filesServer(t, RoleEditor)
	if w := upload(t, ed, "tok", good); w.Code != http.StatusForbidden {
		t.Errorf("an editor imports: %d", w.Code)
	}
	if w := upload(t, s, "", good); w.Code != http.StatusForbidden {
		t.Errorf("an import without CSRF token: %d", w.Code)
	}
	if w := upload(t, s, "tok", []byte("not a zip")); w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "pas une archive zip") {
		t.Errorf("not a zip: %d", w.Code)
	}
}
