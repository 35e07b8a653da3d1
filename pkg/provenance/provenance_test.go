package provenance

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode"
)

func TestCommandLine(t *testing.T) {
	got := CommandLine([]string{"/tmp/go-build123/b001/exe/neurocrypt", "reproduce", "-out", "my reports", "it's"})
	want := `go run ./cmd/neurocrypt reproduce -out 'my reports' 'it'\''s'`
	if got != want {
		t.Errorf("CommandLine = %q, want %q", got, want)
	}
	if got := CommandLine([]string{"neurocrypt", "-seed=1", ""}); got != "neurocrypt -seed=1 ''" {
		t.Errorf("CommandLine = %q", got)
	}
}

// TestCommandLineEscapesWhatCannotBeShown: control and format characters
// and bytes that are not UTF-8 are escaped ($'...'), so the line shows every
// character, and bash splits the line back into the very same arguments.
func TestCommandLineEscapesWhatCannotBeShown(t *testing.T) {
	args := []string{"neurocrypt", "-out", "evil\u202etxt.html", "a\nb", "tab\there", "x\xffy", "it's\\\u200b", "é ok", "\U000e0001"}
	got := CommandLine(args)
	for _, r := range got {
		if r != ' ' && !unicode.IsPrint(r) {
			t.Fatalf("CommandLine = %q shows %U raw", got, r)
		}
	}
	if want := `-out $'evil\xe2\x80\xaetxt.html' $'a\x0ab'`; !strings.Contains(got, want) {
		t.Errorf("CommandLine = %q, want it to contain %q", got, want)
	}
	if !strings.Contains(got, "'é ok'") {
		t.Errorf("CommandLine = %q: printable non-ASCII should stay plain quoted", got)
	}
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash to split the line back")
	}
	// printf prints each argument NUL-terminated, so the split is exact; in
	// the C locale too (byte escapes do not depend on it).
	for _, locale := range []string{"C", "C.UTF-8"} {
		cmd := exec.Command(bash, "-c", "printf '%s\\0' "+strings.TrimPrefix(got, "neurocrypt "))
		cmd.Env = append(os.Environ(), "LC_ALL="+locale)
		out, err := cmd.Output()
		if err != nil {
			t.Fatal(err)
		}
		back := strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00")
		if strings.Join(back, "|") != strings.Join(args[1:], "|") || len(back) != len(args)-1 {
			t.Errorf("LC_ALL=%s: bash split %q back into %q, want %q", locale, got, back, args[1:])
		}
	}
}

func TestCollect(t *testing.T) {
	p := Collect("")
	if p.GoVersion == "" || p.GoMLXVersion == "" || p.GoNBVersion != GoNBVersion || p.CPUs < 1 || p.OSArch == "" || p.Host == "" || p.Start.IsZero() || p.Command == "" {
		t.Errorf("incomplete provenance: %+v", p)
	}
	if p.Commit == Unknown {
		if p.Extra["git"] == "" {
			t.Errorf("unknown commit without a reason")
		}
	} else if !regexp.MustCompile(`^[0-9a-f]{40,64}$`).MatchString(p.Commit) {
		t.Errorf("commit %q is not a hash", p.Commit)
	}
	// Outside any repository: "unknown", no error, no panic.
	q := Collect(t.TempDir())
	if q.Commit != Unknown || q.Extra["git"] == "" {
		t.Errorf("outside a repository: commit=%q extra=%v", q.Commit, q.Extra)
	}
	q.Finish(q.Start.Add(1500 * time.Millisecond))
	if q.DurationS != 1.5 {
		t.Errorf("DurationS = %v", q.DurationS)
	}
}

func TestModuleRoot(t *testing.T) {
	dir := t.TempDir()
	sub := filepath.Join(dir, "a", "b")
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := ModuleRoot(sub); got != dir {
		t.Errorf("ModuleRoot(%s) = %s, want %s", sub, got, dir)
	}
}

// TestGoNBVersionMatchesGoMod ties the GoNB version recorded in provenance
// to the version go.mod pins (the one the kernel installer builds).
func TestGoNBVersionMatchesGoMod(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(ModuleRoot("."), "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	want := "github.com/janpfeifer/gonb " + GoNBVersion
	if !strings.Contains(string(b), want) {
		t.Fatalf("go.mod does not require %q: update GoNBVersion with the pin", want)
	}
}

// TestGitRunsNothingConfigured: a folder whose git configuration names a
// program (core.fsmonitor, a hook) does not get it run by provenance —
// not in a foreign folder (git is not run at all), nor in a checkout of
// this module (git runs with those programs switched off).
func TestGitRunsNothingConfigured(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git")
	}
	for _, module := range []string{"example.com/other", ModulePath} {
		dir := t.TempDir()
		marker := filepath.Join(dir, "PWNED")
		script := filepath.Join(dir, "monitor.sh")
		os.WriteFile(script, []byte("#!/bin/sh\ntouch "+marker+"\n"), 0o755)
		os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module "+module+"\n"), 0o644)
		for _, args := range [][]string{{"init", "-q"}, {"config", "core.fsmonitor", script},
			{"-c", "user.email=a@b", "-c", "user.name=a", "commit", "-q", "--allow-empty", "-m", "x"}} {
			cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
			cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1")
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("git %v: %v\n%s", args, err, out)
			}
		}
		// Filter drivers (a clean command and a long-running process) that
		// git status would run on a tracked file whose stat changed.
		filter := filepath.Join(dir, "filter.sh")
		os.WriteFile(filter, []byte("#!/bin/sh\ntouch "+marker+"\ncat\n"), 0o755)
		os.WriteFile(filepath.Join(dir, ".gitattributes"), []byte("a.txt filter=evil\nb.txt filter=evil.2\n"), 0o644)
		os.WriteFile(filepath.Join(dir, "a.txt"), []byte("hello\n"), 0o644)
		os.WriteFile(filepath.Join(dir, "b.txt"), []byte("hello\n"), 0o644)
		for _, args := range [][]string{{"add", "-A"},
			{"-c", "user.email=a@b", "-c", "user.name=a", "commit", "-q", "-m", "y"},
			{"config", "filter.evil.clean", filter}, {"config", "filter.evil.2.process", filter}} {
			cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
			cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1")
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("git %v: %v\n%s", args, err, out)
			}
		}
		for _, f := range []string{"a.txt", "b.txt"} { // same size, new time: git must hash them
			os.WriteFile(filepath.Join(dir, f), []byte("jello\n"), 0o644)
			old := time.Now().Add(-time.Hour)
			os.Chtimes(filepath.Join(dir, f), old, old)
		}
		os.Remove(marker) // git commit itself may have run the monitor
		p := Collect(dir)
		if _, err := os.Stat(marker); err == nil {
			t.Fatalf("module %s: a configured core.fsmonitor or filter driver ran", module)
		}
		if module == ModulePath && (p.Commit == Unknown || !p.Dirty) {
			t.Errorf("own checkout: commit %q dirty %v (%v); want the commit and dirty (untracked files)", p.Commit, p.Dirty, p.Extra["git"])
		}
		if module != ModulePath && (p.Commit != Unknown || !p.Dirty || !strings.Contains(p.Extra["git"], "git not run")) {
			t.Errorf("foreign folder: commit %q, %v", p.Commit, p.Extra["git"])
		}
	}
}

// TestGitFetchesNothing: a partial clone whose HEAD tree is missing would
// make git status fetch it from its promisor remote, running the remote's
// configured upload-pack; transports are off, so nothing runs, and the
// tree is recorded as dirty (its state is unknown), not clean.
func TestGitFetchesNothing(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git")
	}
	dir := t.TempDir()
	marker := filepath.Join(dir, "PWNED")
	script := filepath.Join(dir, "upload.sh")
	os.WriteFile(script, []byte("#!/bin/sh\ntouch "+marker+"\nexit 1\n"), 0o755)
	os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module "+ModulePath+"\n"), 0o644)
	gitDo := func(args ...string) string {
		cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
		cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	gitDo("init", "-q")
	gitDo("add", "go.mod")
	gitDo("-c", "user.email=a@b", "-c", "user.name=a", "commit", "-q", "-m", "x")
	for _, kv := range [][2]string{{"core.repositoryformatversion", "1"}, {"extensions.partialClone", "origin"},
		{"remote.origin.url", dir}, {"remote.origin.promisor", "true"}, {"remote.origin.uploadpack", script}} {
		gitDo("config", kv[0], kv[1])
	}
	tree := gitDo("rev-parse", "HEAD^{tree}")
	if err := os.Remove(filepath.Join(dir, ".git", "objects", tree[:2], tree[2:])); err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(dir, ".git", "index")) // status must read the tree
	p := Collect(dir)
	if _, err := os.Stat(marker); err == nil {
		t.Fatal("git fetched the missing tree, running the remote's upload-pack")
	}
	if !p.Dirty {
		t.Errorf("an unknown state recorded as clean: %v", p.Extra["git"])
	}
}
