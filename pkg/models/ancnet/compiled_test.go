package ancnet

import (
	"math"
	"math/bits"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/core/tensors"
	"github.com/neurocrypt/neurocrypt/pkg/seeds"
)

// xorWeights is the one-time pad C = P ⊕ K as CPA-ANC's Alice can learn
// it: W = [I; I] (angle π·(pᵢ + kᵢ), cos < 0 exactly when pᵢ ≠ kᵢ).
func xorWeights(n int) []float32 {
	w := make([]float32, 2*n*n)
	for i := 0; i < n; i++ {
		w[i*n+i], w[(n+i)*n+i] = 1, 1
	}
	return w
}

func keyBits(n int, seed uint64) []float32 {
	r := seeds.SplitMix{State: seed}
	k := make([]float32, n)
	for i := range k {
		k[i] = float32(r.Uint64() & 1)
	}
	return k
}

// TestCompiledAliceIsTheOneTimePad: with the XOR weights every block of
// every tested length (codebook and table forms) encrypts to P ⊕ K, and
// Encrypt's bit packing agrees with Block.
func TestCompiledAliceIsTheOneTimePad(t *testing.T) {
	for _, n := range []int{4, 8, 12, 16, 24, 32} {
		key := keyBits(n, uint64(n))
		var kv uint64
		for _, b := range key {
			kv = kv<<1 | uint64(b)
		}
		a, err := CompileCPAAlice(n, xorWeights(n), key)
		if err != nil {
			t.Fatal(err)
		}
		r := seeds.SplitMix{State: 9}
		for i := 0; i < 2000; i++ {
			v := r.Uint64() & (1<<n - 1)
			if got := uint64(a.Block(v)); got != v^kv {
				t.Fatalf("N = %d: block %x → %x, want %x", n, v, got, v^kv)
			}
		}
		pix := make([]byte, 3*n) // 24·n bits: whole blocks
		for i := range pix {
			pix[i] = byte(r.Uint64())
		}
		c, err := a.Encrypt(pix)
		if err != nil {
			t.Fatal(err)
		}
		for blk := 0; blk < 8*len(pix)/n; blk++ {
			var p, q uint64
			for b := blk * n; b < (blk+1)*n; b++ {
				p = p<<1 | uint64(pix[b/8]>>(7-b%8)&1)
				q = q<<1 | uint64(c[b/8]>>(7-b%8)&1)
			}
			if q != p^kv {
				t.Fatalf("N = %d: Encrypt block %d: %x → %x, want %x", n, blk, p, q, p^kv)
			}
		}
	}
}

// TestCompiledAliceEqualsTheNetwork: for a CPA-ANC model (its initial,
// non-integer weights: the hard case) the compiled outputs equal the
// GoMLX network's on every block (N = 8: all 256) within float32
// tolerance, and the rounded bits agree wherever the output is not within
// 1e-4 of the 1/2 threshold.
func TestCompiledAliceEqualsTheNetwork(t *testing.T) {
	for _, n := range []int{8, 16} {
		m, err := NewModel(goBackend(t), DefaultConfig(CPA, n, 1))
		if err != nil {
			t.Fatal(err)
		}
		blocks := 1 << n
		if n > 8 {
			blocks = 4096
		}
		key := keyBits(n, 3)
		r := seeds.SplitMix{State: 5}
		p, k := make([]float32, 0, blocks*n), make([]float32, 0, blocks*n)
		vs := make([]uint64, blocks)
		for b := 0; b < blocks; b++ {
			v := uint64(b)
			if n > 8 {
				v = r.Uint64() & (1<<n - 1)
			}
			vs[b] = v
			for i := 0; i < n; i++ {
				p = append(p, float32(v>>(n-1-i)&1))
			}
			k = append(k, key...)
		}
		net, err := m.Encrypt(p, k, blocks)
		if err != nil {
			t.Fatal(err)
		}
		a, err := m.CompileAlice(key)
		if err != nil {
			t.Fatal(err)
		}
		checked := 0
		for b, v := range vs {
			want := a.Outputs(v)
			got := a.Block(v)
			for j := 0; j < n; j++ {
				y := float64(net[b*n+j])
				if math.Abs(y-want[j]) > 1e-4 {
					t.Fatalf("N = %d, block %x, output %d: network %g, compiled %g", n, v, j, y, want[j])
				}
				if math.Abs(y-0.5) > 1e-4 {
					checked++
					if bit := uint64(got >> (n - 1 - j) & 1); bit != Decode(CPA, net[b*n+j]) {
						t.Fatalf("N = %d, block %x, bit %d: compiled %d, network %g", n, v, j, bit, y)
					}
				}
			}
		}
		if checked < blocks*n/2 {
			t.Errorf("N = %d: only %d of %d bits away from the threshold", n, checked, blocks*n)
		}
	}
}

func TestCompileErrors(t *testing.T) {
	if _, err := CompileCPAAlice(4, xorWeights(4)[:5], keyBits(4, 1)); err == nil || !strings.Contains(err.Error(), "weights") {
		t.Errorf("short weights: %v", err)
	}
	if _, err := CompileCPAAlice(4, xorWeights(4), []float32{0, 1, 2, 0}); err == nil || !strings.Contains(err.Error(), "key bit 2") {
		t.Errorf("bad key bit: %v", err)
	}
	w := xorWeights(4)
	w[3] = float32(math.NaN())
	if _, err := CompileCPAAlice(4, w, keyBits(4, 1)); err == nil {
		t.Error("a NaN weight was accepted")
	}
	if _, err := CompileCPAAlice(33, xorWeights(33), keyBits(33, 1)); err == nil || !strings.Contains(err.Error(), "32 bits") {
		t.Errorf("N = 33: %v, want the 32-bit limit named", err)
	}
	a, _ := CompileCPAAlice(12, xorWeights(12), keyBits(12, 1))
	if _, err := a.Encrypt(make([]byte, 1)); err == nil || !strings.Contains(err.Error(), "multiple") {
		t.Errorf("8 bits in 12-bit blocks: %v", err)
	}
}

// TestCompileANCAlice: an ANC Alice's codebook equals the network's
// rounded outputs block by block (every 4-bit block, and image bytes
// through Encrypt), keeps no continuous outputs, and refuses keys that are
// not ±1, CPA-ANC models and N above the codebook limit.
func TestCompileANCAlice(t *testing.T) {
	const n = 4
	m, err := NewModel(goBackend(t), DefaultConfig(ANC, n, 1))
	if err != nil {
		t.Fatal(err)
	}
	key := []float32{1, -1, -1, 1}
	// A fresh Alice's outputs all have one sign: scale her weights up
	// (its variables exist once her graph is built), so that the codebook
	// has both bits to get right.
	if _, err := m.Encrypt(make([]float32, n), key, 1); err != nil {
		t.Fatal(err)
	}
	weights, err := m.AliceWeights()
	if err != nil || len(weights) == 0 {
		t.Fatalf("Alice's weights: %v, %v", weights, err)
	}
	for name, vals := range weights {
		v := m.store.GetVariable("/" + ScopeAliceBob + "/" + ScopeAlice + "/" + name)
		if v == nil {
			t.Fatalf("no variable %s", name)
		}
		for i := range vals {
			vals[i] *= 8
		}
		if err := v.SetValue(tensors.FromFlatDataAndDimensions(vals, v.Shape().Dimensions...)); err != nil {
			t.Fatal(err)
		}
	}
	a, err := m.CompileAlice(key)
	if err != nil {
		t.Fatal(err)
	}
	ones := 0
	for v := uint64(0); v < 1<<n; v++ {
		p := make([]float32, n)
		for i := range p {
			p[i] = Encode(ANC, v>>(n-1-i))
		}
		c, err := m.Encrypt(p, key, 1)
		if err != nil {
			t.Fatal(err)
		}
		var want uint32
		for _, x := range c {
			want = want<<1 | uint32(Decode(ANC, x))
		}
		if got := a.Block(v); got != want {
			t.Errorf("block %04b: codebook %04b, network %04b (outputs %v)", v, got, want, c)
		}
		ones += bits.OnesCount32(want)
		if a.Outputs(v) != nil {
			t.Fatal("a codebook has no continuous outputs")

		}
	}
	if ones == 0 || ones == n<<n {
		t.Fatalf("the network's outputs are constant (%d ones): the test would not tell blocks apart", ones)
	}
	pix := []byte{0x3c, 0xa5, 0x0f}
	enc, err := a.Encrypt(pix)
	if err != nil {
		t.Fatal(err)
	}
	for i, b := range pix {
		if want := byte(a.Block(uint64(b>>4)))<<4 | byte(a.Block(uint64(b&15))); enc[i] != want {
			t.Errorf("byte %d: %#x, want %#x", i, enc[i], want)
		}
	}
	if _, err := m.CompileAlice([]float32{1, 0, -1, 1}); err == nil || !strings.Contains(err.Error(), "−1 or +1") {
		t.Errorf("a key value of 0: %v", err)
	}
	if _, err := m.CompileAlice([]float32{1, -1}); err == nil {
		t.Error("a key of 2 values for N = 4 was accepted")
	}
	cpa, err := NewModel(goBackend(t), DefaultConfig(CPA, n, 1))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cpa.CompileANCAlice(keyBits(n, 1)); err == nil {
		t.Error("a CPA-ANC model compiled as ANC")
	}
	if big, err := NewModel(goBackend(t), DefaultConfig(ANC, 24, 1)); err == nil {
		if _, err := big.CompileAlice(make([]float32, 24)); err == nil || !strings.Contains(err.Error(), "codebook") {
			t.Errorf("N = 24: %v, want the codebook limit named", err)
		}
	}
}

// BenchmarkCompiledAlice is CPA-ANC encryption with the compiled Alice
// (N = 16, codebook): MB/s of image bytes, against the seed paper's
// 75.85 MB/s (reported, never asserted).
func BenchmarkCompiledAlice(b *testing.B) {
	a, err := CompileCPAAlice(16, xorWeights(16), keyBits(16, 1))
	if err != nil {
		b.Fatal(err)
	}
	pix := make([]byte, 16<<20)
	b.SetBytes(int64(len(pix)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := a.Encrypt(pix); err != nil {
			b.Fatal(err)
		}
	}
}

// TestMeasureCompiledThroughput: the measurement encrypts what it says,
// agrees with the network on (nearly) every bit, for CPA-ANC's exact form
// and ANC's codebook.
func TestMeasureCompiledThroughput(t *testing.T) {
	m, err := NewModel(goBackend(t), DefaultConfig(CPA, 16, 1))
	if err != nil {
		t.Fatal(err)
	}
	tp, err := m.MeasureCompiledThroughput(0.5)
	if err != nil {
		t.Fatal(err)
	}
	if tp.MB < 0.5 || tp.MB > 0.51 || !(tp.MBPerSec > 0) || tp.Blocks != int(tp.MB*(1<<20)*8/16) {
		t.Errorf("throughput %+v: want 0.5 MiB in whole 16-bit blocks", tp)
	}
	if tp.Agreement < 0.999 {
		t.Errorf("compiled Alice agrees with the network on %.4f of the bits", tp.Agreement)
	}
	anc, err := NewModel(goBackend(t), DefaultConfig(ANC, 4, 1))
	if err != nil {
		t.Fatal(err)
	}
	for _, mb := range []float64{0, -1, math.NaN(), math.Inf(1), 1e13} {
		if _, err := m.MeasureCompiledThroughput(mb); err == nil {
			t.Errorf("%g MB measured", mb)
		}
	}
	// ANC: the codebook, checked against the network on fresh blocks.
	anc16, err := NewModel(goBackend(t), DefaultConfig(ANC, 16, 1))
	if err != nil {
		t.Fatal(err)
	}
	at, err := anc16.MeasureCompiledThroughput(0.25)
	if err != nil || at.Agreement < 0.999 || !(at.CompileSeconds > 0) || !(at.MBPerSec > 0) {
		t.Errorf("ANC codebook: %+v, %v", at, err)
	}
	if _, err := anc.MeasureCompiledThroughput(-1); err == nil {
		t.Error("ANC model measured -1 MB")
	}
}
