package atomicfile

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestWriteFileReplacesAndLeavesNoTemp(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "sub", "a.txt")
	if err := WriteFile(p, []byte("one"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(p, []byte("two"), 0o644); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(p)
	if err != nil || string(b) != "two" {
		t.Fatalf("got %q, %v; want \"two\"", b, err)
	}
	ents, _ := os.ReadDir(filepath.Dir(p))
	if len(ents) != 1 {
		t.Fatalf("want only a.txt in dir, got %d entries", len(ents))
	}
}

func TestWriteFailureKeepsOldFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "a.txt")
	if err := WriteFile(p, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	err := Write(p, 0o644, func(w io.Writer) error {
		w.Write([]byte("half"))
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("want boom, got %v", err)
	}
	b, _ := os.ReadFile(p)
	if string(b) != "old" {
		t.Fatalf("old content lost: %q", b)
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 {
		t.Fatalf("temporary file left behind: %d entries", len(ents))
	}
}

func readAll(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			b, _ := os.ReadFile(p)
			rel, _ := filepath.Rel(dir, p)
			out[rel] = string(b)
		}
		return nil
	})
	return out
}

// TestWriteDirSwitchesAsAWhole: the new content replaces the old folder,
// which keeps what the new run did not produce; a failing fill leaves the
// old folder as it was; leftovers of killed writers are cleaned; a folder
// missing between the two renames is restored; symbolic links inside are
// carried as links, never written through.
func TestWriteDirSwitchesAsAWhole(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "reports")
	write := func(files map[string]string) error {
		return WriteDir(dir, func(tmp string) error {
			for name, data := range files {
				if err := WriteFile(filepath.Join(tmp, name), []byte(data), 0o644); err != nil {
					return err
				}
			}
			return nil
		})
	}
	if err := write(map[string]string{"index.html": "1", "figures/a.svg": "a1", "notebooks/n.html": "n"}); err != nil {
		t.Fatal(err)
	}
	outside := t.TempDir()
	os.Symlink(outside, filepath.Join(dir, "elsewhere"))
	os.WriteFile(filepath.Join(dir, ".index.html.tmp-123"), []byte("stale"), 0o644)
	if err := write(map[string]string{"index.html": "2", "figures/b.svg": "b2", "elsewhere/x.svg": "x"}); err != nil {
		t.Fatal(err)
	}
	got := readAll(t, dir)
	want := map[string]string{"index.html": "2", "figures/a.svg": "a1", "figures/b.svg": "b2", "notebooks/n.html": "n", "elsewhere/x.svg": "x"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q (all: %v)", k, got[k], v, got)
		}
	}
	if _, ok := got[".index.html.tmp-123"]; ok {
		t.Error("a stale temporary was carried over")
	}
	if ents, _ := os.ReadDir(outside); len(ents) != 0 {
		t.Errorf("a write went through a symbolic link: %v", ents)
	}
	// A failing fill leaves everything as it was, and no sibling behind.
	if err := write(map[string]string{"index.html": "3", "bad/\x00": "x"}); err == nil {
		t.Fatal("a failing fill succeeded")
	}
	if got := readAll(t, dir); got["index.html"] != "2" {
		t.Errorf("after a failed write index.html = %q", got["index.html"])
	}
	ents, _ := os.ReadDir(parent)
	if len(ents) != 1 {
		t.Errorf("siblings left: %v", ents)
	}
	// Killed between the two renames: the folder is gone, its old copy is
	// beside it; the next write restores it and keeps its files.
	old := filepath.Join(parent, ".reports.old-999")
	if err := os.Rename(dir, old); err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(filepath.Join(parent, ".reports.new-888"), 0o755)
	if err := write(map[string]string{"index.html": "4"}); err != nil {
		t.Fatal(err)
	}
	if got := readAll(t, dir); got["index.html"] != "4" || got["notebooks/n.html"] != "n" {
		t.Errorf("after recovery: %v", got)
	}
	if ents, _ := os.ReadDir(parent); len(ents) != 1 {
		t.Errorf("siblings left after recovery: %v", ents)
	}
	// The folder itself as a symbolic link is refused.
	link := filepath.Join(parent, "link")
	os.Symlink(dir, link)
	if err := WriteDir(link, func(string) error { return nil }); err == nil {
		t.Error("WriteDir through a symbolic link succeeded")
	}
}

func TestCleanStale(t *testing.T) {
	dir := t.TempDir()
	old, young, other := filepath.Join(dir, ".a.gob.tmp-1"), filepath.Join(dir, ".b.gob.tmp-2"), filepath.Join(dir, "c.gob")
	for _, p := range []string{old, young, other} {
		os.WriteFile(p, nil, 0o644)
	}
	past := time.Now().Add(-2 * time.Hour)
	os.Chtimes(old, past, past)
	CleanStale(dir, time.Hour)
	for p, want := range map[string]bool{old: false, young: true, other: true} {
		if _, err := os.Stat(p); (err == nil) != want {
			t.Errorf("%s exists: %v, want %v", p, err == nil, want)
		}
	}
}

func TestSealUnseal(t *testing.T) {
	sealed := Seal([]byte("entry"))
	if b, err := Unseal(sealed); err != nil || string(b) != "entry" {
		t.Fatalf("round trip: %q, %v", b, err)
	}
	for i := range sealed {
		bad := append([]byte{}, sealed...)
		bad[i] ^= 1
		if _, err := Unseal(bad); !errors.Is(err, ErrChecksum) {
			t.Errorf("byte %d flipped: %v", i, err)
		}
	}
	if _, err := Unseal(sealed[:31]); !errors.Is(err, ErrShort) {
		t.Errorf("truncated: %v", err)
	}
}
