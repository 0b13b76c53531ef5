package admin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/boussole/boussole/bot/store"
	"github.com/boussole/boussole/knowledge"
)

// draftPos is the position a draft is validated at: the validator gives
// an item's problems its position, so this one tells the draft's
// problems from those the rest of the knowledge already had.
var draftPos = knowledge.Pos{File: "(draft)", Line: 1}

// newItemID is what a new item's id may be: it is a path segment of the
// admin's addresses and a word an editor types in a tree (answer: id).
var newItemID = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// working is an item as its editor finds it: their draft, else the
// published item, else (a new item) the newest draft someone else began.
type working struct {
	ID        string
	Item      *knowledge.Item
	Published *knowledge.Item // nil: never published
	Mine      *store.Draft
	Others    []store.Draft
	// Latest is the newest published version (0: none).
	Latest int
}

// load finds the item id as author edits it; ok false when there is
// nothing of that id (no item, no draft).
func (p *itemPages) load(ctx context.Context, id, author string) (working, bool, error) {
	wk := working{ID: id}
	wk.Published, _ = p.published(id)
	if p.s.d.Drafts != nil {
		all, err := p.s.d.Drafts.Drafts(ctx, draftKind, id)
		if err != nil {
			return wk, false, fmt.Errorf("load drafts of item %s: %w", id, err)
		}
		for _, d := range all {
			if d.Author == author {
				wk.Mine = &d
			} else {
				wk.Others = append(wk.Others, d)
			}
		}
	}
	if p.s.d.Library != nil && (wk.Published == nil || wk.Published.Origin == "") {
		vs, err := p.s.d.Library.ItemVersions(ctx, id)
		if err != nil {
			return wk, false, fmt.Errorf("load versions of item %s: %w", id, err)
		}
		if len(vs) > 0 {
			wk.Latest = vs[0].Version
		}
	}
	from := []*store.Draft{wk.Mine}
	if wk.Published == nil && len(wk.Others) > 0 {
		// A new item someone else began (the gap report's « start a draft
		// item »): the editor goes on from it in a draft of their own.
		from = append(from, &wk.Others[0])
	}
	for _, d := range from {
		if d == nil {
			continue
		}
		var it knowledge.Item
		if err := json.Unmarshal([]byte(d.Body), &it); err != nil {
			p.s.d.Log.Error("admin: unreadable item draft", "item", id, "author", d.Author, "err", err)
			continue
		}
		it.ID = id
		wk.Item = &it
		return wk, true, nil
	}
	if wk.Published != nil {
		c := *wk.Published
		wk.Item = &c
		return wk, true, nil
	}
	return wk, false, nil
}

// check is what the validator says of a draft.
type check struct {
	// Fields are the problems that stop publication, by form field.
	Fields map[string][]string `json:"fields"`
	// Warnings are knowledge.Review's remarks (a review date too old…):
	// they never stop publication.
	Warnings map[string][]string `json:"warnings"`
	// General are the problems of no field of the form, and those the
	// draft causes elsewhere (a tree now answering with an item of
	// another jurisdiction).
	General []string `json:"general"`
}

// Blocking says whether a problem stops publication.
func (c check) Blocking() bool { return len(c.Fields) > 0 || len(c.General) > 0 }

// Count is the number of problems that stop publication.
func (c check) Count() int {
	n := len(c.General)
	for _, ps := range c.Fields {
		n += len(ps)
	}
	return n
}

// check validates it in place of the published item of its id, with the
// problems the form itself found (a date that is not one) by field.
func (p *itemPages) check(it *knowledge.Item, form map[string][]string) check {
	c := check{Fields: map[string][]string{}, Warnings: map[string][]string{}}
	for f, ps := range form {
		c.Fields[f] = append(c.Fields[f], ps...)
	}
	draft := *it
	draft.Pos = draftPos
	b := p.base()
	var before map[string]bool
	for _, pr := range knowledge.Validate(b.WithItem(&draft)) {
		if pr.Pos == draftPos {
			f := problemField(pr.Msg, it.ID)
			c.Fields[f] = append(c.Fields[f], pr.Msg)
			continue
		}
		if before == nil {
			before = map[string]bool{}
			for _, old := range knowledge.Validate(b) {
				before[old.String()] = true
			}
		}
		if !before[pr.String()] {
			c.General = append(c.General, pr.String())
		}
	}
	for _, pr := range knowledge.Review(knowledge.NewBase([]*knowledge.Item{&draft}, nil, nil), p.s.d.Now()) {
		f := problemField(pr.Msg, it.ID)
		c.Warnings[f] = append(c.Warnings[f], pr.Msg)
	}
	// Problems of no field of the form go to the top of the form.
	c.General = append(c.General, c.Fields[""]...)
	delete(c.Fields, "")
	// Review speaks of dates only for one item: a remark of no field
	// would be about its review date.
	if ws, ok := c.Warnings[""]; ok {
		c.Warnings["reviewed"] = append(c.Warnings["reviewed"], ws...)
		delete(c.Warnings, "")
	}
	return c
}

// fieldPatterns map the validator's messages (knowledge/validate.go) to
// the form field they are about, first match wins: « online link » before
// « source », which its messages also hold.
var fieldPatterns = []struct{ needle, field string }{
	{"online link", "online"},
	{"has no id", "id"},
	{"item id ", "id"},
	{"has no kind", "kind"},
	{"unknown kind", "kind"},
	{"has no title", "title"},
	{"has no summary", "summary"},
	{"official source url", "sources"},
	{": source ", "sources"},
	{"empty entry in sources", "sources"},
	{"review date", "reviewed"},
	{"last checked", "reviewed"},
	{"due for review", "reviewed"},
	{"emergency number without a number", "phone"},
	{"unknown audience", "audience"},
	{"empty entry in audience", "audience"},
	{"empty entry in steps", "steps"},
	{"empty entry in documents", "documents"},
	{"empty entry in keywords", "keywords"},
	{"empty entry in synonyms", "synonyms"},
	{"has no emergency number", "jurisdiction"},
	{"replaces", "replaces"},
}

// problemField is the form field a validator message about item id is
// about, "" for none. The item's name is taken out first: an id is the
// editor's words and may hold anything.
func problemField(msg, id string) string {
	m := strings.ToLower(strings.Replace(msg, fmt.Sprintf("item %q", id), "item", 1))
	for _, p := range fieldPatterns {
		if strings.Contains(m, p.needle) {
			return p.field
		}
	}
	return ""
}

// itemFromForm is from with the form's fields, and the problems of
// fields that could not be read. Fields the form does not show (an
// emergency number's dangers, a place's address) are kept from from.
func (p *itemPages) itemFromForm(r *http.Request, from *knowledge.Item) (*knowledge.Item, map[string][]string) {
	it := *from
	probs := map[string][]string{}
	// A script's request carries its token in a header: the body may not
	// be parsed yet.
	if err := r.ParseForm(); err != nil {
		probs[""] = append(probs[""], p.s.T(r, "item_err_form"))
	}
	f := r.PostForm
	text := func(k string) string { return strings.TrimSpace(f.Get(k)) }
	it.Kind = knowledge.Kind(text("kind"))
	it.Title, it.TitleEN = text("title"), text("title_en")
	it.Summary, it.SummaryEN = text("summary"), text("summary_en")
	it.Audience = nil
	for _, a := range knowledge.Audiences() {
		if slices.Contains(f["audience"], a) {
			it.Audience = append(it.Audience, a)
		}
	}
	it.Jurisdiction = text("jurisdiction")
	it.Steps, it.StepsEN = itemLines(f.Get("steps")), itemLines(f.Get("steps_en"))
	it.Documents = itemLines(f.Get("documents"))
	it.Where.Online = nil
	labels, urls := f["online_label"], f["online_url"]
	for i := range max(len(labels), len(urls)) {
		var l knowledge.Link
		if i < len(labels) {
			l.Label = strings.TrimSpace(labels[i])
		}
		if i < len(urls) {
			l.URL = strings.TrimSpace(urls[i])
		}
		if l.Label != "" || l.URL != "" {
			it.Where.Online = append(it.Where.Online, l)
		}
	}
	it.Where.Office, it.Where.Phone = text("office"), text("phone")
	it.Cost, it.Delay = text("cost"), text("delay")
	it.Keywords, it.Synonyms = itemLines(f.Get("keywords")), itemLines(f.Get("synonyms"))
	it.Sources = itemLines(f.Get("sources"))
	it.Replaces = itemLines(f.Get("replaces"))
	it.Reviewed = knowledge.Date{}
	if s := text("reviewed"); s != "" {
		d, err := knowledge.ParseDate(s)
		if err != nil {
			probs["reviewed"] = append(probs["reviewed"], p.s.T(r, "item_err_date", "value", s))
		}
		it.Reviewed = d
	}
	it.ReviewEvery = 0
	if s := text("review_every"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 || n > 120 {
			probs["review_every"] = append(probs["review_every"], p.s.T(r, "item_err_review_every", "value", s))
		} else {
			it.ReviewEvery = n
		}
	}
	return &it, probs
}

// itemLines are the non-empty lines of a text area, trimmed: an empty
// line is a leftover of editing, not an entry. Commas stay: a step or a
// document often holds one.
func itemLines(s string) []string {
	var out []string
	for l := range strings.SplitSeq(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// itemEdit is the edit page's data.
type itemEdit struct {
	ID string
	// Creating says the item has no id yet (the form of a new item).
	Creating bool
	Item     *knowledge.Item

	// Form values, as the fields show them.
	Audiences     []checkbox
	Kinds         []knowledge.Kind
	Jurisdictions []string
	Online        []knowledge.Link
	Steps         string
	StepsEN       string
	Documents     string
	Keywords      string
	Synonyms      string
	Sources       string
	Replaces      string
	Reviewed      string
	ReviewEvery   string

	Check   check
	Preview []bubbleSet
	Mine    *store.Draft
	Others  []store.Draft
	Latest  int
	// Behind says a version was published after the editor's draft began.
	Behind bool
	// Saved says the draft was just saved; Refused that publication was
	// refused (with Check's problems, or NoMessage: without a message).
	Saved, Refused, NoMessage bool
	Message                   string
}

// fieldProblems are the problems and remarks shown beside one field.
type fieldProblems struct {
	Name             string
	Errors, Warnings []string
}

// P are the problems and remarks of field name.
func (d itemEdit) P(name string) fieldProblems {
	return fieldProblems{Name: name, Errors: d.Check.Fields[name], Warnings: d.Check.Warnings[name]}
}

// checkbox is one box of a set.
type checkbox struct {
	Value   string
	Checked bool
}

// editData fills the edit page for it.
func (p *itemPages) editData(wk working, it *knowledge.Item, c check) itemEdit {
	j := []string{"FR", "QC"}
	for _, other := range p.base().Items {
		if other != nil && other.Jurisdiction != "" && !slices.Contains(j, other.Jurisdiction) {
			j = append(j, other.Jurisdiction)
		}
	}
	if it.Jurisdiction != "" && !slices.Contains(j, it.Jurisdiction) {
		j = append(j, it.Jurisdiction)
	}
	d := itemEdit{ID: wk.ID, Creating: wk.ID == "", Item: it, Kinds: knowledge.Kinds(), Jurisdictions: j,
		Steps: strings.Join(it.Steps, "\n"), StepsEN: strings.Join(it.StepsEN, "\n"), Documents: strings.Join(it.Documents, "\n"),
		Keywords: strings.Join(it.Keywords, "\n"), Synonyms: strings.Join(it.Synonyms, "\n"), Sources: strings.Join(it.Sources, "\n"),
		Replaces: strings.Join(it.Replaces, "\n"), Reviewed: it.Reviewed.String(), Check: c, Preview: p.previews(it),
		Mine: wk.Mine, Others: wk.Others, Latest: wk.Latest}
	if it.ReviewEvery > 0 {
		d.ReviewEvery = strconv.Itoa(it.ReviewEvery)
	}
	for _, a := range knowledge.Audiences() {
		d.Audiences = append(d.Audiences, checkbox{a, slices.Contains(it.Audience, a)})
	}
	// Two empty rows for new links: no script needed to add one.
	d.Online = append(slices.Clone(it.Where.Online), knowledge.Link{}, knowledge.Link{})
	d.Behind = wk.Mine != nil && wk.Latest > wk.Mine.BaseVersion
	return d
}

// newForm is the form of a new item.
func (p *itemPages) newForm(w http.ResponseWriter, r *http.Request, sess Session) {
	it := &knowledge.Item{Kind: knowledge.KindProcedure}
	p.s.render(w, r, sess, http.StatusOK, "item_edit.html", "item_new_title", p.editData(working{}, it, check{}))
}

// create starts the draft of a new item and opens its form.
func (p *itemPages) create(w http.ResponseWriter, r *http.Request, sess Session) {
	id := strings.TrimSpace(r.PostFormValue("id"))
	it, probs := p.itemFromForm(r, &knowledge.Item{})
	it.ID = id
	_, exists := p.published(id)
	switch {
	case id == "":
		probs["id"] = append(probs["id"], p.s.T(r, "item_err_id_empty"))
	case !newItemID.MatchString(id) || id == "new":
		probs["id"] = append(probs["id"], p.s.T(r, "item_err_id_chars"))
	case exists:
		probs["id"] = append(probs["id"], p.s.T(r, "item_err_id_used"))
	}
	if len(probs["id"]) > 0 {
		p.s.render(w, r, sess, http.StatusUnprocessableEntity, "item_edit.html", "item_new_title",
			p.editData(working{}, it, check{Fields: probs}))
		return
	}
	if err := p.saveDraft(r.Context(), sess, working{ID: id}, it); err != nil {
		p.s.d.Log.Error("admin: save new item draft", "item", id, "err", err)
		p.s.fail(w, r, sess, http.StatusInternalServerError, "err_internal")
		return
	}
	p.s.audit(r, sess, "item.create", id, "", "")
	http.Redirect(w, r, Prefix+"/items/"+url.PathEscape(id)+"/edit", http.StatusSeeOther)
}

// editable loads the item of the request's path for editing, or answers
// (not found, an imported sheet, a failure) and returns ok false.
func (p *itemPages) editable(w http.ResponseWriter, r *http.Request, sess Session) (working, bool) {
	id := r.PathValue("id")
	wk, ok, err := p.load(r.Context(), id, sess.User.Login)
	switch {
	case err != nil:
		p.s.d.Log.Error("admin: load item", "item", id, "err", err)
		p.s.fail(w, r, sess, http.StatusInternalServerError, "err_internal")
		return wk, false
	case !ok:
		p.s.fail(w, r, sess, http.StatusNotFound, "err_not_found")
		return wk, false
	case wk.Published != nil && wk.Published.Origin != "":
		p.s.fail(w, r, sess, http.StatusForbidden, "item_err_imported")
		return wk, false
	}
	return wk, true
}

// edit is the form of an item: the editor's draft, checked, with the
// bot's answer beside it.
func (p *itemPages) edit(w http.ResponseWriter, r *http.Request, sess Session) {
	wk, ok := p.editable(w, r, sess)
	if !ok {
		return
	}
	p.s.render(w, r, sess, http.StatusOK, "item_edit.html", "item_edit_title", p.editData(wk, wk.Item, p.check(wk.Item, nil)))
}

// saveDraft writes author's draft of it: based on the version their
// draft began from, or the latest one for a new draft.
func (p *itemPages) saveDraft(ctx context.Context, sess Session, wk working, it *knowledge.Item) error {
	if p.s.d.Drafts == nil {
		return errors.New("save item draft: no drafts store")
	}
	c := *it
	c.Pos = knowledge.Pos{}
	body, err := json.Marshal(&c)
	if err != nil {
		return fmt.Errorf("save item draft %s: %w", it.ID, err)
	}
	base := wk.Latest
	if wk.Mine != nil {
		base = wk.Mine.BaseVersion
	}
	return p.s.d.Drafts.SaveDraft(ctx, store.Draft{Kind: draftKind, ObjectID: it.ID, Author: sess.User.Login,
		Body: string(body), BaseVersion: base, UpdatedAt: p.s.d.Now()})
}

// saveReply is what auto-save answers the page's script.
type saveReply struct {
	check
	Saved   string `json:"saved"`
	Preview string `json:"preview"`
}

// save writes the editor's draft from the form: the page's script sends
// it as they type (and gets the problems and the preview back), the Save
// button without a script.
func (p *itemPages) save(w http.ResponseWriter, r *http.Request, sess Session) {
	wk, it, probs, ok := p.saveForm(w, r, sess)
	if !ok {
		return
	}
	c := p.check(it, probs)
	data := p.editData(wk, it, c)
	data.Saved = true
	if wantsJSON(r) {
		p.writeSaveReply(w, r, sess, data)
		return
	}
	p.s.render(w, r, sess, http.StatusOK, "item_edit.html", "item_edit_title", data)
}

// saveForm reads the item form into the editor's draft (answering the
// request itself when it cannot) and returns the draft with the form's
// own problems.
func (p *itemPages) saveForm(w http.ResponseWriter, r *http.Request, sess Session) (working, *knowledge.Item, map[string][]string, bool) {
	wk, ok := p.editable(w, r, sess)
	if !ok {
		return wk, nil, nil, false
	}
	it, probs := p.itemFromForm(r, wk.Item)
	it.ID = wk.ID
	if err := p.saveDraft(r.Context(), sess, wk, it); err != nil {
		p.s.d.Log.Error("admin: save item draft", "item", wk.ID, "err", err)
		p.s.fail(w, r, sess, http.StatusInternalServerError, "err_internal")
		return wk, nil, nil, false
	}
	if wk.Mine == nil {
		wk.Mine = &store.Draft{BaseVersion: wk.Latest}
	}
	return wk, it, probs, true
}

// writeSaveReply answers auto-save: the problems by field and the
// preview, written by the same template as the page's.
func (p *itemPages) writeSaveReply(w http.ResponseWriter, r *http.Request, sess Session, data itemEdit) {
	var b strings.Builder
	v := view{Lang: p.s.lang(r), srv: p.s, CSRF: sess.CSRF, Data: data}
	if err := p.s.pages["item_edit.html"].ExecuteTemplate(&b, "item_preview", v); err != nil {
		p.s.d.Log.Error("admin: render item preview", "err", err)
	}
	reply := saveReply{check: data.Check, Saved: p.s.T(r, "item_saved_at", "time", p.s.d.Now().Format("15:04:05")), Preview: b.String()}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if err := json.NewEncoder(w).Encode(reply); err != nil {
		p.s.d.Log.Warn("admin: write auto-save reply", "err", err)
	}
}

// discard deletes the editor's draft.
func (p *itemPages) discard(w http.ResponseWriter, r *http.Request, sess Session) {
	id := r.PathValue("id")
	if p.s.d.Drafts == nil {
		p.s.fail(w, r, sess, http.StatusInternalServerError, "err_internal")
		return
	}
	if err := p.s.d.Drafts.DeleteDraft(r.Context(), draftKind, id, sess.User.Login); err != nil {
		p.s.d.Log.Error("admin: discard item draft", "item", id, "err", err)
		p.s.fail(w, r, sess, http.StatusInternalServerError, "err_internal")
		return
	}
	p.s.audit(r, sess, "item.discard", id, "", "")
	if _, ok := p.published(id); ok {
		http.Redirect(w, r, Prefix+"/items/"+url.PathEscape(id)+"?done=item_discarded", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, Prefix+"/items?done=item_discarded", http.StatusSeeOther)
}

// publish saves the form as the editor's draft and publishes it when it
// is valid and says why; otherwise the form comes back with the problems.
func (p *itemPages) publish(w http.ResponseWriter, r *http.Request, sess Session) {
	wk, it, probs, ok := p.saveForm(w, r, sess)
	if !ok {
		return
	}
	msg := strings.TrimSpace(r.PostFormValue("message"))
	c := p.check(it, probs)
	refuse := func(c check) {
		data := p.editData(wk, it, c)
		data.Refused, data.NoMessage, data.Message = true, msg == "", msg
		p.s.render(w, r, sess, http.StatusUnprocessableEntity, "item_edit.html", "item_edit_title", data)
	}
	if c.Blocking() || msg == "" {
		refuse(c)
		return
	}
	v, err := p.publishItem(r.Context(), sess, it, msg)
	var ps knowledge.Problems
	switch {
	case errors.As(err, &ps):
		// The knowledge moved since the check (another publication).
		for _, pr := range ps {
			c.General = append(c.General, pr.String())
		}
		refuse(c)
		return
	case err != nil:
		p.s.d.Log.Error("admin: publish item", "item", wk.ID, "err", err)
		p.s.fail(w, r, sess, http.StatusInternalServerError, "err_internal")
		return
	}
	if err := p.s.d.Drafts.DeleteDraft(r.Context(), draftKind, wk.ID, sess.User.Login); err != nil {
		p.s.d.Log.Warn("admin: published item's draft not deleted", "item", wk.ID, "err", err)
	}
	p.s.audit(r, sess, "item.publish", wk.ID, fmt.Sprintf("version %d", v), msg)
	http.Redirect(w, r, Prefix+"/items/"+url.PathEscape(wk.ID)+"?done=item_published", http.StatusSeeOther)
}

// publishItem publishes it (without the draft's position) through the
// library.
func (p *itemPages) publishItem(ctx context.Context, sess Session, it *knowledge.Item, msg string) (int, error) {
	if p.s.d.Library == nil {
		return 0, errors.New("publish item: no library")
	}
	c := *it
	c.Pos = knowledge.Pos{}
	return p.s.d.Library.PublishItem(ctx, &c, Publication{Author: sess.User.Login, Message: msg})
}

// review publishes the item as it is with today's review date: the
// editor checked it against its sources and found nothing to change.
func (p *itemPages) review(w http.ResponseWriter, r *http.Request, sess Session) {
	id := r.PathValue("id")
	pub, ok := p.published(id)
	switch {
	case !ok:
		p.s.fail(w, r, sess, http.StatusNotFound, "err_not_found")
		return
	case pub.Origin != "":
		p.s.fail(w, r, sess, http.StatusForbidden, "item_err_imported")
		return
	}
	it := *pub
	today, _ := knowledge.ParseDate(p.s.d.Now().Format(time.DateOnly))
	it.Reviewed = today
	msg := p.s.T(r, "item_review_message", "date", today.String())
	v, err := p.publishItem(r.Context(), sess, &it, msg)
	if err != nil {
		p.publishFailed(w, r, sess, id, err)
		return
	}
	p.s.audit(r, sess, "item.review", id, fmt.Sprintf("version %d", v), msg)
	http.Redirect(w, r, Prefix+"/items/"+url.PathEscape(id)+"?done=item_reviewed", http.StatusSeeOther)
}

// publishFailed shows why a publication made without a form (review,
// rollback) was refused.
func (p *itemPages) publishFailed(w http.ResponseWriter, r *http.Request, sess Session, id string, err error) {
	var ps knowledge.Problems
	if !errors.As(err, &ps) {
		p.s.d.Log.Error("admin: publish item", "item", id, "err", err)
		p.s.fail(w, r, sess, http.StatusInternalServerError, "err_internal")
		return
	}
	msgs := make([]string, len(ps))
	for i, pr := range ps {
		msgs[i] = pr.String()
	}
	p.s.render(w, r, sess, http.StatusUnprocessableEntity, "item_refused.html", "item_refused_title", map[string]any{
		"ID": id, "Problems": msgs})
}
