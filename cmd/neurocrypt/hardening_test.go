package main

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/neurocrypt/neurocrypt/pkg/cipher"
	"github.com/neurocrypt/neurocrypt/pkg/dataset"
	"github.com/neurocrypt/neurocrypt/pkg/imageio"
	"github.com/neurocrypt/neurocrypt/pkg/imageio/imagetest"
)

// cases is the module's copy of the hardening cases (testdata/hardening;
// its README maps every case to the test that checks it).
var cases = filepath.Join("..", "..", "testdata", "hardening")

func hcase(name string) string { return filepath.Join(cases, name) }

// metricsJSON runs `metrics -json` and decodes its object.
func metricsJSON(t *testing.T, files ...string) map[string]any {
	t.Helper()
	code, out, stderr := cli(t, append([]string{"metrics", "-json"}, files...)...)
	if code != 0 {
		t.Fatalf("metrics %q: exit %d: %s", files, code, stderr)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatalf("metrics %q: %v: %s", files, err, out)
	}
	return m
}

// TestHardeningImageCasesThroughTheCLI: the image cases, as the case
// README runs them.
func TestHardeningImageCasesThroughTheCLI(t *testing.T) {
	// 16-bit images differing in every sample by one level.
	m := metricsJSON(t, hcase("c1_16.pgm"), hcase("c1_16.pgm"), hcase("c2_16.pgm"))
	if m["npcr"] != 100.0 || math.Abs(m["uaci"].(float64)-100.0/65535) > 1e-12 || m["depth"] != 16.0 {
		t.Errorf("c1_16 vs c2_16: npcr %v uaci %v depth %v; want 100, %v (peak 65535), 16", m["npcr"], m["uaci"], m["depth"], 100.0/65535)
	}
	// Grey 200 with alpha 0/128/255 is grey 200.
	if m := metricsJSON(t, hcase("g200_1x3.pgm"), hcase("la_1x3.png")); m["npcr"] != 0.0 {
		t.Errorf("g200 vs grey+alpha 200: npcr %v, want 0 (alpha ignored)", m["npcr"])
	}
	// A 69-byte PNG declaring 32768² RGBA16: refused from its header.
	code, _, stderr := cli(t, "metrics", "-json", hcase("png_huge_ihdr_tiny_rgba16.png"), hcase("g200_1x3.pgm"))
	if code != 1 || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, "png_huge_ihdr_tiny_rgba16.png") || !strings.Contains(stderr, "limit") {
		t.Errorf("PNG bomb: exit %d, stderr %q; want 1 and one line naming the file and the limit", code, stderr)
	}
	// Every input's header is checked before any is decoded: the bomb
	// second, or a size mismatch, fails the same way.
	code, _, stderr = cli(t, "metrics", hcase("g200_1x3.pgm"), hcase("png_huge_ihdr_tiny_rgba16.png"))
	if code != 1 || !strings.Contains(stderr, "limit") {
		t.Errorf("PNG bomb second: exit %d, %q", code, stderr)
	}
	code, _, stderr = cli(t, "metrics", hcase("c1_16.pgm"), hcase("g200_1x3.pgm"))
	if code != 1 || !strings.Contains(stderr, "differ") {
		t.Errorf("sizes differ: exit %d, %q", code, stderr)
	}

	// encrypt then decrypt a 16-bit PGM with every cipher, to PGM and PNG:
	// the exact 16-bit samples come back.
	dir := t.TempDir()
	in, err := imageio.ReadGray(hcase("p5_16bit.pgm"))
	if err != nil || in.BitDepth() != 16 {
		t.Fatalf("p5_16bit.pgm: %v, depth %d", err, in.BitDepth())
	}
	for _, name := range cipher.Names() {
		s, err := cipher.Lookup(name)
		if err != nil {
			t.Fatal(err)
		}
		key := writeFile(t, dir, name+".key", []byte(s.GenerateKey(7).String()+"\n"))
		for _, ext := range []string{".pgm", ".png"} {
			enc, dec := filepath.Join(dir, name+"-enc"+ext), filepath.Join(dir, name+"-dec"+ext)
			if code, _, stderr := cli(t, "encrypt", "-key-file", key, hcase("p5_16bit.pgm"), enc); code != 0 {
				t.Fatalf("%s encrypt: %s", name, stderr)
			}
			if code, _, stderr := cli(t, "decrypt", "-key-file", key, enc, dec); code != 0 {
				t.Fatalf("%s decrypt: %s", name, stderr)
			}
			e, err1 := imageio.ReadGray(enc)
			d, err2 := imageio.ReadGray(dec)
			if err1 != nil || err2 != nil || e.BitDepth() != 16 || e.Equal(in) || !d.Equal(in) {
				t.Errorf("%s via %s: cipher depth %d, changed %v, decrypted exactly %v (%v, %v)", name, ext, e.BitDepth(), !e.Equal(in), d.Equal(in), err1, err2)
			}
		}
	}

	// Colour is refused unless -luma names the conversion.
	rgb := image.NewRGBA(image.Rect(0, 0, 2, 1))
	rgb.SetRGBA(0, 0, color.RGBA{255, 0, 0, 255})
	rgb.SetRGBA(1, 0, color.RGBA{0, 0, 255, 255})
	var buf bytes.Buffer
	png.Encode(&buf, rgb)
	colour := writeFile(t, dir, "colour.png", buf.Bytes())
	code, _, stderr = cli(t, "metrics", colour, colour)
	if code != 1 || !strings.Contains(stderr, "colour.png") || !strings.Contains(stderr, "-luma") || strings.Count(stderr, "\n") != 1 {
		t.Errorf("colour without -luma: exit %d, %q", code, stderr)
	}
	if m := metricsJSON(t, "-luma", "bt601", colour, colour); m["npcr"] != 0.0 || m["depth"] != 8.0 {
		t.Errorf("colour with -luma bt601: %v", m)
	}
	key := writeFile(t, dir, "k", []byte(mustKey(t, "aes-ctr")))
	if code, _, stderr := cli(t, "encrypt", "-key-file", key, colour, filepath.Join(dir, "c.pgm")); code != 1 || !strings.Contains(stderr, "-luma") {
		t.Errorf("encrypt colour without -luma: exit %d, %q", code, stderr)
	}
	if code, _, stderr := cli(t, "encrypt", "-luma", "bt709", "-key-file", key, colour, filepath.Join(dir, "c.pgm")); code != 0 {
		t.Errorf("encrypt colour with -luma bt709: %s", stderr)
	}
	// A name with two spaces is printed as it is.
	spaced := writeFile(t, dir, "a  b.pgm", []byte("P5\n"))
	if code, _, stderr := cli(t, "metrics", spaced, spaced); code != 1 || !strings.Contains(stderr, "a  b.pgm") {
		t.Errorf("a name with two spaces: exit %d, %q", code, stderr)
	}
	// A bad flag value is bad input (exit 1), like keygen -cipher nope.
	if code, _, stderr := cli(t, "metrics", "-luma", "bt2020", colour, colour); code != 1 || !strings.Contains(stderr, "bt601") {
		t.Errorf("unknown luma: exit %d, %q; want 1 naming the formulas", code, stderr)
	}
}

// zipMember is one member of a test zip.
type zipMember struct {
	name string
	data []byte
}

// writeZip writes a deflated zip of members and returns its path.
func writeZip(t *testing.T, path string, members ...zipMember) string {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, m := range members {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: m.name, Method: zip.Deflate})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(m.data)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// bossMembers are n valid BOSSbase-sized members 1.pgm … n.pgm.
func bossMembers(t *testing.T, n int) []zipMember {
	t.Helper()
	src, err := dataset.NewSynthetic(5, n, dataset.BOSSSize)
	if err != nil {
		t.Fatal(err)
	}
	var out []zipMember
	for i := range n {
		g, err := src.Load(i)
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if err := imageio.WritePGM(&b, g); err != nil {
			t.Fatal(err)
		}
		out = append(out, zipMember{fmt.Sprintf("BOSSbase_1.01/%d.pgm", i+1), b.Bytes()})
	}
	return out
}

// TestHardeningZipCasesThroughTheCLI: Windows separators, member names
// with control characters and corrupt members, through `dataset verify`
// and `reproduce` (the package tests cover overlapping members and data
// past the end: pkg/dataset TestCraftedZips).
func TestHardeningZipCasesThroughTheCLI(t *testing.T) {
	dir := t.TempDir()
	// ps5.zip: BOSSbase_1.01\1.pgm, as PowerShell 5 writes it.
	code, out, _ := cli(t, "dataset", "verify", hcase("ps5.zip"))
	if code != 1 || !strings.Contains(out, "1 of 10000 valid: 9999 missing") {
		t.Errorf("ps5.zip: exit %d:\n%s", code, out)
	}
	// Names that would forge lines or move the cursor are quoted.
	good := bossMembers(t, 5)
	forged := append([]zipMember{}, good[:2]...)
	forged = append(forged,
		zipMember{"BOSSbase_1.01/3.pgm\nBOSSbase verification: OK", good[2].data},
		zipMember{"BOSSbase_1.01/\x1b[2J\x1b[1;1H4.pgm", good[3].data})
	code, out, stderr := cli(t, "dataset", "verify", writeZip(t, filepath.Join(dir, "names.zip"), forged...))
	if code != 1 || strings.ContainsAny(out+stderr, "\x1b") || strings.Contains(out, "\nBOSSbase verification: OK") || !strings.Contains(out, `\x1b[2J`) {
		t.Errorf("control characters in member names: exit %d, output %q", code, out+stderr)
	}
	// A member whose deflate data is corrupt: listed by verify, skipped and
	// counted by reproduce, fatal under -strict.
	corrupt := writeZip(t, filepath.Join(dir, "corrupt.zip"), good...)
	data, _ := os.ReadFile(corrupt)
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range zr.File {
		if strings.HasSuffix(f.Name, "/5.pgm") {
			off, _ := f.DataOffset()
			mid := off + int64(f.CompressedSize64)/2
			for i := mid; i < mid+64; i++ {
				data[i] ^= 0x5a
			}
		}
	}
	os.WriteFile(corrupt, data, 0o644)
	code, out, _ = cli(t, "dataset", "verify", corrupt)
	if code != 1 || !strings.Contains(out, "1 corrupt") || !strings.Contains(out, "5.pgm") {
		t.Errorf("verify of a corrupt member: exit %d:\n%s", code, out)
	}
	// A path that would forge lines and colour the terminal: quoted in
	// everything verify and reproduce print.
	evil := filepath.Join(dir, "evil\n  10000 of 10000 valid\x1b[31m")
	os.Mkdir(evil, 0o755)
	evilZip := filepath.Join(evil, "b.zip")
	os.WriteFile(evilZip, data, 0o644)
	for _, args := range [][]string{{"dataset", "verify", evilZip},
		{"reproduce", "-profile", "smoke", "-only", "bitplane", "-data", evilZip, "-out", filepath.Join(dir, "evil-out"), "-workdir", filepath.Join(dir, "w")}} {
		_, out, stderr := cli(t, args...)
		for _, line := range strings.Split(out+stderr, "\n") {
			if strings.Contains(line, "\x1b") || strings.HasPrefix(line, "  10000 of 10000 valid") {
				t.Errorf("%s: the path is printed raw: %q", args[0], line)
			}
		}
	}
	work := filepath.Join(dir, "w")
	skipped := func(data string) int {
		res := filepath.Join(dir, "out-"+filepath.Base(data))
		reproduce(t, "-only", "bitplane", "-data", data, "-out", res, "-workdir", work)
		b, _ := os.ReadFile(filepath.Join(res, "results.json"))
		var r struct {
			Provenance struct {
				Skipped int `json:"skipped_files"`
			} `json:"provenance"`
		}
		if err := json.Unmarshal(b, &r); err != nil {
			t.Fatal(err)
		}
		return r.Provenance.Skipped
	}
	// Skipped counts the 9995 missing files too: the corrupt member adds one.
	full := skipped(writeZip(t, filepath.Join(dir, "good.zip"), good...))
	if got := skipped(corrupt); got != full+1 {
		t.Errorf("reproduce on a zip with a corrupt member: skipped %d, want %d (the corrupt one and the %d missing)", got, full+1, full)
	}
	code, _, stderr = cli(t, "reproduce", "-profile", "smoke", "-only", "bitplane", "-strict", "-data", corrupt, "-out", filepath.Join(dir, "strict"), "-workdir", work)
	if code != 1 || !strings.Contains(stderr, "corrupt") {
		t.Errorf("-strict with a corrupt member: exit %d, %q", code, stderr)
	}
}

// peakRSS runs the CLI (this test binary, see TestMain) as a subprocess
// and returns its exit code, stderr and peak resident set size in bytes.
//
// Linux counts in a child's ru_maxrss the memory of the process it was
// forked from, so the CLI is started by a small intermediate process (this
// binary again, in measureRSS mode) that reports its child's peak.
func peakRSS(t *testing.T, args ...string) (int, string, int64) {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "NEUROCRYPT_MEASURE_RSS=1")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if _, ok := err.(*exec.ExitError); err != nil && !ok {
		t.Fatal(err)
	}
	var peak int64
	if _, err := fmt.Sscanf(stdout.String(), "maxrss %d", &peak); err != nil {
		t.Fatalf("%q: no peak RSS reported: %q, %q", args, stdout.String(), stderr.String())
	}
	return cmd.ProcessState.ExitCode(), stderr.String(), peak
}

// measureRSS runs the CLI with args in a child process, passes its
// stderr and exit code through and prints "maxrss BYTES" on stdout.
func measureRSS(args []string) int {
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "NEUROCRYPT_AS_CLI=1", "NEUROCRYPT_MEASURE_RSS=")
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		if _, ok := err.(*exec.ExitError); !ok {
			fmt.Fprintln(os.Stderr, err)
			return 3
		}
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		fmt.Printf("maxrss %d\n", ru.Maxrss*1024) // kilobytes on Linux
	}
	return cmd.ProcessState.ExitCode()
}

// encodePNG writes img as a PNG file.
func encodePNGFile(t *testing.T, path string, img image.Image) string {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestPeakRSSOnBombs: on the bomb cases — small files declaring or
// expanding to large images or members — every command's peak RSS stays
// within twice the decoded size of what it accepts (every input image, at
// the size its decoder allocates), plus 64 MiB; for a refused input,
// 64 MiB.
func TestPeakRSSOnBombs(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("peak RSS (ru_maxrss in kilobytes) is measured on Linux")
	}
	if testing.Short() {
		t.Skip("builds large images")
	}
	dir := t.TempDir()
	const slack = 64 << 20

	// Declared far beyond the limit, in a few bytes.
	bigPGM := writeFile(t, dir, "big.pgm", []byte("P5\n40000 40000\n65535\n\x00\x01"))
	// Declared under the limit (256 MB), truncated after 1 KiB.
	truncPGM := writeFile(t, dir, "trunc.pgm", append([]byte("P5\n16000 16000\n255\n"), make([]byte, 1024)...))
	// Deflate bombs: uniform images that compress ~1000:1.
	rgb := image.NewRGBA(image.Rect(0, 0, 4096, 4096)) // 64 MiB decoded, opaque grey
	for i := 0; i < len(rgb.Pix); i += 4 {
		rgb.Pix[i], rgb.Pix[i+1], rgb.Pix[i+2], rgb.Pix[i+3] = 9, 9, 9, 255
	}
	rgbPNG := encodePNGFile(t, filepath.Join(dir, "rgb.png"), rgb)
	g16 := image.NewGray16(image.Rect(0, 0, 4096, 4096)) // 32 MiB
	g16PNG := encodePNGFile(t, filepath.Join(dir, "g16.png"), g16)
	g8 := image.NewGray(image.Rect(0, 0, 2048, 2048)) // 4 MiB: the bit-plane ciphers' limit
	for i := range g8.Pix {
		g8.Pix[i] = uint8(i / 4096)
	}
	g8PNG := encodePNGFile(t, filepath.Join(dir, "g8.png"), g8)
	// Grey with a tRNS chunk: Go decodes it to NRGBA, 4 bytes per pixel
	// (64 MiB here); the 16-bit version at 16384² (2 GiB) is refused.
	trnsChunk := [][2]string{{"tRNS", "\x00\x00"}}
	trns := bombPNG(t, filepath.Join(dir, "trns.png"), 4096, 4096, 8, 0, trnsChunk)
	trnsBig := bombPNG(t, filepath.Join(dir, "trns16.png"), 16384, 16384, 16, 0, trnsChunk)
	// Images of 128 MiB, where a stage too many (a palette image and its
	// grey copy and the cipher's output; a PGM raster read in chunks and
	// joined) would exceed the bound: a palette PNG and a P5 PGM.
	pal := bombPNG(t, filepath.Join(dir, "pal.png"), 16384, 8192, 8, 3, [][2]string{{"PLTE", "\x05\x05\x05"}})
	p5 := filepath.Join(dir, "p5.pgm")
	if f, err := os.Create(p5); err == nil {
		fmt.Fprintf(f, "P5\n16384 8192\n255\n")
		f.Truncate(int64(len("P5\n16384 8192\n255\n")) + 16384*8192) // zeros, sparse
		f.Close()
	}
	// A zip whose one member inflates to 256 MiB of zeros.
	var zb bytes.Buffer
	zw := zip.NewWriter(&zb)
	w, _ := zw.Create("BOSSbase_1.01/1.pgm")
	w.Write([]byte("P5\n512 512\n255\n"))
	zeros := make([]byte, 1<<20)
	for range 256 {
		w.Write(zeros)
	}
	zw.Close()
	zipBomb := writeFile(t, dir, "bomb.zip", zb.Bytes())

	aes := writeFile(t, dir, "aes.key", []byte(mustKey(t, "aes-ctr")))
	bp := writeFile(t, dir, "bp.key", []byte(mustKey(t, "bitplane")))
	out := func(name string) string { return filepath.Join(dir, name) }
	for _, tc := range []struct {
		args    []string
		ok      bool
		decoded int64 // the accepted images' decoded size, all inputs (the decoder's own, e.g. RGBA)
	}{
		{[]string{"metrics", hcase("png_huge_ihdr_tiny_rgba16.png"), hcase("g200_1x3.pgm")}, false, 0},
		{[]string{"encrypt", "-key-file", aes, hcase("png_huge_ihdr_tiny_rgba16.png"), out("x.png")}, false, 0},
		{[]string{"metrics", bigPGM, bigPGM}, false, 0},
		{[]string{"encrypt", "-key-file", aes, truncPGM, out("x.pgm")}, false, 0},
		{[]string{"metrics", rgbPNG, rgbPNG}, true, 2 * 64 << 20},
		{[]string{"encrypt", "-key-file", aes, rgbPNG, out("rgb-enc.png")}, true, 64 << 20},
		{[]string{"metrics", g16PNG, g16PNG, g16PNG}, true, 3 * 32 << 20},
		{[]string{"encrypt", "-key-file", aes, g16PNG, out("g16-enc.pgm")}, true, 32 << 20},
		{[]string{"encrypt", "-key-file", bp, g8PNG, out("g8-enc.png")}, true, 4 << 20},
		{[]string{"decrypt", "-key-file", bp, out("g8-enc.png"), out("g8-dec.png")}, true, 4 << 20},
		{[]string{"encrypt", "-key-file", bp, rgbPNG, out("refused.png")}, false, 0}, // over the cipher's limit: refused from the header
		{[]string{"dataset", "verify", zipBomb}, false, 0},
		{[]string{"metrics", trns, trns}, true, 2 * 64 << 20},
		{[]string{"encrypt", "-key-file", aes, trns, out("trns-enc.pgm")}, true, 64 << 20},
		{[]string{"encrypt", "-key-file", aes, trnsBig, out("x.pgm")}, false, 0},
		{[]string{"encrypt", "-key-file", aes, pal, out("pal-enc.pgm")}, true, 128 << 20},
		{[]string{"encrypt", "-key-file", aes, p5, out("p5-enc.pgm")}, true, 128 << 20},
		{[]string{"metrics", p5, p5}, true, 2 * 128 << 20},
	} {
		code, stderr, peak := peakRSS(t, tc.args...)
		bound := 2*tc.decoded + slack
		t.Logf("%s %s: exit %d, peak RSS %.1f MiB (bound %.1f MiB)", tc.args[0], filepath.Base(tc.args[len(tc.args)-1]), code, float64(peak)/(1<<20), float64(bound)/(1<<20))
		if (code == 0) != tc.ok || code > 1 {
			t.Errorf("%q: exit %d, stderr %q", tc.args, code, stderr)
		}
		if !tc.ok && strings.Count(stderr, "\n") != 1 {
			t.Errorf("%q: stderr is not one line: %q", tc.args, stderr)
		}
		if peak > bound {
			t.Errorf("%q: peak RSS %d bytes, more than 2 × %d + 64 MiB", tc.args, peak, tc.decoded)
		}
	}
}

// failingWriter fails every write, like standard output on a full disk.
type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, syscall.ENOSPC }

// TestNothingHangsAndNothingIsLostSilently: FIFOs as inputs, keys and
// outputs never block; pipes work as inputs; a failed write of the result
// is a failure; -h lists a command's flags.
func TestNothingHangsAndNothingIsLostSilently(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no FIFOs")
	}
	dir := t.TempDir()
	fifo := filepath.Join(dir, "in.pgm")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skip(err)
	}
	key := writeFile(t, dir, "k", []byte(mustKey(t, "aes-ctr")+"\n"+strings.Repeat("x", 100<<10)+"\n"))
	g200 := hcase("g200_1x3.pgm")
	within := func(what string, fn func()) {
		t.Helper()
		done := make(chan struct{})
		go func() { fn(); close(done) }()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			t.Fatalf("%s blocked", what)
		}
	}
	// Nobody writes to the FIFO: refused at once, as an empty file.
	within("metrics on a FIFO", func() {
		if code, _, stderr := cli(t, "metrics", fifo, g200); code != 1 || !strings.Contains(stderr, "empty file") {
			t.Errorf("metrics on an unwritten FIFO: exit %d, %q", code, stderr)
		}
	})
	within("encrypt from a FIFO", func() {
		if code, _, stderr := cli(t, "encrypt", "-key-file", key, fifo, filepath.Join(dir, "o.pgm")); code != 1 || !strings.Contains(stderr, "empty file") {
			t.Errorf("encrypt from an unwritten FIFO: exit %d, %q", code, stderr)
		}
	})
	within("a FIFO as key file", func() {
		if code, _, stderr := cli(t, "encrypt", "-key-file", fifo, g200, filepath.Join(dir, "o.pgm")); code != 1 || !strings.Contains(stderr, "no key line") {
			t.Errorf("unwritten FIFO as key file: exit %d, %q", code, stderr)
		}
	})
	// Written to (as by process substitution): read once, like a file.
	within("metrics on a written FIFO", func() {
		data, _ := os.ReadFile(g200)
		go func() {
			if w, err := os.OpenFile(fifo, os.O_WRONLY, 0); err == nil {
				w.Write(data)
				w.Close()
			}
		}()
		time.Sleep(100 * time.Millisecond) // let the writer open it first
		if code, out, stderr := cli(t, "metrics", "-json", fifo, g200); code != 0 || !strings.Contains(out, `"npcr":0`) {
			t.Errorf("metrics on a piped image: exit %d, %q %q", code, out, stderr)
		}
	})
	// An existing output that is not a regular file is not replaced.
	if code, _, stderr := cli(t, "encrypt", "-key-file", key, g200, fifo); code != 1 || !strings.Contains(stderr, "not a regular file") {
		t.Errorf("encrypt onto a FIFO: exit %d, %q", code, stderr)
	}
	if st, err := os.Lstat(fifo); err != nil || st.Mode()&os.ModeNamedPipe == 0 {
		t.Errorf("the FIFO was replaced: %v", err)
	}
	// The key file's first line is the key, whatever follows it.
	if code, _, stderr := cli(t, "encrypt", "-key-file", key, g200, filepath.Join(dir, "o.pgm")); code != 0 {
		t.Errorf("key file with a long second line: %s", stderr)
	}
	// A result that cannot be written is not a success.
	if code := run([]string{"keygen"}, failingWriter{}, io.Discard); code != 1 {
		t.Errorf("keygen onto a full disk: exit %d, want 1", code)
	}
	// -h lists the flags.
	if code, _, stderr := cli(t, "encrypt", "-h"); code != 0 || !strings.Contains(stderr, "-key-file") || !strings.Contains(stderr, "-luma") {
		t.Errorf("encrypt -h: exit %d, %q", code, stderr)
	}
}

// bombPNG writes a w×h PNG of the given bit depth and colour type, all
// zeros, with extra chunks before the pixel data (a deflate bomb: a few
// hundred kilobytes). Only the first 8192 rows are written for taller
// images (the header is what counts).
func bombPNG(t *testing.T, path string, w, h int, depth, colourType byte, extra [][2]string) string {
	t.Helper()
	data := imagetest.PNG(w, h, depth, colourType, extra, nil, min(h, 8192))
	return writeFile(t, filepath.Dir(path), filepath.Base(path), data)
}
