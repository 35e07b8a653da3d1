package main

import (
	"bytes"
	"context"
	"debug/buildinfo"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/neurocrypt/neurocrypt/pkg/atomicfile"
)

// Names and pinned versions.
const (
	// KernelName is the kernelspec name (`jupyter kernelspec list`).
	KernelName = "neurocrypt"
	// KernelDisplayName is what JupyterLab and the Notebook show.
	KernelDisplayName = "Go (neurocrypt)"
	// ModulePath is this repository's module.
	ModulePath = "github.com/neurocrypt/neurocrypt"
	// RepoEnv is set in the kernel's environment to the checkout's absolute
	// path, so notebooks can find reports/ and datasets/.
	RepoEnv = "NEUROCRYPT_REPO"

	// GoNBModule at GoNBVersion is the kernel; the same version as the
	// gonbui package that pkg/nbdisplay imports (go.mod).
	GoNBModule  = "github.com/janpfeifer/gonb"
	GoNBVersion = "v0.11.5"
	// ToolsModule at ToolsVersion provides goimports, which GoNB runs on
	// every cell.
	ToolsModule  = "golang.org/x/tools"
	ToolsVersion = "v0.52.0"
	// GoplsModule at GoplsVersion is optional (completion and inspection in
	// the notebook UI); installed with -gopls.
	GoplsModule  = "golang.org/x/tools/gopls"
	GoplsVersion = "v0.23.0"

	// toolsModName names the throw-away module the tools are built in.
	toolsModName = "neurocrypt-kernel-tools"
)

// tool is a Go program the kernel needs.
type tool struct {
	Name     string // binary name
	Module   string
	Version  string
	Package  string // main package to install
	Optional bool
}

var (
	toolGoNB      = tool{Name: "gonb", Module: GoNBModule, Version: GoNBVersion, Package: GoNBModule}
	toolGoimports = tool{Name: "goimports", Module: ToolsModule, Version: ToolsVersion, Package: ToolsModule + "/cmd/goimports"}
	toolGopls     = tool{Name: "gopls", Module: GoplsModule, Version: GoplsVersion, Package: GoplsModule, Optional: true}
)

// installOptions configure `kernel install`.
type installOptions struct {
	Repo       string // checkout; "" finds it from the working directory
	BinDir     string // where tools go; "" = $GOBIN or $GOPATH/bin
	KernelsDir string // Jupyter kernels directory; "" = the user data dir's kernels/
	Gopls      bool
	Check      bool // only report
}

func cmdInstall(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("install", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o installOptions
	fs.BoolVar(&o.Check, "check", false, "only report what is installed and what is missing (exit 1 if anything required is missing)")
	fs.StringVar(&o.Repo, "repo", "", "the neurocrypt checkout notebooks import from (default: found from the working directory)")
	fs.StringVar(&o.BinDir, "bin", "", "`dir`ectory for gonb/goimports (default: $GOBIN, else $GOPATH/bin)")
	fs.StringVar(&o.KernelsDir, "kernels-dir", "", "Jupyter kernels `dir`ectory (default: $JUPYTER_DATA_DIR/kernels or ~/.local/share/jupyter/kernels)")
	fs.BoolVar(&o.Gopls, "gopls", false, "also install gopls "+GoplsVersion+" (completion in the notebook UI)")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: go run ./kernel install [-check] [-gopls] [-repo DIR] [-bin DIR] [-kernels-dir DIR]\n\n"+
			"Installs GoNB %s and goimports (x/tools %s) and registers the Jupyter kernel %q (%s).\n\n",
			GoNBVersion, ToolsVersion, KernelName, KernelDisplayName)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return 2
	}
	if err := o.resolve(); err != nil {
		fmt.Fprintf(stderr, "kernel install: %v\n", err)
		return 1
	}
	if !o.Check {
		if err := install(ctx, o, stdout); err != nil {
			fmt.Fprintf(stderr, "kernel install: %v\n", err)
			return 1
		}
		fmt.Fprintln(stdout)
	}
	if missing := check(o, stdout); missing > 0 {
		fmt.Fprintf(stdout, "\n%d required item(s) missing.\n", missing)
		return 1
	}
	return 0
}

// resolve fills the defaults.
func (o *installOptions) resolve() error {
	var err error
	if o.Repo == "" {
		wd, err := os.Getwd()
		if err != nil {
			return err
		}
		if o.Repo, err = findRepo(wd); err != nil {
			return err
		}
	}
	if o.Repo, err = filepath.Abs(o.Repo); err != nil {
		return err
	}
	if err := checkRepo(o.Repo); err != nil {
		return err
	}
	if o.BinDir == "" {
		if o.BinDir, err = defaultBinDir(); err != nil {
			return err
		}
	}
	if o.BinDir, err = filepath.Abs(o.BinDir); err != nil {
		return err
	}
	if o.KernelsDir == "" {
		d, err := jupyterDataDir()
		if err != nil {
			return err
		}
		o.KernelsDir = filepath.Join(d, "kernels")
	}
	return nil
}

func (o *installOptions) specDir() string { return filepath.Join(o.KernelsDir, KernelName) }

// findRepo walks up from dir to the directory whose go.mod declares
// ModulePath, and returns its absolute path.
func findRepo(dir string) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for d := dir; ; d = filepath.Dir(d) {
		if checkRepo(d) == nil {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("no go.mod of module %s in %s or its parents: run from the checkout or pass -repo", ModulePath, dir)
		}
	}
}

// checkRepo verifies that dir holds this module, and that its path can be
// passed to GoNB's comma-separated -go_work flag.
func checkRepo(dir string) error {
	b, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		return fmt.Errorf("-repo %s: %w", dir, err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		f := strings.Fields(l)
		if len(f) == 2 && f[0] == "module" {
			if strings.Trim(f[1], `"`) != ModulePath {
				return fmt.Errorf("-repo %s: go.mod declares module %s, want %s", dir, f[1], ModulePath)
			}
			if strings.Contains(dir, ",") {
				return fmt.Errorf("-repo %s: GoNB's -go_work flag cannot take a path with a comma; move the checkout", dir)
			}
			return nil
		}
	}
	return fmt.Errorf("-repo %s: go.mod has no module line", dir)
}

func defaultBinDir() (string, error) {
	out, err := exec.Command("go", "env", "GOBIN", "GOPATH").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOBIN GOPATH: %w", err)
	}
	lines := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
	if len(lines) >= 1 && lines[0] != "" {
		return lines[0], nil
	}
	if len(lines) >= 2 && lines[1] != "" {
		return filepath.Join(filepath.SplitList(lines[1])[0], "bin"), nil
	}
	return "", errors.New("go env reports neither GOBIN nor GOPATH")
}

// jupyterDataDir mirrors jupyter_core's user data directory.
func jupyterDataDir() (string, error) {
	if d := os.Getenv("JUPYTER_DATA_DIR"); d != "" {
		return d, nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("no home directory for the Jupyter data dir (set $JUPYTER_DATA_DIR or -kernels-dir): %w", err)
	}
	switch runtime.GOOS {
	case "darwin":
		return filepath.Join(home, "Library", "Jupyter"), nil
	case "windows":
		if a := os.Getenv("APPDATA"); a != "" {
			return filepath.Join(a, "jupyter"), nil
		}
		return filepath.Join(home, "AppData", "Roaming", "jupyter"), nil
	}
	if x := os.Getenv("XDG_DATA_HOME"); x != "" {
		return filepath.Join(x, "jupyter"), nil
	}
	return filepath.Join(home, ".local", "share", "jupyter"), nil
}

// install installs the tools (when missing or at another version) and
// writes the kernelspec (when it differs). It prints one line per action.
func install(ctx context.Context, o installOptions, w io.Writer) error {
	tools := []tool{toolGoNB, toolGoimports}
	if o.Gopls {
		tools = append(tools, toolGopls)
	}
	for _, t := range tools {
		did, err := installTool(ctx, t, o.BinDir)
		if err != nil {
			return err
		}
		if did {
			fmt.Fprintf(w, "installed %s (%s %s) in %s\n", t.Name, t.Module, t.Version, o.BinDir)
		} else {
			fmt.Fprintf(w, "%s %s already installed in %s\n", t.Name, t.Version, o.BinDir)
		}
	}
	changed, err := writeKernelspec(o.specDir(), filepath.Join(o.BinDir, toolGoNB.Name), o.BinDir, o.Repo)
	if err != nil {
		return err
	}
	if changed {
		fmt.Fprintf(w, "registered kernel %q (%s) in %s\n", KernelName, KernelDisplayName, o.specDir())
	} else {
		fmt.Fprintf(w, "kernel %q already registered in %s\n", KernelName, o.specDir())
	}
	return nil
}

// installedVersion returns the version of module mod that the binary at
// path was built from ("" if the binary is absent or not built from it).
func installedVersion(path, mod string) string {
	info, err := buildinfo.ReadFile(path)
	if err != nil {
		return ""
	}
	if info.Main.Path == mod {
		return info.Main.Version
	}
	for _, d := range info.Deps {
		if d.Path == mod {
			if d.Replace != nil {
				return d.Replace.Version
			}
			return d.Version
		}
	}
	return ""
}

// installTool builds t into binDir unless it is there at t.Version. The
// module proxy here refuses version lists for some modules, so tools are
// never installed with `go install mod@version`: a throw-away module gets
// `go get pkg@version` (an exact version needs no list) and `go install pkg`
// then builds the version that module pins.
func installTool(ctx context.Context, t tool, binDir string) (bool, error) {
	bin := filepath.Join(binDir, t.Name)
	if installedVersion(bin, t.Module) == t.Version {
		return false, nil
	}
	tmp, err := os.MkdirTemp("", toolsModName+"-")
	if err != nil {
		return false, err
	}
	defer os.RemoveAll(tmp)
	env := append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod", "GOBIN="+binDir)
	steps := [][]string{
		{"go", "mod", "init", toolsModName},
		{"go", "get", t.Package + "@" + t.Version},
		{"go", "install", t.Package},
	}
	if err := os.MkdirAll(binDir, 0o755); err != nil {
		return false, fmt.Errorf("installing %s: %w", t.Name, err)
	}
	for _, s := range steps {
		cmd := exec.CommandContext(ctx, s[0], s[1:]...)
		cmd.Dir = tmp
		cmd.Env = env
		if out, err := cmd.CombinedOutput(); err != nil {
			return false, fmt.Errorf("installing %s %s: %s: %v\n%s", t.Name, t.Version, strings.Join(s, " "), err, tail(string(out), 20))
		}
	}
	if v := installedVersion(bin, t.Module); v != t.Version {
		return false, fmt.Errorf("installing %s: %s reports %s %q after the build, want %s", t.Name, bin, t.Module, v, t.Version)
	}
	return true, nil
}

// kernelspec is Jupyter's kernel.json.
type kernelspec struct {
	Argv          []string          `json:"argv"`
	DisplayName   string            `json:"display_name"`
	Language      string            `json:"language"`
	InterruptMode string            `json:"interrupt_mode"`
	Env           map[string]string `json:"env"`
	Metadata      map[string]any    `json:"metadata,omitempty"`
}

// goWorkFlag is GoNB's flag that starts every notebook's temporary module
// with a go.work using the checkout (see doc.go).
const goWorkFlag = "--go_work="

// newKernelspec returns the kernelspec that launches gonb for repo.
func newKernelspec(gonb, binDir, repo string) kernelspec {
	goBin := filepath.Join(runtime.GOROOT(), "bin")
	if out, err := exec.Command("go", "env", "GOROOT").Output(); err == nil && strings.TrimSpace(string(out)) != "" {
		goBin = filepath.Join(strings.TrimSpace(string(out)), "bin")
	}
	return kernelspec{
		Argv:          []string{gonb, "--kernel", "{connection_file}", goWorkFlag + repo},
		DisplayName:   KernelDisplayName,
		Language:      "go",
		InterruptMode: "message",
		Env: map[string]string{
			// GoNB runs `go` and `goimports` from PATH; jupyter_client ≥ 7
			// expands ${PATH} to the server's PATH.
			"PATH":  binDir + string(os.PathListSeparator) + goBin + string(os.PathListSeparator) + "${PATH}",
			RepoEnv: repo,
		},
		Metadata: map[string]any{"neurocrypt": map[string]string{"repo": repo, "gonb": GoNBVersion, "goimports": ToolsVersion}},
	}
}

// writeKernelspec writes dir/kernel.json; changed is false when it already
// had this content.
func writeKernelspec(dir, gonb, binDir, repo string) (changed bool, err error) {
	b, err := json.MarshalIndent(newKernelspec(gonb, binDir, repo), "", "  ")
	if err != nil {
		return false, err
	}
	b = append(b, '\n')
	path := filepath.Join(dir, "kernel.json")
	if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, b) {
		return false, nil
	}
	if err := atomicfile.WriteFile(path, b, 0o644); err != nil {
		return false, fmt.Errorf("writing the kernelspec: %w", err)
	}
	return true, nil
}

// readKernelspec reads dir/kernel.json.
func readKernelspec(dir string) (*kernelspec, error) {
	b, err := os.ReadFile(filepath.Join(dir, "kernel.json"))
	if err != nil {
		return nil, err
	}
	var ks kernelspec
	if err := json.Unmarshal(b, &ks); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, "kernel.json"), err)
	}
	return &ks, nil
}

// check prints one line per item and returns how many required items are
// missing or wrong.
func check(o installOptions, w io.Writer) (missing int) {
	report := func(ok bool, optional bool, item, detail string) {
		status := "ok     "
		switch {
		case !ok && optional:
			status = "absent "
		case !ok:
			status = "MISSING"
			missing++
		}
		fmt.Fprintf(w, "%s %-16s %s\n", status, item, detail)
	}
	if out, err := exec.Command("go", "env", "GOVERSION").Output(); err == nil {
		report(true, false, "go", strings.TrimSpace(string(out)))
	} else {
		report(false, false, "go", "the go command is not on PATH")
	}
	jupyter, err := exec.LookPath("jupyter")
	if err != nil {
		report(false, false, "jupyter", "not found: apt-get install jupyter-notebook jupyter-client jupyter-nbconvert python3-nbconvert python3-nbclient python3-ipykernel (or pip install jupyterlab)")
	} else {
		report(true, false, "jupyter", jupyter)
	}
	lab, errLab := exec.LookPath("jupyter-lab")
	nbk, errNb := exec.LookPath("jupyter-notebook")
	switch {
	case errLab == nil:
		report(true, true, "jupyterlab", lab)
	case errNb == nil:
		report(false, true, "jupyterlab", "not installed; the classic Notebook is: "+nbk)
	default:
		report(false, true, "jupyterlab", "not installed (nor the classic Notebook)")
	}
	if py, err := findPython(""); err == nil {
		report(true, false, "nbclient", py+" (for `kernel run`)")
	} else {
		report(false, false, "nbclient", err.Error())
	}
	for _, t := range []tool{toolGoNB, toolGoimports, toolGopls} {
		bin := filepath.Join(o.BinDir, t.Name)
		v := installedVersion(bin, t.Module)
		switch {
		case v == t.Version:
			report(true, t.Optional, t.Name, bin+" "+v)
		case v == "" && t.Optional:
			report(false, true, t.Name, "not installed (go run ./kernel install -gopls)")
		case v == "":
			report(false, false, t.Name, bin+" not installed (go run ./kernel install)")
		default:
			report(false, t.Optional, t.Name, fmt.Sprintf("%s is %s, want %s (go run ./kernel install)", bin, v, t.Version))
		}
	}
	ks, err := readKernelspec(o.specDir())
	switch {
	case err != nil:
		report(false, false, "kernelspec", o.specDir()+": not registered (go run ./kernel install)")
	default:
		want := newKernelspec(filepath.Join(o.BinDir, toolGoNB.Name), o.BinDir, o.Repo)
		var problems []string
		if len(ks.Argv) == 0 || !fileExists(ks.Argv[0]) {
			problems = append(problems, "its argv[0] does not exist")
		}
		if !contains(ks.Argv, goWorkFlag+o.Repo) {
			problems = append(problems, "it does not use this checkout "+o.Repo)
		}
		if ks.DisplayName != want.DisplayName {
			problems = append(problems, fmt.Sprintf("display name %q", ks.DisplayName))
		}
		if len(problems) > 0 {
			report(false, false, "kernelspec", o.specDir()+": "+strings.Join(problems, "; ")+" (go run ./kernel install)")
		} else {
			report(true, false, "kernelspec", fmt.Sprintf("%s (%s, repo %s)", o.specDir(), ks.DisplayName, o.Repo))
		}
	}
	if jupyter != "" {
		out, err := exec.Command(jupyter, "kernelspec", "list", "--json").Output()
		var list struct {
			Kernelspecs map[string]struct {
				ResourceDir string `json:"resource_dir"`
			} `json:"kernelspecs"`
		}
		switch {
		case err != nil:
			report(false, false, "jupyter sees it", fmt.Sprintf("jupyter kernelspec list failed: %v", err))
		case json.Unmarshal(out, &list) != nil:
			report(false, false, "jupyter sees it", "jupyter kernelspec list --json: unreadable output")
		default:
			ks, ok := list.Kernelspecs[KernelName]
			switch {
			case !ok:
				report(false, false, "jupyter sees it", fmt.Sprintf("no %q in `jupyter kernelspec list` (is %s on its data path?)", KernelName, o.KernelsDir))
			case !sameDir(ks.ResourceDir, o.specDir()):
				report(false, false, "jupyter sees it", fmt.Sprintf("jupyter uses %s, not %s (put %s on $JUPYTER_PATH, or install without -kernels-dir)",
					ks.ResourceDir, o.specDir(), filepath.Dir(o.KernelsDir)))
			default:
				report(true, false, "jupyter sees it", ks.ResourceDir)
			}
		}
	}
	return missing
}

// sameDir reports whether a and b name the same directory.
func sameDir(a, b string) bool {
	ea, err1 := filepath.EvalSymlinks(a)
	eb, err2 := filepath.EvalSymlinks(b)
	if err1 != nil || err2 != nil {
		return filepath.Clean(a) == filepath.Clean(b)
	}
	return ea == eb
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
