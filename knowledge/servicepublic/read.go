package servicepublic

import (
	"archive/zip"
	"bytes"
	"context"
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

	"github.com/boussole/boussole/knowledge"
)

// ErrNoSheets is returned by Read when the paths hold no .xml file.
var ErrNoSheets = errors.New("no sheet found")

// Skip is a sheet that was not imported, and why.
type Skip struct{ Name, Reason string }

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
	for _, p := range paths {
		fs, closer, err := listSheets(p)
		if err != nil {
			return Result{}, fmt.Errorf("read service-public: %w", err)
		}
		if closer != nil {
			defer closer.Close()
		}
		files = append(files, fs...)
	}
	if len(files) == 0 {
		return Result{}, fmt.Errorf("read service-public %s: %w", strings.Join(paths, ", "), ErrNoSheets)
	}

	type outcome struct {
		item *knowledge.Item
		meta sheetMeta
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
				out[i].item, out[i].meta, out[i].err = readSheet(files[i])
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

	res := Result{Sheets: len(files)}
	index := make(map[string]int, len(files))
	metas := make([]sheetMeta, 0, len(files))
	for i, o := range out {
		if o.err != nil {
			res.Skipped = append(res.Skipped, Skip{Name: files[i].name, Reason: o.err.Error()})
			continue
		}
		j, dup := index[o.item.ID]
		if !dup {
			index[o.item.ID] = len(res.Items)
			res.Items = append(res.Items, o.item)
			metas = append(metas, o.meta)
			continue
		}
		res.Items[j], metas[j] = merge(res.Items[j], metas[j], o.item, o.meta)
	}
	return res, nil
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
// decompressing them and again while reading, since a header can lie.
func readSheet(f sheetFile) (*knowledge.Item, sheetMeta, error) {
	if f.size > MaxSheetSize {
		return nil, sheetMeta{}, fmt.Errorf("%w: %s, over the %s limit", ErrTooLarge, byteSize(f.size), byteSize(MaxSheetSize))
	}
	rc, err := f.open()
	if err != nil {
		return nil, sheetMeta{}, fmt.Errorf("open: %w", err)
	}
	defer rc.Close()
	// Sized from the header, the buffer is allocated once instead of
	// growing through io.ReadAll's doublings; a wrong header only costs
	// growth.
	buf := bytes.NewBuffer(make([]byte, 0, f.size+bytes.MinRead))
	_, err = buf.ReadFrom(io.LimitReader(rc, MaxSheetSize+1))
	data := buf.Bytes()
	if err != nil {
		return nil, sheetMeta{}, fmt.Errorf("read: %w", err)
	}
	if len(data) > MaxSheetSize {
		return nil, sheetMeta{}, fmt.Errorf("%w: more than %s", ErrTooLarge, byteSize(MaxSheetSize))
	}
	return parse(data)
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
	m.Themes = union(keep.Themes, other.Themes)
	m.Related = union(keep.Related, other.Related)
	m.Related = slices.DeleteFunc(m.Related, func(id string) bool { return id == m.ID })
	return &m, meta
}

func union(a, b []string) []string {
	out := slices.Clone(a)
	for _, v := range b {
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
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
