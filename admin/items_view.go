package admin

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/boussole/boussole/bot/store"
	"github.com/boussole/boussole/knowledge"
)

// itemView is an item's page.
type itemView struct {
	Item     *knowledge.Item
	Imported bool
	// Unpublished says Item is a draft of a new item.
	Unpublished bool
	Due         bool
	Warnings    []string
	Preview     []bubbleSet
	Drafts      []store.Draft
}

// view shows an item as published, with the bot's answer in French and,
// when written, in English; a new item not published yet shows its
// newest draft.
func (p *itemPages) view(w http.ResponseWriter, r *http.Request, sess Session) {
	id := r.PathValue("id")
	var data itemView
	var err error
	if p.s.d.Drafts != nil {
		if data.Drafts, err = p.s.d.Drafts.Drafts(r.Context(), draftKind, id); err != nil {
			p.s.d.Log.Error("admin: load item drafts", "item", id, "err", err)
			p.s.fail(w, r, sess, http.StatusInternalServerError, "err_internal")
			return
		}
	}
	it, ok := p.published(id)
	if !ok {
		for _, d := range data.Drafts {
			var draft knowledge.Item
			if json.Unmarshal([]byte(d.Body), &draft) == nil {
				draft.ID = id
				it, ok, data.Unpublished = &draft, true, true
				break
			}
		}
	}
	if !ok {
		p.s.fail(w, r, sess, http.StatusNotFound, "err_not_found")
		return
	}
	data.Item, data.Imported = it, it.Origin != ""
	if !data.Imported {
		for _, pr := range knowledge.Review(knowledge.NewBase([]*knowledge.Item{it}, nil, nil), p.s.d.Now()) {
			data.Warnings = append(data.Warnings, pr.Msg)
		}
		data.Due = len(data.Warnings) > 0
	}
	data.Preview = p.previews(it)
	p.s.render(w, r, sess, http.StatusOK, "item.html", "item_page_title", data)
}

// itemHistory is the history page's data.
type itemHistory struct {
	ID       string
	Title    string
	Imported bool
	Versions []store.ItemVersionInfo
	// A and B are the versions compared (0: none), Diff their
	// difference.
	A, B int
	Diff *itemDiff
}

// history lists an item's versions, newest first, and compares two.
func (p *itemPages) history(w http.ResponseWriter, r *http.Request, sess Session) {
	id := r.PathValue("id")
	data := itemHistory{ID: id, Title: id}
	if it, ok := p.published(id); ok {
		data.Title, data.Imported = it.Title, it.Origin != ""
	}
	if p.s.d.Library == nil {
		p.s.fail(w, r, sess, http.StatusInternalServerError, "err_internal")
		return
	}
	vs, err := p.s.d.Library.ItemVersions(r.Context(), id)
	if err != nil {
		p.s.d.Log.Error("admin: item versions", "item", id, "err", err)
		p.s.fail(w, r, sess, http.StatusInternalServerError, "err_internal")
		return
	}
	if len(vs) == 0 && !data.Imported && data.Title == id {
		p.s.fail(w, r, sess, http.StatusNotFound, "err_not_found")
		return
	}
	data.Versions = vs
	q := r.URL.Query()
	data.A, _ = strconv.Atoi(q.Get("a"))
	data.B, _ = strconv.Atoi(q.Get("b"))
	if len(vs) >= 2 && data.A == 0 && data.B == 0 {
		// The last change, unless asked otherwise.
		data.A, data.B = vs[1].Version, vs[0].Version
	}
	if data.A > 0 && data.B > 0 {
		d, err := p.diff(r, id, data.A, data.B)
		if err != nil {
			p.s.d.Log.Warn("admin: item diff", "item", id, "err", err)
			p.s.fail(w, r, sess, http.StatusNotFound, "err_not_found")
			return
		}
		data.Diff = d
	}
	p.s.render(w, r, sess, http.StatusOK, "item_history.html", "item_history_title", data)
}

// rollback publishes an old version again, as a new version.
func (p *itemPages) rollback(w http.ResponseWriter, r *http.Request, sess Session) {
	id := r.PathValue("id")
	v, err := strconv.Atoi(r.PostFormValue("version"))
	if err != nil || v < 1 || p.s.d.Library == nil {
		p.s.fail(w, r, sess, http.StatusBadRequest, "item_err_version")
		return
	}
	if pub, ok := p.published(id); ok && pub.Origin != "" {
		p.s.fail(w, r, sess, http.StatusForbidden, "item_err_imported")
		return
	}
	old, err := p.s.d.Library.ItemVersion(r.Context(), id, v)
	if err != nil {
		p.s.d.Log.Warn("admin: rollback to a missing version", "item", id, "version", v, "err", err)
		p.s.fail(w, r, sess, http.StatusNotFound, "item_err_version")
		return
	}
	msg := strings.TrimSpace(r.PostFormValue("message"))
	if msg == "" {
		msg = p.s.T(r, "item_rollback_message", "version", strconv.Itoa(v))
	}
	nv, err := p.publishItem(r.Context(), sess, old, msg)
	if err != nil {
		p.publishFailed(w, r, sess, id, err)
		return
	}
	p.s.audit(r, sess, "item.rollback", id, fmt.Sprintf("version %d as version %d", v, nv), msg)
	http.Redirect(w, r, Prefix+"/items/"+url.PathEscape(id)+"/history?done=item_rolled_back", http.StatusSeeOther)
}
