package cipher

import (
	"crypto/sha256"
	"fmt"
	"math"
	"sync"
)

// Class is the family of neural image ciphers a scheme belongs to, in the
// four-family taxonomy of the survey (shared/papers/
// survey-four-nn-image-encryption-models.txt, §2: chaotic, cellular,
// convolutional and generative-adversarial neural networks), extended with
// the classes of the schemes measured beside them.
type Class string

// The classes. ClassChaotic (chaotic maps without a network, e.g. the
// bit-plane cipher) is kept apart from ClassChaoticNN although the survey's
// §2.1 counts Logistic and Lorenz keystreams as "chaotic neural networks":
// the survey experiment shows both and says so.
const (
	ClassClassical       Class = "classical"
	ClassChaotic         Class = "chaotic map"
	ClassChaoticNN       Class = "chaotic NN"
	ClassCellularNN      Class = "cellular NN"
	ClassConvolutionalNN Class = "convolutional NN"
	ClassGAN             Class = "GAN"
	ClassAdversarial     Class = "adversarial NN"
	// ClassUnknown is ClassOf's answer for a scheme that does not say.
	ClassUnknown Class = "unclassified"
)

// Classifier is implemented by schemes that state their Class.
type Classifier interface {
	Class() Class
}

// ClassOf returns s's class, or ClassUnknown when s does not implement
// Classifier.
func ClassOf(s Scheme) Class {
	if c, ok := s.(Classifier); ok {
		if cl := c.Class(); cl != "" {
			return cl
		}
	}
	return ClassUnknown
}

// Control is implemented by schemes that are deliberately weak positive
// controls — ciphers built to fail a test, so that an experiment can show
// its test detects the weakness (the "perm-only" scheme keeps the plain
// image's histogram, for the recognition experiment's classifier). A
// control is no member of any cipher family: registry-wide tables that
// compare the families (pkg/battery's default list, the survey) leave
// controls out, and listings mark them.
type Control interface {
	// Control reports whether the scheme is a deliberately weak control.
	Control() bool
}

// IsControl reports whether s is a deliberately weak control: it
// implements Control and Control returns true. A nil s is not.
func IsControl(s Scheme) bool {
	c, ok := s.(Control)
	return ok && c.Control()
}

// KeySpace is the size of a scheme's key space: log2 of the number of
// distinct keys given each parameter's range and the precision really used
// (a float64 parameter on an interval has at most about 2^52 resolvable
// values per binade, never "infinitely many"; a trained network's key is
// its key input, not its weights, unless the weights are secret). Source:
// ours, after the survey's eq. (1) (K = Π (X_max − X_min)/ΔX), with ΔX the
// float64 spacing at the interval's largest magnitude (ResolvableValues).
type KeySpace struct {
	// Bits is log2 of the number of keys.
	Bits float64
	// Basis says how it was counted, one phrase per parameter, for the
	// report (e.g. "x0 ∈ [0.05, 0.95): 2^52.9 values; …").
	Basis string
}

// KeySpacer is implemented by schemes that state their key space.
type KeySpacer interface {
	KeySpace() KeySpace
}

// ResolvableValues returns (hi − lo)/ΔX, the number of values of a float64
// key parameter in [lo, hi) that a chaotic system can tell apart: ΔX is the
// float64 spacing at the largest magnitude in the interval. Smaller values
// have finer spacing (there are about 2^62 float64 values in (0, 1)), but
// the first step of an orbit adds the parameter to quantities of the
// interval's scale, and the rounding there keeps only ΔX's resolution (the
// bit-plane and cellular keys show it: flips of a parameter's last
// mantissa bits can leave the ciphertext unchanged). 0 when hi ≤ lo or a
// bound is not finite. Source: ours.
func ResolvableValues(lo, hi float64) float64 {
	if !(lo < hi) || math.IsInf(lo, 0) || math.IsInf(hi, 0) {
		return 0
	}
	m := math.Max(math.Abs(lo), math.Abs(math.Nextafter(hi, lo))) // largest magnitude in [lo, hi)
	ulp := math.Nextafter(m, math.Inf(1)) - m
	return (hi - lo) / ulp
}

// log2Floats returns log2(ResolvableValues(lo, hi)) and its Basis phrase.
func log2Floats(name string, lo, hi float64) (float64, string) {
	b := math.Log2(ResolvableValues(lo, hi))
	return b, fmt.Sprintf("%s ∈ [%g, %g): 2^%.1f values", name, lo, hi, b)
}

// NonceKey is implemented by keys that carry a per-message nonce, such as
// AES-CTR's initial counter block. A protocol that draws a fresh nonce for
// every image and sends it in the clear beside the ciphertext is modelled
// by WithNonce; the attack suite encrypts each chosen image under a fresh
// nonce this way, and also shows what happens when the nonce is reused.
type NonceKey interface {
	Key
	// NonceSize is the nonce length in bytes.
	NonceSize() int
	// WithNonce returns the key with its nonce replaced; nonce must be
	// NonceSize bytes.
	WithNonce(nonce []byte) (Key, error)
}

// Class implements Classifier: the bit-plane ciphers are chaotic maps.
func (bitplaneScheme) Class() Class { return ClassChaotic }

// KeySpace implements KeySpacer: every float64 in the ranges RandomKey and
// GenerateKey draw from (x0 ∈ [0.05, 0.95), r ∈ [3.5, 4), lx, ly ∈ [−15,
// 15), lz ∈ [5, 40)). Validation admits wider ranges, but those are the keys
// the scheme hands out. Flips of the lowest mantissa bits can be absorbed by
// rounding (see ChaosParams), so the effective space is somewhat smaller.
func (bitplaneScheme) KeySpace() KeySpace {
	return sumKeySpace(
		floatRange{"x0", 0.05, 0.95}, floatRange{"r", 3.5, 4},
		floatRange{"lx", -15, 15}, floatRange{"ly", -15, 15}, floatRange{"lz", 5, 40})
}

// floatRange is one float64 key parameter and the range keys are drawn from.
type floatRange struct {
	name   string
	lo, hi float64
}

// sumKeySpace adds the log2 counts of independent float parameters.
//
// The sum is the nominal count; the key space reported is a lower bound on
// the keys that give distinct ciphertexts: each parameter's
// AbsorbedMantissaBits lowest mantissa bits are not counted, since flips of
// them can be absorbed by floating-point rounding in the orbit's first
// steps (an equivalent key: the same ciphertext).
func sumKeySpace(ps ...floatRange) KeySpace {
	var ks KeySpace
	nominal := 0.0
	for i, p := range ps {
		b, why := log2Floats(p.name, p.lo, p.hi)
		nominal += b
		ks.Bits += b - AbsorbedMantissaBits
		if i > 0 {
			ks.Basis += "; "
		}
		ks.Basis += why
	}
	ks.Basis = fmt.Sprintf("%d float64 parameters, nominally 2^%.1f keys (%s); %d low mantissa bits of each not counted, as flips of them can leave the ciphertext unchanged",
		len(ps), nominal, ks.Basis, AbsorbedMantissaBits)
	return ks
}

// AbsorbedMantissaBits is how many low mantissa bits of each float64 key
// parameter the key spaces of the chaotic schemes do not count. Measured
// (pkg/cipher ChaosParams, 200 bit-plane keys): flips of mantissa bits 0,
// 2 and 4 left the ciphertext unchanged for up to 58 %, 24 % and 10 % of
// keys, flips of bit 8 and above for none; the survey experiment measures
// the same for bits 0, 8 and 52 of every scheme. Source: ours.
const AbsorbedMantissaBits = 8

// Class implements Classifier.
func (aesScheme) Class() Class { return ClassClassical }

// KeySpace implements KeySpacer: the 256-bit AES key. The 128-bit IV is a
// nonce, public in any sound use of CTR mode, so it adds nothing.
func (aesScheme) KeySpace() KeySpace {
	return KeySpace{Bits: 8 * AESKeySize, Basis: "AES-256 key: 256 bits (the IV is a public nonce)"}
}

// NonceSize implements NonceKey: the 16-byte initial counter block.
func (k AESKey) NonceSize() int { return AESIVSize }

// WithNonce implements NonceKey: the key with IV = nonce.
func (k AESKey) WithNonce(nonce []byte) (Key, error) {
	if len(nonce) != AESIVSize {
		return nil, fmt.Errorf("%s: nonce has %d bytes, want %d", NameAESCTR, len(nonce), AESIVSize)
	}
	copy(k.IV[:], nonce)
	return k, nil
}

// Class implements Classifier with the family's class.
func (s *trainedScheme) Class() Class { return s.family.Class }

// KeySpace implements KeySpacer: the family's secret key input, not its
// weights (which are public in the threat model of the papers).
func (s *trainedScheme) KeySpace() KeySpace {
	return KeySpace{Bits: float64(s.family.SecretBits), Basis: fmt.Sprintf("secret key input: %d bits (the trained weights are public)", s.family.SecretBits)}
}

// MaxMemoizedChecks is how many key checks checkMemo remembers.
const MaxMemoizedChecks = 512

// checkMemo remembers the outcome of expensive key checks (the neural
// schemes' weak-key rule estimates a Lyapunov spectrum: tens of
// milliseconds), so that a key generated, printed, parsed and used is
// checked once. The checks are deterministic, so a remembered outcome is the
// outcome. Keys are remembered by the SHA-256 of their line; at most
// MaxMemoizedChecks, the oldest forgotten first. Safe for concurrent use.
type checkMemo struct {
	mu    sync.Mutex
	m     map[[32]byte]error
	order [][32]byte
}

// check returns the remembered outcome for line, or runs f and remembers it.
func (c *checkMemo) check(line string, f func() error) error {
	h := sha256.Sum256([]byte(line))
	c.mu.Lock()
	err, ok := c.m[h]
	c.mu.Unlock()
	if ok {
		return err
	}
	err = f() // outside the lock: checks of different keys run in parallel
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.m[h]; !ok {
		if c.m == nil {
			c.m = map[[32]byte]error{}
		}
		if len(c.order) >= MaxMemoizedChecks {
			delete(c.m, c.order[0])
			c.order = c.order[1:]
		}
		c.m[h] = err
		c.order = append(c.order, h)
	}
	return err
}

// neuralChecks memoizes the Hopfield and cellular weak-key checks.
var neuralChecks checkMemo
