package ancnet

import (
	"fmt"
	"strings"

	"github.com/gomlx/compute"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/neurocrypt/neurocrypt/pkg/models/nn"
)

// LoadModel creates a model from a weights file (Model.Weights: Alice's and
// Bob's variables and the Config) on backend be. Alice can then be attacked
// (SecurityTest), probed (XORProbe with Encrypt) and used with Bob
// (Decrypt, SendMessage); Eve starts freshly initialised, and training the
// loaded model would start with fresh optimisers, so it is not a resumed
// run (use SetCheckpoints for that).
func LoadModel(be compute.Backend, weights []byte) (*Model, error) {
	var st weightsState
	probe, err := nn.Checkpoint(model.NewStore()).Format(weightsFormat).Done()
	if err != nil {
		return nil, err
	}
	if _, err := probe.Decode(weights, &st); err != nil {
		return nil, fmt.Errorf("anc: not an ANC weights file: %w", err)
	}
	m, err := NewModel(be, st.Config)
	if err != nil {
		return nil, err
	}
	ck, err := nn.Checkpoint(m.store).Format(weightsFormat).Done()
	if err != nil {
		return nil, err
	}
	snap, err := ck.Decode(weights, &st)
	if err != nil {
		return nil, fmt.Errorf("anc: not an ANC weights file: %w", err)
	}
	for _, prefix := range weightPrefixes {
		found := false
		for _, p := range snap.Paths() {
			found = found || strings.HasPrefix(p, prefix)
		}
		if !found {
			return nil, fmt.Errorf("anc: the weights file has no variables under %s", prefix)
		}
	}
	if err := snap.Restore(); err != nil {
		return nil, fmt.Errorf("anc: %w", err)
	}
	return m, nil
}

// Decrypt runs Bob on blocks blocks: c and k hold blocks·N values in the
// variant's encoding (c: Alice's outputs, or their rounded bits re-encoded
// with Encode); it returns Bob's blocks·N outputs.
func (m *Model) Decrypt(c, k []float32, blocks int) ([]float32, error) {
	n := m.cfg.N
	if len(c) != blocks*n || len(k) != blocks*n {
		return nil, fmt.Errorf("anc: decrypt: got %d ciphertext and %d key values for %d blocks of %d bits", len(c), len(k), blocks, n)
	}
	out, err := m.decExec.Exec(tensors.FromFlatDataAndDimensions(c, blocks, n), tensors.FromFlatDataAndDimensions(k, blocks, n))
	if err != nil {
		return nil, fmt.Errorf("anc: decrypt: %w", err)
	}
	return tensors.CopyFlatData[float32](out[0])
}

// NewKey returns a random n-bit key drawn from seed, packed as the
// cipher secrets are: bit i is key[i/8]>>(i%8)&1.
func NewKey(n int, seed uint64) []byte {
	src := newBitSource(seed, 8)
	key := make([]byte, (n+7)/8)
	for i := 0; i < n; i++ {
		key[i/8] |= byte(src.bit()) << (i % 8)
	}
	return key
}

// Message is a byte message Alice encrypted and Bob decrypted under one
// key (SendMessage).
type Message struct {
	// Plain is the message.
	Plain []byte
	// Key is the N-bit key (bit i is Key[i/8]>>(i%8)&1), used for every block.
	Key []byte
	// Blocks is the number of N-bit blocks: Plain's bits, most significant
	// bit of each byte first, padded with zero bits to whole blocks.
	Blocks int
	// Cipher is Alice's output rounded to bits (Decode), Blocks·N bits
	// packed most significant bit first.
	Cipher []byte
	// Decoded is Bob's output on the rounded cipher bits, rounded to bits
	// and cut to len(Plain) bytes.
	Decoded []byte
	// BitErrors is the number of bits of Decoded that differ from Plain.
	BitErrors int
}

// SendMessage encrypts plain with Alice under key (at least N bits; see
// NewKey) block by block, rounds the ciphertext to bits as a receiver would
// see it, and has Bob decrypt those bits with the same key. With one key for
// every block this is an electronic-codebook use of the network, as in the
// image cipher (see Model.BindCipher).
func (m *Model) SendMessage(plain, key []byte) (Message, error) {
	v, n := m.cfg.Variant, m.cfg.N
	if len(key)*8 < n {
		return Message{}, fmt.Errorf("anc: message: a %d-bit key, want %d bits", len(key)*8, n)
	}
	if len(plain) == 0 {
		return Message{}, fmt.Errorf("anc: message: empty message")
	}
	bits := 8 * len(plain)
	blocks := (bits + n - 1) / n
	p, k := make([]float32, blocks*n), make([]float32, blocks*n)
	for i := range p {
		var b uint64
		if i < bits {
			b = uint64(plain[i/8] >> (7 - i%8))
		}
		p[i] = Encode(v, b)
		k[i] = Encode(v, uint64(key[(i%n)/8]>>(i%n%8)))
	}
	c, err := m.Encrypt(p, k, blocks)
	if err != nil {
		return Message{}, err
	}
	msg := Message{Plain: append([]byte(nil), plain...), Key: append([]byte(nil), key[:(n+7)/8]...), Blocks: blocks,
		Cipher: make([]byte, (blocks*n+7)/8), Decoded: make([]byte, len(plain))}
	for i, x := range c {
		b := Decode(v, x)
		msg.Cipher[i/8] |= byte(b) << (7 - i%8)
		c[i] = Encode(v, b)
	}
	d, err := m.Decrypt(c, k, blocks)
	if err != nil {
		return Message{}, err
	}
	for i := 0; i < bits; i++ {
		b := Decode(v, d[i])
		msg.Decoded[i/8] |= byte(b) << (7 - i%8)
		if b != uint64(plain[i/8]>>(7-i%8)&1) {
			msg.BitErrors++
		}
	}
	return msg, nil
}
