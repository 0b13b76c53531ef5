package servicepublic

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/boussole/boussole/internal/sets"
	"github.com/boussole/boussole/knowledge"
)

// ErrNoSheets is returned by Read when the paths hold no .xml file.
var ErrNoSheets = errors.New("no sheet found")

// Skip is a sheet that was not imported, and why.
type Skip struct {
	Name, Reason string
	// ID is the sheet's id as far as the file tells it: its root
	// element's ID attribute, else its file name (F1344.xml); "" when
	// neither does.
	ID string
}

// Source is what one of Read's paths held.
type Source struct {
	Path string
	// Catalogue is the audience the breadcrumbs of its readable sheets
	// start from ("particuliers", "professionnels" or "associations":
	// DILA publishes one zip per audience), when more than half of them
	// name the same one; "" otherwise.
	Catalogue string
	// Sheets is the number of files read from the path.
	Sheets int
	// IDs of its readable sheets, once each, in the order met.
	IDs []string
	// Skipped are its unreadable files (also in Result.Skipped).
	Skipped []Skip
}

// Result of reading sources.
type Result struct {
	// Items in the order their sheets were first met (paths in order,
	// files in zip or name order), one per ID.
	Items []*knowledge.Item
	// Skipped sheets, in the same order.
	Skipped []Skip
	// Sheets is the number of files read, imported or skipped; duplicates
	// across sources make it larger than len(Items)+len(Skipped).
	Sheets int
	// Sources says what each path held, in the order of the paths.
	Sources []Source
}

// sheetFile is one file to read: a zip entry or a file of a directory.
type sheetFile struct {
	name string // for Skip.Name: zip path and entry, or file path
	size int64  // as announced by the zip header or the file system
	open func() (io.ReadCloser, error)
}

// Read reads every sheet of the given paths (each a DILA .zip or a
// directory of .xml files), in parallel across the available cores,
// calling progress(done, total) after each sheet from a single goroutine
// (progress may be nil). A malformed sheet is reported in Skipped and never
// aborts the rest; a path that cannot be opened is an error, before any
// sheet is read. Duplicates across sources (same ID) keep the newest date
// and merge audiences, themes and related ids. ctx cancels.
func Read(ctx context.Context, paths []string, progress func(done, total int)) (Result, error) {
	var files []sheetFile
	var from []int // from[i]: index in paths of files[i]
	for pi, p := range paths {
		fs, closer, err := listSheets(p)
		if err != nil {
			return Result{}, fmt.Errorf("read service-public: %w", err)
		}
		if closer != nil {
			defer closer.Close()
		}
		files = append(files, fs...)
		for range fs {
			from = append(from, pi)
		}
	}
	if len(files) == 0 {
		return Result{}, fmt.Errorf("read service-public %s: %w", strings.Join(paths, ", "), ErrNoSheets)
	}

	type outcome struct {
		item *knowledge.Item
		meta sheetMeta
		id   string // of a sheet that could not be read, if known
		err  error
	}
	out := make([]outcome, len(files))
	var next atomic.Int64
	done := make(chan struct{}, 64)
	var wg sync.WaitGroup
	workers := min(runtime.GOMAXPROCS(0), len(files))
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				i := int(next.Add(1)) - 1
				if i >= len(files) {
					return
				}
				// Each worker writes only its own slot: out needs no
				// lock, and the order of results does not depend on
				// scheduling.
				out[i].item, out[i].meta, out[i].id, out[i].err = readSheet(files[i])
				select {
				case done <- struct{}{}:
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	go func() {
		wg.Wait()
		close(done)
	}()
	n := 0
	for range done {
		n++
		if progress != nil {
			progress(n, len(files))
		}
	}
	if err := ctx.Err(); err != nil {
		return Result{}, fmt.Errorf("read service-public: %w", err)
	}

	res := Result{Sheets: len(files), Sources: make([]Source, len(paths))}
	roots := make([]map[string]int, len(paths)) // breadcrumb roots per path
	seen := make([]map[string]bool, len(paths))
	for pi, p := range paths {
		res.Sources[pi].Path = p
		roots[pi], seen[pi] = map[string]int{}, map[string]bool{}
	}
	index := make(map[string]int, len(files))
	metas := make([]sheetMeta, 0, len(files))
	for i, o := range out {
		src := &res.Sources[from[i]]
		src.Sheets++
		if o.err != nil {
			s := Skip{Name: files[i].name, Reason: o.err.Error(), ID: o.id}
			res.Skipped = append(res.Skipped, s)
			src.Skipped = append(src.Skipped, s)
			continue
		}
		if !seen[from[i]][o.item.ID] {
			seen[from[i]][o.item.ID] = true
			src.IDs = append(src.IDs, o.item.ID)
		}
		roots[from[i]][o.meta.root]++
		j, dup := index[o.item.ID]
		if !dup {
			index[o.item.ID] = len(res.Items)
			res.Items = append(res.Items, o.item)
			metas = append(metas, o.meta)
			continue
		}
		res.Items[j], metas[j] = merge(res.Items[j], metas[j], o.item, o.meta)
	}
	for pi := range res.Sources {
		res.Sources[pi].Catalogue = majority(roots[pi])
	}
	return res, nil
}

// majority returns the breadcrumb root more than half of a path's
// readable sheets start from, "" when there is none or it is no audience.
func majority(roots map[string]int) string {
	total := 0
	for _, n := range roots {
		total += n
	}
	for root, n := range roots {
		if root != "" && 2*n > total {
			return root
		}
	}
	return ""
}

// listSheets lists the .xml files of a zip or a directory. Other files are
// not sheets and are ignored. The closer, if any, must be closed after the
// files are read.
func listSheets(path string) ([]sheetFile, io.Closer, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, nil, fmt.Errorf("open %s: %w", path, err)
	}
	if st.IsDir() {
		entries, err := os.ReadDir(path)
		if err != nil {
			return nil, nil, fmt.Errorf("list %s: %w", path, err)
		}
		var files []sheetFile
		for _, e := range entries { // ReadDir sorts by name
			if !e.Type().IsRegular() || !isXML(e.Name()) {
				continue
			}
			name := filepath.Join(path, e.Name())
			var size int64
			if info, err := e.Info(); err == nil {
				size = info.Size()
			}
			files = append(files, sheetFile{name: name, size: size, open: func() (io.ReadCloser, error) { return os.Open(name) }})
		}
		return files, nil, nil
	}
	zr, err := zip.OpenReader(path)
	if err != nil {
		return nil, nil, fmt.Errorf("open zip %s: %w", path, err)
	}
	var files []sheetFile
	for _, f := range zr.File {
		if f.FileInfo().IsDir() || !isXML(f.Name) {
			continue
		}
		size := int64(f.UncompressedSize64)
		if f.UncompressedSize64 > 1<<62 {
			size = 1 << 62
		}
		// zip.File.Open reads through an io.ReaderAt: workers may open
		// entries of the same archive concurrently.
		files = append(files, sheetFile{name: path + ":" + f.Name, size: size, open: f.Open})
	}
	return files, zr, nil
}

func isXML(name string) bool { return strings.EqualFold(filepath.Ext(name), ".xml") }

// readSheet reads and parses one file, refusing oversized ones before
// decompressing them and again while reading, since a header can lie. For
// a file that cannot be read, it returns the sheet's id as far as the file
// tells it (see brokenID).
func readSheet(f sheetFile) (*knowledge.Item, sheetMeta, string, error) {
	it, meta, data, err := readData(f)
	if err != nil {
		return nil, sheetMeta{}, brokenID(f.name, data), err
	}
	return it, meta, "", nil
}

// readData is readSheet without the id of a broken sheet; it returns what
// it read of the file.
func readData(f sheetFile) (*knowledge.Item, sheetMeta, []byte, error) {
	if f.size > MaxSheetSize {
		return nil, sheetMeta{}, nil, fmt.Errorf("%w: %s, over the %s limit", ErrTooLarge, byteSize(f.size), byteSize(MaxSheetSize))
	}
	rc, err := f.open()
	if err != nil {
		return nil, sheetMeta{}, nil, fmt.Errorf("open: %w", err)
	}
	defer rc.Close()
	// Sized from the header, the buffer is allocated once instead of
	// growing through io.ReadAll's doublings; a wrong header only costs
	// growth.
	buf := bytes.NewBuffer(make([]byte, 0, f.size+bytes.MinRead))
	_, err = buf.ReadFrom(io.LimitReader(rc, MaxSheetSize+1))
	data := buf.Bytes()
	if err != nil {
		return nil, sheetMeta{}, data, fmt.Errorf("read: %w", err)
	}
	if len(data) > MaxSheetSize {
		return nil, sheetMeta{}, data, fmt.Errorf("%w: more than %s", ErrTooLarge, byteSize(MaxSheetSize))
	}
	it, meta, err := parse(data)
	return it, meta, data, err
}

// brokenID tells which sheet a file that could not be read is: the ID
// attribute of its root element when the file gets that far, else its
// name when it is a sheet id (DILA names each file after its sheet:
// F1344.xml); "" when neither tells.
func brokenID(name string, data []byte) string {
	d := xml.NewDecoder(bytes.NewReader(data))
	for {
		tok, err := d.RawToken()
		if err != nil {
			break
		}
		if se, ok := tok.(xml.StartElement); ok {
			for _, a := range se.Attr {
				if a.Name.Space == "" && a.Name.Local == "ID" {
					if id := strings.TrimSpace(a.Value); id != "" && validID(id) {
						return id
					}
				}
			}
			break
		}
	}
	base := name[strings.LastIndexAny(name, `/\:`)+1:]
	if id := strings.TrimSuffix(base, filepath.Ext(base)); sheetRef(id) {
		return id
	}
	return ""
}

// merge combines two copies of a sheet read from different sources: the
// newest is kept — on a tie the published one, then a, the first read —
// with the audiences, themes and related ids of both, since each
// audience's zip gives its own breadcrumb.
func merge(a *knowledge.Item, am sheetMeta, b *knowledge.Item, bm sheetMeta) (*knowledge.Item, sheetMeta) {
	keep, other, meta := a, b, am
	if b.Reviewed.After(a.Reviewed.Time) || (b.Reviewed.Equal(a.Reviewed.Time) && bm.published && !am.published) {
		keep, other, meta = b, a, bm
	}
	m := *keep
	m.Audience = mergeAudience(keep.Audience, other.Audience)
	m.Themes = sets.Union(keep.Themes, other.Themes)
	m.Related = sets.Union(keep.Related, other.Related)
	m.Related = slices.DeleteFunc(m.Related, func(id string) bool { return id == m.ID })
	return &m, meta
}

// mergeAudience unites two audience lists in canonical order.
func mergeAudience(a, b []string) []string {
	var out []string
	for _, c := range audienceCodes {
		if slices.Contains(a, c.code) || slices.Contains(b, c.code) {
			out = append(out, c.code)
		}
	}
	return out
}
