package main

import (
	"bytes"
	"context"
	_ "embed"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/neurocrypt/neurocrypt/pkg/atomicfile"
	"github.com/neurocrypt/neurocrypt/pkg/experiment"
	"github.com/neurocrypt/neurocrypt/pkg/safefile"
)

//go:embed driver.py
var driverPy []byte

// Defaults of `kernel run`.
const (
	// DefaultCellTimeout bounds one cell; a quick-profile experiment runs
	// in one cell and may take up to 30 minutes on 2 cores.
	DefaultCellTimeout = 60 * time.Minute
	// KernelStartupTimeout bounds the kernel start (GoNB runs `go work` and
	// `go mod` before it answers).
	KernelStartupTimeout = 5 * time.Minute
	// ProfileEnv is the environment variable notebooks read to choose the
	// experiment profile (smoke, quick, paper); unset means quick.
	ProfileEnv = "NEUROCRYPT_PROFILE"
	// PythonEnv overrides the Python used to run nbclient.
	PythonEnv = "NEUROCRYPT_PYTHON"
	// driverFailed is the driver's exit status when a notebook could not be
	// run at all.
	driverFailed = 3
)

// runOptions configure `kernel run`.
type runOptions struct {
	Profile string        // "" leaves ProfileEnv as it is
	Params  overrides     // -p name=value, injected after the parameters cell
	HTMLDir string        // "" means no HTML export
	OutDir  string        // "" writes executed notebooks in place
	Kernel  string        // kernelspec name
	Timeout time.Duration // per cell
	Python  string        // "" finds one
	Verbose bool          // stream the kernel's log
	// ExtraEnv is added to the kernel's environment (tests: JUPYTER_PATH).
	ExtraEnv []string
}

func cmdRun(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o runOptions
	fs.StringVar(&o.Profile, "profile", "", "experiment profile passed to notebooks as $"+ProfileEnv+" (smoke, quick, paper; default: the notebooks' default, quick)")
	fs.StringVar(&o.HTMLDir, "html", "", "also export each executed notebook to `DIR`/<name>.html")
	fs.StringVar(&o.OutDir, "out", "", "write executed notebooks to `DIR` instead of in place")
	fs.StringVar(&o.Kernel, "kernel", KernelName, "Jupyter kernelspec `name`")
	fs.DurationVar(&o.Timeout, "timeout", DefaultCellTimeout, "time limit of one cell (at least 1s; 0: the default)")
	fs.StringVar(&o.Python, "python", "", "Python with nbclient/nbconvert (default: $"+PythonEnv+", jupyter's, /usr/bin/python3, python3)")
	fs.BoolVar(&o.Verbose, "v", false, "show the kernel's log")
	fs.Var(&o.Params, "p", "set the notebook parameter `name=value` (repeatable): a cell declaring it again is injected after the cell tagged \""+ParametersTag+"\"")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: go run ./kernel run [-profile smoke] [-p name=value]... [-html DIR] [-out DIR] NOTEBOOK...\n\n"+
			"Executes each notebook headlessly with the %q kernel and fails when any cell\n"+
			"fails (compile error, panic, non-zero exit, timeout, dead kernel); the executed\n"+
			"notebook (and HTML export) is written either way, up to the failed cell.\n\n", KernelName)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return 2
	}
	if p := o.Params.get("profile"); p != nil && o.Profile != "" && p.Value != o.Profile {
		fmt.Fprintf(stderr, "kernel run: -profile %s and -p profile=%s disagree\n", o.Profile, p.Value)
		return 2
	}
	fails, err := runNotebooks(ctx, o, fs.Args(), stdout, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "kernel run: %v\n", err)
		return 1
	}
	if len(fails) > 0 {
		fmt.Fprintf(stderr, "\n%d failed cell(s):\n", len(fails))
		for _, f := range fails {
			fmt.Fprintf(stderr, "FAIL %s\n", f)
		}
		return 1
	}
	return 0
}

// runNotebooks executes every notebook (all of them, even after a failure)
// and returns the failed cells. err is for problems that stop everything
// (no Python with nbclient, bad flags); a notebook that cannot be run is
// reported as a failure of that notebook.
func runNotebooks(ctx context.Context, o runOptions, paths []string, stdout, stderr io.Writer) ([]failure, error) {
	if o.Profile != "" {
		if _, err := experiment.ParseProfile(o.Profile); err != nil {
			return nil, fmt.Errorf("-profile: %w", err)
		}
	}
	if o.Kernel == "" {
		o.Kernel = KernelName
	}
	switch {
	case o.Timeout == 0:
		o.Timeout = DefaultCellTimeout
	case o.Timeout < time.Second:
		// nbclient counts whole seconds, and 0 would mean no limit.
		return nil, fmt.Errorf("-timeout %v: want at least 1s (or 0 for the default %v)", o.Timeout, DefaultCellTimeout)
	}
	// Where results go is checked before anything runs: two notebooks that
	// would write the same file, or a folder that cannot be written, would
	// otherwise lose a finished run.
	if err := checkDestinations(o, paths); err != nil {
		return nil, err
	}
	// Parameters are checked for every notebook before any runs.
	prepared := make([]*parameterized, len(paths))
	prepErrs := make([]error, len(paths))
	var paramErrs []error
	for i, p := range paths {
		var err error
		prepared[i], prepErrs[i], err = prepare(p, o)
		if err != nil {
			paramErrs = append(paramErrs, err)
		}
	}
	if len(paramErrs) > 0 {
		return nil, errors.Join(paramErrs...)
	}
	python, err := findPython(o.Python)
	if err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp("", "neurocrypt-kernel-run-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	driver := filepath.Join(tmp, "driver.py")
	if err := os.WriteFile(driver, driverPy, 0o644); err != nil {
		return nil, err
	}
	var all []failure
	for i, p := range paths {
		start := time.Now()
		fmt.Fprintf(stdout, "RUN  %s\n", p)
		var fails []failure
		var written []string
		err := prepErrs[i]
		if err == nil {
			fails, written, err = runOne(ctx, o, python, driver, tmp, p, prepared[i], stderr)
		}
		if err != nil {
			fails = append(fails, failure{Notebook: p, Kind: kindKernel, Message: err.Error()})
		}
		status, wrote := "ok  ", ""
		if len(fails) > 0 {
			status = "FAIL"
			if len(written) > 0 {
				wrote = "; wrote " + strings.Join(written, ", ")
			}
		}
		fmt.Fprintf(stdout, "%s %s (%.1fs)%s\n", status, p, time.Since(start).Seconds(), wrote)
		all = append(all, fails...)
		if ctx.Err() != nil {
			return all, ctx.Err()
		}
	}
	return all, nil
}

// MaxNotebookBytes bounds the size of a notebook that is read (committed
// notebooks with outputs are a few megabytes).
const MaxNotebookBytes = 256 << 20

// checkDestinations refuses, before anything runs, two notebooks whose
// executed copies (with -out) or HTML exports (with -html) would be the same
// file, and an -out or -html folder that cannot be created or written.
func checkDestinations(o runOptions, paths []string) error {
	seen := map[string]string{}
	claim := func(dst, src string) error {
		if prev, ok := seen[dst]; ok && prev != src {
			return fmt.Errorf("%s and %s would both write %s: run them separately", safefile.Name(prev), safefile.Name(src), safefile.Name(dst))
		}
		seen[dst] = src
		return nil
	}
	for _, p := range paths {
		base := strings.TrimSuffix(filepath.Base(p), filepath.Ext(p))
		if o.OutDir != "" {
			if err := claim(filepath.Join(o.OutDir, filepath.Base(p)), p); err != nil {
				return err
			}
		}
		if o.HTMLDir != "" {
			if err := claim(filepath.Join(o.HTMLDir, base+".html"), p); err != nil {
				return err
			}
		}
	}
	for _, d := range []struct{ flag, dir string }{{"-out", o.OutDir}, {"-html", o.HTMLDir}} {
		if d.dir == "" {
			continue
		}
		if err := os.MkdirAll(d.dir, 0o755); err != nil {
			return fmt.Errorf("%s %s: %v", d.flag, safefile.Name(d.dir), err)
		}
		f, err := os.CreateTemp(d.dir, ".kernel-run-probe-*")
		if err != nil {
			return fmt.Errorf("%s %s: cannot write there: %v", d.flag, safefile.Name(d.dir), err)
		}
		f.Close()
		os.Remove(f.Name())
	}
	return nil
}

// prepare reads a notebook and injects its parameters: -p, and -profile
// for a notebook whose parameters cell declares profile. readErr is a
// notebook that cannot be read (a failure of that notebook); paramErr is a
// parameter that does not fit it (which stops the whole run).
func prepare(path string, o runOptions) (pz *parameterized, readErr, paramErr error) {
	// A notebook comes from anywhere: never block on a FIFO or device,
	// never read without bound.
	b, err := safefile.ReadFile(path, MaxNotebookBytes, "notebook")
	if err != nil {
		return nil, err, nil
	}
	nb, err := parseNotebook(path, b)
	if err != nil {
		return nil, err, nil
	}
	ovs := o.Params
	if o.Profile != "" && ovs.get("profile") == nil {
		_, ps, err := notebookParams(path, nb)
		if err != nil {
			return nil, nil, err
		}
		if slices.ContainsFunc(ps, func(p param) bool { return p.Name == "profile" && !p.Const }) {
			ovs = append(slices.Clip(ovs), override{"profile", o.Profile})
		}
	}
	pz, err = parameterize(path, b, ovs)
	return pz, nil, err
}

// runOne executes one notebook and writes the results; written lists the
// files it wrote.
func runOne(ctx context.Context, o runOptions, python, driver, tmp, path string, pz *parameterized, stderr io.Writer) (fails []failure, written []string, err error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, nil, err
	}
	base := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	srcPath := filepath.Join(tmp, base+".input.ipynb")
	if err := os.WriteFile(srcPath, pz.JSON, 0o644); err != nil {
		return nil, nil, err
	}
	execPath := filepath.Join(tmp, base+".executed.ipynb")
	htmlTmp := ""
	if o.HTMLDir != "" {
		htmlTmp = filepath.Join(tmp, base+".html")
	}
	args := []string{driver,
		"--kernel", o.Kernel,
		"--timeout", strconv.Itoa(int(o.Timeout.Seconds())),
		"--startup-timeout", strconv.Itoa(int(KernelStartupTimeout.Seconds())),
		"--fail-regexp", streamFailRegexp,
		// Plain-text errors from GoNB: compile errors keep their
		// "file:line: msg" lines instead of an HTML widget.
		"--extra-arg=--raw_error",
		"--cwd", filepath.Dir(abs),
		"--html", htmlTmp,
		srcPath, execPath}
	cmd := exec.CommandContext(ctx, python, args...)
	cmd.Dir = filepath.Dir(abs)
	cmd.Env = append(os.Environ(), o.ExtraEnv...)
	if o.Profile != "" {
		cmd.Env = append(cmd.Env, ProfileEnv+"="+o.Profile)
	}
	var log bytes.Buffer
	cmd.Stdout = &log
	cmd.Stderr = &log
	if o.Verbose {
		cmd.Stdout = io.MultiWriter(&log, stderr)
		cmd.Stderr = cmd.Stdout
	}
	runErr := cmd.Run()
	var exitErr *exec.ExitError
	if runErr != nil && !(errors.As(runErr, &exitErr) && exitErr.ExitCode() != driverFailed && fileExists(execPath)) {
		return nil, written, fmt.Errorf("%s: could not execute: %v\n%s", path, runErr, tail(log.String(), 40))
	}
	b, err := os.ReadFile(execPath)
	if err != nil {
		return nil, written, fmt.Errorf("%s: the driver wrote no executed notebook: %v\n%s", path, err, tail(log.String(), 40))
	}
	nb, err := parseNotebook(execPath, b)
	if err != nil {
		return nil, written, err
	}
	dst := path
	if o.OutDir != "" {
		dst = filepath.Join(o.OutDir, filepath.Base(path))
	}
	if err := atomicfile.WriteFile(dst, b, 0o644); err != nil {
		return nil, written, fmt.Errorf("writing the executed notebook: %w", err)
	}
	written = append(written, dst)
	if htmlTmp != "" {
		h, err := os.ReadFile(htmlTmp)
		if err != nil {
			return nil, written, fmt.Errorf("%s: HTML export missing: %v\n%s", path, err, tail(log.String(), 20))
		}
		htmlDir, err := filepath.Abs(o.HTMLDir)
		if err != nil {
			return nil, written, err
		}
		h = rebaseLinks(h, filepath.Dir(abs), htmlDir)
		htmlPath := filepath.Join(htmlDir, base+".html")
		if err := atomicfile.WriteFile(htmlPath, h, 0o644); err != nil {
			return nil, written, fmt.Errorf("writing the HTML export: %w", err)
		}
		written = append(written, filepath.Join(o.HTMLDir, base+".html"))
	}
	fails = failures(path, nb)
	for i, f := range fails {
		// Name the cells as the input notebook numbers them.
		if f.Cell >= 1 && f.Cell <= len(pz.Orig) {
			fails[i].Cell = pz.Orig[f.Cell-1]
			fails[i].Injected = fails[i].Cell == 0
		}
	}
	if len(fails) == 0 {
		if n := unexecuted(nb); n > 0 {
			fails = append(fails, failure{Notebook: path, Kind: kindKernel,
				Message: fmt.Sprintf("%d code cell(s) were not executed", n)})
		}
	}
	return fails, written, nil
}

// reLink matches href and src attributes with a relative URL: no scheme,
// not absolute, not a fragment.
var reLink = regexp.MustCompile(`\b(href|src)="([^"#/:?][^":]*)"`)

// rebaseLinks rewrites the relative links of an HTML export so that they
// point at the same files from htmlDir as they did from the notebook's
// directory: ../reports/bitplane.html in notebooks/bitplane.ipynb becomes
// ../bitplane.html in reports/notebooks/bitplane.html.
func rebaseLinks(h []byte, nbDir, htmlDir string) []byte {
	if nbDir == htmlDir {
		return h
	}
	return reLink.ReplaceAllFunc(h, func(m []byte) []byte {
		sub := reLink.FindSubmatch(m)
		attr, target := string(sub[1]), string(sub[2])
		path, suffix := target, ""
		if i := strings.IndexAny(target, "#?"); i >= 0 {
			path, suffix = target[:i], target[i:]
		}
		rel, err := filepath.Rel(htmlDir, filepath.Join(nbDir, filepath.FromSlash(path)))
		if err != nil {
			return m
		}
		return []byte(fmt.Sprintf(`%s="%s%s"`, attr, filepath.ToSlash(rel), suffix))
	})
}

// findPython returns a Python that can import nbclient, nbformat and
// nbconvert: the explicit one, $NEUROCRYPT_PYTHON, the one `jupyter` runs
// with, /usr/bin/python3, then python3 on PATH.
func findPython(explicit string) (string, error) {
	var cands []string
	if explicit != "" {
		cands = []string{explicit}
	} else {
		if p := os.Getenv(PythonEnv); p != "" {
			cands = append(cands, p)
		}
		if p := jupyterPython(); p != "" {
			cands = append(cands, p)
		}
		cands = append(cands, "/usr/bin/python3", "python3")
	}
	var tried []string
	for _, c := range cands {
		path, err := exec.LookPath(c)
		if err != nil {
			tried = append(tried, c+" (not found)")
			continue
		}
		out, err := exec.Command(path, "-c", "import nbclient, nbformat, nbconvert, jupyter_client").CombinedOutput()
		if err != nil {
			tried = append(tried, fmt.Sprintf("%s (%s)", path, lastLine(string(out))))
			continue
		}
		return path, nil
	}
	return "", fmt.Errorf("no Python with nbclient/nbformat/nbconvert: tried %s; install Jupyter "+
		"(Debian: apt-get install jupyter-notebook jupyter-client jupyter-nbconvert python3-nbconvert python3-nbclient python3-ipykernel) or set $%s",
		strings.Join(tried, ", "), PythonEnv)
}

// jupyterPython returns the interpreter named in the `jupyter` script's
// shebang line, or "".
func jupyterPython() string {
	j, err := exec.LookPath("jupyter")
	if err != nil {
		return ""
	}
	f, err := os.Open(j)
	if err != nil {
		return ""
	}
	defer f.Close()
	buf := make([]byte, 256)
	n, _ := f.Read(buf)
	line, _, _ := strings.Cut(string(buf[:n]), "\n")
	if !strings.HasPrefix(line, "#!") {
		return ""
	}
	fields := strings.Fields(strings.TrimPrefix(line, "#!"))
	if len(fields) == 0 || strings.HasSuffix(fields[0], "/env") {
		return ""
	}
	return fields[0]
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}

// tail returns the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
