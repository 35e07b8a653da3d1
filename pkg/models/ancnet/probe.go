package ancnet

import (
	"context"
	"fmt"
	"math/bits"

	"github.com/neurocrypt/neurocrypt/pkg/models/nn"
)

// EncryptFunc encrypts blocks blocks: p and k hold blocks·N values in the
// variant's encoding; it returns blocks·N ciphertext values.
type EncryptFunc func(p, k []float32, blocks int) ([]float32, error)

// Probe is what the XOR probe found.
type Probe struct {
	N          int  `json:"n"`
	Pairs      int  `json:"pairs"`
	Exhaustive bool `json:"exhaustive"`
	// XOR is the fraction of (P, K) whose rounded ciphertext equals P ⊕ K.
	XOR float64 `json:"xor"`
	// XORUpToMask is the same fraction after complementing, per bit
	// position, the ciphertext bits that disagree with P ⊕ K on most pairs
	// (a one-time pad with a fixed output mask).
	XORUpToMask float64 `json:"xor_up_to_mask"`
}

// ProbeExhaustiveMaxBits: exhaustive probing when 2N ≤ 16 (N ≤ 8).
const ProbeExhaustiveMaxBits = 16

// probeChunk is the number of pairs encrypted per call.
const probeChunk = 1 << 16

// XORProbe measures how often Alice's rounded ciphertext equals P ⊕ K:
// over all 2^(2N) pairs when N ≤ 8, else over samples random pairs drawn
// from seed. enc is Alice of variant v with N-bit blocks.
func XORProbe(v Variant, n int, enc EncryptFunc, samples int, seed uint64) (Probe, error) {
	if n < 1 || n > 64 {
		return Probe{}, fmt.Errorf("anc: XOR probe: N = %d: want 1..64", n)
	}
	pr := Probe{N: n, Exhaustive: 2*n <= ProbeExhaustiveMaxBits}
	total := samples
	if pr.Exhaustive {
		total = 1 << (2 * n)
	}
	if total < 1 {
		return Probe{}, fmt.Errorf("anc: XOR probe: %d samples: want ≥ 1", samples)
	}
	src := newBitSource(seed, 6)
	agree := make([]int, n) // per bit position: ciphertext bit == (P ⊕ K) bit
	exact := 0
	var ws []uint64 // per pair: mask of bit positions that disagree
	for start := 0; start < total; start += probeChunk {
		blocks := min(probeChunk, total-start)
		p, k := make([]float32, blocks*n), make([]float32, blocks*n)
		pw, kw := make([]uint64, blocks), make([]uint64, blocks)
		for i := 0; i < blocks; i++ {
			if pr.Exhaustive {
				idx := uint64(start + i)
				pw[i], kw[i] = idx&(1<<n-1), idx>>n
			} else {
				for j := 0; j < n; j++ {
					pw[i] |= src.bit() << j
					kw[i] |= src.bit() << j
				}
			}
			for j := 0; j < n; j++ {
				p[i*n+j] = Encode(v, pw[i]>>j)
				k[i*n+j] = Encode(v, kw[i]>>j)
			}
		}
		c, err := enc(p, k, blocks)
		if err != nil {
			return Probe{}, err
		}
		if len(c) != blocks*n {
			return Probe{}, fmt.Errorf("anc: XOR probe: encryptor returned %d values for %d blocks of %d bits", len(c), blocks, n)
		}
		for i := 0; i < blocks; i++ {
			var cw uint64
			for j := 0; j < n; j++ {
				cw |= Decode(v, c[i*n+j]) << j
			}
			diff := cw ^ pw[i] ^ kw[i]
			if diff == 0 {
				exact++
			}
			for j := 0; j < n; j++ {
				if diff>>j&1 == 0 {
					agree[j]++
				}
			}
			ws = append(ws, diff)
		}
	}
	var mask uint64
	for j := 0; j < n; j++ {
		if 2*agree[j] < total {
			mask |= 1 << j
		}
	}
	upTo := 0
	for _, d := range ws {
		if bits.OnesCount64(d^mask) == 0 {
			upTo++
		}
	}
	pr.Pairs = total
	pr.XOR = float64(exact) / float64(total)
	pr.XORUpToMask = float64(upTo) / float64(total)
	return pr, nil
}

// Throughput is an encryption speed measurement.
type Throughput struct {
	N         int     `json:"n"`
	Blocks    int     `json:"blocks"`     // blocks encrypted in all
	Batch     int     `json:"batch"`      // blocks per call
	MB        float64 `json:"mb"`         // plaintext MiB encrypted (N/8 bytes per block)
	Seconds   float64 `json:"seconds"`    // wall time, compilation excluded
	MBPerSec  float64 `json:"mb_per_sec"` // MB / Seconds
	Backend   string  `json:"backend"`
	Device    string  `json:"device"`
	Variant   Variant `json:"variant"`
	CallsMade int     `json:"calls"`
}

// MeasureThroughput times Alice encrypting mb MiB of plaintext (N/8 bytes
// per block) in calls of batch blocks, after one untimed warm-up call that
// compiles the graph. Each call copies the ciphertext back to the host.
func (m *Model) MeasureThroughput(mb float64, batch int) (Throughput, error) {
	n := m.cfg.N
	if !(mb > 0) || batch < 1 {
		return Throughput{}, fmt.Errorf("anc: throughput: %g MB in batches of %d: want > 0 and ≥ 1", mb, batch)
	}
	blocksTotal := int(mb * (1 << 20) * 8 / float64(n))
	calls := max(1, (blocksTotal+batch-1)/batch)
	b := newBitSource(m.cfg.Seed, 7).newBatch(m.cfg.Variant, n, batch, false)
	perCall, err := nn.TimeCalls(context.Background(), calls, func() error {
		_, err := m.Encrypt(b.p, b.k, batch)
		return err
	})
	if err != nil {
		return Throughput{}, err
	}
	secs := perCall * float64(calls)
	blocks := calls * batch
	mbDone := float64(blocks) * float64(n) / 8 / (1 << 20)
	return Throughput{N: n, Blocks: blocks, Batch: batch, MB: mbDone, Seconds: secs, MBPerSec: mbDone / secs,
		Backend: m.backend.Name(), Device: m.backend.Description(), Variant: m.cfg.Variant, CallsMade: calls}, nil
}
