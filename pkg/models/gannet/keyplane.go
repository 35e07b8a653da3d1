package gannet

import (
	"crypto/sha256"
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
	// MaxKeyPlanePixels bounds the size of a key plane (and of an image the
	// cipher accepts): 1024 × 1024.
	MaxKeyPlanePixels = 1 << 20
)

// KeyPlaneMaps is the number of logistic maps whose keystreams are
// combined into a key plane: each takes a 52-bit initial value from the
// secret's SHA-256, so the plane depends on 3·52 = 156 bits of the digest,
// more than the 128-bit secret (one map's initial value and control
// parameter, about 52 + 44 distinguishable bits, would cap the key space
// below the secret's length).
const KeyPlaneMaps = 3

// KeyPlane expands a secret key into the key plane z of an h × w image:
// h·w values in (0, 1), row-major. Source: ours, after the chaotic key
// planes of the agile cipher (shared/papers/agile-dl-image-encryption-
// abstract.txt) and the survey's chaotic key generators.
//
// The secret's SHA-256 gives KeyPlaneMaps logistic maps x ← r·x·(1 − x)
// (pkg/chaos) their initial values x0 ∈ (0, 1) (52 bits each) and control
// parameters r ∈ [KeyPlaneRMin, KeyPlaneRMax) (32 bits each;
// chaos.KeyedLogistics); each runs chaos.MapTransient steps, then each pixel takes the next value of every
// map, XORs the top 23 of their 32 keystream bits chaos.Word32Of(x) =
// ⌊x·10^14⌋ mod 2^32 and stores (2·bits + 1)/2^24: uniform on (0, 1) (a
// raw orbit is arcsine distributed) and exact in float32 on every
// platform (no transcendental function). The plane is the orbits in
// row-major order, so a plane of n pixels is the first n values of any
// longer one.
//
// The hash in front makes every secret bit matter (one flipped bit gives
// unrelated orbits); the chaotic maps are the expansion. Errors: an empty
// secret, or h·w outside 1 … MaxKeyPlanePixels.
func KeyPlane(secret []byte, h, w int) ([]float32, error) {
	if len(secret) == 0 {
		return nil, fmt.Errorf("gan key plane: empty secret")
	}
	if h < 1 || w < 1 || h > MaxKeyPlanePixels/w {
		return nil, fmt.Errorf("gan key plane: %dx%d: want 1..%d pixels", w, h, MaxKeyPlanePixels)
	}
	maps, err := chaos.KeyedLogistics(sha256.Sum256(secret), KeyPlaneMaps, KeyPlaneRMin, KeyPlaneRMax-KeyPlaneRMin)
	if err != nil {
		return nil, fmt.Errorf("gan key plane: %w", err)
	}
	out := make([]float32, h*w)
	for i := range out {
		var bits uint32
		for _, m := range maps {
			bits ^= chaos.Word32Of(m.Next()) >> 9
		}
		out[i] = float32(2*bits+1) / (1 << 24)
	}
	return out, nil
}
