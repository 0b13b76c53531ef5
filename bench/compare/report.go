package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/boussole/boussole/knowledge/evalset"
	"github.com/boussole/boussole/knowledge/servicepublic"
)

// Results is what one run measured; --json prints it.
type Results struct {
	Meta   Meta    `json:"meta"`
	Builds []Build `json:"builds"`
	Rows   []Row   `json:"rows"`
}

// Meta says where and on what the run happened.
type Meta struct {
	Date       string `json:"date"`
	Go         string `json:"go"`
	CPUs       int    `json:"cpus"`
	GOMAXPROCS int    `json:"gomaxprocs"`
	CPUModel   string `json:"cpu_model,omitempty"`
	Items      int    `json:"items"`
	Files      int    `json:"sheet_files"`
	Skipped    int    `json:"skipped"`
	// Boussole is the commit of knowledge/ measured, and whether it had
	// uncommitted changes (search is tuned between runs).
	Boussole string            `json:"boussole,omitempty"`
	SQLite   string            `json:"sqlite,omitempty"`
	Modules  map[string]string `json:"modules,omitempty"`
	K        int               `json:"k"`
}

// Build is one index: how long it took and what it holds in memory.
type Build struct {
	System  string   `json:"system"`
	Engines []string `json:"engines"`
	BuildS  float64  `json:"build_s"`
	// Memory is the live Go heap the index added, or for SQLite (whose
	// pages live outside the Go heap) the size of its database file.
	Memory string `json:"memory"`
}

// Row is one engine on one question set.
type Row struct {
	Set    string `json:"set"`
	Engine string `json:"engine"`
	evalset.Report
	// QueryErrors counts questions the engine refused (syntax errors);
	// they count as answering nothing.
	QueryErrors int `json:"query_errors"`
}

func describe(c config, res servicepublic.Result) Meta {
	m := Meta{
		Date:       c.now().UTC().Format("2006-01-02 15:04 MST"),
		Go:         runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH,
		CPUs:       runtime.NumCPU(),
		GOMAXPROCS: runtime.GOMAXPROCS(0),
		CPUModel:   cpuModel(),
		Items:      len(res.Items),
		Files:      res.Sheets,
		Skipped:    len(res.Skipped),
		Boussole:   knowledgeCommit(),
		Modules:    map[string]string{},
		K:          c.k,
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			switch d.Path {
			case "github.com/blevesearch/bleve/v2", "modernc.org/sqlite":
				m.Modules[d.Path] = d.Version
			}
		}
	}
	return m
}

// cpuModel reads the first "model name" of /proc/cpuinfo, best effort.
func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.Join(strings.Fields(v), " ")
		}
	}
	return ""
}

// knowledgeCommit names the last commit of knowledge/ (search, importer,
// evalset), with "+ uncommitted changes" when the work tree differs; best
// effort, empty outside a git checkout.
func knowledgeCommit() string {
	top, err := exec.Command("git", "rev-parse", "--show-toplevel").Output()
	if err != nil {
		return ""
	}
	dir := strings.TrimSpace(string(top))
	c, err := exec.Command("git", "-C", dir, "log", "-1", "--format=%h %cs", "--", "knowledge").Output()
	if err != nil {
		return ""
	}
	s := strings.TrimSpace(string(c))
	if st, err := exec.Command("git", "-C", dir, "status", "--porcelain", "--", "knowledge").Output(); err == nil && len(bytes.TrimSpace(st)) > 0 {
		s += " + uncommitted changes"
	}
	return s
}

// Markdown renders the run as a dated line and two tables: quality and
// latency per set and engine (best of each column in bold), then build
// time and memory per index.
func (r Results) Markdown() string {
	var b strings.Builder
	m := r.Meta
	fmt.Fprintf(&b, "Measured %s on %d CPUs", m.Date, m.CPUs)
	if m.CPUModel != "" {
		fmt.Fprintf(&b, " (%s)", m.CPUModel)
	}
	fmt.Fprintf(&b, ", %s; %s items from %s sheet files", m.Go, thousands(m.Items), thousands(m.Files))
	if m.Skipped > 0 {
		fmt.Fprintf(&b, " (%d skipped)", m.Skipped)
	}
	if m.Boussole != "" {
		fmt.Fprintf(&b, "; Boussole knowledge/ at %s", m.Boussole)
	}
	if v := m.Modules["modernc.org/sqlite"]; v != "" || m.SQLite != "" {
		fmt.Fprintf(&b, "; SQLite %s (modernc.org/sqlite %s)", m.SQLite, v)
	}
	if v := m.Modules["github.com/blevesearch/bleve/v2"]; v != "" {
		fmt.Fprintf(&b, "; bleve %s", v)
	}
	b.WriteString(".\n\n")

	b.WriteString("| set | engine | recall@1 | recall@3 | recall@5 | MRR | p50 ms | p99 ms |\n")
	b.WriteString("|---|---|---:|---:|---:|---:|---:|---:|\n")
	var errs []string
	for _, set := range sets {
		name := strings.TrimSuffix(set, ".jsonl")
		var rows []Row
		for _, row := range r.Rows {
			if row.Set == name {
				rows = append(rows, row)
			}
		}
		if len(rows) == 0 {
			continue
		}
		cols := []struct {
			get    func(Row) float64
			format string
			higher bool
		}{
			{func(r Row) float64 { return r.RecallAt1 }, "%.3f", true},
			{func(r Row) float64 { return r.RecallAt3 }, "%.3f", true},
			{func(r Row) float64 { return r.RecallAt5 }, "%.3f", true},
			{func(r Row) float64 { return r.MRR }, "%.3f", true},
			{func(r Row) float64 { return r.P50ms }, "%.3f", false},
			{func(r Row) float64 { return r.P99ms }, "%.3f", false},
		}
		best := make([]string, len(cols))
		for i, c := range cols {
			v := c.get(rows[0])
			for _, row := range rows[1:] {
				if x := c.get(row); (c.higher && x > v) || (!c.higher && x < v) {
					v = x
				}
			}
			best[i] = fmt.Sprintf(c.format, v)
		}
		for i, row := range rows {
			label := ""
			if i == 0 {
				label = fmt.Sprintf("%s (%s q.)", name, thousands(row.N))
			}
			fmt.Fprintf(&b, "| %s | %s |", label, mdEscape(row.Engine))
			for j, c := range cols {
				s := fmt.Sprintf(c.format, c.get(row))
				if s == best[j] && len(rows) > 1 {
					s = "**" + s + "**"
				}
				fmt.Fprintf(&b, " %s |", s)
			}
			b.WriteString("\n")
			if row.QueryErrors > 0 {
				errs = append(errs, fmt.Sprintf("%s refused %d questions of %s", row.Engine, row.QueryErrors, name))
			}
		}
	}
	if len(errs) > 0 {
		fmt.Fprintf(&b, "\nQuery errors (counted as misses): %s.\n", strings.Join(errs, "; "))
	}

	b.WriteString("\n| index | engines | build s | memory after build |\n|---|---|---:|---|\n")
	for _, bd := range r.Builds {
		fmt.Fprintf(&b, "| %s | %s | %.2f | %s |\n", bd.System, mdEscape(strings.Join(bd.Engines, "; ")), bd.BuildS, bd.Memory)
	}
	return b.String()
}

// mdEscape keeps "_all" from starting emphasis in Markdown.
func mdEscape(s string) string { return strings.ReplaceAll(s, "_", `\_`) }

// thousands formats n with comma separators (7,180).
func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

const (
	beginMarker = "<!-- compare:begin -->"
	endMarker   = "<!-- compare:end -->"
)

// updateFile replaces what lies between the markers of a Markdown file
// with block, keeping the rest of the file.
func updateFile(path, block string) error {
	old, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("update: %w", err)
	}
	out, err := replaceBlock(string(old), block)
	if err != nil {
		return fmt.Errorf("update %s: %w", path, err)
	}
	return os.WriteFile(path, []byte(out), 0o644)
}

func replaceBlock(text, block string) (string, error) {
	i := strings.Index(text, beginMarker)
	j := strings.Index(text, endMarker)
	if i < 0 || j < i {
		return "", fmt.Errorf("want a line %s, then a line %s", beginMarker, endMarker)
	}
	return text[:i+len(beginMarker)] + "\n" + block + text[j:], nil
}
