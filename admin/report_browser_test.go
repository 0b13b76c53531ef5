package admin

import (
	"fmt"
	"net/http/httptest"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/boussole/boussole/internal/browsertest"
)

// The activity report, with figures, empty and with a wrong month, passes
// axe-core on a laptop and on a phone and fits the phone's width (its
// wide tables scroll in their own frames); its charts are drawn and the
// form brings the period asked for.
func TestReportPagesAccessible(t *testing.T) {
	ctx := browsertest.Start(t)
	srv := httptest.NewServer(reportServer(t, RoleViewer))
	defer srv.Close()
	checkPages(ctx, t, srv.URL, []string{
		"/admin/report?from=2026-11&to=2026-12", "/admin/report", "/admin/report?from=2026-13",
		"/admin/report?from=2026-12&to=2026-11",
	})
	for _, vp := range []browsertest.Viewport{browsertest.Laptop, browsertest.Phone} {
		if err := browsertest.Do(ctx, browsertest.SetViewport(vp), browsertest.Open(srv.URL+"/admin/report"),
			chromedp.SetValue(chromedp.CSS("#report-from"), "2026-11"), chromedp.SetValue(chromedp.CSS("#report-to"), "2026-12")); err != nil {
			t.Fatal(err)
		}
		if err := browsertest.Follow(ctx, `form.report-period button`); err != nil {
			t.Fatal(err)
		}
		// The people chart's November bar is drawn, as tall as the
		// plot (the largest), and the chart fits the screen.
		got, err := browsertest.Get(ctx, chromedp.Evaluate[[]float64](`(() => {
			const svg = document.querySelector("#chart-people-h").parentElement.querySelector("svg");
			const bars = [...svg.querySelectorAll("rect")].map(r => r.getBoundingClientRect());
			return [bars.length, bars[0].height > bars[1].height ? 1 : 0, svg.getBoundingClientRect().right <= window.innerWidth ? 1 : 0];
		})()`))
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 3 || got[0] != 2 || got[1] != 1 || got[2] != 1 {
			t.Errorf("%dx%d: people chart [bars, November taller, fits] = %v, want [2 1 1]", vp.W, vp.H, got)
		}
		browsertest.Screenshot(ctx, t, fmt.Sprintf("report-%dx%d", vp.W, vp.H))
	}
}
