package servicepublic

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/boussole/boussole/knowledge"
)

// Attribution is the notice the Licence Ouverte requires.
const Attribution = "Direction de l'information légale et administrative (DILA), service-public.fr — Licence Ouverte 2.0"

// Origin is the knowledge.Item Origin of imported sheets.
const Origin = "service-public"

// MaxSheetSize is the largest sheet accepted. The biggest real sheet is
// about 420 KB; anything near this bound is not a sheet.
const MaxSheetSize = 5 << 20

// MaxBody bounds Item.Body in bytes: enough for the text of all but the
// longest sheets once repeated blocks are dropped, small enough to keep a
// national catalogue's index in memory.
const MaxBody = 20000

// Errors of ParseSheet, for errors.Is.
var (
	// ErrMalformed: the file is not a well-formed sheet (invalid or
	// truncated XML, missing ID, title or date).
	ErrMalformed = errors.New("malformed sheet")
	// ErrTooLarge: the file is over MaxSheetSize.
	ErrTooLarge = errors.New("sheet too large")
	// ErrUnsupported: well-formed XML that is not a sheet of this format
	// (another root element).
	ErrUnsupported = errors.New("unsupported sheet")
)

// Root elements of the format.
const (
	rootPublication = "Publication"
	rootResource    = "ServiceComplementaire"
)

// ParseSheet decodes one sheet. A malformed sheet returns an error saying
// why (no panic). name is only used in the error message.
func ParseSheet(name string, data []byte) (*knowledge.Item, error) {
	it, _, err := parse(data)
	if err != nil {
		return nil, fmt.Errorf("parse sheet %s: %w", name, err)
	}
	return it, nil
}

// sheetMeta is what Read needs to know of a sheet beyond its item.
type sheetMeta struct {
	// published is true when the sheet has its spUrl. The sheets
	// without one are older copies (schema 3.0) left in the catalogue
	// next to the current ones: between two copies of the same date, the
	// published one wins.
	published bool
	// root is the audience the breadcrumb starts from, as DILA names it
	// ("particuliers"), or "": the catalogue (zip) the copy comes from.
	root string
}

// parse is ParseSheet without the name in errors, so that Read's skip
// reasons do not repeat it.
func parse(data []byte) (*knowledge.Item, sheetMeta, error) {
	if len(data) > MaxSheetSize {
		return nil, sheetMeta{}, fmt.Errorf("%w: %s, over the %s limit", ErrTooLarge, byteSize(int64(len(data))), byteSize(MaxSheetSize))
	}
	root, err := decodeTree(data)
	if err != nil {
		return nil, sheetMeta{}, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	if root.space != "" || (root.name != rootPublication && root.name != rootResource) {
		return nil, sheetMeta{}, fmt.Errorf("%w: root element <%s>, want <%s> or <%s>", ErrUnsupported, clip(root.qname()), rootPublication, rootResource)
	}
	it, err := mapSheet(root)
	meta := sheetMeta{published: cleanURL(root.attrVal("spUrl")) != ""}
	if i := audienceIndex(root.child("FilDAriane").child("Niveau").attrVal("ID")); i >= 0 {
		meta.root = audienceCodes[i].xml
	}
	return it, meta, err
}

// mapSheet turns a decoded sheet into an item; see the package doc for the
// mapping.
func mapSheet(root *node) (*knowledge.Item, error) {
	id := strings.TrimSpace(root.attrVal("ID"))
	if id == "" {
		return nil, fmt.Errorf("%w: missing ID attribute on <%s>", ErrMalformed, root.name)
	}
	if !validID(id) {
		return nil, fmt.Errorf("%w: invalid ID %q on <%s>", ErrMalformed, clip(id), root.name)
	}
	resource := root.name == rootResource
	it := &knowledge.Item{
		ID:           id,
		Kind:         knowledge.KindProcedure,
		Jurisdiction: "FR",
		Lang:         "fr",
		Attribution:  Attribution,
		Origin:       Origin,
		SheetType:    collapseString(root.attrVal("type")),
	}
	fil := root.child("FilDAriane")

	it.Title = cleanTitle(root.dc("title"))
	if it.Title == "" {
		// The breadcrumb's last level names the sheet too.
		for _, nv := range fil.children("Niveau") {
			if nv.attrVal("ID") == id {
				it.Title = cleanTitle(nv.textContent())
			}
		}
	}
	if it.Title == "" {
		return nil, fmt.Errorf("%w: %s has no title (dc:title)", ErrMalformed, id)
	}

	reviewed, err := reviewDate(root)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrMalformed, id, err)
	}
	it.Reviewed = reviewed

	aud, site := audiences(root, fil)
	it.Audience = aud
	it.Sources = []string{sourceURL(root.attrVal("spUrl"), site, id)}
	it.Themes = themes(root, fil, id)
	it.Situations = situations(root)
	it.Where = where(root, it.Title, resource)
	it.Related = related(root, id)
	it.Mentions = mentions(root, id)
	it.Glossary = glossary(root)
	it.Keywords = keywords(root)
	it.Body = body(root, resource)

	it.Summary = truncate(cleanTitle(root.dc("description")), 2*maxSummary)
	if it.Summary == "" {
		it.Summary = firstSentence(root.child("Introduction").textContent())
	}
	if it.Summary == "" {
		it.Summary = firstSentence(it.Body)
	}
	if it.Summary == "" {
		it.Summary = it.Title
	}
	return it, nil
}

// validID accepts the catalogue's ids (F1344, N358, R13630) and anything
// of the same shape, and refuses what could not be a key or a URL path.
func validID(id string) bool {
	if len(id) > 40 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// sheetRef reports whether s is a sheet id (F…, N…, R… and digits), as
// opposed to a breadcrumb key ("Particuliers") or a sub-dossier
// ("N358-1").
func sheetRef(s string) bool {
	if len(s) < 2 || len(s) > 12 || (s[0] != 'F' && s[0] != 'N' && s[0] != 'R') {
		return false
	}
	for i := 1; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// reviewDate reads dc:date ("modified 2020-08-26"), else the date of the
// last important change.
func reviewDate(root *node) (knowledge.Date, error) {
	if d, ok := findDate(root.dc("date")); ok {
		return d, nil
	}
	if d, ok := findDate(root.attrVal("dateDerniereModificationImportante")); ok {
		return d, nil
	}
	return knowledge.Date{}, errors.New("no review date (dc:date or dateDerniereModificationImportante)")
}

// findDate returns the first YYYY-MM-DD in s.
func findDate(s string) (knowledge.Date, bool) {
	for i := 0; i+10 <= len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			continue
		}
		if d, err := knowledge.ParseDate(s[i : i+10]); err == nil {
			return d, true
		}
	}
	return knowledge.Date{}, false
}

// audienceCodes maps the catalogue's audiences to knowledge audiences, in
// canonical order.
var audienceCodes = [...]struct{ xml, code, site string }{
	{"particuliers", "particulier", "particuliers"},
	{"professionnels", "professionnel", "professionnels-entreprises"},
	{"associations", "association", "associations"},
}

func audienceIndex(s string) int {
	s = strings.ToLower(strings.TrimSpace(s))
	for i, a := range audienceCodes {
		if s == a.xml {
			return i
		}
	}
	return -1
}

// audiences returns the sheet's audiences in canonical order and the site
// section (URL path) of the copy read: the breadcrumb's root, else the
// first audience.
func audiences(root, fil *node) (aud []string, site string) {
	var have [len(audienceCodes)]bool
	first := -1
	if nv := fil.child("Niveau"); nv != nil {
		if i := audienceIndex(nv.attrVal("ID")); i >= 0 {
			have[i], first = true, i
		}
	}
	for _, a := range root.children("Audience") {
		if i := audienceIndex(a.textContent()); i >= 0 {
			have[i] = true
			if first < 0 {
				first = i
			}
		}
	}
	for i, ok := range have {
		if ok {
			aud = append(aud, audienceCodes[i].code)
		}
	}
	if first < 0 {
		first = 0
	}
	return aud, audienceCodes[first].site
}

// sourceURL returns spUrl when it is an https URL of a host, else the
// sheet's address on service-public.fr.
func sourceURL(spURL, site, id string) string {
	if u := cleanURL(spURL); strings.HasPrefix(u, "https://") {
		return u
	}
	return "https://www.service-public.fr/" + site + "/vosdroits/" + id
}

// cleanURL returns s trimmed if it is an absolute http(s) URL with a host
// and no white space inside (what knowledge.Validate accepts and a chat
// client can open), else "".
func cleanURL(s string) string {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 2048 || strings.ContainsFunc(s, unicode.IsSpace) {
		return ""
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" {
		return ""
	}
	return s
}

// strSet collects distinct non-empty strings in insertion order.
type strSet struct {
	list []string
	seen map[string]bool
	fold bool // compare case-insensitively
}

func (s *strSet) key(v string) string {
	if s.fold {
		return strings.ToLower(v)
	}
	return v
}

func (s *strSet) has(v string) bool { return s.seen[s.key(v)] }

func (s *strSet) add(v string) {
	if v == "" || s.has(v) {
		return
	}
	if s.seen == nil {
		s.seen = map[string]bool{}
	}
	s.seen[s.key(v)] = true
	s.list = append(s.list, v)
}

// themes is the breadcrumb without its root, listing pages and the sheet,
// completed by the theme, sub-theme and dossier it lacks, broadest first.
func themes(root, fil *node, id string) []string {
	var crumbs strSet
	for _, nv := range fil.children("Niveau") {
		nid := nv.attrVal("ID")
		if nid == id || audienceIndex(nid) >= 0 || strings.HasPrefix(nv.attrVal("type"), "Liste") {
			continue
		}
		if t := cleanTitle(nv.textContent()); !strings.HasPrefix(t, "Accueil") {
			crumbs.add(t)
		}
	}
	out := crumbs.list
	insert := func(at int, t string) {
		out = append(out, "")
		copy(out[at+1:], out[at:])
		out[at] = t
		crumbs.seen[t] = true
	}
	if crumbs.seen == nil {
		crumbs.seen = map[string]bool{}
	}
	themeAt := -1
	for _, th := range root.children("Theme") {
		t := cleanTitle(th.child("Titre").textContent())
		if t == "" {
			continue
		}
		if !crumbs.seen[t] {
			insert(themeAt+1, t)
		}
		if themeAt < 0 {
			for i, x := range out {
				if x == t {
					themeAt = i
				}
			}
		}
	}
	if t := cleanTitle(root.child("SousThemePere").textContent()); t != "" && !crumbs.seen[t] {
		insert(themeAt+1, t)
	}
	if t := cleanTitle(root.child("DossierPere").child("Titre").textContent()); t != "" && !crumbs.seen[t] {
		out = append(out, t)
	}
	return out
}

// maxSituation is the longest case title kept as a situation: longer ones
// are sentences, not situations a citizen would pick.
const maxSituation = 80

// maxSituations bounds the list: a sheet with one case per region or per
// household size has more cases than a chat can offer.
const maxSituations = 30

// situations lists the sheet's tabs and outermost cases.
func situations(root *node) []string {
	var s strSet
	add := func(n *node) {
		if t := cleanTitle(n.child("Titre").textContent()); utf8.RuneCountInString(t) <= maxSituation {
			s.add(t)
		}
	}
	for _, ls := range root.children("ListeSituations") {
		for _, sit := range ls.children("Situation") {
			add(sit)
		}
	}
	root.walk(func(n *node) bool {
		switch {
		case n.isElem("BlocCas"):
			for _, c := range n.children("Cas") {
				add(c)
			}
			return false
		case n.isElem("Cas"):
			return false
		}
		return true
	})
	if len(s.list) > maxSituations {
		s.list = s.list[:maxSituations]
	}
	return s.list
}

// isCounter reports whether an OuSAdresser block is a place to go or to
// write to (a mairie, a Caf, a tribunal, the CFE), as opposed to a contact
// centre's phone line or a website's support.
func isCounter(o *node) bool {
	switch o.attrVal("type") {
	case "Centre de contact", "Support":
		return false
	}
	return true
}

// maxOffices bounds Where.Office: some sheets name one office per region
// ("Cert de Nevers; Cert de Quimper; …"), which is no answer to "where do I
// go"; the full list stays in Body.
const maxOffices = 5

// maxOnline bounds Where.Online for the same reason: the sheet's own
// services come first and are kept, one locator per region is not.
const maxOnline = 12

// where collects the online services and offices of a sheet.
func where(root *node, title string, resource bool) knowledge.Where {
	var w knowledge.Where
	seen := map[string]bool{}
	link := func(u, label string) {
		if u = cleanURL(u); u == "" || seen[u] {
			return
		}
		seen[u] = true
		if label == "" {
			label = title
		}
		w.Online = append(w.Online, knowledge.Link{Label: label, URL: u})
	}
	if resource {
		for _, lw := range root.children("LienWeb") {
			link(lw.attrVal("URL"), title)
		}
		for _, a := range root.children("ServiceEnLigneAnnexe") {
			if lw := a.child("LienWeb"); lw != nil {
				link(lw.attrVal("URL"), serviceLabel(a))
			}
		}
		for _, n := range root.children("NoticeLiee") {
			if t := n.textContent(); t != "" {
				link(n.attrVal("URL"), t+" (notice)")
			}
		}
	}
	// The sheet's own list of services comes first: it is DILA's choice
	// of what matters; links met in the text follow.
	for _, s := range root.children("ServiceEnLigne") {
		link(s.attrVal("URL"), serviceLabel(s))
	}
	root.walk(func(n *node) bool {
		if n.isElem("ServiceEnLigne") {
			link(n.attrVal("URL"), serviceLabel(n))
			return false
		}
		return true
	})
	// Blocks with a PivotLocal name a type of counter ("mairie", "caf"),
	// which is what Office means; they come first, then the named offices.
	typed, named := strSet{fold: true}, strSet{fold: true}
	office := func(o *node) {
		t := cleanTitle(o.child("Titre").textContent())
		for _, rw := range o.children("RessourceWeb") {
			link(rw.attrVal("URL"), t)
		}
		if !isCounter(o) {
			return
		}
		pivot := o.child("PivotLocal").textContent()
		if t == "" {
			t = pivotWords(pivot)
		}
		if pivot != "" {
			typed.add(t)
		} else {
			named.add(t)
		}
	}
	for _, o := range root.children("OuSAdresser") {
		office(o)
	}
	root.walk(func(n *node) bool {
		if n.isElem("OuSAdresser") {
			office(n)
			return false
		}
		return true
	})
	offices := typed
	for _, t := range named.list {
		offices.add(t)
	}
	if len(offices.list) > maxOffices {
		offices.list = offices.list[:maxOffices]
	}
	w.Office = strings.Join(offices.list, "; ")
	if len(w.Online) > maxOnline {
		w.Online = w.Online[:maxOnline]
	}
	return w
}

// serviceLabel is a ServiceEnLigne's title, saying what it is unless it is
// a plain online service.
func serviceLabel(n *node) string {
	t := cleanTitle(n.child("Titre").textContent())
	typ := collapseString(n.attrVal("type"))
	switch typ {
	case "", "Téléservice", "Téléservice personnalisé sur SP":
		return t
	case "Formulaire":
		if c := collapseString(n.attrVal("numerocerfa")); c != "" {
			return t + " (formulaire cerfa n°" + c + ")"
		}
		return t + " (formulaire)"
	}
	return t + " (" + strings.ToLower(typ) + ")"
}

// related lists the ids of the sheets a sheet points to, parents first.
func related(root *node, id string) []string {
	var s strSet
	add := func(v string) {
		if v = strings.TrimSpace(v); v != id && sheetRef(v) {
			s.add(v)
		}
	}
	for _, rel := range root.kids {
		if rel.space == "dc" && rel.name == "relation" {
			for _, f := range strings.FieldsFunc(rel.textContent(), func(r rune) bool { return r == ' ' || r == ',' || r == ';' }) {
				add(f)
			}
		}
	}
	add(root.child("DossierPere").attrVal("ID"))
	// Contents of a dossier or a thème.
	for _, k := range root.kids {
		switch {
		case k.isElem("Fiche"), k.isElem("Dossier"):
			add(k.attrVal("ID"))
		case k.isElem("SousDossier"), k.isElem("SousTheme"):
			for _, f := range k.kids {
				if f.isElem("Fiche") || f.isElem("Dossier") {
					add(f.attrVal("ID"))
				}
			}
		}
	}
	for _, k := range root.kids {
		switch {
		case k.isElem("QuestionReponse"), k.isElem("CommentFaireSi"), k.isElem("RechercheGuidee"),
			k.isElem("FicheLiee"), k.isElem("ServiceEnLigneAlternatif"):
			add(k.attrVal("ID"))
		case k.isElem("VoirAussi"):
			for _, f := range k.kids {
				if f.isElem("Fiche") || f.isElem("Dossier") {
					add(f.attrVal("ID"))
				}
			}
		}
	}
	root.walk(func(n *node) bool {
		switch {
		case n.isElem("ServiceEnLigne"):
			add(n.attrVal("ID"))
			return false
		case n.isElem("LienInterne"):
			add(n.attrVal("LienPublication"))
		}
		return true
	})
	return s.list
}

// maxLinkWords bounds the words of a mention: a link spanning a whole
// sentence says little about what it points to.
const maxLinkWords = 10

// mentions collects the sheet's internal links with their text, once per
// target and wording.
func mentions(root *node, id string) []knowledge.Mention {
	var out []knowledge.Mention
	seen := map[string]bool{}
	root.walk(func(n *node) bool {
		if !n.isElem("LienInterne") {
			return true
		}
		to := strings.TrimSpace(n.attrVal("LienPublication"))
		text := strings.Trim(cleanTitle(n.textContent()), " ,.;:!?«»\"'’")
		if to == id || !sheetRef(to) || text == "" || len(strings.Fields(text)) > maxLinkWords {
			return false
		}
		key := to + "\x00" + strings.ToLower(text)
		if !seen[key] {
			seen[key] = true
			out = append(out, knowledge.Mention{To: to, Text: text})
		}
		return false
	})
	return out
}

// glossary collects the sheet's abbreviations and definitions.
func glossary(root *node) []knowledge.Term {
	var out []knowledge.Term
	seen := map[string]bool{}
	root.walk(func(n *node) bool {
		abbr, def := n.isElem("Abreviation"), n.isElem("Definition")
		if !abbr && !def {
			return true
		}
		term := cleanTitle(n.child("Titre").textContent())
		text := truncate(n.child("Texte").textContent(), 2*maxSummary)
		key := strings.ToLower(term)
		if abbr {
			key = "\x00" + key
		}
		if term == "" || text == "" || seen[key] {
			return false
		}
		seen[key] = true
		if abbr {
			out = append(out, knowledge.Term{Term: term, Expansion: text})
		} else {
			out = append(out, knowledge.Term{Term: term, Definition: text})
		}
		return false
	})
	return out
}

// keywords are the sheet's own strong search terms.
func keywords(root *node) []string {
	s := strSet{fold: true}
	for _, k := range root.kids {
		switch {
		case k.isElem("RechercheGuidee"):
			s.add(cleanTitle(k.child("Titre").textContent()))
		case k.isElem("Abreviation"):
			s.add(cleanTitle(k.child("Titre").textContent()))
		case k.isElem("Cible"):
			for _, c := range strings.Split(k.textContent(), ",") {
				s.add(strings.TrimSpace(c))
			}
		case k.isElem("NumeroCerfa"):
			if c := k.textContent(); c != "" {
				s.add("cerfa " + c)
			}
		case k.isElem("AutreNumero"):
			for _, n := range formNumber(k.textContent()) {
				s.add(n)
			}
		}
	}
	return s.list
}

// formNumber turns another form number ("2074-DIR-SD", "S 5136h") into
// keywords: the number written as one word ("2074dirsd", "s5136h") and its
// parts holding a digit ("2074"). Its letter parts alone ("dir", "sd") are
// not keywords: as words they meet "dire" or "sd" in any question.
func formNumber(v string) []string {
	parts := strings.FieldsFunc(v, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	if len(parts) == 0 {
		return nil
	}
	out := []string{strings.Join(parts, "")}
	if len(parts) > 1 {
		for _, p := range parts {
			if strings.ContainsFunc(p, unicode.IsDigit) {
				out = append(out, p)
			}
		}
	}
	if !strings.ContainsFunc(out[0], unicode.IsDigit) {
		return out[1:] // no number at all ("A"): nothing to search by
	}
	return out
}

// pivotWords turns a PivotLocal code into words, for the rare office block
// without a title.
func pivotWords(code string) string {
	code = strings.TrimSpace(code)
	if w, ok := pivotNames[code]; ok {
		return w
	}
	return strings.ReplaceAll(code, "_", " ")
}

// pivotNames are the readable names of the most used PivotLocal codes.
var pivotNames = map[string]string{
	"mairie":                    "mairie",
	"mairie_passeport_bio":      "mairie délivrant des passeports",
	"prefecture":                "préfecture",
	"sous_pref":                 "sous-préfecture",
	"paris_ppp":                 "préfecture de police de Paris",
	"caf":                       "caisse d'allocations familiales (CAF)",
	"cpam":                      "caisse primaire d'assurance maladie (CPAM)",
	"msa":                       "mutualité sociale agricole (MSA)",
	"carsat":                    "caisse d'assurance retraite (Carsat)",
	"pole_emploi":               "Pôle emploi",
	"mission_locale":            "mission locale",
	"cap_emploi":                "Cap emploi",
	"msap":                      "France Services",
	"maison_handicapees":        "maison départementale des personnes handicapées (MDPH)",
	"centre_impots":             "service des impôts",
	"centre_impots_fonciers":    "centre des impôts fonciers",
	"sie":                       "service des impôts des entreprises (SIE)",
	"commissariat_police":       "commissariat de police ou gendarmerie",
	"ambassade_france_etranger": "ambassade ou consulat de France",
	"ambassade_etranger_france": "ambassade ou consulat étranger en France",
	"cg":                        "conseil départemental",
	"cr":                        "conseil régional",
	"mjd":                       "maison de justice et du droit",
	"ta":                        "tribunal administratif",
	"cour_appel":                "cour d'appel",
	"prudhommes":                "conseil de prud'hommes",
	"tribunal_commerce":         "greffe du tribunal de commerce",
	"notaire":                   "notaire",
	"avocat_conseil_national":   "avocat",
	"huissier_justice":          "huissier de justice",
	"adil":                      "agence départementale pour l'information sur le logement (ADIL)",
	"anah":                      "Agence nationale de l'habitat (Anah)",
	"ddpp":                      "direction départementale de la protection des populations",
	"ddt":                       "direction départementale des territoires",
	"urssaf":                    "Urssaf",
	"cci":                       "chambre de commerce et d'industrie (CCI)",
	"chambre_metier":            "chambre de métiers et de l'artisanat",
	"chambre_agriculture":       "chambre d'agriculture",
	"etablissement_scolaire":    "établissement scolaire",
	"crous":                     "Crous",
	"pmi":                       "centre de protection maternelle et infantile (PMI)",
	"permanence_juridique":      "permanence juridique",
	"conciliateur_justice":      "conciliateur de justice",
	"defenseur_droits":          "délégué du Défenseur des droits",
	"banque_de_france":          "Banque de France",
	"commission_surendettement": "commission de surendettement",
}

// byteSize formats a size for a skip reason.
func byteSize(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

// clip bounds a piece of input quoted in an error message.
func clip(s string) string { return truncate(s, 60) }
