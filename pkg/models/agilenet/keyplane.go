package agilenet

import (
	"crypto/sha256"
	"fmt"

	"github.com/neurocrypt/neurocrypt/pkg/chaos"
)

// SecretBits is the length of an agile cipher's secret key: 128 bits (16
// bytes). Ours.
const SecretBits = 128

// Key-plane constants (ours; the agile paper names the construction, not
// its sizes).
const (
	// PlanePeriod is the key plane's period in pixels along both axes: the
	// plane is one PlanePeriod × PlanePeriod tile of bits repeated over the
	// image.
	PlanePeriod = 32
	// SequenceLen is the length of the pseudo-random integer sequence the
	// chaotic maps give: one byte per 8 bits of the tile.
	SequenceLen = PlanePeriod * PlanePeriod / 8
	// PlaneMaps is the number of logistic maps whose bytes are XORed into
	// one integer of the sequence: each map takes 84 bits of the key's
	// digest (chaos.KeyedLogistics), so three keep the plane's key space
	// above the secret's 128 bits.
	PlaneMaps = 3
	// PlaneRMin and PlaneRSpan bound the maps' control parameters:
	// r ∈ [3.99, 4), where the logistic map is chaotic with a Lyapunov
	// exponent close to ln 2.
	PlaneRMin, PlaneRSpan = 3.99, 0.01
	// MaxPixels bounds the size of a key plane and of an image the cipher
	// takes: 1024 × 1024.
	MaxPixels = 1 << 20
)

// Domain strings separate the digests one secret keys: the key plane and
// the post-processing never share chaotic maps.
const (
	planeDomain = "neurocrypt agile key plane\x00"
	postDomain  = "neurocrypt agile post-processing\x00"
)

// digest is the SHA-256 of domain ‖ secret.
func digest(domain string, secret []byte) [32]byte {
	return sha256.Sum256(append([]byte(domain), secret...))
}

// Sequence is the pseudo-random integer sequence of a secret: SequenceLen
// bytes, byte i the XOR of chaos.ByteOf of the i-th value of PlaneMaps
// logistic maps keyed by SHA-256(planeDomain ‖ secret)
// (chaos.KeyedLogistics, after chaos.MapTransient discarded steps).
// Source: the agile paper's "pseudo-random integer sequence based on
// chaotic mapping"; sizes and keying are ours. Errors: an empty secret.
func Sequence(secret []byte) ([]byte, error) {
	if len(secret) == 0 {
		return nil, fmt.Errorf("agile key plane: empty secret")
	}
	maps, err := chaos.KeyedLogistics(digest(planeDomain, secret), PlaneMaps, PlaneRMin, PlaneRSpan)
	if err != nil {
		return nil, fmt.Errorf("agile key plane: %w", err)
	}
	seq := make([]byte, SequenceLen)
	for i := range seq {
		for _, m := range maps {
			seq[i] ^= chaos.ByteOf(m.Next())
		}
	}
	return seq, nil
}

// KeyPlane expands a secret into the binary key plane of an h × w image:
// h·w values in {0, 1}, row-major. The sequence's bits (Sequence; bit j
// is bit j mod 8, least significant first, of byte j div 8) fill one
// PlanePeriod × PlanePeriod tile row by row, and the tile repeats:
//
//	plane[y][x] = bit (y mod P)·P + (x mod P),  P = PlanePeriod.
//
// So the plane is periodic with period P along both axes, and a plane of
// a smaller image is the top-left corner of a larger one's. Source: the
// agile paper ("periodically expands the sequence into a binary key
// plane"); the period and layout are ours. Errors: an empty secret, or
// h·w outside 1 … MaxPixels.
func KeyPlane(secret []byte, h, w int) ([]float32, error) {
	if h < 1 || w < 1 || h > MaxPixels/w {
		return nil, fmt.Errorf("agile key plane: %dx%d: want 1..%d pixels", w, h, MaxPixels)
	}
	seq, err := Sequence(secret)
	if err != nil {
		return nil, err
	}
	out := make([]float32, h*w)
	for y := 0; y < h; y++ {
		row := (y % PlanePeriod) * PlanePeriod
		for x := 0; x < w; x++ {
			j := row + x%PlanePeriod
			out[y*w+x] = float32(seq[j/8] >> (j % 8) & 1)
		}
	}
	return out, nil
}
