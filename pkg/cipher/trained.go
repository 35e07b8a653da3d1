package cipher

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/neurocrypt/neurocrypt/pkg/atomicfile"
	"github.com/neurocrypt/neurocrypt/pkg/safefile"
)

// Trained ciphers.
//
// A trained cipher is a learned model (GoMLX networks in the model home,
// pkg/models/...) plus a secret key. Its model family — the architecture,
// e.g. "anc" — registers a Family with RegisterFamily (from the family's
// package, so this package never imports GoMLX). Each trained model is a
// weights file; BindTrained registers it as the scheme "<family>/<tag>",
// which the security battery, the CLI and every registry-driven table then
// use like any other scheme. Its keys are one line:
//
//	<family>/<tag>:weights=<path>,sha256=<64 hex digits>,secret=<hex>
//
// How weights are stored, hashed and found:
//
//   - stored: a weights file is one file written by the model family
//     (pkg/models/nn checkpoints: a gob header, the variables, a SHA-256
//     trailer); StoreWeights puts one in a content-addressed store,
//     <dir>/<family>/<sha256>.weights (DefaultModelDir: $NEUROCRYPT_MODELS,
//     else <user cache>/neurocrypt/models);
//   - hashed: the key carries the SHA-256 of the whole file; making a cipher
//     re-hashes the file and refuses one whose hash differs (a retrained or
//     corrupt model never silently stands in for the one the key names);
//   - found: at the key's path (relative paths from the current directory);
//     if that file is missing or has another hash, at
//     <dir>/<family>/<sha256>.weights in each folder of $NEUROCRYPT_MODELS
//     (a path list) and in DefaultModelDir. A key line is therefore enough
//     to use a trained cipher in another process or on another machine
//     that has the weights file: "<family>/<tag>" need not be bound there,
//     only the family registered (cmd/neurocrypt links every family).
//
// The secret is SecretBits bits, in ⌈SecretBits/8⌉ bytes, bit i being bit
// i mod 8 (least significant first) of byte i div 8; unused high bits are
// 0. FlipBit(i) flips secret bit i mod SecretBits. Paths are written with
// '%', ',', '=', spaces and control characters escaped as %XX.

// ModelDirEnv names the environment variable listing folders of stored
// weights (os.PathListSeparator-separated), searched before
// DefaultModelDir.
const ModelDirEnv = "NEUROCRYPT_MODELS"

// WeightsExt is the file extension of stored weights files.
const WeightsExt = ".weights"

// MaxSecretBits bounds a family's secret length.
const MaxSecretBits = 4096

// Family is a family of trained ciphers: a model architecture whose trained
// instances are weights files.
type Family struct {
	// Name is the family's registry name, e.g. "anc" (letters, digits,
	// '-', '_', '.').
	Name string
	// Description is a one-line summary for listings.
	Description string
	// Class is the family's class in the survey's taxonomy (ClassOf of
	// its schemes); "" reads as ClassUnknown.
	Class Class
	// SecretBits is the length of the secret key, in bits (1 … MaxSecretBits).
	SecretBits int
	// Load returns the cipher of the trained model in the weights file w
	// (already read and checked against the key's SHA-256: Load uses
	// w.Data, never re-reads w.Path) under the secret (SecretBits bits, see
	// the package notes on trained ciphers). Errors name w.Path. The
	// cipher must be safe for concurrent use.
	Load func(w Weights, secret []byte) (Cipher, error)
}

// Weights is a weights file read and verified for Family.Load.
type Weights struct {
	// Path is where it was read from (for messages).
	Path string
	// Data is its content.
	Data []byte
	// SHA256 is the hex SHA-256 of Data (the key's).
	SHA256 string
}

// MaxWeightsBytes bounds the size of a weights file that is read (the
// papers' networks are kilobytes to a few megabytes).
const MaxWeightsBytes = 256 << 20

// RegisterFamily registers a family of trained ciphers (from an init
// function of the family's package). It is an error if the name is taken
// by a scheme or a family, or the family is incomplete.
func RegisterFamily(f Family) error {
	if why := validName(f.Name, false); why != "" {
		return fmt.Errorf("cipher: RegisterFamily: name %q %s", f.Name, why)
	}
	if f.SecretBits < 1 || f.SecretBits > MaxSecretBits || f.Load == nil {
		return fmt.Errorf("cipher: RegisterFamily %q: want 1..%d secret bits (got %d) and a Load function", f.Name, MaxSecretBits, f.SecretBits)
	}
	registry.Lock()
	defer registry.Unlock()
	if _, dup := registry.families[f.Name]; dup {
		return fmt.Errorf("cipher: RegisterFamily: family %q is already registered", f.Name)
	}
	if _, dup := registry.schemes[f.Name]; dup {
		return fmt.Errorf("cipher: RegisterFamily: %q is a scheme", f.Name)
	}
	registry.families[f.Name] = f
	return nil
}

// MustRegisterFamily is RegisterFamily that panics on error.
func MustRegisterFamily(f Family) {
	if err := RegisterFamily(f); err != nil {
		panic(err)
	}
}

// Families returns the registered trained-cipher family names, sorted.
func Families() []string {
	registry.RLock()
	defer registry.RUnlock()
	return slices.Sorted(maps.Keys(registry.families))
}

// BindTrained registers the trained model in the weights file at path as
// the scheme "<family>/<tag>" and returns it. The file's SHA-256 is
// computed now; the scheme's GenerateKey(seed) draws a secret from seed
// and names this file. Binding a name again to a file with the same hash
// returns the bound scheme; to another file it is an error.
func BindTrained(family, tag, path string) (Scheme, error) {
	registry.RLock()
	f, ok := registry.families[family]
	registry.RUnlock()
	if !ok {
		return nil, fmt.Errorf("cipher: BindTrained: no trained-cipher family %q (families: %s)", family, strings.Join(Families(), ", "))
	}
	if why := validName(tag, false); why != "" {
		return nil, fmt.Errorf("cipher: BindTrained: tag %s %s", clip(strconv.Quote(tag)), why)
	}
	if why := validName(family+"/"+tag, true); why != "" {
		return nil, fmt.Errorf("cipher: BindTrained: the scheme name %s/%s %s", family, clip(tag), why)
	}
	_, sum, err := readWeights(path)
	if err != nil {
		return nil, fmt.Errorf("cipher: BindTrained: %w", err)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("cipher: BindTrained: %w", err)
	}
	s := &trainedScheme{name: family + "/" + tag, family: f, weights: abs, sum: sum}
	registry.Lock()
	defer registry.Unlock()
	if old, dup := registry.schemes[s.name]; dup {
		if ts, ok := old.(*trainedScheme); ok && ts.sum == sum {
			return ts, nil
		}
		return nil, fmt.Errorf("cipher: BindTrained: %q is already registered (for other weights)", s.name)
	}
	registry.schemes[s.name] = s
	return s, nil
}

// DefaultModelDir is where StoreWeights puts weights by default and the
// last place a key's weights are looked for: the first folder of
// $NEUROCRYPT_MODELS, else <user cache dir>/neurocrypt/models.
func DefaultModelDir() string {
	if dirs := filepath.SplitList(os.Getenv(ModelDirEnv)); len(dirs) > 0 && dirs[0] != "" {
		return dirs[0]
	}
	if d, err := os.UserCacheDir(); err == nil {
		return filepath.Join(d, "neurocrypt", "models")
	}
	return filepath.Join(os.TempDir(), "neurocrypt-models")
}

// StoreWeights writes a weights file of family into the content-addressed
// store under dir ("" = DefaultModelDir): <dir>/<family>/<sha256>.weights,
// atomically (anything but a regular file at that path is removed first).
// It returns the path.
func StoreWeights(dir, family string, data []byte) (string, error) {
	if why := validName(family, false); why != "" {
		return "", fmt.Errorf("cipher: StoreWeights: family %q %s", family, why)
	}
	if dir == "" {
		dir = DefaultModelDir()
	}
	sum := sha256.Sum256(data)
	path := filepath.Join(dir, family, hex.EncodeToString(sum[:])+WeightsExt)
	// The store is ours to repair: a folder (or anything but a file) where
	// this weights file belongs is removed, never an obstacle for ever.
	if fi, err := os.Lstat(path); err == nil && !fi.Mode().IsRegular() {
		if err := os.RemoveAll(path); err != nil {
			return "", fmt.Errorf("cipher: storing weights: removing %s in its place: %w", safefile.Name(path), err)
		}
	}
	if err := atomicfile.WriteFile(path, data, 0o644); err != nil {
		return "", fmt.Errorf("cipher: storing weights: %w", err)
	}
	return path, nil
}

// readWeights reads a weights file (a regular file of at most
// MaxWeightsBytes) and its hex SHA-256.
func readWeights(path string) ([]byte, string, error) {
	// A regular file only, checked on the opened file without blocking (a
	// FIFO would block the open until a writer comes), and bounded.
	b, err := safefile.ReadFile(path, MaxWeightsBytes, "a weights file")
	if err != nil {
		return nil, "", fmt.Errorf("weights file %w", err)
	}
	sum := sha256.Sum256(b)
	return b, hex.EncodeToString(sum[:]), nil
}

// findWeights returns the content of a weights file with the given
// SHA-256 for family: path itself, or <dir>/<family>/<sum>.weights in
// $NEUROCRYPT_MODELS's folders and DefaultModelDir.
func findWeights(family, path, sum string) (Weights, error) {
	b, got, err := readWeights(path)
	if err == nil && got == sum {
		return Weights{Path: path, Data: b, SHA256: sum}, nil
	}
	why := err
	if err == nil {
		why = fmt.Errorf("weights file %s has SHA-256 %s, the key expects %s (the file changed since the key was made)", clip(strconv.Quote(path)), got, sum)
	}
	var searched []string
	for _, d := range append(filepath.SplitList(os.Getenv(ModelDirEnv)), DefaultModelDir()) {
		if d == "" || slices.Contains(searched, d) {
			continue
		}
		searched = append(searched, d)
		cand := filepath.Join(d, family, sum+WeightsExt)
		if b, s, err := readWeights(cand); err == nil && s == sum {
			return Weights{Path: cand, Data: b, SHA256: sum}, nil
		}
	}
	return Weights{}, fmt.Errorf("%w; no copy %s/%s%s in the model store (searched %s; $%s adds folders)",
		why, family, sum, WeightsExt, strings.Join(searched, ", "), ModelDirEnv)
}

// TrainedKey is the key of a trained cipher: which weights file (path and
// SHA-256) and the secret. See the package notes on trained ciphers.
type TrainedKey struct {
	scheme string
	bits   int
	// Weights is the path of the weights file.
	Weights string
	// SHA256 is the hex SHA-256 of the weights file.
	SHA256 string
	// Secret holds the secret bits (least significant first).
	Secret []byte
}

var trainedParamNames = []string{"weights", "sha256", "secret"}

// Scheme returns "<family>/<tag>".
func (k TrainedKey) Scheme() string { return k.scheme }

// String returns the key line.
func (k TrainedKey) String() string {
	return k.scheme + ":weights=" + escapePath(k.Weights) + ",sha256=" + k.SHA256 + ",secret=" + hex.EncodeToString(k.Secret)
}

// NumBits is the family's SecretBits.
func (k TrainedKey) NumBits() int { return k.bits }

// FlipBit flips secret bit i mod NumBits.
func (k TrainedKey) FlipBit(i int) Key {
	i = bitIndex(i, k.bits)
	k.Secret = slices.Clone(k.Secret)
	k.Secret[i/8] ^= 1 << (i % 8)
	return k
}

// escapePath writes '%', ',', '=', spaces and control characters as %XX,
// so that a path fits in a key line (whose fields are trimmed of spaces).
func escapePath(p string) string {
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		c := p[i]
		if c == '%' || c == ',' || c == '=' || c <= 0x20 || c == 0x7f {
			fmt.Fprintf(&b, "%%%02X", c)
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

func unescapePath(p string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		if p[i] != '%' {
			b.WriteByte(p[i])
			continue
		}
		if i+2 >= len(p) {
			return "", fmt.Errorf("bad escape at the end of %q", clip(p))
		}
		v, err := hex.DecodeString(p[i+1 : i+3])
		if err != nil {
			return "", fmt.Errorf("bad escape %q in %q", p[i:i+3], clip(p))
		}
		b.WriteByte(v[0])
		i += 2
	}
	return b.String(), nil
}

// trainedScheme is the scheme "<family>/<tag>": bound to a weights file by
// BindTrained, or (weights "") made from a key line's prefix, which can
// parse keys and make ciphers but not generate keys.
type trainedScheme struct {
	name    string
	family  Family
	weights string // bound weights file ("" unbound)
	sum     string // its SHA-256
}

func (s *trainedScheme) Name() string { return s.name }

func (s *trainedScheme) Description() string {
	if s.weights == "" {
		return s.family.Description
	}
	return fmt.Sprintf("%s (trained model %s, SHA-256 %.12s…)", s.family.Description, s.weights, s.sum)
}

func (s *trainedScheme) secretBytes() int { return (s.family.SecretBits + 7) / 8 }

func (s *trainedScheme) ParseKey(line string) (Key, error) {
	vals, err := parseKeyLine(s.name, line, trainedParamNames)
	if err != nil {
		return nil, err
	}
	k := TrainedKey{scheme: s.name, bits: s.family.SecretBits}
	if k.Weights, err = unescapePath(vals[0]); err != nil {
		return nil, fmt.Errorf("%s key: parameter weights: %v", s.name, err)
	}
	if k.Weights == "" {
		return nil, fmt.Errorf("%s key: parameter weights is empty: want the path of the weights file", s.name)
	}
	if sum, err := hex.DecodeString(vals[1]); err != nil || len(sum) != sha256.Size {
		return nil, fmt.Errorf("%s key: parameter sha256 = %q: want %d hex digits", s.name, clip(vals[1]), 2*sha256.Size)
	}
	k.SHA256 = strings.ToLower(vals[1])
	// Errors about the secret never repeat it.
	if k.Secret, err = hex.DecodeString(vals[2]); err != nil || len(k.Secret) != s.secretBytes() {
		return nil, fmt.Errorf("%s key: parameter secret: want %d hex digits (%d bits), got %d characters%s", s.name, 2*s.secretBytes(), s.family.SecretBits, len(vals[2]), notHex(err))
	}
	if extra := s.family.SecretBits % 8; extra != 0 && k.Secret[len(k.Secret)-1]>>extra != 0 {
		return nil, fmt.Errorf("%s key: parameter secret: only the low %d bits of the last byte are used; the others must be 0", s.name, extra)
	}
	return k, nil
}

func (s *trainedScheme) GenerateKey(seed uint64) Key {
	k := TrainedKey{scheme: s.name, bits: s.family.SecretBits, Weights: s.weights, SHA256: s.sum, Secret: make([]byte, s.secretBytes())}
	r := seededRand("trained", seed)
	for i := range k.Secret {
		k.Secret[i] = byte(r.Uint64())
	}
	if extra := s.family.SecretBits % 8; extra != 0 {
		k.Secret[len(k.Secret)-1] &= 1<<extra - 1
	}
	return k
}

// RandomKey draws the secret from rand (crypto/rand in `neurocrypt
// keygen`): all SecretBits bits.
func (s *trainedScheme) RandomKey(rand io.Reader) (Key, error) {
	k := s.GenerateKey(0).(TrainedKey)
	if _, err := io.ReadFull(rand, k.Secret); err != nil {
		return nil, fmt.Errorf("%s: drawing a key: %w", s.name, err)
	}
	if extra := s.family.SecretBits % 8; extra != 0 {
		k.Secret[len(k.Secret)-1] &= 1<<extra - 1
	}
	return k, nil
}

func (s *trainedScheme) New(key Key) (Cipher, error) {
	k, ok := key.(TrainedKey)
	if !ok || k.scheme != s.name {
		return nil, fmt.Errorf("%s: got a %s key", s.name, keySchemeName(key))
	}
	if k.Weights == "" {
		return nil, fmt.Errorf("%s: the key names no weights file", s.name)
	}
	w, err := findWeights(s.family.Name, k.Weights, k.SHA256)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", s.name, err)
	}
	c, err := s.family.Load(w, k.Secret)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", s.name, err)
	}
	return named{Cipher: c, name: s.name}, nil
}

// named reports a trained cipher under its scheme's name.
type named struct {
	Cipher
	name string
}

func (n named) Name() string { return n.name }

// keySchemeName names a key's scheme for errors (nil-safe).
func keySchemeName(k Key) string {
	if k == nil {
		return "nil"
	}
	return fmt.Sprintf("%q", k.Scheme())
}

// BindWeights stores a weights file of family in the model store under
// dir ("" = DefaultModelDir(); StoreWeights) and binds it as the scheme
// "<family>/<tag>" (BindTrained): what a model family does after training.
func BindWeights(dir, family, tag string, weights []byte) (Scheme, error) {
	path, err := StoreWeights(dir, family, weights)
	if err != nil {
		return nil, err
	}
	return BindTrained(family, tag, path)
}

// notHex is ", not all hex digits" when err reports a character that is
// not a hex digit (an odd length alone: "", the message states lengths).
func notHex(err error) string {
	var bad hex.InvalidByteError
	if errors.As(err, &bad) {
		return ", not all hex digits"
	}
	return "" // nil, or an odd length: the message already gives the length
}
