package admin

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/boussole/boussole/app/report/reporttest"
	"github.com/boussole/boussole/bot/store"
	"github.com/boussole/boussole/knowledge"
)

const reportTreeYAML = `
id: papiers-identite
title: Papiers d'identité
title_en: Identity papers
triggers: [papiers]
start: quel-document
nodes:
  quel-document:
    ask: Quel document vous faut-il ?
    choices:
      - {label: Passeport, answer: passeport}
`

// reportServer is the admin over a real SQLite database seeded with
// reporttest's tallies, with the tree papiers-identite published.
func reportServer(t *testing.T, role Role) *Server {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "b.db"), store.Options{Clock: testClock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Count(ctx, reporttest.Tallies()); err != nil {
		t.Fatal(err)
	}
	items, err := knowledge.ParseItems("items.yaml", []byte(gapsItemsYAML))
	if err != nil {
		t.Fatal(err)
	}
	tr, err := knowledge.ParseTree("papiers-identite.yaml", []byte(reportTreeYAML))
	if err != nil {
		t.Fatal(err)
	}
	base := knowledge.NewBase(items, []*knowledge.Tree{tr}, nil)
	s, err := New(Config{}, Deps{Now: testClock, Auth: fixedAuth{asUser(role)}, Library: gapsLibrary{base: base, st: st}, Report: st})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// cells are the texts of a table row's cells, tags removed.
var tags = regexp.MustCompile(`<[^>]+>`)

// rowOf returns the row of body whose first cell is head, as "a|b|c".
func rowOf(body, head string) []string {
	var out []string
	for _, tr := range strings.Split(body, "<tr>") {
		end := strings.Index(tr, "</tr>")
		if end < 0 {
			continue
		}
		var cells []string
		for _, c := range regexp.MustCompile(`<t[hd][^>]*>(.*?)</t[hd]>`).FindAllStringSubmatch(tr[:end], -1) {
			cells = append(cells, tags.ReplaceAllString(c[1], ""))
		}
		if len(cells) > 0 && cells[0] == head {
			out = append(out, strings.Join(cells, "|"))
		}
	}
	return out
}

// The page shows the hand-counted figures (reporttest.Tallies) in its
// tables and charts, to a viewer.
func TestReportPage(t *testing.T) {
	s := reportServer(t, RoleViewer)
	w := get(t, s, "/admin/report?from=2026-11&to=2026-12")
	body := w.Body.String()
	if w.Code != http.StatusOK {
		t.Fatalf("got %d:\n%s", w.Code, body)
	}
	for _, want := range []string{
		"<h1>Rapport d&#39;activité</h1>",
		`<a href="/admin/report" aria-current="page">Rapport</a>`,
		`value="2026-11"`, `value="2026-12"`,
		// Four charts, each an image with its title, and a table.
		`role="img" aria-labelledby="chart-people-title"`, `<title id="chart-people-title">Personnes par mois</title>`,
		`<title id="chart-answers-title">Réponses et mises en relation par mois</title>`,
		`<title id="chart-wait-title">`, `<title id="chart-ratings-title">`,
		"Les chiffres du graphique : Personnes par mois",
		// The wait chart writes the median above its bar.
		`text-anchor="middle">3 min</text>`, `text-anchor="middle">2 h 00</text>`,
		"Papiers d&#39;identité (papiers-identite)",
		`href="/admin/report/download?format=csv&amp;from=2026-11&amp;to=2026-12" download>CSV (tableur)</a>`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if n := strings.Count(body, "<svg "); n != 4 {
		t.Errorf("%d charts, want 4", n)
	}
	// Rows counted by hand: the overview, the charts' tables, a month's
	// and the period's tables.
	for head, want := range map[string][]string{
		// The overview, then the people chart's table, then the answers
		// chart's, then the wait chart's (claimed, median, mean).
		"2026-11": {
			"2026-11|5", "2026-11|8|5", "2026-11|5|3 min|16 min",
			"2026-11|5|15|8|3|2|5|5|16 min|3 min|4|15 min|3|3,67",
		},
		"Total de la période": {"Total de la période|8|22|10|3|2|7|6|33 min|5 min|5|23 min|5|4,20"},
		// The ratings chart's table: the period's ratings 5, 4, 2, 5, 5.
		"5/5": {"5/5|3"},
		"2/5": {"2/5|1"},
		// Per jurisdiction: November, December, the period.
		"France": {
			"France|3|10|7|4|2|1|0|2|1|4",
			"France|impots|1|0|0|1|0|0|1|1 h 07|1 h 07|1 h 07",
			"France|papiers|3|2|1|0|0|0|3|4 min|3 min|10 min",
			"France|impots|0|0|0|0|0|–|–|0|–|0|0|0|0|0",
			"France|papiers|3|2|1|0|0|27 min|23 min|3|3,67|0|1|0|1|1",
			"France|Papiers d&#39;identité (papiers-identite)|5|3",
			"France|impots|1|0",
			"France|violence dans le couple|1",
			"France|1|4|2|2|0|0|0|0|0|1",
			"France|papiers|1|1|0|0|0|0|1|2 h 00|2 h 00|2 h 00",
			"France|papiers|1|0|0|0|1|1 j 1 h|1 j 1 h|2|5,00|0|0|0|0|2",
			"France|Papiers d&#39;identité (papiers-identite)|2|1",
			"France|4|14|9|6|2|1|0|2|1|5",
			"France|impots|1|0|0|1|0|0|1|1 h 07|1 h 07|1 h 07",
			"France|papiers|4|3|1|0|0|0|4|33 min|5 min|2 h 00",
			"France|impots|0|0|0|0|0|–|–|0|–|0|0|0|0|0",
			"France|papiers|4|2|1|0|1|6 h 35|30 min|5|4,20|0|1|0|1|3",
			"France|Papiers d&#39;identité (papiers-identite)|7|4",
			"France|impots|1|0",
			"France|violence dans le couple|1",
		},
		"territoire inconnu": {"territoire inconnu|1|1|0|0|0|0|0|0|0|0", "territoire inconnu|1|1|0|0|0|0|0|0|0|0"},
	} {
		got := rowOf(body, head)
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("rows of %q:\n got %q\nwant %q", head, got, want)
		}
	}
	for _, bad := range []string{"2026-10", "2027-01"} {
		if strings.Contains(body, bad) {
			t.Errorf("the page shows %s, outside the period", bad)
		}
	}

	// In English, with the tree's English title.
	r := httptest.NewRequest(http.MethodGet, "/admin/report?from=2026-11&to=2026-12", nil)
	r.AddCookie(&http.Cookie{Name: "boussole_lang", Value: "en"})
	en := serve(s, r).Body.String()
	for _, want := range []string{"<h1>Activity report</h1>", "<title id=\"chart-people-title\">People per month</title>", "Identity papers (papiers-identite)", "<th scope=\"row\">Whole period</th>"} {
		if !strings.Contains(en, want) {
			t.Errorf("the English page lacks %q", want)
		}
	}
}

// The period defaults to the last six months; bad months are refused
// with a sentence naming the field.
func TestReportPeriodForm(t *testing.T) {
	s := reportServer(t, RoleViewer)
	// testClock is 2 March 2026: October 2025 to March 2026, no activity.
	w := get(t, s, "/admin/report")
	body := w.Body.String()
	if w.Code != http.StatusOK || !strings.Contains(body, `value="2025-10"`) || !strings.Contains(body, `value="2026-03"`) ||
		strings.Count(body, "Aucune activité comptée ce mois-ci.") != 7 {
		t.Errorf("default period: %d\n%s", w.Code, body)
	}
	for _, tt := range []struct{ query, want string }{
		{"from=2026-13", "Le mois de début n&#39;est pas un mois"},
		{"from=nov&to=2026-12", "Le mois de début n&#39;est pas un mois"},
		{"from=2026-11&to=décembre", "Le mois de fin n&#39;est pas un mois"},
		{"from=2026-12&to=2026-11", "Le mois de fin est avant le mois de début."},
		{"from=2020-01&to=2026-12", "60 mois au plus"},
	} {
		w := get(t, s, "/admin/report?"+tt.query)
		if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), tt.want) || !strings.Contains(w.Body.String(), `aria-invalid="true"`) && !strings.Contains(tt.query, "2020") {
			t.Errorf("%s: %d, want 400 and %q", tt.query, w.Code, tt.want)
		}
	}
	// A day stands for its month.
	if w := get(t, s, "/admin/report?from=2026-11-15&to=2026-12-01"); w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `value="2026-11"`) {
		t.Errorf("days: %d", w.Code)
	}
}

// The downloads are the command's files.
func TestReportDownload(t *testing.T) {
	s := reportServer(t, RoleViewer)
	w := get(t, s, "/admin/report/download?from=2026-11&to=2026-12&format=csv")
	if w.Code != http.StatusOK || w.Header().Get("Content-Type") != "text/csv; charset=utf-8" ||
		w.Header().Get("Content-Disposition") != `attachment; filename="boussole-report-2026-11-2026-12.csv"` {
		t.Fatalf("csv: %d %v", w.Code, w.Header())
	}
	for _, line := range []string{"total,FR,,,people,Personnes,4", "total,*,*,,people,Personnes,8", "total,FR,papiers,,wait_median_s,Attente médiane (estimée),300"} {
		if !strings.Contains(w.Body.String(), line+"\n") {
			t.Errorf("the CSV lacks %q", line)
		}
	}
	if w := get(t, s, "/admin/report/download?from=2026-11&to=2026-12&format=json"); w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `"people": 8`) {
		t.Errorf("json: %d", w.Code)
	}
	if w := get(t, s, "/admin/report/download?from=2026-11&to=2026-12&format=md"); w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "| France | 4 | 14 | 9 |") {
		t.Errorf("md: %d", w.Code)
	}
	if w := get(t, s, "/admin/report/download?from=2026-11&to=2026-12&format=pdf"); w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "Ce format n&#39;existe pas") {
		t.Errorf("pdf: %d", w.Code)
	}
	if w := get(t, s, "/admin/report/download?from=2026-13&format=csv"); w.Code != http.StatusBadRequest {
		t.Errorf("bad month: %d", w.Code)
	}
}

// Without counters the page says so.
func TestReportPageNoStore(t *testing.T) {
	s, err := New(Config{}, Deps{Now: testClock, Auth: fixedAuth{asUser(RoleViewer)}})
	if err != nil {
		t.Fatal(err)
	}
	if w := get(t, s, "/admin/report"); w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "ne sont pas disponibles") {
		t.Errorf("%d\n%s", w.Code, w.Body.String())
	}
}
