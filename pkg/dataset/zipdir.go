package dataset

import (
	"errors"
	"fmt"
	"io"
)

// Bounds on a dataset zip's central directory, which archive/zip reads
// whole into memory when it opens the archive (a 188 MB archive of 2
// million empty members, or of a few thousand members with 64 KiB names,
// would take a gigabyte). BOSSbase 1.01 has 10 000 images and a few
// folders: about 1 MB of directory. Ours.
const (
	// MaxZipMembers is the most members a dataset zip may have.
	MaxZipMembers = 50_000
	// MaxZipDirectoryRead bounds what archive/zip may read while opening a
	// zip: its end records and its central directory.
	MaxZipDirectoryRead = 4 << 20
)

// errZipDirectory is returned by budgetReader when the budget is spent.
var errZipDirectory = errors.New("zip directory budget exceeded")

// budgetReader is the zip file as archive/zip opens it: reads fail once
// more than the budget has been read, until disarmed (then the members
// are read freely). Counting what archive/zip itself reads, rather than
// parsing the directory a second way, leaves no difference between the
// check and the reader to exploit. It is armed only inside zip.NewReader,
// which reads from one goroutine; once disarmed it is only read.
type budgetReader struct {
	r       io.ReaderAt
	left    int64
	armed   bool
	tripped bool
}

func newBudgetReader(r io.ReaderAt, budget int64) *budgetReader {
	return &budgetReader{r: r, left: budget, armed: true}
}

func (b *budgetReader) ReadAt(p []byte, off int64) (int, error) {
	if b.armed {
		if b.left -= int64(len(p)); b.left < 0 {
			b.tripped = true
			return 0, errZipDirectory
		}
	}
	return b.r.ReadAt(p, off)
}

// disarm ends the budget: the archive is open.
func (b *budgetReader) disarm() { b.armed = false }

// zipDirectoryError turns a failed open into the message a user needs.
func zipDirectoryError(b *budgetReader, name string, err error) error {
	if b.tripped {
		return fmt.Errorf("%s: a zip whose directory takes more than %d bytes (%d members at most), more than a dataset zip may have", name, MaxZipDirectoryRead, MaxZipMembers)
	}
	return fmt.Errorf("%s: not a BOSSbase folder, and cannot read it as a zip: %v", name, err)
}
