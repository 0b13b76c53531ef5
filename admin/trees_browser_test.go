package admin

import (
	"encoding/json"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/boussole/boussole/internal/browsertest"
)

// The node form saves as the editor types, its problems come and go at
// their choice, and an item found by the search is added to a choice by
// a click, without leaving the page.
func TestNodeFormInTheBrowser(t *testing.T) {
	ctx := browsertest.Start(t)
	s, c := filesServer(t, RoleEditor)
	srv := httptest.NewServer(s)
	defer srv.Close()
	if err := browsertest.Do(ctx, chromedp.Navigate(srv.URL+"/admin/trees/papiers-identite/nodes/quel-document"), chromedp.WaitReady(chromedp.CSS("main"))); err != nil {
		t.Fatal(err)
	}
	typeIn := func(id, v string) {
		t.Helper()
		if _, err := browsertest.Get(ctx, chromedp.Evaluate[bool](`(() => {
			const el = document.getElementById(`+jsString(id)+`);
			el.value = `+jsString(v)+`;
			el.dispatchEvent(new Event("input", {bubbles: true}));
			return true;
		})()`)); err != nil {
			t.Fatal(err)
		}
	}
	typeIn("c1_label", "")
	if err := browsertest.Until(ctx, `document.querySelector("#choice-1 .choice-problems").textContent.includes("has no label")`); err != nil {
		t.Fatalf("the problem is not shown at choice 2: %v", err)
	}
	if err := browsertest.Until(ctx, `document.querySelector("#problems").textContent.includes("quel-document · 2")`); err != nil {
		t.Fatalf("the problem is not in the page's list: %v", err)
	}
	typeIn("c1_label", "Passeport")
	if err := browsertest.Until(ctx, `document.querySelector("#choice-1 .choice-problems").textContent === "" && document.querySelector("#problems p.ok") !== null`); err != nil {
		t.Fatalf("the fixed problem stays: %v", err)
	}

	// The search answers in place; a click puts the item in choice 5.
	if _, err := browsertest.Get(ctx, chromedp.Evaluate[bool](`(() => {
		document.getElementById("q").value = "passeport perdu";
		document.querySelector("form[data-itemsearch]").requestSubmit();
		return true;
	})()`)); err != nil {
		t.Fatal(err)
	}
	pick := `#found li[data-item="passeport-perte-vol"] .pick button:nth-child(5)`
	if err := browsertest.Until(ctx, `document.querySelector('`+pick+`') !== null && location.search === ""`); err != nil {
		html, _ := browsertest.Get(ctx, chromedp.Evaluate[string](`location.href + " " + document.getElementById("found").outerHTML`))
		t.Fatalf("no button to add the item found: %v\n%s", err, html)
	}
	// The status line is cleared so that "saved" below is this save's.
	if _, err := browsertest.Get(ctx, chromedp.Evaluate[bool](`(document.getElementById("draft-status").textContent = "") === ""`)); err != nil {
		t.Fatal(err)
	}
	if err := browsertest.Do(ctx, chromedp.Click(chromedp.CSS(pick))); err != nil {
		t.Fatal(err)
	}
	if err := browsertest.Until(ctx, `document.getElementById("c4_answer").value === "passeport-perte-vol" && document.getElementById("c4_a-answer").checked && document.getElementById("pick-status").textContent !== ""`); err != nil {
		t.Fatal(err)
	}
	if err := browsertest.Until(ctx, `document.getElementById("draft-status").textContent === document.getElementById("draft-status").dataset.saved`); err != nil {
		t.Fatal(err)
	}
	tr := draftOf(t, c, "papiers-identite", "camille")
	if ch := tr.Nodes["quel-document"].Choices[4]; ch.Label != "Je ne sais pas" || !slices.Equal(ch.Answer, []string{"passeport-perte-vol"}) || ch.Escalate != "" {
		t.Errorf("choice 5 saved as %+v", ch)
	}
}

// jsString quotes s for a script.
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
