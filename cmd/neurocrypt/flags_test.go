package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/neurocrypt/neurocrypt/pkg/dataset"
	"github.com/neurocrypt/neurocrypt/pkg/imageio"
)

// TestFlagsAfterPositionalArguments: every command takes flags before,
// between and after its positional arguments.
func TestFlagsAfterPositionalArguments(t *testing.T) {
	dir, plain := plainFile(t)
	key := mustKey(t, "bitplane")
	enc, dec := filepath.Join(dir, "e.png"), filepath.Join(dir, "d.pgm")
	if code, _, e := cli(t, "encrypt", plain, enc, "-key", key); code != 0 {
		t.Fatalf("encrypt IN OUT -key: %s", e)
	}
	if code, _, e := cli(t, "decrypt", enc, "-key", key, dec); code != 0 {
		t.Fatalf("decrypt IN -key OUT: %s", e)
	}
	code, out, e := cli(t, "metrics", plain, enc, "-json")
	if code != 0 || !strings.HasPrefix(strings.TrimSpace(out), "{") {
		t.Fatalf("metrics A B -json: exit %d, %q %q", code, out, e)
	}
	if code, _, e := cli(t, "metrics", "--", plain, enc); code != 0 {
		t.Fatalf("metrics -- A B: %s", e)
	}
	if code, out, _ := cli(t, "keygen", "-seed", "3", "-cipher", "aes-ctr"); code != 0 || !strings.HasPrefix(out, "aes-ctr:") {
		t.Fatalf("keygen: %q", out)
	}
	// reproduce -check REF -out DIR, the natural order.
	work, rep := filepath.Join(dir, "w"), filepath.Join(dir, "r")
	reproduce(t, "-only", "bitplane", "-out", rep, "-workdir", work)
	ref := filepath.Join(rep, "results.json")
	if code, out, e := cli(t, "reproduce", "-check", ref, "-out", filepath.Join(dir, "r2"), "-workdir", work); code != 0 || !strings.Contains(out, "check passed") {
		t.Fatalf("reproduce -check REF -out DIR: exit %d: %s %s", code, out, e)
	}
	if code, _, e := cli(t, "reproduce", "-profile", "smoke", "stray"); code != 2 || !strings.Contains(e, "stray") {
		t.Errorf("a stray argument: exit %d, %q", code, e)
	}
	// dataset verify DIR (no flags of its own) still takes its argument.
	if code, _, _ := cli(t, "dataset", "verify", dir); code != 1 {
		t.Errorf("dataset verify of a folder without BOSSbase: exit %d, want 1", code)
	}
}

// TestSchemeListingMarksControls: the -cipher help of keygen, encrypt and
// decrypt lists every registered scheme and marks the deliberately weak
// control, and only it.
func TestSchemeListingMarksControls(t *testing.T) {
	for _, cmd := range []string{"keygen", "encrypt", "decrypt"} {
		code, out, e := cli(t, cmd, "-h")
		help := out + e
		if code != 0 || !strings.Contains(help, "perm-only (control: deliberately weak)") {
			t.Errorf("%s -h: exit %d, the control is not marked: %q", cmd, code, help)
		}
		if n := strings.Count(help, "(control: deliberately weak)"); n != 1 {
			t.Errorf("%s -h: %d schemes marked as controls, want 1 (perm-only)", cmd, n)
		}
		for _, name := range []string{"aes-ctr", "bitplane-xor", "cellular", "hopfield"} {
			if !strings.Contains(help, name) {
				t.Errorf("%s -h: %s is not listed", cmd, name)
			}
		}
	}
}

// TestDataPathRecordedAbsoluteAndVerifiedByFrom: a relative -data path is
// recorded absolute, so -from works from another folder; -from refuses to
// re-run on data whose hash differs from the recorded one.
func TestDataPathRecordedAbsoluteAndVerifiedByFrom(t *testing.T) {
	dir := t.TempDir()
	boss := filepath.Join(dir, "BOSSbase_1.01")
	os.MkdirAll(boss, 0o755)
	src, _ := dataset.NewSynthetic(8, 2, 512)
	for i := 0; i < 2; i++ {
		g, _ := src.Load(i)
		if err := imageio.SaveGray(filepath.Join(boss, string(rune('1'+i))+".pgm"), g); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(dir)
	out, work := filepath.Join(dir, "out"), filepath.Join(dir, "w")
	reproduce(t, "-only", "bitplane", "-data", "BOSSbase_1.01", "-out", out, "-workdir", work)
	b, _ := os.ReadFile(filepath.Join(out, "results.json"))
	var r struct {
		Provenance struct{ Dataset string } `json:"provenance"`
	}
	json.Unmarshal(b, &r)
	if r.Provenance.Dataset != "bossbase:"+boss {
		t.Fatalf("recorded dataset %q, want bossbase:%s", r.Provenance.Dataset, boss)
	}
	t.Chdir(t.TempDir())
	if code, _, e := cli(t, "reproduce", "-from", filepath.Join(out, "results.json"), "-out", filepath.Join(dir, "o2"), "-workdir", work); code != 0 {
		t.Fatalf("-from in another folder: %s", e)
	}
	// A report folder stands for its results.json, for -check's REF and -from.
	if code, o, e := cli(t, "reproduce", "-check", out, "-workdir", work); code != 0 || !strings.Contains(o, "check passed") {
		t.Fatalf("-check with a report folder: exit %d, %s%s", code, o, e)
	}
	if code, _, e := cli(t, "reproduce", "-from", out, "-out", filepath.Join(dir, "o4"), "-workdir", work); code != 0 {
		t.Fatalf("-from with a report folder: %s", e)
	}
	// -from with -check would check one run's numbers against another's
	// settings: a usage error.
	if code, _, e := cli(t, "reproduce", "-from", out, "-check", out, "-workdir", work); code != 2 || !strings.Contains(e, "-from with -check") {
		t.Errorf("-from with -check: exit %d, %q", code, e)
	}
	// A check under another profile or seed could only fail: refused before
	// the run, naming both values; the same values given explicitly pass.
	for _, bad := range [][]string{{"-profile", "quick"}, {"-seed", "7"}} {
		code, _, e := cli(t, append([]string{"reproduce", "-check", out, "-workdir", work}, bad...)...)
		if code != 2 || !strings.Contains(e, "the reference ran") || !strings.Contains(e, bad[1]) || strings.Count(strings.TrimSpace(e), "\n") > 2 {
			t.Errorf("-check with %v: exit %d, %q", bad, code, e)
		}
	}
	if code, o, e := cli(t, "reproduce", "-check", out, "-workdir", work, "-profile", "smoke", "-seed", "1"); code != 0 || !strings.Contains(o, "check passed") {
		t.Errorf("-check with the reference's own profile and seed: exit %d, %s%s", code, o, e)
	}
	other, _ := dataset.NewSynthetic(9, 1, 512)
	g, _ := other.Load(0)
	if err := imageio.SaveGray(filepath.Join(boss, "1.pgm"), g); err != nil {
		t.Fatal(err)
	}
	code, _, e := cli(t, "reproduce", "-from", filepath.Join(out, "results.json"), "-out", filepath.Join(dir, "o3"), "-workdir", work)
	if code != 1 || !strings.Contains(e, "data differ") {
		t.Errorf("-from on changed data: exit %d, %q", code, e)
	}
}
