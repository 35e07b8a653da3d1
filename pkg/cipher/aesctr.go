package cipher

import (
	"crypto/aes"
	stdcipher "crypto/cipher"
	"encoding/hex"
	"fmt"
	"io"

	"github.com/neurocrypt/neurocrypt/pkg/imageio"
)

// AES-CTR key sizes in bytes.
const (
	AESKeySize = 32 // AES-256
	AESIVSize  = aes.BlockSize
)

var aesParamNames = []string{"key", "iv"}

// AESKey is the key of the "aes-ctr" scheme: an AES-256 key and the initial
// counter block. Its line is
//
//	aes-ctr:key=<64 hex digits>,iv=<32 hex digits>
//
// Its canonical bit representation is the 48 bytes Key‖IV, bit i being bit
// i mod 8 (least significant first) of byte i div 8, so FlipBit(0) flips the
// least significant bit of the first key byte (384 bits in all).
//
// The IV is part of the key, so encryption is deterministic like the chaotic
// ciphers': two images encrypted under one key share a keystream. That is
// what the comparison needs (same plaintext, same ciphertext) and what makes
// CTR unsafe for real use without a fresh IV per image.
type AESKey struct {
	Key [AESKeySize]byte
	IV  [AESIVSize]byte
}

// Scheme returns "aes-ctr".
func (k AESKey) Scheme() string { return NameAESCTR }

// String returns the key line.
func (k AESKey) String() string {
	return NameAESCTR + ":key=" + hex.EncodeToString(k.Key[:]) + ",iv=" + hex.EncodeToString(k.IV[:])
}

// NumBits returns 384.
func (k AESKey) NumBits() int { return 8 * (AESKeySize + AESIVSize) }

// FlipBit flips bit i mod 8 of byte i div 8 of Key‖IV (after reducing i mod 384).
func (k AESKey) FlipBit(i int) Key {
	i = bitIndex(i, k.NumBits())
	b, bit := i/8, byte(1)<<(i%8)
	if b < AESKeySize {
		k.Key[b] ^= bit
	} else {
		k.IV[b-AESKeySize] ^= bit
	}
	return k
}

type aesScheme struct{}

func (aesScheme) Name() string { return NameAESCTR }

func (aesScheme) Description() string {
	return "AES-256-CTR keystream XORed over the pixel bytes (baseline; key and IV fixed by the key line)"
}

func (aesScheme) ParseKey(line string) (Key, error) {
	vals, err := parseKeyLine(NameAESCTR, line, aesParamNames)
	if err != nil {
		return nil, err
	}
	var k AESKey
	for i, dst := range [][]byte{k.Key[:], k.IV[:]} {
		b, err := hex.DecodeString(vals[i])
		if err != nil || len(b) != len(dst) {
			return nil, fmt.Errorf("%s key: parameter %s must be %d hex digits (%d bytes), got %d characters%s", NameAESCTR, aesParamNames[i], 2*len(dst), len(dst), len(vals[i]), notHex(err))
		}
		copy(dst, b)
	}
	return k, nil
}

// GenerateKey draws Key‖IV from a ChaCha8 generator seeded by seed.
func (aesScheme) GenerateKey(seed uint64) Key {
	rng := seededRand("aes-ctr", seed)
	var k AESKey
	for i := range k.Key {
		k.Key[i] = byte(rng.Uint32())
	}
	for i := range k.IV {
		k.IV[i] = byte(rng.Uint32())
	}
	return k
}

// RandomKey draws Key‖IV from rand (crypto/rand in `neurocrypt keygen`):
// all 384 bits.
func (aesScheme) RandomKey(rand io.Reader) (Key, error) {
	var k AESKey
	if _, err := io.ReadFull(rand, k.Key[:]); err != nil {
		return nil, fmt.Errorf("%s: drawing a key: %w", NameAESCTR, err)
	}
	if _, err := io.ReadFull(rand, k.IV[:]); err != nil {
		return nil, fmt.Errorf("%s: drawing a key: %w", NameAESCTR, err)
	}
	return k, nil
}

func (aesScheme) New(k Key) (Cipher, error) {
	var key AESKey
	switch k := k.(type) {
	case AESKey:
		key = k
	case *AESKey:
		if k == nil {
			return nil, fmt.Errorf("%s: nil key", NameAESCTR)
		}
		key = *k
	default:
		return nil, fmt.Errorf("%s: got a key of type %T, want an %s key", NameAESCTR, k, NameAESCTR)
	}
	block, err := aes.NewCipher(key.Key[:])
	if err != nil {
		return nil, fmt.Errorf("%s: %w", NameAESCTR, err)
	}
	return &aesCipher{block: block, iv: key.IV}, nil
}

// aesCipher XORs the AES-256-CTR keystream (counter = IV, incremented as a
// 128-bit big-endian integer per 16-byte block, as crypto/cipher.NewCTR does)
// over the row-major pixel bytes. Encryption and decryption are the same.
type aesCipher struct {
	block stdcipher.Block
	iv    [AESIVSize]byte
}

func (c *aesCipher) Name() string { return NameAESCTR }

func (c *aesCipher) xor(op string, g *imageio.Gray) (*imageio.Gray, error) {
	n, err := checkImage(NameAESCTR, op, g, 0)
	if err != nil {
		return nil, err
	}
	out := sameShape(g, make([]byte, n))
	stdcipher.NewCTR(c.block, c.iv[:]).XORKeyStream(out.Pix, g.Pix)
	return out, nil
}

// Encrypt XORs the keystream over the pixels.
func (c *aesCipher) Encrypt(g *imageio.Gray) (*imageio.Gray, error) { return c.xor("encrypt", g) }

// Decrypt is the same operation as Encrypt.
func (c *aesCipher) Decrypt(g *imageio.Gray) (*imageio.Gray, error) { return c.xor("decrypt", g) }
