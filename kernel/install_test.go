package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestFindRepo(t *testing.T) {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	repo, err := findRepo(wd)
	if err != nil {
		t.Fatal(err)
	}
	if repo != filepath.Dir(wd) {
		t.Errorf("findRepo(%s) = %s, want its parent", wd, repo)
	}
	if _, err := findRepo(t.TempDir()); err == nil || !strings.Contains(err.Error(), ModulePath) {
		t.Errorf("outside the module: err = %v", err)
	}
}

func TestCheckRepo(t *testing.T) {
	other := t.TempDir()
	if err := os.WriteFile(filepath.Join(other, "go.mod"), []byte("module example.com/other\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := checkRepo(other); err == nil || !strings.Contains(err.Error(), "example.com/other") {
		t.Errorf("other module: err = %v", err)
	}
	comma := filepath.Join(t.TempDir(), "a,b")
	if err := os.MkdirAll(comma, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(comma, "go.mod"), []byte("module "+ModulePath+"\n\ngo 1.26\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := checkRepo(comma); err == nil || !strings.Contains(err.Error(), "comma") {
		t.Errorf("path with a comma: err = %v", err)
	}
}

func TestWriteKernelspec(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "kernels", KernelName)
	changed, err := writeKernelspec(dir, "/opt/bin/gonb", "/opt/bin", "/src/neurocrypt")
	if err != nil || !changed {
		t.Fatalf("first write: changed=%v err=%v", changed, err)
	}
	changed, err = writeKernelspec(dir, "/opt/bin/gonb", "/opt/bin", "/src/neurocrypt")
	if err != nil || changed {
		t.Fatalf("second write must be a no-op: changed=%v err=%v", changed, err)
	}
	ks, err := readKernelspec(dir)
	if err != nil {
		t.Fatal(err)
	}
	if ks.DisplayName != "Go (neurocrypt)" || ks.Language != "go" {
		t.Errorf("names: %+v", ks)
	}
	wantArgv := []string{"/opt/bin/gonb", "--kernel", "{connection_file}", "--go_work=/src/neurocrypt"}
	if strings.Join(ks.Argv, " ") != strings.Join(wantArgv, " ") {
		t.Errorf("argv = %q, want %q", ks.Argv, wantArgv)
	}
	if p := ks.Env["PATH"]; !strings.HasPrefix(p, "/opt/bin:") || !strings.HasSuffix(p, ":${PATH}") {
		t.Errorf("PATH = %q, want the tools dir first and ${PATH} last", p)
	}
	if ks.Env[RepoEnv] != "/src/neurocrypt" {
		t.Errorf("%s = %q", RepoEnv, ks.Env[RepoEnv])
	}
	// Another checkout rewrites it.
	changed, err = writeKernelspec(dir, "/opt/bin/gonb", "/opt/bin", "/src/other")
	if err != nil || !changed {
		t.Fatalf("new repo: changed=%v err=%v", changed, err)
	}
}

func TestJupyterDataDir(t *testing.T) {
	t.Setenv("JUPYTER_DATA_DIR", "/x/jupyter")
	if d, err := jupyterDataDir(); err != nil || d != "/x/jupyter" {
		t.Errorf("with $JUPYTER_DATA_DIR: %q %v", d, err)
	}
}

func TestInstalledVersion(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	if v := installedVersion(exe, GoNBModule); v != "" {
		t.Errorf("the test binary is not built from gonb, got version %q", v)
	}
	if v := installedVersion(filepath.Join(t.TempDir(), "absent"), GoNBModule); v != "" {
		t.Errorf("absent binary: %q", v)
	}
}

// TestGoModPinsGoNB keeps the kernel's GoNB version equal to the gonbui
// version pkg/nbdisplay is built with: their pipe protocol must match.
func TestGoModPinsGoNB(t *testing.T) {
	b, err := os.ReadFile("../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), GoNBModule+" "+GoNBVersion) {
		t.Errorf("go.mod does not require %s %s", GoNBModule, GoNBVersion)
	}
}

func TestCheckReportsMissing(t *testing.T) {
	repo, err := findRepo("..")
	if err != nil {
		t.Fatal(err)
	}
	o := installOptions{Repo: repo, BinDir: t.TempDir(), KernelsDir: t.TempDir()}
	var out bytes.Buffer
	missing := check(o, &out)
	for _, want := range []string{"MISSING gonb", "MISSING goimports", "MISSING kernelspec", "absent  gopls"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("check output lacks %q:\n%s", want, out.String())
		}
	}
	if missing < 3 {
		t.Errorf("missing = %d, want at least 3 (gonb, goimports, kernelspec)", missing)
	}
	// A kernelspec for another checkout is reported.
	if _, err := writeKernelspec(o.specDir(), filepath.Join(o.BinDir, "gonb"), o.BinDir, "/elsewhere"); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	check(o, &out)
	if !strings.Contains(out.String(), "does not use this checkout") {
		t.Errorf("stale kernelspec not reported:\n%s", out.String())
	}
}

func TestUsage(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"frobnicate"}, &out, &errOut); code != 2 || !strings.Contains(errOut.String(), "unknown command") {
		t.Errorf("unknown command: code %d, stderr %q", code, errOut.String())
	}
	if code := run(context.Background(), []string{"run"}, &out, &errOut); code != 2 {
		t.Errorf("run without notebooks: code %d, want 2", code)
	}
	if code := run(context.Background(), []string{"run", "-profile", "huge", "x.ipynb"}, &out, &errOut); code != 1 ||
		!strings.Contains(errOut.String(), "huge") {
		t.Errorf("bad profile: code %d, stderr %q", code, errOut.String())
	}
}
