package knowledge

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// Layout of a knowledge directory.
const (
	itemsDir = "items"
	treesDir = "trees"
)

// synonymsFiles are the accepted names of the synonyms file, at the root.
var synonymsFiles = []string{"synonyms.yaml", "synonyms.yml"}

// LoadFS decodes every knowledge file of fsys (root "."):
// items/**/*.yaml|yml (one item or a list of items per file),
// trees/**/*.yaml|yml (one tree per file) and an optional synonyms.yaml.
// Other files, and files or folders whose name starts with a dot (editor
// backups, .git), are ignored; a missing items/ or trees/ folder is empty.
//
// Syntax and decoding problems of all files are returned together as a
// Problems error (errors.Is(err, ErrInvalid)), with a nil Base: a partly
// loaded base would make Validate report confusing follow-up problems
// (answers naming items of a file that did not parse). Nothing is validated
// semantically; use Load or Validate for that. Pos.File is the slash path
// inside fsys.
func LoadFS(fsys fs.FS) (*Base, error) {
	return loadFS(fsys, "")
}

// LoadDir is LoadFS(os.DirFS(dir)) except that positions name the real file
// (dir joined with the path inside it), so that messages can be clicked in
// a terminal or an editor.
func LoadDir(dir string) (*Base, error) {
	// os.DirFS of a missing directory would look like an empty knowledge
	// base; a typo in a path must fail loudly instead.
	st, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("load knowledge directory: %w", err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("load knowledge directory %s: not a directory", dir)
	}
	b, err := loadFS(os.DirFS(dir), dir)
	if err == nil && len(b.Items) == 0 && len(b.Trees) == 0 {
		// A bot that knows nothing would answer « je n'ai pas compris » to
		// everyone: most likely the wrong directory.
		return nil, Problems{{Pos: Pos{File: dir}, Msg: "no items and no trees found: knowledge files go in items/*.yaml and trees/*.yaml under this directory (see README « Knowledge »)"}}
	}
	return b, err
}

// Load decodes fsys with LoadFS and validates the result with Validate. Any
// problem, of either kind, is returned as a Problems error with a nil Base,
// so that an invalid base can never be served by mistake. Admin tools that
// want to inspect an invalid base call LoadFS and Validate themselves.
func Load(fsys fs.FS) (*Base, error) {
	b, err := LoadFS(fsys)
	if err != nil {
		return nil, err
	}
	if err := Validate(b).err(); err != nil {
		return nil, err
	}
	return b, nil
}

// loader accumulates what LoadFS finds. dir, when set, is joined to every
// path for Pos.File.
type loader struct {
	fsys   fs.FS
	dir    string
	probs  Problems
	items  []*Item
	trees  []*Tree
	syn    [][]string
	synPos []Pos
}

func loadFS(fsys fs.FS, dir string) (*Base, error) {
	if _, err := fs.Stat(fsys, "."); err != nil {
		return nil, fmt.Errorf("load knowledge: %w", err)
	}
	l := &loader{fsys: fsys, dir: dir}
	if err := l.walk(itemsDir, l.loadItems); err != nil {
		return nil, err
	}
	if err := l.walk(treesDir, l.loadTree); err != nil {
		return nil, err
	}
	l.loadSynonyms()
	if err := l.probs.err(); err != nil {
		return nil, err
	}
	b := NewBase(l.items, l.trees, l.syn)
	b.synonymPos = l.synPos
	return b, nil
}

// name is the file name used in positions.
func (l *loader) name(p string) string {
	if l.dir == "" {
		return p
	}
	return filepath.Join(l.dir, filepath.FromSlash(p))
}

// walk calls load for every YAML file under root, in lexical order. Per-file
// read errors become problems (the admin can fix them); only a failure of
// the file system itself is returned as an error.
func (l *loader) walk(root string, load func(name string, data []byte)) error {
	st, err := fs.Stat(l.fsys, root)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return fmt.Errorf("load knowledge %s: %w", root, err)
	case !st.IsDir():
		l.probs.add(Pos{File: l.name(root)}, "%q must be a folder holding .yaml files", root)
		return nil
	}
	err = fs.WalkDir(l.fsys, root, func(p string, de fs.DirEntry, err error) error {
		if err != nil {
			l.probs.add(Pos{File: l.name(p)}, "cannot read: %v", err)
			return nil
		}
		if p != root && strings.HasPrefix(de.Name(), ".") {
			if de.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if de.IsDir() || !isYAML(p) {
			return nil
		}
		if data, ok := l.read(p, de); ok {
			load(l.name(p), data)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("load knowledge %s: %w", root, err)
	}
	return nil
}

func isYAML(p string) bool {
	switch strings.ToLower(path.Ext(p)) {
	case ".yaml", ".yml":
		return true
	}
	return false
}

// read returns the content of a regular file of at most MaxFileSize bytes,
// or records why not. Devices and pipes are refused before opening them:
// opening a named pipe would block the loader forever.
func (l *loader) read(p string, de fs.DirEntry) ([]byte, bool) {
	mode := de.Type()
	if mode&fs.ModeSymlink != 0 {
		st, err := fs.Stat(l.fsys, p)
		if err != nil {
			l.probs.add(Pos{File: l.name(p)}, "cannot read: %v", err)
			return nil, false
		}
		mode = st.Mode()
	}
	if !mode.IsRegular() {
		l.probs.add(Pos{File: l.name(p)}, "not a regular file: knowledge files must be plain .yaml files")
		return nil, false
	}
	f, err := l.fsys.Open(p)
	if err != nil {
		l.probs.add(Pos{File: l.name(p)}, "cannot read: %v", err)
		return nil, false
	}
	defer f.Close()
	// Read one byte past the limit to tell "exactly the limit" from "over".
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		l.probs.add(Pos{File: l.name(p)}, "cannot read: %v", err)
		return nil, false
	}
	return data, true
}

// addErr records the problems of a Parse function.
func (l *loader) addErr(name string, err error) {
	var ps Problems
	if errors.As(err, &ps) {
		l.probs = append(l.probs, ps...)
		return
	}
	l.probs.add(Pos{File: name}, "%v", err)
}

func (l *loader) loadItems(name string, data []byte) {
	items, err := ParseItems(name, data)
	if err != nil {
		l.addErr(name, err)
		return
	}
	l.items = append(l.items, items...)
}

func (l *loader) loadTree(name string, data []byte) {
	t, err := ParseTree(name, data)
	if err != nil {
		l.addErr(name, err)
		return
	}
	l.trees = append(l.trees, t)
}

func (l *loader) loadSynonyms() {
	found := ""
	for _, p := range synonymsFiles {
		de, err := statEntry(l.fsys, p)
		if err != nil {
			if !errors.Is(err, fs.ErrNotExist) {
				l.probs.add(Pos{File: l.name(p)}, "cannot read: %v", err)
			}
			continue
		}
		if found != "" {
			l.probs.add(Pos{File: l.name(p)}, "both %s and %s exist: keep only one synonyms file", found, p)
			return
		}
		found = p
		data, ok := l.read(p, de)
		if !ok {
			continue
		}
		groups, pos, err := parseSynonyms(l.name(p), data)
		if err != nil {
			l.addErr(l.name(p), err)
			continue
		}
		l.syn, l.synPos = groups, pos
	}
}

// statEntry is fs.Stat as a DirEntry, for read.
func statEntry(fsys fs.FS, p string) (fs.DirEntry, error) {
	st, err := fs.Stat(fsys, p)
	if err != nil {
		return nil, fmt.Errorf("stat %s: %w", p, err)
	}
	return fs.FileInfoToDirEntry(st), nil
}
