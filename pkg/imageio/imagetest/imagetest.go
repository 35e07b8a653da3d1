// Package imagetest builds crafted image files for tests: PNGs with any
// header, ancillary chunks and raw scanlines, including ones Go's encoder
// never writes (a tRNS chunk on grey, sub-8-bit grey, an index past the
// palette, a header declaring far more pixels than the data holds). Ours.
package imagetest

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"hash/crc32"
)

// PNG assembles a PNG file: an IHDR chunk (w×h pixels, the bit depth and
// colour type given, no interlace), the extra chunks as (type, data) in
// order, one IDAT chunk holding rows — each prefixed with filter type 0 —
// followed by zeroRows rows of zeros (a deflate bomb: a few hundred bytes
// per megabyte), and IEND.
func PNG(w, h int, bitDepth, colourType byte, extra [][2]string, rows [][]byte, zeroRows int) []byte {
	var out bytes.Buffer
	chunk := func(typ string, data []byte) {
		binary.Write(&out, binary.BigEndian, uint32(len(data)))
		out.WriteString(typ)
		out.Write(data)
		binary.Write(&out, binary.BigEndian, crc32.ChecksumIEEE(append([]byte(typ), data...)))
	}
	out.WriteString("\x89PNG\r\n\x1a\n")
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], uint32(w))
	binary.BigEndian.PutUint32(ihdr[4:], uint32(h))
	ihdr[8], ihdr[9] = bitDepth, colourType
	chunk("IHDR", ihdr)
	for _, c := range extra {
		chunk(c[0], []byte(c[1]))
	}
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	for _, r := range rows {
		zw.Write(append([]byte{0}, r...))
	}
	channels := map[byte]int{0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[colourType]
	zero := make([]byte, 1+(w*channels*int(bitDepth)+7)/8)
	for range zeroRows {
		zw.Write(zero)
	}
	zw.Close()
	chunk("IDAT", z.Bytes())
	chunk("IEND", nil)
	return out.Bytes()
}
