package ancnet

import (
	"fmt"
	"math/rand/v2"
)

// Encode writes the encoding of bit b used by variant v: ANC uses ±1
// (0 → −1, 1 → +1), CPA-ANC uses the bit itself.
func Encode(v Variant, b uint64) float32 {
	if v == ANC {
		return float32(2*int(b&1) - 1)
	}
	return float32(b & 1)
}

// Decode rounds an output value of variant v to a bit: ANC: x > 0;
// CPA-ANC: x > 1/2.
func Decode(v Variant, x float32) uint64 {
	if v == ANC {
		if x > 0 {
			return 1
		}
		return 0
	}
	if x > 0.5 {
		return 1
	}
	return 0
}

// bitSource draws uniformly random bits from a seeded PCG generator. Its
// whole position is (the PCG state, word, left), which checkpoints save
// (see bitSourceState).
type bitSource struct {
	pcg  *rand.PCG
	word uint64
	left int
}

func newBitSource(seed uint64, stream uint64) *bitSource {
	return &bitSource{pcg: rand.NewPCG(seed, stream)}
}

// bitSourceState is the serialisable position of a bitSource.
type bitSourceState struct {
	PCG  []byte // rand.PCG.MarshalBinary
	Word uint64
	Left int
}

func (s *bitSource) state() (bitSourceState, error) {
	b, err := s.pcg.MarshalBinary()
	return bitSourceState{PCG: b, Word: s.word, Left: s.left}, err
}

// setState moves s to a saved position.
func (s *bitSource) setState(st bitSourceState) error {
	if st.Left < 0 || st.Left > 64 {
		return fmt.Errorf("bit source: %d bits left in the word: want 0..64", st.Left)
	}
	pcg := &rand.PCG{}
	if err := pcg.UnmarshalBinary(st.PCG); err != nil {
		return fmt.Errorf("bit source: %w", err)
	}
	s.pcg, s.word, s.left = pcg, st.Word, st.Left
	return nil
}

func (s *bitSource) bit() uint64 {
	if s.left == 0 {
		s.word, s.left = s.pcg.Uint64(), 64
	}
	b := s.word & 1
	s.word >>= 1
	s.left--
	return b
}

// fill writes len(dst) random encoded bits.
func (s *bitSource) fill(v Variant, dst []float32) {
	for i := range dst {
		dst[i] = Encode(v, s.bit())
	}
}

// batch is one minibatch of inputs, [blocks × n] row-major.
type batch struct {
	blocks int
	p, k   []float32 // plaintext (with chosen plaintexts: P_t) and key, in Alice's encoding
	p0, p1 []float32 // chosen plaintexts: Eve's two plaintexts, in {0, 1}
	t      []float32 // chosen plaintexts: which one Alice encrypted
}

// newBatch draws a batch. With chosen set, it also draws P0, P1 and t and
// sets P = P_t; the CPA-side plaintexts are in {0, 1} and p is in the
// encoding of variant v.
func (s *bitSource) newBatch(v Variant, n, blocks int, chosen bool) *batch {
	b := &batch{blocks: blocks}
	size := blocks * n
	b.k = make([]float32, size)
	s.fill(v, b.k)
	b.p = make([]float32, size)
	if !chosen {
		s.fill(v, b.p)
		return b
	}
	b.p0, b.p1 = make([]float32, size), make([]float32, size)
	s.fill(CPA, b.p0)
	s.fill(CPA, b.p1)
	b.t = make([]float32, blocks)
	for i := 0; i < blocks; i++ {
		t := s.bit()
		b.t[i] = float32(t)
		src := b.p0
		if t == 1 {
			src = b.p1
		}
		for j := 0; j < n; j++ {
			b.p[i*n+j] = Encode(v, uint64(src[i*n+j]))
		}
	}
	return b
}
