package dataset

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"io"

	"github.com/neurocrypt/neurocrypt/pkg/safefile"
)

// MaxZipMembers bounds the members of a dataset zip, counted in its
// central directory before archive/zip reads it (archive/zip keeps every
// entry in memory: a 274 MB archive of 3 million empty members would take
// 1.4 GB). BOSSbase 1.01 has 10 000 images and a few folders. Ours.
const MaxZipMembers = 50_000

// checkZipDirectory counts the entries of the zip r's (size bytes) central
// directory the way archive/zip reads it — consecutive entry headers from
// the offset the end record gives (the ZIP64 one when present), whatever
// count the record claims — and refuses an archive with more than
// MaxZipMembers. It reads the directory in one pass in constant memory. A
// file without an end record is left to archive/zip to report.
func checkZipDirectory(r io.ReaderAt, size int64, path string) error {
	const eocdLen, maxComment = 22, 65535
	tail := min(size, eocdLen+maxComment)
	buf := make([]byte, tail)
	if _, err := r.ReadAt(buf, size-tail); err != nil && err != io.EOF {
		return fmt.Errorf("%s: %v", safefile.Name(path), err)
	}
	i := bytes.LastIndex(buf, []byte("PK\x05\x06"))
	if i < 0 || len(buf)-i < eocdLen {
		return nil
	}
	dirOffset := int64(binary.LittleEndian.Uint32(buf[i+16:]))
	if at := size - tail + int64(i) - 20; at >= 0 {
		// A ZIP64 locator just before the end record points to the ZIP64
		// end record, whose directory offset is the one archive/zip uses.
		loc := make([]byte, 20)
		if _, err := r.ReadAt(loc, at); err == nil && bytes.HasPrefix(loc, []byte("PK\x06\x07")) {
			off := int64(binary.LittleEndian.Uint64(loc[8:]))
			z := make([]byte, 56)
			if off >= 0 && off <= size-56 {
				if _, err := r.ReadAt(z, off); err == nil && bytes.HasPrefix(z, []byte("PK\x06\x06")) {
					dirOffset = int64(binary.LittleEndian.Uint64(z[48:]))
				}
			}
		}
	}
	if dirOffset < 0 || dirOffset > size {
		return nil // archive/zip reports it
	}
	br := bufio.NewReaderSize(io.NewSectionReader(r, dirOffset, size-dirOffset), 64<<10)
	hdr := make([]byte, 46)
	for n := 0; ; n++ {
		if _, err := io.ReadFull(br, hdr); err != nil || !bytes.HasPrefix(hdr, []byte("PK\x01\x02")) {
			return nil
		}
		if n >= MaxZipMembers {
			return fmt.Errorf("%s: a zip of more than %d members, more than a dataset zip may have", safefile.Name(path), MaxZipMembers)
		}
		skip := int64(binary.LittleEndian.Uint16(hdr[28:])) + int64(binary.LittleEndian.Uint16(hdr[30:])) + int64(binary.LittleEndian.Uint16(hdr[32:]))
		if _, err := br.Discard(int(skip)); err != nil {
			return nil
		}
	}
}
