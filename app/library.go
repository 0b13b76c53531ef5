package app

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/boussole/boussole/bot/store"
	"github.com/boussole/boussole/knowledge"
	"github.com/boussole/boussole/knowledge/search"
)

// Library is the knowledge as published: the trees and hand-written
// items of the knowledge files, overlaid by the versions admins published
// on the web, with the imported sheets. The database holds every version;
// the Library keeps the one in force, gives it to the engine, and reloads
// when another process (or this one) publishes. It is what the web
// admin (admin.Library) publishes through.
//
// Files stay first-class: at start, a file that differs from the latest
// version in the database is published as a new version, unless that
// latest version was published on the web — then the web version is kept
// and the file is reported as a conflict (Conflicts), so an admin's work
// is never overwritten by a stale copy of the files.
type Library struct {
	st    *store.Store
	log   *slog.Logger
	files *knowledge.Base // the knowledge directory (or demo), as read
	// serve makes the served knowledge from the loaded one, and apply
	// hands it with its index to the engine.
	serve func(*knowledge.Base) *knowledge.Base
	apply func(ctx context.Context, served *knowledge.Base, ix *search.Index) error

	mu     sync.Mutex // one reload or publication at a time
	loaded atomic.Pointer[knowledge.Base]
	// index is what the engine was last given to search (under mu).
	index     *search.Index
	rev       atomic.Int64
	conflicts []string
}

// conflictsAtStart publishes the files' trees and items that changed
// since their latest version, and returns the files whose latest version
// came from the web (kept: the files are stale).
//
// Publishing a file never changes which latest versions came from the
// web, so the caller composes the knowledge from the same latest
// versions without reading them again.
func conflictsAtStart(ctx context.Context, st *store.Store, files *knowledge.Base, l latest, log *slog.Logger) ([]string, error) {
	trees, items := l.trees, l.items
	latestTree := map[string]store.TreeVersionInfo{}
	for _, l := range trees {
		latestTree[l.Tree.ID] = l.Info
	}
	latestItem := map[string]store.ItemVersionInfo{}
	for _, l := range items {
		latestItem[l.Item.ID] = l.Info
	}
	var (
		conflicts []string
		published int
	)
	defer func() {
		if published > 0 {
			log.Info("knowledge files published as new versions", "trees_and_items", published)
		}
	}()
	for _, t := range files.Trees {
		h, err := store.TreeHash(t)
		if err != nil {
			return nil, err
		}
		info, ok := latestTree[t.ID]
		switch {
		case ok && info.Hash == h:
		case ok && info.Source == store.SourceWeb:
			conflicts = append(conflicts, fileOf(t.Pos, "tree "+t.ID))
		default:
			_, made, err := st.PublishTreeAs(ctx, t, store.Publication{Source: store.SourceFile, Message: fileOf(t.Pos, "")})
			if err != nil {
				return nil, err
			}
			published += b2i(made)
		}
	}
	for _, it := range files.Items {
		h, err := store.ItemHash(it)
		if err != nil {
			return nil, err
		}
		info, ok := latestItem[it.ID]
		switch {
		case ok && info.Hash == h && !info.Deleted:
		case ok && info.Source == store.SourceWeb:
			conflicts = append(conflicts, fileOf(it.Pos, "item "+it.ID))
		default:
			_, made, err := st.PublishItemAs(ctx, it, store.Publication{Source: store.SourceFile, Message: fileOf(it.Pos, "")})
			if err != nil {
				return nil, err
			}
			published += b2i(made)
		}
	}
	slices.Sort(conflicts)
	return slices.Compact(conflicts), nil
}

// fileOf names where something was read: its file, or what when none.
func fileOf(p knowledge.Pos, what string) string {
	if p.File == "" {
		return what
	}
	return p.File
}

// compose is the knowledge in force: each tree and hand-written item of
// the files, replaced by its latest version when that one came from the
// web, plus those created on the web and not deleted since, plus the
// imported sheets. web says whether any web version is in it.
func compose(files *knowledge.Base, l latest, imported []*knowledge.Item) (b *knowledge.Base, web bool) {
	trees, items := l.trees, l.items
	webTree := map[string]*knowledge.Tree{}
	for _, l := range trees {
		if l.Info.Source == store.SourceWeb {
			webTree[l.Tree.ID] = l.Tree
		}
	}
	webItem := map[string]store.LatestItem{}
	for _, l := range items {
		if l.Info.Source == store.SourceWeb {
			webItem[l.Item.ID] = l
		}
	}
	var outTrees []*knowledge.Tree
	for _, t := range files.Trees {
		if w, ok := webTree[t.ID]; ok {
			t, web = w, true
			delete(webTree, w.ID)
		}
		outTrees = append(outTrees, t)
	}
	for _, t := range webTree { // created on the web
		outTrees, web = append(outTrees, t), true
	}
	var outItems []*knowledge.Item
	for _, it := range files.Items {
		if w, ok := webItem[it.ID]; ok {
			delete(webItem, it.ID)
			web = true
			if w.Info.Deleted {
				continue
			}
			it = w.Item
		}
		outItems = append(outItems, it)
	}
	// Created on the web, in id order: the search breaks ties by order,
	// so the same knowledge must always come in the same order.
	for _, id := range slices.Sorted(maps.Keys(webItem)) {
		web = true
		if w := webItem[id]; !w.Info.Deleted {
			outItems = append(outItems, w.Item)
		}
	}
	slices.SortStableFunc(outTrees, func(a, b *knowledge.Tree) int { return cmp.Compare(a.ID, b.ID) })
	return knowledge.NewBase(append(outItems, imported...), outTrees, files.Synonyms), web
}

// latest are the newest published versions of every tree and
// hand-written item.
type latest struct {
	trees []store.LatestTree
	items []store.LatestItem
}

func readLatest(ctx context.Context, st *store.Store) (latest, error) {
	trees, err := st.LatestTrees(ctx)
	if err != nil {
		return latest{}, err
	}
	items, err := st.LatestItems(ctx)
	if err != nil {
		return latest{}, err
	}
	return latest{trees, items}, nil
}

// Base is the knowledge new conversations get, with every imported sheet
// (before the served view leaves out the ones hand-written items stand
// for): what the admin lists and validates against.
func (l *Library) Base() *knowledge.Base { return l.loaded.Load() }

// Conflicts are the knowledge files found at start to differ from a newer
// web version (the web version was kept).
func (l *Library) Conflicts() []string { return slices.Clone(l.conflicts) }

// Revision is the knowledge revision this process serves.
func (l *Library) Revision() int64 { return l.rev.Load() }

// Reload rebuilds the knowledge in force from the files and the database
// when the database's revision moved (force: in any case), and gives it
// to the engine. Conversations under way keep their tree versions.
func (l *Library) Reload(ctx context.Context, force bool) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.reloadLocked(ctx, force)
}

func (l *Library) reloadLocked(ctx context.Context, force bool) error {
	rev, err := l.st.KnowledgeRevision(ctx)
	if err != nil {
		return err
	}
	if !force && rev == l.rev.Load() {
		return nil
	}
	imported, err := l.st.Items(ctx)
	if err != nil {
		return err
	}
	lv, err := readLatest(ctx, l.st)
	if err != nil {
		return err
	}
	b, _ := compose(l.files, lv, imported)
	if probs := knowledge.Validate(b); len(probs) > 0 {
		// Published versions were validated; files or imports changed
		// under them. Keep serving what is loaded, and say why.
		return fmt.Errorf("reload knowledge: %d problem(s), the previous knowledge is kept:\n%w", len(probs), probs)
	}
	served := l.serve(b)
	ix := search.New(served, search.Options{})
	if err := l.apply(ctx, served, ix); err != nil {
		return err
	}
	l.index = ix
	l.loaded.Store(b)
	l.rev.Store(rev)
	l.log.Info("knowledge reloaded", "revision", rev, "items", len(b.Items), "trees", len(b.Trees))
	return nil
}

// Watch reloads the knowledge every interval when another process
// published, until ctx is done.
func (l *Library) Watch(ctx context.Context, interval time.Duration) {
	every(ctx, interval, func(ctx context.Context) {
		if err := l.Reload(ctx, false); err != nil && ctx.Err() == nil {
			l.log.Error("knowledge not reloaded", "err", err)
		}
	})
}

// TreeVersions lists a tree's published versions, newest first.
func (l *Library) TreeVersions(ctx context.Context, id string) ([]store.TreeVersionInfo, error) {
	vs, err := l.st.TreeHistory(ctx, id)
	slices.Reverse(vs)
	return vs, err
}

// TreeVersion is one published version of a tree.
func (l *Library) TreeVersion(ctx context.Context, id string, version int) (*knowledge.Tree, error) {
	return l.st.TreeVersion(ctx, id, version)
}

// ItemVersions lists a hand-written item's versions, newest first.
func (l *Library) ItemVersions(ctx context.Context, id string) ([]store.ItemVersionInfo, error) {
	vs, err := l.st.ItemHistory(ctx, id)
	slices.Reverse(vs)
	return vs, err
}

// ItemVersion is one published version of a hand-written item.
func (l *Library) ItemVersion(ctx context.Context, id string, version int) (*knowledge.Item, error) {
	it, _, err := l.st.ItemVersion(ctx, id, version)
	return it, err
}

// ErrImported is returned when an admin tries to publish over an
// imported sheet: those change by import only.
var ErrImported = errors.New("imported sheets change by import only: write a hand-written item that replaces it")

// PublishTree validates the knowledge with t in place of its published
// version and publishes t as a new web version; this process serves it at
// once, the others at their next watch.
func (l *Library) PublishTree(ctx context.Context, t *knowledge.Tree, p store.Publication) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	cur := l.loaded.Load()
	trees := slices.DeleteFunc(slices.Clone(cur.Trees), func(o *knowledge.Tree) bool { return o.ID == t.ID })
	b := knowledge.NewBase(cur.Items, append(trees, t), cur.Synonyms)
	if probs := knowledge.Validate(b); len(probs) > 0 {
		return 0, probs
	}
	v, _, err := l.st.PublishTreeAs(ctx, t, store.Publication{Author: p.Author, Message: p.Message, Source: store.SourceWeb})
	if err != nil {
		return 0, err
	}
	return v, l.reloadLocked(ctx, true)
}

// PublishItem is PublishTree for a hand-written item.
func (l *Library) PublishItem(ctx context.Context, it *knowledge.Item, p store.Publication) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	cur := l.loaded.Load()
	if old, ok := cur.Item(it.ID); ok && old.Origin != "" {
		return 0, fmt.Errorf("publish item %s: %w", it.ID, ErrImported)
	}
	items := slices.DeleteFunc(slices.Clone(cur.Items), func(o *knowledge.Item) bool { return o.ID == it.ID })
	b := knowledge.NewBase(append(items, it), cur.Trees, cur.Synonyms)
	if probs := knowledge.Validate(b); len(probs) > 0 {
		return 0, probs
	}
	v, _, err := l.st.PublishItemAs(ctx, it, store.Publication{Author: p.Author, Message: p.Message, Source: store.SourceWeb})
	if err != nil {
		return 0, err
	}
	return v, l.reloadLocked(ctx, true)
}

// openLibrary publishes the files that changed (conflictsAtStart), puts
// together the knowledge in force and indexes it.
func openLibrary(ctx context.Context, st *store.Store, dir string, files *knowledge.Base, imported []*knowledge.Item,
	serve func(*knowledge.Base) *knowledge.Base, p *Parts, log *slog.Logger) (*Library, *knowledge.Base, *search.Index, error) {
	lv, err := readLatest(ctx, st)
	if err != nil {
		return nil, nil, nil, err
	}
	conflicts, err := conflictsAtStart(ctx, st, files, lv, log)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("publish knowledge files: %w", err)
	}
	for _, c := range conflicts {
		log.Warn("a knowledge file differs from a newer version published in the web admin: the web version is kept (export it to update the file)", "file", c)
	}
	rev, err := st.KnowledgeRevision(ctx)
	if err != nil {
		return nil, nil, nil, err
	}
	composed, web := compose(files, lv, nil)
	if !web {
		composed = files // with its positions, for the problems' lines
	}
	loaded, served, ix, err := p.knowledge(dir, composed, !web, imported, serve)
	if err != nil {
		return nil, nil, nil, err
	}
	l := &Library{st: st, log: log, files: files, serve: serve, conflicts: conflicts, index: ix}
	l.loaded.Store(loaded)
	l.rev.Store(rev)
	return l, served, ix, nil
}

// Import publishes every tree and hand-written item of files (a whole
// knowledge directory, e.g. an export edited offline) that differs from
// the version in force, all in one transaction, and only when the
// knowledge with all of them validates: a broken import changes nothing.
func (l *Library) Import(ctx context.Context, files *knowledge.Base, p store.Publication) (knowledge.Changes, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	cur := l.loaded.Load()
	var res knowledge.Changes
	for _, it := range files.Items {
		if old, ok := cur.Item(it.ID); ok && old.Origin != "" {
			return res, fmt.Errorf("import item %s: %w", it.ID, ErrImported)
		}
	}
	trees := map[string]*knowledge.Tree{}
	for _, t := range cur.Trees {
		trees[t.ID] = t
	}
	for _, t := range files.Trees {
		trees[t.ID] = t
	}
	items := map[string]*knowledge.Item{}
	for _, it := range cur.Items {
		items[it.ID] = it
	}
	for _, it := range files.Items {
		items[it.ID] = it
	}
	b := knowledge.NewBase(mapValues(items), mapValues(trees), cur.Synonyms)
	if probs := knowledge.Validate(b); len(probs) > 0 {
		return res, probs
	}
	res.SynonymsIgnored = len(files.Synonyms) > 0 && !slices.EqualFunc(files.Synonyms, cur.Synonyms, slices.Equal)
	p.Source = store.SourceWeb
	err := l.st.InTx(ctx, func(ctx context.Context) error {
		res.Trees, res.Items, res.Unchanged = 0, 0, 0
		for _, t := range files.Trees {
			_, created, err := l.st.PublishTreeAs(ctx, t, p)
			if err != nil {
				return err
			}
			res.Trees += b2i(created)
			res.Unchanged += b2i(!created)
		}
		for _, it := range files.Items {
			_, created, err := l.st.PublishItemAs(ctx, it, p)
			if err != nil {
				return err
			}
			res.Items += b2i(created)
			res.Unchanged += b2i(!created)
		}
		return nil
	})
	if err != nil {
		return knowledge.Changes{}, fmt.Errorf("import knowledge: %w", err)
	}
	if res.Trees+res.Items == 0 {
		return res, nil
	}
	return res, l.reloadLocked(ctx, true)
}

// Export writes the knowledge in force as a knowledge directory: one
// file per tree (trees/ID.yaml) and per hand-written item (items/ID.yaml)
// and the synonyms; imported sheets are not in it (they come from their
// import). put is called with each file's slash path and content.
func (l *Library) Export(put func(name string, data []byte) error) error {
	b := l.loaded.Load()
	for _, t := range b.Trees {
		data, err := knowledge.MarshalTreeYAML(t)
		if err != nil {
			return fmt.Errorf("export tree %s: %w", t.ID, err)
		}
		if err := put("trees/"+t.ID+".yaml", data); err != nil {
			return err
		}
	}
	for _, it := range b.Items {
		if it.Origin != "" {
			continue
		}
		data, err := knowledge.MarshalItemYAML(it)
		if err != nil {
			return fmt.Errorf("export item %s: %w", it.ID, err)
		}
		if err := put("items/"+it.ID+".yaml", data); err != nil {
			return err
		}
	}
	if len(b.Synonyms) > 0 {
		data, err := knowledge.MarshalSynonymsYAML(b.Synonyms)
		if err != nil {
			return fmt.Errorf("export synonyms: %w", err)
		}
		return put("synonyms.yaml", data)
	}
	return nil
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// mapValues are m's values in key order.
func mapValues[T any](m map[string]T) []T {
	keys := slices.Sorted(maps.Keys(m))
	out := make([]T, len(keys))
	for i, k := range keys {
		out[i] = m[k]
	}
	return out
}
