package browser

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// ReportsEnv overrides the report folder the test serves (default: the
// checkout's reports/).
const ReportsEnv = "NEUROCRYPT_REPORTS"

// repoRoot is the checkout (two levels up from test/browser).
func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if !fileExists(filepath.Join(root, "go.mod")) {
		t.Fatalf("no go.mod in %s", root)
	}
	return root
}

func startBrowser(t *testing.T) *Driver {
	t.Helper()
	chromium, driver, err := FindChromium()
	if err != nil {
		t.Skipf("skipping browser check: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	d, err := StartDriver(ctx, chromium, driver)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close(); cancel() })
	return d
}

// figureCheck is what the page script reports about each <figure>.
type figureCheck struct {
	Index    int     `json:"index"`
	Caption  string  `json:"caption"`
	SVGs     int     `json:"svgs"`
	Children int     `json:"children"` // elements inside the first <svg>
	Width    float64 `json:"width"`    // rendered size of the first <svg>
	Height   float64 `json:"height"`
}

// checkFiguresJS lists every <figure> of the page with its first <svg>'s
// element count and rendered size.
const checkFiguresJS = `
return Array.from(document.querySelectorAll('figure')).map(function (f, i) {
  var svgs = f.querySelectorAll('svg');
  var r = {index: i, caption: (f.textContent || '').trim().slice(0, 80), svgs: svgs.length, children: 0, width: 0, height: 0};
  if (svgs.length > 0) {
    var b = svgs[0].getBoundingClientRect();
    r.children = svgs[0].querySelectorAll('*').length;
    r.width = b.width; r.height = b.height;
  }
  return r;
});`

// pageCheck loads url and returns its figures and console errors.
func pageCheck(t *testing.T, d *Driver, url string) ([]figureCheck, []LogEntry) {
	t.Helper()
	if err := d.Navigate(url); err != nil {
		t.Fatalf("%s: %v", url, err)
	}
	if err := d.WaitFor(`return document.readyState === "complete"`, 30*time.Second); err != nil {
		t.Fatalf("%s: %v", url, err)
	}
	var figs []figureCheck
	if err := d.Eval(checkFiguresJS, &figs); err != nil {
		t.Fatalf("%s: %v", url, err)
	}
	logs, err := d.ConsoleLog()
	if err != nil {
		t.Fatalf("%s: console log: %v", url, err)
	}
	var severe []LogEntry
	for _, l := range logs {
		if l.Level == "SEVERE" {
			severe = append(severe, l)
		}
	}
	return figs, severe
}

// htmlPages lists the .html files of dir and of dir/notebooks, relative.
func htmlPages(dir string) []string {
	var pages []string
	for _, pat := range []string{"*.html", "notebooks/*.html"} {
		m, _ := filepath.Glob(filepath.Join(dir, pat))
		for _, p := range m {
			rel, _ := filepath.Rel(dir, p)
			pages = append(pages, filepath.ToSlash(rel))
		}
	}
	sort.Strings(pages)
	return pages
}

// exportTour executes and exports notebooks/00_tour.ipynb into dir with
// `go run ./kernel run` (smoke profile), or skips when that is impossible.
func exportTour(t *testing.T, root, dir string) {
	t.Helper()
	if _, err := exec.LookPath("jupyter"); err != nil {
		t.Skip("skipping the exported-notebook check: no exported notebook in the reports and Jupyter is not installed")
	}
	cmd := exec.Command("go", "run", "./kernel", "run", "-profile", "smoke", "-out", t.TempDir(),
		"-html", filepath.Join(dir, "notebooks"), "notebooks/00_tour.ipynb")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		if strings.Contains(string(out), "no Jupyter kernel named") {
			t.Skipf("skipping the exported-notebook check: the neurocrypt kernel is not installed (go run ./kernel install)")
		}
		t.Fatalf("exporting the tour notebook: %v\n%s", err, out)
	}
}

// TestReportsRender serves the report folder (and an exported notebook) over
// loopback and checks in headless Chromium that every figure rendered as an
// <svg> with content and that no page logged a console error.
func TestReportsRender(t *testing.T) {
	root := repoRoot(t)
	dir := os.Getenv(ReportsEnv)
	if dir == "" {
		dir = filepath.Join(root, "reports")
	}
	if !fileExists(filepath.Join(dir, "index.html")) {
		t.Skipf("skipping: no %s (run go run ./cmd/neurocrypt reproduce, or set $%s)", filepath.Join(dir, "index.html"), ReportsEnv)
	}
	d := startBrowser(t)

	// The reports as they are, plus an exported notebook: the committed
	// export when there is one, else a fresh export of the tour.
	serveDir := dir
	if m, _ := filepath.Glob(filepath.Join(dir, "notebooks", "*.html")); len(m) == 0 {
		serveDir = t.TempDir()
		if err := os.CopyFS(serveDir, os.DirFS(dir)); err != nil {
			t.Fatal(err)
		}
		exportTour(t, root, serveDir)
	}
	// Browsers ask every host for /favicon.ico; the reports have none, and
	// its 404 is not a page error.
	mux := http.NewServeMux()
	mux.Handle("/", http.FileServer(http.Dir(serveDir)))
	mux.HandleFunc("/favicon.ico", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })
	srv := httptest.NewServer(mux)
	defer srv.Close()

	// How many figures each experiment page must show, from results.json.
	wantFigs := map[string]int{}
	if b, err := os.ReadFile(filepath.Join(serveDir, "results.json")); err == nil {
		var r struct {
			Experiments []struct {
				ID      string            `json:"id"`
				Figures []json.RawMessage `json:"figures"`
			} `json:"experiments"`
		}
		if err := json.Unmarshal(b, &r); err != nil {
			t.Fatalf("results.json: %v", err)
		}
		for _, e := range r.Experiments {
			wantFigs[e.ID+".html"] = len(e.Figures)
		}
	}
	pages := htmlPages(serveDir)
	notebooks, totalFigs := 0, 0
	for _, page := range pages {
		if strings.HasPrefix(page, "notebooks/") {
			notebooks++
		}
		figs, severe := pageCheck(t, d, srv.URL+"/"+page)
		for _, l := range severe {
			t.Errorf("%s: console error: %s", page, l.Message)
		}
		for _, f := range figs {
			if f.SVGs < 1 || f.Children < 2 || f.Width < 10 || f.Height < 10 {
				t.Errorf("%s: figure %d (%q) did not render: %d <svg>, %d elements, %.0f×%.0f px",
					page, f.Index, f.Caption, f.SVGs, f.Children, f.Width, f.Height)
			}
		}
		if want, ok := wantFigs[page]; ok && len(figs) != want {
			t.Errorf("%s: %d figures on the page, results.json lists %d", page, len(figs), want)
		}
		totalFigs += len(figs)
		t.Logf("%s: %d figures, %d console errors", page, len(figs), len(severe))
	}
	if notebooks == 0 {
		t.Errorf("no exported notebook among %v", pages)
	}
	if totalFigs == 0 {
		t.Errorf("no figures in %v", pages)
	}
}

// TestTourInClassicNotebook opens the tour notebook in the classic Jupyter
// Notebook server in headless Chromium, runs all cells with the neurocrypt
// kernel and checks that every code cell ran without an error output and
// that the figures rendered as SVG.
//
// It takes about half a minute (a kernel start and six cell builds), so
// -short skips it.
func TestTourInClassicNotebook(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping the live Notebook check in -short mode")
	}
	root := repoRoot(t)
	jupyter, err := exec.LookPath("jupyter")
	if err != nil {
		t.Skip("skipping: Jupyter is not installed (scripts/setup.sh --jupyter)")
	}
	if out, err := exec.Command(jupyter, "kernelspec", "list").Output(); err != nil || !strings.Contains(string(out), "neurocrypt") {
		t.Skip("skipping: the neurocrypt kernel is not registered (go run ./kernel install)")
	}
	if err := exec.Command(jupyter, "notebook", "--version").Run(); err != nil {
		t.Skip("skipping: the classic Notebook server (jupyter notebook) is not installed")
	}
	d := startBrowser(t)

	// A copy, so that autosave cannot touch the checkout.
	work := t.TempDir()
	b, err := os.ReadFile(filepath.Join(root, "notebooks", "00_tour.ipynb"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(work, "00_tour.ipynb"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	port, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	args := []string{"notebook", "--no-browser", "--ip=127.0.0.1", fmt.Sprintf("--port=%d", port),
		"--NotebookApp.token=", "--NotebookApp.password=", "--notebook-dir=" + work}
	if os.Geteuid() == 0 {
		args = append(args, "--allow-root") // CI runs as root
	}
	srv := exec.CommandContext(ctx, jupyter, args...)
	srv.Env = append(os.Environ(), "NEUROCRYPT_PROFILE=smoke")
	logPath := filepath.Join(t.TempDir(), "server.log")
	logf, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	srv.Stdout, srv.Stderr = logf, logf
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- srv.Wait() }()
	t.Cleanup(func() {
		cancel()
		<-exited
		logf.Close()
		if t.Failed() {
			if b, err := os.ReadFile(logPath); err == nil {
				t.Logf("notebook server log (last 3000 bytes):\n%s", tailBytes(b, 3000))
			}
		}
	})
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get(base + "/api/status")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the notebook server did not start on %s", base)
		}
		select {
		case err := <-exited:
			exited <- err // for the cleanup
			t.Fatalf("the notebook server exited: %v", err)
		case <-time.After(250 * time.Millisecond):
		}
	}

	if err := d.Navigate(base + "/notebooks/00_tour.ipynb"); err != nil {
		t.Fatal(err)
	}
	if err := d.WaitFor(`return !!(window.Jupyter && Jupyter.notebook && Jupyter.notebook.kernel && Jupyter.notebook.kernel.is_connected())`, 90*time.Second); err != nil {
		t.Fatal(err)
	}
	var kernelName string
	if err := d.Eval(`return Jupyter.notebook.kernel.name`, &kernelName); err != nil || kernelName != "neurocrypt" {
		t.Fatalf("kernel = %q (%v), want neurocrypt", kernelName, err)
	}
	if err := d.Eval(`Jupyter.notebook.clear_all_output(); Jupyter.notebook.execute_all_cells(); return true`, nil); err != nil {
		t.Fatal(err)
	}
	// Done when every code cell has an execution number (not "*").
	done := `return Jupyter.notebook.get_cells().filter(function (c) { return c.cell_type === "code"; })
	  .every(function (c) { return typeof c.input_prompt_number === "number"; })`
	if err := d.WaitFor(done, 4*time.Minute); err != nil {
		t.Fatal(err)
	}
	// A cell's execute_reply (shell channel) can arrive before its outputs
	// (iopub channel) are drawn, more so on a loaded machine: wait until
	// every code cell shows an output too; a cell that never does is
	// reported below.
	_ = d.WaitFor(`return Jupyter.notebook.get_cells().filter(function (c) { return c.cell_type === "code"; })
	  .every(function (c) { return c.output_area.outputs.length > 0; })`, time.Minute)
	var cells []struct {
		Index  int      `json:"index"`
		Errors []string `json:"errors"`
		Outs   int      `json:"outs"`
	}
	err = d.Eval(`return Jupyter.notebook.get_cells().map(function (c, i) {
	  if (c.cell_type !== "code") return null;
	  var outs = c.output_area.outputs;
	  return {index: i + 1, outs: outs.length,
	    errors: outs.filter(function (o) { return o.output_type === "error"; }).map(function (o) { return o.ename + ": " + o.evalue; })};
	}).filter(function (x) { return x !== null; })`, &cells)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cells {
		for _, e := range c.Errors {
			t.Errorf("cell %d: %s", c.Index, e)
		}
		if c.Outs == 0 {
			t.Errorf("cell %d has no output", c.Index)
		}
	}
	// Outputs can finish rendering after the last execution number is set
	// (more so on a loaded machine): wait for the three figures, then count.
	_ = d.WaitFor(`return Array.from(document.querySelectorAll('.output_area svg')).filter(function (s) {
	  var b = s.getBoundingClientRect(); return s.querySelectorAll('*').length >= 2 && b.width >= 10 && b.height >= 10; }).length >= 3`, time.Minute)
	var svgs []struct{ Children, Width, Height float64 }
	err = d.Eval(`return Array.from(document.querySelectorAll('.output_area svg')).map(function (s) {
	  var b = s.getBoundingClientRect(); return {Children: s.querySelectorAll('*').length, Width: b.width, Height: b.height}; })`, &svgs)
	if err != nil {
		t.Fatal(err)
	}
	// The tour shows three figures: the plain image, the cipher images and
	// the histograms.
	rendered := 0
	for _, s := range svgs {
		if s.Children >= 2 && s.Width >= 10 && s.Height >= 10 {
			rendered++
		}
	}
	if rendered < 3 {
		t.Errorf("%d rendered <svg> figures in the outputs, want at least 3 (%v)", rendered, svgs)
	}
	logs, err := d.ConsoleLog()
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range logs {
		if l.Level == "SEVERE" {
			t.Logf("console (notebook UI): %s", l.Message)
		}
	}
	t.Logf("%d code cells ran, %d SVG figures rendered", len(cells), rendered)
}

func tailBytes(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}
