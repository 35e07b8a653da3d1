package browser

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// ScreenshotsEnv names a folder where TestPagesFitTheViewport saves its
// screenshots (created if needed, kept after the test). Without it they go
// to the test's artifact folder, t.ArtifactDir(): kept under -outputdir
// with `go test -artifacts`, else a temporary folder removed afterwards.
const ScreenshotsEnv = "NEUROCRYPT_SCREENSHOTS"

// LayoutWidth is the viewport width, in CSS pixels, at which
// TestPagesFitTheViewport checks the pages.
const LayoutWidth = 1280

// maxScreenshotHeight bounds a full-page screenshot (the survey page is
// several screens long; Chromium refuses very tall captures).
const maxScreenshotHeight = 16000

// layoutCheck is what checkLayoutJS reports about a page.
type layoutCheck struct {
	InnerWidth  float64 `json:"innerWidth"`
	ScrollWidth float64 `json:"scrollWidth"`
	// Overflows are elements whose box extends beyond the viewport's right
	// edge outside any scrolling (or clipping) box.
	Overflows []struct {
		Element string  `json:"element"`
		Right   float64 `json:"right"`
	} `json:"overflows"`
	Overflowing int `json:"overflowing"` // how many (Overflows lists the first few)
	// SVGs are the page's inline <svg> elements with their rendered size.
	SVGs []struct {
		Label  string  `json:"label"`
		Width  float64 `json:"width"`
		Height float64 `json:"height"`
	} `json:"svgs"`
	// Wrappers counts the scrolling table wrappers that scroll (their
	// content is wider than they are).
	Scrolling int `json:"scrolling"`
	// FiguresWithoutSVG lists the <figure> elements (one per figure on the
	// report pages and in nbdisplay's notebook output) holding no drawn
	// <svg>: a figure that failed to render.
	FiguresWithoutSVG []string `json:"figuresWithoutSVG"`
}

// checkLayoutJS measures the page: its scroll width, every element whose
// bounding box passes the viewport's right edge without an ancestor that
// scrolls horizontally (overflow-x auto or scroll: the table wrappers) or
// an <svg> (which clips its content), every <svg>'s size, and the
// <figure> elements without a drawn <svg>.
const checkLayoutJS = `
var vw = window.innerWidth;
function describe(el) {
  var s = el.tagName.toLowerCase();
  if (el.id) s += '#' + el.id;
  if (typeof el.className === 'string' && el.className) s += '.' + el.className.trim().split(/\s+/).join('.');
  var text = (el.textContent || '').trim().replace(/\s+/g, ' ').slice(0, 60);
  return text ? s + ' "' + text + '"' : s;
}
function clipped(el) {
  for (var a = el.parentElement; a && a !== document.body && a !== document.documentElement; a = a.parentElement) {
    var o = getComputedStyle(a).overflowX;
    // A box that scrolls (the table wrappers), or an <svg>, which clips
    // its own content. overflow-x: hidden elsewhere would hide a real
    // overflow, so it does not count.
    if (o === 'auto' || o === 'scroll' || a.tagName.toLowerCase() === 'svg') return true;
  }
  return false;
}
var overflows = [], n = 0;
Array.from(document.body.querySelectorAll('*')).forEach(function (el) {
  var r = el.getBoundingClientRect();
  if (r.width === 0 && r.height === 0) return;
  if (r.right > vw + 0.5 && !clipped(el)) {
    n++;
    if (overflows.length < 8) overflows.push({element: describe(el), right: r.right});
  }
});
var scrolling = Array.from(document.querySelectorAll('div')).filter(function (d) {
  var o = getComputedStyle(d).overflowX;
  return (o === 'auto' || o === 'scroll') && d.scrollWidth > d.clientWidth + 1;
}).length;
var svgs = Array.from(document.querySelectorAll('svg')).map(function (s) {
  var b = s.getBoundingClientRect();
  return {label: s.getAttribute('aria-label') || describe(s), width: b.width, height: b.height};
});
var figuresWithoutSVG = Array.from(document.querySelectorAll('figure')).filter(function (f) {
  return !Array.from(f.querySelectorAll('svg')).some(function (s) {
    var b = s.getBoundingClientRect();
    return b.width > 0 && b.height > 0;
  });
}).map(describe);
return {innerWidth: vw, scrollWidth: document.documentElement.scrollWidth, overflows: overflows,
  overflowing: n, svgs: svgs, scrolling: scrolling, figuresWithoutSVG: figuresWithoutSVG};`

// screenshotDir is where the screenshots go (see ScreenshotsEnv).
func screenshotDir(t *testing.T) string {
	t.Helper()
	if dir := os.Getenv(ScreenshotsEnv); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	return t.ArtifactDir()
}

// TestPagesFitTheViewport generates a smoke report, then loads every page
// of it (index and experiment pages) and every exported notebook in the
// checkout's reports/notebooks/ in headless Chromium at a viewport of
// LayoutWidth px, and checks that nothing is wider than the viewport (the
// page does not scroll sideways and no element passes its right edge,
// except inside a scrolling table wrapper) and that every inline <svg>
// figure has a non-zero size. It saves a full-page PNG of each page (see
// ScreenshotsEnv).
func TestPagesFitTheViewport(t *testing.T) {
	root := repoRoot(t)
	if _, _, err := FindChromium(); err != nil {
		t.Skipf("skipping the layout check: %v", err)
	}
	report := filepath.Join(t.TempDir(), "report")
	cmd := exec.Command("go", "run", "./cmd/neurocrypt", "reproduce", "-profile", "smoke",
		"-out", report, "-workdir", filepath.Join(t.TempDir(), "work"))
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("generating the smoke report: %v\n%s", err, out)
	}
	d := startBrowser(t)
	if err := d.SetWindowSize(LayoutWidth, 1024); err != nil {
		t.Fatal(err)
	}
	shots := screenshotDir(t)
	t.Logf("screenshots in %s", shots)

	notebooksDir := filepath.Join(root, "reports", "notebooks")
	mux := http.NewServeMux()
	mux.Handle("/", http.FileServer(http.Dir(report)))
	mux.Handle("/nb/", http.StripPrefix("/nb/", http.FileServer(http.Dir(notebooksDir))))
	mux.HandleFunc("/favicon.ico", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })
	srv := httptest.NewServer(mux)
	defer srv.Close()

	reportPages, _ := filepath.Glob(filepath.Join(report, "*.html"))
	if len(reportPages) < 2 {
		t.Fatalf("the smoke report has %d pages, want the index and at least one experiment", len(reportPages))
	}
	type page struct{ name, url string }
	var pages []page
	for _, p := range reportPages {
		pages = append(pages, page{filepath.Base(p), srv.URL + "/" + filepath.Base(p)})
	}
	notebooks, _ := filepath.Glob(filepath.Join(notebooksDir, "*.html"))
	if len(notebooks) == 0 {
		t.Logf("no exported notebook in %s: checking the report pages only", notebooksDir)
	}
	for _, p := range notebooks {
		pages = append(pages, page{"notebooks/" + filepath.Base(p), srv.URL + "/nb/" + filepath.Base(p)})
	}

	scrolled := map[string]int{}
	for _, p := range pages {
		lc := checkLayout(t, d, p.url)
		if lc.InnerWidth != LayoutWidth {
			t.Errorf("%s: viewport %.0f px wide, want %d", p.name, lc.InnerWidth, LayoutWidth)
		}
		if lc.ScrollWidth > lc.InnerWidth {
			t.Errorf("%s: the page is %.0f px wide, wider than the %.0f px viewport", p.name, lc.ScrollWidth, lc.InnerWidth)
		}
		if lc.Overflowing > 0 {
			var what []string
			for _, o := range lc.Overflows {
				what = append(what, fmt.Sprintf("%s (right edge at %.0f px)", o.Element, o.Right))
			}
			t.Errorf("%s: %d elements pass the viewport's right edge outside a scrolling box, e.g.\n  %s",
				p.name, lc.Overflowing, strings.Join(what, "\n  "))
		}
		for _, s := range lc.SVGs {
			if s.Width <= 0 || s.Height <= 0 {
				t.Errorf("%s: <svg> %q rendered %.0f×%.0f px", p.name, s.Label, s.Width, s.Height)
			}
		}
		for _, f := range lc.FiguresWithoutSVG {
			t.Errorf("%s: figure %s has no drawn <svg>", p.name, f)
		}
		scrolled[p.name] = lc.Scrolling
		png, err := d.Screenshot(maxScreenshotHeight)
		if err != nil {
			t.Errorf("%s: screenshot: %v", p.name, err)
		} else {
			file := filepath.Join(shots, strings.ReplaceAll(strings.TrimSuffix(p.name, ".html"), "/", "-")+".png")
			if err := os.WriteFile(file, png, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		t.Logf("%s: %d svg, %d scrolling wrappers, page %.0f px wide", p.name, len(lc.SVGs), lc.Scrolling, lc.ScrollWidth)
	}
	// The survey's aspect table (14 columns) is wider than the column: it
	// must scroll inside its wrapper. If it ever fits, this check has
	// stopped exercising the hard case; say so rather than pass silently.
	if n, ok := scrolled["survey.html"]; ok && n == 0 {
		t.Logf("note: no table of survey.html is wider than its box at %d px", LayoutWidth)
	}
}

// checkLayout loads url and measures it (checkLayoutJS).
func checkLayout(t *testing.T, d *Driver, url string) layoutCheck {
	t.Helper()
	if err := d.Navigate(url); err != nil {
		t.Fatalf("%s: %v", url, err)
	}
	if err := d.WaitFor(`return document.readyState === "complete"`, 30*time.Second); err != nil {
		t.Fatalf("%s: %v", url, err)
	}
	var lc layoutCheck
	if err := d.Eval(checkLayoutJS, &lc); err != nil {
		t.Fatalf("%s: %v", url, err)
	}
	return lc
}
