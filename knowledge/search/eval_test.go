package search_test

import (
	"archive/zip"
	"bufio"
	"encoding/json"
	"encoding/xml"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/boussole/boussole/knowledge"
	"github.com/boussole/boussole/knowledge/search"
)

// sharedData is the project's shared data directory (see
// ../shared/data/README.md), relative to this package.
const sharedData = "../../../shared"

// TestEvalServicePublic measures the search on the real service-public.fr
// sheets (about 7,600) against the development question sets, as a
// baseline for tuning: recall@1/3/5, MRR, latency, and how well Confidence
// ≥ 0.5 predicts a right first hit. It is slow and needs the shared data,
// so it runs only with BOUSSOLE_EVAL=1:
//
//	BOUSSOLE_EVAL=1 go test ./knowledge/search -run EvalServicePublic -v
//
// The sheets are mapped to items the simple way an importer would: title,
// description as summary, breadcrumb as keywords, content as body.
func TestEvalServicePublic(t *testing.T) {
	if os.Getenv("BOUSSOLE_EVAL") == "" {
		t.Skip("set BOUSSOLE_EVAL=1 to run the evaluation on the shared data")
	}
	var items []*knowledge.Item
	for _, z := range []string{"particuliers", "professionnels", "associations"} {
		items = append(items, readSheets(t, filepath.Join(sharedData, "data/service-public/vosdroits-"+z+"-2020.zip"))...)
	}
	base := knowledge.NewBase(items, nil, nil)
	start := time.Now()
	ix := search.New(base, search.Options{})
	t.Logf("built %d sheets in %v", ix.Len(), time.Since(start))

	for _, set := range []string{"citizens-dev.jsonl", "cdtn-dev.jsonl"} {
		evalSet(t, ix, filepath.Join(sharedData, "eval", set))
	}
}

func evalSet(t *testing.T, ix *search.Index, path string) {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var (
		n, r1, r3, r5           int
		mrr                     float64
		lat                     []time.Duration
		sure, sureRight, unsure int
		unsureRight             int
	)
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var c struct {
			Q        string   `json:"q"`
			Expected []string `json:"expected"`
		}
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		hits := ix.Search(c.Q, 5)
		lat = append(lat, time.Since(start))
		n++
		rank := 0
		for i, h := range hits {
			if slices.Contains(c.Expected, h.ID) {
				rank = i + 1
				break
			}
		}
		if rank > 0 {
			mrr += 1 / float64(rank)
		}
		if rank == 1 {
			r1++
		}
		if rank >= 1 && rank <= 3 {
			r3++
		}
		if rank >= 1 {
			r5++
		}
		if len(hits) > 0 && hits[0].Confidence >= 0.5 {
			sure++
			if rank == 1 {
				sureRight++
			}
		} else {
			unsure++
			if rank == 1 {
				unsureRight++
			}
		}
		if testing.Verbose() && os.Getenv("BOUSSOLE_EVAL") == "v" && rank != 1 {
			first := "-"
			if len(hits) > 0 {
				first = hits[0].ID + " " + strings.Join(hits[0].Why, " | ")
			}
			t.Logf("miss %q want %v rank %d got %s", c.Q, c.Expected, rank, first)
		}
	}
	if n == 0 {
		t.Fatalf("%s: no questions", path)
	}
	slices.Sort(lat)
	pct := func(k, n int) float64 { return 100 * float64(k) / float64(max(n, 1)) }
	t.Logf("%s: %d questions  R@1 %.1f%%  R@3 %.1f%%  R@5 %.1f%%  MRR %.3f  p50 %v  p99 %v",
		filepath.Base(path), n, pct(r1, n), pct(r3, n), pct(r5, n), mrr/float64(n), lat[n/2], lat[n*99/100])
	t.Logf("  confidence ≥ 0.5 on %d (first hit right %.1f%%), < 0.5 on %d (first hit right %.1f%%)",
		sure, pct(sureRight, sure), unsure, pct(unsureRight, unsure))
}

// readSheets reads the sheets of one service-public.fr zip as items.
func readSheets(t *testing.T, path string) []*knowledge.Item {
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var items []*knowledge.Item
	for _, f := range zr.File {
		if !strings.HasSuffix(f.Name, ".xml") {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		it, err := parseSheet(rc)
		rc.Close()
		if err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		if it.ID != "" {
			items = append(items, it)
		}
	}
	return items
}

// parseSheet extracts the searchable text of one sheet: dc:title,
// dc:description, the breadcrumb, and the text of Introduction, Texte and
// ListeSituations (not the navigation, which names sibling sheets).
func parseSheet(r io.Reader) (*knowledge.Item, error) {
	dec := xml.NewDecoder(r)
	it := &knowledge.Item{Kind: knowledge.KindProcedure}
	var (
		stack []string
		body  strings.Builder
		text  strings.Builder
	)
	inBody := func() bool {
		for _, s := range stack {
			if s == "Introduction" || s == "Texte" || s == "ListeSituations" {
				return true
			}
		}
		return false
	}
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			if len(stack) == 0 && tok.Name.Local == "Publication" {
				for _, a := range tok.Attr {
					if a.Name.Local == "ID" {
						it.ID = a.Value
					}
				}
			}
			stack = append(stack, tok.Name.Local)
			text.Reset()
		case xml.EndElement:
			name := tok.Name.Local
			switch {
			case name == "title" && len(stack) == 2:
				it.Title = strings.TrimSpace(text.String())
			case name == "description" && len(stack) == 2:
				it.Summary = strings.TrimSpace(text.String())
			case name == "Niveau" && len(stack) == 3 && stack[1] == "FilDAriane":
				if s := strings.TrimSpace(text.String()); s != "" && !strings.HasPrefix(s, "Accueil") && s != it.Title {
					it.Keywords = append(it.Keywords, s)
				}
			}
			stack = stack[:len(stack)-1]
		case xml.CharData:
			text.Write(tok)
			if inBody() {
				body.Write(tok)
				body.WriteByte(' ')
			}
		}
	}
	it.Body = body.String()
	return it, nil
}
