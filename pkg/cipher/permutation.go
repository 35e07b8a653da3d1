package cipher

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"

	"github.com/neurocrypt/neurocrypt/pkg/chaos"
	"github.com/neurocrypt/neurocrypt/pkg/imageio"
)

// NamePermutation is the scheme name of the permutation-only control.
const NamePermutation = "perm-only"

// The "perm-only" scheme: a deliberately weak positive control (Control
// reports true), not a cipher to measure claims against. It moves every
// sample of the image to a secret position and changes no value, so the
// cipher image has exactly the plain image's histogram (and its entropy
// and χ²): a classifier, or any histogram statistic, tells it apart from
// the ciphers that mix values. The recognition experiment uses it as the
// positive control of its distinguishing test. Source: ours, a
// permutation-only control; permutation-only ciphers are known to fall to
// known-plaintext attacks, e.g. Li, Li, Chen & Bourbakis 2008, "A general
// quantitative cryptanalysis of permutation-only multimedia ciphers against
// plaintext attacks", Signal Processing: Image Communication 23(3) (pkg/
// attack's "kpa-permutation" and "cpa-permutation" attacks recover the
// permutation).
//
// Key: a 256-bit secret; the line is
//
//	perm-only:secret=<64 hex digits>
//
// Canonical bit order: bit i is bit i mod 8 (least significant first) of
// secret byte i div 8 (256 bits; FlipBit(0) flips the least significant
// bit of the first byte). Every secret is valid.
//
// Construction: for an image of n samples (Width × Height, whatever its
// depth) the digest d = SHA-256("neurocrypt/perm-only\x00" ‖ secret) keys
// PermutationMaps Logistic maps with r ∈ [PermutationRMin, PermutationRMin +
// PermutationRSpan) (chaos.KeyedLogistics), and π =
// chaos.KeyedPermutation(d, n, …): a Fisher–Yates shuffle of 0…n−1 drawn
// from the XOR of the maps' words — the agile cipher's obfuscation under
// another digest. The cipher image is c[k] = p[π[k]] sample by sample (a
// 16-bit sample moves as one, both bytes together); decryption scatters
// p[π[k]] = c[k]. π depends on the key and n only, not on the image or its
// shape, and is cached per size like the other chaotic schemes' streams.

// Parameters of the "perm-only" scheme.
const (
	// PermutationSecretSize is the secret's length in bytes (256 bits).
	PermutationSecretSize = 32
	// PermutationMaps is the number of keyed Logistic maps whose words
	// are XORed (chaos.LogisticMix): as many as one digest keys,
	// chaos.KeyedMapsMax.
	PermutationMaps = chaos.KeyedMapsMax
	// PermutationRMin and PermutationRSpan bound the maps' control
	// parameters: r ∈ [3.99, 4), as the agile cipher's maps, where the
	// Logistic map is chaotic.
	PermutationRMin, PermutationRSpan = 3.99, 0.01
)

// permutationDomain separates the perm-only digest from every other use
// of a secret.
const permutationDomain = "neurocrypt/perm-only\x00"

var permutationParamNames = []string{"secret"}

// PermutationKey is the key of the "perm-only" scheme: a 256-bit secret
// (see NamePermutation's notes for the line and the bit order).
type PermutationKey struct {
	Secret [PermutationSecretSize]byte
}

// Scheme returns "perm-only".
func (k PermutationKey) Scheme() string { return NamePermutation }

// String returns the key line, "perm-only:secret=<64 hex digits>".
func (k PermutationKey) String() string {
	return NamePermutation + ":secret=" + hex.EncodeToString(k.Secret[:])
}

// NumBits returns 256.
func (k PermutationKey) NumBits() int { return 8 * PermutationSecretSize }

// FlipBit flips bit i mod 8 of secret byte i div 8 (after reducing i mod
// 256); every result is a valid key.
func (k PermutationKey) FlipBit(i int) Key {
	i = bitIndex(i, k.NumBits())
	k.Secret[i/8] ^= 1 << (i % 8)
	return k
}

// permutationScheme implements "perm-only".
type permutationScheme struct{}

func (permutationScheme) Name() string { return NamePermutation }

func (permutationScheme) Description() string {
	return "control: deliberately weak — permutation only: a keyed chaotic (Logistic-map Fisher–Yates) permutation of the samples, values unchanged, so the cipher image keeps the plain image's histogram (falls to known-plaintext attacks, Li et al. 2008)"
}

// Class implements Classifier: a chaotic map drives the permutation.
func (permutationScheme) Class() Class { return ClassChaotic }

// Control implements Control: "perm-only" is a deliberately weak positive
// control.
func (permutationScheme) Control() bool { return true }

// KeySpace implements KeySpacer: the digest bits the maps use, 52 for each
// map's x0 and 32 for its r, less AbsorbedMantissaBits of each x0 (flips of
// x0's lowest bits can be absorbed by rounding, as for every float key
// parameter). A lower bound on the keys with distinct permutations; the
// secret itself has 256 bits. Key space says nothing of this scheme's
// strength: a few known plaintexts recover π whatever the key.
func (permutationScheme) KeySpace() KeySpace {
	x0 := chaos.KeyedX0Bits - AbsorbedMantissaBits
	bits := PermutationMaps * (x0 + chaos.KeyedRBits)
	return KeySpace{Bits: float64(bits), Basis: fmt.Sprintf(
		"%d-bit secret whose SHA-256 keys %d Logistic maps: %d bits of x0 (%d low bits not counted, as flips of them can leave the orbit unchanged) and %d of r each; 2^%d permutations at least (known plaintexts recover the permutation whatever the key space)",
		8*PermutationSecretSize, PermutationMaps, chaos.KeyedX0Bits, AbsorbedMantissaBits, chaos.KeyedRBits, bits)}
}

// ParseKey reads "perm-only:secret=<64 hex digits>". Errors name the
// parameter and what it must be, never its value.
func (permutationScheme) ParseKey(line string) (Key, error) {
	vals, err := parseKeyLine(NamePermutation, line, permutationParamNames)
	if err != nil {
		return nil, err
	}
	var k PermutationKey
	b, err := hex.DecodeString(vals[0])
	if err != nil || len(b) != len(k.Secret) {
		return nil, fmt.Errorf("%s key: parameter secret must be %d hex digits (%d bytes), got %d characters%s",
			NamePermutation, 2*len(k.Secret), len(k.Secret), len(vals[0]), notHex(err))
	}
	copy(k.Secret[:], b)
	return k, nil
}

// GenerateKey draws the secret from a ChaCha8 generator seeded by seed
// (deterministic, for reproducible experiments).
func (permutationScheme) GenerateKey(seed uint64) Key {
	rng := seededRand(NamePermutation, seed)
	var k PermutationKey
	for i := range k.Secret {
		k.Secret[i] = byte(rng.Uint32())
	}
	return k
}

// RandomKey draws the 256-bit secret from rand (crypto/rand in `neurocrypt
// keygen`).
func (permutationScheme) RandomKey(rand io.Reader) (Key, error) {
	var k PermutationKey
	if _, err := io.ReadFull(rand, k.Secret[:]); err != nil {
		return nil, fmt.Errorf("%s: drawing a key: %w", NamePermutation, err)
	}
	return k, nil
}

// New returns the cipher of a PermutationKey (or a non-nil pointer to
// one); any other key is an error.
func (permutationScheme) New(k Key) (Cipher, error) {
	var key PermutationKey
	switch k := k.(type) {
	case PermutationKey:
		key = k
	case *PermutationKey:
		if k == nil {
			return nil, fmt.Errorf("%s: nil key", NamePermutation)
		}
		key = *k
	default:
		return nil, fmt.Errorf("%s: got a key of type %T, want a %s key", NamePermutation, k, NamePermutation)
	}
	h := sha256.New()
	h.Write([]byte(permutationDomain))
	h.Write(key.Secret[:])
	c := &permutationCipher{}
	h.Sum(c.digest[:0])
	return c, nil
}

// permutationCipher implements "perm-only".
type permutationCipher struct {
	digest [32]byte

	cache sizeCache[[]uint32] // π per sample count
}

func (c *permutationCipher) Name() string { return NamePermutation }

// MaxSampleBytes implements SizeLimited: MaxSampleBytes, as the other
// chaotic ciphers (π takes 4 bytes per sample).
func (c *permutationCipher) MaxSampleBytes() int { return MaxSampleBytes }

// apply checks g and moves its samples: dst sample k ← src sample π[k]
// (encrypt), or dst sample π[k] ← src sample k (decrypt).
func (c *permutationCipher) apply(op string, g *imageio.Gray, invert bool) (*imageio.Gray, error) {
	n, err := checkImage(NamePermutation, op, g, MaxSampleBytes)
	if err != nil {
		return nil, err
	}
	bps := g.BytesPerSample()
	samples := n / bps
	perm := *c.cache.get(samples, func(p *[]uint32) {
		pi, err := chaos.KeyedPermutation(c.digest, samples, PermutationMaps, PermutationRMin, PermutationRSpan)
		if err != nil {
			// The map settings are constants within KeyedLogistics's
			// ranges: unreachable.
			panic(err)
		}
		*p = pi
	})
	out := sameShape(g, make([]byte, n))
	src, dst := g.Pix, out.Pix
	switch {
	case bps == 1 && !invert:
		for k, pk := range perm {
			dst[k] = src[pk]
		}
	case bps == 1:
		for k, pk := range perm {
			dst[pk] = src[k]
		}
	default:
		for k, pk := range perm {
			from, to := bps*int(pk), bps*k
			if invert {
				from, to = to, from
			}
			copy(dst[to:to+bps], src[from:from+bps])
		}
	}
	return out, nil
}

// Encrypt permutes g's samples, c[k] = p[π[k]]; the result has g's size,
// depth and histogram. Errors: an inconsistent image, or one of more than
// MaxSampleBytes sample bytes.
func (c *permutationCipher) Encrypt(g *imageio.Gray) (*imageio.Gray, error) {
	return c.apply("encrypt", g, false)
}

// Decrypt inverts Encrypt exactly, p[π[k]] = c[k].
func (c *permutationCipher) Decrypt(g *imageio.Gray) (*imageio.Gray, error) {
	return c.apply("decrypt", g, true)
}
