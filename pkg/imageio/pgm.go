package imageio

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// Limits on PGM input. Headers that exceed them are rejected before any
// pixel memory is allocated.
const (
	// MaxPixels is the largest width×height accepted by the decoders.
	MaxPixels = 1 << 30
	// MaxVal8 is the largest maxval stored with one byte per sample.
	MaxVal8 = 255
	// MaxVal16 is the largest maxval a PGM may declare (two bytes per
	// sample, big-endian).
	MaxVal16 = 65535
	// maxHeaderField bounds the digits of one header number, so that
	// absurdly long fields are rejected without reading them whole.
	maxHeaderField = 10
	// readChunk is how many raster bytes are read at a time: a truncated
	// file that declares a huge size never costs more memory than it holds.
	readChunk = 1 << 20
)

// PGM is a decoded PGM image at its full sample depth.
type PGM struct {
	// Plain is true for P2 (ASCII) files and false for P5 (binary).
	Plain bool
	// Width, Height are the image size in pixels (both ≥ 1).
	Width, Height int
	// MaxVal is the declared maximum sample value, 1..65535.
	MaxVal int
	// Samples holds Width×Height values in 0..MaxVal, row-major.
	Samples []uint16
}

// PGMHeader is the parsed header of a PGM file.
type PGMHeader struct {
	// Plain is true for P2 (ASCII) files and false for P5 (binary).
	Plain bool
	// Width, Height and MaxVal are the declared size and maximum sample.
	Width, Height, MaxVal int
	// Len is the number of header bytes, including the single whitespace
	// character that ends the header; for P5 the raster starts at Len.
	Len int64
}

// BytesPerSample is 1 when MaxVal ≤ 255 and 2 otherwise (P5 only).
func (h *PGMHeader) BytesPerSample() int {
	if h.MaxVal <= MaxVal8 {
		return 1
	}
	return 2
}

// RasterBytes is the size of a P5 raster: Width×Height×BytesPerSample.
func (h *PGMHeader) RasterBytes() int64 {
	return int64(h.Width) * int64(h.Height) * int64(h.BytesPerSample())
}

// pgmReader tracks the position in the input for error messages and the
// header length.
type pgmReader struct {
	br   *bufio.Reader
	name string
	pos  int64
	// headerLimit, while the header is read, is the byte count it may not
	// reach (MaxHeaderBytes); 0 afterwards.
	headerLimit int64
}

// Bounds on PGM text, so that a crafted file (a comment of gigabytes, a
// sparse file) is refused at once rather than read to the end.
const (
	// MaxHeaderBytes bounds a PGM header, comments included.
	MaxHeaderBytes = 64 << 10
	// MaxCommentBytes bounds one comment (in the header or a P2 raster).
	MaxCommentBytes = 64 << 10
)

// errHeaderTooLong is returned by readByte when the header reaches
// MaxHeaderBytes.
var errHeaderTooLong = fmt.Errorf("header longer than %d bytes", MaxHeaderBytes)

func (p *pgmReader) errorf(format string, args ...any) error {
	return fmt.Errorf("%s: %s", p.name, oneLine(fmt.Sprintf(format, args...)))
}

// oneLine keeps every error on one line whatever the input contained.
func oneLine(s string) string {
	return strings.NewReplacer("\n", `\n`, "\r", `\r`).Replace(s)
}

func (p *pgmReader) readByte() (byte, error) {
	if p.headerLimit > 0 && p.pos >= p.headerLimit {
		return 0, errHeaderTooLong
	}
	c, err := p.br.ReadByte()
	if err == nil {
		p.pos++
	}
	return c, err
}

func (p *pgmReader) unreadByte() {
	_ = p.br.UnreadByte()
	p.pos--
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// skipComment consumes a comment after its '#', up to and including the
// newline (or carriage return) that ends it. It returns io.EOF at the end
// of input.
func (p *pgmReader) skipComment() error {
	for n := 0; ; n++ {
		if n > MaxCommentBytes {
			return fmt.Errorf("comment longer than %d bytes", MaxCommentBytes)
		}
		c, err := p.readByte()
		if err != nil {
			return err
		}
		if c == '\n' || c == '\r' {
			return nil
		}
	}
}

// skipSpace skips whitespace and comments before a number.
func (p *pgmReader) skipSpace() error {
	for {
		c, err := p.readByte()
		if err != nil {
			return err
		}
		switch {
		case isSpace(c):
		case c == '#':
			if err := p.skipComment(); err != nil {
				return err
			}
		default:
			p.unreadByte()
			return nil
		}
	}
}

// readNumber reads one decimal number (after whitespace and comments). It
// stops at the first non-digit, which it leaves unread; a number must be
// followed by whitespace, a comment or the end of input. The value is
// capped at limit (the error says what the number was for).
func (p *pgmReader) readNumber(what string, limit int) (int, error) {
	if err := p.skipSpace(); err != nil {
		if err == io.EOF {
			return 0, p.errorf("missing %s: unexpected end of file at byte %d", what, p.pos)
		}
		return 0, p.errorf("reading %s: %v", what, err)
	}
	var v int64
	digits := 0
	for {
		c, err := p.readByte()
		if err == io.EOF {
			break
		}
		if err != nil {
			return 0, p.errorf("reading %s: %v", what, err)
		}
		if !isDigit(c) {
			p.unreadByte()
			if digits == 0 {
				return 0, p.errorf("%s is not a number: unexpected %q at byte %d", what, c, p.pos)
			}
			if !isSpace(c) && c != '#' {
				return 0, p.errorf("%s is not a number: unexpected %q after %d at byte %d", what, c, v, p.pos)
			}
			break
		}
		digits++
		if digits > maxHeaderField {
			return 0, p.errorf("%s is too large: more than %d digits", what, maxHeaderField)
		}
		v = v*10 + int64(c-'0')
	}
	if v > int64(limit) {
		return 0, p.errorf("%s %d is too large (limit %d)", what, v, limit)
	}
	return int(v), nil
}

// readHeader parses the magic number, width, height, maxval and the single
// whitespace character after maxval (a comment there, as libnetpbm allows,
// counts as that whitespace).
func (p *pgmReader) readHeader() (*PGMHeader, error) {
	p.headerLimit = p.pos + MaxHeaderBytes
	defer func() { p.headerLimit = 0 }()
	var magic [2]byte
	n, err := io.ReadFull(p.br, magic[:])
	p.pos += int64(n)
	if err != nil {
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return nil, p.errorf("not a PGM file: too short (%d bytes)", n)
		}
		return nil, p.errorf("reading magic number: %v", err)
	}
	h := &PGMHeader{}
	switch string(magic[:]) {
	case "P2":
		h.Plain = true
	case "P5":
	case "P1", "P4":
		return nil, p.errorf("bitmap (PBM %s) files are not supported: only grayscale PGM (P2, P5)", magic[:])
	case "P3", "P6":
		return nil, p.errorf("colour (PPM %s) files are not supported: only grayscale PGM (P2, P5)", magic[:])
	case "P7":
		return nil, p.errorf("PAM (P7) files are not supported: only grayscale PGM (P2, P5)")
	default:
		return nil, p.errorf("not a PGM file: bad magic number %q (want \"P2\" or \"P5\")", magic[:])
	}
	// The magic number must be followed by whitespace or a comment.
	c, err := p.readByte()
	if err != nil {
		return nil, p.errorf("missing width: unexpected end of file at byte %d", p.pos)
	}
	if !isSpace(c) && c != '#' {
		return nil, p.errorf("bad header: want whitespace after magic number, got %q", c)
	}
	p.unreadByte()
	if h.Width, err = p.readNumber("width", MaxPixels); err != nil {
		return nil, err
	}
	if h.Height, err = p.readNumber("height", MaxPixels); err != nil {
		return nil, err
	}
	if h.Width == 0 || h.Height == 0 {
		return nil, p.errorf("empty image: size %dx%d", h.Width, h.Height)
	}
	if int64(h.Width)*int64(h.Height) > MaxPixels {
		return nil, p.errorf("image %dx%d has %d pixels, more than the limit of %d", h.Width, h.Height,
			int64(h.Width)*int64(h.Height), MaxPixels)
	}
	if h.MaxVal, err = p.readNumber("maxval", MaxVal16); err != nil {
		return nil, err
	}
	if h.MaxVal == 0 {
		return nil, p.errorf("maxval 0 is invalid (want 1..%d)", MaxVal16)
	}
	if b := h.RasterBytes(); b > maxImageBytes {
		return nil, p.errorf("image %dx%d takes %d bytes, more than the limit of %d", h.Width, h.Height, b, maxImageBytes)
	}
	c, err = p.readByte()
	switch {
	case err == io.EOF:
		return nil, p.errorf("missing whitespace after maxval: unexpected end of file at byte %d", p.pos)
	case err != nil:
		return nil, p.errorf("reading header: %v", err)
	case c == '#':
		if err := p.skipComment(); err == io.EOF {
			return nil, p.errorf("missing whitespace after maxval: comment runs to end of file")
		} else if err != nil {
			return nil, p.errorf("reading header: %v", err)
		}
	case !isSpace(c):
		// readNumber only stops at whitespace or '#', so this is unreachable;
		// kept so that the rule is stated here.
		return nil, p.errorf("missing whitespace after maxval: got %q", c)
	}
	h.Len = p.pos
	return h, nil
}

// DecodePGMHeader reads only the header of a PGM file. name is used in
// error messages. It may read ahead of the header (it buffers its input).
func DecodePGMHeader(r io.Reader, name string) (*PGMHeader, error) {
	p := &pgmReader{br: bufio.NewReaderSize(r, 512), name: name}
	return p.readHeader()
}

// DecodePGM reads a PGM image (P2 or P5, maxval 1..65535) from r; name is
// used in error messages, every one of which is a single line starting with
// name. The decoder is strict: it rejects a bad magic number, non-numeric,
// zero or oversized header fields (see MaxPixels), a missing whitespace
// after maxval, samples above maxval and truncated pixel data. Comments
// ('#' to end of line) are accepted wherever whitespace is, in the header
// and between P2 samples. Data after the raster is ignored (the Netpbm
// format allows several images in one file; this reads the first).
//
// Pixel data is read incrementally, so a truncated file that declares a
// large size costs only as much memory as it actually holds.
func DecodePGM(r io.Reader, name string) (*PGM, error) {
	g, h, err := decodePGM(r, name)
	if err != nil {
		return nil, err
	}
	img := &PGM{Plain: h.Plain, Width: h.Width, Height: h.Height, MaxVal: h.MaxVal, Samples: make([]uint16, g.Len())}
	for i := range img.Samples {
		img.Samples[i] = uint16(g.Sample(i))
	}
	return img, nil
}

// decodePGMGray decodes a PGM straight into a Gray (sample-exact, no
// intermediate copy of the samples).
//
// Only maxval 255 (8-bit) and 65535 (16-bit) are accepted: a Gray's peak
// is 2^depth − 1, so a PGM of another maxval (a 10- or 12-bit image, a
// bilevel one) would be measured against the wrong peak.
func decodePGMGray(r io.Reader, name string) (*Gray, error) {
	p := &pgmReader{br: bufio.NewReaderSize(r, 64<<10), name: name}
	h, err := p.readHeader()
	if err != nil {
		return nil, err
	}
	if err := checkGrayMaxVal(h, name); err != nil {
		return nil, err
	}
	g, err := p.readRaster(h)
	return g, err
}

// checkGrayMaxVal refuses a PGM whose maxval is not a Gray peak.
func checkGrayMaxVal(h *PGMHeader, name string) error {
	if h.MaxVal != MaxVal8 && h.MaxVal != MaxVal16 {
		return fmt.Errorf("%s: maxval %d: only 8-bit (maxval 255) and 16-bit (maxval 65535) PGMs are read, so that every metric uses the image's own peak; rescale it first (e.g. pamdepth 255)", name, h.MaxVal)
	}
	return nil
}

// decodePGM reads the header and the raster into the layout of a Gray of
// the image's depth.
func decodePGM(r io.Reader, name string) (*Gray, *PGMHeader, error) {
	p := &pgmReader{br: bufio.NewReaderSize(r, 64<<10), name: name}
	h, err := p.readHeader()
	if err != nil {
		return nil, nil, err
	}
	g, err := p.readRaster(h)
	if err != nil {
		return nil, nil, err
	}
	return g, h, nil
}

// readRaster reads the raster h declares into a Gray of its storage depth.
func (p *pgmReader) readRaster(h *PGMHeader) (*Gray, error) {
	g := &Gray{Width: h.Width, Height: h.Height, Depth: Depth8}
	if h.BytesPerSample() == 2 {
		g.Depth = Depth16
	}
	var err error
	if h.Plain {
		g.Pix, err = p.readPlain(h)
	} else {
		g.Pix, err = p.readRaw(h)
	}
	if err != nil {
		return nil, err
	}
	return g, nil
}

// chunks collects a raster a chunk at a time, so that a file declaring a
// large size costs only what it holds; bytes joins them (peak: twice the
// raster).
type chunks struct {
	bufs [][]byte
	n    int
}

func (c *chunks) room() []byte {
	if len(c.bufs) == 0 || len(c.bufs[len(c.bufs)-1]) == cap(c.bufs[len(c.bufs)-1]) {
		c.bufs = append(c.bufs, make([]byte, 0, readChunk))
	}
	return c.bufs[len(c.bufs)-1]
}

func (c *chunks) add(b ...byte) {
	for len(b) > 0 {
		last := c.room()
		k := min(len(b), cap(last)-len(last))
		c.bufs[len(c.bufs)-1] = append(last, b[:k]...)
		c.n += k
		b = b[k:]
	}
}

func (c *chunks) bytes() []byte {
	if len(c.bufs) == 1 {
		return c.bufs[0]
	}
	out := make([]byte, 0, c.n)
	for _, b := range c.bufs {
		out = append(out, b...)
	}
	c.bufs = nil
	return out
}

// readRaw reads a P5 raster (1 byte per sample up to maxval 255, else 2
// big-endian bytes: the Gray layout), checking samples ≤ maxval.
func (p *pgmReader) readRaw(h *PGMHeader) ([]byte, error) {
	want := h.RasterBytes()
	var c chunks
	for int64(c.n) < want {
		room := c.room()
		k := int(min(want-int64(c.n), int64(cap(room)-len(room))))
		got, err := io.ReadFull(p.br, room[len(room):len(room)+k])
		c.bufs[len(c.bufs)-1] = room[:len(room)+got]
		c.n += got
		p.pos += int64(got)
		if got < k {
			if err == nil || err == io.EOF || err == io.ErrUnexpectedEOF {
				return nil, p.errorf("truncated pixel data: got %d of %d bytes", c.n, want)
			}
			return nil, p.errorf("reading pixel data: %v", err)
		}
	}
	data := c.bytes()
	if h.MaxVal != MaxVal8 && h.MaxVal != MaxVal16 {
		g := &Gray{Width: h.Width, Height: h.Height, Depth: 8 * h.BytesPerSample(), Pix: data}
		for i := 0; i < g.Len(); i++ {
			if v := g.Sample(i); v > h.MaxVal {
				return nil, p.errorf("sample %d at (%d,%d) exceeds maxval %d", v, i%h.Width, i/h.Width, h.MaxVal)
			}
		}
	}
	return data, nil
}

// readPlain reads a P2 raster: Width×Height decimal samples separated by
// whitespace (and comments), into the Gray layout of the header's depth.
func (p *pgmReader) readPlain(h *PGMHeader) ([]byte, error) {
	n := h.Width * h.Height
	wide := h.BytesPerSample() == 2
	var c chunks
	for i := 0; i < n; i++ {
		if err := p.skipSpace(); err != nil {
			if err == io.EOF {
				return nil, p.errorf("truncated pixel data: got %d of %d samples", i, n)
			}
			return nil, p.errorf("reading pixel data: %v", err)
		}
		v, digits := 0, 0
		for {
			ch, err := p.readByte()
			if err == io.EOF {
				break
			}
			if err != nil {
				return nil, p.errorf("reading pixel data: %v", err)
			}
			if !isDigit(ch) {
				p.unreadByte()
				if digits == 0 || (!isSpace(ch) && ch != '#') {
					return nil, p.errorf("sample %d at (%d,%d) is not a number: unexpected %q at byte %d",
						i, i%h.Width, i/h.Width, ch, p.pos)
				}
				break
			}
			digits++
			// Checked per digit, so long digit strings cannot overflow.
			if v = v*10 + int(ch-'0'); v > h.MaxVal {
				return nil, p.errorf("sample at (%d,%d) exceeds maxval %d", i%h.Width, i/h.Width, h.MaxVal)
			}
		}
		if wide {
			c.add(uint8(v>>8), uint8(v))
		} else {
			c.add(uint8(v))
		}
	}
	return c.bytes(), nil
}

// Gray returns the image sample-exact: 8-bit when MaxVal ≤ 255, else
// 16-bit, with every sample as stored (never rescaled: a 12-bit image of
// maxval 4095 keeps its values 0…4095 in a 16-bit image, whose peak is
// then 65535 — DecodeGray refuses such files; this conversion is for
// callers that account for the peak themselves).
func (p *PGM) Gray() *Gray {
	if p.MaxVal <= MaxVal8 {
		g := NewGray(p.Width, p.Height)
		for i, v := range p.Samples {
			g.Pix[i] = uint8(v)
		}
		return g
	}
	g := MustNewGrayDepth(p.Width, p.Height, Depth16)
	for i, v := range p.Samples {
		g.Pix[2*i], g.Pix[2*i+1] = uint8(v>>8), uint8(v)
	}
	return g
}

// EncodePGM writes p as a binary (P5) PGM with p's maxval: one byte per
// sample up to maxval 255, two big-endian bytes above.
func EncodePGM(w io.Writer, p *PGM) error {
	if p == nil {
		return fmt.Errorf("imageio.EncodePGM: nil image")
	}
	if p.Width <= 0 || p.Height <= 0 || len(p.Samples) != p.Width*p.Height {
		return fmt.Errorf("imageio.EncodePGM: %dx%d image has %d samples", p.Width, p.Height, len(p.Samples))
	}
	if p.MaxVal < 1 || p.MaxVal > MaxVal16 {
		return fmt.Errorf("imageio.EncodePGM: maxval %d is outside 1..%d", p.MaxVal, MaxVal16)
	}
	bps := 1
	if p.MaxVal > MaxVal8 {
		bps = 2
	}
	buf := make([]byte, 0, len(p.Samples)*bps+32)
	buf = fmt.Appendf(buf, "P5\n%d %d\n%d\n", p.Width, p.Height, p.MaxVal)
	for i, v := range p.Samples {
		if int(v) > p.MaxVal {
			return fmt.Errorf("imageio.EncodePGM: sample %d at (%d,%d) exceeds maxval %d", v, i%p.Width, i/p.Width, p.MaxVal)
		}
		if bps == 1 {
			buf = append(buf, uint8(v))
		} else {
			buf = append(buf, uint8(v>>8), uint8(v))
		}
	}
	_, err := w.Write(buf)
	return err
}

// WritePGM writes g as a binary (P5) PGM with maxval 2^depth − 1 (255 or
// 65535; 16-bit samples big-endian, as Pix holds them).
func WritePGM(w io.Writer, g *Gray) error {
	if err := checkGray(g); err != nil {
		return fmt.Errorf("imageio.WritePGM: %w", err)
	}
	if _, err := fmt.Fprintf(w, "P5\n%d %d\n%d\n", g.Width, g.Height, g.MaxValue()); err != nil {
		return err
	}
	_, err := w.Write(g.Pix)
	return err
}

// checkGray rejects images that cannot be encoded.
func checkGray(g *Gray) error {
	if g == nil {
		return fmt.Errorf("nil image")
	}
	if g.Width <= 0 || g.Height <= 0 {
		return fmt.Errorf("empty image %dx%d", g.Width, g.Height)
	}
	return g.Check()
}
