package ancnet

import (
	"fmt"
	"math"
	"time"
)

// A trained CPA-ANC Alice compiled for one key (issue "ANC at full
// strength", item 6; ours). Her network is C = f⁻¹(W·[f(P); f(K)]) with
// f(b) = π·b for exact bits and f⁻¹(a) = (1 − cos a)/2 (CPAAlice), so
// under a fixed key output bit j is 1 exactly when
//
//	cos(π·(Σᵢ pᵢ·Wᵢⱼ + Σᵢ kᵢ·W₍ₙ₊ᵢ₎ⱼ)) < 0.
//
// For N ≤ MaxCodebookBits the compiled form is Alice's whole codebook —
// the output block of each of the 2^N input blocks — and encrypting is one
// table lookup per block. For N up to MaxCompiledBits it keeps, per byte of the block, a
// table of that byte's contribution to every output angle, and evaluates
// one cosine per output bit.
//
// ANC's Alice (a dense layer, then convolutions with sigmoid and tanh
// activations) mixes key and plaintext bits non-linearly from the first
// layer on, so nothing of her splits into per-byte tables. Under one key she
// is still a fixed map of N-bit blocks, and for N ≤ MaxCodebookBits she
// compiles to the codebook of her rounded outputs (the sign of each
// ciphertext value, as the image cipher and Bob's error count read them):
// the network evaluated once on all 2^N plaintext blocks (CompileANCAlice).
// What is left: the per-key cost of that pass (2^N blocks, the time the
// network takes to encrypt 2^N·N/8 bytes: 128 KiB at N = 16), no codebook
// for N > 16, and the continuous ciphertext values, which the codebook
// drops (Outputs is nil for it).

// MaxCodebookBits is the largest key length whose Alice compiles to a
// full codebook (2^16 blocks of 16 bits: 256 KiB).
const MaxCodebookBits = 16

// MaxCompiledBits is the largest key length that compiles at all: a
// compiled block is packed into 32 bits. (The papers' lengths are 4, 8
// and 16.)
const MaxCompiledBits = 32

// MaxCompiledMB bounds MeasureCompiledThroughput's plaintext (16 GiB: some
// seconds at the measured speed; the seed paper's 1024 MB fits).
const MaxCompiledMB = 1 << 14

// CompiledAlice is an Alice under one key, compiled: CPA-ANC's exactly
// (CompileCPAAlice), ANC's as the codebook of her rounded outputs
// (CompileANCAlice). It is safe for concurrent use.
type CompiledAlice struct {
	n int
	// codebook[v] is the output block of input block v (N ≤
	// MaxCodebookBits); bit i of a block (0-based, stream order) is its
	// bit N−1−i.
	codebook []uint32
	// Larger N: keyAngle[j] is the key's part of output j's angle over π,
	// tables[g][x·N + j] byte g's part when its bits are x.
	keyAngle []float64
	tables   [][]float64
}

// CompileCPAAlice compiles Alice's weights w ([2N, N], row-major: rows 0..N−1
// weigh the plaintext bits, N..2N−1 the key bits; Model.AliceWeights
// "dense0/weights") under key (N bits, each 0 or 1). Errors: sizes that do
// not match, a key value other than 0 or 1, a non-finite weight, N above
// MaxCompiledBits. Encrypt the result's blocks with Block, or an image's
// bytes with Encrypt.
func CompileCPAAlice(n int, w, key []float32) (*CompiledAlice, error) {
	switch {
	case n < 1 || n > MaxCompiledBits:
		return nil, fmt.Errorf("anc: compile: key length %d: want 1..%d (a compiled block is packed into 32 bits)", n, MaxCompiledBits)
	case len(w) != 2*n*n:
		return nil, fmt.Errorf("anc: compile: %d weights for N = %d: want %d ([2N, N])", len(w), n, 2*n*n)
	case len(key) != n:
		return nil, fmt.Errorf("anc: compile: a key of %d bits for N = %d", len(key), n)
	}
	for _, v := range w {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return nil, fmt.Errorf("anc: compile: a weight is %g", v)
		}
	}
	a := &CompiledAlice{n: n, keyAngle: make([]float64, n)}
	for i, k := range key {
		if k != 0 && k != 1 {
			return nil, fmt.Errorf("anc: compile: key bit %d is %g: want 0 or 1", i, k)
		}
		if k == 1 {
			for j := 0; j < n; j++ {
				a.keyAngle[j] += float64(w[(n+i)*n+j])
			}
		}
	}
	// Byte tables over the plaintext half: chunk g holds bits 8g..8g+7.
	chunks := (n + 7) / 8
	a.tables = make([][]float64, chunks)
	for g := range a.tables {
		width := min(8, n-8*g)
		t := make([]float64, (1<<width)*n)
		for x := 0; x < 1<<width; x++ {
			for b := 0; b < width; b++ {
				if x>>(width-1-b)&1 == 1 {
					row := 8*g + b
					for j := 0; j < n; j++ {
						t[x*n+j] += float64(w[row*n+j])
					}
				}
			}
		}
		a.tables[g] = t
	}
	if n <= MaxCodebookBits {
		a.codebook = make([]uint32, 1<<n)
		for v := range a.codebook {
			a.codebook[v] = a.block(uint64(v))
		}
	}
	return a, nil
}

// N is the block (and key) length in bits.
func (a *CompiledAlice) N() int { return a.n }

// block evaluates Alice on input block v (bit i of the block is bit N−1−i
// of v) from the byte tables.
func (a *CompiledAlice) block(v uint64) uint32 {
	var out uint32
	for j := 0; j < a.n; j++ {
		z := a.keyAngle[j]
		for g, t := range a.tables {
			width := min(8, a.n-8*g)
			x := int(v>>(a.n-8*g-width)) & (1<<width - 1)
			z += t[x*a.n+j]
		}
		if math.Cos(math.Pi*z) < 0 {
			out |= 1 << (a.n - 1 - j)
		}
	}
	return out
}

// Outputs returns Alice's continuous outputs (1 − cos(π·z))/2 for input
// block v, in stream order (the values the network gives, in float64);
// nil for an ANC codebook (CompileANCAlice), which keeps only the rounded
// bits.
func (a *CompiledAlice) Outputs(v uint64) []float64 {
	if a.keyAngle == nil {
		return nil
	}
	out := make([]float64, a.n)
	for j := range out {
		z := a.keyAngle[j]
		for g, t := range a.tables {
			width := min(8, a.n-8*g)
			x := int(v>>(a.n-8*g-width)) & (1<<width - 1)
			z += t[x*a.n+j]
		}
		out[j] = (1 - math.Cos(math.Pi*z)) / 2
	}
	return out
}

// Block returns the output block of input block v.
func (a *CompiledAlice) Block(v uint64) uint32 {
	if a.codebook != nil {
		return a.codebook[v&(1<<a.n-1)]
	}
	return a.block(v)
}

// Encrypt enciphers the bit stream of pix (each byte most significant
// bit first, cut into blocks of N bits) into a new slice, as the trained
// image cipher does (imageCipher.Encrypt) but without the network.
// Errors: 8·len(pix) not a multiple of N.
func (a *CompiledAlice) Encrypt(pix []byte) ([]byte, error) {
	n := a.n
	if (8*len(pix))%n != 0 {
		return nil, fmt.Errorf("anc: compiled encrypt: %d bits are not a multiple of the %d-bit block", 8*len(pix), n)
	}
	out := make([]byte, len(pix))
	switch {
	case n == 8 && a.codebook != nil:
		for i, p := range pix {
			out[i] = byte(a.codebook[p])
		}
	case n == 16 && a.codebook != nil:
		for i := 0; i+1 < len(pix); i += 2 {
			c := a.codebook[uint32(pix[i])<<8|uint32(pix[i+1])]
			out[i], out[i+1] = byte(c>>8), byte(c)
		}
	case n == 4 && a.codebook != nil:
		for i, p := range pix {
			out[i] = byte(a.codebook[p>>4])<<4 | byte(a.codebook[p&15])
		}
	default:
		bits := 8 * len(pix)
		for start := 0; start < bits; start += n {
			var v uint64
			for b := start; b < start+n; b++ {
				v = v<<1 | uint64(pix[b/8]>>(7-b%8)&1)
			}
			c := a.Block(v)
			for b := start; b < start+n; b++ {
				out[b/8] |= byte(c>>(n-1-(b-start))&1) << (7 - b%8)
			}
		}
	}
	return out, nil
}

// CompileAlice compiles the model's Alice under key (N values in the
// variant's encoding: {0, 1} for CPA-ANC, ±1 for ANC): CompileCPAAlice's
// exact form for CPA-ANC, CompileANCAlice's codebook for ANC. Errors: the
// compile errors.
func (m *Model) CompileAlice(key []float32) (*CompiledAlice, error) {
	if m.cfg.Variant == ANC {
		return m.CompileANCAlice(key)
	}
	w, err := m.AliceWeights()
	if err != nil {
		return nil, err
	}
	weights, ok := w["dense0/weights"]
	if !ok {
		return nil, fmt.Errorf("anc: compile: Alice has no dense0/weights yet (build her graph first: Encrypt or train)")
	}
	return CompileCPAAlice(m.cfg.N, weights, key)
}

// CompileANCAlice compiles an ANC Alice under key (N values, each −1 or
// +1) to the codebook of her rounded outputs: the network, on its backend,
// encrypts all 2^N plaintext blocks under the key in one call, and output
// bit j of block v is 1 where her j-th ciphertext value is > 0 (Decode).
// Equal to the network's rounded outputs by construction (a value within
// float rounding of 0 may round differently in another batch). Errors: a
// CPA-ANC model (CompileCPAAlice is exact for it), N above
// MaxCodebookBits, a key of the wrong length or with a value other than
// ±1, the network's errors.
func (m *Model) CompileANCAlice(key []float32) (*CompiledAlice, error) {
	n := m.cfg.N
	switch {
	case m.cfg.Variant != ANC:
		return nil, fmt.Errorf("anc: compile: a %s model: use CompileCPAAlice's exact form", m.cfg.Variant)
	case n > MaxCodebookBits:
		return nil, fmt.Errorf("anc: compile: ANC's Alice compiles only to a codebook of 2^N blocks: N = %d is above %d", n, MaxCodebookBits)
	case len(key) != n:
		return nil, fmt.Errorf("anc: compile: a key of %d values for N = %d", len(key), n)
	}
	for i, k := range key {
		if k != -1 && k != 1 {
			return nil, fmt.Errorf("anc: compile: key value %d is %g: want −1 or +1", i, k)
		}
	}
	blocks := 1 << n
	p, k := make([]float32, blocks*n), make([]float32, blocks*n)
	for v := 0; v < blocks; v++ {
		for i := 0; i < n; i++ {
			p[v*n+i] = Encode(ANC, uint64(v>>(n-1-i)))
		}
		copy(k[v*n:(v+1)*n], key)
	}
	c, err := m.Encrypt(p, k, blocks)
	if err != nil {
		return nil, fmt.Errorf("anc: compile: %w", err)
	}
	a := &CompiledAlice{n: n, codebook: make([]uint32, blocks)}
	for v := range a.codebook {
		var out uint32
		for j := 0; j < n; j++ {
			out = out<<1 | uint32(Decode(ANC, c[v*n+j]))
		}
		a.codebook[v] = out
	}
	return a, nil
}

// CompiledCheckBlocks is how many random blocks MeasureCompiledThroughput
// checks the compiled Alice against the network on.
const CompiledCheckBlocks = 4096

// CompiledThroughput is the compiled Alice's encryption speed and its
// agreement with the network.
type CompiledThroughput struct {
	Throughput
	// Agreement is the fraction of output bits, over CompiledCheckBlocks
	// random blocks under the measured key, where the compiled Alice's
	// bit equals the network's rounded output (1 for an exact compile; a
	// bit whose network output is within float32 rounding of 1/2 may
	// differ).
	Agreement float64 `json:"agreement"`
	// CompileSeconds is the time CompileAlice took (for ANC, the network's
	// pass over all 2^N blocks under the key).
	CompileSeconds float64 `json:"compile_seconds"`
}

// MeasureCompiledThroughput compiles the model's Alice (CompileAlice)
// under a key drawn from the model's seed, checks it against the network
// on fresh random blocks (Agreement), and times Encrypt on mb MiB of
// pseudo-random plaintext (one buffer of at most 64 MiB, encrypted as
// often as needed); the compile's own time is CompileSeconds. Errors: mb
// outside (0, MaxCompiledMB], the compile errors.
func (m *Model) MeasureCompiledThroughput(mb float64) (CompiledThroughput, error) {
	n := m.cfg.N
	if !(mb > 0) || mb > MaxCompiledMB {
		return CompiledThroughput{}, fmt.Errorf("anc: compiled throughput: %g MB: want a value in (0, %d]", mb, MaxCompiledMB)
	}
	src := newBitSource(m.cfg.Seed, 11)
	check := src.newBatch(m.cfg.Variant, n, CompiledCheckBlocks, false)
	key := append([]float32(nil), check.k[:n]...)
	for b := 1; b < CompiledCheckBlocks; b++ {
		copy(check.k[b*n:(b+1)*n], key)
	}
	net, err := m.Encrypt(check.p, check.k, CompiledCheckBlocks) // (also builds Alice's graph)
	if err != nil {
		return CompiledThroughput{}, err
	}
	compileStart := time.Now()
	a, err := m.CompileAlice(key)
	if err != nil {
		return CompiledThroughput{}, err
	}
	compileSecs := time.Since(compileStart).Seconds()
	v := m.cfg.Variant
	agree := 0
	for b := 0; b < CompiledCheckBlocks; b++ {
		var x uint64
		for i := 0; i < n; i++ {
			x = x<<1 | Decode(v, check.p[b*n+i])
		}
		c := a.Block(x)
		for j := 0; j < n; j++ {
			if uint64(c>>(n-1-j)&1) == Decode(v, net[b*n+j]) {
				agree++
			}
		}
	}
	total := int64(mb * (1 << 20))
	bufLen := min(total, 64<<20)
	bufLen -= bufLen % int64(max(n/8, 1)*8) // whole blocks (and bytes)
	if bufLen <= 0 {
		bufLen = int64(n) // n bytes hold 8 blocks
	}
	buf := make([]byte, bufLen)
	for i := range buf {
		buf[i] = byte(src.pcg.Uint64())
	}
	calls := int(max((total+bufLen-1)/bufLen, 1))
	start := time.Now()
	for c := 0; c < calls; c++ {
		if _, err := a.Encrypt(buf); err != nil {
			return CompiledThroughput{}, err
		}
	}
	secs := time.Since(start).Seconds()
	done := float64(int64(calls)*bufLen) / (1 << 20)
	return CompiledThroughput{Throughput: Throughput{N: n, Blocks: int(int64(calls) * bufLen * 8 / int64(n)), Batch: int(bufLen * 8 / int64(n)),
		MB: done, Seconds: secs, MBPerSec: done / secs, Backend: "compiled (Go table lookup)", Device: "CPU, one goroutine",
		Variant: v, CallsMade: calls}, Agreement: float64(agree) / float64(CompiledCheckBlocks*n), CompileSeconds: compileSecs}, nil
}
