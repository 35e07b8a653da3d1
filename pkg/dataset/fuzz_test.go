package dataset

import (
	"archive/zip"
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"
)

// uniformPGM is a BOSSbase-sized P5 image of one grey level (it deflates
// to a few hundred bytes, a cheap fuzz seed).
func uniformPGM(level byte) []byte {
	return append([]byte("P5\n512 512\n255\n"), bytes.Repeat([]byte{level}, BOSSSize*BOSSSize)...)
}

// printable reports whether s holds no control character but newlines.
func printable(s string) bool {
	return !strings.ContainsFunc(s, func(r rune) bool { return r != '\n' && unicode.IsControl(r) })
}

// FuzzBOSSbaseZip checks the zip path of dataset verify and of reproduce's
// BOSSbase source on arbitrary archives: no panic or hang; the
// verification accounts for every expected file and prints no control
// character (names are quoted); every member it calls valid loads as a
// 512×512 image; errors are one line. Seeds: good, stored, Windows-named,
// overlapping, truncated, corrupt and control-character archives, and the
// hardening case ps5.zip (testdata/hardening).
func FuzzBOSSbaseZip(f *testing.F) {
	a, b := string(uniformPGM(7)), string(uniformPGM(200))
	good := zipBytes(f, zip.Deflate, [2]string{"BOSSbase_1.01/1.pgm", a}, [2]string{"BOSSbase_1.01/2.pgm", b})
	f.Add(good)
	// Stored (not deflated): a small wrong-size member keeps the seed short
	// (the fuzzer minimises long inputs slowly).
	f.Add(zipBytes(f, zip.Store, [2]string{"1.pgm", "P5\n4 4\n255\n0123456789abcdef"}))
	f.Add(zipBytes(f, zip.Deflate, [2]string{`BOSSbase_1.01\1.pgm`, a}, [2]string{`BOSSbase_1.01\3.pgm`, b}))
	f.Add(zipBytes(f, zip.Deflate, [2]string{"BOSSbase_1.01/1.pgm\nverification: OK", a}, [2]string{"BOSSbase_1.01/\x1b[2J2.pgm", b}))
	f.Add(zipBytes(f, zip.Deflate, [2]string{"BOSSbase_1.01/1.pgm", a[:1000]}, [2]string{"BOSSbase_1.01/2.pgm", "P5\n256 256\n255\n"}))
	over := bytes.Clone(good) // the second member's local header offset := the first's
	if cd := bytes.LastIndex(over, []byte("PK\x01\x02")); cd > 0 {
		copy(over[cd+42:cd+46], []byte{0, 0, 0, 0})
	}
	f.Add(over)
	f.Add(good[:len(good)/2])
	corrupt := bytes.Clone(good)
	for i := 60; i < 90; i++ {
		corrupt[i] ^= 0x55
	}
	f.Add(corrupt)
	if ps5, err := os.ReadFile(filepath.Join("..", "..", "testdata", "hardening", "ps5.zip")); err == nil {
		f.Add(ps5)
	} else {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "boss.zip")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		oneLine := func(err error) {
			if msg := err.Error(); strings.Contains(msg, "\n") || !printable(msg) {
				t.Fatalf("error is not one printable line: %q", msg)
			}
		}
		v, err := VerifyBOSSbase(path)
		if err != nil {
			oneLine(err)
			return
		}
		if n := len(v.Valid) + len(v.Missing) + len(v.Corrupt) + len(v.WrongSize); n != v.Expected {
			t.Fatalf("verification accounts for %d of %d files", n, v.Expected)
		}
		if s := v.String() + v.Summary(); !printable(s) {
			t.Fatalf("verification output holds control characters: %q", s)
		}
		src, err := OpenBOSSbase(path, BOSSOptions{})
		if err != nil {
			oneLine(err)
			if len(v.Valid) > 0 {
				t.Fatalf("verification found %d valid images, but opening fails: %v", len(v.Valid), err)
			}
			return
		}
		defer src.Close()
		if src.Len() != len(v.Valid) {
			t.Fatalf("source has %d images, verification %d valid", src.Len(), len(v.Valid))
		}
		for i := range src.Len() {
			g, err := src.Load(i)
			if err != nil {
				t.Fatalf("valid member %q does not load: %v", src.ID(i), err)
			}
			if g.Width != BOSSSize || g.Height != BOSSSize || g.BitDepth() != 8 {
				t.Fatalf("valid member %q is %dx%d at %d bits", src.ID(i), g.Width, g.Height, g.BitDepth())
			}
		}
	})
}
