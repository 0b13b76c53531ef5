package admin

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/boussole/boussole/internal/browsertest"
	"github.com/boussole/boussole/knowledge"
)

// The item form saves the draft as the editor types: the problems come
// beside their field and the preview follows, without a reload.
func TestItemFormSavesAsYouType(t *testing.T) {
	ctx := browsertest.Start(t)
	e := newItemsEnv(t)
	e.as(RoleEditor)
	srv := httptest.NewServer(e.srv)
	defer srv.Close()
	if err := browsertest.Do(ctx, chromedp.Navigate(srv.URL+"/admin/items/cni-perte/edit"), chromedp.WaitReady(chromedp.CSS("main"))); err != nil {
		t.Fatal(err)
	}
	// Typed, as far as the page can tell: each change fires input.
	if _, err := browsertest.Get(ctx, chromedp.Evaluate[bool](`(() => {
		for (const [id, v] of [["f-sources", ""], ["f-title", "Carte d'identité égarée"]]) {
			const el = document.getElementById(id);
			el.value = v;
			el.dispatchEvent(new Event("input", {bubbles: true}));
		}
		return true;
	})()`)); err != nil {
		t.Fatal(err)
	}
	if err := browsertest.Until(ctx, `document.getElementById("p-sources").textContent.includes("no official source")`); err != nil {
		t.Fatal(err)
	}
	if err := browsertest.Until(ctx, `document.querySelector("#item-preview .msg.bot").textContent.startsWith("Carte d'identité égarée")`); err != nil {
		t.Fatal(err)
	}
	if err := browsertest.Until(ctx, `(s => s !== "" && s !== document.getElementById("item-form").dataset.saveFailed)(document.getElementById("item-save-status").textContent)`); err != nil {
		t.Fatal(err)
	}
	d, err := e.core.Store.Draft(context.Background(), "item", "cni-perte", "camille")
	if err != nil {
		t.Fatal(err)
	}
	var it knowledge.Item
	if err := json.Unmarshal([]byte(d.Body), &it); err != nil || it.Title != "Carte d'identité égarée" || len(it.Sources) != 0 {
		t.Errorf("draft: %+v %v", it, err)
	}
	// Fixed, the problem goes away.
	if _, err := browsertest.Get(ctx, chromedp.Evaluate[bool](`(() => {
		const el = document.getElementById("f-sources");
		el.value = "https://www.service-public.fr/particuliers/vosdroits/F1341";
		el.dispatchEvent(new Event("input", {bubbles: true}));
		return true;
	})()`)); err != nil {
		t.Fatal(err)
	}
	if err := browsertest.Until(ctx, `document.getElementById("p-sources").textContent === ""`); err != nil {
		t.Fatal(err)
	}
}
