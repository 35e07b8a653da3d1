package dataset

import (
	"archive/zip"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/neurocrypt/neurocrypt/pkg/imageio"
)

// fakeBOSS describes the test folder: 6 expected images, of which
// 1, 2, 6 are valid, 3 is missing, 4 is truncated, 5 is 256×256; plus two
// extra files.
const fakeExpected = 6

func bossImage(n, size int) *imageio.Gray {
	g := imageio.NewGray(size, size)
	for i := range g.Pix {
		g.Pix[i] = uint8(i*n + i/size)
	}
	return g
}

func pgmBytes(t *testing.T, g *imageio.Gray) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := imageio.WritePGM(&b, g); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// fakeBOSSFiles returns the files of a small fake BOSSbase.
func fakeBOSSFiles(t *testing.T) map[string][]byte {
	files := map[string][]byte{}
	for _, n := range []int{1, 2, 6} {
		files[fmt.Sprintf("%d.pgm", n)] = pgmBytes(t, bossImage(n, BOSSSize))
	}
	full := pgmBytes(t, bossImage(4, BOSSSize))
	files["4.pgm"] = full[:len(full)-1000]
	files["5.pgm"] = pgmBytes(t, bossImage(5, 256))
	files["7.pgm"] = pgmBytes(t, bossImage(7, 8))
	files["README.txt"] = []byte("not an image")
	return files
}

func writeFakeDir(t *testing.T, dir string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, data := range fakeBOSSFiles(t) {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func writeFakeZip(t *testing.T, path, prefix string, method uint16) {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	files := fakeBOSSFiles(t)
	// Deterministic member order, 6.pgm last (the corruption test relies on it).
	for _, name := range []string{"README.txt", "1.pgm", "2.pgm", "4.pgm", "5.pgm", "7.pgm", "6.pgm"} {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: prefix + name, Method: method})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(files[name])
	}
	// Noise that must be ignored: another folder with a numbered file.
	w, _ := zw.Create("__MACOSX/1.pgm")
	w.Write([]byte("junk"))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func checkFakeVerification(t *testing.T, v *Verification) {
	t.Helper()
	if got := strings.Join(v.Valid, ","); got != "1.pgm,2.pgm,6.pgm" {
		t.Errorf("valid = %s", got)
	}
	if got := strings.Join(v.Missing, ","); got != "3.pgm" {
		t.Errorf("missing = %s", got)
	}
	if len(v.Corrupt) != 1 || v.Corrupt[0].File != "4.pgm" || !strings.Contains(v.Corrupt[0].Detail, "truncated: 261159 of 262159 bytes") {
		t.Errorf("corrupt = %v", v.Corrupt)
	}
	if len(v.WrongSize) != 1 || v.WrongSize[0].File != "5.pgm" || v.WrongSize[0].Detail != "256x256, want 512x512" {
		t.Errorf("wrong size = %v", v.WrongSize)
	}
	if got := strings.Join(v.Extra, ","); got != "7.pgm,README.txt" {
		t.Errorf("extra = %s", got)
	}
	if v.OK() {
		t.Error("OK() is true")
	}
	report := v.String()
	for _, want := range []string{"PROBLEMS", "3 of 6 valid: 1 missing, 1 corrupt, 1 wrong size, 2 extra", "3.pgm", `"4.pgm": truncated`, `"5.pgm": 256x256`, "README.txt", "PGM header (binary P5, maxval 255)"} {
		if !strings.Contains(report, want) {
			t.Errorf("report lacks %q:\n%s", want, report)
		}
	}
}

func TestBOSSbaseLayouts(t *testing.T) {
	tmp := t.TempDir()
	flat := filepath.Join(tmp, "flat")
	writeFakeDir(t, flat)
	nested := filepath.Join(tmp, "nested")
	writeFakeDir(t, filepath.Join(nested, BOSSDirName))
	zipNested := filepath.Join(tmp, "boss.zip")
	writeFakeZip(t, zipNested, BOSSDirName+"/", zip.Deflate)
	zipFlat := filepath.Join(tmp, "flat.zip")
	writeFakeZip(t, zipFlat, "", zip.Store)

	for _, path := range []string{flat, nested, zipNested, zipFlat} {
		t.Run(filepath.Base(path), func(t *testing.T) {
			b, err := OpenBOSSbase(path, BOSSOptions{Expected: fakeExpected})
			if err != nil {
				t.Fatal(err)
			}
			defer b.Close()
			checkFakeVerification(t, b.Verification())
			if b.Len() != 3 || b.ID(0) != "1.pgm" || b.ID(2) != "6.pgm" {
				t.Errorf("Len %d, IDs %s..%s", b.Len(), b.ID(0), b.ID(b.Len()-1))
			}
			if b.Name() != "bossbase:"+path {
				t.Errorf("Name = %q", b.Name())
			}
			skipped := b.Skipped()
			if len(skipped) != 3 || skipped[0].File != "3.pgm" || skipped[0].Kind != Missing ||
				skipped[1].Kind != Corrupt || skipped[2].Kind != WrongSize {
				t.Errorf("Skipped = %v", skipped)
			}
			g, err := b.Load(2)
			if err != nil {
				t.Fatal(err)
			}
			if !g.Equal(bossImage(6, BOSSSize)) {
				t.Error("Load(2) did not return 6.pgm's pixels")
			}
			if _, err := b.Load(3); err == nil {
				t.Error("Load(3) succeeded on 3 valid images")
			}

			_, err = OpenBOSSbase(path, BOSSOptions{Expected: fakeExpected, Strict: true})
			if err == nil {
				t.Fatal("strict open succeeded")
			}
			msg := err.Error()
			for _, want := range []string{path, "1 missing, 1 corrupt, 1 wrong size", `"3.pgm": missing`, `"4.pgm": corrupt: truncated`, `"5.pgm": wrong size`} {
				if !strings.Contains(msg, want) {
					t.Errorf("strict error %q lacks %q", msg, want)
				}
			}
			if strings.Contains(msg, "\n") {
				t.Errorf("strict error is not one line: %q", msg)
			}
		})
	}
}

func TestBOSSbaseStrictOK(t *testing.T) {
	dir := filepath.Join(t.TempDir(), BOSSDirName)
	os.MkdirAll(dir, 0o755)
	for n := 1; n <= 2; n++ {
		os.WriteFile(filepath.Join(dir, fmt.Sprintf("%d.pgm", n)), pgmBytes(t, bossImage(n, BOSSSize)), 0o644)
	}
	b, err := OpenBOSSbase(filepath.Dir(dir), BOSSOptions{Expected: 2, Strict: true})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	v := b.Verification()
	if !v.OK() || len(b.Skipped()) != 0 || b.Len() != 2 || v.Root != dir {
		t.Errorf("verification: %s", v)
	}
	if !strings.Contains(v.String(), ": OK") {
		t.Errorf("report: %s", v)
	}
	// The default expects 10 000 images: 9 998 missing.
	v, err = VerifyBOSSbase(filepath.Dir(dir))
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Missing) != BOSSCount-2 || len(v.Valid) != 2 || !strings.Contains(v.String(), "3.pgm … 10000.pgm (9998 files)") {
		t.Errorf("default verification: %s", v.Summary())
	}
}

func TestBOSSbaseErrors(t *testing.T) {
	tmp := t.TempDir()
	missing := filepath.Join(tmp, "nowhere")
	if _, err := OpenBOSSbase(missing, BOSSOptions{}); err == nil || !strings.Contains(err.Error(), missing+": BOSSbase folder or zip not found") {
		t.Errorf("missing path: %v", err)
	}
	if _, err := VerifyBOSSbase(missing); err == nil {
		t.Error("VerifyBOSSbase accepted a missing path")
	}
	empty := filepath.Join(tmp, "empty")
	os.MkdirAll(empty, 0o755)
	if _, err := OpenBOSSbase(empty, BOSSOptions{}); err == nil || !strings.Contains(err.Error(), "no BOSSbase images") {
		t.Errorf("empty folder: %v", err)
	}
	notZip := filepath.Join(tmp, "x.zip")
	os.WriteFile(notZip, []byte("hello"), 0o644)
	if _, err := OpenBOSSbase(notZip, BOSSOptions{}); err == nil || !strings.Contains(err.Error(), notZip) {
		t.Errorf("not a zip: %v", err)
	}
	// A P2 file or a 16-bit file counts as corrupt.
	odd := filepath.Join(tmp, "odd")
	os.MkdirAll(odd, 0o755)
	os.WriteFile(filepath.Join(odd, "1.pgm"), []byte("P2\n512 512\n255\n0 0"), 0o644)
	os.WriteFile(filepath.Join(odd, "2.pgm"), []byte("P5\n512 512\n65535\n"), 0o644)
	os.WriteFile(filepath.Join(odd, "3.pgm"), []byte("P6\n512 512\n255\n"), 0o644)
	b, err := OpenBOSSbase(odd, BOSSOptions{Expected: 3})
	if err == nil || !strings.Contains(err.Error(), "no valid BOSSbase image") {
		t.Errorf("odd files: %v", err)
	}
	_ = b
}

// TestBOSSbaseZipChecksum: a zip member whose data fail their CRC-32 is
// found by verification (every member is read to its end), listed as
// corrupt and skipped, never met in the middle of a run.
func TestBOSSbaseZipChecksum(t *testing.T) {
	path := filepath.Join(t.TempDir(), "boss.zip")
	writeFakeZip(t, path, BOSSDirName+"/", zip.Store)
	data, _ := os.ReadFile(path)
	// Flip a pixel of 6.pgm (the last stored member): its header is fine.
	i := bytes.LastIndex(data, []byte("P5\n512 512\n255\n"))
	data[i+100] ^= 0xff
	os.WriteFile(path, data, 0o644)
	b, err := OpenBOSSbase(path, BOSSOptions{Expected: fakeExpected})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	v := b.Verification()
	if b.Len() != 2 || len(v.Corrupt) != 2 || v.Corrupt[1].File != "6.pgm" || !strings.Contains(v.Corrupt[1].Detail, "checksum") {
		t.Errorf("valid %v, corrupt %v; want 6.pgm corrupt (checksum)", v.Valid, v.Corrupt)
	}
	if _, err := OpenBOSSbase(path, BOSSOptions{Expected: fakeExpected, Strict: true}); err == nil || !strings.Contains(err.Error(), "6.pgm") {
		t.Errorf("-strict: %v", err)
	}
}

// zipBytes is a zip of the given members (name → data, in order) with
// method.
func zipBytes(tb testing.TB, method uint16, members ...[2]string) []byte {
	tb.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, m := range members {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: m[0], Method: method})
		if err != nil {
			tb.Fatal(err)
		}
		w.Write([]byte(m[1]))
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// zipWith writes zipBytes(method, members...) to path.
func zipWith(t *testing.T, path string, method uint16, members ...[2]string) {
	t.Helper()
	if err := os.WriteFile(path, zipBytes(t, method, members...), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestCraftedZips: each kind of crafted archive of the hardening cases
// (../shared/cases/hardening) is handled at once: overlapping members and
// data past the end are refused as malformed, corrupt compressed data is a
// corrupt member, Windows separators are understood, and member names are
// never printed raw.
func TestCraftedZips(t *testing.T) {
	dir := t.TempDir()
	img := string(pgmBytes(t, bossImage(1, BOSSSize)))

	// Overlapping members: the central directory of a two-member zip
	// re-pointed so that both share the first member's data.
	over := filepath.Join(dir, "overlap.zip")
	zipWith(t, over, zip.Deflate, [2]string{"BOSSbase_1.01/1.pgm", img}, [2]string{"BOSSbase_1.01/2.pgm", img})
	data, _ := os.ReadFile(over)
	cd := bytes.LastIndex(data, []byte("PK\x01\x02")) // the second central-directory entry
	copy(data[cd+42:cd+46], []byte{0, 0, 0, 0})       // its local header offset := 0
	os.WriteFile(over, data, 0o644)
	// Refused by the layout check, before any member is read.
	if _, err := VerifyBOSSbase(over); err == nil || !strings.Contains(err.Error(), "overlap") {
		t.Errorf("overlapping members: %v", err)
	}

	// Data past the end: a truncated archive whose directory survives.
	past := filepath.Join(dir, "past.zip")
	zipWith(t, past, zip.Store, [2]string{"1.pgm", img})
	data, _ = os.ReadFile(past)
	cd = bytes.LastIndex(data, []byte("PK\x01\x02"))
	copy(data[cd+20:cd+24], []byte{0xff, 0xff, 0xff, 0x0f}) // compressed size: 256 MB
	os.WriteFile(past, data, 0o644)
	if _, err := VerifyBOSSbase(past); err == nil || !strings.Contains(err.Error(), "past the end") {
		t.Errorf("data past the end: %v", err)
	}

	// Corrupt deflate data in one member.
	bad := filepath.Join(dir, "corrupt.zip")
	zipWith(t, bad, zip.Deflate, [2]string{"1.pgm", img}, [2]string{"2.pgm", img})
	data, _ = os.ReadFile(bad)
	second := bytes.Index(data[10:], []byte("PK\x03\x04")) + 10
	for k := second + 60; k < second+90; k++ {
		data[k] ^= 0x5a
	}
	os.WriteFile(bad, data, 0o644)
	b, err := OpenBOSSbase(bad, BOSSOptions{Expected: 2})
	if err != nil {
		t.Fatal(err)
	}
	if v := b.Verification(); len(v.Valid) != 1 || len(v.Corrupt) != 1 || v.Corrupt[0].File != "2.pgm" {
		t.Errorf("corrupt deflate: valid %v, corrupt %v", v.Valid, v.Corrupt)
	}
	b.Close()

	// Windows separators.
	win := filepath.Join(dir, "win.zip")
	zipWith(t, win, zip.Deflate, [2]string{"BOSSbase_1.01\\1.pgm", img})
	v, err := VerifyBOSSbase(win)
	if err != nil || len(v.Valid) != 1 || v.Valid[0] != "1.pgm" {
		t.Errorf("backslash separators: %v, %+v", err, v)
	}

	// Names with control characters and a forged line.
	names := filepath.Join(dir, "names.zip")
	forged := "x\nBOSSbase verification of D: OK\x1b[2J.txt"
	zipWith(t, names, zip.Store, [2]string{"1.pgm", img}, [2]string{forged, "junk"})
	v, err = VerifyBOSSbase(names)
	if err != nil {
		t.Fatal(err)
	}
	out := v.String()
	if strings.Contains(out, "\x1b") || strings.Contains(out, "\nBOSSbase verification of D: OK") {
		t.Errorf("a member name is printed raw:\n%s", out)
	}
	if !strings.Contains(out, strconv.Quote(forged)) {
		t.Errorf("the crafted name is not quoted:\n%s", out)
	}
}

// TestFIFOInFolderIsNotOpened: a FIFO (or device) named like an image is
// reported as not a regular file instead of blocking verification.
func TestFIFOInFolderIsNotOpened(t *testing.T) {
	dir := t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(dir, "1.pgm"), 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	os.WriteFile(filepath.Join(dir, "2.pgm"), pgmBytes(t, bossImage(2, BOSSSize)), 0o644)
	done := make(chan *Verification, 1)
	go func() {
		b, err := OpenBOSSbase(dir, BOSSOptions{Expected: 2})
		if err != nil {
			t.Error(err)
			done <- nil
			return
		}
		done <- b.Verification()
	}()
	select {
	case v := <-done:
		if v != nil && (len(v.Corrupt) != 1 || !strings.Contains(v.Corrupt[0].Detail, "not a regular file")) {
			t.Errorf("FIFO: corrupt %v", v.Corrupt)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("verification hangs on a FIFO")
	}
}

// TestNothingValidIsStillListed: a folder whose only image is a FIFO, a
// zip whose only member is corrupt, a path that is a FIFO: verification
// lists what it found (or refuses the path) at once, never blocks.
func TestNothingValidIsStillListed(t *testing.T) {
	dir := t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(dir, "1.pgm"), 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		v, err := VerifyBOSSbase(dir)
		if err != nil || len(v.Corrupt) != 1 || !strings.Contains(v.String(), "not a regular file (a FIFO)") {
			t.Errorf("folder holding only a FIFO: %v\n%v", err, v)
		}
		if _, err := VerifyBOSSbase(filepath.Join(dir, "1.pgm")); err == nil || !strings.Contains(err.Error(), "not a regular file") {
			t.Errorf("a FIFO as the dataset path: %v", err)
		}
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("verification blocks on a FIFO")
	}
	// A zip whose one member is stored with its CRC-32 recorded as 0 (which
	// archive/zip does not check; no data descriptor) and a changed byte:
	// corrupt, and listed.
	img := pgmBytes(t, bossImage(1, BOSSSize))
	img[1000] ^= 1
	var zb bytes.Buffer
	zw := zip.NewWriter(&zb)
	w, err := zw.CreateRaw(&zip.FileHeader{Name: "1.pgm", Method: zip.Store, CRC32: 0,
		CompressedSize64: uint64(len(img)), UncompressedSize64: uint64(len(img))})
	if err != nil {
		t.Fatal(err)
	}
	w.Write(img)
	zw.Close()
	data := zb.Bytes()
	path := filepath.Join(t.TempDir(), "crc0.zip")
	os.WriteFile(path, data, 0o644)
	v, err := VerifyBOSSbase(path)
	if err != nil || len(v.Corrupt) != 1 || !strings.Contains(v.String(), "1.pgm") {
		t.Errorf("corrupt member with CRC-32 0: %v\n%v", err, v)
	}
}

// TestZipDirectoryIsBounded: what archive/zip reads to open a zip (and
// keeps in memory) is bounded: more than MaxZipMembers members, or a
// directory of more than MaxZipDirectoryRead bytes (many members, or a few
// with 60 KiB names), is refused — also when data precedes the archive or
// its end record understates the count.
func TestZipDirectoryIsBounded(t *testing.T) {
	write := func(name string, prefix []byte, members int, nameLen int) string {
		var buf bytes.Buffer
		buf.Write(prefix)
		zw := zip.NewWriter(&buf)
		zw.SetOffset(int64(len(prefix)))
		for i := range members {
			n := strconv.Itoa(i)
			n += strings.Repeat("x", max(0, nameLen-len(n)))
			zw.CreateHeader(&zip.FileHeader{Name: n, Method: zip.Store})
		}
		zw.Close()
		path := filepath.Join(t.TempDir(), name)
		os.WriteFile(path, buf.Bytes(), 0o644)
		return path
	}
	for _, tc := range []struct {
		path, want string
	}{
		{write("many.zip", nil, MaxZipMembers+1, 0), "members"},
		{write("prefixed.zip", bytes.Repeat([]byte{0}, 70000), MaxZipMembers+1, 0), "members"},
		{write("fat.zip", nil, 100, 60000), "directory takes more than"},
		{write("huge.zip", nil, 200_000, 0), "directory takes more than"},
	} {
		if _, err := VerifyBOSSbase(tc.path); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v; want %q", filepath.Base(tc.path), err, tc.want)
		}
	}
}

// TestFingerprintSeesRestoredTimes: an image replaced by one of the same
// size, its modification time restored, changes the fingerprint (Linux:
// the status-change time cannot be restored).
func TestFingerprintSeesRestoredTimes(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the status-change time is read on Linux")
	}
	dir := t.TempDir()
	p := filepath.Join(dir, "1.pgm")
	os.WriteFile(p, pgmBytes(t, bossImage(1, BOSSSize)), 0o644)
	fp := func() string {
		b, err := OpenBOSSbase(dir, BOSSOptions{Expected: 1})
		if err != nil {
			t.Fatal(err)
		}
		defer b.Close()
		return b.Fingerprint()
	}
	before := fp()
	st, _ := os.Stat(p)
	time.Sleep(10 * time.Millisecond) // a later status-change time
	os.WriteFile(p, pgmBytes(t, bossImage(2, BOSSSize)), 0o644)
	os.Chtimes(p, st.ModTime(), st.ModTime())
	if fp() == before {
		t.Error("same size, restored modification time: the fingerprint did not change")
	}
}

func TestNumberRanges(t *testing.T) {
	got := strings.Join(numberRanges([]string{"1.pgm", "3.pgm", "4.pgm", "5.pgm", "9.pgm", "10.pgm"}), "; ")
	if want := "1.pgm; 3.pgm … 5.pgm (3 files); 9.pgm … 10.pgm (2 files)"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
