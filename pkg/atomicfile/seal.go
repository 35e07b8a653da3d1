package atomicfile

import (
	"bytes"
	"crypto/sha256"
	"errors"
)

// Errors of Unseal.
var (
	// ErrShort: the data is shorter than a SHA-256.
	ErrShort = errors.New("shorter than its SHA-256 trailer")
	// ErrChecksum: the trailer does not match the content.
	ErrChecksum = errors.New("SHA-256 trailer does not match")
)

// Seal returns b followed by its SHA-256 (32 bytes), so that a file
// written from it (cache entries, checkpoints, weights) can be checked
// whole when read back: a flipped bit or a truncation is detected by
// Unseal, never served. Ours.
func Seal(b []byte) []byte {
	sum := sha256.Sum256(b)
	return append(b, sum[:]...)
}

// Unseal returns the content of sealed data (Seal), or ErrShort or
// ErrChecksum.
func Unseal(b []byte) ([]byte, error) {
	if len(b) < sha256.Size {
		return nil, ErrShort
	}
	body, sum := b[:len(b)-sha256.Size], b[len(b)-sha256.Size:]
	if got := sha256.Sum256(body); !bytes.Equal(got[:], sum) {
		return nil, ErrChecksum
	}
	return body, nil
}
