package safefile

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestName(t *testing.T) {
	for in, want := range map[string]string{
		"plain/x.pgm":      "plain/x.pgm",
		"with space.png":   "with space.png",
		"a\nb.png":         `"a\nb.png"`,
		"\x1b[2Jx.pgm":     `"\x1b[2Jx.pgm"`,
		`say "hi".pgm`:     `"say \"hi\".pgm"`,
		"Ünïcødé/ß.pgm":    "Ünïcødé/ß.pgm",
		"tab\there.pgm":    `"tab\there.pgm"`,
		"zero\x00byte.pgm": `"zero\x00byte.pgm"`,
		"bad\xff\xfe.pgm":  `"bad\xff\xfe.pgm"`,
		"c1\x9b31mRED":     `"c1\x9b31mRED"`,
	} {
		if got := Name(in); got != want {
			t.Errorf("Name(%q) = %s, want %s", in, got, want)
		}
	}
	if Name("a\nb.png") == Name("a b.png") || Name("x\xff") == Name("x\xfe") {
		t.Error("two names print alike")
	}
}

func TestText(t *testing.T) {
	for in, want := range map[string]string{
		"plain claim":        "plain claim",
		`say "hi"`:           `say "hi"`,
		"two\nlines\x1b[32m": `two\nlines\x1b[32m`,
		`back\slash` + "\t":  `back\\slash\t`,
		"bad\xffbyte":        `bad\xffbyte`,
	} {
		if got := Text(in); got != want {
			t.Errorf("Text(%q) = %s, want %s", in, got, want)
		}
	}
}

// withTimeout fails the test when fn blocks.
func withTimeout(t *testing.T, what string, fn func()) {
	t.Helper()
	done := make(chan struct{})
	go func() { fn(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatalf("%s blocked", what)
	}
}

func TestRegularAndStream(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "x.pgm")
	os.WriteFile(file, []byte("data"), 0o644)
	f, st, err := Regular(file)
	if err != nil || st.Size() != 4 {
		t.Fatalf("regular file: %v", err)
	}
	f.Close()
	if _, _, err := Regular(dir); err == nil || !strings.Contains(err.Error(), "a directory") {
		t.Errorf("directory: %v", err)
	}
	if _, err := Stream(dir); err == nil {
		t.Error("Stream opened a directory")
	}
	if _, _, err := Regular(filepath.Join(dir, "missing")); !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), "missing") {
		t.Errorf("missing file: %v", err)
	}
	if runtime.GOOS == "windows" {
		return
	}
	fifo := filepath.Join(dir, "1.pgm")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skip("no FIFOs:", err)
	}
	// No process writes to the FIFO: nothing may block.
	withTimeout(t, "Regular on a FIFO", func() {
		if _, _, err := Regular(fifo); err == nil || !strings.Contains(err.Error(), "not a regular file (a FIFO)") {
			t.Errorf("FIFO: %v", err)
		}
	})
	withTimeout(t, "Stream on a FIFO without a writer", func() {
		f, err := Stream(fifo)
		if err != nil {
			t.Errorf("Stream: %v", err)
			return
		}
		defer f.Close()
		if b, err := io.ReadAll(f); err != nil || len(b) != 0 {
			t.Errorf("a FIFO without a writer reads %q, %v; want empty", b, err)
		}
	})
	// With a writer, Stream reads what it writes (process substitution).
	withTimeout(t, "Stream on a FIFO with a writer", func() {
		f, err := Stream(fifo)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		w, err := os.OpenFile(fifo, os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		go func() { w.Write([]byte("P5 piped")); w.Close() }()
		if b, err := io.ReadAll(f); err != nil || string(b) != "P5 piped" {
			t.Errorf("piped: %q, %v", b, err)
		}
	})
	if _, _, err := Regular("/dev/zero"); err == nil || !strings.Contains(err.Error(), "character device") {
		t.Errorf("/dev/zero: %v", err)
	}
}

func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "r.json")
	os.WriteFile(p, []byte("0123456789"), 0o644)
	if b, err := ReadFile(p, 10, "a test file"); err != nil || string(b) != "0123456789" {
		t.Errorf("within the limit: %q, %v", b, err)
	}
	if _, err := ReadFile(p, 9, "a test file"); err == nil || !strings.Contains(err.Error(), "10 bytes, more than a test file may have (9)") {
		t.Errorf("over the limit: %v", err)
	}
	if _, err := ReadFile(dir, 9, "a test file"); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("a directory: %v", err)
	}
}
