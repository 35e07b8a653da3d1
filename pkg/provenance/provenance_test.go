package provenance

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
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
