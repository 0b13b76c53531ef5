package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/boussole/boussole/app"
	"github.com/boussole/boussole/bot/store"
	"github.com/boussole/boussole/knowledge"
	"github.com/boussole/boussole/knowledge/analysis"
	"github.com/boussole/boussole/knowledge/places"
	"github.com/boussole/boussole/knowledge/places/datainclusion"
	"github.com/boussole/boussole/knowledge/places/importer"
	"github.com/boussole/boussole/knowledge/places/lamednum"
)

// The limits of a download: the national exports are tens of megabytes.
const (
	fetchTimeout = 10 * time.Minute
	maxDownload  = 1 << 30
	// skippedShown is how many skipped rows the summary lists per file.
	skippedShown = 20
	// unknownShown is how many unknown labels it lists per file.
	unknownShown = 10
)

// placeFile is what one FILE|URL argument gave.
type placeFile struct {
	name string // as given
	// source is the import source its places belong to; "" for a
	// data·inclusion services file, which holds no place.
	source string
	res    *importer.Result
	offer  *datainclusion.Offer
	// orphans are the structures its offer names that no file of the
	// import holds.
	orphans int
}

// runImportPlaces imports places (LaMednum, data·inclusion) into the
// database: `boussole import places`.
func runImportPlaces(ctx context.Context, e env, args []string) error {
	fs := flag.NewFlagSet("import places", flag.ContinueOnError)
	var cf commonFlags
	cf.register(fs)
	rules := defaultImportRules
	fs.Float64Var(&rules.maxBroken, "max-broken", defaultMaxBroken, "refuse the import when a file's share of malformed rows is above this (0.05 = 5 %)")
	fs.BoolVar(&rules.allowRetire, "allow-retire", false, fmt.Sprintf("allow retiring more than %s of a source", percentOf(maxRetire)))
	fs.StringVar(&rules.source, "source", "", "the source FILE|URL… make up (default: each file's name without extension and dates)")
	fs.Usage = func() {
		w := e.stderr
		fmt.Fprintln(w, "usage: boussole import places [--db PATH] [--source NAME] [--max-broken SHARE] [--allow-retire] FILE|URL…")
		fmt.Fprintln(w, "  FILE|URL: a LaMednum export of digital-mediation places (JSON or CSV, any version of the standard),")
		fmt.Fprintln(w, "  or data·inclusion structures and services JSON (give both: services say what structures offer);")
		fmt.Fprintln(w, "  a URL is https:// (http:// on a loopback address only). The format is told by the content.")
		fmt.Fprintln(w, "  Each source (--source NAME, else the file's name without extension and dates:")
		fmt.Fprintln(w, "  lieux-mediation-numerique-paca-2023-05-16.json is lieux-mediation-numerique-paca) is imported whole:")
		fmt.Fprintln(w, "  its places missing from it are retired, never another source's. A malformed row is reported with its")
		fmt.Fprintln(w, "  line and skipped (its place keeps its earlier version); a file with too many is refused, and so is an")
		fmt.Fprintf(w, "  import retiring more than %s of a source without --allow-retire. A refused import changes nothing.\n", percentOf(maxRetire))
		fs.PrintDefaults()
	}
	if err := rules.parse(fs, e, args); err != nil {
		return err
	}
	cfg, err := cf.resolve(e)
	if err != nil {
		return err
	}
	start := e.now()
	// Everything is read and checked before the database is opened: a
	// refused file does not even create it.
	files, err := readPlaceFiles(ctx, e, fs.Args(), rules)
	if err != nil {
		return err
	}
	log := app.NewLogger(e.stderr, app.LogConfig{Level: "warn", Format: cfg.Log.Format})
	stats, err := intoStore(ctx, cfg.Database, e.getenv, log, e.now, func(st *store.Store) ([]store.PlaceImportStats, error) {
		return storePlaces(ctx, st, files, rules)
	})
	if err != nil {
		return err
	}
	printPlacesSummary(e.stdout, files, stats, e.now().Sub(start), cfg.Database.Where())
	return nil
}

// readPlaceFiles reads every argument and checks it against the rules: a
// file that cannot be read, or has too many malformed rows, refuses the
// whole import.
func readPlaceFiles(ctx context.Context, e env, args []string, rules importRules) ([]*placeFile, error) {
	vocab := lamednum.NewVocabulary()
	loc := &gazetteerLocator{parts: e.parts}
	var files []*placeFile
	for _, arg := range args {
		f, err := readPlaceFile(ctx, arg, vocab, loc.locate, progressBar(e))
		if err != nil {
			return nil, err
		}
		if f.res.Format != importer.FormatServices {
			if f.source = rules.source; f.source == "" {
				if f.source = sourceName(arg); f.source == "" {
					return nil, fmt.Errorf("%s: cannot make a source name of it; name it with --source NAME", arg)
				}
			}
		}
		files = append(files, f)
	}
	if loc.err != nil {
		return nil, fmt.Errorf("place rows without coordinates: %w", loc.err)
	}
	for _, f := range files {
		for _, p := range f.res.Places {
			loc.name(p)
		}
	}
	if loc.err != nil {
		return nil, fmt.Errorf("place communes: %w", loc.err)
	}
	dedupe(files)
	var problems []string
	for _, f := range files {
		switch n := len(f.res.Skipped); {
		case f.res.Rows == 0:
			problems = append(problems, fmt.Sprintf("%s holds no place", f.name))
		case float64(n) > rules.maxBroken*float64(f.res.Rows):
			var b strings.Builder
			fmt.Fprintf(&b, "%s: %d of %d rows are malformed (%s), more than --max-broken %v (%s):",
				f.name, n, f.res.Rows, percentOf(float64(n)/float64(f.res.Rows)), rules.maxBroken, percentOf(rules.maxBroken))
			for i, s := range f.res.Skipped {
				if i == brokenShown {
					fmt.Fprintf(&b, "\n    … and %d more", n-brokenShown)
					break
				}
				fmt.Fprintf(&b, "\n    %s", s)
			}
			problems = append(problems, b.String())
		}
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("import places refused, nothing changed:\n  %s", strings.Join(problems, "\n  "))
	}
	// What the services files say the structures offer.
	var all []*knowledge.Place
	for _, f := range files {
		all = append(all, f.res.Places...)
	}
	for _, f := range files {
		if f.offer != nil {
			f.orphans = f.offer.Apply(all)
		}
	}
	if len(all) == 0 {
		return nil, errors.New("import places: no place read (a data·inclusion services file is imported with its structures file); nothing changed")
	}
	return files, nil
}

// readPlaceFile reads one file or URL, whatever its format.
func readPlaceFile(ctx context.Context, arg string, vocab *lamednum.Vocabulary, loc importer.Locator, progress func(done, total int)) (*placeFile, error) {
	rc, size, err := openPlaceInput(ctx, arg)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	var r io.Reader = rc
	if progress != nil && size > 0 {
		r = &progressReader{r: rc, total: size, progress: progress}
	}
	br := bufio.NewReaderSize(r, 64<<10)
	head, err := br.Peek(16 << 10)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s: %w", arg, err)
	}
	f := &placeFile{name: arg}
	switch importer.Sniff(head) {
	case importer.FormatStructures:
		f.res, err = datainclusion.ReadStructures(ctx, br, datainclusion.Options{Locate: loc, Vocabulary: vocab})
	case importer.FormatServices:
		f.res, f.offer, err = datainclusion.ReadServices(ctx, br, datainclusion.Options{Vocabulary: vocab})
	default:
		f.res, err = lamednum.Read(ctx, br, lamednum.Options{Locate: loc, Vocabulary: vocab})
	}
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("%s: %w", arg, err)
	}
	if pr, ok := r.(*progressReader); ok {
		pr.finish()
	}
	return f, nil
}

// dedupe skips a place whose id an earlier file of the import already
// gave: a place is stored once, under one source.
func dedupe(files []*placeFile) {
	type at struct {
		file string
		line int
	}
	seen := map[string]at{}
	for _, f := range files {
		res := f.res
		keep := res.Places[:0]
		lines := res.Lines[:0]
		for i, p := range res.Places {
			if first, ok := seen[p.ID]; ok {
				res.Skip(res.Lines[i], p.ID, fmt.Sprintf("duplicate id, also in %s line %d", first.file, first.line))
				continue
			}
			seen[p.ID] = at{f.name, res.Lines[i]}
			keep = append(keep, p)
			lines = append(lines, res.Lines[i])
		}
		res.Places, res.Lines = keep, lines
	}
}

// storePlaces stores the places of every source in one transaction: the
// whole import commits, or nothing does.
func storePlaces(ctx context.Context, st *store.Store, files []*placeFile, rules importRules) ([]store.PlaceImportStats, error) {
	type batch struct {
		places []*knowledge.Place
		opts   store.PlaceImportOptions
	}
	var order []string
	bySource := map[string]*batch{}
	for _, f := range files {
		if f.source == "" {
			continue
		}
		b := bySource[f.source]
		if b == nil {
			b = &batch{opts: store.PlaceImportOptions{MaxRetire: maxRetire}}
			if rules.allowRetire {
				b.opts.MaxRetire = 1
			}
			bySource[f.source] = b
			order = append(order, f.source)
		}
		for _, p := range f.res.Places {
			if p.Source == "" {
				p.Source = f.source
			}
			b.places = append(b.places, p)
		}
		for _, s := range f.res.Skipped {
			if s.ID == "" {
				b.opts.Partial = true
			} else {
				b.opts.Keep = append(b.opts.Keep, s.ID)
			}
		}
	}
	var stats []store.PlaceImportStats
	err := st.InTx(ctx, func(ctx context.Context) error {
		stats = stats[:0] // the transaction may run again on a busy database
		for _, source := range order {
			b := bySource[source]
			s, err := st.ImportPlaces(ctx, source, b.places, b.opts)
			if err != nil {
				return err
			}
			stats = append(stats, s)
		}
		return nil
	})
	if re := (*store.RetireError)(nil); errors.As(err, &re) {
		return nil, fmt.Errorf("import places refused, nothing changed: it %v; if these places are really gone, pass --allow-retire", re)
	}
	return stats, err
}

// printPlacesSummary says what the import read and did.
func printPlacesSummary(w io.Writer, files []*placeFile, stats []store.PlaceImportStats, took time.Duration, db string) {
	rows, skipped, located, unplaced := 0, 0, 0, 0
	formats := map[string]bool{}
	for _, f := range files {
		rows += f.res.Rows
		skipped += len(f.res.Skipped)
		located += f.res.Located
		unplaced += len(f.res.Unplaced)
		formats[f.res.Format] = true
	}
	var t store.PlaceImportStats
	for _, s := range stats {
		t.Imported += s.Imported
		t.Updated += s.Updated
		t.Unchanged += s.Unchanged
		t.Retired += s.Retired
		t.Kept += s.Kept
	}
	fmt.Fprintf(w, "places: %d rows read from %s in %.1f s into %s\n", rows, plural(len(files), "file"), took.Seconds(), db)
	fmt.Fprintf(w, "  imported %d, updated %d, unchanged %d, retired %d, skipped %d (earlier version kept: %d)\n",
		t.Imported, t.Updated, t.Unchanged, t.Retired, skipped, t.Kept)
	for _, s := range stats {
		fmt.Fprintf(w, "  source %s: %d places (%d before): imported %d, updated %d, unchanged %d, retired %d",
			s.Source, s.After, s.Before, s.Imported, s.Updated, s.Unchanged, s.Retired)
		if s.Moved > 0 {
			fmt.Fprintf(w, ", %d taken over from other sources", s.Moved)
		}
		if s.Partial {
			io.WriteString(w, "; nothing retired: some malformed rows have no id")
		}
		io.WriteString(w, "\n")
	}
	if located+unplaced > 0 {
		fmt.Fprintf(w, "  without coordinates: %d, placed at their commune: %d, left without (not in nearest-place answers): %d\n",
			located+unplaced, located, unplaced)
	}
	for _, f := range files {
		for i, s := range f.res.Skipped {
			if i == skippedShown {
				fmt.Fprintf(w, "  … and %d more skipped in %s\n", len(f.res.Skipped)-skippedShown, f.name)
				break
			}
			fmt.Fprintf(w, "  skipped %s %s\n", f.name, s)
		}
		for i, s := range f.res.Unplaced {
			if i == skippedShown {
				fmt.Fprintf(w, "  … and %d more without coordinates in %s\n", len(f.res.Unplaced)-skippedShown, f.name)
				break
			}
			fmt.Fprintf(w, "  without coordinates %s %s\n", f.name, s)
		}
		if len(f.res.Unknown) > 0 {
			labels := slices.SortedFunc(maps.Keys(f.res.Unknown), func(a, b string) int {
				if d := f.res.Unknown[b] - f.res.Unknown[a]; d != 0 {
					return d
				}
				return strings.Compare(a, b)
			})
			var parts []string
			for i, l := range labels {
				if i == unknownShown {
					parts = append(parts, fmt.Sprintf("… and %d more", len(labels)-unknownShown))
					break
				}
				parts = append(parts, fmt.Sprintf("« %s » (%d)", l, f.res.Unknown[l]))
			}
			fmt.Fprintf(w, "  %s: unknown service labels, ignored: %s\n", f.name, strings.Join(parts, ", "))
		}
		if f.orphans > 0 {
			fmt.Fprintf(w, "  %s: %d structures offering services are in no file of this import\n", f.name, f.orphans)
		}
	}
	if formats[importer.FormatLaMednumJSON] || formats[importer.FormatLaMednumCSV] {
		fmt.Fprintf(w, "  %s\n", lamednum.Attribution)
	}
	if formats[importer.FormatStructures] || formats[importer.FormatServices] {
		fmt.Fprintf(w, "  %s\n", datainclusion.Attribution)
	}
}

// sourceName makes a source name of a file's or URL's name: without
// directory, extension or dates, so that next month's export of the same
// territory (lieux-mediation-numerique-paca-2023-06-16.json) is the same
// source and retires what this one had and that one lacks.
func sourceName(arg string) string {
	name := filepath.Base(arg)
	if u, err := url.Parse(arg); err == nil && isURL(arg) {
		name = path.Base(u.Path)
		if name == "/" || name == "." {
			name = u.Hostname()
		}
	}
	for {
		ext := strings.ToLower(filepath.Ext(name))
		if ext != ".json" && ext != ".csv" && ext != ".txt" {
			break
		}
		name = strings.TrimSuffix(name, filepath.Ext(name))
	}
	// Folded (no accents, capitals or punctuation), dates out, words
	// joined with « - ».
	name = analysis.Fold(name)
	name = regexp.MustCompile(`\b(19|20)\d\d ?[01]\d ?[0-3]\d\b`).ReplaceAllString(name, " ")
	name = strings.Join(strings.Fields(name), "-")
	if len(name) > 64 {
		name = strings.Trim(name[:64], "-")
	}
	return name
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// isURL says whether an argument is a URL rather than a file: any
// scheme, so that an unsupported one is refused by name rather than
// looked for on disk.
func isURL(arg string) bool {
	scheme, _, ok := strings.Cut(arg, "://")
	return ok && scheme != "" && !strings.ContainsAny(scheme, `/\.`)
}

// openPlaceInput opens a file, or fetches a URL, and returns its size
// when known (for the progress bar), else -1.
func openPlaceInput(ctx context.Context, arg string) (io.ReadCloser, int64, error) {
	if !isURL(arg) {
		f, err := os.Open(arg)
		if err != nil {
			return nil, 0, err
		}
		size := int64(-1)
		if fi, err := f.Stat(); err == nil {
			if fi.IsDir() {
				f.Close()
				return nil, 0, fmt.Errorf("%s is a directory: give the export's files", arg)
			}
			size = fi.Size()
		}
		return f, size, nil
	}
	u, err := url.Parse(arg)
	if err != nil {
		return nil, 0, fmt.Errorf("%s: %w", arg, err)
	}
	if err := fetchable(u); err != nil {
		return nil, 0, fmt.Errorf("%s: %w", arg, err)
	}
	client := &http.Client{
		Timeout: fetchTimeout,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= 10 {
				return errors.New("too many redirects")
			}
			return fetchable(req.URL)
		},
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, arg, nil)
	if err != nil {
		return nil, 0, fmt.Errorf("fetch %s: %w", arg, err)
	}
	req.Header.Set("Accept", "application/json, text/csv;q=0.9, */*;q=0.1")
	resp, err := client.Do(req)
	if err != nil {
		return nil, 0, fmt.Errorf("fetch %s: %w", arg, err)
	}
	if resp.StatusCode != http.StatusOK {
		snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 200))
		resp.Body.Close()
		msg := fmt.Sprintf("fetch %s: %s", arg, resp.Status)
		if s := strings.Join(strings.Fields(string(snippet)), " "); s != "" {
			msg += ": " + s
		}
		return nil, 0, errors.New(msg)
	}
	if resp.ContentLength > maxDownload {
		resp.Body.Close()
		return nil, 0, fmt.Errorf("fetch %s: %d bytes, more than the %d MiB an export may have", arg, resp.ContentLength, maxDownload>>20)
	}
	return &limitedBody{rc: resp.Body, left: maxDownload, name: arg}, resp.ContentLength, nil
}

// fetchable says whether a URL may be fetched: https, or plain http on a
// loopback address (the tests' server); never data sent in clear across
// a network.
func fetchable(u *url.URL) error {
	switch {
	case u.Host == "":
		return errors.New("no host in the URL")
	case u.Scheme == "https":
		return nil
	case u.Scheme == "http":
		host := u.Hostname()
		if ip := net.ParseIP(host); host == "localhost" || ip != nil && ip.IsLoopback() {
			return nil
		}
		return errors.New("plain http:// is accepted on loopback addresses only: use https://")
	}
	return fmt.Errorf("unsupported scheme %q: use https://", u.Scheme)
}

// limitedBody is a download that fails once larger than an export can be.
type limitedBody struct {
	rc   io.ReadCloser
	left int64
	name string
}

func (l *limitedBody) Read(p []byte) (int, error) {
	if l.left <= 0 {
		return 0, fmt.Errorf("fetch %s: larger than the %d MiB an export may have", l.name, maxDownload>>20)
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.rc.Read(p)
	l.left -= int64(n)
	return n, err
}

func (l *limitedBody) Close() error { return l.rc.Close() }

// progressReader reports the bytes read of a file of known size.
type progressReader struct {
	r           io.Reader
	done, total int64
	progress    func(done, total int)
}

func (p *progressReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	p.done += int64(n)
	if p.done < p.total {
		p.progress(int(p.done>>10), int(p.total>>10)+1)
	}
	return n, err
}

// finish completes the bar (its total is kilobytes rounded up).
func (p *progressReader) finish() { p.progress(int(p.total>>10)+1, int(p.total>>10)+1) }

// gazetteerLocator places a row without coordinates at its commune with
// the gazetteer, built on first need (most exports have coordinates for
// every row, and the gazetteer takes a moment to build).
type gazetteerLocator struct {
	parts *app.Parts
	once  sync.Once
	gaz   *places.Gazetteer
	err   error
}

// name writes a French place's commune as the official list does
// (« SAINT-BONNET-EN-CHAMPSAUR », « ST ANDRE LES ALPES » → « Saint-Bonnet-
// en-Champsaur », « Saint-André-les-Alpes »): answers show it.
func (l *gazetteerLocator) name(p *knowledge.Place) {
	if p.Jurisdiction != places.FR || (p.INSEE == "" && p.PostalCode == "") {
		return
	}
	l.once.Do(func() { l.gaz, l.err = l.parts.Gazetteer() })
	if l.err != nil {
		return
	}
	if t, ok := l.gaz.Commune(p.INSEE, p.PostalCode, p.Commune); ok && t.Jurisdiction == places.FR {
		p.Commune = t.Name
	}
}

func (l *gazetteerLocator) locate(insee, postal, commune string) (float64, float64, bool) {
	l.once.Do(func() { l.gaz, l.err = l.parts.Gazetteer() })
	if l.err != nil {
		return 0, 0, false
	}
	// The exports read here are French: a name that only a Québec
	// municipality has is not where the place is.
	t, ok := l.gaz.Commune(insee, postal, commune)
	if !ok || t.Jurisdiction != places.FR || t.Lat == 0 && t.Lon == 0 {
		return 0, 0, false
	}
	return t.Lat, t.Lon, true
}
