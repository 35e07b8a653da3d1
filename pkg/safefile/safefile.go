// Package safefile opens and names files that come from elsewhere — shared
// datasets, colleagues' results, downloads — without the surprises of
// os.Open: opening never blocks (a FIFO without a writer would block open
// forever), the file type is checked on the opened file (so renaming a file
// between a check and the open cannot slip a FIFO or device in), and names
// are made safe to print. Ours.
package safefile

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Name returns s as it should appear in a message: unchanged when every
// character is printable (spaces included), else quoted as a Go string
// (strconv.Quote), so that a name holding a newline or a terminal escape
// can neither forge an output line nor reach the terminal raw — and two
// different names never print alike. Bytes that are not UTF-8 count as
// unprintable (ranging over them gives U+FFFD, which is printable, so two
// such names printed alike, and a C1 byte reached the terminal raw).
func Name(s string) string {
	if !utf8.ValidString(s) {
		return strconv.Quote(s)
	}
	for _, r := range s {
		if !unicode.IsPrint(r) || r == '"' || r == '\\' {
			return strconv.Quote(s)
		}
	}
	return s
}

// Text returns s with every character that is not printable written as
// its Go escape (\n, \x1b, \u2028, ...), for text from a file (a table
// cell, a claim) printed in a line of output; bytes that are not UTF-8 as
// \xHH.
func Text(s string) string {
	if !utf8.ValidString(s) {
		q := strconv.Quote(s)
		return strings.ReplaceAll(q[1:len(q)-1], `\"`, `"`)
	}
	for _, r := range s {
		if !unicode.IsPrint(r) {
			q := strconv.Quote(s)
			return strings.ReplaceAll(q[1:len(q)-1], `\"`, `"`)
		}
	}
	return s
}

// Regular opens path for reading if it is a regular file (or a symbolic
// link to one) and returns it with its FileInfo. Anything else — a FIFO, a
// device, a socket, a directory — is refused with an error naming the
// file and its type, without blocking and without reading from it.
func Regular(path string) (*os.File, fs.FileInfo, error) {
	f, st, err := open(path)
	if err != nil {
		return nil, nil, err
	}
	if !st.Mode().IsRegular() {
		f.Close()
		return nil, nil, fmt.Errorf("%s: not a regular file (%s)", Name(path), kind(st.Mode()))
	}
	return f, st, nil
}

// ReadFile reads a regular file (see Regular) of at most max bytes: a
// larger one is refused from its size, before it is read, and one that
// grows while it is read is refused too. what names the kind of file in
// that error ("a results.json"). Errors start with the quoted name.
func ReadFile(path string, max int64, what string) ([]byte, error) {
	f, st, err := Regular(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if st.Size() > max {
		return nil, fmt.Errorf("%s: %d bytes, more than %s may have (%d)", Name(path), st.Size(), what, max)
	}
	var buf bytes.Buffer
	buf.Grow(int(st.Size()) + 1) // one allocation of the file's size
	if _, err := buf.ReadFrom(io.LimitReader(f, max+1)); err != nil {
		return nil, fmt.Errorf("%s: %w", Name(path), err)
	}
	if int64(buf.Len()) > max {
		return nil, fmt.Errorf("%s: more than %s may have (%d bytes)", Name(path), what, max)
	}
	return buf.Bytes(), nil
}

// Stream opens path for reading as a stream: a regular file, a pipe or
// FIFO (as a shell's process substitution gives), or a character device. It
// never blocks: a FIFO that no process writes to reads as empty. A
// directory or socket is refused.
func Stream(path string) (*os.File, error) {
	f, st, err := open(path)
	if err != nil {
		return nil, err
	}
	if m := st.Mode(); m.IsDir() || m&fs.ModeSocket != 0 {
		f.Close()
		return nil, fmt.Errorf("%s: not a file (%s)", Name(path), kind(m))
	}
	return f, nil
}

// open opens path without blocking (see openNonBlocking) and stats the
// opened file. Errors start with the quoted name; errors.Is(err,
// fs.ErrNotExist) still works.
func open(path string) (*os.File, fs.FileInfo, error) {
	f, err := openNonBlocking(path)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, nil, fmt.Errorf("%s: cannot open: %w", Name(path), err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("%s: %w", Name(path), err)
	}
	return f, st, nil
}

// kind names a file mode's type for messages.
func kind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a FIFO"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a device"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeIrregular != 0:
		return "an irregular file"
	}
	return m.Type().String()
}
