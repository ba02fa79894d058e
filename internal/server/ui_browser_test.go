package server

import (
	"context"
	"flag"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/qrcascade/qrcascade/internal/invoice"
)

var screenshot = flag.String("screenshot", "", "TestOperatorPageInBrowser: write a PNG of the page reading the sample image to this path (docs/img/operator-page.png)")

// findChromium returns the path of a Chromium or Chrome binary: $CHROME,
// then the usual names on PATH; "" when there is none.
func findChromium() string {
	if p := os.Getenv("CHROME"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// pageState is what the browser test reads back from the page.
type pageState struct {
	Status     string   `json:"status"`
	State      string   `json:"state"`
	Texts      []string `json:"texts"`
	Verdicts   []string `json:"verdicts"`
	Outlines   int      `json:"outlines"`
	Pages      int      `json:"pages"`
	OutlineRGB []int    `json:"outlineRGB"` // canvas pixel on the first code's top edge
	Timings    bool     `json:"timings"`
	Candidates int      `json:"candidates"` // unread candidates in the answer (canvas data)
	Stages     []string `json:"stages"`     // the stage column of the candidates table
	BlankNote  bool     `json:"blankNote"`
}

// readPageJS collects pageState from the DOM and the first canvas.
const readPageJS = `(() => {
  const st = document.getElementById("status");
  const c = document.querySelector("canvas[data-page]");
  let rgb = [];
  const row = document.querySelector("#codes tr.code");
  if (c && row) {
    const s = parseFloat(c.dataset.scale);
    // midpoint of the first code's top edge (the canvas keeps its codes' corners)
    const p = JSON.parse(c.dataset.points || "[]")[0];
    if (p) {
      const x = Math.round((p[0][0] + p[1][0]) / 2 * s), y = Math.round((p[0][1] + p[1][1]) / 2 * s);
      rgb = Array.from(c.getContext("2d").getImageData(x, y, 1, 1).data.slice(0, 3));
    }
  }
  return {
    status: st.textContent, state: st.dataset.state,
    texts: Array.from(document.querySelectorAll("td.code-text")).map((e) => e.textContent),
    verdicts: Array.from(document.querySelectorAll("table.invoice .verdict")).map((e) => e.textContent),
    outlines: Array.from(document.querySelectorAll("canvas[data-page]")).reduce((n, e) => n + parseInt(e.dataset.outlines), 0),
    pages: document.querySelectorAll("canvas[data-page]").length,
    outlineRGB: rgb,
    timings: !!document.getElementById("timings"),
    candidates: Array.from(document.querySelectorAll("canvas[data-page]")).reduce((n, e) => n + parseInt(e.dataset.candidates), 0),
    stages: Array.from(document.querySelectorAll("tr.candidate td.stage")).map((e) => e.textContent),
    blankNote: !!document.querySelector(".page .blank-page"),
  };
})()`

// TestOperatorPageInBrowser loads GET / in headless Chromium, uploads the
// bundled sample image and a PDF through the file input, and checks that
// the page shows each code's outline (a green pixel on the outline's edge),
// its text and the invoice verdict. It is skipped when no Chromium is
// installed, except under CI=true, where it fails: CI installs it
// (.ci/run). Skipped under -short (the race run of make test). Bounded to
// 60 s.
func TestOperatorPageInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped in -short mode (the full run covers it)")
	}
	chrome := findChromium()
	if chrome == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("no Chromium found (CI=true): .ci/run installs the Debian package chromium; set CHROME to its path otherwise")
		}
		t.Skip("no Chromium found: install it (apt-get install chromium) or set CHROME to run the operator page test")
	}
	fx := testFixtures(t)
	dir := t.TempDir()
	sample := filepath.Join("..", "..", "testdata", "invoice.jpg")
	wantText, err := os.ReadFile(filepath.Join("..", "..", "testdata", "invoice.txt"))
	if err != nil {
		t.Fatal(err)
	}
	pdfPath := filepath.Join(dir, "invoice.pdf")
	if err := os.WriteFile(pdfPath, fx.invoicePDF, 0o644); err != nil {
		t.Fatal(err)
	}
	absSample, err := filepath.Abs(sample)
	if err != nil {
		t.Fatal(err)
	}

	invoices := invoice.NewRegistry()
	srv := newTestServer(t, Config{Version: "test", Invoice: func(text string) (any, string) {
		if inv, ok := invoices.Parse(text); ok {
			return inv, inv.Scheme
		}
		return nil, ""
	}})
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chrome), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.WindowSize(1280, 1500))
	actx, acancel := chromedp.NewExecAllocator(ctx, opts...)
	defer acancel()
	bctx, bcancel := chromedp.NewContext(actx)
	defer bcancel()

	tests := []struct {
		name, file string
		blank      bool // PDF: outlines on a blank page
		want       string
	}{
		{"sample jpeg", absSample, false, strings.TrimSpace(string(wantText))},
		{"pdf", pdfPath, true, fx.invoiceText},
	}
	if err := chromedp.Run(bctx, chromedp.Navigate(ts.URL+"/"), chromedp.WaitReady("#file", chromedp.ByID)); err != nil {
		t.Fatalf("loading the page: %v", err)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var st pageState
			err := chromedp.Run(bctx,
				chromedp.Evaluate(`document.getElementById("status").dataset.state = "idle"`, nil),
				chromedp.SetUploadFiles("#file", []string{tc.file}, chromedp.ByID),
				chromedp.WaitVisible(`#status[data-state="done"], #status[data-state="error"]`, chromedp.ByQuery),
				chromedp.Evaluate(readPageJS, &st),
			)
			if err != nil {
				t.Fatalf("upload %s: %v", tc.file, err)
			}
			if st.State != "done" {
				t.Fatalf("status %q (%s)", st.State, st.Status)
			}
			if len(st.Texts) != 1 || strings.TrimSpace(st.Texts[0]) != strings.TrimSpace(tc.want) {
				t.Errorf("texts shown %q, want %q", st.Texts, tc.want)
			}
			if st.Outlines != 1 || st.Pages != 1 {
				t.Errorf("%d outlines on %d pages, want 1 on 1", st.Outlines, st.Pages)
			}
			if len(st.OutlineRGB) != 3 || st.OutlineRGB[1] < 120 || st.OutlineRGB[0] > 80 {
				t.Errorf("pixel on the outline %v, want the outline's green", st.OutlineRGB)
			}
			// The verdict shown is the invoice package's own.
			var want []string
			if inv, ok := invoices.Parse(tc.want); ok {
				want = []string{map[bool]string{true: "valid", false: "INVALID"}[inv.Valid]}
			}
			if strings.Join(st.Verdicts, ",") != strings.Join(want, ",") {
				t.Errorf("invoice verdicts %q, want %q", st.Verdicts, want)
			}
			if len(st.Stages) != st.Candidates || slices.Contains(st.Stages, "") {
				t.Errorf("%d unread candidates in the answer, stages shown %q", st.Candidates, st.Stages)
			}
			if !st.Timings || st.BlankNote != tc.blank {
				t.Errorf("timings shown %v, blank-page note %v (want %v)", st.Timings, st.BlankNote, tc.blank)
			}
			if *screenshot != "" && !tc.blank {
				var png []byte
				if err := chromedp.Run(bctx, chromedp.FullScreenshot(&png, 100)); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(*screenshot, png, 0o644); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}
