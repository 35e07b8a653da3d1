// Package stego embeds hidden messages in grayscale images, to make the
// stego images of the steganalysis task on BOSSbase: a classifier learns to
// tell covers from stego images. It implements ±1 LSB matching ("LSB
// matching", "±1 embedding"; Sharp 2001, "An implementation of key-based
// digital signal steganography", and Ker 2005, "Steganalysis of LSB matching
// in grayscale images").
//
// Embedding is deterministic for a seed and platform-independent: every
// random choice (the message, the path through the pixels, the direction
// of each ±1 change) draws from its own seeds.SplitMix stream, derived from
// the seed with seeds.Sub. Callers derive the seed of each image from
// their run seed (seeds.Sub(runSeed, "stego", imageID)), so that a stego
// image depends only on its cover and its seed.
//
// Only 8-bit images are embedded into: BOSSbase is 8-bit, and the
// published LSB-matching detectors (Ker 2005's, and the feature and CNN
// steganalysers after it) are designed for and measured on 8-bit images,
// where a ±1 change is one part in 256 of the range; in a 16-bit image it
// is one part in 65536, a different problem whose numbers would not be
// comparable.
package stego

import (
	"fmt"
	"math"

	"github.com/neurocrypt/neurocrypt/pkg/imageio"
	"github.com/neurocrypt/neurocrypt/pkg/seeds"
)

// DefaultRate is the embedding rate of the standard BOSSbase benchmark, in
// bits per pixel: 0.4 bpp.
const DefaultRate = 0.4

// MaxMessageBits bounds Message's length (an image of 2^31 pixels at rate
// 1; against absurd allocations).
const MaxMessageBits = 1 << 31

// Names of the random streams derived from the seed (seeds.Sub(seed,
// "stego", name)): changing one changes every stego image.
const (
	streamMessage = "message"
	streamPath    = "path"
	streamSign    = "sign"
)

// stream returns the SplitMix generator of a named stream of seed.
func stream(seed uint64, name string) *seeds.SplitMix {
	return &seeds.SplitMix{State: seeds.Sub(seed, "stego", name)}
}

// Embedding is the result of Embed.
type Embedding struct {
	// Stego is the stego image: a new 8-bit image of the cover's size.
	Stego *imageio.Gray
	// Payload is the number of message bits embedded, round(rate·N) for
	// N pixels (Payload).
	Payload int
	// Changed is the number of pixels that differ from the cover, each by
	// exactly 1 grey level. The message bits are uniform, so Changed
	// follows a binomial law of Payload trials with probability ½ (mean
	// Payload/2) whatever the cover.
	Changed int
}

// Payload returns the number of message bits embedded in an image of the
// given number of pixels at rate bits per pixel: round(rate·pixels), halves
// away from zero. It returns an error for a rate outside (0, 1] (NaN
// included), for fewer than one pixel, and when the payload rounds to zero
// bits (a stego image identical to its cover would be mislabelled). Ours.
func Payload(pixels int, rate float64) (int, error) {
	if !(rate > 0 && rate <= 1) {
		return 0, fmt.Errorf("stego: rate %v bits per pixel is outside (0, 1]", rate)
	}
	if pixels < 1 {
		return 0, fmt.Errorf("stego: image has %d pixels, want at least 1", pixels)
	}
	m := int(math.Round(rate * float64(pixels)))
	if m < 1 {
		return 0, fmt.Errorf("stego: rate %v on %d pixels embeds no bits", rate, pixels)
	}
	return m, nil
}

// Message returns the n message bits (each 0 or 1) that Embed hides with
// this seed: the bits of successive Uint64 draws of the seed's message
// stream, least significant first. It returns an error for a negative n.
// Ours.
func Message(n int, seed uint64) ([]uint8, error) {
	if n < 0 || n > MaxMessageBits {
		return nil, fmt.Errorf("stego: message length %d: want 0..%d bits", n, MaxMessageBits)
	}
	bits := make([]uint8, n)
	r := stream(seed, streamMessage)
	var v uint64
	for i := range bits {
		if i%64 == 0 {
			v = r.Uint64()
		}
		bits[i] = uint8(v & 1)
		v >>= 1
	}
	return bits, nil
}

// path returns the first m pixels (row-major indices, distinct) of the
// seed's pseudo-random path through an image of n pixels: a partial
// Fisher–Yates shuffle of 0..n−1, so every ordered m-subset is equally
// likely and the path at a smaller payload is a prefix of the path at a
// larger one. It holds 4 bytes per pixel (imageio bounds images to 2²⁹
// pixels, below int32's range).
func path(n, m int, seed uint64) []int32 {
	p := make([]int32, n)
	for i := range p {
		p[i] = int32(i)
	}
	r := stream(seed, streamPath)
	for i := range m {
		j := i + r.IntN(n-i)
		p[i], p[j] = p[j], p[i]
	}
	return p[:m:m]
}

// checkCover returns an error unless g is a consistent, non-empty 8-bit
// image. name says which argument g is.
func checkCover(name string, g *imageio.Gray) error {
	if g == nil {
		return fmt.Errorf("stego: %s image is nil", name)
	}
	if err := g.Check(); err != nil {
		return fmt.Errorf("stego: %s image: %v", name, err)
	}
	if g.BitDepth() != imageio.Depth8 {
		return fmt.Errorf("stego: %s image is %d-bit: LSB matching here is for 8-bit images (BOSSbase and the published detectors are 8-bit)", name, g.BitDepth())
	}
	if g.Len() == 0 {
		return fmt.Errorf("stego: %s image is empty (%dx%d)", name, g.Width, g.Height)
	}
	return nil
}

// Embed hides Payload(N, rate) message bits (Message) in a copy of cover by
// ±1 LSB matching (Sharp 2001; Ker 2005): along the seed's path of distinct
// pixels, a pixel whose least significant bit equals its message bit is
// kept; otherwise 1 is added to or subtracted from it, each with
// probability ½ (one draw of the seed's sign stream per changed pixel),
// except that 0 always becomes 1 and 255 always becomes 254 (never wraps).
// rate is in bits per pixel, 0 < rate ≤ 1.
//
// cover is never modified. Errors: a nil, inconsistent (imageio.Gray.Check),
// empty or 16-bit cover, and a bad rate (Payload).
func Embed(cover *imageio.Gray, rate float64, seed uint64) (*Embedding, error) {
	if err := checkCover("cover", cover); err != nil {
		return nil, err
	}
	m, err := Payload(cover.Len(), rate)
	if err != nil {
		return nil, err
	}
	msg, err := Message(m, seed)
	if err != nil {
		return nil, err
	}
	out := cover.Clone()
	out.Depth = imageio.Depth8
	signs := stream(seed, streamSign)
	changed := 0
	for k, i := range path(cover.Len(), m, seed) {
		v := out.Pix[i]
		if v&1 == msg[k] {
			continue
		}
		switch {
		case v == 0:
			v = 1
		case v == 255:
			v = 254
		case signs.Uint64()>>63 == 0:
			v++
		default:
			v--
		}
		out.Pix[i] = v
		changed++
	}
	return &Embedding{Stego: out, Payload: m, Changed: changed}, nil
}

// LSBMatching is Embed's stego image alone: cover with round(rate·N) bits
// of the seed's message hidden by ±1 LSB matching (Sharp 2001; Ker 2005),
// rate in bits per pixel (DefaultRate for the BOSSbase benchmark). Same
// errors as Embed.
func LSBMatching(cover *imageio.Gray, rate float64, seed uint64) (*imageio.Gray, error) {
	e, err := Embed(cover, rate, seed)
	if err != nil {
		return nil, err
	}
	return e.Stego, nil
}

// Extract reads back the Payload(N, rate) message bits (each 0 or 1) that
// Embed hid in stego with this seed: the least significant bits of the
// pixels along the seed's path. For a stego image made by Embed with the
// same rate and seed it returns Message(Payload, seed). Errors as Embed's
// for the stego image and the rate. Ours.
func Extract(stego *imageio.Gray, rate float64, seed uint64) ([]uint8, error) {
	if err := checkCover("stego", stego); err != nil {
		return nil, err
	}
	m, err := Payload(stego.Len(), rate)
	if err != nil {
		return nil, err
	}
	bits := make([]uint8, m)
	for k, i := range path(stego.Len(), m, seed) {
		bits[k] = stego.Pix[i] & 1
	}
	return bits, nil
}
