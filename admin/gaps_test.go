package admin

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/boussole/boussole/bot"
	"github.com/boussole/boussole/bot/store"
	"github.com/boussole/boussole/knowledge"
)

const gapsTreeYAML = `
id: papiers
title: Papiers d'identité
triggers: [papiers]
start: quel-document
nodes:
  quel-document:
    ask: Quel document vous faut-il ?
    choices:
      - {label: Carte d'identité, next: situation-cni, keywords: [cni]}
      - {label: Passeport, answer: passeport}
  situation-cni:
    ask: Quelle est votre situation ?
    choices:
      - {label: Première demande, answer: passeport}
      - {label: Perte ou vol, answer: passeport, keywords: [perdu]}
`

const gapsItemsYAML = `
- id: passeport
  kind: procedure
  title: Passeport
  summary: Demander un passeport.
  sources: ["https://www.service-public.fr/particuliers/vosdroits/F1343"]
  reviewed: 2026-10-03
- id: carte-grise-perdue
  kind: procedure
  title: Carte grise perdue (déjà publiée)
  summary: Une fiche qui prend déjà l'identifiant.
  sources: ["https://www.service-public.fr/particuliers/vosdroits/F1707"]
  reviewed: 2026-10-03
`

// gapsLibrary is the published knowledge of the gap tests: a base read
// from YAML, its trees published in the real store.
type gapsLibrary struct {
	base *knowledge.Base
	st   *store.Store
}

func (l gapsLibrary) Base() *knowledge.Base { return l.base }
func (l gapsLibrary) TreeVersions(ctx context.Context, id string) ([]store.TreeVersionInfo, error) {
	h, err := l.st.TreeHistory(ctx, id)
	slices.Reverse(h)
	return h, err
}
func (l gapsLibrary) TreeVersion(ctx context.Context, id string, v int) (*knowledge.Tree, error) {
	return l.st.TreeVersion(ctx, id, v)
}
func (l gapsLibrary) PublishTree(ctx context.Context, t *knowledge.Tree, _ Publication) (int, error) {
	return l.st.PublishTree(ctx, t)
}
func (l gapsLibrary) ItemVersions(context.Context, string) ([]store.ItemVersionInfo, error) {
	return nil, errors.New("not used by the gap report")
}
func (l gapsLibrary) ItemVersion(context.Context, string, int) (*knowledge.Item, error) {
	return nil, errors.New("not used by the gap report")
}
func (l gapsLibrary) PublishItem(context.Context, *knowledge.Item, Publication) (int, error) {
	return 0, errors.New("not used by the gap report")
}
func (l gapsLibrary) Conflicts() []string { return nil }

type gapsFixture struct {
	st  *store.Store
	lib gapsLibrary
}

// newGaps opens a real store with usage events, cases and a published
// tree, as the bot would have left them.
func newGaps(t *testing.T) *gapsFixture {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "b.db"), store.Options{Clock: testClock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	items, err := knowledge.ParseItems("items.yaml", []byte(gapsItemsYAML))
	if err != nil {
		t.Fatal(err)
	}
	tr, err := knowledge.ParseTree("papiers.yaml", []byte(gapsTreeYAML))
	if err != nil {
		t.Fatal(err)
	}
	base := knowledge.NewBase(items, []*knowledge.Tree{tr}, nil)
	if p := knowledge.Validate(base); len(p) > 0 {
		t.Fatal(p)
	}
	if _, err := st.PublishTree(ctx, tr); err != nil {
		t.Fatal(err)
	}
	now := testClock()
	who := func(u string) bot.Address { return bot.Address{Platform: "discord", Channel: "dm", User: u} }
	events := []bot.UsageEvent{
		{At: now.Add(-time.Hour), Kind: bot.UsageNotUnderstood, Address: who("alice-secret-id"), Text: "carte grise perdue", Jurisdiction: "FR", Lang: "fr"},
		{At: now.Add(-2 * time.Hour), Kind: bot.UsageUnsure, Address: who("bob-secret-id"), Text: "perdu ma carte grise, écrivez à jean.dupont@example.org", Jurisdiction: "FR", Lang: "fr"},
		{At: now.Add(-3 * time.Hour), Kind: bot.UsageNotUnderstood, Address: who("carol-secret-id"), Text: "APL", Jurisdiction: "QC", Lang: "fr-CA"},
		{At: now.Add(-4 * time.Hour), Kind: bot.UsageNotUnderstood, Address: who("dan-secret-id"), Text: "<script>alert(1)</script> aide", Jurisdiction: "FR", Lang: "fr"},
		{At: now.Add(-5 * time.Hour), Kind: bot.UsageNotUnderstood, Address: who("eve-secret-id"), Text: "je l'ai égaré", Jurisdiction: "FR", Lang: "fr", TreeID: "papiers", Node: "situation-cni"},
		// Before the 7-day period, within the 30-day one.
		{At: now.Add(-10 * 24 * time.Hour), Kind: bot.UsageNotUnderstood, Address: who("frank-secret-id"), Text: "vieille question oubliée", Jurisdiction: "FR", Lang: "fr"},
		{At: now, Kind: bot.UsageNode, Address: who("alice-secret-id"), TreeID: "papiers", Node: "quel-document"},
		{At: now, Kind: bot.UsageNode, Address: who("bob-secret-id"), TreeID: "papiers", Node: "quel-document"},
		{At: now, Kind: bot.UsageNode, Address: who("carol-secret-id"), TreeID: "papiers", Node: "quel-document"},
		{At: now, Kind: bot.UsageNode, Address: who("dan-secret-id"), TreeID: "papiers", Node: "quel-document"},
		{At: now, Kind: bot.UsageChose, Address: who("alice-secret-id"), TreeID: "papiers", Node: "quel-document", Text: "Carte d'identité"},
	}
	if err := st.RecordUsage(ctx, events); err != nil {
		t.Fatal(err)
	}
	for i, c := range []struct {
		tree, topic, reason string
		rating              int
	}{
		{"papiers", "Papiers d'identité", "tree", 5},
		{"papiers", "Papiers d'identité", "asked", 4},
		{"", "Question générale", "misunderstood", 0},
	} {
		if _, err := st.OpenCase(ctx, bot.Case{Address: who("case-secret-" + string(rune('a'+i))), Queue: "general", Lang: "fr",
			Summary: bot.CaseSummary{Topic: c.topic, TreeID: c.tree, Reason: c.reason}, Satisfaction: c.rating, CreatedAt: now}); err != nil {
			t.Fatal(err)
		}
	}
	return &gapsFixture{st: st, lib: gapsLibrary{base: base, st: st}}
}

func (f *gapsFixture) server(t *testing.T, role Role) *Server {
	t.Helper()
	s, err := New(Config{RetentionDays: 30}, Deps{Now: testClock, Auth: fixedAuth{asUser(role)}, Audit: f.st, Library: f.lib, Gaps: f.st})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestGapReport(t *testing.T) {
	f := newGaps(t)
	w := get(t, f.server(t, RoleEditor), "/admin/gaps?days=7")
	body := w.Body.String()
	if w.Code != http.StatusOK {
		t.Fatalf("got %d:\n%s", w.Code, body)
	}
	for _, want := range []string{
		"<h1>Remontées d&#39;usages</h1>",
		// One group of two for the lost registration certificate, first.
		"<td><strong>2</strong>",
		"carte grise perdue",
		// The e-mail stored unmasked (a rule added since) is masked here.
		"écrivez à [e-mail]",
		// A script typed by someone is text.
		"&lt;script&gt;alert(1)&lt;/script&gt; aide",
		"<td>fr-CA<br>QC</td>",
		// Drop-off: asked 4 times, a choice once, 3 stops, 75 %.
		"Quel document vous faut-il ?", `<td class="num">4</td><td class="num">1</td><td class="num">3</td><td class="num">75 %</td>`,
		// Escalations and satisfaction per topic.
		"<th scope=\"row\">Papiers d&#39;identité</th>", "Question générale", "Prévu par le parcours", "Après des incompréhensions",
		"<strong>4,5</strong>",
		// Editors get the actions.
		`action="/admin/gaps/item"`, "/admin/gaps/keyword?",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	for _, bad := range []string{"jean.dupont", "example.org", "<script>alert", "secret", "vieille question"} {
		if strings.Contains(body, bad) {
			t.Errorf("page shows %q", bad)
		}
	}
	// « APL » is a group of its own: apart from the cards.
	if i, j := strings.Index(body, "carte grise perdue"), strings.Index(body, "<li>APL</li>"); i < 0 || j < 0 || strings.Count(body[i:j], "<tr>") != 1 {
		t.Errorf("APL is not in a row of its own after the cards")
	}
}

func TestGapReportPeriods(t *testing.T) {
	f := newGaps(t)
	s := f.server(t, RoleViewer)
	w := get(t, s, "/admin/gaps?days=30")
	if !strings.Contains(w.Body.String(), "vieille question") {
		t.Error("a 30-day period leaves out a 10-day-old question")
	}
	if strings.Contains(w.Body.String(), "days=90") {
		t.Error("a period beyond the 30-day retention is offered")
	}
	// A longer period asked for is cut to the retention period.
	w = get(t, s, "/admin/gaps?days=365")
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "(30 derniers jours)") {
		t.Errorf("days=365: %d, not cut to 30 days", w.Code)
	}
	if w := get(t, s, "/admin/gaps?days=beaucoup"); w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "Cette période n&#39;est pas proposée") {
		t.Errorf("days=beaucoup: %d", w.Code)
	}
	// A viewer reads; the draft actions are not shown.
	if body := w.Body.String(); strings.Contains(body, `action="/admin/gaps/item"`) {
		t.Error("a viewer is shown the draft actions")
	}
}

func TestGapDraftActionsNeedEditorAndCSRF(t *testing.T) {
	f := newGaps(t)
	ctx := context.Background()
	form := url.Values{"csrf": {"tok"}, "q": {"carte grise perdue"}, "jurisdiction": {"FR"}}
	if w := post(t, f.server(t, RoleViewer), "/admin/gaps/item", form); w.Code != http.StatusForbidden {
		t.Errorf("a viewer posting a draft item: %d", w.Code)
	}
	kw := url.Values{"csrf": {"tok"}, "choice": {choiceValue("papiers", "situation-cni", 1)}, "keyword": {"égaré"}}
	if w := post(t, f.server(t, RoleViewer), "/admin/gaps/keyword", kw); w.Code != http.StatusForbidden {
		t.Errorf("a viewer posting a keyword: %d", w.Code)
	}
	if w := get(t, f.server(t, RoleViewer), "/admin/gaps/keyword?q=x"); w.Code != http.StatusForbidden {
		t.Errorf("a viewer opening the keyword form: %d", w.Code)
	}
	editor := f.server(t, RoleEditor)
	form.Set("csrf", "")
	if w := post(t, editor, "/admin/gaps/item", form); w.Code != http.StatusForbidden {
		t.Errorf("no CSRF token: %d", w.Code)
	}
	kw.Set("csrf", "wrong")
	if w := post(t, editor, "/admin/gaps/keyword", kw); w.Code != http.StatusForbidden {
		t.Errorf("a wrong CSRF token: %d", w.Code)
	}
	for _, kind := range []string{"item", "tree"} {
		if ds, err := f.st.Drafts(ctx, kind, ""); err != nil || len(ds) != 0 {
			t.Errorf("%s drafts written by refused requests: %+v, %v", kind, ds, err)
		}
	}
}

func TestGapStartsADraftItem(t *testing.T) {
	f := newGaps(t)
	ctx := context.Background()
	s := f.server(t, RoleEditor)
	form := url.Values{"csrf": {"tok"}, "q": {"carte grise perdue 06 12 34 56 78"}, "jurisdiction": {"FR"}, "lang": {"fr"}}
	w := post(t, s, "/admin/gaps/item", form)
	// The published item « carte-grise-perdue » keeps its id.
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/admin/items/carte-grise-perdue-2/edit?done=gap_item" {
		t.Fatalf("got %d %q", w.Code, w.Header().Get("Location"))
	}
	d, err := f.st.Draft(ctx, "item", "carte-grise-perdue-2", "camille")
	if err != nil {
		t.Fatal(err)
	}
	var it knowledge.Item
	if err := json.Unmarshal([]byte(d.Body), &it); err != nil {
		t.Fatal(err)
	}
	if it.ID != "carte-grise-perdue-2" || it.Title != "Carte grise perdue [tel]" || it.Jurisdiction != "FR" ||
		!slices.Equal(it.Keywords, []string{"carte", "grise", "perdue"}) || d.BaseVersion != 0 {
		t.Errorf("draft item = %+v (base %d)", it, d.BaseVersion)
	}
	// Again: a draft holds that id now.
	w = post(t, s, "/admin/gaps/item", form)
	if w.Header().Get("Location") != "/admin/items/carte-grise-perdue-3/edit?done=gap_item" {
		t.Errorf("second draft: %q", w.Header().Get("Location"))
	}
	log, err := f.st.AuditLog(ctx, 0, 10)
	if err != nil || len(log) != 2 || log[0].Action != "item.draft_from_gap" || log[0].Actor != "camille" || strings.Contains(log[0].Detail, "06 12") {
		t.Errorf("audit log = %+v, %v", log, err)
	}
	// A question without words starts nothing.
	if w := post(t, s, "/admin/gaps/item", url.Values{"csrf": {"tok"}, "q": {"06 12 34 56 78 ???"}}); w.Code != http.StatusBadRequest {
		t.Errorf("a question without words: %d", w.Code)
	}
}

func TestGapAddsAKeywordToATreeChoice(t *testing.T) {
	f := newGaps(t)
	ctx := context.Background()
	s := f.server(t, RoleEditor)
	w := get(t, s, "/admin/gaps/keyword?q=je+l%27ai+%C3%A9gar%C3%A9&tree=papiers&node=situation-cni")
	body := w.Body.String()
	if w.Code != http.StatusOK {
		t.Fatalf("form: %d\n%s", w.Code, body)
	}
	for _, want := range []string{
		`<optgroup label="Papiers d&#39;identité › Quelle est votre situation ?">`,
		`value="egare"`, `<label for="kw-choice">`, `<label for="kw-word">`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("form lacks %q", want)
		}
	}
	// The node where the question was asked is preselected.
	if !strings.Contains(body, `<option value="choice=0&amp;node=situation-cni&amp;tree=papiers" selected>`) || strings.Count(body, "\" selected>") != 2 {
		t.Errorf("the question's node is not the one preselected")
	}

	kw := url.Values{"csrf": {"tok"}, "choice": {choiceValue("papiers", "situation-cni", 1)}, "keyword": {"égaré"}}
	w = post(t, s, "/admin/gaps/keyword", kw)
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/admin/trees/papiers/nodes/situation-cni?done=gap_keyword" {
		t.Fatalf("got %d %q", w.Code, w.Header().Get("Location"))
	}
	kw.Set("keyword", "je l'ai paumé")
	post(t, s, "/admin/gaps/keyword", kw)
	d, err := f.st.Draft(ctx, "tree", "papiers", "camille")
	if err != nil {
		t.Fatal(err)
	}
	var tr knowledge.Tree
	if err := json.Unmarshal([]byte(d.Body), &tr); err != nil {
		t.Fatal(err)
	}
	// The second keyword went into the draft the first one started.
	if got := tr.Nodes["situation-cni"].Choices[1].Keywords; !slices.Equal(got, []string{"perdu", "égaré", "je l'ai paumé"}) || d.BaseVersion != 1 {
		t.Errorf("keywords %q, base version %d", got, d.BaseVersion)
	}
	// The published tree is untouched.
	if pub, _ := f.lib.base.Tree("papiers"); len(pub.Nodes["situation-cni"].Choices[1].Keywords) != 1 {
		t.Errorf("the published tree was changed: %q", pub.Nodes["situation-cni"].Choices[1].Keywords)
	}
	if log, err := f.st.AuditLog(ctx, 0, 10); err != nil || len(log) != 2 || log[0].Action != "tree.keyword_from_gap" || log[0].Object != "papiers" {
		t.Errorf("audit log = %+v, %v", log, err)
	}

	for name, bad := range map[string]url.Values{
		"no keyword":      {"csrf": {"tok"}, "choice": {choiceValue("papiers", "situation-cni", 1)}, "keyword": {"  "}},
		"a phone number":  {"csrf": {"tok"}, "choice": {choiceValue("papiers", "situation-cni", 1)}, "keyword": {"06 12 34 56 78"}},
		"no such choice":  {"csrf": {"tok"}, "choice": {choiceValue("papiers", "situation-cni", 7)}, "keyword": {"x"}},
		"no such tree":    {"csrf": {"tok"}, "choice": {choiceValue("logement", "start", 0)}, "keyword": {"x"}},
		"a garbled value": {"csrf": {"tok"}, "choice": {"%zz"}, "keyword": {"x"}},
	} {
		if w := post(t, s, "/admin/gaps/keyword", bad); w.Code != http.StatusBadRequest {
			t.Errorf("%s: %d", name, w.Code)
		}
	}
}
