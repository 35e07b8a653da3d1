package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/neurocrypt/neurocrypt/pkg/dataset"
	"github.com/neurocrypt/neurocrypt/pkg/imageio"
)

// TestMain lets the test binary act as the CLI when NEUROCRYPT_AS_CLI is
// set, so tests can run it as a subprocess (to kill it) with the same
// binary hash, hence the same cache keys, as in-process runs.
func TestMain(m *testing.M) {
	if os.Getenv("NEUROCRYPT_AS_CLI") == "1" {
		os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
	}
	if os.Getenv("NEUROCRYPT_MEASURE_RSS") == "1" {
		os.Exit(measureRSS(os.Args[1:]))
	}
	os.Exit(m.Run())
}

// cli runs the command line in-process.
func cli(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var o, e bytes.Buffer
	code = run(args, &o, &e)
	return code, o.String(), e.String()
}

func writeFile(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestUsageErrorsExit2(t *testing.T) {
	for _, args := range [][]string{
		{},
		{"frobnicate"},
		{"reproduce", "-nosuchflag"},
		{"reproduce", "-profile", "huge"},
		{"reproduce", "-only", "nosuchexperiment"},
		{"encrypt", "-cipher", "bitplane"},
		{"metrics", "onlyone.pgm"},
		{"dataset", "list"},
	} {
		code, _, stderr := cli(t, args...)
		if code != 2 {
			t.Errorf("%q: exit %d, want 2 (stderr %q)", args, code, stderr)
		}
		if !strings.Contains(stderr, "usage") {
			t.Errorf("%q: stderr lacks usage: %q", args, stderr)
		}
	}
}

func TestBadImagesExit1WithOneLineNamingTheFile(t *testing.T) {
	dir := t.TempDir()
	good := imageio.NewGray(16, 16)
	var buf bytes.Buffer
	if err := imageio.WritePGM(&buf, good); err != nil {
		t.Fatal(err)
	}
	goodPath := writeFile(t, dir, "good.pgm", buf.Bytes())
	cases := map[string][]byte{
		"truncated.pgm": buf.Bytes()[:buf.Len()-10],
		"magic.pgm":     append([]byte("P7"), buf.Bytes()[2:]...),
		"huge.pgm":      []byte("P5\n1000000 1000000\n255\n\x00\x00\x00"),
		"maxval0.pgm":   []byte("P5\n2 2\n0\n\x00\x00\x00\x00"),
		"empty.pgm":     nil,
	}
	for name, data := range cases {
		p := writeFile(t, dir, name, data)
		for _, args := range [][]string{
			{"metrics", "-json", goodPath, p},
			{"encrypt", "-cipher", "aes-ctr", "-key", mustKey(t, "aes-ctr"), p, filepath.Join(dir, "out.png")},
		} {
			code, stdout, stderr := cli(t, args...)
			if code != 1 {
				t.Errorf("%s %s: exit %d, want 1 (stderr %q)", args[0], name, code, stderr)
			}
			if strings.Count(strings.TrimRight(stderr, "\n"), "\n") != 0 || !strings.Contains(stderr, name) {
				t.Errorf("%s %s: want one stderr line naming the file, got %q", args[0], name, stderr)
			}
			if strings.Contains(stderr, "panic") || stdout != "" {
				t.Errorf("%s %s: unexpected output %q / %q", args[0], name, stdout, stderr)
			}
		}
	}
}

func mustKey(t *testing.T, cipher string) string {
	t.Helper()
	code, out, stderr := cli(t, "keygen", "-cipher", cipher, "-seed", "42")
	if code != 0 {
		t.Fatalf("keygen: exit %d: %s", code, stderr)
	}
	return strings.TrimSpace(out)
}

func TestEncryptDecryptAndMetricsJSON(t *testing.T) {
	dir := t.TempDir()
	src, err := dataset.NewSynthetic(3, 1, 64)
	if err != nil {
		t.Fatal(err)
	}
	img, err := src.Load(0)
	if err != nil {
		t.Fatal(err)
	}
	plain := filepath.Join(dir, "plain.pgm")
	if err := imageio.SaveGray(plain, img); err != nil {
		t.Fatal(err)
	}
	for _, c := range []string{"bitplane", "bitplane-xor", "aes-ctr"} {
		key := mustKey(t, c)
		enc, dec := filepath.Join(dir, c+".png"), filepath.Join(dir, c+".back.pgm")
		if code, _, e := cli(t, "encrypt", "-cipher", c, "-key", key, plain, enc); code != 0 {
			t.Fatalf("%s encrypt: %s", c, e)
		}
		if code, _, e := cli(t, "decrypt", "-cipher", c, "-key", key, enc, dec); code != 0 {
			t.Fatalf("%s decrypt: %s", c, e)
		}
		back, err := imageio.ReadGray(dec)
		if err != nil {
			t.Fatal(err)
		}
		if !back.Equal(img) {
			t.Fatalf("%s: decrypt(encrypt(x)) != x through the CLI", c)
		}
		code, out, e := cli(t, "metrics", "-json", plain, enc)
		if code != 0 {
			t.Fatalf("metrics: %s", e)
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(out), &m); err != nil {
			t.Fatalf("metrics output is not JSON: %v\n%s", err, out)
		}
		for _, k := range []string{"entropy", "npcr", "uaci", "corr_h", "corr_v", "corr_d", "chi2", "psnr", "ssim"} {
			if _, ok := m[k]; !ok {
				t.Fatalf("metrics JSON lacks %q: %s", k, out)
			}
		}
		if m["entropy"].(float64) < 7.5 {
			t.Errorf("%s: cipher entropy %v, want near 8", c, m["entropy"])
		}
	}
	if code, _, e := cli(t, "encrypt", "-cipher", "bitplane", "-key", "bitplane:nonsense", plain, filepath.Join(dir, "x.png")); code != 1 || !strings.Contains(e, "key") {
		t.Fatalf("bad key: exit %d, stderr %q; want 1 and a message about the key", code, e)
	}
}

func TestBackendsListsGo(t *testing.T) {
	code, out, _ := cli(t, "backends")
	if code != 0 || !strings.Contains(out, "go    available") || !strings.Contains(out, "selected:") {
		t.Fatalf("exit %d:\n%s", code, out)
	}
}
