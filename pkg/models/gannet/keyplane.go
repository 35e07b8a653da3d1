package gannet

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"

	"github.com/neurocrypt/neurocrypt/pkg/chaos"
)

// SecretBits is the length of a GAN cipher's secret key: 128 bits (16
// bytes). Ours.
const SecretBits = 128

// Key-plane constants (ours).
const (
	// KeyPlaneRMin and KeyPlaneRMax bound the logistic map's control
	// parameter r drawn from the key: r ∈ [3.99, 4), where the map is
	// chaotic with a Lyapunov exponent close to ln 2.
	KeyPlaneRMin, KeyPlaneRMax = 3.99, 4.0
	// KeyPlaneTransient is the number of logistic iterations discarded
	// before the plane's first value.
	KeyPlaneTransient = 1000
	// MaxKeyPlanePixels bounds the size of a key plane (and of an image the
	// cipher accepts): 1024 × 1024.
	MaxKeyPlanePixels = 1 << 20
)

// KeyPlane expands a secret key into the key plane z of an h × w image:
// h·w values in [0, 1], row-major. Source: ours, after the chaotic key
// planes of the agile cipher (shared/papers/agile-dl-image-encryption-
// abstract.txt) and the survey's chaotic key generators.
//
// The secret's SHA-256 gives the logistic map's initial value x0 ∈ (0, 1)
// (52 bits) and control parameter r ∈ [KeyPlaneRMin, KeyPlaneRMax) (52
// more bits); the map x ← r·x·(1 − x) (pkg/chaos) runs KeyPlaneTransient
// steps, then each pixel takes the next value x and keeps the top 23 of the
// 32 keystream bits chaos.Word32Of(x) = ⌊x·10^14⌋ mod 2^32 as
// (2·bits + 1)/2^24: uniform on (0, 1) (the raw orbit is arcsine
// distributed) and exact in float32 and on every platform (no
// transcendental function). The plane is the orbit in row-major order, so
// a plane of n pixels is the first n values of any longer one.
//
// The hash in front makes every secret bit matter (one flipped bit gives an
// unrelated orbit); the chaotic map is the expansion. Errors: an empty
// secret, or h·w outside 1 … MaxKeyPlanePixels.
func KeyPlane(secret []byte, h, w int) ([]float32, error) {
	if len(secret) == 0 {
		return nil, fmt.Errorf("gan key plane: empty secret")
	}
	if h < 1 || w < 1 || h > MaxKeyPlanePixels/w {
		return nil, fmt.Errorf("gan key plane: %dx%d: want 1..%d pixels", w, h, MaxKeyPlanePixels)
	}
	x0, r := keyPlaneParams(secret)
	m, err := chaos.NewLogistic(r, x0)
	if err != nil {
		return nil, fmt.Errorf("gan key plane: %w", err)
	}
	m.Skip(KeyPlaneTransient)
	out := make([]float32, h*w)
	for i := range out {
		out[i] = float32(2*(chaos.Word32Of(m.Next())>>9)+1) / (1 << 24)
	}
	return out, nil
}

// keyPlaneParams derives the logistic map's x0 and r from the secret.
func keyPlaneParams(secret []byte) (x0, r float64) {
	sum := sha256.Sum256(secret)
	const mant = 1 << 52
	a := binary.LittleEndian.Uint64(sum[0:8]) >> 12
	b := binary.LittleEndian.Uint64(sum[8:16]) >> 12
	// x0 ∈ [2^-53, 1 − 2^-53]: never a fixed point at 0.
	x0 = (float64(a) + 0.5) / mant
	r = KeyPlaneRMin + (KeyPlaneRMax-KeyPlaneRMin)*float64(b)/mant
	return x0, r
}
