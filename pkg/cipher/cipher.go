// Package cipher holds neurocrypt's classical and chaotic image ciphers
// behind one interface, with one-line text keys and a registry of schemes:
//
//   - "bitplane-xor": the RITEM-CF-AN scheme as the paper writes it — the
//     four low bit planes XORed with a Logistic-Sine keystream, the four high
//     ones with a Lorenz keystream. Nothing else, so a one-pixel change of the
//     plaintext changes exactly one ciphertext pixel.
//   - "bitplane": the same keystream stage followed by a chaotic pixel
//     permutation and two chained diffusion passes, our addition (the paper
//     is silent) so that a one-pixel change spreads over the whole image.
//   - "aes-ctr": AES-256 in counter mode over the pixel bytes, the baseline.
//
// "hopfield" and "cellular" (the survey's chaotic- and cellular-NN
// families) are documented in their files, and so is "perm-only" (see
// [NamePermutation]): a permutation of the samples that keeps every value,
// a deliberately weak positive control ([Control], [IsControl]) for the
// experiments that must show their test detects a weak cipher.
//
// Every cipher is deterministic (same key and image, same ciphertext),
// decrypts exactly, never modifies its input and is safe for concurrent use.
// These are research artefacts for measuring published claims, not
// replacements for authenticated encryption.
//
// Keys are one line of text, "<scheme>:<name>=<value>,...", parsed by
// [ParseKey] or a Scheme's ParseKey and printed by Key.String.
//
// # The registry
//
// Schemes are found by name ([Lookup], [Names]); the six above are built
// in, and any package can add one with [Register] — a new cipher family is
// a chaos file, a cipher file and one registry line, after which it appears
// in every registry-driven table (pkg/battery measures every registered
// scheme by default, except the deliberately weak controls). Trained ciphers (GoMLX models: a weights file plus a
// secret key) enter the same registry through a [Family] and [BindTrained];
// see trained.go. This package never imports GoMLX: the model families
// register themselves.
//
// # The bit-plane schemes: keystreams
//
// For an image of L pixels (row-major; the streams depend on the key and L
// only, not on the image's shape) the Logistic-Sine system S (x0, r) and the
// Lorenz system Z (lx, ly, lz) are started, S is iterated
// [chaos.MapTransient] = 1000 times and Z is integrated
// [chaos.LorenzTransient] = 3000 RK4 steps of [chaos.LorenzStep] = 0.01,
// discarding the values. Then, in this order, with bytes and words extracted
// by [chaos.ByteOf] and [chaos.Word32Of] (one byte or word per S iteration,
// three bytes x, y, z per Z step):
//
//	a = ⌈L/2⌉ bytes of S    low-plane bits: pixel i uses nibble i mod 2 of a[i/2]
//	b = ⌈L/2⌉ bytes of Z    high-plane bits: pixel i uses nibble i mod 2 of b[i/2]
//
// and, for "bitplane" only,
//
//	w = L words of S        permutation π (Fisher–Yates, below)
//	v = 256 words of S      S-box σ (Fisher–Yates over 0…255)
//	iv1, k1[0…L), iv2, k2[0…L)   2L+2 bytes of Z, in this order
//
// # The bit-plane schemes: stage 1, bit planes (the paper)
//
// ks[i] = (a-nibble of i) | (b-nibble of i) << 4 and s[i] = p[i] ⊕ ks[i].
// This is the paper's "XOR the four low bit planes with the LSS bit stream
// and the four high planes with the Lorenz bit stream" done with byte masks:
// the low planes p & 0x0F meet ks & 0x0F (LSS bits), the high planes p & 0xF0
// meet ks & 0xF0 (Lorenz bits). "bitplane-xor" stops here: c = s.
//
// # The bit-plane schemes: stages 2–4 ("bitplane" only; our addition)
//
// The paper describes no permutation or diffusion; these stages are ours,
// following the usual permutation–diffusion design of chaotic image ciphers.
// For equal parameters, stage 1 of "bitplane" is exactly "bitplane-xor".
//
// Permutation: π starts as the identity and for i = L−1 down to 1 swaps
// π[i] with π[j], j = ⌊w[i]·(i+1) / 2^32⌋ (Lemire's multiply-shift reduction;
// its bias is below L/2^32). Then t[k] = s[π[k]].
//
// Forward diffusion, then backward diffusion, each through the key-dependent
// S-box σ (all arithmetic mod 256):
//
//	u[k] = σ[(t[k] ⊕ k1[k]) + u[k−1]],  k = 0 … L−1,  u[−1] = iv1
//	c[k] = σ[(u[k] ⊕ k2[k]) + c[k+1]],  k = L−1 … 0,  c[L] = iv2
//
// Each step is a bijection of its chaining input, so a changed u[k−1] always
// changes u[k]: after the forward pass every position from the changed one
// on differs, and the backward pass carries the difference to the positions
// before it. Why an S-box: a chain of XOR and addition only (e.g.
// c_i = p_i ⊕ k_i ⊕ (c_{i−1} + k'_i), forward and backward) already reaches
// NPCR/UACI near the ideal values (a check on a 128² gradient: 99.59–99.87 %,
// 33.42–33.72 %), but the least significant bit of its difference image is a
// linear, key-independent function of the plaintext difference (the fraction
// of ciphertext LSBs that differ was 17 %, 47 % and 55 % in three trials,
// instead of 50 %). σ removes that structure (49.7–50.6 %; NPCR
// 99.51–99.65 %, UACI 33.42–33.80 % for one-pixel changes on the same image).
// Decryption runs the inverse steps, t[k] = (σ⁻¹[u[k]] − u[k−1]) ⊕ k1[k] and
// u[k] = (σ⁻¹[c[k]] − c[k+1]) ⊕ k2[k], and scatters p[π[k]] = t[k] ⊕ ks[π[k]].
// In the implementation ks[π[k]] ⊕ k1[k] is precomputed as one array.
package cipher

import (
	crand "crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/neurocrypt/neurocrypt/pkg/imageio"
)

// Scheme names.
const (
	NameBitplaneXOR = "bitplane-xor"
	NameBitplane    = "bitplane"
	NameAESCTR      = "aes-ctr"
)

// Cipher encrypts and decrypts grayscale images of any size (0×0 included)
// and depth (8 or 16 bits) with one key: the sample bytes are enciphered
// (16-bit samples big-endian), and the result has the input's size and
// depth. Encrypt and Decrypt return new images and never modify their
// input; an inconsistent image (imageio.Gray.Check) is an error.
type Cipher interface {
	// Name is the scheme name, e.g. "bitplane".
	Name() string
	// Encrypt returns the ciphertext image, of the same size as the input.
	Encrypt(*imageio.Gray) (*imageio.Gray, error)
	// Decrypt inverts Encrypt exactly.
	Decrypt(*imageio.Gray) (*imageio.Gray, error)
}

// Key is a scheme's key.
type Key interface {
	// Scheme is the name of the scheme the key belongs to.
	Scheme() string
	// String formats the key as one line that the scheme's ParseKey (and
	// the package-level ParseKey) read back to an equal key.
	String() string
	// NumBits is the length of the key's canonical bit representation.
	NumBits() int
	// FlipBit returns a copy of the key with bit i of its canonical bit
	// representation flipped; i is taken modulo NumBits (so -1 is the last
	// bit). FlipBit(0) is each scheme's "least significant bit of the first
	// parameter". The result may be out of range for the scheme (New then
	// reports it); key-sensitivity tests use it.
	FlipBit(i int) Key
}

// RandomKeyer is implemented by schemes that draw a key with its full
// entropy from a source of randomness (every scheme here does; `neurocrypt
// keygen` passes crypto/rand). GenerateKey, by contrast, derives a key from
// a 64-bit seed, for reproducible experiments.
type RandomKeyer interface {
	RandomKey(rand io.Reader) (Key, error)
}

// RandomKey draws a key of s from crypto/rand: with the scheme's own
// RandomKey when it has one, else GenerateKey of a random 64-bit seed.
func RandomKey(s Scheme) (Key, error) {
	if r, ok := s.(RandomKeyer); ok {
		return r.RandomKey(crand.Reader)
	}
	var b [8]byte
	if _, err := io.ReadFull(crand.Reader, b[:]); err != nil {
		return nil, fmt.Errorf("%s: drawing a key: %w", s.Name(), err)
	}
	return s.GenerateKey(binary.LittleEndian.Uint64(b[:])), nil
}

// Scheme makes keys and ciphers of one kind.
type Scheme interface {
	// Name is the registry name, also the prefix of key lines.
	Name() string
	// Description is a one-line summary for listings.
	Description() string
	// ParseKey reads a key line; errors name the parameter and its range.
	ParseKey(line string) (Key, error)
	// GenerateKey returns a valid key that is a deterministic function of
	// seed, for reproducible experiments (not for protecting real data).
	GenerateKey(seed uint64) Key
	// New returns a cipher for the key, which must belong to this scheme.
	New(Key) (Cipher, error)
}

// registry holds the schemes and trained-cipher families by name.
var registry = struct {
	sync.RWMutex
	schemes  map[string]Scheme
	families map[string]Family
}{
	schemes: map[string]Scheme{
		NameBitplaneXOR: bitplaneScheme{name: NameBitplaneXOR, diffuse: false},
		NameBitplane:    bitplaneScheme{name: NameBitplane, diffuse: true},
		NameAESCTR:      aesScheme{},
		NameHopfield:    hopfieldScheme{},
		NameCellular:    cellularScheme{},
		NamePermutation: permutationScheme{},
	},
	families: map[string]Family{},
}

// validName reports why name cannot be a scheme or family name ("" when it
// can): it must be 1 to 64 bytes of letters, digits and "-_."; where
// allowSlash (bound trained schemes) it is "<family>/<tag>", both parts
// non-empty, with one '/'.
func validName(name string, allowSlash bool) string {
	if name == "" || len(name) > 64 {
		return "must be 1 to 64 bytes"
	}
	if c := name[0]; !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
		// Names become file and folder names (model stores, figures):
		// ".", "..", "-x" must not.
		return "must start with a letter or digit"
	}
	if allowSlash {
		family, tag, ok := strings.Cut(name, "/")
		if !ok || family == "" || tag == "" || strings.Contains(tag, "/") {
			return "must be <family>/<tag>, each part non-empty"
		}
		if c := tag[0]; !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return "must have a tag that starts with a letter or digit"
		}
	}
	for _, r := range name {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_.", r) || (allowSlash && r == '/')
		if !ok {
			return fmt.Sprintf("has the character %q (allowed: letters, digits, '-', '_', '.')", r)
		}
	}
	return ""
}

// Register adds a scheme to the registry under s.Name(). It is an error if
// the name is taken (by a scheme or a family) or is not a valid name
// (letters, digits, '-', '_', '.'; '/' only in "<family>/<tag>" names of
// bound trained schemes, see BindTrained).
func Register(s Scheme) error {
	if s == nil {
		return errors.New("cipher: Register: nil scheme")
	}
	name := s.Name()
	family, _, bound := strings.Cut(name, "/")
	if why := validName(name, bound); why != "" {
		return fmt.Errorf("cipher: Register: scheme name %s %s", clip(strconv.Quote(name)), why)
	}
	registry.Lock()
	defer registry.Unlock()
	if _, dup := registry.schemes[name]; dup {
		return fmt.Errorf("cipher: Register: scheme %q is already registered", name)
	}
	if _, dup := registry.families[name]; dup {
		return fmt.Errorf("cipher: Register: %q is a trained-cipher family", name)
	}
	if _, ok := registry.families[family]; bound && !ok {
		return fmt.Errorf("cipher: Register: %q: no trained-cipher family %q is registered", name, family)
	}
	registry.schemes[name] = s
	return nil
}

// MustRegister is Register that panics on error (for init functions).
func MustRegister(s Scheme) {
	if err := Register(s); err != nil {
		panic(err)
	}
}

// Unregister removes a scheme; it reports whether one was registered (tests
// register throw-away schemes and remove them).
func Unregister(name string) bool {
	registry.Lock()
	defer registry.Unlock()
	_, ok := registry.schemes[name]
	delete(registry.schemes, name)
	return ok
}

// Names returns the registered scheme names, sorted.
func Names() []string {
	registry.RLock()
	defer registry.RUnlock()
	return slices.Sorted(maps.Keys(registry.schemes))
}

// KeyNames returns Names without the trained ciphers bound in this
// process (BindTrained, BindWeights: named family/tag), sorted: the
// schemes that exist in every process, whatever it trained or loaded.
func KeyNames() []string {
	var out []string
	for _, n := range Names() {
		if !strings.Contains(n, "/") {
			out = append(out, n)
		}
	}
	return out
}

// Lookup returns the scheme with the given name.
func Lookup(name string) (Scheme, error) {
	registry.RLock()
	s, ok := registry.schemes[name]
	_, fam := registry.families[name]
	registry.RUnlock()
	switch {
	case ok:
		return s, nil
	case fam:
		return nil, fmt.Errorf("cipher: %q is a family of trained ciphers: its schemes are trained models (%q bound with BindTrained, or a key line naming its weights)", name, name+"/<tag>")
	}
	return nil, fmt.Errorf("cipher: unknown scheme %s (known: %s; trained-cipher families: %s)", clip(strconv.Quote(name)), strings.Join(Names(), ", "), strings.Join(Families(), ", "))
}

// resolve finds the scheme of a key line's prefix: a registered scheme, or,
// for an unregistered "<family>/<tag>", the family's scheme of that name
// (its keys name their weights file, so a key line is enough to use a
// trained cipher in a process that did not bind it).
func resolve(name string) (Scheme, error) {
	family, _, bound := strings.Cut(name, "/")
	if bound {
		registry.RLock()
		s, ok := registry.schemes[name]
		f, fam := registry.families[family]
		registry.RUnlock()
		switch {
		case ok:
			return s, nil
		case fam:
			if why := validName(name, true); why != "" {
				return nil, fmt.Errorf("cipher: scheme name %s %s", clip(strconv.Quote(name)), why)
			}
			return &trainedScheme{name: name, family: f}, nil
		}
	}
	return Lookup(name)
}

// ParseKey reads a key line of any registered scheme, choosing the scheme by
// the line's "<scheme>:" prefix (a "<family>/<tag>:" prefix of a registered
// trained-cipher family works without binding, see BindTrained).
func ParseKey(line string) (Key, error) {
	l := strings.TrimSpace(line)
	name, _, ok := strings.Cut(l, ":")
	if !ok {
		return nil, fmt.Errorf("cipher: the key line has no \"<scheme>:\" prefix (schemes: %s)", strings.Join(Names(), ", "))
	}
	s, err := resolve(name)
	if err != nil {
		// The prefix is not a scheme name: it may be key material pasted
		// in the wrong place, so it is not repeated.
		fams := "none registered"
		if f := Families(); len(f) > 0 {
			fams = strings.Join(f, ", ") + ", as <family>/<tag>"
		}
		return nil, fmt.Errorf("cipher: the key line's \"<scheme>:\" prefix is not a known scheme (known: %s; trained-cipher families: %s)", strings.Join(Names(), ", "), fams)
	}
	return s.ParseKey(line)
}

// New returns a cipher for k, using the scheme named by k.Scheme().
func New(k Key) (Cipher, error) {
	if k == nil {
		return nil, errors.New("cipher: nil key")
	}
	if v := reflect.ValueOf(k); v.Kind() == reflect.Pointer && v.IsNil() {
		return nil, fmt.Errorf("cipher: nil %T key", k)
	}
	s, err := resolve(k.Scheme())
	if err != nil {
		return nil, err
	}
	return s.New(k)
}

// MustNew is New that panics on error.
func MustNew(k Key) Cipher {
	c, err := New(k)
	if err != nil {
		panic(err)
	}
	return c
}

// checkImage validates an image given to Encrypt or Decrypt and returns
// its number of sample bytes (pixels × 1 or 2: ciphers encipher the bytes,
// so 8- and 16-bit images round-trip exactly). maxBytes ≤ 0 means no limit.
func checkImage(scheme, op string, g *imageio.Gray, maxBytes int) (int, error) {
	if g != nil && g.Width > 0 && g.Height > 0 && g.Width <= math.MaxInt/g.Height/2 {
		// The declared size first: an oversized image is refused as such.
		if n := g.Width * g.Height * g.BytesPerSample(); maxBytes > 0 && n > maxBytes {
			return 0, fmt.Errorf("%s: %s: %dx%d image has %d sample bytes, more than the limit %d", scheme, op, g.Width, g.Height, n, maxBytes)
		}
	}
	if err := g.Check(); err != nil {
		return 0, fmt.Errorf("%s: %s: %v", scheme, op, err)
	}
	return len(g.Pix), nil
}

// SizeLimited is implemented by ciphers that accept images only up to a
// size: MaxSampleBytes is the largest Width × Height × bytes per sample
// they take (larger images are refused by Encrypt and Decrypt), so that a
// caller can refuse a larger image from its header, before decoding it.
type SizeLimited interface {
	MaxSampleBytes() int
}

// sameShape returns a new image of g's size and depth holding pix.
func sameShape(g *imageio.Gray, pix []byte) *imageio.Gray {
	return &imageio.Gray{Width: g.Width, Height: g.Height, Depth: g.Depth, Pix: pix}
}

// clip shortens s for error messages (never key material: errors name the
// parameter and what is wrong, not its value).
func clip(s string) string {
	const max = 60
	if len(s) > max {
		return s[:max] + "…"
	}
	return s
}
